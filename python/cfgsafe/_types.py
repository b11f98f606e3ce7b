"""The values cfgsafe returns and the exceptions it raises.

Plain Python, so that they are real dataclasses and exception classes: they
compare, print, pickle (a worker process can hand one back) and can be
matched with `except`. The native module (`cfgsafe._native`, the cfg library)
builds and raises them; nothing here does any work of its own.

The exceptions mirror the exit codes of the `cfg` binary (README, "Exit
codes"): the class of an error is picked by the code the library gives it, so
a Python caller and a shell script see the same failure the same way.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import ClassVar, Literal, NamedTuple

Severity = Literal["error", "warning", "info"]
Change = Literal["added", "modified", "deleted"]
ConflictKind = Literal["exists", "changed", "merge", "invalid", "kept-changing"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding of the validator, as `cfg check --format json` prints it."""

    file: str
    """The name the content was checked under (its path as given)."""
    line: int
    """1-based."""
    column: int
    """1-based, in characters."""
    pointer: str
    """JSON pointer of the offending node; `""` for the document."""
    rule: str
    """`syntax`, `duplicate-key`, a schema keyword, `cron`, `check`..."""
    severity: Severity
    message: str
    help: str | None = None


class Versioned(NamedTuple):
    """A file's committed content and the revision it was read at: pass `rev`
    as `expect=` to the write made from this content."""

    content: bytes
    rev: str

    @property
    def text(self) -> str:
        return self.content.decode("utf-8")


@dataclass(frozen=True, slots=True)
class Written:
    """What a write (`write`, `set`, `unset`, `append`) did."""

    path: str
    """The file, relative to the root."""
    rev: str
    """The revision now holding the file (the current one when unchanged)."""
    changed: bool
    """False when the content already was the latest version: no commit."""
    merged: tuple[str, str] | None
    """`(expected, latest)` when the file had changed since `expect` and the
    new content was merged with that change."""
    external: str | None
    """The commit that first recorded an edit made outside cfg, if any."""
    warnings: tuple[Finding, ...]
    """What the validator warned about in the new content."""
    hook_failures: tuple[str, ...]
    """`on_write` commands of `.cfg.yaml` that failed (the write stands)."""


@dataclass(frozen=True, slots=True)
class Restored:
    """What `restore` did."""

    from_rev: str
    rev: str
    changed: bool
    files: tuple[str, ...]
    hook_failures: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FileChange:
    path: str
    change: Change


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One commit, as `cfg log --format json` prints it."""

    rev: str
    parent: str | None
    time: datetime.datetime
    """When the change was made, in the writer's UTC offset."""
    author: str
    """`Name <email>`."""
    host: str | None
    command: str | None
    """The command line that made the change (for Python, the program's)."""
    message: str
    files: tuple[FileChange, ...]
    value: tuple[str | None, str | None] | None = None
    """With `log(file, path=...)`: the value at that path before and after
    this commit, each as flow YAML on one line (`None`: no value there)."""


class CfgError(Exception):
    """Any failure of a cfg operation. Nothing was written unless the
    subclass says otherwise. `exit_code` is the status the `cfg` binary exits
    with for the same failure."""

    exit_code: int

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class Invalid(CfgError):
    """The content is invalid (syntax, schema, cron, a `checks:` command of
    `.cfg.yaml`); `findings` says where. Nothing was written."""

    exit_code = 1

    def __init__(self, message: str, *, findings: tuple[Finding, ...] = ()) -> None:
        super().__init__(message)
        self.findings = findings


class UsageError(CfgError, ValueError):
    """A bad argument: a path outside the root, no store found, a value path
    that does not fit the document."""

    exit_code = 2


class Conflict(CfgError):
    """The file changed since `expect` and the change cannot be merged (or
    merging was off). Nothing was written.

    `kind`: `exists` (expected absent), `changed` (merge off), `merge` (the
    three-way merge conflicts; `text` is the merge with diff3 markers),
    `invalid` (the merge is clean but invalid; `text` is the merge and
    `findings` what is wrong with it), `kept-changing` (another program kept
    saving the file)."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        path: str = "",
        kind: ConflictKind = "changed",
        base_rev: str | None = None,
        latest_rev: str | None = None,
        text: str | None = None,
        findings: tuple[Finding, ...] = (),
    ) -> None:
        super().__init__(message)
        self.path = path
        self.kind = kind
        self.base_rev = base_rev
        self.latest_rev = latest_rev
        self.text = text
        self.findings = findings


class LockTimeout(CfgError, TimeoutError):
    """The store lock stayed busy for the whole `lock_timeout`. `holder` is
    what the holder recorded, on one line (`pid N, host H, command C`), or None
    when it recorded nothing (a shell script holding it with `flock`)."""

    exit_code = 4

    def __init__(
        self, message: str, *, lock_path: str = "", waited: float = 0.0, holder: str | None = None
    ) -> None:
        super().__init__(message)
        self.lock_path = lock_path
        self.waited = waited
        self.holder = holder


class NotFound(CfgError, LookupError):
    """An unknown or pruned revision, or a file the store (or disk) lacks."""

    exit_code = 5


class UnknownRevision(NotFound):
    """`spec` names no commit (or one `gc` pruned; the message says so), or
    the store has no commit yet (`spec` is None)."""

    def __init__(self, message: str, *, spec: str | None = None) -> None:
        super().__init__(message)
        self.spec = spec


class UnknownFile(NotFound):
    """`path` is not in the store at `rev` (or, for a read from disk, not on disk)."""

    def __init__(self, message: str, *, path: str = "", rev: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.rev = rev


class StoreError(CfgError):
    """An I/O error or a damaged side repository; the message names the file
    and the step that failed."""

    exit_code = 6


class NoValue(CfgError, LookupError):
    """`get`: the path leads to no value in the file."""

    exit_code = 8

    def __init__(self, message: str, *, file: str = "", path: str = "") -> None:
        super().__init__(message)
        self.file = file
        self.path = path


#: The class for each exit code; the native module raises through it.
BY_EXIT_CODE: dict[int, type[CfgError]] = {
    cls.exit_code: cls for cls in (Invalid, UsageError, Conflict, LockTimeout, NotFound, StoreError, NoValue)
}
