//! Positions: byte offsets → line/column, and generated (QuickJS) positions → the user's
//! original TypeScript positions through the oxc source map.
//!
//! Conventions: every public line/column here is 1-based. Columns are counted in UTF-16 code
//! units (what TypeScript and editors report); QuickJS reports byte columns, which
//! [`PositionMap::original`] converts first.

/// Line starts of a source text, for offset → (line, column) conversion.
#[derive(Debug, Clone)]
pub struct LineIndex {
    text: std::rc::Rc<str>,
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
            }
        }
        Self {
            text: text.into(),
            starts,
        }
    }

    /// 1-based (line, UTF-16 column) of a byte offset.
    pub fn position(&self, offset: u32) -> (u32, u32) {
        let offset = (offset as usize).min(self.text.len());
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts[line];
        let prefix = self.text.get(start..offset).unwrap_or("");
        let col = prefix.encode_utf16().count();
        (to_u32(line) + 1, to_u32(col) + 1)
    }

    /// The source text between two byte offsets (empty when out of range).
    pub fn text(&self, start: u32, end: u32) -> &str {
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    /// Convert a 1-based byte column on a 1-based line into a 0-based UTF-16 column.
    fn utf16_col(&self, line: u32, byte_col: u32) -> u32 {
        let Some(&start) = self.starts.get(line.saturating_sub(1) as usize) else {
            return byte_col.saturating_sub(1);
        };
        let end = self
            .starts
            .get(line as usize)
            .copied()
            .unwrap_or(self.text.len());
        let line_text = self.text.get(start..end).unwrap_or("");
        let want = byte_col.saturating_sub(1) as usize;
        let mut bytes = 0usize;
        let mut units = 0u32;
        for ch in line_text.chars() {
            if bytes >= want {
                break;
            }
            bytes += ch.len_utf8();
            units += to_u32(ch.len_utf16());
        }
        units
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One mapping: generated column (0-based UTF-16) → original (0-based line, UTF-16 column).
#[derive(Debug, Clone, Copy)]
struct Mapping {
    dst_col: u32,
    src_line: u32,
    src_col: u32,
}

/// Generated → original position table for one transpiled module.
#[derive(Debug, Clone, Default)]
pub struct PositionMap {
    /// Mappings per generated line (0-based), sorted by generated column.
    lines: Vec<Vec<Mapping>>,
    generated: Option<LineIndex>,
}

impl PositionMap {
    /// Build from `(dst_line, dst_col, src_line, src_col)` tokens (all 0-based).
    pub fn from_tokens(tokens: impl Iterator<Item = (u32, u32, u32, u32)>) -> Self {
        let mut lines: Vec<Vec<Mapping>> = Vec::new();
        for (dst_line, dst_col, src_line, src_col) in tokens {
            let idx = dst_line as usize;
            if lines.len() <= idx {
                lines.resize_with(idx + 1, Vec::new);
            }
            lines[idx].push(Mapping {
                dst_col,
                src_line,
                src_col,
            });
        }
        for line in &mut lines {
            line.sort_by_key(|m| m.dst_col);
        }
        Self {
            lines,
            generated: None,
        }
    }

    /// Attach the generated code, so byte columns from QuickJS can be converted exactly.
    pub fn with_generated(mut self, code: &str) -> Self {
        self.generated = Some(LineIndex::new(code));
        self
    }

    /// Map a 1-based generated position (QuickJS: byte column) to a 1-based original position.
    /// Without a mapping on that line, the closest mapping on an earlier line is used.
    pub fn original(&self, line: u32, byte_col: u32) -> Option<(u32, u32)> {
        if line == 0 {
            return None;
        }
        let col = match &self.generated {
            Some(index) => index.utf16_col(line, byte_col),
            None => byte_col.saturating_sub(1),
        };
        let line_idx = (line - 1) as usize;
        if let Some(mappings) = self.lines.get(line_idx).filter(|m| !m.is_empty()) {
            let pos = mappings.partition_point(|m| m.dst_col <= col);
            let m = if pos == 0 {
                mappings[0]
            } else {
                mappings[pos - 1]
            };
            return Some((m.src_line + 1, m.src_col + 1));
        }
        // Fall back to the last mapping of a previous line.
        self.lines[..line_idx.min(self.lines.len())]
            .iter()
            .rev()
            .find_map(|m| m.last())
            .map(|m| (m.src_line + 1, m.src_col + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_utf16_columns() {
        let idx = LineIndex::new("ab\nc€d\n");
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.position(3), (2, 1));
        // '€' is 3 bytes but one UTF-16 unit: 'd' is at byte 7, column 3.
        assert_eq!(idx.position(7), (2, 3));
    }

    #[test]
    fn map_picks_greatest_lower_mapping() {
        let map =
            PositionMap::from_tokens([(0, 0, 4, 0), (0, 10, 4, 12), (2, 2, 9, 3)].into_iter());
        assert_eq!(map.original(1, 1), Some((5, 1)));
        assert_eq!(map.original(1, 12), Some((5, 13)));
        assert_eq!(map.original(1, 11), Some((5, 13)));
        // Line 2 has no mapping: falls back to the previous line's last mapping.
        assert_eq!(map.original(2, 5), Some((5, 13)));
        assert_eq!(map.original(3, 3), Some((10, 4)));
    }
}
