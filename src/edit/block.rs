//! Edits in block layout: the new value is YAML text re-indented to its
//! place (after `key:` or `- `), never re-serialized; a new entry or item
//! goes on its own lines after the last one, at its neighbours' column; a
//! removed one takes its own lines with it.

use std::ops::Range;

use crate::document::text::{column, line_break, line_start, own_end};
use crate::document::{Document, Format, NodeId, ScalarStyle, Style};

use super::{Edit, EditError, Planned, Value, render_key};

/// A value as block YAML text, to follow `key:` or `-`.
#[derive(Debug, Clone)]
struct Block {
    text: String,
    /// A block mapping or list, which must start on its own line after a key.
    block: bool,
}

impl Block {
    fn of(value: &Value<'_>) -> Block {
        let (keys, snippet, list) = value.parts();
        let mut block = Block { text: snippet.text.clone(), block: snippet.is_block() };
        if list {
            block = Block { text: format!("-{}", place(&block, Place::Dash, 0)), block: true };
        }
        for key in keys.iter().rev() {
            let text =
                format!("{}:{}", render_key(key, Format::Yaml), place(&block, Place::Colon { block_indent: 2 }, 0));
            block = Block { text, block: true };
        }
        block
    }
}

#[derive(Debug, Clone, Copy)]
enum Place {
    /// After `key:`; a block collection goes on the lines below, indented by
    /// `block_indent`.
    Colon { block_indent: usize },
    /// After `-`.
    Dash,
}

/// The text that follows `key:` or `-` to hold `block`, where the key or
/// dash is at `column`.
fn place(block: &Block, place: Place, column: usize) -> String {
    if let (true, Place::Colon { block_indent }) = (block.block, place) {
        let mut out = String::new();
        for line in block.text.lines() {
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
        block.text.lines().skip(1).filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min();
    let shift = if block.block || continuation == Some(0) { column + 2 } else { column };
    format!(" {}", indent_rest(&block.text, shift))
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
enum Slot {
    Root,
    Value { key: NodeId },
    Item,
}

fn slot(doc: &Document, node: NodeId) -> Slot {
    match doc.node(node).parent() {
        None => Slot::Root,
        Some(parent) if doc.node(parent).is_map() => {
            Slot::Value { key: doc.children(parent)[doc.node(node).index() - 1] }
        }
        Some(_) => Slot::Item,
    }
}

fn is_block_scalar(doc: &Document, node: NodeId) -> bool {
    doc.node(node).scalar().is_some_and(|s| matches!(s.style, ScalarStyle::Literal | ScalarStyle::Folded))
}

fn is_block_collection(doc: &Document, node: NodeId) -> bool {
    doc.node(node).style() == Some(Style::Block)
}

/// The `:` after a mapping key, on its line.
fn colon_after(text: &str, doc: &Document, key: NodeId) -> Option<usize> {
    let end = doc.node(key).span().end;
    let rest = &text[end..];
    let skipped = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    rest[skipped..].starts_with(':').then_some(end + skipped)
}

/// The `-` introducing a block list item.
fn dash(text: &str, doc: &Document, item: NodeId) -> Option<usize> {
    let lead = doc.node(item).lead();
    text[lead..].starts_with('-').then_some(lead)
}

/// A comment after `at` on its line would end up inside a multi-line
/// scalar put before it: the end of that comment, else `at`.
fn past_comment(text: &str, at: usize) -> usize {
    let rest = &text[at..line_break(text, at)];
    if rest.trim_start().starts_with('#') { at + rest.trim_end_matches('\r').len() } else { at }
}

/// Where a block collection's first child starts: its first key, or the
/// dash of its first item.
fn block_start(doc: &Document, node: NodeId) -> Option<usize> {
    doc.children(node).first().map(|&child| doc.node(child).lead())
}

/// The end of child `index` (an entry or an item) of a block collection.
fn child_end(doc: &Document, parent: NodeId, index: usize) -> usize {
    let children = doc.children(parent);
    if doc.node(parent).is_map() {
        let (key, value) = (doc.node(children[2 * index]), doc.node(children[2 * index + 1]));
        value.span().end.max(key.span().end)
    } else {
        let item = doc.node(children[index]);
        item.span().end.max(item.lead() + 1)
    }
}

/// Inserts `line` (without its line break) after the line holding `after`.
fn insert_line(text: &str, after: usize, line: &str) -> (Range<usize>, String) {
    let at = own_end(text, after);
    if at == text.len() && !text.ends_with('\n') {
        // Keep the file's lack of a final line break.
        (at..at, format!("\n{line}"))
    } else {
        (at..at, format!("{line}\n"))
    }
}

/// The replacement that puts `value` in place of `node`.
pub(super) fn replace(edit: &Edit<'_, '_>, node: NodeId, value: &Value<'_>) -> Result<Planned, EditError> {
    let (doc, text) = (&edit.doc, edit.text);
    let block = Block::of(value);
    let span = doc.node(node).span();
    let empty = doc.node(node).is_empty_null();
    let block_scalar = is_block_scalar(doc, node);
    let block_collection = is_block_collection(doc, node);
    let simple = !empty && !block_scalar && !block_collection && !text[span.clone()].contains('\n');
    let multiline_scalar = !block.block && block.text.contains('\n');
    match slot(doc, node) {
        Slot::Root => {
            if !empty {
                // Its span starts at column 0 and ends with its content:
                // comments around it stay.
                return Ok(vec![(span, block.text)]);
            }
            // After any comments the file holds; on a line of its own.
            let at = if doc.is_empty_stream() { text.len() } else { span.start };
            let mut new = block.text;
            if at > 0 && !text[..at].ends_with('\n') {
                new.insert(0, '\n');
            }
            if !text[at..].starts_with('\n') {
                new.push('\n');
            }
            Ok(vec![(at..at, new)])
        }
        Slot::Value { key } => {
            let colon = colon_after(text, doc, key).ok_or_else(|| edit.unsupported("a key without `:` after it"))?;
            let key_column = column(text, doc.node(key).span().start);
            let mut indent = key_column + 2;
            if block_collection {
                let first = block_start(doc, node).unwrap_or(span.start);
                if column(text, first) > key_column && line_start(text, first) > colon {
                    indent = column(text, first);
                }
            }
            let colon_place = Place::Colon { block_indent: indent };
            if simple && !multiline_scalar && !block.block && line_start(text, span.start) == line_start(text, colon) {
                return Ok(vec![(span, place(&block, colon_place, key_column)[1..].to_owned())]);
            }
            let colon_line_end = line_break(text, colon);
            let below = span.start > colon_line_end && !block_scalar && !empty;
            // Keep a comment on the key's line.
            let start = if below && block.block { colon_line_end } else { colon + 1 };
            let mut end = if empty { colon + 1 } else { span.end.max(colon + 1) };
            if multiline_scalar {
                end = past_comment(text, end);
            }
            Ok(vec![(start.min(end)..end, place(&block, colon_place, key_column))])
        }
        Slot::Item => {
            let dash = dash(text, doc, node).ok_or_else(|| edit.unsupported("a list item not introduced by `- `"))?;
            let column = column(text, dash);
            if simple && !block.block && !multiline_scalar {
                return Ok(vec![(span, place(&block, Place::Dash, column)[1..].to_owned())]);
            }
            let mut end = if empty { dash + 1 } else { span.end.max(dash + 1) };
            if multiline_scalar || block.block {
                end = past_comment(text, end);
            }
            Ok(vec![(dash + 1..end, place(&block, Place::Dash, column))])
        }
    }
}

/// Adds `key: value` at the end of a block mapping, at the column of its keys.
pub(super) fn add_entry(edit: &Edit<'_, '_>, map: NodeId, key: &str, value: &Value<'_>) -> Result<Planned, EditError> {
    let (doc, text) = (&edit.doc, edit.text);
    let entries = doc.children(map).len() / 2;
    let first = doc.children(map)[0];
    let column = column(text, doc.node(first).span().start);
    let entry = Block::of(&Value::Map(key, Box::new(value.clone())));
    let line = format!("{}{}", " ".repeat(column), indent_rest(&entry.text, column));
    Ok(vec![insert_line(text, child_end(doc, map, entries - 1), &line)])
}

/// Adds `value` as the last item of a block list, at the column of its dashes.
pub(super) fn add_item(edit: &Edit<'_, '_>, list: NodeId, value: &Value<'_>) -> Result<Planned, EditError> {
    let (doc, text) = (&edit.doc, edit.text);
    let items = doc.children(list);
    let first = dash(text, doc, items[0]).ok_or_else(|| edit.unsupported("odd list layout"))?;
    let column = column(text, first);
    let item = format!("{}-{}", " ".repeat(column), place(&Block::of(value), Place::Dash, column));
    Ok(vec![insert_line(text, child_end(doc, list, items.len() - 1), &item)])
}

/// Removes entry or item `index` with its own lines; the last one leaves
/// `{}` or `[]`.
pub(super) fn remove(edit: &Edit<'_, '_>, parent: NodeId, index: usize) -> Result<Planned, EditError> {
    let (doc, text) = (&edit.doc, edit.text);
    let is_map = doc.node(parent).is_map();
    let children = doc.children(parent);
    let count = if is_map { children.len() / 2 } else { children.len() };
    if count == 1 {
        // Removing the last child would leave `key:` (null); write an empty
        // collection instead, so the parent keeps its type.
        let empty = super::Snippet::parse(if is_map { "{}" } else { "[]" }, &edit.editor.limits)?;
        return replace(edit, parent, &Value::Snippet(&empty));
    }
    let starts: Vec<usize> = if is_map {
        children.chunks_exact(2).map(|pair| doc.node(pair[0]).lead()).collect()
    } else {
        let dashes = children.iter().map(|&item| dash(text, doc, item)).collect::<Option<Vec<_>>>();
        dashes.ok_or_else(|| edit.unsupported("a list item not introduced by `- `"))?
    };
    let start = starts[index];
    let line = line_start(text, start);
    let range = if text[line..start].trim().is_empty() {
        line..own_end(text, child_end(doc, parent, index).max(start))
    } else if index == 0 {
        // A compact first child (`- name: x`): keep the dash, pull the next
        // child up to its place.
        start..starts[1]
    } else {
        return Err(edit.unsupported("it shares its line with other content"));
    };
    Ok(vec![(range, String::new())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indenting() {
        assert_eq!(indent_rest("a\nb\n\nc", 2), "a\n  b\n\n  c");
        let block = Block { text: "x: 1\ny: 2".into(), block: true };
        assert_eq!(place(&block, Place::Colon { block_indent: 4 }, 0), "\n    x: 1\n    y: 2");
        assert_eq!(place(&block, Place::Dash, 2), " x: 1\n    y: 2");
    }
}
