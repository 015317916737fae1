//! Enhanced subscription filters (`extensions.setSubscriptionFilter`): groups of rules, a
//! group holding when all its rules hold, the filter when one group does.

use serde_json::{Map, Value};

use crate::dynamo::eval::{equals, order};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Le,
    Lt,
    Ge,
    Gt,
    Contains,
    NotContains,
    BeginsWith,
    In,
    NotIn,
    Between,
    ContainsAny,
}

#[derive(Debug, Clone, PartialEq)]
struct Rule {
    path: Vec<String>,
    op: Op,
    value: Value,
}

/// A parsed `{ filterGroup: [{ filters: [{ fieldName, operator, value }] }] }`.
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionFilter {
    groups: Vec<Vec<Rule>>,
}

impl SubscriptionFilter {
    /// Parses a filter as a handler sets it; the message names what is wrong.
    pub fn parse(v: &Value) -> Result<SubscriptionFilter, String> {
        let groups = v
            .get("filterGroup")
            .and_then(Value::as_array)
            .ok_or("a subscription filter needs a filterGroup list")?;
        let mut out = Vec::new();
        for g in groups {
            let filters = g
                .get("filters")
                .and_then(Value::as_array)
                .ok_or("each filter group needs a filters list")?;
            let mut rules = Vec::new();
            for f in filters {
                let field = f
                    .get("fieldName")
                    .and_then(Value::as_str)
                    .ok_or("each filter needs a fieldName")?;
                let operator = f
                    .get("operator")
                    .and_then(Value::as_str)
                    .ok_or("each filter needs an operator")?;
                let op = match operator {
                    "eq" => Op::Eq,
                    "ne" => Op::Ne,
                    "le" => Op::Le,
                    "lt" => Op::Lt,
                    "ge" => Op::Ge,
                    "gt" => Op::Gt,
                    "contains" => Op::Contains,
                    "notContains" => Op::NotContains,
                    "beginsWith" => Op::BeginsWith,
                    "in" => Op::In,
                    "notIn" => Op::NotIn,
                    "between" => Op::Between,
                    "containsAny" => Op::ContainsAny,
                    other => return Err(format!("unknown subscription filter operator {other:?}")),
                };
                let value = f.get("value").cloned().unwrap_or(Value::Null);
                let list_op = matches!(op, Op::In | Op::NotIn | Op::Between | Op::ContainsAny);
                if list_op != value.is_array()
                    || (op == Op::Between && value.as_array().map(Vec::len) != Some(2))
                {
                    return Err(format!("invalid value {value} for the {operator} operator"));
                }
                rules.push(Rule {
                    path: field.split('.').map(str::to_string).collect(),
                    op,
                    value,
                });
            }
            out.push(rules);
        }
        Ok(SubscriptionFilter { groups: out })
    }

    /// Whether an event's payload passes the filter.
    pub fn matches(&self, payload: &Map<String, Value>) -> bool {
        self.groups.is_empty()
            || self
                .groups
                .iter()
                .any(|rules| rules.iter().all(|r| r.holds(payload)))
    }
}

impl Rule {
    fn holds(&self, payload: &Map<String, Value>) -> bool {
        let mut current = None;
        for (i, part) in self.path.iter().enumerate() {
            current = if i == 0 {
                payload.get(part)
            } else {
                current.and_then(|v: &Value| v.get(part))
            };
        }
        let x = current.filter(|v| !v.is_null());
        let cmp = |want: fn(std::cmp::Ordering) -> bool| {
            x.and_then(|x| order(x, &self.value)).is_some_and(want)
        };
        let contains = |needle: &Value| match x {
            Some(Value::String(s)) => needle.as_str().is_some_and(|n| s.contains(n)),
            Some(Value::Array(items)) => items.iter().any(|e| equals(e, needle)),
            _ => false,
        };
        let list = || self.value.as_array().map(Vec::as_slice).unwrap_or(&[]);
        match self.op {
            Op::Eq => x.is_some_and(|x| equals(x, &self.value)),
            Op::Ne => !x.is_some_and(|x| equals(x, &self.value)),
            Op::Le => cmp(|o| o.is_le()),
            Op::Lt => cmp(|o| o.is_lt()),
            Op::Ge => cmp(|o| o.is_ge()),
            Op::Gt => cmp(|o| o.is_gt()),
            Op::Contains => contains(&self.value),
            Op::NotContains => !contains(&self.value),
            Op::BeginsWith => matches!((x, &self.value),
                (Some(Value::String(s)), Value::String(p)) if s.starts_with(p.as_str())),
            Op::In => x.is_some_and(|x| list().iter().any(|v| equals(x, v))),
            Op::NotIn => !x.is_some_and(|x| list().iter().any(|v| equals(x, v))),
            Op::Between => {
                let [low, high] = list() else { return false };
                x.is_some_and(|x| {
                    order(x, low).is_some_and(|o| o.is_ge())
                        && order(x, high).is_some_and(|o| o.is_le())
                })
            }
            Op::ContainsAny => list().iter().any(contains),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn groups_are_or_rules_are_and() {
        let f = SubscriptionFilter::parse(&json!({"filterGroup": [
            {"filters": [
                {"fieldName": "severity", "operator": "ge", "value": 7},
                {"fieldName": "group", "operator": "in", "value": ["a", "b"]},
            ]},
            {"filters": [{"fieldName": "meta.kind", "operator": "beginsWith", "value": "urgent"}]},
        ]}))
        .unwrap();
        assert!(f.matches(&item(json!({"severity": 8, "group": "a"}))));
        assert!(!f.matches(&item(json!({"severity": 8, "group": "c"}))));
        assert!(!f.matches(&item(json!({"severity": 6, "group": "a"}))));
        assert!(f.matches(&item(json!({"severity": 1, "meta": {"kind": "urgent-x"}}))));
    }

    #[test]
    fn operators() {
        let one = |op: &str, value: Value, payload: Value| {
            SubscriptionFilter::parse(&json!({"filterGroup": [{"filters": [
                {"fieldName": "f", "operator": op, "value": value}]}]}))
            .unwrap()
            .matches(&item(payload))
        };
        assert!(one("ne", json!("x"), json!({})));
        assert!(one("contains", json!("ell"), json!({"f": "hello"})));
        assert!(one("contains", json!(2), json!({"f": [1, 2]})));
        assert!(one("notContains", json!(3), json!({"f": [1, 2]})));
        assert!(one("containsAny", json!([3, 2]), json!({"f": [1, 2]})));
        assert!(one("between", json!([1, 3]), json!({"f": 3})));
        assert!(!one("between", json!([1, 3]), json!({"f": "2"})));
        assert!(one("notIn", json!(["a"]), json!({"f": "b"})));
        assert!(
            SubscriptionFilter::parse(&json!({"filterGroup": [{"filters": [
            {"fieldName": "f", "operator": "like", "value": 1}]}]}))
            .is_err()
        );
        assert!(
            SubscriptionFilter::parse(&json!({"filterGroup": [{"filters": [
            {"fieldName": "f", "operator": "in", "value": 1}]}]}))
            .is_err()
        );
    }
}
