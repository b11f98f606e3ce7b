//! `cfg hook install`: put cfg's plain git pre-commit hook into a repository.
//!
//! The hook (`hooks/pre-commit` in the source tree, shipped inside the binary)
//! checks the staged content of YAML/JSON files with `cfg check`. The hooks
//! folder is the one git uses (`git rev-parse --git-path hooks`, so
//! `core.hooksPath` is honoured). A different existing hook is never replaced
//! without `force`. The hook is written like a managed file: staged next to its
//! target, synced, renamed; a crash leaves the old hook or the new one.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::Error;
use crate::fsio::{FileMeta, IoError, RelPath, Root, Step};

/// The hook script.
pub const PRE_COMMIT_HOOK: &str = include_str!("../../hooks/pre-commit");

const HOOK_NAME: &str = "pre-commit";
const TMP_NAME: &str = "pre-commit.cfg-hook.tmp";

/// What `install_hook` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookOutcome {
    Installed(PathBuf),
    /// The same hook was already there.
    Unchanged(PathBuf),
    /// A different hook was there and `force` replaced it.
    Replaced(PathBuf),
}

/// Installs the pre-commit hook into the git repository holding `cwd`.
pub fn install_hook(cwd: &Path, force: bool) -> Result<HookOutcome, Error> {
    let output = Command::new("git")
        .args(["rev-parse", "--git-path", "hooks"])
        .current_dir(cwd)
        .output()
        .map_err(|e| IoError::new(Step::Open, "git", e))?;
    if !output.status.success() {
        return Err(Error::Usage(format!(
            "`{}` is not inside a git repository: {}",
            cwd.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let hooks = cwd.join(String::from_utf8_lossy(&output.stdout).trim());
    crate::fsio::create_dir_all(&hooks)?;
    let target = hooks.join(HOOK_NAME);
    let root = Root::open(&hooks)?;
    let name = RelPath::new(HOOK_NAME)?;
    let dir = root.parent_of(&name, false)?.expect("the hooks folder itself exists");
    let existing = dir.read(HOOK_NAME, &name)?;
    let outcome = match &existing {
        None => HookOutcome::Installed(target.clone()),
        Some((content, _)) if content == PRE_COMMIT_HOOK.as_bytes() => {
            return Ok(HookOutcome::Unchanged(target));
        }
        Some(_) if force => HookOutcome::Replaced(target.clone()),
        Some(_) => return Err(Error::HookExists { path: target }),
    };
    let like = FileMeta::for_new_file(0o755);
    let staged = dir.stage(TMP_NAME, PRE_COMMIT_HOOK.as_bytes(), Some(&like))?;
    staged.sync()?;
    dir.rename(TMP_NAME, HOOK_NAME)?;
    dir.sync()?;
    Ok(outcome)
}
