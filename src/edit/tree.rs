//! A YAML document as a tree of nodes with byte spans into its source, built
//! from `saphyr-parser` events, and the plain value each node denotes (used to
//! check that an edit changed exactly what it meant to).

use crate::source::SourceMap;
use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// A node's content, independent of layout (what [`super::get`] returns). Scalars keep their style bit and
/// tag so that `"1"` and `1` stay different; aliases keep their anchor id.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar { value: String, plain: bool, tag: Option<String> },
    Alias(usize),
    Map(Vec<(Value, Value)>),
    Seq(Vec<Value>),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Scalar { value, plain: true, tag: None } if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }
}

#[derive(Debug)]
pub(crate) struct Node {
    /// Byte offset of the first character.
    pub(crate) start: usize,
    /// Byte offset just past the last character of content (a trailing
    /// comment excluded). A block scalar ends at the start of the line after it.
    pub(crate) end: usize,
    /// Has an anchor (`&a`): replacing or removing it could orphan an alias.
    pub(crate) anchored: bool,
    pub(crate) kind: Kind,
}

#[derive(Debug)]
pub(crate) enum Kind {
    Scalar(Value),
    Alias(usize),
    Map { block: bool, entries: Vec<(Node, Node)> },
    Seq { block: bool, items: Vec<Node> },
}

impl Node {
    pub(crate) fn value(&self) -> Value {
        match &self.kind {
            Kind::Scalar(v) => v.clone(),
            Kind::Alias(id) => Value::Alias(*id),
            Kind::Map { entries, .. } => Value::Map(entries.iter().map(|(k, v)| (k.value(), v.value())).collect()),
            Kind::Seq { items, .. } => Value::Seq(items.iter().map(Node::value).collect()),
        }
    }

    /// Whether this node or any node below it has an anchor.
    pub(crate) fn has_anchor(&self) -> bool {
        self.anchored
            || match &self.kind {
                Kind::Scalar(_) | Kind::Alias(_) => false,
                Kind::Map { entries, .. } => entries.iter().any(|(k, v)| k.has_anchor() || v.has_anchor()),
                Kind::Seq { items, .. } => items.iter().any(Node::has_anchor),
            }
    }

    /// Whether this node or any node below it is an alias.
    pub(crate) fn has_alias(&self) -> bool {
        match &self.kind {
            Kind::Scalar(_) => false,
            Kind::Alias(_) => true,
            Kind::Map { entries, .. } => entries.iter().any(|(k, v)| k.has_alias() || v.has_alias()),
            Kind::Seq { items, .. } => items.iter().any(Node::has_alias),
        }
    }

    /// A null written as nothing at all (`key:` followed by a line break).
    pub(crate) fn is_empty_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar(Value::Scalar { value, plain: true, tag: None }) if value.is_empty())
    }

    pub(crate) fn is_block_collection(&self) -> bool {
        matches!(self.kind, Kind::Map { block: true, .. } | Kind::Seq { block: true, .. })
    }

    pub(crate) fn describe(&self) -> &'static str {
        match &self.kind {
            Kind::Scalar(v) if v.is_null() => "null",
            Kind::Scalar(_) => "scalar",
            Kind::Alias(_) => "alias",
            Kind::Map { .. } => "mapping",
            Kind::Seq { .. } => "list",
        }
    }
}

/// One parsed document: exactly one, or parsing fails.
#[derive(Debug)]
pub(crate) struct Doc {
    pub(crate) root: Node,
}

/// Why a text could not be turned into a [`Doc`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ParseError {
    Syntax(String),
    MultipleDocuments,
}

impl Doc {
    pub(crate) fn parse(src: &str) -> Result<Doc, ParseError> {
        let offsets = SourceMap::new(src);
        let mut events = Vec::new();
        for event in Parser::new_from_str(src) {
            let (event, span) = event.map_err(|e| ParseError::Syntax(e.to_string()))?;
            events.push((event, span));
        }
        let mut events = events.into_iter().peekable();
        let mut docs = 0;
        let mut root = None;
        while let Some((event, _)) = events.next() {
            match event {
                Event::DocumentStart(_) => {
                    docs += 1;
                    if docs > 1 {
                        return Err(ParseError::MultipleDocuments);
                    }
                    root = Some(build(&mut events, &offsets, src)?);
                }
                Event::StreamStart | Event::DocumentEnd | Event::StreamEnd => {}
                _ => return Err(ParseError::Syntax("unexpected event".into())),
            }
        }
        // A file with nothing but comments holds no document: treat it as an
        // empty null at its end, where new content goes.
        let root = root.unwrap_or(Node {
            start: src.len(),
            end: src.len(),
            anchored: false,
            kind: Kind::Scalar(Value::Scalar { value: String::new(), plain: true, tag: None }),
        });
        Ok(Doc { root })
    }
}

type Events<'a> = std::iter::Peekable<std::vec::IntoIter<(Event<'a>, Span)>>;

fn build(events: &mut Events<'_>, offsets: &SourceMap<'_>, src: &str) -> Result<Node, ParseError> {
    let unexpected = || ParseError::Syntax("unexpected end of events".into());
    let (event, span) = events.next().ok_or_else(unexpected)?;
    let start = offsets.byte_of_char(span.start.index());
    match event {
        Event::Alias(id) => {
            Ok(Node { start, end: offsets.byte_of_char(span.end.index()), anchored: false, kind: Kind::Alias(id) })
        }
        Event::Scalar(value, style, anchor, tag) => Ok(Node {
            start,
            end: scalar_end(src, start, offsets.byte_of_char(span.end.index()), style),
            anchored: anchor != 0,
            kind: Kind::Scalar(Value::Scalar {
                value: value.into_owned(),
                plain: style == ScalarStyle::Plain,
                tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
            }),
        }),
        Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
            let is_map = matches!(event, Event::MappingStart(..));
            let mut children = Vec::new();
            let end_span = loop {
                match events.peek().ok_or_else(unexpected)? {
                    (Event::MappingEnd | Event::SequenceEnd, _) => break events.next().ok_or_else(unexpected)?.1,
                    _ => children.push(build(events, offsets, src)?),
                }
            };
            // Block collections end with an empty event; flow ones with `}`/`]`.
            let block = end_span.start.index() == end_span.end.index();
            let end = if block {
                children.iter().map(|c| c.end).max().unwrap_or(start)
            } else {
                offsets.byte_of_char(end_span.end.index())
            };
            let kind = if is_map {
                let mut entries = Vec::new();
                let mut it = children.into_iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    entries.push((k, v));
                }
                Kind::Map { block, entries }
            } else {
                Kind::Seq { block, items: children }
            };
            Ok(Node { start, end, anchored: anchor != 0, kind })
        }
        _ => Err(ParseError::Syntax("unexpected event".into())),
    }
}

/// The parser's end of a quoted scalar can run on over spaces and a trailing
/// comment; find the closing quote instead.
fn scalar_end(src: &str, start: usize, reported: usize, style: ScalarStyle) -> usize {
    let quote = match style {
        ScalarStyle::SingleQuoted => '\'',
        ScalarStyle::DoubleQuoted => '"',
        _ => return reported,
    };
    // Skip a tag or anchor written before the quote.
    let Some(open) = src[start..].find(quote).map(|i| start + i) else {
        return reported;
    };
    let mut chars = src[open + 1..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let at = open + 1 + i;
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            '\'' if quote == '\'' && chars.peek().map(|&(_, c)| c) == Some('\'') => {
                chars.next();
            }
            c if c == quote => return at + 1,
            _ => {}
        }
    }
    reported
}
