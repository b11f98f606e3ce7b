//! Line arithmetic on source text, shared by the tree builder, the value
//! editor and the structural merge: where a line starts and ends, its
//! indentation, the `-` or `?` that introduces a block item, comments.
//!
//! Lines end at `\n`; a `\r` before it is trailing whitespace, so CRLF text
//! needs no special case. Every function takes byte offsets on char
//! boundaries and returns offsets on char boundaries.

/// The start of the line holding `at`.
pub fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The offset of the `\n` ending the line holding `at`, or the end of the text.
pub fn line_break(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i)
}

/// Just past the `\n` ending the line holding `at` (the next line's start),
/// or the end of the text.
pub fn next_line(text: &str, at: usize) -> usize {
    (line_break(text, at) + 1).min(text.len())
}

/// Just past the line break ending the line that holds content ending at
/// `end`; content that already ends at a line start (nothing but blanks
/// between the line start and `end`) ends there.
pub fn own_end(text: &str, end: usize) -> usize {
    let line = line_start(text, end);
    if line > 0 && text[line..end].trim().is_empty() {
        return line;
    }
    next_line(text, end)
}

/// How many bytes `at` is from the start of its line.
pub fn column(text: &str, at: usize) -> usize {
    at - line_start(text, at)
}

/// The whitespace that starts the line holding `at`.
pub fn indentation(text: &str, at: usize) -> &str {
    let line = line_start(text, at);
    let rest = &text[line..];
    &rest[..rest.len() - rest.trim_start_matches([' ', '\t']).len()]
}

/// Whether only spaces and tabs come before `at` on its line. Looks at
/// those only, not at the whole line: called once per collection of a
/// one-line text, a scan to the line start would be quadratic.
pub fn starts_line(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end_matches([' ', '\t']);
    before.is_empty() || before.ends_with('\n')
}

/// Whether `range` holds nothing but whitespace and YAML comments.
pub fn is_blank_or_comment(text: &str, range: std::ops::Range<usize>) -> bool {
    text[range].lines().all(|line| {
        let line = line.trim();
        line.is_empty() || line.starts_with('#')
    })
}

/// A line without the YAML comment that ends it, if any: a `#` at the start
/// or after whitespace. Only right for lines whose content holds no quoted
/// `#` (the lines this is used on hold indicators, not scalars).
pub fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    let cut = (0..bytes.len()).find(|&i| bytes[i] == b'#' && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t')));
    cut.map_or(line, |i| &line[..i])
}

/// The `indicator` (`-` of a block list item, `?` of an explicit key) that
/// introduces a node starting at `at`: on the node's line before it, or at
/// the end of a line above with only blank and comment lines between.
pub fn indicator_before(text: &str, at: usize, indicator: char) -> Option<usize> {
    // Most items follow their indicator on the same line: look at the
    // spaces before them only, never at the whole line.
    let before = text[..at].trim_end_matches([' ', '\t']);
    if let Some(rest) = before.strip_suffix(indicator)
        && (rest.is_empty() || rest.ends_with([' ', '\t', '\n']))
    {
        return Some(rest.len());
    }
    if !(before.is_empty() || before.ends_with('\n')) {
        return None;
    }
    let mut end = at;
    loop {
        let line = line_start(text, end);
        let before = strip_comment(&text[line..end]).trim_end_matches([' ', '\t', '\r']);
        if before.is_empty() {
            // Nothing before the node on this line: look at the line above.
            if line == 0 {
                return None;
            }
            end = line - 1;
            continue;
        }
        let rest = before.strip_suffix(indicator)?;
        return (rest.is_empty() || rest.ends_with([' ', '\t'])).then_some(line + rest.len());
    }
}

/// The line ending the text uses: `\r\n` when its first line break is one.
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if text[..i].ends_with('\r') => "\r\n",
        _ => "\n",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let text = "a: 1\n  b: 2 # c\n";
        assert_eq!(line_start(text, 7), 5);
        assert_eq!(line_break(text, 7), 15);
        assert_eq!(next_line(text, 7), 16);
        assert_eq!(own_end(text, 11), 16);
        assert_eq!(own_end(text, 16), 16);
        assert_eq!(column(text, 7), 2);
        assert_eq!(indentation(text, 9), "  ");
        assert!(starts_line(text, 7));
        assert!(!starts_line(text, 10));
        assert_eq!(strip_comment("b: 2 # c"), "b: 2 ");
        assert_eq!(strip_comment("b: a#b"), "b: a#b");
        assert_eq!(line_ending("a\r\nb"), "\r\n");
        assert_eq!(line_ending("a\nb\r\n"), "\n");
    }

    #[test]
    fn indicators() {
        let text = "- a\n- - b\n-   # note\n\n  # more\n  c: 1\nx-y\n";
        assert_eq!(indicator_before(text, 2, '-'), Some(0));
        assert_eq!(indicator_before(text, 8, '-'), Some(6));
        assert_eq!(indicator_before(text, 6, '-'), Some(4));
        let c = text.find("c: 1").unwrap();
        assert_eq!(indicator_before(text, c, '-'), Some(text.find("-   #").unwrap()));
        assert_eq!(indicator_before(text, text.find('y').unwrap(), '-'), None);
        assert_eq!(indicator_before("? [a]\n", 2, '?'), Some(0));
        assert_eq!(indicator_before("a\n", 0, '-'), None);
    }
}
