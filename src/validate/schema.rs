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
use super::source::SourceMap;

/// The schemas that ship inside the binary.
pub const BUILTINS: &[(&str, &str)] = &[
    (
        "schedule",
        include_str!("../../schemas/schedule.schema.json"),
    ),
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

type Slot = OnceLock<Result<Arc<jsonschema::Validator>, SchemaError>>;

impl std::fmt::Debug for SchemaCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.entries.lock().map_or(0, |e| e.len());
        f.debug_struct("SchemaCache")
            .field("schemas", &count)
            .finish()
    }
}

impl SchemaCache {
    /// The compiled schema, compiling it on first use.
    pub(crate) fn get(
        &self,
        schema: &SchemaRef,
    ) -> Result<Arc<jsonschema::Validator>, SchemaError> {
        let key = match schema {
            SchemaRef::Path(path) => {
                SchemaRef::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()))
            }
            builtin => builtin.clone(),
        };
        let slot = {
            // A panic elsewhere while holding the lock leaves the map usable.
            let mut entries = self
                .entries
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            Arc::clone(entries.entry(key.clone()).or_default())
        };
        // Outside the map lock: other schemas compile in parallel, while threads
        // wanting this one wait for the first to finish.
        slot.get_or_init(|| compile_ref(&key).map(Arc::new)).clone()
    }
}

fn compile_ref(schema: &SchemaRef) -> Result<jsonschema::Validator, SchemaError> {
    match schema {
        SchemaRef::Builtin(name) => {
            let Some((_, text)) = BUILTINS.iter().find(|(n, _)| n == name) else {
                let known = BUILTINS
                    .iter()
                    .map(|(n, _)| format!("builtin:{n}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(SchemaError::UnknownBuiltin {
                    name: name.clone(),
                    known,
                });
            };
            let value: Value = serde_json::from_str(text).map_err(|e| SchemaError::Parse {
                schema: schema.to_string(),
                message: e.to_string(),
            })?;
            compile(&value, None).map_err(|message| SchemaError::Compile {
                schema: schema.to_string(),
                message,
            })
        }
        SchemaRef::Path(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| SchemaError::Read {
                path: path.clone(),
                source: Arc::new(source),
            })?;
            let value = parse_schema_text(path, &text).map_err(|message| SchemaError::Parse {
                schema: schema.to_string(),
                message,
            })?;
            let folder = path.parent().unwrap_or(Path::new("."));
            compile(&value, Some((path, folder))).map_err(|message| SchemaError::Compile {
                schema: schema.to_string(),
                message,
            })
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
    if let Some(problem) = parsed
        .findings
        .iter()
        .find(|f| f.severity == super::Severity::Error)
    {
        let (line, column) = map.line_column(problem.span.start);
        return Err(format!(
            "{} at line {line}, column {column}",
            problem.message
        ));
    }
    parsed
        .documents
        .into_iter()
        .next()
        .map(|d| d.value)
        .ok_or_else(|| "empty schema".to_owned())
}

/// Compiles a schema; `file` is its path and folder when it comes from disk.
fn compile(schema: &Value, file: Option<(&Path, &Path)>) -> Result<jsonschema::Validator, String> {
    let (retriever, base_uri) = match file {
        Some((path, folder)) => {
            let folder =
                std::fs::canonicalize(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
            let path =
                std::fs::canonicalize(path).map_err(|e| format!("{}: {e}", path.display()))?;
            (
                FolderRetriever {
                    folder: Some(folder),
                },
                Some(file_uri(&path)),
            )
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
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let uri = uri.as_str();
        let Some(encoded) = uri.strip_prefix("file://") else {
            return Err(format!(
                "refusing `$ref` to `{uri}`: schemas are never fetched over the network"
            )
            .into());
        };
        let Some(folder) = &self.folder else {
            return Err(format!(
                "refusing `$ref` to `{uri}`: built-in schemas cannot reference files"
            )
            .into());
        };
        let encoded = encoded.split('#').next().unwrap_or(encoded);
        let path = PathBuf::from(percent_decode(encoded));
        let real = std::fs::canonicalize(&path)
            .map_err(|e| format!("cannot read `$ref` target `{uri}`: {e}"))?;
        if !real.starts_with(folder) {
            return Err(format!(
                "refusing `$ref` to `{uri}`: it is outside the schema's folder `{}`",
                folder.display()
            )
            .into());
        }
        let text = std::fs::read_to_string(&real)
            .map_err(|e| format!("cannot read `$ref` target `{uri}`: {e}"))?;
        parse_schema_text(&real, &text)
            .map_err(|e| format!("`$ref` target `{uri}` is not valid: {e}").into())
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
        assert_eq!(
            percent_decode(uri.strip_prefix("file://").unwrap()),
            "/tmp/a dir/ü.json"
        );
    }

    #[test]
    fn builtins_compile() {
        let cache = SchemaCache::default();
        for (name, _) in BUILTINS {
            cache.get(&SchemaRef::Builtin((*name).to_owned())).unwrap();
        }
        assert!(matches!(
            cache.get(&SchemaRef::Builtin("nope".into())),
            Err(SchemaError::UnknownBuiltin { .. })
        ));
    }
}
