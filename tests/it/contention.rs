//! Contention: many processes writing one file, read-modify-write loops with
//! `--expect`, and readers running while writers write.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use crate::common::{AUTHOR, Env, cfg_bin, hermetic};

fn count(var: &str, default: usize) -> usize {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A shell loop running in its own process, with the hermetic environment.
fn shell(env: &Env, script: &str, args: &[String]) -> Child {
    let mut command = Command::new("sh");
    hermetic(&mut command, env.dir.path());
    command.current_dir(&env.root).env("CFG_AUTHOR", AUTHOR).arg("-c").arg(script).arg(cfg_bin()).args(args);
    command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
}

#[test]
fn writers_queue_on_the_lock_and_none_is_dropped() {
    let env = Env::new();
    let (writers, writes) = (count("CFG_CONTENTION_WRITERS", 8), count("CFG_CONTENTION_WRITES", 100));
    env.write("s.yml", "writer: none\nseq: 0\n").ok();
    let started = Instant::now();
    let children: Vec<Child> = (0..writers)
        .map(|w| {
            let script = r#"cfg=$0; w=$1; n=$2; i=1; failed=0
                while [ $i -le $n ]; do
                  printf 'writer: %s\nseq: %s\n' "$w" "$i" | "$cfg" write s.yml -m "w$w #$i" >/dev/null || failed=$((failed + 1))
                  i=$((i + 1))
                done
                echo "$failed""#;
            shell(&env, script, &[w.to_string(), writes.to_string()])
        })
        .collect();
    let mut failed = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        failed += String::from_utf8_lossy(&out.stdout).trim().parse::<usize>().unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let total = writers * writes;
    eprintln!(
        "contention: {writers} writers x {writes} writes: {} succeeded, {failed} failed, {:.1} writes/s",
        total - failed,
        total as f64 / elapsed
    );
    assert_eq!(failed, 0, "every write succeeds: writers queue on the lock");
    assert_eq!(env.git_log().len(), total + 1, "one commit per write");
    let messages = env.git(&["log", "--format=%s", "main"]);
    for w in 0..writers {
        assert_eq!(messages.lines().filter(|m| m.starts_with(&format!("w{w} #"))).count(), writes, "writer {w}");
    }
}

#[test]
fn read_modify_write_loops_with_expect_lose_no_update() {
    let env = Env::new();
    let (writers, increments) = (count("CFG_RMW_WRITERS", 8), count("CFG_RMW_INCREMENTS", 15));
    // One counter per writer, on lines kept apart so that merges stay clean.
    let initial: String = (0..writers).map(|w| format!("p{w}: 0\n# ---\n")).collect();
    env.write("counters.yml", &initial).ok();
    let script = r#"cfg=$0; me=$1; n=$2; done_=0; conflicts=0
        while [ $done_ -lt $n ]; do
          "$cfg" cat counters.yml --print-rev >cur.$me 2>rev.$me || exit 9
          rev=$(cat rev.$me); v=$(sed -n "s/^$me: //p" cur.$me)
          sed "s/^$me: .*/$me: $((v + 1))/" cur.$me >new.$me
          if "$cfg" write counters.yml -i new.$me --expect "$rev" >/dev/null 2>err.$me; then done_=$((done_ + 1));
          else code=$?; [ $code -eq 3 ] || { cat err.$me >&2; exit $code; }; conflicts=$((conflicts + 1)); fi
        done
        rm -f cur.$me rev.$me new.$me err.$me
        echo $conflicts"#;
    let scratch = env.dir.path().join("scratch");
    std::fs::create_dir(&scratch).unwrap();
    let children: Vec<Child> = (0..writers)
        .map(|w| {
            let mut command = Command::new("sh");
            hermetic(&mut command, env.dir.path());
            command
                .current_dir(&scratch)
                .env("CFG_AUTHOR", AUTHOR)
                .env("CFG_ROOT", &env.root)
                .arg("-c")
                .arg(script.replace("counters.yml", &env.path("counters.yml").display().to_string()))
                .arg(cfg_bin())
                .args([format!("p{w}"), increments.to_string()]);
            command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
        })
        .collect();
    let mut conflicts = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        conflicts += String::from_utf8_lossy(&out.stdout).trim().parse::<usize>().unwrap();
    }
    let expected: String = (0..writers).map(|w| format!("p{w}: {increments}\n# ---\n")).collect();
    assert_eq!(env.read("counters.yml"), expected, "every process's increments are in the final file");
    eprintln!("read-modify-write: {writers} writers x {increments} increments, {conflicts} conflicts retried, 0 lost");
}

#[test]
fn readers_never_see_a_torn_or_invalid_version() {
    let env = Env::new();
    // Big enough that a torn write would be visible.
    let version = |i: usize| -> String { format!("seq: {i}\nbody: |\n{}", "  0123456789abcdef\n".repeat(400)) };
    env.write("s.yml", &version(0)).ok();
    let writes = count("CFG_READER_WRITES", 60);
    let writer = {
        let mut command = env.command();
        command.args(["write", "s.yml", "-i", "-"]);
        let root = env.root.clone();
        std::thread::spawn(move || {
            let _ = root;
            for i in 1..=writes {
                let mut child = command.stdin(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
                child.stdin.take().unwrap().write_all(version(i).as_bytes()).unwrap();
                assert!(child.wait().unwrap().success());
            }
        })
    };
    let (mut through_cfg, mut from_disk) = (0, 0);
    while !writer.is_finished() {
        let out = env.command().args(["cat", "s.yml"]).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        let seq: usize = text.lines().next().unwrap().strip_prefix("seq: ").unwrap().parse().unwrap();
        assert_eq!(text, version(seq), "cfg cat saw a torn version");
        through_cfg += 1;
        let disk = std::fs::read_to_string(env.path("s.yml")).unwrap();
        let seq: usize = disk.lines().next().unwrap().strip_prefix("seq: ").unwrap().parse().unwrap();
        assert_eq!(disk, version(seq), "the file on disk was torn");
        from_disk += 1;
    }
    writer.join().unwrap();
    eprintln!(
        "readers: {through_cfg} reads through cfg cat and {from_disk} from disk during {writes} writes, none torn"
    );
    assert!(through_cfg > 0);
}
