"""The local store: one SQLite file in WAL mode, the only code that speaks SQL.

Activities (summary columns of :data:`strideload.model.SUMMARY_FIELDS`) and their
per-second streams (compressed Arrow bytes, see :mod:`.streams`, in the same database, so
one transaction covers both) live here, with a record of every file handled and of the
size and modification time each file on disk had then (so a re-import skips reading it). Writing one file's result is
a single transaction: a crash or ``kill -9`` leaves either all of it or none of it,
and re-running the import finishes the job.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..effort import hr_histogram
from ..errors import StoreError, UsageError
from ..model import SUMMARY_FIELDS, Activity, utc_from_iso
from . import connect, locks
from .connect import now
from .corrections import Change, Corrections
from .effort import Effort, Written
from .logs import Logs, PainWrite
from .migrations import MIGRATIONS
from .snapshots import Snapshots
from .streams import decode_stream, encode_stream
from .transactions import Transactions

if TYPE_CHECKING:  # pandas loads in the methods that build frames: opening a store stays cheap
    import pandas as pd

__all__ = ["Change", "PainWrite", "Store", "StoredFile", "Written", "default_db_path"]

#: Columns stored beside the summary fields (``hr_histogram``: see :mod:`strideload.effort`).
EXTRA_COLUMNS = ("name", "hr_histogram")
ACTIVITY_COLUMNS = (*SUMMARY_FIELDS, *EXTRA_COLUMNS)


def default_db_path() -> Path:
    """``$STRIDELOAD_DB`` if set, else ``strideload.db`` in the user's data directory."""
    env = os.environ.get("STRIDELOAD_DB")
    if env:
        return Path(env)
    import platformdirs  # only for the default path: not worth its import elsewhere

    return Path(platformdirs.user_data_dir("strideload")) / "strideload.db"



def _utc_key(start_time: str | datetime | None) -> str | None:
    """ISO start time with any offset -> sortable UTC text key."""
    if not start_time:
        return None
    moment = start_time if isinstance(start_time, datetime) else utc_from_iso(start_time)
    if moment.tzinfo is None:
        raise TypeError(f"a start time without a UTC offset: {start_time!r}")
    return moment.astimezone(timezone.utc).strftime(UTC_KEY)


#: The form of ``start_utc`` keys: sortable text, to the second.
UTC_KEY = "%Y-%m-%dT%H:%M:%SZ"


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (comments dropped, no ';' inside literals; a
    trigger's ``BEGIN ...; END`` stays one statement)."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    statements, pending = [], ""
    for part in "\n".join(lines).split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip("; \n\t"):
                statements.append(pending.strip().removesuffix(";").strip())
            pending = ""
    if pending.strip("; \n\t"):
        statements.append(pending.strip().removesuffix(";").strip())
    return statements


@dataclass(frozen=True)
class StoredFile:
    """What the store remembers of a file's bytes."""

    sha256: str
    athlete: str
    source_path: str
    outcome: str
    detail: str | None


@dataclass(frozen=True)
class FileStat:
    """A file on disk as ``os.stat`` saw it before its bytes were read: size in bytes, mtime in ns."""

    path: str
    size: int
    mtime_ns: int


class Store(Transactions, Corrections, Effort, Logs, Snapshots):
    """A strideload database. Open with :meth:`Store.open`; close when done.

    Corrections by hand (move, delete, rename, merge, pain edits) and their change log are
    the methods of :class:`~strideload.store.corrections.Corrections`; RPE, heart-rate
    histograms and context periods those of :class:`~strideload.store.effort.Effort`; the
    knee-pain log and return-to-run plans those of :class:`~strideload.store.logs.Logs`; results
    kept between changes (the status snapshot), those of :class:`~strideload.store.snapshots.Snapshots`;
    how writes become SQLite transactions (one each, or many in a batch), those of
    :class:`~strideload.store.transactions.Transactions`.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path):
        self._db = connection
        self.path = path

    # -- lifecycle -------------------------------------------------------------------
    readonly: bool = False  #: opened read-only (a read-only file or folder): every write raises StoreError

    @classmethod
    def open(cls, path: Path | str) -> Store:
        """Open the store at ``path``, creating and migrating it as needed.

        Several processes may open a new store at once. A store this process cannot write (a
        read-only file or folder) is opened read-only: reading works, and the first write
        raises :class:`StoreError`. A store written by a newer strideload is refused.
        """
        path = Path(path).expanduser()
        try:
            if path.is_dir():
                raise StoreError(f"{path} is a folder, not a strideload store (a .db file)")
            path.parent.mkdir(parents=True, exist_ok=True)
            store = cls(connect.open_writable(path), path)
        except connect.ReadOnly:
            store = cls(connect.open_readonly(path), path)
            store.readonly = True
        except sqlite3.DatabaseError as exc:
            raise connect.open_error(path, exc) from exc
        except OSError as exc:
            raise StoreError(f"cannot create the store at {path}: {exc.strerror or exc}") from exc
        try:
            store._migrate()
        except sqlite3.DatabaseError as exc:
            store.close()
            raise connect.open_error(path, exc) from exc
        except StoreError:
            store.close()
            raise
        return store

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        known = [name for name, _ in MIGRATIONS]
        if self.readonly:
            done = set(connect.applied(self._db))
            connect.check_schema(self.path, done, known)
            if set(known) - done:
                raise StoreError(f"the store at {self.path} was made by an older strideload and needs "
                                 "upgrading, which needs write access: run any strideload command that "
                                 "writes (e.g. 'strideload doctor') where the store can be written")
            return
        with self.transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS migrations "
                       "(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, applied_at TEXT NOT NULL)")
        connect.check_schema(self.path, set(connect.applied(self._db)), known)
        for number, (name, sql) in enumerate(MIGRATIONS, start=1):
            if name in set(connect.applied(self._db)):
                continue
            with self.transaction() as db:
                # Re-check inside the write lock: another process may have migrated meanwhile.
                if db.execute("SELECT 1 FROM migrations WHERE name = ?", (name,)).fetchone():
                    continue
                for statement in _statements(sql):
                    db.execute(statement)
                db.execute("INSERT INTO migrations (id, name, applied_at) VALUES (?, ?, ?)",
                           (number, name, now()))

    def lock(self, name: str, **about: Any) -> AbstractContextManager[None]:
        """Hold the store's ``name`` advisory lock (see :mod:`.locks`); raises ``LockHeld`` if taken."""
        return locks.exclusive(self.path, name, about)

    def applied_migrations(self) -> list[str]:
        return [row["name"] for row in self._db.execute("SELECT name FROM migrations ORDER BY id")]

    # -- health (strideload doctor) ----------------------------------------------------
    def schema_state(self) -> tuple[list[str], list[str]]:
        """(applied migrations, migrations this version knows that are not applied yet)."""
        done = connect.applied(self._db)
        return done, [name for name, _ in MIGRATIONS if name not in done]

    def integrity_problems(self) -> list[str]:
        """SQLite's own integrity and foreign-key checks; empty when the file is sound."""
        found = [row[0] for row in self._db.execute("PRAGMA integrity_check") if row[0] != "ok"]
        for row in self._db.execute("PRAGMA foreign_key_check"):
            found.append(f"row {row[1]} of {row[0]} points at a missing {row[2]}")
        return found

    def orphans(self) -> dict[str, list[str]]:
        """Streams whose activity is gone, and activities (with a file) whose stream is gone, by id."""
        streams = [row[0] for row in self._db.execute(
            "SELECT activity_id FROM streams WHERE activity_id NOT IN (SELECT id FROM activities)")]
        activities = [row[0] for row in self._db.execute(
            "SELECT id FROM activities WHERE id NOT IN (SELECT activity_id FROM streams)")]
        return {"streams": streams, "activities": activities}

    def remove_orphan_streams(self) -> int:
        with self.transaction() as db:
            return db.execute("DELETE FROM streams WHERE activity_id NOT IN (SELECT id FROM activities)").rowcount

    # -- files -----------------------------------------------------------------------
    def known_file(self, sha256: str) -> StoredFile | None:
        """What the store remembers of these bytes: ``outcome`` ``deleted`` when their
        activities were deleted by hand (``detail`` says when), else how they were imported."""
        deleted = self.deleted_file(sha256)
        if deleted is not None:
            return StoredFile(sha256, deleted["athlete"], deleted["source_path"], "deleted",
                              f"deleted on {deleted['deleted_at'][:10]}")
        row = self._db.execute("SELECT sha256, athlete, source_path, outcome, detail FROM files "
                               "WHERE sha256 = ?", (sha256,)).fetchone()
        return StoredFile(**dict(row)) if row else None

    def failure(self, source_path: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT * FROM failures WHERE source_path = ?", (source_path,)).fetchone()
        return dict(row) if row else None

    def record_failure(self, source_path: str, athlete: str, sha256: str | None, reason: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO failures (source_path, athlete, sha256, reason, failed_at) "
                       "VALUES (?, ?, ?, ?, ?)", (source_path, athlete, sha256, reason, now()))

    def record_file(self, *, sha256: str, athlete: str, source_path: str, outcome: str,
                    detail: str | None = None, add: Iterable[Activity] = (),
                    remove: Iterable[str] = (), stat: FileStat | None = None) -> None:
        """Write one file's whole result atomically: its activities, the ones it replaces,
        the record that its bytes were handled (a file deleted by hand is no longer) and
        (``stat``) what the file looked like."""
        with self.transaction() as db:
            db.execute("DELETE FROM deleted_files WHERE sha256 = ?", (sha256,))
            if stat is not None:
                self._remember(db, stat, sha256)
            for activity_id in remove:
                db.execute("DELETE FROM activities WHERE id = ?", (activity_id,))
            for activity in add:
                self._insert(db, activity)
            db.execute("INSERT OR REPLACE INTO files (sha256, athlete, source_path, outcome, detail, "
                       "imported_at) VALUES (?, ?, ?, ?, ?, ?)",
                       (sha256, athlete, source_path, outcome, detail, now()))
            db.execute("DELETE FROM failures WHERE source_path = ?", (source_path,))

    def known_stats(self) -> dict[str, tuple[int, int, StoredFile]]:
        """Every file on disk whose bytes were handled and are still known: path -> (size in bytes,
        mtime in ns, what the store remembers of its bytes, as :meth:`known_file` says)."""
        rows = self._db.execute("""
            SELECT s.path, s.size, s.mtime_ns, s.sha256, f.athlete, f.source_path, f.outcome, f.detail,
                   d.athlete AS d_athlete, d.source_path AS d_source_path, d.deleted_at
            FROM file_stats AS s LEFT JOIN files AS f ON f.sha256 = s.sha256
                                 LEFT JOIN deleted_files AS d ON d.sha256 = s.sha256
            WHERE f.sha256 IS NOT NULL OR d.sha256 IS NOT NULL""")
        known = {}
        for row in rows:
            if row["deleted_at"] is not None:
                stored = StoredFile(row["sha256"], row["d_athlete"], row["d_source_path"], "deleted",
                                    f"deleted on {row['deleted_at'][:10]}")
            else:
                stored = StoredFile(row["sha256"], row["athlete"], row["source_path"], row["outcome"], row["detail"])
            known[row["path"]] = (row["size"], row["mtime_ns"], stored)
        return known

    def remember_stat(self, stat: FileStat, sha256: str) -> None:
        """Remember that the file ``stat`` describes holds the bytes ``sha256``."""
        with self.transaction() as db:
            self._remember(db, stat, sha256)

    @staticmethod
    def _remember(db: sqlite3.Connection, stat: FileStat, sha256: str) -> None:
        db.execute("INSERT OR REPLACE INTO file_stats (path, size, mtime_ns, sha256) VALUES (?, ?, ?, ?)",
                   (stat.path, stat.size, stat.mtime_ns, sha256))

    # -- activities ------------------------------------------------------------------
    def insert_activity(self, activity: Activity) -> None:
        """Insert one activity with its stream, atomically (replacing one with the same id)."""
        with self.transaction() as db:
            self._insert(db, activity)

    def _insert(self, db: sqlite3.Connection, activity: Activity) -> None:
        row = {name: activity.summary.get(name) for name in ACTIVITY_COLUMNS}
        row["running"] = int(bool(row["running"]))
        row["summary_only"] = int(bool(row["summary_only"]))
        if row["hr_histogram"] is None and hasattr(activity, "columns"):  # a worker's activity brings its own
            row["hr_histogram"] = hr_histogram(activity.columns) if row["running"] else ""
        row["start_utc"] = _utc_key(row["start_time"])
        row["imported_at"] = now()
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        db.execute(f"INSERT OR REPLACE INTO activities ({names}) VALUES ({marks})", tuple(row.values()))
        blob = getattr(activity, "stream_bytes", None)  # encoded by an import worker
        db.execute("INSERT OR REPLACE INTO streams (activity_id, parquet) VALUES (?, ?)",
                   (activity.id, blob if blob is not None else encode_stream(activity.columns)))

    def overlapping(self, athlete: str, start_time: str, window_s: float) -> list[dict[str, Any]]:
        """Activities of ``athlete`` that started within ``window_s`` seconds of ``start_time``."""
        start, window = utc_from_iso(start_time), timedelta(seconds=window_s)
        low, high = (start - window).strftime(UTC_KEY), (start + window).strftime(UTC_KEY)
        rows = self._db.execute("SELECT * FROM activities WHERE athlete = ? AND start_utc BETWEEN ? AND ?",
                                (athlete, low, high))
        return [dict(row) for row in rows]

    # -- local times (ingest.localtime) ------------------------------------------------
    def zone_candidates(self, athletes: list[str] | None = None) -> list[dict[str, Any]]:
        """Runs whose zone was decided outside their file (``timezone_source`` nearest,
        configured or machine), or not recorded at all (stored before zones were; FIT runs of
        that time are left as they are): ``id, athlete, start_utc, start_time, timezone,
        timezone_source``."""
        sql = ("SELECT id, athlete, start_utc, start_time, timezone, timezone_source FROM activities "
               "WHERE start_utc IS NOT NULL AND (timezone_source IN ('nearest', 'configured', 'machine') "
               "OR (timezone_source IS NULL AND format != 'fit'))")
        params: tuple[Any, ...] = ()
        if athletes is not None:
            sql += f" AND athlete IN ({', '.join('?' for _ in athletes)})"
            params = tuple(athletes)
        return [dict(row) for row in self._db.execute(sql + " ORDER BY athlete, start_utc", params)]

    def zone_anchors(self, athlete: str) -> list[tuple[str, str]]:
        """``(start_utc, timezone)`` of ``athlete``'s runs whose file gave their zone (own offset or
        coordinates), oldest first."""
        rows = self._db.execute("SELECT start_utc, timezone FROM activities WHERE athlete = ? AND "
                                "timezone_source IN ('file', 'coordinates') AND start_utc IS NOT NULL "
                                "AND timezone IS NOT NULL ORDER BY start_utc", (athlete,))
        return [(row["start_utc"], row["timezone"]) for row in rows]

    def set_local_times(self, updates: Iterable[tuple[str, str, str, str, str]]) -> None:
        """Re-date runs in one transaction: ``(id, start_time, local_date, timezone, timezone_source)``."""
        with self.transaction() as db:
            db.executemany("UPDATE activities SET start_time = ?, local_date = ?, timezone = ?, timezone_source = ? "
                           "WHERE id = ?", [(start, day, zone, source, activity_id)
                                            for activity_id, start, day, zone, source in updates])

    def activities_frame(self, athlete: str | None = None) -> pd.DataFrame:
        """All activities (optionally of one athlete) as a DataFrame, oldest first.

        Beside the summary fields, ``name`` and ``hr_histogram``: ``decision``, the runner's
        ``include`` / ``exclude`` for the activity (:meth:`decide`), or None. ``rpe`` is the one
        given by hand (``efforts``) where there is one, else the file's.
        """
        import pandas as pd

        columns = ", ".join("COALESCE(e.rpe, a.rpe) AS rpe" if name == "rpe" else f"a.{name}"
                            for name in ACTIVITY_COLUMNS)
        sql = (f"SELECT {columns}, d.decision AS decision FROM activities AS a "
               "LEFT JOIN activity_decisions AS d ON d.activity_id = a.id "
               "LEFT JOIN efforts AS e ON e.activity_id = a.id")
        params: tuple[Any, ...] = ()
        if athlete is not None:
            sql += " WHERE a.athlete = ?"
            params = (athlete,)
        frame = pd.read_sql_query(sql + " ORDER BY a.athlete, a.start_utc, a.id", self._db, params=params)
        frame["running"] = frame["running"].astype(bool)
        frame["summary_only"] = frame["summary_only"].astype(bool)
        frame["decision"] = frame["decision"].astype(object).where(frame["decision"].notna(), None)
        return frame

    def decide(self, ref: str, decision: str) -> Change:
        """Record the runner's ``include`` or ``exclude`` for the activity ``ref`` (its id, or a
        unique start of it), in the change log too.

        The decision overrides the automatic plausibility rule and replaces any earlier one.
        """
        if decision not in ("include", "exclude"):
            raise UsageError(f"a decision is 'include' or 'exclude', not {decision!r}")
        with self.transaction() as db:
            row = self._activity(db, ref)
            db.execute("INSERT OR REPLACE INTO activity_decisions (activity_id, decision, decided_at) "
                       "VALUES (?, ?, ?)", (row["id"], decision, now()))
            what = ("counted: it is load and takes part in every flag, whatever the plausibility rule says"
                    if decision == "include" else "set aside: it stays listed but is left out of load and of "
                    "every flag")
            return self._log(db, Change(decision, row["athlete"], f"{row['athlete']}'s {self._describe(row)} is "
                                        f"{what}", {"activity_id": row["id"], "decision": decision}))

    def stream(self, activity_id: str) -> pd.DataFrame:
        """The per-second stream of one activity (columns of ``model.STREAM_COLUMNS``)."""
        row = self._db.execute("SELECT parquet FROM streams WHERE activity_id = ?", (activity_id,)).fetchone()
        if row is None:
            raise StoreError(f"no activity with id {activity_id!r}")
        return decode_stream(row["parquet"])

    def athlete_names(self) -> list[str]:
        rows = self._db.execute("SELECT DISTINCT athlete FROM activities ORDER BY athlete")
        return [row["athlete"] for row in rows]

    def athletes(self) -> list[dict[str, Any]]:
        """One row per athlete: activity counts, running distance and date range."""
        rows = self._db.execute("""
            SELECT athlete, COUNT(*) AS activities, SUM(running) AS runs,
                   ROUND(SUM(CASE WHEN running THEN distance_m ELSE 0 END) / 1000.0, 1) AS running_km,
                   MIN(local_date) AS first_date, MAX(local_date) AS last_date
            FROM activities GROUP BY athlete ORDER BY athlete""")
        return [dict(row) for row in rows]

    def failures(self, athlete: str | None = None) -> list[dict[str, Any]]:
        sql, params = "SELECT source_path, athlete, reason, failed_at FROM failures", ()
        if athlete is not None:
            sql, params = sql + " WHERE athlete = ?", (athlete,)
        return [dict(row) for row in self._db.execute(sql + " ORDER BY source_path", params)]
