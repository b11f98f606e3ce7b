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

use crate::fsio::{self, RelPath, StoreLock};
use crate::settings::Settings;
use crate::store::{Rev, Store};

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

/// Whether this host approved the commands in `settings.project`.
pub fn approval(settings: &Settings) -> Result<Approval, Error> {
    let store = Store::open(&settings.root)?;
    let commands = listed(&settings.project.commands);
    if commands.is_empty() || !asks(&store)? {
        return Ok(Approval::NotNeeded);
    }
    let hash = hash(&settings.project.commands);
    if approved_hashes(&store)?.contains(&hash) {
        Ok(Approval::Approved)
    } else {
        Ok(Approval::Missing { commands, hash })
    }
}

/// `cfg trust`: approves the commands `.cfg.yaml` names now, on this host.
pub fn trust(settings: &Settings) -> Result<TrustOutcome, Error> {
    let store = Store::open(&settings.root)?;
    let _lock = StoreLock::acquire(&store.lock_path(), settings.lock_timeout, &super::remote::holder(settings))?;
    let commands = listed(&settings.project.commands);
    let hash = hash(&settings.project.commands);
    let added = !approved_hashes(&store)?.contains(&hash);
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

/// Runs the `on_write` commands for what a session wrote, if this host
/// approved them; otherwise reports them as skipped, with how to approve.
pub(crate) fn on_write(settings: &Settings, start: Option<Rev>, written: &[(Rev, Vec<RelPath>)]) -> Vec<HookFailure> {
    if written.is_empty() || settings.project.on_write.is_empty() {
        return Vec::new();
    }
    match approval(settings) {
        Ok(Approval::NotNeeded | Approval::Approved) => super::on_write::run(settings, start, written),
        Ok(Approval::Missing { commands, .. }) => vec![HookFailure {
            command: commands.join("; "),
            file: None,
            reason: format!(
                "this host has not approved the commands in `.cfg.yaml` ({}); `cfg trust` shows and approves them",
                commands.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
            ),
        }],
        Err(e) => vec![HookFailure { command: String::new(), file: None, reason: e.to_string() }],
    }
}

fn asks(store: &Store) -> Result<bool, Error> {
    Ok(store.git_dir().join(FILE_NAME).exists() || !store.remotes()?.is_empty())
}

fn approved_hashes(store: &Store) -> Result<Vec<String>, Error> {
    let path = store.git_dir().join(FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text.lines().map(str::to_owned).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(fsio::IoError::new(fsio::Step::Read, path, e).into()),
    }
}

fn hash(commands: &serde_json::Value) -> String {
    crate::store::content_id(commands.to_string().as_bytes()).to_string()
}

/// Each command, as a person reads it: a string as it is, anything else
/// (a command with options) as its JSON.
fn listed(commands: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for list in commands.as_array().into_iter().flatten() {
        for command in list.as_array().into_iter().flatten() {
            out.push(match command {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
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
        assert_eq!(listed(&a), ["reload x", r#"{"command":"cp a b"}"#]);
        assert_ne!(hash(&a), hash(&b));
        assert_eq!(hash(&a), hash(&a.clone()));
        assert!(listed(&serde_json::json!([null, null])).is_empty());
    }
}
