//! `change-case` 4.x (`constantCase`, `pascalCase`, `camelCase`), which the model codegen uses
//! for enum value keys and conversation route names.

/// The word separator used between the splitting steps (cannot occur in the output).
const SEP: char = '\0';

/// `noCase`: split camel case, strip non-alphanumerics, transform each word, join.
fn no_case(input: &str, delimiter: &str, transform: impl Fn(&str, usize) -> String) -> String {
    let chars: Vec<char> = input.chars().collect();
    // /([a-z0-9])([A-Z])/g → "$1\0$2"
    let mut step1: Vec<char> = Vec::with_capacity(chars.len() + 4);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if (c.is_ascii_lowercase() || c.is_ascii_digit())
            && chars.get(i + 1).is_some_and(char::is_ascii_uppercase)
        {
            step1.extend([c, SEP, chars[i + 1]]);
            i += 2;
        } else {
            step1.push(c);
            i += 1;
        }
    }
    // /([A-Z])([A-Z][a-z])/g → "$1\0$2"
    let mut step2: Vec<char> = Vec::with_capacity(step1.len() + 4);
    let mut i = 0;
    while i < step1.len() {
        let c = step1[i];
        if c.is_ascii_uppercase()
            && step1.get(i + 1).is_some_and(char::is_ascii_uppercase)
            && step1.get(i + 2).is_some_and(char::is_ascii_lowercase)
        {
            step2.extend([c, SEP, step1[i + 1], step1[i + 2]]);
            i += 3;
        } else {
            step2.push(c);
            i += 1;
        }
    }
    // /[^A-Z0-9]+/gi → "\0"
    let mut stripped = String::new();
    let mut in_run = false;
    for c in step2 {
        if c.is_ascii_alphanumeric() {
            stripped.push(c);
            in_run = false;
        } else if !in_run {
            stripped.push(SEP);
            in_run = true;
        }
    }
    stripped
        .trim_matches(SEP)
        .split(SEP)
        .enumerate()
        .map(|(i, w)| transform(w, i))
        .collect::<Vec<_>>()
        .join(delimiter)
}

/// `pascalCaseTransform`: upper-case the first character, lower-case the rest; a later word
/// that starts with a digit gets a `_` prefix.
fn pascal_transform(word: &str, index: usize) -> String {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let rest = chars.as_str().to_lowercase();
    if index > 0 && first.is_ascii_digit() {
        return format!("_{first}{rest}");
    }
    first.to_uppercase().chain(rest.chars()).collect()
}

/// `constantCase`: `valueA` → `VALUE_A`.
pub fn constant_case(input: &str) -> String {
    no_case(input, "_", |w, _| w.to_uppercase())
}

/// `pascalCase`: `chat_bot2x` → `ChatBot2x`.
pub fn pascal_case(input: &str) -> String {
    no_case(input, "", pascal_transform)
}

/// `camelCase`: `HTTPServer` → `httpServer`.
pub fn camel_case(input: &str) -> String {
    no_case(input, "", |w, i| {
        if i == 0 {
            w.to_lowercase()
        } else {
            pascal_transform(w, i)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values computed by change-case 4.1.2 itself.
    #[test]
    fn matches_the_npm_package() {
        assert_eq!(constant_case("yes"), "YES");
        assert_eq!(constant_case("valueA"), "VALUE_A");
        assert_eq!(constant_case("_1"), "1");
        assert_eq!(pascal_case("chat"), "Chat");
        assert_eq!(pascal_case("chat_bot2x"), "ChatBot2x");
        assert_eq!(pascal_case("my route 2"), "MyRoute_2");
        assert_eq!(camel_case("Post5V2"), "post5V2");
        assert_eq!(camel_case("HTTPServer"), "httpServer");
        let cases = [
            // (input, constantCase, pascalCase, camelCase)
            (
                "PENDING_REVIEW",
                "PENDING_REVIEW",
                "PendingReview",
                "pendingReview",
            ),
            ("inProgress", "IN_PROGRESS", "InProgress", "inProgress"),
            (
                "XMLHttpRequest",
                "XML_HTTP_REQUEST",
                "XmlHttpRequest",
                "xmlHttpRequest",
            ),
            ("v2Value", "V2_VALUE", "V2Value", "v2Value"),
            ("a-b_c d", "A_B_C_D", "ABCD", "aBCD"),
            ("__x__", "X", "X", "x"),
            ("", "", "", ""),
            ("1st place", "1ST_PLACE", "1stPlace", "1stPlace"),
        ];
        for (input, constant, pascal, camel) in cases {
            assert_eq!(constant_case(input), constant, "constantCase({input:?})");
            assert_eq!(pascal_case(input), pascal, "pascalCase({input:?})");
            assert_eq!(camel_case(input), camel, "camelCase({input:?})");
        }
    }
}
