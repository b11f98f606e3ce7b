//! Command-line front end: the clap definition (one file per subcommand), the
//! translation of flags and environment into a [`Settings`] value, and the
//! help text of the exit codes (the table itself is the library's
//! `Error::exit_code`, which the Python package shares). Subcommand files hold
//! their argument struct, one call into `cfg::ops`, and rendering.
//!
//! Output to a closed pipe ends nothing early and panics never: [`print`]
//! ignores a closed standard output, and the binary's `eprintln!` (see
//! `main.rs`) a closed standard error.

mod append;
mod blame;
mod cat;
mod check;
mod clone;
mod completions;
mod diagnostics;
mod diff;
mod edit;
mod expect;
mod gc;
mod get;
mod hook;
mod init;
mod log;
mod man;
mod pull;
mod push;
mod remote;
mod render;
mod restore;
mod rev;
mod run;
mod set;
mod show;
mod status;
mod sync;
mod trust;
mod unset;
mod verify;
mod write;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use cfg::ops::{self, Error};
use cfg::settings::{Identity, IdentitySources, Settings, Timestamp};
use clap::{Parser, Subcommand};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  invalid content (syntax, schema or cron error, or a schema that cannot be loaded);
     `cfg verify`: a commit not signed by an allowed signer
  2  usage error, or a refused path
  3  conflict (the file changed since the expected revision, or on another host)
  4  the store lock is busy after the timeout
  5  unknown or pruned revision, unknown file
  6  I/O or store error
  7  the command of `cfg run` or the editor of `cfg edit` failed (files put back, draft kept)
  8  `cfg get`: the path does not exist in the file (nothing printed)
  9  with --strict-hooks: an `on_write` command failed or timed out (the write stands)";

/// The exit code of a write whose `on_write` commands failed, with `--strict-hooks`.
const HOOK_FAILED: u8 = 9;

/// Safe writes for YAML/JSON config: every change is locked, validated,
/// replaced atomically and durably, and committed to a side git repository.
#[derive(Debug, Parser)]
#[command(name = "cfg", version, after_help = EXIT_CODES, max_term_width = 100)]
pub(crate) struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Args)]
pub(crate) struct GlobalArgs {
    /// The managed root (the folder holding `.cfg/`); default: the first folder
    /// holding `.cfg/`, walking up from the file's folder.
    #[arg(long, global = true, env = "CFG_ROOT", value_name = "DIR")]
    root: Option<PathBuf>,
    /// How long to wait for the store lock: `500ms`, `10s`, `2m`.
    #[arg(long, global = true, value_name = "DUR", default_value = "10s", value_parser = parse_duration)]
    lock_timeout: Duration,
    /// Who is making the change, as `Name <email>`; default: the user behind
    /// `sudo` (`SUDO_USER`), else `$USER`, else `$LOGNAME`, else the name of
    /// the process's uid, as `NAME@host`.
    #[arg(long, global = true, env = "CFG_AUTHOR", value_name = "NAME <EMAIL>")]
    author: Option<Identity>,
}

#[derive(Debug, Subcommand)]
enum Command {
    Init(init::Args),
    Write(write::Args),
    Cat(cat::Args),
    Get(get::Args),
    Rev(rev::Args),
    Log(log::Args),
    Show(show::Args),
    Diff(diff::Args),
    Verify(verify::Args),
    Blame(blame::Args),
    Restore(restore::Args),
    Status(status::Args),
    Check(check::Args),
    Hook(hook::Args),
    Gc(gc::Args),
    Edit(edit::Args),
    Set(set::Args),
    Unset(unset::Args),
    Append(append::Args),
    Run(run::Args),
    Remote(remote::Args),
    Clone(clone::Args),
    Pull(pull::Args),
    Push(push::Args),
    Sync(sync::Args),
    Trust(trust::Args),
    Completions(completions::Args),
    Man(man::Args),
}

/// `--format` of the commands that print for people or for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum TextOrJson {
    Text,
    /// JSON, for scripts.
    Json,
}

pub(crate) fn main() -> ExitCode {
    report_style();
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Init(args) => init::run(args),
        Command::Write(args) => settings(&cli.global, Some(&args.file)).and_then(|s| write::run(&s, args)),
        Command::Cat(args) => settings(&cli.global, Some(&args.file)).and_then(|s| cat::run(&s, args)),
        // The file on disk needs no store.
        Command::Get(args) => get::run(&cli.global, args),
        Command::Rev(args) => settings(&cli.global, Some(&args.file)).and_then(|s| rev::run(&s, args)),
        Command::Log(args) => settings(&cli.global, args.file.as_deref()).and_then(|s| log::run(&s, args)),
        Command::Show(args) => settings(&cli.global, None).and_then(|s| show::run(&s, args)),
        Command::Diff(args) => settings(&cli.global, Some(&args.file)).and_then(|s| diff::run(&s, args)),
        Command::Blame(args) => settings(&cli.global, Some(&args.file)).and_then(|s| blame::run(&s, args)),
        Command::Verify(args) => settings(&cli.global, None).and_then(|s| verify::run(&s, args)),
        Command::Restore(args) => {
            settings(&cli.global, args.files.first().map(PathBuf::as_path)).and_then(|s| restore::run(&s, args))
        }
        Command::Status(args) => settings(&cli.global, None).and_then(|s| status::run(&s, args)),
        // No store needed: checking works in any folder.
        Command::Check(args) => check::run(&cli.global, args),
        Command::Hook(args) => hook::run(args),
        Command::Gc(args) => settings(&cli.global, None).and_then(|s| gc::run(&s, args)),
        Command::Edit(args) => settings(&cli.global, Some(&args.file)).and_then(|s| edit::run(&s, args)),
        Command::Set(args) => settings(&cli.global, Some(&args.file)).and_then(|s| set::run(&s, args)),
        Command::Unset(args) => settings(&cli.global, Some(&args.file)).and_then(|s| unset::run(&s, args)),
        Command::Append(args) => settings(&cli.global, Some(&args.file)).and_then(|s| append::run(&s, args)),
        Command::Run(args) => {
            settings(&cli.global, args.files.first().map(PathBuf::as_path)).and_then(|s| run::run(&s, args))
        }
        Command::Remote(args) => settings(&cli.global, None).and_then(|mut s| {
            if let Some(url) = args.url() {
                s.command = remote::without_url(&s.command, url);
            }
            remote::run(&s, args)
        }),
        Command::Clone(args) => clone::run(&cli.global, args),
        Command::Pull(args) => settings(&cli.global, None).and_then(|s| pull::run(&s, args)),
        Command::Push(args) => settings(&cli.global, None).and_then(|s| push::run(&s, args)),
        Command::Sync(args) => settings(&cli.global, None).and_then(|s| sync::run(&s, args)),
        Command::Trust(args) => settings(&cli.global, None).and_then(|s| trust::run(&s, args)),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            let code = error.exit_code();
            render::error(&error);
            ExitCode::from(code)
        }
    }
}

/// Flags and environment → one [`Settings`] value. `file` is the first FILE
/// argument, from whose folder the root is found.
fn settings(global: &GlobalArgs, file: Option<&Path>) -> Result<Settings, Error> {
    let cwd = std::env::current_dir().map_err(|e| Error::Usage(format!("cannot read the current folder: {e}")))?;
    let root = ops::root_for(&cwd, global.root.as_deref(), file)?;
    settings_at(global, root, cwd)
}

/// [`settings`] for a known root.
fn settings_at(global: &GlobalArgs, root: PathBuf, cwd: PathBuf) -> Result<Settings, Error> {
    let mut settings = ops::settings_for(&root)?;
    // Deprecated keys of `.cfg.yaml`, once per command.
    warn_all(&settings.project.warnings);
    settings.cwd = cwd;
    let var = |name: &str| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned()).filter(|v| !v.is_empty());
    let sources = IdentitySources {
        author: global.author.clone(),
        sudo_user: var("SUDO_USER"),
        user: var("USER").or_else(|| var("LOGNAME")),
        ..IdentitySources::of_process()
    };
    (settings.identity, settings.sudo) = sources.resolve(&settings.host);
    settings.author_date = git_date("GIT_AUTHOR_DATE")?;
    settings.committer_date = git_date("GIT_COMMITTER_DATE")?;
    // As git does: one of the two dates set alone applies to both.
    settings.author_date = settings.author_date.or(settings.committer_date);
    settings.committer_date = settings.committer_date.or(settings.author_date);
    settings.lock_timeout = global.lock_timeout;
    settings.command = command_line();
    Ok(settings)
}

fn git_date(var: &str) -> Result<Option<Timestamp>, Error> {
    match std::env::var(var) {
        Ok(value) if !value.is_empty() => Timestamp::parse_git(&value)
            .map(Some)
            .ok_or_else(|| Error::Usage(format!("{var}=`{value}` is not a date git understands"))),
        _ => Ok(None),
    }
}

/// The command line as recorded in commits: program name and arguments, on one line.
fn command_line() -> String {
    let mut args = std::env::args();
    let mut line = String::from("cfg");
    args.next();
    for arg in args {
        line.push(' ');
        if arg.is_empty() || arg.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
            line.push_str(&format!("{:?}", arg));
        } else {
            line.push_str(&arg);
        }
    }
    line
}

fn parse_duration(input: &str) -> Result<Duration, String> {
    cfg::duration::parse(input).map_err(|e| e.to_string())
}

/// Writes to standard output; a closed pipe (`cfg log | head`) is not an error.
fn print(bytes: &[u8]) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(cfg::fsio::IoError::new(cfg::fsio::Step::Write, "standard output", e).into())
        }
        _ => Ok(()),
    }
}

/// What every command that writes one file reports: notes on standard error
/// (a merge, a recorded outside edit, no change, failed `on_write` commands),
/// then the revision on standard output.
fn report_write(outcome: &cfg::ops::WriteOutcome, unchanged: &str, hooks: &HookArgs) -> Result<ExitCode, Error> {
    warn_all(&outcome.warnings);
    if let Some((base, latest)) = outcome.merged {
        eprintln!("`{}` had changed since {}; merged with {}", outcome.path, base.short(), latest.short());
    }
    if let Some(external) = outcome.external {
        eprintln!("note: `{}` had been edited outside cfg; that edit is commit {external}", outcome.path);
    }
    if !outcome.changed {
        eprintln!("`{}` {unchanged}; no commit", outcome.path);
    }
    print(format!("{}\n", outcome.rev).as_bytes())?;
    Ok(hooks.exit_code(&outcome.hooks))
}

/// What `--dry-run` reports: the notes a write would print, on standard
/// error, and the diff it would commit, on standard output.
fn report_preview(preview: &cfg::ops::Preview) -> Result<ExitCode, Error> {
    warn_all(&preview.warnings);
    for path in &preview.outside_edits {
        eprintln!("note: `{path}` was edited outside cfg; the write would first record that edit as its own commit");
    }
    if let Some((base, latest)) = preview.merged {
        eprintln!("the file had changed since {}; the diff holds the merge with {}", base.short(), latest.short());
    }
    let subject = preview.message.lines().next().unwrap_or_default();
    if preview.diffs.is_empty() {
        eprintln!("dry run: no change, so no commit; nothing was written");
    } else {
        eprintln!("dry run: would commit \"{subject}\"; nothing was written or committed");
    }
    let diffs: String = preview.diffs.iter().map(|diff| diff::paint(&ops::unified_diff(diff))).collect();
    print(diffs.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// `--strict-hooks`, for every command that runs `on_write` commands.
#[derive(Debug, clap::Args)]
pub(crate) struct HookArgs {
    /// Exit 8 when an `on_write` command fails or times out. The write
    /// stands either way; without this flag a failed command only warns.
    #[arg(long)]
    strict_hooks: bool,
}

impl HookArgs {
    /// Warns about each `on_write` command that failed (the write itself
    /// stands) and gives the exit code.
    pub(crate) fn exit_code(&self, failures: &[cfg::ops::HookFailure]) -> ExitCode {
        for failure in failures {
            eprintln!("warning: {failure}; the write stands");
        }
        if self.strict_hooks && !failures.is_empty() { ExitCode::from(HOOK_FAILED) } else { ExitCode::SUCCESS }
    }
}

/// `--dry-run`, for every command whose write can be previewed.
#[derive(Debug, clap::Args)]
pub(crate) struct DryRunArgs {
    /// Do everything up to replacing the file (lock, note outside edits,
    /// merge with --expect, validate, run the checks), print the diff that
    /// would be committed, and write and commit nothing. The exit code is the
    /// one the real command would have.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

fn warn_all(warnings: &[cfg::validate::Diagnostic]) {
    for d in warnings {
        let kind = if d.severity == cfg::validate::Severity::Info { "note" } else { "warning" };
        eprintln!("{kind}: {}:{}:{}: {} ({})", d.file, d.line, d.column, d.message, d.rule);
    }
}

/// How miette draws reports on standard error: wrapped to the terminal's
/// width for a person, never inside a word (URLs and paths stay whole); not
/// wrapped at all for a file, a pipe or a CI log, where each message stays on
/// one line for grep.
fn report_style() {
    use std::io::IsTerminal;
    let wrap = std::io::stderr().is_terminal();
    // Only fails when a hook is already set, and none is before this.
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(miette::MietteHandlerOpts::new().wrap_lines(wrap).break_words(false).build())
    }));
}

/// Whether to colour standard output: a terminal, and `NO_COLOR` unset.
fn color_stdout() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
