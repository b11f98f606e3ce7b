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

use std::path::{Path, PathBuf};

use crate::validate::{self, Limits, Options, Report, SchemaMapping, SchemaMirror, Validator};

/// The settings file's name, at the root.
pub const FILE_NAME: &str = ".cfg.yaml";

/// What `.cfg.yaml` says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Project {
    /// `glob → schema`, in file order; the first matching glob wins.
    pub schemas: Vec<SchemaMapping>,
    /// The `retention` value as written, for the retention module to read.
    pub retention: Option<serde_json::Value>,
    /// Commands run after a successful write.
    pub on_write: Vec<String>,
    /// Parsing limits for managed files.
    pub limits: Limits,
    /// `URL prefix → folder` (as written, relative to the root), longest prefix first.
    pub schema_mirrors: Vec<(String, String)>,
    /// A schema using a `format` cfg does not check fails to load.
    pub strict_formats: bool,
    /// `push: true`: every write is pushed to the remote (`--push`).
    pub push: bool,
    /// `remote:` the remote that `pull`, `push`, `sync` and `--push` use
    /// when none is named.
    pub remote: Option<String>,
    /// The commands as written (`on_write`, `checks`), which `cfg trust`
    /// approves by their hash.
    pub commands: serde_json::Value,
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
            Ok(content) => Project::parse(&path, &content),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Project::default()),
            Err(source) => Err(Error::Read { path, source }),
        }
    }

    /// Reads settings from `content`; `path` names it in errors.
    pub fn parse(path: &Path, content: &[u8]) -> Result<Project, Error> {
        let validator = Validator::new(Options { schema: Some("builtin:cfg".into()), ..Options::default() })
            .expect("the built-in cfg schema compiles");
        let report = validator.check(FILE_NAME, content);
        let text = String::from_utf8_lossy(content).into_owned();
        let invalid = |report| Error::Invalid { path: path.to_owned(), report: Box::new(report), text: text.clone() };
        if report.has_errors() {
            return Err(invalid(report));
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
        let on_write = value
            .get("on_write")
            .and_then(|v| v.as_array())
            .map(|commands| commands.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
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
            schemas,
            schema_mirrors,
            strict_formats: value.get("strict_formats").and_then(serde_json::Value::as_bool).unwrap_or(false),
            retention: value.get("retention").cloned(),
            on_write,
            limits: Limits {
                max_size: limit("max_size", defaults.max_size),
                max_depth: limit("max_depth", defaults.max_depth),
                max_alias_nodes: limit("max_alias_nodes", defaults.max_alias_nodes),
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
            ..Options::default()
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
             retention:\n  keep-last: 10\non_write:\n  - systemctl reload x\nlimits:\n  max_depth: 20\n",
        )
        .unwrap();
        let globs: Vec<_> = project.schemas.iter().map(|m| (m.glob.as_str(), m.schema.as_str())).collect();
        assert_eq!(
            globs,
            [("z/*.yaml", "z.json"), ("**/schedule_config.yml", "builtin:schedule"), ("a/*.yaml", "a.json")]
        );
        assert_eq!(project.retention, Some(serde_json::json!({"keep-last": 10})));
        assert_eq!(project.on_write, ["systemctl reload x"]);
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
