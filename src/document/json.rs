//! The JSON front end. serde_json decides what is valid JSON (RFC 8259: no
//! trailing commas, no comments, strings with their escapes), skimming the
//! text without building anything (and without recursing); a scan of the
//! text it accepted then feeds the builder, iteratively, with exact spans,
//! under the depth limit. Strings are double
//! quoted scalars (escapes decoded by serde_json), numbers and literals are
//! plain scalars, which the YAML 1.2 core schema reads as JSON does.

use serde::de::IgnoredAny;

use super::build::Builder;
use super::{ErrorKind, Limits, ParseError, ScalarStyle, Stream, Style};
use crate::source::SourceMap;

pub(super) fn parse(text: &str, limits: &Limits) -> Stream {
    if let Err(e) = serde_json::from_str::<IgnoredAny>(text) {
        let at = SourceMap::new(text).offset_of(e.line(), e.column());
        let message = strip_position(&e.to_string());
        let kind = if message.contains("recursion limit") { ErrorKind::Depth } else { ErrorKind::Syntax };
        return Stream { documents: Vec::new(), error: Some(ParseError { kind, span: at..at, message }) };
    }
    match scan(text, limits) {
        Ok(document) => Stream { documents: vec![document], error: None },
        Err(error) => Stream { documents: Vec::new(), error: Some(error) },
    }
}

/// serde_json appends " at line L column C"; the error carries a span instead.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Walks valid JSON text into a document.
fn scan(text: &str, limits: &Limits) -> Result<super::Document, ParseError> {
    let bytes = text.as_bytes();
    let mut builder = Builder::new(text, limits, 0, text.len() / 12);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' | b':' => i += 1,
            open @ (b'{' | b'[') => {
                builder.open(i..i + 1, open == b'{', Style::Flow, None, 0)?;
                i += 1;
            }
            b'}' | b']' => {
                i += 1;
                builder.close(i);
            }
            b'"' => {
                let start = i;
                i = string_end(bytes, i);
                let raw = &text[start..i];
                let value = if raw.contains('\\') {
                    serde_json::from_str::<String>(raw).unwrap_or_else(|_| raw.to_owned())
                } else {
                    raw[1..raw.len() - 1].to_owned()
                };
                builder.scalar(start..i, ScalarStyle::DoubleQuoted, value, None, 0)?;
            }
            _ => {
                // A number or literal: runs until a delimiter.
                let start = i;
                while i < bytes.len() && !matches!(bytes[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    i += 1;
                }
                builder.scalar(start..i, ScalarStyle::Plain, text[start..i].to_owned(), None, 0)?;
            }
        }
    }
    Ok(builder.finish())
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
