//! Byte-preserving edits of one value in a YAML or JSON document: set,
//! unset and append ([`Editor`]).
//!
//! Pure: text in, text out. An edit replaces, inserts or removes one byte
//! range found from the spans of the document tree ([`crate::document`]), so
//! every other byte (comments, key order, quoting, blank lines, layout)
//! stays as it was. Parsing and every walk over the tree are iterative, and
//! bounded by the parsing limits: a value or file nested deeper than
//! [`Limits::max_depth`] is refused with an error, never a crash.
//!
//! Two layouts:
//!
//! * **Block YAML** ([`block`]): the new value is YAML text, re-indented to
//!   its place, never re-serialized; missing mapping keys are created at the
//!   end of their mapping, an empty value (`key:`, `~`) becomes the block
//!   collection needed.
//! * **Flow collections and JSON** ([`flow`]): a new item or entry follows
//!   its neighbours: on the same line when the collection is on one line,
//!   one per line with the neighbours' indentation when it is not, with the
//!   separator the last two neighbours are separated by; never a trailing
//!   comma in JSON. In a JSON file the value is written as JSON (from YAML
//!   or JSON input), in a YAML flow collection as flow YAML, quoted where a
//!   plain scalar would change meaning or break the flow.
//!
//! What is refused ([`EditError::Unsupported`]), rather than risk wrong text:
//! paths through aliases, replacing or removing anything that holds an
//! anchor, values with anchors or aliases, several documents in one file,
//! and layouts this module misjudges. The last is a safety net: every result
//! is parsed again and compared, node by node ([`crate::document::tokens`]),
//! with the original document with the one change applied; any difference
//! refuses the edit.

mod block;
pub(crate) mod flow;
#[cfg(test)]
mod laws;
mod path;
#[cfg(test)]
mod tests;

use std::ops::Range;

pub(crate) use path::is_bare;
pub use path::{Segment, parse as parse_path};

use crate::document::{self, Document, Format, Kind, Limits, NodeId, SingleError, Style, Token};
use crate::source::SourceMap;

/// Why an edit was refused. The text is never changed when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("invalid path `{path}`: {reason}")]
    BadPath { path: String, reason: String },
    /// The file itself does not parse (or is nested beyond the limit).
    #[error("the file is not valid {}: {message}", format.name())]
    Syntax { format: Format, message: String },
    #[error("the value is not valid YAML: {0}")]
    BadValue(String),
    #[error("`{path}` does not exist")]
    NotFound { path: String },
    #[error("`{path}` is a {found}, not a {expected}")]
    Type { path: String, found: &'static str, expected: &'static str },
    #[error("cannot edit `{path}` without touching other text: {reason}")]
    Unsupported { path: String, reason: String },
}

/// Edits texts of one format under one set of parsing limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editor {
    pub format: Format,
    pub limits: Limits,
}

impl Editor {
    pub fn new(format: Format, limits: Limits) -> Editor {
        Editor { format, limits }
    }

    /// Sets the value at `path` to `value` (YAML or JSON text), creating
    /// missing mapping keys along the way.
    pub fn set(&self, text: &str, path: &str, value: &str) -> Result<String, EditError> {
        let segments = path::parse(path)?;
        if segments.is_empty() {
            return Err(EditError::BadPath { path: path.into(), reason: "name a value inside the document".into() });
        }
        let snippet = Snippet::parse(value, &self.limits)?;
        let edit = self.start(text, &segments)?;
        let (change, planned) = match navigate(&edit.doc, &segments)? {
            Found::Node { node, rest } => {
                let value = Value::nested(rest, Value::Snippet(&snippet));
                (Change::Replace(node, value.tokens()), edit.replace(node, &value)?)
            }
            Found::MissingKey { map, rest } => {
                let value = Value::nested(&rest[1..], Value::Snippet(&snippet));
                let key = key_of(&rest[0]);
                (Change::Insert(map, entry_tokens(key, &value)), edit.add_entry(map, key, &value)?)
            }
        };
        edit.finish(planned, change)
    }

    /// Removes the mapping entry or list item at `path`. The last one of a
    /// collection leaves it empty (`{}`, `[]`), so it keeps its type.
    pub fn unset(&self, text: &str, path: &str) -> Result<String, EditError> {
        let segments = path::parse(path)?;
        let Some((last, parent_path)) = segments.split_last() else {
            return Err(EditError::BadPath { path: path.into(), reason: "name a value inside the document".into() });
        };
        let edit = self.start(text, &segments)?;
        let doc = &edit.doc;
        let parent = match navigate(doc, parent_path)? {
            Found::Node { node, rest: [] } => node,
            _ => return Err(EditError::NotFound { path: path::display(parent_path) }),
        };
        let not_found = || EditError::NotFound { path: path::display(&segments) };
        let (child, first) = match (last, doc.node(parent).kind()) {
            (Segment::Key(key), Kind::Map(_)) => {
                let (k, v) = doc.find_key(parent, key).ok_or_else(not_found)?;
                (v, k)
            }
            (Segment::Index(i), Kind::Seq(_)) => {
                let item = *doc.children(parent).get(*i).ok_or_else(not_found)?;
                (item, item)
            }
            (Segment::Select { key, value }, Kind::Seq(_)) => {
                let item = select(doc, parent, key, value).ok_or_else(not_found)?;
                (item, item)
            }
            (Segment::Key(_), _) => return Err(edit.type_error(parent_path, parent, "mapping")),
            (Segment::Index(_) | Segment::Select { .. }, _) => {
                return Err(edit.type_error(parent_path, parent, "list"));
            }
        };
        if doc.has_anchor(first) || doc.has_anchor(child) {
            return Err(edit.unsupported("it holds an anchor that aliases may refer to"));
        }
        let index = doc.node(child).index();
        let planned = edit.remove(parent, if doc.node(parent).is_map() { index / 2 } else { index })?;
        edit.finish(planned, Change::Remove(first..doc.subtree(child).end))
    }

    /// Appends `value` (YAML or JSON text) to the list at `path`; a missing
    /// or empty value becomes a list holding it.
    pub fn append(&self, text: &str, path: &str, value: &str) -> Result<String, EditError> {
        let segments = path::parse(path)?;
        let snippet = Snippet::parse(value, &self.limits)?;
        let edit = self.start(text, &segments)?;
        let doc = &edit.doc;
        let item = Value::Snippet(&snippet);
        let one = Value::List(&snippet);
        let (change, planned) = match navigate(doc, &segments)? {
            Found::Node { node, rest: [] } => match doc.node(node).kind() {
                Kind::Seq(_) => {
                    let tokens = shift(&item.tokens(), 1);
                    (Change::Insert(node, tokens), edit.add_item(node, &item)?)
                }
                _ if doc.node(node).describe() == "null" => {
                    (Change::Replace(node, one.tokens()), edit.replace(node, &one)?)
                }
                _ => return Err(edit.type_error(&segments, node, "list")),
            },
            Found::Node { node, rest } => {
                let value = Value::nested(rest, one);
                (Change::Replace(node, value.tokens()), edit.replace(node, &value)?)
            }
            Found::MissingKey { map, rest } => {
                let value = Value::nested(&rest[1..], one);
                let key = key_of(&rest[0]);
                (Change::Insert(map, entry_tokens(key, &value)), edit.add_entry(map, key, &value)?)
            }
        };
        edit.finish(planned, change)
    }

    fn start<'t, 's>(&'t self, text: &'t str, segments: &'s [Segment]) -> Result<Edit<'t, 's>, EditError> {
        // A longer path could only lead to (or create) nesting beyond the
        // limit; refused before anything is built for it.
        if segments.len() > self.limits.max_depth {
            let reason = format!("it is deeper than the nesting limit of {} levels", self.limits.max_depth);
            return Err(EditError::BadPath { path: path::display(&segments[..3.min(segments.len())]) + "…", reason });
        }
        let doc = parse_one(text, self.format, &self.limits)?;
        Ok(Edit { editor: self, text, doc, segments })
    }
}

/// The document of a file being edited: exactly one, or why not.
fn parse_one(text: &str, format: Format, limits: &Limits) -> Result<Document, EditError> {
    match document::parse(text, format, limits).single() {
        Ok(doc) => Ok(doc),
        Err(SingleError::Several) => {
            Err(EditError::Unsupported { path: ".".into(), reason: "the file holds several YAML documents".into() })
        }
        Err(SingleError::Parse(error)) => {
            let (line, column) = SourceMap::new(text).line_column(error.span.start);
            Err(EditError::Syntax { format, message: format!("line {line}, column {column}: {}", error.message) })
        }
    }
}

/// An edit in progress: the text, its tree and the path.
struct Edit<'t, 's> {
    editor: &'t Editor,
    text: &'t str,
    doc: Document,
    segments: &'s [Segment],
}

/// Byte ranges of the text and what replaces each, in order, not overlapping.
type Planned = Vec<(Range<usize>, String)>;

impl Edit<'_, '_> {
    fn unsupported(&self, reason: &str) -> EditError {
        unsupported(self.segments, reason)
    }

    fn type_error(&self, segments: &[Segment], node: NodeId, expected: &'static str) -> EditError {
        EditError::Type { path: path::display(segments), found: self.doc.node(node).describe(), expected }
    }

    /// Whether the node sits in flow layout: in a flow collection, or
    /// anywhere in a JSON file.
    fn in_flow(&self, node: NodeId) -> bool {
        self.editor.format == Format::Json
            || self.doc.node(node).parent().is_some_and(|p| self.doc.node(p).style() == Some(Style::Flow))
    }

    /// Puts `value` in place of `node`.
    fn replace(&self, node: NodeId, value: &Value<'_>) -> Result<Planned, EditError> {
        if self.doc.has_anchor(node) {
            return Err(self.unsupported("it holds an anchor that aliases may refer to"));
        }
        if self.in_flow(node) { flow::replace(self, node, value) } else { block::replace(self, node, value) }
    }

    /// Adds the entry `key: value` at the end of mapping `map`.
    fn add_entry(&self, map: NodeId, key: &str, value: &Value<'_>) -> Result<Planned, EditError> {
        match self.doc.node(map).style() {
            Some(Style::Block) if self.editor.format == Format::Yaml => block::add_entry(self, map, key, value),
            _ => flow::add_member(self, map, Some(key), value),
        }
    }

    /// Adds `value` at the end of list `list`.
    fn add_item(&self, list: NodeId, value: &Value<'_>) -> Result<Planned, EditError> {
        match self.doc.node(list).style() {
            Some(Style::Block) if self.editor.format == Format::Yaml => block::add_item(self, list, value),
            _ => flow::add_member(self, list, None, value),
        }
    }

    /// Removes child `index` (an item, or an entry by its position) of `parent`.
    fn remove(&self, parent: NodeId, index: usize) -> Result<Planned, EditError> {
        match self.doc.node(parent).style() {
            Some(Style::Block) if self.editor.format == Format::Yaml => block::remove(self, parent, index),
            _ => flow::remove(self, parent, index),
        }
    }

    /// Applies the planned replacements and checks that the result is the
    /// intended document.
    fn finish(&self, planned: Planned, change: Change) -> Result<String, EditError> {
        let newline = document::text::line_ending(self.text);
        let mut out = String::with_capacity(self.text.len() + 64);
        let mut at = 0;
        for (range, replacement) in planned {
            out.push_str(&self.text[at..range.start]);
            if newline == "\n" {
                out.push_str(&replacement);
            } else {
                out.push_str(&replacement.replace("\r\n", "\n").replace('\n', newline));
            }
            at = range.end;
        }
        out.push_str(&self.text[at..]);
        let expected = change.apply(&self.doc);
        match parse_one(&out, self.editor.format, &self.editor.limits) {
            Ok(doc) if document::tokens(&doc, doc.root()) == expected => Ok(out),
            _ => Err(self.unsupported("the file's layout is unusual here (the result would not parse as intended)")),
        }
    }
}

fn unsupported(segments: &[Segment], reason: &str) -> EditError {
    EditError::Unsupported { path: path::display(segments), reason: reason.into() }
}

/// The key a path segment names ([`navigate`] leaves only keys to create).
fn key_of(segment: &Segment) -> &str {
    match segment {
        Segment::Key(key) => key,
        Segment::Index(_) | Segment::Select { .. } => unreachable!("only keys are created"),
    }
}

/// The first item of list `seq` that is a mapping whose `key` holds the
/// scalar `value`.
fn select(doc: &Document, seq: NodeId, key: &str, value: &str) -> Option<NodeId> {
    doc.children(seq).iter().copied().find(|&item| {
        doc.node(item).is_map()
            && doc
                .find_key(item, key)
                .and_then(|(_, found)| doc.node(found).scalar())
                .is_some_and(|scalar| scalar.value == value)
    })
}

/// Whether `path` is a path in `set`'s syntax.
pub fn check_path(path: &str) -> Result<(), EditError> {
    path::parse(path).map(drop)
}

/// The node at `path` in `doc`, following aliases (for reading, never for
/// editing); `None` when the path leads nowhere.
pub fn lookup(doc: &Document, path: &str) -> Result<Option<NodeId>, EditError> {
    let mut node = doc.root();
    for segment in path::parse(path)? {
        while let Kind::Alias(target) = doc.node(node).kind() {
            node = *target;
        }
        let next = match (&segment, doc.node(node).kind()) {
            (Segment::Key(key), Kind::Map(_)) => doc.find_key(node, key).map(|(_, value)| value),
            (Segment::Index(index), Kind::Seq(_)) => doc.children(node).get(*index).copied(),
            (Segment::Select { key, value }, Kind::Seq(_)) => select(doc, node, key, value),
            _ => None,
        };
        match next {
            Some(next) => node = next,
            None => return Ok(None),
        }
    }
    Ok(Some(node))
}

/// Where a path leads.
enum Found<'s> {
    /// The node at the path; or, with `rest`, the null where the rest of the
    /// path (all keys) is to be created.
    Node { node: NodeId, rest: &'s [Segment] },
    /// A mapping without the key `rest[0]`.
    MissingKey { map: NodeId, rest: &'s [Segment] },
}

fn navigate<'s>(doc: &Document, segments: &'s [Segment]) -> Result<Found<'s>, EditError> {
    let found = find(doc, segments)?;
    // Only mapping keys can be created: a missing item is not found.
    let (Found::Node { rest, .. } | Found::MissingKey { rest, .. }) = &found;
    if let Some(i) = rest.iter().position(|segment| !matches!(segment, Segment::Key(_))) {
        let at = segments.len() - rest.len() + i;
        return Err(EditError::NotFound { path: path::display(&segments[..=at]) });
    }
    Ok(found)
}

fn find<'s>(doc: &Document, segments: &'s [Segment]) -> Result<Found<'s>, EditError> {
    let mut node = doc.root();
    for (i, segment) in segments.iter().enumerate() {
        let here = &segments[..i];
        let rest = &segments[i..];
        let type_error =
            |expected| EditError::Type { path: path::display(here), found: doc.node(node).describe(), expected };
        match (segment, doc.node(node).kind()) {
            (_, Kind::Alias(_)) => return Err(unsupported(here, "the path goes through an alias")),
            (Segment::Key(key), Kind::Map(_)) => match doc.find_key(node, key) {
                Some((_, value)) => node = value,
                None => return Ok(Found::MissingKey { map: node, rest }),
            },
            (Segment::Key(_), Kind::Scalar(_)) if doc.node(node).describe() == "null" => {
                return Ok(Found::Node { node, rest });
            }
            (Segment::Index(index), Kind::Seq(_)) => match doc.children(node).get(*index) {
                Some(&item) => node = item,
                None => return Err(EditError::NotFound { path: path::display(&segments[..=i]) }),
            },
            (Segment::Select { key, value }, Kind::Seq(_)) => match select(doc, node, key, value) {
                Some(item) => node = item,
                None => return Err(EditError::NotFound { path: path::display(&segments[..=i]) }),
            },
            (Segment::Key(_), _) => return Err(type_error("mapping")),
            (Segment::Index(_) | Segment::Select { .. }, _) => return Err(type_error("list")),
        }
    }
    Ok(Found::Node { node, rest: &[] })
}

/// New content as YAML or JSON text, normalized (no surrounding blank
/// lines, common indentation removed), with its tree.
#[derive(Debug)]
struct Snippet {
    text: String,
    doc: Document,
}

impl Snippet {
    fn parse(value: &str, limits: &Limits) -> Result<Snippet, EditError> {
        let lines: Vec<&str> = value.lines().map(str::trim_end).skip_while(|l| l.trim().is_empty()).collect();
        let end = lines.iter().rposition(|l| !l.trim().is_empty()).map_or(0, |i| i + 1);
        let lines = &lines[..end];
        let indent = lines.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min();
        let indent = indent.unwrap_or(0);
        let text: Vec<&str> = lines.iter().map(|l| l.get(indent..).unwrap_or("")).collect();
        let mut text = text.join("\n");
        if text.trim().is_empty() || text.trim_start().starts_with('#') && !text.contains('\n') {
            text = "null".into();
        }
        if text.starts_with("---") || text.contains("\n---") || text.contains("\n...") {
            return Err(EditError::BadValue("give a value, not a document with `---`".into()));
        }
        // JSON first: it says what JSON text means where YAML differs
        // (escaped surrogate pairs).
        let json = document::parse_json(&text, limits).single();
        let doc = match json {
            Ok(doc) => doc,
            // Read as the line it becomes in the file, which a line break
            // ends: a block scalar's last line keeps its line break.
            Err(_) => match document::parse_yaml(&format!("{text}\n"), limits).single() {
                Ok(doc) => doc,
                Err(SingleError::Several) => return Err(EditError::BadValue("several documents".into())),
                Err(SingleError::Parse(error)) => return Err(EditError::BadValue(error.message)),
            },
        };
        if doc.has_anchor(doc.root()) || doc.has_alias(doc.root()) {
            return Err(EditError::BadValue("anchors and aliases are not supported in a value".into()));
        }
        Ok(Snippet { text, doc })
    }

    /// A block mapping or list, which must start on its own line after a key.
    fn is_block(&self) -> bool {
        self.doc.node(self.doc.root()).style() == Some(Style::Block)
    }
}

/// What an edit puts in place: the given value, a one-item list of it, or
/// either under mappings for keys still to create.
#[derive(Debug, Clone)]
enum Value<'a> {
    Snippet(&'a Snippet),
    /// `[snippet]`
    List(&'a Snippet),
    /// `{key: value}`
    Map(&'a str, Box<Value<'a>>),
}

impl<'a> Value<'a> {
    /// `inner` under a mapping for each key of `rest` (all keys: `navigate`
    /// only leaves keys to create).
    fn nested(rest: &'a [Segment], inner: Value<'a>) -> Value<'a> {
        rest.iter().rev().fold(inner, |value, segment| Value::Map(key_of(segment), Box::new(value)))
    }

    /// The value's tokens, its root at depth 0.
    fn tokens(&self) -> Vec<(u32, Token)> {
        let mut prefix = Vec::new();
        let mut value = self;
        while let Value::Map(key, inner) = value {
            let depth = prefix.len() as u32 / 2;
            prefix.push((depth, Token::Map));
            prefix.push((depth + 1, Token::Str((*key).to_owned())));
            value = inner;
        }
        let depth = prefix.len() as u32 / 2;
        let inner = match value {
            Value::Snippet(snippet) => document::tokens(&snippet.doc, snippet.doc.root()),
            Value::List(snippet) => {
                let mut tokens = vec![(0, Token::Seq)];
                tokens.extend(shift(&document::tokens(&snippet.doc, snippet.doc.root()), 1));
                tokens
            }
            Value::Map(..) => unreachable!("unwrapped above"),
        };
        prefix.extend(shift(&inner, depth));
        prefix
    }

    /// The keys of the mappings around the snippet, outermost first; the
    /// snippet; whether it is in a one-item list.
    fn parts(&self) -> (Vec<&'a str>, &'a Snippet, bool) {
        let mut keys = Vec::new();
        let mut value = self;
        loop {
            match value {
                Value::Snippet(snippet) => return (keys, snippet, false),
                Value::List(snippet) => return (keys, snippet, true),
                Value::Map(key, inner) => {
                    keys.push(*key);
                    value = inner;
                }
            }
        }
    }
}

fn shift(tokens: &[(u32, Token)], by: u32) -> Vec<(u32, Token)> {
    tokens.iter().map(|(depth, token)| (depth + by, token.clone())).collect()
}

/// The tokens of a new entry `key: value` of a mapping, relative to it.
fn entry_tokens(key: &str, value: &Value<'_>) -> Vec<(u32, Token)> {
    let mut tokens = vec![(1, Token::Str(key.to_owned()))];
    tokens.extend(shift(&value.tokens(), 1));
    tokens
}

/// What an edit does to the document, to check the result against.
enum Change {
    /// The node and its subtree become these tokens (root at depth 0).
    Replace(NodeId, Vec<(u32, Token)>),
    /// These tokens (depths relative to the collection) come at the end of
    /// the collection.
    Insert(NodeId, Vec<(u32, Token)>),
    /// These nodes go.
    Remove(Range<NodeId>),
}

impl Change {
    /// The tokens the whole document must have after the change.
    fn apply(self, doc: &Document) -> Vec<(u32, Token)> {
        let mut tokens = document::tokens(doc, doc.root());
        match self {
            Change::Replace(node, new) => {
                let depth = doc.node(node).depth() as u32;
                tokens.splice(doc.subtree(node), shift(&new, depth));
            }
            Change::Insert(collection, new) => {
                let depth = doc.node(collection).depth() as u32;
                let at = doc.subtree(collection).end;
                tokens.splice(at..at, shift(&new, depth));
            }
            Change::Remove(range) => {
                tokens.drain(range);
            }
        }
        tokens
    }
}

/// A mapping key as YAML text: plain when that reads back as the same
/// string, else double-quoted (JSON string syntax, which YAML reads alike).
fn render_key(key: &str, format: Format) -> String {
    let plain = format == Format::Yaml
        && key.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && document::parse_plain(key).is_none()
        && document::yaml11(key).is_none();
    if plain { key.to_owned() } else { serde_json::to_string(key).expect("a string serializes") }
}
