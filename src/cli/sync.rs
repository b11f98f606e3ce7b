//! `cfg sync [REMOTE]`, and `--push` on the commands that write.

use std::process::ExitCode;

use cfg::ops::{self, Error, PullKind, PullOutcome, SyncOutcome, SyncRequest};
use cfg::settings::Settings;

/// Pull, then push, until the remote holds this host's branch.
///
/// When another host pushes between this host's pull and push, the push is
/// refused; sync then pulls and merges again and retries after a growing,
/// randomised pause, up to --attempts times (then exit 3). Prints nothing
/// when there was nothing to pull or push, so cron mails only real work.
/// A remote that cannot be reached exits 6, naming it; local writes go on
/// working meanwhile, and the next sync publishes them.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The remote (default: `remote:` in `.cfg.yaml`, else the only one, else `origin`).
    remote: Option<String>,
    /// How many pushes to try before giving up.
    #[arg(long, value_name = "N", default_value_t = ops::SYNC_ATTEMPTS)]
    attempts: usize,
    /// Also say so when there was nothing to do.
    #[arg(short, long)]
    verbose: bool,
    #[command(flatten)]
    hooks: super::HookArgs,
}

pub(crate) fn run(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    let outcome = ops::sync(settings, &SyncRequest { remote: args.remote.clone(), attempts: args.attempts })?;
    report(&outcome);
    if args.verbose && !outcome.changed() {
        eprintln!("`{}` and this host hold the same history", outcome.remote);
    }
    let failures: Vec<_> = outcome.pulled.iter().flat_map(|pulled| pulled.hooks.clone()).collect();
    Ok(args.hooks.exit_code(&failures))
}

/// What a sync did, on standard error; nothing when it did nothing.
fn report(outcome: &SyncOutcome) {
    for pulled in &outcome.pulled {
        describe_pull(pulled);
    }
    if let Some(rev) = outcome.pushed {
        eprintln!("pushed {} to `{}`", rev.short(), outcome.remote);
    }
}

/// One line for a pull that changed something, then its notes.
pub(crate) fn describe_pull(outcome: &PullOutcome) {
    let files = if outcome.files.is_empty() {
        "no file changed".to_owned()
    } else {
        outcome.files.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
    };
    let after = outcome.after.map(|r| r.short()).unwrap_or_default();
    match outcome.kind {
        PullKind::FastForward => eprintln!("pulled `{}` up to {after}: {files}", outcome.remote),
        PullKind::Merged => eprintln!("merged `{}` as {after}: {files}", outcome.remote),
        PullKind::UpToDate => {}
    }
    if let Some(external) = outcome.external {
        eprintln!("note: outside edits were recorded first, as commit {external}");
    }
}

/// `--push` for a command that writes.
#[derive(Debug, clap::Args)]
pub(crate) struct PushArgs {
    /// Acknowledge the write only once the remote holds it (`--push=REMOTE`
    /// names one): a sync after the write, merging what other hosts pushed.
    /// The default is `push:` in `.cfg.yaml`.
    #[arg(long, value_name = "REMOTE", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    push: Option<String>,
    /// Do not push, whatever `.cfg.yaml` says.
    #[arg(long, conflicts_with = "push")]
    no_push: bool,
}

impl PushArgs {
    /// After a write that committed `rev` (or found it current): pushes, if
    /// asked; a failure says the write is committed here but not pushed.
    pub(crate) fn after_write(&self, settings: &Settings, rev: cfg::ops::Rev) -> Result<(), Error> {
        let remote = match &self.push {
            Some(name) if !name.is_empty() => Some(name.clone()),
            Some(_) => None,
            None if settings.project.push && !self.no_push => None,
            None => return Ok(()),
        };
        let outcome = ops::push_write(settings, rev, remote)?;
        report(&outcome);
        for failure in outcome.pulled.iter().flat_map(|pulled| &pulled.hooks) {
            eprintln!("warning: {failure}; the pull stands");
        }
        Ok(())
    }
}
