//! Hostile input: each case has its stated outcome through `cfg check` and
//! `cfg write`, none crashes, and each run does bounded work: under 2 s of
//! CPU time (user and system, which other load on a shared machine barely
//! moves, unlike the wall clock) and 256 MiB (measured with GNU time, which
//! `.ci/run` installs). Quadratic or exponential work on these inputs takes
//! minutes, so the bound tells it apart from noise by two orders. A
//! catastrophic-backtracking `pattern` is hostile too: it gives up with an
//! error naming the pattern and the value.

use std::process::Command;

use crate::common::{Env, hermetic};

/// What a hostile file must lead to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Valid: exit 0, and `cfg write` stores it byte for byte.
    Accepted,
    /// Exit 1 with this rule, and `cfg write` refuses it (exit 1, nothing written).
    Rejected(&'static str),
}

fn billion_laughs() -> Vec<u8> {
    let mut text = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..9u8 {
        let (name, previous) = ((b'a' + level) as char, (b'a' + level - 1) as char);
        text.push_str(&format!("{name}: &{name} [{}]\n", vec![format!("*{previous}"); 9].join(", ")));
    }
    text.into_bytes()
}

/// Aliases of a mapping whose values are aliases: a bomb with no sequences.
fn mapping_bomb() -> Vec<u8> {
    let mut text = String::from("k0: &k0 {a: x, b: x, c: x, d: x, e: x, f: x, g: x, h: x}\n");
    for level in 1..10 {
        let fields: Vec<String> = "abcdefgh".chars().map(|c| format!("{c}: *k{}", level - 1)).collect();
        text.push_str(&format!("k{level}: &k{level} {{{}}}\n", fields.join(", ")));
    }
    text.into_bytes()
}

/// One line holding `keys` keys, each twice: every finding's column is on
/// that line, so a column counted from the line start would be quadratic.
fn one_line_duplicates(keys: usize, quote: &str) -> Vec<u8> {
    let entries: Vec<String> = (0..2 * keys).map(|i| format!("{quote}k{}{quote}: 1", i % keys)).collect();
    format!("{{{}}}", entries.join(", ")).into_bytes()
}

/// A schema whose pattern makes a backtracking engine explode (nested
/// quantifiers, and a look-behind that needs backtracking at all).
const REDOS_SCHEMA: (&str, &str) =
    ("redos.schema.json", r#"{"properties": {"name": {"pattern": "^(\\w+\\s?)*(?<!x)$"}}}"#);

/// A long value that the pattern cannot match, checked against [`REDOS_SCHEMA`].
fn catastrophic_backtracking() -> Vec<u8> {
    format!("# yaml-language-server: $schema={}\nname: {}!\n", REDOS_SCHEMA.0, "a".repeat(50_000)).into_bytes()
}

fn cases() -> Vec<(&'static str, Vec<u8>, Outcome)> {
    let deep = 100_000;
    vec![
        ("billion-laughs.yaml", billion_laughs(), Outcome::Rejected("alias-budget")),
        ("mapping-bomb.yaml", mapping_bomb(), Outcome::Rejected("alias-budget")),
        ("deep-block.yaml", ("- ".repeat(deep) + "x\n").into_bytes(), Outcome::Rejected("depth")),
        ("deep-flow.yaml", ("[".repeat(deep) + &"]".repeat(deep)).into_bytes(), Outcome::Rejected("depth")),
        ("deep-map.yaml", ("{a: ".repeat(deep) + "x" + &"}".repeat(deep)).into_bytes(), Outcome::Rejected("depth")),
        ("deep.json", ("[".repeat(deep) + &"]".repeat(deep)).into_bytes(), Outcome::Rejected("depth")),
        ("huge-scalar.yaml", [b"key: \"", &vec![b'x'; 100 << 20][..], b"\"\n"].concat(), Outcome::Rejected("size")),
        ("invalid-utf8.yaml", b"a: \"\xff\xfe\"\n".to_vec(), Outcome::Rejected("encoding")),
        ("nul.yaml", b"a: b\x00c\n".to_vec(), Outcome::Rejected("syntax")),
        ("bom.yaml", b"\xef\xbb\xbfa: 1\n".to_vec(), Outcome::Accepted),
        // RFC 8259 lets a parser refuse a BOM, and JSON files must not have one.
        ("bom.json", b"\xef\xbb\xbf{\"a\": 1}\n".to_vec(), Outcome::Rejected("syntax")),
        ("crlf.yaml", b"a: 1\r\nb:\r\n  - x\r\n".to_vec(), Outcome::Accepted),
        ("crlf-broken.yaml", b"a: 1\r\nb: [1, 2\r\n".to_vec(), Outcome::Rejected("syntax")),
        ("empty.yaml", Vec::new(), Outcome::Accepted),
        ("empty.json", Vec::new(), Outcome::Rejected("syntax")),
        ("one-line-duplicates.json", one_line_duplicates(20_000, "\""), Outcome::Rejected("duplicate-key")),
        ("one-line-duplicates.yaml", one_line_duplicates(20_000, ""), Outcome::Rejected("duplicate-key")),
        ("catastrophic-backtracking.yaml", catastrophic_backtracking(), Outcome::Rejected("pattern")),
    ]
}

/// Runs `cfg ARGS` under GNU time: (exit code, stdout, CPU seconds, peak KiB).
fn measured(env: &Env, args: &[&str], stdin: Option<&std::path::Path>) -> (i32, String, f64, u64) {
    let stats = env.dir.path().join("time.txt");
    let mut command = Command::new("/usr/bin/time");
    hermetic(&mut command, env.dir.path());
    command.current_dir(&env.root).args(["-f", "%U %S %M", "-o"]).arg(&stats).arg(crate::common::cfg_bin()).args(args);
    if let Some(input) = stdin {
        command.stdin(std::fs::File::open(input).unwrap());
    }
    let out = command.output().unwrap();
    let stats = std::fs::read_to_string(&stats).unwrap();
    let last = stats.lines().last().unwrap();
    let fields: Vec<&str> = last.split_whitespace().collect();
    let [user, system, kib] = fields[..] else { panic!("GNU time printed {last:?}") };
    let seconds = user.parse::<f64>().unwrap() + system.parse::<f64>().unwrap();
    let code = out.status.code().expect("not killed by a signal");
    (code, String::from_utf8_lossy(&out.stdout).into_owned(), seconds, kib.parse().unwrap())
}

#[test]
fn hostile_input_has_its_stated_outcome_within_bounds() {
    crate::common::require("/usr/bin/time", std::path::Path::new("/usr/bin/time").exists(), "apt-get install time");
    let env = Env::new();
    env.put(REDOS_SCHEMA.0, REDOS_SCHEMA.1);
    let inputs = env.dir.path().join("inputs");
    std::fs::create_dir(&inputs).unwrap();
    let mut table = Vec::new();
    for (name, content, outcome) in cases() {
        let source = inputs.join(name);
        std::fs::write(&source, &content).unwrap();
        let check = ["check", "--format", "json", "--stdin-filename", name, "-"];
        let (code, stdout, check_s, check_kib) = measured(&env, &check, Some(&source));
        let (write_code, _, write_s, write_kib) = measured(&env, &["write", name], Some(&source));
        match outcome {
            Outcome::Accepted => {
                assert_eq!(code, 0, "{name}: {stdout}");
                assert_eq!(write_code, 0, "{name}");
                assert_eq!(std::fs::read(env.path(name)).unwrap(), content, "{name}: stored byte for byte");
            }
            Outcome::Rejected(rule) => {
                assert_eq!(code, 1, "{name}: {stdout}");
                let first: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
                assert_eq!(first["rule"], rule, "{name}: {stdout}");
                if rule == "pattern" {
                    let message = first["message"].as_str().unwrap();
                    assert!(message.starts_with(r"pattern `^(\w+\s?)*(?<!x)$` gave up on "), "{name}: {message}");
                    assert!(message.contains("(50001 characters)"), "{name}: {message}");
                }
                assert_eq!(write_code, 1, "{name}: cfg write refuses what cfg check rejects");
                assert!(!env.path(name).exists(), "{name}: nothing written");
            }
        }
        for (what, seconds, kib) in [("check", check_s, check_kib), ("write", write_s, write_kib)] {
            assert!(seconds < 2.0, "{name}: cfg {what} took {seconds} s of CPU");
            assert!(kib < 256 * 1024, "{name}: cfg {what} peaked at {kib} KiB");
        }
        table.push(format!(
            "{name:<26} {:<28} check {check_s:.2} s CPU {:>4} MiB, write {write_s:.2} s CPU {:>4} MiB",
            format!("{outcome:?}"),
            check_kib / 1024,
            write_kib / 1024
        ));
    }
    eprintln!("hostile input:\n  {}", table.join("\n  "));
}
