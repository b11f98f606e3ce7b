//! Key-level diffs of real-looking documents, compared exactly, and laws
//! over random ones.

use proptest::prelude::*;

use super::*;
use crate::document::{Limits, parse_json, parse_yaml};

fn yaml(text: &str) -> Document {
    parse_yaml(text, &Limits::default()).single().unwrap()
}

fn lines(old: &str, new: &str, keys: &[&str]) -> Vec<String> {
    let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    diff(&yaml(old), &yaml(new), &keys).iter().map(ToString::to_string).collect()
}

const BASE: &str = "\
version: 1.2.0
settings:
  timezone: UTC
  log_level: info   # debug when investigating
  retry:
    count: 2
schedules:
  - skill_name: backup-database
    schedule: \"0 2 * * *\"
    retry_count: 2
    tags: [ops, backup]
  - skill_name: rotate-logs
    schedule: '@daily'
";

#[test]
fn adds_removes_changes_nested_and_keyed_items() {
    let new = "\
version: 1.2.0
settings:
  timezone: Europe/Paris
  retry:
    count: 3
    backoff: 10s
schedules:
  - skill_name: backup-database
    schedule: \"0 3 * * *\"
    retry_count: 3
    tags: [ops, nightly, backup]
  - skill_name: sync-metrics
    schedule: '*/15 * * * *'
";
    assert_eq!(
        lines(BASE, new, &["skill_name"]),
        [
            "~ settings.timezone: UTC → Europe/Paris",
            "- settings.log_level",
            "~ settings.retry.count: 2 → 3",
            "+ settings.retry.backoff: 10s",
            "- schedules[rotate-logs]",
            "~ schedules[backup-database].schedule: 0 2 * * * → 0 3 * * *",
            "~ schedules[backup-database].retry_count: 2 → 3",
            "+ schedules[backup-database].tags[1]: nightly",
            "+ schedules[sync-metrics]",
        ]
    );
}

#[test]
fn without_a_merge_key_items_are_named_by_index() {
    let new = BASE.replace("  - skill_name: rotate-logs\n    schedule: '@daily'\n", "");
    assert_eq!(lines(BASE, &new, &[]), ["- schedules[1]"]);
    let new = BASE.replace("retry_count: 2", "retry_count: 5");
    assert_eq!(lines(BASE, &new, &[]), ["~ schedules[0].retry_count: 2 → 5"]);
    // A merge key some item lacks names nothing.
    assert_eq!(lines(BASE, &new, &["schedule_id"]), ["~ schedules[0].retry_count: 2 → 5"]);
}

#[test]
fn reorders_inserts_and_meaning() {
    let swapped = "\
schedules:
  - skill_name: rotate-logs
    schedule: '@daily'
  - skill_name: new-job
    schedule: '@hourly'
  - skill_name: backup-database
    schedule: \"0 2 * * *\"
";
    let old = "\
schedules:
  - skill_name: backup-database
    schedule: \"0 2 * * *\"
  - skill_name: rotate-logs
    schedule: '@daily'
";
    assert_eq!(
        lines(old, swapped, &["skill_name"]),
        ["~ schedules: order backup-database, rotate-logs → rotate-logs, backup-database", "+ schedules[new-job]"]
    );
    // Layout, comments, quoting and spelling that mean the same are no change.
    let same = "schedules:\n- {skill_name: \"backup-database\", schedule: 0 2 * * *}  # one line\n- skill_name: rotate-logs\n  schedule: \"@daily\"\n";
    assert_eq!(lines(old, same, &["skill_name"]), Vec::<String>::new());
    assert_eq!(lines("a: 1\nb: true\n", "a: 0x1\nb: True\n", &[]), Vec::<String>::new());
    assert_eq!(lines("a: 1\n", "a: '1'\n", &[]), ["~ a: 1 → \"1\""]);
}

#[test]
fn type_changes_roots_and_odd_keys() {
    assert_eq!(lines("a: 1\n", "a: [1, 2]\n", &[]), ["~ a: 1 → [1, 2]"]);
    assert_eq!(lines("a: {x: 1}\n", "a:\n", &[]), ["~ a: {x: 1} → null"]);
    assert_eq!(lines("[1]\n", "{a: 1}\n", &[]), ["~ .: [1] → {a: 1}"]);
    assert_eq!(lines("\"a.b\": 1\n", "\"a.b\": 2\n", &[]), ["~ \"a.b\": 1 → 2"]);
    assert_eq!(lines("l: [{id: a.b, v: 1}]\n", "l: [{id: a.b, v: 2}]\n", &["id"]), ["~ l[\"a.b\"].v: 1 → 2"]);
    assert_eq!(lines("a: {}\n", "a: {b: {c: 1}}\n", &[]), ["+ a.b"]);
}

/// A JSON value of bounded size, its keys from a small set so that versions share some.
fn value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        (0i64..4).prop_map(serde_json::Value::from),
        "[ab]{0,2}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 40, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("[a-d]", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The node at a change's path, when the path exists.
fn at(doc: &Document, path: &[Step]) -> Option<NodeId> {
    let mut node = doc.root();
    for step in path {
        node = match step {
            Step::Key(key) => doc.find_key(node, key)?.1,
            Step::Index(i) => *doc.children(node).get(*i)?,
            Step::Item(_) => unreachable!("no merge keys given"),
        };
    }
    Some(node)
}

proptest! {
    /// No change for equal documents, some change for different ones, and
    /// every change names a path whose values are the ones it shows.
    #[test]
    fn changes_are_exactly_the_differences(a in value(), b in value()) {
        let (ta, tb) = (a.to_string(), b.to_string());
        let (da, db) = (parse_json(&ta, &Limits::default()).single().unwrap(), parse_json(&tb, &Limits::default()).single().unwrap());
        prop_assert!(diff(&da, &da, &[]).is_empty());
        let changes = diff(&da, &db, &[]);
        prop_assert_eq!(changes.is_empty(), a == b);
        for change in &changes {
            let old = at(&da, &change.path).map(|n| document::render_flow(&da, n));
            let new = at(&db, &change.path).map(|n| document::render_flow(&db, n));
            match change.kind {
                ChangeKind::Added => prop_assert_eq!(&new, &change.new),
                ChangeKind::Removed => prop_assert_eq!(&old, &change.old),
                ChangeKind::Changed => {
                    // A changed list item is named by its index in the new
                    // version; in the old one, items before it may be gone.
                    if !change.path.iter().any(|step| matches!(step, Step::Index(_))) {
                        prop_assert_eq!(&old, &change.old);
                    }
                    prop_assert_eq!(&new, &change.new);
                    prop_assert_ne!(&change.old, &change.new);
                }
                ChangeKind::Reordered => prop_assert!(false, "no merge keys, no reorder"),
            }
        }
    }
}
