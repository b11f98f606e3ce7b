//! YAML 1.2 (core schema) → JSON value + spans, built from saphyr-parser events.
//!
//! Why not `saphyr::Yaml::load_from_str`: its loader recurses once per nesting
//! level (100k-deep input overflows the stack), keeps the last of two duplicate
//! keys silently, and expands aliases without a budget. Here the tree is built
//! iteratively from the event stream, so:
//!
//! * nesting depth is checked when a collection *starts*, before anything
//!   deeper is parsed, and the parser is abandoned at the first violation;
//! * every alias expansion is charged its node count against a budget before it
//!   is cloned, so a "billion laughs" document fails after bounded work and memory;
//! * duplicate keys are reported at the second key, with the first one's position.
//!
//! Scalars resolve as YAML 1.2 core schema (`yes` is a string, `0755` is 755).
//! Plain scalars that a YAML 1.1 tool would read differently get a warning.
//! Limitations: mapping keys must be scalars (JSON has no other keys); `.inf` and
//! `.nan` have no JSON form and are reported; tags other than the core ones are
//! reported; `<<` merge keys are YAML 1.1 and are plain keys here.

use std::borrow::Cow;
use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};
use serde_json::{Map, Number, Value};

use super::document::{Document, DuplicateKey, SpansBuilder, append_token, push_token};
use super::{Finding, Limits, Severity};
use crate::source::SourceMap;

/// What came out of one YAML stream.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub(crate) documents: Vec<Document>,
    pub(crate) findings: Vec<Finding>,
}

/// Parses a YAML stream. A fatal problem (syntax, depth, alias budget) stops
/// parsing and leaves `documents` with the documents completed before it.
pub(crate) fn parse(text: &str, map: &SourceMap<'_>, limits: &Limits, allow_multiple: bool) -> Parsed {
    let mut builder = Builder {
        map,
        limits,
        allow_multiple,
        stack: Vec::new(),
        anchors: std::collections::HashMap::new(),
        alias_nodes: 0,
        documents_started: 0,
        root: None,
        spans: SpansBuilder::default(),
        out: Parsed::default(),
    };
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_event() {
            None => break,
            Some(Ok((event, span))) => match builder.event(event, span) {
                Ok(Flow::Continue) => {}
                Ok(Flow::Stop) => break,
                Err(finding) => {
                    builder.out.findings.push(*finding);
                    break;
                }
            },
            Some(Err(e)) => {
                let at = map.byte_of_char(e.marker().index());
                // saphyr-parser bounds flow nesting itself; that is our depth rule too.
                let rule = if e.info().contains("recursion limit") { "depth" } else { "syntax" };
                builder.out.findings.push(Finding::error(at..at, String::new(), rule, syntax_message(e.info())));
                break;
            }
        }
    }
    builder.out
}

fn syntax_message(info: &str) -> String {
    // saphyr's messages read "while parsing X, found Y"; keep them, but make the
    // common cases name the problem first.
    if info.contains("unknown anchor") {
        format!("undefined alias: {info}")
    } else if info.contains("recursion limit") {
        "nesting is too deep (the parser's recursion limit was exceeded)".to_owned()
    } else {
        info.to_owned()
    }
}

enum Flow {
    Continue,
    Stop,
}

type Fatal = Box<Finding>;

/// A collection being built.
struct Frame {
    start: usize,
    anchor: usize,
    /// Nodes below this one, for alias accounting.
    nodes: usize,
    kind: FrameKind,
}

enum FrameKind {
    Seq(Vec<Value>),
    Map { map: Map<String, Value>, pending_key: Option<(String, Range<usize>)> },
}

impl Frame {
    /// Appends the token of the child being built: the next index, or the
    /// pending key (a mapping whose key is still being read adds nothing).
    fn append_child_token(&self, pointer: &mut String) {
        match &self.kind {
            FrameKind::Seq(items) => append_token(pointer, &items.len().to_string()),
            FrameKind::Map { pending_key: Some((key, _)), .. } => append_token(pointer, key),
            FrameKind::Map { pending_key: None, .. } => {}
        }
    }
}

/// A finished node on its way into its parent.
struct Node {
    value: Value,
    span: Range<usize>,
    /// How many nodes it stands for (itself included).
    nodes: usize,
    key: KeyText,
    /// A collection's span is recorded when it opens; a scalar's or an alias's
    /// when it is placed.
    is_collection: bool,
}

/// What a node reads as when it is a mapping key (JSON object keys are strings).
#[derive(Clone)]
enum KeyText {
    /// Not a scalar: cannot be a key.
    None,
    /// The value is the key's string.
    Value,
    /// A scalar whose value is not a string (`1:`, `true:`): its source text.
    Text(String),
}

struct Anchored {
    value: Value,
    nodes: usize,
    key: KeyText,
}

struct Builder<'m, 'a> {
    map: &'m SourceMap<'a>,
    limits: &'m Limits,
    allow_multiple: bool,
    stack: Vec<Frame>,
    anchors: std::collections::HashMap<usize, Anchored>,
    alias_nodes: usize,
    documents_started: usize,
    root: Option<Node>,
    spans: SpansBuilder,
    out: Parsed,
}

impl<'m, 'a> Builder<'m, 'a> {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<Flow, Fatal> {
        let range = self.bytes(span);
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            Event::DocumentStart(_) => {
                self.documents_started += 1;
                if self.documents_started > 1 && !self.allow_multiple {
                    let at = range.start..range.start + 3.min(range.len().max(1));
                    self.out.findings.push(Finding::error(
                        at,
                        String::new(),
                        "multiple-documents",
                        "more than one YAML document in the file".into(),
                    ));
                    return Ok(Flow::Stop);
                }
                self.anchors.clear();
            }
            Event::DocumentEnd => {
                let root = self.root.take();
                let value = root.map_or(Value::Null, |node| node.value);
                let spans = std::mem::take(&mut self.spans).finish();
                self.out.documents.push(Document { value, spans });
            }
            Event::Scalar(text, style, anchor, tag) => {
                let node = self.scalar(text, style, tag.as_deref(), range)?;
                if anchor != 0 {
                    self.remember(anchor, &node);
                }
                self.emit(node)?;
            }
            Event::Alias(id) => {
                let Some(anchored) = self.anchors.get(&id) else {
                    return Err(fatal(range, String::new(), "alias", "undefined alias".into()));
                };
                self.alias_nodes = self.alias_nodes.saturating_add(anchored.nodes);
                let budget = self.limits.max_alias_nodes;
                if self.alias_nodes > budget {
                    return Err(fatal(
                        range,
                        self.child_pointer().unwrap_or_default(),
                        "alias-budget",
                        format!("aliases expand to more than {budget} nodes (possible alias bomb)"),
                    ));
                }
                let node = Node {
                    value: anchored.value.clone(),
                    span: range,
                    nodes: anchored.nodes,
                    key: anchored.key.clone(),
                    is_collection: false,
                };
                self.emit(node)?;
            }
            Event::SequenceStart(anchor, tag) => self.start_collection(anchor, tag.as_deref(), range, false)?,
            Event::MappingStart(anchor, tag) => self.start_collection(anchor, tag.as_deref(), range, true)?,
            Event::SequenceEnd | Event::MappingEnd => {
                let frame = self.stack.pop().expect("the parser balances collection events");
                let value = match frame.kind {
                    FrameKind::Seq(items) => Value::Array(items),
                    FrameKind::Map { map, .. } => Value::Object(map),
                };
                // Block collections end where the next token starts; the
                // whitespace in between is not part of them.
                let end = range.end.max(frame.start);
                let end = frame.start + self.map.text()[frame.start..end].trim_end().len();
                let duplicates = self.spans.close(end);
                if !duplicates.is_empty() {
                    self.report_duplicates(duplicates);
                }
                let node = Node {
                    value,
                    span: frame.start..end,
                    nodes: frame.nodes + 1,
                    key: KeyText::None,
                    is_collection: true,
                };
                if frame.anchor != 0 {
                    self.remember(frame.anchor, &node);
                }
                self.emit(node)?;
            }
        }
        Ok(Flow::Continue)
    }

    fn bytes(&self, span: Span) -> Range<usize> {
        let map = self.map;
        map.byte_of_char(span.start.index())..map.byte_of_char(span.end.index())
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        let anchored = Anchored { value: node.value.clone(), nodes: node.nodes, key: node.key.clone() };
        self.anchors.insert(anchor, anchored);
    }

    /// The JSON pointer of the innermost open collection. Built only for
    /// findings: most documents never need one.
    fn collection_pointer(&self) -> String {
        let outer = &self.stack[..self.stack.len().saturating_sub(1)];
        let mut pointer = String::new();
        for frame in outer {
            frame.append_child_token(&mut pointer);
        }
        pointer
    }

    /// The pointer the next node will have, or `None` when the next node is a
    /// mapping key.
    fn child_pointer(&self) -> Option<String> {
        if let Some(Frame { kind: FrameKind::Map { pending_key: None, .. }, .. }) = self.stack.last() {
            return None;
        }
        let mut pointer = String::new();
        for frame in &self.stack {
            frame.append_child_token(&mut pointer);
        }
        Some(pointer)
    }

    fn key_pointer(&self, key: &str) -> String {
        push_token(&self.collection_pointer(), key)
    }

    fn report_duplicates(&mut self, duplicates: Vec<DuplicateKey>) {
        // The mapping has been popped: its pointer is its parent's child pointer.
        let pointer = self.child_pointer().unwrap_or_default();
        self.out.findings.extend(duplicates.into_iter().map(|duplicate| duplicate.finding(&pointer, self.map)));
    }

    fn start_collection(
        &mut self,
        anchor: usize,
        tag: Option<&Tag>,
        range: Range<usize>,
        is_map: bool,
    ) -> Result<(), Fatal> {
        let Some(pointer) = self.child_pointer() else {
            let pointer = self.collection_pointer();
            return Err(fatal(range, pointer, "key", "mapping keys must be scalars (JSON has no other keys)".into()));
        };
        let max_depth = self.limits.max_depth;
        if self.stack.len() >= max_depth {
            return Err(fatal(range, pointer, "depth", format!("nesting is deeper than {max_depth} levels")));
        }
        let expected = if is_map { TagKind::Map } else { TagKind::Seq };
        match tag_kind(tag) {
            TagKind::None => {}
            kind if kind == expected => {}
            _ => {
                let tag = tag.map(ToString::to_string).unwrap_or_default();
                return Err(fatal(range, pointer, "tag", format!("unsupported tag `{tag}` on a collection")));
            }
        }
        let key = match self.stack.last() {
            Some(Frame { kind: FrameKind::Map { pending_key: Some((key, span)), .. }, .. }) => {
                Some((key.as_str(), span.clone()))
            }
            _ => None,
        };
        self.spans.open(key, range.start, is_map);
        let kind =
            if is_map { FrameKind::Map { map: Map::new(), pending_key: None } } else { FrameKind::Seq(Vec::new()) };
        self.stack.push(Frame { start: range.start, anchor, nodes: 0, kind });
        Ok(())
    }

    /// Places a finished node into its parent (or makes it the document root).
    fn emit(&mut self, node: Node) -> Result<(), Fatal> {
        let Some(frame) = self.stack.last_mut() else {
            if !node.is_collection {
                self.spans.leaf(None, node.span.clone());
            }
            self.root = Some(node);
            return Ok(());
        };
        frame.nodes = frame.nodes.saturating_add(node.nodes);
        match &mut frame.kind {
            FrameKind::Seq(items) => {
                if !node.is_collection {
                    self.spans.leaf(None, node.span);
                }
                items.push(node.value);
            }
            FrameKind::Map { map, pending_key } => match pending_key.take() {
                None => {
                    let key = match (node.key, node.value) {
                        (KeyText::Text(text), _) => text,
                        (KeyText::Value, Value::String(text)) => text,
                        _ => {
                            let pointer = self.collection_pointer();
                            return Err(fatal(node.span, pointer, "key", "mapping keys must be scalars".into()));
                        }
                    };
                    *pending_key = Some((key, node.span));
                }
                Some((key, key_span)) => {
                    if !node.is_collection {
                        self.spans.leaf(Some((&key, key_span)), node.span);
                    }
                    map.insert(key, node.value);
                }
            },
        }
        Ok(())
    }

    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        tag: Option<&Tag>,
        range: Range<usize>,
    ) -> Result<Node, Fatal> {
        let plain = matches!(style, ScalarStyle::Plain);
        let kind = tag_kind(tag);
        let typed = match kind {
            TagKind::None if plain => {
                if let Some(why) = yaml11_reading(&text) {
                    let pointer = self.child_pointer().unwrap_or_else(|| self.key_pointer(&text));
                    self.out.findings.push(Finding {
                        span: range.clone(),
                        pointer,
                        rule: "yaml11".into(),
                        severity: Severity::Warning,
                        message: why,
                    });
                }
                if tag.is_none() && is_special_float(&text) {
                    self.out.findings.push(Finding::error(
                        range.clone(),
                        self.child_pointer().unwrap_or_default(),
                        "unrepresentable",
                        format!("`{text}` (infinity or NaN) has no JSON form"),
                    ));
                }
                resolve_plain_typed(&text)
            }
            TagKind::None | TagKind::Str | TagKind::NonSpecific => None,
            TagKind::Null => resolve_plain_typed(&text).filter(Value::is_null),
            TagKind::Bool => resolve_plain_typed(&text).filter(Value::is_boolean),
            TagKind::Int => resolve_plain_typed(&text).filter(|v| v.is_i64() || v.is_u64()),
            TagKind::Float => resolve_plain_typed(&text).filter(Value::is_number),
            TagKind::Seq | TagKind::Map | TagKind::Other => None,
        };
        let (value, key) = match typed {
            Some(value) => (value, KeyText::Text(text.into_owned())),
            None if matches!(kind, TagKind::None | TagKind::Str | TagKind::NonSpecific) => {
                (Value::String(text.into_owned()), KeyText::Value)
            }
            None => {
                let tag = tag.map(ToString::to_string).unwrap_or_default();
                let pointer = self.child_pointer().unwrap_or_default();
                return Err(fatal(range, pointer, "tag", format!("`{text}` cannot be read as `{tag}`")));
            }
        };
        Ok(Node { value, span: range, nodes: 1, key, is_collection: false })
    }
}

fn fatal(span: Range<usize>, pointer: String, rule: &'static str, message: String) -> Fatal {
    Box::new(Finding::error(span, pointer, rule, message))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagKind {
    None,
    NonSpecific,
    Str,
    Int,
    Float,
    Bool,
    Null,
    Seq,
    Map,
    Other,
}

fn tag_kind(tag: Option<&Tag>) -> TagKind {
    let Some(tag) = tag else { return TagKind::None };
    if tag.handle == "!" && tag.suffix.is_empty() {
        return TagKind::NonSpecific;
    }
    if !tag.is_yaml_core_schema() {
        return TagKind::Other;
    }
    match tag.suffix.as_str() {
        "str" => TagKind::Str,
        "int" => TagKind::Int,
        "float" => TagKind::Float,
        "bool" => TagKind::Bool,
        "null" => TagKind::Null,
        "seq" => TagKind::Seq,
        "map" => TagKind::Map,
        _ => TagKind::Other,
    }
}

fn is_special_float(s: &str) -> bool {
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(s, ".nan" | ".NaN" | ".NAN")
}

/// Resolves a plain scalar by the YAML 1.2 core schema. `.inf`/`.nan` stay strings
/// (the caller reports them).
#[cfg(test)]
pub(crate) fn resolve_plain(s: &str) -> Value {
    resolve_plain_typed(s).unwrap_or_else(|| Value::String(s.to_owned()))
}

/// [`resolve_plain`] without allocating the string: `None` when the scalar is one.
fn resolve_plain_typed(s: &str) -> Option<Value> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    if let Some(digits) = s.strip_prefix("0o")
        && !digits.is_empty()
        && digits.bytes().all(|b| (b'0'..=b'7').contains(&b))
    {
        return u64::from_str_radix(digits, 8).ok().map(Value::from);
    }
    if let Some(digits) = s.strip_prefix("0x")
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return u64::from_str_radix(digits, 16).ok().map(Value::from);
    }
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = s.strip_prefix('+').unwrap_or(s);
        if let Ok(n) = trimmed.parse::<i64>() {
            return Some(Value::from(n));
        }
        if let Ok(n) = trimmed.parse::<u64>() {
            return Some(Value::from(n));
        }
    }
    if is_core_float(unsigned)
        && let Ok(f) = s.parse::<f64>()
        && let Some(n) = Number::from_f64(f)
    {
        return Some(Value::Number(n));
    }
    None
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_core_float(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (mantissa, None),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match frac {
        None => !int.is_empty() && digits(int),
        Some(frac) if int.is_empty() => !frac.is_empty() && digits(frac),
        Some(frac) => digits(int) && digits(frac),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// How a YAML 1.1 reader would take this plain scalar, when that differs from
/// YAML 1.2.
pub(crate) fn yaml11_reading(s: &str) -> Option<String> {
    let boolean = match s {
        "yes" | "Yes" | "YES" | "y" | "Y" | "on" | "On" | "ON" => Some(true),
        "no" | "No" | "NO" | "n" | "N" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    };
    if let Some(b) = boolean {
        return Some(format!(
            "`{s}` is the string \"{s}\" in YAML 1.2 but the boolean {b} in YAML 1.1; quote it, or write `{b}`"
        ));
    }
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    if unsigned.len() > 1
        && unsigned.starts_with('0')
        && unsigned.bytes().all(|b| (b'0'..=b'7').contains(&b) || b == b'_')
    {
        let digits = unsigned.replace('_', "");
        let digits = digits.trim_start_matches('0');
        let digits = if digits.is_empty() { "0" } else { digits };
        return Some(format!(
            "`{s}` is the decimal number {digits} in YAML 1.2 but an octal number in YAML 1.1; \
             quote it, or write `0o{digits}` for octal"
        ));
    }
    if is_sexagesimal(unsigned) {
        return Some(format!("`{s}` is a string in YAML 1.2 but a base-60 number in YAML 1.1; quote it"));
    }
    None
}

/// `[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?`
fn is_sexagesimal(s: &str) -> bool {
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (s, None),
    };
    if frac.is_some_and(|f| !f.bytes().all(|b| b.is_ascii_digit() || b == b'_')) {
        return false;
    }
    let mut parts = whole.split(':');
    let Some(head) = parts.next() else {
        return false;
    };
    if !head.starts_with(|c: char| c.is_ascii_digit()) || !head.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return false;
    }
    let mut count = 0;
    for part in parts {
        count += 1;
        let ok = match part.as_bytes() {
            [d] => d.is_ascii_digit(),
            [t, d] => (b'0'..=b'5').contains(t) && d.is_ascii_digit(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    count > 0
}
