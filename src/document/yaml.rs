//! The YAML front end: `saphyr-parser` events to the builder, with the
//! parser's spans made exact.
//!
//! What the parser reports and what is fixed here: positions are in
//! characters (turned into bytes); a quoted scalar's span runs on over the
//! spaces and comment after it (cut at the closing quote), and so does a
//! flow collection's closing bracket (cut after it); a block scalar's span
//! starts at its content, not at its `|` or `>` header, unless it has a tag
//! or anchor (the header is found after the previous token) and runs on
//! over the blank lines after it (cut after its last non-blank line); a
//! block collection's end is reported at the next token (the builder ends
//! it with its last child). Anchors are per document, as YAML says (the
//! parser keeps them across `---`). A literal or folded scalar whose last
//! line ends the text without a line break has no final line break in its
//! value (`b: >` then `  text` at the very end is `"text"`, as the spec,
//! libyaml and PyYAML read it; the parser reads `"text\n"`).

use saphyr_parser::{Event, Parser, ScalarStyle as SaphyrStyle, Span};

use super::build::Builder;
use super::{Document, ErrorKind, Limits, ParseError, ScalarStyle, Stream, Style, Tag, text};
use crate::source::SourceMap;

pub(super) fn parse(source: &str, limits: &Limits) -> Stream {
    let map = SourceMap::new(source);
    let mut front = Front { text: source, map: &map, limits, builder: None, prev_end: 0, alias_nodes: 0 };
    let mut documents: Vec<Document> = Vec::new();
    let mut error = None;
    let mut parser = Parser::new_from_str(source);
    while let Some(next) = parser.next_event() {
        let result = match next {
            Ok((event, span)) => front.event(event, span, &mut documents),
            Err(e) => {
                let at = map.byte_of_char(e.marker().index());
                // saphyr-parser bounds flow nesting itself; that is our depth rule too.
                let (kind, message) = if e.info().contains("recursion limit") {
                    (
                        ErrorKind::Depth,
                        "nesting is deeper than 255 levels (the YAML parser's limit for flow collections)".into(),
                    )
                } else if e.info().contains("unknown anchor") {
                    (ErrorKind::Alias, format!("undefined alias: {}", e.info()))
                } else {
                    (ErrorKind::Syntax, e.info().to_owned())
                };
                Err(ParseError { kind, span: at..at, message })
            }
        };
        if let Err(e) = result {
            error = Some(e);
            break;
        }
    }
    if error.is_none() && documents.is_empty() {
        documents.push(Builder::empty_stream(source, limits));
    }
    Stream { documents, error }
}

struct Front<'t> {
    text: &'t str,
    map: &'t SourceMap<'t>,
    limits: &'t Limits,
    builder: Option<Builder<'t>>,
    /// Where the previous token ended: a block scalar's header comes after it.
    prev_end: usize,
    /// Alias weight spent in earlier documents.
    alias_nodes: usize,
}

impl<'t> Front<'t> {
    fn event(&mut self, event: Event<'_>, span: Span, documents: &mut Vec<Document>) -> Result<(), ParseError> {
        let range = self.map.byte_of_char(span.start.index())..self.map.byte_of_char(span.end.index());
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            Event::DocumentStart(explicit) => {
                // About one node per 16 bytes of YAML, for the first document
                // (most streams have one); later ones grow as they need.
                let capacity = if documents.is_empty() { self.text.len() / 16 } else { 0 };
                let mut builder = Builder::new(self.text, self.limits, self.alias_nodes, capacity);
                builder.set_start(range.start, explicit);
                self.builder = Some(builder);
                if explicit {
                    self.prev_end = range.end;
                }
            }
            Event::DocumentEnd => {
                if let Some(builder) = self.builder.take() {
                    self.alias_nodes = builder.alias_nodes;
                    documents.push(builder.finish());
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                let style = match style {
                    SaphyrStyle::Plain => ScalarStyle::Plain,
                    SaphyrStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                    SaphyrStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                    SaphyrStyle::Literal => ScalarStyle::Literal,
                    SaphyrStyle::Folded => ScalarStyle::Folded,
                };
                let span = self.scalar_span(range, style);
                self.prev_end = span.end;
                let tag = tag.map(|t| Tag { handle: t.handle.clone(), suffix: t.suffix.clone() });
                let mut value = value.into_owned();
                // The parser reads a block scalar whose last line ends the
                // text as if a line break followed; the spec keeps only a
                // line break that is there.
                if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                    && span.end == self.text.len()
                    && value.ends_with('\n')
                {
                    value.pop();
                }
                self.builder()?.scalar(span, style, value, tag, anchor)?;
            }
            Event::Alias(anchor) => {
                self.prev_end = range.end;
                self.builder()?.alias(range, anchor)?;
            }
            Event::SequenceStart(anchor, tag) => self.open(range, false, anchor, tag)?,
            Event::MappingStart(anchor, tag) => self.open(range, true, anchor, tag)?,
            Event::SequenceEnd | Event::MappingEnd => {
                let text = self.text;
                let builder = self.builder()?;
                // The parser's span of a closing bracket runs on over the
                // spaces and comment after it.
                let flow = builder.in_flow() && !range.is_empty() && text[range.start..].starts_with([']', '}']);
                let end = if flow { range.start + 1 } else { range.start };
                builder.close(end);
                if flow {
                    self.prev_end = end;
                }
            }
        }
        Ok(())
    }

    fn open(
        &mut self,
        range: std::ops::Range<usize>,
        map: bool,
        anchor: usize,
        tag: Option<std::borrow::Cow<'_, saphyr_parser::Tag>>,
    ) -> Result<(), ParseError> {
        let text = self.text;
        let content = skip_properties(text, range.start);
        // An empty span is a block collection (or a braceless pair), even
        // when its first key is a flow one (`[a, b]: c`).
        let flow = content < range.end && text[content..].starts_with(['[', '{']);
        let style = if flow { Style::Flow } else { Style::Block };
        if flow {
            self.prev_end = content + 1;
        }
        let tag = tag.map(|t| Tag { handle: t.handle.clone(), suffix: t.suffix.clone() });
        let builder = self.builder()?;
        // A flow collection's span is its bracket until it closes; a block
        // one's (or a braceless pair's) starts empty.
        let start = if flow { range.start..content + 1 } else { range.start..range.start };
        builder.open(start, map, style, tag, anchor)
    }

    fn builder(&mut self) -> Result<&mut Builder<'t>, ParseError> {
        self.builder.as_mut().ok_or_else(|| ParseError {
            kind: ErrorKind::Syntax,
            span: self.prev_end..self.prev_end,
            message: "content outside a document".into(),
        })
    }

    /// The exact span of a scalar the parser reported at `range`.
    fn scalar_span(&self, range: std::ops::Range<usize>, style: ScalarStyle) -> std::ops::Range<usize> {
        let text = self.text;
        match style {
            ScalarStyle::Plain => range,
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                let open = skip_properties(text, range.start);
                let end = quoted_end(text, open, style == ScalarStyle::DoubleQuoted).unwrap_or(range.end);
                range.start..end.max(range.start)
            }
            ScalarStyle::Literal | ScalarStyle::Folded => {
                let starts_with_props = text[range.start..].starts_with(['!', '&']);
                let start =
                    if starts_with_props { range.start } else { header_after(text, self.prev_end, range.start) };
                // Cut after the last line holding more than blanks.
                let content_end = start + text[start..range.end.max(start)].trim_end().len();
                let mut end = text::line_break(text, content_end).min(range.end.max(content_end));
                if text[..end].ends_with('\r') {
                    end -= 1;
                }
                start..end.max(content_end)
            }
        }
    }
}

/// Past a node's tag and anchor (`!t &a `), at its content.
fn skip_properties(text: &str, mut at: usize) -> usize {
    loop {
        let rest = &text[at..];
        if !rest.starts_with(['!', '&']) {
            return at;
        }
        let token = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let after = &rest[token..];
        at += token + (after.len() - after.trim_start().len());
    }
}

/// The offset just past the closing quote of the scalar opening at `open`.
fn quoted_end(text: &str, open: usize, double: bool) -> Option<usize> {
    let quote = if double { '"' } else { '\'' };
    let mut chars = text[open..].char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if double => {
                chars.next();
            }
            '\'' if !double && chars.peek().map(|&(_, c)| c) == Some('\'') => {
                chars.next();
            }
            c if c == quote => return Some(open + i + 1),
            _ => {}
        }
    }
    None
}

/// Where the `|` or `>` header of a block scalar whose content starts at
/// `content` is: the first one after the previous token, past the
/// indicators (`:`, `-`, `?`, `---`), whitespace and comments in between.
fn header_after(text: &str, from: usize, content: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = from.min(content);
    while i < content {
        match bytes[i] {
            b'|' | b'>' => return i,
            b'#' => i = text::line_break(text, i),
            b' ' | b'\t' | b'\r' | b'\n' | b':' | b'-' | b'?' => i += 1,
            _ => break,
        }
    }
    content
}
