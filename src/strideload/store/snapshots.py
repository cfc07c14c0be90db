"""Computed results kept in the store between changes: the status rows of ``strideload status``.

Every change to what the status reads (activities, streams, the runner's decisions, pain
entries, return-to-run plans and decisions) moves the store's *generation* on, by triggers
(migration ``0008_startup_status_snapshot``), whoever writes. A snapshot is stored with the
generation it was computed at and is valid only while the generation stands; what else it
depends on (athlete, day, settings, code) is in its key, made by :mod:`strideload.snapshot`.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from ..errors import StoreError
from .connect import now

log = logging.getLogger(__name__)

#: Snapshots kept (the newest, all of the current generation): a few athletes and days.
KEEP = 32
#: How long (ms) saving a snapshot waits for another writer (an import) before giving up:
#: a cache must never hold a command up.
SAVE_WAIT_MS = 200


class Snapshots:
    """The snapshot methods of :class:`~strideload.store.Store` (mixed into it)."""

    _db: sqlite3.Connection
    readonly: bool

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:  # pragma: no cover - Store's
        raise NotImplementedError

    def data_generation(self) -> int:
        """The count of changes to what the status reads (moves on with every such write)."""
        row = self._db.execute("SELECT value FROM data_generation WHERE id = 1").fetchone()
        return int(row[0]) if row else 0

    def snapshot(self, key: str, generation: int) -> str | None:
        """The rows (JSON) stored under ``key`` at ``generation``; None when there are none or
        they were computed at another generation."""
        row = self._db.execute("SELECT rows FROM status_snapshots WHERE key = ? AND generation = ?",
                               (key, generation)).fetchone()
        return None if row is None else str(row[0])

    def save_snapshot(self, key: str, generation: int, rows: str) -> bool:
        """Keep ``rows`` (JSON) under ``key`` if the store is still at ``generation`` (the data
        they were computed from may have changed meanwhile); drop older generations' rows.

        Returns whether they were saved. A read-only store, or one another process is writing
        to, is left as it is: the next command computes the rows again.
        """
        if self.readonly:
            return False
        try:
            with self._short_wait(), self.transaction() as db:
                if self.data_generation() != generation:
                    return False
                db.execute("DELETE FROM status_snapshots WHERE generation != ?", (generation,))
                db.execute("INSERT OR REPLACE INTO status_snapshots (key, generation, rows, taken_at) "
                           "VALUES (?, ?, ?, ?)",
                           (key, generation, rows, now()))
                db.execute("DELETE FROM status_snapshots WHERE key NOT IN "
                           "(SELECT key FROM status_snapshots ORDER BY taken_at DESC, rowid DESC LIMIT ?)", (KEEP,))
        except (StoreError, sqlite3.Error) as exc:
            log.debug("status snapshot not saved: %s", exc)
            return False
        return True

    def snapshot_keys(self) -> set[str]:
        """Keys of the stored snapshots (any generation): for tests and ``doctor``."""
        return {str(row[0]) for row in self._db.execute("SELECT key FROM status_snapshots")}

    @contextmanager
    def _short_wait(self) -> Iterator[None]:
        before = self._db.execute("PRAGMA busy_timeout").fetchone()[0]
        self._db.execute(f"PRAGMA busy_timeout = {SAVE_WAIT_MS}")
        try:
            yield
        finally:
            self._db.execute(f"PRAGMA busy_timeout = {int(before)}")
