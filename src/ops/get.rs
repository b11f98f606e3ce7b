//! `cfg get`: one value of a YAML or JSON file, as YAML, JSON or raw text,
//! from the file as it is on disk or as it was at a revision. Reading only:
//! no lock, no store needed without a revision.

use std::path::PathBuf;

use crate::document::{self, Format, JsonLayout, SingleError};
use crate::edit;
use crate::fsio::{IoError, Step};
use crate::settings::Settings;
use crate::validate::{Options, Validator};

use super::Error;

/// How to print the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetFormat {
    /// Block YAML; tags kept.
    Yaml,
    /// JSON, two spaces a level; a node with a local tag as its untagged value.
    Json,
    /// A scalar as its text without quotes; a collection as JSON.
    Raw,
}

#[derive(Debug, Clone)]
pub struct GetRequest {
    pub file: PathBuf,
    /// `settings.log_level`, `schedules[2].enabled`, `.` for the document.
    pub path: String,
    /// Read the file as it was at this revision, not as it is on disk.
    pub rev: Option<String>,
    /// Default: the file's own format (JSON for `.json`, else YAML).
    pub format: Option<GetFormat>,
}

/// The value at `request.path`, as text ending with a line break; `None`
/// when the path leads nowhere.
pub fn get(settings: &Settings, request: &GetRequest) -> Result<Option<String>, Error> {
    let content = match &request.rev {
        Some(rev) => super::cat(settings, &request.file, Some(rev))?.0,
        None => std::fs::read(settings.cwd.join(&request.file)).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::NoSuchFile { path: request.file.clone() },
            _ => IoError::new(Step::Read, &request.file, e).into(),
        })?,
    };
    let name = request.file.to_string_lossy().into_owned();
    let format = Format::of_path(&request.file);
    let limits = super::value::limits(settings);
    let invalid = || {
        let validator = Validator::new(Options { limits: settings.project.limits.clone(), ..Options::default() })
            .expect("a validator without a schema builds");
        Error::Invalid {
            report: validator.check(&name, &content),
            source_text: String::from_utf8_lossy(&content).into_owned(),
        }
    };
    let text = std::str::from_utf8(&content).map_err(|_| invalid())?;
    let doc = match document::parse(text, format, &limits).single() {
        Ok(doc) => doc,
        Err(SingleError::Parse(_)) => return Err(invalid()),
        Err(SingleError::Several) => {
            return Err(Error::Usage(format!("`{name}` holds several YAML documents; `cfg get` reads one")));
        }
    };
    let Some(node) = edit::lookup(&doc, &request.path).map_err(|e| Error::Usage(e.to_string()))? else {
        return Ok(None);
    };
    let format = request.format.unwrap_or(match format {
        Format::Json => GetFormat::Json,
        Format::Yaml => GetFormat::Yaml,
    });
    let no_json = |issue: document::Issue| {
        let why = match issue.kind {
            document::IssueKind::ComplexKey => "a key that is a list or mapping".to_owned(),
            document::IssueKind::Unrepresentable(text) => format!("`{text}`"),
            document::IssueKind::BadTagged { reason, .. } => reason,
            document::IssueKind::UnknownTag(tag) => format!("the tag `{tag}`"),
        };
        Error::Usage(format!("`{}` holds {why}, which JSON cannot say; use `--format yaml`", request.path))
    };
    let json = || document::render_json(&doc, node, &JsonLayout::pretty(), true).map_err(no_json);
    Ok(Some(match format {
        GetFormat::Yaml => document::render_yaml(&doc, node),
        GetFormat::Json => json()? + "\n",
        GetFormat::Raw => match document::to_json(&doc, node).value {
            serde_json::Value::String(s) => s + "\n",
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => json()? + "\n",
            scalar => format!("{scalar}\n"),
        },
    }))
}
