//! Tests of the whole validation pipeline, on text written for each rule.

use std::time::{Duration, Instant};

use super::*;

fn check(name: &str, text: &str) -> Report {
    Validator::default().check(name, text.as_bytes())
}

/// `(line, column, rule)` of each diagnostic.
fn found(report: &Report) -> Vec<(usize, usize, &str)> {
    report.diagnostics.iter().map(|d| (d.line, d.column, d.rule.as_str())).collect()
}

fn with_schema(schema: &str, name: &str, text: &str) -> Report {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.json"), schema).unwrap();
    let options = Options { root: dir.path().to_owned(), schema: Some("s.json".into()), ..Options::default() };
    Validator::new(options).unwrap().check(name, text.as_bytes())
}

#[test]
fn valid_yaml_has_no_findings() {
    let report = check("a.yaml", "a: 1\nb: [x, z]\nc: {d: e}\n");
    assert!(report.diagnostics.is_empty(), "{report:?}");
    assert!(!report.has_errors());
}

#[test]
fn syntax_error_kinds() {
    let cases: &[(&str, (usize, usize))] = &[
        // Unclosed flow sequence: found at the `:` that cannot be in it.
        ("a: [1, 2\nb: 3\n", (2, 2)),
        // Unclosed flow mapping.
        ("a: {x: 1\n", (2, 1)),
        // Unterminated double-quoted string: located at its start.
        ("a: \"open\nb: 1\n", (1, 4)),
        // A mapping value where none may start.
        ("a: b: c\n", (1, 5)),
        // Indentation that matches no parent (the corpus' syntax error).
        ("a:\n  b: 1\n c: 2\n", (3, 2)),
        // A tab used for indentation.
        ("a:\n\tb: 1\n", (2, 2)),
        // A sequence entry inside a mapping at the same level.
        ("a: 1\n- b\n", (2, 3)),
    ];
    for (text, position) in cases {
        let report = check("f.yaml", text);
        let first = report.diagnostics.first().unwrap_or_else(|| panic!("no error for {text:?}"));
        assert_eq!(first.rule, "syntax", "{text:?}: {first:?}");
        assert_eq!((first.line, first.column), *position, "{text:?}: {}", first.message);
        assert!(report.has_errors());
    }
    let undefined = check("f.yaml", "a: *nowhere\n");
    assert_eq!(found(&undefined), [(1, 4, "alias")]);
    assert!(undefined.diagnostics[0].message.contains("undefined alias"), "{undefined:?}");
}

#[test]
fn duplicate_keys_at_any_depth() {
    let text = "top: 1\nnested:\n  deep:\n    k: 1\n    k: 2\nlist:\n  - {x: 1, x: 2}\ntop: 3\n";
    let report = check("f.yaml", text);
    assert_eq!(found(&report), [(5, 5, "duplicate-key"), (7, 12, "duplicate-key"), (8, 1, "duplicate-key")]);
    assert_eq!(report.diagnostics[0].pointer, "/nested/deep/k");
    assert!(report.diagnostics[0].message.contains("first defined at line 4, column 5"));
    assert_eq!(report.diagnostics[2].message, "duplicate key `top` (first defined at line 1, column 1)");
}

#[test]
fn duplicate_keys_in_json() {
    let report = check("f.json", "{\n  \"a\": {\"k\": 1, \"k\": 2},\n  \"a\": 3\n}\n");
    assert_eq!(found(&report), [(2, 17, "duplicate-key"), (3, 3, "duplicate-key")]);
    assert_eq!(report.diagnostics[1].message, "duplicate key `a` (first defined at line 2, column 3)");
}

#[test]
fn json_syntax_errors_are_located() {
    let report = check("f.json", "{\n  \"a\": 1,\n}\n");
    assert_eq!(found(&report), [(3, 1, "syntax")]);
    assert!(!report.diagnostics[0].message.contains("at line"), "{report:?}");
}

#[test]
fn multiple_documents_need_the_option() {
    let text = "a: 1\n---\na: 2\n";
    let report = check("f.yaml", text);
    assert_eq!(found(&report), [(2, 1, "multiple-documents")]);

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.json"), r#"{"properties": {"a": {"maximum": 1}}}"#).unwrap();
    let options = Options {
        root: dir.path().to_owned(),
        schema: Some("s.json".into()),
        allow_multiple_documents: true,
        ..Options::default()
    };
    let report = Validator::new(options).unwrap().check("f.yaml", text.as_bytes());
    // Each document is checked: the second one breaks the schema.
    assert_eq!(found(&report), [(3, 4, "maximum")]);
}

#[test]
fn billion_laughs_fails_fast() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let prev = format!("*a{}", i - 1);
        text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 9].join(", ")));
    }
    let started = Instant::now();
    let report = check("bomb.yaml", &text);
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    let budget = report.diagnostics.iter().find(|d| d.rule == "alias-budget").expect("budget error");
    assert!(budget.message.contains("alias bomb"), "{budget:?}");
}

#[test]
fn aliases_within_budget_expand() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.json"), r#"{"properties": {"b": {"properties": {"x": {"type": "string"}}}}}"#)
        .unwrap();
    let options = Options { root: dir.path().to_owned(), schema: Some("s.json".into()), ..Options::default() };
    let report = Validator::new(options).unwrap().check("f.yaml", b"a: &anchor {x: 1}\nb: *anchor\n");
    // The expanded copy is checked, and located at the alias.
    assert_eq!(found(&report), [(2, 4, "type")]);
    assert_eq!(report.diagnostics[0].pointer, "/b/x");
}

fn assert_depth_error(name: &str, text: &str) {
    let started = Instant::now();
    let report = check(name, text);
    assert!(started.elapsed() < Duration::from_secs(10), "{name} took {:?}", started.elapsed());
    assert!(report.diagnostics.iter().any(|d| d.rule == "depth"), "{name}: {:?}", report.diagnostics.first());
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    const DEEP: usize = 100_000;
    assert_depth_error("flow-seq.yaml", &("[".repeat(DEEP) + &"]".repeat(DEEP)));
    assert_depth_error("flow-map.yaml", &("{a: ".repeat(DEEP) + "1" + &"}".repeat(DEEP)));
    assert_depth_error("block-seq.yaml", &("- ".repeat(DEEP) + "x\n"));
    // Block mappings need one more indent per level; 100k levels of it.
    let mut block_map = String::new();
    for level in 0..DEEP {
        block_map.push_str(&" ".repeat(level % 4096));
        block_map.push_str("k:\n");
        if level % 4096 == 4095 {
            break;
        }
    }
    assert_depth_error("block-map.yaml", &block_map);
    assert_depth_error("deep.json", &("[".repeat(DEEP) + &"]".repeat(DEEP)));
}

#[test]
fn size_cap() {
    let options = Options { limits: Limits { max_size: 10, ..Limits::default() }, ..Options::default() };
    let report = Validator::new(options).unwrap().check("f.yaml", b"a: 12345678901\n");
    assert_eq!(found(&report), [(1, 1, "size")]);
}

#[test]
fn yaml11_readings_warn() {
    let text = "a: yes\nb: off\nc: Y\nd: 1:30\ne: 0755\nf: 'yes'\ng: 0o755\nh: 1.5\non: 1\n";
    let report = check("f.yaml", text);
    assert_eq!(
        found(&report),
        [
            (1, 4, "yaml11"),
            (2, 4, "yaml11"),
            (3, 4, "yaml11"),
            (4, 4, "yaml11"),
            (5, 4, "yaml11"),
            (7, 4, "yaml11"),
            (9, 1, "yaml11")
        ]
    );
    assert!(report.diagnostics.iter().all(|d| d.severity == Severity::Warning));
    assert!(!report.has_errors());
    assert!(report.diagnostics[4].message.contains("decimal number 755"), "{}", report.diagnostics[4].message);

    let strict = Validator::new(Options { strict: true, ..Options::default() }).unwrap();
    assert!(strict.check("f.yaml", text.as_bytes()).has_errors());
}

#[test]
fn yaml11_look_alikes_also_cover_numbers_and_dates() {
    let text = "a: 1_000\nb: 0o17\nc: 2024-01-01\nd: 0b101\ne: 1e3\nf: 2001-12-14t21:59:43.10-05:00\ng: 12\nh: v1.2\n";
    let report = check("f.yaml", text);
    assert_eq!(
        found(&report),
        [(1, 4, "yaml11"), (2, 4, "yaml11"), (3, 4, "yaml11"), (4, 4, "yaml11"), (5, 4, "yaml11"), (6, 4, "yaml11")]
    );
    assert!(report.diagnostics.iter().all(|d| d.severity == Severity::Warning), "{report:?}");
    let messages: Vec<_> = report.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert!(messages[0].contains("a number in YAML 1.1"), "{}", messages[0]);
    assert!(messages[1].contains("a string in YAML 1.1"), "{}", messages[1]);
    assert!(messages[2].contains("a date in YAML 1.1"), "{}", messages[2]);
}

/// Well-formed YAML 1.2 of every kind the YAML test suite has, written here:
/// without a schema, none of it is an error.
const WELL_FORMED: &[&str] = &[
    // Local tags (CloudFormation, GitLab CI, Home Assistant, Ansible).
    "Name: !Ref Bucket\nArn: !GetAtt Bucket.Arn\nUrl: !Sub 'https://${Bucket}'\n",
    "script:\n  - !reference [.setup, script]\n",
    "sensors: !include sensors.yaml\npassword: !secret db_password\n",
    "token: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6238\n",
    "list: !Split [',', !Ref Csv]\nmap: !Custom {a: 1}\nnested: !Outer\n  inner: !Inner x\n",
    // Verbatim tags, `!!` shorthands, tag directives, the non-specific tag.
    "a: !<tag:example.com,2000:app/foo> bar\nb: !<!local> x\n",
    "a: !!str 12\nb: !!int \"7\"\nc: !!float 1\nd: !!bool true\ne: !!null ''\nf: !!python/tuple [1, 2]\n",
    "%TAG !e! tag:example.com,2000:app/\n---\na: !e!foo bar\n",
    "%TAG ! tag:example.com,2000:\n---\na: !foo bar\n",
    "%YAML 1.2\n---\na: ! 12\n",
    // Types of the repository.
    "picture: !!binary |\n  R0lGODlhDAAMAIQAAP//9/X\n  17unp5WZmZgAAAOfn515eXvPz\n",
    "baseball players: !!set\n  ? Mark McGwire\n  ? Sammy Sosa\n",
    "Bestiary: !!omap\n  - aardvark: African pig-like ant eater.\n  - anteater: South-American ant eater.\n",
    "pairs: !!pairs [a: 1, a: 2]\n",
    "canonical: !!timestamp 2001-12-15T02:59:43.1Z\n",
    "<<: {a: 1}\nb: 2\n",
    // Complex and flow keys.
    "? [a, b]\n: c\n",
    "[a, b]: c\n{x: y}: z\n",
    "? |\n  block key\n: value\n",
    "{[1, 2]: a, {b: c}: d}\n",
    "? - Detroit Tigers\n  - Chicago cubs\n: - 2001-07-23\n",
    "{\"json\": 1, \"like\":2}\n",
    "[a: 1, b: 2]\n",
    "{a, b: , ? c}\n",
    // Anchors, aliases, special floats, multi-line flow and scalars.
    "base: &b {x: 1}\nuse: *b\n*b : as key\n",
    "inf: .inf\nninf: -.Inf\nnan: .NaN\n",
    "list: [\n  a,\n  b,\n]\nmap: {\n  k: v,\n}\n",
    "plain: multi\n  line\nquoted: \"multi\n  line\"\nfolded: >-\n  a\n  b\n",
    "--- !!map\n? a\n: b\n...\n",
    "",
    "# nothing\n",
];

#[test]
fn well_formed_yaml_is_valid_without_a_schema() {
    for text in WELL_FORMED {
        let report = check("f.yaml", text);
        assert!(!report.has_errors(), "{text:?}: {:#?}", report.diagnostics);
        assert!(!report.diagnostics.iter().any(|d| d.severity == Severity::Info), "{text:?}: {report:?}");
    }
}

#[test]
fn tags_are_notes_against_a_schema_and_errors_with_strict_tags() {
    let schema = r#"{"properties": {"a": {"type": "string"}, "b": {"type": "array"}, "c": {"type": "object"}}}"#;
    let text = "a: !Ref x\nb: !Split [1]\nc: !Custom {k: v}\nd: !Ref y\n";
    let report = with_schema(schema, "f.yaml", text);
    assert!(!report.has_errors(), "{report:?}");
    let notes: Vec<_> = report.diagnostics.iter().map(|d| (d.line, d.column, d.severity, d.message.as_str())).collect();
    assert_eq!(notes.len(), 3, "one note per tag: {notes:#?}");
    assert_eq!((notes[0].0, notes[0].1, notes[0].2), (1, 4, Severity::Info));
    assert!(notes[0].3.contains("`!Ref`") && notes[0].3.contains("and 1 more"), "{}", notes[0].3);
    assert!(notes[1].3.contains("a list"), "{}", notes[1].3);
    // A tagged scalar is its string: a schema wanting a number rejects it.
    let report = with_schema(r#"{"properties": {"a": {"type": "integer"}}}"#, "f.yaml", "a: !Ref 12\n");
    assert!(report.diagnostics.iter().any(|d| d.rule == "type" && d.line == 1), "{report:?}");

    let strict = Validator::new(Options { strict_tags: true, ..Options::default() }).unwrap();
    let report = strict.check("f.yaml", b"a: !Ref x\nb: !!str ok\nc: !e x\n");
    assert_eq!(found(&report), [(1, 4, "tag"), (3, 4, "tag")]);
    assert!(report.has_errors());
    // `--strict` alone does not turn notes into errors.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.json"), "{}").unwrap();
    let options =
        Options { root: dir.path().to_owned(), schema: Some("s.json".into()), strict: true, ..Options::default() };
    assert!(!Validator::new(options).unwrap().check("f.yaml", b"a: !Ref x\n").has_errors());
}

#[test]
fn standard_tags_resolve_for_the_schema() {
    let schema = r#"{"properties": {
        "i": {"type": "integer", "const": 10}, "b": {"type": "boolean"}, "f": {"type": "number"},
        "bin": {"type": "string"}, "ts": {"type": "string"},
        "set": {"type": "object"}, "omap": {"type": "array"}, "s": {"type": "string"}
    }}"#;
    let text = "i: !!int 0b1010\nb: !!bool yes\nf: !!float 1_000.5\nbin: !!binary |\n  aGk=\nts: !!timestamp 2024-01-01\n\
                set: !!set {p, q}\nomap: !!omap [a: 1]\ns: !!str 12\n";
    let report = with_schema(schema, "f.yaml", text);
    assert!(report.diagnostics.is_empty(), "{report:#?}");
    // Content that does not fit its tag is an error, schema or not.
    let report = check("f.yaml", "a: !!int twelve\n");
    assert_eq!(found(&report), [(1, 4, "tag")]);
    assert!(report.diagnostics[0].message.contains("cannot be read as `!!int`"), "{report:?}");
}

#[test]
fn complex_keys_and_infinities_are_errors_only_against_a_schema() {
    let text = "? [a, b]\n: c\nx: .inf\n";
    assert!(!check("f.yaml", text).has_errors());
    let report = with_schema("{}", "f.yaml", text);
    assert_eq!(found(&report), [(1, 3, "key"), (3, 4, "unrepresentable")]);
    assert!(report.diagnostics[0].message.contains("no JSON form"), "{report:?}");
}

#[test]
fn a_cloudformation_template_passes_a_schema_that_expects_strings_and_lists() {
    let schema = r#"{
      "type": "object",
      "required": ["Resources"],
      "properties": {"Resources": {"type": "object", "additionalProperties": {
        "type": "object", "required": ["Type"],
        "properties": {"Type": {"type": "string"}, "Properties": {"type": "object", "additionalProperties": {
          "anyOf": [{"type": "string"}, {"type": "array"}]
        }}}
      }}, "Outputs": {"type": "object"}}
    }"#;
    let template = "\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub '${AWS::StackName}-data'
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      Resources: !Split [',', !GetAtt Bucket.Arn]
      Condition: !Equals [!Ref Env, prod]
Outputs:
  Arn:
    Value: !GetAtt Bucket.Arn
";
    let report = with_schema(schema, "template.yaml", template);
    assert!(!report.has_errors(), "{report:#?}");
    let notes: Vec<_> = report.diagnostics.iter().filter(|d| d.severity == Severity::Info).collect();
    assert_eq!(notes.len(), 5, "{notes:#?}");
    // And a wrong type under a tag is still caught.
    let broken = template.replace("Type: AWS::S3::Bucket\n", "Type: !Ref [1]\n");
    let report = with_schema(schema, "template.yaml", &broken);
    assert!(
        report.diagnostics.iter().any(|d| d.rule == "type" && d.pointer == "/Resources/Bucket/Type"),
        "{report:#?}"
    );
}

#[test]
fn empty_and_comment_only_documents_are_null() {
    let validator = Validator::new(Options { schema: Some("builtin:schedule".into()), ..Options::default() }).unwrap();
    for (text, line) in [("", 1), ("# generated\n# nothing here\n", 1), ("\n\n", 1), ("---\n", 2)] {
        assert!(!check("f.yaml", text).has_errors(), "{text:?} without a schema");
        let report = validator.check("schedule_config.yml", text.as_bytes());
        assert!(report.has_errors(), "{text:?}: {report:?}");
        assert_eq!((report.diagnostics[0].line, report.diagnostics[0].rule.as_str()), (line, "type"), "{report:?}");
        assert!(report.diagnostics[0].message.contains("null"), "{report:?}");
    }
    // An empty JSON text is not JSON at all.
    assert_eq!(found(&check("f.json", "")), [(1, 1, "syntax")]);
}

#[test]
fn duplicate_keys_are_found_by_value() {
    let cases = [
        ("true: 1\nTrue: 2\n", "True", "true"),
        ("null: 1\n~: 2\n", "~", "null"),
        ("1: a\n0x1: b\n", "0x1", "1"),
        ("1: a\n+1: b\n", "+1", "1"),
        ("1.0: a\n1.00: b\n", "1.00", "1.0"),
        ("FALSE: a\nfalse: b\n", "false", "FALSE"),
        ("a: 1\n'a': 2\n", "a", "a"),
    ];
    for (text, again, first) in cases {
        let report = check("f.yaml", text);
        assert_eq!(found(&report), [(2, 1, "duplicate-key")], "{text:?}");
        let message = &report.diagnostics[0].message;
        assert!(
            message.starts_with(&format!("duplicate key `{again}` (first defined at line 1, column 1")),
            "{message}"
        );
        if again != first {
            assert!(message.contains(&format!("as `{first}`")), "{message}");
        }
    }
    // A string and a number are different keys.
    assert!(check("f.yaml", "1: a\n\"1\": b\n").diagnostics.is_empty());
}

#[test]
fn invalid_utf8() {
    let report = Validator::default().check("f.yaml", b"a: 1\nb: \xff\n");
    assert_eq!(found(&report), [(2, 4, "encoding")]);
}

const KEYWORDS_SCHEMA: &str = r##"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$defs": {"port": {"type": "integer", "minimum": 1, "maximum": 65535}},
  "type": "object",
  "required": ["name", "kind"],
  "additionalProperties": false,
  "properties": {
    "name": {"type": "string", "pattern": "^[a-z]+$"},
    "kind": {"enum": ["a", "b"]},
    "fixed": {"const": 7},
    "count": {"type": "integer"},
    "email": {"type": "string", "format": "email"},
    "when": {"type": "string", "format": "cron"},
    "ratio": {"type": "number", "exclusiveMaximum": 1},
    "tags": {"type": "array", "minItems": 2, "uniqueItems": true},
    "port": {"$ref": "#/$defs/port"},
    "either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    "any": {"anyOf": [{"type": "string"}, {"type": "boolean"}]},
    "nested": {"type": "object", "required": ["x"], "additionalProperties": false, "properties": {"x": {}}}
  }
}"##;

#[test]
fn schema_keyword_families_are_located() {
    let text = "\
name: Bad1
kind: c
fixed: 8
count: many
email: not-an-email
when: 0 0 L * *
ratio: 1
tags: [x]
port: 70000
either: 1.5
any: 3
extra: 1
nested:
  z: 2
";
    let report = with_schema(KEYWORDS_SCHEMA, "f.yaml", text);
    let expected = [
        (1, 7, "pattern", "/name"),
        (2, 7, "enum", "/kind"),
        (3, 8, "const", "/fixed"),
        (4, 8, "type", "/count"),
        (5, 8, "format", "/email"),
        (6, 7, "format", "/when"),
        (7, 8, "exclusiveMaximum", "/ratio"),
        (8, 7, "minItems", "/tags"),
        (9, 7, "maximum", "/port"),
        (10, 9, "oneOf", "/either"),
        (11, 6, "anyOf", "/any"),
        // additionalProperties points at the offending key...
        (12, 1, "additionalProperties", "/extra"),
        // ...required at the object that lacks it.
        (14, 3, "additionalProperties", "/nested/z"),
        (14, 3, "required", "/nested"),
    ];
    let got: Vec<_> =
        report.diagnostics.iter().map(|d| (d.line, d.column, d.rule.as_str(), d.pointer.as_str())).collect();
    assert_eq!(got, expected, "{:#?}", report.diagnostics);
    let cron = &report.diagnostics[5];
    assert!(cron.message.contains("`L`/`W` extensions are not standard crontab syntax"), "{}", cron.message);
    assert!(report.diagnostics[11].message.contains("`extra`"));
    assert!(report.diagnostics[13].message.contains("`x`"));
}

#[test]
fn unique_items_and_min_items_in_json() {
    let text = "{\n  \"name\": \"ok\",\n  \"kind\": \"a\",\n  \"tags\": [\"x\", \"x\"]\n}\n";
    let report = with_schema(KEYWORDS_SCHEMA, "f.json", text);
    assert_eq!(found(&report), [(4, 11, "uniqueItems")]);
}

#[test]
fn missing_required_at_the_root() {
    let report = with_schema(KEYWORDS_SCHEMA, "f.yaml", "# comment\nname: ok\n");
    assert_eq!(found(&report), [(2, 1, "required")]);
    assert_eq!(report.diagnostics[0].message, "missing required property `kind`");
}

#[test]
fn refs_stay_inside_the_schema_folder() {
    let dir = tempfile::tempdir().unwrap();
    let schemas = dir.path().join("schemas");
    std::fs::create_dir_all(schemas.join("sub")).unwrap();
    std::fs::write(schemas.join("sub/port.json"), r#"{"type": "integer", "maximum": 10}"#).unwrap();
    std::fs::write(dir.path().join("outside.json"), r#"{"type": "integer"}"#).unwrap();
    std::fs::write(schemas.join("main.json"), r#"{"properties": {"p": {"$ref": "sub/port.json"}}}"#).unwrap();
    std::fs::write(schemas.join("escape.json"), r#"{"properties": {"p": {"$ref": "../outside.json"}}}"#).unwrap();
    std::fs::write(schemas.join("net.json"), r#"{"properties": {"p": {"$ref": "https://example.com/s.json"}}}"#)
        .unwrap();
    let build = |schema: &str| {
        Validator::new(Options {
            root: dir.path().to_owned(),
            schema: Some(format!("schemas/{schema}")),
            ..Options::default()
        })
        .unwrap()
    };
    let report = build("main.json").check("f.yaml", b"p: 11\n");
    assert_eq!(found(&report), [(1, 4, "maximum")]);
    for (schema, named, why) in [
        ("escape.json", "../outside.json", "outside the schema's folder `schemas`"),
        ("net.json", "https://example.com/s.json", "`schema_mirrors: {\"https://example.com/\": FOLDER}`"),
    ] {
        // Refused only where validation needs the ref.
        let report = build(schema).check("f.yaml", b"p: 11\n");
        let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
        assert_eq!(errors.len(), 1, "{schema}: {report:?}");
        assert_eq!(errors[0].rule, "ref", "{schema}");
        assert!(errors[0].message.contains(named), "{schema}: {}", errors[0].message);
        assert!(errors[0].message.contains(why), "{schema}: {}", errors[0].message);
        assert!(!build(schema).check("f.yaml", b"q: 11\n").has_errors(), "{schema}");
    }
}

#[test]
fn builtin_schemas_cannot_reach_files() {
    let error = schema::SchemaCache::default().get(&SchemaRef::Builtin("missing".into())).unwrap_err();
    assert!(error.to_string().contains("builtin:schedule"), "{error}");
}

/// A root with schemas named every way, for the discovery order.
fn discovery_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for name in ["option", "modeline", "key", "project"] {
        // Each schema accepts only its own name as `v`.
        let schema = format!(r#"{{"properties": {{"v": {{"const": "{name}"}}}}}}"#);
        std::fs::write(dir.path().join(format!("{name}.json")), schema).unwrap();
    }
    dir
}

#[test]
fn schema_discovery_order() {
    let dir = discovery_root();
    let root = dir.path().to_owned();
    let project = vec![SchemaMapping { glob: "conf/*.yaml".into(), schema: "project.json".into() }];
    let validator = |schema: Option<&str>| {
        Validator::new(Options {
            root: root.clone(),
            schema: schema.map(str::to_owned),
            schemas: project.clone(),
            ..Options::default()
        })
        .unwrap()
    };
    std::fs::create_dir(root.join("conf")).unwrap();
    let all = "# yaml-language-server: $schema=../modeline.json\n$schema: ../key.json\nv: x\n";
    let no_modeline = "$schema: ../key.json\nv: x\n";
    let used = |v: &Validator, text: &str| v.check("conf/a.yaml", text.as_bytes()).schema.map(|(_, source)| source);
    assert_eq!(used(&validator(Some("option.json")), all), Some(SchemaSource::Option));
    assert_eq!(used(&validator(None), all), Some(SchemaSource::Modeline));
    assert_eq!(used(&validator(None), no_modeline), Some(SchemaSource::Key));
    assert_eq!(used(&validator(None), "v: x\n"), Some(SchemaSource::Project));
    assert_eq!(validator(None).check("other/a.yaml", b"v: x\n").schema, None);
    // And the schema found is the one applied.
    let report = validator(None).check("conf/a.yaml", b"v: project\n");
    assert!(report.diagnostics.is_empty(), "{report:?}");
    let report = validator(None).check("conf/a.yaml", b"$schema: ../key.json\nv: project\n");
    assert_eq!(found(&report), [(2, 4, "const")]);
}

#[test]
fn remote_schema_names_are_not_fetched() {
    let report = check("f.json", r#"{"$schema": "https://json.schemastore.org/x.json"}"#);
    assert_eq!(found(&report), [(1, 13, "schema")]);
    assert_eq!(report.diagnostics[0].severity, Severity::Warning);
}

#[test]
fn missing_schema_file_named_in_the_file_is_an_error_there() {
    let dir = tempfile::tempdir().unwrap();
    let validator = Validator::new(Options { root: dir.path().to_owned(), ..Options::default() }).unwrap();
    let report = validator.check("f.yaml", b"# yaml-language-server: $schema=nope.json\na: 1\n");
    assert_eq!(found(&report), [(1, 33, "schema")]);
    assert!(report.diagnostics[0].message.contains("nope.json"));
}

#[test]
fn builtin_schedule_schema() {
    let validator = Validator::new(Options { schema: Some("builtin:schedule".into()), ..Options::default() }).unwrap();
    let good = "version: 1.0.0\nschedules:\n  - skill_name: backup\n    schedule: \"@daily\"\n    params: {}\n";
    assert!(validator.check("schedule_config.yml", good.as_bytes()).diagnostics.is_empty());
    let bad = good.replace("@daily", "0 0 * * 1#2");
    assert_eq!(found(&validator.check("schedule_config.yml", bad.as_bytes())), [(4, 15, "format")]);
}

#[test]
fn check_many_keeps_order_and_uses_one_compile() {
    let validator = Validator::new(Options { schema: Some("builtin:schedule".into()), ..Options::default() }).unwrap();
    let files: Vec<Input> = (0..50)
        .map(|i| {
            let version = if i % 7 == 0 { "bad" } else { "1.0.0" };
            Input {
                name: format!("f{i}.yaml"),
                path: format!("f{i}.yaml").into(),
                content: format!("version: {version}\nschedules: []\n").into_bytes(),
            }
        })
        .collect();
    let reports = validator.check_many(&files);
    assert_eq!(reports.len(), 50);
    for (i, report) in reports.iter().enumerate() {
        assert_eq!(report.file, format!("f{i}.yaml"));
        assert_eq!(report.has_errors(), i % 7 == 0, "{report:?}");
    }
}

#[test]
fn validator_is_sync() {
    fn assert_sync<T: Sync + Send>() {}
    assert_sync::<Validator>();
}

#[test]
fn explain_lists_cron_values_with_next_runs() {
    use chrono::TimeZone;
    let validator = Validator::new(Options { schema: Some("builtin:schedule".into()), ..Options::default() }).unwrap();
    let text = "version: 1.0.0\nschedules:\n  - skill_name: a\n    schedule: 30 4 * * *\n    params: {}\n";
    let now = chrono::Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let explained = validator.explain_crons(Path::new("s.yml"), text.as_bytes(), now, 2);
    assert_eq!(explained.len(), 1);
    assert_eq!((explained[0].line, explained[0].column), (4, 15));
    assert_eq!(explained[0].expr, "30 4 * * *");
    assert_eq!(
        explained[0].next,
        [
            chrono::Utc.with_ymd_and_hms(2024, 1, 1, 4, 30, 0).unwrap(),
            chrono::Utc.with_ymd_and_hms(2024, 1, 2, 4, 30, 0).unwrap()
        ]
    );
}

#[test]
fn drafts_4_to_2020_12() {
    let drafts = [
        ("http://json-schema.org/draft-04/schema#", r#""maximum": 5, "exclusiveMaximum": true"#),
        ("http://json-schema.org/draft-06/schema#", r#""exclusiveMaximum": 5"#),
        ("http://json-schema.org/draft-07/schema#", r#""exclusiveMaximum": 5"#),
        ("https://json-schema.org/draft/2019-09/schema", r#""exclusiveMaximum": 5"#),
        ("https://json-schema.org/draft/2020-12/schema", r#""exclusiveMaximum": 5"#),
    ];
    for (uri, keywords) in drafts {
        let schema = format!(r#"{{"$schema": "{uri}", "properties": {{"num": {{{keywords}}}}}}}"#);
        assert!(with_schema(&schema, "f.yaml", "num: 4\n").diagnostics.is_empty(), "{uri}");
        let report = with_schema(&schema, "f.yaml", "num: 5\n");
        assert_eq!(report.diagnostics.len(), 1, "{uri}: {report:?}");
        assert_eq!((report.diagnostics[0].line, report.diagnostics[0].column), (1, 6), "{uri}");
    }
}

#[test]
fn merge_keys_come_from_the_schema_chosen_by_name() {
    let options = Options {
        schemas: vec![SchemaMapping { glob: "**/schedule_config.yml".into(), schema: "builtin:schedule".into() }],
        ..Options::default()
    };
    let validator = Validator::new(options).unwrap();
    assert_eq!(validator.merge_keys("ops/schedule_config.yml"), ["skill_name"]);
    assert!(validator.merge_keys("other.yml").is_empty());
}
