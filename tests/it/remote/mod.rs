//! Several hosts, one history, through real git servers: a bare repository
//! by path and `git daemon` over `git://`, both started by the tests. Each
//! host is its own managed root; every store and the remote are checked with
//! `git fsck --strict`.

mod kill;
pub(crate) mod server;

use std::collections::BTreeMap;

use crate::common::Env;
use server::{Bare, Daemon, host};

/// One shared file, a key per host.
const SHARED: &str = "# one key per host\na: 0\nb: 0\nc: 0\n";

fn value(text: &str, key: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}: ")))
        .unwrap_or_else(|| panic!("no `{key}` in {text:?}"))
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn three_hosts_sync_one_file_concurrently() {
    let bare = Bare::new();
    let daemon = Daemon::start(&bare);
    let url = daemon.url(&bare);
    let first = host(&url);
    first.write("s.yml", SHARED).ok();
    first.cfg(&["sync"]).ok();
    let hosts: Vec<Env> = std::iter::once(first)
        .chain((0..2).map(|_| {
            let env = Env::bare();
            env.cfg(&["clone", &url, "."]).ok();
            env
        }))
        .collect();
    const WRITES: u64 = 50;
    let results: Vec<(Vec<String>, usize)> = std::thread::scope(|scope| {
        let workers: Vec<_> = hosts
            .iter()
            .zip(["a", "b", "c"])
            .map(|(env, key)| {
                scope.spawn(move || {
                    let mut acknowledged = Vec::new();
                    let mut refused = 0;
                    for i in 1..=WRITES {
                        acknowledged.push(env.cfg(&["set", "s.yml", key, &i.to_string()]).ok().to_owned());
                        let out = env.cfg(&["sync"]);
                        match out.code {
                            0 => {}
                            // Other hosts kept pushing first: the next sync publishes it.
                            3 if out.stderr.contains("kept moving") => refused += 1,
                            _ => panic!("host {key}, sync after write {i}: {out:#?}"),
                        }
                        // Only this host changes its key: every merge keeps its value.
                        let now = env.read("s.yml");
                        assert_eq!(value(&now, key), i, "host {key} lost its write {i} in a sync:\n{now}");
                    }
                    (acknowledged, refused)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    // Settle: each host pulls what the others pushed last.
    for _ in 0..2 {
        for env in &hosts {
            env.cfg(&["sync"]).ok();
        }
    }
    let tip = bare.tip();
    let shared = bare.show("s.yml");
    for (env, key) in hosts.iter().zip(["a", "b", "c"]) {
        assert_eq!(env.read("s.yml"), shared, "host {key} holds the remote's version");
        assert_eq!(env.git_log()[0], tip, "host {key} is at the remote's tip");
    }
    for key in ["a", "b", "c"] {
        assert_eq!(value(&shared, key), WRITES, "every change of host {key} is there:\n{shared}");
    }
    let mut acknowledged = 0;
    for (revs, _) in &results {
        for rev in revs {
            assert!(bare.holds(rev), "acknowledged commit {rev} is not reachable from the remote's tip");
            acknowledged += 1;
        }
    }
    bare.fsck();
    let refused: usize = results.iter().map(|(_, refused)| refused).sum();
    let merges = bare.git(&["rev-list", "--merges", "--count", "main"]);
    eprintln!(
        "three hosts: {acknowledged} writes, {} syncs, {refused} gave up after 16 refused pushes, {} merge commits",
        3 * WRITES,
        merges.trim()
    );
}

#[test]
fn the_same_key_on_two_hosts_conflicts_and_take_resolves() {
    let bare = Bare::new();
    let one = host(&bare.url());
    let two = host(&bare.url());
    one.write("s.yml", "level: info\nretries: 1\n").ok();
    one.cfg(&["sync"]).ok();
    two.cfg(&["sync"]).ok();
    let remote_rev = one.cfg(&["set", "s.yml", "level", "debug"]).ok().to_owned();
    one.cfg(&["sync"]).ok();
    two.cfg(&["set", "s.yml", "level", "error"]).ok();
    // The pulling host reloads its service on every file a pull changes.
    let log = two.dir.path().join("reloads.log");
    std::fs::write(two.path(".cfg.yaml"), format!("on_write:\n  - echo \"$CFG_FILE\" >> {}\n", log.display())).unwrap();
    two.cfg(&["trust"]).ok();

    let before = (two.read("s.yml"), two.git_log());
    let out = two.cfg(&["sync"]);
    out.fails_with(3);
    assert!(out.stderr.contains("`s.yml`") && out.stderr.contains(&remote_rev[..7]), "names file and commit: {out:#?}");
    assert!(out.stderr.contains("<<<<<<<") && out.stderr.contains("|||||||"), "shows diff3 regions: {out:#?}");
    assert_eq!((two.read("s.yml"), two.git_log()), before, "a refused pull changes nothing");
    assert!(!log.exists(), "nothing was written, so nothing reloaded");

    two.cfg(&["pull", "--take", "remote"]).ok();
    assert_eq!(two.read("s.yml"), "level: debug\nretries: 1\n");
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "s.yml\n", "on_write ran for the pulled file");
    let merge = two.git(&["log", "-1", "--format=%P", "main"]);
    assert_eq!(merge.split_whitespace().count(), 2, "a merge commit with both parents");
    two.cfg(&["sync"]).ok();
    one.cfg(&["sync"]).ok();
    assert_eq!(one.read("s.yml"), two.read("s.yml"));

    // And the other way: this host's value wins.
    one.cfg(&["set", "s.yml", "retries", "5"]).ok();
    one.cfg(&["sync"]).ok();
    two.cfg(&["set", "s.yml", "retries", "7"]).ok();
    two.cfg(&["sync"]).fails_with(3);
    // Resolved without the network: the remote's branch as last fetched.
    two.cfg(&["pull", "--no-fetch", "--take", "local", "s.yml"]).ok();
    assert_eq!(two.read("s.yml"), "level: debug\nretries: 7\n");
    two.cfg(&["sync"]).ok();
    one.cfg(&["sync"]).ok();
    assert_eq!(one.read("s.yml"), "level: debug\nretries: 7\n");
    bare.fsck();
}

#[test]
fn push_writes_from_three_hosts_at_once_lose_nothing() {
    let bare = Bare::new();
    let daemon = Daemon::start(&bare);
    let url = daemon.url(&bare);
    let hosts: Vec<Env> = (0..3).map(|_| host(&url)).collect();
    hosts[0].write("s.yml", SHARED).ok();
    hosts[0].cfg(&["push"]).ok();
    for env in &hosts[1..] {
        env.cfg(&["pull"]).ok();
    }
    const WRITES: u64 = 15;
    let acknowledged: Vec<BTreeMap<u64, String>> = std::thread::scope(|scope| {
        let workers: Vec<_> = hosts
            .iter()
            .zip(["a", "b", "c"])
            .map(|(env, key)| {
                scope.spawn(move || {
                    let mut acknowledged = BTreeMap::new();
                    for i in 1..=WRITES {
                        let out = env.cfg(&["set", "s.yml", key, &i.to_string(), "--push"]);
                        match out.code {
                            0 => {
                                acknowledged.insert(i, out.stdout.trim().to_owned());
                            }
                            3 => assert!(out.stderr.contains("but was not pushed"), "{out:#?}"),
                            _ => panic!("host {key}, write {i}: {out:#?}"),
                        }
                    }
                    acknowledged
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    // What a host acknowledged, the remote holds, with nothing else pushed since.
    for revs in &acknowledged {
        for rev in revs.values() {
            assert!(bare.holds(rev), "acknowledged {rev}, but the remote lacks it");
        }
    }
    for env in &hosts {
        env.cfg(&["sync"]).ok();
    }
    let shared = bare.show("s.yml");
    for (revs, key) in acknowledged.iter().zip(["a", "b", "c"]) {
        let last = *revs.keys().last().expect("some write was acknowledged");
        assert!(value(&shared, key) >= last, "host {key}'s acknowledged {last} is lost:\n{shared}");
        assert_eq!(value(&shared, key), WRITES, "host {key}'s last write is there after a sync:\n{shared}");
    }
    bare.fsck();
    let count: usize = acknowledged.iter().map(BTreeMap::len).sum();
    eprintln!("--push from three hosts: {count} of {} writes acknowledged", 3 * WRITES);
}

#[test]
fn a_stopped_server_fails_sync_not_writes_and_one_sync_catches_up() {
    let bare = Bare::new();
    let mut daemon = Daemon::start(&bare);
    let env = host(&daemon.url(&bare));
    env.write("s.yml", "a: 1\n").ok();
    env.cfg(&["sync"]).ok();
    daemon.stop();
    for i in 2..5 {
        env.cfg(&["set", "s.yml", "a", &i.to_string()]).ok();
    }
    let out = env.cfg(&["sync"]);
    out.fails_with(6);
    assert!(out.stderr.contains("remote `origin`"), "names the remote: {out:#?}");
    let out = env.cfg(&["set", "s.yml", "a", "5", "--push"]);
    out.fails_with(6);
    assert!(out.stderr.contains("committed here") && out.stderr.contains("cfg sync"), "{out:#?}");
    assert_eq!(env.read("s.yml"), "a: 5\n", "the write stands");
    let status = env.cfg(&["status"]).ok().to_owned();
    assert!(status.contains("4 ahead, 0 behind"), "status counts what is not pushed yet: {status}");
    daemon.restart();
    let out = env.cfg(&["sync"]);
    out.ok();
    assert_eq!(bare.tip(), env.git_log()[0], "one sync publishes everything");
    assert_eq!(bare.show("s.yml"), "a: 5\n");
    assert_eq!(env.cfg(&["status"]).ok(), "");
    bare.fsck();
}

#[test]
fn an_incoming_version_invalid_here_is_refused_with_exit_1() {
    let bare = Bare::new();
    let one = host(&bare.url());
    let two = host(&bare.url());
    one.write("s.yml", "retries: 1\n").ok();
    one.cfg(&["sync"]).ok();
    two.cfg(&["sync"]).ok();
    // Only the second host requires an integer.
    two.put("int.json", r#"{"type": "object", "properties": {"retries": {"type": "integer"}}}"#);
    two.put(".cfg.yaml", "schemas:\n  s.yml: int.json\n");
    let rev = one.cfg(&["set", "s.yml", "retries", "many"]).ok().to_owned();
    one.cfg(&["sync"]).ok();
    let before = (two.read("s.yml"), two.git_log());
    let out = two.cfg(&["pull"]);
    out.fails_with(1);
    assert!(
        out.stderr.contains("`s.yml`") && out.stderr.contains("invalid") && out.stderr.contains(&rev[..7]),
        "{out:#?}"
    );
    assert_eq!((two.read("s.yml"), two.git_log()), before, "nothing changed");
    // Keeping this host's version resolves it.
    two.cfg(&["pull", "--take", "local"]).ok();
    assert_eq!(two.read("s.yml"), "retries: 1\n");
    two.cfg(&["sync"]).ok();
    bare.fsck();
}

#[test]
fn clone_onto_a_folder_with_another_version_keeps_both() {
    let bare = Bare::new();
    let one = host(&bare.url());
    one.write("s.yml", "level: info\n").ok();
    one.cfg(&["sync"]).ok();
    let two = Env::bare();
    two.put("s.yml", "level: warn\n");
    two.put("other.yml", "x: 1\n");
    let out = two.cfg(&["clone", &bare.url(), "."]);
    out.fails_with(3);
    assert!(out.stderr.contains("`s.yml`"), "{out:#?}");
    assert_eq!(two.read("s.yml"), "level: warn\n", "the local version is kept");
    two.cfg(&["pull", "--take", "remote"]).ok();
    assert_eq!(two.read("s.yml"), "level: info\n");
    assert_eq!(two.read("other.yml"), "x: 1\n", "a file the remote lacks is left alone");
    let versions: Vec<String> = two
        .git(&["log", "--full-history", "--format=%H", "main", "--", "s.yml"])
        .lines()
        .map(|rev| two.git(&["show", &format!("{rev}:s.yml")]))
        .collect();
    assert!(versions.contains(&"level: warn\n".to_owned()), "the local version is in the history: {versions:?}");
    assert!(versions.contains(&"level: info\n".to_owned()), "the remote's version is in the history: {versions:?}");
    two.cfg(&["sync"]).ok();

    // Into an empty folder: the remote's commits, ids and all.
    let three = Env::bare();
    three.cfg(&["clone", &bare.url(), "."]).ok();
    assert_eq!(three.read("s.yml"), "level: info\n");
    assert_eq!(three.git_log()[0], bare.tip(), "the same commit ids on every host");
    bare.fsck();
}

#[test]
fn pulled_commands_wait_for_trust() {
    let bare = Bare::new();
    let one = host(&bare.url());
    let two = Env::bare();
    one.write("s.yml", "a: 1\n").ok();
    one.cfg(&["sync"]).ok();
    two.cfg(&["clone", &bare.url(), "."]).ok();
    let marker = two.root.join("marker");
    one.write(".cfg.yaml", "on_write:\n  - touch marker\n").ok();
    one.cfg(&["sync"]).ok();
    for (i, step) in
        [&["sync"][..], &["set", "s.yml", "a", "2"], &["set", "s.yml", "a", "3", "--push"]].iter().enumerate()
    {
        let out = two.cfg(step);
        out.ok();
        assert!(!marker.exists(), "step {i} ({step:?}) ran a pulled command");
        if step[0] == "set" {
            assert!(out.stderr.contains("`touch marker`") && out.stderr.contains("cfg trust"), "{out:#?}");
        }
    }
    assert_eq!(two.read(".cfg.yaml"), "on_write:\n  - touch marker\n");
    assert!(two.cfg(&["status"]).ok().contains("skipped until `cfg trust`: `touch marker`"));
    let out = two.cfg(&["trust"]);
    assert_eq!(out.ok(), "touch marker");
    two.cfg(&["set", "s.yml", "a", "4"]).ok();
    assert!(marker.exists(), "approved: the command runs");
    // A changed set needs approving again; checks wait too (one that would
    // refuse every write, and leave a trace).
    one.cfg(&["sync"]).ok();
    one.write(
        ".cfg.yaml",
        "on_write:\n  - touch marker\n  - touch second\nchecks:\n  - glob: \"*.yml\"\n    command: touch checked; false\n",
    )
    .ok();
    one.cfg(&["sync"]).ok();
    two.cfg(&["sync"]).ok();
    // That pull ran the set approved when it started: it reloads the service.
    std::fs::remove_file(&marker).unwrap();
    let out = two.cfg(&["set", "s.yml", "a", "5"]);
    out.ok();
    assert!(out.stderr.contains("`touch checked; false`"), "the skipped check is named: {out:#?}");
    assert!(!marker.exists() && !two.root.join("second").exists(), "a changed set waits for approval");
    assert!(!two.root.join("checked").exists(), "an unapproved check never runs");
    two.cfg(&["trust"]).ok();
    let out = two.cfg(&["set", "s.yml", "a", "6"]);
    out.fails_with(1);
    assert!(two.root.join("checked").exists(), "approved, the check runs (and refuses)");
    assert_eq!(two.read("s.yml"), "a: 5\n");
}

#[test]
fn urls_stay_out_of_commits_and_log() {
    let bare = Bare::named("s3cret-token/remote.git");
    let one = host(&bare.url());
    one.write("s.yml", "a: 1\n").ok();
    one.cfg(&["sync"]).ok();
    let two = Env::bare();
    two.put("s.yml", "a: 2\nb: 1\n");
    two.cfg(&["clone", &bare.url(), "."]).fails_with(3);
    two.cfg(&["pull", "--take", "local"]).ok();
    two.cfg(&["sync"]).ok();
    let history = two.git(&["log", "--format=%B", "main"]);
    assert!(history.contains("cfg clone <url> .") && history.contains("Cfg-Remote: origin"), "{history}");
    assert!(!history.contains("s3cret"), "a URL is recorded: {history}");
    let log = two.cfg(&["log"]).ok().to_owned();
    assert!(!log.contains("s3cret"), "{log}");
    assert!(log.contains("Merge:"), "cfg log shows the merge: {log}");
}

#[test]
fn remotes_are_git_remotes() {
    let env = Env::new();
    env.cfg(&["remote", "add", "mirror", "/srv/one.git"]).ok();
    env.cfg(&["remote", "add", "backup", "https://ann:pw@example.org/cfg.git"]).ok();
    assert_eq!(env.git(&["remote", "-v"]).lines().filter(|l| l.contains("(fetch)")).count(), 2);
    assert_eq!(env.git(&["config", "remote.backup.url"]).trim(), "https://ann:pw@example.org/cfg.git");
    assert_eq!(env.cfg(&["remote", "list"]).ok(), "mirror\t/srv/one.git\nbackup\thttps://***@example.org/cfg.git");
    env.cfg(&["remote", "add", "mirror", "/elsewhere"]).fails_with(2);
    env.cfg(&["remote", "add", "-bad", "/x"]).fails_with(2);
    // Two remotes, neither `origin`, and no `remote:` setting: say which.
    let out = env.cfg(&["sync"]);
    out.fails_with(2);
    assert!(out.stderr.contains("mirror, backup"), "{out:#?}");
    env.cfg(&["remote", "remove", "backup"]).ok();
    env.cfg(&["remote", "remove", "backup"]).fails_with(2);
    assert_eq!(env.git(&["remote"]).trim(), "mirror");
    // A failed fetch names the remote and exits 6.
    let out = env.cfg(&["pull"]);
    out.fails_with(6);
    assert!(out.stderr.contains("remote `mirror`"), "{out:#?}");
}

#[test]
fn a_push_behind_the_remote_is_refused_and_status_tells() {
    let bare = Bare::new();
    let one = host(&bare.url());
    let two = host(&bare.url());
    one.write("s.yml", "a: 1\nb: 1\n").ok();
    one.cfg(&["push"]).ok();
    two.cfg(&["pull"]).ok();
    one.cfg(&["set", "s.yml", "a", "2"]).ok();
    one.cfg(&["push"]).ok();
    two.cfg(&["set", "s.yml", "b", "2"]).ok();
    let out = two.cfg(&["push"]);
    out.fails_with(3);
    assert!(out.stderr.contains("cfg pull"), "{out:#?}");
    two.cfg(&["pull"]).ok();
    assert!(two.cfg(&["status"]).ok().contains("remote origin: 2 ahead, 0 behind"));
    two.cfg(&["push"]).ok();
    one.cfg(&["pull"]).ok();
    assert_eq!(one.read("s.yml"), "a: 2\nb: 2\n");
    assert_eq!(one.git_log(), two.git_log(), "a fast-forward to the other host's own commits");
    // Nothing to do: quiet.
    let out = one.cfg(&["sync"]);
    assert_eq!((out.code, out.stdout.as_str(), out.stderr.as_str()), (0, "", ""));
    let log = one.cfg(&["log", "--format", "json", "-n", "1"]).ok().to_owned();
    let entry: serde_json::Value = serde_json::from_str(&log).unwrap();
    assert_eq!(entry["parents"].as_array().unwrap().len(), 2, "{entry}");
}

/// A push killed on the remote leaves its branch's lock file there; every
/// later push is refused with "cannot lock ref". That is not "another host
/// pushed first": cfg says which file holds the branch, and exits 4.
#[test]
fn a_lock_file_left_on_the_remote_is_named_not_taken_for_a_moving_branch() {
    let bare = Bare::new();
    let daemon = Daemon::start(&bare);
    let env = host(&daemon.url(&bare));
    env.write("s.yml", "a: 1\n").ok();
    env.cfg(&["push"]).ok();
    let lock = bare.path.join("refs/heads/main.lock");
    std::fs::write(&lock, "").unwrap();
    env.cfg(&["set", "s.yml", "a", "2"]).ok();
    for args in [&["push"][..], &["sync", "--attempts", "2"][..]] {
        let out = env.cfg(args);
        out.fails_with(4);
        assert!(out.stderr.contains("branch is locked") && out.stderr.contains("main.lock"), "{args:?}: {out:#?}");
        assert!(out.stderr.contains("remove it on the remote"), "{args:?}: {out:#?}");
    }
    let head = env.git(&["rev-parse", "main"]);
    assert!(!bare.holds(head.trim()), "nothing reached the remote while it was locked");
    std::fs::remove_file(&lock).unwrap();
    env.cfg(&["sync"]).ok();
    assert_eq!(bare.show("s.yml"), "a: 2\n");
    bare.fsck();
}

#[test]
fn gc_with_a_remote_cuts_only_shared_history_and_sync_goes_on() {
    let bare = Bare::new();
    let one = host(&bare.url());
    let two = host(&bare.url());
    one.write("s.yml", "a: 0\nb: 0\n").ok();
    one.cfg(&["sync"]).ok();
    two.cfg(&["sync"]).ok();
    for i in 1..=4 {
        one.cfg(&["set", "s.yml", "a", &i.to_string()]).ok();
        two.cfg(&["set", "s.yml", "b", &i.to_string()]).ok();
        one.cfg(&["sync"]).ok();
        two.cfg(&["sync"]).ok();
    }
    // Unpushed commits stay: the remote lacks them.
    let unpushed: Vec<String> =
        (5..=7).map(|i| two.cfg(&["set", "s.yml", "b", &i.to_string()]).ok().to_owned()).collect();
    let ids_before = two.git_log();
    two.cfg(&["gc", "--keep-last", "1"]).ok();
    assert!(two.path(".cfg/shallow").exists(), "history was cut");
    let ids_after = two.git_log();
    assert!(ids_after.len() < ids_before.len(), "gc pruned something");
    assert!(ids_after.iter().all(|id| ids_before.contains(id)), "no commit was rewritten");
    for rev in &unpushed {
        assert!(ids_after.contains(rev), "unpushed {rev} was pruned");
    }
    one.cfg(&["set", "s.yml", "a", "9"]).ok();
    one.cfg(&["sync"]).ok();
    two.cfg(&["sync"]).ok();
    one.cfg(&["sync"]).ok();
    assert_eq!(one.read("s.yml"), "a: 9\nb: 7\n");
    assert_eq!(two.read("s.yml"), one.read("s.yml"));
    two.cfg(&["gc", "--keep-last", "1"]).ok();
    one.cfg(&["set", "s.yml", "a", "10"]).ok();
    one.cfg(&["sync"]).ok();
    two.cfg(&["sync"]).ok();
    assert_eq!(two.read("s.yml"), "a: 10\nb: 7\n");
    bare.fsck();
}

#[test]
fn fetched_objects_are_durable_before_the_journal_names_them() {
    crate::common::require_strace();
    let bare = Bare::new();
    let one = host(&bare.url());
    let two = host(&bare.url());
    one.write("s.yml", "a: 1\n").ok();
    one.cfg(&["sync"]).ok();
    two.cfg(&["sync"]).ok();
    one.cfg(&["set", "s.yml", "a", "2"]).ok();
    one.cfg(&["sync"]).ok();
    let log = two.dir.path().join("pull.strace");
    let mut command = std::process::Command::new("strace");
    crate::common::hermetic(&mut command, two.dir.path());
    let out: crate::common::Out = command
        .current_dir(&two.root)
        .env("CFG_AUTHOR", crate::common::AUTHOR)
        .args(["-f", "-qq", "-y", "-e", "trace=fsync,openat,rename,renameat,renameat2", "-o"])
        .arg(&log)
        .arg(crate::common::cfg_bin())
        .arg("pull")
        .output()
        .unwrap()
        .into();
    out.ok();
    assert_eq!(two.read("s.yml"), "a: 2\n");
    let log = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    let find = |what: &dyn Fn(&str) -> bool| lines.iter().position(|l| what(l));
    // Where the sync of the pack folder returned: on its own line, or where
    // strace shows it resumed when another thread's call came in between.
    let folder = find(&|l| l.contains("fsync(") && l.contains("/.cfg/objects/pack>")).and_then(|start| {
        let tid = lines[start].split_whitespace().next().unwrap_or_default();
        if !lines[start].contains("<unfinished") {
            return lines[start].ends_with(" = 0").then_some(start);
        }
        let resumed = |l: &&str| {
            l.split_whitespace().next() == Some(tid) && l.contains("<... fsync resumed>") && l.ends_with(" = 0")
        };
        lines[start..].iter().position(resumed).map(|offset| start + offset)
    });
    let journal = find(&|l| l.contains("openat(") && l.contains("/.cfg/pending\"") && l.contains("O_CREAT"));
    let replaced = find(&|l| l.contains("rename") && l.contains("\"s.yml\""));
    let (Some(folder), Some(journal), Some(replaced)) = (folder, journal, replaced) else {
        panic!(
            "the pull synced the pack folder ({folder:?}), wrote its journal ({journal:?}), replaced s.yml ({replaced:?}):\n{log}"
        );
    };
    assert!(folder < journal && journal < replaced, "the fetched pack is durable before the journal names it:\n{log}");
}

#[test]
fn a_check_that_rejects_the_pulled_version_refuses_the_pull() {
    let bare = Bare::new();
    let one = host(&bare.url());
    let two = host(&bare.url());
    one.write("s.yml", "a: 1\n").ok();
    one.cfg(&["sync"]).ok();
    two.cfg(&["sync"]).ok();
    two.put(".cfg.yaml", "checks:\n  - glob: s.yml\n    command: \"! grep -q forbidden {}\"\n");
    two.cfg(&["trust"]).ok();
    one.cfg(&["set", "s.yml", "forbidden", "1"]).ok();
    one.cfg(&["sync"]).ok();
    let before = (two.read("s.yml"), two.git_log());
    let out = two.cfg(&["pull"]);
    out.fails_with(1);
    assert!(out.stderr.contains("s.yml"), "{out:#?}");
    assert_eq!((two.read("s.yml"), two.git_log()), before, "a rejected check changes nothing");
    one.cfg(&["unset", "s.yml", "forbidden"]).ok();
    one.cfg(&["sync"]).ok();
    two.cfg(&["pull"]).ok();
    assert_eq!(two.read("s.yml"), "a: 1\n");
}

#[test]
fn push_true_in_the_settings_pushes_every_write() {
    let bare = Bare::new();
    let env = host(&bare.url());
    env.put(".cfg.yaml", "push: true\nremote: origin\n");
    let rev = env.write("s.yml", "a: 1\n").ok().to_owned();
    assert_eq!(bare.tip(), rev, "acknowledged once the remote holds it");
    let local = env.cfg(&["set", "s.yml", "a", "2", "--no-push"]).ok().to_owned();
    assert_eq!(bare.tip(), rev, "--no-push keeps it here");
    assert_ne!(local, rev);
    env.cfg(&["set", "s.yml", "a", "3"]).ok();
    assert_eq!(bare.tip(), env.git_log()[0]);
}

#[test]
fn without_git_only_the_transport_fails() {
    let bare = Bare::new();
    let env = host(&bare.url());
    let empty = tempfile::tempdir().unwrap();
    let no_git = |args: &[&str]| -> crate::common::Out {
        env.command().env("PATH", empty.path()).args(args).stdin(std::process::Stdio::null()).output().unwrap().into()
    };
    no_git(&["init", "."]).ok();
    crate::common::pipe(env.command().env("PATH", empty.path()).args(["write", "s.yml"]), b"a: 1\n").ok();
    no_git(&["set", "s.yml", "a", "2"]).ok();
    no_git(&["log"]).ok();
    no_git(&["status"]).ok();
    let out = no_git(&["sync"]);
    out.fails_with(6);
    assert!(out.stderr.contains("cannot run `git`") && out.stderr.contains("install git"), "{out:#?}");
    env.cfg(&["sync"]).ok();
    assert_eq!(bare.tip(), env.git_log()[0]);
}
