"""Effort and context in the store: RPE given by hand, heart-rate histograms, context periods.

The methods of :class:`~strideload.store.Store` (mixed into it) for issue 14's data:

* ``efforts``: an RPE per activity given by hand (``rpe add`` / ``rpe import`` /
  ``rpe*.csv``), winning over the one its file or export stated (``activities.rpe``);
* ``activities.hr_histogram``: seconds at each bpm, for TRIMP (:mod:`strideload.effort`);
  runs stored before it existed get theirs from their stream (:meth:`fill_hr_histograms`);
* ``context_periods``: injury, illness and holiday periods (:mod:`strideload.context`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..context import CONTEXT_COLUMNS, ContextPeriod
from ..effort import RpeEntry, RpeInputError, hr_histogram
from ..errors import UsageError
from .connect import now
from .corrections import Change
from .streams import decode_stream

if TYPE_CHECKING:  # pandas loads in the methods that build frames: opening a store stays cheap
    import pandas as pd

#: Columns of ``Store.rpe_frame()``.
RPE_COLUMNS = ["activity_id", "athlete", "local_date", "start_time", "name", "distance_m", "timer_s", "rpe",
               "rpe_source", "note"]



@dataclass(frozen=True)
class Written:
    """What writing entries did: new ones, changed ones, and repeats."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0


class Effort:
    """RPE, heart-rate histograms and context periods (mixed into :class:`~strideload.store.Store`)."""

    _db: sqlite3.Connection
    readonly: bool

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:  # pragma: no cover - Store's
        raise NotImplementedError

    def _activity(self, db: sqlite3.Connection, ref: str) -> sqlite3.Row:  # pragma: no cover - Corrections'
        raise NotImplementedError

    def _log(self, db: sqlite3.Connection, change: Change) -> Change:  # pragma: no cover - Corrections'
        raise NotImplementedError

    # -- RPE ----------------------------------------------------------------------------
    def _run_for(self, db: sqlite3.Connection, entry: RpeEntry, athlete: str | None, path: str | None) -> str:
        """The activity id an entry names; :class:`RpeInputError` (line, field) when it names none or several."""
        def bad(message: str, field: str) -> RpeInputError:
            return RpeInputError(message, field=field, line=entry.line, path=path)

        if entry.activity:
            try:
                row = self._activity(db, entry.activity)
            except UsageError as exc:
                raise bad(str(exc), "activity") from exc
            if athlete is not None and row["athlete"] != athlete:
                raise bad(f"activity {row['id']} is {row['athlete']}'s, not {athlete}'s", "activity")
            return str(row["id"])
        assert entry.date is not None
        sql = "SELECT id, athlete, start_time FROM activities WHERE local_date = ? AND running = 1"
        params: tuple[Any, ...] = (entry.date.isoformat(),)
        if athlete is not None:
            sql, params = sql + " AND athlete = ?", (*params, athlete)
        rows = db.execute(sql + " ORDER BY start_utc", params).fetchall()
        if entry.time:
            rows = [row for row in rows if (row["start_time"] or "")[11:16] == entry.time]
        if not rows:
            at = f" starting at {entry.time}" if entry.time else ""
            raise bad(f"no run on {entry.date.isoformat()}{at}" + (f" for {athlete}" if athlete else ""),
                      "time" if entry.time else "date")
        if len(rows) > 1:
            starts = ", ".join((row["start_time"] or "?")[11:16] for row in rows)
            raise bad(f"{len(rows)} runs on {entry.date.isoformat()} (starting {starts}): give the time or "
                      "the activity id", "time" if entry.time else "date")
        return str(rows[0]["id"])

    def add_rpe(self, entries: Iterable[RpeEntry], *, athlete: str | None = None, source: str = "cli",
                path: str | None = None) -> Written:
        """Give runs their RPE by hand, in one transaction: all entries or, on any error
        (a run named by none or several activities: :class:`RpeInputError` with line and field),
        none. ``athlete`` limits date lookups (and refuses another athlete's activity id)."""
        added = updated = unchanged = 0
        with self.transaction() as db:
            seen: dict[str, int | None] = {}
            for entry in entries:
                activity_id = self._run_for(db, entry, athlete, path)
                if activity_id in seen:
                    raise RpeInputError(f"names the same run as line {seen[activity_id]}", field="activity",
                                        line=entry.line, path=path)
                seen[activity_id] = entry.line
                row = db.execute("SELECT rpe, note FROM efforts WHERE activity_id = ?", (activity_id,)).fetchone()
                note = entry.note or (row["note"] if row is not None else "")
                if row is not None and (row["rpe"], row["note"]) == (entry.rpe, note):
                    unchanged += 1
                    continue
                db.execute("INSERT OR REPLACE INTO efforts (activity_id, rpe, note, source, recorded_at) "
                           "VALUES (?, ?, ?, ?, ?)", (activity_id, entry.rpe, note, source, now()))
                added, updated = (added + 1, updated) if row is None else (added, updated + 1)
        return Written(added, updated, unchanged)

    def delete_rpe(self, ref: str) -> Change:
        """Forget the RPE given by hand for activity ``ref`` (the file's own, if any, shows again)."""
        with self.transaction() as db:
            row = self._activity(db, ref)
            gone = db.execute("DELETE FROM efforts WHERE activity_id = ?", (row["id"],)).rowcount
            if not gone:
                raise UsageError(f"activity {row['id']} has no RPE given by hand")
            return self._log(db, Change("rpe-delete", row["athlete"], f"forgot the RPE given for activity "
                                        f"{row['id']} ({row['local_date']})", {"activity_id": row["id"]}))

    def rpe_frame(self, athlete: str | None = None) -> pd.DataFrame:
        """Every run (:data:`RPE_COLUMNS`), with its ``rpe`` (None when unknown) and where it came
        from: ``rpe_source`` ``hand`` (given here), ``file`` (its file or export), or None."""
        import pandas as pd

        sql = ("SELECT a.id AS activity_id, a.athlete, a.local_date, a.start_time, a.name, a.distance_m, a.timer_s, "
               "COALESCE(e.rpe, a.rpe) AS rpe, CASE WHEN e.rpe IS NOT NULL THEN 'hand' WHEN a.rpe IS NOT NULL "
               "THEN 'file' END AS rpe_source, NULLIF(e.note, '') AS note FROM activities AS a "
               "LEFT JOIN efforts AS e ON e.activity_id = a.id WHERE a.running = 1")
        params: tuple[Any, ...] = ()
        if athlete is not None:
            sql, params = sql + " AND a.athlete = ?", (athlete,)
        frame = pd.read_sql_query(sql + " ORDER BY a.athlete, a.start_utc, a.id", self._db, params=params)
        for name in ("rpe_source", "note", "name"):
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
        return frame[RPE_COLUMNS]

    # -- heart rate ---------------------------------------------------------------------
    def fill_hr_histograms(self, limit: int | None = None) -> int:
        """Give runs stored before heart-rate histograms existed theirs, from their streams;
        returns how many were filled (0 on a read-only store)."""
        if self.readonly:
            return 0
        sql = ("SELECT a.id, s.parquet FROM activities AS a JOIN streams AS s ON s.activity_id = a.id "
               "WHERE a.hr_histogram IS NULL AND a.running = 1")
        rows = self._db.execute(sql + (f" LIMIT {int(limit)}" if limit else "")).fetchall()
        if not rows:
            return 0
        updates = [(hr_histogram(decode_stream(row["parquet"])), row["id"]) for row in rows]
        with self.transaction() as db:
            db.executemany("UPDATE activities SET hr_histogram = ? WHERE id = ?", updates)
        return len(updates)

    # -- context periods ----------------------------------------------------------------
    def add_context(self, periods: Iterable[ContextPeriod], source: str = "cli") -> Written:
        """Record context periods in one transaction; a period already recorded (same athlete,
        dates and kind) takes a new note when given one."""
        added = updated = unchanged = 0
        with self.transaction() as db:
            for period in periods:
                key = period.key()
                row = db.execute("SELECT note FROM context_periods WHERE athlete = ? AND start_date = ? AND "
                                 "end_date = ? AND kind = ?", key).fetchone()
                if row is None:
                    db.execute("INSERT INTO context_periods (athlete, start_date, end_date, kind, note, source, "
                               "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)", (*key, period.note or "", source, now()))
                    added += 1
                elif period.note and period.note != row["note"]:
                    db.execute("UPDATE context_periods SET note = ?, source = ?, recorded_at = ? WHERE athlete = ? "
                               "AND start_date = ? AND end_date = ? AND kind = ?", (period.note, source, now(), *key))
                    updated += 1
                else:
                    unchanged += 1
        return Written(added, updated, unchanged)

    def context_frame(self, athlete: str | None = None) -> pd.DataFrame:
        """Context periods (:data:`~strideload.context.CONTEXT_COLUMNS`) by athlete and start;
        dates ``YYYY-MM-DD``, ``note`` None when not given."""
        import pandas as pd

        sql = "SELECT id, athlete, start_date, end_date, kind, NULLIF(note, '') AS note FROM context_periods"
        params: tuple[Any, ...] = ()
        if athlete is not None:
            sql, params = sql + " WHERE athlete = ?", (athlete,)
        frame = pd.read_sql_query(sql + " ORDER BY athlete, start_date, id", self._db, params=params)
        frame["note"] = frame["note"].astype(object).where(frame["note"].notna(), None)
        return frame[CONTEXT_COLUMNS]

    def delete_context(self, period_id: int) -> Change:
        """Delete one context period by its id (``context list`` shows ids)."""
        with self.transaction() as db:
            row = db.execute("SELECT * FROM context_periods WHERE id = ?", (period_id,)).fetchone()
            if row is None:
                raise UsageError(f"no context period with id {period_id} ('strideload context list' shows ids)")
            db.execute("DELETE FROM context_periods WHERE id = ?", (period_id,))
            return self._log(db, Change("context-delete", row["athlete"], f"deleted {row['athlete']}'s "
                                        f"{row['kind']} {row['start_date']} to {row['end_date']}",
                                        {key: row[key] for key in ("id", "kind", "start_date", "end_date")}))
