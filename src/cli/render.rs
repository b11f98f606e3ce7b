//! Turning library errors into miette reports: what failed, where, and what
//! to do about it.

use cfg::fsio::{LockError, PathError};
use cfg::ops::Error;
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

fn help(error: &Error) -> Option<String> {
    Some(match error {
        Error::NoStore { .. } => "run `cfg init DIR` to manage DIR, or pass `--root DIR`".into(),
        Error::Lock(LockError::Busy { holder, .. }) => match holder {
            Some(holder) => format!("held by {holder}; wait, or raise `--lock-timeout`"),
            None => "held by a process that did not say who it is (a shell `flock`?); wait, or raise `--lock-timeout`".into(),
        },
        Error::Path(PathError::Symlink { .. }) => "cfg never writes through symbolic links; use the real path".into(),
        Error::Path(PathError::OutsideRoot { .. }) => "pass `--root DIR` for a file under another managed root".into(),
        Error::Store(cfg::store::Error::UnknownRev { .. }) => "`cfg log` lists the revisions the store holds".into(),
        Error::HookExists { .. } => "pass `--force` to replace it".into(),
        Error::Edit { source: cfg::edit::EditError::Unsupported { .. }, .. } => {
            "nothing was written; make this change with `cfg edit FILE` or `cfg write`".into()
        }
        Error::Run { .. } => {
            "every named file was put back to its content from before the command; nothing was committed".into()
        }
        Error::Validator(cfg::validate::Error::Schema(_)) => "`--schema` takes a path or a built-in name (`builtin:schedule`, `builtin:cfg`)".into(),
        Error::UnknownFile { .. } => "`cfg log` and `cfg status` show which files the store holds".into(),
        Error::NoValue { .. } => "nothing was printed; `--default VALUE` prints VALUE instead".into(),
        Error::Io(_) | Error::Store(_) => {
            "nothing was lost: the file keeps its old content or its new one, and the next cfg command finishes or drops the interrupted write".into()
        }
        _ => return None,
    })
}
