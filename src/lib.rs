//! `cfg`: safe writes for YAML/JSON config files.
//!
//! Every change to a managed file goes through one path ([`ops::write`]): take the
//! store lock, validate the new content, write the new version into the side git
//! repository (`.cfg/`) and make it durable, replace the file atomically and
//! durably, then move the branch. Backups are commits, the audit trail is the
//! history, restore is a new commit.
//!
//! The crate is layered; dependencies point one way:
//!
//! * pure cores: [`document`] (the one parser of YAML and JSON text: a tree
//!   of nodes with byte spans, styles, tags and resolved values, built
//!   iteratively under depth and alias limits), [`validate`] (schema, cron,
//!   diagnostics, on that tree), [`merge`] (three-way merge), [`retention`]
//!   (which commits a policy keeps), [`edit`] (set, unset or append one value
//!   of a YAML or JSON document, keeping every other byte), [`keydiff`] (what
//!   changed between two versions, as paths and values);
//! * effects: [`fsio`] (the only code that writes files: the lock, the durable
//!   replace, path resolution) and [`store`] (the side repository; gix stays inside;
//!   remotes are reached through the `git` program, signatures made and checked
//!   by `ssh-keygen`);
//! * [`ops`]: one module per user operation, the only place that combines the others;
//! * the `cfg` binary, which parses arguments, calls [`ops`] and renders errors.
//!
//! ```no_run
//! use cfg::ops::{self, WriteRequest};
//!
//! let root = std::path::Path::new("/srv/config");
//! ops::init(root)?;
//! // The current user and host, a 10 s lock timeout, and `.cfg.yaml`'s
//! // schemas, limits and hooks; change any field before use.
//! let settings = ops::settings_for(root)?;
//! let outcome = ops::write(
//!     &settings,
//!     WriteRequest::new("schedule_config.yml", b"version: 1.0.0\n".to_vec())
//!         .message("raise the retry count"),
//! )?;
//! println!("committed {}", outcome.rev);
//! # Ok::<(), cfg::ops::Error>(())
//! ```

// Tests set up their fixtures with std::fs; the rule is for the shipped code,
// which `cargo clippy` also checks without `cfg(test)`.
#![cfg_attr(test, allow(clippy::disallowed_methods))]

mod checked;
pub mod document;
pub mod duration;
pub mod edit;
pub mod fsio;
pub mod keydiff;
pub mod merge;
pub mod ops;
pub mod project;
pub mod retention;
pub mod settings;
mod source;
pub mod store;
pub mod validate;
