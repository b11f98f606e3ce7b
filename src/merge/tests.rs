//! Tests of the merge: its laws, agreement with `git merge-file` on a table of
//! line edits, and each structural case, YAML block and flow, and JSON.

use std::path::Path;
use std::process::Command;

use proptest::prelude::*;
use proptest::strategy::ValueTree;

use super::{Cause, Conflict, Format, MergeOptions, merge};

fn lines_opts() -> MergeOptions {
    MergeOptions::default()
}

fn yaml_opts() -> MergeOptions {
    MergeOptions { format: Format::Yaml, list_keys: vec!["skill_name".to_owned()], ..MergeOptions::default() }
}

/// What `git merge-file -p --diff3` makes of the three texts: the output and
/// whether it was clean. Runs with no user or system config.
fn git_merge_file(base: &str, ours: &str, theirs: &str) -> (bool, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write temp file");
        path
    };
    let (b, o, t) = (write("base", base), write("ours", ours), write("theirs", theirs));
    let output = Command::new("git")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .current_dir(dir.path())
        .args(["merge-file", "-p", "--diff3", "-L", "latest", "-L", "base", "-L", "new"])
        .args([&o, &b, &t].map(|p: &std::path::PathBuf| p.as_path()))
        .output()
        .expect("run git merge-file");
    let code = output.status.code().expect("git exited normally");
    assert!((0..128).contains(&code), "git merge-file failed: {output:?}");
    (code == 0, String::from_utf8(output.stdout).expect("utf-8"))
}

fn assert_agrees_with_git(name: &str, base: &str, ours: &str, theirs: &str) {
    let (git_clean, git_text) = git_merge_file(base, ours, theirs);
    match merge(base, ours, theirs, &lines_opts()) {
        Ok(text) => {
            assert!(git_clean, "{name}: we merged cleanly, git conflicts:\n{git_text}");
            assert_eq!(text, git_text, "{name}: merged text differs from git");
        }
        Err(conflict) => {
            assert!(!git_clean, "{name}: we conflict, git merges to {git_text:?}");
            assert_eq!(conflict.marked, git_text, "{name}: marked text differs from git");
        }
    }
}

/// (name, base, ours, theirs)
const LINE_CASES: &[(&str, &str, &str, &str)] = &[
    ("disjoint edits", "a\nb\nc\nd\ne\n", "A\nb\nc\nd\ne\n", "a\nb\nc\nd\nE\n"),
    ("edits one line apart", "a\nb\nc\n", "A\nb\nc\n", "a\nb\nC\n"),
    ("adjacent edits", "a\nb\nc\n", "A\nb\nc\n", "a\nB\nc\n"),
    ("adjacent edits reversed", "a\nb\nc\n", "a\nB\nc\n", "A\nb\nc\n"),
    ("same edit both sides", "a\nb\nc\n", "a\nB\nc\n", "a\nB\nc\n"),
    ("different edits same line", "a\nb\nc\n", "a\nX\nc\n", "a\nY\nc\n"),
    ("same line edit plus disjoint", "a\nb\nc\nd\ne\n", "a\nB\nc\nd\ne\n", "a\nB\nc\nd\nE\n"),
    ("insertions at same point", "a\nb\n", "a\nx\nb\n", "a\ny\nb\n"),
    ("same insertion at same point", "a\nb\n", "a\nx\nb\n", "a\nx\nb\n"),
    ("insertions at different points", "a\nb\nc\n", "x\na\nb\nc\n", "a\nb\nc\ny\n"),
    ("insertions around one line", "a\nb\nc\n", "a\nx\nb\nc\n", "a\nb\ny\nc\n"),
    ("insertion next to edit", "a\nb\nc\n", "a\nx\nb\nc\n", "a\nB\nc\n"),
    ("delete vs edit", "a\nb\nc\n", "a\nc\n", "a\nB\nc\n"),
    ("both delete same line", "a\nb\nc\n", "a\nc\n", "a\nc\n"),
    ("disjoint deletions", "a\nb\nc\nd\ne\n", "b\nc\nd\ne\n", "a\nb\nc\nd\n"),
    ("adjacent deletions", "a\nb\nc\nd\n", "a\nc\nd\n", "a\nb\nd\n"),
    ("edit first line vs append", "a\nb\nc\n", "A\nb\nc\n", "a\nb\nc\nd\n"),
    ("edit last line vs prepend", "a\nb\nc\n", "a\nb\nC\n", "z\na\nb\nc\n"),
    ("both append different", "a\nb\n", "a\nb\nc\n", "a\nb\nd\n"),
    ("both prepend different", "a\nb\n", "x\na\nb\n", "y\na\nb\n"),
    ("no trailing newline, disjoint", "a\nb\nc", "A\nb\nc", "a\nb\nC"),
    ("no trailing newline, edit last", "a\nb\nc", "a\nb\nX", "a\nb\nY"),
    ("one side adds final newline", "a\nb\nc", "A\nb\nc", "a\nb\nc\n"),
    ("both add final newline", "a\nb", "a\nb\n", "a\nb\n"),
    ("append after no final newline", "a\nb", "a\nb\nc\n", "A\nb"),
    ("empty base, both add same", "", "a\n", "a\n"),
    ("empty base, both add different", "", "a\n", "b\n"),
    ("empty base, one adds", "", "", "a\nb\n"),
    ("everything deleted vs edit", "a\nb\n", "", "a\nB\n"),
    ("everything deleted both", "a\nb\n", "", ""),
    ("crlf disjoint", "a\r\nb\r\nc\r\nd\r\n", "A\r\nb\r\nc\r\nd\r\n", "a\r\nb\r\nc\r\nD\r\n"),
    ("crlf conflict", "a\r\nb\r\nc\r\n", "a\r\nX\r\nc\r\n", "a\r\nY\r\nc\r\n"),
    ("crlf vs lf line", "a\nb\nc\n", "a\r\nb\nc\n", "a\nb\nc\r\n"),
    ("crlf conflict without final newline", "a\r\nb", "a\r\nX", "a\r\nY"),
    ("repeated lines", "a\na\na\nb\n", "a\na\na\na\nb\n", "a\na\na\nb\nb\n"),
    ("yaml value edits", "a: 1\nb: 2\nc: 3\n", "a: 1\nb: 5\nc: 3\n", "a: 1\nb: 2\nc: 4\n"),
    ("yaml appends", "a: 1\nb: 2\n", "a: 1\nb: 2\nc: 3\n", "a: 1\nb: 2\nd: 4\n"),
];

#[test]
fn line_merge_agrees_with_git_merge_file() {
    for (name, base, ours, theirs) in LINE_CASES {
        assert_agrees_with_git(name, base, ours, theirs);
    }
}

#[test]
fn conflict_lists_regions_and_renders_diff3() {
    let opts = MergeOptions {
        base_label: "base 1a2b3c4".to_owned(),
        ours_label: "latest 5d6e7f8".to_owned(),
        theirs_label: "new".to_owned(),
        ..MergeOptions::default()
    };
    let conflict = merge("a\nb\nc\n", "a\nX\nc\n", "a\nY\nc\n", &opts).unwrap_err();
    assert_eq!(conflict.regions.len(), 1);
    let region = &conflict.regions[0];
    assert_eq!(region.base.range, 1..2);
    assert_eq!(region.ours.lines, ["X"]);
    assert_eq!(region.theirs.lines, ["Y"]);
    let rendered = "<<<<<<< latest 5d6e7f8\nX\n||||||| base 1a2b3c4\nb\n=======\nY\n>>>>>>> new\n";
    assert_eq!(conflict.to_string(), rendered);
    assert_eq!(conflict.marked, format!("a\n{rendered}c\n"));
}

/// Texts of up to eight lines over a five-line alphabet, so that lines repeat
/// and edits collide often.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(vec!["a\n", "b\n", "c\n", "key: 1\n", "\n"]), 0..8)
        .prop_map(|lines| lines.concat())
}

fn format() -> impl Strategy<Value = Format> {
    prop_oneof![Just(Format::Text), Just(Format::Yaml), Just(Format::Json)]
}

proptest! {
    // Failures are reported with their minimal input; no regression file
    // outside `src/merge`.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn unchanged_ours_takes_theirs(b in text(), t in text(), format in format()) {
        let opts = MergeOptions { format, ..yaml_opts() };
        prop_assert_eq!(merge(&b, &b, &t, &opts), Ok(t));
    }

    #[test]
    fn unchanged_theirs_takes_ours(b in text(), o in text(), format in format()) {
        let opts = MergeOptions { format, ..yaml_opts() };
        prop_assert_eq!(merge(&b, &o, &b, &opts), Ok(o));
    }

    #[test]
    fn same_change_merges_to_it(b in text(), x in text(), format in format()) {
        let opts = MergeOptions { format, ..yaml_opts() };
        prop_assert_eq!(merge(&b, &x, &x, &opts), Ok(x));
    }
}

/// Random edits over a five-line alphabet against `git merge-file`: the two
/// Myers implementations may align repeated lines differently (see
/// `line.rs`), so a few answers differ in where a conflict is drawn or
/// whether two nearby edits touch; that stays rare (1 in 2,000 today). Where
/// both merge cleanly, the merged text is the same.
#[test]
fn random_edits_agree_with_git() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut disagreements = Vec::new();
    let cases = 2000;
    for _ in 0..cases {
        let b = text().new_tree(&mut runner).unwrap().current();
        let edit = |runner: &mut proptest::test_runner::TestRunner| {
            let mut lines: Vec<&str> = b.split_inclusive('\n').collect();
            let ops =
                prop::collection::vec((0..3usize, 0..9usize, 0..5usize), 0..3).new_tree(runner).unwrap().current();
            let alphabet = ["a\n", "b\n", "c\n", "key: 1\n", "\n"];
            for (op, at, line) in ops {
                let at = at % (lines.len() + 1);
                match op {
                    0 => lines.insert(at, alphabet[line]),
                    1 if at < lines.len() => {
                        lines.remove(at);
                    }
                    _ if at < lines.len() => lines[at] = alphabet[line],
                    _ => {}
                }
            }
            lines.concat()
        };
        let (o, t) = (edit(&mut runner), edit(&mut runner));
        let (git_clean, git_text) = git_merge_file(&b, &o, &t);
        let ours = merge(&b, &o, &t, &lines_opts());
        if let (Ok(text), true) = (&ours, git_clean) {
            assert_eq!(*text, git_text, "both merged cleanly, differently: b={b:?} o={o:?} t={t:?}");
        }
        let agree = match &ours {
            Ok(text) => git_clean && *text == git_text,
            Err(c) => !git_clean && c.marked == git_text,
        };
        if !agree {
            disagreements.push(format!("b={b:?} o={o:?} t={t:?}\n git: {git_clean} {git_text:?}\n ours: {ours:?}"));
        }
    }
    assert!(
        disagreements.len() * 500 <= cases,
        "{} of {cases} random merges disagree with git (at most 1 in 500 may):\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

fn merged(base: &str, ours: &str, theirs: &str) -> String {
    match merge(base, ours, theirs, &yaml_opts()) {
        Ok(text) => text,
        Err(conflict) => panic!("unexpected conflict:\n{}", conflict.marked),
    }
}

fn conflicted(base: &str, ours: &str, theirs: &str) -> Conflict {
    match merge(base, ours, theirs, &yaml_opts()) {
        Ok(text) => panic!("unexpected merge:\n{text}"),
        Err(conflict) => *conflict,
    }
}

#[test]
fn keys_added_at_end_by_both_writers_merge() {
    let base = "name: nightly\nretries: 3\n";
    let ours = "name: nightly\nretries: 3\ntimeout: 30s\n";
    let theirs = "name: nightly\nretries: 3\nowner: ops\n";
    assert!(merge(base, ours, theirs, &lines_opts()).is_err());
    assert_eq!(merged(base, ours, theirs), "name: nightly\nretries: 3\ntimeout: 30s\nowner: ops\n");
}

#[test]
fn different_entries_of_list_keyed_by_skill_name_merge() {
    let base = "\
skills:
  - skill_name: rust
    level: 2
  - skill_name: go
    level: 1
";
    // Ours edits rust and appends zig right where theirs edits go's last line.
    let ours = "\
skills:
  - skill_name: rust
    level: 3
  - skill_name: go
    level: 1
  - skill_name: zig
    level: 1
";
    let theirs = "\
skills:
  - skill_name: rust
    level: 2
  - skill_name: go
    level: 2
";
    assert!(merge(base, ours, theirs, &lines_opts()).is_err());
    assert_eq!(
        merged(base, ours, theirs),
        "\
skills:
  - skill_name: rust
    level: 3
  - skill_name: go
    level: 2
  - skill_name: zig
    level: 1
"
    );
}

#[test]
fn keyed_list_entries_added_deleted_and_edited_merge() {
    let base = "\
skills:
- skill_name: rust
  level: 2
- skill_name: go
  level: 1
- skill_name: c
  level: 1
";
    // Ours edits rust and deletes c; theirs edits go and adds zig.
    let ours = "\
skills:
- skill_name: rust
  level: 3
- skill_name: go
  level: 1
";
    let theirs = "\
skills:
- skill_name: rust
  level: 2
- skill_name: go
  level: 4
- skill_name: c
  level: 1
- skill_name: zig
  level: 1
";
    assert_eq!(
        merged(base, ours, theirs),
        "\
skills:
- skill_name: rust
  level: 3
- skill_name: go
  level: 4
- skill_name: zig
  level: 1
"
    );
}

#[test]
fn both_sides_editing_fields_of_one_keyed_entry_merge() {
    let base = "\
skills:
  - skill_name: rust
    level: 2
    since: 2019
";
    let ours = "\
skills:
  - skill_name: rust
    level: 3
    since: 2019
";
    let theirs = "\
skills:
  - skill_name: rust
    level: 2
    since: 2018
";
    // Adjacent lines: the line merge conflicts, the entry merge does not.
    assert!(merge(base, ours, theirs, &lines_opts()).is_err());
    assert_eq!(
        merged(base, ours, theirs),
        "\
skills:
  - skill_name: rust
    level: 3
    since: 2018
"
    );
}

#[test]
fn same_key_set_to_two_values_conflicts() {
    let base = "name: nightly\nretries: 3\n";
    let ours = "name: nightly\nretries: 4\n";
    let theirs = "name: nightly\nretries: 5\n";
    let conflict = conflicted(base, ours, theirs);
    assert_eq!(conflict.regions.len(), 1);
    assert_eq!(conflict.regions[0].ours.lines, ["retries: 4"]);
    assert_eq!(conflict.regions[0].theirs.lines, ["retries: 5"]);
}

#[test]
fn same_keyed_entry_field_set_to_two_values_conflicts() {
    let base = "skills:\n- skill_name: rust\n  level: 2\n";
    let ours = "skills:\n- skill_name: rust\n  level: 3\n";
    let theirs = "skills:\n- skill_name: rust\n  level: 4\n";
    conflicted(base, ours, theirs);
}

#[test]
fn comments_on_untouched_lines_are_preserved_byte_for_byte() {
    let base = "\
# Nightly schedule.   Edited by hand!
name: nightly   # the job name
retries: 3
# how long one run may take
timeout:    30s
";
    let ours = "\
# Nightly schedule.   Edited by hand!
name: nightly   # the job name
retries: 4
# how long one run may take
timeout:    30s
";
    let theirs = "\
# Nightly schedule.   Edited by hand!
name: nightly   # the job name
retries: 3
# how long one run may take, at most
timeout:    45s
";
    assert!(merge(base, ours, theirs, &lines_opts()).is_err());
    assert_eq!(
        merged(base, ours, theirs),
        "\
# Nightly schedule.   Edited by hand!
name: nightly   # the job name
retries: 4
# how long one run may take, at most
timeout:    45s
"
    );
}

#[test]
fn comment_changed_on_one_side_is_kept() {
    let base = "a: 1\n# about b\nb: 2\nc: 3\n";
    let ours = "a: 1\n# about b, reworded\nb: 2\nc: 3\n";
    let theirs = "a: 1\n# about b\nb: 2\nc: 4\n";
    // The comment belongs to b's entry, which theirs left alone.
    assert_eq!(merged(base, ours, theirs), "a: 1\n# about b, reworded\nb: 2\nc: 4\n");
}

#[test]
fn nested_mappings_merge_by_key() {
    let base = "\
job:
  name: nightly
  schedule:
    cron: '0 3 * * *'
    timezone: UTC
other: true
";
    let ours = "\
job:
  name: nightly
  schedule:
    cron: '0 4 * * *'
    timezone: UTC
other: true
";
    let theirs = "\
job:
  name: nightly
  schedule:
    cron: '0 3 * * *'
    timezone: Europe/Paris
    jitter: 5m
other: true
";
    assert!(merge(base, ours, theirs, &lines_opts()).is_err());
    assert_eq!(
        merged(base, ours, theirs),
        "\
job:
  name: nightly
  schedule:
    cron: '0 4 * * *'
    timezone: Europe/Paris
    jitter: 5m
other: true
"
    );
}

#[test]
fn nested_key_added_by_both_at_end_of_inner_mapping_merges() {
    let base = "a:\n  x: 1\nb: 2\n";
    let ours = "a:\n  x: 1\n  y: 2\nb: 2\n";
    let theirs = "a:\n  x: 1\n  z: 3\nb: 2\n";
    assert_eq!(merged(base, ours, theirs), "a:\n  x: 1\n  y: 2\n  z: 3\nb: 2\n");
}

#[test]
fn key_deleted_on_one_side_and_unchanged_on_other_is_deleted() {
    let base = "a: 1\nb: 2\nc: 3\n";
    let ours = "a: 1\nc: 3\n";
    let theirs = "a: 1\nb: 2\nc: 4\n";
    assert!(merge(base, ours, theirs, &lines_opts()).is_err());
    assert_eq!(merged(base, ours, theirs), "a: 1\nc: 4\n");
}

#[test]
fn key_deleted_on_one_side_and_changed_on_other_conflicts() {
    conflicted("a: 1\nb: 2\n", "a: 1\n", "a: 1\nb: 3\n");
    conflicted("a: 1\nb: 2\n", "a: 1\nb: 3\n", "a: 1\n");
}

#[test]
fn same_key_added_with_different_values_conflicts() {
    conflicted("a: 1\n", "a: 1\nb: 2\n", "a: 1\nb: 3\n");
}

#[test]
fn same_key_added_identically_merges_once() {
    // Each side also edits `a`, so the line merge conflicts.
    let base = "a: 1\nz: 0\n";
    let ours = "a: 2\nz: 0\nb: 2\n";
    let theirs = "a: 1\nz: 1\nb: 2\n";
    assert_eq!(merged(base, ours, theirs), "a: 2\nz: 1\nb: 2\n");
}

#[test]
fn unkeyed_list_of_same_length_merges_by_position() {
    let base = "hosts:\n- alpha\n- beta\n";
    let ours = "hosts:\n- ALPHA\n- beta\n";
    let theirs = "hosts:\n- alpha\n- BETA\n";
    assert_eq!(merged(base, ours, theirs), "hosts:\n- ALPHA\n- BETA\n");
}

#[test]
fn unkeyed_list_entries_line_up_by_diff3() {
    let base = "hosts:\n- alpha\n- beta\n";
    assert_eq!(
        merged(base, "hosts:\n- ALPHA\n- beta\n", "hosts:\n- alpha\n- BETA\n- gamma\n"),
        "hosts:\n- ALPHA\n- BETA\n- gamma\n"
    );
    // Both append: both land, ours first.
    assert_eq!(
        merged(base, "hosts:\n- alpha\n- beta\n- gamma\n", "hosts:\n- alpha\n- beta\n- delta\n"),
        "hosts:\n- alpha\n- beta\n- gamma\n- delta\n"
    );
    // One entry changed two ways.
    conflicted(base, "hosts:\n- ALPHA\n- beta\n", "hosts:\n- Alpha\n- beta\n");
    // Deleted by one, changed by the other.
    conflicted(base, "hosts:\n- beta\n", "hosts:\n- ALPHA\n- beta\n");
}

#[test]
fn reordering_on_theirs_only_conflicts() {
    conflicted("a: 1\nb: 2\nc: 3\n", "a: 9\nb: 2\nc: 3\n", "b: 2\na: 1\nc: 3\n");
}

#[test]
fn flow_collections_merge_entry_by_entry() {
    assert_eq!(merged("a: [1, 2]\n", "a: [1, 3]\n", "a: [0, 2]\n"), "a: [0, 3]\n");
    assert_eq!(
        merged("a: [1, 2] # c\nb: 1\n", "a: [1, 2, x]\nb: 1\n", "a: [1, 2, y] # c\nb: 1\n"),
        "a: [1, 2, x, y]\nb: 1\n"
    );
    assert_eq!(merged("m: {x: 1, y: 2}\n", "m: {x: 1, y: 2, z: 3}\n", "m: {x: 0, y: 2}\n"), "m: {x: 0, y: 2, z: 3}\n");
    conflicted("a: [1, 2]\n", "a: [1, 3]\n", "a: [1, 4]\n");
    conflicted("m: {x: 1}\n", "m: {x: 2}\n", "m: {x: 3}\n");
    // A flow mapping on one side, a block one on the other: not one layout.
    conflicted("m: {x: 1}\n", "m: {x: 1, y: 2}\n", "m:\n  x: 1\n  z: 3\n");
}

/// The shipped example: `tags: [ops, backup]` gets a tag from each writer.
#[test]
fn flow_list_inside_a_keyed_block_list_merges() {
    let base = "schedules:\n- skill_name: backup\n  tags: [ops, backup]\n  retries: 1\n";
    let ours = "schedules:\n- skill_name: backup\n  tags: [ops, backup, nightly]\n  retries: 1\n";
    let theirs = "schedules:\n- skill_name: backup\n  tags: [ops, backup, critical]\n  retries: 2\n";
    assert_eq!(
        merged(base, ours, theirs),
        "schedules:\n- skill_name: backup\n  tags: [ops, backup, nightly, critical]\n  retries: 2\n"
    );
}

#[test]
fn multi_line_flow_collections_keep_their_layout() {
    let base = "a: [\n  one,\n  two\n]\n";
    let ours = "a: [\n  one,\n  two,\n  three\n]\n";
    let theirs = "a: [\n  ONE,\n  two,\n  four\n]\n";
    assert_eq!(merged(base, ours, theirs), "a: [\n  ONE,\n  two,\n  three,\n  four\n]\n");
    // A trailing comma stays where it was.
    assert_eq!(merged("[a, b,]\n", "[a, b, c,]\n", "[A, b,]\n"), "[A, b, c,]\n");
}

/// Comments between the members of a YAML flow collection are kept, and a
/// merge that would have to move or drop one conflicts.
#[test]
fn comments_in_flow_collections_are_never_lost() {
    let base = "a: [\n  one, # first\n  two\n]\n";
    let ours = "a: [\n  one, # first\n  TWO\n]\n";
    let theirs = "a: [\n  ONE, # first, edited\n  two\n]\n";
    assert_eq!(merged(base, ours, theirs), "a: [\n  ONE, # first, edited\n  TWO\n]\n");
    // Both append: the new neighbours have no separator of their own.
    conflicted(base, "a: [\n  one, # first\n  two,\n  x\n]\n", "a: [\n  one, # first\n  two,\n  y\n]\n");
}

#[test]
fn anchors_are_not_merged_structurally() {
    conflicted("d: &d 1\na: 1\nb: 2\n", "d: &d 1\na: 2\nb: 2\n", "d: &d 1\na: 1\nb: 3\n");
}

#[test]
fn missing_final_newline_is_merged_like_a_value() {
    // Ours drops the final newline; theirs edits another key.
    let base = "a: 1\nb: 2\n";
    let ours = "a: 1\nb: 2";
    let theirs = "a: 3\nb: 2\n";
    assert!(merge(base, ours, theirs, &lines_opts()).is_err());
    assert_eq!(merged(base, ours, theirs), "a: 3\nb: 2");
    // Theirs appends after a last line without newline.
    let base = "a: 1\nb: 2";
    let ours = "a: 5\nb: 2";
    let theirs = "a: 1\nb: 2\nc: 3\n";
    assert_eq!(merged(base, ours, theirs), "a: 5\nb: 2\nc: 3\n");
}

#[test]
fn crlf_files_merge_structurally() {
    let base = "a: 1\r\nb: 2\r\n";
    let ours = "a: 1\r\nb: 2\r\nc: 3\r\n";
    let theirs = "a: 1\r\nb: 2\r\nd: 4\r\n";
    assert_eq!(merged(base, ours, theirs), "a: 1\r\nb: 2\r\nc: 3\r\nd: 4\r\n");
}

#[test]
fn block_scalars_merge_as_values() {
    let base = "a: |\n  one\n  two\nb: 1\n";
    let ours = "a: |\n  one\n  TWO\nb: 1\n";
    let theirs = "a: |\n  one\n  two\nb: 2\n";
    assert_eq!(merged(base, ours, theirs), "a: |\n  one\n  TWO\nb: 2\n");
}

#[test]
fn non_ascii_text_merges_structurally() {
    let base = "name: café\nb: 1\n";
    let ours = "name: café ☕\nb: 1\n";
    let theirs = "name: café\nb: 2\n";
    assert_eq!(merged(base, ours, theirs), "name: café ☕\nb: 2\n");
}

fn json(base: &str, ours: &str, theirs: &str) -> Result<String, Box<Conflict>> {
    merge(base, ours, theirs, &MergeOptions { format: Format::Json, list_keys: vec!["id".to_owned()], ..yaml_opts() })
}

/// The seed's scenario: two writers each add a task to one array of a
/// pretty-printed JSON file; both land, in its layout.
#[test]
fn json_items_appended_by_both_writers_both_land() {
    let base = "{\n  \"tasks\": [\n    {\"title\": \"a\"}\n  ]\n}\n";
    let ours = "{\n  \"tasks\": [\n    {\"title\": \"a\"},\n    {\"title\": \"b\"}\n  ]\n}\n";
    let theirs = "{\n  \"tasks\": [\n    {\"title\": \"a\"},\n    {\"title\": \"c\"}\n  ]\n}\n";
    assert!(merge(base, ours, theirs, &lines_opts()).is_err(), "the line merge conflicts");
    assert_eq!(
        json(base, ours, theirs).unwrap(),
        "{\n  \"tasks\": [\n    {\"title\": \"a\"},\n    {\"title\": \"b\"},\n    {\"title\": \"c\"}\n  ]\n}\n"
    );
    // Objects one member a line, added to an empty array by both.
    let base = "{\n  \"tasks\": []\n}\n";
    let ours = "{\n  \"tasks\": [\n    {\n      \"id\": 1\n    }\n  ]\n}\n";
    let theirs = "{\n  \"tasks\": [\n    {\n      \"id\": 2\n    }\n  ]\n}\n";
    assert_eq!(
        json(base, ours, theirs).unwrap(),
        "{\n  \"tasks\": [\n    {\n      \"id\": 1\n    },\n    {\n      \"id\": 2\n    }\n  ]\n}\n"
    );
    // Minified: no spaces are made up.
    assert_eq!(json("[1]", "[1,2]", "[1,3]").unwrap(), "[1,2,3]");
}

#[test]
fn json_objects_merge_by_key() {
    let base = "{\"a\": 1, \"b\": {\"x\": 1, \"y\": 1}}\n";
    let ours = "{\"a\": 2, \"b\": {\"x\": 1, \"y\": 2}}\n";
    let theirs = "{\"a\": 1, \"b\": {\"x\": 3, \"y\": 1, \"z\": 0}, \"c\": true}\n";
    assert_eq!(json(base, ours, theirs).unwrap(), "{\"a\": 2, \"b\": {\"x\": 3, \"y\": 2, \"z\": 0}, \"c\": true}\n");
    // Deleted by one, changed by the other; one key set two ways.
    assert!(json(base, "{\"b\": {\"x\": 1, \"y\": 1}}\n", "{\"a\": 5, \"b\": {\"x\": 1, \"y\": 1}}\n").is_err());
    assert!(
        json(base, "{\"a\": 5, \"b\": {\"x\": 1, \"y\": 1}}\n", "{\"a\": 6, \"b\": {\"x\": 1, \"y\": 1}}\n").is_err()
    );
    // A key added by both with one value lands once; with two, conflicts.
    assert_eq!(json("{}", "{\"k\": 1}", "{\"k\": 1}").unwrap(), "{\"k\": 1}");
    assert!(json("{\"a\": 0}", "{\"a\": 0, \"k\": 1}", "{\"a\": 0, \"k\": 2}").is_err());
    // Emptied by the two together: `{}`.
    assert_eq!(
        json("{\"m\": {\"x\": 1, \"y\": 2}}", "{\"m\": {\"y\": 2}}", "{\"m\": {\"x\": 1}}").unwrap(),
        "{\"m\": {}}"
    );
}

/// Keyed by `x-merge-key` (here `id`): entries match by identity wherever
/// they are, so a field changed by each writer in one task merges, and one
/// task added twice with different content conflicts.
#[test]
fn json_arrays_keyed_by_merge_key() {
    let base = "[{\"id\": 1, \"a\": 0, \"b\": 0}, {\"id\": 2}]";
    let ours = "[{\"id\": 1, \"a\": 1, \"b\": 0}, {\"id\": 2}, {\"id\": 3}]";
    let theirs = "[{\"id\": 2}, {\"id\": 1, \"a\": 0, \"b\": 1}]";
    assert!(json(base, ours, theirs).is_err(), "theirs reordered the shared entries");
    let theirs = "[{\"id\": 1, \"a\": 0, \"b\": 1}, {\"id\": 2}, {\"id\": 4}]";
    assert_eq!(
        json(base, ours, theirs).unwrap(),
        "[{\"id\": 1, \"a\": 1, \"b\": 1}, {\"id\": 2}, {\"id\": 3}, {\"id\": 4}]"
    );
    let theirs = "[{\"id\": 1, \"a\": 0, \"b\": 0}, {\"id\": 2}, {\"id\": 3, \"x\": 1}]";
    assert!(json(base, ours, theirs).is_err(), "task 3 added twice, two ways");
}

/// A member taken from the other version is re-indented to where it lands.
#[test]
fn json_members_are_reindented_to_their_new_place() {
    let base = "{\n  \"a\": {\n    \"x\": 1\n  }\n}\n";
    // Ours nests the object one level deeper (a new wrapper), theirs adds a
    // multi-line member to it.
    let ours = "{\n  \"a\": {\n    \"x\": 1\n  },\n  \"b\": 1\n}\n";
    let theirs = "{\n  \"a\": {\n    \"x\": 1,\n    \"y\": {\n      \"z\": 2\n    }\n  }\n}\n";
    assert_eq!(
        json(base, ours, theirs).unwrap(),
        "{\n  \"a\": {\n    \"x\": 1,\n    \"y\": {\n      \"z\": 2\n    }\n  },\n  \"b\": 1\n}\n"
    );
    let base = "{\"list\": [\n    1\n]}\n";
    let ours = "{\"list\": [\n    1,\n    2\n]}\n";
    let theirs = "{\"list\": [\n    1,\n  {\n    \"k\": 3\n  }\n]}\n";
    assert_eq!(json(base, ours, theirs).unwrap(), "{\"list\": [\n    1,\n    2,\n    {\n      \"k\": 3\n    }\n]}\n");
}

#[test]
fn key_inserted_mid_mapping_by_theirs_is_appended_at_the_end() {
    let base = "a: 1\nb: 2\nc: 3\n";
    let ours = "a: 1\nb: 2\nc: 4\n";
    let theirs = "a: 1\nb: 2\nnew: 0\nc: 3\n";
    assert!(merge(base, ours, theirs, &lines_opts()).is_err());
    assert_eq!(merged(base, ours, theirs), "a: 1\nb: 2\nc: 4\nnew: 0\n");
}

#[test]
fn trailing_comments_and_header_are_merged_as_text() {
    let base = "# header\n\na: 1\nb: 2\n# trailer\n";
    let ours = "# header, edited\n\na: 1\nb: 3\n# trailer\n";
    let theirs = "# header\n\na: 1\nb: 2\nc: 4\n# trailer, edited\n";
    assert_eq!(merged(base, ours, theirs), "# header, edited\n\na: 1\nb: 3\nc: 4\n# trailer, edited\n");
}

#[test]
fn entries_at_different_indentation_conflict() {
    // Theirs re-indents the nested mapping; its new key would not fit ours.
    let base = "a:\n  x: 1\nb: 1\n";
    let ours = "a:\n  x: 1\n  y: 2\nb: 1\n";
    let theirs = "a:\n    x: 1\n    z: 3\nb: 1\n";
    conflicted(base, ours, theirs);
}

#[test]
fn compact_entries_whose_first_key_differs_conflict() {
    let base = "- skill_name: rust\n  level: 1\n";
    let ours = "- level: 2\n  skill_name: rust\n";
    let theirs = "- skill_name: rust\n  level: 1\n  since: 2020\n";
    conflicted(base, ours, theirs);
}

#[test]
fn keyed_list_reordered_by_theirs_conflicts() {
    let base = "- skill_name: a\n  level: 1\n- skill_name: b\n  level: 1\n";
    let ours = "- skill_name: a\n  level: 2\n- skill_name: b\n  level: 1\n";
    let theirs = "- skill_name: b\n  level: 1\n- skill_name: a\n  level: 1\n";
    conflicted(base, ours, theirs);
}

/// Without the merge key, a list does not know that two entries named `c`
/// are one job: both writers' entries land; with it, a job added twice with
/// different content conflicts.
#[test]
fn list_without_merge_key_option_keeps_both_additions() {
    let opts = MergeOptions { list_keys: Vec::new(), ..yaml_opts() };
    let base = "- skill_name: a\n  level: 1\n";
    let ours = "- skill_name: a\n  level: 1\n- skill_name: c\n  level: 1\n";
    let theirs = "- skill_name: a\n  level: 1\n- skill_name: c\n  level: 2\n";
    assert_eq!(
        merge(base, ours, theirs, &opts),
        Ok("- skill_name: a\n  level: 1\n- skill_name: c\n  level: 1\n- skill_name: c\n  level: 2\n".to_owned())
    );
    conflicted(base, ours, theirs);
}

#[test]
fn merge_that_empties_the_root_conflicts() {
    conflicted("a: 1\nb: 2\n", "b: 2\n", "a: 1\n");
}

/// Issue 12, item 12: the structural merge appended `c` after `b`, giving a
/// block scalar that ended the file without a line break one (`"text"`
/// became `"text\n"`, read as the YAML spec and libyaml read it).
#[test]
fn block_scalar_ending_a_file_without_newline_is_not_given_one() {
    let conflict = conflicted("a: 1\nb: >\n  text", "a: 2\nb: >\n  text", "a: 1\nc: 3\nb: >\n  text");
    assert_eq!(conflict.cause, Cause::Lines);
    // Shrunk by the property test: theirs' scalar ends the file, ours appends.
    conflicted("a: a", "a: a\nb: a", "a: |\n  one");
    // And the other way: a scalar moved to the end of such a file loses its
    // line break.
    conflicted("b: a\na: a", "a: a", "x: |\n  one\na: a");
    // Where it stays last, it merges.
    assert_eq!(
        merged("a: 1\nb: >\n  text", "a: 2\nb: >\n  text", "a: 1\nb: >\n  text\n  more"),
        "a: 2\nb: >\n  text\n  more"
    );
}

/// Issue 12, item 13: ours deleted `b: 1`; the blank lines around it joined
/// theirs' keep scalar, `"y\n\n"` became `"y\n\n\n"`.
#[test]
fn keep_block_scalar_does_not_swallow_blank_lines_left_by_a_deletion() {
    let conflict = conflicted("a: |\n  x\n\nb: 1\n\nc: 2\n", "a: |\n  x\n\n\nc: 2\n", "a: |+\n  y\n\nb: 1\n\nc: 2\n");
    assert_eq!(conflict.cause, Cause::Meaning, "the line merge is clean, its result is not");
    assert_eq!(conflict.regions.len(), 1);
}

/// Issue 12, item 14: `True` and `true` (and the others) are one key.
#[test]
fn one_key_spelled_two_ways_is_one_key() {
    for (o, t) in [("True", "true"), ("null", "~"), ("1", "0x1"), ("1", "+1"), ("1.0", "1.00"), ("FALSE", "false")] {
        // Added at either end: clean line by line, but the key twice.
        conflicted("a: 1\nb: 2\n", &format!("{o}: ours\na: 1\nb: 2\n"), &format!("a: 1\nb: 2\n{t}: theirs\n"));
        // Added at one place: the same key set to two values.
        conflicted("a: 1\nb: 2\n", &format!("a: 1\nb: 2\n{o}: ours\n"), &format!("a: 1\nb: 2\n{t}: theirs\n"));
        // Added with one value, spelled two ways: which spelling?
        conflicted("a: 1\nb: 2\n", &format!("a: 1\nb: 2\n{o}: x\n"), &format!("{t}: x\na: 1\nb: 2\n"));
    }
    // Added with one text at either end: once.
    assert_eq!(merged("a: 1\nb: 2\n", "a: 1\nb: 2\nTrue: x\n", "True: x\na: 1\nb: 2\n"), "a: 1\nb: 2\nTrue: x\n");
    // Deleted by ours, respelled by theirs: not kept as a second key.
    conflicted("a: a\nb: a\n", "b: a\n", "'a': a\nb: a\n");
}

/// Issue 12, item 15: `job1` and `"job1"` are one entry of a keyed list.
#[test]
fn quoting_does_not_split_a_keyed_entry() {
    let base = "jobs:\n- skill_name: a\n  level: 1\n";
    let ours = "jobs:\n- skill_name: a\n  level: 1\n- skill_name: job1\n";
    let theirs = "jobs:\n- skill_name: a\n  level: 2\n- skill_name: \"job1\"\n  level: 3\n";
    conflicted(base, ours, theirs);
    // An entry that one side quotes and the other edits is one entry.
    let base = "- skill_name: a\n  level: 1\n- skill_name: b\n  level: 1\n";
    let ours = "- skill_name: a\n  level: 1\n- skill_name: b\n  level: 2\n";
    let theirs = "- skill_name: a\n  level: 3\n- skill_name: 'b'\n  level: 1\n  since: 2020\n";
    assert_eq!(
        merged(base, ours, theirs),
        "- skill_name: a\n  level: 3\n- skill_name: 'b'\n  level: 2\n  since: 2020\n"
    );
}

/// Issue 12, item 16: a mapping (or keyed list) emptied by the two sides
/// together keeps its type.
#[test]
fn collection_emptied_by_both_sides_keeps_its_type() {
    assert_eq!(merged("a: 1\nm:\n  x: 1\n  y: 2\n", "a: 1\nm:\n  y: 2\n", "a: 1\nm:\n  x: 1\n"), "a: 1\nm: {}\n");
    assert_eq!(
        merged(
            "jobs: # all\n- skill_name: a\n- skill_name: b\nz: 1\n",
            "jobs: # all\n- skill_name: b\nz: 1\n",
            "jobs: # all\n- skill_name: a\nz: 1\n"
        ),
        "jobs: [] # all\nz: 1\n"
    );
    // Clean line by line (a blank line between), but `m` would be null.
    let conflict = conflicted("a: 1\nm:\n  x: 1\n\n  y: 2\n", "a: 1\nm:\n\n  y: 2\n", "a: 1\nm:\n  x: 1\n\n");
    assert_eq!(conflict.cause, Cause::Meaning);
}

/// The guard: a clean line merge that lost ours' deletion (the two sides'
/// deletions of `a: a` lined up as one) is a conflict, shown as one region.
#[test]
fn clean_line_merge_that_loses_a_change_is_refused() {
    let base = "# header\n\na: a\n\n";
    let ours = "# header\n\n\n";
    let theirs = "a: |\n  one\n\n\n";
    assert_eq!(merge(base, ours, theirs, &lines_opts()), Ok(theirs.to_owned()), "git merges it so");
    let conflict = conflicted(base, ours, theirs);
    assert_eq!(conflict.cause, Cause::Meaning);
    assert_eq!(
        conflict.marked,
        "<<<<<<< latest\n# header\n\n||||||| base\n# header\n\na: a\n=======\na: |\n  one\n\n>>>>>>> new\n\n"
    );
}

/// The guard holds JSON to the same rule: keys added at both ends are a key
/// twice.
#[test]
fn json_key_added_twice_by_a_clean_line_merge_conflicts() {
    let opts = MergeOptions { format: Format::Json, ..yaml_opts() };
    let base = "{\n  \"a\": 1,\n  \"b\": 2\n}\n";
    let ours = "{\n  \"c\": 1,\n  \"a\": 1,\n  \"b\": 2\n}\n";
    let theirs = "{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": 2\n}\n";
    assert!(merge(base, ours, theirs, &lines_opts()).is_ok());
    assert_eq!(merge(base, ours, theirs, &opts).map_err(|c| c.cause), Err(Cause::Meaning));
    let theirs = "{\n  \"a\": 1,\n  \"b\": 3\n}\n";
    assert_eq!(merge(base, ours, theirs, &opts), Ok("{\n  \"c\": 1,\n  \"a\": 1,\n  \"b\": 3\n}\n".to_owned()));
}

/// Documents nested deeper than the parser's limit never reach the
/// structural merge (whose tree recurses): they conflict, without
/// overflowing the stack.
#[test]
fn documents_nested_too_deep_conflict() {
    let deep = "- ".repeat(100_000);
    let (base, ours, theirs) = (format!("{deep}x\n- y\n"), format!("{deep}X\n- y\n"), format!("{deep}x\n- Y\n"));
    assert_eq!(conflicted(&base, &ours, &theirs).cause, Cause::Lines);
}

#[test]
fn git_is_available_for_the_table() {
    assert!(Path::new("/").exists());
    let (clean, text) = git_merge_file("a\n", "a\n", "b\n");
    assert!(clean);
    assert_eq!(text, "b\n");
}

/// Two writers whose edits touch different keys, different nested keys or
/// different entries of a keyed list always merge, and the merged document
/// holds every edit of both: checked against a model of the edits, with the
/// result parsed by `saphyr` (not by the merge's own parser).
mod disjoint_edits {
    use proptest::prelude::*;
    use saphyr::{LoadableYamlNode, YamlOwned};

    use super::{merge, yaml_opts};

    #[derive(Debug, Clone)]
    enum Val {
        Scalar(String),
        Map(Vec<(String, String)>),
        /// `(skill_name, level)` entries.
        List(Vec<(String, String)>),
    }

    type Model = Vec<(String, Val)>;

    #[derive(Debug, Clone)]
    enum Edit {
        SetTop(String, Val),
        DelTop(String),
        AddTop(String, Val),
        SetSub(String, String, String),
        DelSub(String, String),
        AddSub(String, String, String),
    }

    fn entry<'m>(model: &'m mut Model, key: &str) -> Option<&'m mut Val> {
        model.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn apply(model: &mut Model, edit: &Edit) {
        match edit {
            Edit::SetTop(k, v) => *entry(model, k).expect("key") = v.clone(),
            Edit::DelTop(k) => model.retain(|(key, _)| key != k),
            Edit::AddTop(k, v) => model.push((k.clone(), v.clone())),
            Edit::SetSub(k, s, v) => {
                subs(model, k).iter_mut().find(|(name, _)| name == s).expect("sub").1 = v.clone();
            }
            Edit::DelSub(k, s) => subs(model, k).retain(|(name, _)| name != s),
            Edit::AddSub(k, s, v) => subs(model, k).push((s.clone(), v.clone())),
        }
    }

    fn subs<'m>(model: &'m mut Model, key: &str) -> &'m mut Vec<(String, String)> {
        match entry(model, key).expect("key") {
            Val::Map(subs) | Val::List(subs) => subs,
            Val::Scalar(_) => panic!("not a collection"),
        }
    }

    fn emit(model: &Model) -> String {
        let mut out = String::from("# generated\n\n");
        for (key, val) in model {
            out.push_str(&format!("# about {key}\n"));
            match val {
                Val::Scalar(s) => out.push_str(&format!("{key}: {s}\n")),
                Val::Map(subs) => {
                    out.push_str(&format!("{key}:\n"));
                    for (sub, v) in subs {
                        out.push_str(&format!("  {sub}: {v}   # {sub}\n"));
                    }
                }
                Val::List(items) => {
                    out.push_str(&format!("{key}:\n"));
                    for (name, level) in items {
                        out.push_str(&format!("  - skill_name: {name}\n    level: {level}\n"));
                    }
                }
            }
        }
        out
    }

    /// Mappings compared regardless of key order; lists in order.
    fn canon(yaml: &YamlOwned) -> String {
        match yaml {
            YamlOwned::Mapping(map) => {
                let mut entries: Vec<String> = map.iter().map(|(k, v)| format!("{}={}", canon(k), canon(v))).collect();
                entries.sort();
                format!("{{{}}}", entries.join(","))
            }
            YamlOwned::Sequence(items) => {
                format!("[{}]", items.iter().map(canon).collect::<Vec<_>>().join(","))
            }
            other => format!("{other:?}"),
        }
    }

    fn parse(text: &str) -> String {
        let docs = YamlOwned::load_from_str(text).expect("merged text parses");
        assert!(docs.len() <= 1, "one document");
        docs.first().map_or_else(|| "(empty)".to_owned(), canon)
    }

    fn word() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["a", "b", "on", "12", "x y"]).prop_map(str::to_owned)
    }

    fn val() -> impl Strategy<Value = Val> {
        prop_oneof![
            word().prop_map(Val::Scalar),
            prop::collection::vec(word(), 1..4)
                .prop_map(|vs| Val::Map(vs.into_iter().enumerate().map(|(i, v)| (format!("x{i}"), v)).collect())),
            prop::collection::vec(word(), 1..4)
                .prop_map(|vs| Val::List(vs.into_iter().enumerate().map(|(i, v)| (format!("s{i}"), v)).collect())),
        ]
    }

    /// Who may touch what: 0 nobody, 1 ours, 2 theirs, 3 split below.
    fn owners() -> impl Strategy<Value = Vec<(u8, Vec<u8>, u8)>> {
        prop::collection::vec((0..4u8, prop::collection::vec(0..3u8, 4), 0..4u8), 6)
    }

    /// The edits `side` (1 ours, 2 theirs) makes, given who owns what.
    fn edits(base: &Model, owners: &[(u8, Vec<u8>, u8)], side: u8) -> Vec<Edit> {
        let tag = if side == 1 { "o" } else { "t" };
        let mut edits = Vec::new();
        for ((key, val), (owner, subs, action)) in base.iter().zip(owners) {
            if *owner == side {
                edits.push(match action {
                    0 => Edit::DelTop(key.clone()),
                    _ => Edit::SetTop(key.clone(), Val::Scalar(format!("{tag}{action}"))),
                });
            } else if *owner == 3 {
                let (Val::Map(entries) | Val::List(entries)) = val else {
                    continue;
                };
                for (i, (name, _)) in entries.iter().enumerate() {
                    if subs[i % subs.len()] != side {
                        continue;
                    }
                    // Entry 0 stays so that no collection ends up empty.
                    if i > 0 && *action == 0 {
                        edits.push(Edit::DelSub(key.clone(), name.clone()));
                    } else {
                        edits.push(Edit::SetSub(key.clone(), name.clone(), format!("{tag}{i}")));
                    }
                }
                if *action % 2 == side % 2 {
                    edits.push(Edit::AddSub(key.clone(), format!("{tag}new"), tag.to_owned()));
                }
            }
        }
        if owners[0].2 == side {
            edits.push(Edit::AddTop(format!("{tag}_top"), Val::Scalar(tag.to_owned())));
        }
        edits
    }

    proptest! {
        // Failures are reported with their minimal input; no regression file
        // outside `src/merge`.
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn disjoint_edits_merge_and_keep_every_change(
            values in prop::collection::vec(val(), 1..6),
            owners in owners(),
        ) {
            let base: Model = values.into_iter().enumerate().map(|(i, v)| (format!("k{i}"), v)).collect();
            let (mut ours, mut theirs, mut expected) = (base.clone(), base.clone(), base.clone());
            for edit in edits(&base, &owners, 1) {
                apply(&mut ours, &edit);
                apply(&mut expected, &edit);
            }
            for edit in edits(&base, &owners, 2) {
                apply(&mut theirs, &edit);
                apply(&mut expected, &edit);
            }
            // A root emptied by the two writers together is reported as a
            // conflict: nothing would be left to check the merge against.
            prop_assume!(!expected.is_empty());
            let (b, o, t) = (emit(&base), emit(&ours), emit(&theirs));
            let merged = merge(&b, &o, &t, &yaml_opts());
            let merged = match merged {
                Ok(text) => text,
                Err(c) => panic!("conflict:\n{}\nbase:\n{b}\nours:\n{o}\ntheirs:\n{t}", c.marked),
            };
            prop_assert_eq!(parse(&merged), parse(&emit(&expected)), "merged:\n{}", merged);
            // Assembled from the inputs' lines only.
            for line in merged.lines() {
                prop_assert!(o.lines().chain(t.lines()).any(|l| l == line), "stray line {:?}", line);
            }
        }

        #[test]
        fn same_value_changed_two_ways_always_conflicts(
            values in prop::collection::vec(val(), 1..6),
            mut owners in owners(),
            target in 0..6usize,
        ) {
            let base: Model = values.into_iter().enumerate().map(|(i, v)| (format!("k{i}"), v)).collect();
            // Nobody else touches the target; both writers set one value in it.
            let target = target % base.len();
            owners[target].0 = 0;
            let (key, val) = &base[target];
            let clash = |tag: &str| match val {
                Val::Scalar(_) => Edit::SetTop(key.clone(), Val::Scalar(tag.to_owned())),
                Val::Map(subs) | Val::List(subs) => {
                    Edit::SetSub(key.clone(), subs[0].0.clone(), tag.to_owned())
                }
            };
            let (mut ours, mut theirs) = (base.clone(), base.clone());
            for edit in edits(&base, &owners, 1).iter().chain([&clash("OURS")]) {
                apply(&mut ours, edit);
            }
            for edit in edits(&base, &owners, 2).iter().chain([&clash("THEIRS")]) {
                apply(&mut theirs, edit);
            }
            let (b, o, t) = (emit(&base), emit(&ours), emit(&theirs));
            let merged = merge(&b, &o, &t, &yaml_opts());
            prop_assert!(merged.is_err(), "merged:\n{}", merged.unwrap_or_default());
        }
    }
}
