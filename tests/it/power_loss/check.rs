//! The checks run on every crash state, and the report of what broke.
//!
//! Each state is written into a fresh temp folder, then:
//! (a) the managed file holds one of the versions it may hold (the last
//!     acknowledged one, or one of a command not acknowledged), never anything else;
//! (b) the recovering commands succeed (`cfg init .` again if init had not been
//!     acknowledged, then `cfg status`, `cfg log`); afterwards every
//!     acknowledged commit is on the branch, the file holds a version it may
//!     hold, and it is the version the branch has;
//! (c) `git fsck --strict` is clean and `git log` works;
//! (d) nothing of a write in progress is left: cfg's temp files
//!     (`.NAME.cfg-*.tmp`, `*.cfg-tmp`), `.cfg/pending`, `*.lock` in the store,
//!     `objects/**/.tmp*` and `tmp_obj_*`;
//! (e) a further `cfg write` succeeds and `git fsck --strict` stays clean.
//!
//! The first check that fails is the state's violation. Violations are grouped
//! by check and message (ids and paths replaced by placeholders) into a report
//! that shows, for each group, how often each kind of damage was in the crash
//! state, and examples with the exact call, pending operations and variant.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use super::enumerate::{CrashState, Expect};
use super::scenario::FILE;
use super::trace::cfg_command;
use crate::common::{Out, hermetic, pipe};

/// What the further write of check (e) writes.
const LATER: &str = "retries: 9\ntimeout: 90\nlevel: error\n";

#[derive(Debug, Clone)]
pub(crate) struct Violation {
    pub(crate) check: &'static str,
    pub(crate) message: String,
}

fn violation(check: &'static str, message: impl Into<String>) -> Violation {
    Violation { check, message: message.into() }
}

/// Check (a), on the crash state itself (no command run).
pub(crate) fn file_after_crash(state: &CrashState) -> Result<(), Violation> {
    let content = match state.tree.0.get(FILE) {
        None => None,
        Some(super::model::Node::File(content)) => Some(content.as_slice()),
        Some(other) => return Err(violation("(a) file after the power cut", format!("{FILE} is a {other:?}"))),
    };
    if allowed(&state.expect, content) {
        return Ok(());
    }
    Err(violation("(a) file after the power cut", format!("{FILE} {}", describe(content, &state.expect))))
}

fn allowed(expect: &Expect, content: Option<&[u8]>) -> bool {
    expect.allowed.iter().any(|(version, _)| version.as_ref().map(|v| v.as_slice()) == content)
}

/// What a content of the managed file is, in words.
fn describe(content: Option<&[u8]>, expect: &Expect) -> String {
    let named = |versions: &[(Option<super::model::Content>, String)]| {
        versions
            .iter()
            .find(|(version, _)| version.as_ref().map(|v| v.as_slice()) == content)
            .map(|(_, what)| what.clone())
    };
    if let Some(what) = named(&expect.allowed) {
        return format!("holds {what}");
    }
    if let Some(what) = named(&expect.versions) {
        let may: Vec<&str> = expect.allowed.iter().map(|(_, what)| what.as_str()).collect();
        return format!("holds {what}, where it may only hold {}", may.join(" or "));
    }
    match content {
        None => "is missing".into(),
        Some([]) => "is 0 bytes".into(),
        Some(bytes) if bytes.iter().all(|&b| b == 0) => format!("is {} zero bytes", bytes.len()),
        Some(bytes) => format!(
            "holds {} bytes of no version: {:?}",
            bytes.len(),
            String::from_utf8_lossy(&bytes[..bytes.len().min(80)])
        ),
    }
}

/// Every check on one crash state.
pub(crate) fn check(state: &CrashState) -> Result<(), Violation> {
    file_after_crash(state)?;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir(&root).unwrap();
    let root = root.canonicalize().unwrap();
    state.tree.write(&root);
    let home = dir.path();
    let clean = |text: &str| text.replace(&root.display().to_string(), "ROOT");
    let run = |args: &[&str], stdin: &str| -> Out { pipe(cfg_command(&root, home).args(args), stdin.as_bytes()) };
    let failed =
        |args: &[&str], out: &Out| format!("`cfg {}` exits {}: {}", args.join(" "), out.code, clean(out.stderr.trim()));

    let mut recovery: Vec<&[&str]> = vec![&["status"], &["log"]];
    if !state.expect.store_ready {
        recovery.insert(0, &["init", "."]);
    }
    for args in recovery {
        let out = run(args, "");
        if out.code != 0 {
            let check =
                if args[0] == "init" { "(b) `cfg init .` again after a cut during init" } else { "(b) recovery" };
            return Err(violation(check, failed(args, &out)));
        }
    }

    fsck(&root, home).map_err(|e| violation("(c) git fsck --strict", clean(&e)))?;
    let log = match git(&root, home, &["log", "--format=%H"]) {
        Ok(log) => String::from_utf8_lossy(&log).lines().map(str::to_owned).collect(),
        Err(e) if state.expect.history.is_empty() && e.contains("does not have any commits yet") => Vec::new(),
        Err(e) => return Err(violation("(c) git log", clean(&e))),
    };
    let lost: Vec<String> = state
        .expect
        .history
        .iter()
        .filter(|(id, _)| !log.contains(id))
        .map(|(id, what)| format!("{} ({what})", &id[..12]))
        .collect();
    if !lost.is_empty() {
        return Err(violation("(b) acknowledged commits lost", format!("not in `git log`: {}", lost.join(", "))));
    }

    let on_disk = read(&root.join(FILE));
    if !allowed(&state.expect, on_disk.as_deref()) {
        let what = describe(on_disk.as_deref(), &state.expect);
        return Err(violation("(b) file after recovery", format!("{FILE} {what}")));
    }
    let in_history = match git(&root, home, &["cat-file", "blob", &format!("HEAD:{FILE}")]) {
        Ok(content) => Some(content),
        Err(e) if e.contains("does not exist") || e.contains("invalid object name") || e.contains("Not a valid") => {
            None
        }
        Err(e) => return Err(violation("(c) git cat-file", clean(&e))),
    };
    if on_disk != in_history {
        let disk = describe(on_disk.as_deref(), &state.expect);
        let history = describe(in_history.as_deref(), &state.expect);
        return Err(violation(
            "(b) file and history disagree",
            format!("{FILE} {disk}; the branch's {FILE} {history}"),
        ));
    }

    let strays = strays(&root);
    if !strays.is_empty() {
        return Err(violation("(d) stray files after recovery", strays.join(", ")));
    }

    // The user retries what was interrupted (an object it finds already there
    // must be whole), then writes something new.
    let retry = state.expect.retry.as_ref().map(|content| (content.as_slice(), "the interrupted write, retried"));
    for (content, what) in retry.into_iter().chain([(LATER.as_bytes(), "a new version")]) {
        let args = ["write", FILE];
        let out = pipe(cfg_command(&root, home).args(args), content);
        let check = "(e) a further write";
        if out.code != 0 {
            return Err(violation(check, format!("{what}: {}", failed(&args, &out))));
        }
        if read(&root.join(FILE)).as_deref() != Some(content) {
            return Err(violation(check, format!("{what}: {FILE} does not hold what `cfg write` acknowledged")));
        }
        fsck(&root, home).map_err(|e| violation("(e) git fsck --strict after a further write", clean(&e)))?;
        let committed = git(&root, home, &["cat-file", "blob", &format!("HEAD:{FILE}")])
            .map_err(|e| violation(check, format!("{what}: {}", clean(&e))))?;
        if committed != content {
            let holds = describe(Some(&committed), &state.expect);
            return Err(violation(check, format!("{what}: exit 0, but the branch's {FILE} {holds}")));
        }
        let head = git(&root, home, &["rev-parse", "HEAD"]).map_err(|e| violation(check, clean(&e)))?;
        if String::from_utf8_lossy(&head).trim() != out.stdout.trim() {
            return Err(violation(check, format!("{what}: the branch is not at the revision `cfg write` printed")));
        }
    }
    Ok(())
}

fn read(path: &Path) -> Option<Vec<u8>> {
    match std::fs::read(path) {
        Ok(content) => Some(content),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("read {}: {e}", path.display()),
    }
}

/// The real git CLI on the store: standard output, or the error it printed.
fn git(root: &Path, home: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let mut command = Command::new("git");
    hermetic(&mut command, home);
    let output =
        command.arg("--git-dir").arg(root.join(".cfg")).args(args).stdin(Stdio::null()).output().expect("run git");
    if output.status.success() {
        return Ok(output.stdout);
    }
    Err(format!(
        "`git {}` exits {}: {}{}",
        args.join(" "),
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).trim(),
        String::from_utf8_lossy(&output.stdout).trim()
    ))
}

fn fsck(root: &Path, home: &Path) -> Result<(), String> {
    let output = git(root, home, &["fsck", "--strict", "--no-dangling"])?;
    if output.is_empty() {
        return Ok(());
    }
    Err(format!("`git fsck --strict` reports: {}", String::from_utf8_lossy(&output).trim()))
}

/// Files a write in progress makes, still there.
fn strays(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![(root.to_owned(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}/{name}") };
            if entry.file_type().unwrap().is_dir() {
                stack.push((entry.path(), path.clone()));
                continue;
            }
            let in_store = path.starts_with(".cfg/");
            let stray = (name.starts_with('.') && name.contains(".cfg-") && name.ends_with(".tmp"))
                || name.ends_with(".cfg-tmp")
                || (in_store && (path == ".cfg/pending" || name.ends_with(".lock")))
                || (path.starts_with(".cfg/objects/") && (name.starts_with(".tmp") || name.starts_with("tmp_obj_")));
            if stray {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// What in a crash state is damaged or unfinished (before recovery): store
/// files that are empty or zero-filled, a missing `HEAD` or branch, the journal.
pub(crate) fn damage(state: &CrashState) -> Vec<String> {
    let mut facts = Vec::new();
    let tree = &state.tree.0;
    if tree.contains_key(".cfg") {
        for required in [".cfg/HEAD", ".cfg/config"] {
            if !tree.contains_key(required) && state.expect.store_ready {
                facts.push(format!("{required} is missing"));
            }
        }
        if !state.expect.history.is_empty() && !tree.contains_key(".cfg/refs/heads/main") {
            facts.push(".cfg/refs/heads/main is missing".into());
        }
    }
    for (path, node) in tree {
        let super::model::Node::File(content) = node else { continue };
        // Sample hooks and `info/exclude` are inert in a bare store.
        let inert = path == ".cfg/lock" || path.starts_with(".cfg/hooks/") || path.starts_with(".cfg/info/");
        let store_file = path.starts_with(".cfg/") && !inert;
        if path == ".cfg/pending" && !content.is_empty() && content.iter().any(|&b| b != 0) {
            facts.push(format!(".cfg/pending (the journal) is there ({} bytes)", content.len()));
        } else if (store_file || path == FILE) && content.is_empty() {
            facts.push(format!("{path} is 0 bytes"));
        } else if (store_file || path == FILE) && content.iter().all(|&b| b == 0) {
            facts.push(format!("{path} is zero-filled ({} bytes)", content.len()));
        }
    }
    facts
}

/// Ids, temp names and paths replaced by placeholders, so that one defect at
/// many crash points makes one category.
pub(crate) fn normalize(text: &str) -> String {
    let mut out = String::new();
    let mut word = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            placeholder(&mut word, &mut out);
            out.push(c);
        }
    }
    placeholder(&mut word, &mut out);
    out
}

fn placeholder(word: &mut String, out: &mut String) {
    let id = word.len() >= 7 && word.bytes().all(|b| b.is_ascii_hexdigit()) && word.bytes().any(|b| b.is_ascii_digit());
    if id {
        // An object's path splits its id: `objects/ab/cdef…` is one `<id>`.
        let fan_out = out.len().checked_sub(11).and_then(|at| out.get(at..)).is_some_and(|tail| {
            tail.starts_with("objects/") && tail.ends_with('/') && tail[8..10].bytes().all(|b| b.is_ascii_hexdigit())
        });
        if fan_out {
            out.truncate(out.len() - 3);
        }
        out.push_str("<id>");
    } else if word.len() > 3 && word.starts_with("tmp") {
        out.push_str("tmp*");
    } else {
        out.push_str(word);
    }
    word.clear();
}

/// Checks every state on `jobs` threads; returns the violations by state index.
pub(crate) fn check_all(states: &[CrashState], jobs: usize) -> Vec<(usize, Violation)> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let found = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(state) = states.get(index) else { break };
                    if let Err(violation) = check(state) {
                        found.lock().unwrap().push((index, violation));
                    }
                }
            });
        }
    });
    let mut found = found.into_inner().unwrap();
    found.sort_by_key(|(index, _)| *index);
    found
}

/// The violations grouped by category, largest first, with evidence.
pub(crate) fn report(states: &[CrashState], violations: &[(usize, Violation)]) -> String {
    let mut groups: BTreeMap<String, Vec<(usize, &Violation)>> = BTreeMap::new();
    for (index, violation) in violations {
        let first_line = violation.message.lines().next().unwrap_or("");
        let mut key = format!("{}: {}", violation.check, normalize(first_line));
        if key.len() > 220 {
            key.truncate(key.char_indices().take_while(|(i, _)| *i < 220).last().map_or(0, |(i, c)| i + c.len_utf8()));
            key.push('…');
        }
        groups.entry(key).or_default().push((*index, violation));
    }
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by_key(|(_, members)| std::cmp::Reverse(members.len()));
    let mut by_check: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, violation) in violations {
        *by_check.entry(violation.check).or_default() += 1;
    }
    let by_check: Vec<String> = by_check.into_iter().map(|(check, n)| format!("{check}: {n}")).collect();
    let mut out = format!(
        "{} crash states break a promise ({}), in {} categories:\n",
        violations.len(),
        by_check.join("; "),
        groups.len()
    );
    for (key, members) in &groups {
        let mut scenarios: BTreeMap<&str, usize> = BTreeMap::new();
        let mut facts: BTreeMap<String, usize> = BTreeMap::new();
        for (index, _) in members {
            *scenarios.entry(states[*index].scenario).or_default() += 1;
            let mut seen = std::collections::BTreeSet::new();
            for fact in damage(&states[*index]) {
                if seen.insert(normalize(&fact)) {
                    *facts.entry(normalize(&fact)).or_default() += 1;
                }
            }
        }
        let count = |map: BTreeMap<String, usize>| {
            let mut list: Vec<_> = map.into_iter().collect();
            list.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
            list.iter().take(8).map(|(what, n)| format!("{what} ({n})")).collect::<Vec<_>>().join("; ")
        };
        let noun = if members.len() == 1 { "state" } else { "states" };
        out.push_str(&format!("\n[{} {noun}] {key}\n", members.len()));
        let scenarios = scenarios.into_iter().map(|(s, n)| (s.to_owned(), n)).collect();
        out.push_str(&format!("  scenarios: {}\n", count(scenarios)));
        if !facts.is_empty() {
            out.push_str(&format!("  in the crash states: {}\n", count(facts)));
        }
        let step = (members.len() / 3).max(1);
        for (index, violation) in members.iter().step_by(step).take(3) {
            let state = &states[*index];
            let applied = if state.applied.is_empty() {
                String::new()
            } else {
                let shown: Vec<&str> = state.applied.iter().rev().take(5).rev().map(String::as_str).collect();
                let more = state.applied.len() - shown.len();
                let more = if more > 0 { format!("{more} more, then ") } else { String::new() };
                format!(": {more}{}", shown.join(", "))
            };
            out.push_str(&format!(
                "  e.g. [{}] power cut {}\n       {} of {} pending metadata operations reached the disk{applied}; {}\n",
                state.scenario,
                state.point,
                state.applied.len(),
                state.pending,
                state.variant
            ));
            let damage = damage(state);
            if !damage.is_empty() {
                out.push_str(&format!("       in the crash state: {}\n", damage.join("; ")));
            }
            let mut message = violation.message.replace('\n', "\n         ");
            if message.len() > 700 {
                message.truncate(
                    message.char_indices().take_while(|(i, _)| *i < 700).last().map_or(0, |(i, c)| i + c.len_utf8()),
                );
                message.push('…');
            }
            out.push_str(&format!("       {}: {message}\n", violation.check));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn normalize_makes_one_category_of_one_defect() {
        let message = "error: object file ROOT/.cfg/objects/03/988b87624a0d0c25e554e11bda7052d7e43a64 is empty";
        assert_eq!(super::normalize(message), "error: object file ROOT/.cfg/objects/<id> is empty");
        assert_eq!(super::normalize("conf/.s.yml.cfg-0da1d023bcc5.tmp"), "conf/.s.yml.cfg-<id>.tmp");
        assert_eq!(super::normalize(".cfg/objects/.tmpYzUKq9 at line 12"), ".cfg/objects/.tmp* at line 12");
    }
}
