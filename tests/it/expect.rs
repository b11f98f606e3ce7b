//! Conflict detection by expected revision, and three-way merge.

use std::process::Stdio;

use crate::common::{Env, Out};

fn write_expect(env: &Env, file: &str, rev: &str, content: &str, extra: &[&str]) -> Out {
    let mut args = vec!["write", file, "--expect", rev];
    args.extend_from_slice(extra);
    env.cfg_in(&args, content.as_bytes())
}

#[test]
fn unchanged_since_rev_writes_normally() {
    let env = Env::new();
    let rev = env.write("s.yml", "a: 1\n").ok().to_owned();
    env.write("other.yml", "x: 1\n").ok();
    // Another file changing since REV is not a conflict.
    let out = write_expect(&env, "s.yml", &rev, "a: 2\n", &["--no-merge"]);
    out.ok();
    assert_eq!(env.read("s.yml"), "a: 2\n");
    let trailer = env.git(&["log", "-1", "--format=%(trailers:key=Cfg-Expected,valueonly)", "main"]);
    assert_eq!(trailer.trim(), rev);
}

#[test]
fn stale_writer_on_other_lines_merges() {
    let env = Env::new();
    let base = "# schedule\nfirst: 1\nmiddle: keep\nlast: 1\n";
    let rev = env.write("s.yml", base).ok().to_owned();
    let latest = env.write("s.yml", "# schedule\nfirst: 2\nmiddle: keep\nlast: 1\n").ok().to_owned();
    let out = write_expect(&env, "s.yml", &rev, "# schedule\nfirst: 1\nmiddle: keep\nlast: 2\n", &[]);
    let merged_rev = out.ok().to_owned();
    assert!(out.stderr.contains("merged with"), "{}", out.stderr);
    assert_eq!(env.read("s.yml"), "# schedule\nfirst: 2\nmiddle: keep\nlast: 2\n", "both changes are in the file");
    let body = env.git(&["log", "-1", "--format=%B", &merged_rev]);
    assert!(body.contains(&format!("Cfg-Merged-With: {latest}")), "{body}");
    assert!(body.contains(&format!("Cfg-Expected: {rev}")), "{body}");
    assert_eq!(env.git_log().len(), 3, "the merge is one commit");
}

#[test]
fn overlapping_edits_conflict_and_change_nothing() {
    let env = Env::new();
    let rev = env.write("s.yml", "a: 1\nb: 1\n").ok().to_owned();
    env.write("s.yml", "a: 2\nb: 1\n").ok();
    let before = env.git_log();
    let marked = env.dir.path().join("conflict.yml");
    let out = write_expect(&env, "s.yml", &rev, "a: 3\nb: 1\n", &["--conflict-file", marked.to_str().unwrap()]);
    out.fails_with(3);
    assert!(out.stderr.contains("<<<<<<< latest") && out.stderr.contains(">>>>>>> new"), "{}", out.stderr);
    assert!(out.stderr.contains(&format!("||||||| base {}", &rev[..7])), "{}", out.stderr);
    assert_eq!(env.read("s.yml"), "a: 2\nb: 1\n");
    assert_eq!(env.git_log(), before);
    let text = std::fs::read_to_string(&marked).unwrap();
    assert!(text.contains("<<<<<<< latest") && text.contains("a: 2") && text.contains("a: 3"), "{text}");
    // --no-merge: any change since REV is a conflict, even a mergeable one.
    let rev2 = env.write("s.yml", "a: 2\nsep: x\nb: 1\n").ok().to_owned();
    env.write("s.yml", "a: 5\nsep: x\nb: 1\n").ok();
    write_expect(&env, "s.yml", &rev2, "a: 2\nsep: x\nb: 9\n", &["--no-merge"]).fails_with(3);
    write_expect(&env, "s.yml", &rev2, "a: 2\nsep: x\nb: 9\n", &[]).ok();
    assert_eq!(env.read("s.yml"), "a: 5\nsep: x\nb: 9\n");
}

#[test]
fn a_clean_line_merge_that_duplicates_a_key_is_refused() {
    let env = Env::new();
    let rev = env.write("s.yml", "a: 1\nb: 2\nc: 3\n").ok().to_owned();
    env.write("s.yml", "a: 1\nb: 2\nc: 3\nd: latest\n").ok();
    let before = env.git_log();
    // Disjoint line edits, each adding `d`: the line merge is clean, the YAML is not.
    let out = write_expect(&env, "s.yml", &rev, "d: new\na: 1\nb: 2\nc: 3\n", &[]);
    out.fails_with(3);
    // The report is wrapped to the terminal: compare its words.
    let words = out.stderr.split_whitespace().filter(|w| *w != "│").collect::<Vec<_>>().join(" ");
    assert!(words.contains("the changes merge line by line, but the merged document would not hold both"), "{words}");
    assert!(out.stderr.contains("d: latest") && out.stderr.contains("d: new"), "{}", out.stderr);
    assert_eq!(env.git_log(), before);
    assert_eq!(env.read("s.yml"), "a: 1\nb: 2\nc: 3\nd: latest\n");
}

/// Issue 12, item 14: `True` and `true` are one key; the line merge wrote
/// both and exited 0.
#[test]
fn one_key_spelled_two_ways_by_two_writers_conflicts() {
    let env = Env::new();
    let rev = env.write("s.yml", "a: 1\nb: 2\n").ok().to_owned();
    env.write("s.yml", "True: latest\na: 1\nb: 2\n").ok();
    let before = env.git_log();
    let out = write_expect(&env, "s.yml", &rev, "a: 1\nb: 2\ntrue: new\n", &[]);
    out.fails_with(3);
    assert!(out.stderr.contains("<<<<<<< latest") && out.stderr.contains(">>>>>>> new"), "{}", out.stderr);
    assert_eq!(env.read("s.yml"), "True: latest\na: 1\nb: 2\n");
    assert_eq!(env.git_log(), before);
}

/// Issue 12, item 15: with the built-in schedule schema (`x-merge-key:
/// skill_name`), `job1` and `"job1"` added by two writers were one job
/// scheduled twice.
#[test]
fn a_job_added_by_two_writers_quoted_differently_conflicts() {
    let env = Env::new();
    env.put(".cfg.yaml", "schemas:\n  'schedule_config.yml': builtin:schedule\n");
    let base = "version: 1.0.0\nschedules:\n  - skill_name: backup\n    schedule: \"0 2 * * *\"\n    params: {}\n";
    let rev = env.write("schedule_config.yml", base).ok().to_owned();
    let job = |name: &str, at: &str| format!("  - skill_name: {name}\n    schedule: \"{at}\"\n    params: {{}}\n");
    let latest = format!("{base}{}", job("job1", "0 3 * * *"));
    env.write("schedule_config.yml", &latest).ok();
    let out = write_expect(&env, "schedule_config.yml", &rev, &format!("{base}{}", job("\"job1\"", "0 4 * * *")), &[]);
    out.fails_with(3);
    assert_eq!(env.read("schedule_config.yml"), latest);
    // Added by one writer only, quoted or not, it merges as one job.
    let rev = env.cfg(&["rev", "schedule_config.yml"]).ok().to_owned();
    let quoted = latest.replace("skill_name: job1", "skill_name: \"job1\"");
    env.write("schedule_config.yml", &quoted).ok();
    let new = format!("{latest}{}", job("job2", "0 5 * * *"));
    write_expect(&env, "schedule_config.yml", &rev, &new.replace("\"0 2 * * *\"", "\"0 1 * * *\""), &[]).ok();
    let merged = env.read("schedule_config.yml");
    assert_eq!(merged.matches("job1").count(), 1, "{merged}");
    assert!(
        merged.contains("skill_name: \"job1\"") && merged.contains("job2") && merged.contains("0 1 * * *"),
        "{merged}"
    );
}

/// Issue 12, item 12: a block scalar ending a file without a final newline
/// would have gained one (`"text"` read as `"text\n"` by YAML readers).
#[test]
fn block_scalar_at_the_end_of_a_file_without_newline_keeps_its_value() {
    let env = Env::new();
    let rev = env.write("s.yml", "a: 1\nb: >\n  text").ok().to_owned();
    env.write("s.yml", "a: 2\nb: >\n  text").ok();
    let out = write_expect(&env, "s.yml", &rev, "a: 1\nc: 3\nb: >\n  text", &[]);
    out.fails_with(3);
    assert_eq!(env.read("s.yml"), "a: 2\nb: >\n  text");
}

#[test]
fn expect_none_creates_only() {
    let env = Env::new();
    write_expect(&env, "new.yml", "none", "a: 1\n", &[]).ok();
    write_expect(&env, "new.yml", "none", "a: 2\n", &[]).fails_with(3);
    // On disk but not yet in the store counts as existing too.
    env.put("disk.yml", "a: 1\n");
    write_expect(&env, "disk.yml", "none", "a: 2\n", &[]).fails_with(3);
    assert_eq!(env.read("disk.yml"), "a: 1\n");
    assert_eq!(env.read("new.yml"), "a: 1\n");
}

#[test]
fn unknown_expected_rev_is_exit_5() {
    let env = Env::new();
    env.write("s.yml", "a: 1\n").ok();
    let out = write_expect(&env, "s.yml", "0123456789abcdef0123456789abcdef01234567", "a: 2\n", &[]);
    out.fails_with(5);
    assert!(out.stderr.contains("not in the store") && !out.stderr.contains("pruned"), "{}", out.stderr);
    assert_eq!(env.read("s.yml"), "a: 1\n");
}

#[test]
fn cat_print_rev_gives_content_and_revision() {
    let env = Env::new();
    let rev = env.write("s.yml", "a: 1\n").ok().to_owned();
    let out = env.cfg(&["cat", "s.yml", "--print-rev"]);
    assert_eq!(out.ok(), "a: 1");
    assert_eq!(out.stderr.trim(), rev);
}

#[test]
fn keys_added_at_the_end_of_the_same_mapping_merge() {
    let env = Env::new();
    let base = "settings:\n  timezone: UTC  # keep this comment\n  log_level: info\nschedules: []\n";
    let rev = env.write("s.yml", base).ok().to_owned();
    env.write(
        "s.yml",
        "settings:\n  timezone: UTC  # keep this comment\n  log_level: info\n  max_concurrent: 4\nschedules: []\n",
    )
    .ok();
    let out = write_expect(
        &env,
        "s.yml",
        &rev,
        "settings:\n  timezone: UTC  # keep this comment\n  log_level: info\n  enable_metrics: true\nschedules: []\n",
        &[],
    );
    out.ok();
    assert_eq!(
        env.read("s.yml"),
        "settings:\n  timezone: UTC  # keep this comment\n  log_level: info\n  max_concurrent: 4\n  enable_metrics: true\nschedules: []\n"
    );
}

#[test]
fn the_same_key_set_to_two_values_conflicts() {
    let env = Env::new();
    let rev = env.write("s.yml", "settings:\n  log_level: info\n").ok().to_owned();
    env.write("s.yml", "settings:\n  log_level: debug\n").ok();
    write_expect(&env, "s.yml", &rev, "settings:\n  log_level: error\n", &[]).fails_with(3);
    assert_eq!(env.read("s.yml"), "settings:\n  log_level: debug\n");
}

#[test]
fn restore_takes_expect() {
    let env = Env::new();
    let first = env.write("s.yml", "a: 1\n").ok().to_owned();
    let second = env.write("s.yml", "a: 2\n").ok().to_owned();
    env.write("s.yml", "a: 3\n").ok();
    env.cfg(&["restore", &first, "--expect", &second, "--no-merge"]).fails_with(3);
    assert_eq!(env.read("s.yml"), "a: 3\n");
    let head = env.git_log()[0].clone();
    env.cfg(&["restore", &first, "--expect", &head]).ok();
    assert_eq!(env.read("s.yml"), "a: 1\n");
}

/// Two writers race with the same revision, 100 rounds: never do both succeed
/// without one merging the other's change, and no increment is lost.
#[test]
fn racing_writers_with_the_same_rev_lose_nothing() {
    let env = Env::new();
    let rounds: u32 = std::env::var("CFG_RACE_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    env.write("counters.yml", "a: 0\nseparator: keeps the lines apart\nb: 0\n").ok();
    let (mut merges, mut conflicts, mut both_plain) = (0, 0, 0);
    for _ in 0..rounds {
        let rev = env.cfg(&["rev", "counters.yml"]).ok().to_owned();
        let current = env.read("counters.yml");
        let value = |key: &str| -> u32 {
            current.lines().find_map(|l| l.strip_prefix(&format!("{key}: "))).unwrap().parse().unwrap()
        };
        let (a, b) = (value("a"), value("b"));
        let contents = [
            format!("a: {}\nseparator: keeps the lines apart\nb: {b}\n", a + 1),
            format!("a: {a}\nseparator: keeps the lines apart\nb: {}\n", b + 1),
        ];
        let children: Vec<_> = contents
            .iter()
            .map(|content| {
                let mut command = env.command();
                command
                    .args(["write", "counters.yml", "--expect", &rev])
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped());
                let mut child = command.spawn().unwrap();
                use std::io::Write;
                child.stdin.take().unwrap().write_all(content.as_bytes()).unwrap();
                child
            })
            .collect();
        let outs: Vec<Out> = children.into_iter().map(|c| c.wait_with_output().unwrap().into()).collect();
        let merged = outs.iter().filter(|o| o.stderr.contains("merged with")).count();
        let succeeded = outs.iter().filter(|o| o.code == 0).count();
        for out in &outs {
            assert!(out.code == 0 || out.code == 3, "{out:#?}");
            conflicts += usize::from(out.code == 3);
        }
        merges += merged;
        if succeeded == 2 && merged == 0 {
            both_plain += 1;
        }
    }
    let final_text = env.read("counters.yml");
    eprintln!("race: {rounds} rounds, {merges} merges, {conflicts} conflicts");
    assert_eq!(both_plain, 0, "both writers succeeded without a merge");
    assert_eq!(final_text, format!("a: {rounds}\nseparator: keeps the lines apart\nb: {rounds}\n"), "lost updates");
    assert_eq!(merges as u32, rounds, "every round, the second writer merged");
}

/// A read-modify-write loop on one value uses `--no-merge`: two writers that
/// both turn `n: 5` into `n: 6` made the same edit, which a merge accepts as
/// one change. With `--no-merge` the loser gets exit 3, re-reads and retries,
/// and every increment lands.
#[test]
fn racing_writers_on_one_line_retry_until_all_land() {
    let env = Env::new();
    env.write("n.yml", "n: 0\n").ok();
    let per_writer = 15;
    let writers: Vec<_> = (0..2)
        .map(|_| {
            let mut command = std::process::Command::new("sh");
            crate::common::hermetic(&mut command, env.dir.path());
            command.current_dir(&env.root).env("CFG_AUTHOR", crate::common::AUTHOR).args([
                "-c",
                r#"cfg=$0; i=0; while [ $i -lt $1 ]; do
                     rev=$("$cfg" rev n.yml); n=$("$cfg" cat n.yml --rev "$rev" | sed 's/n: //')
                     if echo "n: $((n + 1))" | "$cfg" write n.yml --expect "$rev" --no-merge >/dev/null 2>&1; then i=$((i + 1));
                     else [ $? -eq 3 ] || exit 9; fi
                   done"#,
                crate::common::cfg_bin(),
                &per_writer.to_string(),
            ]);
            command.spawn().unwrap()
        })
        .collect();
    for mut writer in writers {
        assert!(writer.wait().unwrap().success());
    }
    assert_eq!(env.read("n.yml"), format!("n: {}\n", 2 * per_writer));
}
