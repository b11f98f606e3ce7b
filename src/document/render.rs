//! Writing values as text: JSON with a given layout ([`render_json`]), flow
//! YAML on one line ([`render_flow`]) and block YAML ([`render_yaml`]).
//! Iterative, with explicit stacks. The YAML renderers keep tags and write
//! a scalar plain when it reads back as the same value (and as the same in
//! YAML 1.1 tools), else double-quoted.

use super::convert::{Read, read_scalar};
use super::{Document, Issue, IssueKind, Kind, NodeId, Resolved, Scalar, ScalarStyle, Tag, scalar};

/// How to lay JSON out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonLayout {
    /// After each `,` between members on one line: `" "` or `""`.
    pub comma: String,
    /// Between a key and its `:`, and after it: `": "`, `":"`, `" : "`.
    pub colon: String,
    /// One member per line: the indentation step and the indentation of the
    /// line the value starts on. `None`: all on one line.
    pub pretty: Option<(String, String)>,
    /// `\n` or `\r\n`.
    pub newline: String,
}

impl Default for JsonLayout {
    /// One line, `", "` and `": "`.
    fn default() -> Self {
        JsonLayout { comma: " ".into(), colon: ": ".into(), pretty: None, newline: "\n".into() }
    }
}

impl JsonLayout {
    /// Two spaces a level, as `jq` and `json.dumps(indent=2)` write.
    pub fn pretty() -> JsonLayout {
        JsonLayout { pretty: Some(("  ".into(), String::new())), ..JsonLayout::default() }
    }
}

enum JsonWork {
    Node(NodeId, usize),
    Key(NodeId),
    Text(&'static str),
    /// A line break and the indentation of `level`.
    Break(usize),
    Comma(usize),
}

/// Node `id` as JSON text laid out by `layout`, members in source order;
/// standard tags resolved as [`super::to_json`] does. With `untag`, a node
/// with an unknown tag is written as its untagged value (as the validator
/// sees it); else that is an issue. An issue that leaves no JSON (a complex
/// key, `.inf`, content that does not fit its tag) is returned instead.
pub fn render_json(doc: &Document, id: NodeId, layout: &JsonLayout, untag: bool) -> Result<String, Issue> {
    let mut out = String::new();
    let mut work = vec![JsonWork::Node(id, 0)];
    while let Some(item) = work.pop() {
        match item {
            JsonWork::Text(text) => out.push_str(text),
            JsonWork::Break(level) => {
                if let Some((unit, base)) = &layout.pretty {
                    out.push_str(&layout.newline);
                    out.push_str(base);
                    for _ in 0..level {
                        out.push_str(unit);
                    }
                }
            }
            JsonWork::Comma(level) => {
                out.push(',');
                if layout.pretty.is_some() {
                    work.push(JsonWork::Break(level));
                } else {
                    out.push_str(&layout.comma);
                }
            }
            JsonWork::Key(key) => {
                let text = doc.key_text(key).ok_or(Issue { node: key, kind: IssueKind::ComplexKey })?;
                if !untag {
                    check_tags(doc, key)?;
                }
                out.push_str(&quoted(text));
                out.push_str(&layout.colon);
            }
            JsonWork::Node(id, level) => {
                let id = resolve_alias(doc, id);
                if !untag {
                    check_tags(doc, id)?;
                }
                let node = doc.node(id);
                let children = doc.children(id);
                match node.kind() {
                    Kind::Seq(_) | Kind::Map(_) if children.is_empty() => {
                        out.push_str(if node.is_map() { "{}" } else { "[]" });
                    }
                    Kind::Seq(_) => {
                        out.push('[');
                        work.push(JsonWork::Text("]"));
                        work.push(JsonWork::Break(level));
                        for (i, &child) in children.iter().enumerate().rev() {
                            work.push(JsonWork::Node(child, level + 1));
                            work.push(if i == 0 { JsonWork::Break(level + 1) } else { JsonWork::Comma(level + 1) });
                        }
                    }
                    Kind::Map(_) => {
                        out.push('{');
                        work.push(JsonWork::Text("}"));
                        work.push(JsonWork::Break(level));
                        for (i, pair) in children.chunks_exact(2).enumerate().rev() {
                            work.push(JsonWork::Node(pair[1], level + 1));
                            work.push(JsonWork::Key(pair[0]));
                            work.push(if i == 0 { JsonWork::Break(level + 1) } else { JsonWork::Comma(level + 1) });
                        }
                    }
                    Kind::Scalar(scalar) => out.push_str(&json_scalar(id, scalar, node.tag(), untag)?),
                    Kind::Alias(_) => unreachable!("resolved above"),
                }
            }
        }
    }
    Ok(out)
}

/// Tags a JSON text cannot carry: anything but the standard ones.
fn check_tags(doc: &Document, id: NodeId) -> Result<(), Issue> {
    match doc.node(id).tag() {
        Some(tag) if !tag.is_non_specific() && tag.standard().is_none() => {
            Err(Issue { node: id, kind: IssueKind::UnknownTag(tag.to_string()) })
        }
        _ => Ok(()),
    }
}

fn json_scalar(id: NodeId, scalar: &Scalar, tag: Option<&Tag>, untag: bool) -> Result<String, Issue> {
    let value = match read_scalar(scalar, tag) {
        Read::Value(value) => value,
        Read::Unknown if untag => return Ok(quoted(&scalar.value)),
        Read::Unknown => {
            let tag = tag.map(ToString::to_string).unwrap_or_default();
            return Err(Issue { node: id, kind: IssueKind::UnknownTag(tag) });
        }
        Read::Bad(reason) => {
            let tag = tag.map(ToString::to_string).unwrap_or_default();
            return Err(Issue { node: id, kind: IssueKind::BadTagged { tag, reason } });
        }
    };
    Ok(match value {
        Resolved::Str(s) => quoted(&s),
        // A number keeps its spelling when JSON has it (`1.50`).
        Resolved::Int(_) | Resolved::Float(_) if is_json_number(&scalar.value) => scalar.value.clone(),
        Resolved::Float(f) if !f.is_finite() => {
            return Err(Issue { node: id, kind: IssueKind::Unrepresentable(scalar.value.clone()) });
        }
        other => other.to_json().map(|v| v.to_string()).unwrap_or_else(|| "null".into()),
    })
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`
fn is_json_number(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let int_end = s.find(['.', 'e', 'E']).unwrap_or(s.len());
    let (int, rest) = s.split_at(int_end);
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || (int.len() > 1 && int.starts_with('0')) {
        return false;
    }
    let rest = match rest.strip_prefix('.') {
        Some(frac) => {
            let end = frac.find(['e', 'E']).unwrap_or(frac.len());
            if !digits(&frac[..end]) {
                return false;
            }
            &frac[end..]
        }
        None => rest,
    };
    match rest.strip_prefix(['e', 'E']) {
        Some(exponent) => digits(exponent.strip_prefix(['-', '+']).unwrap_or(exponent)),
        None => rest.is_empty(),
    }
}

/// A scalar as flow or block YAML text, tag included.
fn scalar_text(scalar: &Scalar, tag: Option<&Tag>, flow: bool) -> String {
    let body = match read_scalar(scalar, tag) {
        _ if scalar.style == ScalarStyle::Plain && scalar.value.is_empty() && tag.is_none() => "null".to_owned(),
        // Plain numbers, booleans and nulls keep their spelling (`0x1F`).
        Read::Value(value) if scalar.style == ScalarStyle::Plain && !matches!(value, Resolved::Str(_)) => {
            scalar.value.clone()
        }
        // Written plain, it stays plain where that still reads the same.
        _ if scalar.style == ScalarStyle::Plain && plain_is_safe(&scalar.value, flow, false) => scalar.value.clone(),
        _ if plain_is_safe(&scalar.value, flow, true) && tag.is_none() => scalar.value.clone(),
        _ => quoted(&scalar.value),
    };
    match tag {
        Some(tag) => format!("{tag} {body}"),
        None => body,
    }
}

/// A string in double quotes with JSON escapes, which YAML reads alike.
pub(crate) fn quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// Whether `s`, written plain, reads back as the string `s` (and, when
/// `untagged`, as a string in YAML 1.1 tools too).
pub(crate) fn plain_is_safe(s: &str, flow: bool, untagged: bool) -> bool {
    let Some(first) = s.chars().next() else { return false };
    if s.trim() != s || s.chars().any(|c| c.is_control()) {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) || s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    if flow && s.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    !untagged || (scalar::core(s).is_none() && scalar::yaml11(s).is_none())
}

/// Node `id` as flow YAML on one line: `[a, b]`, `{k: v}`, tags kept.
/// Aliases are written as the value they stand for.
pub fn render_flow(doc: &Document, id: NodeId) -> String {
    enum Work {
        Node(NodeId),
        Text(&'static str),
    }
    let mut out = String::new();
    let mut work = vec![Work::Node(id)];
    while let Some(item) = work.pop() {
        let id = match item {
            Work::Text(text) => {
                out.push_str(text);
                continue;
            }
            Work::Node(id) => resolve_alias(doc, id),
        };
        let node = doc.node(id);
        let children = doc.children(id);
        if let Some(tag) = node.tag().filter(|_| node.is_collection()) {
            out.push_str(&format!("{tag} "));
        }
        match node.kind() {
            Kind::Scalar(scalar) => out.push_str(&scalar_text(scalar, node.tag(), true)),
            Kind::Seq(_) => {
                out.push('[');
                work.push(Work::Text("]"));
                for (i, &child) in children.iter().enumerate().rev() {
                    work.push(Work::Node(child));
                    if i > 0 {
                        work.push(Work::Text(", "));
                    }
                }
            }
            Kind::Map(_) => {
                out.push('{');
                work.push(Work::Text("}"));
                for (i, pair) in children.chunks_exact(2).enumerate().rev() {
                    work.push(Work::Node(pair[1]));
                    work.push(Work::Text(": "));
                    work.push(Work::Node(pair[0]));
                    if i > 0 {
                        work.push(Work::Text(", "));
                    }
                }
            }
            Kind::Alias(_) => unreachable!("resolved above"),
        }
    }
    out
}

fn resolve_alias(doc: &Document, mut id: NodeId) -> NodeId {
    while let Kind::Alias(target) = doc.node(id).kind() {
        id = *target;
    }
    id
}

/// Node `id` as block YAML, ending with a line break: mappings as
/// `key: value` lines, lists as `- item` lines, two spaces a level; empty
/// collections and complex keys in flow style; tags kept, aliases written
/// as the value they stand for.
pub fn render_yaml(doc: &Document, id: NodeId) -> String {
    /// What has been written just before a node.
    #[derive(Clone, Copy, PartialEq)]
    enum After {
        Nothing,
        /// `key:`
        Colon,
        /// `- `
        Dash,
    }
    enum Work {
        Node { id: NodeId, indent: usize, after: After },
        Entry { key: NodeId, value: NodeId, indent: usize, inline: bool },
        Item { id: NodeId, indent: usize, inline: bool },
    }
    let mut out = String::new();
    let mut work = vec![Work::Node { id, indent: 0, after: After::Nothing }];
    while let Some(item) = work.pop() {
        match item {
            Work::Entry { key, value, indent, inline } => {
                if !inline {
                    out.push_str(&" ".repeat(indent));
                }
                let key = resolve_alias(doc, key);
                match doc.node(key).kind() {
                    Kind::Scalar(scalar) => out.push_str(&scalar_text(scalar, doc.node(key).tag(), false)),
                    _ => out.push_str(&render_flow(doc, key)),
                }
                out.push(':');
                work.push(Work::Node { id: value, indent, after: After::Colon });
            }
            Work::Item { id, indent, inline } => {
                if !inline {
                    out.push_str(&" ".repeat(indent));
                }
                out.push_str("- ");
                work.push(Work::Node { id, indent: indent + 2, after: After::Dash });
            }
            Work::Node { id, indent, after } => {
                let id = resolve_alias(doc, id);
                let node = doc.node(id);
                let children = doc.children(id);
                if !node.is_collection() || children.is_empty() {
                    if after == After::Colon {
                        out.push(' ');
                    }
                    match node.kind() {
                        Kind::Scalar(scalar) => out.push_str(&scalar_text(scalar, node.tag(), false)),
                        _ => out.push_str(&render_flow(doc, id)),
                    }
                    out.push('\n');
                    continue;
                }
                let mut inline = after == After::Dash;
                if let Some(tag) = node.tag() {
                    if after != After::Nothing {
                        out.push(' ');
                    }
                    out.push_str(&tag.to_string());
                    out.push('\n');
                    inline = false;
                } else if after == After::Colon {
                    out.push('\n');
                }
                let indent = if after == After::Colon { indent + 2 } else { indent };
                if node.is_map() {
                    for (i, pair) in children.chunks_exact(2).enumerate().rev() {
                        work.push(Work::Entry { key: pair[0], value: pair[1], indent, inline: inline && i == 0 });
                    }
                } else {
                    for (i, &child) in children.iter().enumerate().rev() {
                        work.push(Work::Item { id: child, indent, inline: inline && i == 0 });
                    }
                }
            }
        }
    }
    out
}
