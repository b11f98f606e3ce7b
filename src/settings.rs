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

/// Where the author of a commit may come from, tried in this order by
/// [`IdentitySources::resolve`]. The binary fills it from flags and the
/// environment; the library reads neither.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentitySources {
    /// `--author`, else `CFG_AUTHOR`.
    pub author: Option<Identity>,
    /// `SUDO_USER`: who ran `sudo`.
    pub sudo_user: Option<String>,
    /// `$USER`, else `$LOGNAME`.
    pub user: Option<String>,
    /// The name of the process's real uid in the password database.
    pub account: String,
    /// The name of its effective uid: whom `sudo` made it.
    pub effective_account: String,
}

impl IdentitySources {
    /// Only the password database: what a process knows about itself
    /// without reading its environment.
    pub fn of_process() -> IdentitySources {
        let real = rustix::process::getuid().as_raw();
        let effective = rustix::process::geteuid().as_raw();
        IdentitySources {
            author: None,
            sudo_user: None,
            user: None,
            account: account_name(real),
            effective_account: account_name(effective),
        }
    }

    /// The identity to record, `name <name@host>` unless given whole, and
    /// the account `sudo` ran cfg as when the name is the user behind it.
    pub fn resolve(&self, host: &str) -> (Identity, Option<String>) {
        let named = |name: &str| Identity { name: name.to_owned(), email: format!("{name}@{host}") };
        fn given(value: &Option<String>) -> Option<&str> {
            value.as_deref().map(str::trim).filter(|v| !v.is_empty())
        }
        if let Some(author) = &self.author {
            return (author.clone(), None);
        }
        if let Some(user) = given(&self.sudo_user) {
            return (named(user), Some(self.effective_account.clone()));
        }
        match given(&self.user) {
            Some(user) => (named(user), None),
            None => (named(&self.account), None),
        }
    }
}

/// A uid's name in the password database (NSS included); a uid it does not
/// know is recorded as `uid N`, a fact rather than a made-up name.
pub fn account_name(uid: u32) -> String {
    match uzers::get_user_by_uid(uid) {
        Some(user) => user.name().to_string_lossy().into_owned(),
        None => format!("uid {uid}"),
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
    /// Recorded as author and committer; default: the name of the
    /// process's uid in the password database, `name <name@host>`.
    pub identity: Identity,
    /// When `identity` is the user behind `sudo`: the account sudo ran cfg
    /// as, recorded in each commit's `Cfg-Sudo` trailer.
    pub sudo: Option<String>,
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
    /// Defaults for `root`: the process's user (from the password database)
    /// and host, the current time, a 10 s lock timeout.
    pub fn for_root(root: &Path) -> Settings {
        let host = host_name();
        let (identity, sudo) = IdentitySources::of_process().resolve(&host);
        Settings {
            root: root.to_owned(),
            cwd: root.to_owned(),
            identity,
            sudo,
            host,
            command: "cfg".into(),
            author_date: None,
            committer_date: None,
            lock_timeout: Duration::from_secs(10),
            project: Project::default(),
        }
    }

    /// The SSH key commits are signed with (`signing.key` of `.cfg.yaml`,
    /// relative to the root).
    pub fn signing_key(&self) -> Option<PathBuf> {
        self.project.signing.key.as_ref().map(|key| self.root.join(key))
    }

    /// git's allowed-signers file of `.cfg.yaml` (`signing.allowed_signers`,
    /// relative to the root).
    pub fn allowed_signers(&self) -> Option<PathBuf> {
        self.project.signing.allowed_signers.as_ref().map(|file| self.root.join(file))
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
    fn identity_sources_in_order() {
        let sources = IdentitySources {
            author: Some("Ada <ada@example.org>".parse().unwrap()),
            sudo_user: Some("alice".into()),
            user: Some("root".into()),
            account: "root".into(),
            effective_account: "root".into(),
        };
        let id = |name: &str| Identity { name: name.into(), email: format!("{name}@box") };
        assert_eq!(sources.resolve("box"), ("Ada <ada@example.org>".parse().unwrap(), None));
        let sources = IdentitySources { author: None, ..sources };
        assert_eq!(sources.resolve("box"), (id("alice"), Some("root".into())));
        let sources = IdentitySources { sudo_user: Some(" ".into()), ..sources };
        assert_eq!(sources.resolve("box"), (id("root"), None));
        let sources = IdentitySources { sudo_user: None, user: Some("bob".into()), ..sources };
        assert_eq!(sources.resolve("box"), (id("bob"), None));
        let sources = IdentitySources { user: Some(String::new()), account: "svc".into(), ..sources };
        assert_eq!(sources.resolve("box"), (id("svc"), None));
    }

    #[test]
    fn unknown_uids_are_named_by_number() {
        assert_eq!(account_name(0), "root");
        assert_eq!(account_name(4_000_000_123), "uid 4000000123");
    }

    #[test]
    fn git_dates() {
        assert_eq!(Timestamp::parse_git("@1700000000 +0100"), Some(Timestamp { seconds: 1700000000, offset: 3600 }));
        assert_eq!(Timestamp::parse_git("2024-01-02T03:04:05+00:00").map(|t| t.seconds), Some(1704164645));
        assert_eq!(Timestamp::parse_git("not a date"), None);
    }
}
