//! Edits inside flow collections (`[a, b]`, `{k: v}`) and JSON.
//!
//! A new member goes after the last one with the separator that stands
//! between the last two (`, ` on one line, `,\n    ` one per line), or,
//! with one neighbour, `,` and the document's spacing on one line, or a
//! line break and the neighbour's indentation; after a YAML trailing comma
//! it gets one too. A removed member takes its separator with it. An empty
//! JSON collection in a multi-line file opens onto lines of its own, as a
//! pretty-printer writes it.
//!
//! Values are written as JSON in JSON files (one line, or one member per
//! line when the neighbours are laid out so, in the file's indentation
//! step) and as flow YAML in YAML (the value as given when it is valid in
//! flow context, else rewritten with quotes where needed).

use std::ops::Range;

use crate::document::text::{indentation, is_blank_or_comment, starts_line};
use crate::document::{self, Document, Format, Issue, IssueKind, JsonLayout, Kind, NodeId, ScalarStyle};

use super::{Edit, EditError, Planned, Snippet, Value, render_key};

/// A flow collection's brackets and members.
struct Container {
    /// The `[` or `{`.
    open: usize,
    /// The `]` or `}`.
    close: usize,
    /// Each item, or each entry (key to value).
    members: Vec<Range<usize>>,
    /// The last member's value (for an entry, not its key).
    last_value: Option<NodeId>,
}

fn container(edit: &Edit<'_, '_>, node: NodeId) -> Result<Container, EditError> {
    let (doc, text) = (&edit.doc, edit.text);
    let span = doc.node(node).span();
    let open = span.start + skip_properties(&text[span.clone()]);
    let close = span.end.saturating_sub(1);
    let brackets = (text.as_bytes().get(open), text.as_bytes().get(close));
    if !matches!(brackets, (Some(b'['), Some(b']')) | (Some(b'{'), Some(b'}'))) || open >= close {
        return Err(edit.unsupported("a `key: value` pair in a flow list has no brackets to add to"));
    }
    Ok(Container { open, close, members: members(doc, node), last_value: doc.children(node).last().copied() })
}

/// A flow collection's members: each item, or each entry (key to value).
fn members(doc: &Document, node: NodeId) -> Vec<Range<usize>> {
    let children = doc.children(node);
    if doc.node(node).is_map() {
        children.chunks_exact(2).map(|pair| doc.entry_span(pair[0], pair[1])).collect()
    } else {
        children.iter().map(|&item| doc.node(item).span()).collect()
    }
}

/// Past a node's tag and anchor (`!t &a `), at its content.
fn skip_properties(text: &str) -> usize {
    let mut at = 0;
    while text[at..].starts_with(['!', '&']) {
        let token = text[at..].find(char::is_whitespace).unwrap_or(text.len() - at);
        let after = &text[at + token..];
        at += token + (after.len() - after.trim_start().len());
    }
    at
}

/// Spacing the document already uses, for text it has no example of nearby.
struct Sample {
    /// After a `,` between members on one line.
    comma: String,
    /// Around the `:` of an entry.
    colon: String,
    /// One level of indentation.
    unit: String,
}

fn sample(doc: &Document, text: &str, format: Format) -> Sample {
    let (mut comma, mut colon, mut unit) = (None, None, None);
    for id in 0..doc.len() {
        if comma.is_some() && colon.is_some() && unit.is_some() {
            break;
        }
        let node = doc.node(id);
        if !matches!(node.kind(), Kind::Seq(_) | Kind::Map(_)) || node.style() != Some(document::Style::Flow) {
            continue;
        }
        let children = doc.children(id);
        let members = members(doc, id);
        if comma.is_none()
            && let [first, second, ..] = members.as_slice()
        {
            let between = &text[first.end..second.start];
            if !between.contains('\n') && between.trim() == "," {
                comma = Some(between[between.find(',').expect("checked") + 1..].to_owned());
            }
        }
        if colon.is_none()
            && let [key, value, ..] = children
            && node.is_map()
        {
            let between = &text[doc.node(*key).span().end..doc.node(*value).span().start];
            if !between.contains('\n') && between.trim() == ":" {
                colon = Some(between.to_owned());
            }
        }
        if unit.is_none()
            && let Some(first) = members.first()
            && starts_line(text, first.start)
        {
            let outer = indentation(text, node.span().start);
            unit = indentation(text, first.start).strip_prefix(outer).filter(|u| !u.is_empty()).map(str::to_owned);
        }
    }
    // A JSON file on one line without a space after any `,` or `:` is minified.
    let minified =
        format == Format::Json && !text.trim_end().contains('\n') && !text.contains(", ") && !text.contains(": ");
    let comma = comma.unwrap_or_else(|| if minified { "" } else { " " }.into());
    Sample { comma, colon: colon.unwrap_or_else(|| ": ".into()), unit: unit.unwrap_or_else(|| "  ".into()) }
}

/// `value` as text for this file's flow context; `pretty`: the indentation
/// of the line it starts on, when a JSON collection is to be laid out one
/// member per line.
fn render(edit: &Edit<'_, '_>, sample: &Sample, value: &Value<'_>, pretty: Option<&str>) -> Result<String, EditError> {
    let (keys, snippet, list) = value.parts();
    let format = edit.editor.format;
    let mut text = match format {
        Format::Json => {
            let compact =
                JsonLayout { comma: sample.comma.clone(), colon: sample.colon.clone(), ..JsonLayout::default() };
            document::render_json(&snippet.doc, snippet.doc.root(), &compact, false).map_err(no_json)?
        }
        Format::Yaml => flow_text(snippet),
    };
    if list {
        text = format!("[{text}]");
    }
    let colon = if format == Format::Json { sample.colon.as_str() } else { ": " };
    for key in keys.iter().rev() {
        text = format!("{{{}{colon}{text}}}", render_key(key, format));
    }
    if let (Format::Json, Some(base)) = (format, pretty) {
        // Laid out again from its own tree: one member per line.
        let doc = document::parse_json(&text, &edit.editor.limits).single().map_err(|_| no_json_text())?;
        let layout = JsonLayout {
            comma: sample.comma.clone(),
            colon: sample.colon.clone(),
            pretty: Some((sample.unit.clone(), base.to_owned())),
            newline: "\n".into(),
        };
        text = document::render_json(&doc, doc.root(), &layout, false).map_err(no_json)?;
    }
    Ok(text)
}

fn no_json(issue: Issue) -> EditError {
    EditError::BadValue(match issue.kind {
        IssueKind::UnknownTag(tag) => format!("a JSON file cannot hold the tag `{tag}`"),
        IssueKind::BadTagged { reason, .. } => reason,
        IssueKind::ComplexKey => "a key that is a list or mapping has no JSON form".into(),
        IssueKind::Unrepresentable(text) => format!("`{text}` has no JSON form"),
    })
}

fn no_json_text() -> EditError {
    EditError::BadValue("the value has no JSON form".into())
}

/// A snippet as flow YAML: as given when that is valid on one line in flow
/// context, else rewritten.
fn flow_text(snippet: &Snippet) -> String {
    let doc = &snippet.doc;
    let root = doc.node(doc.root());
    let one_line = !snippet.text.contains('\n');
    let as_given = one_line
        && root.tag().is_none()
        && match root.kind() {
            Kind::Seq(style) | Kind::Map(style) => *style == document::Style::Flow,
            Kind::Scalar(scalar) => match scalar.style {
                ScalarStyle::Plain => document::plain_is_safe(&scalar.value, true, false),
                ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => true,
                ScalarStyle::Literal | ScalarStyle::Folded => false,
            },
            Kind::Alias(_) => false,
        };
    if as_given { snippet.text.clone() } else { document::render_flow(doc, doc.root()) }
}

/// Whether a JSON value put at `node`'s place, or after the collection's
/// last member, is to be laid out one member per line.
fn pretty_like(edit: &Edit<'_, '_>, node: NodeId) -> bool {
    let (doc, text) = (&edit.doc, edit.text);
    edit.editor.format == Format::Json && doc.node(node).is_collection() && text[doc.node(node).span()].contains('\n')
}

/// Puts `value` in place of `node`, a member of a flow collection (or a
/// JSON document's root).
pub(super) fn replace(edit: &Edit<'_, '_>, node: NodeId, value: &Value<'_>) -> Result<Planned, EditError> {
    let (doc, text) = (&edit.doc, edit.text);
    let sample = sample(doc, text, edit.editor.format);
    let span = doc.node(node).span();
    let pretty = pretty_like(edit, node).then(|| indentation(text, span.start));
    let new = render(edit, &sample, value, pretty)?;
    if !doc.node(node).is_empty_null() {
        return Ok(vec![(span, new)]);
    }
    // An empty value in a flow mapping (`{a: , b}`, `{a}`): after its `:`,
    // or after its key with a `:`.
    let key = doc.children(doc.node(node).parent().expect("an empty value has a parent"))[doc.node(node).index() - 1];
    let key_end = doc.node(key).span().end;
    let rest = &text[key_end..];
    let skipped = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    if rest[skipped..].starts_with(':') {
        let at = key_end + skipped + 1;
        let pad = if text[at..].starts_with(' ') { "" } else { " " };
        let at = if pad.is_empty() { at + 1 } else { at };
        return Ok(vec![(at..at, format!("{pad}{new}"))]);
    }
    Ok(vec![(key_end..key_end, format!(": {new}"))])
}

/// Adds a member at the end of a flow collection: an item (`key` is
/// `None`) or the entry `key: value`.
pub(super) fn add_member(
    edit: &Edit<'_, '_>,
    collection: NodeId,
    key: Option<&str>,
    value: &Value<'_>,
) -> Result<Planned, EditError> {
    let (doc, text) = (&edit.doc, edit.text);
    let format = edit.editor.format;
    let sample = sample(doc, text, edit.editor.format);
    let c = container(edit, collection)?;
    let one_line = !text[c.open..c.close].contains('\n');
    // The entry's own `:` spacing, from its neighbour when it has one.
    let colon = match (key, doc.node(collection).is_map(), doc.children(collection)) {
        (Some(_), true, [.., last_key, last_value]) => {
            let between = &text[doc.node(*last_key).span().end..doc.node(*last_value).span().start];
            let fits = !between.contains('\n') && between.trim() == ":";
            // A plain YAML key needs a space after its `:`.
            let fits = fits && (format == Format::Json || between.ends_with([' ', '\t']));
            if fits { between.to_owned() } else { default_colon(format, &sample) }
        }
        _ => default_colon(format, &sample),
    };
    let member = |base: &str, opened: bool| -> Result<String, EditError> {
        // Laid out as the last neighbour when that is a collection with
        // members, else one member per line when the collection is so.
        let pretty = match c.last_value {
            Some(last) if !doc.children(last).is_empty() => pretty_like(edit, last),
            _ => format == Format::Json && (opened || !one_line),
        };
        let value = render(edit, &sample, value, pretty.then_some(base))?;
        Ok(match key {
            Some(key) => format!("{}{colon}{value}", render_key(key, format)),
            None => value,
        })
    };
    let Some(last) = c.members.last() else {
        let inner = c.open + 1..c.close;
        if !text[inner.clone()].trim().is_empty() {
            return Err(edit.unsupported("the empty collection holds a comment"));
        }
        let root_lines = text[doc.node(doc.root()).span()].contains('\n');
        if format == Format::Json && root_lines {
            // As a pretty-printer opens it: on lines of its own.
            let base = indentation(text, c.open);
            let inside = format!("{base}{}", sample.unit);
            return Ok(vec![(inner, format!("\n{inside}{}\n{base}", member(&inside, true)?))]);
        }
        return Ok(vec![(inner, member(indentation(text, c.open), false)?)]);
    };
    let separator = separator_after(text, &c.members, one_line, &sample);
    let base = match separator.rfind('\n') {
        Some(i) => separator[i + 1..].to_owned(),
        None => indentation(text, last.start).to_owned(),
    };
    let member = member(&base, false)?;
    match trailing_comma(text, last.end, c.close) {
        // YAML allows `[a, b,]`: the new member gets one too.
        Some(comma) => {
            let after_comma = &separator[separator.find(',').expect("a separator has a comma") + 1..];
            Ok(vec![(comma + 1..comma + 1, format!("{after_comma}{member},"))])
        }
        None => Ok(vec![(last.end..last.end, format!("{separator}{member}"))]),
    }
}

/// What separates a member added after the last one of flow collection
/// `collection` from it (see [`separator_after`]); `None` when the
/// collection is empty. The structural merge lays out a member it adds
/// between two others (both sides appended one) with it.
pub(crate) fn separator(doc: &Document, text: &str, format: Format, collection: NodeId) -> Option<String> {
    let members = members(doc, collection);
    members.last()?;
    let one_line = !text[doc.node(collection).span()].contains('\n');
    Some(separator_after(text, &members, one_line, &sample(doc, text, format)))
}

/// The separator that stands between the last two of `members` (one comma
/// and whitespace), else `,` and the document's spacing when the
/// collection is on one line, else a line break and the last member's
/// indentation. `members` is not empty.
fn separator_after(text: &str, members: &[Range<usize>], one_line: bool, sample: &Sample) -> String {
    match members {
        [.., before, last] if is_separator(&text[before.end..last.start]) => text[before.end..last.start].to_owned(),
        _ if one_line => format!(",{}", sample.comma),
        [.., last] => format!(",\n{}", indentation(text, last.start)),
        [] => format!(",{}", sample.comma),
    }
}

fn default_colon(format: Format, sample: &Sample) -> String {
    match format {
        Format::Json => sample.colon.clone(),
        Format::Yaml if sample.colon.ends_with([' ', '\t']) => sample.colon.clone(),
        Format::Yaml => ": ".into(),
    }
}

/// Text between two members that is one comma and whitespace.
fn is_separator(between: &str) -> bool {
    between.matches(',').count() == 1 && !between.contains('#') && between.trim() == ","
}

/// A `,` after the last member, before the closing bracket.
fn trailing_comma(text: &str, last_end: usize, close: usize) -> Option<usize> {
    let after = &text[last_end..close];
    let comma = after.find(',')?;
    is_blank_or_comment(text, last_end..last_end + comma).then_some(last_end + comma)
}

/// Removes member `index` of a flow collection with its separator; the
/// last one leaves `[]` or `{}`.
pub(super) fn remove(edit: &Edit<'_, '_>, collection: NodeId, index: usize) -> Result<Planned, EditError> {
    let c = container(edit, collection)?;
    let members = &c.members;
    let range = if members.len() == 1 {
        c.open + 1..c.close
    } else if index + 1 < members.len() {
        members[index].start..members[index + 1].start
    } else {
        members[index - 1].end..members[index].end
    };
    Ok(vec![(range, String::new())])
}
