//! The three-way merge never panics, and its laws hold on any input: merging
//! a change against an unchanged side gives the change.
#![no_main]

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
        let _ = merge(base, x, other, &options);
    }
});
