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
    env.write("c.json", "{\"a\": 1}\n").ok();
    let before = env.git_log();
    let out = env.cfg(&["set", "s.yml", "schedules[0].tags[0]", "x"]);
    out.fails_with(2);
    assert!(out.stderr.contains("flow list"), "{}", out.stderr);
    env.cfg(&["set", "c.json", "a", "2"]).fails_with(2);
    env.cfg(&["set", "s.yml", "version.x", "1"]).fails_with(2);
    env.cfg(&["set", "s.yml", "version", "[unclosed"]).fails_with(2);
    env.cfg(&["set", "s.yml", "a..b", "1"]).fails_with(2);
    assert_eq!(env.git_log(), before);
    assert_eq!(env.read("s.yml"), SCHEDULE);
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
