//! Running a command from `.cfg.yaml` (`checks:`, `on_write:`) as `sh -c
//! COMMAND`, bounded in time.
//!
//! Each runs in the root, with standard input closed, in a process group of
//! its own, so that at its timeout the whole group is killed (`SIGKILL`): a
//! shell's children too, not only the shell. A check's group is also killed
//! once the check's shell exits, so that nothing a check started outlives it;
//! an `on_write` command may leave a daemon behind on purpose, so its group
//! is killed only at the timeout.
//!
//! The group is killed before its leader is reaped (the leader is only looked
//! at with `WNOWAIT` until then), so its id cannot have been reused by an
//! unrelated process. A grandchild that moved to a group or session of its own
//! escapes the kill; if it keeps the output pipe open, the output is read for
//! [`OUTPUT_GRACE`] more and then left.
//!
//! Limitation: the child is not in cfg's foreground process group, so a Ctrl-C
//! at the terminal interrupts cfg but not a check or hook that is running.

use std::ffi::OsString;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, WaitId, WaitIdOptions};

/// How much of a check's output is kept: its last bytes, where tools put the
/// error that matters.
const OUTPUT_KEPT: usize = 64 * 1024;
/// How long the output is still read after the command was reaped.
const OUTPUT_GRACE: Duration = Duration::from_millis(500);
/// The longest pause between two looks at a running command.
const POLL_MAX: Duration = Duration::from_millis(20);

/// Why a command did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// It exited unsuccessfully or was killed by a signal: `Display` of its status.
    Status(String),
    /// It ran past its timeout and was killed, with its process group.
    TimedOut(Duration),
    /// It could not be started.
    Spawn(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Status(status) => write!(f, "failed ({status})"),
            Failure::TimedOut(after) => {
                write!(
                    f,
                    "timed out after {}; it was killed with its process group",
                    crate::retention::DurationText(*after)
                )
            }
            Failure::Spawn(error) => write!(f, "could not be started: {error}"),
        }
    }
}

/// A command to run.
pub(crate) struct Child<'a> {
    pub(crate) command: &'a str,
    /// `"$@"` of the command.
    pub(crate) args: &'a [&'a str],
    pub(crate) env: Vec<(&'static str, OsString)>,
    /// The root.
    pub(crate) dir: &'a Path,
    pub(crate) timeout: Duration,
}

/// Where a command's standard output and error go.
pub(crate) enum Output {
    /// Both into one pipe, kept (the last [`OUTPUT_KEPT`] bytes) for a
    /// diagnostic; the group is killed when the command ends.
    Capture,
    /// Standard output to cfg's standard error (cfg's standard output is for
    /// revisions), standard error inherited; the group lives on.
    ToStderr,
}

impl Child<'_> {
    /// Runs the command to its end or its timeout. Returns how it ended and,
    /// for [`Output::Capture`], what it printed (lossy UTF-8).
    pub(crate) fn run(&self, output: Output) -> (Result<(), Failure>, String) {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(self.command)
            .arg("sh")
            .args(self.args)
            .current_dir(self.dir)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null());
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let capture = matches!(output, Output::Capture);
        let reader = if capture {
            let pipe = std::io::pipe().and_then(|(reader, writer)| Ok((reader, writer.try_clone()?, writer)));
            match pipe {
                Ok((reader, out, err)) => {
                    command.stdout(out).stderr(err);
                    Some(reader)
                }
                Err(e) => return (Err(Failure::Spawn(format!("no pipe for its output: {e}"))), String::new()),
            }
        } else {
            command.stdout(std::io::stderr());
            None
        };
        let spawned = command.spawn();
        // Our copies of the pipe's writing end: the reader sees its end only
        // once they are closed.
        drop(command);
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => return (Err(Failure::Spawn(e.to_string())), String::new()),
        };
        let collected = reader.map(collect);
        let pid = Pid::from_child(&child);
        let timed_out = !exited_within(pid, self.timeout);
        if timed_out || capture {
            // Gone already (ESRCH) is what we want.
            let _ = rustix::process::kill_process_group(pid, Signal::KILL);
        }
        let status = child.wait();
        let printed = collected.map(|(done, kept)| {
            let _ = done.recv_timeout(OUTPUT_GRACE);
            let kept = kept.lock().map(|k| k.clone()).unwrap_or_default();
            String::from_utf8_lossy(&kept).into_owned()
        });
        let result = match status {
            _ if timed_out => Err(Failure::TimedOut(self.timeout)),
            Ok(status) if status.success() => Ok(()),
            Ok(status) => Err(Failure::Status(status.to_string())),
            Err(e) => Err(Failure::Status(format!("could not be waited for: {e}"))),
        };
        (result, printed.unwrap_or_default())
    }
}

/// `text` as one shell word: as it is when it holds nothing a shell would
/// read specially, else in single quotes.
pub(crate) fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if plain { text.to_owned() } else { format!("'{}'", text.replace('\'', r"'\''")) }
}

/// Waits until the process `pid` exits (without reaping it) or `timeout`
/// passes; true when it exited.
fn exited_within(pid: Pid, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        match rustix::process::waitid(
            WaitId::Pid(pid),
            WaitIdOptions::EXITED | WaitIdOptions::NOHANG | WaitIdOptions::NOWAIT,
        ) {
            Ok(Some(_)) => return true,
            Ok(None) | Err(rustix::io::Errno::INTR) => {}
            // Not our child any more: nothing left to wait for.
            Err(_) => return true,
        }
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(POLL_MAX);
    }
}

/// Reads the pipe to its end on a thread, keeping the last [`OUTPUT_KEPT`]
/// bytes; the receiver hears when the end is reached.
fn collect(mut reader: std::io::PipeReader) -> (std::sync::mpsc::Receiver<()>, Arc<Mutex<Vec<u8>>>) {
    let kept = Arc::new(Mutex::new(Vec::new()));
    let (done, heard) = std::sync::mpsc::channel();
    let shared = Arc::clone(&kept);
    std::thread::spawn(move || {
        let mut buffer = [0u8; 8192];
        loop {
            match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => {
                    let Ok(mut kept) = shared.lock() else { break };
                    kept.extend_from_slice(&buffer[..n]);
                    let excess = kept.len().saturating_sub(OUTPUT_KEPT);
                    kept.drain(..excess);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        let _ = done.send(());
    });
    (heard, kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn child<'a>(command: &'a str, dir: &'a Path, timeout: Duration) -> Child<'a> {
        Child { command, args: &["a b", "c"], env: vec![("CFG_X", "x".into())], dir, timeout }
    }

    #[test]
    fn output_arguments_environment_and_status() {
        let dir = tempfile::tempdir().unwrap();
        let (result, out) =
            child("echo \"$1|$2|$CFG_X|$PWD\"; echo err >&2; exit 3", dir.path(), Duration::from_secs(10))
                .run(Output::Capture);
        assert_eq!(result, Err(Failure::Status("exit status: 3".into())));
        let pwd = dir.path().canonicalize().unwrap();
        assert_eq!(out, format!("a b|c|x|{}\nerr\n", pwd.display()));
        let (result, _) = child("true", dir.path(), Duration::from_secs(10)).run(Output::Capture);
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn only_the_tail_of_long_output_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let command = "head -c 200000 /dev/zero | tr '\\0' x; echo END";
        let (result, out) = child(command, dir.path(), Duration::from_secs(10)).run(Output::Capture);
        assert_eq!(result, Ok(()));
        assert_eq!(out.len(), OUTPUT_KEPT);
        assert!(out.ends_with("xEND\n"));
    }

    #[test]
    fn words_are_quoted_only_when_a_shell_would_split_them() {
        assert_eq!(shell_quote("/srv/conf/.a.yml.cfg-0123.tmp"), "/srv/conf/.a.yml.cfg-0123.tmp");
        assert_eq!(shell_quote("/srv/my conf/a$b"), "'/srv/my conf/a$b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        let word = "a 'b' $c\n\\d";
        let out = Command::new("sh").arg("-c").arg(format!("printf %s {}", shell_quote(word))).output().unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), word);
    }

    #[test]
    fn a_missing_folder_cannot_start() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("gone");
        let (result, _) = child("true", &gone, Duration::from_secs(10)).run(Output::Capture);
        assert!(matches!(result, Err(Failure::Spawn(_))), "{result:?}");
    }
}
