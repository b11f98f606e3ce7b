//! `cfg edit FILE`: the visudo / `crontab -e` flow.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cfg::ops::{self, Draft, Error};
use cfg::settings::Settings;

/// Edit FILE in `$VISUAL` or `$EDITOR` (default `vi`), then validate and write it.
///
/// The editor gets a draft copy in `.cfg/drafts/`. On save the draft is
/// validated and written like `cfg write`. If it is invalid, the errors are
/// shown and you choose: edit again, discard, or keep the draft (under a name
/// you give, or where it is). No change: "no changes", no commit.
///
/// The store is not locked while the editor is open: the revision at the start
/// is the edit's `--expect`, so a change that landed meanwhile is merged into
/// yours, or reported as a conflict (exit 3) with the draft kept.
///
/// Exit: 0 written or unchanged; 1 invalid and then discarded or kept; 3
/// conflict (draft kept); 7 the editor failed (draft kept).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The managed file (a new file starts empty).
    pub(crate) file: PathBuf,
    /// The commit message (default: "edit FILE").
    #[arg(short, long)]
    message: Option<String>,
    #[command(flatten)]
    hooks: super::HookArgs,
    #[command(flatten)]
    push: super::sync::PushArgs,
}

pub(crate) fn run(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    let editor = editor();
    // Before the editor opens: an edit refused at the end would be wasted.
    ops::require_message(settings, args.message.as_deref())?;
    let draft = ops::start_edit(settings, &args.file)?;
    loop {
        if let Err(status) = open_editor(&editor, &draft.path) {
            return Err(Error::Editor { editor, status, draft: draft.path });
        }
        if draft.read()? == draft.original {
            draft.discard()?;
            eprintln!("no changes");
            return Ok(ExitCode::SUCCESS);
        }
        let error = match draft.submit(settings, args.message.clone()) {
            Ok(outcome) => {
                draft.discard()?;
                args.push.after_write(settings, outcome.rev)?;
                return super::report_write(&outcome, "is unchanged", &args.hooks);
            }
            Err(error) => error,
        };
        let code = error.exit_code();
        super::render::error(&error);
        if !matches!(error, Error::Invalid { .. } | Error::Rejected { .. }) {
            // A conflict, a busy lock, an I/O error: the edit is not lost.
            eprintln!("your draft is kept at {}", draft.path.display());
            return Ok(ExitCode::from(code));
        }
        let file = draft.file.clone();
        match ask(&draft, &settings.cwd)? {
            Choice::Edit => continue,
            Choice::Discard => {
                draft.discard()?;
                eprintln!("discarded; `{file}` is unchanged");
            }
            Choice::Keep(to) => {
                let kept = draft.keep(to.as_deref())?;
                eprintln!("draft kept at {}; `{file}` is unchanged", kept.display());
            }
        }
        return Ok(ExitCode::from(code));
    }
}

/// `$VISUAL`, else `$EDITOR`, else `vi`, as git and crontab pick it.
fn editor() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .find(|value| !value.trim().is_empty())
        .unwrap_or_else(|| "vi".into())
}

/// Runs the editor through the shell, as git does, so that `EDITOR="code
/// --wait"` works; the draft's path is passed as an argument, never spliced
/// into the command text.
fn open_editor(editor: &str, path: &Path) -> Result<(), String> {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(editor)
        .arg(path)
        .status()
        .map_err(|e| e.to_string())?;
    if status.success() { Ok(()) } else { Err(status.to_string()) }
}

enum Choice {
    Edit,
    Discard,
    Keep(Option<PathBuf>),
}

/// Asks on standard error, reads the answer from standard input. End of input
/// (no terminal, or a closed pipe) keeps the draft: nothing is ever lost.
fn ask(draft: &Draft, cwd: &Path) -> Result<Choice, Error> {
    loop {
        let Some(answer) = prompt("What now? [e]dit again, [d]iscard, [k]eep the draft: ")? else {
            return Ok(Choice::Keep(None));
        };
        match answer.trim() {
            "e" | "edit" => return Ok(Choice::Edit),
            "d" | "discard" => return Ok(Choice::Discard),
            "k" | "keep" => {
                let question = format!("Save the draft as [{}]: ", draft.path.display());
                let name = prompt(&question)?.unwrap_or_default();
                let name = name.trim();
                return Ok(Choice::Keep((!name.is_empty()).then(|| cwd.join(name))));
            }
            _ => eprintln!("answer e, d or k"),
        }
    }
}

fn prompt(question: &str) -> Result<Option<String>, Error> {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    match std::io::stdin().read_line(&mut line) {
        Ok(0) => {
            eprintln!();
            Ok(None)
        }
        Ok(_) => Ok(Some(line)),
        Err(e) => Err(cfg::fsio::IoError::new(cfg::fsio::Step::Read, "standard input", e).into()),
    }
}
