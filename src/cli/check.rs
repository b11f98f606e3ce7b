//! `cfg check FILE...`

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use cfg::ops::{self, CheckInput, CheckRequest, Error};
use cfg::validate::SchemaSource;

use super::diagnostics;

use super::GlobalArgs;

/// Validate files without writing anything: YAML 1.2 or JSON syntax, duplicate
/// keys, size and nesting limits, the schema that applies, cron expressions.
///
/// The schema is, in this order: `--schema`; a `# yaml-language-server:
/// $schema=PATH` modeline at the top of the file; a top-level `$schema` key;
/// the `schemas` globs of `.cfg.yaml`; else only syntax is checked. Then the
/// `checks:` commands of `.cfg.yaml` that apply run on a temp copy of each
/// valid file, as a write would run them. Every file is checked; the exit
/// status is 1 when any is invalid.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Files to check; `-` reads standard input (name it with --stdin-filename).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The name standard input is checked as: it picks the parser (`.json` or
    /// YAML) and the schema.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,
    /// Check every file against SCHEMA: a path, or `builtin:schedule` / `builtin:cfg`.
    #[arg(long, value_name = "SCHEMA")]
    schema: Option<String>,
    /// Treat warnings (values YAML 1.1 tools read differently) as errors.
    #[arg(long)]
    strict: bool,
    /// A schema using a `format` cfg does not check fails to load (default:
    /// the format is ignored, with a warning). Also `strict_formats: true` in
    /// `.cfg.yaml`.
    #[arg(long)]
    strict_formats: bool,
    /// Make a YAML tag outside the YAML types repository (`!Ref`,
    /// `!include`) an error; by default such a node is checked as its
    /// untagged value. Also `strict_tags: true` in `.cfg.yaml`.
    #[arg(long)]
    strict_tags: bool,
    /// Accept a YAML stream of several documents, and check each.
    #[arg(long)]
    allow_multiple_documents: bool,
    /// Largest file accepted: bytes, or with a unit (`512KiB`, `16MiB`).
    /// Default: `.cfg.yaml`'s `limits.max_size`, else 16 MiB.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_size: Option<usize>,
    /// How to print findings: `human` (on standard error), `json` (one object
    /// per line) or `github` (workflow commands), both on standard output.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Also print which schema applied to each file and why, and the next run
    /// times of its cron values.
    #[arg(long)]
    explain: bool,
    /// Skip the `checks:` commands of `.cfg.yaml`; only the built-in
    /// validation runs.
    #[arg(long)]
    no_checks: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
    Github,
}

pub(crate) fn run(global: &GlobalArgs, args: &Args) -> Result<ExitCode, Error> {
    let cwd = std::env::current_dir().map_err(|e| Error::Usage(format!("cannot read the current folder: {e}")))?;
    let root = match &global.root {
        Some(root) => cfg::fsio::normalize(&cwd.join(root)),
        None => ops::check_root(&cwd),
    };
    if args.files.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
        return Err(Error::Usage("`-` (standard input) can be given once".into()));
    }
    let mut inputs = Vec::new();
    for file in &args.files {
        if file.as_os_str() == "-" {
            let mut content = Vec::new();
            // One byte past the limit is enough to refuse an oversized input.
            let limit = args.max_size.map_or_else(|| ops::input_limit(&root), Ok)? as u64 + 1;
            std::io::stdin()
                .take(limit)
                .read_to_end(&mut content)
                .map_err(|source| Error::Input { path: "standard input".into(), source })?;
            let name = args.stdin_filename.clone().unwrap_or_else(|| "-".into());
            inputs.push(CheckInput::Content { name, content });
        } else {
            inputs.push(CheckInput::File(file.clone()));
        }
    }
    let request = CheckRequest {
        inputs,
        schema: args.schema.clone(),
        strict: args.strict,
        strict_formats: args.strict_formats,
        strict_tags: args.strict_tags,
        allow_multiple_documents: args.allow_multiple_documents,
        max_size: args.max_size,
        explain_at: args.explain.then(chrono::Utc::now),
        skip_checks: args.no_checks,
    };
    let outcome = ops::check(&root, &cwd, request)?;
    super::warn_all(&outcome.settings_warnings);

    let mut out = String::new();
    for file in &outcome.files {
        let report = &file.report;
        match args.format {
            Format::Human => {
                for diagnostic in diagnostics::human(report, &file.text) {
                    eprintln!("{diagnostic:?}");
                }
            }
            Format::Json => report.diagnostics.iter().for_each(|d| {
                out.push_str(&diagnostics::json_line(d));
                out.push('\n');
            }),
            Format::Github => report.diagnostics.iter().for_each(|d| {
                out.push_str(&diagnostics::github_line(d));
                out.push('\n');
            }),
        }
        if args.explain && args.format == Format::Human {
            out.push_str(&explain(file));
        }
    }
    super::print(out.as_bytes())?;

    let invalid = outcome.invalid();
    let total = outcome.files.len() + outcome.unreadable.len();
    let mut unreadable = outcome.unreadable.into_iter();
    let Some(first) = unreadable.next() else {
        return if invalid == 0 { Ok(ExitCode::SUCCESS) } else { Err(Error::Checked { invalid, total }) };
    };
    // The first unreadable file decides the exit status; the others are shown.
    for error in unreadable {
        super::render::error(&error);
    }
    if invalid > 0 {
        super::render::error(&Error::Checked { invalid, total });
    }
    Err(first)
}

fn explain(file: &ops::CheckedFile) -> String {
    let report = &file.report;
    let mut out = match &report.schema {
        Some((schema, source)) => {
            let why = match source {
                SchemaSource::Option => "--schema",
                SchemaSource::Modeline => "the modeline at the top of the file",
                SchemaSource::Key => "the file's `$schema` key",
                SchemaSource::Project => "the `schemas` globs of .cfg.yaml",
            };
            format!("{}: schema {schema} (from {why})\n", report.file)
        }
        None => format!("{}: no schema applies; syntax checked only\n", report.file),
    };
    for cron in &file.crons {
        let next = if cron.expr == "@reboot" {
            "runs at boot".to_owned()
        } else if cron.next.is_empty() {
            "not a valid cron expression".to_owned()
        } else {
            let times: Vec<String> = cron.next.iter().map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).collect();
            format!("next runs {}", times.join(", "))
        };
        out.push_str(&format!("  {}:{} {} `{}`: {next}\n", cron.line, cron.column, cron.pointer, cron.expr));
    }
    out
}

/// `1000000`, `512KiB`, `16MiB`, `1GiB` (also `K`, `M`, `G`, `KB`, `MB`, `GB`
/// as powers of 1024).
fn parse_size(input: &str) -> Result<usize, String> {
    let digits = input.find(|c: char| !c.is_ascii_digit()).unwrap_or(input.len());
    let number: usize =
        input[..digits].parse().map_err(|_| format!("`{input}` is not a size (expected e.g. 1000000 or 16MiB)"))?;
    let unit: usize = match input[digits..].trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => {
            return Err(format!("unknown size unit `{other}` (expected KiB, MiB or GiB)"));
        }
    };
    number.checked_mul(unit).filter(|n| *n > 0).ok_or_else(|| format!("`{input}` is not a usable size"))
}
