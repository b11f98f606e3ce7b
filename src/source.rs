//! Positions in source text: byte offsets, 1-based lines and character columns,
//! shared by the validator, the structural merge and the value editor.
//!
//! The YAML parser reports positions in characters while diagnostics and miette
//! spans need byte offsets, and readers need 1-based line and column numbers.
//! [`SourceMap`] answers both in O(log n) without keeping a per-character table:
//! ASCII text (the common case) needs no table at all, other text keeps one
//! checkpoint every [`CHECKPOINT`] characters.

use std::cell::OnceCell;

const CHECKPOINT: usize = 64;

/// Line starts and char→byte checkpoints for one text.
#[derive(Debug)]
pub(crate) struct SourceMap<'a> {
    text: &'a str,
    /// Found on first use: most texts are valid and never need a line number.
    line_starts: OnceCell<Vec<usize>>,
    /// Empty when the text is ASCII, where char index == byte offset.
    checkpoints: Vec<usize>,
}

impl<'a> SourceMap<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let checkpoints = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices().step_by(CHECKPOINT).map(|(i, _)| i).collect()
        };
        SourceMap { text, line_starts: OnceCell::new(), checkpoints }
    }

    /// Byte offset of the character with index `chars` (clamped to the end).
    pub(crate) fn byte_of_char(&self, chars: usize) -> usize {
        if self.checkpoints.is_empty() {
            return chars.min(self.text.len());
        }
        let Some(&base) = self.checkpoints.get(chars / CHECKPOINT) else {
            return self.text.len();
        };
        self.text[base..].char_indices().nth(chars % CHECKPOINT).map_or(self.text.len(), |(i, _)| base + i)
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub(crate) fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = self.floor_char_boundary(offset.min(self.text.len()));
        let line_starts = self.line_starts();
        let line = line_starts.partition_point(|&start| start <= offset);
        let start = line_starts[line - 1];
        // Not a count over the line: a one-line file with many findings would be quadratic.
        (line, self.char_index(offset) - self.char_index(start) + 1)
    }

    /// How many characters come before the byte `offset` (a char boundary).
    fn char_index(&self, offset: usize) -> usize {
        if self.checkpoints.is_empty() {
            return offset;
        }
        let checkpoint = self.checkpoints.partition_point(|&at| at <= offset) - 1;
        checkpoint * CHECKPOINT + self.text[self.checkpoints[checkpoint]..offset].chars().count()
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(self.text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1));
            starts
        })
    }

    /// Byte offset of a 1-based line and column (in characters), clamped to the text.
    pub(crate) fn offset_of(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts().get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        self.text[start..].char_indices().nth(column.saturating_sub(1)).map_or(self.text.len(), |(i, _)| start + i)
    }

    fn floor_char_boundary(&self, mut offset: usize) -> usize {
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_positions() {
        let map = SourceMap::new("ab\ncd\n");
        assert_eq!(map.line_column(0), (1, 1));
        assert_eq!(map.line_column(3), (2, 1));
        assert_eq!(map.line_column(4), (2, 2));
        assert_eq!(map.line_column(6), (3, 1));
        assert_eq!(map.byte_of_char(4), 4);
        assert_eq!(map.offset_of(2, 2), 4);
    }

    #[test]
    fn non_ascii_columns_count_characters() {
        let text = "é: ü\n".repeat(100);
        let map = SourceMap::new(&text);
        // Each line is 4 chars + newline = 5 chars, 7 bytes.
        let char_index = 5 * 70 + 3;
        let byte = map.byte_of_char(char_index);
        assert_eq!(&text[byte..byte + 2], "ü");
        assert_eq!(map.line_column(byte), (71, 4));
        assert_eq!(map.offset_of(71, 4), byte);
    }

    proptest::proptest! {
        #[test]
        fn positions_agree_with_counting(text in "(a|é|\n|😀|\t){0,300}") {
            let map = SourceMap::new(&text);
            for (chars, (byte, _)) in text.char_indices().enumerate() {
                let before = &text[..byte];
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().unwrap().chars().count() + 1;
                proptest::prop_assert_eq!(map.line_column(byte), (line, column));
                proptest::prop_assert_eq!(map.byte_of_char(chars), byte);
                proptest::prop_assert_eq!(map.offset_of(line, column), byte);
            }
        }
    }
}
