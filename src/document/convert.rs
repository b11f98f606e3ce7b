//! From a tree to the JSON value it denotes, for JSON Schema validation,
//! `cfg get --format json` and values written into JSON files.
//!
//! Untagged plain scalars resolve by the YAML 1.2 core schema. Standard tags
//! (`!!int`, `!!binary`, `!!set`…) resolve as the YAML 1.1 types repository
//! describes them (<https://yaml.org/type/>), to JSON-compatible values:
//!
//! | tag | JSON value |
//! | --- | --- |
//! | `!!str`, `!!binary` (base64, whitespace removed), `!!timestamp` (as written), `!!merge`, `!!value`, `!!yaml` | string |
//! | `!!int` (also `0b1010`, `0o17`, `1_000`, `190:20:30`) | integer |
//! | `!!float` (also `1_000.5`, `190:20:30.15`) | number |
//! | `!!bool` (also `yes`, `no`, `on`, `off`, `y`, `n`) | boolean |
//! | `!!null` | null |
//! | `!!seq`, `!!omap`, `!!pairs` (a list of one-entry mappings, as written) | array |
//! | `!!map`, `!!set` (every value null) | object |
//!
//! Any other tag (`!Ref`, `!!python/tuple`, `!<tag:example.com,2000:x>`) is
//! not known: its node is read as if untagged (a scalar as a string), and an
//! [`IssueKind::UnknownTag`] says so. What has no JSON form is an issue too:
//! a collection as a mapping key, `.inf` and `.nan`, content that does not
//! fit its standard tag. Aliases are expanded (parsing bounded what they may
//! cost).
//!
//! Iterative: the nodes of the subtree are replayed in source order with an
//! explicit stack.

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::{Map, Value};

use super::scalar::{self, Resolved};
use super::{Document, Kind, NodeId, Scalar, ScalarStyle, Tag};

/// The JSON value of a node, and what did not translate cleanly.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    pub value: Value,
    /// In source order.
    pub issues: Vec<Issue>,
}

/// Something in a node that JSON cannot say as YAML does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub node: NodeId,
    pub kind: IssueKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueKind {
    /// A tag outside the YAML types repository; the node was read as
    /// untagged. Holds the tag as written.
    UnknownTag(String),
    /// Content that does not fit its standard tag (`!!int abc`); read as a
    /// string.
    BadTagged { tag: String, reason: String },
    /// A mapping key that is a collection; the entry was left out.
    ComplexKey,
    /// `.inf` or `.nan`; read as null.
    Unrepresentable(String),
}

/// What a scalar reads as.
pub(crate) enum Read<'a> {
    Value(Resolved<'a>),
    /// Its tag is not a standard one: read as the untagged string.
    Unknown,
    /// Its content does not fit its standard tag; the reason.
    Bad(String),
}

/// Reads a scalar: untagged plain by the YAML 1.2 core schema, standard
/// tags by the YAML 1.1 types repository (its 1.2 core forms first).
pub(crate) fn read_scalar<'a>(scalar: &'a Scalar, tag: Option<&Tag>) -> Read<'a> {
    read(scalar.style, &scalar.value, tag)
}

fn read<'a>(style: ScalarStyle, value: &'a str, tag: Option<&Tag>) -> Read<'a> {
    let string = || Read::Value(Resolved::Str(Cow::Borrowed(value)));
    let Some(tag) = tag else {
        if style == ScalarStyle::Plain {
            return scalar::core(value).map_or_else(string, Read::Value);
        }
        return string();
    };
    if tag.is_non_specific() {
        return string();
    }
    let Some(name) = tag.standard() else {
        return Read::Unknown;
    };
    let core = || scalar::core(value);
    let found = match name {
        "str" | "merge" | "value" | "yaml" => return string(),
        "null" => core().filter(|v| *v == Resolved::Null),
        "bool" => {
            core().filter(|v| matches!(v, Resolved::Bool(_))).or_else(|| scalar::bool11(value).map(Resolved::Bool))
        }
        "int" => core().filter(|v| matches!(v, Resolved::Int(_))).or_else(|| scalar::int11(value).map(Resolved::Int)),
        "float" => match core() {
            Some(Resolved::Float(f)) => Some(Resolved::Float(f)),
            Some(Resolved::Int(i)) => Some(Resolved::Float(i as f64)),
            _ => scalar::float11(value).or_else(|| scalar::int11(value).map(|i| i as f64)).map(Resolved::Float),
        },
        "binary" => scalar::binary(value).map(|s| Resolved::Str(Cow::Owned(s))),
        "timestamp" => scalar::is_timestamp(value.trim()).then(|| Resolved::Str(Cow::Borrowed(value.trim()))),
        "seq" | "map" | "set" | "omap" | "pairs" => return Read::Bad(format!("`!!{name}` is for collections")),
        _ => return Read::Unknown,
    };
    match found {
        Some(resolved) => Read::Value(resolved),
        None if name == "binary" => Read::Bad("the content of `!!binary` is not base64".into()),
        None => Read::Bad(format!("`{}` cannot be read as `!!{name}`", short(value))),
    }
}

/// A scalar's first line, cut to a length a message can hold.
fn short(value: &str) -> String {
    let line = value.lines().next().unwrap_or("");
    let cut: String = line.chars().take(40).collect();
    if cut.len() < value.len() { format!("{cut}…") } else { cut }
}

/// A collection being converted.
enum Frame {
    Seq(Vec<Value>),
    /// `key`: the key of the entry whose value comes next; `None` when the
    /// next node is a key, or the entry is left out (a complex key).
    Map {
        map: Map<String, Value>,
        key: Option<String>,
        skip: bool,
    },
}

struct Open {
    node: NodeId,
    end: NodeId,
    frame: Frame,
}

/// The JSON value of node `id` of `doc`.
pub fn to_json(doc: &Document, id: NodeId) -> Conversion {
    convert(doc, id, Vec::new())
}

/// The JSON value of the whole document, its strings moved out of the tree
/// rather than copied: afterwards every scalar of `doc` is empty, while its
/// spans, keys and structure stay (all a caller locating findings needs).
pub(crate) fn take_json(doc: &mut Document) -> Conversion {
    let taken = doc
        .nodes
        .iter_mut()
        .map(|node| match &mut node.kind {
            Kind::Scalar(scalar) => Some(std::mem::take(&mut scalar.value)),
            _ => None,
        })
        .collect();
    convert(doc, doc.root(), taken)
}

fn convert(doc: &Document, id: NodeId, taken: Vec<Option<String>>) -> Conversion {
    // An alias below `id` may name an anchor before it: then replay from the
    // root, so that every anchor's value is known when its alias comes.
    let range = doc.subtree(id);
    let outside = doc.nodes[range.clone()].iter().any(|node| matches!(node.kind, Kind::Alias(target) if target < id));
    let replay = if outside { 0..doc.len() } else { range };
    let mut converter = Converter { doc, taken, anchored: HashMap::new(), issues: Vec::new(), wanted: id, found: None };
    converter.run(replay);
    let value = converter.found.take().unwrap_or(Value::Null);
    let mut issues = converter.issues;
    issues.retain(|issue| doc.subtree(id).contains(&issue.node));
    issues.sort_by_key(|issue| issue.node);
    issues.dedup();
    Conversion { value, issues }
}

struct Converter<'d> {
    doc: &'d Document,
    /// The scalars' contents, when moved out of `doc` (see [`take_json`]).
    taken: Vec<Option<String>>,
    /// The value of every anchored node seen so far.
    anchored: HashMap<NodeId, Value>,
    issues: Vec<Issue>,
    wanted: NodeId,
    found: Option<Value>,
}

impl Converter<'_> {
    fn run(&mut self, nodes: std::ops::Range<NodeId>) {
        let doc = self.doc;
        let mut stack: Vec<Open> = Vec::new();
        for id in nodes.clone() {
            self.close_until(&mut stack, id);
            let node = &doc.nodes[id];
            match &node.kind {
                Kind::Seq(_) | Kind::Map(_) => {
                    self.collection_tag(id);
                    let frame = if node.is_map() {
                        Frame::Map { map: Map::new(), key: None, skip: false }
                    } else {
                        Frame::Seq(Vec::new())
                    };
                    stack.push(Open { node: id, end: node.end as usize, frame });
                }
                Kind::Scalar(scalar) => {
                    let value = self.scalar(id, scalar.style, node.tag.as_deref());
                    self.place(&mut stack, id, value);
                }
                Kind::Alias(target) => {
                    let value = self.anchored.get(target).cloned().unwrap_or(Value::Null);
                    self.place(&mut stack, id, value);
                }
            }
        }
        self.close_until(&mut stack, nodes.end);
    }

    /// Finishes every open collection that ends before node `next`.
    fn close_until(&mut self, stack: &mut Vec<Open>, next: NodeId) {
        while stack.last().is_some_and(|open| open.end <= next) {
            let open = stack.pop().expect("checked");
            let value = match open.frame {
                Frame::Seq(items) => Value::Array(items),
                Frame::Map { map, .. } => Value::Object(map),
            };
            self.check_collection(open.node, &value);
            self.place(stack, open.node, value);
        }
    }

    /// Puts a finished node's value where it belongs.
    fn place(&mut self, stack: &mut [Open], id: NodeId, value: Value) {
        let doc = self.doc;
        if doc.nodes[id].anchor != 0 {
            self.anchored.insert(id, value.clone());
        }
        if id == self.wanted {
            if stack.is_empty() {
                self.found = Some(value);
                return;
            }
            self.found = Some(value.clone());
        }
        match stack.last_mut().map(|open| &mut open.frame) {
            None => {}
            Some(Frame::Seq(items)) => items.push(value),
            Some(Frame::Map { map, key, skip }) => {
                if doc.nodes[id].index.is_multiple_of(2) {
                    match (doc.key_text(id), value) {
                        // A string key's text is its value: move it.
                        (Some(_), Value::String(text)) if doc.nodes[id].key_class == 0 => *key = Some(text),
                        (Some(text), _) => *key = Some(text.to_owned()),
                        (None, _) => {
                            self.issues.push(Issue { node: id, kind: IssueKind::ComplexKey });
                            *skip = true;
                        }
                    }
                } else if std::mem::take(skip) {
                    *key = None;
                } else if let Some(key) = key.take() {
                    map.insert(key, value);
                }
            }
        }
    }

    fn scalar(&mut self, id: NodeId, style: ScalarStyle, tag: Option<&Tag>) -> Value {
        let doc = self.doc;
        let text = match self.taken.get(id) {
            Some(Some(taken)) => taken.as_str(),
            _ => doc.nodes[id].scalar().map_or("", |s| s.value.as_str()),
        };
        let issue = match read(style, text, tag) {
            // The content itself: moved when it was taken, else copied.
            Read::Value(Resolved::Str(Cow::Borrowed(_))) => return Value::String(self.content(id)),
            Read::Value(resolved) => match resolved.to_json() {
                Some(value) => return value,
                None => IssueKind::Unrepresentable(text.to_owned()),
            },
            Read::Unknown => IssueKind::UnknownTag(tag.map(ToString::to_string).unwrap_or_default()),
            Read::Bad(reason) => IssueKind::BadTagged { tag: tag.map(ToString::to_string).unwrap_or_default(), reason },
        };
        let value =
            if matches!(issue, IssueKind::Unrepresentable(_)) { Value::Null } else { Value::String(self.content(id)) };
        self.issues.push(Issue { node: id, kind: issue });
        value
    }

    /// A scalar's content, moved out of `taken` or copied from the tree.
    fn content(&mut self, id: NodeId) -> String {
        match self.taken.get_mut(id).and_then(Option::take) {
            Some(taken) => taken,
            None => self.doc.nodes[id].scalar().map_or_else(String::new, |s| s.value.clone()),
        }
    }

    /// A collection's tag, before its children: unknown tags and tags for
    /// the other kind of collection.
    fn collection_tag(&mut self, id: NodeId) {
        let node = &self.doc.nodes[id];
        let Some(tag) = node.tag.as_deref() else { return };
        if tag.is_non_specific() {
            return;
        }
        let fits = match tag.standard() {
            None => {
                self.issues.push(Issue { node: id, kind: IssueKind::UnknownTag(tag.to_string()) });
                return;
            }
            Some("seq" | "omap" | "pairs") => node.is_seq(),
            Some("map" | "set") => node.is_map(),
            Some("str" | "null" | "bool" | "int" | "float" | "binary" | "timestamp" | "merge" | "value" | "yaml") => {
                false
            }
            Some(_) => {
                self.issues.push(Issue { node: id, kind: IssueKind::UnknownTag(tag.to_string()) });
                return;
            }
        };
        if !fits {
            let kind = if node.is_map() { "a mapping" } else { "a list" };
            let reason = format!("`{tag}` cannot tag {kind}");
            self.issues.push(Issue { node: id, kind: IssueKind::BadTagged { tag: tag.to_string(), reason } });
        }
    }

    /// What `!!set`, `!!omap` and `!!pairs` require of their content.
    fn check_collection(&mut self, id: NodeId, value: &Value) {
        let Some(tag) = self.doc.nodes[id].tag.as_deref() else { return };
        let reason = match (tag.standard(), value) {
            (Some("set"), Value::Object(map)) if !map.values().all(Value::is_null) => {
                "every value of a `!!set` is null"
            }
            (Some("omap" | "pairs"), Value::Array(items))
                if !items.iter().all(|item| item.as_object().is_some_and(|map| map.len() == 1)) =>
            {
                "every item of an ordered map is a mapping of one entry"
            }
            _ => return,
        };
        let issue = IssueKind::BadTagged { tag: tag.to_string(), reason: reason.into() };
        self.issues.push(Issue { node: id, kind: issue });
    }
}
