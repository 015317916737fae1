//! The filter AST: every operator of the generated `Model*FilterInput`,
//! `Model*ConditionInput` and `ModelSubscription*FilterInput` types, with DynamoDB's semantics
//! (documented on [`FieldOp`]).

use serde_json::Value;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FilterError {
    #[error("filter must be an object, found {0}")]
    NotAnObject(String),
    #[error("invalid field name {0:?} in filter")]
    InvalidField(String),
    #[error("unknown filter operator {op:?} on field {field}")]
    UnknownOperator { field: String, op: String },
    #[error("invalid value for {op} on field {field}: {reason}")]
    InvalidValue {
        field: String,
        op: String,
        reason: String,
    },
}

/// A filter or condition expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// All hold (an empty list holds).
    And(Vec<Filter>),
    /// One holds (an empty list holds, like an absent filter).
    Or(Vec<Filter>),
    Not(Box<Filter>),
    /// A condition on one top-level attribute.
    Field {
        field: String,
        op: FieldOp,
    },
}

/// DynamoDB's attribute types, as `attributeType` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttributeType {
    /// `S`
    String,
    /// `N`
    Number,
    /// `B` (never stored by AppSync: JSON has no binary)
    Binary,
    /// `BOOL`
    Boolean,
    /// `NULL`
    Null,
    /// `L`
    List,
    /// `M`
    Map,
    /// `SS` (AppSync stores lists as `L`, so no item has a set)
    StringSet,
    /// `NS`
    NumberSet,
    /// `BS`
    BinarySet,
}

impl AttributeType {
    pub fn parse(name: &str) -> Option<AttributeType> {
        Some(match name {
            "S" | "string" => AttributeType::String,
            "N" | "number" => AttributeType::Number,
            "B" | "binary" => AttributeType::Binary,
            "BOOL" | "bool" => AttributeType::Boolean,
            "NULL" | "_null" => AttributeType::Null,
            "L" | "list" => AttributeType::List,
            "M" | "map" => AttributeType::Map,
            "SS" | "stringSet" => AttributeType::StringSet,
            "NS" | "numberSet" => AttributeType::NumberSet,
            "BS" | "binarySet" => AttributeType::BinarySet,
            _ => return None,
        })
    }
}

/// A comparison on `size(attribute)` (`ModelSizeInput`).
#[derive(Debug, Clone, PartialEq)]
pub enum SizeOp {
    Eq(f64),
    Ne(f64),
    Le(f64),
    Lt(f64),
    Ge(f64),
    Gt(f64),
    Between(f64, f64),
}

/// One operator on one attribute. As in DynamoDB:
/// - comparisons (`eq le lt ge gt between`) hold only between values of the same type (a string
///   never equals a number); strings compare by UTF-8 bytes, numbers numerically; a missing
///   attribute makes them false;
/// - `ne` is `NOT eq`: it holds for a missing attribute and for a value of another type;
/// - `contains` is a substring test on a string attribute and an element test on a list;
///   `notContains` is its negation (true on a missing attribute);
/// - `beginsWith` holds on string attributes only;
/// - `attributeExists: true` holds for any stored attribute, including one stored as `null`;
/// - `size` is the length of a string (characters), or the number of elements of a list or map;
///   on a missing attribute or another type every size comparison is false;
/// - `in` holds when `eq` holds for one of the values; `notIn` is its negation.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldOp {
    Eq(Value),
    Ne(Value),
    Le(Value),
    Lt(Value),
    Ge(Value),
    Gt(Value),
    Between(Value, Value),
    BeginsWith(String),
    Contains(Value),
    NotContains(Value),
    /// Not an AppSync operator (no input syntax): the attribute is a list with an element
    /// equal to the value, or a scalar equal to it — never a substring match. For
    /// authorization filters (`ownersDefinedIn`, `groupsDefinedIn`), where a substring match
    /// would grant access to `bobby`'s items to `bob`.
    HasElement(Value),
    AttributeExists(bool),
    AttributeType(AttributeType),
    In(Vec<Value>),
    NotIn(Vec<Value>),
    Size(SizeOp),
}

/// `[_A-Za-z][_0-9A-Za-z]*`
pub fn is_graphql_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

impl Filter {
    /// Shorthand for a field condition.
    pub fn field(field: impl Into<String>, op: FieldOp) -> Filter {
        Filter::Field {
            field: field.into(),
            op,
        }
    }

    /// Parse a GraphQL filter or condition argument (`{ title: { beginsWith: "a" }, or: [...] }`)
    /// as AppSync's `toDynamoDBFilterExpression` reads it: the entries of an object are ANDed,
    /// several operators on one field are ANDed, `null` entries are ignored.
    pub fn from_input(input: &Value) -> Result<Filter, FilterError> {
        let Value::Object(map) = input else {
            return Err(FilterError::NotAnObject(kind(input).into()));
        };
        let mut all = Vec::new();
        for (key, value) in map {
            if value.is_null() {
                continue;
            }
            match key.as_str() {
                "and" | "or" => {
                    let items = match value {
                        Value::Array(items) => items
                            .iter()
                            .filter(|v| !v.is_null())
                            .map(Filter::from_input)
                            .collect::<Result<Vec<_>, _>>()?,
                        // GraphQL input coercion turns a single object into a one-element list.
                        other => vec![Filter::from_input(other)?],
                    };
                    all.push(if key == "and" {
                        Filter::And(items)
                    } else {
                        Filter::Or(items)
                    });
                }
                "not" => all.push(Filter::Not(Box::new(Filter::from_input(value)?))),
                field => {
                    if !is_graphql_name(field) {
                        return Err(FilterError::InvalidField(field.into()));
                    }
                    let Value::Object(ops) = value else {
                        return Err(FilterError::NotAnObject(format!(
                            "{} for field {field}",
                            kind(value)
                        )));
                    };
                    for (op, arg) in ops {
                        if let Some(op) = parse_op(field, op, arg)? {
                            all.push(Filter::field(field, op));
                        }
                    }
                }
            }
        }
        Ok(if all.len() == 1 {
            all.remove(0)
        } else {
            Filter::And(all)
        })
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn parse_op(field: &str, op: &str, arg: &Value) -> Result<Option<FieldOp>, FilterError> {
    let invalid = |reason: &str| FilterError::InvalidValue {
        field: field.into(),
        op: op.into(),
        reason: reason.into(),
    };
    // `eq: null` / `ne: null` compare with a stored null; other operators ignore a null.
    if arg.is_null() && !matches!(op, "eq" | "ne") {
        return Ok(None);
    }
    let pair = |arg: &Value| -> Result<(Value, Value), FilterError> {
        match arg.as_array().map(Vec::as_slice) {
            Some([a, b]) => Ok((a.clone(), b.clone())),
            _ => Err(invalid("expects exactly two values")),
        }
    };
    let list = |arg: &Value| -> Result<Vec<Value>, FilterError> {
        arg.as_array()
            .cloned()
            .ok_or_else(|| invalid("expects a list"))
    };
    Ok(Some(match op {
        "eq" => FieldOp::Eq(arg.clone()),
        "ne" => FieldOp::Ne(arg.clone()),
        "le" => FieldOp::Le(arg.clone()),
        "lt" => FieldOp::Lt(arg.clone()),
        "ge" => FieldOp::Ge(arg.clone()),
        "gt" => FieldOp::Gt(arg.clone()),
        "between" => {
            let (a, b) = pair(arg)?;
            FieldOp::Between(a, b)
        }
        "beginsWith" => FieldOp::BeginsWith(
            arg.as_str()
                .ok_or_else(|| invalid("expects a string"))?
                .to_string(),
        ),
        "contains" => FieldOp::Contains(arg.clone()),
        "notContains" => FieldOp::NotContains(arg.clone()),
        "attributeExists" => {
            FieldOp::AttributeExists(arg.as_bool().ok_or_else(|| invalid("expects a boolean"))?)
        }
        "attributeType" => {
            let name = arg.as_str().ok_or_else(|| invalid("expects a string"))?;
            FieldOp::AttributeType(
                AttributeType::parse(name).ok_or_else(|| invalid("unknown attribute type"))?,
            )
        }
        "in" => FieldOp::In(list(arg)?),
        "notIn" => FieldOp::NotIn(list(arg)?),
        "size" => {
            let Value::Object(ops) = arg else {
                return Err(invalid("expects an object"));
            };
            let mut sizes = Vec::new();
            for (size_op, v) in ops {
                if v.is_null() {
                    continue;
                }
                let num = |v: &Value| v.as_f64().ok_or_else(|| invalid("expects numbers"));
                sizes.push(match size_op.as_str() {
                    "eq" => SizeOp::Eq(num(v)?),
                    "ne" => SizeOp::Ne(num(v)?),
                    "le" => SizeOp::Le(num(v)?),
                    "lt" => SizeOp::Lt(num(v)?),
                    "ge" => SizeOp::Ge(num(v)?),
                    "gt" => SizeOp::Gt(num(v)?),
                    "between" => {
                        let (a, b) = pair(v)?;
                        SizeOp::Between(num(&a)?, num(&b)?)
                    }
                    other => {
                        return Err(FilterError::UnknownOperator {
                            field: field.into(),
                            op: format!("size.{other}"),
                        });
                    }
                });
            }
            match sizes.len() {
                0 => return Ok(None),
                1 => FieldOp::Size(sizes.remove(0)),
                _ => return Err(invalid("expects one size comparison")),
            }
        }
        other => {
            return Err(FilterError::UnknownOperator {
                field: field.into(),
                op: other.into(),
            });
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_nested_input() {
        let f = Filter::from_input(&json!({
            "title": {"beginsWith": "a", "ne": "ab"},
            "or": [{"rating": {"gt": 3}}, {"not": {"tags": {"contains": "x"}}}],
            "skipped": null
        }))
        .unwrap();
        assert_eq!(
            f,
            Filter::And(vec![
                Filter::field("title", FieldOp::BeginsWith("a".into())),
                Filter::field("title", FieldOp::Ne(json!("ab"))),
                Filter::Or(vec![
                    Filter::field("rating", FieldOp::Gt(json!(3))),
                    Filter::Not(Box::new(Filter::field(
                        "tags",
                        FieldOp::Contains(json!("x"))
                    ))),
                ]),
            ])
        );
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(
            Filter::from_input(&json!({"a'b": {"eq": 1}})),
            Err(FilterError::InvalidField(_))
        ));
        assert!(matches!(
            Filter::from_input(&json!({"a": {"like": 1}})),
            Err(FilterError::UnknownOperator { .. })
        ));
        assert!(matches!(
            Filter::from_input(&json!({"a": {"between": [1]}})),
            Err(FilterError::InvalidValue { .. })
        ));
        assert!(matches!(
            Filter::from_input(&json!({"a": {"attributeType": "XX"}})),
            Err(FilterError::InvalidValue { .. })
        ));
        assert!(Filter::from_input(&json!([1])).is_err());
    }

    #[test]
    fn size_and_types_parse() {
        assert_eq!(
            Filter::from_input(&json!({"a": {"size": {"between": [1, 3]}}})).unwrap(),
            Filter::field("a", FieldOp::Size(SizeOp::Between(1.0, 3.0)))
        );
        assert_eq!(
            Filter::from_input(&json!({"a": {"attributeType": "SS"}})).unwrap(),
            Filter::field("a", FieldOp::AttributeType(AttributeType::StringSet))
        );
    }
}
