//! Real git servers for the remote tests: a bare repository reached by path,
//! and `git daemon` serving it over `git://` on 127.0.0.1, started and
//! stopped by the tests (killed in `Drop`, so a failing test leaves no
//! server behind).

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Env, hermetic, require};

/// A bare repository, the shared history of the hosts.
pub(crate) struct Bare {
    pub(crate) dir: tempfile::TempDir,
    /// The repository (`…/remote.git`), also its URL by path.
    pub(crate) path: PathBuf,
}

impl Bare {
    pub(crate) fn new() -> Bare {
        Bare::named("remote.git")
    }

    /// A bare repository at `NAME` under a temp folder (NAME may have folders).
    pub(crate) fn named(name: &str) -> Bare {
        let found = Command::new("git").arg("--version").output().is_ok_and(|o| o.status.success());
        require("git", found, "apt-get install git");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::create_dir_all(&path).unwrap();
        let bare = Bare { path: path.canonicalize().unwrap(), dir };
        bare.git(&["init", "--quiet", "--bare", "--initial-branch=main", "."]);
        bare
    }

    pub(crate) fn url(&self) -> String {
        self.path.display().to_string()
    }

    /// The real git CLI in the bare repository.
    pub(crate) fn git(&self, args: &[&str]) -> String {
        let output = self.git_output(args);
        assert!(output.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    pub(crate) fn git_output(&self, args: &[&str]) -> std::process::Output {
        let mut command = Command::new("git");
        hermetic(&mut command, self.dir.path());
        command.current_dir(&self.path).arg("--git-dir").arg(&self.path).args(args).output().expect("run git")
    }

    /// The remote's branch tip.
    pub(crate) fn tip(&self) -> String {
        self.git(&["rev-parse", "main"]).trim().to_owned()
    }

    /// A file at the remote's tip.
    pub(crate) fn show(&self, file: &str) -> String {
        self.git(&["show", &format!("main:{file}")])
    }

    /// Whether `rev` is the tip or one of its ancestors.
    pub(crate) fn holds(&self, rev: &str) -> bool {
        self.git_output(&["merge-base", "--is-ancestor", rev, "main"]).status.success()
    }

    #[track_caller]
    pub(crate) fn fsck(&self) {
        let output = self.git_output(&["fsck", "--strict", "--no-dangling"]);
        assert!(
            output.status.success() && output.stdout.is_empty(),
            "git fsck --strict on the remote: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// `git daemon --enable=receive-pack` serving a folder of bare repositories
/// on 127.0.0.1. Killed when dropped.
pub(crate) struct Daemon {
    child: Option<Child>,
    pub(crate) port: u16,
    base: PathBuf,
}

impl Daemon {
    /// Serves the folder holding `bare` on a free port.
    pub(crate) fn start(bare: &Bare) -> Daemon {
        // Port 0 makes the kernel pick a free port; it stays free for the
        // moment it takes to start the daemon on it.
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let base = bare.path.parent().unwrap().to_owned();
        Daemon::on(base, port)
    }

    fn on(base: PathBuf, port: u16) -> Daemon {
        // The program itself, not `git daemon`: `git` would run it as a
        // child, and killing `git` would leave it serving.
        let exec_path = Command::new("git").arg("--exec-path").output().expect("run git");
        let program = PathBuf::from(String::from_utf8_lossy(&exec_path.stdout).trim()).join("git-daemon");
        require("git daemon", program.is_file(), "apt-get install git");
        let mut command = Command::new(program);
        hermetic(&mut command, &base);
        let child = command
            .arg("--enable=receive-pack")
            .arg(format!("--base-path={}", base.display()))
            .args(["--export-all", "--reuseaddr", "--listen=127.0.0.1"])
            .arg(format!("--port={port}"))
            .arg(&base)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start git daemon");
        let mut daemon = Daemon { child: Some(child), port, base };
        daemon.wait_until_listening();
        daemon
    }

    fn wait_until_listening(&mut self) {
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            let exited = self.child.as_mut().unwrap().try_wait().unwrap();
            assert!(exited.is_none(), "git daemon exited at once ({exited:?}) on port {}", self.port);
            assert!(start.elapsed() < Duration::from_secs(20), "git daemon never listened on port {}", self.port);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The `git://` URL of the bare repository `bare`.
    pub(crate) fn url(&self, bare: &Bare) -> String {
        let name = bare.path.strip_prefix(&self.base).unwrap().display().to_string();
        format!("git://127.0.0.1:{}/{name}", self.port)
    }

    /// Stops serving: connections are refused from now on.
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            assert!(start.elapsed() < Duration::from_secs(20), "port {} still accepts after the kill", self.port);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Serves again, on the same port.
    pub(crate) fn restart(&mut self) {
        self.stop();
        let restarted = Daemon::on(self.base.clone(), self.port);
        self.child = restarted.forget();
    }

    fn forget(mut self) -> Option<Child> {
        self.child.take()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A host: a managed root with a store and `origin` at `url`.
pub(crate) fn host(url: &str) -> Env {
    let env = Env::new();
    env.cfg(&["remote", "add", "origin", url]).ok();
    env
}

/// The file `file` at the branch tip of a host's store.
pub(crate) fn committed(env: &Env, file: &str) -> String {
    env.git(&["show", &format!("main:{file}")])
}

/// Leftovers of a killed `git fetch` or `git push` in a host's store.
pub(crate) fn transport_leftovers(env: &Env) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let store = env.root.join(".cfg");
    for entry in std::fs::read_dir(store.join("objects/pack")).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with("tmp_") {
            found.push(entry.path());
        }
    }
    let mut folders = vec![store.join("refs/remotes")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            if entry.file_type().unwrap().is_dir() {
                folders.push(entry.path());
            } else if entry.file_name().to_string_lossy().ends_with(".lock") {
                found.push(entry.path());
            }
        }
    }
    found
}
