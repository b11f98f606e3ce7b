//! Validation: does this content parse, and does it follow its schema?
//!
//! Pure: a [`Validator`] is built once per run from [`Options`] and then checks
//! `(name, bytes)` pairs, returning a [`Report`] of [`Diagnostic`]s with 1-based
//! line and column. It reads the disk only to load schema files (each compiled
//! once per run, see [`schema`]); it never prints, and is `Sync`, so
//! [`Validator::check_many`] spreads files over all cores.
//!
//! The steps for one file:
//! 1. size cap, UTF-8;
//! 2. parse: `.json` as JSON ([`json`]), anything else as YAML 1.2
//!    ([`yaml`]), both into the one document tree of [`crate::document`]
//!    (iterative, with a depth limit) and the JSON value it denotes; an empty
//!    YAML file is the value `null`;
//! 3. pick the schema ([`Options::schema`], a modeline, a top-level `$schema`
//!    key, the project's glob mapping, else syntax only) and validate each
//!    document against it;
//! 4. locate every finding in the source: additionalProperties at the offending
//!    key, required at the object, everything else at the value.
//!
//! A schema that cannot be loaded is an error in each file it applies to,
//! however it was chosen, at the place that named it. What loading a schema
//! found about the schema itself (unknown formats, documents read beside an
//! `$id`, refs that cannot be resolved) is said once per run, in the first
//! file that uses it.
//!
//! The write path refuses content whose report [`Report::has_errors`].

pub mod cron;
mod document;
mod json;
pub mod schema;
mod yaml;

use std::ops::Range;
use std::path::{Path, PathBuf};

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

pub use schema::{SchemaError, SchemaMirror, SchemaRef, SchemaSource};

use crate::source::SourceMap;
pub(crate) use document::Document;
use document::push_token;

/// How bad a finding is: errors block writes and fail `cfg check`; warnings do
/// not, unless `--strict` turns them into errors; notes only inform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// One finding, located in the source text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// The name the file was checked under (its path, or `--stdin-filename`).
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// Byte range in the source that the finding points at.
    #[serde(skip)]
    pub span: Range<usize>,
    /// JSON pointer of the offending node (`""` for the document).
    pub pointer: String,
    /// The rule that failed: `syntax`, `duplicate-key`, a schema keyword, `cron`…
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    /// What to do about it, when the message alone does not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// Everything found in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub file: String,
    pub diagnostics: Vec<Diagnostic>,
    /// The schema the file was checked against and how it was chosen; `None`
    /// when only syntax was checked.
    pub schema: Option<(String, SchemaSource)>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }
}

/// Bounds on what one file may cost to parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Bytes; larger files are rejected unread.
    pub max_size: usize,
    /// Nesting levels of sequences and mappings (at most 1000 in `.cfg.yaml`:
    /// the schema validator and the JSON value recurse per level).
    pub max_depth: usize,
    /// Nodes that alias expansion may create in one file.
    pub max_alias_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_size: 16 * 1024 * 1024, max_depth: 128, max_alias_nodes: 100_000 }
    }
}

/// One `glob → schema` entry of the project settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaMapping {
    /// Matched against the file's path relative to the root; `*` stops at `/`,
    /// `**` does not.
    pub glob: String,
    /// `builtin:NAME` or a path relative to the root.
    pub schema: String,
}

/// What a run of the validator is configured with.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Relative file names and project schema paths are resolved against it.
    pub root: PathBuf,
    /// `--schema`: used for every file, overriding discovery.
    pub schema: Option<String>,
    /// The project's `glob → schema` mapping; the first match wins.
    pub schemas: Vec<SchemaMapping>,
    /// `--strict`: warnings become errors.
    pub strict: bool,
    /// `--allow-multiple-documents`: check every document of a YAML stream.
    pub allow_multiple_documents: bool,
    /// `--strict-tags`: a tag outside the YAML types repository is an error.
    pub strict_tags: bool,
    pub limits: Limits,
    /// URL prefixes whose schemas and refs are read from local folders.
    pub schema_mirrors: Vec<SchemaMirror>,
    /// `--strict-formats`: a schema using a format cfg does not check fails
    /// to load, instead of being used with a warning.
    pub strict_formats: bool,
    /// Schemas known to pass their meta-schema, by [`schema_key`]: checking a
    /// schema against the 2020-12 meta-schema costs more than the rest of a
    /// write, and the same bytes always give the same answer.
    pub meta_checked: std::collections::BTreeSet<String>,
}

/// The key of a schema text in [`Options::meta_checked`]: its SHA-1, with
/// this cfg's version (a newer jsonschema may judge schemas differently).
pub fn schema_key(text: &str) -> String {
    let mut hasher = gix::hash::hasher(gix::hash::Kind::Sha1);
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    hasher.update(b"\0");
    hasher.update(text.as_bytes());
    hasher.try_finalize().map(|id| id.to_string()).unwrap_or_default()
}

/// Why a validator could not be built.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid glob `{glob}` in the schema mapping")]
    Glob {
        glob: String,
        #[source]
        source: globset::Error,
    },
}

/// A cron value and when it runs next (`--explain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronExplanation {
    pub pointer: String,
    pub line: usize,
    pub column: usize,
    pub expr: String,
    /// Empty for `@reboot` and for invalid expressions.
    pub next: Vec<chrono::DateTime<chrono::Utc>>,
}

/// One file for [`Validator::check_many`].
#[derive(Debug, Clone)]
pub struct Input {
    /// Shown in diagnostics.
    pub name: String,
    /// Where the file is (relative to the root, or absolute).
    pub path: PathBuf,
    pub content: Vec<u8>,
}

/// A finding before it is placed on a line: what the parsers and the schema
/// step produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub(crate) span: Range<usize>,
    pub(crate) pointer: String,
    pub(crate) rule: String,
    pub(crate) severity: Severity,
    pub(crate) message: String,
}

impl Finding {
    pub(crate) fn error(span: Range<usize>, pointer: String, rule: &str, message: String) -> Finding {
        Finding { span, pointer, rule: rule.to_owned(), severity: Severity::Error, message }
    }
}

/// Checks content; built once per run.
#[derive(Debug)]
pub struct Validator {
    options: Options,
    explicit: Option<SchemaRef>,
    globs: Vec<(globset::GlobMatcher, SchemaRef)>,
    cache: schema::SchemaCache,
}

impl Default for Validator {
    /// Syntax only, default limits, names relative to the current directory.
    fn default() -> Self {
        Validator {
            options: Options::default(),
            explicit: None,
            globs: Vec::new(),
            cache: schema::SchemaCache::default(),
        }
    }
}

/// A finding with what to do about it.
type Helped = (Finding, Option<String>);

/// A report before the schema notes are added: those are said once per run.
struct Checked {
    report: Report,
    /// Per schema used (by name), its notes, located where it was named.
    notes: Vec<(String, Vec<Diagnostic>)>,
}

impl Checked {
    /// The report, with the notes of each schema not in `said` yet.
    fn into_report(self, said: &mut std::collections::HashSet<String>) -> Report {
        let mut report = self.report;
        for (schema, notes) in self.notes {
            if said.insert(schema) {
                report.diagnostics.extend(notes);
            }
        }
        report.diagnostics.sort_by_key(|d| (d.span.start, d.span.end, d.severity));
        report
    }
}

impl Validator {
    /// Builds a validator. Schemas are loaded when a file needs one, so one
    /// that cannot be loaded is reported in each file it applies to, however
    /// it was chosen.
    pub fn new(options: Options) -> Result<Validator, Error> {
        let cache = schema::SchemaCache::new(schema::LoadOptions {
            root: options.root.clone(),
            mirrors: options.schema_mirrors.clone(),
            strict_formats: options.strict_formats,
            meta_checked: options.meta_checked.clone(),
        });
        let explicit = options.schema.as_deref().map(|spec| SchemaRef::parse(spec, &options.root));
        let globs = options
            .schemas
            .iter()
            .map(|mapping| {
                let matcher = globset::GlobBuilder::new(&mapping.glob)
                    .literal_separator(true)
                    .build()
                    .map_err(|source| Error::Glob { glob: mapping.glob.clone(), source })?
                    .compile_matcher();
                Ok((matcher, SchemaRef::parse(&mapping.schema, &options.root)))
            })
            .collect::<Result<_, Error>>()?;
        Ok(Validator { options, explicit, globs, cache })
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Keys of the schemas this validator checked against their meta-schema
    /// (and found valid) because [`Options::meta_checked`] did not hold them:
    /// for the caller to remember.
    pub fn newly_meta_checked(&self) -> Vec<String> {
        self.cache.newly_meta_checked()
    }

    /// Checks one file's content. `name` is its path (relative to the root, or
    /// absolute); it picks the parser (`.json` or YAML) and the schema.
    pub fn check(&self, name: &str, content: &[u8]) -> Report {
        self.check_file(name, Path::new(name), content)
    }

    /// Checks content shown as `name` but found at `path` (relative to the root,
    /// or absolute), which picks the parser, the modeline's folder and the
    /// project glob that applies.
    pub fn check_file(&self, name: &str, path: &Path, content: &[u8]) -> Report {
        self.check_content(name, path, content).into_report(&mut Default::default())
    }

    fn check_content(&self, name: &str, path: &Path, content: &[u8]) -> Checked {
        let mut report = Report { file: name.to_owned(), diagnostics: Vec::new(), schema: None };
        let limits = &self.options.limits;
        if content.len() > limits.max_size {
            report.diagnostics.push(Diagnostic {
                file: name.to_owned(),
                line: 1,
                column: 1,
                span: 0..0,
                pointer: String::new(),
                rule: "size".into(),
                severity: Severity::Error,
                message: format!("file is larger than the limit of {} bytes", limits.max_size),
                help: None,
            });
            return Checked { report, notes: Vec::new() };
        }
        let text = match std::str::from_utf8(content) {
            Ok(text) => text,
            Err(e) => {
                let offset = e.valid_up_to();
                let text = String::from_utf8_lossy(&content[..offset]);
                let (line, column) = SourceMap::new(&text).line_column(offset);
                report.diagnostics.push(Diagnostic {
                    file: name.to_owned(),
                    line,
                    column,
                    span: offset..offset + 1,
                    pointer: String::new(),
                    rule: "encoding".into(),
                    severity: Severity::Error,
                    message: "invalid UTF-8".into(),
                    help: None,
                });
                return Checked { report, notes: Vec::new() };
            }
        };
        let map = SourceMap::new(text);
        let (documents, parsed) = if is_json(path) {
            let (document, findings) = json::parse(text, &map, limits);
            (document.into_iter().collect(), findings)
        } else {
            let options = &self.options;
            let parsed = yaml::parse_tagged(text, &map, limits, options.allow_multiple_documents, options.strict_tags);
            (parsed.documents, parsed.findings)
        };
        let fatal = parsed.iter().any(|f| is_fatal(&f.rule));
        let mut findings: Vec<Helped> = parsed.into_iter().map(|f| (f, None)).collect();
        let mut schema_notes = Vec::new();
        if !fatal {
            for document in &documents {
                findings.extend(self.check_schema(path, text, document, &mut report.schema, &mut schema_notes));
            }
        }
        if self.options.strict {
            for (finding, _) in &mut findings {
                if finding.severity == Severity::Warning {
                    finding.severity = Severity::Error;
                }
            }
        }
        findings.sort_by_key(|(f, _)| (f.span.start, f.span.end, f.severity));
        findings.dedup();
        let diagnostic = |(f, help): Helped| {
            let (line, column) = map.line_column(f.span.start);
            Diagnostic {
                file: name.to_owned(),
                line,
                column,
                span: f.span,
                pointer: f.pointer,
                rule: f.rule,
                severity: f.severity,
                message: f.message,
                help,
            }
        };
        report.diagnostics = findings.into_iter().map(diagnostic).collect();
        let notes = schema_notes
            .into_iter()
            .map(|(schema, notes): (String, Vec<Finding>)| {
                (schema, notes.into_iter().map(|f| diagnostic((f, None))).collect())
            })
            .collect();
        Checked { report, notes }
    }

    /// Checks many files on all cores; reports come back in input order.
    pub fn check_many(&self, files: &[Input]) -> Vec<Report> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(files.len()).max(1);
        let chunk = files.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = files
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|input| self.check_content(&input.name, &input.path, &input.content))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            let mut said = std::collections::HashSet::new();
            handles
                .into_iter()
                .flat_map(|handle| handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .map(|checked| checked.into_report(&mut said))
                .collect()
        })
    }

    /// The key names identifying entries of lists of mappings in the schema of
    /// `name` (`x-merge-key`), for the structural merge. Only the schema chosen
    /// without reading the content counts (`--schema` or the project globs);
    /// empty when none applies or it cannot be compiled.
    pub fn merge_keys(&self, name: &str) -> Vec<String> {
        let Some(Ok(compiled)) = self.schema_by_name(name).map(|schema| self.cache.get(&schema)) else {
            return Vec::new();
        };
        schema::merge_keys(&compiled.schema)
    }

    /// Compiles now the schema that `name` gets without reading its content
    /// (`--schema` or the project globs), so that a check of it later costs
    /// only the check: for writers to do before they take the store lock.
    /// A schema that fails to load is reported by that check.
    pub fn prepare(&self, name: &str) {
        if let Some(schema) = self.schema_by_name(name) {
            let _ = self.cache.get(&schema);
        }
    }

    fn schema_by_name(&self, name: &str) -> Option<SchemaRef> {
        let path = Path::new(name);
        self.explicit.clone().or_else(|| {
            let relative = path.strip_prefix(&self.options.root).unwrap_or(path);
            self.globs.iter().find(|(glob, _)| glob.is_match(relative)).map(|(_, schema)| schema.clone())
        })
    }

    /// For `--explain`: each value the file's schema declares `format: cron`,
    /// with its next `count` run times after `now` (UTC).
    pub fn explain_crons(
        &self,
        path: &Path,
        content: &[u8],
        now: chrono::DateTime<chrono::Utc>,
        count: usize,
    ) -> Vec<CronExplanation> {
        let Ok(text) = std::str::from_utf8(content) else {
            return Vec::new();
        };
        if content.len() > self.options.limits.max_size {
            return Vec::new();
        }
        let map = SourceMap::new(text);
        let documents = if is_json(path) {
            json::parse(text, &map, &self.options.limits).0.into_iter().collect()
        } else {
            let options = &self.options;
            let parsed =
                yaml::parse_tagged(text, &map, &options.limits, options.allow_multiple_documents, options.strict_tags);
            if parsed.findings.iter().any(|f| is_fatal(&f.rule)) {
                return Vec::new();
            }
            parsed.documents
        };
        let mut out = Vec::new();
        for document in &documents {
            let Some((schema, _, _)) = self.discover(path, text, document, &mut Vec::new()) else {
                continue;
            };
            let Ok(compiled) = self.cache.get(&schema) else {
                continue;
            };
            for (pointer, expr) in schema::cron_values(&compiled.schema, &document.value) {
                let at = document.spans.lookup(&pointer).map_or(0, |s| s.value.start);
                let (line, column) = map.line_column(at);
                out.push(CronExplanation {
                    line,
                    column,
                    next: cron::next_runs(&expr, &now, count).unwrap_or_default(),
                    pointer,
                    expr,
                });
            }
        }
        out
    }

    /// Which schema applies to a file, and where in the file it was named.
    fn discover(
        &self,
        path: &Path,
        text: &str,
        document: &Document,
        findings: &mut Vec<Finding>,
    ) -> Option<(SchemaRef, SchemaSource, Range<usize>)> {
        if let Some(explicit) = &self.explicit {
            return Some((explicit.clone(), SchemaSource::Option, 0..0));
        }
        let folder = self.options.root.join(path);
        let folder = folder.parent().unwrap_or(Path::new("")).to_path_buf();
        let mut named = Vec::new();
        if !is_json(path)
            && let Some((spec, span)) = schema::modeline(text)
        {
            named.push((spec.to_owned(), SchemaSource::Modeline, span));
        }
        if let Some(Value::String(spec)) = document.value.get("$schema") {
            let span = document.spans.get("/$schema").map_or(0..0, |s| s.value.clone());
            named.push((spec.clone(), SchemaSource::Key, span));
        }
        for (spec, source, span) in named {
            if SchemaRef::is_remote(&spec) {
                if let Some(local) = schema::mirrored(&spec, &self.options.schema_mirrors) {
                    return Some((SchemaRef::Path(local), source, span));
                }
                findings.push(Finding {
                    span,
                    pointer: String::new(),
                    rule: "schema".into(),
                    severity: Severity::Warning,
                    message: format!(
                        "schema `{spec}` is remote and is not fetched; using the next way to find a schema \
                         (`schema_mirrors` in .cfg.yaml can map its URL to a local copy)"
                    ),
                });
                continue;
            }
            let spec = spec.strip_prefix("file://").unwrap_or(&spec);
            return Some((SchemaRef::parse(spec, &folder), source, span));
        }
        let relative = path.strip_prefix(&self.options.root).unwrap_or(path);
        let relative = relative.strip_prefix("./").unwrap_or(relative);
        self.globs
            .iter()
            .find(|(glob, _)| glob.is_match(relative))
            .map(|(_, schema)| (schema.clone(), SchemaSource::Project, 0..0))
    }

    /// Validates one document against its schema; the schema's own notes go
    /// to `notes`, under its name.
    fn check_schema(
        &self,
        path: &Path,
        text: &str,
        document: &Document,
        used: &mut Option<(String, SchemaSource)>,
        notes: &mut Vec<(String, Vec<Finding>)>,
    ) -> Vec<Helped> {
        let mut findings = Vec::new();
        let Some((schema, source, named_at)) = self.discover(path, text, document, &mut findings) else {
            return findings.into_iter().map(|f| (f, None)).collect();
        };
        let name = schema.to_string();
        *used = Some((name.clone(), source));
        let compiled = match self.cache.get(&schema) {
            Ok(compiled) => compiled,
            Err(e) => {
                let help = e.help(source, &self.options.schema_mirrors);
                let mut findings: Vec<Helped> = findings.into_iter().map(|f| (f, None)).collect();
                findings.push((Finding::error(named_at, String::new(), "schema", error_chain(&e)), Some(help)));
                return findings;
            }
        };
        let said = compiled
            .notes
            .iter()
            .map(|(severity, message)| Finding {
                span: named_at.clone(),
                pointer: String::new(),
                rule: "schema".into(),
                severity: *severity,
                message: message.clone(),
            })
            .collect();
        notes.push((name, said));
        findings.extend(document.schema_findings.iter().cloned());
        let outcome = compiled.validate(&document.value);
        for error in &outcome.errors {
            findings.extend(locate(error, document, &compiled));
        }
        for miss in outcome.reached {
            let message = format!(
                "`$ref` `{}` cannot be resolved, and validation reaches it ({}): {}",
                miss.reference,
                miss.places.join(", "),
                miss.reason
            );
            findings.push(Finding::error(named_at.clone(), String::new(), "ref", message));
        }
        findings.into_iter().map(|f| (f, None)).collect()
    }
}

/// The first document of a text that [`Validator::check`] found no errors in,
/// for callers that go on to read it (the project settings).
pub(crate) fn parse_checked(name: &str, text: &str) -> Option<Document> {
    let map = SourceMap::new(text);
    let limits = Limits::default();
    if is_json(Path::new(name)) {
        json::parse(text, &map, &limits).0
    } else {
        yaml::parse(text, &map, &limits, false).documents.into_iter().next()
    }
}

/// Whether the parse stopped early, so the document must not be schema-checked.
fn is_fatal(rule: &str) -> bool {
    matches!(rule, "syntax" | "depth" | "alias-budget" | "key" | "tag" | "alias")
}

fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// Turns one schema violation into located findings.
fn locate(error: &jsonschema::ValidationError<'_>, document: &Document, compiled: &schema::Compiled) -> Vec<Finding> {
    let pointer = error.instance_path().as_str().to_owned();
    let rule = error.kind().keyword().to_owned();
    let value_span = |pointer: &str| document.spans.lookup(pointer).map_or(0..0, |s| s.value.clone());
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => unexpected
            .iter()
            .map(|key| {
                let child = push_token(&pointer, key);
                let span = match document.spans.get(&child) {
                    Some(span) => span.key.clone().unwrap_or_else(|| span.value.clone()),
                    None => value_span(&pointer),
                };
                Finding::error(span, child, &rule, format!("property `{key}` is not allowed here"))
            })
            .collect(),
        ValidationErrorKind::Required { property } => {
            let property = property.as_str().map_or_else(|| property.to_string(), |p| format!("`{p}`"));
            vec![Finding::error(value_span(&pointer), pointer, &rule, format!("missing required property {property}"))]
        }
        ValidationErrorKind::BacktrackLimitExceeded { .. } => {
            let pattern = compiled
                .pattern_of(error)
                .map_or_else(|| format!("at `{}`", error.schema_path().as_str()), |p| format!("`{p}`"));
            let value = error.instance().as_str().map_or_else(|| error.instance().to_string(), quote_value);
            let message = format!(
                "pattern {pattern} gave up on {value} after {} backtracking steps; the value counts as not matching",
                schema::BACKTRACK_LIMIT
            );
            vec![Finding::error(value_span(&pointer), pointer, "pattern", message)]
        }
        ValidationErrorKind::Format { format } if format == "cron" => {
            let message = match error.instance().as_str().map(cron::check) {
                Some(Err(e)) => e.to_string(),
                _ => error.to_string(),
            };
            vec![Finding::error(value_span(&pointer), pointer, "format", message)]
        }
        _ => {
            let message = if error.instance().is_object() || error.instance().is_array() {
                let kind = if error.instance().is_object() { "the object" } else { "the array" };
                error.masked_with(kind).to_string()
            } else {
                error.to_string()
            };
            vec![Finding::error(value_span(&pointer), pointer, &rule, one_line(&message))]
        }
    }
}

/// A string value for a message: quoted, and cut short when long.
fn quote_value(value: &str) -> String {
    const SHOWN: usize = 40;
    let count = value.chars().count();
    if count <= SHOWN {
        return format!("{value:?}");
    }
    let head: String = value.chars().take(SHOWN).collect();
    format!("{:?} ({count} characters)", head + "…")
}

/// Keeps a message to one line of readable length.
fn one_line(message: &str) -> String {
    const MAX: usize = 300;
    let flat: String = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= MAX {
        return flat;
    }
    flat.chars().take(MAX).collect::<String>() + "…"
}

#[cfg(test)]
mod tests;
