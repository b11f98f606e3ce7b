//! `cfg clone URL [DIR]`: a new host joins. DIR gets a store whose remote
//! `origin` is URL, and every file of the remote's branch is written through
//! the one write path, as a pull into an empty store: a file DIR already holds
//! with other content is first recorded as an outside edit, then merged with
//! the remote's version (or reported as a conflict, both versions kept).
//! Nothing the clone brings is trusted to run: `on_write` commands in the
//! remote's `.cfg.yaml` wait for `cfg trust`.

use std::path::Path;

use crate::fsio::StoreLock;
use crate::settings::Settings;
use crate::store::{STORE_DIR, Store};

use super::Error;
use super::pull::{PullOutcome, PullRequest, pull};
use super::remote::{RemoteError, holder};

/// The name the cloned remote gets, as `git clone` names it.
pub const ORIGIN: &str = "origin";

/// Refuses a DIR that holds a store already: a clone starts one.
pub fn check_clone_target(dir: &Path) -> Result<(), Error> {
    if dir.join(STORE_DIR).exists() {
        return Err(RemoteError::AlreadyAStore { path: dir.to_owned() }.into());
    }
    Ok(())
}

/// Clones into the store of `settings`, which [`super::init`] just made.
pub fn clone(settings: &Settings, url: &str) -> Result<PullOutcome, Error> {
    {
        let store = Store::open(&settings.root)?;
        let _lock = StoreLock::acquire(&store.lock_path(), settings.lock_timeout, &holder(settings))?;
        super::trust::start(settings, &store, false)?;
        store.add_remote(ORIGIN, url)?;
    }
    pull(settings, &PullRequest { remote: Some(ORIGIN.to_owned()), ..PullRequest::default() })
}
