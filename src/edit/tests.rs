//! Edits on real-looking files: exact expected text, then laws checked by
//! proptest (set then get returns the value; untouched lines stay identical).

use super::*;

const SCHEDULE: &str = "\
# Scheduled jobs, run by the scheduler service.
version: 1.2.0
settings:
  timezone: UTC
  log_level: info   # debug when investigating
  enable_metrics: true
schedules:
  - skill_name: backup-database
    schedule: \"0 2 * * *\"          # every night at 02:00
    enabled: true
    tags: [ops, backup]
  - skill_name: rotate-logs
    schedule: '@daily'
    enabled: true

  # metrics every 15 minutes
  - skill_name: sync-metrics
    enabled: false
    params:
      endpoint: http://metrics.internal:9090
";

fn scalar(s: &str) -> Value {
    Value::Scalar { value: s.into(), plain: true, tag: None }
}

#[track_caller]
fn check_set(text: &str, path: &str, value: &str, expected: &str) {
    let out = set(text, path, value).unwrap_or_else(|e| panic!("set {path} {value:?}: {e}"));
    assert_eq!(out, expected, "set {path} {value:?}");
}

#[test]
fn set_replaces_a_scalar_and_keeps_its_comment() {
    let out = set(SCHEDULE, "settings.log_level", "debug").unwrap();
    assert_eq!(out, SCHEDULE.replace("log_level: info   #", "log_level: debug   #"));
    let out = set(SCHEDULE, "schedules[2].enabled", "true").unwrap();
    assert_eq!(out, SCHEDULE.replace("    enabled: false\n", "    enabled: true\n"));
    let out = set(SCHEDULE, "schedules[0].schedule", "'0 3 * * *'").unwrap();
    assert_eq!(out, SCHEDULE.replace("\"0 2 * * *\"          #", "'0 3 * * *'          #"));
    assert_eq!(
        get(&out, "schedules[0].schedule").unwrap(),
        Some(Value::Scalar { value: "0 3 * * *".into(), plain: false, tag: None })
    );
}

#[test]
fn set_replaces_flow_and_block_values() {
    let out = set(SCHEDULE, "schedules[0].tags", "[ops]").unwrap();
    assert_eq!(out, SCHEDULE.replace("tags: [ops, backup]", "tags: [ops]"));
    let out = set(SCHEDULE, "schedules[0].tags", "- ops\n- db").unwrap();
    assert_eq!(out, SCHEDULE.replace("tags: [ops, backup]", "tags:\n      - ops\n      - db"));
    let out = set(SCHEDULE, "schedules[2].params", "{}").unwrap();
    assert_eq!(out, SCHEDULE.replace("params:\n      endpoint: http://metrics.internal:9090", "params: {}"));
    let out = set(SCHEDULE, "schedules[2].params", "endpoint: x\nretries: 3").unwrap();
    assert_eq!(
        out,
        SCHEDULE.replace("      endpoint: http://metrics.internal:9090\n", "      endpoint: x\n      retries: 3\n")
    );
    check_set("a: |\n  x\n  y\nb: 2\n", "a", "z", "a: z\nb: 2\n");
    check_set("a: z\nb: 2\n", "a", "|\n  x\n  y\n", "a: |\n  x\n  y\nb: 2\n");
    check_set("a:\n  - 1\n  - 2\nb: 2\n", "a", "3", "a: 3\nb: 2\n");
    check_set("a: # note\n  - 1\nb: 2\n", "a", "x: 1", "a: # note\n  x: 1\nb: 2\n");
}

#[test]
fn set_creates_missing_keys() {
    let out = set(SCHEDULE, "settings.max_concurrent", "4").unwrap();
    assert_eq!(out, SCHEDULE.replace("  enable_metrics: true\n", "  enable_metrics: true\n  max_concurrent: 4\n"));
    let out = set(SCHEDULE, "schedules[1].params.keep", "7").unwrap();
    assert_eq!(out, SCHEDULE.replace("    enabled: true\n\n", "    enabled: true\n    params:\n      keep: 7\n\n"));
    check_set("a: 1", "b", "2", "a: 1\nb: 2");
    check_set("", "a.b", "1", "a:\n  b: 1\n");
    check_set("# empty\n", "a", "1", "# empty\na: 1\n");
    check_set("a:\nb: 1\n", "a.c", "x", "a:\n  c: x\nb: 1\n");
    check_set("a: {}\n", "a.c", "x", "a:\n  c: x\n");
    check_set("a: 1\n", "needs quoting.x", "1", "a: 1\n\"needs quoting\":\n  x: 1\n");
    check_set("a: 1\n", "true", "1", "a: 1\n\"true\": 1\n");
    check_set("- a: 1\n", "[0].b", "2", "- a: 1\n  b: 2\n");
}

#[test]
fn unset_removes_entries_and_items() {
    let out = unset(SCHEDULE, "settings.log_level").unwrap();
    assert_eq!(out, SCHEDULE.replace("  log_level: info   # debug when investigating\n", ""));
    let out = unset(SCHEDULE, "schedules[1]").unwrap();
    assert_eq!(out, SCHEDULE.replace("  - skill_name: rotate-logs\n    schedule: '@daily'\n    enabled: true\n", ""));
    let out = unset(SCHEDULE, "schedules[2].params").unwrap();
    assert_eq!(out, SCHEDULE.replace("    params:\n      endpoint: http://metrics.internal:9090\n", ""));
    // The compact first key of a list item: the next key moves up.
    let out = unset(SCHEDULE, "schedules[1].skill_name").unwrap();
    assert_eq!(out, SCHEDULE.replace("  - skill_name: rotate-logs\n    schedule:", "  - schedule:"));
    // The last child: an empty collection keeps the type.
    assert_eq!(unset("a:\n  b: 1\nc: 2\n", "a.b").unwrap(), "a: {}\nc: 2\n");
    assert_eq!(unset("a:\n  - 1\nc: 2\n", "a[0]").unwrap(), "a: []\nc: 2\n");
    assert_eq!(unset("a: 1\nb: 2", "b").unwrap(), "a: 1\n");
    assert_eq!(unset(SCHEDULE, "nope"), Err(EditError::NotFound { path: "nope".into() }));
    assert_eq!(unset(SCHEDULE, "schedules[9]"), Err(EditError::NotFound { path: "schedules[9]".into() }));
}

#[test]
fn append_adds_list_items() {
    let events = "# events, oldest first\nevents:\n  - at: 2024-01-01\n    what: deploy\n  - at: 2024-01-02\n    what: rollback\n# end\n";
    let out = append(events, "events", "at: 2024-01-03\nwhat: deploy").unwrap();
    assert_eq!(out, events.replace("what: rollback\n", "what: rollback\n  - at: 2024-01-03\n    what: deploy\n"));
    assert_eq!(append("- a\n- b\n", "", "c").unwrap(), "- a\n- b\n- c\n");
    assert_eq!(append("", ".", "c").unwrap(), "- c\n");
    assert_eq!(append("a:\n- x\nb: 1\n", "a", "y").unwrap(), "a:\n- x\n- y\nb: 1\n");
    assert_eq!(append("a: []\n", "a", "y").unwrap(), "a:\n  - y\n");
    assert_eq!(append("a:\n", "a", "y").unwrap(), "a:\n  - y\n");
    assert_eq!(append("a: 1\n", "b", "y").unwrap(), "a: 1\nb:\n  - y\n");
    assert_eq!(
        append(SCHEDULE, "schedules[0].tags", "x").map_err(|e| matches!(e, EditError::Unsupported { .. })),
        Err(true)
    );
    assert!(matches!(append(SCHEDULE, "version", "x"), Err(EditError::Type { .. })));
}

#[test]
fn refuses_what_it_cannot_do_exactly() {
    let unsupported = |r: Result<String, EditError>| matches!(r, Err(EditError::Unsupported { .. }));
    assert!(unsupported(set(SCHEDULE, "schedules[0].tags[0]", "x")));
    assert!(unsupported(set("{\"a\": {\"b\": 1}}", "a.b", "2")));
    assert!(unsupported(set("a: &x 1\nb: *x\n", "a", "2")));
    assert!(unsupported(set("a: &x {c: 1}\nb: *x\n", "b.c", "2")));
    assert!(unsupported(set("a: 1\n---\nb: 2\n", "a", "2")));
    assert!(matches!(set("a: 1\n", "a", "&x 1"), Err(EditError::BadValue(_))));
    assert!(matches!(set("a: 1\n", "a", "[1"), Err(EditError::BadValue(_))));
    assert!(matches!(set("a: [1\n", "a", "1"), Err(EditError::Syntax(_))));
    assert!(matches!(set("a: 1\n", "a.b", "1"), Err(EditError::Type { .. })));
    assert!(matches!(set("a: [1]\n", "a[3]", "1"), Err(EditError::Unsupported { .. } | EditError::NotFound { .. })));
    assert!(matches!(set("a:\n- 1\n", "a[3]", "1"), Err(EditError::NotFound { .. })));
}

#[test]
fn get_reads_values() {
    assert_eq!(get(SCHEDULE, "settings.timezone").unwrap(), Some(scalar("UTC")));
    assert_eq!(get(SCHEDULE, "schedules[2].params.endpoint").unwrap(), Some(scalar("http://metrics.internal:9090")));
    assert_eq!(get(SCHEDULE, "schedules[7]").unwrap(), None);
    assert_eq!(get("é: ü\n", "é").unwrap(), Some(scalar("ü")));
}

mod laws {
    use proptest::prelude::*;

    use super::super::*;
    use super::SCHEDULE;

    fn paths() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "version",
            "settings.timezone",
            "settings.log_level",
            "settings.new_key",
            "settings.deep.new.key",
            "schedules[0].enabled",
            "schedules[0].tags",
            "schedules[1].schedule",
            "schedules[2].params",
            "schedules[2].params.endpoint",
            "schedules[2].params.extra",
            "top_level_new",
        ])
        .prop_map(str::to_owned)
    }

    fn values() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z]{1,8}",
            "-?[0-9]{1,5}",
            Just("true".to_owned()),
            Just("\"quoted: # not a comment\"".to_owned()),
            Just("'single'".to_owned()),
            Just("[1, 2]".to_owned()),
            Just("{x: 1}".to_owned()),
            Just("a: 1\nb:\n  - x\n  - y".to_owned()),
            Just("- 1\n- two".to_owned()),
            Just("|\n  line one\n  line two".to_owned()),
            Just("null".to_owned()),
        ]
    }

    /// Lines of `after` not in `before`, counted as a multiset difference.
    fn changed_lines(before: &str, after: &str) -> usize {
        let mut left: Vec<&str> = before.lines().collect();
        let mut added = 0;
        for line in after.lines() {
            match left.iter().position(|l| *l == line) {
                Some(i) => {
                    left.remove(i);
                }
                None => added += 1,
            }
        }
        added + left.len()
    }

    proptest! {
        #[test]
        fn set_then_get_returns_the_value(path in paths(), value in values()) {
            let out = set(SCHEDULE, &path, &value).unwrap();
            let expected = Snippet::parse(&value).unwrap().value;
            prop_assert_eq!(get(&out, &path).unwrap(), Some(expected));
        }

        #[test]
        fn set_keeps_untouched_lines(path in paths(), value in values()) {
            let out = set(SCHEDULE, &path, &value).unwrap();
            // Only the value's own lines change: the old value's and the new one's.
            let budget = value.lines().count() + 4 + 3;
            prop_assert!(changed_lines(SCHEDULE, &out) <= budget, "{}", out);
            // Every line before the first change and after the last is identical.
            let prefix = SCHEDULE.lines().zip(out.lines()).take_while(|(a, b)| a == b).count();
            let suffix = SCHEDULE.lines().rev().zip(out.lines().rev()).take_while(|(a, b)| a == b).count();
            prop_assert!(prefix + suffix + budget >= SCHEDULE.lines().count());
        }

        #[test]
        fn set_twice_is_set_once(path in paths(), a in values(), b in values()) {
            let twice = set(&set(SCHEDULE, &path, &a).unwrap(), &path, &b).unwrap();
            prop_assert_eq!(get(&twice, &path).unwrap(), get(&set(SCHEDULE, &path, &b).unwrap(), &path).unwrap());
        }

        #[test]
        fn unset_removes_only_its_lines(path in paths()) {
            if let Ok(out) = unset(SCHEDULE, &path) {
                prop_assert_eq!(get(&out, &path).unwrap(), None);
                for line in out.lines() {
                    prop_assert!(SCHEDULE.lines().any(|l| l == line) || line.ends_with("{}") || line.ends_with("- schedule: '@daily'"), "{}", line);
                }
            }
        }

        #[test]
        fn append_adds_one_item(value in values()) {
            let out = append(SCHEDULE, "schedules", &value).unwrap();
            prop_assert!(out.starts_with(SCHEDULE));
            let Some(Value::Seq(items)) = get(&out, "schedules").unwrap() else { panic!("a list") };
            prop_assert_eq!(items.len(), 4);
            prop_assert_eq!(items.last().cloned(), Some(Snippet::parse(&value).unwrap().value));
        }
    }
}
