//! I/O errors: `strace` makes the K-th `write`, `fsync` or rename fail with
//! EIO or ENOSPC, for every K a write reaches. The command exits 6 naming the
//! failing step, the target keeps its old content, the store stays fsck-clean,
//! and a failed fsync is never reported as success.

use std::process::Command;

use crate::common::{Env, Out, hermetic, pipe};

const OLD: &str = "name: old\n";
const NEW: &str = "name: new\n";

#[test]
fn injected_io_errors_exit_6_and_change_nothing() {
    if !crate::crash::strace() {
        return;
    }
    let mut failures = 0;
    let mut summary = Vec::new();
    for syscall in ["write", "fsync", "renameat", "rename", "unlink", "mkdir"] {
        for errno in ["EIO", "ENOSPC"] {
            let mut reached = 0;
            for k in 1.. {
                let env = Env::new();
                env.write("conf/s.yml", OLD).ok();
                let mut command = Command::new("strace");
                hermetic(&mut command, env.dir.path());
                let inject = format!("inject={syscall}:error={errno}:when={k}");
                command
                    .current_dir(&env.root)
                    .env("CFG_AUTHOR", crate::common::AUTHOR)
                    .args(["-f", "-qq", "-o", "/dev/null", "-e", &inject, crate::common::cfg_bin()])
                    .args(["write", "conf/s.yml", "-m", "io test"]);
                let out: Out = pipe(&mut command, NEW.as_bytes());
                let case = format!("{syscall}={errno} #{k}");
                if out.code == 0 {
                    assert_eq!(env.read("conf/s.yml"), NEW, "{case}");
                    // A failed removal of the journal is not a failed write;
                    // the next command tidies up.
                    env.cfg(&["status"]).ok();
                    break;
                }
                reached = k;
                failures += 1;
                assert_eq!(out.code, 6, "{case}: {out:#?}");
                assert!(out.stderr.contains("failed to"), "{case}: names the step: {}", out.stderr);
                let late = out.stderr.contains("standard output");
                if late {
                    // Everything was durable; only printing the revision failed.
                    assert_eq!(env.read("conf/s.yml"), NEW, "{case}");
                } else {
                    assert_eq!(env.read("conf/s.yml"), OLD, "{case}: target changed: {}", out.stderr);
                }
                env.cfg(&["status"]).ok();
                let expected = if late { NEW } else { OLD };
                assert_eq!(env.read("conf/s.yml"), expected, "{case}: the next command changed the target");
                let subject = env.git(&["log", "-1", "--format=%s", "main"]);
                assert_eq!(subject.trim() == "io test", late, "{case}: history and disk disagree");
                assert!(env.leftovers().is_empty(), "{case}: {:?}", env.leftovers());
                env.fsck();
                assert!(k < 1000);
            }
            summary.push(format!("{syscall}={errno}:{reached}"));
        }
    }
    eprintln!("I/O errors injected: {failures} failing runs, all exit 6 ({})", summary.join(" "));
    assert!(failures > 20);
}
