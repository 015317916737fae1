//! Name helpers with the exact behaviour of `graphql-transformer-common` (camel/pascal case,
//! `graphqlName`, `pluralize` 8 plurals), of `change-case` 4 (used by the model codegen) and of
//! the transformer's operation names. The AppSync generator and `model_introspection` share
//! them.

mod change_case;
mod md5;
mod pluralize;

pub use change_case::{camel_case, constant_case, pascal_case};
pub use pluralize::plural;

/// `toUpper`: upper-case the first character.
pub fn to_upper(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `toLower`: lower-case the first character.
pub fn to_lower(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `toCamelCase`: drop empty words, lower-case the first character of the first word and
/// upper-case the first character of the others. (The model codegen's own `toCamelCase` does
/// not drop empty words; it is only given non-empty GraphQL names, so both agree there.)
pub fn to_camel_case<S: AsRef<str>>(words: &[S]) -> String {
    words
        .iter()
        .map(AsRef::as_ref)
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(i, w)| if i == 0 { to_lower(w) } else { to_upper(w) })
        .collect()
}

/// `toPascalCase`: upper-case the first character of every word.
pub fn to_pascal_case<S: AsRef<str>>(words: &[S]) -> String {
    words.iter().map(|w| to_upper(w.as_ref())).collect()
}

/// `graphqlName`: strip leading characters that cannot start a name and every character that
/// cannot appear in one.
pub fn graphql_name(val: &str) -> String {
    if val.trim().is_empty() {
        return String::new();
    }
    let start = val
        .char_indices()
        .find(|(_, c)| c.is_ascii_alphabetic() || *c == '_')
        .map(|(i, _)| i)
        .unwrap_or(val.len());
    val[start..]
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// Subscription field names longer than 50 characters are cut to 45 and suffixed with the
/// first 5 hex digits of the name's MD5.
pub fn truncate_subscription_name(name: &str) -> String {
    if name.chars().count() <= 50 {
        return name.to_string();
    }
    let head: String = name.chars().take(45).collect();
    let digest = md5::hex(name.as_bytes());
    format!("{head}{}", &digest[..5])
}

/// The default name of a model operation (`getFieldNameFor`).
pub fn operation_name(op: &str, type_name: &str) -> String {
    match op {
        "list" | "sync" => to_camel_case(&[op.to_string(), plural(type_name)]),
        "onCreate" | "onUpdate" | "onDelete" => {
            truncate_subscription_name(&to_camel_case(&[op, type_name]))
        }
        _ => to_camel_case(&[op, type_name]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_and_pascal_case() {
        assert_eq!(to_camel_case(&["Post", "comments", "id"]), "postCommentsId");
        assert_eq!(to_camel_case(&["list", "", "Todos"]), "listTodos");
        assert_eq!(
            to_pascal_case(&["Delete", "todo", "input"]),
            "DeleteTodoInput"
        );
        assert_eq!(to_lower("BlogPost"), "blogPost");
        assert_eq!(to_camel_case(&["Post", "editors", "id"]), "postEditorsId");
        assert_eq!(to_upper("éa"), "Éa");
        assert_eq!(to_upper(""), "");
    }

    #[test]
    fn graphql_names() {
        assert_eq!(graphql_name("9foo-bar_baz"), "foobar_baz");
        assert_eq!(graphql_name("Create"), "Create");
        assert_eq!(graphql_name("PostEditor5V2"), "PostEditor5V2");
        assert_eq!(graphql_name("12-ab c"), "abc");
        assert_eq!(graphql_name("   "), "");
    }

    #[test]
    fn operation_names() {
        assert_eq!(operation_name("list", "Category"), "listCategories");
        assert_eq!(operation_name("get", "Todo"), "getTodo");
        assert_eq!(operation_name("onCreate", "Todo"), "onCreateTodo");
        let long = operation_name(
            "onCreate",
            "AVeryLongModelNameThatGoesOnAndOnAndOnForeverAndEver",
        );
        // md5 suffix as computed by the `md5` npm package.
        assert_eq!(long, "onCreateAVeryLongModelNameThatGoesOnAndOnAndO8f21b");
    }
}
