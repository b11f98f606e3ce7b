//! Power loss: a replay of real `cfg` runs that drops every write not made
//! durable, the approach of ALICE (OSDI 2014) and CrashMonkey (OSDI 2018).
//!
//! The kill tests (`crash.rs`, `kill_random.rs`) cannot show that an unsynced
//! write is lost: the kernel still writes back what a killed process wrote.
//! Here each scenario's commands run for real under `strace`
//! ([`trace`]: every call on a path or fd, with the bytes of every write), in
//! one root. The recording is replayed into a model of the file system
//! ([`model`]) that holds, for every file and folder, what a reader sees and
//! what a power cut keeps; after each command the replay must equal the disk.
//! At every call that changed either, and after each command exits, the crash
//! states a power cut could leave are enumerated ([`enumerate`]), written into
//! a fresh folder, and held to cfg's promises ([`check`]): the file holds an
//! acknowledged or an in-flight version, the next commands recover, every
//! acknowledged commit is still there, `git fsck --strict` is clean, nothing
//! is left behind, and a further write works.
//!
//! The model, in short (its module docs say more): a file's data is durable
//! once the file is fsynced; a folder entry (create, rename, unlink, link,
//! mkdir) once its folder is fsynced, as POSIX promises and no more. Entries
//! not yet durable may still reach the disk in program order, as ext4's ordered
//! journal commits them: a crash state is the durable state plus the first `j`
//! pending metadata operations. File data is never ordered with them: a file
//! never synced reads as empty (ext4's zero-length file after a rename); as
//! variants, a file truncated and not synced since is empty, or unsynced bytes
//! read as zeros (the size reached the disk, the data did not).
//! A sync covers what was written before it began, and counts once it
//! returns; calls of several threads are ordered by when they returned.
//!
//! Limits: modes, owners and times are not modelled; a write is never torn
//! within a file; `j` takes five values per point, not all; the real runs are
//! one interleaving of the sync threads, not every possible one. A call on a
//! path or fd under the root that the model does not know fails the test.
//!
//! The number of crash states checked is printed (`--show-output`).
//! `CFG_POWER_LOSS_STATES` caps it (default [`DEFAULT_STATES`]: every distinct
//! state today, about 800, a minute and a half on 2 cores in a debug build;
//! under a lower cap those most at stake are checked first, then an even
//! spread); `CFG_POWER_LOSS_JOBS` sets the threads (default 2).
//! On failure the strace logs are kept under `target/tmp/power-loss/`.

mod check;
mod enumerate;
mod model;
mod scenario;
mod trace;

use enumerate::{CrashState, crash_states, within_budget};
use scenario::{FILE, Recording, SCENARIOS, Scenario, record};
use trace::{Event, require_strace};

const DEFAULT_STATES: usize = 1500;

fn setting(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(value) => value.parse().unwrap_or_else(|_| panic!("{name}={value} is not a number")),
        Err(_) => default,
    }
}

#[test]
fn power_cut_at_any_call_keeps_every_promise() {
    require_strace();
    let recordings: Vec<Recording> = SCENARIOS.iter().map(record).collect();
    let calls: usize = recordings.iter().map(|r| r.events.iter().filter(|e| matches!(e, Event::Done(_))).count()).sum();
    let states: Vec<CrashState> = recordings.iter().flat_map(crash_states).collect();
    let distinct = states.len();
    let budget = setting("CFG_POWER_LOSS_STATES", DEFAULT_STATES);
    let states = within_budget(states, budget);
    let violations = check::check_all(&states, setting("CFG_POWER_LOSS_JOBS", 2));
    eprintln!(
        "power loss: {} scenarios, {calls} calls replayed, {distinct} distinct crash states, {} checked \
         (CFG_POWER_LOSS_STATES={budget}); {} break a promise",
        recordings.len(),
        states.len(),
        violations.len()
    );
    if violations.is_empty() {
        return;
    }
    let kept = keep_logs(&recordings);
    panic!("{}\nstrace logs of the scenarios: {kept}", check::report(&states, &violations));
}

/// Test of the test: the same checks, on a recording with one sync removed,
/// as a build missing that sync would make, find the damage.
#[test]
fn power_loss_checks_catch_a_removed_fsync() {
    require_strace();
    let recording = record(&Scenario { name: "write a change", run: scenario::write_change });
    let events = recording.events.iter().enumerate();
    let all: Vec<(usize, String)> =
        events.filter_map(|(i, e)| if let Event::Done(c) = e { Some((i, c.text.clone())) } else { None }).collect();

    // Without the fsync of the temp file, the file can be renamed into place
    // empty: check (a) must say so, and say nothing on the real recording.
    let temp_sync = all
        .iter()
        .find(|(_, text)| text.starts_with("fsync(") && text.contains("/.s.yml.cfg-"))
        .expect("the write syncs its temp file");
    let torn = |recording: &Recording| -> Vec<String> {
        let states = crash_states(recording);
        states.iter().filter_map(|s| check::file_after_crash(s).err()).map(|v| v.message).collect()
    };
    assert_eq!(torn(&recording), Vec::<String>::new(), "the real write never leaves the file torn");
    let found = torn(&recording.without(temp_sync.0));
    assert!(
        found.iter().any(|message| message == &format!("{FILE} is 0 bytes")),
        "without `{}`, check (a) finds no empty file: {found:?}",
        temp_sync.1
    );

    // Without the fsync of the folder after the rename, an acknowledged write
    // can be lost: the full checks, right after the command exits, must say so.
    let rename = all.iter().position(|(_, text)| text.starts_with("rename") && text.contains("\"s.yml\")"));
    let rename = rename.expect("the write renames its temp file");
    let folder = format!("{}/conf>", recording.root);
    let folder_sync = all[rename..]
        .iter()
        .find(|(_, text)| text.starts_with("fsync(") && text.contains(&folder))
        .expect("the write syncs the folder after its rename");
    let after_exit = |recording: &Recording| -> Vec<String> {
        let states: Vec<CrashState> = crash_states(recording).into_iter().filter(|s| s.at_exit).collect();
        check::check_all(&states, 2).into_iter().map(|(_, v)| format!("{}: {}", v.check, v.message)).collect()
    };
    assert_eq!(after_exit(&recording), Vec::<String>::new(), "the real write keeps its promises once acknowledged");
    let found = after_exit(&recording.without(folder_sync.0));
    assert!(
        found.iter().any(|v| v.contains(&format!("{FILE} holds the version before the scenario"))),
        "without `{}`, no check finds the lost write: {found:?}",
        folder_sync.1
    );
    eprintln!("power-loss checks catch a removed fsync: {} and {}", temp_sync.1, folder_sync.1);
}

/// Saves the strace logs where a person can read them; returns where.
fn keep_logs(recordings: &[Recording]) -> String {
    let base = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("power-loss");
    for recording in recordings {
        let words = recording.name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty());
        let dir = base.join(words.collect::<Vec<_>>().join("-"));
        std::fs::create_dir_all(&dir).unwrap();
        for (n, log) in recording.logs.iter().enumerate() {
            std::fs::write(dir.join(format!("step-{}.strace", n + 1)), log).unwrap();
        }
    }
    base.display().to_string()
}
