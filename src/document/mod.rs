//! One document tree for YAML and JSON: every node with its byte span in the
//! source, its style, tag and anchor, and the value it resolves to.
//!
//! Pure. [`parse_yaml`] builds the tree from `saphyr-parser` events,
//! [`parse_json`] from a scan of text serde_json has accepted; both feed the
//! same builder, so the validator, the value editor and the structural merge
//! see the same nodes with the same spans. Parsing is iterative (no recursion
//! over user input): nesting deeper than [`Limits::max_depth`] stops it with
//! an error when the collection opens, and YAML aliases are charged the size
//! of what they stand for against [`Limits::max_alias_nodes`], so a "billion
//! laughs" file fails after bounded work. Nothing is ever expanded in the
//! tree: an alias is one node pointing at its anchor.
//!
//! # The tree
//!
//! Nodes live in one vector in source order, which is pre-order: a node's
//! descendants are the nodes right after it ([`Document::subtree`]), so
//! questions about a whole subtree (does it hold an anchor, what is its
//! value) are loops, not recursions. A mapping's children alternate key,
//! value; keys are nodes like any other (a complex key `? [a, b]` is a
//! sequence).
//!
//! Spans ([`Node::span`]) run from the first byte of a node (its tag or
//! anchor included) to the last byte of its content: a quoted scalar ends at
//! its closing quote, a block scalar at the end of its last non-blank line,
//! a block collection at the end of its last child, a flow collection at its
//! closing bracket. Comments and blank lines after a node are never part of
//! it. [`Node::lead`] is where the node starts as an item or entry: the `-`
//! of a block list item, the `?` of an explicit key. An empty value (`key:`)
//! is an empty span just after its `:`.
//!
//! # Keys
//!
//! Keys are compared by resolved value, not by spelling: `true` and `True`,
//! `null` and `~`, `1` and `0x1`, `1.0` and `1.00` are the same key, and a
//! mapping that holds one twice is reported in [`Document::duplicates`].
//! Each scalar key also has a JSON key text ([`Document::key_text`]): a
//! string key is itself, any other the JSON text of its value (`true`, `1`),
//! which is what JSON pointers ([`Document::get`]) match.

mod build;
mod convert;
mod json;
pub mod pointer;
mod render;
mod scalar;
pub mod text;
mod tokens;
mod yaml;

#[cfg(test)]
mod tests;

use std::ops::Range;
use std::path::Path;

pub(crate) use convert::take_json;
pub use convert::{Conversion, Issue, IssueKind, to_json};
pub(crate) use render::plain_is_safe;
pub use render::{JsonLayout, render_flow, render_json, render_yaml};
pub use scalar::Resolved;
pub(crate) use scalar::{Yaml11, core as parse_plain, yaml11};
pub use tokens::{Token, tokens};

/// Index of a node in its [`Document`].
pub type NodeId = usize;

/// Which syntax a text is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

impl Format {
    /// JSON for a `.json` file (any case), YAML for anything else.
    pub fn of_path(path: &Path) -> Format {
        if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")) { Format::Json } else { Format::Yaml }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Yaml => "YAML",
            Format::Json => "JSON",
        }
    }
}

/// Bounds on what parsing one text may cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Nesting levels of sequences and mappings. YAML flow collections are
    /// also bounded by the parser's own limit (255), whichever is lower.
    pub max_depth: usize,
    /// Nodes that YAML aliases may stand for, over the whole text.
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_depth: 128, max_alias_nodes: 100_000 }
    }
}

/// Parses `text` in `format`.
pub fn parse(text: &str, format: Format, limits: &Limits) -> Stream {
    match format {
        Format::Yaml => parse_yaml(text, limits),
        Format::Json => parse_json(text, limits),
    }
}

/// Parses a YAML stream: every document, up to the first error.
pub fn parse_yaml(text: &str, limits: &Limits) -> Stream {
    yaml::parse(text, limits)
}

/// Parses one JSON text.
pub fn parse_json(text: &str, limits: &Limits) -> Stream {
    json::parse(text, limits)
}

/// What came out of parsing a text. A text with no document at all (empty,
/// or only comments) holds one: a null at the start, which
/// [`Document::is_empty_stream`] tells apart.
#[derive(Debug)]
pub struct Stream {
    /// The documents completed before `error`, if any.
    pub documents: Vec<Document>,
    pub error: Option<ParseError>,
}

impl Stream {
    /// The one document of a text, or why there is not exactly one.
    pub fn single(mut self) -> Result<Document, SingleError> {
        if let Some(error) = self.error {
            return Err(SingleError::Parse(error));
        }
        if self.documents.len() > 1 {
            return Err(SingleError::Several);
        }
        Ok(self.documents.pop().expect("a stream holds at least one document"))
    }
}

/// Why [`Stream::single`] found no single document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SingleError {
    Parse(ParseError),
    Several,
}

/// Why parsing stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    pub kind: ErrorKind,
    /// Where, as bytes of the text.
    pub span: Range<usize>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Syntax,
    /// Nesting beyond [`Limits::max_depth`].
    Depth,
    /// Aliases standing for more than [`Limits::max_alias_nodes`] nodes.
    AliasBudget,
    /// An alias to no anchor, or to a node that contains it.
    Alias,
}

/// One parsed document.
#[derive(Debug, Clone)]
pub struct Document {
    nodes: Vec<Node>,
    /// Every collection's children, each collection's contiguous.
    children: Vec<NodeId>,
    /// Every mapping's entry indexes sorted by key, each mapping's contiguous.
    sorted: Vec<u32>,
    /// The JSON key text of every scalar key, back to back.
    keys: String,
    duplicates: Vec<Duplicate>,
    /// Where the document starts: its `---`, or its first node.
    start: usize,
    explicit_start: bool,
    /// The text held no document; the root is a made-up null.
    empty_stream: bool,
}

/// One node of a [`Document`].
#[derive(Debug, Clone)]
pub struct Node {
    span: Range<usize>,
    lead: usize,
    kind: Kind,
    tag: Option<Box<Tag>>,
    /// The parser's anchor id; 0 for none.
    anchor: u32,
    /// `NO_PARENT` for the root.
    parent: u32,
    /// Position among the parent's children (keys and values both count).
    index: u32,
    depth: u32,
    /// One past the last node of the subtree.
    end: u32,
    /// Children in `Document::children`; for a mapping, also where its
    /// sorted entries start in `Document::sorted`.
    children: Range<u32>,
    sorted: u32,
    /// For a mapping key: its JSON key text in `Document::keys`.
    key: Range<u32>,
    /// For a mapping key: what kind of value it is (see `build::KeyClass`).
    key_class: u8,
}

/// What a node is.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Scalar(Scalar),
    Seq(Style),
    Map(Style),
    /// Points at the anchored node it repeats.
    Alias(NodeId),
}

/// How a collection is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Indentation: `- a` lines, `key: value` lines.
    Block,
    /// Brackets: `[a, b]`, `{k: v}`, and every JSON collection. A single
    /// `k: v` pair inside a flow list is a flow mapping without braces.
    Flow,
}

/// A scalar's style and its content (escapes and folding applied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    pub style: ScalarStyle,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    /// Also every JSON string.
    DoubleQuoted,
    /// `|`
    Literal,
    /// `>`
    Folded,
}

/// A node's tag, resolved through the document's `%TAG` directives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tag {
    /// `tag:yaml.org,2002:` for `!!x`, `!` for a local tag `!x`, the
    /// directive's prefix for `!e!x`, empty for a verbatim `!<…>`.
    pub handle: String,
    pub suffix: String,
}

const YAML_TAG_PREFIX: &str = "tag:yaml.org,2002:";
const NO_PARENT: u32 = u32::MAX;

impl Tag {
    /// The type name of a tag of the YAML types repository (`str`, `int`,
    /// `binary`, `set`…), however it was written (`!!int`, `!<tag:yaml.org,2002:int>`).
    pub fn standard(&self) -> Option<&str> {
        if self.handle == YAML_TAG_PREFIX {
            return Some(&self.suffix);
        }
        if self.handle.is_empty() {
            return self.suffix.strip_prefix(YAML_TAG_PREFIX);
        }
        None
    }

    /// The non-specific tag `!`: a scalar so tagged is a string.
    pub fn is_non_specific(&self) -> bool {
        (self.handle.is_empty() && self.suffix == "!") || (self.handle == "!" && self.suffix.is_empty())
    }
}

impl std::fmt::Display for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(name) = self.standard() {
            write!(f, "!!{name}")
        } else if self.is_non_specific() {
            write!(f, "!")
        } else if self.handle == "!" {
            write!(f, "!{}", self.suffix)
        } else {
            write!(f, "!<{}{}>", self.handle, self.suffix)
        }
    }
}

/// A key given twice in one mapping: the two key nodes, in source order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duplicate {
    pub first: NodeId,
    pub again: NodeId,
}

/// Where a node is, for findings: its key's span when its parent is a
/// mapping, and its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSpan {
    pub key: Option<Range<usize>>,
    pub value: Range<usize>,
}

impl Node {
    /// From its tag or anchor (if any) to the end of its content.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// Where it starts as an item or entry: the `-` of a block list item,
    /// the `?` of an explicit key; else where its span starts.
    pub fn lead(&self) -> usize {
        self.lead
    }

    pub fn kind(&self) -> &Kind {
        &self.kind
    }

    pub fn tag(&self) -> Option<&Tag> {
        self.tag.as_deref()
    }

    /// Whether it carries an anchor (`&a`).
    pub fn has_own_anchor(&self) -> bool {
        self.anchor != 0
    }

    pub fn parent(&self) -> Option<NodeId> {
        (self.parent != NO_PARENT).then_some(self.parent as usize)
    }

    /// Its position among its parent's children (for a mapping: key 0,
    /// value 0, key 1…).
    pub fn index(&self) -> usize {
        self.index as usize
    }

    /// Collections above it.
    pub fn depth(&self) -> usize {
        self.depth as usize
    }

    pub fn scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            Kind::Scalar(scalar) => Some(scalar),
            _ => None,
        }
    }

    /// The collection style, for a sequence or mapping.
    pub fn style(&self) -> Option<Style> {
        match self.kind {
            Kind::Seq(style) | Kind::Map(style) => Some(style),
            _ => None,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.kind, Kind::Map(_))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.kind, Kind::Seq(_))
    }

    pub fn is_collection(&self) -> bool {
        self.is_map() || self.is_seq()
    }

    /// A null written as nothing at all (`key:`, `- `), without tag or anchor.
    pub fn is_empty_null(&self) -> bool {
        self.tag.is_none()
            && self.anchor == 0
            && matches!(&self.kind, Kind::Scalar(Scalar { style: ScalarStyle::Plain, value }) if value.is_empty())
    }

    /// What it is, for messages.
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            Kind::Scalar(Scalar { style: ScalarStyle::Plain, value })
                if self.tag.is_none() && matches!(scalar::core(value), Some(Resolved::Null)) =>
            {
                "null"
            }
            Kind::Scalar(_) => "scalar",
            Kind::Alias(_) => "alias",
            Kind::Map(_) => "mapping",
            Kind::Seq(_) => "list",
        }
    }
}

impl Document {
    /// The root node.
    pub fn root(&self) -> NodeId {
        0
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// How many nodes the document has.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Never true: a document has at least its root.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Where the document starts: its `---`, or its root.
    pub fn start(&self) -> usize {
        self.start
    }

    /// Whether the document starts with `---`.
    pub fn explicit_start(&self) -> bool {
        self.explicit_start
    }

    /// The text held no document (it is empty or only comments); the root
    /// is a null made up for it, at the start of the text.
    pub fn is_empty_stream(&self) -> bool {
        self.empty_stream
    }

    /// The children of a collection: a sequence's items; a mapping's keys
    /// and values, alternating.
    pub fn children(&self, id: NodeId) -> &[NodeId] {
        let range = &self.nodes[id].children;
        &self.children[range.start as usize..range.end as usize]
    }

    /// A mapping's entries, as (key, value), in source order.
    pub fn entries(&self, id: NodeId) -> impl ExactSizeIterator<Item = (NodeId, NodeId)> + '_ {
        let children = if self.nodes[id].is_map() { self.children(id) } else { &[] };
        children.chunks_exact(2).map(|pair| (pair[0], pair[1]))
    }

    /// The node and every node below it, as a range of ids.
    pub fn subtree(&self, id: NodeId) -> Range<NodeId> {
        id..self.nodes[id].end as usize
    }

    /// Whether the node or any node below it has an anchor.
    pub fn has_anchor(&self, id: NodeId) -> bool {
        self.nodes[self.subtree(id)].iter().any(|node| node.anchor != 0)
    }

    /// Whether the node or any node below it is an alias.
    pub fn has_alias(&self, id: NodeId) -> bool {
        self.nodes[self.subtree(id)].iter().any(|node| matches!(node.kind, Kind::Alias(_)))
    }

    /// An entry's span: from its key's lead to its value's end.
    pub fn entry_span(&self, key: NodeId, value: NodeId) -> Range<usize> {
        let key = &self.nodes[key];
        key.lead..self.nodes[value].span.end.max(key.span.end)
    }

    /// What a scalar node means: untagged plain scalars by the YAML 1.2
    /// core schema, other untagged ones as strings, standard tags by the
    /// types repository (as [`to_json`] reads them), any other tag as the
    /// untagged string. `None` for a node that is not a scalar, and for
    /// content that does not fit its standard tag (`!!int abc`). Mapping
    /// keys are typed the same way: `true`, `True` and `"true"` give
    /// `Bool(true)`, `Bool(true)` and `Str("true")`.
    pub fn scalar_value(&self, id: NodeId) -> Option<Resolved<'_>> {
        let node = &self.nodes[id];
        let scalar = node.scalar()?;
        match convert::read_scalar(scalar, node.tag()) {
            convert::Read::Value(value) => Some(value),
            convert::Read::Unknown => Some(Resolved::Str(std::borrow::Cow::Borrowed(&scalar.value))),
            convert::Read::Bad(_) => None,
        }
    }

    /// A scalar key's JSON key text (`None` for collection keys).
    pub fn key_text(&self, key: NodeId) -> Option<&str> {
        let node = &self.nodes[key];
        (node.key_class != build::COMPLEX_KEY).then(|| &self.keys[node.key.start as usize..node.key.end as usize])
    }

    /// The keys given twice in one mapping, in source order of the second.
    pub fn duplicates(&self) -> &[Duplicate] {
        &self.duplicates
    }

    /// The entry of mapping `map` whose key is `key`: a scalar key whose
    /// content is `key` as written, else whose JSON key text is.
    pub fn find_key(&self, map: NodeId, key: &str) -> Option<(NodeId, NodeId)> {
        let mut by_text = None;
        for (k, v) in self.entries(map) {
            let node = &self.nodes[k];
            let target = match node.kind {
                Kind::Alias(target) => &self.nodes[target],
                _ => node,
            };
            if target.scalar().is_some_and(|s| s.value == key) {
                return Some((k, v));
            }
            if by_text.is_none() && self.key_text(k) == Some(key) {
                by_text = Some((k, v));
            }
        }
        by_text
    }

    /// The span of the node at a JSON pointer, when there is one.
    pub fn get(&self, pointer: &str) -> Option<NodeSpan> {
        match self.walk(pointer)? {
            (node, true) => Some(self.node_span(node)),
            (_, false) => None,
        }
    }

    /// The span of the node at a JSON pointer, or of its nearest ancestor in
    /// the tree (an alias, for a pointer into what the alias stands for).
    pub fn lookup(&self, pointer: &str) -> Option<NodeSpan> {
        self.walk(pointer).map(|(node, _)| self.node_span(node))
    }

    /// The node at a JSON pointer.
    pub fn at_pointer(&self, pointer: &str) -> Option<NodeId> {
        match self.walk(pointer)? {
            (node, true) => Some(node),
            (_, false) => None,
        }
    }

    fn node_span(&self, id: NodeId) -> NodeSpan {
        let node = &self.nodes[id];
        let key = match node.parent() {
            Some(parent) if self.nodes[parent].is_map() && node.index % 2 == 1 => {
                Some(self.nodes[self.children(parent)[node.index as usize - 1]].span.clone())
            }
            _ => None,
        };
        NodeSpan { key, value: node.span.clone() }
    }

    /// The deepest node on the way to `pointer`, and whether it is `pointer`'s.
    fn walk(&self, pointer: &str) -> Option<(NodeId, bool)> {
        let mut node = self.root();
        if pointer.is_empty() {
            return Some((node, true));
        }
        for token in pointer.strip_prefix('/')?.split('/') {
            match self.child(node, &pointer::unescape(token)) {
                Some(child) => node = child,
                None => return Some((node, false)),
            }
        }
        Some((node, true))
    }

    /// The child of `id` a pointer token names: a list index, or the value
    /// of the last entry whose key text is `token` (the one a JSON object
    /// keeps).
    fn child(&self, id: NodeId, token: &str) -> Option<NodeId> {
        let node = &self.nodes[id];
        match node.kind {
            Kind::Seq(_) => self.children(id).get(token.parse::<usize>().ok()?).copied(),
            Kind::Map(_) => {
                let children = self.children(id);
                let count = children.len() / 2;
                let sorted = &self.sorted[node.sorted as usize..node.sorted as usize + count];
                let key_of = |entry: u32| self.key_text(children[2 * entry as usize]).unwrap_or("");
                let from = sorted.partition_point(|&entry| key_of(entry) < token);
                let last = sorted[from..]
                    .iter()
                    .take_while(|&&entry| key_of(entry) == token)
                    .filter(|&&entry| self.key_text(children[2 * entry as usize]).is_some())
                    .max()?;
                Some(children[2 * *last as usize + 1])
            }
            _ => None,
        }
    }

    /// The keys of the mapping at `pointer`, each once, in source order.
    pub fn keys_in_source_order(&self, pointer: &str) -> Vec<String> {
        let Some((node, true)) = self.walk(pointer) else {
            return Vec::new();
        };
        let mut keys: Vec<String> = Vec::new();
        for (key, _) in self.entries(node) {
            if let Some(key) = self.key_text(key)
                && !keys.iter().any(|k| k == key)
            {
                keys.push(key.to_owned());
            }
        }
        keys
    }

    /// The JSON pointer of a node (of a key: its entry's), for findings.
    pub fn pointer(&self, id: NodeId) -> String {
        let mut tokens = Vec::new();
        let mut node = id;
        while let Some(parent) = self.nodes[node].parent() {
            let index = self.nodes[node].index as usize;
            let token = if self.nodes[parent].is_map() {
                let key = self.children(parent)[index - index % 2];
                self.key_text(key).unwrap_or("").to_owned()
            } else {
                index.to_string()
            };
            tokens.push(token);
            node = parent;
        }
        let mut out = String::new();
        for token in tokens.iter().rev() {
            pointer::append_token(&mut out, token);
        }
        out
    }
}
