//! Project settings: `.cfg.yaml` at the managed root.
//!
//! The file is optional (missing means [`Project::default`]). When present it is
//! checked with the validator itself against the built-in `builtin:cfg` schema,
//! so a typo in a setting is reported with its line and column like any other
//! invalid file, instead of being ignored.
//!
//! `schemas` is a mapping `glob → schema`; its order matters (the first match
//! wins), so it is read in source order, not in the sorted order of the parsed
//! value. `retention` is kept raw: the retention module interprets it.
//! `schema_mirrors` maps URL prefixes to folders (relative to the root) that
//! remote schemas and `$ref`s are read from; `strict_formats` makes unknown
//! `format` names errors.
//!
//! Keys are snake_case (`on_write`, `max_size`, `keep_last`). The kebab-case
//! retention keys of earlier versions (`keep-last`) are still read, each with
//! a deprecation warning in [`Project::warnings`] naming its line and column.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::source::SourceMap;
use crate::validate::{
    self, Diagnostic, Document, Limits, Options, Report, SchemaMapping, SchemaMirror, Severity, Validator,
};

/// The settings file's name, at the root.
pub const FILE_NAME: &str = ".cfg.yaml";

/// The record of `.cfg.yaml` contents known to pass `builtin:cfg`.
const SETTINGS_CHECKED: &str = "settings-checked";

/// What `.cfg.yaml` says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Project {
    /// `glob → schema`, in file order; the first matching glob wins.
    pub schemas: Vec<SchemaMapping>,
    /// The `retention` value as written, for the retention module to read.
    pub retention: Option<serde_json::Value>,
    /// Commands that must accept new content before it replaces a file.
    pub checks: Vec<Check>,
    /// Commands run after a successful write.
    pub on_write: Vec<OnWrite>,
    /// Parsing limits for managed files.
    pub limits: Limits,
    /// `URL prefix → folder` (as written, relative to the root), longest prefix first.
    pub schema_mirrors: Vec<(String, String)>,
    /// A schema using a `format` cfg does not check fails to load.
    pub strict_formats: bool,
    /// `strict_tags: true`: a tag outside the YAML types repository is an error.
    pub strict_tags: bool,
    /// `require_message: true`: a write without `-m` is refused.
    pub require_message: bool,
    /// `signing:`, its paths as written (relative to the root).
    pub signing: Signing,
    /// What was read but is deprecated (warnings, each with its line and column).
    pub warnings: Vec<Diagnostic>,
    /// The key of this `.cfg.yaml`'s content when it was just checked against
    /// `builtin:cfg`, for [`Project::remember_checked`] once a write made it
    /// clear that the store may change.
    newly_checked: Option<String>,
    /// `push: true`: every write is pushed to the remote (`--push`).
    pub push: bool,
    /// `remote:` the remote that `pull`, `push`, `sync` and `--push` use
    /// when none is named.
    pub remote: Option<String>,
    /// The commands as written (`on_write`, `checks`), which `cfg trust`
    /// approves by their hash.
    pub commands: serde_json::Value,
    /// Commands this host has not approved, taken out of `on_write` and
    /// `checks` (see `cfg trust`); empty as read.
    pub untrusted: Vec<String>,
}

/// `signing:`: how commits are signed and how signatures are checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signing {
    /// The SSH key every commit is signed with.
    pub key: Option<PathBuf>,
    /// git's allowed-signers file, for verifying signatures.
    pub allowed_signers: Option<PathBuf>,
}

/// How long a check may run before it is killed and the write refused.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(30);
/// How long an `on_write` command may run before it is killed.
pub const ON_WRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// A `checks:` entry: a command that must accept the new content of every
/// file matching `glob` before it replaces the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub glob: FileGlob,
    /// A shell command; `{}` stands for the staged file's path.
    pub command: String,
    pub timeout: Duration,
}

/// An `on_write:` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct OnWrite {
    /// A shell command.
    pub command: String,
    /// Only files matching it; `None`: every file written.
    pub glob: Option<FileGlob>,
    pub timeout: Duration,
    /// Run once per write with every matching file, instead of once per file.
    pub once: bool,
}

impl OnWrite {
    /// The plain form, `- COMMAND`: every file, once per file, the default timeout.
    pub fn new(command: impl Into<String>) -> OnWrite {
        OnWrite { command: command.into(), glob: None, timeout: ON_WRITE_TIMEOUT, once: false }
    }
}

/// A glob over paths relative to the root, as in `schemas:`: `*` stops at
/// `/`, `**` does not.
#[derive(Debug, Clone)]
pub struct FileGlob {
    text: String,
    matcher: globset::GlobMatcher,
}

impl FileGlob {
    pub fn new(text: &str) -> Result<FileGlob, globset::Error> {
        let matcher = globset::GlobBuilder::new(text).literal_separator(true).build()?.compile_matcher();
        Ok(FileGlob { text: text.to_owned(), matcher })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `path` (relative to the root) matches.
    pub fn is_match(&self, path: &str) -> bool {
        self.matcher.is_match(path)
    }
}

impl PartialEq for FileGlob {
    fn eq(&self, other: &FileGlob) -> bool {
        self.text == other.text
    }
}

/// Why the project settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to read `{}`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file breaks `builtin:cfg`; `report` says where, `text` is what was read
    /// (for rendering the report).
    #[error("invalid project settings in `{}`", path.display())]
    Invalid { path: PathBuf, report: Box<Report>, text: String },
    #[error("invalid glob `{glob}` in `{}`", path.display())]
    Glob {
        path: PathBuf,
        glob: String,
        #[source]
        source: globset::Error,
    },
}

impl Project {
    /// Reads `ROOT/.cfg.yaml`; a missing file gives the defaults.
    pub fn load(root: &Path) -> Result<Project, Error> {
        let path = root.join(FILE_NAME);
        match std::fs::read(&path) {
            Ok(content) => {
                // Checking `.cfg.yaml` against `builtin:cfg` compiles that
                // schema; the same bytes passed before need not be checked.
                let record = crate::checked::Record::of(root, SETTINGS_CHECKED);
                let key = validate::schema_key(&String::from_utf8_lossy(&content));
                let known = record.keys().contains(&key);
                let mut project = Project::parse_checking(&path, &content, !known)?;
                project.newly_checked = (!known).then_some(key);
                Ok(project)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Project::default()),
            Err(source) => Err(Error::Read { path, source }),
        }
    }

    /// Records that this `.cfg.yaml` passed `builtin:cfg`, so that later
    /// commands need not check it again (a cache under `.cfg/`, written by
    /// commands that write anyway: a dry run leaves the store as it was).
    pub(crate) fn remember_checked(&self, root: &Path) {
        if let Some(key) = &self.newly_checked {
            crate::checked::Record::of(root, SETTINGS_CHECKED).add(std::slice::from_ref(key));
        }
    }

    /// Reads settings from `content`; `path` names it in errors.
    pub fn parse(path: &Path, content: &[u8]) -> Result<Project, Error> {
        Project::parse_checking(path, content, true)
    }

    /// [`Project::parse`], checking `content` against `builtin:cfg` only
    /// when `check` (it is known to pass otherwise).
    fn parse_checking(path: &Path, content: &[u8], check: bool) -> Result<Project, Error> {
        let text = String::from_utf8_lossy(content).into_owned();
        let invalid = |report| Error::Invalid { path: path.to_owned(), report: Box::new(report), text: text.clone() };
        if check {
            let validator = Validator::new(Options { schema: Some("builtin:cfg".into()), ..Options::default() })
                .expect("the built-in cfg schema compiles");
            let report = validator.check(FILE_NAME, content);
            if report.has_errors() {
                return Err(invalid(report));
            }
        }
        let Some(document) = validate::parse_checked(FILE_NAME, &text) else {
            return Ok(Project::default());
        };
        let value = &document.value;
        let schemas = match value.get("schemas") {
            Some(serde_json::Value::Array(entries)) => entries
                .iter()
                .filter_map(|entry| {
                    Some(SchemaMapping {
                        glob: entry.get("glob")?.as_str()?.to_owned(),
                        schema: entry.get("schema")?.as_str()?.to_owned(),
                    })
                })
                .collect(),
            _ => document
                .spans
                .keys_in_source_order("/schemas")
                .into_iter()
                .filter_map(|glob| {
                    let schema = value.get("schemas")?.get(&glob)?.as_str()?.to_owned();
                    Some(SchemaMapping { glob, schema })
                })
                .collect::<Vec<_>>(),
        };
        for mapping in &schemas {
            globset::Glob::new(&mapping.glob).map_err(|source| Error::Glob {
                path: path.to_owned(),
                glob: mapping.glob.clone(),
                source,
            })?;
        }
        let glob = |text: &str| {
            FileGlob::new(text).map_err(|source| Error::Glob { path: path.to_owned(), glob: text.to_owned(), source })
        };
        let mut located = Located { document: &document, map: SourceMap::new(&text), findings: Vec::new() };
        let mut checks = Vec::new();
        for (i, entry) in array(value, "checks").iter().enumerate() {
            let (Some(pattern), Some(command)) = (str_at(entry, "glob"), str_at(entry, "command")) else { continue };
            let timeout = located.timeout(entry, &format!("/checks/{i}/timeout"), CHECK_TIMEOUT);
            checks.push(Check { glob: glob(pattern)?, command: command.to_owned(), timeout });
        }
        let mut on_write = Vec::new();
        for (i, entry) in array(value, "on_write").iter().enumerate() {
            let Some(command) = entry.as_str().or_else(|| str_at(entry, "command")) else { continue };
            on_write.push(OnWrite {
                command: command.to_owned(),
                glob: str_at(entry, "glob").map(glob).transpose()?,
                timeout: located.timeout(entry, &format!("/on_write/{i}/timeout"), ON_WRITE_TIMEOUT),
                once: entry.get("once").and_then(serde_json::Value::as_bool).unwrap_or(false),
            });
        }
        let retention = value.get("retention").cloned();
        if let Some(serde_json::Value::Object(rules)) = &retention {
            located.deprecated_retention_keys(rules);
        }
        let (errors, warnings): (Vec<_>, Vec<_>) =
            located.findings.into_iter().partition(|d| d.severity == Severity::Error);
        if !errors.is_empty() {
            return Err(invalid(Report { file: FILE_NAME.into(), diagnostics: errors, schema: None }));
        }
        let defaults = Limits::default();
        let limit = |name: &str, default: usize| {
            value
                .pointer(&format!("/limits/{name}"))
                .and_then(serde_json::Value::as_u64)
                .map_or(default, |n| usize::try_from(n).unwrap_or(usize::MAX))
        };
        let mut schema_mirrors: Vec<(String, String)> = value
            .get("schema_mirrors")
            .and_then(|v| v.as_object())
            .map(|mirrors| {
                mirrors
                    .iter()
                    .filter_map(|(prefix, folder)| Some((prefix.clone(), folder.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        schema_mirrors.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        let commands = serde_json::json!([value.get("on_write"), value.get("checks")]);
        Ok(Project {
            push: value.get("push").and_then(serde_json::Value::as_bool).unwrap_or(false),
            remote: value.get("remote").and_then(serde_json::Value::as_str).map(str::to_owned),
            commands,
            untrusted: Vec::new(),
            schemas,
            schema_mirrors,
            strict_formats: value.get("strict_formats").and_then(serde_json::Value::as_bool).unwrap_or(false),
            retention,
            checks,
            on_write,
            limits: Limits {
                max_size: limit("max_size", defaults.max_size),
                max_depth: limit("max_depth", defaults.max_depth),
                max_alias_nodes: limit("max_alias_nodes", defaults.max_alias_nodes),
            },
            warnings,
            newly_checked: None,
            strict_tags: value.get("strict_tags").and_then(serde_json::Value::as_bool).unwrap_or(false),
            require_message: value.get("require_message").and_then(serde_json::Value::as_bool).unwrap_or(false),
            signing: Signing {
                key: value.pointer("/signing/key").and_then(serde_json::Value::as_str).map(PathBuf::from),
                allowed_signers: value
                    .pointer("/signing/allowed_signers")
                    .and_then(serde_json::Value::as_str)
                    .map(PathBuf::from),
            },
        })
    }

    /// Validator options for files under `root`, from these settings.
    pub fn validator_options(&self, root: &Path) -> Options {
        Options {
            root: root.to_owned(),
            schemas: self.schemas.clone(),
            limits: self.limits.clone(),
            schema_mirrors: self
                .schema_mirrors
                .iter()
                .map(|(prefix, folder)| SchemaMirror { prefix: prefix.clone(), folder: root.join(folder) })
                .collect(),
            strict_formats: self.strict_formats,
            strict_tags: self.strict_tags,
            ..Options::default()
        }
    }
}

/// The list at `key`, empty when absent (the schema has checked the shape).
fn array<'v>(value: &'v serde_json::Value, key: &str) -> &'v [serde_json::Value] {
    value.get(key).and_then(serde_json::Value::as_array).map_or(&[], Vec::as_slice)
}

fn str_at<'v>(entry: &'v serde_json::Value, key: &str) -> Option<&'v str> {
    entry.get(key).and_then(serde_json::Value::as_str)
}

/// Findings about values the schema let through, placed at their line and column.
struct Located<'d> {
    document: &'d Document,
    map: SourceMap<'d>,
    findings: Vec<Diagnostic>,
}

impl Located<'_> {
    fn push(&mut self, pointer: &str, span: Range<usize>, severity: Severity, rule: &str, message: String) {
        let (line, column) = self.map.line_column(span.start);
        let pointer = pointer.to_owned();
        let (file, rule) = (FILE_NAME.to_owned(), rule.to_owned());
        self.findings.push(Diagnostic { file, line, column, span, pointer, rule, severity, message, help: None });
    }

    /// The `timeout` of `entry`, found at `pointer`, or `default`. The schema
    /// has checked its form; what is left to refuse is zero and overflow.
    fn timeout(&mut self, entry: &serde_json::Value, pointer: &str, default: Duration) -> Duration {
        let Some(text) = str_at(entry, "timeout") else { return default };
        let problem = match crate::duration::parse(text) {
            Ok(timeout) if !timeout.is_zero() => return timeout,
            Ok(_) => "a timeout of zero would refuse every run".to_owned(),
            Err(e) => e.to_string(),
        };
        let span = self.document.spans.lookup(pointer).map_or(0..0, |s| s.value.clone());
        self.push(pointer, span, Severity::Error, "timeout", format!("invalid `timeout`: {problem}"));
        default
    }

    /// A warning for each kebab-case key of `retention:`, in file order; an
    /// error when both spellings of one key are given.
    fn deprecated_retention_keys(&mut self, rules: &serde_json::Map<String, serde_json::Value>) {
        for key in self.document.spans.keys_in_source_order("/retention").iter().filter(|key| key.contains('-')) {
            let pointer = format!("/retention/{}", key.replace('~', "~0").replace('/', "~1"));
            let span = self.document.spans.lookup(&pointer).map_or(0..0, |s| s.key.clone().unwrap_or(s.value.clone()));
            let snake = key.replace('-', "_");
            if rules.contains_key(&snake) {
                let message = format!("`{key}` and `{snake}` are the same setting; keep `{snake}`");
                self.push(&pointer, span, Severity::Error, "duplicate-key", message);
            } else {
                let message = format!("`{key}` is deprecated: write `{snake}` (.cfg.yaml keys are snake_case)");
                self.push(&pointer, span, Severity::Warning, "deprecated", message);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Project, Error> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), text).unwrap();
        Project::load(dir.path())
    }

    #[test]
    fn missing_file_is_the_default() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Project::load(dir.path()).unwrap(), Project::default());
    }

    #[test]
    fn reads_every_setting_keeping_glob_order() {
        let project = load(
            "schemas:\n  'z/*.yaml': z.json\n  '**/schedule_config.yml': builtin:schedule\n  'a/*.yaml': a.json\n\
             retention:\n  keep_last: 10\non_write:\n  - systemctl reload x\nlimits:\n  max_depth: 20\n",
        )
        .unwrap();
        let globs: Vec<_> = project.schemas.iter().map(|m| (m.glob.as_str(), m.schema.as_str())).collect();
        assert_eq!(
            globs,
            [("z/*.yaml", "z.json"), ("**/schedule_config.yml", "builtin:schedule"), ("a/*.yaml", "a.json")]
        );
        assert_eq!(project.retention, Some(serde_json::json!({"keep_last": 10})));
        assert_eq!(project.on_write, [OnWrite::new("systemctl reload x")]);
        assert!(project.warnings.is_empty());
        assert_eq!(project.limits.max_depth, 20);
        assert_eq!(project.limits.max_size, Limits::default().max_size);
    }

    #[test]
    fn schemas_as_a_list() {
        let project =
            load("schemas:\n  - glob: 'b/*.yml'\n    schema: b.json\n  - glob: 'a/*.yml'\n    schema: a.json\n")
                .unwrap();
        let globs: Vec<_> = project.schemas.iter().map(|m| m.glob.as_str()).collect();
        assert_eq!(globs, ["b/*.yml", "a/*.yml"]);
        assert!(matches!(load("schemas:\n  - glob: 'b/*.yml'\n"), Err(Error::Invalid { .. })));
    }

    #[test]
    fn the_shipped_example_loads() {
        let text = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/.cfg.yaml")).unwrap();
        let project = Project::parse(Path::new("examples/.cfg.yaml"), &text).unwrap();
        assert_eq!(project.schemas[0].schema, "builtin:schedule");
        assert!(project.retention.is_some());
    }

    #[test]
    fn typos_are_located_errors() {
        let Err(Error::Invalid { report, .. }) = load("schemas: {}\non_wirte: []\n") else {
            panic!("expected an invalid-settings error");
        };
        let d = &report.diagnostics[0];
        assert_eq!((d.line, d.column, d.rule.as_str()), (2, 1, "additionalProperties"));
        let Err(Error::Invalid { report, .. }) = load("limits:\n  max_depth: lots\n") else {
            panic!("expected an invalid-settings error");
        };
        assert_eq!(report.diagnostics[0].pointer, "/limits/max_depth");
    }

    #[test]
    fn schema_mirrors_and_strict_formats() {
        let project = load(
            "schema_mirrors:\n  'https://example.com/': vendor/example\n  'https://example.com/deep/': vendor/deep\n\
             strict_formats: true\n",
        )
        .unwrap();
        assert!(project.strict_formats);
        assert_eq!(
            project.schema_mirrors,
            [
                ("https://example.com/deep/".to_owned(), "vendor/deep".to_owned()),
                ("https://example.com/".to_owned(), "vendor/example".to_owned())
            ]
        );
        let options = project.validator_options(Path::new("/srv/conf"));
        assert_eq!(options.schema_mirrors[1].folder, Path::new("/srv/conf/vendor/example"));
        assert!(options.strict_formats);
        assert!(!load("schemas: {}\n").unwrap().strict_formats);
        // A prefix must be a URL folder, so `https://example.com.evil/` cannot match by accident.
        for bad in ["schema_mirrors:\n  'https://example.com': x\n", "schema_mirrors:\n  'example.com/': x\n"] {
            let Err(Error::Invalid { report, .. }) = load(bad) else { panic!("{bad} should be refused") };
            assert_eq!(report.diagnostics[0].pointer, "/schema_mirrors", "{bad}");
        }
        assert!(matches!(load("strict_formats: yes\n"), Err(Error::Invalid { .. })));
    }

    #[test]
    fn checks_and_on_write_entries() {
        let project = load(
            "checks:\n  - glob: 'etc/*.conf'\n    command: nginx -t -c {}\n  - glob: '**/*.yml'\n    command: lint {}\n    timeout: 1m30s\n\
             on_write:\n  - plain\n  - command: reload\n    glob: '**/schedule_config.y*ml'\n    timeout: 500ms\n    once: true\n",
        )
        .unwrap();
        let checks: Vec<_> = project.checks.iter().map(|c| (c.glob.as_str(), c.command.as_str(), c.timeout)).collect();
        assert_eq!(
            checks,
            [("etc/*.conf", "nginx -t -c {}", CHECK_TIMEOUT), ("**/*.yml", "lint {}", Duration::from_secs(90))]
        );
        assert!(project.checks[0].glob.is_match("etc/nginx.conf"));
        assert!(!project.checks[0].glob.is_match("etc/sub/nginx.conf"), "`*` stops at `/`");
        assert!(project.checks[1].glob.is_match("a/b/c.yml"));
        assert_eq!(project.on_write[0], OnWrite::new("plain"));
        let hook = &project.on_write[1];
        assert_eq!((hook.command.as_str(), hook.timeout, hook.once), ("reload", Duration::from_millis(500), true));
        assert!(hook.glob.as_ref().unwrap().is_match("x/schedule_config.yaml"));
        assert_eq!(OnWrite::new("x").timeout, ON_WRITE_TIMEOUT);
    }

    #[test]
    fn bad_entries_are_located_errors() {
        for (text, line, column, rule) in [
            ("checks:\n  - glob: a\n    command: x\n    timeout: 0s\n", 4, 14, "timeout"),
            ("checks:\n  - glob: a\n    command: x\n    timeout: 10\n", 4, 14, "type"),
            ("checks:\n  - glob: a\n    command: x\n    timeout: 10x\n", 4, 14, "pattern"),
            ("checks:\n  - command: x\n", 2, 5, "required"),
            ("on_write:\n  - command: x\n    once: yes\n", 2, 5, "oneOf"),
            ("on_write:\n  - command: x\n    timeout: 99999999999999999999s\n", 3, 14, "timeout"),
            ("retention:\n  keep-last: 3\n  keep_last: 4\n", 2, 3, "duplicate-key"),
        ] {
            let Err(Error::Invalid { report, .. }) = load(text) else {
                panic!("expected an invalid-settings error for {text:?}");
            };
            let d = &report.diagnostics[0];
            assert_eq!((d.line, d.column, d.rule.as_str()), (line, column, rule), "{text:?}: {d:?}");
        }
        assert!(matches!(load("checks:\n  - glob: 'a['\n    command: x\n"), Err(Error::Glob { .. })));
        assert!(matches!(load("on_write:\n  - command: x\n    glob: 'a['\n"), Err(Error::Glob { .. })));
    }

    #[test]
    fn kebab_case_retention_keys_are_deprecated_but_read() {
        let project = load("retention:\n  keep-last: 10\n  keep_within: 7d\n  keep-daily: 3\n").unwrap();
        let warnings: Vec<_> = project.warnings.iter().map(|d| (d.line, d.column, d.rule.as_str())).collect();
        assert_eq!(warnings, [(2, 3, "deprecated"), (4, 3, "deprecated")]);
        assert!(project.warnings[0].message.contains("write `keep_last`"), "{}", project.warnings[0].message);
        assert_eq!(project.warnings[0].severity, Severity::Warning);
        let policy = crate::retention::Policy::from_settings(project.retention.as_ref().unwrap()).unwrap();
        assert_eq!((policy.keep_last, policy.keep_daily), (Some(10), Some(3)));
        assert_eq!(policy.keep_within, Some(Duration::from_secs(7 * 86_400)));
    }

    #[test]
    fn require_message_and_signing() {
        let project =
            load("require_message: true\nsigning:\n  key: keys/cfg\n  allowed_signers: /etc/cfg/allowed\n").unwrap();
        assert!(project.require_message);
        assert_eq!(project.signing.key.as_deref(), Some(Path::new("keys/cfg")));
        assert_eq!(project.signing.allowed_signers.as_deref(), Some(Path::new("/etc/cfg/allowed")));
        assert!(!load("schemas: {}\n").unwrap().require_message);
        for bad in ["signing: {}\n", "signing:\n  keyfile: x\n", "require_message: 1\n", "require-message: true\n"] {
            assert!(matches!(load(bad), Err(Error::Invalid { .. })), "{bad}");
        }
    }

    #[test]
    fn bad_globs_and_syntax() {
        assert!(matches!(load("schemas:\n  'a[': x.json\n"), Err(Error::Glob { .. })));
        assert!(matches!(load("schemas: [\n"), Err(Error::Invalid { .. })));
    }

    #[test]
    fn mapping_drives_the_validator() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "schemas:\n  '*.yml': builtin:schedule\n").unwrap();
        let project = Project::load(dir.path()).unwrap();
        let validator = Validator::new(project.validator_options(dir.path())).unwrap();
        assert!(validator.check("schedule_config.yml", b"version: 1\n").has_errors());
        assert!(!validator.check("other.yaml", b"version: 1\n").has_errors());
    }
}
