//! The scalars the transformer knows (`DEFAULT_SCALARS` of graphql-transformer-common) and the
//! filter input types named after them.

/// Each known scalar and the standard scalar its filters use.
const DEFAULT_SCALARS: &[(&str, &str)] = &[
    ("String", "String"),
    ("Int", "Int"),
    ("Float", "Float"),
    ("Boolean", "Boolean"),
    ("ID", "ID"),
    ("BigInt", "Int"),
    ("Double", "Float"),
    ("AWSDate", "String"),
    ("AWSTime", "String"),
    ("AWSDateTime", "String"),
    ("AWSTimestamp", "Int"),
    ("AWSEmail", "String"),
    ("AWSJSON", "String"),
    ("AWSURL", "String"),
    ("AWSPhone", "String"),
    ("AWSIPAddress", "String"),
];

/// `Boolean(DEFAULT_SCALARS[name])`.
pub fn is_scalar_name(name: &str) -> bool {
    DEFAULT_SCALARS.iter().any(|(n, _)| *n == name)
}

/// `DEFAULT_SCALARS[name]`.
pub fn scalar_override(name: &str) -> Option<&'static str> {
    DEFAULT_SCALARS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| *s)
}

fn base(name: &str) -> &str {
    scalar_override(name).unwrap_or(name)
}

/// `ModelResourceIDs.ModelFilterScalarInputTypeName(name, includeFilter, isSubscription)`.
pub fn filter_scalar_input(name: &str, include_filter: bool, subscription: bool) -> String {
    format!(
        "Model{}{}{}Input",
        if subscription { "Subscription" } else { "" },
        base(name),
        if include_filter { "Filter" } else { "" }
    )
}

/// `ModelResourceIDs.ModelFilterListInputTypeName(name, includeFilter)`.
pub fn filter_list_input(name: &str, include_filter: bool) -> String {
    format!(
        "Model{}List{}Input",
        base(name),
        if include_filter { "Filter" } else { "" }
    )
}

/// `ModelResourceIDs.ModelKeyConditionInputTypeName(name)`.
pub fn key_condition_input(name: &str) -> String {
    format!("Model{}KeyConditionInput", base(name))
}

/// `ModelResourceIDs.ModelFilterInputTypeName(type)`.
pub fn model_filter_input(type_name: &str) -> String {
    format!("Model{}FilterInput", base(type_name))
}
