//! Schemas shaped like the real ones users bring (pre-commit's, Drone's,
//! Vector's, CircleCI's from SchemaStore), written here; and the pieces of
//! loading them.

use std::path::Path;

use super::super::{Input, Options, Report, SchemaMapping, Severity, Validator};
use super::*;

/// A temp root to put schemas and files in.
struct Root {
    dir: tempfile::TempDir,
}

impl Root {
    fn new() -> Root {
        Root { dir: tempfile::tempdir().unwrap() }
    }

    fn put(&self, path: &str, text: &str) -> &Root {
        let path = self.dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    fn options(&self) -> Options {
        Options { root: self.dir.path().to_owned(), ..Options::default() }
    }

    /// A validator applying `schema` (a path under the root) to every file.
    fn with(&self, schema: &str) -> Validator {
        Validator::new(Options { schema: Some(schema.into()), ..self.options() }).unwrap()
    }
}

/// `(rule, message)` of each error.
fn errors(report: &Report) -> Vec<(&str, &str)> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.rule.as_str(), d.message.as_str()))
        .collect()
}

fn notes(report: &Report, severity: Severity) -> Vec<&str> {
    report.diagnostics.iter().filter(|d| d.severity == severity).map(|d| d.message.as_str()).collect()
}

/// The shape of `.pre-commit-config.yaml`'s schema: a remote repo is any
/// `repo` but the reserved `meta` and `local`.
const PRE_COMMIT: &str = r##"{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "properties": {
    "repos": {
      "type": "array",
      "items": {
        "type": "object",
        "properties": {
          "repo": {"type": "string", "pattern": "^(?!(?:meta|local)$).*$"},
          "rev": {"type": "string", "pattern": "(?<!\\.)$"}
        }
      }
    }
  }
}"##;

#[test]
fn lookaround_patterns_match_as_ecma_262_says() {
    let root = Root::new();
    root.put("pre-commit.json", PRE_COMMIT);
    let validator = root.with("pre-commit.json");
    let good = "repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v4.6.0\n  - repo: metal\n";
    assert_eq!(errors(&validator.check("a.yaml", good.as_bytes())), []);
    let report = validator.check("b.yaml", b"repos:\n  - repo: meta\n  - repo: local\n    rev: v1.\n");
    let found: Vec<_> = report.diagnostics.iter().map(|d| (d.line, d.column, d.rule.as_str())).collect();
    assert_eq!(found, [(2, 11, "pattern"), (3, 11, "pattern"), (4, 10, "pattern")]);
    assert!(report.diagnostics[0].message.contains("^(?!(?:meta|local)$).*$"), "{}", report.diagnostics[0].message);
}

#[test]
fn ecma_classes_keep_their_meaning() {
    let root = Root::new();
    // ECMA-262 `\d` is ASCII only; `\w` too.
    root.put("s.json", r#"{"properties": {"n": {"pattern": "^\\d+$"}, "w": {"pattern": "^\\w+$"}}}"#);
    let validator = root.with("s.json");
    assert_eq!(errors(&validator.check("a.yaml", "n: '123'\nw: abc_1\n".as_bytes())), []);
    let report = validator.check("a.yaml", "n: '١٢٣'\nw: été\n".as_bytes());
    assert_eq!(errors(&report).iter().map(|e| e.0).collect::<Vec<_>>(), ["pattern", "pattern"]);
}

#[test]
fn a_catastrophic_pattern_gives_up_with_an_error_naming_it_and_the_value() {
    let root = Root::new();
    // Nested quantifiers and a look-behind: the backtracking engine's worst case.
    root.put("s.json", r#"{"properties": {"name": {"pattern": "^(\\w+\\s?)*(?<!x)$"}}}"#);
    let value = format!("{}!", "a".repeat(5000));
    let report = root.with("s.json").check("a.yaml", format!("name: {value}\n").as_bytes());
    let found = errors(&report);
    assert_eq!(found.len(), 1, "{report:?}");
    let (rule, message) = found[0];
    assert_eq!(rule, "pattern");
    assert!(message.starts_with(r"pattern `^(\w+\s?)*(?<!x)$` gave up on "), "{message}");
    assert!(message.contains("\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…\" (5001 characters)"), "{message}");
    assert!(message.contains(&format!("after {BACKTRACK_LIMIT} backtracking steps")), "{message}");
    assert_eq!(report.diagnostics[0].pointer, "/name");
}

#[test]
fn a_pattern_in_a_referenced_file_is_named_too() {
    let root = Root::new();
    root.put("main.json", r#"{"properties": {"name": {"$ref": "defs.json#/definitions/name"}}}"#);
    root.put("defs.json", r#"{"definitions": {"name": {"pattern": "^(\\w+\\s?)*(?<!x)$"}}}"#);
    let report = root.with("main.json").check("a.yaml", format!("name: {}!\n", "a".repeat(3000)).as_bytes());
    assert!(errors(&report)[0].1.starts_with(r"pattern `^(\w+\s?)*(?<!x)$` gave up"), "{report:?}");
}

/// Drone's schema: `int64` is no format JSON Schema defines.
const DRONE: &str = r##"{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "properties": {
    "depends_on": {"type": "array", "items": {"type": "string"}},
    "concurrency": {"properties": {"limit": {"type": "integer", "format": "int64"}}},
    "clone": {"properties": {"depth": {"type": "integer", "format": "uint32"}}},
    "trigger": {"properties": {"ref": {"type": "string", "format": "uri-reference"}}}
  }
}"##;

#[test]
fn unknown_formats_are_ignored_with_one_warning_per_schema() {
    let root = Root::new();
    root.put("drone.json", DRONE);
    let validator = root.with("drone.json");
    let files: Vec<Input> = (0..3)
        .map(|i| Input {
            name: format!("f{i}.yaml"),
            path: format!("f{i}.yaml").into(),
            content: b"concurrency:\n  limit: 99999999999999999999\n".to_vec(),
        })
        .collect();
    let reports = validator.check_many(&files);
    assert!(reports.iter().all(|r| !r.has_errors()), "{reports:?}");
    let warnings: Vec<_> = reports.iter().map(|r| notes(r, Severity::Warning)).collect();
    assert_eq!(warnings[0].len(), 1, "{warnings:?}");
    assert!(warnings[0][0].contains("formats cfg does not check: `int64`, `uint32`"), "{}", warnings[0][0]);
    assert!(warnings[1].is_empty() && warnings[2].is_empty(), "{warnings:?}");
    // One file, one warning, however many documents use the schema.
    let validator = Validator::new(Options { allow_multiple_documents: true, ..root.options() }).unwrap();
    let stream = "# yaml-language-server: $schema=drone.json\nclone: {depth: 1}\n---\nclone: {depth: 2}\n";
    assert_eq!(notes(&validator.check("s.yaml", stream.as_bytes()), Severity::Warning).len(), 1);
    // Known formats are still asserted.
    let report = root.with("drone.json").check("a.yaml", b"trigger:\n  ref: \"a b\\\\c\"\n");
    assert_eq!(errors(&report).iter().map(|e| e.0).collect::<Vec<_>>(), ["format"]);
}

#[test]
fn strict_formats_makes_unknown_formats_a_schema_error_in_each_file() {
    let root = Root::new();
    root.put("drone.json", DRONE);
    let validator =
        Validator::new(Options { schema: Some("drone.json".into()), strict_formats: true, ..root.options() }).unwrap();
    for name in ["a.yaml", "b.yaml"] {
        let report = validator.check(name, b"clone: {depth: 1}\n");
        assert_eq!(report.diagnostics.len(), 1, "{report:?}");
        let d = &report.diagnostics[0];
        assert_eq!((d.rule.as_str(), d.severity), ("schema", Severity::Error));
        assert!(d.message.ends_with("uses formats cfg does not check: `int64`, `uint32`"), "{}", d.message);
        assert!(d.help.as_deref().unwrap().contains("--strict-formats"), "{d:?}");
    }
}

#[test]
fn standard_formats_are_checked_under_every_draft() {
    let root = Root::new();
    let cases = [
        ("draft-07", "uuid", "2f1c5f5e-8f3a-4f7e-9c1d-0a6b2c3d4e5f", "2f1c5f5e"),
        ("draft-04", "uri-reference", "../other#frag", "a b\\\\c"),
        ("draft-04", "iri", "https://例え.jp/パス", "no scheme"),
        ("draft-06", "duration", "P1DT2H", "1 day"),
        ("draft-07", "idn-email", "用户@例子.广告", "ex@@ample"),
        ("draft-07", "idn-hostname", "例子.广告", "-bad-.com"),
        ("draft/2020-12", "idn-email", "josé@exámple.com", "@nobody"),
    ];
    for (draft, format, good, bad) in cases {
        let uri = if draft.contains('/') {
            format!("https://json-schema.org/{draft}/schema")
        } else {
            format!("http://json-schema.org/{draft}/schema#")
        };
        let schema = format!(r#"{{"$schema": "{uri}", "properties": {{"v": {{"format": "{format}"}}}}}}"#);
        root.put("s.json", &schema);
        let validator = root.with("s.json");
        let check = |value: &str| validator.check("a.json", format!(r#"{{"v": {}}}"#, Value::from(value)).as_bytes());
        let report = check(good);
        assert!(report.diagnostics.is_empty(), "{draft} {format} {good}: {report:?}");
        let report = check(bad);
        assert_eq!(errors(&report).iter().map(|e| e.0).collect::<Vec<_>>(), ["format"], "{draft} {format} {bad}");
    }
}

/// Vector's schema names definitions after Rust types.
#[test]
fn refs_with_characters_a_uri_must_escape_resolve() {
    let root = Root::new();
    root.put(
        "vector.json",
        r##"{
          "definitions": {
            "vector_common::id::Inputs<alloc::string::String>": {"type": "array", "items": {"type": "string"}},
            "sink config": {"type": "object", "required": ["inputs"]}
          },
          "properties": {
            "inputs": {"$ref": "#/definitions/vector_common::id::Inputs<alloc::string::String>"},
            "sink": {"$ref": "#/definitions/sink config"},
            "again": {"$ref": "#/definitions/sink%20config"}
          }
        }"##,
    );
    let validator = root.with("vector.json");
    assert_eq!(errors(&validator.check("a.yaml", b"inputs: [a, b]\nsink: {inputs: []}\n")), []);
    let report = validator.check("a.yaml", b"inputs: [1]\nsink: {}\nagain: {}\n");
    assert_eq!(errors(&report).iter().map(|e| e.0).collect::<Vec<_>>(), ["type", "required", "required"]);
    assert!(notes(&report, Severity::Info).is_empty(), "{report:?}");
}

/// CircleCI's schema as SchemaStore publishes it: an `$id` on
/// json.schemastore.org and refs to its sibling `base.json`.
const CIRCLECI: &str = r##"{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "$id": "https://json.schemastore.org/circleciconfig.json",
  "type": "object",
  "properties": {
    "version": {"type": "number"},
    "orbs": {"$ref": "base.json#/definitions/orbs"},
    "jobs": {"type": "object"}
  }
}"##;

const BASE: &str = r##"{
  "$id": "https://json.schemastore.org/base.json",
  "definitions": {"orbs": {"type": "object", "additionalProperties": {"type": "string"}}}
}"##;

#[test]
fn schemastore_siblings_are_read_from_the_schemas_folder_with_a_note() {
    let root = Root::new();
    root.put("schemastore/circleciconfig.json", CIRCLECI).put("schemastore/base.json", BASE);
    let validator = root.with("schemastore/circleciconfig.json");
    let report = validator.check("config.yml", b"version: 2.1\norbs:\n  node: circleci/node@5\n");
    assert_eq!(errors(&report), []);
    let info = notes(&report, Severity::Info);
    assert_eq!(info.len(), 1, "{report:?}");
    assert!(
        info[0].contains(
            "`https://json.schemastore.org/base.json` is read from `schemastore/base.json`, beside \
             `schemastore/circleciconfig.json` whose `$id` is `https://json.schemastore.org/circleciconfig.json`"
        ),
        "{}",
        info[0]
    );
    let report = validator.check("config.yml", b"version: 2.1\norbs:\n  node: 5\n");
    assert_eq!(errors(&report).iter().map(|e| e.0).collect::<Vec<_>>(), ["type"]);
}

#[test]
fn a_missing_sibling_says_where_it_was_looked_for() {
    let root = Root::new();
    root.put("schemastore/circleciconfig.json", CIRCLECI);
    let validator = root.with("schemastore/circleciconfig.json");
    // Not reached: checked as usual.
    assert_eq!(errors(&validator.check("config.yml", b"version: 2.1\n")), []);
    let report = validator.check("config.yml", b"orbs: {node: x}\n");
    let found = errors(&report);
    assert_eq!(found.len(), 1, "{report:?}");
    assert_eq!(found[0].0, "ref");
    assert!(found[0].1.contains("`base.json#/definitions/orbs` cannot be resolved"), "{}", found[0].1);
    assert!(
        found[0].1.contains("no `schemastore/base.json` beside `schemastore/circleciconfig.json`"),
        "{}",
        found[0].1
    );
    assert!(found[0].1.contains(r#"`schema_mirrors: {"https://json.schemastore.org/": FOLDER}`"#), "{}", found[0].1);
}

#[test]
fn mirrored_urls_are_read_from_their_folder() {
    let root = Root::new();
    root.put("vendor/schemastore/base.json", BASE);
    root.put(
        "schemas/app.json",
        r#"{"properties": {"orbs": {"$ref": "https://json.schemastore.org/base.json#/definitions/orbs"}}}"#,
    );
    root.put("vendor/schemastore/circleciconfig.json", CIRCLECI);
    let mirrors = vec![SchemaMirror {
        prefix: "https://json.schemastore.org/".into(),
        folder: root.dir.path().join("vendor/schemastore"),
    }];
    let validator = Validator::new(Options {
        schema_mirrors: mirrors.clone(),
        schemas: vec![SchemaMapping { glob: "app.yaml".into(), schema: "schemas/app.json".into() }],
        ..root.options()
    })
    .unwrap();
    // A `$ref` by URL.
    let report = validator.check("app.yaml", b"orbs: {node: 5}\n");
    assert_eq!(errors(&report).iter().map(|e| e.0).collect::<Vec<_>>(), ["type"], "{report:?}");
    assert!(notes(&report, Severity::Info).is_empty(), "{report:?}");
    // A modeline and a `$schema` key by URL.
    let modeline =
        "# yaml-language-server: $schema=https://json.schemastore.org/circleciconfig.json\norbs: {node: 5}\n";
    let report = validator.check("ci.yaml", modeline.as_bytes());
    assert_eq!(report.schema.as_ref().map(|s| s.1), Some(SchemaSource::Modeline));
    assert_eq!(errors(&report).iter().map(|e| e.0).collect::<Vec<_>>(), ["type"], "{report:?}");
    let key = r#"{"$schema": "https://json.schemastore.org/circleciconfig.json", "version": "two"}"#;
    assert_eq!(errors(&validator.check("ci.json", key.as_bytes())).iter().map(|e| e.0).collect::<Vec<_>>(), ["type"]);
    // A mirrored URL whose file is missing is an error saying so.
    let missing = "# yaml-language-server: $schema=https://json.schemastore.org/nope.json\na: 1\n";
    let report = validator.check("ci.yaml", missing.as_bytes());
    let d = &report.diagnostics[0];
    assert_eq!((d.rule.as_str(), d.line, d.column), ("schema", 1, 33), "{report:?}");
    assert!(d.help.as_deref().unwrap().contains("`schema_mirrors`"), "{d:?}");
    // An unmapped URL is not fetched: a warning, and the next way to find a schema.
    let other = "# yaml-language-server: $schema=https://example.com/s.json\na: 1\n";
    let report = validator.check("x.yaml", other.as_bytes());
    assert!(notes(&report, Severity::Warning)[0].contains("is remote and is not fetched"), "{report:?}");
}

#[test]
fn an_unreachable_unresolvable_ref_fails_no_document_that_does_not_reach_it() {
    let root = Root::new();
    root.put(
        "big.json",
        r##"{
          "properties": {
            "name": {"type": "string"},
            "legacy": {"$ref": "https://example.com/legacy.json"},
            "either": {"anyOf": [{"type": "string"}, {"$ref": "#/definitions/gone"}]},
            "one": {"oneOf": [{"type": "string"}, {"$ref": "#/definitions/gone"}]}
          }
        }"##,
    );
    let validator = root.with("big.json");
    let report = validator.check("a.yaml", b"name: x\neither: text\n");
    assert_eq!(errors(&report), [], "{report:?}");
    // The schema's note still lists every ref it cannot resolve.
    let info = notes(&report, Severity::Info);
    assert_eq!(info.len(), 1, "{report:?}");
    assert!(
        info[0].ends_with(
            "has 2 `$ref`(s) that cannot be resolved: `#/definitions/gone`, `https://example.com/legacy.json`; \
             a file fails only where its validation reaches one"
        ),
        "{}",
        info[0]
    );
    assert_eq!(errors(&validator.check("a.yaml", b"name: 1\n")).iter().map(|e| e.0).collect::<Vec<_>>(), ["type"]);
    // Reached: the verdict depends on it, even inside `anyOf` and `oneOf`.
    for text in ["legacy: {}\n", "either: 1\n", "one: text\n"] {
        let report = validator.check("a.yaml", text.as_bytes());
        let refs: Vec<_> = errors(&report).into_iter().filter(|e| e.0 == "ref").collect();
        assert_eq!(refs.len(), 1, "{text}: {report:?}");
    }
}

#[test]
fn every_unresolvable_ref_is_listed_in_a_stable_order() {
    let root = Root::new();
    root.put(
        "s.json",
        r##"{
          "properties": {
            "z": {"$ref": "https://example.com/z.json"},
            "a": {"$ref": "#/definitions/missing"},
            "m": {"$ref": "local.json"},
            "m2": {"$ref": "local.json"},
            "k": {"$ref": "#anchor"}
          }
        }"##,
    );
    let text = b"z: 1\na: 1\nm: 1\nm2: 1\nk: 1\n";
    let first = root.with("s.json").check("a.yaml", text);
    let found: Vec<_> = errors(&first).iter().map(|e| e.1.split(" cannot").next().unwrap().to_owned()).collect();
    // By target: the schema's folder first, then other URLs.
    let targets = [
        "`$ref` `local.json`",
        "`$ref` `#/definitions/missing`",
        "`$ref` `#anchor`",
        "`$ref` `https://example.com/z.json`",
    ];
    assert_eq!(found, targets, "{first:?}");
    let both = errors(&first).iter().find(|e| e.1.contains("local.json")).unwrap().1;
    assert!(both.contains("s.json#/properties/m, s.json#/properties/m2"), "{both}");
    // And the same on every run.
    for _ in 0..5 {
        assert_eq!(root.with("s.json").check("a.yaml", text), first);
    }
}

#[test]
fn a_schema_that_cannot_be_loaded_is_reported_the_same_whichever_way_it_was_chosen() {
    let root = Root::new();
    root.put("conf/x.yaml", "");
    let project = vec![SchemaMapping { glob: "conf/p.yaml".into(), schema: "missing.json".into() }];
    let validator = |schema: Option<&str>| {
        Validator::new(Options { schema: schema.map(str::to_owned), schemas: project.clone(), ..root.options() })
            .unwrap()
    };
    let cases = [
        (validator(Some("missing.json")), "conf/a.yaml", "a: 1\n", SchemaSource::Option, (1, 1), "current folder"),
        (
            validator(None),
            "conf/a.yaml",
            "# yaml-language-server: $schema=missing.json\na: 1\n",
            SchemaSource::Modeline,
            (1, 33),
            "the modeline's path",
        ),
        (validator(None), "conf/a.yaml", "$schema: missing.json\n", SchemaSource::Key, (1, 10), "the `$schema` path"),
        (validator(None), "conf/p.yaml", "a: 1\n", SchemaSource::Project, (1, 1), "managed root"),
    ];
    for (validator, name, text, source, at, help) in cases {
        let report = validator.check(name, text.as_bytes());
        assert_eq!(report.schema.as_ref().map(|s| s.1), Some(source));
        assert_eq!(report.diagnostics.len(), 1, "{source:?}: {report:?}");
        let d = &report.diagnostics[0];
        assert_eq!((d.rule.as_str(), d.severity, (d.line, d.column)), ("schema", Severity::Error, at), "{source:?}");
        assert!(d.message.starts_with("failed to read schema"), "{source:?}: {}", d.message);
        assert!(d.message.contains("missing.json"), "{source:?}: {}", d.message);
        assert!(d.help.as_deref().unwrap().contains(help), "{source:?}: {d:?}");
    }
    // Each cause has its own help.
    root.put("broken.json", "{").put("invalid.json", r#"{"type": 12}"#);
    for (schema, help) in [
        ("broken.json", "a schema is a JSON file"),
        ("invalid.json", "breaks JSON Schema"),
        ("builtin:nope", "built-in schemas listed"),
    ] {
        let report = validator(Some(schema)).check("a.yaml", b"a: 1\n");
        assert!(report.diagnostics[0].help.as_deref().unwrap().contains(help), "{schema}: {report:?}");
    }
}

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
fn mirrors_pick_the_longest_prefix() {
    let mirrors = [
        SchemaMirror { prefix: "https://example.com/".into(), folder: "/m/all".into() },
        SchemaMirror { prefix: "https://example.com/deep/".into(), folder: "/m/deep".into() },
    ];
    assert_eq!(mirrored("https://example.com/deep/a%20b.json#/x", &mirrors), Some("/m/deep/a b.json".into()));
    assert_eq!(mirrored("https://example.com/a.json", &mirrors), Some("/m/all/a.json".into()));
    assert_eq!(mirrored("https://example.org/a.json", &mirrors), None);
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
        let compiled = cache.get(&SchemaRef::Builtin((*name).to_owned())).unwrap();
        assert!(compiled.notes.is_empty(), "{name}: {:?}", compiled.notes);
    }
    assert!(matches!(cache.get(&SchemaRef::Builtin("nope".into())), Err(SchemaError::UnknownBuiltin { .. })));
}

#[test]
fn refs_to_the_meta_schemas_resolve_without_files() {
    let root = Root::new();
    // jsonschema ships the meta-schemas of the schema's own draft.
    for (draft, uri) in [
        ("http://json-schema.org/draft-07/schema#", "http://json-schema.org/draft-07/schema#"),
        ("https://json-schema.org/draft/2020-12/schema", "https://json-schema.org/draft/2020-12/schema"),
    ] {
        root.put("s.json", &format!(r#"{{"$schema": "{draft}", "properties": {{"schema": {{"$ref": "{uri}"}}}}}}"#));
        let validator = root.with("s.json");
        assert_eq!(errors(&validator.check("a.yaml", b"schema: {type: string}\n")), [], "{draft}");
        let report = validator.check("a.yaml", b"schema: {type: 12}\n");
        let rules: Vec<_> = errors(&report).iter().map(|e| e.0).collect();
        assert!(!rules.is_empty() && !rules.contains(&"ref") && !rules.contains(&"schema"), "{draft}: {report:?}");
        assert!(notes(&report, Severity::Info).is_empty(), "{report:?}");
    }
}
