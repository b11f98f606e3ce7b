//! The `checks:` of `.cfg.yaml`: commands that must accept new content before
//! it replaces a file, as visudo runs sudo's parser on the draft and confd
//! runs `check_cmd` (`nginx -t`) on the staged file before its reload.
//!
//! Each check that applies (its glob matches the file's path relative to the
//! root) runs as `sh -c COMMAND` in the root ([`super::child`]) on a complete
//! copy of the new content:
//!
//! * `{}` in the command, and `CFG_STAGED`, is that copy's absolute path; `{}`
//!   is quoted for the shell where the path needs it, so write it bare;
//! * `CFG_FILE` is the target's path relative to the root, `CFG_ROOT` the root.
//!
//! A write runs them on its own staged temp file, under the lock, after the
//! built-in validation and before anything is renamed (see
//! [`super::session`]); `cfg check` runs them on a temp copy next to the file
//! ([`check_copy`]). A non-zero exit, a timeout (default 30 s; the check's
//! process group is killed) or a command that cannot start is a finding of
//! rule `check` whose message names the check and holds its output, so the
//! write is refused (exit 1) exactly as `cfg check` reports it. So is a check
//! that changes, replaces or removes the staged file: what was validated and
//! hashed into the commit is what gets renamed into place, and the handle the
//! write syncs must still be the file's.
//!
//! The copy is named like the write's temp files (`.NAME.cfg-<12 hex>.tmp`),
//! has mode 0600 and is removed afterwards; a `cfg check` killed meanwhile
//! leaves it behind (a write's recovery removes only what its journal names).

use std::path::Path;

use crate::fsio::{self, IoError, RelPath, Step};
use crate::project::{Check, Project};
use crate::validate::{Diagnostic, Severity};

use super::child::{Child, Output, shell_quote};

/// The checks of `project` that apply to `path`.
pub(crate) fn applying<'p>(project: &'p Project, path: &RelPath) -> Vec<&'p Check> {
    project.checks.iter().filter(|check| check.glob.is_match(path.as_str())).collect()
}

/// Runs `checks` on `staged`, a complete copy of the new content of `path`.
/// Returns a finding for each check that failed.
pub(crate) fn run(root: &Path, checks: &[&Check], path: &RelPath, staged: &Path) -> Vec<Diagnostic> {
    let mut findings = Vec::new();
    for check in checks {
        let before = identity(staged);
        let command = check.command.replace("{}", &shell_quote(&staged.to_string_lossy()));
        let child = Child {
            command: &command,
            args: &[],
            env: vec![("CFG_STAGED", staged.into()), ("CFG_FILE", path.as_str().into()), ("CFG_ROOT", root.into())],
            dir: root,
            timeout: check.timeout,
        };
        let (result, output) = child.run(Output::Capture);
        if result.is_ok() && identity(staged) != before {
            let message = format!(
                "check `{}` changed, replaced or removed the file it checks; a check must only read it",
                check.command
            );
            findings.push(finding(path.as_str(), message));
        }
        if let Err(failure) = result {
            let output = output.trim_end();
            let message = if output.is_empty() {
                format!("check `{}` {failure} (no output)", check.command)
            } else {
                format!("check `{}` {failure}:\n{output}", check.command)
            };
            findings.push(finding(path.as_str(), message));
        }
    }
    findings
}

/// What changes when a file's content or inode does (as
/// [`crate::fsio::StatKey`] for managed files); `None` for no file.
fn identity(path: &Path) -> Option<(u64, u64, u64, i64, i64, i64, i64)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::symlink_metadata(path).ok()?;
    Some((m.dev(), m.ino(), m.size(), m.mtime(), m.mtime_nsec(), m.ctime(), m.ctime_nsec()))
}

/// A finding of rule `check`: about the whole file, so at line 1, column 1,
/// with no span to underline.
fn finding(file: &str, message: String) -> Diagnostic {
    Diagnostic {
        file: file.to_owned(),
        line: 1,
        column: 1,
        span: 0..0,
        pointer: String::new(),
        rule: "check".into(),
        severity: Severity::Error,
        message,
        help: None,
    }
}

/// For `cfg check`: runs the checks that apply to `path` (relative to `root`)
/// on a temp copy of `content` written next to `path`. `shown_as` names the
/// file in the findings.
pub(crate) fn check_copy(
    project: &Project,
    root: &Path,
    path: &RelPath,
    shown_as: &str,
    content: &[u8],
) -> Vec<Diagnostic> {
    let checks = applying(project, path);
    if checks.is_empty() {
        return Vec::new();
    }
    let copy = match write_copy(root, path, content) {
        Ok(copy) => copy,
        Err(e) => {
            let message = format!("the checks of .cfg.yaml could not run: {e}: {}", e.source);
            return vec![finding(shown_as, message)];
        }
    };
    let mut findings = run(root, &checks, path, &copy);
    for finding in &mut findings {
        finding.file = shown_as.to_owned();
    }
    if let Err(e) = fsio::remove_file(&copy) {
        findings.push(finding(shown_as, format!("{e}: {}", e.source)));
    }
    findings
}

/// Writes `content` to a new file of cfg's temp naming beside `path`.
fn write_copy(root: &Path, path: &RelPath, content: &[u8]) -> Result<std::path::PathBuf, IoError> {
    let target = path.to_path(root);
    let folder = target.parent().unwrap_or(root);
    let pid = u64::from(std::process::id());
    for n in 0..1000u64 {
        let id = format!("{:012x}", (pid << 16 | n) & 0xffff_ffff_ffff);
        let copy = folder.join(format!(".{}.cfg-{id}.tmp", path.split().1));
        match fsio::create_new(&copy, content, 0o600) {
            Ok(file) => {
                drop(file);
                return Ok(copy);
            }
            Err(e) if e.source.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(IoError::new(Step::Open, folder, std::io::ErrorKind::AlreadyExists))
}
