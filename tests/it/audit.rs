//! The audit trail: the history of one value (`log --path`), key-level diffs
//! (`--keys`), signed commits checked by the real `git verify-commit`.

use crate::common::Env;

const SCHEDULE: &str = "schedule_config.yml";

/// A schedule file: `log_level`, then each job as (name, retry_count, hour).
fn schedule(log_level: &str, jobs: &[(&str, u32, u32)]) -> String {
    let mut out = format!("version: 1.0.0\nsettings:\n  log_level: {log_level}\nschedules:\n");
    for (name, retry, hour) in jobs {
        out.push_str(&format!(
            "  - skill_name: {name}\n    schedule: \"0 {hour} * * *\"\n    params: {{}}\n    retry_count: {retry}\n"
        ));
    }
    out
}

fn json_lines(out: &str) -> Vec<serde_json::Value> {
    out.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))).collect()
}

/// 30 commits; the backup job's retry_count is created once and changed 4
/// times, among edits of other jobs and settings, a reorder of the list and
/// an insert before the job. Exactly those 5 commits are listed.
#[test]
fn log_path_lists_exactly_the_commits_that_changed_the_value() {
    let env = Env::new();
    env.put(".cfg.yaml", &format!("schemas:\n  '{SCHEDULE}': builtin:schedule\n"));
    let mut jobs: Vec<(&str, u32, u32)> = vec![("sync-metrics", 1, 3)];
    let mut level = "info";
    let mut expected = Vec::new(); // (rev, old, new), oldest first
    for i in 1..=30u32 {
        let backup = jobs.iter().position(|j| j.0 == "backup-database");
        let before = backup.map(|b| jobs[b].1);
        match i {
            3 => jobs.push(("backup-database", 2, 1)),
            7 | 19 | 26 => jobs[backup.unwrap()].1 += 1,
            // A reorder alone, then an insert in front of the job.
            12 => jobs.reverse(),
            15 => jobs.insert(0, ("cleanup", 0, 5)),
            // A reorder together with the change: followed by its name.
            22 => {
                jobs.reverse();
                let b = jobs.iter().position(|j| j.0 == "backup-database").unwrap();
                jobs[b].1 = 9;
            }
            // Its schedule changes, its retry_count does not.
            10 => jobs[backup.unwrap()].2 = 4,
            _ if i % 2 == 0 => level = if level == "info" { "debug" } else { "info" },
            _ => {
                let s = jobs.iter().position(|j| j.0 == "sync-metrics").unwrap();
                jobs[s].1 = (jobs[s].1 + 1) % 10;
            }
        }
        let rev = env.write(SCHEDULE, &schedule(level, &jobs)).ok().to_owned();
        let after = jobs.iter().find(|j| j.0 == "backup-database").map(|j| j.1);
        if before != after {
            expected.push((rev, before.map(|v| v.to_string()), after.map(|v| v.to_string())));
        }
    }
    assert_eq!(env.git_log().len(), 30);
    assert_eq!(expected.len(), 5);
    expected.reverse();
    let path = "schedules[skill_name=backup-database].retry_count";
    let out = env.cfg(&["log", SCHEDULE, "--path", path, "--format", "json"]);
    let listed: Vec<(String, Option<String>, Option<String>)> = json_lines(out.ok())
        .iter()
        .map(|entry| {
            assert_eq!(entry["value"]["path"], path);
            assert_eq!(entry["author"], crate::common::AUTHOR);
            let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
            (entry["rev"].as_str().unwrap().to_owned(), text(&entry["value"]["old"]), text(&entry["value"]["new"]))
        })
        .collect();
    assert_eq!(listed, expected);
    // The text: each commit with its old → new value.
    let text = env.cfg(&["log", SCHEDULE, "--path", path]).ok().to_owned();
    let values: Vec<&str> = text.lines().filter(|l| l.starts_with("Value:")).collect();
    assert_eq!(
        values,
        ["Value:   9 → 10", "Value:   4 → 9", "Value:   3 → 4", "Value:   2 → 3", "Value:   (none) → 2"]
    );
    // And `git log` agrees on which commits those are.
    let git: Vec<String> = env.git(&["log", "--format=%H", "main"]).lines().map(str::to_owned).collect();
    let order: Vec<usize> = listed.iter().map(|(rev, _, _)| git.iter().position(|g| g == rev).unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    // -n 2: the two newest.
    let two = json_lines(env.cfg(&["log", SCHEDULE, "--path", path, "-n", "2", "--format", "json"]).ok());
    assert_eq!(two.iter().map(|e| e["rev"].as_str().unwrap()).collect::<Vec<_>>(), [&listed[0].0, &listed[1].0]);
    // A path that leads nowhere in every version lists nothing; a bad path is a usage error.
    assert_eq!(env.cfg(&["log", SCHEDULE, "--path", "schedules[skill_name=nope].retry_count"]).ok(), "");
    env.cfg(&["log", SCHEDULE, "--path", "schedules[skill_name=x"]).fails_with(2);
    env.cfg(&["log", "--path", "a"]).fails_with(2);
}

/// `--keys`: adds, removes, changes, nested keys, keyed list items (by the
/// schema's `x-merge-key`) and list items by index, compared exactly.
#[test]
fn keys_show_what_changed_as_paths_and_values() {
    let env = Env::new();
    env.put(".cfg.yaml", &format!("schemas:\n  '{SCHEDULE}': builtin:schedule\n"));
    let old = "version: 1.0.0\nsettings:\n  log_level: info\n  timezone: UTC\nschedules:\n\
               - skill_name: backup-database\n  schedule: \"0 2 * * *\"\n  params: {}\n  retry_count: 2\n  tags: [a, b]\n\
               - skill_name: sync-metrics\n  schedule: \"0 3 * * *\"\n  params: {}\n";
    let first = env.write(SCHEDULE, old).ok().to_owned();
    let new = "version: 1.0.0\nsettings:\n  log_level: info\n  enable_metrics: true\nschedules:\n\
               - skill_name: cleanup\n  schedule: \"0 5 * * *\"\n  params: {}\n\
               - skill_name: backup-database\n  schedule: \"0 2 * * *\"\n  params: {depth: 1}\n  retry_count: 3\n  tags: [a, c, b]\n";
    env.put(SCHEDULE, new);
    let expected = "\
- settings.timezone
+ settings.enable_metrics: true
- schedules[sync-metrics]
+ schedules[cleanup]
+ schedules[backup-database].params.depth: 1
~ schedules[backup-database].retry_count: 2 → 3
+ schedules[backup-database].tags[1]: c
";
    let out = env.cfg(&["diff", SCHEDULE, "--keys"]);
    assert_eq!(out.ok(), expected.trim_end());
    let json = json_lines(env.cfg(&["diff", SCHEDULE, "--keys", "--format", "json"]).ok());
    assert_eq!(json.len(), 7);
    assert_eq!(
        json[5],
        serde_json::json!({"change": "changed", "path": "schedules[backup-database].retry_count", "old": "2", "new": "3"})
    );
    assert_eq!(json[3]["change"], "added");
    assert_eq!(json[3]["new"], "{skill_name: cleanup, schedule: 0 5 * * *, params: {}}");
    // Committed, the same changes show in show and log; the first commit adds the file.
    let second = env.write(SCHEDULE, new).ok().to_owned();
    let show = env.cfg(&["show", &second, "--keys"]).ok().to_owned();
    let indented: String = expected.lines().map(|l| format!("  {l}\n")).collect();
    assert!(show.ends_with(&format!("{SCHEDULE}\n{indented}").trim_end().to_owned()), "{show}");
    let log = json_lines(env.cfg(&["log", SCHEDULE, "--keys", "--format", "json"]).ok());
    assert_eq!(log[0]["rev"], second);
    assert_eq!(log[0]["keys"].as_array().unwrap().len(), 7);
    assert_eq!(log[0]["keys"][5]["file"], SCHEDULE);
    assert_eq!(log[1]["rev"], first);
    assert_eq!(log[1]["keys"].as_array().unwrap().len(), 1);
    assert_eq!((&log[1]["keys"][0]["change"], &log[1]["keys"][0]["path"]), (&"added".into(), &".".into()));
    let text = env.cfg(&["log", SCHEDULE, "--keys", "-n", "1"]).ok().to_owned();
    let under: String = expected.lines().map(|l| format!("         {l}\n")).collect();
    assert!(text.contains(&format!("Changed: M {SCHEDULE}\n{under}\n")), "{text}");
    // A list without a merge key is compared item by item, named by index;
    // a reorder of a keyed list is one change.
    env.write("plain.yml", "list: [1, 2, 3]\nsub: {a: {b: 1}}\n").ok();
    env.put("plain.yml", "list: [1, 3, 4]\nsub: {a: {b: 2}}\n");
    assert_eq!(env.cfg(&["diff", "plain.yml", "--keys"]).ok(), "- list[1]\n+ list[2]: 4\n~ sub.a.b: 1 → 2");
    env.put(
        SCHEDULE,
        "version: 1.0.0\nsettings:\n  log_level: info\n  enable_metrics: true\nschedules:\n\
         - skill_name: backup-database\n  schedule: \"0 2 * * *\"\n  params: {depth: 1}\n  retry_count: 3\n  tags: [a, c, b]\n\
         - skill_name: cleanup\n  schedule: \"0 5 * * *\"\n  params: {}\n",
    );
    assert_eq!(
        env.cfg(&["diff", SCHEDULE, "--keys"]).ok(),
        "~ schedules: order cleanup, backup-database → backup-database, cleanup"
    );
    // Without --keys there is nothing for --format json to shape.
    env.cfg(&["diff", SCHEDULE, "--format", "json"]).fails_with(2);
}

/// `ssh-keygen`, which signs and verifies as git does.
fn require_ssh_keygen() {
    let found = std::process::Command::new("ssh-keygen")
        .arg("-?")
        .stderr(std::process::Stdio::piped())
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stderr).contains("-Y"));
    crate::common::require("ssh-keygen", found, "apt-get install -y openssh-client");
}

/// A new ed25519 key pair `name`, `name.pub` outside the root, and its
/// allowed-signers line for `principal`.
fn new_key(env: &Env, name: &str, principal: &str) -> (std::path::PathBuf, String) {
    let path = env.dir.path().join(name);
    let out = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let public = std::fs::read_to_string(path.with_extension("pub")).unwrap();
    (path, format!("{principal} namespaces=\"git\" {}", public.trim()))
}

/// The real `git verify-commit REV` with the allowed-signers file: whether it
/// accepts the commit, and what it said.
fn git_verify(env: &Env, allowed: &std::path::Path, rev: &str) -> (bool, String) {
    let mut command = std::process::Command::new("git");
    crate::common::hermetic(&mut command, env.dir.path());
    let out = command
        .arg("--git-dir")
        .arg(env.root.join(".cfg"))
        .arg("-c")
        .arg(format!("gpg.ssh.allowedSignersFile={}", allowed.display()))
        .args(["verify-commit", rev])
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn signing_config(key: &std::path::Path, allowed: &std::path::Path) -> String {
    format!("signing:\n  key: {}\n  allowed_signers: {}\n", key.display(), allowed.display())
}

/// Every kind of write makes a commit the real `git verify-commit` accepts;
/// `cfg verify` and `cfg log --verify` name the signer; an unsigned commit
/// and one signed by a key the allowed signers do not name fail `cfg verify`.
#[test]
fn signed_commits_verify_with_git() {
    require_ssh_keygen();
    let env = Env::new();
    let unsigned = env.write("a.yml", "a: 1\n").ok().to_owned();
    let (key, line) = new_key(&env, "ops-key", "ops@example.org");
    let allowed = env.dir.path().join("allowed_signers");
    std::fs::write(&allowed, format!("{line}\n")).unwrap();
    env.put(".cfg.yaml", &signing_config(&key, &allowed));
    let mut signed = vec![env.write("a.yml", "a: 2\n").ok().to_owned()];
    signed.push(env.cfg(&["set", "a.yml", "b", "3", "-m", "add b"]).ok().to_owned());
    env.cfg(&["restore", &unsigned, "a.yml"]).ok();
    signed.push(env.git(&["rev-parse", "main"]).trim().to_owned());
    for rev in &signed {
        let (good, said) = git_verify(&env, &allowed, rev);
        assert!(good && said.contains("Good \"git\" signature for ops@example.org"), "{rev}: {said}");
    }
    assert!(!git_verify(&env, &allowed, &unsigned).0);
    // Every commit after the unsigned one is good.
    let out = env.cfg(&["verify", &unsigned]);
    assert_eq!(out.ok().lines().count(), 3);
    assert!(
        out.stdout.lines().all(|l| l.contains(" good signature by ops@example.org (ED25519 key SHA256:")),
        "{out:?}"
    );
    // All of them: the unsigned one fails the check.
    let out = env.cfg(&["verify", "--format", "json"]);
    out.fails_with(1);
    assert!(out.stderr.contains("1 of 4 commits are not signed by an allowed signer"), "{out:?}");
    let statuses: Vec<(String, String)> = json_lines(&out.stdout)
        .iter()
        .map(|v| (v["rev"].as_str().unwrap().to_owned(), v["signature"]["status"].as_str().unwrap().to_owned()))
        .collect();
    let mut expected: Vec<(String, String)> = signed.iter().rev().map(|r| (r.clone(), "good".to_owned())).collect();
    expected.push((unsigned.clone(), "unsigned".to_owned()));
    assert_eq!(statuses, expected);
    let log = json_lines(env.cfg(&["log", "--verify", "--format", "json", "-n", "1"]).ok());
    assert_eq!(log[0]["signature"]["principal"], "ops@example.org");
    let text = env.cfg(&["log", "--verify", "-n", "1"]).ok().to_owned();
    assert!(text.contains("\nSigned:  good signature by ops@example.org (ED25519 key SHA256:"), "{text}");
    // Signed by another key: valid, but nobody allowed it.
    let (other, _) = new_key(&env, "other-key", "nobody@example.org");
    env.put(".cfg.yaml", &signing_config(&other, &allowed));
    let stranger = env.write("a.yml", "a: 5\n").ok().to_owned();
    assert!(!git_verify(&env, &allowed, &stranger).0);
    let out = env.cfg(&["verify", &signed[2]]);
    out.fails_with(1);
    assert!(
        out.stdout.starts_with(&format!("{} untrusted: valid signature by ED25519 key", &stranger[..7])),
        "{out:?}"
    );
}

/// A signed commit rewritten outside cfg (its message changed, its
/// signature kept) is reported bad by `cfg verify`, as git reports it.
#[test]
fn a_tampered_commit_is_reported_bad() {
    require_ssh_keygen();
    let env = Env::new();
    let (key, line) = new_key(&env, "ops-key", "ops@example.org");
    let allowed = env.dir.path().join("allowed_signers");
    std::fs::write(&allowed, format!("{line}\n")).unwrap();
    env.put(".cfg.yaml", &signing_config(&key, &allowed));
    env.write("a.yml", "a: 1\n").ok();
    let honest = env.cfg(&["set", "a.yml", "a", "2", "-m", "raise a"]).ok().to_owned();
    env.cfg(&["verify"]).ok();
    let raw = env.git(&["cat-file", "commit", &honest]);
    assert!(raw.contains("\ngpgsig -----BEGIN SSH SIGNATURE-----\n"), "{raw}");
    let forged = raw.replace("\nraise a\n", "\nlower a\n");
    assert_ne!(forged, raw);
    let mut command = std::process::Command::new("git");
    crate::common::hermetic(&mut command, env.dir.path());
    let out = crate::common::pipe(
        command.arg("--git-dir").arg(env.root.join(".cfg")).args(["hash-object", "-t", "commit", "-w", "--stdin"]),
        forged.as_bytes(),
    );
    let forged = out.ok().to_owned();
    env.git(&["update-ref", "refs/heads/main", &forged, &honest]);
    assert!(!git_verify(&env, &allowed, &forged).0);
    let out = env.cfg(&["verify", "--format", "json"]);
    out.fails_with(1);
    let first = &json_lines(&out.stdout)[0];
    assert_eq!((first["rev"].as_str().unwrap(), &first["signature"]["status"]), (forged.as_str(), &"bad".into()));
    assert_eq!(json_lines(&out.stdout)[1]["signature"]["status"], "good");
    // A signature too large for a pipe, made elsewhere: bad, and no hang.
    let huge = format!(" {}\n", "A".repeat(70)).repeat(2000);
    let raw = env.git(&["cat-file", "commit", &forged]);
    let bloated = raw.replacen(" -----END SSH SIGNATURE-----\n", &format!("{huge} -----END SSH SIGNATURE-----\n"), 1);
    assert!(bloated.len() > 128 * 1024);
    let mut command = std::process::Command::new("git");
    crate::common::hermetic(&mut command, env.dir.path());
    let out = crate::common::pipe(
        command.arg("--git-dir").arg(env.root.join(".cfg")).args(["hash-object", "-t", "commit", "-w", "--stdin"]),
        bloated.as_bytes(),
    );
    let bloated = out.ok().to_owned();
    env.git(&["update-ref", "refs/heads/main", &bloated, &forged]);
    let out = env.cfg(&["verify", &forged]);
    out.fails_with(1);
    assert!(out.stdout.starts_with(&format!("{} bad signature: a signature of ", &bloated[..7])), "{out:?}");
}

/// A key that cannot be used fails the write before anything is replaced:
/// exit 6, the file and the history as they were.
#[test]
fn a_missing_signing_key_writes_nothing() {
    require_ssh_keygen();
    let env = Env::new();
    let rev = env.write("a.yml", "a: 1\n").ok().to_owned();
    env.put(".cfg.yaml", "signing:\n  key: keys/missing\n");
    let out = env.write("a.yml", "a: 2\n");
    out.fails_with(6);
    assert!(
        out.stderr.contains("cannot sign the commit with the key") && out.stderr.contains("keys/missing"),
        "{out:?}"
    );
    assert_eq!(env.read("a.yml"), "a: 1\n");
    assert_eq!(env.git_log(), std::slice::from_ref(&rev));
    env.cfg(&["set", "a.yml", "a", "3"]).fails_with(6);
    assert_eq!(env.read("a.yml"), "a: 1\n");
    assert_eq!(env.git_log(), [rev]);
}

/// The commit of each line, as the real `git blame` on the side repository
/// gives it.
fn git_blame(env: &Env, rev: &str, file: &str) -> Vec<String> {
    env.git(&["blame", "-l", "-s", "--root", rev, "--", file]).lines().map(|line| line[..40].to_owned()).collect()
}

fn cfg_blame(env: &Env, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["blame", "--format", "json"];
    all.extend_from_slice(args);
    json_lines(env.cfg(&all).ok())
}

/// Blame agrees line by line with `git blame` through writes by several
/// authors, outside edits, edits of another file and a restore, at the
/// latest version and at an older one.
#[test]
fn blame_agrees_with_git_blame() {
    let env = Env::new();
    let lines = |words: &[&str]| words.iter().map(|w| format!("{w}: {}\n", w.len())).collect::<String>();
    let as_author = |who: &str, file: &str, content: &str| {
        env.cfg_in(
            &["--author", who, "write", file, "-m", &format!("{} edits", who.split(' ').next().unwrap())],
            content.as_bytes(),
        )
        .ok()
        .to_owned()
    };
    as_author("Ann <ann@example.org>", "f.yml", &lines(&["alpha", "beta", "gamma", "delta"]));
    as_author("Bob <bob@example.org>", "f.yml", &lines(&["alpha", "beta", "gamma2", "delta", "epsilon"]));
    as_author("Ann <ann@example.org>", "other.yml", "x: 1\n");
    let middle = as_author("Cy <cy@example.org>", "f.yml", &lines(&["zeta", "alpha", "gamma2", "delta", "epsilon"]));
    // Edited outside cfg, then recorded by the next write.
    env.put("f.yml", &lines(&["zeta", "alpha", "eta", "gamma2", "delta", "epsilon"]));
    env.cfg(&["set", "f.yml", "theta", "5"]).ok();
    as_author(
        "Bob <bob@example.org>",
        "f.yml",
        &lines(&["zeta", "alpha", "eta", "gamma2", "epsilon", "theta", "iota"]),
    );
    // A restore is a change by whoever restored.
    env.cfg(&["--author", "Dee <dee@example.org>", "restore", &middle, "f.yml"]).ok();
    as_author("Ann <ann@example.org>", "f.yml", &lines(&["zeta", "alpha", "gamma2", "delta", "epsilon", "kappa"]));
    assert!(env.git_log().len() >= 9);
    for rev in ["main", "main~1", "main~2", "main~4", &middle] {
        let mut args = vec!["f.yml"];
        let full = env.git(&["rev-parse", rev]).trim().to_owned();
        args.extend(["--rev", full.as_str()]);
        let ours: Vec<String> = cfg_blame(&env, &args).iter().map(|l| l["rev"].as_str().unwrap().to_owned()).collect();
        assert_eq!(ours, git_blame(&env, rev, "f.yml"), "at {rev}");
    }
    let latest = cfg_blame(&env, &["f.yml"]);
    let content: String = latest.iter().map(|l| format!("{}\n", l["content"].as_str().unwrap())).collect();
    assert_eq!(content, env.read("f.yml"));
    // The restored lines are Dee's, the last one Ann's; several commits are named.
    let authors: Vec<&str> = latest.iter().map(|l| l["author"].as_str().unwrap()).collect();
    assert_eq!(authors.last(), Some(&"Ann <ann@example.org>"));
    assert!(authors.contains(&"Dee <dee@example.org>"), "{authors:?}");
    let distinct: std::collections::BTreeSet<&str> = latest.iter().map(|l| l["rev"].as_str().unwrap()).collect();
    assert!(distinct.len() >= 3, "{latest:?}");
    // The text names the revision, date, author and message of each line.
    let text = env.cfg(&["blame", "f.yml"]).ok().to_owned();
    let last = text.lines().last().unwrap();
    let rev = latest.last().unwrap()["rev"].as_str().unwrap();
    assert!(
        last.starts_with(&rev[..7])
            && last.contains(" Ann ")
            && last.contains("Ann edits")
            && last.ends_with(" 6) kappa: 5"),
        "{text}"
    );
    env.cfg(&["blame", "missing.yml"]).fails_with(5);
}

/// Through a merge of two hosts' histories, each line goes to the host
/// that changed it, as `git blame` says.
#[test]
fn blame_through_a_merge_agrees_with_git_blame() {
    use crate::remote::server::{Bare, host};
    let bare = Bare::new();
    let (one, two) = (host(&bare.url()), host(&bare.url()));
    one.write("s.yml", "a: 1\nb: 1\nc: 1\nd: 1\ne: 1\n").ok();
    one.cfg(&["sync"]).ok();
    two.cfg(&["sync"]).ok();
    let theirs = one.cfg(&["set", "s.yml", "a", "2"]).ok().to_owned();
    one.cfg(&["sync"]).ok();
    let ours = two.cfg(&["set", "s.yml", "e", "3"]).ok().to_owned();
    two.cfg(&["sync"]).ok();
    assert_eq!(two.git(&["log", "-1", "--format=%P", "main"]).split_whitespace().count(), 2);
    let revs: Vec<String> = cfg_blame(&two, &["s.yml"]).iter().map(|l| l["rev"].as_str().unwrap().to_owned()).collect();
    assert_eq!(revs, git_blame(&two, "main", "s.yml"));
    assert_eq!((revs[0].as_str(), revs[4].as_str()), (theirs.as_str(), ours.as_str()));
    // The history of `a` here: made by the first write, changed on the other
    // host, and brought to this host's line by the merge.
    let merge = two.git(&["rev-parse", "main"]).trim().to_owned();
    let first = one.git(&["rev-list", "--max-parents=0", "main"]).trim().to_owned();
    // Commits made within one second: their order is not the point here.
    let changes: std::collections::BTreeSet<(String, String, String)> =
        json_lines(two.cfg(&["log", "s.yml", "--path", "a", "--format", "json"]).ok())
            .iter()
            .map(|e| {
                (e["rev"].as_str().unwrap().to_owned(), e["value"]["old"].to_string(), e["value"]["new"].to_string())
            })
            .collect();
    let entry = |rev: &str, old: &str, new: &str| (rev.to_owned(), old.to_owned(), new.to_owned());
    assert_eq!(
        changes,
        std::collections::BTreeSet::from([
            entry(&merge, "\"1\"", "\"2\""),
            entry(&theirs, "\"1\"", "\"2\""),
            entry(&first, "null", "\"1\"")
        ])
    );
    bare.fsck();
}

/// Environment variables to set (`Some`) or remove (`None`).
type Vars<'a> = &'a [(&'a str, Option<&'a str>)];

/// `cfg write` of `content` with the environment changed by `vars`
/// (`None` removes a variable), CFG_AUTHOR and the user variables removed first.
fn write_as(env: &Env, vars: Vars, args: &[&str], content: &str) -> crate::common::Out {
    let mut command = env.command();
    for name in ["CFG_AUTHOR", "USER", "LOGNAME", "SUDO_USER"] {
        command.env_remove(name);
    }
    for (name, value) in vars {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    crate::common::pipe(command.args(args), content.as_bytes())
}

fn id(args: &[&str]) -> String {
    let out = std::process::Command::new("id").args(args).output().expect("run id");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Each source of the author in its order, as git reads the commits:
/// --author, CFG_AUTHOR, the user behind sudo (with a Cfg-Sudo trailer),
/// $USER, $LOGNAME, the uid's name; require_message refuses a write without -m.
#[test]
fn identities_come_from_each_source_in_order() {
    let env = Env::new();
    let cases: [(Vars, &[&str], &str); 6] = [
        (
            &[("CFG_AUTHOR", Some("Env Author <env@example.org>")), ("USER", Some("u"))],
            &["--author", "Flag <flag@example.org>"],
            "Flag <flag@example.org>",
        ),
        (
            &[("CFG_AUTHOR", Some("Env Author <env@example.org>")), ("SUDO_USER", Some("alice"))],
            &[],
            "Env Author <env@example.org>",
        ),
        (&[("SUDO_USER", Some("alice")), ("USER", Some("root"))], &[], "alice <alice@HOST>"),
        (&[("USER", Some("bob")), ("LOGNAME", Some("carl"))], &[], "bob <bob@HOST>"),
        (&[("LOGNAME", Some("carl"))], &[], "carl <carl@HOST>"),
        (&[], &[], "UID <UID@HOST>"),
    ];
    let account = id(&["-run"]);
    assert!(!account.is_empty(), "`id -run` names this process's user");
    for (i, (vars, flags, expected)) in cases.iter().enumerate() {
        let mut args = flags.to_vec();
        args.extend(["write", "a.yml"]);
        write_as(&env, vars, &args, &format!("a: {i}\n")).ok();
        let said = env.git(&[
            "log",
            "-1",
            "--format=%an <%ae>%n%(trailers:key=Cfg-Host,valueonly)%(trailers:key=Cfg-Sudo,valueonly)",
            "main",
        ]);
        let mut lines = said.lines();
        let (author, host) = (lines.next().unwrap(), lines.next().unwrap());
        assert_eq!(author, expected.replace("HOST", host).replace("UID", &account), "case {i}");
        // Only the sudo case notes the account sudo ran cfg as.
        let sudo: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
        let expected_sudo: Vec<String> = if i == 2 { vec![id(&["-un"])] } else { Vec::new() };
        assert_eq!(sudo, expected_sudo, "case {i}");
    }
    env.put(".cfg.yaml", "require_message: true\n");
    let out = env.write("a.yml", "a: 9\n");
    out.fails_with(2);
    assert!(out.stderr.contains("require_message") && out.stderr.contains("-m"), "{out:?}");
    assert_eq!(env.read("a.yml"), "a: 5\n");
    env.cfg(&["set", "a.yml", "a", "9"]).fails_with(2);
    env.cfg(&["set", "a.yml", "a", "9", "-m", "why"]).ok();
}
