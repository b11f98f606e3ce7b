//! JSON → value + spans, with duplicate keys rejected.
//!
//! serde_json decides what is valid JSON (and bounds nesting at its recursion
//! limit of 128, so hostile depth is an error, not a crash). It keeps the last
//! of two duplicate keys silently and records no positions, so a second,
//! iterative pass over the now known-valid text records the span of every node
//! by JSON pointer and reports duplicate keys with both positions.

use std::collections::HashSet;
use std::ops::Range;

use super::document::{Document, NodeSpan, SpanMap, push_token};
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

enum Container {
    Object { pointer: String, start: usize, keys: HashSet<String>, key: Option<(String, Range<usize>)> },
    Array { pointer: String, start: usize, index: usize },
}

/// Walks valid JSON text, recording spans and duplicate keys.
fn scan(text: &str, map: &SourceMap<'_>, limits: &Limits) -> (SpanMap, Vec<Finding>) {
    let bytes = text.as_bytes();
    let mut spans = SpanMap::default();
    let mut findings = Vec::new();
    let mut stack: Vec<Container> = Vec::new();
    // The key span waiting for its value, when inside an object.
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b',' | b':' => i += 1,
            b'{' | b'[' => {
                let pointer = next_pointer(&stack);
                if stack.len() >= limits.max_depth {
                    findings.push(Finding::error(
                        i..i + 1,
                        pointer,
                        "depth",
                        format!("nesting is deeper than {} levels", limits.max_depth),
                    ));
                    return (spans, findings);
                }
                stack.push(if b == b'{' {
                    Container::Object { pointer, start: i, keys: HashSet::new(), key: None }
                } else {
                    Container::Array { pointer, start: i, index: 0 }
                });
                i += 1;
            }
            b'}' | b']' => {
                let (pointer, start) = match stack.pop() {
                    Some(Container::Object { pointer, start, .. } | Container::Array { pointer, start, .. }) => {
                        (pointer, start)
                    }
                    None => return (spans, findings),
                };
                i += 1;
                finish_value(&mut stack, &mut spans, pointer, start..i);
            }
            b'"' => {
                let start = i;
                i = string_end(bytes, i);
                let expecting_key = matches!(stack.last(), Some(Container::Object { key: None, .. }));
                if expecting_key {
                    let raw = &text[start..i];
                    let key = if raw.contains('\\') {
                        serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.to_owned())
                    } else {
                        raw[1..raw.len() - 1].to_owned()
                    };
                    if let Some(Container::Object { pointer, keys, key: pending, .. }) = stack.last_mut() {
                        let child = push_token(pointer, &key);
                        if !keys.insert(key.clone()) {
                            let message = match spans.get(&child).and_then(|s| s.key.clone()) {
                                Some(first) => {
                                    let (line, column) = map.line_column(first.start);
                                    format!("duplicate key `{key}` (first defined at line {line}, column {column})")
                                }
                                None => format!("duplicate key `{key}`"),
                            };
                            findings.push(Finding::error(start..i, child, "duplicate-key", message));
                        }
                        *pending = Some((key, start..i));
                    }
                } else {
                    let pointer = next_pointer(&stack);
                    finish_value(&mut stack, &mut spans, pointer, start..i);
                }
            }
            _ => {
                // A number or literal: runs until a delimiter.
                let start = i;
                while i < bytes.len() && !matches!(bytes[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    i += 1;
                }
                let pointer = next_pointer(&stack);
                finish_value(&mut stack, &mut spans, pointer, start..i);
            }
        }
    }
    (spans, findings)
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

fn next_pointer(stack: &[Container]) -> String {
    match stack.last() {
        None => String::new(),
        Some(Container::Array { pointer, index, .. }) => push_token(pointer, &index.to_string()),
        Some(Container::Object { pointer, key, .. }) => {
            push_token(pointer, key.as_ref().map_or("", |(key, _)| key.as_str()))
        }
    }
}

/// Records a finished value and advances its parent.
fn finish_value(stack: &mut [Container], spans: &mut SpanMap, pointer: String, value: Range<usize>) {
    let key = match stack.last_mut() {
        Some(Container::Array { index, .. }) => {
            *index += 1;
            None
        }
        Some(Container::Object { key, .. }) => key.take().map(|(_, span)| span),
        None => None,
    };
    spans.insert(pointer, NodeSpan { key, value });
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
