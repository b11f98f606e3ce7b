//! Output hygiene: a closed standard output or error (a reader that went away)
//! ends cfg quietly with its usual status, and messages written to a file or
//! a pipe are not wrapped (URLs and paths stay whole, one message a line).

use std::process::Stdio;

use crate::common::{Env, Out};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closed {
    Stdout,
    Stderr,
    Both,
}

/// Runs `cfg ARGS` with the given streams writing into a pipe whose reader
/// is already gone, so every write to them fails with EPIPE.
fn with_closed(env: &Env, args: &[&str], closed: Closed, stdin: &[u8]) -> Out {
    use std::io::Write as _;
    let broken = || {
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        Stdio::from(writer)
    };
    let mut command = env.command();
    command.args(args).stdin(Stdio::piped());
    if matches!(closed, Closed::Stdout | Closed::Both) {
        command.stdout(broken());
    }
    if matches!(closed, Closed::Stderr | Closed::Both) {
        command.stderr(broken());
    }
    let mut child = command.spawn().expect("run cfg");
    // cfg may exit before reading standard input: that is not a failure here.
    let _ = child.stdin.take().expect("stdin").write_all(stdin);
    child.wait_with_output().expect("wait for cfg").into()
}

#[test]
fn a_closed_pipe_ends_cfg_quietly_with_its_usual_status() {
    let env = Env::new();
    for i in 0..30 {
        env.write("a.yaml", &format!("n: {i}\n")).ok();
    }
    // Many findings on both streams: more than a pipe buffer holds.
    let warnings: String = (0..3000).map(|i| format!("k{i}: yes\n")).collect();
    env.put("warnings.yaml", &warnings);
    let errors: String = (0..3000).map(|i| format!("k: {i}\n")).collect();
    env.put("errors.yaml", &errors);
    let cases: &[(&[&str], Closed, &[u8], i32)] = &[
        (&["log"], Closed::Stdout, b"", 0),
        (&["log", "--format", "json"], Closed::Both, b"", 0),
        (&["check", "errors.yaml", "--format", "json"], Closed::Stdout, b"", 1),
        (&["check", "errors.yaml"], Closed::Stderr, b"", 1),
        (&["check", "warnings.yaml"], Closed::Stderr, b"", 0),
        (&["check", "missing.yaml"], Closed::Stderr, b"", 5),
        (&["write", "w.yaml"], Closed::Both, b"on: yes\n", 0),
        (&["write", "e.yaml"], Closed::Stderr, b"a: [\n", 1),
        (&["--help"], Closed::Stdout, b"", 0),
        (&["check", "--no-such-flag"], Closed::Stderr, b"", 2),
        (&["man"], Closed::Stdout, b"", 0),
    ];
    for &(args, closed, stdin, code) in cases {
        let out = with_closed(&env, args, closed, stdin);
        assert_eq!(out.code, code, "cfg {args:?} with {closed:?} closed: {out:#?}");
        for text in [&out.stdout, &out.stderr] {
            assert!(!text.contains("panicked"), "cfg {args:?} with {closed:?} closed: {out:#?}");
        }
    }
    // The write went through although nobody could read its revision.
    assert_eq!(env.read("w.yaml"), "on: yes\n");
    assert_eq!(env.git(&["show", "main:w.yaml"]), "on: yes\n");
}

#[test]
fn messages_to_a_pipe_are_not_wrapped() {
    let env = Env::bare();
    let folder = "a-folder-with-a-long-name/holding-another-folder-with-a-long-name/and-one-more";
    let file = format!("{folder}/broken-configuration-file.yaml");
    let url = "https://schemas.example.com/a/long/path/to/a/schema/for/this/configuration/file.json";
    env.put(&file, &format!("# yaml-language-server: $schema={url}\nkey: 1\nkey: 2\n"));
    let out = env.cfg(&["check", &file]);
    out.fails_with(1);
    let lines: Vec<&str> = out.stderr.lines().collect();
    let warning = format!(
        "{file}:1:33: schema `{url}` is remote and is not fetched; using the next way to find a schema \
         (`schema_mirrors` in .cfg.yaml can map its URL to a local copy)"
    );
    assert!(lines.iter().any(|line| line.ends_with(&warning)), "{}", out.stderr);
    let error = format!("{file}:3:1: ");
    assert!(lines.iter().any(|line| line.contains(&error)), "{}", out.stderr);
    assert!(lines.iter().any(|line| line.len() > 200), "{}", out.stderr);
}
