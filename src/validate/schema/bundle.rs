//! A schema and every document its `$ref`s reach, read before jsonschema
//! compiles them.
//!
//! jsonschema resolves every `$ref` of a schema when it compiles it, and the
//! first one it cannot resolve fails the whole schema. Real schemas (a 2 MB
//! SchemaStore schema, a generated one) carry refs no document ever reaches,
//! and refs written with characters a URI must escape. So this module walks
//! the schema first, without recursion:
//!
//! * it reads each document a ref names (but the meta-schemas of JSON Schema
//!   itself, which jsonschema ships), from disk only: a `file:` URI inside
//!   the root schema's folder or a mirror folder; a URL beside the `$id` of a
//!   schema read from disk (SchemaStore's `base.json` next to
//!   `circleciconfig.json`) from that schema's folder when the file is there,
//!   with a note; else a URL under a `schema_mirrors` prefix from that
//!   mirror's folder. Nothing is fetched over the network;
//! * it percent-encodes what a URI reference may not hold (`<`, `>`, spaces,
//!   non-ASCII), as check-jsonschema reads such refs;
//! * it replaces each ref it cannot resolve (no such document, no such
//!   pointer or anchor) with the keyword [`UNRESOLVED`], whose value numbers
//!   the [`Miss`]: validation that reaches it fails, with the reason, and a
//!   document that never reaches it is checked as usual.
//!
//! Only the keywords that hold subschemas are walked (`properties`, `allOf`,
//! `items`…), so an `enum` or `default` value that looks like a schema is left
//! alone; a ref into anything else is followed when it is resolved. Where this
//! reading and jsonschema's could differ (an anchor in an unusual place), the
//! ref is left for jsonschema to resolve, and an error there fails the schema
//! as before.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::{SchemaMirror, parse_schema_text, percent_decode};

/// The keyword that stands in for a `$ref` that cannot be resolved.
pub(crate) const UNRESOLVED: &str = "x-cfg-unresolved";

/// Keys kept beside [`UNRESOLVED`] when it replaces a `$ref`'s object: other
/// refs may point into them.
const KEPT: &[&str] = &["$id", "id", "$anchor", "$dynamicAnchor", "$defs", "definitions", "$schema"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Draft {
    Draft4,
    Draft6,
    Draft7,
    Draft2019,
    Draft2020,
}

impl Draft {
    fn of(document: &Value, inherited: Draft) -> Draft {
        match document.get("$schema").and_then(Value::as_str) {
            Some(uri) if uri.contains("draft-03") || uri.contains("draft-04") => Draft::Draft4,
            Some(uri) if uri.contains("draft-06") => Draft::Draft6,
            Some(uri) if uri.contains("draft-07") => Draft::Draft7,
            Some(uri) if uri.contains("2019-09") => Draft::Draft2019,
            Some(uri) if uri.contains("2020-12") => Draft::Draft2020,
            _ => inherited,
        }
    }

    fn id_keyword(self) -> &'static str {
        if self == Draft::Draft4 { "id" } else { "$id" }
    }
}

/// One document of the bundle, as it is handed to jsonschema.
#[derive(Debug)]
pub(crate) struct Document {
    /// The URI it is known by (without fragment): the root schema's `file:`
    /// URI (`json-schema:///` for a built-in), or the URI a ref named it by.
    pub(crate) uri: String,
    /// With unresolvable refs replaced and the others percent-encoded.
    pub(crate) value: Value,
    /// Where it was read from, for files on disk.
    path: Option<PathBuf>,
    draft: Draft,
}

/// A `$ref` that cannot be resolved, with every place it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Miss {
    /// As written in the schema.
    pub(crate) reference: String,
    /// Resolved against its base, when it could be.
    pub(crate) target: String,
    pub(crate) reason: String,
    /// `document#pointer` of each schema object holding it.
    pub(crate) places: Vec<String>,
}

/// A schema read with the documents it references.
#[derive(Debug)]
pub(crate) struct Bundle {
    /// The root schema first.
    pub(crate) documents: Vec<Document>,
    /// Every `format` name used, for the unknown-format warning.
    pub(crate) formats: BTreeSet<String>,
    /// Documents read beside a schema's `$id` (see the module docs).
    pub(crate) notes: Vec<String>,
    /// In a stable order: by target, then as written; [`UNRESOLVED`] holds the index.
    pub(crate) misses: Vec<Miss>,
}

/// Where documents may be read from.
pub(crate) struct Sources<'a> {
    /// The root schema's folder; `None` for a built-in, which may not reference files.
    pub(crate) folder: Option<PathBuf>,
    pub(crate) mirrors: &'a [SchemaMirror],
    /// Paths in messages are shown relative to it.
    pub(crate) root: &'a Path,
}

/// A `$ref` where it is written.
#[derive(Debug, Clone)]
struct Site {
    document: usize,
    /// JSON pointer of the object holding the `$ref`.
    pointer: String,
    written: String,
    base: String,
}

enum Outcome {
    Resolved,
    Anchor { resource: String, anchor: String },
    Missing { target: String, reason: String },
}

#[derive(Default)]
struct Index {
    /// Fragmentless URI → (document, pointer of the resource in it).
    resources: HashMap<String, (usize, String)>,
    /// (resource URI, anchor name).
    anchors: HashSet<(String, String)>,
    /// Schema positions already walked.
    visited: HashSet<(usize, String)>,
    sites: Vec<Site>,
    formats: BTreeSet<String>,
}

impl Bundle {
    /// Reads `root` (known as `uri`, read from `path` when it is a file) and
    /// every document its refs reach, and prepares them for compiling.
    pub(crate) fn load(root: Value, uri: String, path: Option<PathBuf>, sources: &Sources<'_>) -> Bundle {
        let mut loader = Loader {
            sources,
            real_root: std::fs::canonicalize(sources.root).unwrap_or_else(|_| sources.root.to_owned()),
            documents: Vec::new(),
            index: Index::default(),
            notes: Vec::new(),
            pending: Vec::new(),
            unreadable: HashMap::new(),
        };
        loader.add(uri, root, path, Draft::Draft2020);
        let mut outcomes = Vec::new();
        let mut next = 0;
        loop {
            while let Some((document, pointer)) = loader.pending.pop() {
                walk(&loader.documents, document, pointer, &mut loader.index);
            }
            let Some(site) = loader.index.sites.get(next).cloned() else { break };
            next += 1;
            outcomes.push(loader.resolve(&site));
        }
        loader.finish(outcomes)
    }
}

struct Loader<'a> {
    sources: &'a Sources<'a>,
    /// `sources.root` with symbolic links resolved, as canonical paths are.
    real_root: PathBuf,
    documents: Vec<Document>,
    index: Index,
    notes: Vec<String>,
    pending: Vec<(usize, String)>,
    /// Documents that could not be read, and why: each is tried once.
    unreadable: HashMap<String, String>,
}

impl Loader<'_> {
    fn add(&mut self, uri: String, value: Value, path: Option<PathBuf>, inherited: Draft) -> usize {
        let draft = Draft::of(&value, inherited);
        let document = self.documents.len();
        self.index.resources.entry(uri.clone()).or_insert((document, String::new()));
        self.documents.push(Document { uri, value, path, draft });
        self.pending.push((document, String::new()));
        document
    }

    fn resolve(&mut self, site: &Site) -> Outcome {
        let encoded = encode_reference(&site.written);
        let target = match resolve_uri(&site.base, &encoded) {
            Ok(target) => target,
            Err(reason) => return Outcome::Missing { target: site.written.clone(), reason },
        };
        let (resource, fragment) = split_fragment(&target);
        if is_meta_schema(resource) {
            return Outcome::Resolved;
        }
        if let Some(reason) = self.unreadable.get(resource) {
            return Outcome::Missing { reason: reason.clone(), target };
        }
        let (document, at) = match self.index.resources.get(resource) {
            Some(found) => found.clone(),
            None => match self.read(resource, self.documents[site.document].draft) {
                Ok(document) => (document, String::new()),
                Err(reason) => {
                    self.unreadable.insert(resource.to_owned(), reason.clone());
                    return Outcome::Missing { target, reason };
                }
            },
        };
        if fragment.is_empty() {
            return Outcome::Resolved;
        }
        if !fragment.starts_with('/') {
            return Outcome::Anchor { resource: resource.to_owned(), anchor: percent_decode(fragment) };
        }
        let pointer = format!("{at}{}", percent_decode(fragment));
        if self.documents[document].value.pointer(&pointer).is_none() {
            let reason = format!("`{}` has nothing at `{}`", self.show_uri(resource), percent_decode(fragment));
            return Outcome::Missing { target, reason };
        }
        if !self.index.visited.contains(&(document, pointer.clone())) {
            self.pending.push((document, pointer));
        }
        Outcome::Resolved
    }

    /// Reads the document at `uri` (no fragment) from where it may be read.
    fn read(&mut self, uri: &str, inherited: Draft) -> Result<usize, String> {
        let sources = self.sources;
        if let Some(encoded) = uri.strip_prefix("file://") {
            let path = PathBuf::from(percent_decode(encoded));
            let real = std::fs::canonicalize(&path).map_err(|e| format!("cannot read `{}`: {e}", self.show(&path)))?;
            let allowed = sources.folder.iter().chain(sources.mirrors.iter().map(|m| &m.folder));
            if !allowed.filter_map(|folder| std::fs::canonicalize(folder).ok()).any(|folder| real.starts_with(folder)) {
                return Err(match &sources.folder {
                    Some(folder) => format!(
                        "`{}` is outside the schema's folder `{}`, and refs never read outside it",
                        self.show(&path),
                        self.show(folder)
                    ),
                    None => "built-in schemas cannot reference files".to_owned(),
                });
            }
            return self.read_file(uri, &real, inherited);
        }
        // The schema's own folder first: it holds the versions it was published with.
        let mirror = sources.mirrors.iter().filter(|m| uri.starts_with(&m.prefix)).max_by_key(|m| m.prefix.len());
        let mirrored = mirror.map(|m| m.folder.join(percent_decode(&uri[m.prefix.len()..])));
        let looked = match self.beside_an_id(uri) {
            Some(Ok((path, beside))) => {
                let document = self.read_file(uri, &path, inherited)?;
                // Beside a schema read from the mirror is simply in the mirror.
                if mirrored.and_then(|m| std::fs::canonicalize(m).ok()).is_none_or(|m| m != path) {
                    self.notes.push(format!("`{uri}` is read from `{}`, {beside}", self.show(&path)));
                }
                return Ok(document);
            }
            Some(Err(looked)) => format!(" ({looked})"),
            None => String::new(),
        };
        if let (Some(mirror), Some(path)) = (mirror, mirrored) {
            let real = std::fs::canonicalize(&path).map_err(|e| {
                format!(
                    "`schema_mirrors` maps `{}` to `{}`, but `{}` cannot be read: {e}",
                    mirror.prefix,
                    self.show(&mirror.folder),
                    self.show(&path)
                )
            })?;
            if !std::fs::canonicalize(&mirror.folder).is_ok_and(|folder| real.starts_with(folder)) {
                return Err(format!(
                    "`{}` is outside the mirror folder `{}`",
                    self.show(&path),
                    self.show(&mirror.folder)
                ));
            }
            return self.read_file(uri, &real, inherited);
        }
        if uri.starts_with("json-schema:") {
            return Err("built-in schemas cannot reference files".to_owned());
        }
        let prefix = uri.rfind('/').map_or(uri, |slash| &uri[..=slash]);
        Err(format!(
            "cfg never fetches schemas{looked}; put a copy in a folder and map it in `.cfg.yaml`: \
             `schema_mirrors: {{\"{prefix}\": FOLDER}}`"
        ))
    }

    /// The file standing for `uri` beside a schema read from disk whose `$id`
    /// shares `uri`'s folder, and how it was found; or where it was looked for
    /// in vain.
    fn beside_an_id(&self, uri: &str) -> Option<Result<(PathBuf, String), String>> {
        let mut looked = None;
        for document in &self.documents {
            let (Some(path), Some(id)) = (&document.path, document.value.get(document.draft.id_keyword())) else {
                continue;
            };
            let Some(id) = id.as_str().and_then(|id| resolve_uri(&document.uri, id).ok()) else { continue };
            let Some(slash) = id.rfind('/') else { continue };
            let Some(rest) = uri.strip_prefix(&id[..=slash]) else { continue };
            let Some(folder) = path.parent().filter(|_| !id.starts_with("file:")) else { continue };
            let candidate = folder.join(percent_decode(rest));
            let beside = format!("beside `{}` whose `$id` is `{id}`", self.show(path));
            match std::fs::canonicalize(&candidate) {
                Ok(real) if real.starts_with(folder) && real.is_file() => return Some(Ok((real, beside))),
                _ => looked = Some(format!("no `{}` {beside}", self.show(&candidate))),
            }
        }
        looked.map(Err)
    }

    fn read_file(&mut self, uri: &str, path: &Path, inherited: Draft) -> Result<usize, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read `{}`: {e}", self.show(path)))?;
        let value = parse_schema_text(path, &text).map_err(|e| format!("`{}` is not valid: {e}", self.show(path)))?;
        Ok(self.add(uri.to_owned(), value, Some(path.to_owned()), inherited))
    }

    fn show(&self, path: &Path) -> String {
        let root = self.sources.root;
        path.strip_prefix(&self.real_root).or_else(|_| path.strip_prefix(root)).unwrap_or(path).display().to_string()
    }

    fn show_uri(&self, uri: &str) -> String {
        match uri.strip_prefix("file://") {
            Some(path) => self.show(Path::new(&percent_decode(path))),
            None => uri.to_owned(),
        }
    }

    fn finish(mut self, outcomes: Vec<Outcome>) -> Bundle {
        let mut missing: BTreeMap<(String, String), (String, Vec<usize>)> = BTreeMap::new();
        for (site, outcome) in outcomes.into_iter().enumerate() {
            let (target, reason) = match outcome {
                Outcome::Resolved => continue,
                Outcome::Anchor { resource, anchor } => {
                    if self.index.anchors.contains(&(resource.clone(), anchor.clone())) {
                        continue;
                    }
                    let reason = format!("`{}` has no anchor `{anchor}`", self.show_uri(&resource));
                    (format!("{resource}#{anchor}"), reason)
                }
                Outcome::Missing { target, reason } => (target, reason),
            };
            let written = self.index.sites[site].written.clone();
            missing.entry((target, written)).or_insert_with(|| (reason, Vec::new())).1.push(site);
        }
        let mut misses = Vec::new();
        let mut placeholders = Vec::new();
        for ((target, reference), (reason, sites)) in missing {
            let mut places: Vec<String> = sites
                .iter()
                .map(|&site| {
                    let site = &self.index.sites[site];
                    format!("{}#{}", self.show_uri(&self.documents[site.document].uri), site.pointer)
                })
                .collect();
            places.sort();
            places.dedup();
            for &site in &sites {
                let site = &self.index.sites[site];
                placeholders.push((site.document, site.pointer.clone(), Some(misses.len())));
            }
            misses.push(Miss { reference, target, reason, places });
        }
        let replaced: HashSet<(usize, String)> = placeholders.iter().map(|(d, p, _)| (*d, p.clone())).collect();
        for site in &self.index.sites {
            if encode_reference(&site.written) != site.written
                && !replaced.contains(&(site.document, site.pointer.clone()))
            {
                placeholders.push((site.document, site.pointer.clone(), None));
            }
        }
        // Deepest first, so a placeholder never lands in an object already replaced.
        placeholders.sort_by_key(|(_, pointer, _)| std::cmp::Reverse(pointer.matches('/').count()));
        for (document, pointer, miss) in placeholders {
            let Some(Value::Object(object)) = self.documents[document].value.pointer_mut(&pointer) else { continue };
            match miss {
                Some(miss) => {
                    let mut replaced: Map<String, Value> = object
                        .iter()
                        .filter(|(key, _)| KEPT.contains(&key.as_str()))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    replaced.insert(UNRESOLVED.to_owned(), Value::from(miss));
                    *object = replaced;
                }
                None => {
                    if let Some(Value::String(reference)) = object.get_mut("$ref") {
                        *reference = encode_reference(reference);
                    }
                }
            }
        }
        Bundle { documents: self.documents, formats: self.index.formats, notes: self.notes, misses }
    }
}

/// Records the refs, identifiers, anchors and formats of the schema at
/// `pointer` in `documents[document]` and of every subschema under it.
fn walk(documents: &[Document], document: usize, pointer: String, index: &mut Index) {
    let doc = &documents[document];
    let draft = doc.draft;
    let mut pending = vec![(base_at(doc, &pointer), pointer)];
    while let Some((mut base, pointer)) = pending.pop() {
        if !index.visited.insert((document, pointer.clone())) {
            continue;
        }
        let Some(Value::Object(node)) = doc.value.pointer(&pointer) else { continue };
        // Before 2019-09 a `$ref` makes its object's other keywords, `$id` included, ignored.
        let ignores_siblings = draft <= Draft::Draft7 && node.contains_key("$ref");
        if let Some(Value::String(id)) = node.get(draft.id_keyword())
            && !ignores_siblings
        {
            match id.strip_prefix('#') {
                Some(anchor) if draft <= Draft::Draft7 => {
                    index.anchors.insert((base.clone(), percent_decode(anchor)));
                }
                Some(_) => {}
                None => {
                    if let Ok(uri) = resolve_uri(&base, id) {
                        let (resource, fragment) = split_fragment(&uri);
                        if !fragment.is_empty() && draft <= Draft::Draft7 {
                            index.anchors.insert((resource.to_owned(), percent_decode(fragment)));
                        }
                        base = resource.to_owned();
                        index.resources.entry(base.clone()).or_insert((document, pointer.clone()));
                    }
                }
            }
        }
        if draft >= Draft::Draft2019 {
            for key in ["$anchor", "$dynamicAnchor"] {
                if let Some(Value::String(anchor)) = node.get(key) {
                    index.anchors.insert((base.clone(), anchor.clone()));
                }
            }
        }
        if let Some(Value::String(written)) = node.get("$ref") {
            index.sites.push(Site { document, pointer: pointer.clone(), written: written.clone(), base: base.clone() });
        }
        if let Some(Value::String(format)) = node.get("format") {
            index.formats.insert(format.clone());
        }
        for (key, value) in node {
            for suffix in subschemas(key, value) {
                pending.push((base.clone(), format!("{pointer}/{}{suffix}", escape_token(key))));
            }
        }
    }
}

/// The pointer suffixes, below `/key`, of the subschemas a keyword holds.
fn subschemas(key: &str, value: &Value) -> Vec<String> {
    let is_schema = |v: &Value| v.is_object() || v.is_boolean();
    match (key, value) {
        (
            "additionalItems"
            | "additionalProperties"
            | "contains"
            | "contentSchema"
            | "else"
            | "if"
            | "items"
            | "not"
            | "propertyNames"
            | "then"
            | "unevaluatedItems"
            | "unevaluatedProperties",
            v,
        ) if is_schema(v) => vec![String::new()],
        ("allOf" | "anyOf" | "oneOf" | "prefixItems" | "items", Value::Array(items)) => {
            (0..items.len()).map(|i| format!("/{i}")).collect()
        }
        (
            "$defs" | "definitions" | "dependentSchemas" | "patternProperties" | "properties" | "dependencies",
            Value::Object(map),
        ) => map.iter().filter(|(_, v)| is_schema(v)).map(|(name, _)| format!("/{}", escape_token(name))).collect(),
        _ => Vec::new(),
    }
}

/// The base URI in effect at `pointer`: the document's, changed by the `$id`
/// of every object above it (the object's own `$id` is read by [`walk`]).
fn base_at(document: &Document, pointer: &str) -> String {
    let mut base = document.uri.clone();
    let mut node = &document.value;
    let tokens: Vec<&str> = pointer.split('/').skip(1).collect();
    for token in tokens {
        if let Some(Value::String(id)) = node.get(document.draft.id_keyword())
            && !id.starts_with('#')
            && let Ok(uri) = resolve_uri(&base, id)
        {
            base = split_fragment(&uri).0.to_owned();
        }
        let token = token.replace("~1", "/").replace("~0", "~");
        node = match node {
            Value::Object(map) => match map.get(&token) {
                Some(child) => child,
                None => break,
            },
            Value::Array(items) => match token.parse::<usize>().ok().and_then(|i| items.get(i)) {
                Some(child) => child,
                None => break,
            },
            _ => break,
        };
    }
    base
}

fn escape_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// `reference` resolved against `base`, normalized as jsonschema does.
fn resolve_uri(base: &str, reference: &str) -> Result<String, String> {
    let base = jsonschema::uri::from_str(base).map_err(|e| e.to_string())?;
    jsonschema::uri::resolve_against(&base.borrow(), reference).map(|uri| uri.as_str().to_owned()).map_err(|e| {
        let message = e.to_string();
        format!("not a URI reference: {message}")
    })
}

/// Whether `uri` is a JSON Schema meta-schema or vocabulary, which jsonschema
/// ships for every draft it supports.
fn is_meta_schema(uri: &str) -> bool {
    uri.starts_with("http://json-schema.org/") || uri.starts_with("https://json-schema.org/")
}

fn split_fragment(uri: &str) -> (&str, &str) {
    uri.split_once('#').unwrap_or((uri, ""))
}

/// Percent-encodes what RFC 3986 does not allow in a URI reference (spaces,
/// `<`, `>`, `"`, `{`, `}`, `|`, `\`, `^`, `` ` ``, non-ASCII, a second `#`,
/// `[`/`]` in the fragment, a `%` not followed by two hex digits), leaving
/// everything else as written. Idempotent.
pub(crate) fn encode_reference(reference: &str) -> String {
    let (head, fragment) = match reference.split_once('#') {
        Some((head, fragment)) => (head, Some(fragment)),
        None => (reference, None),
    };
    let mut out = String::with_capacity(reference.len());
    encode_part(head, b":/?#[]@", &mut out);
    if let Some(fragment) = fragment {
        out.push('#');
        encode_part(fragment, b":/?@", &mut out);
    }
    out
}

fn encode_part(text: &str, delimiters: &[u8], out: &mut String) {
    let bytes = text.as_bytes();
    for (i, &byte) in bytes.iter().enumerate() {
        let percent_escape =
            byte == b'%' && bytes.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        if byte.is_ascii_alphanumeric()
            || b"-._~!$&'()*+,;=".contains(&byte)
            || delimiters.contains(&byte)
            || percent_escape
        {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_encoded_only_where_needed() {
        for (written, encoded) in [
            ("#/definitions/a", "#/definitions/a"),
            (
                "#/definitions/vector_common::id::Inputs<alloc::string::String>",
                "#/definitions/vector_common::id::Inputs%3Calloc::string::String%3E",
            ),
            ("#/definitions/my thing", "#/definitions/my%20thing"),
            ("#/definitions/my%20thing", "#/definitions/my%20thing"),
            ("#/definitions/100%", "#/definitions/100%25"),
            ("base.json#/definitions/a#b", "base.json#/definitions/a%23b"),
            ("#/definitions/ü", "#/definitions/%C3%BC"),
            ("https://example.com/a b.json#/x", "https://example.com/a%20b.json#/x"),
        ] {
            assert_eq!(encode_reference(written), encoded, "{written}");
            assert_eq!(encode_reference(encoded), encoded, "idempotent: {encoded}");
        }
    }

    #[test]
    fn only_subschema_keywords_are_walked() {
        let schema = serde_json::json!({
            "properties": {"$ref": {"$ref": "#/definitions/real"}, "p": {"format": "int64"}},
            "enum": [{"$ref": "#/nowhere", "format": "in-enum"}],
            "default": {"format": "in-default"},
            "definitions": {"real": {"type": "string"}},
        });
        let sources = Sources { folder: None, mirrors: &[], root: Path::new("/") };
        let bundle = Bundle::load(schema, "json-schema:///".into(), None, &sources);
        assert_eq!(bundle.formats.into_iter().collect::<Vec<_>>(), ["int64"]);
        assert!(bundle.misses.is_empty(), "{:?}", bundle.misses);
    }
}
