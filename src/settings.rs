//! Settings are values: everything an operation needs to know about who runs it,
//! when, and how, gathered once by the binary (from flags, the environment and
//! `.cfg.yaml`). The library reads no environment variables, which is what makes
//! its behaviour reproducible in tests.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::project::Project;
use crate::store::Signature;

/// A person as git records them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid author `{0}`: expected `Name <email>`")]
pub struct IdentityError(pub String);

impl std::str::FromStr for Identity {
    type Err = IdentityError;
    fn from_str(s: &str) -> Result<Identity, IdentityError> {
        let err = || IdentityError(s.to_owned());
        let (name, rest) = s.split_once('<').ok_or_else(err)?;
        let email = rest.strip_suffix('>').ok_or_else(err)?;
        let name = name.trim();
        let bad = |t: &str| t.contains(['<', '>', '\n', '\0']);
        if name.is_empty() || email.is_empty() || bad(name) || bad(email) {
            return Err(err());
        }
        Ok(Identity { name: name.to_owned(), email: email.to_owned() })
    }
}

impl std::fmt::Display for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} <{}>", self.name, self.email)
    }
}

/// A point in time as git records it: seconds since the epoch and a UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    pub seconds: i64,
    pub offset: i32,
}

impl Timestamp {
    pub fn now() -> Timestamp {
        let now = chrono::Local::now();
        Timestamp { seconds: now.timestamp(), offset: now.offset().local_minus_utc() }
    }

    /// Parses the date formats git accepts in `GIT_COMMITTER_DATE`
    /// (`@1700000000 +0100`, RFC 2822, ISO 8601).
    pub fn parse_git(input: &str) -> Option<Timestamp> {
        let time = gix::date::parse(input, None).ok()?;
        Some(Timestamp { seconds: time.seconds, offset: time.offset })
    }
}

/// Everything an operation needs besides its own arguments.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The managed root (the folder holding `.cfg/`).
    pub root: PathBuf,
    /// Relative FILE arguments are resolved from here.
    pub cwd: PathBuf,
    /// Recorded as author and committer; default `user <user@host>`.
    pub identity: Identity,
    pub host: String,
    /// The command line, recorded in each commit's trailers and in the lock file.
    pub command: String,
    pub author_date: Option<Timestamp>,
    pub committer_date: Option<Timestamp>,
    pub lock_timeout: Duration,
    /// The project settings (`.cfg.yaml`), read once: its schemas, limits,
    /// retention policy, checks and `on_write` commands.
    pub project: Project,
}

impl Settings {
    /// Defaults for `root`: the current user and host, the current time, a 10 s
    /// lock timeout.
    pub fn for_root(root: &Path) -> Settings {
        let host = host_name();
        let user = "cfg".to_owned();
        Settings {
            root: root.to_owned(),
            cwd: root.to_owned(),
            identity: Identity { email: format!("{user}@{host}"), name: user },
            host,
            command: "cfg".into(),
            author_date: None,
            committer_date: None,
            lock_timeout: Duration::from_secs(10),
            project: Project::default(),
        }
    }

    pub(crate) fn author(&self) -> Signature {
        self.signature(self.author_date.unwrap_or_else(Timestamp::now))
    }

    pub(crate) fn committer(&self) -> Signature {
        self.signature(self.committer_date.unwrap_or_else(Timestamp::now))
    }

    fn signature(&self, time: Timestamp) -> Signature {
        Signature {
            name: self.identity.name.clone(),
            email: self.identity.email.clone(),
            seconds: time.seconds,
            offset: time.offset,
        }
    }
}

/// This machine's name, as recorded in commits and the lock file.
pub fn host_name() -> String {
    let uname = rustix::system::uname();
    let name = uname.nodename().to_string_lossy();
    if name.is_empty() { "localhost".into() } else { name.into_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities() {
        let id: Identity = "Ada Lovelace <ada@example.org>".parse().unwrap();
        assert_eq!(id, Identity { name: "Ada Lovelace".into(), email: "ada@example.org".into() });
        for bad in ["ada", "<a@b>", "Ada <>", "Ada <a@b", "Ada <a<b>"] {
            assert!(bad.parse::<Identity>().is_err(), "{bad}");
        }
    }

    #[test]
    fn git_dates() {
        assert_eq!(Timestamp::parse_git("@1700000000 +0100"), Some(Timestamp { seconds: 1700000000, offset: 3600 }));
        assert_eq!(Timestamp::parse_git("2024-01-02T03:04:05+00:00").map(|t| t.seconds), Some(1704164645));
        assert_eq!(Timestamp::parse_git("not a date"), None);
    }
}
