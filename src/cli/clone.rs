//! `cfg clone URL [DIR]`

use std::path::PathBuf;
use std::process::ExitCode;

use cfg::ops::{self, Error};

/// Join a shared history: make DIR's store from the remote URL (named
/// `origin`) and write every file of the remote's branch.
///
/// A file DIR already holds with other content is recorded first as an
/// outside edit, then merged with the remote's version; a conflict exits 3
/// with both versions kept (`cfg pull --take local|remote` resolves).
/// `on_write` commands that came with the clone run only after `cfg trust`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    url: String,
    /// Default: the last part of URL, without `.git`.
    dir: Option<PathBuf>,
}

pub(crate) fn run(global: &super::GlobalArgs, args: &Args) -> Result<ExitCode, Error> {
    let cwd = std::env::current_dir().map_err(|e| Error::Usage(format!("cannot read the current folder: {e}")))?;
    let dir = cfg::fsio::normalize(&cwd.join(args.dir.clone().unwrap_or_else(|| default_dir(&args.url))));
    ops::check_clone_target(&dir)?;
    ops::init(&dir)?;
    let root = dir.canonicalize().map_err(|e| Error::Usage(format!("cannot open `{}`: {e}", dir.display())))?;
    let mut settings = super::settings_at(global, root.clone(), cwd)?;
    settings.command = super::remote::without_url(&settings.command, &args.url);
    let outcome = ops::clone(&settings, &args.url)?;
    super::sync::describe_pull(&outcome);
    eprintln!("cloned into {}", root.display());
    for failure in &outcome.hooks {
        eprintln!("warning: {failure}; the clone stands");
    }
    Ok(ExitCode::SUCCESS)
}

/// What `git clone` would name the folder: `…/cfg.git` → `cfg`.
fn default_dir(url: &str) -> PathBuf {
    let last = url.trim_end_matches('/').rsplit(['/', ':']).next().unwrap_or(url);
    let name = last.strip_suffix(".git").unwrap_or(last);
    PathBuf::from(if name.is_empty() { "cfg" } else { name })
}

#[cfg(test)]
mod tests {
    use super::default_dir;

    #[test]
    fn folder_names() {
        assert_eq!(default_dir("https://example.org/team/config.git"), PathBuf::from("config"));
        assert_eq!(default_dir("git@example.org:config.git/"), PathBuf::from("config"));
        assert_eq!(default_dir("/srv/shared"), PathBuf::from("shared"));
    }

    use std::path::PathBuf;
}
