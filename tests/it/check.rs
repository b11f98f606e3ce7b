//! `cfg check`: the fixture folders, exit statuses, standard input, the three
//! output formats, schema discovery through `.cfg.yaml`, and the write path
//! refusing what the project's schema rejects.

use std::path::{Path, PathBuf};

use crate::common::Env;

const SCHEDULE_OK: &str =
    "version: 1.0.0\nschedules:\n  - skill_name: backup\n    schedule: \"0 2 * * *\"\n    params: {}\n";

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schedule").join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "expect"))
        .collect();
    files.sort();
    files
}

/// `RULE LINE:COL` from an invalid fixture's `# expect:` first line, or from
/// its `.expect` sidecar (JSON has no comments).
fn expectation(file: &Path) -> (String, usize, usize) {
    let sidecar = PathBuf::from(format!("{}.expect", file.display()));
    let line = match std::fs::read_to_string(&sidecar) {
        Ok(text) => text.trim().to_owned(),
        Err(_) => std::fs::read_to_string(file)
            .unwrap()
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{} has no `# expect:` line", file.display()))
            .to_owned(),
    };
    let (rule, position) = line.split_once(' ').unwrap();
    let (l, c) = position.split_once(':').unwrap();
    (rule.to_owned(), l.parse().unwrap(), c.parse().unwrap())
}

fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn schedule_fixtures() {
    let env = Env::bare();
    let valid = fixtures("valid");
    let invalid = fixtures("invalid");
    assert!(valid.len() >= 5 && invalid.len() >= 10);
    for file in &valid {
        let out = env.cfg(&["check", "--schema", "builtin:schedule", "--format", "json", file.to_str().unwrap()]);
        assert_eq!(out.code, 0, "{} should be valid:\n{out:#?}", file.display());
        assert!(out.stdout.is_empty(), "{}: {}", file.display(), out.stdout);
    }
    for file in &invalid {
        let (rule, line, column) = expectation(file);
        let out = env.cfg(&["check", "--schema", "builtin:schedule", "--format", "json", file.to_str().unwrap()]);
        assert_eq!(out.code, 1, "{} should be invalid:\n{out:#?}", file.display());
        let first = &json_lines(&out.stdout)[0];
        assert_eq!(
            (
                first["rule"].as_str().unwrap(),
                first["line"].as_u64().unwrap() as usize,
                first["column"].as_u64().unwrap() as usize
            ),
            (rule.as_str(), line, column),
            "{}: {first}",
            file.display()
        );
    }
}

#[test]
fn every_file_is_checked_and_the_status_says_the_worst() {
    let env = Env::bare();
    env.put("good.yaml", "a: 1\n");
    env.put("bad.yaml", "a: [1\n");
    env.put("dup.json", "{\"a\": 1, \"a\": 2}\n");
    env.cfg(&["check", "good.yaml"]).ok();
    let out = env.cfg(&["check", "bad.yaml", "good.yaml", "dup.json", "--format", "json"]);
    out.fails_with(1);
    let files: Vec<_> = json_lines(&out.stdout).iter().map(|d| d["file"].as_str().unwrap().to_owned()).collect();
    assert_eq!(files, ["bad.yaml", "dup.json"]);
    assert!(out.stderr.contains("2 of 3 checked files are invalid"), "{}", out.stderr);
    // A missing file is exit 5, and the others are still checked.
    let out = env.cfg(&["check", "bad.yaml", "missing.yaml", "--format", "json"]);
    out.fails_with(5);
    assert_eq!(json_lines(&out.stdout).len(), 1);
    assert!(out.stderr.contains("no such file `missing.yaml`"), "{}", out.stderr);
    // Usage errors.
    env.cfg(&["check"]).fails_with(2);
    env.cfg(&["check", "good.yaml", "--format", "xml"]).fails_with(2);
    // A schema that cannot be loaded is a finding in each file, as when a modeline names it.
    for schema in ["nope.json", "builtin:nope"] {
        let out = env.cfg(&["check", "good.yaml", "dup.json", "--schema", schema, "--format", "json"]);
        out.fails_with(1);
        let rules: Vec<_> = json_lines(&out.stdout).iter().map(|d| d["rule"].as_str().unwrap().to_owned()).collect();
        assert_eq!(rules, ["schema", "schema", "duplicate-key"], "{schema}: {}", out.stdout);
    }
}

#[test]
fn stdin_is_checked_under_its_given_name() {
    let env = Env::bare();
    env.put(".cfg.yaml", "schemas:\n  'conf/schedule_config.yml': builtin:schedule\n");
    // Named like a mapped file: the project's schema applies.
    let out = env.cfg_in(
        &["check", "-", "--stdin-filename", "conf/schedule_config.yml", "--format", "json"],
        b"version: 1.0.0\nschedules: 3\n",
    );
    out.fails_with(1);
    let d = &json_lines(&out.stdout)[0];
    assert_eq!(
        (d["file"].as_str(), d["rule"].as_str(), d["line"].as_u64()),
        (Some("conf/schedule_config.yml"), Some("type"), Some(2))
    );
    // Named `.json`: parsed as JSON, so YAML-only syntax is an error.
    env.cfg_in(&["check", "-", "--stdin-filename", "x.json"], b"a: 1\n").fails_with(1);
    env.cfg_in(&["check", "-", "--stdin-filename", "x.yaml"], b"a: 1\n").ok();
    env.cfg_in(&["check", "-", "--stdin-filename", "conf/schedule_config.yml"], SCHEDULE_OK.as_bytes()).ok();
}

#[test]
fn three_output_formats() {
    let env = Env::bare();
    env.put(
        "s.yaml",
        "version: 1.0.0\nschedules:\n  - skill_name: x\n    schedule: \"61 * * * *\"\n    params: {}\n    on: true\n",
    );
    let args = ["check", "--schema", "builtin:schedule", "s.yaml", "--format"];

    let human = env.cfg(&[&args[..], &["human"]].concat());
    human.fails_with(1);
    assert!(human.stdout.is_empty());
    // The message with its position, the source line, and the underline.
    assert!(human.stderr.contains("s.yaml:4:15: invalid cron expression `61 * * * *`"), "{}", human.stderr);
    assert!(human.stderr.contains("4 │     schedule: \"61 * * * *\""), "{}", human.stderr);
    assert!(human.stderr.contains("──────┬─────"), "{}", human.stderr);
    assert!(human.stderr.contains("s.yaml:6:5: property `on` is not allowed here"), "{}", human.stderr);
    assert!(human.stderr.contains("⚠ s.yaml:6:5: `on` is the string"), "{}", human.stderr);

    let json = env.cfg(&[&args[..], &["json"]].concat());
    json.fails_with(1);
    let lines = json_lines(&json.stdout);
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0],
        serde_json::json!({
            "file": "s.yaml", "line": 4, "column": 15, "pointer": "/schedules/0/schedule",
            "rule": "format", "severity": "error",
            "message": "invalid cron expression `61 * * * *`: minute field `61`: 61 is outside 0-59"
        })
    );
    assert_eq!(lines[2]["severity"], "warning");

    let github = env.cfg(&[&args[..], &["github"]].concat());
    github.fails_with(1);
    let lines: Vec<&str> = github.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "::error file=s.yaml,line=4,col=15,title=format::invalid cron expression `61 * * * *`: minute field `61`: 61 is outside 0-59"
    );
    assert!(lines[2].starts_with("::warning file=s.yaml,line=6,col=5,title=yaml11::"), "{}", lines[2]);
}

#[test]
fn flags_strict_multiple_documents_max_size() {
    let env = Env::bare();
    env.put("w.yaml", "enabled: yes\n");
    env.cfg(&["check", "w.yaml"]).ok();
    env.cfg(&["check", "w.yaml", "--strict"]).fails_with(1);
    env.put("multi.yaml", "a: 1\n---\na: 2\n");
    env.cfg(&["check", "multi.yaml"]).fails_with(1);
    env.cfg(&["check", "multi.yaml", "--allow-multiple-documents"]).ok();
    env.put("big.yaml", &format!("a: \"{}\"\n", "x".repeat(2000)));
    env.cfg(&["check", "big.yaml"]).ok();
    let out = env.cfg(&["check", "big.yaml", "--max-size", "1KiB", "--format", "json"]);
    out.fails_with(1);
    assert_eq!(json_lines(&out.stdout)[0]["rule"], "size");
}

#[test]
fn hostile_input_ends_in_an_error() {
    let env = Env::bare();
    let deep = 100_000;
    env.put("flow.yaml", &("[".repeat(deep) + &"]".repeat(deep)));
    env.put("block.yaml", &("- ".repeat(deep) + "x\n"));
    env.put("deep.json", &("[".repeat(deep) + &"]".repeat(deep)));
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..10 {
        bomb.push_str(&format!(
            "b{i}: &b{i} [{}]\n",
            vec![if i == 0 { "*a".to_owned() } else { format!("*b{}", i - 1) }; 10].join(", ")
        ));
    }
    env.put("bomb.yaml", &bomb);
    let started = std::time::Instant::now();
    let out = env.cfg(&["check", "flow.yaml", "block.yaml", "deep.json", "bomb.yaml", "--format", "json"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    out.fails_with(1);
    let rules: Vec<_> = json_lines(&out.stdout).iter().map(|d| d["rule"].as_str().unwrap().to_owned()).collect();
    assert_eq!(rules, ["depth", "depth", "depth", "alias-budget"]);
}

#[test]
fn project_settings_choose_schemas_and_are_checked_themselves() {
    let env = Env::bare();
    env.put(".cfg.yaml", "schemas:\n  - glob: '**/schedule_config.yml'\n    schema: builtin:schedule\n");
    env.put("jobs/schedule_config.yml", "version: 1.0.0\n");
    env.put("jobs/other.yml", "version: 1.0.0\n");
    let out = env.cfg(&["check", "jobs/schedule_config.yml", "jobs/other.yml", "--explain"]);
    out.fails_with(1);
    assert!(
        out.stdout
            .contains("jobs/schedule_config.yml: schema builtin:schedule (from the `schemas` globs of .cfg.yaml)"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("jobs/other.yml: no schema applies"), "{}", out.stdout);
    assert!(out.stderr.contains("missing required property `schedules`"), "{}", out.stderr);
    // --schema overrides the mapping.
    env.put("override.json", r#"{"type": "object", "required": ["name"]}"#);
    let out = env.cfg(&["check", "jobs/schedule_config.yml", "--schema", "override.json", "--format", "json"]);
    assert_eq!(json_lines(&out.stdout)[0]["message"], "missing required property `name`");
    // From a subfolder, .cfg.yaml is still found.
    let mut command = env.command();
    command.current_dir(env.path("jobs")).args(["check", "schedule_config.yml"]);
    assert_eq!(command.output().unwrap().status.code(), Some(1));
    // A typo in .cfg.yaml is reported where it is.
    env.put(".cfg.yaml", "schemas: {}\nretension: {}\n");
    let out = env.cfg(&["check", "jobs/other.yml"]);
    out.fails_with(1);
    assert!(out.stderr.contains(".cfg.yaml:2:1: property `retension` is not allowed here"), "{}", out.stderr);
}

#[test]
fn explain_shows_next_runs() {
    let env = Env::bare();
    env.put("schedule_config.yml", &SCHEDULE_OK.replace("0 2 * * *", "@reboot"));
    let out = env.cfg(&["check", "--schema", "builtin:schedule", "--explain", "schedule_config.yml"]);
    assert!(out.ok().contains("4:15 /schedules/0/schedule `@reboot`: runs at boot"), "{}", out.stdout);
    env.put("schedule_config.yml", SCHEDULE_OK);
    let out = env.cfg(&["check", "--schema", "builtin:schedule", "--explain", "schedule_config.yml"]);
    let line = out.ok().lines().find(|l| l.contains("`0 2 * * *`")).unwrap().to_owned();
    assert_eq!(line.matches("02:00 UTC").count(), 3, "{line}");
}

#[test]
fn write_refuses_what_the_project_schema_rejects() {
    let env = Env::new();
    env.put(".cfg.yaml", "schemas:\n  schedule_config.yml: builtin:schedule\n");
    env.write("schedule_config.yml", SCHEDULE_OK).ok();
    let bad = SCHEDULE_OK.replace("0 2 * * *", "0 0 L * *");
    let out = env.write("schedule_config.yml", &bad);
    out.fails_with(1);
    assert!(out.stderr.contains("invalid cron expression"), "{}", out.stderr);
    assert_eq!(env.read("schedule_config.yml"), SCHEDULE_OK);
    assert_eq!(env.git_log().len(), 1);
}

#[test]
fn an_empty_or_comment_only_file_is_null_and_fails_an_object_schema() {
    let env = Env::bare();
    env.put("empty.yaml", "");
    env.put("comments.yaml", "# generated by a tool that crashed\n");
    env.cfg(&["check", "empty.yaml", "comments.yaml"]).ok();
    let out = env.cfg(&["check", "--schema", "builtin:schedule", "--format", "json", "empty.yaml", "comments.yaml"]);
    out.fails_with(1);
    let findings = json_lines(&out.stdout);
    assert_eq!(findings.len(), 2, "{}", out.stdout);
    for (finding, file) in findings.iter().zip(["empty.yaml", "comments.yaml"]) {
        assert_eq!(
            (finding["file"].as_str(), finding["rule"].as_str(), finding["line"].as_u64()),
            (Some(file), Some("type"), Some(1))
        );
        assert!(finding["message"].as_str().unwrap().contains("null"), "{finding}");
    }
}

const TEMPLATE: &str = "\
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub '${AWS::StackName}-data'
      Tags: !Split [',', !Ref TagList]
Outputs:
  Arn:
    Value: !GetAtt Bucket.Arn
";

#[test]
fn tags_are_valid_yaml_notes_against_a_schema_and_errors_when_strict() {
    let env = Env::new();
    env.put("template.yaml", TEMPLATE);
    env.put("keys.yaml", "? [a, b]\n: c\n[x]: y\n");
    env.cfg(&["check", "template.yaml", "keys.yaml"]).ok();
    env.put("s.json", r#"{"properties": {"Resources": {"type": "object"}, "Outputs": {"type": "object"}}}"#);
    let out = env.cfg(&["check", "--schema", "s.json", "--format", "json", "template.yaml"]);
    out.ok();
    let notes = json_lines(&out.stdout);
    assert_eq!(notes.len(), 4, "{}", out.stdout);
    assert!(notes.iter().all(|n| n["severity"] == "info" && n["rule"] == "tag"), "{}", out.stdout);
    // Keys JSON has no form for cannot be checked against a schema.
    let out = env.cfg(&["check", "--schema", "s.json", "--format", "json", "keys.yaml"]);
    out.fails_with(1);
    let errors = json_lines(&out.stdout);
    assert_eq!(
        (errors[0]["rule"].as_str(), errors[0]["line"].as_u64(), errors[0]["column"].as_u64()),
        (Some("key"), Some(1), Some(3))
    );

    let out = env.cfg(&["check", "--strict-tags", "--format", "github", "template.yaml"]);
    out.fails_with(1);
    assert_eq!(
        out.stdout.lines().filter(|l| l.starts_with("::error") && l.contains("title=tag")).count(),
        4,
        "{}",
        out.stdout
    );
    // The project setting does the same for `cfg check` and every write.
    env.put(".cfg.yaml", "strict_tags: true\n");
    env.cfg(&["check", "template.yaml"]).fails_with(1);
    let before = env.git_log();
    env.cfg_in(&["write", "t2.yaml"], TEMPLATE.as_bytes()).fails_with(1);
    assert_eq!(env.git_log(), before);
    env.put(".cfg.yaml", "strict_tags: false\n");
    env.cfg_in(&["write", "t2.yaml"], TEMPLATE.as_bytes()).ok();
    env.cfg_in(&["write", "t3.yaml", "--strict-tags"], TEMPLATE.as_bytes()).fails_with(1);
    env.cfg(&["set", "t2.yaml", "Outputs.Name", "!Ref Bucket", "--strict-tags"]).fails_with(1);
    env.cfg(&["set", "t2.yaml", "Outputs.Name", "!Ref Bucket"]).ok();
    // A typo in the setting is caught like any other.
    env.put(".cfg.yaml", "strict_tags: yes please\n");
    env.cfg(&["check", "template.yaml"]).fails_with(1);
}

#[test]
fn duplicate_keys_spelled_two_ways_are_one_key() {
    let env = Env::new();
    for (text, message) in [
        ("enabled: true\nTrue: 1\ntrue: 2\n", "duplicate key `true` (first defined at line 2, column 1 as `True`)"),
        ("port: 1\n0x1: a\n1: b\n", "duplicate key `1` (first defined at line 2, column 1 as `0x1`)"),
        ("~: a\nnull: b\n", "duplicate key `null` (first defined at line 1, column 1 as `~`)"),
    ] {
        env.put("d.yaml", text);
        let out = env.cfg(&["check", "--format", "json", "d.yaml"]);
        out.fails_with(1);
        let findings = json_lines(&out.stdout);
        assert_eq!(findings[0]["rule"], "duplicate-key", "{text:?}");
        assert_eq!(findings[0]["message"], message, "{text:?}");
        let before = env.git_log();
        env.cfg_in(&["write", "w.yaml"], text.as_bytes()).fails_with(1);
        assert_eq!(env.git_log(), before);
    }
}
