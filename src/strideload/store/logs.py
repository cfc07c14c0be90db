"""The knee-pain log and return-to-run plans in the store (mixed into :class:`~strideload.store.Store`).

``pain``: one row per moment an athlete logged (athlete, date, time, when, side), its score
0-10 and note; ``rtr_plans`` and ``rtr_decisions``: a physical therapist's plan and the
stage decisions on it, each with its source (``cli`` or a plan file's path).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from ..pain import PAIN_COLUMNS, PainEntry, link_runs
from .connect import now
from .effort import Written

if TYPE_CHECKING:  # pandas loads in the methods that build frames: opening a store stays cheap
    import pandas as pd



#: What writing pain entries did: new entries, changed ones (score or note), and repeats.
PainWrite = Written


class Logs:
    """The pain-log and return-to-run methods of :class:`~strideload.store.Store`."""

    _db: sqlite3.Connection

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:  # pragma: no cover - Store's
        raise NotImplementedError

    # -- pain log --------------------------------------------------------------------
    def add_pain(self, entries: Iterable[PainEntry], source: str = "cli") -> PainWrite:
        """Write pain entries in one transaction: all of them or, on any error, none.

        An entry for a moment already logged (same athlete, date, time, when and side)
        replaces its score, and its note when it brings one (a score given again without a
        note keeps the note it had); an identical one changes nothing.
        """
        added = updated = unchanged = 0
        with self.transaction() as db:
            for entry in entries:
                key = entry.key()
                row = db.execute("SELECT score, note FROM pain WHERE athlete = ? AND date = ? AND time = ? "
                                 "AND timing = ? AND side = ?", key).fetchone()
                note = entry.note or (row["note"] if row is not None else "")
                values = (entry.score, note, source, now())
                if row is None:
                    db.execute("INSERT INTO pain (athlete, date, time, timing, side, score, note, source, "
                               "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (*key, *values))
                    added += 1
                elif (row["score"], row["note"]) == (entry.score, note):
                    unchanged += 1
                else:
                    db.execute("UPDATE pain SET score = ?, note = ?, source = ?, recorded_at = ? "
                               "WHERE athlete = ? AND date = ? AND time = ? AND timing = ? AND side = ?",
                               (*values, *key))
                    updated += 1
        return PainWrite(added, updated, unchanged)

    def pain_frame(self, athlete: str | None = None) -> pd.DataFrame:
        """The pain log (``pain.PAIN_COLUMNS``), by athlete and date, the day's moments in order.

        ``id`` is the entry's stable number (for ``pain edit`` and ``pain delete``);
        ``date`` is ``YYYY-MM-DD`` (the day the pain was felt), ``time`` ``HH:MM`` or None,
        ``score`` 0–10, ``side`` and ``note`` None when not given, ``activity_id`` the run a
        ``during``/``after`` entry belongs to (None when that day had no run).
        """
        import pandas as pd

        sql = ("SELECT id, athlete, date, NULLIF(time, '') AS time, score, timing AS \"when\", "
               "NULLIF(side, '') AS side, NULLIF(note, '') AS note FROM pain")
        params: tuple[Any, ...] = ()
        if athlete is not None:
            sql, params = sql + " WHERE athlete = ?", (athlete,)
        frame = pd.read_sql_query(sql, self._db, params=params)
        order = frame["when"].map({w: i for i, w in enumerate(("next-morning", "daily", "during", "after"))})
        frame = frame.assign(_order=order).sort_values(["athlete", "date", "_order", "time"], kind="stable",
                                                       na_position="first")
        frame = frame.drop(columns="_order").reset_index(drop=True)
        frame["score"] = frame["score"].astype("float64")
        for name in ("time", "side", "note"):
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
        runs_sql = ("SELECT athlete, local_date, start_time, id, distance_m FROM activities WHERE running = 1"
                    + (" AND athlete = ?" if athlete is not None else ""))
        runs = pd.read_sql_query(runs_sql, self._db, params=params)
        frame["activity_id"] = link_runs(frame, runs)
        return frame[PAIN_COLUMNS]

    def pain_athletes(self) -> list[str]:
        """Athletes with at least one pain entry."""
        return [row["athlete"] for row in self._db.execute("SELECT DISTINCT athlete FROM pain ORDER BY athlete")]

    # -- return to run ---------------------------------------------------------------
    def add_rtr_plan(self, *, athlete: str, protocol: str, protocol_toml: str, start_date: str,
                     stage: int, note: str | None = None, source: str | None = None) -> int:
        """Start a return-to-run plan at ``stage`` on ``start_date``; returns its id. ``source``:
        ``cli`` or the plan file's path. Earlier plans stay: the newest is in force from its start."""
        with self.transaction() as db:
            cursor = db.execute("INSERT INTO rtr_plans (athlete, protocol, protocol_toml, start_date, created_at, "
                                "source) VALUES (?, ?, ?, ?, ?, ?)",
                                (athlete, protocol, protocol_toml, start_date, now(), source))
            plan_id = int(cursor.lastrowid or 0)
            db.execute("INSERT INTO rtr_decisions (plan_id, date, stage, note, decided_at, source) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (plan_id, start_date, stage, note or "start", now(), source))
        return plan_id

    def add_rtr_decision(self, plan_id: int, *, date: str, stage: int, note: str | None = None,
                         source: str | None = None) -> None:
        """Record a PT's decision: the plan is at ``stage`` from ``date`` on (``source`` as above)."""
        with self.transaction() as db:
            db.execute("INSERT INTO rtr_decisions (plan_id, date, stage, note, decided_at, source) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (plan_id, date, stage, note, now(), source))

    def rtr_plans(self, athlete: str | None = None) -> list[dict[str, Any]]:
        """Return-to-run plans in the order they were recorded, each with its ``decisions``
        (by date, then as recorded)."""
        sql, params = "SELECT * FROM rtr_plans", ()
        if athlete is not None:
            sql, params = sql + " WHERE athlete = ?", (athlete,)
        plans = [dict(row) for row in self._db.execute(sql + " ORDER BY athlete, id", params)]
        for plan in plans:
            rows = self._db.execute("SELECT id, date, stage, note, decided_at, source FROM rtr_decisions "
                                    "WHERE plan_id = ? "
                                    "ORDER BY date, id", (plan["id"],))
            plan["decisions"] = [dict(row) for row in rows]
        return plans
