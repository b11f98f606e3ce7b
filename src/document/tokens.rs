//! A subtree as a flat list of tokens, for comparing what two texts mean
//! without recursion: each node in source order with its depth below the
//! subtree's root. Two subtrees denote the same YAML content exactly when
//! their token lists are equal: same structure, keys and items in the same
//! order, scalars with the same resolved value and tag (`1` and `0x1` are
//! equal, `1` and `"1"` are not), aliases to the same anchor.

use super::convert::{Read, read_scalar};
use super::{Document, Kind, NodeId};

/// One node of a subtree, without its layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Map,
    Seq,
    Null,
    Bool(bool),
    Int(i128),
    /// The bits of the float, so that equal NaNs compare equal.
    Float(u64),
    Str(String),
    /// A scalar with a tag outside the types repository, or whose content
    /// does not fit its standard tag: the tag as written, and the content.
    Tagged(String, String),
    /// A collection with a tag other than its own kind's.
    TaggedCollection(String),
    /// An alias, by the saphyr-parser id of its anchor (ids count anchors
    /// in source order, so they survive edits that add or remove none).
    Alias(usize),
}

/// The tokens of node `id` and its subtree, each with its depth below `id`.
pub fn tokens(doc: &Document, id: NodeId) -> Vec<(u32, Token)> {
    let base = doc.nodes[id].depth;
    doc.subtree(id)
        .map(|id| {
            let node = &doc.nodes[id];
            let tag = node.tag.as_deref();
            let token = match &node.kind {
                Kind::Map(_) | Kind::Seq(_) => {
                    let own = if node.is_map() { ["map", "set"] } else { ["seq", "seq"] };
                    match tag.filter(|t| !t.is_non_specific()) {
                        Some(t) if !t.standard().is_some_and(|name| own.contains(&name)) => {
                            Token::TaggedCollection(t.to_string())
                        }
                        _ if node.is_map() => Token::Map,
                        _ => Token::Seq,
                    }
                }
                Kind::Alias(target) => Token::Alias(doc.nodes[*target].anchor as usize),
                Kind::Scalar(scalar) => match read_scalar(scalar, tag) {
                    Read::Value(value) => match value {
                        super::Resolved::Null => Token::Null,
                        super::Resolved::Bool(b) => Token::Bool(b),
                        super::Resolved::Int(i) => Token::Int(i),
                        super::Resolved::Float(f) => Token::Float(f.to_bits()),
                        super::Resolved::Str(s) => Token::Str(s.into_owned()),
                    },
                    Read::Unknown | Read::Bad(_) => {
                        Token::Tagged(tag.map(ToString::to_string).unwrap_or_default(), scalar.value.clone())
                    }
                },
            };
            (node.depth - base, token)
        })
        .collect()
}
