"""cfgsafe: safe writes of YAML/JSON config files, from Python, in-process.

The `cfg` library (the same code as the `cfg` binary) compiled into a Python
extension: every write takes the store lock, validates, replaces the file
atomically and durably, and commits it to the side git repository `.cfg/`.

    import cfgsafe

    store = cfgsafe.Store.open()                 # walk up to the folder holding .cfg/
    content, rev = store.read("schedule.yml")    # committed bytes and their revision
    store.write("schedule.yml", new_text, expect=rev, message="raise retries")
    store.append("events.yml", "events", {"kind": "deploy", "id": 7})

See README.md beside this package for the whole API and the migration from
hand-rolled safe writers.
"""

from typing import Final

from ._native import Store, check, check_text
from ._types import (
    CfgError,
    Change,
    Conflict,
    ConflictKind,
    FileChange,
    Finding,
    Invalid,
    LockTimeout,
    LogEntry,
    NotFound,
    NoValue,
    Restored,
    Severity,
    StoreError,
    UnknownFile,
    UnknownRevision,
    UsageError,
    Versioned,
    Written,
)

#: `expect=ABSENT`: the write creates the file, and is a `Conflict` if it
#: exists (the CLI's `--expect none`).
ABSENT: Final = "none"

__all__ = [
    "ABSENT",
    "CfgError",
    "Change",
    "Conflict",
    "ConflictKind",
    "FileChange",
    "Finding",
    "Invalid",
    "LockTimeout",
    "LogEntry",
    "NoValue",
    "NotFound",
    "Restored",
    "Severity",
    "Store",
    "StoreError",
    "UnknownFile",
    "UnknownRevision",
    "UsageError",
    "Versioned",
    "Written",
    "check",
    "check_text",
]
