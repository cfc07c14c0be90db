"""``strideload doctor``: look a store over and say what is wrong and how to fix it.

Each check gives a :class:`Finding`: ``ok``, ``note`` (worth knowing, nothing to fix),
``warning`` (fixable, nothing lost yet) or ``problem`` (data at risk). ``fix=True`` applies the
safe repairs only: removing streams whose activity is gone and temporary files that killed
reports left behind. Nothing the user imported is ever deleted by the doctor.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .config import Config
from .errors import StoreError
from .store import Store, locks

LEVELS = ("ok", "note", "warning", "problem")
DAMAGED = ("restore the store from a backup, or import your files into a new store (--db new.db): "
           "your files are never changed")


@dataclass
class Finding:
    """One check's outcome: what was looked at, how it stands, what was found, what to do."""

    check: str
    level: str
    detail: str
    fix: str = ""

    def row(self) -> dict[str, Any]:
        return asdict(self)


def examine(path: Path, *, reports: Path | None = None, fix: bool = False,
            config: Config | None = None) -> list[Finding]:
    """Every check on the store at ``path`` (and the report folder ``reports``, if given);
    ``config`` gives the plausibility settings that decide which runs are set aside."""
    try:
        store = Store.open(path)
    except StoreError as exc:
        return [Finding("opens", "problem", str(exc),
                        "upgrade strideload if a newer version wrote it; else restore a backup or import "
                        "your files into a new store (your files are never changed)")]
    with store:
        findings = [_guarded(name, check) for name, check in (
            ("schema", lambda: _schema(store)), ("orphans", lambda: _orphans(store, fix)),
            ("integrity", lambda: _integrity(store)), ("failed files", lambda: _failures(store)),
            ("runs set aside", lambda: _set_aside(store, config or Config())), ("watcher", lambda: _lock(path)))]
    if reports is not None:
        findings.append(_temps(reports, fix))
    return findings


def _guarded(name: str, check: Callable[[], Finding]) -> Finding:
    """Run one check; a store too damaged for it to run is that check's finding."""
    try:
        return check()
    except (sqlite3.DatabaseError, StoreError) as exc:
        return Finding(name, "problem", f"the store cannot be read: {exc}", DAMAGED)


def _schema(store: Store) -> Finding:
    done, pending = store.schema_state()
    if pending:  # only possible on a read-only store: a writable one was upgraded on opening
        return Finding("schema", "warning", f"made by an older strideload: {len(pending)} upgrade(s) pending",
                       "run 'strideload doctor' where the store can be written: it upgrades it")
    detail = f"up to date ({done[-1] if done else 'empty'})"
    if store.readonly:
        return Finding("schema", "note", detail + "; read-only here: reading works, changes are refused")
    return Finding("schema", "ok", detail)


def _integrity(store: Store) -> Finding:
    problems = store.integrity_problems()
    if not problems:
        return Finding("integrity", "ok", "SQLite integrity and foreign-key checks pass")
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    return Finding("integrity", "problem", "; ".join(problems[:3]) + more, DAMAGED)


def _orphans(store: Store, fix: bool) -> Finding:
    orphans = store.orphans()
    if not orphans["streams"] and not orphans["activities"]:
        return Finding("orphans", "ok", "every activity has its stream and every stream its activity")
    parts, advice = [], []
    if orphans["streams"]:
        if fix:
            parts.append(f"removed {store.remove_orphan_streams()} stream(s) whose activity was gone")
        else:
            parts.append(f"{len(orphans['streams'])} stream(s) whose activity is gone")
            advice.append("'strideload doctor --fix' removes them")
    if orphans["activities"]:
        parts.append(f"{len(orphans['activities'])} activit(ies) without a stream "
                     f"({', '.join(orphans['activities'][:3])})")
        advice.append("their summaries still count; import the files again to restore the streams")
    level = "warning" if orphans["activities"] or not fix else "ok"
    return Finding("orphans", level, "; ".join(parts), "; ".join(advice))


def _failures(store: Store) -> Finding:
    failed = store.failures()
    if not failed:
        return Finding("failed files", "ok", "no file failed to import")
    return Finding("failed files", "note", f"{len(failed)} file(s) could not be imported",
                   "'strideload activities --failed' lists them with the reason")


def _set_aside(store: Store, config: Config) -> Finding:
    """Runs that do not count as load (implausible, or excluded by the runner), with their reasons."""
    from .analyze.quality import with_quality

    summaries = store.activities_frame()
    if summaries.empty:
        return Finding("runs set aside", "ok", "no activities yet")
    aside = with_quality(summaries, config).query("quarantined")
    if aside.empty:
        return Finding("runs set aside", "ok", "every activity counts (none set aside as implausible)")
    shown = "; ".join(f"{row.id} on {row.local_date} ({row.athlete}): {row.quarantine_reason}"
                      for row in aside.head(3).itertuples())
    more = f" (and {len(aside) - 3} more)" if len(aside) > 3 else ""
    return Finding("runs set aside", "note", f"{len(aside)} run(s) do not count as load: {shown}{more}",
                   "'strideload activities' lists each with its reason; 'strideload activities include ID' "
                   "counts a run you know is real")


def _lock(path: Path) -> Finding:
    holder = locks.holder(path, "watch")
    if holder is None:
        return Finding("watcher", "ok", "no 'strideload watch' is running on this store")
    return Finding("watcher", "note", f"'strideload watch' is running (pid {holder.get('pid', '?')}, since "
                   f"{holder.get('since', '?')})")


def _temps(folder: Path, fix: bool) -> Finding:
    from .report.assets import leftover_temps, remove_leftover_temps

    left = leftover_temps(folder)
    if not left:
        return Finding("report temp files", "ok", f"none left in {folder}")
    size = sum(p.stat().st_size for p in left if p.exists())
    if fix:
        freed = remove_leftover_temps(folder)
        return Finding("report temp files", "ok", f"removed {len(left)} left by killed reports "
                       f"({freed / 1e6:.1f} MB) from {folder}")
    return Finding("report temp files", "warning", f"{len(left)} left by killed reports ({size / 1e6:.1f} MB) "
                   f"in {folder}", "'strideload doctor --fix' (or the next 'strideload report') removes them")
