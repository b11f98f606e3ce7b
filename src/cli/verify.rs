//! `cfg verify [REV]`

use std::path::PathBuf;
use std::process::ExitCode;

use super::TextOrJson as Format;
use cfg::ops::{self, Error, SignatureStatus};
use cfg::settings::Settings;

/// Check the SSH signature of every commit after REV (of every commit,
/// without REV) against git's allowed-signers file; exit 1 if any is
/// unsigned, badly signed, or signed by a key the file does not name.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Check only the commits after this one, as `git log REV..` lists them.
    rev: Option<String>,
    /// git's allowed-signers file (default: `signing.allowed_signers` of `.cfg.yaml`).
    #[arg(long, value_name = "FILE")]
    allowed_signers: Option<PathBuf>,
    /// `json`: one object per commit, a line each.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

pub(crate) fn run(settings: &Settings, args: &Args) -> Result<ExitCode, Error> {
    let checked = ops::verify(settings, args.rev.as_deref(), args.allowed_signers.as_deref())?;
    let mut out = String::new();
    for (info, status) in &checked {
        match args.format {
            Format::Text => out.push_str(&format!(
                "{} {status}: {}\n",
                info.rev.short(),
                info.message.lines().next().unwrap_or_default()
            )),
            Format::Json => {
                let object = serde_json::json!({
                    "rev": info.rev.to_string(),
                    "author": format!("{} <{}>", info.author.name, info.author.email),
                    "signature": status_json(status),
                });
                out.push_str(&format!("{object}\n"));
            }
        }
    }
    super::print(out.as_bytes())?;
    let failed = checked.iter().filter(|(_, status)| !status.is_good()).count();
    if failed == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("error: {failed} of {} commits are not signed by an allowed signer", checked.len());
    if settings.allowed_signers().is_none() && args.allowed_signers.is_none() {
        eprintln!(
            "help: name git's allowed-signers file in `signing.allowed_signers` of .cfg.yaml, or pass --allowed-signers"
        );
    }
    Ok(ExitCode::from(1))
}

/// `{"status": "good|untrusted|bad|unsigned", …}` with the principal,
/// key or reason it has.
pub(crate) fn status_json(status: &SignatureStatus) -> serde_json::Value {
    match status {
        SignatureStatus::Unsigned => serde_json::json!({"status": "unsigned"}),
        SignatureStatus::Good { principal, key } => {
            serde_json::json!({"status": "good", "principal": principal, "key": key})
        }
        SignatureStatus::Untrusted { key } => serde_json::json!({"status": "untrusted", "key": key}),
        SignatureStatus::Bad { reason } => serde_json::json!({"status": "bad", "reason": reason}),
    }
}
