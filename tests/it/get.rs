//! `cfg get`: one value printed, from YAML and JSON, on disk or at a
//! revision, in each format; a missing path exits 8.

use crate::common::Env;

const SCHEDULE: &str = include_str!("../../examples/schedule_config.yml");

#[test]
fn get_prints_one_value_of_a_yaml_file() {
    let env = Env::new();
    env.write("schedule.yml", SCHEDULE).ok();
    assert_eq!(env.cfg(&["get", "schedule.yml", "settings.log_level"]).stdout, "info\n");
    assert_eq!(env.cfg(&["get", "schedule.yml", "schedules[0].tags"]).stdout, "- ops\n- backup\n");
    assert_eq!(
        env.cfg(&["get", "schedule.yml", "schedules[0].tags", "--format", "json"]).stdout,
        "[\n  \"ops\",\n  \"backup\"\n]\n"
    );
    assert_eq!(env.cfg(&["get", "schedule.yml", "schedules[0].schedule", "--format", "raw"]).stdout, "0 2 * * *\n");
    assert_eq!(
        env.cfg(&["get", "schedule.yml", "schedules[0].schedule", "--format", "json"]).stdout,
        "\"0 2 * * *\"\n"
    );
    assert_eq!(env.cfg(&["get", "schedule.yml", "schedules[0].retry_count", "--format", "raw"]).stdout, "2\n");
    assert_eq!(
        env.cfg(&["get", "schedule.yml", "settings"]).stdout,
        "timezone: UTC\nmax_concurrent: 4\nlog_level: info\nenable_metrics: true\n"
    );
}

#[test]
fn get_prints_one_value_of_a_json_file() {
    let env = Env::new();
    env.write("tasks.json", "{\"tasks\": [{\"id\": 1, \"title\": \"a b\"}], \"n\": 1.50}\n").ok();
    assert_eq!(env.cfg(&["get", "tasks.json", "tasks[0].title"]).stdout, "\"a b\"\n");
    assert_eq!(env.cfg(&["get", "tasks.json", "tasks[0].title", "--format", "raw"]).stdout, "a b\n");
    assert_eq!(env.cfg(&["get", "tasks.json", "n"]).stdout, "1.50\n");
    assert_eq!(
        env.cfg(&["get", "tasks.json", "tasks"]).stdout,
        "[\n  {\n    \"id\": 1,\n    \"title\": \"a b\"\n  }\n]\n"
    );
    assert_eq!(env.cfg(&["get", "tasks.json", "tasks", "--format", "yaml"]).stdout, "- id: 1\n  title: a b\n");
    assert_eq!(env.cfg(&["get", "tasks.json", "."]).stdout.lines().count(), 9);
}

#[test]
fn a_missing_path_prints_nothing_and_exits_8_unless_a_default_is_given() {
    let env = Env::new();
    env.write("schedule.yml", SCHEDULE).ok();
    for path in ["settings.nope", "schedules[9]", "version.deeper"] {
        let out = env.cfg(&["get", "schedule.yml", path]);
        out.fails_with(8);
        assert_eq!(out.stdout, "", "{path}");
        assert!(out.stderr.contains("does not exist"), "{}", out.stderr);
    }
    let out = env.cfg(&["get", "schedule.yml", "settings.nope", "--default", "warn"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "warn\n"));
    // The default is only for a missing path.
    assert_eq!(env.cfg(&["get", "schedule.yml", "settings.log_level", "--default", "warn"]).stdout, "info\n");
    env.cfg(&["get", "schedule.yml", "a..b"]).fails_with(2);
    env.cfg(&["get", "missing.yml", "a"]).fails_with(5);
}

#[test]
fn get_reads_a_revision_or_the_file_on_disk() {
    let env = Env::new();
    let first = env.write("s.yml", "level: info\n").ok().to_owned();
    env.cfg(&["set", "s.yml", "level", "debug"]).ok();
    assert_eq!(env.cfg(&["get", "s.yml", "level"]).stdout, "debug\n");
    assert_eq!(env.cfg(&["get", "s.yml", "level", "--rev", &first]).stdout, "info\n");
    assert_eq!(env.cfg(&["get", "s.yml", "level", "--rev", "HEAD~1"]).stdout, "info\n");
    env.cfg(&["get", "s.yml", "level", "--rev", "0123456"]).fails_with(5);
    // An edit not yet recorded is what the file says now.
    env.put("s.yml", "level: warn\n");
    assert_eq!(env.cfg(&["get", "s.yml", "level"]).stdout, "warn\n");
    // No store needed for a file on disk.
    let bare = Env::bare();
    bare.put("c.json", "{\"a\": {\"b\": [true]}}");
    assert_eq!(bare.cfg(&["get", "c.json", "a.b[0]"]).stdout, "true\n");
    bare.cfg(&["get", "c.json", "a", "--rev", "HEAD"]).fails_with(2);
    // A file that does not parse is invalid content, with its position.
    bare.put("bad.yml", "a: [1\n");
    let out = bare.cfg(&["get", "bad.yml", "a"]);
    out.fails_with(1);
    assert!(out.stderr.contains("bad.yml:2:1"), "{}", out.stderr);
}

#[test]
fn tags_are_kept_in_yaml_and_read_untagged_in_json() {
    let env = Env::bare();
    env.put("t.yaml", "Bucket: !Ref Name\nList: !Split [',', x]\nkey: &a 1\nalias: *a\n");
    assert_eq!(env.cfg(&["get", "t.yaml", "Bucket"]).stdout, "!Ref Name\n");
    assert_eq!(env.cfg(&["get", "t.yaml", "Bucket", "--format", "json"]).stdout, "\"Name\"\n");
    assert_eq!(env.cfg(&["get", "t.yaml", "List", "--format", "raw"]).stdout, "[\n  \",\",\n  \"x\"\n]\n");
    assert_eq!(env.cfg(&["get", "t.yaml", "alias"]).stdout, "1\n");
}
