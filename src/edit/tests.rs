//! Edits on real-looking texts: the exact expected text for each layout
//! (block YAML, flow YAML, JSON pretty and minified, tabs, CRLF).

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

fn yaml() -> Editor {
    Editor::new(Format::Yaml, Limits::default())
}

fn json() -> Editor {
    Editor::new(Format::Json, Limits::default())
}

fn set(text: &str, path: &str, value: &str) -> Result<String, EditError> {
    yaml().set(text, path, value)
}

fn unset(text: &str, path: &str) -> Result<String, EditError> {
    yaml().unset(text, path)
}

fn append(text: &str, path: &str, value: &str) -> Result<String, EditError> {
    yaml().append(text, path, value)
}

/// The tokens of the value at `path`, or `None` when there is none.
pub(super) fn value_at(format: Format, text: &str, path: &str) -> Option<Vec<(u32, Token)>> {
    let doc = parse_one(text, format, &Limits::default()).unwrap();
    match navigate(&doc, &path::parse(path).unwrap()).ok()? {
        Found::Node { node, rest: [] } => Some(document::tokens(&doc, node)),
        _ => None,
    }
}

/// The tokens of a value written as YAML.
pub(super) fn tokens_of(value: &str) -> Vec<(u32, Token)> {
    let snippet = Snippet::parse(value, &Limits::default()).unwrap();
    document::tokens(&snippet.doc, snippet.doc.root())
}

#[track_caller]
fn check(editor: &Editor, text: &str, op: &str, path: &str, value: &str, expected: &str) {
    let out = match op {
        "set" => editor.set(text, path, value),
        "unset" => editor.unset(text, path),
        "append" => editor.append(text, path, value),
        _ => unreachable!(),
    };
    let out = out.unwrap_or_else(|e| panic!("{op} {path} {value:?} in {text:?}: {e}"));
    assert_eq!(out, expected, "{op} {path} {value:?} in {text:?}");
}

#[track_caller]
fn check_set(text: &str, path: &str, value: &str, expected: &str) {
    check(&yaml(), text, "set", path, value, expected);
}

#[test]
fn set_replaces_a_scalar_and_keeps_its_comment() {
    let out = set(SCHEDULE, "settings.log_level", "debug").unwrap();
    assert_eq!(out, SCHEDULE.replace("log_level: info   #", "log_level: debug   #"));
    let out = set(SCHEDULE, "schedules[2].enabled", "true").unwrap();
    assert_eq!(out, SCHEDULE.replace("    enabled: false\n", "    enabled: true\n"));
    let out = set(SCHEDULE, "schedules[0].schedule", "'0 3 * * *'").unwrap();
    assert_eq!(out, SCHEDULE.replace("\"0 2 * * *\"          #", "'0 3 * * *'          #"));
    assert_eq!(value_at(Format::Yaml, &out, "schedules[0].schedule"), Some(tokens_of("'0 3 * * *'")));
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
    check_set("a: |+\n  x\n\nb: 2\n", "a", "y", "a: y\n\nb: 2\n");
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
    check_set("---\n", "a", "1", "---\na: 1\n");
    check_set("a:\nb: 1\n", "a.c", "x", "a:\n  c: x\nb: 1\n");
    check_set("a: 1\n", "needs quoting.x", "1", "a: 1\n\"needs quoting\":\n  x: 1\n");
    check_set("a: 1\n", "true", "1", "a: 1\n\"true\": 1\n");
    check_set("a: 1\n", "yes", "1", "a: 1\n\"yes\": 1\n");
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
    assert_eq!(append("a:\n", "a", "y").unwrap(), "a:\n  - y\n");
    assert_eq!(append("a: ~ # none yet\n", "a", "y").unwrap(), "a:\n  - y # none yet\n");
    assert_eq!(append("a: 1\n", "b", "y").unwrap(), "a: 1\nb:\n  - y\n");
    assert!(matches!(append(SCHEDULE, "version", "x"), Err(EditError::Type { .. })));
}

#[test]
fn refuses_what_it_cannot_do_exactly() {
    let unsupported = |r: Result<String, EditError>| matches!(r, Err(EditError::Unsupported { .. }));
    assert!(unsupported(set("a: &x 1\nb: *x\n", "a", "2")));
    assert!(unsupported(set("a: &x {c: 1}\nb: *x\n", "b.c", "2")));
    assert!(unsupported(unset("a: &x 1\nb: 2\n", "a")));
    assert!(unsupported(set("a: 1\n---\nb: 2\n", "a", "2")));
    assert!(unsupported(
        append("- [a: 1]\n", "[0][0].b", "x").map(|_| String::new()).and_then(|_| set("[a: 1]", "[0].b", "2"))
    ));
    assert!(matches!(set("a: 1\n", "a", "&x 1"), Err(EditError::BadValue(_))));
    assert!(matches!(set("a: 1\n", "a", "[1"), Err(EditError::BadValue(_))));
    assert!(matches!(set("a: [1\n", "a", "1"), Err(EditError::Syntax { .. })));
    assert!(matches!(set("a: 1\n", "a.b", "1"), Err(EditError::Type { .. })));
    assert!(matches!(set("a: [1]\n", "a[3]", "1"), Err(EditError::NotFound { .. })));
    assert!(matches!(set("a:\n- 1\n", "a[3]", "1"), Err(EditError::NotFound { .. })));
    let error = set("a: [1\n", "a", "1").unwrap_err();
    assert_eq!(
        error.to_string(),
        "the file is not valid YAML: line 2, column 1: while parsing a flow sequence, expected ',' or ']'"
    );
}

const TASKS: &str = r#"{
  "name": "tasks",
  "tasks": [
    {"id": 1, "title": "a"},
    {"id": 2, "title": "b"}
  ],
  "tags": [],
  "settings": {
    "retries": 3
  }
}
"#;

#[test]
fn json_pretty_two_spaces() {
    let json = json();
    let ok = |op, path, value, expected: &str| check(&json, TASKS, op, path, value, expected);
    ok("append", "tasks", r#"{"id": 3}"#, &TASKS.replace("\"b\"}\n", "\"b\"},\n    {\"id\": 3}\n"));
    ok("set", "tasks[0].title", r#""x""#, &TASKS.replace("\"a\"}", "\"x\"}"));
    ok("set", "name", "y", &TASKS.replace("\"tasks\",", "\"y\","));
    ok("set", "settings.timeout", "30", &TASKS.replace("\"retries\": 3\n", "\"retries\": 3,\n    \"timeout\": 30\n"));
    ok(
        "set",
        "settings.nested.deep",
        "1",
        &TASKS.replace("\"retries\": 3\n", "\"retries\": 3,\n    \"nested\": {\n      \"deep\": 1\n    }\n"),
    );
    ok(
        "set",
        "fresh",
        "true",
        &TASKS.replace("    \"retries\": 3\n  }\n", "    \"retries\": 3\n  },\n  \"fresh\": true\n"),
    );
    ok("unset", "tasks[0]", "", &TASKS.replace("    {\"id\": 1, \"title\": \"a\"},\n", ""));
    ok("unset", "tasks[1]", "", &TASKS.replace(",\n    {\"id\": 2, \"title\": \"b\"}", ""));
    ok("unset", "tasks[0].id", "", &TASKS.replace("{\"id\": 1, \"title\"", "{\"title\""));
    ok("unset", "settings.retries", "", &TASKS.replace("{\n    \"retries\": 3\n  }", "{}"));
    ok("unset", "name", "", &TASKS.replace("  \"name\": \"tasks\",\n", ""));
    ok("append", "tags", "x", &TASKS.replace("\"tags\": []", "\"tags\": [\n    \"x\"\n  ]"));
    // A value given as YAML is written as JSON, laid out as its neighbours.
    ok(
        "set",
        "settings.limits",
        "cpu: 2\nzones: [a, b]",
        &TASKS.replace(
            "\"retries\": 3\n",
            "\"retries\": 3,\n    \"limits\": {\n      \"cpu\": 2,\n      \"zones\": [\n        \"a\",\n        \"b\"\n      ]\n    }\n",
        ),
    );
    ok(
        "append",
        "tasks",
        "id: 4\ntitle: yes",
        &TASKS.replace("\"b\"}\n", "\"b\"},\n    {\"id\": 4, \"title\": \"yes\"}\n"),
    );
    ok("set", "tasks[1].id", "0x1F", &TASKS.replace("\"id\": 2", "\"id\": 31"));
    ok("set", "tasks[1].id", "1.50", &TASKS.replace("\"id\": 2", "\"id\": 1.50"));
    ok("set", "tasks[1].id", "~", &TASKS.replace("\"id\": 2", "\"id\": null"));
    ok(
        "set",
        "tasks",
        "[]",
        &TASKS.replace("[\n    {\"id\": 1, \"title\": \"a\"},\n    {\"id\": 2, \"title\": \"b\"}\n  ]", "[]"),
    );
}

#[test]
fn json_layouts() {
    let json = json();
    let minified = r#"{"a":1,"b":[1,2],"c":{}}"#;
    check(&json, minified, "append", "b", "3", r#"{"a":1,"b":[1,2,3],"c":{}}"#);
    check(&json, minified, "set", "d.e", "x", r#"{"a":1,"b":[1,2],"c":{},"d":{"e":"x"}}"#);
    check(&json, minified, "set", "c.k", "[1, 2]", r#"{"a":1,"b":[1,2],"c":{"k":[1,2]}}"#);
    check(&json, minified, "unset", "b[0]", "", r#"{"a":1,"b":[2],"c":{}}"#);
    check(&json, minified, "unset", "a", "", r#"{"b":[1,2],"c":{}}"#);
    check(&json, "[1, 2]\n", "append", ".", "3", "[1, 2, 3]\n");
    check(&json, "{}", "set", "a", "1", r#"{"a": 1}"#);
    // Minified with nothing to copy the spacing from: none.
    check(&json, r#"{"a":{"b":1}}"#, "set", "a.c", "2", r#"{"a":{"b":1,"c":2}}"#);
    check(&json, "{\"a\": 1}", "set", "b", "2", r#"{"a": 1, "b": 2}"#);
    check(&json, "[]\n", "append", ".", "a: 1", "[{\"a\": 1}]\n");

    let four = "{\n    \"tasks\": [\n        {\n            \"id\": 1\n        }\n    ]\n}\n";
    check(
        &json,
        four,
        "append",
        "tasks",
        r#"{"id": 2, "title": "x"}"#,
        "{\n    \"tasks\": [\n        {\n            \"id\": 1\n        },\n        {\n            \"id\": 2,\n            \"title\": \"x\"\n        }\n    ]\n}\n",
    );
    check(
        &json,
        four,
        "set",
        "tasks[0].done",
        "false",
        &four.replace("\"id\": 1\n", "\"id\": 1,\n            \"done\": false\n"),
    );

    let tabs = "{\n\t\"a\": {\n\t\t\"b\": 1\n\t}\n}\n";
    check(
        &json,
        tabs,
        "set",
        "a.c",
        "k: v",
        "{\n\t\"a\": {\n\t\t\"b\": 1,\n\t\t\"c\": {\n\t\t\t\"k\": \"v\"\n\t\t}\n\t}\n}\n",
    );
    check(&json, tabs, "set", "z", "2", "{\n\t\"a\": {\n\t\t\"b\": 1\n\t},\n\t\"z\": 2\n}\n");

    let crlf = "{\r\n  \"a\": [\r\n    1\r\n  ],\r\n  \"b\": {}\r\n}\r\n";
    check(&json, crlf, "append", "a", "2", "{\r\n  \"a\": [\r\n    1,\r\n    2\r\n  ],\r\n  \"b\": {}\r\n}\r\n");
    check(
        &json,
        crlf,
        "set",
        "b.c",
        "[1]",
        "{\r\n  \"a\": [\r\n    1\r\n  ],\r\n  \"b\": {\r\n    \"c\": [\r\n      1\r\n    ]\r\n  }\r\n}\r\n",
    );
    check(&json, crlf, "unset", "a[0]", "", "{\r\n  \"a\": [],\r\n  \"b\": {}\r\n}\r\n");
}

#[test]
fn json_refuses_what_json_cannot_hold() {
    let json = json();
    assert!(matches!(json.set("{\"a\": 1}", "a", "!Ref x"), Err(EditError::BadValue(m)) if m.contains("`!Ref`")));
    assert!(matches!(json.set("{\"a\": 1}", "a", ".inf"), Err(EditError::BadValue(_))));
    assert!(matches!(json.set("{\"a\": 1}", "a", "? [x]\n: y"), Err(EditError::BadValue(_))));
    let error = json.set("{\"a\": 1,}", "a", "2").unwrap_err();
    assert!(matches!(&error, EditError::Syntax { format: Format::Json, .. }), "{error}");
    assert!(error.to_string().starts_with("the file is not valid JSON: line 1, column 9"), "{error}");
    assert!(matches!(json.set("{\"a\": 1}", "a.b", "2"), Err(EditError::Type { .. })));
}

#[test]
fn yaml_flow_collections() {
    let y = yaml();
    let out = append(SCHEDULE, "schedules[0].tags", "nightly").unwrap();
    assert_eq!(out, SCHEDULE.replace("tags: [ops, backup]", "tags: [ops, backup, nightly]"));
    let out = set(SCHEDULE, "schedules[0].tags[0]", "a,b").unwrap();
    assert_eq!(out, SCHEDULE.replace("tags: [ops, backup]", "tags: [\"a,b\", backup]"));
    let out = unset(SCHEDULE, "schedules[0].tags[0]").unwrap();
    assert_eq!(out, SCHEDULE.replace("tags: [ops, backup]", "tags: [backup]"));
    check(&y, "t: [a, b]\n", "append", "t", "- x\n- y", "t: [a, b, [x, y]]\n");
    check(&y, "t: [a, b]\n", "append", "t", "k: v", "t: [a, b, {k: v}]\n");
    check(&y, "t: [a, b]\n", "append", "t", "'0 3 * * *'", "t: [a, b, '0 3 * * *']\n");
    check(&y, "t: [a, b]\n", "append", "t", "yes", "t: [a, b, yes]\n");
    check(&y, "t: [a, b]\n", "append", "t", "\"yes\"", "t: [a, b, \"yes\"]\n");
    check(&y, "t: [a, b]\n", "append", "t", "- yes\n- 'no'", "t: [a, b, [yes, \"no\"]]\n");
    check(&y, "t: [a, b]\n", "append", "t", "|\n  two\n  lines", "t: [a, b, \"two\\nlines\\n\"]\n");
    check(&y, "t: [a, b]\n", "append", "t", "!Ref x", "t: [a, b, !Ref x]\n");
    check(&y, "t: [a]\n", "unset", "t[0]", "", "t: []\n");
    check(&y, "t: []\n", "append", "t", "x", "t: [x]\n");
    check(&y, "t: [ ]\n", "append", "t", "x", "t: [x]\n");
    check(&y, "m: {a: 1, b: 2}\n", "set", "m.c", "3", "m: {a: 1, b: 2, c: 3}\n");
    check(&y, "m: {a: 1, b: 2}\n", "set", "m.a", "[1, 2]", "m: {a: [1, 2], b: 2}\n");
    check(&y, "m: {a: 1, b: 2}\n", "unset", "m.a", "", "m: {b: 2}\n");
    check(&y, "m: {a: 1, b: 2}\n", "unset", "m.b", "", "m: {a: 1}\n");
    check(&y, "m: {a: 1}\n", "set", "m.\"a b\"", "1", "m: {a: 1, \"a b\": 1}\n");
    check(&y, "m: {a: 1}\n", "set", "m.x.k", "z", "m: {a: 1, x: {k: z}}\n");
    // A key YAML 1.1 reads as a boolean is quoted.
    check(&y, "m: {a: 1}\n", "set", "m.y", "z", "m: {a: 1, \"y\": z}\n");
    check(&y, "m: {}\n", "set", "m.c", "x", "m: {c: x}\n");
    check(&y, "m: {a: 1, b}\n", "set", "m.b", "2", "m: {a: 1, b: 2}\n");
    check(&y, "m: {a: 1, b: }\n", "set", "m.b", "2", "m: {a: 1, b: 2}\n");
    check(&y, "m: {\"a\":1}\n", "set", "m.b", "2", "m: {\"a\":1, b: 2}\n");
    check(&y, "m: !!map {a: 1}\n", "set", "m.b", "2", "m: !!map {a: 1, b: 2}\n");
    assert!(matches!(y.set("l: [a: 1]\n", "l[0].b", "2"), Err(EditError::Unsupported { .. })));
}

#[test]
fn yaml_flow_multi_line_and_nested() {
    let y = yaml();
    let text = "list: [\n  a,\n  b,\n]\nmap: {\n  k: v\n}\n";
    check(&y, text, "append", "list", "c", "list: [\n  a,\n  b,\n  c,\n]\nmap: {\n  k: v\n}\n");
    check(&y, text, "set", "map.x", "y", "list: [\n  a,\n  b,\n]\nmap: {\n  k: v,\n  x: y\n}\n");
    check(&y, text, "unset", "list[0]", "", "list: [\n  b,\n]\nmap: {\n  k: v\n}\n");
    check(&y, text, "unset", "list[1]", "", "list: [\n  a,\n]\nmap: {\n  k: v\n}\n");
    let nested = "- name: x\n  tags: [a, {b: [c]}]  # kept\n- name: y\n";
    check(&y, nested, "set", "[0].tags[1].b[0]", "d", "- name: x\n  tags: [a, {b: [d]}]  # kept\n- name: y\n");
    check(&y, nested, "append", "[0].tags[1].b", "e", "- name: x\n  tags: [a, {b: [c, e]}]  # kept\n- name: y\n");
    check(&y, nested, "set", "[0].tags[1].f", "g", "- name: x\n  tags: [a, {b: [c], f: g}]  # kept\n- name: y\n");
    let wrapped = "t: [one, two,\n    three]\n";
    check(&y, wrapped, "append", "t", "four", "t: [one, two,\n    three,\n    four]\n");
    // Two a line: the separator between the last two is the one to copy.
    let pairs = "t: [a, b,\n   c, d]\n";
    check(&y, pairs, "append", "t", "e", "t: [a, b,\n   c, d, e]\n");
    check(&y, "t: [a ,b]\n", "append", "t", "c", "t: [a ,b ,c]\n");
    let comments = "t: [ # the tags\n  a, # first\n  b  # second\n]\n";
    check(&y, comments, "append", "t", "c", "t: [ # the tags\n  a, # first\n  b,\n  c  # second\n]\n");
    let crlf = "t: [\r\n  a\r\n]\r\nm: {a: 1}\r\n";
    check(&y, crlf, "append", "t", "b", "t: [\r\n  a,\r\n  b\r\n]\r\nm: {a: 1}\r\n");
    check(&y, crlf, "set", "m.b", "2", "t: [\r\n  a\r\n]\r\nm: {a: 1, b: 2}\r\n");
}

#[test]
fn block_edits_in_crlf_files() {
    let text = "a: 1\r\nlist:\r\n  - x\r\n";
    check(&yaml(), text, "set", "b", "2", "a: 1\r\nlist:\r\n  - x\r\nb: 2\r\n");
    check(&yaml(), text, "append", "list", "y", "a: 1\r\nlist:\r\n  - x\r\n  - y\r\n");
    check(&yaml(), text, "set", "a", "k: v", "a:\r\n  k: v\r\nlist:\r\n  - x\r\n");
}

#[test]
fn deep_values_and_files_are_errors() {
    let deep = "- ".repeat(100_000) + "x";
    let error = set("a: 1\n", "a", &deep).unwrap_err();
    assert!(matches!(&error, EditError::BadValue(m) if m.contains("deeper than 128")), "{error}");
    let error = append("a: []\n", "a", &("[".repeat(100_000) + &"]".repeat(100_000))).unwrap_err();
    assert!(matches!(error, EditError::BadValue(_)), "{error}");
    let error = set(&("- ".repeat(100_000) + "x\n"), "[0]", "1").unwrap_err();
    assert!(matches!(&error, EditError::Syntax { message, .. } if message.contains("deeper than 128")), "{error}");
    let error = json().set(&("[".repeat(100_000) + &"]".repeat(100_000)), "[0]", "1").unwrap_err();
    assert!(matches!(error, EditError::Syntax { .. }), "{error}");
}

#[test]
fn a_path_deeper_than_the_limit_is_refused() {
    let path = vec!["a"; 100_000].join(".");
    assert!(matches!(set("a: 1\n", &path, "1"), Err(EditError::BadPath { .. })));
    assert!(matches!(append("", &path, "1"), Err(EditError::BadPath { .. })));
    let path = vec!["a"; 128].join(".");
    assert_eq!(set("", &path, "1").unwrap().lines().count(), 128);
}

#[test]
fn items_selected_by_a_key_value() {
    let out = set(SCHEDULE, "schedules[skill_name=rotate-logs].enabled", "false").unwrap();
    assert_eq!(out, SCHEDULE.replacen("'@daily'\n    enabled: true", "'@daily'\n    enabled: false", 1));
    let out = unset(SCHEDULE, "schedules[skill_name=backup-database]").unwrap();
    assert!(out.starts_with(&SCHEDULE[..SCHEDULE.find("  - skill_name: backup").unwrap()]), "{out}");
    assert!(!out.contains("backup-database") && out.contains("rotate-logs"), "{out}");
    let doc = document::parse_yaml(SCHEDULE, &Limits::default()).single().unwrap();
    let node = lookup(&doc, "schedules[skill_name=sync-metrics].params.endpoint").unwrap().unwrap();
    assert_eq!(doc.node(node).scalar().unwrap().value, "http://metrics.internal:9090");
    assert_eq!(lookup(&doc, "schedules[skill_name=nope].enabled").unwrap(), None);
    assert_eq!(lookup(&doc, "settings[skill_name=x]").unwrap(), None);
    // A missing item is never created: only mapping keys are.
    let missing = EditError::NotFound { path: "schedules[skill_name=nope]".into() };
    assert_eq!(set(SCHEDULE, "schedules[skill_name=nope].enabled", "true"), Err(missing.clone()));
    assert_eq!(unset(SCHEDULE, "schedules[skill_name=nope]"), Err(missing));
    assert_eq!(
        set(SCHEDULE, "settings.extra[0].x", "1"),
        Err(EditError::NotFound { path: "settings.extra[0]".into() })
    );
}
