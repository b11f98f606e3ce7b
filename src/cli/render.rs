//! Turning library errors into miette reports: what failed, where, and what
//! to do about it.

use cfg::fsio::{LockError, PathError};
use cfg::ops::{Error, Refused, RemoteError};
use miette::{MietteDiagnostic, Report};

/// Prints `error` to standard error.
pub(crate) fn error(error: &Error) {
    match error {
        Error::Invalid { report, source_text } => {
            for diagnostic in super::diagnostics::human(report, source_text) {
                eprintln!("{diagnostic:?}");
            }
            let summary = MietteDiagnostic::new(error.to_string())
                .with_help("nothing was written and nothing was committed; fix the content and write again");
            eprintln!("{:?}", Report::new(summary));
        }
        Error::Rejected { reports } => {
            for report in reports {
                for diagnostic in super::diagnostics::human(report, "") {
                    eprintln!("{diagnostic:?}");
                }
            }
            let summary = MietteDiagnostic::new(error.to_string())
                .with_help("nothing was written and nothing was committed; fix the content and write again");
            eprintln!("{:?}", Report::new(summary));
        }
        Error::Run { failure: cfg::ops::RunFailure::Invalid(reports), .. } => {
            for (report, source_text) in reports {
                for diagnostic in super::diagnostics::human(report, source_text) {
                    eprintln!("{diagnostic:?}");
                }
            }
            let help = "every named file was put back to its content from before the command; nothing was committed";
            eprintln!("{:?}", Report::new(MietteDiagnostic::new(error.to_string()).with_help(help)));
        }
        Error::Conflict(conflict) => {
            use cfg::ops::ConflictKind;
            let mut text = error.to_string();
            match &conflict.kind {
                ConflictKind::Merge { conflict: regions, .. } => text.push_str(&format!("\n\n{regions}")),
                ConflictKind::Invalid { report, .. } => {
                    for d in &report.diagnostics {
                        text.push_str(&format!(
                            "\n  {}:{}:{}: {} ({})",
                            report.file, d.line, d.column, d.message, d.rule
                        ));
                    }
                }
                _ => {}
            }
            let help = "nothing was written; read the latest version (`cfg cat FILE --print-rev`), redo the change, \
                        and write again with `--expect` that revision (`--conflict-file PATH` keeps the marked-up merge)";
            eprintln!("{:?}", Report::new(MietteDiagnostic::new(text).with_help(help)));
        }
        Error::Remote(RemoteError::Refused(refused)) => refused_pull(refused),
        Error::Remote(RemoteError::NotPushed { source, .. }) => {
            self::error(source);
            let help = "the write is durable and committed on this host; `cfg sync` publishes it \
                        (the next write with `--push` does too)";
            eprintln!("{:?}", Report::new(MietteDiagnostic::new(error.to_string()).with_help(help)));
        }
        _ => {
            let mut diagnostic = MietteDiagnostic::new(chain(error));
            if let Some(help) = help(error) {
                diagnostic = diagnostic.with_help(help);
            }
            eprintln!("{:?}", Report::new(diagnostic));
        }
    }
}

/// The error and its causes, on one line each.
fn chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(&format!("\n  caused by: {text}"));
        }
        source = cause.source();
    }
    out
}

/// The advice for an error, from what the error itself records. Exhaustive,
/// like the exit-code table: a new variant needs a decision here too.
fn help(error: &Error) -> Option<String> {
    use cfg::store::Error as StoreError;
    Some(match error {
        Error::NoStore { .. } => "run `cfg init DIR` to manage DIR, or pass `--root DIR`".into(),
        Error::Lock(LockError::Busy { holder, .. }) => match holder {
            Some(holder) => format!("held by {holder}; wait, or raise `--lock-timeout`"),
            None => "held by a process that did not say who it is (a shell `flock`?); wait, or raise `--lock-timeout`".into(),
        },
        Error::Path(PathError::Symlink { .. }) => "cfg never writes through symbolic links; use the real path".into(),
        Error::Path(PathError::OutsideRoot { .. }) => "pass `--root DIR` for a file under another managed root".into(),
        Error::Store(StoreError::UnknownRev { .. }) => "`cfg log` lists the revisions the store holds".into(),
        Error::Store(StoreError::BrokenBranch { path }) => format!(
            "the branch file was damaged outside a cfg write; `git --git-dir .cfg fsck --lost-found` lists commits \
             the store holds, and `git --git-dir .cfg update-ref refs/heads/main COMMIT` sets `{}` again",
            path.display()
        ),
        Error::Store(StoreError::BranchLocked { path }) => {
            format!("a git command is working on the store; if none is, remove `{}`", path.display())
        }
        Error::Store(StoreError::Moved { .. }) => {
            "a program other than cfg moved the branch meanwhile; nothing was written, run the command again".into()
        }
        Error::Store(StoreError::Sign { .. }) => {
            "nothing was written; check `signing.key` in `.cfg.yaml` (a private key, or a public key whose private \
             half ssh-agent holds)"
                .into()
        }
        Error::HookExists { .. } => "pass `--force` to replace it".into(),
        Error::Edit { source: cfg::edit::EditError::Unsupported { .. }, .. } => {
            "nothing was written; make this change with `cfg edit FILE` or `cfg write`".into()
        }
        Error::Run { .. } => {
            "every named file was put back to its content from before the command; nothing was committed".into()
        }
        Error::UnknownFile { .. } => "`cfg log` and `cfg status` show which files the store holds".into(),
        Error::Input { .. } => "nothing was written; check the path given with `-i`, or what is piped in".into(),
        Error::MissingFolder { .. } => {
            "put the folder back (cfg finishes the write then), or remove `.cfg/pending` to drop the write".into()
        }
        Error::NoValue { .. } => "nothing was printed; `--default VALUE` prints VALUE instead".into(),
        Error::Aborted { undone: true, .. } => "nothing changed: the file and the history were put back as they were".into(),
        Error::Aborted { undone: false, .. } => {
            "the file holds its old content or its new one, and the next cfg command finishes or drops the interrupted write".into()
        }
        Error::Remote(remote) => return remote_help(remote),
        Error::Path(_)
        | Error::Invalid { .. }
        | Error::Rejected { .. }
        | Error::Usage(_)
        | Error::Conflict(_)
        | Error::Lock(LockError::Io(_))
        | Error::Store(StoreError::NotFound { .. } | StoreError::Empty | StoreError::Git { .. } | StoreError::Verify { .. } | StoreError::Io(_))
        | Error::Io(_)
        | Error::Checked { .. }
        | Error::NoSuchFile { .. }
        | Error::Project(_)
        | Error::Validator(_)
        | Error::Edit { .. }
        | Error::Editor { .. }
        | Error::Retention { .. } => return None,
    })
}

/// Advice for errors about remotes. Exhaustive too.
fn remote_help(error: &RemoteError) -> Option<String> {
    use cfg::store::TransportError;
    Some(match error {
        RemoteError::Transport(TransportError::GitMissing { .. }) => {
            "install git (`apt-get install git`); everything else in cfg works without it".into()
        }
        RemoteError::Transport(TransportError::Failed { .. }) => {
            "local writes keep working meanwhile; the next `cfg sync` publishes them once the remote is reachable"
                .into()
        }
        RemoteError::Rejected { .. } => {
            "run `cfg pull` to bring those commits in (or `cfg sync`, which pulls, merges and pushes)".into()
        }
        RemoteError::KeptMoving { .. } => "run `cfg sync` again, or raise `--attempts`".into(),
        RemoteError::Locked { .. } => "another host's push may be updating the remote's branch: run `cfg sync` again; \
             if no push is running there, one killed on the remote left that lock file: remove it on the remote"
            .into(),
        RemoteError::Unknown { .. } | RemoteError::NoRemote | RemoteError::Ambiguous { .. } => {
            "`cfg remote list` shows the remotes; `cfg remote add NAME URL` adds one; `remote:` in `.cfg.yaml` \
             names the default"
                .into()
        }
        RemoteError::Exists { .. } => "`cfg remote remove NAME` removes it first".into(),
        RemoteError::AlreadyAStore { .. } => {
            "to join an existing store to the remote, run `cfg remote add origin URL` and `cfg pull` in it".into()
        }
        RemoteError::BadName { .. } | RemoteError::Refused(_) | RemoteError::NotPushed { .. } => return None,
    })
}

/// A pull that stopped: each file with the remote's commits that changed it,
/// the conflicting regions or the findings, and how to resolve.
fn refused_pull(refused: &Refused) {
    let short = |rev: Option<cfg::ops::Rev>| rev.map_or_else(|| "none".to_owned(), |r| r.short());
    let mut text = format!(
        "{refused}\n\nthis host is at {}, remote `{}` at {}, their common base {}",
        short(refused.ours),
        refused.remote,
        refused.theirs.short(),
        refused.base.map_or_else(|| "none (unrelated histories)".to_owned(), |b| b.short())
    );
    let commits = |path: &str| -> String {
        let names: Vec<String> = refused
            .commits_touching(path)
            .map(|info| {
                format!(
                    "{} ({}, {})",
                    info.rev.short(),
                    info.host().unwrap_or("unknown host"),
                    info.message.lines().next().unwrap_or_default()
                )
            })
            .collect();
        if names.is_empty() { String::new() } else { format!("\n  changed on the remote by {}", names.join("; ")) }
    };
    for conflict in &refused.conflicts {
        text.push_str(&format!("\n\n`{}`: {conflict}{}", conflict.path, commits(conflict.path.as_str())));
        match &conflict.kind {
            cfg::ops::ConflictKind::Merge { conflict: regions, .. } => {
                text.push_str(&format!("\n  (`latest` is this host's version, `new` the remote's)\n{regions}"))
            }
            cfg::ops::ConflictKind::Invalid { report, .. } => {
                for d in &report.diagnostics {
                    text.push_str(&format!("\n  {}:{}:{}: {} ({})", report.file, d.line, d.column, d.message, d.rule));
                }
            }
            _ => {}
        }
    }
    for (report, source) in &refused.invalid {
        text.push_str(&format!("\n\nthe remote's `{}` is invalid on this host{}", report.file, commits(&report.file)));
        for diagnostic in super::diagnostics::human(report, source) {
            eprintln!("{diagnostic:?}");
        }
    }
    let help = if refused.conflicts.is_empty() {
        "nothing changed here. `cfg pull --take local [FILE...]` keeps this host's version of those files (a merge \
         commit with both histories), or the remote's version is fixed where it was made, and pulled again"
    } else {
        "nothing changed here. `cfg pull --take remote [FILE...]` takes the remote's version of those files, \
         `--take local [FILE...]` keeps this host's (either makes a merge commit with both histories); or write the \
         content you want and pull with `--take local FILE` (`--no-fetch`: without the network)"
    };
    eprintln!("{:?}", Report::new(MietteDiagnostic::new(text).with_help(help)));
}
