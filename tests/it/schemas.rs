//! Real-world shaped schemas (`tests/fixtures/real-world`: pre-commit's
//! look-ahead, Drone's unknown formats, Vector's refs to Rust type names,
//! CircleCI's SchemaStore siblings, a mirrored SchemaStore folder) through the
//! real binary: `cfg check` in every output format, `cfg write`, and the git
//! pre-commit hook, which must all agree.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Env, Out, cfg_bin, hermetic};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real-world")
}

/// Copies the fixture folder into `root`.
fn copy_fixtures(root: &Path) {
    let from = fixture_dir();
    let mut pending = vec![from.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let target = root.join(path.strip_prefix(&from).unwrap());
            if path.is_dir() {
                std::fs::create_dir_all(&target).unwrap();
                pending.push(path);
            } else {
                std::fs::copy(&path, &target).unwrap();
            }
        }
    }
}

/// The fixtures of `kind` (`valid` or `invalid`), as paths relative to the root.
fn fixtures(kind: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(fixture_dir().join(kind))
        .unwrap()
        .map(|e| format!("{kind}/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    files.sort();
    files
}

/// `(rule, line, column)` from an invalid fixture's `# expect:` first line.
fn expectation(text: &str) -> (String, u64, u64) {
    let line = text.lines().next().and_then(|l| l.strip_prefix("# expect: ")).expect("an `# expect:` line");
    let (rule, position) = line.split_once(' ').unwrap();
    let (l, c) = position.split_once(':').unwrap();
    (rule.to_owned(), l.parse().unwrap(), c.parse().unwrap())
}

fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn errors(stdout: &str) -> Vec<serde_json::Value> {
    json_lines(stdout).into_iter().filter(|d| d["severity"] == "error").collect()
}

#[test]
fn real_world_fixtures_agree_in_every_format_and_in_write() {
    let env = Env::new();
    copy_fixtures(&env.root);
    let valid = fixtures("valid");
    let invalid = fixtures("invalid");
    assert!(valid.len() >= 6 && invalid.len() >= 9, "{valid:?} {invalid:?}");
    for file in &valid {
        let out = env.cfg(&["check", file, "--format", "json"]);
        assert_eq!(out.code, 0, "{file} should be valid:\n{out:#?}");
        assert_eq!(errors(&out.stdout), Vec::<serde_json::Value>::new(), "{file}");
        // Stored as it is: it existed before cfg managed it, and is unchanged.
        let text = env.read(file);
        let written = env.write(file, &text);
        assert_eq!(written.code, 0, "{file}: {written:#?}");
    }
    for file in &invalid {
        let text = env.read(file);
        let (rule, line, column) = expectation(&text);
        let json = env.cfg(&["check", file, "--format", "json"]);
        assert_eq!(json.code, 1, "{file} should be invalid:\n{json:#?}");
        let first = errors(&json.stdout).into_iter().next().unwrap();
        assert_eq!(
            (first["rule"].as_str().unwrap(), first["line"].as_u64().unwrap(), first["column"].as_u64().unwrap()),
            (rule.as_str(), line, column),
            "{file}: {first}"
        );
        let message = first["message"].as_str().unwrap();
        let github = env.cfg(&["check", file, "--format", "github"]);
        assert_eq!(github.code, 1, "{file}");
        let command = format!("::error file={file},line={line},col={column},title={rule}::");
        assert!(github.stdout.lines().any(|l| l.starts_with(&command)), "{file}: {}", github.stdout);
        let human = env.cfg(&["check", file]);
        assert_eq!(human.code, 1, "{file}");
        assert!(human.stderr.contains(&format!("{file}:{line}:{column}: {message}")), "{file}: {}", human.stderr);
        // `cfg write` refuses it with the same message, and writes nothing.
        let (stem, extension) = file.rsplit_once('.').unwrap();
        let copy = format!("{stem}-copy.{extension}");
        let written = env.write(&copy, &text);
        assert_eq!(written.code, 1, "{copy}: {written:#?}");
        assert!(written.stderr.contains(&format!("{copy}:{line}:{column}: {message}")), "{copy}: {}", written.stderr);
        assert!(!env.path(&copy).exists(), "{copy}");
    }
}

#[test]
fn schema_notes_are_said_once_per_run() {
    let env = Env::bare();
    copy_fixtures(&env.root);
    let out = env.cfg(&["check", "valid/circleci-config.yml", "invalid/circleci-orb.yml", "--format", "json"]);
    out.fails_with(1);
    let notes: Vec<_> = json_lines(&out.stdout).into_iter().filter(|d| d["severity"] == "info").collect();
    let messages: Vec<&str> = notes.iter().map(|d| d["message"].as_str().unwrap()).collect();
    assert_eq!(notes.len(), 2, "{}", out.stdout);
    assert!(notes.iter().all(|d| d["file"] == "valid/circleci-config.yml"), "{}", out.stdout);
    assert!(
        messages[0].contains(
            "`https://json.schemastore.org/base.json` is read from `schemastore/base.json`, beside \
             `schemastore/circleciconfig.json`"
        ),
        "{messages:?}"
    );
    assert!(messages[1].contains("`https://json.schemastore.org/legacy-never-downloaded.json`"), "{messages:?}");
    // In GitHub's format the notes are notices.
    let out = env.cfg(&["check", "valid/circleci-config.yml", "--format", "github"]);
    out.ok();
    assert_eq!(out.stdout.lines().filter(|l| l.starts_with("::notice file=valid/circleci-config.yml")).count(), 2);
}

#[test]
fn unknown_formats_warn_once_and_strict_formats_refuses_them() {
    let env = Env::new();
    copy_fixtures(&env.root);
    let both = ["check", "valid/drone.yml", "invalid/drone-uuid.yml", "--format", "json"];
    let out = env.cfg(&both);
    out.fails_with(1);
    let warnings: Vec<_> = json_lines(&out.stdout).into_iter().filter(|d| d["severity"] == "warning").collect();
    assert_eq!(warnings.len(), 1, "{}", out.stdout);
    assert_eq!(warnings[0]["file"], "valid/drone.yml");
    assert!(warnings[0]["message"].as_str().unwrap().contains("`int64`, `uint32`; they are ignored"), "{}", out.stdout);
    env.cfg(&["check", "valid/drone.yml"]).ok();

    let strict = env.cfg(&[&both[..], &["--strict-formats"]].concat());
    strict.fails_with(1);
    let found = errors(&strict.stdout);
    assert_eq!(found.len(), 2, "{}", strict.stdout);
    for d in &found {
        assert_eq!((d["rule"].as_str(), d["line"].as_u64()), (Some("schema"), Some(1)), "{d}");
        assert!(d["message"].as_str().unwrap().ends_with("uses formats cfg does not check: `int64`, `uint32`"));
        assert!(d["help"].as_str().unwrap().contains("--strict-formats"), "{d}");
    }
    let github = env.cfg(&["check", "valid/drone.yml", "--strict-formats", "--format", "github"]);
    assert!(github.stdout.starts_with("::error file=valid/drone.yml,line=1,col=1,title=schema::"), "{}", github.stdout);
    assert!(github.stdout.contains("%0Ahelp: `--strict-formats`"), "{}", github.stdout);

    // The setting does the same, for `cfg check` and for `cfg write`.
    let settings = std::fs::read_to_string(env.path(".cfg.yaml")).unwrap();
    env.put(".cfg.yaml", &format!("{settings}strict_formats: true\n"));
    env.cfg(&["check", "valid/drone.yml"]).fails_with(1);
    let out = env.write("valid/drone-2.yml", "kind: pipeline\n");
    out.fails_with(1);
    assert!(out.stderr.contains("uses formats cfg does not check"), "{}", out.stderr);
    assert!(!env.path("valid/drone-2.yml").exists());
}

#[test]
fn a_schema_that_cannot_be_loaded_is_a_finding_however_it_was_chosen() {
    let env = Env::new();
    env.put(".cfg.yaml", "schemas:\n  'by-glob/*.yaml': missing.json\n");
    env.put("by-option.yaml", "a: 1\n");
    env.put("by-modeline.yaml", "# yaml-language-server: $schema=missing.json\na: 1\n");
    env.put("by-key.json", r#"{"$schema": "missing.json", "a": 1}"#);
    env.put("by-glob/a.yaml", "a: 1\n");
    let cases: &[(&[&str], &str, u64, &str)] = &[
        (&["--schema", "missing.json", "by-option.yaml"], "by-option.yaml", 1, "`--schema` takes a path"),
        (&["by-modeline.yaml"], "by-modeline.yaml", 33, "the modeline's path is relative"),
        (&["by-key.json"], "by-key.json", 13, "the `$schema` path is relative"),
        (&["by-glob/a.yaml"], "by-glob/a.yaml", 1, "`schemas:` paths in .cfg.yaml"),
    ];
    for &(args, file, column, help) in cases {
        let json = env.cfg(&[&["check", "--format", "json"], args].concat());
        json.fails_with(1);
        let found = errors(&json.stdout);
        assert_eq!(found.len(), 1, "{file}: {}", json.stdout);
        assert_eq!((found[0]["rule"].as_str(), found[0]["column"].as_u64()), (Some("schema"), Some(column)), "{file}");
        assert!(found[0]["message"].as_str().unwrap().starts_with("failed to read schema"), "{file}");
        assert!(found[0]["help"].as_str().unwrap().contains(help), "{file}: {}", found[0]);
        let github = env.cfg(&[&["check", "--format", "github"], args].concat());
        github.fails_with(1);
        assert!(github.stdout.starts_with(&format!("::error file={file},")), "{file}: {}", github.stdout);
        assert!(github.stdout.contains("%0Ahelp: "), "{file}: {}", github.stdout);
        let human = env.cfg(&[&["check"], args].concat());
        human.fails_with(1);
        assert!(human.stderr.contains(help), "{file}: {}", human.stderr);
    }
    // `cfg write` reports it the same way.
    let out = env.write("by-glob/b.yaml", "a: 1\n");
    out.fails_with(1);
    assert!(out.stderr.contains("failed to read schema"), "{}", out.stderr);
    assert!(out.stderr.contains("`schemas:` paths in .cfg.yaml"), "{}", out.stderr);
}

#[test]
fn the_pre_commit_hook_checks_staged_files_against_real_world_schemas() {
    let env = Env::bare();
    let git = |args: &[&str]| -> Out {
        let mut command = Command::new("git");
        hermetic(&mut command, env.dir.path());
        command
            .current_dir(&env.root)
            .env("CFG", cfg_bin())
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.org")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.org")
            .args(args)
            .output()
            .unwrap()
            .into()
    };
    git(&["init", "-q", "-b", "main"]).ok();
    copy_fixtures(&env.root);
    env.cfg(&["hook", "install"]).ok();
    git(&["add", ".cfg.yaml", "schemas", "schemastore", "vendor", "valid"]).ok();
    git(&["commit", "-q", "-m", "valid fixtures"]).ok();
    for file in fixtures("invalid") {
        let (rule, line, column) = expectation(&env.read(&file));
        git(&["add", &file]).ok();
        let refused = git(&["commit", "-q", "-m", "invalid"]);
        assert_ne!(refused.code, 0, "{file}: {refused:#?}");
        assert!(refused.stderr.contains(&format!("{file}:{line}:{column}: ")), "{file} ({rule}): {}", refused.stderr);
        git(&["reset", "-q", "--", &file]).ok();
    }
    let log = git(&["log", "--oneline"]);
    assert_eq!(log.stdout.lines().count(), 1, "{}", log.stdout);
}
