//! Shell integration: completion scripts and the manual page are generated
//! from the command definitions.

use crate::common::Env;

#[test]
fn completions_cover_every_subcommand() {
    let env = Env::bare();
    for shell in ["bash", "zsh", "fish"] {
        let out = env.cfg(&["completions", shell]);
        let script = out.ok();
        for sub in ["edit", "set", "unset", "append", "run", "write", "restore", "log"] {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
    }
    let out = env.cfg(&["completions", "bash"]);
    if std::process::Command::new("bash").arg("--version").output().is_ok() {
        let path = env.dir.path().join("cfg.bash");
        std::fs::write(&path, &out.stdout).unwrap();
        let status = std::process::Command::new("bash").arg("-n").arg(&path).status().unwrap();
        assert!(status.success(), "bash -n rejects the completion script");
    }
    env.cfg(&["completions", "tcsh"]).fails_with(2);
}

#[test]
fn the_man_page_documents_every_subcommand() {
    let env = Env::bare();
    let out = env.cfg(&["man"]);
    let page = out.ok();
    assert!(page.lines().any(|line| line.starts_with(".TH cfg 1 ")), "{}", &page[..200.min(page.len())]);
    for sub in ["cfg edit", "cfg set", "cfg run", "cfg log"] {
        assert!(page.contains(&format!(".SS \"{sub}\"")), "no section for {sub}");
    }
    assert!(page.contains("\\-\\-follow"), "options are listed");
    if std::process::Command::new("man").arg("--version").output().is_ok() {
        let path = env.dir.path().join("cfg.1");
        std::fs::write(&path, &out.stdout).unwrap();
        let rendered = std::process::Command::new("man").arg("-l").arg(&path).env("MANPAGER", "cat").output().unwrap();
        assert!(rendered.status.success(), "{}", String::from_utf8_lossy(&rendered.stderr));
    }
}
