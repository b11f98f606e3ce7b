//! A parsed document: the JSON value the schema validator sees, plus where each
//! node came from in the source.
//!
//! Spans are keyed by JSON pointer. Nodes that came from expanding a YAML alias
//! are not recorded one by one (that would let an alias bomb grow the map);
//! [`SpanMap::lookup`] walks up to the nearest recorded ancestor instead, which
//! for such nodes is the alias itself.

use std::collections::HashMap;
use std::ops::Range;

/// Where one node is in the source, as byte ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NodeSpan {
    /// The key that introduced the node, when its parent is a mapping.
    pub(crate) key: Option<Range<usize>>,
    /// The node itself.
    pub(crate) value: Range<usize>,
}

/// JSON pointer → source span.
#[derive(Debug, Default)]
pub(crate) struct SpanMap(HashMap<String, NodeSpan>);

impl SpanMap {
    pub(crate) fn insert(&mut self, pointer: String, span: NodeSpan) {
        self.0.insert(pointer, span);
    }

    pub(crate) fn get(&self, pointer: &str) -> Option<&NodeSpan> {
        self.0.get(pointer)
    }

    /// The span of `pointer`, or of its nearest recorded ancestor.
    pub(crate) fn lookup(&self, pointer: &str) -> Option<&NodeSpan> {
        let mut current = pointer;
        loop {
            if let Some(span) = self.0.get(current) {
                return Some(span);
            }
            current = &current[..current.rfind('/')?];
        }
    }
}

/// One document of a file.
#[derive(Debug)]
pub(crate) struct Document {
    pub(crate) value: serde_json::Value,
    pub(crate) spans: SpanMap,
}

impl Document {
    /// The keys of the object at `pointer`, in the order they appear in the
    /// source (the value itself keeps them sorted).
    pub(crate) fn keys_in_source_order(&self, pointer: &str) -> Vec<String> {
        let Some(serde_json::Value::Object(map)) = self.value.pointer(pointer) else {
            return Vec::new();
        };
        let mut keys: Vec<(usize, &String)> = map
            .keys()
            .map(|key| {
                let at = self.spans.get(&push_token(pointer, key)).and_then(|s| s.key.clone());
                (at.map_or(usize::MAX, |at| at.start), key)
            })
            .collect();
        keys.sort();
        keys.into_iter().map(|(_, key)| key.clone()).collect()
    }
}

/// Appends one reference token to a JSON pointer (RFC 6901 escaping).
pub(crate) fn push_token(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_escaping() {
        assert_eq!(push_token("", "a/b~c"), "/a~1b~0c");
        assert_eq!(push_token("/x", "0"), "/x/0");
    }

    #[test]
    fn lookup_walks_up_to_the_nearest_ancestor() {
        let mut spans = SpanMap::default();
        spans.insert(String::new(), NodeSpan { key: None, value: 0..10 });
        spans.insert("/a".into(), NodeSpan { key: Some(0..1), value: 3..5 });
        assert_eq!(spans.lookup("/a/b/c").unwrap().value, 3..5);
        assert_eq!(spans.lookup("/z").unwrap().value, 0..10);
        assert_eq!(spans.lookup("").unwrap().value, 0..10);
    }
}
