//! `cfg log --follow`: the change feed prints each commit written by other
//! processes as it lands, and stops when its reader goes away.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::common::Env;

/// Starts `cfg log --follow ARGS` and a thread that forwards its lines.
fn follow(env: &Env, args: &[&str]) -> (Child, mpsc::Receiver<String>) {
    let mut child = env
        .command()
        .args(["log", "--follow"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    (child, receive)
}

fn next_json(lines: &mpsc::Receiver<String>) -> serde_json::Value {
    let line = lines.recv_timeout(Duration::from_secs(10)).expect("a line from --follow");
    serde_json::from_str(&line).unwrap()
}

#[test]
fn follow_prints_commits_written_by_other_processes() {
    let env = Env::new();
    let first = env.write("s.yml", "a: 1\n").ok().to_owned();
    let (mut child, lines) = follow(&env, &["--format", "json", "-n", "1"]);
    // -n 1: the current tip first, so a reader knows where the feed starts.
    let start = next_json(&lines);
    assert_eq!(start["rev"], first.as_str());
    // Give the follower time to settle, then write from other processes.
    std::thread::sleep(Duration::from_millis(300));
    let second = env.write("s.yml", "a: 2\n").ok().to_owned();
    let third = env.cfg(&["set", "t.yml", "b", "1"]).ok().to_owned();
    let got = next_json(&lines);
    assert_eq!(got["rev"], second.as_str());
    assert_eq!(got["parent"], first.as_str());
    assert_eq!(got["files"][0]["path"], "s.yml");
    let got = next_json(&lines);
    assert_eq!(got["rev"], third.as_str());
    assert_eq!(got["files"][0]["path"], "t.yml");
    assert!(lines.recv_timeout(Duration::from_millis(500)).is_err(), "nothing else");
    // Several commits between two polls come out oldest first, none skipped.
    let revs: Vec<String> = (3..8).map(|n| env.write("s.yml", &format!("a: {n}\n")).ok().to_owned()).collect();
    for rev in &revs {
        assert_eq!(next_json(&lines)["rev"], rev.as_str());
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn follow_stops_when_its_reader_goes_away() {
    let env = Env::new();
    env.write("s.yml", "a: 1\n").ok();
    let (mut child, lines) = follow(&env, &[]);
    std::thread::sleep(Duration::from_millis(300));
    env.write("s.yml", "a: 2\n").ok();
    let line = lines.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(line.starts_with("commit "), "{line}");
    drop(lines);
    // The forwarding thread ends on its next line, closing the pipe; the
    // follower then fails a write and exits cleanly.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let mut n = 3;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "--follow kept running after its reader left");
        env.write("s.yml", &format!("a: {n}\n")).ok();
        n += 1;
        std::thread::sleep(Duration::from_millis(300));
    };
    assert!(status.success(), "{status}");
}

#[test]
fn follow_a_file_prints_only_its_commits() {
    let env = Env::new();
    env.write("s.yml", "a: 1\n").ok();
    let (mut child, lines) = follow(&env, &["--format", "json", "s.yml"]);
    std::thread::sleep(Duration::from_millis(300));
    env.write("other.yml", "x: 1\n").ok();
    let rev = env.write("s.yml", "a: 2\n").ok().to_owned();
    assert_eq!(next_json(&lines)["rev"], rev.as_str());
    child.kill().unwrap();
    child.wait().unwrap();
}
