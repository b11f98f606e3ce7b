//! Schemas: naming them, finding which one applies, loading and compiling them.
//!
//! A schema is named by a [`SchemaRef`]: `builtin:NAME` (shipped inside the
//! binary) or a path. Compiling goes through jsonschema with:
//!
//! * no retrieval beyond the schema's own folder tree: a `$ref` to the network,
//!   or to a file outside that folder, fails compilation with an error naming
//!   the ref (built-in schemas may not reference files at all);
//! * `format` asserted, unknown formats rejected, the `cron` format registered;
//! * `pattern` run by the `regex` crate, which matches in linear time (schemas
//!   using look-around fail to compile rather than risk backtracking).
//!
//! [`SchemaCache`] compiles each schema once per run even when many threads ask
//! for it at once.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

use super::cron;
use crate::source::SourceMap;

/// The schemas that ship inside the binary.
pub const BUILTINS: &[(&str, &str)] = &[
    ("schedule", include_str!("../../schemas/schedule.schema.json")),
    ("cfg", include_str!("../../schemas/cfg.schema.json")),
];

/// A schema's name: built-in or a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SchemaRef {
    Builtin(String),
    Path(PathBuf),
}

impl SchemaRef {
    /// Reads `builtin:NAME`, or a path relative to `base`.
    pub fn parse(spec: &str, base: &Path) -> SchemaRef {
        match spec.strip_prefix("builtin:") {
            Some(name) => SchemaRef::Builtin(name.to_owned()),
            None => SchemaRef::Path(base.join(spec)),
        }
    }

    /// Whether a spec names a remote resource, which is never fetched.
    pub(crate) fn is_remote(spec: &str) -> bool {
        spec.contains("://") && !spec.starts_with("file://")
    }
}

impl std::fmt::Display for SchemaRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SchemaRef::Builtin(name) => write!(f, "builtin:{name}"),
            SchemaRef::Path(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Why a schema could not be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SchemaError {
    #[error("unknown built-in schema `builtin:{name}` (known: {known})")]
    UnknownBuiltin { name: String, known: String },
    #[error("failed to read schema `{}`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: Arc<std::io::Error>,
    },
    #[error("schema `{schema}` is not valid JSON or YAML: {message}")]
    Parse { schema: String, message: String },
    #[error("invalid schema `{schema}`: {message}")]
    Compile { schema: String, message: String },
}

/// Compiled schemas of one run, by name.
#[derive(Default)]
pub(crate) struct SchemaCache {
    entries: Mutex<HashMap<SchemaRef, Arc<Slot>>>,
}

type Slot = OnceLock<Result<Arc<Compiled>, SchemaError>>;

/// A compiled schema and the value it was compiled from (read by `--explain`).
#[derive(Debug)]
pub(crate) struct Compiled {
    pub(crate) schema: Value,
    pub(crate) validator: jsonschema::Validator,
}

impl std::fmt::Debug for SchemaCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.entries.lock().map_or(0, |e| e.len());
        f.debug_struct("SchemaCache").field("schemas", &count).finish()
    }
}

impl SchemaCache {
    /// The compiled schema, compiling it on first use.
    pub(crate) fn get(&self, schema: &SchemaRef) -> Result<Arc<Compiled>, SchemaError> {
        let key = match schema {
            SchemaRef::Path(path) => SchemaRef::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone())),
            builtin => builtin.clone(),
        };
        let slot = {
            // A panic elsewhere while holding the lock leaves the map usable.
            let mut entries = self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            Arc::clone(entries.entry(key.clone()).or_default())
        };
        // Outside the map lock: other schemas compile in parallel, while threads
        // wanting this one wait for the first to finish.
        slot.get_or_init(|| compile_ref(&key).map(Arc::new)).clone()
    }
}

fn compile_ref(schema: &SchemaRef) -> Result<Compiled, SchemaError> {
    match schema {
        SchemaRef::Builtin(name) => {
            let Some((_, text)) = BUILTINS.iter().find(|(n, _)| n == name) else {
                let known = BUILTINS.iter().map(|(n, _)| format!("builtin:{n}")).collect::<Vec<_>>().join(", ");
                return Err(SchemaError::UnknownBuiltin { name: name.clone(), known });
            };
            let value: Value = serde_json::from_str(text)
                .map_err(|e| SchemaError::Parse { schema: schema.to_string(), message: e.to_string() })?;
            let validator = compile(&value, None)
                .map_err(|message| SchemaError::Compile { schema: schema.to_string(), message })?;
            Ok(Compiled { schema: value, validator })
        }
        SchemaRef::Path(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|source| SchemaError::Read { path: path.clone(), source: Arc::new(source) })?;
            let value = parse_schema_text(path, &text)
                .map_err(|message| SchemaError::Parse { schema: schema.to_string(), message })?;
            let folder = path.parent().unwrap_or(Path::new("."));
            let validator = compile(&value, Some((path, folder)))
                .map_err(|message| SchemaError::Compile { schema: schema.to_string(), message })?;
            Ok(Compiled { schema: value, validator })
        }
    }
}

/// A schema file's value: JSON, or YAML for `.yaml`/`.yml` files.
fn parse_schema_text(path: &Path, text: &str) -> Result<Value, String> {
    let is_yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
    if !is_yaml {
        return serde_json::from_str(text).map_err(|e| e.to_string());
    }
    let map = SourceMap::new(text);
    let parsed = super::yaml::parse(text, &map, &super::Limits::default(), false);
    if let Some(problem) = parsed.findings.iter().find(|f| f.severity == super::Severity::Error) {
        let (line, column) = map.line_column(problem.span.start);
        return Err(format!("{} at line {line}, column {column}", problem.message));
    }
    parsed.documents.into_iter().next().map(|d| d.value).ok_or_else(|| "empty schema".to_owned())
}

/// Compiles a schema; `file` is its path and folder when it comes from disk.
fn compile(schema: &Value, file: Option<(&Path, &Path)>) -> Result<jsonschema::Validator, String> {
    let (retriever, base_uri) = match file {
        Some((path, folder)) => {
            let folder = std::fs::canonicalize(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
            let path = std::fs::canonicalize(path).map_err(|e| format!("{}: {e}", path.display()))?;
            (FolderRetriever { folder: Some(folder) }, Some(file_uri(&path)))
        }
        None => (FolderRetriever { folder: None }, None),
    };
    let mut options = jsonschema::options()
        .with_retriever(retriever)
        .should_validate_formats(true)
        .should_ignore_unknown_formats(false)
        .with_format("cron", cron::is_valid)
        .with_pattern_options(jsonschema::PatternOptions::regex());
    if let Some(uri) = base_uri {
        options = options.with_base_uri(uri);
    }
    options.build(schema).map_err(|e| e.to_string())
}

/// Reads `$ref` targets from files under one folder, and nothing else.
struct FolderRetriever {
    /// `None` for built-in schemas, which may not reference files.
    folder: Option<PathBuf>,
}

impl jsonschema::Retrieve for FolderRetriever {
    fn retrieve(&self, uri: &jsonschema::Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let uri = uri.as_str();
        let Some(encoded) = uri.strip_prefix("file://") else {
            return Err(format!("refusing `$ref` to `{uri}`: schemas are never fetched over the network").into());
        };
        let Some(folder) = &self.folder else {
            return Err(format!("refusing `$ref` to `{uri}`: built-in schemas cannot reference files").into());
        };
        let encoded = encoded.split('#').next().unwrap_or(encoded);
        let path = PathBuf::from(percent_decode(encoded));
        let real = std::fs::canonicalize(&path).map_err(|e| format!("cannot read `$ref` target `{uri}`: {e}"))?;
        if !real.starts_with(folder) {
            return Err(format!(
                "refusing `$ref` to `{uri}`: it is outside the schema's folder `{}`",
                folder.display()
            )
            .into());
        }
        let text = std::fs::read_to_string(&real).map_err(|e| format!("cannot read `$ref` target `{uri}`: {e}"))?;
        parse_schema_text(&real, &text).map_err(|e| format!("`$ref` target `{uri}` is not valid: {e}").into())
    }
}

fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The strings in `instance` that `schema` declares `format: cron`, by pointer.
///
/// Follows `properties`, `items`, `prefixItems`, `additionalProperties`,
/// `allOf`/`anyOf`/`oneOf` and local `$ref`s; enough for `--explain` to show
/// run times, not a second validator. Iterative, and bounded by a visit budget
/// because `$ref` cycles are legal.
pub(crate) fn cron_values(schema: &Value, instance: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut pending = vec![(schema, instance, String::new())];
    let mut budget = 100_000usize;
    while let Some((node, value, pointer)) = pending.pop() {
        budget = match budget.checked_sub(1) {
            Some(left) => left,
            None => break,
        };
        let Value::Object(node) = node else { continue };
        if node.get("format").and_then(Value::as_str) == Some("cron")
            && let Some(expr) = value.as_str()
        {
            found.push((pointer.clone(), expr.to_owned()));
        }
        if let Some(target) = node.get("$ref").and_then(Value::as_str)
            && let Some(fragment) = target.strip_prefix('#')
            && let Some(target) = schema.pointer(fragment)
        {
            pending.push((target, value, pointer.clone()));
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            for sub in node.get(key).and_then(Value::as_array).into_iter().flatten() {
                pending.push((sub, value, pointer.clone()));
            }
        }
        match value {
            Value::Object(map) => {
                let properties = node.get("properties").and_then(Value::as_object);
                for (key, child) in map {
                    let sub = properties.and_then(|p| p.get(key)).or_else(|| node.get("additionalProperties"));
                    if let Some(sub) = sub {
                        pending.push((sub, child, super::document::push_token(&pointer, key)));
                    }
                }
            }
            Value::Array(items) => {
                let prefix = node.get("prefixItems").and_then(Value::as_array);
                for (i, child) in items.iter().enumerate() {
                    let sub = prefix.and_then(|p| p.get(i)).or_else(|| node.get("items"));
                    if let Some(sub) = sub {
                        pending.push((sub, child, format!("{pointer}/{i}")));
                    }
                }
            }
            _ => {}
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Every `x-merge-key` named anywhere in a schema, sorted, without repeats.
pub(crate) fn merge_keys(schema: &Value) -> Vec<String> {
    let mut keys = Vec::new();
    let mut pending = vec![schema];
    while let Some(node) = pending.pop() {
        match node {
            Value::Object(map) => {
                if let Some(Value::String(key)) = map.get("x-merge-key") {
                    keys.push(key.clone());
                }
                pending.extend(map.values());
            }
            Value::Array(items) => pending.extend(items),
            _ => {}
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

/// How the schema for a file was chosen, in order of precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SchemaSource {
    /// `--schema`.
    Option,
    /// `# yaml-language-server: $schema=…` at the top of the file.
    Modeline,
    /// A top-level `$schema` key.
    Key,
    /// The `schemas` mapping of `.cfg.yaml`.
    Project,
}

/// The modeline's schema spec and its byte range, if the file's leading
/// comment block has one.
pub(crate) fn modeline(text: &str) -> Option<(&str, Range<usize>)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let comment = trimmed.strip_prefix('#')?;
        let Some(rest) = comment.trim_start().strip_prefix("yaml-language-server:") else {
            continue;
        };
        let Some(spec) = rest.trim_start().strip_prefix("$schema=") else {
            continue;
        };
        let spec = spec.trim();
        let at = start + line.find(spec).unwrap_or(0);
        return Some((spec, at..at + spec.len()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modeline_only_in_the_leading_comments() {
        let text = "# hello\n# yaml-language-server: $schema=../s.json\nkey: 1\n";
        let (spec, span) = modeline(text).unwrap();
        assert_eq!(spec, "../s.json");
        assert_eq!(&text[span], "../s.json");
        assert!(modeline("key: 1\n# yaml-language-server: $schema=s.json\n").is_none());
    }

    #[test]
    fn uris_round_trip() {
        let path = Path::new("/tmp/a dir/ü.json");
        let uri = file_uri(path);
        assert_eq!(uri, "file:///tmp/a%20dir/%C3%BC.json");
        assert_eq!(percent_decode(uri.strip_prefix("file://").unwrap()), "/tmp/a dir/ü.json");
    }

    #[test]
    fn cron_values_follow_the_schema() {
        let schema: Value = serde_json::from_str(BUILTINS[0].1).unwrap();
        let instance = serde_json::json!({
            "version": "1.0.0",
            "schedules": [
                {"skill_name": "a", "schedule": "@daily", "params": {}},
                {"skill_name": "b", "schedule": "0 2 * * *", "params": {"schedule": "no"}}
            ]
        });
        assert_eq!(
            cron_values(&schema, &instance),
            [
                ("/schedules/0/schedule".to_owned(), "@daily".to_owned()),
                ("/schedules/1/schedule".to_owned(), "0 2 * * *".to_owned())
            ]
        );
    }

    #[test]
    fn builtins_compile() {
        let cache = SchemaCache::default();
        for (name, _) in BUILTINS {
            cache.get(&SchemaRef::Builtin((*name).to_owned())).unwrap();
        }
        assert!(matches!(cache.get(&SchemaRef::Builtin("nope".into())), Err(SchemaError::UnknownBuiltin { .. })));
    }
}
