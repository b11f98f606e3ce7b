//! Turning a validation [`Report`] into text for people and for tools. The
//! one renderer for findings, so `cfg check` and a refused `cfg write` show
//! them the same way. Nothing here prints: each function returns the value to
//! print.
//!
//! * [`human`]: one miette report per diagnostic, with the source line
//!   underlined; the caller prints them with its own handler.
//! * [`json_line`]: one JSON object per diagnostic, fields `file, line, column,
//!   pointer, rule, severity, message`, and `help` when there is one.
//! * [`github_line`]: a GitHub Actions workflow command (`::error file=…`;
//!   `::warning`, `::notice`), the help on the message's second line.

use std::ops::Range;
use std::sync::Arc;

use cfg::validate::{Diagnostic, Report, Severity};

/// One miette report per diagnostic, each carrying the file's text so the
/// offending span is shown underlined; past [`MAX_DRAWN`], one line saying how
/// many more there are.
pub(crate) fn human(report: &Report, source: &str) -> Vec<miette::Report> {
    // One shared copy of the text for every report, and none at all for
    // texts too big to show: miette lays out whole lines, and a 16 MiB line
    // takes minutes to print. The message still names file, line and column.
    let shared: Option<Arc<str>> = (source.len() <= MAX_SHOWN).then(|| Arc::from(source));
    let mut reports: Vec<miette::Report> = report
        .diagnostics
        .iter()
        .take(MAX_DRAWN)
        .map(|d| {
            let severity = match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            };
            // A check command's finding is about the whole file: no place to show.
            let placed = d.rule != "check";
            let message = match placed {
                true => format!("{}:{}:{}: {}", d.file, d.line, d.column, d.message),
                false => format!("{}: {}", d.file, d.message),
            };
            let mut diagnostic = miette::MietteDiagnostic::new(message).with_severity(severity);
            if let Some(help) = &d.help {
                diagnostic = diagnostic.with_help(help);
            }
            let Some(text) = shared.as_ref().filter(|_| placed && line_is_short(source, d.span.start)) else {
                return miette::Report::new(diagnostic);
            };
            let span = label_span(source, &d.span);
            let label = if d.pointer.is_empty() { d.rule.clone() } else { format!("{} at {}", d.rule, d.pointer) };
            diagnostic = diagnostic.with_label(miette::LabeledSpan::new_with_span(Some(label), span));
            miette::Report::new(diagnostic).with_source_code(miette::NamedSource::new(&d.file, text.clone()))
        })
        .collect();
    if let Some(more) = report.diagnostics.len().checked_sub(MAX_DRAWN).filter(|&more| more > 0) {
        let message = format!("{}: {more} more findings not shown", report.file);
        let help = "`cfg check --format json` lists every finding";
        reports.push(miette::Report::new(
            miette::MietteDiagnostic::new(message).with_severity(miette::Severity::Advice).with_help(help),
        ));
    }
    reports
}

/// Findings drawn per file. Each costs a layout of its source lines, and a
/// file with a hundred thousand of them would take seconds to print for
/// nobody to read.
const MAX_DRAWN: usize = 200;
const MAX_SHOWN: usize = 1 << 20;
const MAX_LINE_SHOWN: usize = 4096;

/// Whether the line holding byte `offset` is at most [`MAX_LINE_SHOWN`] bytes
/// long. Looks no further than that either side: a file of one long line can
/// carry thousands of findings.
fn line_is_short(source: &str, offset: usize) -> bool {
    let bytes = source.as_bytes();
    let offset = offset.min(bytes.len());
    let window = offset.saturating_sub(MAX_LINE_SHOWN);
    let start = match bytes[window..offset].iter().rposition(|&b| b == b'\n') {
        Some(i) => window + i + 1,
        None if window == 0 => 0,
        None => return false,
    };
    let limit = start + MAX_LINE_SHOWN;
    limit >= bytes.len() || bytes[offset..=limit].contains(&b'\n')
}

/// The part of a span worth underlining: within the text, only its first line
/// (a whole multi-line object underlined helps nobody), and without the
/// blanks and comment the parser's scalar spans can run on into.
fn label_span(source: &str, span: &Range<usize>) -> miette::SourceSpan {
    let start = floor_boundary(source, span.start.min(source.len()));
    let end = floor_boundary(source, span.end.clamp(start, source.len()));
    let text = &source[start..end];
    let mut len = text.find('\n').unwrap_or(text.len());
    if let Some(quote @ ('"' | '\'')) = text.chars().next() {
        if let Some(close) = text[1..len].find(quote) {
            len = close + 2;
        }
    } else if let Some(comment) = text[..len].find(" #") {
        len = comment;
    }
    len = text[..len].trim_end().len();
    (start, len).into()
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// `{"file":…,"line":…,"column":…,"pointer":…,"rule":…,"severity":…,"message":…}`
pub(crate) fn json_line(diagnostic: &Diagnostic) -> String {
    serde_json::to_string(diagnostic).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// `::error file=…,line=…,col=…::message` (warnings `::warning`, notes
/// `::notice`).
pub(crate) fn github_line(diagnostic: &Diagnostic) -> String {
    let command = match diagnostic.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{command} file={},line={},col={},title={}::{}",
        escape_property(&diagnostic.file),
        diagnostic.line,
        diagnostic.column,
        escape_property(&diagnostic.rule),
        escape_data(&message),
    )
}

// GitHub's workflow-command escaping (actions/toolkit `command.ts`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic() -> Diagnostic {
        Diagnostic {
            file: "a,b.yaml".into(),
            line: 2,
            column: 3,
            span: 7..10,
            pointer: "/x".into(),
            rule: "type".into(),
            severity: Severity::Warning,
            message: "50% bad\nreally".into(),
            help: None,
        }
    }

    #[test]
    fn json_has_the_fields_in_order() {
        assert_eq!(
            json_line(&diagnostic()),
            r#"{"file":"a,b.yaml","line":2,"column":3,"pointer":"/x","rule":"type","severity":"warning","message":"50% bad\nreally"}"#
        );
    }

    #[test]
    fn github_escapes() {
        assert_eq!(github_line(&diagnostic()), "::warning file=a%2Cb.yaml,line=2,col=3,title=type::50%25 bad%0Areally");
    }

    #[test]
    fn help_goes_where_each_format_has_room_for_it() {
        let helped = Diagnostic { severity: Severity::Info, help: Some("do this".into()), ..diagnostic() };
        assert_eq!(
            github_line(&helped),
            "::notice file=a%2Cb.yaml,line=2,col=3,title=type::50%25 bad%0Areally%0Ahelp: do this"
        );
        assert!(
            json_line(&helped).ends_with(r#""severity":"info","message":"50% bad\nreally","help":"do this"}"#),
            "{}",
            json_line(&helped)
        );
        assert!(!json_line(&diagnostic()).contains("help"));
        let report = Report { file: "f.yaml".into(), diagnostics: vec![helped], schema: None };
        let mut out = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .render_report(&mut out, human(&report, "a: 1\n")[0].as_ref())
            .unwrap();
        assert!(out.contains("help: do this"), "{out}");
    }

    #[test]
    fn human_underlines_the_first_line_of_the_span() {
        let source = "a: 1\nb:\n  c: 2\n";
        let report = Report { file: "f.yaml".into(), diagnostics: vec![diagnostic()], schema: None };
        let reports = human(&report, source);
        let mut out = String::new();
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .render_report(&mut out, reports[0].as_ref())
            .unwrap();
        assert!(out.contains("╭─[a,b.yaml:2:3]"), "the diagnostic names its own file: {out}");
        assert!(out.contains("c: 2"), "{out}");
        assert!(out.contains("type at /x"), "{out}");
        assert_eq!(label_span(source, &(5..13)), (5, 2).into());
        assert_eq!(label_span(source, &(100..200)), (source.len(), 0).into());
    }

    #[test]
    fn past_the_limit_the_rest_are_counted() {
        let source = "a: 1\n";
        let diagnostics = vec![diagnostic(); MAX_DRAWN + 5];
        let report = Report { file: "f.yaml".into(), diagnostics, schema: None };
        let reports = human(&report, source);
        assert_eq!(reports.len(), MAX_DRAWN + 1);
        assert_eq!(reports[MAX_DRAWN].to_string(), "f.yaml: 5 more findings not shown");
        let exact = Report { file: "f.yaml".into(), diagnostics: vec![diagnostic(); MAX_DRAWN], schema: None };
        assert_eq!(human(&exact, source).len(), MAX_DRAWN);
    }

    #[test]
    fn long_lines_are_found_without_reading_them_whole() {
        let line = |n: usize| "x".repeat(n);
        for (text, offset, short) in [
            (line(MAX_LINE_SHOWN), 0, true),
            (line(MAX_LINE_SHOWN), MAX_LINE_SHOWN, true),
            (line(MAX_LINE_SHOWN + 1), 0, false),
            (line(MAX_LINE_SHOWN + 1), MAX_LINE_SHOWN + 1, false),
            (format!("{}\n{}\n", line(3 * MAX_LINE_SHOWN), line(MAX_LINE_SHOWN)), 3 * MAX_LINE_SHOWN + 5, true),
            (format!("{}\n{}\n", line(3 * MAX_LINE_SHOWN), line(MAX_LINE_SHOWN)), 2 * MAX_LINE_SHOWN, false),
            (format!("{}\n{}", line(10), line(MAX_LINE_SHOWN + 1)), 12, false),
            (String::new(), 0, true),
        ] {
            let naive =
                text[..offset].rsplit('\n').next().unwrap().len() + text[offset..].split('\n').next().unwrap().len();
            assert_eq!(naive <= MAX_LINE_SHOWN, short, "offset {offset} of {}", text.len());
            assert_eq!(line_is_short(&text, offset), short, "offset {offset} of {}", text.len());
        }
    }
}
