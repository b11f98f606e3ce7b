//! Which `format` names are checked, under every draft.
//!
//! jsonschema checks a standard format only under the drafts that define it
//! (`uuid` from 2019-09, `uri-reference` from draft 6…) and calls it unknown
//! under older ones. python-jsonschema and ajv check them under every draft,
//! and so does cfg: [`DRAFT_BOUND`] formats are registered as checks that
//! defer to jsonschema's own under 2020-12. Any other name that is neither
//! standard nor `cron` is unknown: ignored with a warning, or an error with
//! `--strict-formats`.

use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

use serde_json::Value;

/// Every format the JSON Schema specifications define (drafts 4 to 2020-12),
/// and `cron`, which cfg adds.
const KNOWN: &[&str] = &[
    "date",
    "date-time",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
    "uuid",
    "cron",
];

/// Standard formats jsonschema knows only from some draft on.
pub(super) const DRAFT_BOUND: &[&str] = &[
    "duration",
    "idn-hostname",
    "iri",
    "iri-reference",
    "json-pointer",
    "relative-json-pointer",
    "uri-reference",
    "uri-template",
    "uuid",
];

/// One 2020-12 validator per [`DRAFT_BOUND`] format, `{"format": NAME}`.
static CHECKS: LazyLock<HashMap<&'static str, jsonschema::Validator>> = LazyLock::new(|| {
    DRAFT_BOUND
        .iter()
        .map(|&name| {
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .should_validate_formats(true)
                .build(&serde_json::json!({ "format": name }))
                .expect("a format-only schema compiles");
            (name, validator)
        })
        .collect()
});

/// The check for a [`DRAFT_BOUND`] format, whatever the draft.
pub(super) fn check(name: &'static str) -> impl Fn(&str) -> bool + Send + Sync + 'static {
    move |text| CHECKS.get(name).is_none_or(|validator| validator.is_valid(&Value::String(text.to_owned())))
}

/// The names in `used` that cfg does not check, sorted.
pub(super) fn unknown(used: &BTreeSet<String>) -> Vec<String> {
    used.iter().filter(|name| !KNOWN.contains(&name.as_str())).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draft_bound_formats_are_standard_and_checked() {
        for name in DRAFT_BOUND {
            assert!(KNOWN.contains(name), "{name}");
            assert!(CHECKS.contains_key(name), "{name}");
        }
        assert!(check("uuid")("2f1c5f5e-8f3a-4f7e-9c1d-0a6b2c3d4e5f"));
        assert!(!check("uuid")("not-a-uuid"));
        assert!(!check("uri-reference")("\\\\bad"));
        let used: BTreeSet<String> = ["int64", "uuid", "cron", "color"].iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(unknown(&used), ["color", "int64"]);
    }
}
