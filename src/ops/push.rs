//! `cfg push`: publish this host's branch on the remote. Never forced: a
//! remote whose branch holds commits this host lacks refuses the push
//! ([`RemoteError::Rejected`], exit 3), and `cfg pull` (or `cfg sync`, which
//! does both) brings those commits in first. A remote whose branch's lock
//! file exists refuses it too ([`RemoteError::Locked`], exit 4).

use crate::settings::Settings;
use crate::store::{PushResult, Refusal, Rev};

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
    let remote = link.name().to_owned();
    match push_head(settings, &link)? {
        Ok(outcome) => Ok(outcome),
        Err(Refusal::Behind) => Err(RemoteError::Rejected { remote }.into()),
        Err(Refusal::Locked { said }) => Err(RemoteError::Locked { remote, attempts: 1, said }.into()),
    }
}

/// Pushes the branch tip as it is now.
pub(crate) fn push_head(settings: &Settings, link: &Link) -> Result<Result<PushOutcome, Refusal>, Error> {
    // Finishes a write a killed process left, so that what is pushed is
    // what the files hold.
    let store = open_for_reading(settings)?;
    let remote = link.name().to_owned();
    let Some(head) = store.head()? else {
        return Ok(Ok(PushOutcome { remote, rev: None, pushed: false }));
    };
    Ok(match link.push(head)? {
        PushResult::Pushed => Ok(PushOutcome { remote, rev: Some(head), pushed: true }),
        PushResult::UpToDate => Ok(PushOutcome { remote, rev: Some(head), pushed: false }),
        PushResult::Refused(refusal) => Err(refusal),
    })
}
