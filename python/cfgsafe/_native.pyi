"""Types of the native module: the cfg library, compiled (python/src/lib.rs).

Every method is one call of the library's operation of the same name, with
the GIL released while it runs. Relative file paths are relative to the
store's root. Every failure raises a `cfgsafe.CfgError` subclass.
"""

import os
from pathlib import Path
from typing import Any, final

from ._types import Finding, LogEntry, Restored, Versioned, Written

StrPath = str | os.PathLike[str]

@final
class Store:
    """A managed root (the folder holding `.cfg/`) and who writes to it.

    `author` (`"Name <email>"`) defaults to `CFG_AUTHOR`, else `$USER@host`;
    `lock_timeout` is how many seconds a write waits for the store lock before
    raising `LockTimeout`. A store may be shared by threads. With `push: true`
    in `.cfg.yaml`, every write (`write`, `set`, `unset`, `append`, `restore`)
    is pushed as the binary's are; a failed push raises, the write stands."""

    def __init__(self, root: StrPath, *, author: str | None = None, lock_timeout: float = 10.0) -> None:
        """The store whose root is exactly `root` (`cfg --root`); `UsageError`
        when `root` holds no `.cfg/`."""

    @staticmethod
    def open(path: StrPath | None = None, *, author: str | None = None, lock_timeout: float = 10.0) -> Store:
        """The store of `path`, a file or a folder (default: the current
        folder): the first folder holding `.cfg/`, walking up."""

    @staticmethod
    def init(root: StrPath, *, author: str | None = None, lock_timeout: float = 10.0) -> Store:
        """Makes `root/.cfg/` unless it exists (`cfg init`), then opens it."""

    @property
    def root(self) -> Path: ...
    def read(self, file: StrPath, rev: str | None = None) -> Versioned:
        """The committed content of `file` at `rev` (default: the latest) and
        the revision read (`cfg cat --print-rev`). `UnknownFile` when the
        store does not hold the file; `UnknownRevision` for a bad `rev`."""

    def write(
        self,
        file: StrPath,
        content: str | bytes,
        *,
        expect: str | None = None,
        message: str | None = None,
        author: str | None = None,
        merge: bool = True,
    ) -> Written:
        """Replaces `file` (`cfg write`). `expect`: the revision the content
        was made from (`read(...).rev`), or `ABSENT` to create only; a change
        made since is merged three-way (`merge=False`: refused) and a change
        that cannot be merged raises `Conflict`. Invalid content raises
        `Invalid`; nothing is written then."""

    def set(
        self,
        file: StrPath,
        path: str,
        value: Any,
        *,
        expect: str | None = None,
        message: str | None = None,
        author: str | None = None,
        merge: bool = True,
    ) -> Written:
        """Sets the value at `path` (`jobs[2].enabled`) to `value` (anything
        `json.dumps` takes), keeping every other byte of the file (`cfg set`).
        Applied under the lock to the latest version: concurrent calls never
        lose each other's change."""

    def unset(
        self,
        file: StrPath,
        path: str,
        *,
        expect: str | None = None,
        message: str | None = None,
        author: str | None = None,
        merge: bool = True,
    ) -> Written:
        """Removes the mapping entry or list item at `path` (`cfg unset`)."""

    def append(
        self,
        file: StrPath,
        path: str,
        value: Any,
        *,
        expect: str | None = None,
        message: str | None = None,
        author: str | None = None,
        merge: bool = True,
    ) -> Written:
        """Adds `value` at the end of the list at `path` (`.` for a file that
        is a list); a missing key or a null becomes a list (`cfg append`)."""

    def get(self, file: StrPath, path: str, *, rev: str | None = None) -> Any:
        """The value at `path` of `file` on disk (or at `rev`), as Python
        values. `NoValue` when the path leads nowhere."""

    def restore(
        self,
        rev: str,
        files: list[StrPath] | None = None,
        *,
        expect: str | None = None,
        message: str | None = None,
        author: str | None = None,
        merge: bool = True,
    ) -> Restored:
        """Brings `files` (default: every file at `rev`) back to their content
        at `rev`, as a new commit (`cfg restore`)."""

    def log(self, file: StrPath | None = None, *, path: str | None = None, limit: int | None = None) -> list[LogEntry]:
        """The history, newest first (`cfg log`); only the commits that
        changed `file` when given. With `path` (`jobs[2].enabled`), only the
        commits that changed the value at `path` of `file`, each entry's
        `value` the value before and after (`cfg log FILE --path PATH`)."""

def check(
    *files: StrPath,
    schema: str | None = None,
    root: StrPath | None = None,
    strict: bool = False,
    strict_formats: bool = False,
    strict_tags: bool = False,
    allow_multiple_documents: bool = False,
    run_checks: bool = True,
) -> list[Finding]:
    """Every finding in `files` (relative to the current folder), as `cfg
    check --format json` lists them; no store needed. `schema`: a path or
    `builtin:NAME`. `root`: where `.cfg.yaml` is read (default: as `cfg check`
    finds it). A file that cannot be read raises `UnknownFile`/`StoreError`."""

def check_text(
    text: str | bytes,
    name: str,
    *,
    schema: str | None = None,
    root: StrPath | None = None,
    strict: bool = False,
    strict_formats: bool = False,
    strict_tags: bool = False,
    allow_multiple_documents: bool = False,
    run_checks: bool = True,
) -> list[Finding]:
    """Every finding in `text`, checked as if it were the file `name` (its
    extension picks YAML or JSON; `.cfg.yaml`'s globs may pick its schema)."""
