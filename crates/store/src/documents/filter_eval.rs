//! In-memory evaluation of a [`Filter`] against one item, with the same semantics as the SQL the
//! stores compile it to (for subscription filters and checks on items already in hand).

use std::cmp::Ordering;

use serde_json::Value;

use super::Document;
use super::filter::{AttributeType, FieldOp, Filter, SizeOp};

impl Filter {
    /// Whether the filter holds for `item` (DynamoDB semantics; see [`FieldOp`]).
    pub fn matches(&self, item: &Document) -> bool {
        match self {
            Filter::And(items) => items.iter().all(|f| f.matches(item)),
            Filter::Or(items) => items.is_empty() || items.iter().any(|f| f.matches(item)),
            Filter::Not(inner) => !inner.matches(item),
            Filter::Field { field, op } => op_holds(item.get(field), op),
        }
    }
}

fn same_kind(a: &Value, b: &Value) -> bool {
    matches!(
        (a, b),
        (Value::String(_), Value::String(_))
            | (Value::Number(_), Value::Number(_))
            | (Value::Bool(_), Value::Bool(_))
            | (Value::Null, Value::Null)
            | (Value::Array(_), Value::Array(_))
            | (Value::Object(_), Value::Object(_))
    )
}

/// Typed equality: numbers numerically, other kinds structurally.
fn equals(x: &Value, v: &Value) -> bool {
    match (x, v) {
        (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(a), Some(b)) => a == b,
            _ => a.as_f64() == b.as_f64(),
        },
        _ => same_kind(x, v) && x == v,
    }
}

/// Ordering between two strings (by UTF-8 bytes) or two numbers; `None` otherwise.
fn order(x: &Value, v: &Value) -> Option<Ordering> {
    match (x, v) {
        (Value::String(a), Value::String(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
        (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
        },
        _ => None,
    }
}

fn size(x: &Value) -> Option<f64> {
    match x {
        Value::String(s) => Some(s.chars().count() as f64),
        Value::Array(a) => Some(a.len() as f64),
        Value::Object(m) => Some(m.len() as f64),
        _ => None,
    }
}

fn contains(x: Option<&Value>, v: &Value) -> bool {
    match (x, v) {
        (Some(Value::String(s)), Value::String(needle)) => s.contains(needle.as_str()),
        (Some(Value::Array(items)), v) => items.iter().any(|e| equals(e, v)),
        _ => false,
    }
}

fn type_is(x: &Value, ty: AttributeType) -> bool {
    matches!(
        (ty, x),
        (AttributeType::String, Value::String(_))
            | (AttributeType::Number, Value::Number(_))
            | (AttributeType::Boolean, Value::Bool(_))
            | (AttributeType::Null, Value::Null)
            | (AttributeType::List, Value::Array(_))
            | (AttributeType::Map, Value::Object(_))
    )
}

fn op_holds(x: Option<&Value>, op: &FieldOp) -> bool {
    let cmp = |v: &Value, want: &[Ordering]| {
        x.and_then(|x| order(x, v))
            .is_some_and(|o| want.contains(&o))
    };
    match op {
        FieldOp::Eq(v) => x.is_some_and(|x| equals(x, v)),
        FieldOp::Ne(v) => !x.is_some_and(|x| equals(x, v)),
        FieldOp::Le(v) => cmp(v, &[Ordering::Less, Ordering::Equal]),
        FieldOp::Lt(v) => cmp(v, &[Ordering::Less]),
        FieldOp::Ge(v) => cmp(v, &[Ordering::Greater, Ordering::Equal]),
        FieldOp::Gt(v) => cmp(v, &[Ordering::Greater]),
        FieldOp::Between(a, b) => {
            same_kind(a, b)
                && cmp(a, &[Ordering::Greater, Ordering::Equal])
                && cmp(b, &[Ordering::Less, Ordering::Equal])
        }
        FieldOp::BeginsWith(prefix) => {
            matches!(x, Some(Value::String(s)) if s.starts_with(prefix.as_str()))
        }
        FieldOp::Contains(v) => contains(x, v),
        FieldOp::NotContains(v) => !contains(x, v),
        FieldOp::HasElement(v) => match x {
            Some(Value::Array(items)) => items.iter().any(|e| equals(e, v)),
            Some(x) => equals(x, v),
            None => false,
        },
        FieldOp::AttributeExists(want) => x.is_some() == *want,
        FieldOp::AttributeType(ty) => x.is_some_and(|x| type_is(x, *ty)),
        FieldOp::In(values) => x.is_some_and(|x| values.iter().any(|v| equals(x, v))),
        FieldOp::NotIn(values) => !x.is_some_and(|x| values.iter().any(|v| equals(x, v))),
        FieldOp::Size(op) => {
            let Some(n) = x.and_then(size) else {
                return false;
            };
            match op {
                SizeOp::Eq(v) => n == *v,
                SizeOp::Ne(v) => n != *v,
                SizeOp::Le(v) => n <= *v,
                SizeOp::Lt(v) => n < *v,
                SizeOp::Ge(v) => n >= *v,
                SizeOp::Gt(v) => n > *v,
                SizeOp::Between(a, b) => *a <= n && n <= *b,
            }
        }
    }
}
