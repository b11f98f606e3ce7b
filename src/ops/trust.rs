//! Trust: a pull must never become a way to run code on every host.
//!
//! `.cfg.yaml` can name commands (`on_write`, and `checks` where they
//! exist). Once a store syncs with a remote, `.cfg.yaml` can arrive from
//! another host, so its commands run only when this host approved that exact
//! set with `cfg trust`, as `direnv allow` and `mise trust` ask for every
//! changed `.envrc`. The approval is the set's hash (the git blob id of the
//! commands as written, in order), one per line in `.cfg/trusted`.
//!
//! Which stores ask: those with a remote, or that ever had one (`cfg remote
//! add` and `cfg clone` create `.cfg/trusted`). `cfg remote add` approves the
//! set in place then (this host's own); `cfg clone` approves nothing. A store
//! that never synced runs its commands as before: nothing can arrive in it.
//! Until a set is approved, every write says which commands it skipped and
//! how to approve them; everything else works.

use std::path::Path;

use crate::fsio::{self, RelPath, StoreLock};
use crate::settings::Settings;
use crate::store::{self, Rev, STORE_DIR, Store};

use super::Error;
use super::on_write::HookFailure;

const FILE_NAME: &str = "trusted";

/// Whether the commands of the project settings may run on this host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    /// No commands, or a store that never synced.
    NotNeeded,
    Approved,
    /// Not approved: the commands and the hash `cfg trust` would record.
    Missing {
        commands: Vec<String>,
        hash: String,
    },
}

/// What `cfg trust` approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustOutcome {
    pub commands: Vec<String>,
    pub hash: String,
    /// False when it was approved already.
    pub added: bool,
}

/// Whether this host approved the commands of `.cfg.yaml` as read into
/// `settings.project` (as written, whatever [`gate`] took out).
pub fn approval(settings: &Settings) -> Result<Approval, Error> {
    let commands = listed(&settings.project.commands);
    let git_dir = settings.root.join(STORE_DIR);
    if commands.is_empty() || !asks(&git_dir)? {
        return Ok(Approval::NotNeeded);
    }
    let hash = hash(&settings.project.commands);
    if approved_hashes(&git_dir)?.contains(&hash) {
        Ok(Approval::Approved)
    } else {
        Ok(Approval::Missing { commands, hash })
    }
}

/// Takes the commands this host has not approved out of `settings.project`
/// (`on_write`, `checks`), so that nothing runs them, and lists them in
/// `untrusted`, so that writes can say what they skipped.
pub(crate) fn gate(settings: &mut Settings) -> Result<(), Error> {
    if let Approval::Missing { commands, .. } = approval(settings)? {
        settings.project.on_write.clear();
        settings.project.checks.clear();
        settings.project.untrusted = commands;
    }
    Ok(())
}

/// `cfg trust`: approves the commands `.cfg.yaml` names now, on this host.
pub fn trust(settings: &Settings) -> Result<TrustOutcome, Error> {
    let store = Store::open(&settings.root)?;
    let _lock = StoreLock::acquire(&store.lock_path(), settings.lock_timeout, &super::remote::holder(settings))?;
    let commands = listed(&settings.project.commands);
    let hash = hash(&settings.project.commands);
    let added = !approved_hashes(store.git_dir())?.contains(&hash);
    if added {
        fsio::append_durably(&store.git_dir().join(FILE_NAME), format!("{hash}\n").as_bytes())?;
    }
    Ok(TrustOutcome { commands, hash, added })
}

/// Marks the store as one that asks for approval (see the module docs);
/// with `approve_current`, the commands named now are approved.
pub(crate) fn start(settings: &Settings, store: &Store, approve_current: bool) -> Result<(), Error> {
    let path = store.git_dir().join(FILE_NAME);
    let mut text = String::new();
    if approve_current && !listed(&settings.project.commands).is_empty() {
        text = format!("{}\n", hash(&settings.project.commands));
    }
    if text.is_empty() && path.exists() {
        return Ok(());
    }
    Ok(fsio::append_durably(&path, text.as_bytes())?)
}

/// Runs the `on_write` commands for what a session wrote (only approved ones
/// are left, see [`gate`]), and says which commands were skipped and how to
/// approve them.
pub(crate) fn on_write(settings: &Settings, start: Option<Rev>, written: &[(Rev, Vec<RelPath>)]) -> Vec<HookFailure> {
    let mut failures = super::on_write::run(settings, start, written);
    let untrusted = &settings.project.untrusted;
    if !written.is_empty() && !untrusted.is_empty() {
        failures.push(HookFailure {
            command: untrusted.join("; "),
            files: Vec::new(),
            reason: format!(
                "this host has not approved the commands in `.cfg.yaml` ({}); `cfg trust` shows and approves them",
                untrusted.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
            ),
        });
    }
    failures
}

/// A store asks once it has, or had, a remote; read without opening the
/// repository, as every command does this.
fn asks(git_dir: &Path) -> Result<bool, Error> {
    if git_dir.join(FILE_NAME).exists() {
        return Ok(true);
    }
    let config = git_dir.join("config");
    match std::fs::read_to_string(&config) {
        Ok(text) => Ok(text.contains("[remote \"")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(fsio::IoError::new(fsio::Step::Read, config, e).into()),
    }
}

fn approved_hashes(git_dir: &Path) -> Result<Vec<String>, Error> {
    let path = git_dir.join(FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text.lines().map(str::to_owned).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(fsio::IoError::new(fsio::Step::Read, path, e).into()),
    }
}

fn hash(commands: &serde_json::Value) -> String {
    store::content_id(commands.to_string().as_bytes()).to_string()
}

/// Each command, as a person reads it: a string as it is; a command with
/// options by its `command`, or else as its JSON.
fn listed(commands: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for list in commands.as_array().into_iter().flatten() {
        for command in list.as_array().into_iter().flatten() {
            out.push(match command {
                serde_json::Value::String(text) => text.clone(),
                other => match other.get("command").and_then(serde_json::Value::as_str) {
                    Some(text) => text.to_owned(),
                    None => other.to_string(),
                },
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_listed_and_hashed_in_order() {
        let a = serde_json::json!([["reload x", {"command": "cp a b"}], null]);
        let b = serde_json::json!([[{"command": "cp a b"}, "reload x"], null]);
        assert_eq!(listed(&a), ["reload x", "cp a b"]);
        assert_eq!(listed(&serde_json::json!([null, [{"run": 1}]])), [r#"{"run":1}"#]);
        assert_ne!(hash(&a), hash(&b));
        assert_eq!(hash(&a), hash(&a.clone()));
        assert!(listed(&serde_json::json!([null, null])).is_empty());
    }
}
