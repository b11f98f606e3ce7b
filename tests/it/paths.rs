//! Hostile paths and file kinds beyond the basic table in `foundation`.

use std::os::unix::fs::MetadataExt;
use std::process::Stdio;

use crate::common::Env;

/// A folder of the path is swapped for a symlink to outside the root while
/// writes run: each write lands in the real folder or fails; nothing is ever
/// written outside the root.
#[test]
fn a_symlink_swapped_in_during_writes_is_never_followed() {
    let env = Env::new();
    let outside = env.dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    env.write("conf/s.yml", "a: 0\n").ok();
    let conf = env.path("conf");
    let parked = env.path("conf.real");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (stop, outside) = (stop.clone(), outside.clone());
        std::thread::spawn(move || {
            let mut swaps = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                std::fs::rename(&conf, &parked).unwrap();
                std::os::unix::fs::symlink(&outside, &conf).unwrap();
                std::thread::sleep(std::time::Duration::from_micros(300));
                std::fs::remove_file(&conf).unwrap();
                std::fs::rename(&parked, &conf).unwrap();
                std::thread::sleep(std::time::Duration::from_micros(300));
                swaps += 1;
            }
            swaps
        })
    };
    let (mut ok, mut refused) = (0, 0);
    for i in 0..60 {
        let out = env.cfg_in(&["write", "conf/s.yml"], format!("a: {i}\n").as_bytes());
        match out.code {
            0 => ok += 1,
            2 | 6 => refused += 1,
            other => panic!("unexpected exit {other}: {out:#?}"),
        }
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0, "wrote outside the root: {out:#?}");
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let swaps = swapper.join().unwrap();
    eprintln!("symlink swaps: {swaps} swaps during 60 writes: {ok} landed, {refused} refused, 0 outside the root");
    assert!(env.path("conf").is_dir());
    env.cfg(&["status"]).ok();
}

/// Policy: cfg replaces the name it is given. Other hard links keep the old
/// content (they are other names for the old inode).
#[test]
fn a_hard_linked_target_is_replaced_by_name() {
    let env = Env::new();
    env.put("s.yml", "a: 1\n");
    std::fs::hard_link(env.path("s.yml"), env.path("alias.yml")).unwrap();
    env.write("s.yml", "a: 2\n").ok();
    assert_eq!(env.read("s.yml"), "a: 2\n");
    assert_eq!(env.read("alias.yml"), "a: 1\n");
    assert_eq!(std::fs::metadata(env.path("s.yml")).unwrap().nlink(), 1);
}

#[test]
fn special_files_are_refused() {
    let env = Env::new();
    std::fs::create_dir(env.path("adir")).unwrap();
    env.write("adir", "a: 1\n").fails_with(2);
    let fifo = env.path("fifo.yml");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    // A FIFO would block a plain open; cfg refuses it without hanging.
    let out = env.command().args(["write", "fifo.yml"]).stdin(Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
}
