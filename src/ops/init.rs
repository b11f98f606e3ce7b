//! `cfg init`: create the side repository, idempotently.

use std::path::{Path, PathBuf};

use crate::fsio::{IoResultExt, Step};
use crate::store::{STORE_DIR, Store};

use super::Error;

#[derive(Debug, Clone)]
pub struct InitOutcome {
    pub store: PathBuf,
    pub created: bool,
    /// The `info/exclude` file `.cfg/` was added to, when the root is inside a
    /// git work tree.
    pub excluded_in: Option<PathBuf>,
}

/// Makes `root/.cfg/`. If `root` is inside a git work tree, adds `.cfg/` to
/// that repository's `info/exclude` so the store never shows up in `git status`.
pub fn init(root: &Path) -> Result<InitOutcome, Error> {
    crate::fsio::create_dir_all(root)?;
    let root = root.canonicalize().at(Step::Open, root)?;
    let created = !root.join(STORE_DIR).join("HEAD").is_file();
    let store = Store::init(&root)?;
    let excluded_in = exclude_from_enclosing_repo(&root)?;
    Ok(InitOutcome { store: store.git_dir().to_owned(), created, excluded_in })
}

fn exclude_from_enclosing_repo(root: &Path) -> Result<Option<PathBuf>, Error> {
    let Some(work_tree) = root.ancestors().find(|dir| dir.join(".git").exists()) else {
        return Ok(None);
    };
    let dot_git = work_tree.join(".git");
    let git_dir = if dot_git.is_dir() {
        dot_git
    } else {
        // A linked work tree or submodule: `.git` is a file naming the real folder.
        let text = std::fs::read_to_string(&dot_git).at(Step::Read, &dot_git)?;
        let Some(target) = text.trim().strip_prefix("gitdir: ") else {
            return Ok(None);
        };
        let target = work_tree.join(target);
        // Linked work trees share the main repository's `info/exclude`.
        match std::fs::read_to_string(target.join("commondir")) {
            Ok(common) => target.join(common.trim()),
            Err(_) => target,
        }
    };
    let relative = root.strip_prefix(work_tree).unwrap_or(Path::new(""));
    let mut pattern = String::from("/");
    for component in relative.components() {
        pattern.push_str(&component.as_os_str().to_string_lossy());
        pattern.push('/');
    }
    pattern.push_str(STORE_DIR);
    pattern.push('/');
    let info = git_dir.join("info");
    crate::fsio::create_dir_all(&info)?;
    let exclude = info.join("exclude");
    let existing = match std::fs::read_to_string(&exclude) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(crate::fsio::IoError::new(Step::Read, &exclude, e).into()),
    };
    if !existing.lines().any(|line| line.trim() == pattern) {
        let mut text = existing;
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&pattern);
        text.push('\n');
        crate::fsio::replace(&exclude, text.as_bytes())?;
    }
    Ok(Some(exclude))
}
