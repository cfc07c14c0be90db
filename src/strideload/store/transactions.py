"""How the store's writes become SQLite transactions: one each, or many in a batch.

Every write is ``with store.transaction() as db:``: atomic, rolled back whole on any error.
An import of thousands of files writes one result after another; a transaction per file
cost about as much as the rest of the parent's work (a WAL commit, and a checkpoint every
few dozen files). Inside ``with store.batch():`` each write is a savepoint instead: an error
rolls back that write alone, as before, and the batch commits every ``every`` writes or
``seconds``, and at its end. The store stays consistent whatever happens: a kill loses at
most the writes since the last commit, which the next import redoes; when the block stops on
an error (Ctrl-C, a full disk), the writes made whole before it are committed, so every file
before it is kept.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import StoreError
from ..settings import SETTINGS
from . import connect

#: A batch commits after this many writes (by default the import's setting), or this many
#: seconds, whichever comes first.
BATCH_WRITES: int = SETTINGS["import_batch_files"].default
BATCH_SECONDS = 1.0


@dataclass
class _Batch:
    every: int
    seconds: float
    writes: int = 0
    depth: int = 0  # savepoints open now (a write inside a write)
    began: float = field(default_factory=time.monotonic)


class Transactions:
    """The store's :meth:`transaction` and :meth:`batch` (a mixin of :class:`~strideload.store.Store`)."""

    _db: sqlite3.Connection
    path: Path
    readonly: bool = False
    _batch: _Batch | None = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: ``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error (inside a
        :meth:`batch`, a savepoint of the batch's transaction, rolled back alone).

        SQLite's own write failures (a full disk, a read-only file, a lock held too long)
        become one :class:`StoreError` that says what to do; nothing is half-written.
        """
        if self.readonly:
            raise connect.write_error(self.path, None)
        if self._batch is not None:
            with self._savepoint(self._batch) as db:
                yield db
            return
        self._begin()
        try:
            yield self._db
            self._db.execute("COMMIT")
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, sqlite3.OperationalError):
                raise connect.write_error(self.path, exc) from exc
            raise

    @contextmanager
    def batch(self, every: int = BATCH_WRITES, seconds: float = BATCH_SECONDS) -> Iterator[None]:
        """Group the writes inside into few transactions (see the module doc). Not nested.

        However the block ends (Ctrl-C, a full disk, a bug), the writes made whole before it are
        committed: a failed write was rolled back to its savepoint. When SQLite cannot commit them
        either, nothing of the open transaction is kept, and the block's own error is raised."""
        if self._batch is not None:
            raise RuntimeError("store batches do not nest")
        self._batch = _Batch(every, seconds)
        try:
            yield
        except BaseException:
            self._batch = None
            with suppress(StoreError):
                self._commit_open()
            raise
        self._batch = None
        self._commit_open()

    @contextmanager
    def _savepoint(self, batch: _Batch) -> Iterator[sqlite3.Connection]:
        if not self._db.in_transaction:
            self._begin()
            batch.began = time.monotonic()
        name = f"write_{batch.depth}"
        batch.depth += 1
        try:
            self._db.execute(f"SAVEPOINT {name}")
            try:
                yield self._db
                self._db.execute(f"RELEASE {name}")
            except BaseException as exc:
                try:
                    self._db.execute(f"ROLLBACK TO {name}")
                    self._db.execute(f"RELEASE {name}")
                except sqlite3.Error:  # SQLite already rolled the transaction back
                    pass
                if isinstance(exc, sqlite3.OperationalError):
                    raise connect.write_error(self.path, exc) from exc
                raise
        finally:
            batch.depth -= 1
        batch.writes += batch.depth == 0
        if batch.depth == 0 and (batch.writes >= batch.every or time.monotonic() - batch.began >= batch.seconds):
            self._commit_open()
            batch.writes = 0

    def _begin(self) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise connect.write_error(self.path, exc) from exc

    def _commit_open(self) -> None:
        """Commit the transaction open now, if any."""
        if not self._db.in_transaction:
            return
        try:
            self._db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self._rollback()
            raise connect.write_error(self.path, exc) from exc

    def _rollback(self) -> None:
        try:
            self._db.execute("ROLLBACK")
        except sqlite3.Error:  # COMMIT failed and SQLite already rolled back
            pass
