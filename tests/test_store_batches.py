"""Writes grouped in batches (strideload.store.transactions): each write stays atomic, commits
come every N writes, and whatever stops the batch, the writes made whole before are kept."""

from __future__ import annotations

import sqlite3

import pytest

from strideload.errors import StoreError
from strideload.store import Store


def _committed(db) -> int:
    """Failures another connection sees: what is committed."""
    with sqlite3.connect(db) as other:
        return other.execute("SELECT count(*) FROM failures").fetchone()[0]


def _write(store: Store, i: int) -> None:
    store.record_failure(f"file{i}.fit", "ana", None, "a reason")


def test_a_batch_commits_every_n_writes_and_at_its_end(tmp_path):
    db = tmp_path / "s.db"
    with Store.open(db) as store, store.batch(every=3, seconds=3600):
        seen = []
        for i in range(7):
            _write(store, i)
            seen.append(_committed(db))
        assert seen == [0, 0, 3, 3, 3, 6, 6]
    assert _committed(db) == 7


def test_a_batch_commits_after_its_seconds_whatever_the_count(tmp_path):
    db = tmp_path / "s.db"
    with Store.open(db) as store, store.batch(every=1000, seconds=0):
        _write(store, 1)
        assert _committed(db) == 1


def test_a_failed_write_is_rolled_back_alone_and_the_others_are_kept(tmp_path):
    db = tmp_path / "s.db"
    with Store.open(db) as store, store.batch(every=100):
        _write(store, 1)
        with pytest.raises(RuntimeError, match="a bug"), store.transaction() as write:
            write.execute("INSERT INTO failures (source_path, athlete, reason, failed_at) "
                          "VALUES ('x', 'ana', 'r', 't')")
            raise RuntimeError("a bug in the middle of a write")
        _write(store, 2)
    with sqlite3.connect(db) as other:
        assert [r[0] for r in other.execute("SELECT source_path FROM failures ORDER BY 1")] == ["file1.fit",
                                                                                                  "file2.fit"]


def test_ctrl_c_in_a_batch_keeps_every_write_made_before_it(tmp_path):
    db = tmp_path / "s.db"
    with Store.open(db) as store:
        with pytest.raises(KeyboardInterrupt), store.batch(every=100):
            _write(store, 1)
            _write(store, 2)
            with store.transaction() as write:  # interrupted in the middle of a write
                write.execute("INSERT INTO failures (source_path, athlete, reason, failed_at) "
                              "VALUES ('half', 'ana', 'r', 't')")
                raise KeyboardInterrupt
        assert _committed(db) == 2
        _write(store, 3)  # after the batch, every write is its own transaction again
        assert _committed(db) == 3


def test_a_write_sqlite_refuses_stops_the_batch_and_keeps_the_writes_before(tmp_path):
    db = tmp_path / "s.db"
    with Store.open(db) as store:
        with pytest.raises(StoreError), store.batch(every=100):
            _write(store, 1)
            with store.transaction() as write:
                write.execute("INSERT INTO no_such_table VALUES (1)")
    assert _committed(db) == 1


def test_batches_do_not_nest(tmp_path):
    with Store.open(tmp_path / "s.db") as store, store.batch(), pytest.raises(RuntimeError, match="nest"):
        with store.batch():
            pass
