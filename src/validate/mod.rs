//! Validation: does this content parse, and does it follow its schema?
//!
//! Pure: a [`Validator`] is built once (schemas compiled once) and then checks
//! `(name, bytes)` pairs, returning a [`Report`] of [`Diagnostic`]s with 1-based
//! line and column. It never touches the disk except to read schema files while
//! being built. The write path refuses content whose report [`Report::has_errors`].

use std::ops::Range;

/// How bad a finding is: errors block writes and fail `cfg check`; warnings do
/// not, unless `--strict` turns them into errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding, located in the source text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// The name the file was checked under (its path, or `--stdin-filename`).
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// Byte range in the source that the finding points at.
    #[serde(skip)]
    pub span: Range<usize>,
    /// JSON pointer of the offending node (`""` for the document).
    pub pointer: String,
    /// The rule that failed: `syntax`, `duplicate-key`, a schema keyword, `cron`…
    pub rule: String,
    pub severity: Severity,
    pub message: String,
}

/// Everything found in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub file: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Error)
    }
}

/// Checks content; built once per run.
#[derive(Debug, Default)]
pub struct Validator {}

impl Validator {
    /// The key names identifying entries of lists of mappings in the schema of
    /// `name` (`x-merge-key`), for the structural merge.
    pub fn merge_keys(&self, _name: &str) -> Vec<String> {
        Vec::new()
    }

    pub fn check(&self, name: &str, content: &[u8]) -> Report {
        let mut diagnostics = Vec::new();
        let text = match std::str::from_utf8(content) {
            Ok(text) => text,
            Err(e) => {
                let offset = e.valid_up_to();
                let (line, column) = line_column(content, offset);
                diagnostics.push(Diagnostic {
                    file: name.to_owned(),
                    line,
                    column,
                    span: offset..offset + 1,
                    pointer: String::new(),
                    rule: "encoding".into(),
                    severity: Severity::Error,
                    message: "invalid UTF-8".into(),
                });
                return Report { file: name.to_owned(), diagnostics };
            }
        };
        if name.ends_with(".json") {
            if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
                let offset = offset_of(text, e.line(), e.column());
                diagnostics.push(Diagnostic {
                    file: name.to_owned(),
                    line: e.line(),
                    column: e.column(),
                    span: offset..offset,
                    pointer: String::new(),
                    rule: "syntax".into(),
                    severity: Severity::Error,
                    message: e.to_string(),
                });
            }
        } else {
            use saphyr::LoadableYamlNode;
            if let Err(e) = saphyr::Yaml::load_from_str(text) {
                let marker = e.marker();
                diagnostics.push(Diagnostic {
                    file: name.to_owned(),
                    line: marker.line(),
                    column: marker.col() + 1,
                    span: marker.index()..marker.index(),
                    pointer: String::new(),
                    rule: "syntax".into(),
                    severity: Severity::Error,
                    message: e.info().to_owned(),
                });
            }
        }
        Report { file: name.to_owned(), diagnostics }
    }
}

fn line_column(content: &[u8], offset: usize) -> (usize, usize) {
    let before = &content[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    (line, String::from_utf8_lossy(&before[start..]).chars().count() + 1)
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    (start + column.saturating_sub(1)).min(text.len())
}
