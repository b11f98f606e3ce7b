//! The differential property test of the merge: random base/ours/theirs
//! documents, the real merge, and its result checked with a parser that is
//! not ours.
//!
//! Documents are drawn as a small model (block and flow mappings and lists,
//! lists keyed by `name` as an `x-merge-key`, scalars plain, single- and
//! double-quoted, literal and folded with every chomping, keys and values
//! spelled several ways, comments, blank lines, with or without a final
//! newline); each side applies a few random edits to the base model, and all
//! three are rendered to text the same way, so untouched parts stay
//! identical line for line. Whenever the merge returns clean text, that text
//! parsed by `saphyr` must agree with [`semantic::merge`] of the three inputs
//! parsed by `saphyr` (the merge's guard reads them with cfg's own parser).
//!
//! Cases: `PROPTEST_CASES`, 2,000 by default (a few seconds in a debug
//! build).

use std::cell::Cell;

use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use saphyr::{LoadableYamlNode, MarkedYamlOwned, ScalarOwned, YamlDataOwned};

use super::semantic::{self, Value};
use super::{Format, MergeOptions, merge};

const DEFAULT_CASES: u32 = 2000;

/// How a scalar is written; the words below are all safe in each style.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Quote {
    Plain,
    Single,
    Double,
}

/// Words whose spellings resolve alike or not: `true`/`True`/`TRUE`,
/// `1`/`0x1`/`+1`/`0o1`, `1.0`/`1.00`, `null`/`~`/(empty), `FALSE`/`false`.
const WORDS: &[&str] =
    &["a", "b", "x", "job1", "true", "True", "FALSE", "false", "null", "~", "1", "0x1", "+1", "0o1", "1.0", "1.00", ""];

#[derive(Debug, Clone, PartialEq)]
struct Scalar {
    word: &'static str,
    quote: Quote,
}

impl Scalar {
    fn render(&self, key: bool) -> String {
        // An empty plain key would not parse; an empty plain value is null.
        let quote = if key && self.word.is_empty() && self.quote == Quote::Plain { Quote::Double } else { self.quote };
        match quote {
            Quote::Plain => self.word.to_owned(),
            Quote::Single => format!("'{}'", self.word),
            Quote::Double => format!("\"{}\"", self.word),
        }
    }

    /// What the scalar means, so that generated mappings hold each key once.
    fn meaning(&self) -> String {
        let typed = match (self.quote, self.word) {
            (Quote::Plain, "true" | "True") => "true",
            (Quote::Plain, "FALSE" | "false") => "false",
            (Quote::Plain, "null" | "~" | "") => "null",
            (Quote::Plain, "1" | "0x1" | "+1" | "0o1") => "1",
            (Quote::Plain, "1.0" | "1.00") => "1.0",
            (_, word) => return format!("'{word}"),
        };
        typed.to_owned()
    }

    /// The same value spelled another way, when there is one.
    fn respelled(&self, pick: usize) -> Scalar {
        const SAME: &[&[&str]] =
            &[&["true", "True"], &["FALSE", "false"], &["null", "~", ""], &["1", "0x1", "+1", "0o1"], &["1.0", "1.00"]];
        if self.quote == Quote::Plain
            && let Some(group) = SAME.iter().find(|g| g.contains(&self.word))
        {
            return Scalar { word: group[pick % group.len()], quote: Quote::Plain };
        }
        let typed = SAME.iter().any(|g| g.contains(&self.word));
        let quotes: &[Quote] =
            if typed { &[Quote::Single, Quote::Double] } else { &[Quote::Plain, Quote::Single, Quote::Double] };
        Scalar { word: self.word, quote: quotes[pick % quotes.len()] }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Chomp {
    Clip,
    Strip,
    Keep,
}

#[derive(Debug, Clone, PartialEq)]
struct Block {
    folded: bool,
    chomp: Chomp,
    lines: Vec<&'static str>,
    /// Empty lines after the content: part of the value only when kept.
    trailing: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Scalar(Scalar),
    Block(Block),
    Map(Vec<Entry>),
    /// Items at the key's indentation, or two more.
    List {
        items: Vec<Scalar>,
        indented: bool,
    },
    /// Entries `- name: ID` with more fields.
    Keyed(Vec<Item>),
    FlowMap(Vec<(Scalar, Scalar)>),
    FlowList(Vec<Scalar>),
}

#[derive(Debug, Clone, PartialEq)]
struct Item {
    id: Scalar,
    fields: Vec<(Scalar, Scalar)>,
}

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    key: Scalar,
    value: Node,
    /// A comment line above the entry.
    comment: bool,
    /// A blank line above the entry (and its comment).
    blank: bool,
    /// A comment after a one-line value.
    trailing: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Doc {
    header: bool,
    entries: Vec<Entry>,
    final_newline: bool,
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn render_entries(out: &mut String, entries: &[Entry], indent: usize) {
    for entry in entries {
        if entry.blank {
            out.push('\n');
        }
        if entry.comment {
            pad(out, indent);
            out.push_str("# note\n");
        }
        pad(out, indent);
        out.push_str(&entry.key.render(true));
        out.push(':');
        let trailing = if entry.trailing { " # why" } else { "" };
        match &entry.value {
            Node::Scalar(s) => {
                let text = s.render(false);
                if !text.is_empty() {
                    out.push(' ');
                }
                out.push_str(&text);
                out.push_str(trailing);
                out.push('\n');
            }
            Node::Block(block) => {
                out.push_str(if block.folded { " >" } else { " |" });
                out.push_str(match block.chomp {
                    Chomp::Clip => "",
                    Chomp::Strip => "-",
                    Chomp::Keep => "+",
                });
                out.push('\n');
                for line in &block.lines {
                    if !line.is_empty() {
                        pad(out, indent + 2);
                        out.push_str(line);
                    }
                    out.push('\n');
                }
                out.extend(std::iter::repeat_n('\n', block.trailing));
            }
            Node::Map(entries) if entries.is_empty() => out.push_str(&format!(" {{}}{trailing}\n")),
            Node::Map(entries) => {
                out.push('\n');
                render_entries(out, entries, indent + 2);
            }
            Node::List { items, .. } | Node::FlowList(items) if items.is_empty() => {
                out.push_str(&format!(" []{trailing}\n"))
            }
            Node::List { items, indented } => {
                out.push('\n');
                for item in items {
                    pad(out, indent + if *indented { 2 } else { 0 });
                    out.push_str(&format!("- {}\n", item.render(false)).replace("- \n", "-\n"));
                }
            }
            Node::Keyed(items) if items.is_empty() => out.push_str(&format!(" []{trailing}\n")),
            Node::Keyed(items) => {
                out.push('\n');
                for item in items {
                    pad(out, indent);
                    out.push_str(&format!("- name: {}\n", item.id.render(false)));
                    for (key, value) in &item.fields {
                        pad(out, indent + 2);
                        out.push_str(&format!("{}: {}\n", key.render(true), value.render(false)));
                    }
                }
            }
            Node::FlowMap(pairs) => {
                let pairs: Vec<String> =
                    pairs.iter().map(|(k, v)| format!("{}: {}", k.render(true), v.render(false))).collect();
                out.push_str(&format!(" {{{}}}{trailing}\n", pairs.join(", ")));
            }
            Node::FlowList(items) => {
                let items: Vec<String> = items.iter().map(|s| s.render(false)).collect();
                out.push_str(&format!(" [{}]{trailing}\n", items.join(", ")));
            }
        }
    }
}

fn render(doc: &Doc) -> String {
    let mut out = String::new();
    if doc.header {
        out.push_str("# header\n\n");
    }
    render_entries(&mut out, &doc.entries, 0);
    if !doc.final_newline && out.ends_with('\n') {
        out.pop();
    }
    out
}

/// Keeps the first of entries whose keys mean the same.
fn unique<T>(mut entries: Vec<T>, key: impl Fn(&T) -> &Scalar) -> Vec<T> {
    let mut seen = Vec::new();
    entries.retain(|entry| {
        let meaning = key(entry).meaning();
        let new = !seen.contains(&meaning);
        seen.push(meaning);
        new
    });
    entries
}

fn scalar() -> impl Strategy<Value = Scalar> {
    (
        prop::sample::select(WORDS),
        prop_oneof![4 => Just(Quote::Plain), 1 => Just(Quote::Single), 1 => Just(Quote::Double)],
    )
        .prop_map(|(word, quote)| Scalar { word, quote })
}

fn key() -> impl Strategy<Value = Scalar> {
    prop_oneof![
        3 => prop::sample::select(&["a", "b", "c", "d"][..]).prop_map(|word| Scalar { word, quote: Quote::Plain }),
        1 => scalar(),
    ]
}

fn block() -> impl Strategy<Value = Block> {
    (
        any::<bool>(),
        prop_oneof![Just(Chomp::Clip), Just(Chomp::Strip), Just(Chomp::Keep)],
        prop::collection::vec(prop::sample::select(&["one", "two", "three", ""][..]), 0..4),
        0..3usize,
    )
        .prop_map(|(folded, chomp, mut lines, trailing)| {
            // A first line that is empty would be fine, but one line of text
            // keeps the indentation unambiguous.
            if lines.first() == Some(&"") {
                lines[0] = "zero";
            }
            Block { folded, chomp, lines, trailing }
        })
}

fn leaf() -> impl Strategy<Value = Node> {
    prop_oneof![
        6 => scalar().prop_map(Node::Scalar),
        2 => block().prop_map(Node::Block),
        1 => prop::collection::vec((key(), scalar()), 0..3).prop_map(|pairs| Node::FlowMap(unique(pairs, |p| &p.0))),
        1 => prop::collection::vec(scalar(), 0..3).prop_map(Node::FlowList),
    ]
}

fn item() -> impl Strategy<Value = Item> {
    (scalar(), prop::collection::vec((key(), scalar()), 0..3))
        .prop_map(|(id, fields)| Item { id, fields: unique(fields, |f| &f.0) })
}

fn entry_with(value: impl Strategy<Value = Node>) -> impl Strategy<Value = Entry> {
    (key(), value, prop::bool::weighted(0.2), prop::bool::weighted(0.2), prop::bool::weighted(0.1))
        .prop_map(|(key, value, comment, blank, trailing)| Entry { key, value, comment, blank, trailing })
}

fn node() -> impl Strategy<Value = Node> {
    prop_oneof![
        6 => leaf(),
        2 => prop::collection::vec(entry_with(leaf()), 1..4).prop_map(|entries| Node::Map(unique(entries, |e| &e.key))),
        1 => (prop::collection::vec(scalar(), 1..4), any::<bool>()).prop_map(|(items, indented)| Node::List { items, indented }),
        2 => prop::collection::vec(item(), 1..4).prop_map(Node::Keyed),
    ]
}

fn doc() -> impl Strategy<Value = Doc> {
    (prop::bool::weighted(0.2), prop::collection::vec(entry_with(node()), 1..5), prop::bool::weighted(0.7)).prop_map(
        |(header, entries, final_newline)| Doc { header, entries: unique(entries, |e| &e.key), final_newline },
    )
}

/// One random edit; `at` and `pick` choose where and what, modulo what exists.
#[derive(Debug, Clone)]
struct Edit {
    kind: u8,
    at: usize,
    pick: usize,
    scalar: Scalar,
    value: Node,
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(
        (0..10u8, any::<usize>(), any::<usize>(), scalar(), leaf()).prop_map(|(kind, at, pick, scalar, value)| Edit {
            kind,
            at,
            pick,
            scalar,
            value,
        }),
        1..4,
    )
}

/// The path (entry indices) to every mapping of the document, depth first.
fn map_paths(entries: &[Entry], prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    out.push(prefix.clone());
    for (i, entry) in entries.iter().enumerate() {
        if let Node::Map(inner) = &entry.value {
            prefix.push(i);
            map_paths(inner, prefix, out);
            prefix.pop();
        }
    }
}

fn map_at<'d>(mut entries: &'d mut Vec<Entry>, path: &[usize]) -> &'d mut Vec<Entry> {
    for &i in path {
        entries = match &mut entries[i].value {
            Node::Map(inner) => inner,
            _ => unreachable!("a path leads through mappings"),
        };
    }
    entries
}

fn apply(doc: &mut Doc, edit: &Edit) {
    match edit.kind {
        8 => return doc.final_newline = !doc.final_newline,
        9 => return doc.header = !doc.header,
        _ => {}
    }
    let mut paths = Vec::new();
    map_paths(&doc.entries, &mut Vec::new(), &mut paths);
    let entries = map_at(&mut doc.entries, &paths[edit.at % paths.len()]);
    let n = entries.len();
    match edit.kind {
        // Set a value; or, on a collection, edit inside it.
        0 | 1 if n > 0 => {
            let entry = &mut entries[edit.pick % n];
            match &mut entry.value {
                Node::List { items, .. } | Node::FlowList(items) if !items.is_empty() => {
                    let len = items.len();
                    match edit.kind {
                        0 => items[edit.pick / 7 % len] = edit.scalar.clone(),
                        _ => items.insert(edit.pick / 7 % (len + 1), edit.scalar.clone()),
                    }
                }
                Node::Keyed(items) if !items.is_empty() => {
                    let len = items.len();
                    match edit.kind {
                        0 => {
                            let fields = &mut items[edit.pick / 7 % len].fields;
                            match fields.len() {
                                0 => fields.push((Scalar { word: "x", quote: Quote::Plain }, edit.scalar.clone())),
                                k => fields[edit.pick / 11 % k].1 = edit.scalar.clone(),
                            }
                        }
                        _ => items
                            .insert(edit.pick / 7 % (len + 1), Item { id: edit.scalar.clone(), fields: Vec::new() }),
                    }
                }
                Node::FlowMap(pairs) if !pairs.is_empty() => {
                    let len = pairs.len();
                    pairs[edit.pick / 7 % len].1 = edit.scalar.clone();
                }
                value => *value = edit.value.clone(),
            }
        }
        // Respell a key or a scalar value, keeping what it means.
        2 if n > 0 => {
            let entry = &mut entries[edit.pick % n];
            match &mut entry.value {
                Node::Scalar(s) if edit.pick.is_multiple_of(2) => *s = s.respelled(edit.pick / 2),
                Node::Keyed(items) if !items.is_empty() => {
                    let len = items.len();
                    let id = &mut items[edit.pick / 7 % len].id;
                    *id = id.respelled(edit.pick / 3);
                }
                _ => entry.key = entry.key.respelled(edit.pick / 2),
            }
        }
        // Delete an entry, or an entry of a list.
        3 | 4 if n > 0 => {
            let i = edit.pick % n;
            match &mut entries[i].value {
                Node::List { items, .. } | Node::FlowList(items) if edit.kind == 4 && !items.is_empty() => {
                    let len = items.len();
                    items.remove(edit.pick / 7 % len);
                }
                Node::Keyed(items) if edit.kind == 4 && !items.is_empty() => {
                    let len = items.len();
                    items.remove(edit.pick / 7 % len);
                }
                _ => {
                    entries.remove(i);
                }
            }
        }
        // Add an entry (under a new key: a key twice is no document).
        5 | 6 => {
            let key = if edit.kind == 5 { edit.scalar.clone() } else { Scalar { word: "c", quote: Quote::Plain } };
            if entries.iter().any(|e| e.key.meaning() == key.meaning()) {
                return;
            }
            let entry = Entry {
                key,
                value: edit.value.clone(),
                comment: edit.pick.is_multiple_of(5),
                blank: edit.pick.is_multiple_of(3),
                trailing: false,
            };
            entries.insert(edit.pick % (n + 1), entry);
        }
        // Comments and blank lines.
        7 if n > 0 => {
            let entry = &mut entries[edit.pick % n];
            match edit.pick / n % 3 {
                0 => entry.comment = !entry.comment,
                1 => entry.blank = !entry.blank,
                _ => entry.trailing = !entry.trailing,
            }
        }
        _ => {}
    }
}

/// The document as `saphyr` reads it; `None` if it does not load.
///
/// One correction: saphyr-parser (like the parser under cfg's validator)
/// reads a literal or folded scalar that ends the input without a final line
/// break as if one followed (`b: >\n  text` gives `"text\n"`). The YAML spec
/// keeps only a line break that is there (`"text"`, as PyYAML and libyaml
/// read it), and so do readers of the merged file; the scalar that ends the
/// input is read that way here.
fn load(text: &str) -> Option<Value> {
    let docs = MarkedYamlOwned::load_from_str(text).ok()?;
    // A scalar ending there whose value ends with a line break can only be
    // a block scalar: a quoted one would end with its quote.
    let last_line = text.rsplit('\n').next().unwrap_or_default();
    let unterminated = !last_line.trim().is_empty() && !last_line.ends_with(['"', '\'']);
    let eof = unterminated.then(|| text.chars().count());
    match docs.as_slice() {
        [] => Some(Value::Null),
        [doc] => convert(doc, eof),
        _ => None,
    }
}

fn convert(yaml: &MarkedYamlOwned, eof: Option<usize>) -> Option<Value> {
    Some(match &yaml.data {
        YamlDataOwned::Value(scalar) => match scalar {
            ScalarOwned::Null => Value::Null,
            ScalarOwned::Boolean(b) => Value::Bool(*b),
            ScalarOwned::Integer(i) => Value::Int((*i).into()),
            ScalarOwned::FloatingPoint(f) => Value::Float(f.0),
            ScalarOwned::String(s) => match s.strip_suffix('\n') {
                Some(chomped) if eof == Some(yaml.span.end.index()) => Value::String(chomped.to_owned()),
                _ => Value::String(s.clone()),
            },
        },
        YamlDataOwned::Sequence(items) => {
            Value::Seq(items.iter().map(|item| convert(item, eof)).collect::<Option<_>>()?)
        }
        YamlDataOwned::Mapping(map) => {
            Value::map(map.iter().map(|(k, v)| Some((convert(k, eof)?, convert(v, eof)?))).collect::<Option<_>>()?)?
        }
        _ => return None,
    })
}

fn options() -> MergeOptions {
    MergeOptions { format: Format::Yaml, list_keys: vec!["name".to_owned()], ..MergeOptions::default() }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(DEFAULT_CASES)
}

#[test]
fn saphyr_resolves_the_spellings_as_the_core_schema_does() {
    let value = |text: &str| {
        load(&format!("k: {text}\n")).and_then(|v| match v {
            Value::Map(mut entries) => entries.pop().map(|(_, v)| v),
            _ => None,
        })
    };
    for (a, b) in [
        ("true", "True"),
        ("FALSE", "false"),
        ("null", "~"),
        ("1", "0x1"),
        ("1", "+1"),
        ("1", "0o1"),
        ("1.0", "1.00"),
        ("job1", "'job1'"),
    ] {
        assert_eq!(value(a), value(b), "{a} and {b}");
    }
    assert_eq!(value(""), Some(Value::Null));
    assert_ne!(value("1"), value("'1'"));
    assert_ne!(value("1"), value("1.0"));
    assert_eq!(load("true: 1\nTrue: 2\n"), None, "a key twice by value");
}

/// One case; `Ok(true)` when the merge was clean (and so checked).
fn check(base: &Doc, ours_edits: &[Edit], theirs_edits: &[Edit]) -> Result<bool, TestCaseError> {
    let (mut ours, mut theirs) = (base.clone(), base.clone());
    for edit in ours_edits {
        apply(&mut ours, edit);
    }
    for edit in theirs_edits {
        apply(&mut theirs, edit);
    }
    let (b, o, t) = (render(base), render(&ours), render(&theirs));
    let (Some(bv), Some(ov), Some(tv)) = (load(&b), load(&o), load(&t)) else {
        // An edit made a key twice, say: not a document anyone stored.
        return Err(TestCaseError::reject("an input does not load"));
    };
    let opts = options();
    let Ok(merged) = merge(&b, &o, &t, &opts) else {
        return Ok(false);
    };
    let shown = format!("base:\n{b}\n--- ours:\n{o}\n--- theirs:\n{t}\n--- merged:\n{merged}\n---");
    let Some(actual) = load(&merged) else {
        return Err(TestCaseError::fail(format!("the merged text does not load\n{shown}")));
    };
    let Some(expected) = semantic::merge(&bv, &ov, &tv, &opts.list_keys) else {
        return Err(TestCaseError::fail(format!("merged cleanly, but the documents conflict\n{shown}")));
    };
    prop_assert!(
        semantic::agrees(&actual, &expected, &opts.list_keys),
        "merged {:?}\nexpected {:?}\n{}",
        actual,
        expected,
        shown
    );
    Ok(true)
}

#[test]
fn clean_merges_are_the_semantic_merge() {
    let config = ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() };
    let mut runner = TestRunner::new(config);
    let (clean, conflicts) = (Cell::new(0u32), Cell::new(0u32));
    let result = runner.run(&(doc(), edits(), edits()), |(base, ours, theirs)| {
        let counter = if check(&base, &ours, &theirs)? { &clean } else { &conflicts };
        counter.set(counter.get() + 1);
        Ok(())
    });
    eprintln!(
        "differential merge test: {} cases, {} clean merges checked with saphyr, {} conflicts",
        cases(),
        clean.get(),
        conflicts.get()
    );
    if let Err(failure) = result {
        panic!("{failure}");
    }
}
