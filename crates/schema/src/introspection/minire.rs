//! A tiny backtracking matcher for the handful of JavaScript regular expressions the codegen's
//! inflection rules use (`pluralize`): literals, `.`-free character classes, groups with
//! alternation (capturing and `(?:…)`), the `?` quantifier, `^`, `$` and `\b`, always
//! case-insensitive. Patterns are compile-time constants of this crate, so a malformed pattern
//! is a programming error reported as `None` from [`Regex::new`].

#[derive(Debug, Clone)]
enum Node {
    Char(char),
    Class {
        negated: bool,
        items: Vec<ClassItem>,
    },
    Group {
        capture: Option<usize>,
        alternatives: Vec<Vec<Piece>>,
    },
    Start,
    End,
    WordBoundary,
}

#[derive(Debug, Clone)]
enum ClassItem {
    Single(char),
    Range(char, char),
}

#[derive(Debug, Clone)]
struct Piece {
    node: Node,
    optional: bool,
}

#[derive(Debug, Clone)]
pub(super) struct Regex {
    alternatives: Vec<Vec<Piece>>,
    groups: usize,
}

/// One match: the whole match and the capture groups, as char index ranges.
#[derive(Debug, Clone)]
pub(super) struct Match {
    pub start: usize,
    pub end: usize,
    pub groups: Vec<Option<(usize, usize)>>,
}

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    groups: usize,
}

impl Parser<'_> {
    fn alternatives(&mut self) -> Option<Vec<Vec<Piece>>> {
        let mut alts = vec![Vec::new()];
        while let Some(&c) = self.chars.peek() {
            match c {
                ')' => break,
                '|' => {
                    self.chars.next();
                    alts.push(Vec::new());
                }
                _ => {
                    let node = self.atom()?;
                    let optional = self.chars.peek() == Some(&'?');
                    if optional {
                        self.chars.next();
                    }
                    alts.last_mut()?.push(Piece { node, optional });
                }
            }
        }
        Some(alts)
    }

    fn escaped(&mut self) -> Option<char> {
        match self.chars.next()? {
            'u' => {
                let hex: String = (0..4).filter_map(|_| self.chars.next()).collect();
                char::from_u32(u32::from_str_radix(&hex, 16).ok()?)
            }
            other => Some(other),
        }
    }

    fn atom(&mut self) -> Option<Node> {
        match self.chars.next()? {
            '^' => Some(Node::Start),
            '$' => Some(Node::End),
            '\\' => match self.chars.peek() {
                Some('b') => {
                    self.chars.next();
                    Some(Node::WordBoundary)
                }
                _ => self.escaped().map(Node::Char),
            },
            '(' => {
                let capture = if self.chars.peek() == Some(&'?') {
                    self.chars.next();
                    (self.chars.next()? == ':').then_some(())?;
                    None
                } else {
                    self.groups += 1;
                    Some(self.groups)
                };
                let alternatives = self.alternatives()?;
                (self.chars.next()? == ')').then_some(())?;
                Some(Node::Group {
                    capture,
                    alternatives,
                })
            }
            '[' => {
                let negated = self.chars.peek() == Some(&'^');
                if negated {
                    self.chars.next();
                }
                let mut items = Vec::new();
                loop {
                    let c = match self.chars.next()? {
                        ']' => break,
                        '\\' => self.escaped()?,
                        c => c,
                    };
                    if self.chars.peek() == Some(&'-') {
                        self.chars.next();
                        let hi = match self.chars.next()? {
                            '\\' => self.escaped()?,
                            hi => hi,
                        };
                        items.push(ClassItem::Range(c, hi));
                    } else {
                        items.push(ClassItem::Single(c));
                    }
                }
                Some(Node::Class { negated, items })
            }
            c => Some(Node::Char(c)),
        }
    }
}

fn fold(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn class_matches(negated: bool, items: &[ClassItem], c: char) -> bool {
    let candidates = [c, fold(c), c.to_uppercase().next().unwrap_or(c)];
    let hit = items.iter().any(|item| match item {
        ClassItem::Single(s) => candidates.iter().any(|x| fold(*x) == fold(*s)),
        ClassItem::Range(lo, hi) => candidates.iter().any(|x| (*lo..=*hi).contains(x)),
    });
    hit != negated
}

type Caps = Vec<Option<(usize, usize)>>;

impl Regex {
    pub(super) fn new(pattern: &str) -> Option<Regex> {
        let mut parser = Parser {
            chars: pattern.chars().peekable(),
            groups: 0,
        };
        let alternatives = parser.alternatives()?;
        if parser.chars.next().is_some() {
            return None;
        }
        Some(Regex {
            alternatives,
            groups: parser.groups,
        })
    }

    /// The leftmost match in `text`, like `RegExp.prototype.exec` without the `g` flag.
    pub(super) fn find(&self, text: &[char]) -> Option<Match> {
        for start in 0..=text.len() {
            let mut caps: Caps = vec![None; self.groups + 1];
            let mut end = None;
            let matched = alts(&self.alternatives, text, start, &mut caps, &mut |pos, _| {
                end = Some(pos);
                true
            });
            if matched {
                let end = end?;
                return Some(Match {
                    start,
                    end,
                    groups: caps[1..].to_vec(),
                });
            }
        }
        None
    }

    #[cfg(test)]
    pub(super) fn is_match(&self, text: &[char]) -> bool {
        self.find(text).is_some()
    }
}

type Cont<'k> = dyn FnMut(usize, &mut Caps) -> bool + 'k;

fn alts(
    alternatives: &[Vec<Piece>],
    text: &[char],
    pos: usize,
    caps: &mut Caps,
    k: &mut Cont<'_>,
) -> bool {
    for alt in alternatives {
        let saved = caps.clone();
        if seq(alt, text, pos, caps, k) {
            return true;
        }
        *caps = saved;
    }
    false
}

fn seq(pieces: &[Piece], text: &[char], pos: usize, caps: &mut Caps, k: &mut Cont<'_>) -> bool {
    let Some((first, rest)) = pieces.split_first() else {
        return k(pos, caps);
    };
    let mut next = |p: usize, c: &mut Caps| seq(rest, text, p, c, k);
    if node(&first.node, text, pos, caps, &mut next) {
        return true;
    }
    // `?` is greedy: the empty alternative is tried after the node itself.
    first.optional && seq(rest, text, pos, caps, k)
}

fn node(n: &Node, text: &[char], pos: usize, caps: &mut Caps, k: &mut Cont<'_>) -> bool {
    match n {
        Node::Char(c) => text.get(pos).is_some_and(|t| fold(*t) == fold(*c)) && k(pos + 1, caps),
        Node::Class { negated, items } => {
            text.get(pos)
                .is_some_and(|t| class_matches(*negated, items, *t))
                && k(pos + 1, caps)
        }
        Node::Start => pos == 0 && k(pos, caps),
        Node::End => pos == text.len() && k(pos, caps),
        Node::WordBoundary => {
            let before = pos > 0 && text.get(pos - 1).is_some_and(|c| is_word(*c));
            let after = text.get(pos).is_some_and(|c| is_word(*c));
            before != after && k(pos, caps)
        }
        Node::Group {
            capture,
            alternatives,
        } => {
            let capture = *capture;
            alts(alternatives, text, pos, caps, &mut |end, c: &mut Caps| {
                let saved = capture.and_then(|i| c.get(i).copied().flatten());
                if let Some(slot) = capture.and_then(|i| c.get_mut(i)) {
                    *slot = Some((pos, end));
                }
                if k(end, c) {
                    return true;
                }
                if let Some(slot) = capture.and_then(|i| c.get_mut(i)) {
                    *slot = saved;
                }
                false
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn leftmost_suffix_match_with_groups() {
        let re = Regex::new("([^aeiouy]|qu)y$").expect("pattern");
        let m = re.find(&chars("soliloquy")).expect("match");
        assert_eq!((m.start, m.end), (6, 9));
        assert_eq!(m.groups[0], Some((6, 8)));
    }

    #[test]
    fn optional_and_boundary() {
        let re = Regex::new("s?$").expect("pattern");
        let m = re.find(&chars("Todo")).expect("match");
        assert_eq!((m.start, m.end), (4, 4));
        let re = Regex::new("\\b((?:tit)?m|l)(?:ice|ouse)$").expect("pattern");
        assert!(re.is_match(&chars("mouse")));
        assert!(!re.is_match(&chars("Dormouse")));
        let re = Regex::new("[^\\u0000-\\u007F]$").expect("pattern");
        assert!(re.is_match(&chars("café")));
        assert!(!re.is_match(&chars("cafe")));
    }

    #[test]
    fn case_insensitive_classes() {
        let re = Regex::new("(x|ch|ss|sh|zz)$").expect("pattern");
        assert!(re.is_match(&chars("BOX")));
        let re = Regex::new("pok[eé]mon$").expect("pattern");
        assert!(re.is_match(&chars("POKÉMON")));
    }
}
