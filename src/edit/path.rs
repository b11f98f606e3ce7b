//! Value paths: `settings.log_level`, `schedules[2].enabled`, `a."key.with.dots"`.

use super::EditError;

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A mapping key, compared with the key's scalar value (quoted or not).
    Key(String),
    /// A list index, from 0.
    Index(usize),
}

impl std::fmt::Display for Segment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Segment::Key(key) if is_bare(key) => write!(f, "{key}"),
            Segment::Key(key) => write!(f, "{key:?}"),
            Segment::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// A key that needs no quotes in a path.
fn is_bare(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '/' | '@' | '$'))
}

/// Writes segments back as a path, for messages.
pub(crate) fn display(segments: &[Segment]) -> String {
    let mut out = String::new();
    for segment in segments {
        if matches!(segment, Segment::Key(_)) && !out.is_empty() {
            out.push('.');
        }
        out.push_str(&segment.to_string());
    }
    if out.is_empty() { ".".into() } else { out }
}

/// Parses a path. `""` and `"."` are the document itself. Keys are separated
/// by `.`; a key holding `.`, `[`, `"` or spaces is written in double quotes
/// with `\"` and `\\` escapes; `[N]` indexes a list.
pub fn parse(path: &str) -> Result<Vec<Segment>, EditError> {
    let bad = |reason: &str| EditError::BadPath { path: path.to_owned(), reason: reason.to_owned() };
    if path == "." || path.is_empty() {
        return Ok(Vec::new());
    }
    let mut segments = Vec::new();
    let mut chars = path.chars().peekable();
    let mut expect_key = true;
    while let Some(&c) = chars.peek() {
        match c {
            '[' => {
                chars.next();
                let mut digits = String::new();
                while let Some(&d) = chars.peek() {
                    chars.next();
                    if d == ']' {
                        break;
                    }
                    digits.push(d);
                }
                let index = digits.trim().parse().map_err(|_| bad("a list index is a number in `[ ]`"))?;
                segments.push(Segment::Index(index));
                expect_key = false;
            }
            '.' if !expect_key => {
                chars.next();
                expect_key = true;
            }
            '"' if expect_key => {
                chars.next();
                let mut key = String::new();
                loop {
                    match chars.next().ok_or_else(|| bad("unterminated quoted key"))? {
                        '\\' => key.push(chars.next().ok_or_else(|| bad("unterminated quoted key"))?),
                        '"' => break,
                        c => key.push(c),
                    }
                }
                segments.push(Segment::Key(key));
                expect_key = false;
            }
            _ if expect_key => {
                let mut key = String::new();
                while let Some(&c) = chars.peek() {
                    if c == '.' || c == '[' {
                        break;
                    }
                    if c == '"' || c == ']' {
                        return Err(bad("quote a key holding `\"` or `]`"));
                    }
                    key.push(c);
                    chars.next();
                }
                if key.is_empty() {
                    return Err(bad("empty key"));
                }
                segments.push(Segment::Key(key));
                expect_key = false;
            }
            _ => return Err(bad("expected `.` or `[` after a key")),
        }
    }
    if expect_key {
        return Err(bad("the path ends with `.`"));
    }
    Ok(segments)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Segment {
        Segment::Key(k.into())
    }

    #[test]
    fn paths() {
        assert_eq!(parse("settings.log_level").unwrap(), [key("settings"), key("log_level")]);
        assert_eq!(parse("schedules[2].enabled").unwrap(), [key("schedules"), Segment::Index(2), key("enabled")]);
        assert_eq!(parse("[0][1]").unwrap(), [Segment::Index(0), Segment::Index(1)]);
        assert_eq!(parse(r#"a."b.c"."x\"y""#).unwrap(), [key("a"), key("b.c"), key("x\"y")]);
        assert_eq!(parse(".").unwrap(), []);
        for bad in ["a.", "a..b", "a[x]", "a[1]b", r#"a."b"#, "a]"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(display(&parse(r#"s[2].enabled."a.b""#).unwrap()), r#"s[2].enabled."a.b""#);
    }
}
