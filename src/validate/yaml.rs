//! YAML 1.2 for the validator: the document tree ([`crate::document`],
//! iterative, depth- and alias-limited) and its JSON value, plus the findings
//! only YAML has.
//!
//! * Syntax errors, nesting beyond the limit, an alias budget overrun and
//!   undefined aliases stop parsing.
//! * Duplicate keys are found by value (`true`/`True`, `1`/`0x1`), reported
//!   at the second key with the first one's position.
//! * Plain scalars that YAML 1.1 tools read differently (`yes`, `0755`,
//!   `1_000`, `0o17`, `2024-01-01`) are warnings.
//! * Any well-formed YAML 1.2 is valid without a schema: tags and complex
//!   keys included. Against a schema, a node with a tag outside the YAML
//!   types repository is checked as its untagged value (a note says so,
//!   once per tag); complex keys and `.inf`/`.nan` have no JSON form and are
//!   errors. Content that does not fit its standard tag (`!!int abc`) is
//!   always an error, and `strict_tags` makes unknown tags errors too.
//! * `<<` merge keys are YAML 1.1 and are plain keys here.

use std::collections::HashMap;

use crate::document::{self, ErrorKind, IssueKind, Kind, ScalarStyle, Yaml11};
use crate::source::SourceMap;

use super::document::Document;
use super::{Finding, Limits, Severity};

/// What came out of one YAML stream.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub(crate) documents: Vec<Document>,
    pub(crate) findings: Vec<Finding>,
}

/// Parses a YAML stream, unknown tags allowed. A fatal problem (syntax,
/// depth, alias budget) leaves `documents` with the documents completed
/// before it. An empty stream is one null document.
pub(crate) fn parse(text: &str, map: &SourceMap<'_>, limits: &Limits, allow_multiple: bool) -> Parsed {
    parse_tagged(text, map, limits, allow_multiple, false)
}

/// [`parse`], with unknown tags errors when `strict_tags`.
pub(crate) fn parse_tagged(
    text: &str,
    map: &SourceMap<'_>,
    limits: &Limits,
    allow_multiple: bool,
    strict_tags: bool,
) -> Parsed {
    let limits = document::Limits { max_depth: limits.max_depth, max_alias_nodes: limits.max_alias_nodes };
    let stream = document::parse_yaml(text, &limits);
    let mut out = Parsed::default();
    let mut trees = stream.documents;
    if trees.len() > 1 && !allow_multiple {
        let at = trees[1].start();
        out.findings.push(Finding::error(
            at..at + 3.min(text.len() - at).max(1),
            String::new(),
            "multiple-documents",
            "more than one YAML document in the file".into(),
        ));
        trees.truncate(1);
    }
    for tree in trees {
        out.documents.push(view(tree, map, strict_tags, &mut out.findings));
    }
    if let Some(error) = stream.error {
        let rule = match error.kind {
            ErrorKind::Syntax => "syntax",
            ErrorKind::Depth => "depth",
            ErrorKind::AliasBudget => "alias-budget",
            ErrorKind::Alias => "alias",
        };
        out.findings.push(Finding::error(error.span, String::new(), rule, error.message));
    }
    out
}

/// The validator's view of one tree, and its findings.
pub(super) fn view(
    mut tree: document::Document,
    map: &SourceMap<'_>,
    strict_tags: bool,
    findings: &mut Vec<Finding>,
) -> Document {
    findings.extend(super::json::duplicate_findings(&tree, map));
    for id in 0..tree.len() {
        let node = tree.node(id);
        if let Kind::Scalar(scalar) = node.kind()
            && scalar.style == ScalarStyle::Plain
            && node.tag().is_none()
            && let Some(why) = yaml11_reading(&scalar.value)
        {
            findings.push(Finding {
                span: node.span(),
                pointer: tree.pointer(id),
                rule: "yaml11".into(),
                severity: Severity::Warning,
                message: why,
            });
        }
    }
    let conversion = document::take_json(&mut tree);
    let mut schema_findings = Vec::new();
    // Unknown tags: one note per tag, at its first node.
    let mut tags: HashMap<&str, (usize, usize)> = HashMap::new();
    for issue in &conversion.issues {
        let span = tree.node(issue.node).span();
        let pointer = || tree.pointer(issue.node);
        match &issue.kind {
            IssueKind::UnknownTag(tag) if strict_tags => findings.push(Finding::error(
                span,
                pointer(),
                "tag",
                format!("unknown tag `{tag}` (not in the YAML types repository; `--strict-tags` is on)"),
            )),
            IssueKind::UnknownTag(tag) => tags.entry(tag).or_insert((issue.node, 0)).1 += 1,
            IssueKind::BadTagged { reason, .. } => {
                findings.push(Finding::error(span, pointer(), "tag", reason.clone()))
            }
            IssueKind::ComplexKey => schema_findings.push(Finding::error(
                span,
                pointer(),
                "key",
                "a mapping key that is a list or a mapping has no JSON form, so it cannot be checked against a schema"
                    .into(),
            )),
            IssueKind::Unrepresentable(text) => schema_findings.push(Finding::error(
                span,
                pointer(),
                "unrepresentable",
                format!("`{text}` (infinity or NaN) has no JSON form"),
            )),
        }
    }
    let mut notes: Vec<_> = tags.into_iter().collect();
    notes.sort_by_key(|(_, (node, _))| *node);
    for (tag, (node, count)) in notes {
        let what = match tree.node(node).kind() {
            Kind::Map(_) => "a mapping",
            Kind::Seq(_) => "a list",
            _ => "a string",
        };
        let more = if count > 1 { format!(" (and {} more nodes so tagged)", count - 1) } else { String::new() };
        schema_findings.push(Finding {
            span: tree.node(node).span(),
            pointer: tree.pointer(node),
            rule: "tag".into(),
            severity: Severity::Info,
            message: format!("`{tag}` is not a standard tag: checked as its untagged value, {what}{more}"),
        });
    }
    Document { value: conversion.value, spans: tree, schema_findings }
}

/// How a YAML 1.1 reader would take this plain scalar, when that differs
/// from YAML 1.2.
pub(crate) fn yaml11_reading(s: &str) -> Option<String> {
    // Most scalars are words or plain decimal numbers: both versions read
    // them alike.
    if !s.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'y' | 'Y' | 'n' | 'N' | 'o' | 'O'))
    {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0')) {
        return None;
    }
    let yaml12 = crate::document::parse_plain(s);
    let yaml11 = document::yaml11(s);
    match (&yaml12, &yaml11) {
        (None, Some(Yaml11::Value(document::Resolved::Bool(b)))) => Some(format!(
            "`{s}` is the string \"{s}\" in YAML 1.2 but the boolean {b} in YAML 1.1; quote it, or write `{b}`"
        )),
        (Some(document::Resolved::Int(n)), Some(Yaml11::Value(document::Resolved::Int(old))))
            if n != old && s.trim_start_matches(['-', '+']).starts_with('0') =>
        {
            Some(format!(
                "`{s}` is the decimal number {} in YAML 1.2 but an octal number in YAML 1.1; \
                 quote it, or write `0o{}` for octal",
                n.unsigned_abs(),
                n.unsigned_abs()
            ))
        }
        (None, Some(Yaml11::Value(_))) if s.contains(':') => {
            Some(format!("`{s}` is a string in YAML 1.2 but a base-60 number in YAML 1.1; quote it"))
        }
        (None, Some(Yaml11::Value(_))) => {
            Some(format!("`{s}` is a string in YAML 1.2 but a number in YAML 1.1; quote it"))
        }
        (None, Some(Yaml11::Timestamp)) => {
            Some(format!("`{s}` is a string in YAML 1.2 but a date in YAML 1.1; quote it"))
        }
        (Some(_), None) => {
            Some(format!("`{s}` is a number in YAML 1.2 but a string in YAML 1.1; quote it if a string is meant"))
        }
        (Some(new), Some(Yaml11::Value(old))) if new.key_text() != old.key_text() => {
            Some(format!("`{s}` is {} in YAML 1.2 but {} in YAML 1.1; quote it", new.key_text(), old.key_text()))
        }
        _ => None,
    }
}
