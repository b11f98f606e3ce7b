//! The scenarios: real `cfg` commands on one root, each traced, with what
//! each left on disk and in the history (the truth the crash states are held to).
//!
//! A scenario's setup commands run untraced: what they leave is the durable
//! starting state. Its traced steps are recorded one after another into one
//! event list. After every step the model's replay must equal the tree on
//! disk byte for byte, so a misparsed or unmodelled call cannot go unnoticed.

use std::path::Path;
use std::process::Stdio;

use super::model::{Content, Model, Tree};
use super::trace::{self, Event, cfg_command};
use crate::common::{Env, hermetic};
use crate::remote::server::Bare;

/// The managed file every scenario writes (in a folder, so that the first
/// write also creates a folder).
pub(crate) const FILE: &str = "conf/s.yml";
const V1: &str = "retries: 1\ntimeout: 30\nlevel: info\n";
const V2: &str = "retries: 2\ntimeout: 30\nlevel: info\n";
/// `V1` with another line changed: merges with `V2` into `retries: 2` and `level: debug`.
const V3: &str = "retries: 1\ntimeout: 30\nlevel: debug\n";
const V4: &str = "retries: 4\ntimeout: 60\nlevel: warn\n";

pub(crate) struct Scenario {
    pub(crate) name: &'static str,
    pub(crate) run: fn(&mut Recorder),
}

pub(crate) const SCENARIOS: &[Scenario] = &[
    Scenario { name: "init, first write", run: init_and_first_write },
    Scenario { name: "write a change", run: write_change },
    Scenario { name: "merging write (--expect)", run: merging_write },
    Scenario { name: "restore", run: restore },
    Scenario { name: "gc --keep-last 1", run: gc },
    Scenario { name: "recovery of a write killed before its sync barrier", run: killed_before_barrier },
    Scenario { name: "recovery of a write killed at its rename", run: killed_at_rename },
    Scenario { name: "pull: a fast-forward to another host's commit", run: pull_fast_forward },
    Scenario { name: "pull: a merge with another host's commit", run: pull_merge },
];

fn init_and_first_write(r: &mut Recorder) {
    r.step(&["init", "."], "", Kill::No);
    r.step(&["write", FILE], V1, Kill::No);
}

pub(crate) fn write_change(r: &mut Recorder) {
    r.setup(&["init", "."], "");
    r.setup(&["write", FILE], V1);
    r.step(&["write", FILE, "-m", "change"], V2, Kill::No);
}

fn merging_write(r: &mut Recorder) {
    r.setup(&["init", "."], "");
    let base = r.setup(&["write", FILE], V1);
    r.setup(&["write", FILE], V2);
    r.step(&["write", FILE, "--expect", &base], V3, Kill::No);
}

fn restore(r: &mut Recorder) {
    r.setup(&["init", "."], "");
    let first = r.setup(&["write", FILE], V1);
    r.setup(&["write", FILE], V2);
    r.step(&["restore", &first], "", Kill::No);
}

fn gc(r: &mut Recorder) {
    r.setup(&["init", "."], "");
    for content in [V1, V2, V4] {
        r.setup(&["write", FILE], content);
    }
    r.step(&["gc", "--keep-last", "1"], "", Kill::No);
}

/// Its objects, journal and temp file were written but never synced: the
/// recovering command must make them durable before it moves anything.
fn killed_before_barrier(r: &mut Recorder) {
    r.setup(&["init", "."], "");
    r.setup(&["write", FILE], V1);
    r.step(&["write", FILE, "-m", "killed"], V2, Kill::AtFirstFsync);
    r.step(&["status"], "", Kill::No);
}

/// Killed after its sync barrier, as the temp file is renamed over the target:
/// the next write rolls it forward, then makes its own.
fn killed_at_rename(r: &mut Recorder) {
    r.setup(&["init", "."], "");
    r.setup(&["write", FILE], V1);
    r.step(&["write", FILE, "-m", "killed"], V2, Kill::AtRenameOnto);
    r.step(&["write", FILE], V4, Kill::No);
}

/// The publishing half of a pull: another host pushed `V2` to the remote and
/// this root fetched it, untraced (the model follows one program, and the
/// fetch's pack is durable before the pull runs; `remote::fetched_objects_…`
/// checks that order); the traced `cfg pull --no-fetch` fast-forwards.
fn pull_fast_forward(r: &mut Recorder) {
    let bare = shared_history(r);
    another_host_pushes(r, &bare, V2);
    r.step(&["pull", "--no-fetch"], "", Kill::No);
}

/// The same, with a local change of another line first: the pull merges
/// (`retries: 2` from the remote, `level: debug` from here) into a merge commit.
fn pull_merge(r: &mut Recorder) {
    let bare = shared_history(r);
    r.setup(&["write", FILE, "-m", "local"], V3);
    another_host_pushes(r, &bare, V2);
    r.step(&["pull", "--no-fetch"], "", Kill::No);
}

fn shared_history(r: &mut Recorder) -> Bare {
    let bare = Bare::new();
    r.setup(&["init", "."], "");
    r.setup(&["write", FILE], V1);
    r.setup(&["remote", "add", "origin", &bare.url()], "");
    r.setup(&["push"], "");
    bare
}

fn another_host_pushes(r: &mut Recorder, bare: &Bare, content: &str) {
    let other = Env::bare();
    other.cfg(&["clone", &bare.url(), "."]).ok();
    other.write(FILE, content).ok();
    other.cfg(&["push"]).ok();
    let mut fetch = std::process::Command::new("git");
    hermetic(&mut fetch, r.env.dir.path());
    let out = fetch.arg("--git-dir").arg(r.env.root.join(".cfg")).args(["fetch", "-q", "origin"]).output().unwrap();
    assert!(out.status.success(), "git fetch: {}", String::from_utf8_lossy(&out.stderr));
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kill {
    No,
    /// SIGKILL as the first `fsync` begins (before anything was made durable).
    AtFirstFsync,
    /// SIGKILL as the temp file is renamed over [`FILE`].
    AtRenameOnto,
}

/// What one traced command did, as the real run shows.
#[derive(Debug, Clone)]
pub(crate) struct StepRecord {
    /// The command line, for reports.
    pub(crate) command: String,
    /// Exit code; -1 when killed.
    pub(crate) code: i32,
    /// [`FILE`] on disk after the command (`None`: absent).
    pub(crate) file_after: Option<Content>,
    /// What a killed command was writing into [`FILE`].
    pub(crate) intended: Option<Content>,
    /// `git log --format=%H main` after the command, newest first.
    pub(crate) history_after: Vec<String>,
    /// Whether `.cfg/HEAD` existed after the command.
    pub(crate) store_after: bool,
}

/// Everything recorded of one scenario.
#[derive(Clone)]
pub(crate) struct Recording {
    pub(crate) name: &'static str,
    /// The path of the root the commands ran in.
    pub(crate) root: String,
    /// The durable starting state.
    pub(crate) initial: Tree,
    pub(crate) file_before: Option<Content>,
    pub(crate) history_before: Vec<String>,
    pub(crate) store_before: bool,
    pub(crate) events: Vec<Event>,
    pub(crate) steps: Vec<StepRecord>,
    /// The raw strace logs, one per step, kept for failure reports.
    pub(crate) logs: Vec<String>,
}

impl Recording {
    /// The recording without the completed sync at `index` (and where it
    /// began), as a program that never made that call would have left it.
    pub(crate) fn without(&self, index: usize) -> Recording {
        let Event::Done(call) = &self.events[index] else { panic!("event {index} is not a call") };
        let began = self.events[..index].iter().rposition(|e| match e {
            Event::Enter { tid, .. } => *tid == call.tid,
            Event::Done(other) => other.tid == call.tid,
            _ => false,
        });
        let mut copy = self.clone();
        copy.events.remove(index);
        if let Some(began) = began.filter(|&i| matches!(self.events[i], Event::Enter { .. })) {
            copy.events.remove(began);
        }
        copy
    }
}

pub(crate) struct Recorder {
    env: Env,
    recording: Recording,
    model: Option<Model>,
}

pub(crate) fn record(scenario: &Scenario) -> Recording {
    let env = Env::bare();
    let root = env.root.display().to_string();
    let recording = Recording {
        name: scenario.name,
        root,
        initial: Tree::default(),
        file_before: None,
        history_before: Vec::new(),
        store_before: false,
        events: Vec::new(),
        steps: Vec::new(),
        logs: Vec::new(),
    };
    let mut recorder = Recorder { env, recording, model: None };
    (scenario.run)(&mut recorder);
    // Dropping the environment checks the real run ended clean (fsck, no leftovers).
    let Recorder { env, recording, .. } = recorder;
    drop(env);
    recording
}

impl Recorder {
    /// Runs an untraced command before the traced ones; returns its output, trimmed.
    fn setup(&mut self, args: &[&str], stdin: &str) -> String {
        assert!(self.model.is_none(), "setup after the first traced step");
        let out = crate::common::pipe(cfg_command(&self.env.root, self.env.dir.path()).args(args), stdin.as_bytes());
        out.ok().to_owned()
    }

    fn step(&mut self, args: &[&str], stdin: &str, kill: Kill) {
        let root = self.env.root.clone();
        let home = self.env.dir.path().to_owned();
        if self.model.is_none() {
            let initial = Tree::read(&root);
            self.model = Some(Model::new(&self.recording.root, &initial));
            self.recording.file_before = initial.file(FILE).cloned();
            self.recording.history_before = history(&root, &home);
            self.recording.store_before = root.join(".cfg/HEAD").is_file();
            self.recording.initial = initial;
        }
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        let inject = match kill {
            Kill::No => None,
            Kill::AtFirstFsync => Some("inject=fsync:signal=KILL:when=1".to_owned()),
            Kill::AtRenameOnto => Some(rename_onto_file(&root, &args, stdin)),
        };
        let (out, log) = trace::record(&root, &home, &args, stdin.as_bytes(), inject.as_deref());
        let step = self.recording.steps.len();
        let context = |e: String| format!("scenario `{}`, step `cfg {}`: {e}", self.recording.name, args.join(" "));
        let mut events = vec![Event::Start { step }];
        events.extend(trace::parse(&log).unwrap_or_else(|e| panic!("{}", context(e))));
        events.push(Event::Exit { step, code: out.code });
        if kill != Kill::No {
            assert_ne!(out.code, 0, "{}", context(format!("the kill did not happen: {out:?}")));
            let aimed = match kill {
                Kill::AtFirstFsync => "fsync(".to_owned(),
                _ => format!("\"{}\")", file_name()),
            };
            // A killed process's calls end in `= ?`; other threads' may too.
            let cut: Vec<&str> = events
                .iter()
                .filter_map(|e| match e {
                    Event::Done(call) if call.ret.is_none() => Some(call.text.as_str()),
                    _ => None,
                })
                .collect();
            assert!(
                cut.iter().any(|text| text.contains(&aimed)),
                "{}",
                context(format!("killed elsewhere than aimed ({aimed}): {cut:?}"))
            );
        } else {
            assert_eq!(out.code, 0, "{}", context(format!("failed: {out:?}")));
        }
        let model = self.model.as_mut().expect("made above");
        for event in &events {
            model.apply(event).unwrap_or_else(|e| panic!("{}", context(e)));
        }
        let on_disk = Tree::read(&root);
        let differences = model.volatile().differences(&on_disk);
        assert!(
            differences.is_empty(),
            "{}",
            context(format!(
                "the replayed trace differs from the disk (model vs disk):\n  {}",
                differences.join("\n  ")
            ))
        );
        self.recording.events.extend(events);
        self.recording.logs.push(log);
        self.recording.steps.push(StepRecord {
            command: format!("cfg {}", args.iter().map(|a| short(a)).collect::<Vec<_>>().join(" ")),
            code: out.code,
            file_after: on_disk.file(FILE).cloned(),
            intended: (kill != Kill::No).then(|| Content::new(stdin.as_bytes().to_vec())),
            history_after: history(&root, &home),
            store_after: root.join(".cfg/HEAD").is_file(),
        });
    }
}

/// The strace option that kills `cfg ARGS` as it renames its temp file over
/// [`FILE`]: found by counting, in a traced run on a copy of the root, the
/// renames the command's main thread makes before that one.
fn rename_onto_file(root: &Path, args: &[String], stdin: &str) -> String {
    let copy = tempfile::tempdir().unwrap();
    let copy_root = copy.path().join("root");
    std::fs::create_dir(&copy_root).unwrap();
    Tree::read(root).write(&copy_root);
    let (out, log) = trace::record(&copy_root, copy.path(), args, stdin.as_bytes(), None);
    out.ok();
    let calls: Vec<_> = trace::parse(&log)
        .unwrap()
        .into_iter()
        .filter_map(|event| match event {
            Event::Done(call) => Some(call),
            _ => None,
        })
        .collect();
    let main = calls.first().expect("a traced call").tid;
    let name = file_name();
    let target = calls
        .iter()
        .find(|call| call.tid == main && call.name.starts_with("rename") && call.text.contains(&format!("\"{name}\")")))
        .unwrap_or_else(|| panic!("no rename onto {name} in `cfg {}`", args.join(" ")));
    let nth = calls
        .iter()
        .filter(|call| call.tid == main && call.name == target.name)
        .position(|call| std::ptr::eq(call, target));
    format!("inject={}:signal=KILL:when={}", target.name, nth.expect("found above") + 1)
}

fn file_name() -> &'static str {
    FILE.rsplit('/').next().unwrap_or(FILE)
}

/// The branch's commits, newest first; empty when there is none (or no store).
pub(crate) fn history(root: &Path, home: &Path) -> Vec<String> {
    let mut command = std::process::Command::new("git");
    hermetic(&mut command, home);
    let output = command
        .arg("--git-dir")
        .arg(root.join(".cfg"))
        .args(["log", "--format=%H", "main", "--"])
        .stdin(Stdio::null())
        .output()
        .expect("run git");
    if !output.status.success() {
        return Vec::new();
    }
    String::from_utf8_lossy(&output.stdout).lines().map(str::to_owned).collect()
}

/// A revision argument cut to 12 characters, for reports.
fn short(arg: &str) -> &str {
    if arg.len() == 40 && arg.bytes().all(|b| b.is_ascii_hexdigit()) { &arg[..12] } else { arg }
}
