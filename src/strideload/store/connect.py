"""Connections to the SQLite file: opening it for writing or only for reading, and SQLite's
own failures turned into one :class:`~strideload.errors.StoreError` that says what to do.

* **Several first opens at once.** Switching a new database to WAL needs a moment of
  exclusive access, and SQLite answers "database is locked" at once instead of waiting for
  it; :func:`open_writable` retries with a short random back-off until ``BUSY_TIMEOUT_S``.
* **Read-only stores.** A store in a read-only folder (a shared drive, a copy from a
  backup) cannot get the ``-wal``/``-shm`` files WAL needs: :func:`open_readonly` opens it
  with ``mode=ro``, else as ``immutable`` (no locks: fine for a file nobody can write here).
* **Schema versions.** Migrations are named (``migrations.py``); a store that has applied a
  migration this version does not know was written by a newer strideload and is refused.
"""

from __future__ import annotations

import random
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from ..errors import StoreError

BUSY_TIMEOUT_S = 60.0


class ReadOnly(Exception):
    """The store exists but this process cannot write it (internal signal to open it read-only)."""


def _is_readonly_error(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "readonly" in text or "read-only" in text or "unable to open" in text


def _is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _configure(db: sqlite3.Connection) -> sqlite3.Connection:
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA foreign_keys=ON")
    return db


def open_writable(path: Path) -> sqlite3.Connection:
    """A read-write connection in WAL mode; raises :class:`ReadOnly` when the existing file
    or its folder cannot be written."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        existed = path.exists()
        db = None
        try:
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            return _configure(db)
        except sqlite3.OperationalError as exc:
            if db is not None:
                db.close()
            if existed and _is_readonly_error(exc):
                raise ReadOnly(str(exc)) from exc
            if not _is_busy(exc) or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.005, 0.05))


def open_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection: ``mode=ro`` where SQLite can share the WAL index, else ``immutable``."""
    base = f"file:{quote(str(path.resolve()))}"
    last: sqlite3.Error | None = None
    for options in ("mode=ro", "mode=ro&immutable=1"):
        try:
            db = sqlite3.connect(f"{base}?{options}", uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                 check_same_thread=False)
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return _configure(db)
        except sqlite3.OperationalError as exc:
            last = exc
    assert last is not None
    raise last


def applied(db: sqlite3.Connection) -> list[str]:
    """Names of the migrations applied to the store (none on a new or foreign file)."""
    try:
        return [row[0] for row in db.execute("SELECT name FROM migrations ORDER BY id")]
    except sqlite3.OperationalError:
        return []


def check_schema(path: Path, done: set[str], known: list[str]) -> None:
    """Refuse a store with migrations this version does not know: a newer strideload wrote it."""
    newer = sorted(done - set(known))
    if newer:
        raise StoreError(f"the store at {path} was written by a newer version of strideload (schema "
                         f"{newer[-1]}, this version knows up to {known[-1]}): upgrade strideload "
                         "(pip install -U strideload) to use it; nothing was changed")


def open_error(path: Path, exc: sqlite3.Error) -> StoreError:
    """The one-line error for a store SQLite cannot open."""
    hint = " (is it a strideload store?)" if "not a database" in str(exc) else ""
    return StoreError(f"cannot open the store at {path}: {exc}{hint}")


def write_error(path: Path, exc: sqlite3.Error | None) -> StoreError:
    """The one-line error for a write SQLite refused (``exc`` None: the store was opened read-only)."""
    text = str(exc).lower() if exc is not None else ""
    if exc is None or _is_readonly_error(exc):
        return StoreError(f"the store at {path} is read-only here (the file or its folder cannot be "
                          "written): strideload can read it but not change it; nothing was changed")
    if "full" in text:
        return StoreError(f"no space left to write the store at {path}: free some disk space and run the "
                          "command again (nothing was half-written)")
    if _is_busy(exc):
        return StoreError(f"the store at {path} stayed locked by another strideload for {BUSY_TIMEOUT_S:.0f} s: "
                          "try again when it has finished (nothing was changed)")
    return StoreError(f"cannot write the store at {path}: {exc} (nothing was half-written)")


def now() -> str:
    """This moment in UTC, to the second, as every ``*_at`` column of the store keeps it."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
