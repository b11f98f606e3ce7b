//! Value paths: `settings.log_level`, `schedules[2].enabled`, `a."key.with.dots"`,
//! and `schedules[skill_name=backup-database].retry_count`, which selects a
//! list item by the value of one of its keys, so that the path names the same
//! item however the list is reordered or grows.

use super::EditError;

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A mapping key, compared with the key's scalar value (quoted or not).
    Key(String),
    /// A list index, from 0.
    Index(usize),
    /// The first item of a list that is a mapping whose `key` holds the
    /// scalar `value` (compared with the scalar's content, quoted or not).
    Select { key: String, value: String },
}

impl std::fmt::Display for Segment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Segment::Key(key) if is_bare(key) => write!(f, "{key}"),
            Segment::Key(key) => write!(f, "{key:?}"),
            Segment::Index(i) => write!(f, "[{i}]"),
            Segment::Select { key, value } => {
                let quote = |s: &str| if is_bare(s) { s.to_owned() } else { format!("{s:?}") };
                write!(f, "[{}={}]", quote(key), quote(value))
            }
        }
    }
}

/// A key that needs no quotes in a path.
pub(crate) fn is_bare(key: &str) -> bool {
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
/// with `\"` and `\\` escapes; `[N]` indexes a list; `[KEY=VALUE]` selects
/// the list item whose KEY is VALUE (either side quoted like a key when it
/// holds `=`, `]` or `"`).
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
                segments.push(bracket(&mut chars).map_err(bad)?);
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

/// What follows a `[`, up to its `]`: an index or a selection.
fn bracket(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<Segment, &'static str> {
    const SHAPE: &str = "write `[N]` or `[KEY=VALUE]`";
    let key = word(chars, &['=', ']'])?;
    match chars.next() {
        Some(']') => key
            .filter(|(_, quoted)| !quoted)
            .and_then(|(digits, _)| digits.trim().parse().ok())
            .map(Segment::Index)
            .ok_or("a list index is a number in `[ ]`; to select an item write `[KEY=VALUE]`"),
        Some('=') => {
            let (key, _) = key.ok_or(SHAPE)?;
            let (value, _) = word(chars, &[']'])?.ok_or(SHAPE)?;
            match chars.next() {
                Some(']') => Ok(Segment::Select { key, value }),
                _ => Err(SHAPE),
            }
        }
        _ => Err("unterminated `[`"),
    }
}

/// A bare or double-quoted word ending before one of `ends`; whether it
/// was quoted. `None` when empty.
fn word(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    ends: &[char],
) -> Result<Option<(String, bool)>, &'static str> {
    let mut out = String::new();
    if chars.peek() == Some(&'"') {
        chars.next();
        loop {
            match chars.next().ok_or("unterminated quoted word")? {
                '\\' => out.push(chars.next().ok_or("unterminated quoted word")?),
                '"' => return Ok(Some((out, true))),
                c => out.push(c),
            }
        }
    }
    while let Some(&c) = chars.peek() {
        if ends.contains(&c) {
            break;
        }
        if c == '"' || c == '[' {
            return Err("quote a word holding `\"`, `[`, `=` or `]`");
        }
        out.push(c);
        chars.next();
    }
    Ok((!out.is_empty()).then_some((out, false)))
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
        for bad in ["a.", "a..b", "a[x]", "a[1]b", r#"a."b"#, "a]", "a[1", "a[=b]", "a[k=]", "a[k=b", r#"a["1"]"#] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(display(&parse(r#"s[2].enabled."a.b""#).unwrap()), r#"s[2].enabled."a.b""#);
    }

    #[test]
    fn selections() {
        let select = |key: &str, value: &str| Segment::Select { key: key.into(), value: value.into() };
        assert_eq!(
            parse("schedules[skill_name=backup-database].retry_count").unwrap(),
            [key("schedules"), select("skill_name", "backup-database"), key("retry_count")]
        );
        assert_eq!(parse(r#"a["k.1"="x]y"][ 3 ]"#).unwrap(), [key("a"), select("k.1", "x]y"), Segment::Index(3)]);
        assert_eq!(parse("[id=31]").unwrap(), [select("id", "31")]);
        let path = r#"s[skill_name=backup-database].t["a b"="c]d"]"#;
        assert_eq!(display(&parse(path).unwrap()), path);
    }
}
