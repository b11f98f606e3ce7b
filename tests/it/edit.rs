//! `cfg edit FILE`: the visudo / `crontab -e` loop, with a scripted editor
//! (each call runs the next step of a script on the draft) and, for the
//! prompt, in a real terminal under tmux.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::{Env, Out, pipe};

/// A scripted editor: call N runs `stepN` (a shell snippet; `$1` is the
/// draft) and records the draft's path and mode.
struct Editor {
    dir: PathBuf,
}

impl Editor {
    fn new(env: &Env, steps: &[&str]) -> Editor {
        let dir = env.dir.path().join("editor");
        std::fs::create_dir_all(&dir).unwrap();
        let script = r#"dir=$(dirname "$0")
n=$(cat "$dir/count" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$dir/count"
echo "$1" >> "$dir/drafts"
stat -c %a "$1" > "$dir/mode"
if [ -f "$dir/step$n" ]; then . "$dir/step$n"; fi
"#;
        std::fs::write(dir.join("editor.sh"), script).unwrap();
        for (i, step) in steps.iter().enumerate() {
            std::fs::write(dir.join(format!("step{}", i + 1)), step).unwrap();
        }
        Editor { dir }
    }

    fn command(&self) -> String {
        format!("sh {}", self.dir.join("editor.sh").display())
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("drafts")).unwrap_or_default().lines().map(str::to_owned).collect()
    }
}

/// `cfg edit ARGS` with the scripted editor and `answers` on standard input.
fn edit(env: &Env, editor: &Editor, args: &[&str], answers: &str) -> Out {
    let mut command = env.command();
    command.env("VISUAL", editor.command()).env_remove("EDITOR").env("CFG_BIN", crate::common::cfg_bin());
    pipe(command.arg("edit").args(args), answers.as_bytes())
}

fn drafts(env: &Env) -> Vec<PathBuf> {
    let dir = env.path(".cfg/drafts");
    std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).collect()
}

#[test]
fn a_valid_edit_is_written_and_its_draft_removed() {
    let env = Env::new();
    env.write("s.yml", "# jobs\na: 1\n").ok();
    let editor = Editor::new(&env, &[r#"sed -i 's/a: 1/a: 2/' "$1""#]);
    let out = edit(&env, &editor, &["s.yml"], "");
    let rev = out.ok().to_owned();
    assert_eq!(env.read("s.yml"), "# jobs\na: 2\n");
    assert_eq!(env.git_log()[0], rev);
    assert_eq!(env.git(&["log", "-1", "--format=%s", "main"]).trim(), "edit s.yml");
    let calls = editor.calls();
    assert_eq!(calls.len(), 1);
    let draft = Path::new(&calls[0]);
    assert!(draft.starts_with(env.path(".cfg/drafts")), "the draft lives in the store: {draft:?}");
    assert_eq!(draft.extension().unwrap(), "yml", "editors see the file type");
    assert_eq!(std::fs::read_to_string(editor.dir.join("mode")).unwrap().trim(), "600");
    assert!(drafts(&env).is_empty(), "{:?}", drafts(&env));
}

#[test]
fn an_invalid_edit_is_shown_and_edited_again() {
    let env = Env::new();
    env.write("s.yml", "a: 1\n").ok();
    let before = env.git_log();
    let editor = Editor::new(&env, &[r#"printf 'a: [\n' > "$1""#, r#"printf 'a: [3]\n' > "$1""#]);
    let out = edit(&env, &editor, &["s.yml"], "e\n");
    out.ok();
    assert!(out.stderr.contains("s.yml:2:1"), "the diagnostics are shown: {}", out.stderr);
    assert!(out.stderr.contains("[e]dit again, [d]iscard, [k]eep the draft"), "{}", out.stderr);
    assert_eq!(env.read("s.yml"), "a: [3]\n");
    assert_eq!(env.git_log().len(), before.len() + 1, "one commit");
    let calls = editor.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0], calls[1], "the same draft, with the invalid text to fix");
    assert!(drafts(&env).is_empty());
}

#[test]
fn an_invalid_edit_can_be_discarded() {
    let env = Env::new();
    env.write("s.yml", "a: 1\n").ok();
    let before = env.git_log();
    let editor = Editor::new(&env, &[r#"printf 'a: [\n' > "$1""#]);
    let out = edit(&env, &editor, &["s.yml"], "x\nd\n");
    out.fails_with(1);
    assert!(out.stderr.contains("answer e, d or k"), "{}", out.stderr);
    assert!(out.stderr.contains("discarded"), "{}", out.stderr);
    assert_eq!(env.read("s.yml"), "a: 1\n");
    assert_eq!(env.git_log(), before);
    assert!(drafts(&env).is_empty());
}

#[test]
fn an_invalid_edit_can_be_kept_under_a_name_or_where_it_is() {
    let env = Env::new();
    env.write("s.yml", "a: 1\n").ok();
    let before = env.git_log();
    let editor = Editor::new(&env, &[r#"printf 'a: [\n' > "$1""#]);
    let kept = env.dir.path().join("mine.yml");
    let out = edit(&env, &editor, &["s.yml"], &format!("k\n{}\n", kept.display()));
    out.fails_with(1);
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "a: [\n");
    assert!(out.stderr.contains(&format!("draft kept at {}", kept.display())), "{}", out.stderr);
    assert!(drafts(&env).is_empty());
    // No answer at all (end of input): the draft stays in .cfg/drafts, named.
    let editor = Editor::new(&env, &[r#"printf 'a: [\n' > "$1""#]);
    std::fs::remove_file(editor.dir.join("count")).unwrap();
    let out = edit(&env, &editor, &["s.yml"], "");
    out.fails_with(1);
    let left = drafts(&env);
    assert_eq!(left.len(), 1);
    assert!(out.stderr.contains(&format!("draft kept at {}", left[0].display())), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&left[0]).unwrap(), "a: [\n");
    assert_eq!(env.read("s.yml"), "a: 1\n");
    assert_eq!(env.git_log(), before);
}

#[test]
fn an_unchanged_edit_makes_no_commit() {
    let env = Env::new();
    env.write("s.yml", "a: 1\n").ok();
    let before = env.git_log();
    let editor = Editor::new(&env, &[]);
    let out = edit(&env, &editor, &["s.yml"], "");
    out.ok();
    assert!(out.stderr.contains("no changes"), "{}", out.stderr);
    assert_eq!(env.git_log(), before);
    assert!(drafts(&env).is_empty());
}

#[test]
fn a_change_that_lands_during_the_edit_is_merged() {
    let env = Env::new();
    env.write("s.yml", "a: 1\nsep: x\nb: 1\n").ok();
    // While the editor is open (no lock held), another writer changes `b`.
    let editor = Editor::new(&env, &[r#""$CFG_BIN" set s.yml b 2 >/dev/null && sed -i 's/a: 1/a: 2/' "$1""#]);
    let out = edit(&env, &editor, &["s.yml"], "");
    out.ok();
    assert!(out.stderr.contains("merged with"), "{}", out.stderr);
    assert_eq!(env.read("s.yml"), "a: 2\nsep: x\nb: 2\n");
    let subjects = env.git(&["log", "-2", "--format=%s", "main"]);
    assert_eq!(subjects, "edit s.yml\nset b in s.yml\n");
    assert!(drafts(&env).is_empty());
}

#[test]
fn a_conflicting_change_during_the_edit_keeps_the_draft() {
    let env = Env::new();
    env.write("s.yml", "a: 1\n").ok();
    let editor = Editor::new(&env, &[r#""$CFG_BIN" set s.yml a 5 >/dev/null && sed -i 's/a: 1/a: 2/' "$1""#]);
    let out = edit(&env, &editor, &["s.yml"], "");
    out.fails_with(3);
    assert_eq!(env.read("s.yml"), "a: 5\n", "the other writer's change stands");
    let left = drafts(&env);
    assert_eq!(left.len(), 1);
    assert_eq!(std::fs::read_to_string(&left[0]).unwrap(), "a: 2\n", "your edit is not lost");
    assert!(out.stderr.contains(&format!("your draft is kept at {}", left[0].display())), "{}", out.stderr);
    assert!(out.stderr.contains("<<<<<<<"), "{}", out.stderr);
}

#[test]
fn a_failing_editor_keeps_the_draft_and_exits_7() {
    let env = Env::new();
    env.write("s.yml", "a: 1\n").ok();
    let editor = Editor::new(&env, &[r#"echo 'a: 2' > "$1"; exit 1"#]);
    let out = edit(&env, &editor, &["s.yml"], "");
    out.fails_with(7);
    assert_eq!(env.read("s.yml"), "a: 1\n");
    assert_eq!(drafts(&env).len(), 1);
}

#[test]
fn edit_starts_from_an_outside_edit_and_can_create_a_file() {
    let env = Env::new();
    env.write("s.yml", "a: 1\n").ok();
    env.put("s.yml", "a: 7\n");
    let editor = Editor::new(&env, &[r#"sed -i 's/a: 7/a: 8/' "$1""#]);
    edit(&env, &editor, &["s.yml"], "").ok();
    assert_eq!(
        env.git(&["log", "-2", "--format=%an|%s", "main"]),
        "Test User|edit s.yml\noutside cfg|external change to s.yml\n"
    );
    assert_eq!(env.read("s.yml"), "a: 8\n");
    let editor = Editor::new(&env, &[r#"echo 'n: 1' > "$1""#]);
    std::fs::remove_file(editor.dir.join("count")).unwrap();
    edit(&env, &editor, &["new/x.yml"], "").ok();
    assert_eq!(env.read("new/x.yml"), "n: 1\n");
}

/// The prompt in a real terminal: tmux runs `cfg edit` on a pseudo-terminal,
/// the test reads the screen and types the answer.
#[test]
fn the_prompt_works_in_a_real_terminal() {
    let found = std::process::Command::new("tmux").arg("-V").output().is_ok_and(|o| o.status.success());
    crate::common::require("tmux", found, "apt-get install tmux");
    let env = Env::new();
    env.write("s.yml", "a: 1\n").ok();
    let editor = Editor::new(&env, &[r#"printf 'a: [\n' > "$1""#, r#"printf 'a: 2\n' > "$1""#]);
    let done = env.dir.path().join("done");
    let home = env.dir.path();
    let script = format!(
        "cd '{root}' && env -u CFG_ROOT -u GIT_DIR -u EDITOR HOME='{home}' GIT_CONFIG_GLOBAL=/dev/null \
         GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1 CFG_AUTHOR='{author}' VISUAL='{editor}' '{bin}' edit s.yml; \
         echo $? > '{done}'; sleep 60\n",
        root = env.root.display(),
        home = home.display(),
        author = crate::common::AUTHOR,
        editor = editor.command(),
        bin = crate::common::cfg_bin(),
        done = done.display(),
    );
    let script_path = env.dir.path().join("session.sh");
    std::fs::write(&script_path, script).unwrap();
    let socket = format!("cfg-test-{}", std::process::id());
    let tmux = |args: &[&str]| {
        let out = std::process::Command::new("tmux").arg("-L").arg(&socket).args(args).output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let started =
        tmux(&["new-session", "-d", "-s", "edit", "-x", "120", "-y", "50", "sh", script_path.to_str().unwrap()]);
    assert!(started.0, "tmux new-session failed");
    let screen = wait_for(|| {
        let (_, screen) = tmux(&["capture-pane", "-p", "-t", "edit"]);
        screen.contains("[k]eep the draft:").then_some(screen)
    });
    assert!(screen.contains("s.yml:2:1"), "the diagnostics are on the screen:\n{screen}");
    tmux(&["send-keys", "-t", "edit", "e", "Enter"]);
    let code = wait_for(|| std::fs::read_to_string(&done).ok().filter(|c| !c.is_empty()));
    let (_, screen) = tmux(&["capture-pane", "-p", "-t", "edit"]);
    tmux(&["kill-server"]);
    assert_eq!(code.trim(), "0", "{screen}");
    assert_eq!(env.read("s.yml"), "a: 2\n");
    assert_eq!(editor.calls().len(), 2);
    assert!(drafts(&env).is_empty());
}

fn wait_for<T>(mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(found) = check() {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out");
        std::thread::sleep(Duration::from_millis(100));
    }
}
