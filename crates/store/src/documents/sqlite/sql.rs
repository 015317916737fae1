//! SQLite expressions over the stored documents (JSONB in column `doc`): key expressions shared by
//! the index definitions and the queries (they must be textually identical for SQLite to use an
//! expression index), and the compilation of [`Filter`]s.
//!
//! Field names are GraphQL names (checked before they get here), so they are inlined in JSON
//! paths; every value is a bound parameter.

use serde_json::Value;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Row, Sqlite, TypeInfo, ValueRef};

use super::super::filter::{AttributeType, FieldOp, Filter, FilterError, SizeOp, is_graphql_name};
use super::super::{DocumentError, KeySchema};

/// A bound parameter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl Param {
    /// A scalar JSON value as SQLite compares it (`true`/`false` as 1/0, as `json_extract`
    /// returns them; lists and maps as JSON text).
    pub fn from_value(v: &Value) -> Param {
        match v {
            Value::Null => Param::Null,
            Value::Bool(b) => Param::Int(i64::from(*b)),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Param::Int(i),
                None => Param::Real(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Param::Text(s.clone()),
            other => Param::Text(other.to_string()),
        }
    }

    /// Read column `idx` of a row as a parameter (integer, real, text or null).
    pub fn from_row(row: &SqliteRow, idx: usize) -> Result<Param, sqlx::Error> {
        let raw = row.try_get_raw(idx)?;
        if raw.is_null() {
            return Ok(Param::Null);
        }
        let ty = raw.type_info().name().to_ascii_uppercase();
        Ok(match ty.as_str() {
            "INTEGER" => Param::Int(row.try_get(idx)?),
            "REAL" => Param::Real(row.try_get(idx)?),
            _ => Param::Text(row.try_get(idx)?),
        })
    }

    pub fn to_value(&self) -> Value {
        match self {
            Param::Null => Value::Null,
            Param::Int(i) => Value::from(*i),
            Param::Real(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Param::Text(s) => Value::String(s.clone()),
        }
    }
}

pub(crate) type SqliteQuery<'q> = sqlx::query::Query<'q, Sqlite, SqliteArguments>;

pub(crate) fn bind_all<'q>(mut q: SqliteQuery<'q>, params: &[Param]) -> SqliteQuery<'q> {
    for p in params {
        q = match p {
            Param::Null => q.bind(None::<String>),
            Param::Int(i) => q.bind(*i),
            Param::Real(f) => q.bind(*f),
            Param::Text(s) => q.bind(s.clone()),
        };
    }
    q
}

/// `json_extract(doc, '$.field')`
pub(crate) fn attr(field: &str) -> String {
    format!("json_extract(doc, '$.{field}')")
}

fn jtype(field: &str) -> String {
    format!("json_type(doc, '$.{field}')")
}

/// The sort key expression: the field, or the fields joined with `#` (NULL when one is missing,
/// which keeps the item out of the index as in DynamoDB's sparse indexes).
pub(crate) fn sort_expr(sort_keys: &[String]) -> Option<String> {
    match sort_keys {
        [] => None,
        [one] => Some(attr(one)),
        many => Some(format!(
            "({})",
            many.iter()
                .map(|f| attr(f))
                .collect::<Vec<_>>()
                .join(" || '#' || ")
        )),
    }
}

/// The index column list of a key: `json_extract(doc, '$.pk'), <sort expr>`.
pub(crate) fn index_columns(key: &KeySchema) -> String {
    match sort_expr(&key.sort_keys) {
        Some(sk) => format!("{}, {sk}", attr(&key.partition_key)),
        None => attr(&key.partition_key),
    }
}

/// `pk = ? AND sk = ?` for a full primary key held in `key` (sort key parts concatenated by
/// SQLite itself, so numbers render exactly as in the index expression).
pub(crate) fn key_condition(
    model: &str,
    schema: &KeySchema,
    key: &serde_json::Map<String, Value>,
) -> Result<(String, Vec<Param>), DocumentError> {
    let mut params = Vec::new();
    for f in schema.fields() {
        match key.get(f) {
            Some(v @ (Value::String(_) | Value::Number(_))) => params.push(Param::from_value(v)),
            Some(_) => {
                return Err(DocumentError::InvalidKey {
                    model: model.into(),
                    reason: format!("key field {f} must be a string or a number"),
                });
            }
            None => {
                return Err(DocumentError::InvalidKey {
                    model: model.into(),
                    reason: format!("key field {f} is missing"),
                });
            }
        }
    }
    let mut sql = format!("{} = ?", attr(&schema.partition_key));
    if let Some(sk) = sort_expr(&schema.sort_keys) {
        let placeholders = vec!["?"; schema.sort_keys.len()].join(" || '#' || ");
        sql.push_str(&format!(" AND {sk} = ({placeholders})"));
    }
    Ok((sql, params))
}

/// The SQL type test of a JSON value's kind, on a `json_type`-like expression `t`.
fn type_test(t: &str, v: &Value) -> String {
    match v {
        Value::String(_) => format!("{t} IS 'text'"),
        Value::Number(_) => format!("{t} IN ('integer', 'real')"),
        Value::Bool(true) => format!("{t} IS 'true'"),
        Value::Bool(false) => format!("{t} IS 'false'"),
        Value::Null => format!("{t} IS 'null'"),
        Value::Array(_) => format!("{t} IS 'array'"),
        Value::Object(_) => format!("{t} IS 'object'"),
    }
}

/// `x = v` with DynamoDB's typing, on value expression `x` of JSON type `t`.
fn equals(x: &str, t: &str, v: &Value, params: &mut Vec<Param>) -> String {
    let test = type_test(t, v);
    match v {
        Value::String(_) | Value::Number(_) => {
            params.push(Param::from_value(v));
            format!("({test} AND {x} = ?)")
        }
        Value::Array(_) | Value::Object(_) => {
            params.push(Param::Text(v.to_string()));
            format!("({test} AND {x} = json(?))")
        }
        Value::Bool(_) | Value::Null => test,
    }
}

/// `x <op> v`: only between strings or between numbers.
fn compare(x: &str, t: &str, op: &str, v: &Value, params: &mut Vec<Param>) -> String {
    match v {
        Value::String(_) | Value::Number(_) => {
            params.push(Param::from_value(v));
            format!("({} AND {x} {op} ?)", type_test(t, v))
        }
        _ => "0".into(),
    }
}

/// Compile a filter to a boolean SQL expression over the row's `doc` (never NULL).
pub(crate) fn compile_filter(f: &Filter, params: &mut Vec<Param>) -> Result<String, FilterError> {
    Ok(match f {
        Filter::And(items) | Filter::Or(items) if items.is_empty() => "1".into(),
        Filter::And(items) => join(items, " AND ", params)?,
        Filter::Or(items) => join(items, " OR ", params)?,
        Filter::Not(inner) => format!("(NOT {})", compile_filter(inner, params)?),
        Filter::Field { field, op } => {
            if !is_graphql_name(field) {
                return Err(FilterError::InvalidField(field.clone()));
            }
            format!("COALESCE({}, 0)", leaf(field, op, params))
        }
    })
}

fn join(items: &[Filter], sep: &str, params: &mut Vec<Param>) -> Result<String, FilterError> {
    let parts = items
        .iter()
        .map(|f| compile_filter(f, params))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(format!("({})", parts.join(sep)))
}

fn leaf(field: &str, op: &FieldOp, params: &mut Vec<Param>) -> String {
    let x = attr(field);
    let t = jtype(field);
    match op {
        FieldOp::Eq(v) => equals(&x, &t, v, params),
        FieldOp::Ne(v) => format!("NOT COALESCE({}, 0)", equals(&x, &t, v, params)),
        FieldOp::Le(v) => compare(&x, &t, "<=", v, params),
        FieldOp::Lt(v) => compare(&x, &t, "<", v, params),
        FieldOp::Ge(v) => compare(&x, &t, ">=", v, params),
        FieldOp::Gt(v) => compare(&x, &t, ">", v, params),
        FieldOp::Between(a, b) => match (a, b) {
            (Value::String(_), Value::String(_)) | (Value::Number(_), Value::Number(_)) => {
                params.push(Param::from_value(a));
                params.push(Param::from_value(b));
                format!("({} AND {x} BETWEEN ? AND ?)", type_test(&t, a))
            }
            _ => "0".into(),
        },
        FieldOp::BeginsWith(prefix) => {
            params.push(Param::Text(prefix.clone()));
            params.push(Param::Text(prefix.clone()));
            format!("({t} IS 'text' AND substr({x}, 1, length(?)) = ?)")
        }
        FieldOp::Contains(v) => contains(field, &x, &t, v, params),
        FieldOp::NotContains(v) => {
            format!("NOT COALESCE({}, 0)", contains(field, &x, &t, v, params))
        }
        FieldOp::HasElement(v) => {
            let element = equals("je.value", "je.type", v, params);
            let scalar = equals(&x, &t, v, params);
            format!(
                "(CASE {t} WHEN 'array' THEN EXISTS (SELECT 1 FROM json_each(doc, '$.{field}') AS je \
                 WHERE {element}) ELSE {scalar} END)"
            )
        }
        FieldOp::AttributeExists(true) => format!("{t} IS NOT NULL"),
        FieldOp::AttributeExists(false) => format!("{t} IS NULL"),
        FieldOp::AttributeType(ty) => match ty {
            AttributeType::String => format!("{t} IS 'text'"),
            AttributeType::Number => format!("{t} IN ('integer', 'real')"),
            AttributeType::Boolean => format!("{t} IN ('true', 'false')"),
            AttributeType::Null => format!("{t} IS 'null'"),
            AttributeType::List => format!("{t} IS 'array'"),
            AttributeType::Map => format!("{t} IS 'object'"),
            AttributeType::Binary
            | AttributeType::StringSet
            | AttributeType::NumberSet
            | AttributeType::BinarySet => "0".into(),
        },
        FieldOp::In(values) => any_equals(&x, &t, values, params),
        FieldOp::NotIn(values) => {
            format!("NOT COALESCE({}, 0)", any_equals(&x, &t, values, params))
        }
        FieldOp::Size(op) => {
            let size = format!(
                "(CASE {t} WHEN 'text' THEN length({x}) WHEN 'array' THEN json_array_length(doc, '$.{field}') \
                 WHEN 'object' THEN (SELECT count(*) FROM json_each(doc, '$.{field}')) END)"
            );
            let (sql, nums): (String, Vec<f64>) = match op {
                SizeOp::Eq(n) => (format!("{size} = ?"), vec![*n]),
                SizeOp::Ne(n) => (format!("{size} <> ?"), vec![*n]),
                SizeOp::Le(n) => (format!("{size} <= ?"), vec![*n]),
                SizeOp::Lt(n) => (format!("{size} < ?"), vec![*n]),
                SizeOp::Ge(n) => (format!("{size} >= ?"), vec![*n]),
                SizeOp::Gt(n) => (format!("{size} > ?"), vec![*n]),
                SizeOp::Between(a, b) => (format!("{size} BETWEEN ? AND ?"), vec![*a, *b]),
            };
            params.extend(nums.into_iter().map(Param::Real));
            format!("({sql})")
        }
    }
}

fn any_equals(x: &str, t: &str, values: &[Value], params: &mut Vec<Param>) -> String {
    if values.is_empty() {
        return "0".into();
    }
    let parts: Vec<String> = values.iter().map(|v| equals(x, t, v, params)).collect();
    format!("({})", parts.join(" OR "))
}

/// Substring of a string attribute, or element of a list attribute.
fn contains(field: &str, x: &str, t: &str, v: &Value, params: &mut Vec<Param>) -> String {
    let text_part = match v {
        Value::String(s) => {
            params.push(Param::Text(s.clone()));
            format!("instr({x}, ?) > 0")
        }
        _ => "0".into(),
    };
    let element = equals("je.value", "je.type", v, params);
    format!(
        "(CASE {t} WHEN 'text' THEN {text_part} WHEN 'array' THEN \
         EXISTS (SELECT 1 FROM json_each(doc, '$.{field}') AS je WHERE {element}) ELSE 0 END)"
    )
}
