//! Byte-preserving edits of one value in a YAML document: [`set`], [`unset`],
//! [`append`], and [`get`] to read a value back.
//!
//! Pure: text in, text out. An edit replaces, inserts or removes one byte range
//! found from the source spans of the parsed document, so every other byte
//! (comments, key order, quoting, blank lines) stays as it was. The new value
//! is YAML text; it is re-indented to its place, never re-serialized.
//!
//! What is handled: block mappings and block lists at any depth, scalars of any
//! style, replacing any value (a flow collection or block scalar included) by
//! any value, creating missing mapping keys along a `set` path, and turning an
//! empty value (`key:`, `~`, `{}`, `[]`) into a block collection.
//!
//! What is refused ([`EditError::Unsupported`]), rather than risk wrong text:
//! edits inside flow collections (`{a: 1}`, `[1, 2]`, so JSON files too),
//! paths through aliases, replacing or removing anything that holds an anchor,
//! values with anchors or aliases, several documents in one file, and layouts
//! this module misjudges. The last is a safety net: every result is parsed
//! again and compared, value by value, with the original document with the
//! one change applied; any difference refuses the edit.

mod path;
#[cfg(test)]
mod tests;
mod tree;

use std::ops::Range;

pub use path::{Segment, parse as parse_path};
pub use tree::Value;
use tree::{Doc, Kind, Node, ParseError};

/// Why an edit was refused. The text is never changed when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("invalid path `{path}`: {reason}")]
    BadPath { path: String, reason: String },
    /// The file itself does not parse.
    #[error("the file is not valid YAML: {0}")]
    Syntax(String),
    #[error("the value is not valid YAML: {0}")]
    BadValue(String),
    #[error("`{path}` does not exist")]
    NotFound { path: String },
    #[error("`{path}` is a {found}, not a {expected}")]
    Type { path: String, found: &'static str, expected: &'static str },
    #[error("cannot edit `{path}` without touching other text: {reason}")]
    Unsupported { path: String, reason: String },
}

/// The value at `path`, or `None` if it does not exist.
pub fn get(text: &str, path: &str) -> Result<Option<Value>, EditError> {
    let segments = path::parse(path)?;
    let doc = parse_doc(text)?;
    let mut node = &doc.root;
    for segment in &segments {
        let next = match (segment, &node.kind) {
            (Segment::Key(key), Kind::Map { entries, .. }) => find_key(entries, key).map(|(_, v)| v),
            (Segment::Index(i), Kind::Seq { items, .. }) => items.get(*i),
            _ => None,
        };
        match next {
            Some(next) => node = next,
            None => return Ok(None),
        }
    }
    Ok(Some(node.value()))
}

/// Sets the value at `path` to `value` (YAML text), creating missing mapping
/// keys along the way.
pub fn set(text: &str, path: &str, value: &str) -> Result<String, EditError> {
    let segments = path::parse(path)?;
    if segments.is_empty() {
        return Err(EditError::BadPath { path: path.into(), reason: "name a value inside the document".into() });
    }
    let snippet = Snippet::parse(value)?;
    let doc = parse_doc(text)?;
    let src = Src(text);
    let mut model = doc.root.value();
    model_set(&mut model, &segments, snippet.value.clone());
    let (range, replacement) = match navigate(&doc.root, &segments)? {
        Found::Node { node, slot, rest } => replace(src, node, slot, &nest(rest, snippet)?, &segments)?,
        Found::MissingKey { map, rest } => insert_entry(src, map, rest, snippet, &segments)?,
    };
    finish(text, range, &replacement, &model, &segments)
}

/// Removes the mapping entry or list item at `path`.
pub fn unset(text: &str, path: &str) -> Result<String, EditError> {
    let segments = path::parse(path)?;
    let Some((last, parent_path)) = segments.split_last() else {
        return Err(EditError::BadPath { path: path.into(), reason: "name a value inside the document".into() });
    };
    let doc = parse_doc(text)?;
    let src = Src(text);
    let (parent, slot) = match navigate(&doc.root, parent_path)? {
        Found::Node { node, slot, rest: [] } => (node, slot),
        _ => return Err(EditError::NotFound { path: path::display(parent_path) }),
    };
    let not_found = || EditError::NotFound { path: path::display(&segments) };
    let unsupported = |reason: &str| unsupported(&segments, reason);
    let mut model = doc.root.value();
    // How many children the parent has, which one goes, and where each starts.
    let (count, index, starts): (usize, usize, Vec<usize>) = match (last, &parent.kind) {
        (Segment::Key(key), Kind::Map { block: true, entries }) => {
            let index = entries.iter().position(|(k, _)| key_matches(k, key)).ok_or_else(not_found)?;
            let (k, v) = &entries[index];
            if k.has_anchor() || v.has_anchor() {
                return Err(unsupported("it holds an anchor that aliases may refer to"));
            }
            (entries.len(), index, entries.iter().map(|(k, _)| k.start).collect())
        }
        (Segment::Index(i), Kind::Seq { block: true, items }) => {
            let item = items.get(*i).ok_or_else(not_found)?;
            if item.has_anchor() {
                return Err(unsupported("it holds an anchor that aliases may refer to"));
            }
            let dashes = items.iter().map(|item| src.dash_before(item)).collect::<Option<Vec<_>>>();
            (items.len(), *i, dashes.ok_or_else(|| unsupported("a list item not introduced by `- `"))?)
        }
        (_, Kind::Map { block: false, .. } | Kind::Seq { block: false, .. }) => {
            return Err(unsupported("it is inside a flow collection (`{…}` or `[…]`)"));
        }
        (Segment::Key(_), _) => return Err(type_error(parent_path, parent, "mapping")),
        (Segment::Index(_), _) => return Err(type_error(parent_path, parent, "list")),
    };
    model_remove(&mut model, &segments);
    if count == 1 {
        // Removing the last child would leave `key:` (null); write an empty
        // collection instead, so the parent keeps its type.
        let empty = if matches!(parent.kind, Kind::Map { .. }) { "{}" } else { "[]" };
        let (range, replacement) = replace(src, parent, slot, &Snippet::parse(empty)?, parent_path)?;
        return finish(text, range, &replacement, &model, &segments);
    }
    let start = starts[index];
    let line = src.line_start(start);
    let range = if src.0[line..start].trim().is_empty() {
        line..src.own_end(child_end(src, parent, index).max(start))
    } else if index == 0 {
        // A compact first child (`- name: x`): keep the dash, pull the next
        // child up to its place.
        start..starts[1]
    } else {
        return Err(unsupported("it shares its line with other content"));
    };
    finish(text, range, "", &model, &segments)
}

/// Appends `value` (YAML text) to the list at `path`; a missing or empty value
/// becomes a list holding it.
pub fn append(text: &str, path: &str, value: &str) -> Result<String, EditError> {
    let segments = path::parse(path)?;
    let snippet = Snippet::parse(value)?;
    let doc = parse_doc(text)?;
    let src = Src(text);
    let mut model = doc.root.value();
    let one = Snippet {
        text: format!("-{}", place(&snippet, Place::Dash, 0)),
        block: true,
        value: Value::Seq(vec![snippet.value.clone()]),
    };
    let (range, replacement) = match navigate(&doc.root, &segments)? {
        Found::Node { node, slot, rest: [] } => match &node.kind {
            Kind::Seq { block: true, items } => {
                model_append(&mut model, &segments, snippet.value.clone());
                let last = items.last().expect("a block list has items");
                let dash = src.dash_before(&items[0]).ok_or_else(|| unsupported(&segments, "odd list layout"))?;
                let column = dash - src.line_start(dash);
                let item = format!("{}-{}", " ".repeat(column), place(&snippet, Place::Dash, column));
                insert_line(src, last.end.max(last.start), &item)
            }
            Kind::Seq { block: false, items } if items.is_empty() => {
                model_set(&mut model, &segments, one.value.clone());
                replace(src, node, slot, &one, &segments)?
            }
            Kind::Scalar(value) if value.is_null() => {
                model_set(&mut model, &segments, one.value.clone());
                replace(src, node, slot, &one, &segments)?
            }
            Kind::Seq { block: false, .. } => {
                return Err(unsupported(&segments, "it is a flow list (`[…]`); only block lists grow in place"));
            }
            _ => return Err(type_error(&segments, node, "list")),
        },
        Found::Node { node, slot, rest } => {
            model_set(&mut model, &segments, one.value.clone());
            replace(src, node, slot, &nest(rest, one)?, &segments)?
        }
        Found::MissingKey { map, rest } => {
            model_set(&mut model, &segments, one.value.clone());
            insert_entry(src, map, rest, one, &segments)?
        }
    };
    finish(text, range, &replacement, &model, &segments)
}

fn parse_doc(text: &str) -> Result<Doc, EditError> {
    Doc::parse(text).map_err(|e| match e {
        ParseError::Syntax(message) => EditError::Syntax(message),
        ParseError::MultipleDocuments => {
            EditError::Unsupported { path: ".".into(), reason: "the file holds several YAML documents".into() }
        }
    })
}

fn unsupported(segments: &[Segment], reason: &str) -> EditError {
    EditError::Unsupported { path: path::display(segments), reason: reason.into() }
}

fn type_error(segments: &[Segment], node: &Node, expected: &'static str) -> EditError {
    EditError::Type { path: path::display(segments), found: node.describe(), expected }
}

/// Applies the edit and checks that the result is the intended document.
fn finish(
    text: &str,
    range: Range<usize>,
    replacement: &str,
    model: &Value,
    segments: &[Segment],
) -> Result<String, EditError> {
    let mut out = String::with_capacity(text.len() + replacement.len());
    out.push_str(&text[..range.start]);
    out.push_str(replacement);
    out.push_str(&text[range.end..]);
    match Doc::parse(&out) {
        Ok(doc) if doc.root.value() == *model => Ok(out),
        _ => Err(unsupported(segments, "the file's layout is unusual here (the result would not parse as intended)")),
    }
}

/// New content as YAML text, normalized: no surrounding blank lines, common
/// indentation removed.
#[derive(Debug, Clone)]
struct Snippet {
    text: String,
    /// A block mapping or list, which must start on its own line after a key.
    block: bool,
    value: Value,
}

impl Snippet {
    fn parse(yaml: &str) -> Result<Snippet, EditError> {
        let lines: Vec<&str> = yaml.lines().map(str::trim_end).skip_while(|l| l.trim().is_empty()).collect();
        let end = lines.iter().rposition(|l| !l.trim().is_empty()).map_or(0, |i| i + 1);
        let lines = &lines[..end];
        let indent = lines.iter().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min();
        let indent = indent.unwrap_or(0);
        let text: Vec<&str> = lines.iter().map(|l| l.get(indent..).unwrap_or("")).collect();
        let mut text = text.join("\n");
        if text.trim().is_empty() || text.trim_start().starts_with('#') && !text.contains('\n') {
            text = "null".into();
        }
        let doc = Doc::parse(&text).map_err(|e| match e {
            ParseError::Syntax(message) => EditError::BadValue(message),
            ParseError::MultipleDocuments => EditError::BadValue("several documents".into()),
        })?;
        if text.starts_with("---") || text.contains("\n---") || text.contains("\n...") {
            return Err(EditError::BadValue("give a value, not a document with `---`".into()));
        }
        if doc.root.has_anchor() || doc.root.has_alias() {
            return Err(EditError::BadValue("anchors and aliases are not supported in a value".into()));
        }
        Ok(Snippet { block: doc.root.is_block_collection(), value: doc.root.value(), text })
    }
}

/// A mapping key as YAML text: plain when that reads back as the same string,
/// else double-quoted (JSON string syntax is valid YAML).
fn render_key(key: &str) -> String {
    let plain = key.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
        && !matches!(
            key.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
        );
    if plain { key.to_owned() } else { serde_json::to_string(key).expect("a string serializes") }
}

/// Wraps `inner` in mappings for the keys of `rest` (all keys: indexes cannot
/// be created).
fn nest(rest: &[Segment], inner: Snippet) -> Result<Snippet, EditError> {
    let mut snippet = inner;
    for (i, segment) in rest.iter().enumerate().rev() {
        let Segment::Key(key) = segment else {
            return Err(EditError::NotFound { path: path::display(&rest[..=i]) });
        };
        let key_text = render_key(key);
        let key_value = Doc::parse(&key_text).map_err(|_| EditError::BadValue(key.clone()))?.root.value();
        snippet = Snippet {
            text: format!("{key_text}:{}", place(&snippet, Place::Colon { block_indent: 2 }, 0)),
            block: true,
            value: Value::Map(vec![(key_value, snippet.value)]),
        };
    }
    Ok(snippet)
}

#[derive(Debug, Clone, Copy)]
enum Place {
    /// After `key:`; a block collection goes on the lines below, indented by
    /// `block_indent`.
    Colon { block_indent: usize },
    /// After `-`.
    Dash,
}

/// The text that follows `key:` or `-` to hold `snippet`, where the key or
/// dash is at `column`.
fn place(snippet: &Snippet, place: Place, column: usize) -> String {
    if let (true, Place::Colon { block_indent }) = (snippet.block, place) {
        let mut out = String::new();
        for line in snippet.text.lines() {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(&" ".repeat(block_indent));
            }
            out.push_str(line);
        }
        return out;
    }
    // A compact block collection after `- ` keeps its lines aligned with its
    // first one. A scalar's later lines (a block scalar's content, a long
    // flow list) only need to be indented more than the key or dash; keep
    // their own indentation when they have some.
    let continuation =
        snippet.text.lines().skip(1).filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min();
    let shift = if snippet.block || continuation == Some(0) { column + 2 } else { column };
    format!(" {}", indent_rest(&snippet.text, shift))
}

/// `text` with every line after the first indented by `pad` spaces.
fn indent_rest(text: &str, pad: usize) -> String {
    let mut lines = text.lines();
    let mut out = lines.next().unwrap_or("").to_owned();
    for line in lines {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&" ".repeat(pad));
        }
        out.push_str(line);
    }
    out
}

/// Where a node sits.
#[derive(Debug, Clone, Copy)]
enum Slot<'n> {
    Root,
    Value { key: &'n Node },
    Item,
}

enum Found<'n, 's> {
    /// The node at the path, or the null or empty `{}` where the rest of the
    /// path (all keys) is to be created.
    Node { node: &'n Node, slot: Slot<'n>, rest: &'s [Segment] },
    /// A block mapping without the key `rest[0]`.
    MissingKey { map: &'n Node, rest: &'s [Segment] },
}

fn find_key<'n>(entries: &'n [(Node, Node)], key: &str) -> Option<&'n (Node, Node)> {
    entries.iter().find(|(k, _)| key_matches(k, key))
}

fn key_matches(node: &Node, key: &str) -> bool {
    matches!(&node.kind, Kind::Scalar(Value::Scalar { value, .. }) if value == key)
}

fn navigate<'n, 's>(root: &'n Node, segments: &'s [Segment]) -> Result<Found<'n, 's>, EditError> {
    let mut node = root;
    let mut slot = Slot::Root;
    for (i, segment) in segments.iter().enumerate() {
        let here = &segments[..i];
        let rest = &segments[i..];
        match (segment, &node.kind) {
            (_, Kind::Alias(_)) => return Err(unsupported(here, "the path goes through an alias")),
            (Segment::Key(key), Kind::Map { block, entries }) => match find_key(entries, key) {
                Some((k, v)) if *block => {
                    node = v;
                    slot = Slot::Value { key: k };
                }
                None if *block => return Ok(Found::MissingKey { map: node, rest }),
                None if entries.is_empty() => return Ok(Found::Node { node, slot, rest }),
                _ => return Err(unsupported(&segments[..=i], "it is inside a flow mapping (`{…}`)")),
            },
            (Segment::Key(_), Kind::Scalar(value)) if value.is_null() => return Ok(Found::Node { node, slot, rest }),
            (Segment::Index(index), Kind::Seq { block, items }) => match items.get(*index) {
                Some(item) if *block => {
                    node = item;
                    slot = Slot::Item;
                }
                Some(_) => return Err(unsupported(&segments[..=i], "it is inside a flow list (`[…]`)")),
                None => return Err(EditError::NotFound { path: path::display(&segments[..=i]) }),
            },
            (Segment::Key(_), _) => return Err(type_error(here, node, "mapping")),
            (Segment::Index(_), _) => return Err(type_error(here, node, "list")),
        }
    }
    Ok(Found::Node { node, slot, rest: &[] })
}

/// The source text, with line arithmetic.
#[derive(Clone, Copy)]
struct Src<'a>(&'a str);

impl Src<'_> {
    fn line_start(self, at: usize) -> usize {
        self.0[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    /// Offset of the line break ending the line holding `at` (or the end).
    fn line_break(self, at: usize) -> usize {
        self.0[at..].find('\n').map_or(self.0.len(), |i| at + i)
    }

    /// Offset just past the line break ending the line that holds content
    /// ending at `end`; content that ends at a line start already ends there.
    fn own_end(self, end: usize) -> usize {
        let line = self.line_start(end);
        if line > 0 && self.0[line..end].trim().is_empty() {
            return line;
        }
        (self.line_break(end) + 1).min(self.0.len())
    }

    fn column(self, at: usize) -> usize {
        at - self.line_start(at)
    }

    /// A comment after `at` on its line would end up inside a multi-line
    /// scalar put before it: the end of that comment, else `at`.
    fn past_comment(self, at: usize) -> usize {
        let rest = &self.0[at..self.line_break(at)];
        if rest.trim_start().starts_with('#') { at + rest.len() } else { at }
    }

    /// The `:` after a mapping key.
    fn colon_after(self, key: &Node) -> Option<usize> {
        let rest = &self.0[key.end..];
        let skipped = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        rest[skipped..].starts_with(':').then_some(key.end + skipped)
    }

    /// The `-` introducing a block list item, on the item's line.
    fn dash_before(self, item: &Node) -> Option<usize> {
        let line = self.line_start(item.start);
        let before = self.0[line..item.start].trim_end_matches([' ', '\t']);
        let before = before.strip_suffix('-')?;
        (before.is_empty() || before.ends_with([' ', '\t'])).then_some(line + before.len())
    }

    /// A block scalar (`|`, `>`): its span starts at its content, below the
    /// indicator.
    fn is_block_scalar(self, node: &Node) -> bool {
        let Kind::Scalar(Value::Scalar { plain: false, .. }) = &node.kind else {
            return false;
        };
        let text = self.0[node.start..node.end].trim_start();
        !(text.starts_with(['"', '\'', '!', '&']))
    }

    /// End of a node's content, without the line break a block scalar ends
    /// with (its span can run on into the next line's indentation).
    fn content_end(self, node: &Node) -> usize {
        let mut end = node.end.max(node.start);
        let line = self.line_start(end);
        if line > node.start && self.0[line..end].trim().is_empty() {
            end = line;
        }
        if end > node.start && self.0[..end].ends_with('\n') { end - 1 } else { end }
    }
}

/// The byte range and replacement text that put `snippet` in place of `node`.
fn replace(
    src: Src<'_>,
    node: &Node,
    slot: Slot<'_>,
    snippet: &Snippet,
    segments: &[Segment],
) -> Result<(Range<usize>, String), EditError> {
    if node.has_anchor() {
        return Err(unsupported(segments, "it holds an anchor that aliases may refer to"));
    }
    let one_line = !src.0[node.start..node.end].contains('\n');
    let simple = !node.is_empty_null() && !src.is_block_scalar(node) && !node.is_block_collection() && one_line;
    match slot {
        Slot::Root => {
            if !node.is_empty_null() && !simple {
                return Err(unsupported(segments, "only an empty document can be replaced as a whole"));
            }
            let mut text = snippet.text.clone();
            let at = node.start;
            if node.is_empty_null() {
                // After any comments the file holds; on a line of its own.
                if at > 0 && !src.0[..at].ends_with('\n') {
                    text.insert(0, '\n');
                }
                if !src.0[at..].starts_with('\n') {
                    text.push('\n');
                }
                return Ok((at..at, text));
            }
            Ok((node.start..node.end, text))
        }
        Slot::Value { key } => {
            let colon = src.colon_after(key).ok_or_else(|| unsupported(segments, "a key without `:` after it"))?;
            let key_column = src.column(key.start);
            let mut indent = key_column + 2;
            if node.is_block_collection() {
                let first = block_start(src, node).unwrap_or(node.start);
                let column = src.column(first);
                if column > key_column && src.line_start(first) > colon {
                    indent = column;
                }
            }
            let colon_place = Place::Colon { block_indent: indent };
            let multiline_scalar = !snippet.block && snippet.text.contains('\n');
            if simple && !multiline_scalar && !snippet.block && src.line_start(node.start) == src.line_start(colon) {
                return Ok((node.start..node.end, place(snippet, colon_place, key_column)[1..].to_owned()));
            }
            let colon_line_end = src.line_break(colon);
            let below = node.start > colon_line_end && !src.is_block_scalar(node) && !node.is_empty_null();
            let start = if below && snippet.block {
                // Keep a comment on the key's line.
                colon_line_end
            } else {
                colon + 1
            };
            let mut end = if node.is_empty_null() { colon + 1 } else { src.content_end(node).max(colon + 1) };
            if multiline_scalar {
                end = src.past_comment(end);
            }
            let start = start.min(end);
            Ok((start..end, place(snippet, colon_place, key_column)))
        }
        Slot::Item => {
            let dash =
                src.dash_before(node).ok_or_else(|| unsupported(segments, "a list item not introduced by `- `"))?;
            let column = src.column(dash);
            let multiline_scalar = !snippet.block && snippet.text.contains('\n');
            if simple && !snippet.block && !multiline_scalar {
                return Ok((node.start..node.end, place(snippet, Place::Dash, column)[1..].to_owned()));
            }
            let mut end = if node.is_empty_null() { dash + 1 } else { src.content_end(node).max(dash + 1) };
            if multiline_scalar || snippet.block {
                end = src.past_comment(end);
            }
            Ok((dash + 1..end, place(snippet, Place::Dash, column)))
        }
    }
}

/// Where a block collection's first child starts: its first key, or the
/// dash of its first item.
fn block_start(src: Src<'_>, node: &Node) -> Option<usize> {
    match &node.kind {
        Kind::Map { entries, .. } => entries.first().map(|(k, _)| k.start),
        Kind::Seq { items, .. } => items.first().and_then(|item| src.dash_before(item)),
        _ => None,
    }
}

/// The end of child `index` of a block collection, as far as its text goes.
fn child_end(src: Src<'_>, parent: &Node, index: usize) -> usize {
    match &parent.kind {
        Kind::Map { entries, .. } => {
            let (k, v) = &entries[index];
            let colon = src.colon_after(k).map_or(k.end, |c| c + 1);
            if v.is_empty_null() { colon } else { v.end.max(colon) }
        }
        Kind::Seq { items, .. } => items[index].end.max(items[index].start),
        _ => parent.end,
    }
}

/// Adds the key `rest[0]` (and below it the rest of the path) at the end of a
/// block mapping, at the indentation of its keys.
fn insert_entry(
    src: Src<'_>,
    map: &Node,
    rest: &[Segment],
    snippet: Snippet,
    segments: &[Segment],
) -> Result<(Range<usize>, String), EditError> {
    let Kind::Map { entries, .. } = &map.kind else { unreachable!("navigate returns block mappings") };
    let first = entries.first().ok_or_else(|| unsupported(segments, "an empty block mapping"))?;
    let column = src.column(first.0.start);
    let entry = nest(rest, snippet)?;
    let text = format!("{}{}", " ".repeat(column), indent_rest(&entry.text, column));
    Ok(insert_line(src, child_end(src, map, entries.len() - 1), &text))
}

/// Inserts `line` (without its line break) after the line holding `after`.
fn insert_line(src: Src<'_>, after: usize, line: &str) -> (Range<usize>, String) {
    let at = src.own_end(after);
    if at == src.0.len() && !src.0.ends_with('\n') {
        // Keep the file's lack of a final line break.
        (at..at, format!("\n{line}"))
    } else {
        (at..at, format!("{line}\n"))
    }
}

// The model: the same change applied to the document's value, to check the
// text against.

fn model_child<'v>(value: &'v mut Value, segment: &Segment) -> Option<&'v mut Value> {
    match (segment, value) {
        (Segment::Key(key), Value::Map(entries)) => {
            entries.iter_mut().find(|(k, _)| matches!(k, Value::Scalar { value, .. } if value == key)).map(|(_, v)| v)
        }
        (Segment::Index(i), Value::Seq(items)) => items.get_mut(*i),
        _ => None,
    }
}

fn model_set(value: &mut Value, segments: &[Segment], new: Value) {
    let Some((first, rest)) = segments.split_first() else {
        *value = new;
        return;
    };
    if let Some(child) = model_child(value, first) {
        return model_set(child, rest, new);
    }
    let Segment::Key(key) = first else { return };
    let Ok(key_value) = Doc::parse(&render_key(key)).map(|d| d.root.value()) else { return };
    let mut child = Value::Map(Vec::new());
    model_set(&mut child, rest, new);
    match value {
        Value::Map(entries) => entries.push((key_value, child)),
        _ => *value = Value::Map(vec![(key_value, child)]),
    }
}

fn model_remove(value: &mut Value, segments: &[Segment]) {
    let Some((last, parent)) = segments.split_last() else { return };
    let mut node = value;
    for segment in parent {
        match model_child(node, segment) {
            Some(child) => node = child,
            None => return,
        }
    }
    match (last, node) {
        (Segment::Key(key), Value::Map(entries)) => {
            entries.retain(|(k, _)| !matches!(k, Value::Scalar { value, .. } if value == key));
        }
        (Segment::Index(i), Value::Seq(items)) if *i < items.len() => {
            items.remove(*i);
        }
        _ => {}
    }
}

fn model_append(value: &mut Value, segments: &[Segment], new: Value) {
    let mut node = value;
    for segment in segments {
        match model_child(node, segment) {
            Some(child) => node = child,
            None => return,
        }
    }
    if let Value::Seq(items) = node {
        items.push(new);
    }
}
