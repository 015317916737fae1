//! Evaluation of parsed expressions ([`super::expr`]) against one item, with DynamoDB's
//! semantics: conditions and filters, update expressions, projections.
//!
//! Items are plain JSON, as the document store keeps them, so a set is a list: `contains`,
//! `ADD` and `DELETE` treat a list holding strings or numbers as the set it was written as.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::expr::{Cmp, Condition, Operand, Path, PathElem, Update};

/// An expression that cannot be evaluated on this item (DynamoDB's `ValidationException`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EvalError(pub String);

/// The value at `path` in `item`.
pub fn resolve<'a>(item: &'a Map<String, Value>, path: &Path) -> Option<&'a Value> {
    let mut elems = path.0.iter();
    let mut current = match elems.next()? {
        PathElem::Attr(a) => item.get(a)?,
        PathElem::Index(_) => return None,
    };
    for e in elems {
        current = match (e, current) {
            (PathElem::Attr(a), Value::Object(m)) => m.get(a)?,
            (PathElem::Index(i), Value::Array(l)) => l.get(*i)?,
            _ => return None,
        };
    }
    Some(current)
}

fn operand(item: &Map<String, Value>, op: &Operand) -> Result<Option<Value>, EvalError> {
    Ok(match op {
        Operand::Path(p) => resolve(item, p).cloned(),
        Operand::Value { value, .. } => Some(value.clone()),
        Operand::Size(p) => resolve(item, p).and_then(size).map(Value::from),
        Operand::IfNotExists(p, default) => match resolve(item, p) {
            Some(v) => Some(v.clone()),
            None => operand(item, default)?,
        },
        Operand::ListAppend(a, b) => {
            let (Some(Value::Array(a)), Some(Value::Array(b))) =
                (required(item, a)?, required(item, b)?)
            else {
                return Err(incorrect_type("list_append"));
            };
            Some(Value::Array(a.into_iter().chain(b).collect()))
        }
        Operand::Plus(a, b) | Operand::Minus(a, b) => {
            let plus = matches!(op, Operand::Plus(..));
            let (Some(Value::Number(a)), Some(Value::Number(b))) =
                (required(item, a)?, required(item, b)?)
            else {
                return Err(incorrect_type(if plus { "+" } else { "-" }));
            };
            Some(arith(&a, &b, plus))
        }
    })
}

/// An operand of an update that must resolve (a missing attribute is an error there).
fn required(item: &Map<String, Value>, op: &Operand) -> Result<Option<Value>, EvalError> {
    match operand(item, op)? {
        Some(v) => Ok(Some(v)),
        None => Err(EvalError(
            "The provided expression refers to an attribute that does not exist in the item".into(),
        )),
    }
}

fn incorrect_type(operator: &str) -> EvalError {
    EvalError(format!(
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: {operator}"
    ))
}

fn arith(a: &serde_json::Number, b: &serde_json::Number, plus: bool) -> Value {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        let r = if plus {
            x.checked_add(y)
        } else {
            x.checked_sub(y)
        };
        if let Some(r) = r {
            return Value::from(r);
        }
    }
    let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
    let r = if plus { x + y } else { x - y };
    serde_json::Number::from_f64(r).map_or(Value::Null, Value::Number)
}

fn size(v: &Value) -> Option<usize> {
    match v {
        Value::String(s) => Some(s.chars().count()),
        Value::Array(l) => Some(l.len()),
        Value::Object(m) => Some(m.len()),
        _ => None,
    }
}

/// Typed equality: numbers numerically, other values structurally.
pub fn equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64(),
        },
        _ => a == b,
    }
}

/// Ordering between two strings (UTF-8 bytes) or two numbers.
pub fn order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => x.as_f64()?.partial_cmp(&y.as_f64()?),
        },
        _ => None,
    }
}

/// Whether `cond` holds for `item` (an absent item is an empty map).
pub fn holds(item: &Map<String, Value>, cond: &Condition) -> Result<bool, EvalError> {
    Ok(match cond {
        Condition::And(a, b) => holds(item, a)? && holds(item, b)?,
        Condition::Or(a, b) => holds(item, a)? || holds(item, b)?,
        Condition::Not(c) => !holds(item, c)?,
        Condition::Exists(p) => resolve(item, p).is_some(),
        Condition::NotExists(p) => resolve(item, p).is_none(),
        Condition::Compare(a, cmp, b) => {
            let (a, b) = (operand(item, a)?, operand(item, b)?);
            match (a, b, cmp) {
                (Some(a), Some(b), Cmp::Eq) => equals(&a, &b),
                (Some(a), Some(b), Cmp::Ne) => !equals(&a, &b),
                (None, _, Cmp::Ne) | (_, None, Cmp::Ne) => true,
                (Some(a), Some(b), cmp) => order(&a, &b).is_some_and(|o| match cmp {
                    Cmp::Lt => o == Ordering::Less,
                    Cmp::Le => o != Ordering::Greater,
                    Cmp::Gt => o == Ordering::Greater,
                    _ => o != Ordering::Less,
                }),
                _ => false,
            }
        }
        Condition::Between(x, low, high) => {
            match (operand(item, x)?, operand(item, low)?, operand(item, high)?) {
                (Some(x), Some(low), Some(high)) => {
                    if order(&low, &high) == Some(Ordering::Greater) {
                        return Err(EvalError(
                            "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound"
                                .into(),
                        ));
                    }
                    order(&x, &low).is_some_and(|o| o != Ordering::Less)
                        && order(&x, &high).is_some_and(|o| o != Ordering::Greater)
                }
                _ => false,
            }
        }
        Condition::In(x, list) => match operand(item, x)? {
            Some(x) => {
                let mut found = false;
                for candidate in list {
                    if operand(item, candidate)?.is_some_and(|c| equals(&x, &c)) {
                        found = true;
                    }
                }
                found
            }
            None => false,
        },
        Condition::BeginsWith(a, prefix) => {
            matches!((operand(item, a)?, operand(item, prefix)?),
                (Some(Value::String(s)), Some(Value::String(p))) if s.starts_with(p.as_str()))
        }
        Condition::Contains(a, needle) => match (operand(item, a)?, operand(item, needle)?) {
            (Some(Value::String(s)), Some(Value::String(n))) => s.contains(n.as_str()),
            (Some(Value::Array(items)), Some(n)) => items.iter().any(|e| equals(e, &n)),
            _ => false,
        },
        Condition::Type(p, ty) => {
            let Some(Value::String(ty)) = operand(item, ty)? else {
                return Err(EvalError(
                    "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type"
                        .into(),
                ));
            };
            resolve(item, p).is_some_and(|v| type_is(v, &ty))
        }
    })
}

fn type_is(v: &Value, ty: &str) -> bool {
    let is_set_of = |f: fn(&Value) -> bool| matches!(v, Value::Array(items) if !items.is_empty() && items.iter().all(f));
    match ty {
        "S" | "B" => v.is_string(),
        "N" => v.is_number(),
        "BOOL" => v.is_boolean(),
        "NULL" => v.is_null(),
        "L" => v.is_array(),
        "M" => v.is_object(),
        "SS" | "BS" => is_set_of(Value::is_string),
        "NS" => is_set_of(Value::is_number),
        _ => false,
    }
}

/// The top-level attributes an expression reads (what a write conditioned on it depends on).
pub fn condition_reads(cond: &Condition, out: &mut BTreeSet<String>) {
    match cond {
        Condition::And(a, b) | Condition::Or(a, b) => {
            condition_reads(a, out);
            condition_reads(b, out);
        }
        Condition::Not(c) => condition_reads(c, out),
        Condition::Exists(p) | Condition::NotExists(p) => {
            out.insert(p.root().to_string());
        }
        Condition::Type(p, o) => {
            out.insert(p.root().to_string());
            operand_reads(o, out);
        }
        Condition::Compare(a, _, b) | Condition::BeginsWith(a, b) | Condition::Contains(a, b) => {
            operand_reads(a, out);
            operand_reads(b, out);
        }
        Condition::Between(a, b, c) => {
            for o in [a, b, c] {
                operand_reads(o, out);
            }
        }
        Condition::In(a, list) => {
            operand_reads(a, out);
            for o in list {
                operand_reads(o, out);
            }
        }
    }
}

fn operand_reads(op: &Operand, out: &mut BTreeSet<String>) {
    match op {
        Operand::Path(p) | Operand::Size(p) => {
            out.insert(p.root().to_string());
        }
        Operand::Value { .. } => {}
        Operand::IfNotExists(p, o) => {
            out.insert(p.root().to_string());
            operand_reads(o, out);
        }
        Operand::ListAppend(a, b) | Operand::Plus(a, b) | Operand::Minus(a, b) => {
            operand_reads(a, out);
            operand_reads(b, out);
        }
    }
}

/// The top-level attributes an update reads: its operands, the targets of `ADD`, `DELETE`
/// and nested `SET`/`REMOVE` paths (whose result depends on what is there).
pub fn update_reads(update: &Update, out: &mut BTreeSet<String>) {
    for (p, v) in &update.set {
        if p.0.len() > 1 {
            out.insert(p.root().to_string());
        }
        operand_reads(v, out);
    }
    for p in &update.remove {
        if p.0.len() > 1 {
            out.insert(p.root().to_string());
        }
    }
    for (p, v) in update.add.iter().chain(&update.delete) {
        out.insert(p.root().to_string());
        operand_reads(v, out);
    }
}

/// The paths an update writes, checked as DynamoDB checks them: no two overlap and none is a
/// key attribute.
fn check_targets(update: &Update, keys: &[&str]) -> Result<(), EvalError> {
    let targets: Vec<&Path> = update
        .set
        .iter()
        .map(|(p, _)| p)
        .chain(&update.remove)
        .chain(update.add.iter().map(|(p, _)| p))
        .chain(update.delete.iter().map(|(p, _)| p))
        .collect();
    for (i, a) in targets.iter().enumerate() {
        if keys.contains(&a.root()) {
            return Err(EvalError(format!(
                "One or more parameter values were invalid: Cannot update attribute {}. This attribute is part of the key",
                a.root()
            )));
        }
        for b in &targets[i + 1..] {
            let n = a.0.len().min(b.0.len());
            if a.0[..n] == b.0[..n] {
                return Err(EvalError(format!(
                    "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [{}], path two: [{}]",
                    a.display(),
                    b.display()
                )));
            }
        }
    }
    Ok(())
}

/// Applies `update` to `item` (every operand is evaluated on the item before the update, as
/// DynamoDB does). `keys` are the key attributes, which may not be written.
pub fn apply_update(
    item: &mut Map<String, Value>,
    update: &Update,
    keys: &[&str],
) -> Result<(), EvalError> {
    check_targets(update, keys)?;
    let before = item.clone();
    let mut writes: Vec<(&Path, Option<Value>)> = Vec::new();
    for (p, v) in &update.set {
        writes.push((p, required(&before, v)?));
    }
    for (p, v) in &update.add {
        let Some(v) = operand(&before, v)? else {
            return Err(incorrect_type("ADD"));
        };
        let tag = value_tag(&update.add, p);
        let new = match (resolve(&before, p), &v) {
            (None, Value::Number(_)) => v.clone(),
            (None, Value::Array(_)) if is_set_tag(tag) => v.clone(),
            (Some(Value::Number(a)), Value::Number(b)) => arith(a, b, true),
            (Some(Value::Array(a)), Value::Array(b)) if is_set_tag(tag) => {
                let mut out = a.clone();
                for e in b {
                    if !out.iter().any(|x| equals(x, e)) {
                        out.push(e.clone());
                    }
                }
                Value::Array(out)
            }
            _ => return Err(incorrect_type("ADD")),
        };
        writes.push((p, Some(new)));
    }
    for (p, v) in &update.delete {
        let (Some(Value::Array(remove)), true) = (
            operand(&before, v)?,
            is_set_tag(value_tag(&update.delete, p)),
        ) else {
            return Err(incorrect_type("DELETE"));
        };
        match resolve(&before, p) {
            None => {}
            Some(Value::Array(current)) => {
                let kept: Vec<Value> = current
                    .iter()
                    .filter(|x| !remove.iter().any(|r| equals(x, r)))
                    .cloned()
                    .collect();
                // DynamoDB has no empty sets: removing the last element removes the attribute.
                writes.push((p, (!kept.is_empty()).then_some(Value::Array(kept))));
            }
            Some(_) => return Err(incorrect_type("DELETE")),
        }
    }
    for (p, value) in writes {
        match value {
            Some(v) => assign(item, p, v)?,
            None => remove(item, p),
        }
    }
    // REMOVE last and from the highest list index down, so earlier removals do not shift the
    // elements later ones name.
    let mut removals: Vec<&Path> = update.remove.iter().collect();
    removals.sort();
    for p in removals.into_iter().rev() {
        remove(item, p);
    }
    Ok(())
}

fn value_tag<'a>(actions: &'a [(Path, Operand)], path: &Path) -> &'a str {
    actions
        .iter()
        .find(|(p, _)| p == path)
        .and_then(|(_, v)| match v {
            Operand::Value { tag, .. } => Some(tag.as_str()),
            _ => None,
        })
        .unwrap_or("")
}

fn is_set_tag(tag: &str) -> bool {
    matches!(tag, "SS" | "NS" | "BS")
}

fn invalid_path() -> EvalError {
    EvalError("The document path provided in the update expression is invalid for update".into())
}

fn assign(item: &mut Map<String, Value>, path: &Path, value: Value) -> Result<(), EvalError> {
    let (last, parents) = path.0.split_last().ok_or_else(invalid_path)?;
    if parents.is_empty() {
        let PathElem::Attr(a) = last else {
            return Err(invalid_path());
        };
        item.insert(a.clone(), value);
        return Ok(());
    }
    let parent_path = Path(parents.to_vec());
    let parent = resolve_mut(item, &parent_path).ok_or_else(invalid_path)?;
    match (last, parent) {
        (PathElem::Attr(a), Value::Object(m)) => {
            m.insert(a.clone(), value);
        }
        (PathElem::Index(i), Value::Array(l)) => {
            if *i < l.len() {
                l[*i] = value;
            } else {
                l.push(value);
            }
        }
        _ => return Err(invalid_path()),
    }
    Ok(())
}

fn remove(item: &mut Map<String, Value>, path: &Path) {
    let Some((last, parents)) = path.0.split_last() else {
        return;
    };
    if parents.is_empty() {
        if let PathElem::Attr(a) = last {
            item.shift_remove(a);
        }
        return;
    }
    match (last, resolve_mut(item, &Path(parents.to_vec()))) {
        (PathElem::Attr(a), Some(Value::Object(m))) => {
            m.shift_remove(a);
        }
        (PathElem::Index(i), Some(Value::Array(l))) if *i < l.len() => {
            l.remove(*i);
        }
        _ => {}
    }
}

fn resolve_mut<'a>(item: &'a mut Map<String, Value>, path: &Path) -> Option<&'a mut Value> {
    let mut elems = path.0.iter();
    let mut current = match elems.next()? {
        PathElem::Attr(a) => item.get_mut(a)?,
        PathElem::Index(_) => return None,
    };
    for e in elems {
        current = match (e, current) {
            (PathElem::Attr(a), Value::Object(m)) => m.get_mut(a)?,
            (PathElem::Index(i), Value::Array(l)) => l.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(current)
}

/// The attributes of `item` a projection names (nested paths keep their enclosing maps and
/// lists, as DynamoDB returns them).
pub fn project(item: &Map<String, Value>, paths: &[Path]) -> Map<String, Value> {
    let mut out = Value::Object(Map::new());
    for p in paths {
        if let Some(v) = resolve(item, p) {
            insert_at(&mut out, &p.0, v.clone());
        }
    }
    match out {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn insert_at(target: &mut Value, path: &[PathElem], v: Value) {
    let Some((first, rest)) = path.split_first() else {
        *target = v;
        return;
    };
    let fresh = || match rest.first() {
        Some(PathElem::Index(_)) => Value::Array(Vec::new()),
        _ => Value::Object(Map::new()),
    };
    match (first, target) {
        (PathElem::Attr(a), Value::Object(m)) => {
            if rest.is_empty() {
                m.insert(a.clone(), v);
            } else {
                insert_at(m.entry(a.clone()).or_insert_with(fresh), rest, v);
            }
        }
        (PathElem::Index(_), Value::Array(l)) => {
            if rest.is_empty() {
                l.push(v);
            } else {
                l.push(fresh());
                if let Some(last) = l.last_mut() {
                    insert_at(last, rest, v);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::expr::{self, Kind, Source};
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn check(item: &Value, e: &str, values: Value) -> Result<bool, EvalError> {
        let values = obj(values);
        let c = expr::condition(
            &Source {
                expression: e,
                names: None,
                values: Some(&values),
            },
            Kind::Condition,
        )
        .map_err(|e| EvalError(e.0))?;
        holds(&obj(item.clone()), &c)
    }

    fn updated(item: Value, e: &str, values: Value) -> Result<Value, EvalError> {
        let values = obj(values);
        let u = expr::update(&Source {
            expression: e,
            names: None,
            values: Some(&values),
        })
        .map_err(|e| EvalError(e.0))?;
        let mut item = obj(item);
        apply_update(&mut item, &u, &["id"])?;
        Ok(Value::Object(item))
    }

    #[test]
    fn conditions_follow_dynamodb() {
        let item = json!({"id": "1", "n": 5, "s": "hello", "tags": ["a", "b"], "m": {"x": [1, 2]}});
        let v = json!({":5": {"N": "5"}, ":s5": {"S": "5"}, ":h": {"S": "he"}, ":a": {"S": "a"},
                       ":3": {"N": 3}, ":9": {"N": 9}, ":2": {"N": 2}, ":t": {"S": "SS"}});
        assert!(check(&item, "n = :5", v.clone()).unwrap());
        assert!(
            !check(&item, "n = :s5", v.clone()).unwrap(),
            "a string never equals a number"
        );
        assert!(check(&item, "n <> :s5", v.clone()).unwrap());
        assert!(check(&item, "missing <> :5", v.clone()).unwrap());
        assert!(!check(&item, "missing < :5", v.clone()).unwrap());
        assert!(
            check(
                &item,
                "n BETWEEN :3 AND :9 AND begins_with(s, :h)",
                v.clone()
            )
            .unwrap()
        );
        assert!(check(&item, "contains(tags, :a) AND contains(s, :h)", v.clone()).unwrap());
        assert!(check(&item, "size(m.x) = :2 AND m.x[1] = :2", v.clone()).unwrap());
        assert!(
            check(
                &item,
                "n IN (:3, :5) AND attribute_type(tags, :t)",
                v.clone()
            )
            .unwrap()
        );
        assert!(
            check(
                &item,
                "attribute_not_exists(nope) AND NOT attribute_exists(m.y)",
                v.clone()
            )
            .unwrap()
        );
        assert!(check(&item, "n BETWEEN :9 AND :3", v).is_err());
    }

    #[test]
    fn updates_set_add_remove_delete() {
        let item =
            json!({"id": "1", "n": 1, "l": ["a"], "s": ["x", "y"], "m": {"k": 1}, "gone": 1});
        let v = json!({":one": {"N": 1}, ":l": {"L": [{"S": "b"}]}, ":ss": {"SS": ["y", "z"]},
                       ":del": {"SS": ["x"]}, ":v": {"S": "v"}, ":zero": {"N": 0}});
        let out = updated(
            item,
            "SET n = n + :one, l = list_append(l, :l), m.k = :v, c = if_not_exists(c, :zero) ADD cnt :one, s2 :ss DELETE s :del REMOVE gone",
            v,
        )
        .unwrap();
        assert_eq!(
            out,
            json!({"id": "1", "n": 2, "l": ["a", "b"], "s": ["y"], "m": {"k": "v"}, "c": 0, "cnt": 1, "s2": ["y", "z"]})
        );
    }

    #[test]
    fn update_errors() {
        let v = json!({":one": {"N": 1}, ":s": {"S": "x"}, ":l": {"L": []}});
        let item = json!({"id": "1", "s": "str"});
        let e = updated(item.clone(), "SET n = missing + :one", v.clone()).unwrap_err();
        assert!(e.0.contains("does not exist in the item"), "{e}");
        assert!(updated(item.clone(), "SET s = s + :one", v.clone()).is_err());
        assert!(updated(item.clone(), "ADD s :one", v.clone()).is_err());
        assert!(
            updated(item.clone(), "ADD l :l", v.clone()).is_err(),
            "ADD takes sets, not lists"
        );
        assert!(
            updated(item.clone(), "SET a.b = :s", v.clone())
                .unwrap_err()
                .0
                .contains("document path")
        );
        assert!(
            updated(item.clone(), "SET id = :s", v.clone())
                .unwrap_err()
                .0
                .contains("part of the key")
        );
        assert!(
            updated(item, "SET s = :s REMOVE s", v)
                .unwrap_err()
                .0
                .contains("overlap")
        );
    }

    #[test]
    fn list_elements() {
        let v = json!({":v": {"S": "v"}});
        let out = updated(
            json!({"id": "1", "l": ["a", "b", "c"]}),
            "SET l[1] = :v, l[9] = :v",
            v.clone(),
        )
        .unwrap();
        assert_eq!(out["l"], json!(["a", "v", "c", "v"]));
        let out = updated(
            json!({"id": "1", "l": ["a", "b", "c"]}),
            "REMOVE l[0], l[2]",
            v,
        )
        .unwrap();
        assert_eq!(out["l"], json!(["b"]));
    }

    #[test]
    fn projections_keep_the_enclosing_documents() {
        let item =
            obj(json!({"id": "1", "a": {"b": 1, "c": 2}, "l": [{"x": 1}, {"x": 2}], "z": 0}));
        let paths = expr::projection(&Source {
            expression: "id, a.b, l[1].x",
            names: None,
            values: None,
        })
        .unwrap();
        assert_eq!(
            Value::Object(project(&item, &paths)),
            json!({"id": "1", "a": {"b": 1}, "l": [{"x": 2}]})
        );
    }
}
