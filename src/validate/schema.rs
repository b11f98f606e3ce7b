//! Schemas: naming them, finding which one applies, loading and compiling them.
//!
//! A schema is named by a [`SchemaRef`]: `builtin:NAME` (shipped inside the
//! binary) or a path. Loading reads the schema and every document its `$ref`s
//! reach ([`bundle`]), then compiles them with jsonschema:
//!
//! * nothing is ever fetched over the network. A ref is read from the schema's
//!   own folder tree, from a folder `schema_mirrors` maps its URL prefix to, or
//!   from beside a schema whose `$id` shares its URL folder (SchemaStore's
//!   layout, with a note). A ref that cannot be resolved fails only the
//!   documents whose validation reaches it, with its reason; the schema's
//!   notes list every one;
//! * `format` is asserted; every standard format is checked under every draft
//!   ([`formats`]); an unknown format is ignored with one warning per schema,
//!   or fails the schema with [`LoadOptions::strict_formats`];
//! * `pattern` has ECMA-262 semantics, look-around included. jsonschema
//!   translates it and runs it with fancy-regex: linear matching for patterns
//!   without look-around or backreferences, a backtracking engine capped at
//!   [`BACKTRACK_LIMIT`] steps for the others. A match past the cap is an
//!   error naming the pattern and the value, never a hang.
//!
//! [`SchemaCache`] compiles each schema once per run even when many threads ask
//! for it at once.

mod bundle;
mod formats;

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use super::cron;
use crate::source::SourceMap;
pub(crate) use bundle::Miss;

/// The schemas that ship inside the binary.
pub const BUILTINS: &[(&str, &str)] = &[
    ("schedule", include_str!("../../schemas/schedule.schema.json")),
    ("cfg", include_str!("../../schemas/cfg.schema.json")),
];

/// Backtracking steps one `pattern` match may take (look-around and
/// backreferences only; other patterns match in linear time). Ample for
/// config values, and a few milliseconds at most.
pub const BACKTRACK_LIMIT: usize = 100_000;

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

/// A URL prefix whose schemas are read from a local folder (`schema_mirrors`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaMirror {
    /// `https://json.schemastore.org/`: ends with `/`.
    pub prefix: String,
    /// Absolute, or relative to the current folder.
    pub folder: PathBuf,
}

/// The local file standing for a remote schema URL, if a mirror maps it.
pub(crate) fn mirrored(url: &str, mirrors: &[SchemaMirror]) -> Option<PathBuf> {
    let url = url.split('#').next().unwrap_or(url);
    let mirror = mirrors.iter().filter(|m| url.starts_with(&m.prefix)).max_by_key(|m| m.prefix.len())?;
    Some(mirror.folder.join(percent_decode(&url[mirror.prefix.len()..])))
}

/// How schemas are loaded, the same for every schema of a run.
#[derive(Debug, Clone, Default)]
pub(crate) struct LoadOptions {
    /// Paths in messages are shown relative to it.
    pub(crate) root: PathBuf,
    pub(crate) mirrors: Vec<SchemaMirror>,
    pub(crate) strict_formats: bool,
    pub(crate) meta_checked: std::collections::BTreeSet<String>,
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
    #[error("schema `{schema}` uses formats cfg does not check: {}", list(formats))]
    UnknownFormats { schema: String, formats: Vec<String> },
}

impl SchemaError {
    /// What to do about it, given how the schema was chosen (a modeline or
    /// `$schema` URL is read from a `mirrors` folder).
    pub fn help(&self, source: SchemaSource, mirrors: &[SchemaMirror]) -> String {
        match self {
            SchemaError::Read { path, source: error }
                if error.kind() == std::io::ErrorKind::NotFound
                    && mirrors.iter().any(|m| path.starts_with(&m.folder)) =>
            {
                "`schema_mirrors` in .cfg.yaml maps the schema's URL to this path; put a copy of the schema there"
                    .into()
            }
            SchemaError::UnknownBuiltin { .. } => "name a schema file, or one of the built-in schemas listed".into(),
            SchemaError::Read { source: error, .. } if error.kind() == std::io::ErrorKind::NotFound => match source {
                SchemaSource::Option => "`--schema` takes a path relative to the current folder, or `builtin:NAME`",
                SchemaSource::Modeline => "the modeline's path is relative to the file's folder",
                SchemaSource::Key => "the `$schema` path is relative to the file's folder",
                SchemaSource::Project => "`schemas:` paths in .cfg.yaml are relative to the managed root",
            }
            .into(),
            SchemaError::Read { .. } => "the schema file exists but cannot be read; check its permissions".into(),
            SchemaError::Parse { .. } => "a schema is a JSON file, or YAML when its name ends in .yaml or .yml".into(),
            SchemaError::Compile { .. } => "the schema breaks JSON Schema (drafts 4 to 2020-12); fix the schema".into(),
            SchemaError::UnknownFormats { .. } => {
                "`--strict-formats` (or `strict_formats: true` in .cfg.yaml) makes them errors; without it they are \
                 ignored with a warning"
                    .into()
            }
        }
    }
}

fn list(names: &[String]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// Compiled schemas of one run, by name.
#[derive(Default)]
pub(crate) struct SchemaCache {
    options: LoadOptions,
    entries: Mutex<HashMap<SchemaRef, Arc<Slot>>>,
    /// Keys of schemas checked against their meta-schema in this run.
    meta_checked: Mutex<Vec<String>>,
}

type Slot = OnceLock<Result<Arc<Compiled>, SchemaError>>;

/// A compiled schema, the value it was compiled from (read by `--explain`)
/// and what loading it found.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub(crate) schema: Value,
    validator: jsonschema::Validator,
    /// The documents as compiled, by URI, to name a pattern in an error.
    documents: HashMap<String, Value>,
    /// Refs that cannot be resolved, numbered as their placeholders are.
    misses: Vec<Miss>,
    /// Said once per schema per run: unknown formats, documents read beside
    /// an `$id`, refs that cannot be resolved.
    pub(crate) notes: Vec<(super::Severity, String)>,
}

/// What validating one document against a [`Compiled`] schema found.
pub(crate) struct Outcome<'a> {
    pub(crate) errors: Vec<jsonschema::ValidationError<'a>>,
    /// The unresolvable refs validation reached: the verdict depends on them.
    pub(crate) reached: Vec<&'a Miss>,
}

impl Compiled {
    pub(crate) fn validate<'a>(&'a self, instance: &'a Value) -> Outcome<'a> {
        REACHED.with(|reached| reached.borrow_mut().clear());
        let errors = self
            .validator
            .iter_errors(instance)
            .filter(
                |e| !matches!(e.kind(), ValidationErrorKind::Custom { keyword, .. } if keyword == bundle::UNRESOLVED),
            )
            .collect();
        let reached = REACHED.with(|reached| std::mem::take(&mut *reached.borrow_mut()));
        Outcome { errors, reached: reached.into_iter().filter_map(|i| self.misses.get(i)).collect() }
    }

    /// The `pattern` an error is about. jsonschema gives its location inside
    /// the schema document holding it, not which document: any document
    /// will do when all that have a pattern there agree.
    pub(crate) fn pattern_of(&self, error: &jsonschema::ValidationError<'_>) -> Option<&str> {
        let at = error.schema_path().as_str();
        // Behind the wrapper of a schema known to pass (see `compile`).
        let at = at.strip_prefix("/$ref").unwrap_or(at);
        let mut found =
            std::iter::once(&self.schema).chain(self.documents.values()).filter_map(|d| d.pointer(at)?.as_str());
        let first = found.next()?;
        found.all(|other| other == first).then_some(first)
    }
}

impl std::fmt::Debug for SchemaCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.entries.lock().map_or(0, |e| e.len());
        f.debug_struct("SchemaCache").field("schemas", &count).finish()
    }
}

impl SchemaCache {
    pub(crate) fn new(options: LoadOptions) -> SchemaCache {
        SchemaCache { options, entries: Mutex::default(), meta_checked: Mutex::default() }
    }

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
        slot.get_or_init(|| compile_ref(&key, &self.options, &self.meta_checked)).clone()
    }

    pub(crate) fn newly_meta_checked(&self) -> Vec<String> {
        self.meta_checked.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }
}

/// Schemas compiled by this process, by everything that went into them (see
/// [`compiled_key`]): a program that builds validators again and again (a
/// service calling `ops::write` in a loop) compiles each schema once. At most
/// [`COMPILED_KEPT`], the oldest dropped first.
static COMPILED: Mutex<Vec<(String, Arc<Compiled>)>> = Mutex::new(Vec::new());
const COMPILED_KEPT: usize = 32;

/// What a compiled schema depends on: its name, how schemas are loaded, and
/// the content of every document its refs reached.
fn compiled_key(schema: &SchemaRef, options: &LoadOptions, bundle: &bundle::Bundle) -> String {
    let mut text = format!("{schema}\n{:?}\n{:?}\n{}\n", options.root, options.mirrors, options.strict_formats);
    for document in &bundle.documents {
        text.push_str(&document.uri);
        text.push('\n');
        text.push_str(&document.value.to_string());
        text.push('\n');
    }
    super::schema_key(&text)
}

fn compile_ref(
    schema: &SchemaRef,
    options: &LoadOptions,
    checked: &Mutex<Vec<String>>,
) -> Result<Arc<Compiled>, SchemaError> {
    // Built-in schemas ship tested; a file's schema is checked against its
    // meta-schema unless these very bytes passed before.
    let mut meta_check = None;
    let (value, uri, path) = match schema {
        SchemaRef::Builtin(name) => {
            let Some((_, text)) = BUILTINS.iter().find(|(n, _)| n == name) else {
                let known = BUILTINS.iter().map(|(n, _)| format!("builtin:{n}")).collect::<Vec<_>>().join(", ");
                return Err(SchemaError::UnknownBuiltin { name: name.clone(), known });
            };
            let value: Value = serde_json::from_str(text)
                .map_err(|e| SchemaError::Parse { schema: schema.to_string(), message: e.to_string() })?;
            (value, "json-schema:///".to_owned(), None)
        }
        SchemaRef::Path(path) => {
            let read = |source| SchemaError::Read { path: path.clone(), source: Arc::new(source) };
            let real = std::fs::canonicalize(path).map_err(read)?;
            let text = std::fs::read_to_string(&real).map_err(read)?;
            meta_check = Some(super::schema_key(&text)).filter(|key| !options.meta_checked.contains(key));
            let value = parse_schema_text(path, &text)
                .map_err(|message| SchemaError::Parse { schema: schema.to_string(), message })?;
            (value, file_uri(&real), Some(real))
        }
    };
    let sources = bundle::Sources {
        folder: path.as_deref().and_then(Path::parent).map(Path::to_owned),
        mirrors: &options.mirrors,
        root: &options.root,
    };
    let bundle = bundle::Bundle::load(value.clone(), uri, path, &sources);
    let key = compiled_key(schema, options, &bundle);
    let compiled = COMPILED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, found)) = compiled.iter().find(|(k, _)| *k == key) {
        return Ok(Arc::clone(found));
    }
    drop(compiled);
    let unknown = formats::unknown(&bundle.formats);
    if options.strict_formats && !unknown.is_empty() {
        return Err(SchemaError::UnknownFormats { schema: schema.to_string(), formats: unknown });
    }
    let validator = compile(&bundle, matches!(schema, SchemaRef::Path(_)), meta_check.is_some())
        .map_err(|message| SchemaError::Compile { schema: schema.to_string(), message })?;
    if let Some(key) = meta_check {
        checked.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(key);
    }
    let schema = match schema {
        SchemaRef::Path(path) => {
            let root = std::fs::canonicalize(&options.root).unwrap_or_else(|_| options.root.clone());
            path.strip_prefix(root).or_else(|_| path.strip_prefix(&options.root)).unwrap_or(path).display().to_string()
        }
        builtin => builtin.to_string(),
    };
    let mut notes = Vec::new();
    if !unknown.is_empty() {
        let message = format!(
            "schema `{schema}` uses formats cfg does not check: {}; they are ignored (`--strict-formats` makes them errors)",
            list(&unknown)
        );
        notes.push((super::Severity::Warning, message));
    }
    notes.extend(bundle.notes.iter().map(|note| (super::Severity::Info, format!("schema `{schema}`: {note}"))));
    if !bundle.misses.is_empty() {
        let refs: Vec<String> = bundle.misses.iter().map(|m| m.reference.clone()).collect();
        let message = format!(
            "schema `{schema}` has {} `$ref`(s) that cannot be resolved: {}; a file fails only where its validation reaches one",
            refs.len(),
            list(&refs)
        );
        notes.push((super::Severity::Info, message));
    }
    let documents = bundle.documents.iter().map(|d| (d.uri.clone(), d.value.clone())).collect();
    let compiled = Arc::new(Compiled { schema: value, validator, documents, misses: bundle.misses, notes });
    let mut cache = COMPILED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if cache.len() == COMPILED_KEPT {
        cache.remove(0);
    }
    cache.push((key, Arc::clone(&compiled)));
    Ok(compiled)
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

/// Compiles a loaded bundle; `from_file` when its root was read from disk
/// (a built-in's base stays jsonschema's default), checking the schema
/// against its meta-schema first when `meta_check`.
///
/// jsonschema always checks the schema it compiles against its meta-schema,
/// and building the 2020-12 meta-schema's validator costs more than the rest
/// of a write. A schema already known to pass is therefore compiled behind a
/// wrapper, `{"$schema": draft-07, "$ref": SCHEMA}`: only the wrapper is
/// checked, against a cheap meta-schema (the one the built-in schemas use,
/// so a run builds at most one), while the schema itself is
/// compiled under its own dialect as the target of a `$ref`. Every document
/// gets an explicit `$schema` (the root's, or the 2020-12 default), since
/// the wrapper's draft would otherwise become their default.
fn compile(bundle: &bundle::Bundle, from_file: bool, meta_check: bool) -> Result<jsonschema::Validator, String> {
    let root = &bundle.documents[0];
    let mut documents: HashMap<String, Value> =
        bundle.documents.iter().skip(1).map(|d| (d.uri.clone(), d.value.clone())).collect();
    let wrapped = from_file && !meta_check;
    let wrapper;
    let (compiled, base) = if wrapped {
        let dialect = root.value.get("$schema").and_then(Value::as_str).unwrap_or(DEFAULT_DIALECT).to_owned();
        let with_dialect = |mut value: Value| {
            if let Some(object) = value.as_object_mut() {
                object.entry("$schema").or_insert_with(|| Value::String(dialect.clone()));
            }
            value
        };
        documents = documents.into_iter().map(|(uri, value)| (uri, with_dialect(value))).collect();
        documents.insert(root.uri.clone(), with_dialect(root.value.clone()));
        wrapper = serde_json::json!({ "$schema": "http://json-schema.org/draft-07/schema#", "$ref": root.uri });
        (&wrapper, WRAPPER_URI.to_owned())
    } else {
        (&root.value, root.uri.clone())
    };
    let mut options = jsonschema::options()
        .with_retriever(BundleRetriever { documents })
        .should_validate_formats(true)
        .should_ignore_unknown_formats(true)
        .with_format("cron", cron::is_valid)
        .with_keyword(bundle::UNRESOLVED, |_, value, _| {
            let miss = value.as_u64().and_then(|i| usize::try_from(i).ok()).unwrap_or(usize::MAX);
            Ok(Box::new(Unresolved(miss)))
        })
        .with_pattern_options(jsonschema::PatternOptions::fancy_regex().backtrack_limit(BACKTRACK_LIMIT));
    for &name in formats::DRAFT_BOUND {
        options = options.with_format(name, formats::check(name));
    }
    if from_file {
        options = options.with_base_uri(base);
    }
    options.build(compiled).map_err(|e| e.to_string())
}

/// The dialect of a schema without `$schema`, as jsonschema assumes it.
const DEFAULT_DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Where the wrapper of a schema known to pass its meta-schema lives; see
/// [`compile`].
const WRAPPER_URI: &str = "cfg:///checked-schema";

thread_local! {
    /// The [`Miss`]es the validation running on this thread has reached,
    /// including inside `anyOf`/`not` branches whose errors it drops.
    static REACHED: RefCell<BTreeSet<usize>> = const { RefCell::new(BTreeSet::new()) };
}

/// Stands where a `$ref` could not be resolved: fails, and records that
/// validation reached it.
struct Unresolved(usize);

impl Unresolved {
    fn reach(&self) {
        REACHED.with(|reached| reached.borrow_mut().insert(self.0));
    }
}

impl<'i> jsonschema::Keyword<'i> for Unresolved {
    fn validate(&self, _: &'i Value) -> Result<(), jsonschema::ValidationError<'i>> {
        self.reach();
        Err(jsonschema::ValidationError::custom("this `$ref` cannot be resolved"))
    }

    fn is_valid(&self, _: &'i Value) -> bool {
        self.reach();
        false
    }
}

/// Serves the documents [`bundle`] read, and nothing else: anything it
/// did not read would have to come from somewhere cfg never reads.
struct BundleRetriever {
    documents: HashMap<String, Value>,
}

impl jsonschema::Retrieve for BundleRetriever {
    fn retrieve(&self, uri: &jsonschema::Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let uri = uri.as_str();
        self.documents.get(uri.split('#').next().unwrap_or(uri)).cloned().ok_or_else(|| {
            format!("refusing `$ref` to `{uri}`: schemas are read from their folder or a mirror, never fetched").into()
        })
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
mod tests;
