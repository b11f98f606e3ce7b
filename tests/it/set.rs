//! `cfg set`, `unset` and `append`: one value changes, every other byte of the
//! file stays as it was, through the one write path.

use crate::common::Env;

const SCHEDULE: &str = include_str!("../../examples/schedule_config.yml");

#[test]
fn set_changes_one_value_and_keeps_every_other_byte() {
    let env = Env::new();
    env.write("schedule.yml", SCHEDULE).ok();
    let rev = env.cfg(&["set", "schedule.yml", "settings.log_level", "debug"]).ok().to_owned();
    let expected = SCHEDULE.replacen("  log_level: info\n", "  log_level: debug\n", 1);
    assert_ne!(expected, SCHEDULE);
    assert_eq!(env.read("schedule.yml"), expected, "only that value changed");
    assert_eq!(env.git_log()[0], rev);
    assert_eq!(env.git(&["show", "main:schedule.yml"]), expected);
    let message = env.git(&["log", "-1", "--format=%s", "main"]);
    assert_eq!(message.trim(), "set settings.log_level in schedule.yml");

    // An indexed path, a quoted value with a comment after it on the line.
    env.cfg(&["set", "schedule.yml", "schedules[2].schedule", "'*/5 * * * *'"]).ok();
    let expected = expected.replacen(
        "    schedule: \"*/15 * * * *\"       # every 15 minutes\n",
        "    schedule: '*/5 * * * *'       # every 15 minutes\n",
        1,
    );
    assert_eq!(env.read("schedule.yml"), expected);

    // A missing key is created at the end of its mapping.
    env.cfg(&["set", "schedule.yml", "schedules[1].params.compress", "true"]).ok();
    let expected = expected.replacen("      keep: 7\n", "      keep: 7\n      compress: true\n", 1);
    assert_eq!(env.read("schedule.yml"), expected);

    // The same value again: no commit.
    let before = env.git_log();
    let out = env.cfg(&["set", "schedule.yml", "schedules[1].params.compress", "true"]);
    out.ok();
    assert!(out.stderr.contains("no commit"), "{}", out.stderr);
    assert_eq!(env.git_log(), before);
}

#[test]
fn unset_removes_only_its_lines() {
    let env = Env::new();
    env.write("schedule.yml", SCHEDULE).ok();
    env.cfg(&["unset", "schedule.yml", "schedules[0].notification"]).ok();
    let expected =
        SCHEDULE.replacen("    notification:\n      on_failure: true\n      channels: [email, slack]\n", "", 1);
    assert_eq!(env.read("schedule.yml"), expected);
    env.cfg(&["unset", "schedule.yml", "schedules[1]"]).ok();
    let start = expected.find("  - skill_name: rotate-logs").unwrap();
    let end = expected.find("  - skill_name: sync-metrics").unwrap();
    let expected = format!("{}{}", &expected[..start], &expected[end..]);
    assert_eq!(env.read("schedule.yml"), expected);
    let out = env.cfg(&["unset", "schedule.yml", "settings.nope"]);
    out.fails_with(2);
    assert!(out.stderr.contains("`settings.nope` does not exist"), "{}", out.stderr);
}

#[test]
fn append_adds_an_event_and_keeps_the_rest() {
    let env = Env::new();
    let events = "# deploy log, oldest first\nevents:\n  - at: 2024-05-01T10:00:00Z\n    what: deploy v1\n";
    env.write("events.yaml", events).ok();
    env.cfg_in(&["append", "events.yaml", "events"], b"at: 2024-05-02T09:30:00Z\nwhat: deploy v2\n").ok();
    let expected = format!("{events}  - at: 2024-05-02T09:30:00Z\n    what: deploy v2\n");
    assert_eq!(env.read("events.yaml"), expected);
    // The value as an argument; a new list under a new key.
    env.cfg(&["append", "events.yaml", "tags", "release"]).ok();
    assert_eq!(env.read("events.yaml"), format!("{expected}tags:\n  - release\n"));
}

#[test]
fn concurrent_appends_are_all_kept() {
    let env = Env::new();
    env.write("events.yaml", "events:\n  - n: 0\n").ok();
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let mut command = env.command();
            let script = (0..5)
                .map(|i| format!("\"$0\" append events.yaml events 'n: {}' >/dev/null || exit 1", w * 100 + i + 1))
                .collect::<Vec<_>>()
                .join("\n");
            command.env("CFG_BIN", crate::common::cfg_bin());
            std::process::Command::new("sh")
                .arg("-c")
                .arg(script)
                .arg(crate::common::cfg_bin())
                .current_dir(&env.root)
                .envs(command.get_envs().filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))))
                .spawn()
                .unwrap()
        })
        .collect();
    for mut writer in writers {
        assert!(writer.wait().unwrap().success());
    }
    let text = env.read("events.yaml");
    for w in 0..4 {
        for i in 0..5 {
            let line = format!("  - n: {}\n", w * 100 + i + 1);
            assert!(text.contains(&line), "{line} lost:\n{text}");
        }
    }
    assert_eq!(text.lines().count(), 22);
    assert_eq!(env.git_log().len(), 21);
}

#[test]
fn set_with_a_stale_expect_merges_or_conflicts() {
    let env = Env::new();
    let rev = env.write("s.yml", "a: 1\nsep: x\nb: 1\n").ok().to_owned();
    env.cfg(&["set", "s.yml", "a", "2"]).ok();
    // Applied to the file at REV, then merged with the change since.
    let out = env.cfg(&["set", "s.yml", "b", "2", "--expect", &rev]);
    out.ok();
    assert!(out.stderr.contains("merged with"), "{}", out.stderr);
    assert_eq!(env.read("s.yml"), "a: 2\nsep: x\nb: 2\n");
    env.cfg(&["set", "s.yml", "a", "3", "--expect", &rev]).fails_with(3);
    env.cfg(&["set", "s.yml", "b", "3", "--expect", &rev, "--no-merge"]).fails_with(3);
    assert_eq!(env.read("s.yml"), "a: 2\nsep: x\nb: 2\n");
}

#[test]
fn refused_edits_write_nothing() {
    let env = Env::new();
    env.write("s.yml", SCHEDULE).ok();
    env.write("a.yml", "base: &b {x: 1}\nuse: *b\n").ok();
    let before = env.git_log();
    let out = env.cfg(&["set", "a.yml", "base", "{x: 2}"]);
    out.fails_with(2);
    assert!(out.stderr.contains("anchor"), "{}", out.stderr);
    env.cfg(&["unset", "a.yml", "base"]).fails_with(2);
    let out = env.cfg(&["set", "a.yml", "use.x", "2"]);
    out.fails_with(2);
    assert!(out.stderr.contains("through an alias"), "{}", out.stderr);
    env.cfg(&["set", "s.yml", "version.x", "1"]).fails_with(2);
    env.cfg(&["set", "s.yml", "version", "[unclosed"]).fails_with(2);
    env.cfg(&["set", "s.yml", "a..b", "1"]).fails_with(2);
    assert_eq!(env.git_log(), before);
    assert_eq!(env.read("s.yml"), SCHEDULE);
    // A stream of documents (put there outside cfg) is left as it is.
    env.put("docs.yml", "a: 1\n---\nb: 2\n");
    let out = env.cfg(&["set", "docs.yml", "a", "2"]);
    out.fails_with(2);
    assert!(out.stderr.contains("several YAML documents"), "{}", out.stderr);
    assert_eq!(env.read("docs.yml"), "a: 1\n---\nb: 2\n");
}

#[test]
fn set_validates_the_result() {
    let env = Env::new();
    std::fs::write(env.path(".cfg.yaml"), "schemas:\n  \"*.yml\": builtin:schedule\n").unwrap();
    env.write("schedule.yml", SCHEDULE).ok();
    let before = env.git_log();
    let out = env.cfg(&["set", "schedule.yml", "schedules[0].schedule", "'not a cron'"]);
    out.fails_with(1);
    assert_eq!(env.read("schedule.yml"), SCHEDULE);
    assert_eq!(env.git_log(), before);
}

const TASKS: &str = r#"{
  "name": "tasks",
  "tasks": [
    {"id": 1, "title": "backup"},
    {"id": 2, "title": "rotate"}
  ],
  "owners": []
}
"#;

#[test]
fn json_files_take_set_unset_and_append_in_their_own_layout() {
    let env = Env::new();
    env.write("tasks.json", TASKS).ok();
    env.cfg(&["append", "tasks.json", "tasks", r#"{"id": 3, "title": "sync"}"#]).ok();
    let expected = TASKS.replace("\"rotate\"}\n", "\"rotate\"},\n    {\"id\": 3, \"title\": \"sync\"}\n");
    assert_eq!(env.read("tasks.json"), expected);
    // A value given as YAML is written as JSON.
    env.cfg(&["set", "tasks.json", "tasks[0].title", "nightly backup"]).ok();
    let expected = expected.replace("\"backup\"", "\"nightly backup\"");
    assert_eq!(env.read("tasks.json"), expected);
    env.cfg(&["set", "tasks.json", "settings.retries", "3"]).ok();
    let expected =
        expected.replace("  \"owners\": []\n", "  \"owners\": [],\n  \"settings\": {\n    \"retries\": 3\n  }\n");
    assert_eq!(env.read("tasks.json"), expected);
    env.cfg(&["append", "tasks.json", "owners", "ops"]).ok();
    let expected = expected.replace("\"owners\": []", "\"owners\": [\n    \"ops\"\n  ]");
    assert_eq!(env.read("tasks.json"), expected);
    env.cfg(&["unset", "tasks.json", "tasks[1]"]).ok();
    let expected = expected.replace("    {\"id\": 2, \"title\": \"rotate\"},\n", "");
    assert_eq!(env.read("tasks.json"), expected);
    serde_json::from_str::<serde_json::Value>(&env.read("tasks.json")).unwrap();
    assert_eq!(env.git(&["show", "main:tasks.json"]), expected);
    // What JSON cannot hold is refused, nothing written.
    let out = env.cfg(&["set", "tasks.json", "name", "!Ref other"]);
    out.fails_with(2);
    assert!(out.stderr.contains("`!Ref`"), "{}", out.stderr);
    assert_eq!(env.read("tasks.json"), expected);
}

#[test]
fn minified_json_stays_minified() {
    let env = Env::new();
    env.write("m.json", r#"{"a":[1,2],"b":{"c":true}}"#).ok();
    env.cfg(&["append", "m.json", "a", "3"]).ok();
    env.cfg(&["set", "m.json", "b.d", "x: 1"]).ok();
    assert_eq!(env.read("m.json"), r#"{"a":[1,2,3],"b":{"c":true,"d":{"x":1}}}"#);
}

#[test]
fn flow_lists_in_yaml_grow_in_place() {
    let env = Env::new();
    env.write("schedule.yml", SCHEDULE).ok();
    env.cfg(&["append", "schedule.yml", "schedules[0].tags", "nightly"]).ok();
    let expected = SCHEDULE.replacen("tags: [ops, backup]", "tags: [ops, backup, nightly]", 1);
    assert_eq!(env.read("schedule.yml"), expected);
    env.cfg(&["set", "schedule.yml", "schedules[0].notification.channels[1]", "pager, sms"]).ok();
    let expected = expected.replacen("channels: [email, slack]", "channels: [email, \"pager, sms\"]", 1);
    assert_eq!(env.read("schedule.yml"), expected);
    env.cfg(&["unset", "schedule.yml", "schedules[1].tags[0]"]).ok();
    let expected =
        expected.replacen("    tags: [ops]\n    timeout_seconds: 600", "    tags: []\n    timeout_seconds: 600", 1);
    assert_eq!(env.read("schedule.yml"), expected);
}

/// The seed's scenario (`tasks.json`: "instance A adds task #30, instance B
/// adds task #31, task #30 lost"), both ways at once: 8 processes append
/// through `cfg append`, 8 more read the file with its revision, add a task
/// to the text they read and write it back with `--expect`. An append is
/// applied to the latest version under the lock; a stale read-modify-write is
/// merged three-way on the JSON tree. None is lost, none conflicts, and the
/// file stays valid JSON in its layout.
#[test]
fn concurrent_appends_and_expect_writes_to_a_json_array_are_all_kept() {
    const WRITERS: usize = 8;
    const TASKS: usize = 25;
    let env = Env::new();
    let start = "{\n  \"tasks\": [\n    {\"id\": 0}\n  ]\n}\n";
    env.write("tasks.json", start).ok();
    let scratch = env.dir.path();
    // Adds `{"id": N}` after the last task of the text read: the line before
    // the array's closing bracket gains a comma.
    let add_task = r#"awk -v id="$ID" '$0 == "  ]" { print prev ","; print "    {\"id\": " id "}"; prev = $0; next } NR > 1 { print prev } { prev = $0 } END { print prev }'"#;
    let script = |w: usize| {
        (0..TASKS)
            .map(|i| {
                let id = 1000 * (w + 1) + i;
                if w < WRITERS {
                    format!(
                        "\"$0\" --lock-timeout 300s append tasks.json tasks '{{\"id\": {id}}}' >/dev/null || exit 1"
                    )
                } else {
                    let read = scratch.join(format!("read-{w}"));
                    let rev = scratch.join(format!("rev-{w}"));
                    let new = scratch.join(format!("new-{w}"));
                    let (read, rev, new) = (read.display(), rev.display(), new.display());
                    format!(
                        "\"$0\" cat tasks.json --print-rev >'{read}' 2>'{rev}' || exit 1\n\
                         ID={id}; {add_task} <'{read}' >'{new}' || exit 1\n\
                         \"$0\" --lock-timeout 300s write tasks.json --expect \"$(cat '{rev}')\" -i '{new}' >/dev/null || exit 1"
                    )
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let command = env.command();
    let writers: Vec<_> = (0..2 * WRITERS)
        .map(|w| {
            std::process::Command::new("sh")
                .arg("-c")
                .arg(script(w))
                .arg(crate::common::cfg_bin())
                .current_dir(&env.root)
                .envs(command.get_envs().filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))))
                .spawn()
                .unwrap()
        })
        .collect();
    for (w, mut writer) in writers.into_iter().enumerate() {
        let kind = if w < WRITERS { "an append" } else { "a write with --expect" };
        assert!(writer.wait().unwrap().success(), "{kind} failed (writer {w})");
    }
    let text = env.read("tasks.json");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let tasks = value["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 1 + 2 * WRITERS * TASKS);
    let mut ids: Vec<u64> = tasks.iter().map(|t| t["id"].as_u64().unwrap()).collect();
    ids.sort_unstable();
    let mut expected: Vec<u64> =
        (0..2 * WRITERS).flat_map(|w| (0..TASKS).map(move |i| (1000 * (w + 1) + i) as u64)).collect();
    expected.push(0);
    expected.sort_unstable();
    assert_eq!(ids, expected);
    // The original layout: one task a line, at the first one's indentation.
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[..3], ["{", "  \"tasks\": [", "    {\"id\": 0},"]);
    assert_eq!(lines[lines.len() - 2..], ["  ]", "}"]);
    for line in &lines[2..lines.len() - 3] {
        assert!(line.starts_with("    {\"id\": ") && line.ends_with("},"), "{line:?}");
    }
    assert_eq!(env.git_log().len(), 1 + 2 * WRITERS * TASKS, "one commit per task");
    env.fsck();
}

#[test]
fn nesting_too_deep_is_a_clear_error_not_a_crash() {
    let env = Env::new();
    env.write("s.yml", "a: 1\n").ok();
    let deep = "- ".repeat(100_000) + "x\n";
    let out = env.cfg_in(&["set", "s.yml", "a", "-"], deep.as_bytes());
    out.fails_with(2);
    assert!(out.stderr.contains("deeper than 128"), "{}", out.stderr);
    let out = env.cfg_in(&["append", "s.yml", "list"], ("[".repeat(100_000) + &"]".repeat(100_000)).as_bytes());
    out.fails_with(2);
    assert!(out.stderr.contains("deeper than"), "{}", out.stderr);
    assert_eq!(env.read("s.yml"), "a: 1\n");
    // A file nested too deep is invalid content.
    env.put("deep.yml", &deep);
    let out = env.cfg(&["append", "deep.yml", ".", "x"]);
    out.fails_with(1);
    assert!(out.stderr.contains("deeper than 128"), "{}", out.stderr);
    assert_eq!(env.read("deep.yml"), deep);
}

/// Each layout through the real binary: the file compared byte for byte.
#[test]
fn every_layout_keeps_its_bytes() {
    let env = Env::new();
    let cases: &[(&str, &str, &[&str], &str)] = &[
        (
            "four.json",
            "{\n    \"jobs\": [\n        {\n            \"id\": 1\n        }\n    ]\n}\n",
            &["append", "four.json", "jobs", "id: 2"],
            "{\n    \"jobs\": [\n        {\n            \"id\": 1\n        },\n        {\n            \"id\": 2\n        }\n    ]\n}\n",
        ),
        (
            "tabs.json",
            "{\n\t\"a\": {\n\t\t\"b\": 1\n\t}\n}\n",
            &["set", "tabs.json", "a.c", "[1, 2]"],
            "{\n\t\"a\": {\n\t\t\"b\": 1,\n\t\t\"c\": [\n\t\t\t1,\n\t\t\t2\n\t\t]\n\t}\n}\n",
        ),
        (
            "crlf.json",
            "{\r\n  \"a\": [\r\n    1\r\n  ],\r\n  \"b\": 2\r\n}\r\n",
            &["unset", "crlf.json", "b"],
            "{\r\n  \"a\": [\r\n    1\r\n  ]\r\n}\r\n",
        ),
        ("top.json", "[1, 2]\n", &["append", "top.json", ".", "3"], "[1, 2, 3]\n"),
        ("top.json", "[1, 2, 3]\n", &["unset", "top.json", "[0]"], "[2, 3]\n"),
        ("empty.json", "{}\n", &["set", "empty.json", "a.b", "x"], "{\"a\": {\"b\": \"x\"}}\n"),
        (
            "flow.yml",
            "jobs:\n  - name: a\n    on: {days: [mon, tue], at: '02:00'}  # keep\n",
            &["append", "flow.yml", "jobs[0].on.days", "wed"],
            "jobs:\n  - name: a\n    on: {days: [mon, tue, wed], at: '02:00'}  # keep\n",
        ),
        (
            "lines.yml",
            "allow: [\n  10.0.0.1,  # office\n  10.0.0.2,\n]\n",
            &["append", "lines.yml", "allow", "10.0.0.3"],
            "allow: [\n  10.0.0.1,  # office\n  10.0.0.2,\n  10.0.0.3,\n]\n",
        ),
        (
            "crlf.yml",
            "m: {a: 1}\r\nl:\r\n  - x\r\n",
            &["set", "crlf.yml", "m.b", "2"],
            "m: {a: 1, b: 2}\r\nl:\r\n  - x\r\n",
        ),
    ];
    for (file, content, args, expected) in cases {
        env.write(file, content).ok();
        env.cfg(args).ok();
        assert_eq!(env.read(file), *expected, "{args:?}");
        assert_eq!(env.git(&["show", &format!("main:{file}")]), *expected, "{args:?}");
    }
}
