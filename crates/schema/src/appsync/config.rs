//! Directive arguments with defaults (`DirectiveWrapper.getArguments` with deep merge, i.e.
//! lodash `merge`), and the resolved `@model` configuration.

use serde_json::{Map, Value as Json, json};

use crate::naming::{operation_name, plural, to_camel_case};
use crate::sdl::ast::Directive;

/// lodash `merge(dest, src)`: plain objects merge key by key, arrays index by index, any other
/// source value (including `null`) replaces the destination.
pub fn lodash_merge(dest: &mut Json, src: &Json) {
    match (dest, src) {
        (Json::Object(d), Json::Object(s)) => {
            for (k, sv) in s {
                match d.get_mut(k) {
                    Some(dv) => lodash_merge(dv, sv),
                    None => {
                        d.insert(k.clone(), sv.clone());
                    }
                }
            }
        }
        (Json::Array(d), Json::Array(s)) => {
            for (i, sv) in s.iter().enumerate() {
                match d.get_mut(i) {
                    Some(dv) => lodash_merge(dv, sv),
                    None => d.push(sv.clone()),
                }
            }
        }
        (dest, src) => *dest = src.clone(),
    }
}

/// `getArguments(defaults, { deepMergeArguments: true })`.
pub fn arguments_with_defaults(directive: &Directive, defaults: Json) -> Json {
    let args = Json::Object(directive.args_json());
    let mut merged = defaults;
    lodash_merge(&mut merged, &args);
    merged
}

/// The `@model` configuration after defaults: operation names (`None` = disabled),
/// subscription level and timestamp field names.
#[derive(Debug, Clone)]
pub struct ModelConfig {
    pub raw: Json,
}

impl ModelConfig {
    /// The model transformer's view (`ModelTransformer.object`).
    pub fn for_model(type_name: &str, directive: &Directive) -> Self {
        let defaults = json!({
            "queries": {
                "get": operation_name("get", type_name),
                "list": operation_name("list", type_name),
            },
            "mutations": {
                "create": operation_name("create", type_name),
                "update": operation_name("update", type_name),
                "delete": operation_name("delete", type_name),
            },
            "subscriptions": {
                "level": "on",
                "onCreate": [operation_name("onCreate", type_name)],
                "onDelete": [operation_name("onDelete", type_name)],
                "onUpdate": [operation_name("onUpdate", type_name)],
            },
            "timestamps": { "createdAt": "createdAt", "updatedAt": "updatedAt" },
        });
        let mut raw = arguments_with_defaults(directive, defaults);
        if let Some(Json::Object(subs)) = raw.get_mut("subscriptions") {
            for key in ["onCreate", "onDelete", "onUpdate"] {
                if let Some(v) = subs.get_mut(key)
                    && truthy(v)
                    && !v.is_array()
                {
                    *v = Json::Array(vec![v.clone()]);
                }
            }
        }
        ModelConfig { raw }
    }

    /// The auth transformer's view (`getModelConfig`), which builds the default names slightly
    /// differently (`toCamelCase(['list', plural(T)])`).
    pub fn for_auth(type_name: &str, directive: &Directive) -> Self {
        let defaults = json!({
            "queries": {
                "get": to_camel_case(&["get", type_name]),
                "list": to_camel_case(&["list".to_string(), plural(type_name)]),
            },
            "mutations": {
                "create": to_camel_case(&["create", type_name]),
                "update": to_camel_case(&["update", type_name]),
                "delete": to_camel_case(&["delete", type_name]),
            },
            "subscriptions": {
                "level": "on",
                "onCreate": [operation_name("onCreate", type_name)],
                "onDelete": [operation_name("onDelete", type_name)],
                "onUpdate": [operation_name("onUpdate", type_name)],
            },
            "timestamps": { "createdAt": "createdAt", "updatedAt": "updatedAt" },
        });
        ModelConfig {
            raw: arguments_with_defaults(directive, defaults),
        }
    }

    fn section(&self, name: &str) -> Option<&Map<String, Json>> {
        self.raw.get(name).and_then(Json::as_object)
    }

    fn name_in(&self, section: &str, op: &str) -> Option<String> {
        self.section(section)
            .and_then(|s| s.get(op))
            .filter(|v| truthy(v))
            .map(js_string)
    }

    pub fn query(&self, op: &str) -> Option<String> {
        self.name_in("queries", op)
    }

    /// Enabled mutations in the configuration's key order: (`create`|`update`|`delete`, name).
    pub fn mutations(&self) -> Vec<(String, String)> {
        self.section("mutations")
            .map(|m| {
                m.iter()
                    .filter(|(_, v)| truthy(v))
                    .map(|(k, v)| (k.clone(), js_string(v)))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn mutation(&self, op: &str) -> Option<String> {
        self.name_in("mutations", op)
    }

    /// Subscription level (`on` unless configured).
    pub fn subscription_level(&self) -> String {
        self.section("subscriptions")
            .and_then(|s| s.get("level"))
            .and_then(Json::as_str)
            .unwrap_or("on")
            .to_string()
    }

    /// The subscription field names for `onCreate`/`onUpdate`/`onDelete`; empty when unset.
    pub fn subscription_names(&self, op: &str) -> Vec<String> {
        match self.section("subscriptions").and_then(|s| s.get(op)) {
            Some(Json::Array(items)) => items.iter().map(js_string).collect(),
            Some(v) if truthy(v) => vec![js_string(v)],
            _ => Vec::new(),
        }
    }

    /// `timestamps` is `null`.
    pub fn timestamps_null(&self) -> bool {
        matches!(self.raw.get("timestamps"), Some(Json::Null))
    }

    /// `Object.entries(config.timestamps || {})` (values may be `null`).
    pub fn timestamp_entries(&self) -> Vec<(String, Option<String>)> {
        match self.raw.get("timestamps") {
            Some(Json::Object(m)) => m
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        if v.is_null() {
                            None
                        } else {
                            Some(js_string(v))
                        },
                    )
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// `Object.values(config.timestamps || {})` (may contain `null`).
    pub fn timestamp_values(&self) -> Vec<Option<String>> {
        self.timestamp_entries()
            .into_iter()
            .map(|(_, v)| v)
            .collect()
    }

    /// The timestamp field (`createdAt`/`updatedAt`) the model transformer adds, if any.
    pub fn timestamp_field(&self, key: &str) -> Option<String> {
        match self.raw.get("timestamps") {
            Some(Json::Object(m)) => match m.get(key) {
                Some(Json::Null) => None,
                Some(v) => Some(js_string(v)),
                None => Some(key.to_string()),
            },
            _ => None,
        }
    }
}

/// JavaScript truthiness of a JSON value.
pub fn truthy(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Json::String(s) => !s.is_empty(),
        Json::Array(_) | Json::Object(_) => true,
    }
}

/// JavaScript string conversion of a scalar JSON value.
pub fn js_string(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_like_lodash() {
        let mut d = json!({"a": {"x": 1, "y": 2}, "l": ["p", "q"], "n": 1});
        lodash_merge(
            &mut d,
            &json!({"a": {"y": null}, "l": ["r"], "n": {"k": 2}}),
        );
        assert_eq!(
            d,
            json!({"a": {"x": 1, "y": null}, "l": ["r", "q"], "n": {"k": 2}})
        );
    }

    #[test]
    fn model_config_defaults_and_overrides() {
        let d = Directive::new("model").with_arg(
            "queries",
            crate::sdl::ast::Value::Object(vec![("get".into(), crate::sdl::ast::Value::Null)]),
        );
        let c = ModelConfig::for_model("Category", &d);
        assert_eq!(c.query("get"), None);
        assert_eq!(c.query("list").as_deref(), Some("listCategories"));
        assert_eq!(
            c.mutations(),
            vec![
                ("create".to_string(), "createCategory".to_string()),
                ("update".to_string(), "updateCategory".to_string()),
                ("delete".to_string(), "deleteCategory".to_string()),
            ]
        );
        assert_eq!(c.subscription_names("onUpdate"), vec!["onUpdateCategory"]);
        assert_eq!(c.timestamp_field("createdAt").as_deref(), Some("createdAt"));
    }
}
