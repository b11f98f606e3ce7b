//! Records of content known to pass a check that costs more than reading a
//! record: a schema against its meta-schema, `.cfg.yaml` against
//! `builtin:cfg`. Each is a file of keys under `.cfg/cache/`, one per line,
//! made by [`crate::validate::schema_key`] (a SHA-1 of the content and cfg's
//! version), so a changed file or a new cfg never finds a stale entry.
//!
//! A cache, not history: appended without syncing, read leniently. A line a
//! crash tore or dropped costs one check again; nothing else depends on it.
//! Outside a managed root there is no record, and every check runs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::fsio;
use crate::store::STORE_DIR;

pub(crate) struct Record {
    /// `None` outside a managed root.
    path: Option<PathBuf>,
}

impl Record {
    /// The record `name` of the store at `root`, if `root` has a store.
    pub(crate) fn of(root: &Path, name: &str) -> Record {
        let store = root.join(STORE_DIR);
        Record { path: store.join("HEAD").is_file().then(|| store.join("cache").join(name)) }
    }

    pub(crate) fn keys(&self) -> BTreeSet<String> {
        let Some(text) = self.path.as_ref().and_then(|path| std::fs::read_to_string(path).ok()) else {
            return BTreeSet::new();
        };
        text.lines()
            .filter(|key| key.len() == 40 && key.bytes().all(|b| b.is_ascii_hexdigit()))
            .map(str::to_owned)
            .collect()
    }

    /// Adds `keys`; best effort.
    pub(crate) fn add(&self, keys: &[String]) {
        let Some(path) = &self.path else { return };
        if keys.is_empty() {
            return;
        }
        let lines: String = keys.iter().map(|key| format!("{key}\n")).collect();
        let folder = path.parent().expect("the cache folder");
        let _ = fsio::create_dir(folder).and_then(|_| fsio::append(path, lines.as_bytes()));
    }
}
