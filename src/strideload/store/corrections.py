"""Corrections by hand: move or delete an activity, edit or delete a pain entry, rename,
merge or delete an athlete, and the change log that records each of them.

Each correction is one transaction: the change and its change-log row are written
together or not at all, and every one returns a :class:`Change` whose ``summary`` is the
one line to show. A deleted activity's file is remembered (``deleted_files``), so importing
it again, or the watcher finding it, brings nothing back unless forced
(:meth:`Store.known_file` reports it as ``deleted``).
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError
from ..pain import PainEntry
from .connect import now

#: Tables with an ``athlete`` column that a rename or merge carries along (pain apart: its
#: moments must stay unique).
ATHLETE_TABLES = ("activities", "files", "failures", "rtr_plans", "deleted_files")



def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


@dataclass(frozen=True)
class Change:
    """One correction: ``action`` (``move``, ``delete``, ``pain-edit`` ...), the ``athlete`` it
    concerns, the one-line ``summary`` people read, and what exactly changed (``detail``)."""

    action: str
    athlete: str | None
    summary: str
    detail: dict[str, Any] = field(default_factory=dict)


class Corrections:
    """The correction methods of :class:`~strideload.store.Store` (mixed into it)."""

    _db: sqlite3.Connection

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:  # pragma: no cover - Store's
        raise NotImplementedError

    # -- lookups ------------------------------------------------------------------------
    def all_athletes(self) -> list[str]:
        """Every athlete with activities, pain entries or a return-to-run plan."""
        rows = self._db.execute("SELECT athlete FROM activities UNION SELECT athlete FROM pain "
                                "UNION SELECT athlete FROM rtr_plans ORDER BY athlete")
        return [row["athlete"] for row in rows]

    def _activity(self, db: sqlite3.Connection, ref: str) -> sqlite3.Row:
        """The activity whose id is ``ref``, or starts with it when only one does."""
        row = db.execute("SELECT * FROM activities WHERE id = ?", (ref,)).fetchone()
        if row is not None:
            return row
        rows = db.execute("SELECT * FROM activities WHERE substr(id, 1, ?) = ? LIMIT 2", (len(ref), ref)).fetchall()
        if len(rows) == 1 and ref:
            return rows[0]
        if rows and ref:
            raise UsageError(f"activity id {ref!r} is ambiguous: give more of it ('strideload activities' shows ids)")
        raise UsageError(f"no activity with id {ref!r} ('strideload activities' shows ids)")

    def _known(self, name: str) -> None:
        if name not in self.all_athletes():
            listed = ", ".join(self.all_athletes()) or "none yet"
            raise UsageError(f"unknown athlete {name!r} (known: {listed})")

    def pain_entry(self, pain_id: int) -> dict[str, Any]:
        """One pain entry by its id (``athlete``, ``date``, ``time``, ``when``, ``side``, ``score``,
        ``note``; empty optional fields ``None``)."""
        row = self._db.execute("SELECT id, athlete, date, NULLIF(time, '') AS time, timing AS \"when\", "
                               "NULLIF(side, '') AS side, score, NULLIF(note, '') AS note FROM pain WHERE id = ?",
                               (pain_id,)).fetchone()
        if row is None:
            raise UsageError(f"no pain entry with id {pain_id} ('strideload pain list' shows ids)")
        return dict(row)

    # -- the change log -----------------------------------------------------------------
    def _log(self, db: sqlite3.Connection, change: Change) -> Change:
        db.execute("INSERT INTO change_log (changed_at, action, athlete, summary, detail) VALUES (?, ?, ?, ?, ?)",
                   (now(), change.action, change.athlete, change.summary,
                    json.dumps(change.detail, ensure_ascii=False, sort_keys=True)))
        return change

    def history(self, athlete: str | None = None) -> list[dict[str, Any]]:
        """Every correction, newest first: ``id``, ``changed_at`` (UTC, ISO), ``action``,
        ``athlete``, ``summary`` and ``detail`` (a dict)."""
        sql, params = "SELECT * FROM change_log", ()
        if athlete is not None:
            named = json.dumps(athlete, ensure_ascii=False)  # as the detail spells it: "from"/"to" names
            sql, params = sql + " WHERE athlete = ? OR instr(detail, ?) > 0", (athlete, named)
        rows = [dict(row) for row in self._db.execute(sql + " ORDER BY id DESC", params)]
        for row in rows:
            row["detail"] = json.loads(row["detail"]) if row["detail"] else {}
        return rows

    # -- activities ---------------------------------------------------------------------
    @staticmethod
    def _describe(row: sqlite3.Row) -> str:
        km = f", {row['distance_m'] / 1000:.1f} km" if row["distance_m"] is not None else ""
        return f"activity {row['id']} ({row['local_date'] or 'undated'}{km})"

    def move_activity(self, ref: str, athlete: str) -> Change:
        """Give the activity ``ref`` (its id, or a unique start of it) to ``athlete``."""
        if not athlete.strip():
            raise UsageError("the athlete's name is empty")
        with self.transaction() as db:
            row = self._activity(db, ref)
            old = row["athlete"]
            if old == athlete:
                raise UsageError(f"{self._describe(row)} already belongs to {athlete}")
            db.execute("UPDATE activities SET athlete = ? WHERE id = ?", (athlete, row["id"]))
            # The file's record follows once none of its activities stays with the old athlete.
            if db.execute("SELECT 1 FROM activities WHERE sha256 = ? AND athlete = ?",
                          (row["sha256"], old)).fetchone() is None:
                db.execute("UPDATE files SET athlete = ? WHERE sha256 = ?", (athlete, row["sha256"]))
            return self._log(db, Change("move", athlete, f"moved {self._describe(row)} from {old} to {athlete}",
                                        {"activity_id": row["id"], "from": old, "to": athlete}))

    def delete_activity(self, ref: str) -> Change:
        """Delete the activity ``ref`` and its stream; its file is remembered as deleted."""
        with self.transaction() as db:
            row = self._activity(db, ref)
            db.execute("DELETE FROM activities WHERE id = ?", (row["id"],))
            db.execute("INSERT OR IGNORE INTO deleted_files (sha256, athlete, source_path, deleted_at) "
                       "VALUES (?, ?, ?, ?)", (row["sha256"], row["athlete"], row["source_path"], now()))
            return self._log(db, Change(
                "delete", row["athlete"],
                f"deleted {row['athlete']}'s {self._describe(row)} from {row['source_path']}; importing the file "
                "again brings it back only with --force",
                {"activity_id": row["id"], "sha256": row["sha256"], "source_path": row["source_path"]}))

    def deleted_file(self, sha256: str) -> dict[str, Any] | None:
        """The record of a file whose activities were deleted by hand, if any."""
        row = self._db.execute("SELECT * FROM deleted_files WHERE sha256 = ?", (sha256,)).fetchone()
        return dict(row) if row else None

    # -- pain entries -------------------------------------------------------------------
    @staticmethod
    def _moment(entry: dict[str, Any]) -> str:
        side = f", {entry['side']}" if entry.get("side") else ""
        time = f" {entry['time']}" if entry.get("time") else ""
        return f"{entry['athlete']} {entry['date']}{time} {entry['when']}{side}"

    def edit_pain(self, pain_id: int, entry: PainEntry) -> Change:
        """Replace pain entry ``pain_id`` with ``entry`` (same athlete; any field may change)."""
        after = {"athlete": entry.athlete, "date": entry.date.isoformat(), "time": entry.time, "when": entry.when,
                 "side": entry.side, "score": entry.score, "note": entry.note}
        with self.transaction() as db:
            before = self.pain_entry(pain_id)
            changed = {k: [before[k], v] for k, v in after.items() if before[k] != v}
            if not changed:
                raise UsageError(f"pain entry {pain_id} already reads like that: nothing to change")
            clash = db.execute("SELECT id FROM pain WHERE athlete = ? AND date = ? AND time = ? AND timing = ? "
                               "AND side = ? AND id != ?", (*entry.key(), pain_id)).fetchone()
            if clash is not None:
                raise UsageError(f"{self._moment(after)} is already logged as pain entry {clash['id']}: "
                                 "edit or delete that one")
            db.execute("UPDATE pain SET athlete = ?, date = ?, time = ?, timing = ?, side = ?, score = ?, note = ?, "
                       "source = 'edit', recorded_at = ? WHERE id = ?",
                       (*entry.key(), entry.score, entry.note or "", now(), pain_id))
            words = ", ".join(f"{k} {_text(a)} → {_text(b)}" for k, (a, b) in changed.items())
            return self._log(db, Change("pain-edit", entry.athlete,
                                        f"edited pain entry {pain_id} ({self._moment(before)}): {words}",
                                        {"pain_id": pain_id, "changed": changed}))

    def delete_pain(self, pain_id: int) -> Change:
        """Delete pain entry ``pain_id``."""
        with self.transaction() as db:
            before = self.pain_entry(pain_id)
            db.execute("DELETE FROM pain WHERE id = ?", (pain_id,))
            return self._log(db, Change("pain-delete", before["athlete"],
                                        f"deleted pain entry {pain_id} ({self._moment(before)} "
                                        f"{before['score']:g}/10)", {"pain_id": pain_id, "entry": before}))

    # -- athletes -----------------------------------------------------------------------
    def _counts(self, db: sqlite3.Connection, name: str) -> dict[str, int]:
        return {table: db.execute(f"SELECT COUNT(*) FROM {table} WHERE athlete = ?", (name,)).fetchone()[0]
                for table in ("activities", "pain", "rtr_plans")}

    def athlete_counts(self, name: str) -> dict[str, int]:
        """How many ``activities``, ``pain`` entries and ``rtr_plans`` athlete ``name`` has."""
        self._known(name)
        return self._counts(self._db, name)

    @staticmethod
    def describe_counts(counts: dict[str, int]) -> str:
        """``134 activities, 95 pain entries, 1 return-to-run plan``."""
        parts = [_plural(counts["activities"], "activity", "activities"),
                 _plural(counts["pain"], "pain entry", "pain entries")]
        if counts["rtr_plans"]:
            parts.append(_plural(counts["rtr_plans"], "return-to-run plan"))
        return ", ".join(parts)

    def rename_athlete(self, old: str, new: str) -> Change:
        """Call athlete ``old`` ``new`` everywhere; ``new`` must not exist yet (merge them instead)."""
        if not new.strip():
            raise UsageError("the new name is empty")
        with self.transaction() as db:
            self._known(old)
            if old == new:
                raise UsageError(f"{old!r} is already called that")
            if new in self.all_athletes():
                raise UsageError(f"{new!r} already exists: 'strideload athletes merge {old} {new}' joins them")
            counts = self._counts(db, old)
            for table in (*ATHLETE_TABLES, "pain", "context_periods"):
                db.execute(f"UPDATE {table} SET athlete = ? WHERE athlete = ?", (new, old))
            what = self.describe_counts(counts)
            return self._log(db, Change("rename", new, f"renamed {old} to {new} ({what})",
                                        {"from": old, "to": new, **counts}))

    def merge_athletes(self, source: str, target: str) -> Change:
        """Move everything of ``source`` to ``target``; ``source`` is gone afterwards. A pain
        entry of ``source`` for a moment ``target`` already logged is dropped (``target``'s is kept)."""
        with self.transaction() as db:
            self._known(source)
            self._known(target)
            if source == target:
                raise UsageError("an athlete cannot be merged into themselves")
            counts = self._counts(db, source)
            for table in ATHLETE_TABLES:
                db.execute(f"UPDATE {table} SET athlete = ? WHERE athlete = ?", (target, source))
            db.execute("UPDATE OR IGNORE pain SET athlete = ? WHERE athlete = ?", (target, source))
            dropped = db.execute("DELETE FROM pain WHERE athlete = ?", (source,)).rowcount
            db.execute("UPDATE OR IGNORE context_periods SET athlete = ? WHERE athlete = ?", (target, source))
            db.execute("DELETE FROM context_periods WHERE athlete = ?", (source,))  # the same period twice
            kept = f"; {_plural(dropped, 'pain entry', 'pain entries')} {target} had already logged kept as " \
                   f"{target}'s" if dropped else ""
            what = self.describe_counts(counts)
            return self._log(db, Change("merge", target, f"merged {source} into {target} ({what}{kept})",
                                        {"from": source, "to": target, "pain_dropped": dropped, **counts}))

    def delete_athlete(self, name: str) -> Change:
        """Delete athlete ``name``: activities, pain log, return-to-run plans and failures. Their
        files are remembered as deleted, so importing them again brings nothing back unless forced."""
        with self.transaction() as db:
            self._known(name)
            counts = self._counts(db, name)
            stamp = now()
            db.execute("INSERT OR IGNORE INTO deleted_files (sha256, athlete, source_path, deleted_at) "
                       "SELECT sha256, athlete, source_path, ? FROM files WHERE athlete = ?", (stamp, name))
            for table in ("activities", "pain", "rtr_plans", "failures", "context_periods"):
                db.execute(f"DELETE FROM {table} WHERE athlete = ?", (name,))
            what = self.describe_counts(counts)
            return self._log(db, Change("delete-athlete", name, f"deleted athlete {name} ({what})",
                                        {"athlete": name, **counts}))


def _text(value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value) if isinstance(value, str) and " " in value else str(value)


__all__ = ["Change", "Corrections"]
