"""The parent's half of an import: write one worker's result to the store and say what became
of the file. Only this process writes, each file atomically, so a kill leaves the store
whole. Of two recordings of one run (another file, another watch), the richer stays."""

from __future__ import annotations

import logging

from ..config import Config
from ..effort import hr_histogram
from ..errors import FileImportError, StoreError, UnexpectedFileError
from ..model import Activity
from ..store import FileStat, Store, StoredFile
from . import devices, work
from .boundary import boundary, release
from .outcomes import Outcome
from .work import FileResult

log = logging.getLogger("strideload.ingest.importer")

#: Richer formats win when the same run arrives twice: FIT > TCX > GPX.
FORMAT_RANK = {"fit": 3, "tcx": 2, "gpx": 1}


def write_result(store: Store, result: FileResult, config: Config, *, force: bool = False) -> list[Outcome]:
    """Write one worker's result to the store and say what became of the file; never raises but
    :class:`~strideload.errors.StoreError` (a bug while writing is that file's failure). A file
    whose bytes the store knows is a duplicate, or ``deleted`` unless ``force``."""
    try:
        return _write_result(store, result, config, force)
    except StoreError:
        raise
    except Exception as exc:  # the last line of the boundary: whatever escaped the stages below
        log.debug("unexpected error while importing %s", result.display_path, exc_info=True)
        release(exc, None)
        error = exc if isinstance(exc, FileImportError) else UnexpectedFileError(
            exc, stage="importing", path=result.display_path)
        store.record_failure(result.display_path, result.athlete, None, error.reason)
        return [Outcome(result.display_path, result.athlete, "failed", error.reason)]


def _write_result(store: Store, result: FileResult, config: Config, force: bool) -> list[Outcome]:
    path, athlete = result.display_path, result.athlete
    if result.status in ("known", "deleted"):  # answered before reading: nothing to write
        status = "duplicate" if result.status == "known" else "deleted"
        return [Outcome(path, athlete, status, result.reason, other_athlete=result.other_athlete)]
    if result.status == "not-a-file":
        return [Outcome(path, athlete, "skipped", result.reason)]
    stat = FileStat(path, result.size, result.mtime_ns) if result.size is not None and result.mtime_ns is not None \
        else None
    known = store.known_file(result.sha) if result.sha is not None else None
    if known is not None and not (known.outcome == "deleted" and force):
        if stat is not None:
            store.remember_stat(stat, result.sha)  # type: ignore[arg-type]
        answer = known_result(known, path, athlete)
        return _write_result(store, answer, config, force)
    if result.status == "failed":
        store.record_failure(path, athlete, result.read_sha, result.reason or "failed")
        return [Outcome(path, athlete, "failed", result.reason)]
    if result.status != "decoded":  # valid, but holds no activity
        if result.sha is not None:
            store.record_file(sha256=result.sha, athlete=athlete, source_path=path, outcome="no-activity",
                              detail=result.reason, stat=stat)
        return [Outcome(path, athlete, "skipped", result.reason)]
    with boundary("storing", path):
        outcomes = _store_activities(store, result, stat, config)
    outcomes[0].records = result.records
    return outcomes


def known_result(stored: StoredFile, path: str, athlete: str, size: int | None = None) -> FileResult:
    """What becomes of a file whose bytes the store knows: ``deleted`` when their activities were
    deleted by hand, else ``known`` (a duplicate; ``other_athlete`` when they are someone else's)."""
    if stored.outcome == "deleted":
        return FileResult(path, athlete, "deleted", f"its activities were {stored.detail} (see 'strideload "
                          "history'); import --force brings them back", sha=stored.sha256, size=size)
    where = "" if stored.source_path == path else f" from {stored.source_path}"
    other = stored.athlete if stored.athlete != athlete else None
    whose = f" for {other}" if other else ""
    return FileResult(path, athlete, "known", f"already imported{whose}{where}", sha=stored.sha256, size=size,
                      other_athlete=other)


def _failed_before(store: Store, path: str, read_sha: str) -> bool:
    """Did the file at ``path`` fail before with exactly these bytes?"""
    failure = store.failure(path)
    return failure is not None and failure["sha256"] == read_sha


def _store_activities(store: Store, source: FileResult, stat: FileStat | None, config: Config) -> list[Outcome]:
    """Write the file's activities; of two recordings of one run, the richer stays (:func:`richness`)."""
    sha, activities = source.sha, source.activities
    assert sha is not None
    add: list[work.EncodedActivity] = []
    remove: list[str] = []
    outcomes: list[Outcome] = []
    for activity in activities:
        twin = _same_run(store, activity, config)
        if twin is None:
            add.append(activity)
            status = "added" if activity.running else "non-running"
            outcomes.append(Outcome(source.display_path, source.athlete, status, "; ".join(activity.notes) or None,
                                    activity.id,
                                    activity.summary["distance_m"], activity.summary["local_date"]))
            continue
        if richness(activity.summary) > richness(_with_histogram(store, twin)):
            add.append(activity)
            remove.append(twin["id"])
            reason = (f"same run as {twin['source_path']} ({_what(twin)}); "
                      f"kept this richer {_what(activity.summary)} recording")
        else:
            reason = f"same run as {twin['source_path']} ({_what(twin)}), which is kept as the richer recording"
        outcomes.append(Outcome(source.display_path, source.athlete, "duplicate", reason, activity.id,
                                activity.summary["distance_m"], activity.summary["local_date"]))
    outcome = "added" if add else "duplicate"
    store.record_file(sha256=sha, athlete=source.athlete, source_path=source.display_path, outcome=outcome,
                      detail="; ".join(o.reason for o in outcomes if o.reason) or None,
                      add=add, remove=remove, stat=stat)
    return outcomes


def richness(summary: dict) -> tuple:
    """How much a recording holds, to keep the richer of two recordings of one run (larger wins):
    the format (FIT > TCX > GPX: the same recording exported twice keeps its FIT), then
    barometric elevation (by the device's own sensor: a fēnix beside a Forerunner 735XT), cadence,
    heart rate (its ``hr_histogram`` is not empty), and the number of samples. The sha256 breaks a
    tie, so the import order never decides.
    """
    return (FORMAT_RANK.get(summary.get("format") or "", 0),
            devices.elevation_sensor(summary.get("device")) == "barometric"
            and summary.get("elevation_source") == "barometric",
            summary.get("cadence_spm") is not None and summary["cadence_spm"] == summary["cadence_spm"],
            bool(summary.get("hr_histogram")),
            int(summary.get("samples") or 0),
            str(summary.get("sha256") or ""))


def _with_histogram(store: Store, row: dict) -> dict:
    """A stored activity with its heart-rate histogram, worked out from its stream when it was
    stored before histograms were kept (the import fills those in only at its end)."""
    if row.get("hr_histogram") is not None or not row.get("running"):
        return row
    try:
        return {**row, "hr_histogram": hr_histogram(store.stream(row["id"]))}
    except StoreError:
        return row


def _what(summary: dict) -> str:
    """``"FIT, garmin fenix3"``: the format and device of a recording, for a duplicate's reason."""
    device = summary.get("device")
    return f"{str(summary.get('format') or '?').upper()}{', ' + device if device else ''}"


def _same_run(store: Store, activity: Activity | work.EncodedActivity, config: Config) -> dict | None:
    """A stored activity of the same athlete that is this run in another file, if any."""
    summary = activity.summary
    window = config.get("duplicate_start_window_s")
    tolerance = config.get("duplicate_distance_tolerance")
    for other in store.overlapping(summary["athlete"], summary["start_time"], window):
        if other["sha256"] == summary["sha256"]:
            continue
        a, b = summary["distance_m"] or 0.0, other["distance_m"] or 0.0
        if max(a, b) == 0 or abs(a - b) <= tolerance * max(a, b):
            return other
    return None
