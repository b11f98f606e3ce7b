//! The validator's view of one parsed document: the JSON value the schema
//! validator sees, the document tree ([`crate::document`]) that places each
//! finding in the source, and the findings that only count when a schema
//! applies (what a JSON value cannot say as the YAML did).

use serde_json::Value;

use super::Finding;
pub(crate) use crate::document::pointer::push_token;

/// One document of a file.
#[derive(Debug)]
pub(crate) struct Document {
    pub(crate) value: Value,
    /// The tree, for spans: `get`, `lookup` and `keys_in_source_order` by
    /// JSON pointer. Its scalars' contents have moved into `value`.
    pub(crate) spans: crate::document::Document,
    /// Reported only when the document is checked against a schema: keys
    /// that are collections, `.inf`, notes on tags read as untagged values.
    pub(crate) schema_findings: Vec<Finding>,
}
