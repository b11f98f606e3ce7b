//! JSON → value + spans, with duplicate keys rejected.
//!
//! serde_json decides what is valid JSON (and bounds nesting at its recursion
//! limit of 128, so hostile depth is an error, not a crash). It keeps the last
//! of two duplicate keys silently and records no positions, so a second,
//! iterative pass over the now known-valid text records the span of every node
//! and reports duplicate keys with both positions.

use std::borrow::Cow;
use std::ops::Range;

use super::document::{Document, Spans, SpansBuilder, append_token};
use super::{Finding, Limits};
use crate::source::SourceMap;

/// Parses one JSON text; `Err` holds the findings when there is no document.
pub(crate) fn parse(text: &str, map: &SourceMap<'_>, limits: &Limits) -> (Option<Document>, Vec<Finding>) {
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(e) => {
            let at = map.offset_of(e.line(), e.column());
            let message = strip_position(&e.to_string());
            let rule = if message.contains("recursion limit") { "depth" } else { "syntax" };
            return (None, vec![Finding::error(at..at, String::new(), rule, message)]);
        }
    };
    let (spans, findings) = scan(text, map, limits);
    if findings.iter().any(|f| f.rule == "depth") {
        return (None, findings);
    }
    (Some(Document { value, spans }), findings)
}

/// serde_json appends " at line L column C"; the diagnostic carries those apart.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

enum Container<'t> {
    /// `key`: the key waiting for its value, and its span.
    Object {
        key: Option<(Cow<'t, str>, Range<usize>)>,
    },
    Array {
        index: usize,
    },
}

impl Container<'_> {
    /// Appends the token of the child being read.
    fn append_child_token(&self, pointer: &mut String) {
        match self {
            Container::Array { index } => append_token(pointer, &index.to_string()),
            Container::Object { key } => append_token(pointer, key.as_ref().map_or("", |(key, _)| key)),
        }
    }
}

/// The JSON pointer of the value being read inside `stack`. Built only for
/// findings.
fn pointer(stack: &[Container<'_>]) -> String {
    let mut pointer = String::new();
    for container in stack {
        container.append_child_token(&mut pointer);
    }
    pointer
}

/// Walks valid JSON text, recording spans and duplicate keys.
fn scan(text: &str, map: &SourceMap<'_>, limits: &Limits) -> (Spans, Vec<Finding>) {
    let bytes = text.as_bytes();
    let mut spans = SpansBuilder::default();
    let mut findings = Vec::new();
    let mut stack: Vec<Container<'_>> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b',' | b':' => i += 1,
            b'{' | b'[' => {
                if stack.len() >= limits.max_depth {
                    findings.push(Finding::error(
                        i..i + 1,
                        pointer(&stack),
                        "depth",
                        format!("nesting is deeper than {} levels", limits.max_depth),
                    ));
                    return (spans.finish(), findings);
                }
                spans.open(key_of(&stack), i, b == b'{');
                stack.push(if b == b'{' { Container::Object { key: None } } else { Container::Array { index: 0 } });
                i += 1;
            }
            b'}' | b']' => {
                if stack.pop().is_none() {
                    break;
                }
                i += 1;
                let duplicates = spans.close(i);
                if !duplicates.is_empty() {
                    let at = pointer(&stack);
                    findings.extend(duplicates.into_iter().map(|duplicate| duplicate.finding(&at, map)));
                }
                value_done(&mut stack);
            }
            b'"' => {
                let start = i;
                i = string_end(bytes, i);
                if let Some(Container::Object { key: pending @ None }) = stack.last_mut() {
                    let raw = &text[start..i];
                    let key = if raw.contains('\\') {
                        Cow::Owned(serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.to_owned()))
                    } else {
                        Cow::Borrowed(&raw[1..raw.len() - 1])
                    };
                    *pending = Some((key, start..i));
                } else {
                    spans.leaf(key_of(&stack), start..i);
                    value_done(&mut stack);
                }
            }
            _ => {
                // A number or literal: runs until a delimiter.
                let start = i;
                while i < bytes.len() && !matches!(bytes[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    i += 1;
                }
                spans.leaf(key_of(&stack), start..i);
                value_done(&mut stack);
            }
        }
    }
    (spans.finish(), findings)
}

/// The key of the value being read, when it is in an object.
fn key_of<'s>(stack: &'s [Container<'_>]) -> Option<(&'s str, Range<usize>)> {
    match stack.last() {
        Some(Container::Object { key: Some((key, span)) }) => Some((key, span.clone())),
        _ => None,
    }
}

/// A value ended: its parent moves on to the next index or key.
fn value_done(stack: &mut [Container<'_>]) {
    match stack.last_mut() {
        Some(Container::Array { index }) => *index += 1,
        Some(Container::Object { key }) => *key = None,
        None => {}
    }
}

/// The index just past the string starting at `start` (an opening quote).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> (Option<Document>, Vec<Finding>) {
        let map = SourceMap::new(text);
        parse(text, &map, &Limits::default())
    }

    #[test]
    fn spans_by_pointer() {
        let text = "{\n  \"a\": [1, {\"b\": \"x\"}],\n  \"c/d\": null\n}\n";
        let (doc, findings) = parse_str(text);
        assert!(findings.is_empty());
        let doc = doc.unwrap();
        let b = doc.spans.get("/a/1/b").unwrap();
        assert_eq!(&text[b.value.clone()], "\"x\"");
        assert_eq!(&text[b.key.clone().unwrap()], "\"b\"");
        let cd = doc.spans.get("/c~1d").unwrap();
        assert_eq!(&text[cd.value.clone()], "null");
        assert_eq!(&text[doc.spans.get("/a").unwrap().value.clone()], "[1, {\"b\": \"x\"}]");
        assert_eq!(&text[doc.spans.get("/a/0").unwrap().value.clone()], "1");
    }

    #[test]
    fn duplicate_keys_at_depth() {
        let text = "{\"a\": {\"k\": 1,\n \"k\": 2}, \"a\\u0062\": 1, \"ab\": 2}";
        let (_, findings) = parse_str(text);
        let rules: Vec<_> = findings.iter().map(|f| (f.rule.as_str(), f.pointer.as_str())).collect();
        assert_eq!(rules, [("duplicate-key", "/a/k"), ("duplicate-key", "/ab")]);
        assert!(findings[0].message.contains("first defined at line 1, column 8"), "{}", findings[0].message);
        assert_eq!(&text[findings[0].span.clone()], "\"k\"");
    }

    #[test]
    fn syntax_errors_carry_position() {
        let (doc, findings) = parse_str("{\n  \"a\": 1,\n}\n");
        assert!(doc.is_none());
        assert_eq!(findings[0].rule, "syntax");
        assert_eq!(findings[0].span.start, 12);
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let text = "[".repeat(100_000) + &"]".repeat(100_000);
        let (doc, findings) = parse_str(&text);
        assert!(doc.is_none());
        assert_eq!(findings[0].rule, "depth");
    }
}
