//! The three-way merge never panics, and its laws hold on any input: merging
//! a change against an unchanged side gives the change; and a clean merge of
//! YAML or JSON, parsed, is the semantic merge of the three parsed versions
//! (unless one side is unchanged or both are the same, when it is that text).
#![no_main]

use cfg::merge::semantic::{self, parse_value};
use cfg::merge::{Format, MergeOptions, merge};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Three texts separated by NUL bytes; missing ones are empty.
    let mut parts = text.splitn(3, '\0');
    let base = parts.next().unwrap_or_default();
    let x = parts.next().unwrap_or_default();
    let other = parts.next().unwrap_or_default();
    for format in [Format::Text, Format::Yaml, Format::Json] {
        let options = MergeOptions { format, list_keys: vec!["skill_name".into()], ..MergeOptions::default() };
        assert_eq!(merge(base, x, base, &options).as_deref(), Ok(x), "merge(base, x, base) must be x");
        assert_eq!(merge(base, base, x, &options).as_deref(), Ok(x), "merge(base, base, x) must be x");
        assert_eq!(merge(base, x, x, &options).as_deref(), Ok(x), "merge(base, x, x) must be x");
        let Ok(merged) = merge(base, x, other, &options) else {
            continue;
        };
        if format == Format::Text || x == base || other == base || x == other {
            continue;
        }
        // The guard's law.
        let json = format == Format::Json;
        let keys = &options.list_keys;
        let versions = [base, x, other].map(|text| parse_value(text, json));
        let [Some(b), Some(o), Some(t)] = &versions else {
            panic!("merged cleanly, but a version is not a document");
        };
        let expected = semantic::merge(b, o, t, keys).expect("merged cleanly, but the documents conflict");
        let merged = parse_value(&merged, json).expect("the merged text is a document");
        assert!(semantic::agrees(&merged, &expected, keys), "the merged document is not the semantic merge");
    }
});
