//! The YAML/JSON loader and the validator never panic, overflow the stack or
//! run away on any input: they return a report. Checked against the built-in
//! schedule schema, so the schema, format and cron paths run too.
#![no_main]

use std::sync::OnceLock;

use cfg::validate::{Options, Validator};
use libfuzzer_sys::fuzz_target;

fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let options = Options { schema: Some("builtin:schedule".into()), ..Options::default() };
        Validator::new(options).expect("the built-in schema compiles")
    })
}

fuzz_target!(|data: &[u8]| {
    for name in ["schedule_config.yml", "schedule.json"] {
        let report = validator().check(name, data);
        for diagnostic in &report.diagnostics {
            assert!(diagnostic.line >= 1 && diagnostic.column >= 1, "positions are 1-based");
            assert!(diagnostic.span.start <= data.len(), "spans stay inside the input");
        }
    }
    let _ = Validator::default().check("plain.yaml", data);
});
