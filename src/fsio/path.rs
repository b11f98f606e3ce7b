//! Paths of managed files: relative to the managed root, `/`-separated, and
//! refused when they could escape the root or reach the store.

use std::path::{Component, Path, PathBuf};

/// Why a path is refused. Nothing has been touched when one of these is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("`{}` is outside the managed root `{}`", path.display(), root.display())]
    OutsideRoot { path: PathBuf, root: PathBuf },
    #[error("`{path}` is inside `{component}`, which cfg never writes")]
    Reserved { path: String, component: String },
    #[error("`{path}` goes through a symbolic link at `{link}`")]
    Symlink { path: String, link: String },
    #[error("`{path}` is not a regular file")]
    NotAFile { path: String },
    #[error("`{}` is not valid UTF-8", path.display())]
    NotUtf8 { path: PathBuf },
    #[error("`{path}` contains a control character")]
    ControlCharacter { path: String },
    #[error("`{path}` has an empty, `.` or `..` component")]
    BadComponent { path: String },
    #[error("the path names the managed root itself, not a file in it")]
    Empty,
}

/// A validated path of a managed file, relative to the root, with `/` separators:
/// the same string is the file's path in the store.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RelPath(String);

impl RelPath {
    /// Checks a store-style path (`dir/file.yml`).
    pub fn new(path: &str) -> Result<RelPath, PathError> {
        if path.is_empty() {
            return Err(PathError::Empty);
        }
        if path.chars().any(char::is_control) {
            return Err(PathError::ControlCharacter { path: path.escape_debug().to_string() });
        }
        for component in path.split('/') {
            if component.is_empty() || component == "." || component == ".." {
                return Err(PathError::BadComponent { path: path.to_owned() });
            }
            // Case-insensitive: on case-folding file systems `.GIT` is `.git`.
            if component.eq_ignore_ascii_case(".cfg") || component.eq_ignore_ascii_case(".git") {
                return Err(PathError::Reserved { path: path.to_owned(), component: component.to_owned() });
            }
        }
        Ok(RelPath(path.to_owned()))
    }

    /// Resolves `given` (absolute, or relative to `cwd`) to a path inside `root`.
    /// Both `root` and `cwd` must be absolute. `..` is resolved lexically; that is
    /// sound because every component is later opened with `O_NOFOLLOW`.
    pub fn resolve(root: &Path, cwd: &Path, given: &Path) -> Result<RelPath, PathError> {
        let absolute = normalize(&cwd.join(given));
        let Ok(inside) = absolute.strip_prefix(root) else {
            return Err(PathError::OutsideRoot { path: given.to_owned(), root: root.to_owned() });
        };
        let mut parts = Vec::new();
        for component in inside.components() {
            match component.as_os_str().to_str() {
                Some(part) => parts.push(part),
                None => {
                    return Err(PathError::NotUtf8 { path: given.to_owned() });
                }
            }
        }
        RelPath::new(&parts.join("/"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The folder part (`""` for a file at the root) and the file name.
    pub fn split(&self) -> (&str, &str) {
        match self.0.rsplit_once('/') {
            Some((dir, name)) => (dir, name),
            None => ("", &self.0),
        }
    }

    pub fn to_path(&self, root: &Path) -> PathBuf {
        root.join(&self.0)
    }
}

impl std::fmt::Display for RelPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Lexical normalization of an absolute path: drops `.`, resolves `..`.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_paths() {
        assert_eq!(RelPath::new("a.yml").unwrap().split(), ("", "a.yml"));
        assert_eq!(RelPath::new("conf/sub/a.yml").unwrap().split(), ("conf/sub", "a.yml"));
        assert!(RelPath::new(".cfgrc").is_ok());
        assert!(RelPath::new("x.git").is_ok());
    }

    #[test]
    fn refuses_hostile_paths() {
        for bad in [
            "",
            "/etc/passwd",
            "a//b",
            "./a",
            "a/../b",
            "..",
            ".cfg/HEAD",
            ".CFG/x",
            "sub/.Git/config",
            ".git",
            "a\nb",
            "a\0b",
            "tab\there",
        ] {
            assert!(RelPath::new(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn resolve_stays_inside_root() {
        let root = Path::new("/srv/root");
        let cwd = Path::new("/srv/root/sub");
        assert_eq!(RelPath::resolve(root, cwd, Path::new("a.yml")).unwrap().as_str(), "sub/a.yml");
        assert_eq!(RelPath::resolve(root, cwd, Path::new("../b.yml")).unwrap().as_str(), "b.yml");
        assert_eq!(RelPath::resolve(root, cwd, Path::new("/srv/root/c/d.yml")).unwrap().as_str(), "c/d.yml");
        for bad in ["../../etc/passwd", "/etc/passwd", "..", "../../root2/x", "../.cfg/HEAD"] {
            assert!(RelPath::resolve(root, cwd, Path::new(bad)).is_err(), "{bad} accepted");
        }
        // A sibling whose name starts with the root's name is not inside it.
        assert!(RelPath::resolve(root, cwd, Path::new("/srv/rootx/a.yml")).is_err());
    }
}
