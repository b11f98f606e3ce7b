//! `cfg push`: publish this host's branch on the remote. Never forced: a
//! remote whose branch holds commits this host lacks refuses the push
//! ([`RemoteError::Rejected`], exit 3), and `cfg pull` (or `cfg sync`, which
//! does both) brings those commits in first.

use crate::settings::Settings;
use crate::store::{PushResult, Rev};

use super::remote::{Link, RemoteError};
use super::{Error, open_for_reading};

#[derive(Debug, Clone)]
pub struct PushOutcome {
    pub remote: String,
    /// The commit the remote's branch now holds; `None` for an empty store.
    pub rev: Option<Rev>,
    /// False when the remote held it already.
    pub pushed: bool,
}

pub fn push(settings: &Settings, remote: Option<&str>) -> Result<PushOutcome, Error> {
    let link = Link::open(settings, remote)?;
    let outcome = push_head(settings, &link)?;
    match outcome {
        Some(outcome) => Ok(outcome),
        None => Err(RemoteError::Rejected { remote: link.name().to_owned() }.into()),
    }
}

/// Pushes the branch tip as it is now; `None` when the remote refused it.
pub(crate) fn push_head(settings: &Settings, link: &Link) -> Result<Option<PushOutcome>, Error> {
    // Finishes a write a killed process left, so that what is pushed is
    // what the files hold.
    let store = open_for_reading(settings)?;
    let remote = link.name().to_owned();
    let Some(head) = store.head()? else {
        return Ok(Some(PushOutcome { remote, rev: None, pushed: false }));
    };
    Ok(match link.push(head)? {
        PushResult::Pushed => Some(PushOutcome { remote, rev: Some(head), pushed: true }),
        PushResult::UpToDate => Some(PushOutcome { remote, rev: Some(head), pushed: false }),
        PushResult::Rejected => None,
    })
}
