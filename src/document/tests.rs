//! The tree on real-looking texts: spans, styles, keys, limits, values.

use super::*;

fn yaml(text: &str) -> Document {
    parse_yaml(text, &Limits::default()).single().unwrap_or_else(|e| panic!("{text:?}: {e:?}"))
}

/// Each node as `depth kind text-of-span`, in source order.
fn dump(text: &str, doc: &Document) -> Vec<String> {
    (0..doc.len())
        .map(|id| {
            let node = doc.node(id);
            let kind = match node.kind() {
                Kind::Scalar(_) => "scalar",
                Kind::Seq(Style::Block) => "block-seq",
                Kind::Seq(Style::Flow) => "flow-seq",
                Kind::Map(Style::Block) => "block-map",
                Kind::Map(Style::Flow) => "flow-map",
                Kind::Alias(_) => "alias",
            };
            format!("{} {kind} {:?}", node.depth(), &text[node.span()])
        })
        .collect()
}

#[test]
fn spans_are_exact() {
    let text = "\
a: !Ref x
b: &a \"q\" # comment
c: 'it''s'   # c
d: [1, !t 2 ,{k: v}]
e: |+ # header comment

  t

f:
  - x
  -
    y
g:
h: >-
  folded
  text
# after
i: *a
";
    let doc = yaml(text);
    assert_eq!(
        dump(text, &doc),
        [
            "0 block-map \"a: !Ref x\\nb: &a \\\"q\\\" # comment\\nc: 'it''s'   # c\\nd: [1, !t 2 ,{k: v}]\\ne: |+ # header comment\\n\\n  t\\n\\nf:\\n  - x\\n  -\\n    y\\ng:\\nh: >-\\n  folded\\n  text\\n# after\\ni: *a\"",
            "1 scalar \"a\"",
            "1 scalar \"!Ref x\"",
            "1 scalar \"b\"",
            "1 scalar \"&a \\\"q\\\"\"",
            "1 scalar \"c\"",
            "1 scalar \"'it''s'\"",
            "1 scalar \"d\"",
            "1 flow-seq \"[1, !t 2 ,{k: v}]\"",
            "2 scalar \"1\"",
            "2 scalar \"!t 2\"",
            "2 flow-map \"{k: v}\"",
            "3 scalar \"k\"",
            "3 scalar \"v\"",
            "1 scalar \"e\"",
            "1 scalar \"|+ # header comment\\n\\n  t\"",
            "1 scalar \"f\"",
            "1 block-seq \"- x\\n  -\\n    y\"",
            "2 scalar \"x\"",
            "2 scalar \"y\"",
            "1 scalar \"g\"",
            "1 scalar \"\"",
            "1 scalar \"h\"",
            "1 scalar \">-\\n  folded\\n  text\"",
            "1 scalar \"i\"",
            "1 alias \"*a\"",
        ]
    );
    // `g:` is empty: its value is an empty span after the colon.
    let g = doc.find_key(0, "g").unwrap().1;
    assert_eq!(doc.node(g).span(), text.find("g:").unwrap() + 2..text.find("g:").unwrap() + 2);
    assert!(doc.node(g).is_empty_null());
    // Items start at their dash, even on the line above.
    let f = doc.find_key(0, "f").unwrap().1;
    let items = doc.children(f);
    assert_eq!(doc.node(items[0]).lead(), text.find("- x").unwrap());
    assert_eq!(doc.node(items[1]).lead(), text.find("-\n    y").unwrap());
    assert_eq!(doc.node(f).lead(), doc.node(f).span().start);
}

#[test]
fn flow_collections_and_pairs() {
    let text = "[a: b, {? c : d, e}, [ ]]";
    let doc = yaml(text);
    assert_eq!(
        dump(text, &doc),
        [
            "0 flow-seq \"[a: b, {? c : d, e}, [ ]]\"",
            "1 flow-map \"a: b\"",
            "2 scalar \"a\"",
            "2 scalar \"b\"",
            "1 flow-map \"{? c : d, e}\"",
            "2 scalar \"c\"",
            "2 scalar \"d\"",
            "2 scalar \"e\"",
            "2 scalar \"\"",
            "1 flow-seq \"[ ]\"",
        ]
    );
    let c = doc.children(4)[0];
    assert_eq!(doc.node(c).lead(), text.find('?').unwrap());
}

#[test]
fn block_collections_end_with_their_last_child() {
    let text = "a:\n  b: 1\n  # trailing comment\n\nc:\n  - x\n  -   \nd: \"e\"   # note\n";
    let doc = yaml(text);
    let a = doc.find_key(0, "a").unwrap().1;
    assert_eq!(&text[doc.node(a).span()], "b: 1");
    let c = doc.find_key(0, "c").unwrap().1;
    assert_eq!(&text[doc.node(c).span()], "- x\n  -");
    let (dk, dv) = doc.find_key(0, "d").unwrap();
    assert_eq!(&text[doc.entry_span(dk, dv)], "d: \"e\"");
}

#[test]
fn properties_and_block_scalars() {
    let text = "a: !!map &m {k: v}\nb: &s !!seq\n  - 1\nc: !!str |\n  x\nd: *m\n- x";
    let stream = parse_yaml(text, &Limits::default());
    assert!(stream.error.is_some(), "a list item after a mapping is an error");
    let text = "a: !!map &m {k: v}\nb: &s !!seq\n  - 1\nc: !!str |\n  x\n\nd: *m\n";
    let doc = yaml(text);
    let span = |key| &text[doc.node(doc.find_key(0, key).unwrap().1).span()];
    assert_eq!(span("a"), "!!map &m {k: v}");
    assert_eq!(span("b"), "&s !!seq\n  - 1");
    assert_eq!(span("c"), "!!str |\n  x");
    assert_eq!(span("d"), "*m");
    let d = doc.find_key(0, "d").unwrap().1;
    let Kind::Alias(target) = doc.node(d).kind() else { panic!("alias") };
    assert_eq!(*target, doc.find_key(0, "a").unwrap().1);
    assert!(doc.has_anchor(0) && doc.has_alias(0));
    assert!(!doc.has_alias(doc.find_key(0, "a").unwrap().1));
}

#[test]
fn non_ascii_spans_are_bytes() {
    let text = "é: \"ü\"  # ö\nl: [ä, ß]\n";
    let doc = yaml(text);
    assert_eq!(&text[doc.node(doc.find_key(0, "é").unwrap().1).span()], "\"ü\"");
    assert_eq!(&text[doc.node(doc.find_key(0, "l").unwrap().1).span()], "[ä, ß]");
}

#[test]
fn tags_as_written() {
    let text = "%TAG !e! tag:example.com,2000:\n---\n\
a: !e!foo x\nb: !<tag:yaml.org,2002:str> 1\nc: !Ref y\nd: !!binary aGk=\ne: ! 12\n";
    let doc = yaml(text);
    let tag = |key| doc.node(doc.find_key(0, key).unwrap().1).tag().map(ToString::to_string);
    assert_eq!(tag("a").as_deref(), Some("!<tag:example.com,2000:foo>"));
    assert_eq!(tag("b").as_deref(), Some("!!str"));
    assert_eq!(tag("c").as_deref(), Some("!Ref"));
    assert_eq!(tag("d").as_deref(), Some("!!binary"));
    assert_eq!(tag("e").as_deref(), Some("!"));
    assert!(doc.explicit_start());
    let value = to_json(&doc, 0);
    assert_eq!(value.value, serde_json::json!({"a": "x", "b": "1", "c": "y", "d": "aGk=", "e": "12"}));
    let unknown: Vec<_> = value.issues.iter().map(|i| &i.kind).collect();
    assert_eq!(
        unknown,
        [&IssueKind::UnknownTag("!<tag:example.com,2000:foo>".into()), &IssueKind::UnknownTag("!Ref".into())]
    );
}

#[test]
fn standard_tags_resolve_as_the_types_repository_says() {
    let text = "\
i: !!int 0b1010
o: !!int 0o17
u: !!int 1_000
s: !!int 1:30
f: !!float 1
g: !!float 1_000.5
t: !!bool yes
n: !!null ~
ts: !!timestamp 2001-12-14t21:59:43.10-05:00
set: !!set {a, b}
omap: !!omap [a: 1, b: 2]
pairs: !!pairs [{a: 1}]
str: !!str 12
";
    let conversion = to_json(&yaml(text), 0);
    assert_eq!(
        conversion.value,
        serde_json::json!({
            "i": 10, "o": 15, "u": 1000, "s": 90, "f": 1.0, "g": 1000.5, "t": true, "n": null,
            "ts": "2001-12-14t21:59:43.10-05:00", "set": {"a": null, "b": null},
            "omap": [{"a": 1}, {"b": 2}], "pairs": [{"a": 1}], "str": "12"
        })
    );
    assert_eq!(conversion.issues, []);
    let bad = to_json(&yaml("a: !!int x\nb: !!set {a: 1}\nc: !!seq {}\nd: !!omap [1]\ne: !!binary '**'\n"), 0);
    let reasons: Vec<_> = bad
        .issues
        .iter()
        .map(|i| match &i.kind {
            IssueKind::BadTagged { tag, .. } => tag.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(reasons, ["!!int", "!!set", "!!seq", "!!omap", "!!binary"]);
}

#[test]
fn complex_keys_and_unrepresentable_values() {
    let text = "? [a, b]\n: c\n[x]: y\nz: .inf\n";
    let doc = yaml(text);
    assert_eq!(doc.key_text(doc.children(0)[0]), None);
    let conversion = to_json(&doc, 0);
    assert_eq!(conversion.value, serde_json::json!({"z": null}));
    let kinds: Vec<_> = conversion.issues.iter().map(|i| i.kind.clone()).collect();
    assert_eq!(kinds, [IssueKind::ComplexKey, IssueKind::ComplexKey, IssueKind::Unrepresentable(".inf".into())]);
}

#[test]
fn duplicate_keys_by_value() {
    let text = "true: 1\nTrue: 2\nnull: 3\n~: 4\n1: 5\n0x1: 6\n+1: 7\n1.0: 8\n1.00: 9\nFALSE: 10\nfalse: 11\n\"1\": 12\na: 13\n'a': 14\n";
    let doc = yaml(text);
    let pairs: Vec<_> =
        doc.duplicates().iter().map(|d| (&text[doc.node(d.first).span()], &text[doc.node(d.again).span()])).collect();
    assert_eq!(
        pairs,
        [("true", "True"), ("null", "~"), ("1", "0x1"), ("1", "+1"), ("1.0", "1.00"), ("FALSE", "false"), ("a", "'a'"),]
    );
    // `"1"` is a string, not the number: another key.
    let json =
        parse_json("{\"a\": {\"k\": 1, \"k\": 2}, \"a\\u0062\": 1, \"ab\": 2}", &Limits::default()).single().unwrap();
    assert_eq!(json.duplicates().len(), 2);
}

#[test]
fn pointers() {
    let text = "a:\n  - {b: x, c/d: y}\n1: one\n0x2: two\ntrue: t\n";
    let doc = yaml(text);
    let at = |p| doc.get(p).map(|s| &text[s.value]);
    assert_eq!(at("/a/0/b"), Some("x"));
    assert_eq!(at("/a/0/c~1d"), Some("y"));
    assert_eq!(at("/1"), Some("one"));
    assert_eq!(at("/2"), Some("two"));
    assert_eq!(at("/true"), Some("t"));
    assert_eq!(at("/a/1"), None);
    assert_eq!(doc.lookup("/a/7/zz").map(|s| &text[s.value]), Some("- {b: x, c/d: y}"));
    assert_eq!(doc.get("/a/0/b").unwrap().key.map(|k| &text[k]), Some("b"));
    assert_eq!(doc.keys_in_source_order(""), ["a", "1", "2", "true"]);
    let y = doc.at_pointer("/a/0/c~1d").unwrap();
    assert_eq!(doc.pointer(y), "/a/0/c~1d");
    assert_eq!(doc.pointer(y - 1), "/a/0/c~1d", "a key's pointer is its entry's");
}

#[test]
fn empty_documents_are_null() {
    for text in ["", "# only a comment\n", "\n\n"] {
        let doc = yaml(text);
        assert!(doc.is_empty_stream(), "{text:?}");
        assert!(doc.node(0).is_empty_null());
        assert_eq!(to_json(&doc, 0).value, serde_json::Value::Null);
    }
    let doc = yaml("--- # nothing\n");
    assert!(!doc.is_empty_stream());
    assert_eq!(to_json(&doc, 0).value, serde_json::Value::Null);
    let stream = parse_yaml("a: 1\n---\nb: 2\n", &Limits::default());
    assert_eq!(stream.documents.len(), 2);
    assert_eq!(stream.single().unwrap_err(), SingleError::Several);
}

#[test]
fn json_documents() {
    let text = "{\n  \"a\": [1, {\"b\": \"x\"}],\n  \"c/d\": null, \"e\": -1.5e3\n}\n";
    let doc = parse_json(text, &Limits::default()).single().unwrap();
    assert_eq!(&text[doc.node(0).span()], text.trim_end());
    assert_eq!(&text[doc.get("/a/1/b").unwrap().value], "\"x\"");
    assert_eq!(&text[doc.get("/a").unwrap().value], "[1, {\"b\": \"x\"}]");
    assert_eq!(to_json(&doc, 0).value, serde_json::json!({"a": [1, {"b": "x"}], "c/d": null, "e": -1500.0}));
    let error = parse_json("{\n  \"a\": 1,\n}\n", &Limits::default()).single().unwrap_err();
    let SingleError::Parse(error) = error else { panic!("{error:?}") };
    assert_eq!((error.kind, error.span.start), (ErrorKind::Syntax, 12));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    const DEEP: usize = 100_000;
    let depth_error = |stream: Stream| stream.error.map(|e| e.kind);
    let limits = Limits::default();
    assert_eq!(depth_error(parse_yaml(&("[".repeat(DEEP) + &"]".repeat(DEEP)), &limits)), Some(ErrorKind::Depth));
    assert_eq!(depth_error(parse_yaml(&("- ".repeat(DEEP) + "x\n"), &limits)), Some(ErrorKind::Depth));
    assert_eq!(
        depth_error(parse_yaml(&("{a: ".repeat(DEEP) + "1" + &"}".repeat(DEEP)), &limits)),
        Some(ErrorKind::Depth)
    );
    assert_eq!(depth_error(parse_json(&("[".repeat(DEEP) + &"]".repeat(DEEP)), &limits)), Some(ErrorKind::Depth));
    // serde_json's own limit (128) does not apply: ours does.
    let deep = Limits { max_depth: 300, ..Limits::default() };
    assert_eq!(depth_error(parse_json(&("[".repeat(250) + &"]".repeat(250)), &deep)), None);
    let limits = Limits { max_depth: 10, ..Limits::default() };
    assert_eq!(depth_error(parse_json(&("[".repeat(20) + &"]".repeat(20)), &limits)), Some(ErrorKind::Depth));
    assert_eq!(depth_error(parse_yaml(&("- ".repeat(10) + "x\n"), &limits)), None);
    assert_eq!(depth_error(parse_yaml(&("- ".repeat(11) + "x\n"), &limits)), Some(ErrorKind::Depth));
}

#[test]
fn aliases_are_bounded() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); 9].join(", ")));
    }
    let error = parse_yaml(&text, &Limits::default()).error.unwrap();
    assert_eq!(error.kind, ErrorKind::AliasBudget);
    let error = parse_yaml("&a [*a]\n", &Limits::default()).error.unwrap();
    assert_eq!(error.kind, ErrorKind::Alias);
    assert!(error.message.contains("cycle"), "{error}");
    let error = parse_yaml("a: &x 1\n---\nb: *x\n", &Limits::default()).error.unwrap();
    assert_eq!(error.kind, ErrorKind::Alias);
    let doc = yaml("a: &x {k: [1]}\nb: *x\nc: *x\n");
    assert_eq!(to_json(&doc, 0).value, serde_json::json!({"a": {"k": [1]}, "b": {"k": [1]}, "c": {"k": [1]}}));
    // A subtree whose alias points before it.
    let b = doc.find_key(0, "b").unwrap().1;
    assert_eq!(to_json(&doc, b).value, serde_json::json!({"k": [1]}));
}

#[test]
fn tokens_compare_meaning_not_layout() {
    let a = yaml("a: 1\nb: [x, 'y']\nc: {d: ~}\n");
    let b = yaml("{a: 0x1, b: [\"x\", y], c: {d: null}}");
    assert_eq!(tokens(&a, 0), tokens(&b, 0));
    let c = yaml("a: '1'\nb: [x, y]\nc: {d: null}\n");
    assert_ne!(tokens(&a, 0), tokens(&c, 0));
    assert_ne!(tokens(&yaml("a: !Ref x"), 0), tokens(&yaml("a: x"), 0));
    assert_eq!(tokens(&yaml("a: !!str x"), 0), tokens(&yaml("a: x"), 0));
}

#[test]
fn renderers() {
    let doc = yaml("a: [1, 'two', {b: \"c, d\"}]\ne: !Ref x\nf: yes\ng: |\n  line\nh: 0x1F\n\"k: v\": []\n");
    assert_eq!(
        render_flow(&doc, 0),
        "{a: [1, two, {b: \"c, d\"}], e: !Ref x, f: yes, g: \"line\\n\", h: 0x1F, \"k: v\": []}"
    );
    assert_eq!(
        render_yaml(&doc, 0),
        "a:\n  - 1\n  - two\n  - b: c, d\ne: !Ref x\nf: yes\ng: \"line\\n\"\nh: 0x1F\n\"k: v\": []\n"
    );
    assert!(matches!(
        render_json(&doc, 0, &JsonLayout::default(), false),
        Err(Issue { kind: IssueKind::UnknownTag(_), .. })
    ));
    let doc = yaml("z: 1\na: [1.50, 0x1F, +1, 'x', ~]\nb: {}\n");
    assert_eq!(
        render_json(&doc, 0, &JsonLayout::default(), false).unwrap(),
        "{\"z\": 1, \"a\": [1.50, 31, 1, \"x\", null], \"b\": {}}"
    );
    let layout = JsonLayout { comma: String::new(), colon: ":".into(), ..JsonLayout::default() };
    assert_eq!(render_json(&doc, 0, &layout, false).unwrap(), "{\"z\":1,\"a\":[1.50,31,1,\"x\",null],\"b\":{}}");
    let pretty = JsonLayout { pretty: Some(("\t".into(), "  ".into())), ..JsonLayout::default() };
    assert_eq!(
        render_json(&doc, 0, &pretty, false).unwrap(),
        "{\n  \t\"z\": 1,\n  \t\"a\": [\n  \t\t1.50,\n  \t\t31,\n  \t\t1,\n  \t\t\"x\",\n  \t\tnull\n  \t],\n  \t\"b\": {}\n  }"
    );
    let nested = yaml("- - a\n  - b\n- k: v\n  l: [w]\n- []\n");
    assert_eq!(render_yaml(&nested, 0), "- - a\n  - b\n- k: v\n  l:\n    - w\n- []\n");
    // Every rendering reads back as the same content.
    for doc in [&doc, &nested] {
        assert_eq!(tokens(&yaml(&render_flow(doc, 0)), 0), tokens(doc, 0));
        assert_eq!(tokens(&yaml(&render_yaml(doc, 0)), 0), tokens(doc, 0));
    }
}

#[test]
fn block_scalars_end_at_their_last_content_line() {
    let cases = [
        ("a: |\n  x\n# c\nb: 1\n", "|\n  x"),
        ("a: |\n  x  \n\n  y\n\n\nb: 1\n", "|\n  x  \n\n  y"),
        ("a: >-\n  x", ">-\n  x"),
        ("a: |\r\n  x\r\nb: 1\r\n", "|\r\n  x"),
        ("- |\n  x\n- y\n", "|\n  x"),
        ("a:\n  # comment\n  |\n  x\n", "|\n  x"),
    ];
    for (text, expected) in cases {
        let doc = yaml(text);
        let value = doc.children(0)[usize::from(doc.node(0).is_map())];
        assert_eq!(&text[doc.node(value).span()], expected, "{text:?}");
    }
}

/// A comment after a flow collection is not part of it (the parser's span of
/// the closing bracket runs on over it).
#[test]
fn flow_collections_end_at_their_bracket() {
    for (text, expected) in [
        ("a: [1, 2] # c\nb: 1\n", "[1, 2]"),
        ("a: {k: v}   # c\n", "{k: v}"),
        ("a: [1, [2]  ]  \n", "[1, [2]  ]"),
        ("- [x]\t# c\n- y\n", "[x]"),
    ] {
        let doc = yaml(text);
        let value = doc.children(0)[usize::from(doc.node(0).is_map())];
        assert_eq!(&text[doc.node(value).span()], expected, "{text:?}");
    }
}

/// The spec reads a literal or folded scalar whose last line ends the text
/// as having no final line break (issue 12, item 12: a merge that moved such
/// a scalar gave it one); the parser reads one there.
#[test]
fn block_scalar_ending_the_text_has_no_line_break_the_text_lacks() {
    let value = |text: &str| {
        let doc = yaml(text);
        let (_, b) = doc.find_key(0, "b").unwrap_or_else(|| panic!("{text:?} has b"));
        doc.node(b).scalar().unwrap().value.clone()
    };
    assert_eq!(value("a: 1\nb: >\n  text"), "text");
    assert_eq!(value("a: 1\nb: |+\n  text"), "text");
    assert_eq!(value("a: 1\nb: |-\n  text"), "text");
    assert_eq!(value("a: 1\nb: |\n  one\n\n  two"), "one\n\ntwo");
    assert_eq!(value("a: 1\nb: |\n  text\n"), "text\n");
    assert_eq!(value("a: 1\nb: |+\n  text\n\n"), "text\n\n");
    assert_eq!(value("a: 1\nb: |\n  text\n# after"), "text\n");
    assert_eq!(value("b: |\n  text\na: 1"), "text\n");
    assert_eq!(value("a: 1\r\nb: |\r\n  text\r\n"), "text\n");
    assert_eq!(value("a: 1\nb: \"text\\n\""), "text\n");
}

#[test]
fn scalar_values_are_typed() {
    let doc = yaml("True: 0x1\n\"true\": '1'\n!!str 2: !!float 3\n!x 4: !!int abc\n? [k]\n: ~\n");
    let values: Vec<Option<Resolved<'_>>> = (1..doc.len()).map(|id| doc.scalar_value(id)).collect();
    let s = |s: &'static str| Some(Resolved::Str(s.into()));
    assert_eq!(
        values,
        [
            Some(Resolved::Bool(true)),
            Some(Resolved::Int(1)),
            s("true"),
            s("1"),
            s("2"),
            Some(Resolved::Float(3.0)),
            s("4"),
            None,
            None,
            s("k"),
            Some(Resolved::Null),
        ]
    );
}

/// One line holding a whole large document: every step that looks back
/// along the line must stop at the spaces before a node, not scan to the
/// line start (that was quadratic: hours, not seconds).
#[test]
fn one_long_line_is_linear() {
    let entries: Vec<String> = (0..200_000).map(|i| format!("\"k{i}\": [{i}]")).collect();
    let text = format!("{{{}}}", entries.join(", "));
    let started = std::time::Instant::now();
    let json = parse_json(&text, &Limits::default()).single().unwrap();
    let yaml = parse_yaml(&text, &Limits::default()).single().unwrap();
    assert_eq!((json.len(), yaml.len()), (600_001, 600_001));
    let items = format!("[{}]", (0..200_000).map(|i| format!("? k{i} : v")).collect::<Vec<_>>().join(", "));
    assert_eq!(parse_yaml(&items, &Limits::default()).single().unwrap().len(), 600_001);
    assert!(started.elapsed() < std::time::Duration::from_secs(60), "took {:?}", started.elapsed());
}

mod robustness {
    use proptest::prelude::*;

    use super::*;
    use crate::edit::Editor;

    /// Text made of YAML's special characters, so that odd layouts come up.
    fn yamlish() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec![
                "a",
                "b",
                "1",
                " ",
                "  ",
                "\n",
                "\r\n",
                "\t",
                ":",
                ": ",
                "- ",
                "-",
                "?",
                ",",
                "[",
                "]",
                "{",
                "}",
                "#",
                "'",
                "\"",
                "|",
                ">",
                "!",
                "!!str ",
                "&x ",
                "*x",
                "---\n",
                "...\n",
                "é",
                "\\",
                "%TAG ! t:\n",
                "~",
            ]),
            0..40,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn any_text_gives_a_tree_or_an_error_with_spans_inside_it(text in yamlish()) {
            for format in [Format::Yaml, Format::Json] {
                let stream = parse(&text, format, &Limits::default());
                if let Some(error) = &stream.error {
                    prop_assert!(error.span.end <= text.len() && text.is_char_boundary(error.span.start));
                }
                for doc in &stream.documents {
                    for id in 0..doc.len() {
                        let span = doc.node(id).span();
                        prop_assert!(span.start <= span.end && span.end <= text.len(), "{:?} {:?}", span, text);
                        prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
                        prop_assert!(doc.node(id).lead() <= span.start.max(doc.node(id).lead()));
                    }
                    let _ = to_json(doc, doc.root());
                    let _ = render_yaml(doc, doc.root());
                    let _ = render_flow(doc, doc.root());
                }
            }
        }

        #[test]
        fn any_edit_of_any_text_returns(text in yamlish(), value in yamlish(), path in "[ab.\\[\\]0-9]{0,6}") {
            for format in [Format::Yaml, Format::Json] {
                let editor = Editor::new(format, Limits::default());
                let _ = editor.set(&text, &path, &value);
                let _ = editor.unset(&text, &path);
                let _ = editor.append(&text, &path, &value);
            }
        }
    }
}
