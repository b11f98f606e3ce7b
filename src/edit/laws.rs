//! Laws of the editor, checked on generated documents in every layout
//! (block YAML, flow YAML on one line and on many, YAML mixing both, JSON
//! pretty with 2 or 4 spaces or tabs, JSON minified, CRLF): a random set,
//! unset or append gives a text whose value, read by an independent parser
//! (`saphyr` for YAML, `serde_json` for JSON), is the intended one, and
//! whose bytes outside the edited node's span and its separator are the
//! original's.

use proptest::prelude::*;
use saphyr::{LoadableYamlNode, ScalarOwned, YamlOwned};
use serde_json::{Map, Value as Json};

use super::*;
use crate::document::text::{line_start, own_end};

const KEYS: &[&str] = &["a", "b", "name", "key one", "1", "k-2"];
const STRINGS: &[&str] = &["x", "hello world", "a,b", "k: v", "#hash", "yes", "12", "", "it's", "multi\nline", "é"];

fn leaf() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        (-50i64..5000).prop_map(Json::from),
        prop::sample::select(STRINGS).prop_map(Json::from),
    ]
}

fn object(entries: Vec<(&str, Json)>) -> Json {
    let mut map = Map::new();
    for (key, value) in entries {
        map.insert(key.to_owned(), value);
    }
    Json::Object(map)
}

fn collection(inner: BoxedStrategy<Json>) -> impl Strategy<Value = Json> {
    prop_oneof![
        prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
        prop::collection::vec((prop::sample::select(KEYS), inner), 0..4).prop_map(object),
    ]
}

/// A document: a mapping or a list, up to three levels deep.
fn document() -> impl Strategy<Value = Json> {
    let value = leaf().prop_recursive(2, 16, 4, |inner| collection(inner.boxed()).boxed()).boxed();
    collection(value)
}

#[derive(Debug, Clone, Copy)]
enum Layout {
    Block,
    FlowLine,
    /// JSON text read as YAML: flow collections over many lines.
    FlowLines,
    /// Block at the top, one-line flow below.
    Mixed,
    JsonPretty(&'static str),
    JsonMinified,
    JsonCrlf,
}

fn layouts() -> impl Strategy<Value = Layout> {
    prop::sample::select(vec![
        Layout::Block,
        Layout::FlowLine,
        Layout::FlowLines,
        Layout::Mixed,
        Layout::JsonPretty("  "),
        Layout::JsonPretty("    "),
        Layout::JsonPretty("\t"),
        Layout::JsonMinified,
        Layout::JsonCrlf,
    ])
}

impl Layout {
    fn format(self) -> Format {
        match self {
            Layout::Block | Layout::FlowLine | Layout::FlowLines | Layout::Mixed => Format::Yaml,
            _ => Format::Json,
        }
    }

    fn render(self, value: &Json) -> String {
        match self {
            Layout::Block => block(value, 0, false),
            Layout::FlowLine => flow(value) + "\n",
            Layout::FlowLines | Layout::JsonPretty("  ") => serde_json::to_string_pretty(value).unwrap() + "\n",
            Layout::Mixed => block(value, 0, true),
            Layout::JsonPretty(indent) => {
                let mut out = Vec::new();
                let formatter = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
                let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
                serde::Serialize::serialize(value, &mut serializer).unwrap();
                String::from_utf8(out).unwrap() + "\n"
            }
            Layout::JsonMinified => serde_json::to_string(value).unwrap(),
            Layout::JsonCrlf => serde_json::to_string_pretty(value).unwrap().replace('\n', "\r\n") + "\r\n",
        }
    }
}

/// A scalar or key as YAML: plain when that reads back as the same string.
fn yaml_scalar(value: &Json) -> String {
    match value {
        Json::String(s) if crate::document::plain_is_safe(s, true, true) => s.clone(),
        other => other.to_string(),
    }
}

fn flow(value: &Json) -> String {
    match value {
        Json::Array(items) => format!("[{}]", items.iter().map(flow).collect::<Vec<_>>().join(", ")),
        Json::Object(map) => {
            let entries: Vec<_> =
                map.iter().map(|(k, v)| format!("{}: {}", yaml_scalar(&Json::from(k.as_str())), flow(v))).collect();
            format!("{{{}}}", entries.join(", "))
        }
        scalar => yaml_scalar(scalar),
    }
}

/// Block YAML at `indent`; with `flow_below`, collections below the top
/// level are written in flow style.
fn block(value: &Json, indent: usize, flow_below: bool) -> String {
    let pad = " ".repeat(indent);
    let nested = |v: &Json| match v {
        Json::Array(items) if !items.is_empty() => !flow_below,
        Json::Object(map) if !map.is_empty() => !flow_below,
        _ => false,
    };
    let mut out = String::new();
    match value {
        Json::Object(map) if !map.is_empty() => {
            for (key, v) in map {
                out.push_str(&format!("{pad}{}:", yaml_scalar(&Json::from(key.as_str()))));
                if nested(v) {
                    out.push('\n');
                    out.push_str(&block(v, indent + 2, flow_below));
                } else {
                    out.push_str(&format!(" {}\n", flow(v)));
                }
            }
        }
        Json::Array(items) if !items.is_empty() => {
            for v in items {
                if nested(v) {
                    // `- ` then the item's first line; its other lines below.
                    let inner = block(v, indent + 2, flow_below);
                    out.push_str(&format!("{pad}- {}", &inner[indent + 2..]));
                } else {
                    out.push_str(&format!("{pad}- {}\n", flow(v)));
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", flow(other))),
    }
    out
}

/// What an independent parser reads the text as.
fn read(format: Format, text: &str) -> Json {
    match format {
        Format::Json => serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}")),
        Format::Yaml => {
            let docs = YamlOwned::load_from_str(text).unwrap_or_else(|e| panic!("not YAML ({e}):\n{text}"));
            assert_eq!(docs.len(), 1, "{text}");
            from_yaml(&docs[0])
        }
    }
}

fn from_yaml(yaml: &YamlOwned) -> Json {
    match yaml {
        YamlOwned::Value(ScalarOwned::Null) => Json::Null,
        YamlOwned::Value(ScalarOwned::Boolean(b)) => Json::Bool(*b),
        YamlOwned::Value(ScalarOwned::Integer(i)) => Json::from(*i),
        YamlOwned::Value(ScalarOwned::FloatingPoint(f)) => Json::from(f.into_inner()),
        YamlOwned::Value(ScalarOwned::String(s)) => Json::from(s.as_str()),
        YamlOwned::Sequence(items) => Json::Array(items.iter().map(from_yaml).collect()),
        YamlOwned::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match from_yaml(k) {
                    Json::String(s) => s,
                    other => other.to_string(),
                };
                out.insert(key, from_yaml(v));
            }
            Json::Object(out)
        }
        other => panic!("unexpected YAML node {other:?}"),
    }
}

/// Values to write, as YAML or JSON text.
const VALUES: &[&str] = &[
    "7",
    "x",
    "\"quoted, with comma\"",
    "[1, 2]",
    "{k: v}",
    "a: 1\nb: [x]",
    "- 1\n- two",
    "yes",
    "null",
    "'0 3 * * *'",
];

#[derive(Debug, Clone)]
enum Op {
    Set(Vec<Segment>, &'static str),
    Unset(Vec<Segment>),
    Append(Vec<Segment>, &'static str),
}

type Paths = Vec<Vec<Segment>>;

/// Every path in `value` (the root excepted), every mapping's, every list's.
fn paths(value: &Json) -> (Paths, Paths, Paths) {
    let (mut existing, mut maps, mut lists) = (Vec::new(), Vec::new(), Vec::new());
    let mut stack = vec![(Vec::new(), value)];
    while let Some((path, value)) = stack.pop() {
        match value {
            Json::Object(map) => {
                maps.push(path.clone());
                for (k, v) in map {
                    let mut child = path.clone();
                    child.push(Segment::Key(k.clone()));
                    existing.push(child.clone());
                    stack.push((child, v));
                }
            }
            Json::Array(items) => {
                lists.push(path.clone());
                for (i, v) in items.iter().enumerate() {
                    let mut child = path.clone();
                    child.push(Segment::Index(i));
                    existing.push(child.clone());
                    stack.push((child, v));
                }
            }
            _ => {}
        }
    }
    (existing, maps, lists)
}

fn pick<T: Clone>(items: &[T], selector: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[selector % items.len()].clone())
}

fn choose(value: &Json, kind: u8, selector: usize, text: &'static str) -> Option<Op> {
    let (existing, maps, lists) = paths(value);
    let fresh = |mut path: Vec<Segment>| {
        path.push(Segment::Key("fresh".into()));
        path
    };
    match kind % 5 {
        0 => pick(&existing, selector).map(|p| Op::Set(p, text)),
        1 => pick(&maps, selector).map(|p| Op::Set(fresh(p), text)),
        2 => pick(&existing, selector).map(Op::Unset),
        3 => pick(&lists, selector).map(|p| Op::Append(p, text)),
        _ => pick(&maps, selector).map(|p| Op::Append(fresh(p), text)),
    }
}

fn model_value(text: &str) -> Json {
    serde_json::from_str(text).unwrap_or_else(|_| read(Format::Yaml, text))
}

/// The parent of the value at `path` (created as mappings where missing).
fn parent_mut<'v>(value: &'v mut Json, path: &[Segment]) -> &'v mut Json {
    let mut node = value;
    for segment in path {
        node = match segment {
            Segment::Index(i) => &mut node[*i],
            Segment::Select { .. } => unreachable!("the laws make keys and indexes"),
            Segment::Key(k) => {
                if !node.is_object() {
                    *node = Json::Object(Map::new());
                }
                node.as_object_mut().unwrap().entry(k.clone()).or_insert(Json::Null)
            }
        };
    }
    node
}

fn apply(model: &mut Json, op: &Op) {
    match op {
        Op::Set(path, text) => *parent_mut(model, path) = model_value(text),
        Op::Unset(path) => {
            let (last, parent) = path.split_last().unwrap();
            match (last, parent_mut(model, parent)) {
                (Segment::Key(k), Json::Object(map)) => {
                    map.remove(k);
                }
                (Segment::Index(i), Json::Array(items)) => {
                    items.remove(*i);
                }
                _ => unreachable!(),
            }
        }
        Op::Append(path, text) => match parent_mut(model, path) {
            Json::Array(items) => items.push(model_value(text)),
            other => *other = Json::Array(vec![model_value(text)]),
        },
    }
}

/// The bytes of `text` the edit may change: the edited node's span and its
/// separator, or for a block layout the lines of the entry or item.
fn allowed(edit: &Edit<'_, '_>, op: &Op) -> Range<usize> {
    let (doc, text) = (&edit.doc, edit.text);
    let flow = |node: NodeId| edit.in_flow(node) || doc.node(node).style() == Some(Style::Flow);
    let node_region = |node: NodeId| {
        let span = doc.node(node).span();
        if edit.in_flow(node) {
            return span;
        }
        let Some(parent) = doc.node(node).parent() else {
            return 0..text.len();
        };
        let lead = match doc.node(parent).is_map() {
            true => doc.node(doc.children(parent)[doc.node(node).index() - 1]).lead(),
            false => doc.node(node).lead(),
        };
        line_start(text, lead)..own_end(text, span.end)
    };
    let members = |c: NodeId| -> Vec<Range<usize>> {
        let children = doc.children(c);
        if doc.node(c).is_map() {
            children.chunks_exact(2).map(|p| doc.entry_span(p[0], p[1])).collect()
        } else {
            children.iter().map(|&i| doc.node(i).span()).collect()
        }
    };
    let insertion = |c: NodeId| {
        let span = doc.node(c).span();
        let last = members(c).last().map_or(span.start, |m| m.end);
        if flow(c) { last..span.end } else { last..own_end(text, last) }
    };
    match op {
        Op::Set(path, _) | Op::Append(path, _) => match navigate(doc, path).unwrap_or_else(|e| panic!("{e}")) {
            Found::Node { node, rest: [] } if matches!(op, Op::Append(..)) && doc.node(node).is_seq() => {
                insertion(node)
            }
            Found::Node { node, .. } => node_region(node),
            Found::MissingKey { map, .. } => insertion(map),
        },
        Op::Unset(path) => {
            let (last, parent_path) = path.split_last().unwrap();
            let Ok(Found::Node { node: parent, rest: [] }) = navigate(doc, parent_path) else { unreachable!() };
            let index = match last {
                Segment::Key(k) => doc.node(doc.find_key(parent, k).unwrap().0).index() / 2,
                Segment::Index(i) => *i,
                Segment::Select { .. } => unreachable!("the laws make keys and indexes"),
            };
            let members = members(parent);
            if members.len() == 1 {
                return node_region(parent);
            }
            if flow(parent) {
                let lo = if index + 1 == members.len() { members[index - 1].end } else { members[index].start };
                let hi = members.get(index + 1).map_or(members[index].end, |next| next.start);
                return lo..hi;
            }
            let lead = doc.node(doc.children(parent)[if doc.node(parent).is_map() { 2 * index } else { index }]).lead();
            line_start(text, lead)..own_end(text, members[index].end).max(members.get(index + 1).map_or(0, |m| m.start))
        }
    }
}

/// Whether `out` is `text` with only bytes inside `range` changed: `out`
/// starts with `text[..range.start]` and ends with `text[range.end..]`,
/// without the two overlapping.
fn changed_only_within(text: &str, out: &str, range: &Range<usize>) -> bool {
    let (a, b) = (text.as_bytes(), out.as_bytes());
    let (head, tail) = (&a[..range.start], &a[range.end..]);
    b.len() >= head.len() + tail.len() && b.starts_with(head) && b.ends_with(tail)
}

fn run(layout: Layout, value: &Json, op: &Op) -> Result<(), TestCaseError> {
    let format = layout.format();
    let text = layout.render(value);
    let editor = Editor::new(format, Limits::default());
    let path = path::display(match op {
        Op::Set(p, _) | Op::Unset(p) | Op::Append(p, _) => p,
    });
    let out = match op {
        Op::Set(_, v) => editor.set(&text, &path, v),
        Op::Unset(_) => editor.unset(&text, &path),
        Op::Append(_, v) => editor.append(&text, &path, v),
    };
    let out = out.map_err(|e| TestCaseError::fail(format!("{op:?} refused: {e}\n{text}")))?;
    let mut expected = read(format, &text);
    prop_assert_eq!(&expected, value, "the generated text reads as its value");
    apply(&mut expected, op);
    prop_assert_eq!(read(format, &out), expected, "{:?}\n--- before\n{}\n--- after\n{}", op, text, out);
    let segments = path::parse(&path).unwrap();
    let edit = editor.start(&text, &segments).unwrap();
    let range = allowed(&edit, op);
    prop_assert!(
        changed_only_within(&text, &out, &range),
        "{:?} changed bytes outside {:?} ({:?})\n--- before\n{}\n--- after\n{}",
        op,
        range,
        &text[range.clone()],
        text,
        out
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn an_edit_changes_its_value_and_only_its_bytes(
        value in document(),
        layout in layouts(),
        kind in any::<u8>(),
        selector in any::<usize>(),
        text in prop::sample::select(VALUES),
    ) {
        if let Some(op) = choose(&value, kind, selector, text) {
            run(layout, &value, &op)?;
        }
    }
}

#[test]
fn renderings_read_back() {
    let value = serde_json::json!({"a": [1, {"b": "x,y"}, []], "key one": {"c": null, "1": "yes"}, "e": {}});
    for layout in [Layout::Block, Layout::FlowLine, Layout::FlowLines, Layout::Mixed, Layout::JsonCrlf] {
        let text = layout.render(&value);
        assert_eq!(read(layout.format(), &text), value, "{layout:?}:\n{text}");
    }
}
