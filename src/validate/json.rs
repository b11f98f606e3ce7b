//! JSON for the validator: the document tree ([`crate::document`]; serde_json
//! decides validity) and its JSON value, with duplicate keys rejected.

use crate::document::{self, ErrorKind};
use crate::source::SourceMap;

use super::document::Document;
use super::{Finding, Limits};

/// Parses one JSON text; no document when it is not valid JSON.
pub(crate) fn parse(text: &str, map: &SourceMap<'_>, limits: &Limits) -> (Option<Document>, Vec<Finding>) {
    let limits = document::Limits { max_depth: limits.max_depth, max_alias_nodes: limits.max_alias_nodes };
    let stream = document::parse_json(text, &limits);
    if let Some(error) = stream.error {
        let rule = if error.kind == ErrorKind::Depth { "depth" } else { "syntax" };
        return (None, vec![Finding::error(error.span, String::new(), rule, error.message)]);
    }
    let mut findings = Vec::new();
    let tree = stream.documents.into_iter().next().expect("a JSON text is one document");
    let document = super::yaml::view(tree, map, false, &mut findings);
    (Some(document), findings)
}

/// A finding for each key given twice in one mapping, at the second, with
/// the first one's position.
pub(super) fn duplicate_findings(tree: &document::Document, map: &SourceMap<'_>) -> Vec<Finding> {
    let written = |key: document::NodeId| {
        let node = tree.node(key);
        let node = match node.kind() {
            document::Kind::Alias(target) => tree.node(*target),
            _ => node,
        };
        node.scalar().map_or_else(String::new, |s| s.value.clone())
    };
    tree.duplicates()
        .iter()
        .map(|duplicate| {
            let (line, column) = map.line_column(tree.node(duplicate.first).span().start);
            let (first, again) = (written(duplicate.first), written(duplicate.again));
            let spelled = if first == again { String::new() } else { format!(" as `{first}`") };
            let message = format!("duplicate key `{again}` (first defined at line {line}, column {column}{spelled})");
            Finding::error(tree.node(duplicate.again).span(), tree.pointer(duplicate.again), "duplicate-key", message)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> (Option<Document>, Vec<Finding>) {
        let map = SourceMap::new(text);
        parse(text, &map, &Limits::default())
    }

    #[test]
    fn spans_by_pointer() {
        let text = "{\n  \"a\": [1, {\"b\": \"x\"}],\n  \"c/d\": null\n}\n";
        let (doc, findings) = parse_str(text);
        assert!(findings.is_empty());
        let doc = doc.unwrap();
        let b = doc.spans.get("/a/1/b").unwrap();
        assert_eq!(&text[b.value.clone()], "\"x\"");
        assert_eq!(&text[b.key.clone().unwrap()], "\"b\"");
        let cd = doc.spans.get("/c~1d").unwrap();
        assert_eq!(&text[cd.value.clone()], "null");
        assert_eq!(&text[doc.spans.get("/a").unwrap().value.clone()], "[1, {\"b\": \"x\"}]");
        assert_eq!(&text[doc.spans.get("/a/0").unwrap().value.clone()], "1");
        assert_eq!(doc.value, serde_json::json!({"a": [1, {"b": "x"}], "c/d": null}));
    }

    #[test]
    fn duplicate_keys_at_depth() {
        let text = "{\"a\": {\"k\": 1,\n \"k\": 2}, \"a\\u0062\": 1, \"ab\": 2}";
        let (_, findings) = parse_str(text);
        let rules: Vec<_> = findings.iter().map(|f| (f.rule.as_str(), f.pointer.as_str())).collect();
        assert_eq!(rules, [("duplicate-key", "/a/k"), ("duplicate-key", "/ab")]);
        assert!(findings[0].message.contains("first defined at line 1, column 8"), "{}", findings[0].message);
        assert_eq!(&text[findings[0].span.clone()], "\"k\"");
    }

    #[test]
    fn syntax_errors_carry_position() {
        let (doc, findings) = parse_str("{\n  \"a\": 1,\n}\n");
        assert!(doc.is_none());
        assert_eq!(findings[0].rule, "syntax");
        assert_eq!(findings[0].span.start, 12);
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let text = "[".repeat(100_000) + &"]".repeat(100_000);
        let (doc, findings) = parse_str(&text);
        assert!(doc.is_none());
        assert_eq!(findings[0].rule, "depth");
    }
}
