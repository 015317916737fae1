//! The plural rules of the `pluralize` npm package (v8), which the transformer uses for list
//! query names (`listTodos`) and generated index names (`postsByBlogId`).
//!
//! Every rule of that package is anchored at the end of the word, so each is written here as a
//! small suffix matcher returning the leftmost match start and its capture groups, in the
//! package's rule order (later rules win).

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

const UNCOUNTABLE: &[&str] = &[
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

/// A rule match: start of the match (char index) and capture groups as char ranges.
type Match = (usize, Vec<Option<(usize, usize)>>);

struct Rule {
    matcher: fn(&[char]) -> Option<Match>,
    replacement: &'static str,
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

/// `l` ends with `s`; returns the start index.
fn ends(l: &[char], s: &str) -> Option<usize> {
    let s: Vec<char> = s.chars().collect();
    if l.len() >= s.len() && l[l.len() - s.len()..] == s[..] {
        Some(l.len() - s.len())
    } else {
        None
    }
}

/// The leftmost match of `(stem1|stem2|...)(?:suf1|suf2|...)$`, group 1 = the stem.
fn stems_then(l: &[char], stems: &[&str], suffixes: &[&str]) -> Option<Match> {
    let mut best: Option<Match> = None;
    for stem in stems {
        for suffix in suffixes {
            if let Some(start) = ends(l, &format!("{stem}{suffix}")) {
                let stem_end = start + stem.chars().count();
                if best.as_ref().is_none_or(|(b, _)| start < *b) {
                    best = Some((start, vec![Some((start, stem_end))]));
                }
            }
        }
    }
    best
}

/// The leftmost of several `(start, group)` candidates; ties keep the earlier candidate.
fn leftmost(cands: impl IntoIterator<Item = Option<Match>>) -> Option<Match> {
    let mut best: Option<Match> = None;
    for m in cands.into_iter().flatten() {
        if best.as_ref().is_none_or(|(b, _)| m.0 < *b) {
            best = Some(m);
        }
    }
    best
}

/// Group 1 = the whole match.
fn whole(start: Option<usize>, n: usize) -> Option<Match> {
    start.map(|s| (s, vec![Some((s, n))]))
}

const STEMS_I: &[&str] = &[
    "alumn", "syllab", "vir", "radi", "nucle", "fung", "cact", "stimul", "termin", "bacill", "foc",
    "uter", "loc", "strat",
];
const STEMS_A_UM: &[&str] = &[
    "agend",
    "addend",
    "millenni",
    "dat",
    "extrem",
    "bacteri",
    "desiderat",
    "strat",
    "candelabr",
    "errat",
    "ov",
    "symposi",
    "curricul",
    "automat",
    "quor",
];
const STEMS_A_ON: &[&str] = &[
    "apheli",
    "hyperbat",
    "periheli",
    "asyndet",
    "noumen",
    "phenomen",
    "criteri",
    "organ",
    "prolegomen",
    "hedr",
    "automat",
];

const RULES: &[Rule] = &[
    // /s?$/i -> 's'
    Rule {
        matcher: |l| {
            Some((
                if l.last() == Some(&'s') {
                    l.len() - 1
                } else {
                    l.len()
                },
                vec![],
            ))
        },
        replacement: "s",
    },
    // /[^\u0000-\u007F]$/i -> '$0'
    Rule {
        matcher: |l| match l.last() {
            Some(c) if !c.is_ascii() => Some((l.len() - 1, vec![])),
            _ => None,
        },
        replacement: "$0",
    },
    // /([^aeiou]ese)$/i -> '$1'
    Rule {
        matcher: |l| {
            let s = ends(l, "ese")?;
            if s >= 1 && !is_vowel(l[s - 1]) {
                whole(Some(s - 1), l.len())
            } else {
                None
            }
        },
        replacement: "$1",
    },
    // /(ax|test)is$/i -> '$1es'
    Rule {
        matcher: |l| stems_then(l, &["ax", "test"], &["is"]),
        replacement: "$1es",
    },
    // /(alias|[^aou]us|t[lm]as|gas|ris)$/i -> '$1es'
    Rule {
        matcher: |l| {
            let n = l.len();
            let not_aou_us = ends(l, "us")
                .filter(|s| *s >= 1 && !matches!(l[s - 1], 'a' | 'o' | 'u'))
                .map(|s| s - 1);
            let t_lm_as = ends(l, "as")
                .filter(|s| *s >= 2 && matches!(l[s - 1], 'l' | 'm') && l[s - 2] == 't')
                .map(|s| s - 2);
            leftmost([
                whole(ends(l, "alias"), n),
                whole(not_aou_us, n),
                whole(t_lm_as, n),
                whole(ends(l, "gas"), n),
                whole(ends(l, "ris"), n),
            ])
        },
        replacement: "$1es",
    },
    // /(e[mn]u)s?$/i -> '$1s'
    Rule {
        matcher: |l| {
            let n = l.len();
            let emu = |end: usize| -> Option<Match> {
                if end >= 3
                    && l[end - 3] == 'e'
                    && matches!(l[end - 2], 'm' | 'n')
                    && l[end - 1] == 'u'
                {
                    Some((end - 3, vec![Some((end - 3, end))]))
                } else {
                    None
                }
            };
            if l.last() == Some(&'s') {
                emu(n - 1).or_else(|| emu(n))
            } else {
                emu(n)
            }
        },
        replacement: "$1s",
    },
    // /([^l]ias|[aeiou]las|[ejzr]as|[iu]am)$/i -> '$1'
    Rule {
        matcher: |l| {
            let n = l.len();
            let before = |suffix: &str, ok: fn(char) -> bool| {
                ends(l, suffix)
                    .filter(|s| *s >= 1 && ok(l[s - 1]))
                    .map(|s| s - 1)
            };
            leftmost([
                whole(before("ias", |c| c != 'l'), n),
                whole(before("las", is_vowel), n),
                whole(before("as", |c| matches!(c, 'e' | 'j' | 'z' | 'r')), n),
                whole(before("am", |c| matches!(c, 'i' | 'u')), n),
            ])
        },
        replacement: "$1",
    },
    Rule {
        matcher: |l| stems_then(l, STEMS_I, &["us", "i"]),
        replacement: "$1i",
    },
    Rule {
        matcher: |l| stems_then(l, &["alumn", "alg", "vertebr"], &["a", "ae"]),
        replacement: "$1ae",
    },
    Rule {
        matcher: |l| stems_then(l, &["seraph", "cherub"], &["im", ""]),
        replacement: "$1im",
    },
    Rule {
        matcher: |l| stems_then(l, &["her", "at", "gr"], &["o"]),
        replacement: "$1oes",
    },
    Rule {
        matcher: |l| stems_then(l, STEMS_A_UM, &["a", "um"]),
        replacement: "$1a",
    },
    Rule {
        matcher: |l| stems_then(l, STEMS_A_ON, &["a", "on"]),
        replacement: "$1a",
    },
    // /sis$/i -> 'ses'
    Rule {
        matcher: |l| ends(l, "sis").map(|s| (s, vec![])),
        replacement: "ses",
    },
    // /(?:(kni|wi|li)fe|(ar|l|ea|eo|oa|hoo)f)$/i -> '$1$2ves'
    Rule {
        matcher: |l| {
            let alt1 = stems_then(l, &["kni", "wi", "li"], &["fe"]);
            let alt2 = stems_then(l, &["ar", "l", "ea", "eo", "oa", "hoo"], &["f"])
                .map(|(s, g)| (s, vec![None, g[0]]));
            leftmost([alt1, alt2])
        },
        replacement: "$1$2ves",
    },
    // /([^aeiouy]|qu)y$/i -> '$1ies'
    Rule {
        matcher: |l| {
            let n = l.len();
            if let Some(s) = ends(l, "quy") {
                return Some((s, vec![Some((s, n - 1))]));
            }
            let s = ends(l, "y")?;
            if s >= 1 && !is_vowel(l[s - 1]) && l[s - 1] != 'y' {
                Some((s - 1, vec![Some((s - 1, n - 1))]))
            } else {
                None
            }
        },
        replacement: "$1ies",
    },
    // /([^ch][ieo][ln])ey$/i -> '$1ies'
    Rule {
        matcher: |l| {
            let s = ends(l, "ey")?;
            if s >= 3
                && matches!(l[s - 1], 'l' | 'n')
                && matches!(l[s - 2], 'i' | 'e' | 'o')
                && !matches!(l[s - 3], 'c' | 'h')
            {
                Some((s - 3, vec![Some((s - 3, s))]))
            } else {
                None
            }
        },
        replacement: "$1ies",
    },
    // /(x|ch|ss|sh|zz)$/i -> '$1es'
    Rule {
        matcher: |l| {
            let n = l.len();
            leftmost([
                whole(ends(l, "x"), n),
                whole(ends(l, "ch"), n),
                whole(ends(l, "ss"), n),
                whole(ends(l, "sh"), n),
                whole(ends(l, "zz"), n),
            ])
        },
        replacement: "$1es",
    },
    Rule {
        matcher: |l| {
            stems_then(
                l,
                &["matr", "cod", "mur", "sil", "vert", "ind", "append"],
                &["ix", "ex"],
            )
        },
        replacement: "$1ices",
    },
    // /\b((?:tit)?m|l)(?:ice|ouse)$/i -> '$1ice'
    Rule {
        matcher: |l| {
            let m = stems_then(l, &["titm", "m", "l"], &["ice", "ouse"])?;
            let at_boundary = m.0 == 0 || !(l[m.0 - 1].is_alphanumeric() || l[m.0 - 1] == '_');
            at_boundary.then_some(m)
        },
        replacement: "$1ice",
    },
    Rule {
        matcher: |l| stems_then(l, &["pe"], &["rson", "ople"]),
        replacement: "$1ople",
    },
    Rule {
        matcher: |l| stems_then(l, &["child"], &["ren", ""]),
        replacement: "$1ren",
    },
    Rule {
        matcher: |l| ends(l, "eaux").map(|s| (s, vec![])),
        replacement: "$0",
    },
    // /m[ae]n$/i -> 'men'
    Rule {
        matcher: |l| {
            ends(l, "man")
                .or_else(|| ends(l, "men"))
                .map(|s| (s, vec![]))
        },
        replacement: "men",
    },
    Rule {
        matcher: |l| (l.iter().collect::<String>() == "thou").then(|| (0, vec![])),
        replacement: "you",
    },
    // Uncountable patterns (added after the plural rules, so they win).
    Rule {
        matcher: |l| {
            ends(l, "pokemon")
                .or_else(|| ends(l, "pokémon"))
                .map(|s| (s, vec![]))
        },
        replacement: "$0",
    },
    Rule {
        matcher: |l| {
            let s = ends(l, "ese")?;
            (s >= 1 && !is_vowel(l[s - 1])).then(|| (s - 1, vec![]))
        },
        replacement: "$0",
    },
    Rule {
        matcher: |l| ends(l, "deer").map(|s| (s, vec![])),
        replacement: "$0",
    },
    Rule {
        matcher: |l| ends(l, "fish").map(|s| (s, vec![])),
        replacement: "$0",
    },
    Rule {
        matcher: |l| ends(l, "measles").map(|s| (s, vec![])),
        replacement: "$0",
    },
    Rule {
        matcher: |l| {
            ends(l, "ois")
                .or_else(|| ends(l, "ous"))
                .map(|s| (s, vec![]))
        },
        replacement: "$0",
    },
    Rule {
        matcher: |l| ends(l, "pox").map(|s| (s, vec![])),
        replacement: "$0",
    },
    Rule {
        matcher: |l| ends(l, "sheep").map(|s| (s, vec![])),
        replacement: "$0",
    },
];

/// pluralize's `restoreCase`: give `token` the casing of `word`.
fn restore_case(word: &str, token: &str) -> String {
    if word == token {
        return token.to_string();
    }
    if word == word.to_lowercase() {
        return token.to_lowercase();
    }
    if word == word.to_uppercase() {
        return token.to_uppercase();
    }
    let first_upper = word
        .chars()
        .next()
        .is_some_and(|c| c.to_uppercase().eq(std::iter::once(c)));
    if first_upper {
        let mut chars = token.chars();
        match chars.next() {
            Some(c) => c
                .to_uppercase()
                .chain(chars.as_str().to_lowercase().chars())
                .collect(),
            None => String::new(),
        }
    } else {
        token.to_lowercase()
    }
}

/// `pluralize(word)` (the plural form; the package's `pluralize.plural`).
pub fn plural(word: &str) -> String {
    let token = word.to_lowercase();
    if IRREGULAR.iter().any(|(_, p)| *p == token) {
        return restore_case(word, &token);
    }
    if let Some((_, p)) = IRREGULAR.iter().find(|(s, _)| *s == token) {
        return restore_case(word, p);
    }
    if token.is_empty() || UNCOUNTABLE.contains(&token.as_str()) {
        return word.to_string();
    }
    let orig: Vec<char> = word.chars().collect();
    let lower: Vec<char> = orig
        .iter()
        .map(|c| c.to_lowercase().next().unwrap_or(*c))
        .collect();
    for rule in RULES.iter().rev() {
        let Some((start, groups)) = (rule.matcher)(&lower) else {
            continue;
        };
        let matched: String = orig[start..].iter().collect();
        let replacement = interpolate(rule.replacement, &orig, &matched, &groups);
        let restored = if matched.is_empty() {
            let prev = if start > 0 {
                orig[start - 1].to_string()
            } else {
                String::new()
            };
            restore_case(&prev, &replacement)
        } else {
            restore_case(&matched, &replacement)
        };
        let head: String = orig[..start].iter().collect();
        return format!("{head}{restored}");
    }
    word.to_string()
}

fn interpolate(
    template: &str,
    orig: &[char],
    matched: &str,
    groups: &[Option<(usize, usize)>],
) -> String {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$'
            && let Some(d) = chars.peek().and_then(|d| d.to_digit(10))
        {
            chars.next();
            if d == 0 {
                out.push_str(matched);
            } else if let Some(Some((s, e))) = groups.get(d as usize - 1) {
                out.extend(&orig[*s..*e]);
            }
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests;
