//! DynamoDB expressions as AppSync's DynamoDB requests carry them (`{expression,
//! expressionNames, expressionValues}`): condition and filter expressions, key conditions,
//! update expressions and projections, parsed with their `#name` / `:value` placeholders
//! resolved (values as plain JSON, see [`super::typed`]).
//!
//! Precedence follows DynamoDB: comparisons, `BETWEEN`, `IN` and functions, then `NOT`, `AND`,
//! `OR`; keywords are case-insensitive, function names are not.

use serde_json::{Map, Value};

use super::typed;

/// One element of a document path: `a`, `.b`, `[2]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum PathElem {
    Attr(String),
    Index(usize),
}

/// A document path; the first element is always an attribute name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Path(pub Vec<PathElem>);

impl Path {
    /// The top-level attribute the path starts at.
    pub fn root(&self) -> &str {
        match self.0.first() {
            Some(PathElem::Attr(name)) => name,
            _ => "",
        }
    }

    /// `a.b[1]`
    pub fn display(&self) -> String {
        let mut out = String::new();
        for (i, e) in self.0.iter().enumerate() {
            match e {
                PathElem::Attr(a) if i == 0 => out.push_str(a),
                PathElem::Attr(a) => {
                    out.push('.');
                    out.push_str(a);
                }
                PathElem::Index(n) => out.push_str(&format!("[{n}]")),
            }
        }
        out
    }
}

/// An operand: a path, a value (with its DynamoDB type tag, `S`, `N`, `SS`, `L`, ...), or a
/// function of operands.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Path(Path),
    Value { value: Value, tag: String },
    Size(Path),
    IfNotExists(Path, Box<Operand>),
    ListAppend(Box<Operand>, Box<Operand>),
    Plus(Box<Operand>, Box<Operand>),
    Minus(Box<Operand>, Box<Operand>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A condition (or filter, or key condition) expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Compare(Operand, Cmp, Operand),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Operand>),
    Exists(Path),
    NotExists(Path),
    Type(Path, Operand),
    BeginsWith(Operand, Operand),
    Contains(Operand, Operand),
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
    Not(Box<Condition>),
}

/// An update expression's actions, clause by clause.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Update {
    pub set: Vec<(Path, Operand)>,
    pub remove: Vec<Path>,
    pub add: Vec<(Path, Operand)>,
    pub delete: Vec<(Path, Operand)>,
}

/// A malformed or unresolvable expression, with DynamoDB's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ExprError(pub String);

/// Which expression is parsed (DynamoDB names it in its messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Condition,
    Filter,
    KeyCondition,
    Update,
    Projection,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Condition => "ConditionExpression",
            Kind::Filter => "FilterExpression",
            Kind::KeyCondition => "KeyConditionExpression",
            Kind::Update => "UpdateExpression",
            Kind::Projection => "ProjectionExpression",
        }
    }
}

/// An expression object of a request: `{expression, expressionNames?, expressionValues?}`.
pub struct Source<'a> {
    pub expression: &'a str,
    pub names: Option<&'a Map<String, Value>>,
    pub values: Option<&'a Map<String, Value>>,
}

impl<'a> Source<'a> {
    /// The parts of an expression object; `None` when `value` is absent or null.
    pub fn of(value: Option<&'a Value>, kind: Kind) -> Result<Option<Source<'a>>, ExprError> {
        let Some(value) = value.filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        let invalid = || {
            ExprError(format!(
                "Invalid {}: expected {{ expression, expressionNames, expressionValues }}",
                kind.name()
            ))
        };
        let obj = value.as_object().ok_or_else(invalid)?;
        let expression = obj
            .get("expression")
            .and_then(Value::as_str)
            .ok_or_else(invalid)?;
        let map = |key: &str| -> Result<Option<&'a Map<String, Value>>, ExprError> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Object(m)) => Ok(Some(m)),
                Some(_) => Err(invalid()),
            }
        };
        Ok(Some(Source {
            expression,
            names: map("expressionNames")?,
            values: map("expressionValues")?,
        }))
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Name(String),
    Value(String),
    Int(usize),
    Punct(&'static str),
}

impl Tok {
    fn text(&self) -> String {
        match self {
            Tok::Ident(s) => s.clone(),
            Tok::Name(s) => format!("#{s}"),
            Tok::Value(s) => format!(":{s}"),
            Tok::Int(n) => n.to_string(),
            Tok::Punct(p) => (*p).to_string(),
        }
    }
}

fn tokenize(src: &str, kind: Kind) -> Result<Vec<Tok>, ExprError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let word = |i: &mut usize| {
        let start = *i;
        while *i < chars.len() && (chars[*i].is_alphanumeric() || chars[*i] == '_') {
            *i += 1;
        }
        chars[start..*i].iter().collect::<String>()
    };
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        if let Some(p) = ["<>", "<=", ">="].into_iter().find(|p| *p == two) {
            out.push(Tok::Punct(p));
            i += 2;
            continue;
        }
        if let Some(p) = ["(", ")", "[", "]", ",", ".", "=", "<", ">", "+", "-"]
            .into_iter()
            .find(|p| p.starts_with(c))
        {
            out.push(Tok::Punct(p));
            i += 1;
            continue;
        }
        if c == '#' || c == ':' {
            i += 1;
            let w = word(&mut i);
            if w.is_empty() {
                return Err(syntax(kind, &c.to_string(), src));
            }
            out.push(if c == '#' {
                Tok::Name(w)
            } else {
                Tok::Value(w)
            });
            continue;
        }
        if c.is_ascii_digit() {
            let w = word(&mut i);
            let n = w.parse().map_err(|_| syntax(kind, &w, src))?;
            out.push(Tok::Int(n));
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            out.push(Tok::Ident(word(&mut i)));
            continue;
        }
        return Err(syntax(kind, &c.to_string(), src));
    }
    Ok(out)
}

fn syntax(kind: Kind, token: &str, near: &str) -> ExprError {
    ExprError(format!(
        "Invalid {}: Syntax error; token: \"{token}\", near: \"{near}\"",
        kind.name()
    ))
}

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    kind: Kind,
    src: &'a Source<'a>,
}

impl<'a> Parser<'a> {
    fn new(src: &'a Source<'a>, kind: Kind) -> Result<Self, ExprError> {
        Ok(Parser {
            toks: tokenize(src.expression, kind)?,
            pos: 0,
            kind,
            src,
        })
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn error_here(&self) -> ExprError {
        let token = self
            .toks
            .get(self.pos)
            .map(Tok::text)
            .unwrap_or_else(|| "<EOF>".into());
        syntax(self.kind, &token, self.src.expression)
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(w)) if w.eq_ignore_ascii_case(word))
    }

    fn punct(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Tok::Punct(q)) if *q == p)
    }

    fn expect(&mut self, p: &str) -> Result<(), ExprError> {
        if self.punct(p) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error_here())
        }
    }

    fn done(&self) -> Result<(), ExprError> {
        if self.pos < self.toks.len() {
            Err(self.error_here())
        } else {
            Ok(())
        }
    }

    fn name(&self, placeholder: &str) -> Result<String, ExprError> {
        self.src
            .names
            .and_then(|m| m.get(placeholder))
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                ExprError(format!(
                    "Invalid {}: An expression attribute name used in the document path is not defined; attribute name: #{}",
                    self.kind.name(),
                    placeholder.trim_start_matches('#')
                ))
            })
    }

    fn value(&self, placeholder: &str) -> Result<Operand, ExprError> {
        let undefined = || {
            ExprError(format!(
                "Invalid {}: An expression attribute value used in expression is not defined; attribute value: {placeholder}",
                self.kind.name()
            ))
        };
        let typed_value = self
            .src
            .values
            .and_then(|m| m.get(placeholder))
            .ok_or_else(undefined)?;
        let tag = typed_value
            .as_object()
            .and_then(|m| m.keys().next())
            .cloned()
            .unwrap_or_default();
        let value = typed::to_plain(typed_value).map_err(|e| {
            ExprError(format!(
                "ExpressionAttributeValues contains invalid value: {e} for key {placeholder}"
            ))
        })?;
        Ok(Operand::Value { value, tag })
    }

    fn path(&mut self) -> Result<Path, ExprError> {
        let mut elems = vec![PathElem::Attr(self.path_name()?)];
        loop {
            if self.punct(".") {
                self.pos += 1;
                elems.push(PathElem::Attr(self.path_name()?));
            } else if self.punct("[") {
                self.pos += 1;
                match self.next() {
                    Some(Tok::Int(n)) => elems.push(PathElem::Index(n)),
                    _ => {
                        self.pos -= 1;
                        return Err(self.error_here());
                    }
                }
                self.expect("]")?;
            } else {
                return Ok(Path(elems));
            }
        }
    }

    fn path_name(&mut self) -> Result<String, ExprError> {
        match self.next() {
            Some(Tok::Ident(w)) => Ok(w),
            Some(Tok::Name(n)) => self.name(&format!("#{n}")),
            _ => {
                self.pos -= 1;
                Err(self.error_here())
            }
        }
    }

    fn is_call(&self, name: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(w)) if w == name)
            && matches!(self.toks.get(self.pos + 1), Some(Tok::Punct("(")))
    }

    /// A condition operand: a path, a value or `size(path)`.
    fn operand(&mut self) -> Result<Operand, ExprError> {
        if self.is_call("size") {
            self.pos += 2;
            let p = self.path()?;
            self.expect(")")?;
            return Ok(Operand::Size(p));
        }
        match self.peek() {
            Some(Tok::Value(v)) => {
                let v = format!(":{v}");
                self.pos += 1;
                self.value(&v)
            }
            Some(Tok::Ident(_)) | Some(Tok::Name(_)) => Ok(Operand::Path(self.path()?)),
            _ => Err(self.error_here()),
        }
    }

    fn or(&mut self) -> Result<Condition, ExprError> {
        let mut left = self.and()?;
        while self.keyword("OR") {
            self.pos += 1;
            left = Condition::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Condition, ExprError> {
        let mut left = self.not()?;
        while self.keyword("AND") {
            self.pos += 1;
            left = Condition::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Condition, ExprError> {
        if self.keyword("NOT") {
            self.pos += 1;
            return Ok(Condition::Not(Box::new(self.not()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Condition, ExprError> {
        if self.punct("(") {
            self.pos += 1;
            let c = self.or()?;
            self.expect(")")?;
            return Ok(c);
        }
        for f in [
            "attribute_exists",
            "attribute_not_exists",
            "attribute_type",
            "begins_with",
            "contains",
        ] {
            if self.is_call(f) {
                self.pos += 2;
                let c = match f {
                    "attribute_exists" => Condition::Exists(self.path()?),
                    "attribute_not_exists" => Condition::NotExists(self.path()?),
                    "attribute_type" => {
                        let p = self.path()?;
                        self.expect(",")?;
                        Condition::Type(p, self.operand()?)
                    }
                    "begins_with" => {
                        let a = self.operand()?;
                        self.expect(",")?;
                        Condition::BeginsWith(a, self.operand()?)
                    }
                    _ => {
                        let a = self.operand()?;
                        self.expect(",")?;
                        Condition::Contains(a, self.operand()?)
                    }
                };
                self.expect(")")?;
                return Ok(c);
            }
        }
        let left = self.operand()?;
        if self.keyword("BETWEEN") {
            self.pos += 1;
            let low = self.operand()?;
            if !self.keyword("AND") {
                return Err(self.error_here());
            }
            self.pos += 1;
            return Ok(Condition::Between(left, low, self.operand()?));
        }
        if self.keyword("IN") {
            self.pos += 1;
            self.expect("(")?;
            let mut list = vec![self.operand()?];
            while self.punct(",") {
                self.pos += 1;
                list.push(self.operand()?);
            }
            self.expect(")")?;
            return Ok(Condition::In(left, list));
        }
        let cmp = match self.next() {
            Some(Tok::Punct("=")) => Cmp::Eq,
            Some(Tok::Punct("<>")) => Cmp::Ne,
            Some(Tok::Punct("<")) => Cmp::Lt,
            Some(Tok::Punct("<=")) => Cmp::Le,
            Some(Tok::Punct(">")) => Cmp::Gt,
            Some(Tok::Punct(">=")) => Cmp::Ge,
            _ => {
                self.pos -= 1;
                return Err(self.error_here());
            }
        };
        Ok(Condition::Compare(left, cmp, self.operand()?))
    }

    /// The right-hand side of a `SET` action.
    fn set_value(&mut self) -> Result<Operand, ExprError> {
        let left = self.set_operand()?;
        if self.punct("+") || self.punct("-") {
            let plus = self.punct("+");
            self.pos += 1;
            let right = self.set_operand()?;
            return Ok(if plus {
                Operand::Plus(Box::new(left), Box::new(right))
            } else {
                Operand::Minus(Box::new(left), Box::new(right))
            });
        }
        Ok(left)
    }

    fn set_operand(&mut self) -> Result<Operand, ExprError> {
        if self.is_call("if_not_exists") {
            self.pos += 2;
            let p = self.path()?;
            self.expect(",")?;
            let v = self.set_value()?;
            self.expect(")")?;
            return Ok(Operand::IfNotExists(p, Box::new(v)));
        }
        if self.is_call("list_append") {
            self.pos += 2;
            let a = self.set_value()?;
            self.expect(",")?;
            let b = self.set_value()?;
            self.expect(")")?;
            return Ok(Operand::ListAppend(Box::new(a), Box::new(b)));
        }
        match self.peek() {
            Some(Tok::Value(v)) => {
                let v = format!(":{v}");
                self.pos += 1;
                self.value(&v)
            }
            Some(Tok::Ident(_)) | Some(Tok::Name(_)) => Ok(Operand::Path(self.path()?)),
            _ => Err(self.error_here()),
        }
    }

    fn update(&mut self) -> Result<Update, ExprError> {
        let mut out = Update::default();
        let mut seen: Vec<String> = Vec::new();
        while self.pos < self.toks.len() {
            let Some(Tok::Ident(clause)) = self.peek().cloned() else {
                return Err(self.error_here());
            };
            let clause = clause.to_ascii_uppercase();
            if !["SET", "REMOVE", "ADD", "DELETE"].contains(&clause.as_str()) {
                return Err(self.error_here());
            }
            if seen.contains(&clause) {
                return Err(ExprError(format!(
                    "Invalid UpdateExpression: The \"{clause}\" section can only be used once in an update expression;"
                )));
            }
            seen.push(clause.clone());
            self.pos += 1;
            loop {
                let path = self.path()?;
                match clause.as_str() {
                    "SET" => {
                        self.expect("=")?;
                        let v = self.set_value()?;
                        out.set.push((path, v));
                    }
                    "REMOVE" => out.remove.push(path),
                    "ADD" => {
                        let v = self.operand()?;
                        out.add.push((path, v));
                    }
                    _ => {
                        let v = self.operand()?;
                        out.delete.push((path, v));
                    }
                }
                if self.punct(",") {
                    self.pos += 1;
                } else {
                    break;
                }
            }
        }
        if seen.is_empty() {
            return Err(self.error_here());
        }
        Ok(out)
    }
}

/// A condition or filter expression.
pub fn condition(src: &Source<'_>, kind: Kind) -> Result<Condition, ExprError> {
    let mut p = Parser::new(src, kind)?;
    let c = p.or()?;
    p.done()?;
    Ok(c)
}

/// An update expression.
pub fn update(src: &Source<'_>) -> Result<Update, ExprError> {
    let mut p = Parser::new(src, Kind::Update)?;
    p.update()
}

/// A projection expression: paths separated by commas.
pub fn projection(src: &Source<'_>) -> Result<Vec<Path>, ExprError> {
    let mut p = Parser::new(src, Kind::Projection)?;
    let mut out = vec![p.path()?];
    while p.punct(",") {
        p.pos += 1;
        out.push(p.path()?);
    }
    p.done()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn src(
        e: &str,
        names: Value,
        values: Value,
    ) -> (String, Map<String, Value>, Map<String, Value>) {
        (
            e.to_string(),
            names.as_object().cloned().unwrap_or_default(),
            values.as_object().cloned().unwrap_or_default(),
        )
    }

    fn cond(e: &str, names: Value, values: Value) -> Result<Condition, ExprError> {
        let (e, n, v) = src(e, names, values);
        condition(
            &Source {
                expression: &e,
                names: Some(&n),
                values: Some(&v),
            },
            Kind::Condition,
        )
    }

    fn path(parts: &[&str]) -> Path {
        Path(
            parts
                .iter()
                .map(|p| PathElem::Attr(p.to_string()))
                .collect(),
        )
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        let c = cond(
            "a = :x OR NOT #b < :y AND attribute_exists(c)",
            json!({"#b": "b"}),
            json!({":x": {"S": "1"}, ":y": {"N": "2"}}),
        )
        .unwrap();
        let Condition::Or(left, right) = c else {
            panic!("{c:?}")
        };
        assert!(matches!(
            *left,
            Condition::Compare(Operand::Path(_), Cmp::Eq, _)
        ));
        let Condition::And(not, exists) = *right else {
            panic!()
        };
        assert!(matches!(*not, Condition::Not(_)));
        assert_eq!(*exists, Condition::Exists(path(&["c"])));
    }

    #[test]
    fn paths_values_and_functions() {
        let c = cond(
            "size(#l[2].x) BETWEEN :a AND :b AND #s IN (:a, :b) AND begins_with(#s, :p)",
            json!({"#l": "list", "#s": "status"}),
            json!({":a": {"N": 1}, ":b": {"N": "3"}, ":p": {"S": "A"}}),
        )
        .unwrap();
        let Condition::And(first, last) = c else {
            panic!()
        };
        let Condition::And(between, inlist) = *first else {
            panic!()
        };
        let Condition::Between(Operand::Size(p), _, _) = *between else {
            panic!()
        };
        assert_eq!(p.display(), "list[2].x");
        assert!(matches!(*inlist, Condition::In(_, ref l) if l.len() == 2));
        assert!(matches!(*last, Condition::BeginsWith(..)));
    }

    #[test]
    fn undefined_placeholders_and_syntax_errors_have_dynamodbs_messages() {
        let e = cond("#a = :v", json!({}), json!({":v": {"S": "x"}})).unwrap_err();
        assert!(e.0.contains("attribute name: #a"), "{e}");
        let e = cond("a = :v", json!({}), json!({})).unwrap_err();
        assert!(e.0.contains("attribute value: :v"), "{e}");
        let e = cond("a = ", json!({}), json!({})).unwrap_err();
        assert!(
            e.0.starts_with("Invalid ConditionExpression: Syntax error; token: \"<EOF>\""),
            "{e}"
        );
        let e = cond("a = :v extra", json!({}), json!({":v": {"S": "x"}})).unwrap_err();
        assert!(e.0.contains("token: \"extra\""), "{e}");
    }

    #[test]
    fn update_clauses() {
        let (e, n, v) = src(
            "SET #a = #a + :one, b = if_not_exists(b, :zero), l = list_append(l, :l) REMOVE c[1], d ADD n :one DELETE s :s",
            json!({"#a": "count"}),
            json!({":one": {"N": 1}, ":zero": {"N": 0}, ":l": {"L": [{"S": "x"}]}, ":s": {"SS": ["q"]}}),
        );
        let u = update(&Source {
            expression: &e,
            names: Some(&n),
            values: Some(&v),
        })
        .unwrap();
        assert_eq!(u.set.len(), 3);
        assert!(matches!(u.set[0].1, Operand::Plus(..)));
        assert!(matches!(u.set[1].1, Operand::IfNotExists(..)));
        assert_eq!(u.remove[0].display(), "c[1]");
        assert_eq!(u.add[0].0, path(&["n"]));
        assert!(matches!(&u.delete[0].1, Operand::Value { tag, .. } if tag == "SS"));
        let (e, n, v) = src(
            "SET a = :x SET b = :x",
            json!({}),
            json!({":x": {"S": "1"}}),
        );
        assert!(
            update(&Source {
                expression: &e,
                names: Some(&n),
                values: Some(&v)
            })
            .is_err()
        );
    }

    #[test]
    fn projections() {
        let (e, n, v) = src("id, #n.first, tags[0]", json!({"#n": "name"}), json!({}));
        let p = projection(&Source {
            expression: &e,
            names: Some(&n),
            values: Some(&v),
        })
        .unwrap();
        let shown: Vec<String> = p.iter().map(Path::display).collect();
        assert_eq!(shown, ["id", "name.first", "tags[0]"]);
    }
}
