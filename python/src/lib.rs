//! `cfgsafe._native`: the `cfg` library as a Python extension module.
//!
//! No second implementation: every call is one call of a `cfg::ops` function,
//! the same one the `cfg` binary makes for the same command (`write`,
//! `change_value`, `get`, `cat`, `restore`, `log`, `check`, `init`, and
//! `root_for` + `settings_for` to find and load a store; `sync` after a write
//! when `.cfg.yaml` says `push: true`). This file only
//! converts arguments and results, and releases the GIL ([`Python::detach`])
//! around each call, so a thread that waits for the store lock or a flush
//! lets every other thread run; processes exclude each other through the
//! same lock file the binary uses.
//!
//! The values returned and the exceptions raised are the plain-Python classes
//! of `cfgsafe._types`; an error's class is picked by the library's exit-code
//! table ([`cfg::ops::Error::exit_code`]), so it matches the binary's exit
//! status.
//!
//! Settings are made as the binary makes them: the author is `$USER@host`,
//! or `CFG_AUTHOR`, or the `author` given to the store or the call; the
//! command recorded in each commit and in the lock file is the Python
//! program's command line. `.cfg.yaml` is read again on each call, as each
//! `cfg` command reads it, so a long-running process follows its edits; the
//! schemas it names are compiled once per process by the library's cache.
//! Relative file paths are relative to the store's root, not to the current
//! folder, which a long-running process may change.

use std::path::{Path, PathBuf};
use std::time::Duration;

use cfg::fsio::LockError;
use cfg::ops::{
    self, CheckInput, CheckRequest, ConflictKind, Error, Expect, GetFormat, GetRequest, LogRequest, OnChange,
    RestoreRequest, Rev, ValueEdit, ValueRequest, WriteOutcome, WriteRequest,
};
use cfg::settings::{Identity, IdentitySources, Settings};
use cfg::store::Error as StoreError;
use cfg::validate::{Diagnostic, Report, Severity};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple, PyType};

/// A managed root (the folder holding `.cfg/`) and who writes to it.
#[pyclass(frozen, module = "cfgsafe")]
struct Store {
    root: PathBuf,
    identity: Identity,
    /// The account `sudo` ran Python as, when `identity` is the user behind it.
    sudo: Option<String>,
    lock_timeout: Duration,
    command: String,
}

/// The keywords every write takes.
struct WriteArgs {
    expect: Option<Expect>,
    on_change: OnChange,
    message: Option<String>,
    author: Option<Identity>,
}

impl WriteArgs {
    fn new(
        py: Python<'_>,
        expect: Option<String>,
        merge: bool,
        message: Option<String>,
        author: Option<&str>,
    ) -> PyResult<Self> {
        Ok(WriteArgs {
            expect: expect.map(|e| e.parse().unwrap_or_else(|never| match never {})),
            on_change: if merge { OnChange::Merge } else { OnChange::Refuse },
            message,
            author: author.map(|author| parse_author(py, author)).transpose()?,
        })
    }
}

#[pymethods]
impl Store {
    /// The store whose root is exactly `root` (the binary's `--root`).
    #[new]
    #[pyo3(signature = (root, *, author=None, lock_timeout=10.0))]
    fn new(py: Python<'_>, root: PathBuf, author: Option<&str>, lock_timeout: f64) -> PyResult<Store> {
        let cwd = current_dir()?;
        let root = py.detach(|| ops::root_for(&cwd, Some(&root), None)).map_err(|e| raise(py, e))?;
        Store::at(py, root, author, lock_timeout)
    }

    /// The store of `path` (a file or a folder; default: the current
    /// folder): the first folder holding `.cfg/`, walking up, as the binary
    /// finds it.
    #[staticmethod]
    #[pyo3(signature = (path=None, *, author=None, lock_timeout=10.0))]
    fn open(py: Python<'_>, path: Option<PathBuf>, author: Option<&str>, lock_timeout: f64) -> PyResult<Store> {
        let cwd = current_dir()?;
        let start = path.map_or_else(|| cwd.clone(), |path| cwd.join(path));
        let root = py
            .detach(|| match start.is_dir() {
                true => ops::root_for(&start, None, None),
                false => ops::root_for(&cwd, None, Some(&start)),
            })
            .map_err(|e| raise(py, e))?;
        Store::at(py, root, author, lock_timeout)
    }

    /// Makes `root/.cfg/` if it is not there yet (`cfg init`), and opens it.
    #[staticmethod]
    #[pyo3(signature = (root, *, author=None, lock_timeout=10.0))]
    fn init(py: Python<'_>, root: PathBuf, author: Option<&str>, lock_timeout: f64) -> PyResult<Store> {
        let root = current_dir()?.join(root);
        let outcome = py.detach(|| ops::init(&root)).map_err(|e| raise(py, e))?;
        let root = outcome.store.parent().expect("the store is a folder inside the root").to_path_buf();
        Store::at(py, root, author, lock_timeout)
    }

    #[getter]
    fn root(&self) -> &Path {
        &self.root
    }

    fn __repr__(&self) -> String {
        format!("cfgsafe.Store({:?})", self.root.display().to_string())
    }

    /// The committed content of `file` at `rev` (default: the latest), with
    /// the revision it was read at (`cfg cat --print-rev`).
    #[pyo3(signature = (file, rev=None))]
    fn read<'py>(&self, py: Python<'py>, file: PathBuf, rev: Option<String>) -> PyResult<Bound<'py, PyAny>> {
        let (content, at) =
            py.detach(|| ops::cat(&self.settings(None)?, &file, rev.as_deref())).map_err(|e| raise(py, e))?;
        make(
            py,
            "Versioned",
            [("content", PyBytes::new(py, &content).into_any()), ("rev", at.to_string().into_pyobject(py)?.into_any())],
        )
    }

    /// Replaces `file` with `content` through the one write path.
    #[pyo3(signature = (file, content, *, expect=None, message=None, author=None, merge=true))]
    #[allow(clippy::too_many_arguments)]
    fn write<'py>(
        &self,
        py: Python<'py>,
        file: PathBuf,
        content: &Bound<'py, PyAny>,
        expect: Option<String>,
        message: Option<String>,
        author: Option<&str>,
        merge: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let content = bytes_of(content)?;
        let args = WriteArgs::new(py, expect, merge, message, author)?;
        let outcome = py
            .detach(|| {
                let settings = self.settings(args.author)?;
                let mut request = WriteRequest::new(file, content);
                request.message = args.message;
                request.expect = args.expect;
                request.on_change = args.on_change;
                let outcome = ops::write(&settings, request)?;
                pushed(&settings, outcome.rev)?;
                Ok(outcome)
            })
            .map_err(|e| raise(py, e))?;
        written(py, &outcome)
    }

    /// Sets the value at `path` (`settings.retries`, `jobs[2].enabled`) to
    /// `value` (anything `json.dumps` takes), creating missing keys.
    #[pyo3(signature = (file, path, value, *, expect=None, message=None, author=None, merge=true))]
    #[allow(clippy::too_many_arguments)]
    fn set<'py>(
        &self,
        py: Python<'py>,
        file: PathBuf,
        path: String,
        value: &Bound<'py, PyAny>,
        expect: Option<String>,
        message: Option<String>,
        author: Option<&str>,
        merge: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let edit = ValueEdit::Set { path, value: json_text(value)? };
        self.change(py, file, edit, WriteArgs::new(py, expect, merge, message, author)?)
    }

    /// Removes the mapping entry or list item at `path`.
    #[pyo3(signature = (file, path, *, expect=None, message=None, author=None, merge=true))]
    #[allow(clippy::too_many_arguments)]
    fn unset<'py>(
        &self,
        py: Python<'py>,
        file: PathBuf,
        path: String,
        expect: Option<String>,
        message: Option<String>,
        author: Option<&str>,
        merge: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.change(py, file, ValueEdit::Unset { path }, WriteArgs::new(py, expect, merge, message, author)?)
    }

    /// Adds `value` at the end of the list at `path` (`.`: the document);
    /// a missing or null list becomes one holding it.
    #[pyo3(signature = (file, path, value, *, expect=None, message=None, author=None, merge=true))]
    #[allow(clippy::too_many_arguments)]
    fn append<'py>(
        &self,
        py: Python<'py>,
        file: PathBuf,
        path: String,
        value: &Bound<'py, PyAny>,
        expect: Option<String>,
        message: Option<String>,
        author: Option<&str>,
        merge: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let edit = ValueEdit::Append { path, value: json_text(value)? };
        self.change(py, file, edit, WriteArgs::new(py, expect, merge, message, author)?)
    }

    /// The value at `path` of `file` as it is on disk (or at `rev`), as
    /// Python values (`json.loads` of `cfg get --format json`).
    #[pyo3(signature = (file, path, *, rev=None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        file: PathBuf,
        path: String,
        rev: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let request = GetRequest { file, path, rev, format: Some(GetFormat::Json) };
        let found = py.detach(|| ops::get(&self.settings(None)?, &request)).map_err(|e| raise(py, e))?;
        let Some(json) = found else {
            let GetRequest { file, path, .. } = request;
            return Err(raise(py, Error::NoValue { file, path }));
        };
        py.import("json")?.call_method1("loads", (json,))
    }

    /// Brings `files` (default: every file of that revision) back to their
    /// content at `rev`, as a new commit.
    #[pyo3(signature = (rev, files=None, *, expect=None, message=None, author=None, merge=true))]
    #[allow(clippy::too_many_arguments)]
    fn restore<'py>(
        &self,
        py: Python<'py>,
        rev: String,
        files: Option<Vec<PathBuf>>,
        expect: Option<String>,
        message: Option<String>,
        author: Option<&str>,
        merge: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let args = WriteArgs::new(py, expect, merge, message, author)?;
        let outcome = py
            .detach(|| {
                let request = RestoreRequest {
                    rev,
                    files: files.unwrap_or_default(),
                    message: args.message,
                    expect: args.expect,
                    on_change: args.on_change,
                };
                let settings = self.settings(args.author)?;
                let outcome = ops::restore(&settings, request)?;
                pushed(&settings, outcome.rev)?;
                Ok(outcome)
            })
            .map_err(|e| raise(py, e))?;
        let text = |items: Vec<String>| PyTuple::new(py, items);
        make(
            py,
            "Restored",
            [
                ("from_rev", outcome.from.to_string().into_pyobject(py)?.into_any()),
                ("rev", outcome.rev.to_string().into_pyobject(py)?.into_any()),
                ("changed", outcome.changed.into_pyobject(py)?.to_owned().into_any()),
                ("files", text(outcome.files.iter().map(ToString::to_string).collect())?.into_any()),
                ("hook_failures", text(outcome.hooks.iter().map(ToString::to_string).collect())?.into_any()),
            ],
        )
    }

    /// The history, newest first; only commits that changed `file` when
    /// given, and with `path`, only those that changed the value at `path`
    /// of `file`, each with the value before and after (`cfg log FILE --path`).
    #[pyo3(signature = (file=None, *, path=None, limit=None))]
    fn log<'py>(
        &self,
        py: Python<'py>,
        file: Option<PathBuf>,
        path: Option<String>,
        limit: Option<usize>,
    ) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let Some(path) = path else {
            let request = LogRequest { file, limit };
            let entries = py.detach(|| ops::log(&self.settings(None)?, &request)).map_err(|e| raise(py, e))?;
            return entries.iter().map(|entry| log_entry(py, entry, None)).collect();
        };
        let Some(file) = file else {
            return Err(raise(py, Error::Usage("log: a value's `path` needs its `file`".into())));
        };
        let changes =
            py.detach(|| ops::value_history(&self.settings(None)?, &file, &path, limit)).map_err(|e| raise(py, e))?;
        changes.iter().map(|(entry, change)| log_entry(py, entry, Some(change))).collect()
    }
}

impl Store {
    fn at(py: Python<'_>, root: PathBuf, author: Option<&str>, lock_timeout: f64) -> PyResult<Store> {
        let lock_timeout = Duration::try_from_secs_f64(lock_timeout)
            .map_err(|_| raise(py, Error::Usage(format!("lock_timeout {lock_timeout} is not a number of seconds"))))?;
        let (identity, sudo) = identity(py, author)?;
        Ok(Store { root, identity, sudo, lock_timeout, command: command_line(py)? })
    }

    /// What the binary's flags and environment make of a command, for this
    /// store: `.cfg.yaml` loaded now.
    fn settings(&self, author: Option<Identity>) -> Result<Settings, Error> {
        let mut settings = ops::settings_for(&self.root)?;
        (settings.identity, settings.sudo) = match author {
            Some(author) => (author, None),
            None => (self.identity.clone(), self.sudo.clone()),
        };
        settings.lock_timeout = self.lock_timeout;
        settings.command = self.command.clone();
        Ok(settings)
    }

    fn change<'py>(
        &self,
        py: Python<'py>,
        file: PathBuf,
        edit: ValueEdit,
        args: WriteArgs,
    ) -> PyResult<Bound<'py, PyAny>> {
        let outcome = py
            .detach(|| {
                let settings = self.settings(args.author)?;
                let mut request = ValueRequest::new(file, edit);
                request.message = args.message;
                request.expect = args.expect;
                request.on_change = args.on_change;
                let outcome = ops::change_value(&settings, request)?;
                pushed(&settings, outcome.rev)?;
                Ok(outcome)
            })
            .map_err(|e| raise(py, e))?;
        written(py, &outcome)
    }
}

/// Checks files (relative to the current folder, as `cfg check FILE...`);
/// every finding of every file, in order.
#[pyfunction]
#[pyo3(signature = (*files, schema=None, root=None, strict=false, strict_formats=false, strict_tags=false, allow_multiple_documents=false, run_checks=true))]
#[allow(clippy::too_many_arguments)]
fn check<'py>(
    py: Python<'py>,
    files: Vec<PathBuf>,
    schema: Option<String>,
    root: Option<PathBuf>,
    strict: bool,
    strict_formats: bool,
    strict_tags: bool,
    allow_multiple_documents: bool,
    run_checks: bool,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let inputs = files.into_iter().map(CheckInput::File).collect();
    let request = CheckRequest {
        inputs,
        schema,
        strict,
        strict_formats,
        strict_tags,
        allow_multiple_documents,
        skip_checks: !run_checks,
        ..CheckRequest::default()
    };
    check_inputs(py, root, request)
}

/// Checks `text` as if it were the file `name` (its extension picks YAML or
/// JSON, and `.cfg.yaml`'s globs may pick its schema).
#[pyfunction]
#[pyo3(signature = (text, name, *, schema=None, root=None, strict=false, strict_formats=false, strict_tags=false, allow_multiple_documents=false, run_checks=true))]
#[allow(clippy::too_many_arguments)]
fn check_text<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyAny>,
    name: String,
    schema: Option<String>,
    root: Option<PathBuf>,
    strict: bool,
    strict_formats: bool,
    strict_tags: bool,
    allow_multiple_documents: bool,
    run_checks: bool,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let request = CheckRequest {
        inputs: vec![CheckInput::Content { name, content: bytes_of(text)? }],
        schema,
        strict,
        strict_formats,
        strict_tags,
        allow_multiple_documents,
        skip_checks: !run_checks,
        ..CheckRequest::default()
    };
    check_inputs(py, root, request)
}

/// `cfg check`'s root (`--root`, or found from the current folder), then the
/// check. A file that cannot be read raises, as it sets the binary's exit status.
fn check_inputs<'py>(
    py: Python<'py>,
    root: Option<PathBuf>,
    request: CheckRequest,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let cwd = current_dir()?;
    let outcome = py
        .detach(|| {
            let root = match root {
                Some(root) => cfg::fsio::normalize(&cwd.join(root)),
                None => ops::check_root(&cwd),
            };
            ops::check(&root, &cwd, request)
        })
        .map_err(|e| raise(py, e))?;
    if let Some(first) = outcome.unreadable.into_iter().next() {
        return Err(raise(py, first));
    }
    outcome.files.iter().flat_map(|file| &file.report.diagnostics).map(|d| finding(py, d)).collect()
}

/// `push: true` in `.cfg.yaml`: the new commit is pushed (`cfg sync`), as the
/// binary's write commands push it. A failed push leaves the write standing
/// and raises by the class of what failed, as the binary exits.
fn pushed(settings: &Settings, rev: Rev) -> Result<(), Error> {
    if settings.project.push {
        ops::push_write(settings, rev, None)?;
    }
    Ok(())
}

fn current_dir() -> PyResult<PathBuf> {
    std::env::current_dir().map_err(PyErr::from)
}

fn parse_author(py: Python<'_>, author: &str) -> PyResult<Identity> {
    author.parse().map_err(|e: cfg::settings::IdentityError| raise(py, Error::Usage(e.to_string())))
}

/// Who writes, in the binary's order (the library's [`IdentitySources`]):
/// `author`, else `CFG_AUTHOR`, else the user behind `sudo`, `USER`,
/// `LOGNAME`, the uid's name; with the account sudo ran as, if it did.
fn identity(py: Python<'_>, author: Option<&str>) -> PyResult<(Identity, Option<String>)> {
    let var = |name: &str| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned()).filter(|v| !v.is_empty());
    let author = match author.map(str::to_owned).or_else(|| var("CFG_AUTHOR")) {
        Some(author) => Some(parse_author(py, &author)?),
        None => None,
    };
    let sources = IdentitySources {
        author,
        sudo_user: var("SUDO_USER"),
        user: var("USER").or_else(|| var("LOGNAME")),
        ..IdentitySources::of_process()
    };
    Ok(sources.resolve(&cfg::settings::host_name()))
}

/// `python` and the program's arguments (`sys.argv`), on one line, as the
/// binary records its own command line.
fn command_line(py: Python<'_>) -> PyResult<String> {
    let argv: Vec<String> = py.import("sys")?.getattr("argv")?.extract()?;
    let mut line = String::from("python");
    for arg in argv {
        line.push(' ');
        if arg.is_empty() || arg.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
            line.push_str(&format!("{arg:?}"));
        } else {
            line.push_str(&arg);
        }
    }
    Ok(line)
}

/// New content: `str` (written as UTF-8) or `bytes` (as they are).
fn bytes_of(content: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(text) = content.cast::<PyString>() {
        return Ok(text.to_str()?.as_bytes().to_vec());
    }
    if let Ok(bytes) = content.cast::<PyBytes>() {
        return Ok(bytes.as_bytes().to_vec());
    }
    Err(PyTypeError::new_err(format!("content must be str or bytes, not {}", content.get_type().name()?)))
}

/// A Python value as the YAML text `cfg set` takes: its JSON.
fn json_text(value: &Bound<'_, PyAny>) -> PyResult<String> {
    value.py().import("json")?.call_method1("dumps", (value,))?.extract()
}

/// `cfgsafe._types.NAME`.
fn types_attr<'py>(py: Python<'py>, name: &'static str) -> PyResult<Bound<'py, PyAny>> {
    static TYPES: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let module = TYPES.get_or_try_init(py, || py.import("cfgsafe._types").map(|m| m.into_any().unbind()))?;
    module.bind(py).getattr(name)
}

fn class<'py>(py: Python<'py>, name: &'static str) -> PyResult<Bound<'py, PyType>> {
    Ok(types_attr(py, name)?.cast_into()?)
}

/// `cfgsafe._types.NAME(**fields)`.
fn make<'py, const N: usize>(
    py: Python<'py>,
    name: &'static str,
    fields: [(&str, Bound<'py, PyAny>); N],
) -> PyResult<Bound<'py, PyAny>> {
    let kwargs = PyDict::new(py);
    for (key, value) in fields {
        kwargs.set_item(key, value)?;
    }
    class(py, name)?.call((), Some(&kwargs))
}

fn finding<'py>(py: Python<'py>, d: &Diagnostic) -> PyResult<Bound<'py, PyAny>> {
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    };
    make(
        py,
        "Finding",
        [
            ("file", d.file.as_str().into_pyobject(py)?.into_any()),
            ("line", d.line.into_pyobject(py)?.into_any()),
            ("column", d.column.into_pyobject(py)?.into_any()),
            ("pointer", d.pointer.as_str().into_pyobject(py)?.into_any()),
            ("rule", d.rule.as_str().into_pyobject(py)?.into_any()),
            ("severity", severity.into_pyobject(py)?.into_any()),
            ("message", d.message.as_str().into_pyobject(py)?.into_any()),
            ("help", d.help.as_deref().into_pyobject(py)?.into_any()),
        ],
    )
}

fn findings<'py, 'a>(
    py: Python<'py>,
    diagnostics: impl IntoIterator<Item = &'a Diagnostic>,
) -> PyResult<Bound<'py, PyTuple>> {
    let items = diagnostics.into_iter().map(|d| finding(py, d)).collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, items)
}

fn written<'py>(py: Python<'py>, outcome: &WriteOutcome) -> PyResult<Bound<'py, PyAny>> {
    let merged = outcome.merged.map(|(expected, latest)| (expected.to_string(), latest.to_string()));
    let hooks: Vec<String> = outcome.hooks.iter().map(ToString::to_string).collect();
    make(
        py,
        "Written",
        [
            ("path", outcome.path.as_str().into_pyobject(py)?.into_any()),
            ("rev", outcome.rev.to_string().into_pyobject(py)?.into_any()),
            ("changed", outcome.changed.into_pyobject(py)?.to_owned().into_any()),
            ("merged", merged.into_pyobject(py)?.into_any()),
            ("external", outcome.external.map(|r| r.to_string()).into_pyobject(py)?.into_any()),
            ("warnings", findings(py, &outcome.warnings)?.into_any()),
            ("hook_failures", PyTuple::new(py, hooks)?.into_any()),
        ],
    )
}

fn log_entry<'py>(
    py: Python<'py>,
    entry: &ops::LogEntry,
    value: Option<&ops::ValueChange>,
) -> PyResult<Bound<'py, PyAny>> {
    let info = &entry.info;
    let datetime = py.import("datetime")?;
    let offset = datetime.getattr("timedelta")?.call1((0, info.author.offset))?;
    let zone = datetime.getattr("timezone")?.call1((offset,))?;
    let time = datetime.getattr("datetime")?.call_method1("fromtimestamp", (info.author.seconds, zone))?;
    let files = entry
        .changes
        .iter()
        .map(|change| {
            let kind = match change.kind {
                ops::ChangeKind::Added => "added",
                ops::ChangeKind::Modified => "modified",
                ops::ChangeKind::Deleted => "deleted",
            };
            make(
                py,
                "FileChange",
                [
                    ("path", change.path.as_str().into_pyobject(py)?.into_any()),
                    ("change", kind.into_pyobject(py)?.into_any()),
                ],
            )
        })
        .collect::<PyResult<Vec<_>>>()?;
    make(
        py,
        "LogEntry",
        [
            ("rev", info.rev.to_string().into_pyobject(py)?.into_any()),
            ("parent", info.parent.map(|p| p.to_string()).into_pyobject(py)?.into_any()),
            ("time", time),
            ("author", format!("{} <{}>", info.author.name, info.author.email).into_pyobject(py)?.into_any()),
            ("host", info.host().into_pyobject(py)?.into_any()),
            ("command", info.command().into_pyobject(py)?.into_any()),
            ("message", info.message.as_str().into_pyobject(py)?.into_any()),
            ("files", PyTuple::new(py, files)?.into_any()),
            ("value", value.map(|change| (change.old.as_deref(), change.new.as_deref())).into_pyobject(py)?.into_any()),
        ],
    )
}

/// The exception for `error`: the class its exit code names (narrowed to
/// `UnknownRevision` or `UnknownFile` for code 5), with the fields of the
/// error that caused it; the message is the error and its causes, plus the
/// findings or conflict regions when there are some.
fn raise(py: Python<'_>, error: Error) -> PyErr {
    match exception(py, &error) {
        Ok(exception) => PyErr::from_value(exception),
        Err(failed) => failed,
    }
}

fn exception<'py>(py: Python<'py>, error: &Error) -> PyResult<Bound<'py, PyAny>> {
    let message = describe(error);
    let kwargs = PyDict::new(py);
    let code = error.exit_code();
    let cause = innermost(error);
    let name = match cause {
        Error::Invalid { report, .. } => {
            kwargs.set_item("findings", findings(py, &report.diagnostics)?)?;
            "Invalid"
        }
        Error::Rejected { reports } => {
            kwargs.set_item("findings", findings(py, reports.iter().flat_map(|r| &r.diagnostics))?)?;
            "Invalid"
        }
        Error::Project(cfg::project::Error::Invalid { report, .. }) => {
            kwargs.set_item("findings", findings(py, &report.diagnostics)?)?;
            "Invalid"
        }
        Error::Conflict(conflict) => {
            kwargs.set_item("path", conflict.path.as_str())?;
            let (kind, revs) = match &conflict.kind {
                ConflictKind::Exists => ("exists", None),
                ConflictKind::Changed { base, latest } => ("changed", Some((base, latest))),
                ConflictKind::Merge { base_rev, latest_rev, .. } => ("merge", Some((base_rev, latest_rev))),
                ConflictKind::Invalid { base_rev, latest_rev, report, .. } => {
                    kwargs.set_item("findings", findings(py, &report.diagnostics)?)?;
                    ("invalid", Some((base_rev, latest_rev)))
                }
                ConflictKind::KeptChanging => ("kept-changing", None),
            };
            kwargs.set_item("kind", kind)?;
            if let Some((base, latest)) = revs {
                kwargs.set_item("base_rev", base.to_string())?;
                kwargs.set_item("latest_rev", latest.to_string())?;
            }
            kwargs.set_item("text", conflict.marked())?;
            "Conflict"
        }
        Error::Lock(LockError::Busy { path, waited, holder }) => {
            kwargs.set_item("lock_path", path.display().to_string())?;
            kwargs.set_item("waited", waited.as_secs_f64())?;
            kwargs.set_item("holder", holder.as_deref())?;
            "LockTimeout"
        }
        Error::Store(StoreError::UnknownRev { spec, .. }) => {
            kwargs.set_item("spec", spec)?;
            "UnknownRevision"
        }
        Error::Store(StoreError::Empty) => "UnknownRevision",
        Error::UnknownFile { path, at } => {
            kwargs.set_item("path", path)?;
            kwargs.set_item("rev", at.map(|r| r.to_string()))?;
            "UnknownFile"
        }
        Error::NoSuchFile { path } => {
            kwargs.set_item("path", path.display().to_string())?;
            "UnknownFile"
        }
        Error::NoValue { file, path } => {
            kwargs.set_item("file", file.display().to_string())?;
            kwargs.set_item("path", path)?;
            "NoValue"
        }
        _ => "",
    };
    let class = match name {
        "" => match types_attr(py, "BY_EXIT_CODE")?.get_item(code) {
            Ok(class) => class.cast_into::<PyType>()?,
            Err(_) => {
                kwargs.set_item("exit_code", code)?;
                class(py, "CfgError")?
            }
        },
        name => class(py, name)?,
    };
    class.call((message,), Some(&kwargs))
}

/// The error a write that was undone (or left to finish) failed with.
fn innermost(error: &Error) -> &Error {
    let mut error = error;
    while let Error::Aborted { source, .. } = error {
        error = source;
    }
    error
}

/// The error and its causes, one a line (as the binary prints them), then
/// what is needed to act on it: who holds the lock, each finding, or the
/// conflicting regions.
fn describe(error: &Error) -> String {
    let mut out = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(&format!("\n  caused by: {text}"));
        }
        source = cause.source();
    }
    if let Error::Lock(LockError::Busy { holder: Some(holder), .. }) = innermost(error) {
        out.push_str(&format!("\n  held by {holder}"));
    }
    let reports: Vec<&Report> = match innermost(error) {
        Error::Invalid { report, .. } => vec![report],
        Error::Rejected { reports } => reports.iter().collect(),
        Error::Project(cfg::project::Error::Invalid { report, .. }) => vec![report],
        Error::Conflict(conflict) => match &conflict.kind {
            ConflictKind::Invalid { report, .. } => vec![report],
            ConflictKind::Merge { conflict: regions, .. } => {
                out.push_str(&format!("\n\n{regions}"));
                vec![]
            }
            _ => vec![],
        },
        _ => vec![],
    };
    for d in reports.iter().flat_map(|r| &r.diagnostics) {
        out.push_str(&format!("\n  {}:{}:{}: {} ({})", d.file, d.line, d.column, d.message, d.rule));
    }
    out
}

#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<Store>()?;
    module.add_function(wrap_pyfunction!(check, module)?)?;
    module.add_function(wrap_pyfunction!(check_text, module)?)?;
    Ok(())
}
