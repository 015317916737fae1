//! Word inflection exactly as the codegen's npm dependencies do it: `pluralize` 8.0.0
//! (`plural`) and `change-case` 4.x (`constantCase`, `pascalCase`, `camelCase`), plus the
//! string helpers of `graphql-transformer-common` and the codegen's `fieldUtils`.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::minire::Regex;

struct Pluralizer {
    /// `(pattern, replacement)` in the order `pluralize` adds them; applied last-to-first.
    rules: Vec<(Regex, &'static str)>,
    uncountables: Vec<&'static str>,
    irregular_singles: HashMap<&'static str, &'static str>,
    irregular_plurals: HashMap<&'static str, &'static str>,
}

const IRREGULAR: &[(&str, &str)] = &[
    ("i", "we"),
    ("me", "us"),
    ("he", "they"),
    ("she", "they"),
    ("them", "them"),
    ("myself", "ourselves"),
    ("yourself", "yourselves"),
    ("itself", "themselves"),
    ("herself", "themselves"),
    ("himself", "themselves"),
    ("themself", "themselves"),
    ("is", "are"),
    ("was", "were"),
    ("has", "have"),
    ("this", "these"),
    ("that", "those"),
    ("echo", "echoes"),
    ("dingo", "dingoes"),
    ("volcano", "volcanoes"),
    ("tornado", "tornadoes"),
    ("torpedo", "torpedoes"),
    ("genus", "genera"),
    ("viscus", "viscera"),
    ("stigma", "stigmata"),
    ("stoma", "stomata"),
    ("dogma", "dogmata"),
    ("lemma", "lemmata"),
    ("schema", "schemata"),
    ("anathema", "anathemata"),
    ("ox", "oxen"),
    ("axe", "axes"),
    ("die", "dice"),
    ("yes", "yeses"),
    ("foot", "feet"),
    ("eave", "eaves"),
    ("goose", "geese"),
    ("tooth", "teeth"),
    ("quiz", "quizzes"),
    ("human", "humans"),
    ("proof", "proofs"),
    ("carve", "carves"),
    ("valve", "valves"),
    ("looey", "looies"),
    ("thief", "thieves"),
    ("groove", "grooves"),
    ("pickaxe", "pickaxes"),
    ("passerby", "passersby"),
];

const PLURAL_RULES: &[(&str, &str)] = &[
    ("s?$", "s"),
    ("[^\\u0000-\\u007F]$", "$0"),
    ("([^aeiou]ese)$", "$1"),
    ("(ax|test)is$", "$1es"),
    ("(alias|[^aou]us|t[lm]as|gas|ris)$", "$1es"),
    ("(e[mn]u)s?$", "$1s"),
    ("([^l]ias|[aeiou]las|[ejzr]as|[iu]am)$", "$1"),
    (
        "(alumn|syllab|vir|radi|nucle|fung|cact|stimul|termin|bacill|foc|uter|loc|strat)(?:us|i)$",
        "$1i",
    ),
    ("(alumn|alg|vertebr)(?:a|ae)$", "$1ae"),
    ("(seraph|cherub)(?:im)?$", "$1im"),
    ("(her|at|gr)o$", "$1oes"),
    (
        "(agend|addend|millenni|dat|extrem|bacteri|desiderat|strat|candelabr|errat|ov|symposi|curricul|automat|quor)(?:a|um)$",
        "$1a",
    ),
    (
        "(apheli|hyperbat|periheli|asyndet|noumen|phenomen|criteri|organ|prolegomen|hedr|automat)(?:a|on)$",
        "$1a",
    ),
    ("sis$", "ses"),
    ("(?:(kni|wi|li)fe|(ar|l|ea|eo|oa|hoo)f)$", "$1$2ves"),
    ("([^aeiouy]|qu)y$", "$1ies"),
    ("([^ch][ieo][ln])ey$", "$1ies"),
    ("(x|ch|ss|sh|zz)$", "$1es"),
    ("(matr|cod|mur|sil|vert|ind|append)(?:ix|ex)$", "$1ices"),
    ("\\b((?:tit)?m|l)(?:ice|ouse)$", "$1ice"),
    ("(pe)(?:rson|ople)$", "$1ople"),
    ("(child)(?:ren)?$", "$1ren"),
    ("eaux$", "$0"),
    ("m[ae]n$", "men"),
    ("^thou$", "you"),
];

const UNCOUNTABLE_WORDS: &[&str] = &[
    "adulthood",
    "advice",
    "agenda",
    "aid",
    "aircraft",
    "alcohol",
    "ammo",
    "analytics",
    "anime",
    "athletics",
    "audio",
    "bison",
    "blood",
    "bream",
    "buffalo",
    "butter",
    "carp",
    "cash",
    "chassis",
    "chess",
    "clothing",
    "cod",
    "commerce",
    "cooperation",
    "corps",
    "debris",
    "diabetes",
    "digestion",
    "elk",
    "energy",
    "equipment",
    "excretion",
    "expertise",
    "firmware",
    "flounder",
    "fun",
    "gallows",
    "garbage",
    "graffiti",
    "hardware",
    "headquarters",
    "health",
    "herpes",
    "highjinks",
    "homework",
    "housework",
    "information",
    "jeans",
    "justice",
    "kudos",
    "labour",
    "literature",
    "machinery",
    "mackerel",
    "mail",
    "media",
    "mews",
    "moose",
    "music",
    "mud",
    "manga",
    "news",
    "only",
    "personnel",
    "pike",
    "plankton",
    "pliers",
    "police",
    "pollution",
    "premises",
    "rain",
    "research",
    "rice",
    "salmon",
    "scissors",
    "series",
    "sewage",
    "shambles",
    "shrimp",
    "software",
    "species",
    "staff",
    "swine",
    "tennis",
    "traffic",
    "transportation",
    "trout",
    "tuna",
    "wealth",
    "welfare",
    "whiting",
    "wildebeest",
    "wildlife",
    "you",
];

/// Uncountable patterns; `pluralize` registers them as `$0` plural rules after the rules above.
const UNCOUNTABLE_PATTERNS: &[&str] = &[
    "pok[eé]mon$",
    "[^aeiou]ese$",
    "deer$",
    "fish$",
    "measles$",
    "o[iu]s$",
    "pox$",
    "sheep$",
];

fn pluralizer() -> &'static Pluralizer {
    static CELL: OnceLock<Pluralizer> = OnceLock::new();
    CELL.get_or_init(|| {
        let rules = PLURAL_RULES
            .iter()
            .copied()
            .chain(UNCOUNTABLE_PATTERNS.iter().map(|p| (*p, "$0")))
            .filter_map(|(pattern, replacement)| Regex::new(pattern).map(|re| (re, replacement)))
            .collect();
        Pluralizer {
            rules,
            uncountables: UNCOUNTABLE_WORDS.to_vec(),
            irregular_singles: IRREGULAR.iter().copied().collect(),
            irregular_plurals: IRREGULAR.iter().map(|(s, p)| (*p, *s)).collect(),
        }
    })
}

fn js_lower(s: &str) -> String {
    s.to_lowercase()
}

fn js_upper(s: &str) -> String {
    s.to_uppercase()
}

/// `restoreCase(word, token)` of `pluralize`.
fn restore_case(word: &str, token: &str) -> String {
    if word == token {
        return token.to_owned();
    }
    if word == js_lower(word) {
        return js_lower(token);
    }
    if word == js_upper(word) {
        return js_upper(token);
    }
    let first: String = word.chars().take(1).collect();
    if !first.is_empty() && first == js_upper(&first) {
        let mut chars = token.chars();
        let head: String = chars
            .next()
            .map(|c| js_upper(&c.to_string()))
            .unwrap_or_default();
        return head + &js_lower(chars.as_str());
    }
    js_lower(token)
}

fn interpolate(template: &str, whole: &str, groups: &[Option<String>]) -> String {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            let mut digits = String::new();
            while digits.len() < 2 && chars.peek().is_some_and(char::is_ascii_digit) {
                digits.extend(chars.next());
            }
            let index: usize = digits.parse().unwrap_or(0);
            let value = if index == 0 {
                Some(whole.to_owned())
            } else {
                groups.get(index - 1).cloned().flatten()
            };
            out.push_str(&value.unwrap_or_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// `pluralize.plural(word)`.
pub(super) fn plural(word: &str) -> String {
    let p = pluralizer();
    let token = js_lower(word);
    if p.irregular_plurals.contains_key(token.as_str()) {
        return restore_case(word, &token);
    }
    if let Some(replacement) = p.irregular_singles.get(token.as_str()) {
        return restore_case(word, replacement);
    }
    if token.is_empty() || p.uncountables.contains(&token.as_str()) {
        return word.to_owned();
    }
    let chars: Vec<char> = word.chars().collect();
    for (re, replacement) in p.rules.iter().rev() {
        let Some(m) = re.find(&chars) else { continue };
        let slice = |(a, b): (usize, usize)| chars[a..b].iter().collect::<String>();
        let whole = slice((m.start, m.end));
        let groups: Vec<Option<String>> = m.groups.iter().map(|g| g.map(slice)).collect();
        let result = interpolate(replacement, &whole, &groups);
        let restored = if whole.is_empty() {
            let previous: String = m
                .start
                .checked_sub(1)
                .and_then(|i| chars.get(i))
                .map(|c| c.to_string())
                .unwrap_or_default();
            restore_case(&previous, &result)
        } else {
            restore_case(&whole, &result)
        };
        let prefix: String = chars[..m.start].iter().collect();
        let suffix: String = chars[m.end..].iter().collect();
        return prefix + &restored + &suffix;
    }
    word.to_owned()
}

/// `noCase` of change-case 4: split camel case, strip non-alphanumerics, transform each word.
fn no_case(input: &str, delimiter: &str, transform: impl Fn(&str, usize) -> String) -> String {
    const SEP: char = '\0';
    let chars: Vec<char> = input.chars().collect();
    // /([a-z0-9])([A-Z])/g
    let mut step1: Vec<char> = Vec::with_capacity(chars.len() + 4);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if (c.is_ascii_lowercase() || c.is_ascii_digit())
            && chars.get(i + 1).is_some_and(char::is_ascii_uppercase)
        {
            step1.push(c);
            step1.push(SEP);
            step1.push(chars[i + 1]);
            i += 2;
        } else {
            step1.push(c);
            i += 1;
        }
    }
    // /([A-Z])([A-Z][a-z])/g
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
    let trimmed = stripped.trim_matches(SEP);
    trimmed
        .split(SEP)
        .enumerate()
        .map(|(i, w)| transform(w, i))
        .collect::<Vec<_>>()
        .join(delimiter)
}

fn pascal_transform(word: &str, index: usize) -> String {
    let mut chars = word.chars();
    let first = chars.next().map(String::from).unwrap_or_default();
    let rest = js_lower(chars.as_str());
    if index > 0 && first.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        return format!("_{first}{rest}");
    }
    js_upper(&first) + &rest
}

/// change-case `constantCase`.
pub(super) fn constant_case(input: &str) -> String {
    no_case(input, "_", |w, _| js_upper(w))
}

/// change-case `pascalCase`.
pub(super) fn pascal_case(input: &str) -> String {
    no_case(input, "", pascal_transform)
}

/// change-case `camelCase`.
pub(super) fn camel_case(input: &str) -> String {
    no_case(input, "", |w, i| {
        if i == 0 {
            js_lower(w)
        } else {
            pascal_transform(w, i)
        }
    })
}

/// `toUpper`: upper-case the first character.
pub(super) fn upper_first(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) => js_upper(&c.to_string()) + chars.as_str(),
        None => String::new(),
    }
}

/// `toLower`: lower-case the first character.
pub(super) fn lower_first(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) => js_lower(&c.to_string()) + chars.as_str(),
        None => String::new(),
    }
}

/// The codegen's `toCamelCase(words)`: first word lower-first, the others upper-first.
pub(super) fn to_camel_case(words: &[&str]) -> String {
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if i == 0 {
                lower_first(w)
            } else {
                upper_first(w)
            }
        })
        .collect()
}

/// `graphqlName` of graphql-transformer-common: drop leading characters that cannot start a
/// name, then every character that cannot appear in one.
pub(super) fn graphql_name(value: &str) -> String {
    if value.trim().is_empty() {
        return String::new();
    }
    value
        .chars()
        .skip_while(|c| !(c.is_ascii_alphabetic() || *c == '_'))
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected values produced by pluralize 8.0.0 (`require('pluralize').plural(w)`).
    #[test]
    fn plural_matches_pluralize() {
        let cases = [
            ("Todo", "Todos"),
            ("Blog", "Blogs"),
            ("Post", "Posts"),
            ("Category", "Categories"),
            ("Address", "Addresses"),
            ("Person", "People"),
            ("Child", "Children"),
            ("Status", "Statuses"),
            ("Bus", "Buses"),
            ("Quiz", "Quizzes"),
            ("News", "News"),
            ("Sheep", "Sheep"),
            ("Mouse", "Mice"),
            ("Post5V2", "Post5V2s"),
            ("TODO", "TODOS"),
            ("Leaf", "Leaves"),
            ("Knife", "Knives"),
            ("Datum", "Data"),
            ("Analysis", "Analyses"),
            ("Matrix", "Matrices"),
            ("Box", "Boxes"),
            ("Hero", "Heroes"),
            ("Photo", "Photos"),
            ("Key", "Keys"),
            ("Money", "Monies"),
            ("Chinese", "Chinese"),
            ("Goldfish", "Goldfish"),
            (
                "CustomerWithMultipleFieldsinPK",
                "CustomerWithMultipleFieldsinPKS",
            ),
            ("Equipment", "Equipment"),
            ("UserMedia", "UserMedias"),
            ("Soliloquy", "Soliloquies"),
            ("Salesman", "Salesmen"),
            ("Schema", "Schemata"),
            ("Alias", "Aliases"),
            ("Criterion", "Criteria"),
            ("Emu", "Emus"),
            ("Thou", "You"),
            ("", ""),
        ];
        for (word, expected) in cases {
            assert_eq!(plural(word), expected, "plural({word})");
        }
    }

    #[test]
    fn change_case_variants() {
        assert_eq!(constant_case("yes"), "YES");
        assert_eq!(constant_case("valueA"), "VALUE_A");
        assert_eq!(constant_case("_1"), "1");
        assert_eq!(pascal_case("chat"), "Chat");
        assert_eq!(pascal_case("chat_bot2x"), "ChatBot2x");
        assert_eq!(pascal_case("my route 2"), "MyRoute_2");
        assert_eq!(camel_case("Post5V2"), "post5V2");
        assert_eq!(camel_case("HTTPServer"), "httpServer");
    }

    #[test]
    fn graphql_name_strips_invalid_characters() {
        assert_eq!(graphql_name("PostEditor5V2"), "PostEditor5V2");
        assert_eq!(graphql_name("12-ab c"), "abc");
        assert_eq!(graphql_name("   "), "");
        assert_eq!(to_camel_case(&["Post", "editors", "id"]), "postEditorsId");
    }
}
