"""Import files into a store: read, normalise, de-duplicate, write.

Reading, decoding, normalising and encoding a file is a worker's job (:mod:`.work`), run
in this process, in a pool of processes (one per core by default) or on a Dask cluster
(:mod:`.executors`); only this process writes the store, one file's result per
transaction, so the store stays consistent and a kill leaves it whole. A file on disk
whose path, size and modification time match what the store remembers is known without
reading it.

Batch work never dies on one bad item: every file ends as added, duplicate,
non-running, skipped (valid but holds no activity) or failed, with its path and reason,
in an :class:`ImportResult`. The store is passed in (``ingest`` does not open it).
Pain logs (``pain*.csv``) found on the way are imported for the path's athlete and
counted in ``ImportResult.pain``; return-to-run plan files (``rtr*.toml``, see
:mod:`strideload.rtr.plan_file`) likewise, in ``ImportResult.plans``. A bad one of either is a
failed outcome and writes nothing.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config
from ..errors import (
    FileImportError,
    NoActivityError,
    NotAFileError,
    StoreError,
    StrideloadError,
    UnexpectedFileError,
    UsageError,
)
from ..model import Activity, RawActivity
from ..pain import PainInputError, latest_date, read_csv
from ..store import FileStat, Store, StoredFile
from ..store.streams import encode_stream
from . import detect, devices, executors, limits, localtime, sanity, work
from .executors import Ready
from .safexml import XmlLimits
from .scan import (
    Source,
    context_csvs,
    decompress_if_gzip,
    files_under,
    is_side_file,
    pain_csvs,
    path_sources,
    plan_files,
    read_file,
    rpe_csvs,
)
from .strava import manual_activity
from .stream import Hints, normalise
from .work import FileResult, Task

if TYPE_CHECKING:
    from ..rtr.plan_file import PlanFileImport

log = logging.getLogger(__name__)

#: Richer formats win when the same run arrives twice: FIT > TCX > GPX.
FORMAT_RANK = {"fit": 3, "tcx": 2, "gpx": 1}
STATUSES = ("added", "non-running", "duplicate", "skipped", "deleted", "failed")
#: A file at least this large (bytes) that fails is followed by a garbage collection.
GC_AFTER_BYTES = 1 << 20


@contextmanager
def boundary(stage: str, path: str) -> Iterator[None]:
    """The per-file error boundary: any exception raised inside that is not a
    :class:`StrideloadError` (a bug of ours, ``MemoryError``, ``RecursionError``, a decoder's
    own error class ...) becomes an :class:`UnexpectedFileError` for ``path``, the original as
    ``__cause__``, its traceback in the debug log (``--debug`` / ``STRIDELOAD_DEBUG=1``)."""
    try:
        yield
    except StrideloadError:
        raise
    except Exception as exc:
        log.debug("unexpected error while %s %s", stage, path, exc_info=True)
        raise UnexpectedFileError(exc, stage=stage, path=path) from exc


def read_raw(data: bytes, path: str, config: Config | None = None) -> list[RawActivity]:
    """Every session in ``data`` (FIT, GPX or TCX, detected from the bytes), within the
    config's budgets (``max_xml_bytes``, ``max_xml_depth`` for GPX/TCX)."""
    with boundary("recognising the format", path):
        fmt = detect.sniff(data, path)
    with boundary(f"reading the {fmt.upper()} file", path):
        if fmt == "fit":
            from .fit import read_fit

            return read_fit(data, path)
        if fmt == "gpx":
            from .gpx import read_gpx

            return read_gpx(data, path, limits=XmlLimits.from_config(config))
        if fmt == "tcx":
            from .tcx import read_tcx

            return read_tcx(data, path, limits=XmlLimits.from_config(config))
    raise detect.UnknownFormatError(f"a {fmt} archive inside an archive member is not read; unpack it",
                                    path=path)


def read_activities(path: str | Path, *, athlete: str = "me", config: Config | None = None,
                    hints: Hints | None = None) -> list[Activity]:
    """Read one FIT/GPX/TCX file (optionally gzipped) into activities, without a store.

    Raises only :class:`~strideload.errors.StrideloadError` subclasses: a file that cannot be
    imported raises a :class:`~strideload.errors.FileImportError` naming it (an unexpected
    error inside is wrapped as :class:`~strideload.errors.UnexpectedFileError`).
    """
    config = config or Config()
    path = Path(path).expanduser()
    budget = limits.Limits.from_config(config)
    with limits.applied(budget), limits.time_budget(budget.max_seconds, str(path)):
        try:
            data = read_file(path, budget.max_bytes)
        except OSError as exc:
            raise FileImportError(f"cannot read: {exc.strerror or exc}", path=path) from exc
        with boundary("decompressing", str(path)):
            data = decompress_if_gzip(data, str(path), budget.max_bytes)
        _, activities = decode(data, hashlib.sha256(data).hexdigest(), athlete=athlete, source_path=str(path),
                               config=config, hints=hints or Hints())
    return activities


def decode(data: bytes, sha: str, *, athlete: str, source_path: str, config: Config,
           hints: Hints) -> tuple[list[RawActivity], list[Activity]]:
    """Every session in ``data`` (already decompressed, hashed to ``sha``), read, checked for
    plausibility (:mod:`.sanity`) and normalised (local dates in the athlete's zone where the
    file states no offset).

    Raises only :class:`~strideload.errors.FileImportError` subclasses (see :func:`boundary`).
    """
    zone = config.timezone(athlete)
    raws = read_raw(data, source_path, config)
    notes = sanity.clean_raws(raws, source_path, config)  # drops implausible samples and totals, or rejects
    activities = []
    for raw in raws:
        stage = f"normalising session {raw.session_index + 1}" if len(raws) > 1 else "normalising the samples"
        with boundary(stage, source_path):
            activity = normalise(raw, athlete=athlete, sha256=sha, source_path=source_path, zone=zone, hints=hints,
                                 config=config)
        activity.summary.setdefault("summary_only", False)
        sanity.check_activity(activity, source_path, config, notes)  # rejects what cannot be a real run
        activities.append(activity)
    return raws, activities


def read_activity(path: str | Path, **kwargs: object) -> Activity:
    """The first activity of one file: ``.summary`` (dict) and ``.stream`` (DataFrame)."""
    return read_activities(path, **kwargs)[0]  # type: ignore[arg-type]


@dataclass
class Outcome:
    """What happened to one file (or, for added/non-running, to one activity of it)."""

    path: str
    athlete: str
    status: str
    reason: str | None = None
    activity_id: str | None = None
    distance_m: float | None = None
    local_date: str | None = None
    records: int = 0
    #: for a duplicate: the athlete the earlier copy belongs to, when that is someone else
    other_athlete: str | None = None


@dataclass
class PainImport:
    """A pain log imported on the way: its entries added, updated and already logged."""

    path: str
    athlete: str
    added: int
    updated: int
    unchanged: int
    #: ``pain`` log, ``rpe`` log or ``context`` periods
    kind: str = "pain"


@dataclass
class ImportResult:
    """The result of an import: every outcome, grouped by status, the pain logs read and the
    return-to-run plan files applied (:class:`~strideload.rtr.plan_file.PlanFileImport`)."""

    outcomes: list[Outcome] = field(default_factory=list)
    pain: list[PainImport] = field(default_factory=list)
    plans: list[PlanFileImport] = field(default_factory=list)

    def of(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def failed(self) -> list[Outcome]:
        return self.of("failed")

    def counts(self) -> dict[str, int]:
        return {status: len(self.of(status)) for status in STATUSES}


class ImportInterrupted(KeyboardInterrupt):
    """The import was stopped (Ctrl-C; still a ``KeyboardInterrupt``); ``result`` holds what
    was kept: every file it lists is written whole, and importing again finishes the job."""

    def __init__(self, result: ImportResult):
        self.result = result
        files = len({outcome.path for outcome in result.outcomes})
        super().__init__(f"stopped: {files} file{'s' if files != 1 else ''} imported, run again to finish")


@dataclass(frozen=True)
class Progress:
    """A progress report: ``done`` of ``total`` bytes handled, currently at ``path``."""

    path: str
    done: int
    total: int


def plan(paths: Iterable[Path], *, athlete: str | None, team: bool, config: Config) -> list[tuple[Path, str]]:
    """(path, athlete) pairs to scan. With ``team``, each subfolder of a path is an athlete."""
    pairs: list[tuple[Path, str]] = []
    for path in paths:
        path = Path(path).expanduser()
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
        if team:
            if not path.is_dir():
                raise UsageError(f"{path}: --team needs a folder with one sub-folder per athlete")
            folders = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
            if not folders:
                raise UsageError(f"{path}: no athlete sub-folders found for --team")
            pairs.extend((folder, folder.name) for folder in folders)
        else:
            pairs.append((path, athlete or config.get("default_athlete")))
    return pairs


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(_file_size(p) for p in files_under(path))
    return path.stat().st_size


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def import_paths(store: Store, paths: Iterable[str | Path], *, athlete: str | None = None,
                 team: bool = False, config: Config | None = None,
                 on_progress: Callable[[Progress], None] | None = None, force: bool = False,
                 jobs: int | None = None, scheduler: str | None = None) -> ImportResult:
    """Import files, folders (recursively) and zips into ``store``; see :class:`ImportResult`.

    ``jobs`` worker processes read and decode (default: one per core; imports under the
    ``parallel_min_bytes`` setting run in this process), or the workers of the Dask
    ``scheduler`` (an address, or ``local``) that can read the same paths. Either way only
    this process writes the store, in the files' order. Pain logs and plan files are read
    after every activity file, so a plan finds the runs it follows.

    ``force`` imports again files whose activities were deleted by hand. Ctrl-C raises
    :class:`ImportInterrupted` carrying what was kept.
    """
    config = config or Config()
    pairs = plan([Path(p) for p in paths], athlete=athlete, team=team, config=config)
    total = sum(_size(path) for path, _ in pairs)
    result, done = ImportResult(), 0
    executor = executors.choose(jobs, scheduler, total_bytes=total,
                                min_parallel_bytes=config.get("parallel_min_bytes"))
    try:
        items = _items(pairs, config, store.known_stats(), force)
        for item, returned in executor.run(work.process, items):
            task_result = _returned(item, returned)
            result.outcomes.extend(write_result(store, task_result, config, force=force))
            done += (item.value.size or 0) if isinstance(item, Ready) else item.size
            if on_progress:
                on_progress(Progress(task_result.display_path, min(done, total), total))
        for path, name in pairs:
            for log in pain_csvs(path):
                import_pain_log(store, log, name, result, config)
            for plan_path in plan_files(path):
                import_plan_file(store, plan_path, name, result, config)
            for kind, side_path in [("rpe", p) for p in rpe_csvs(path)] + [("context", p) for p in context_csvs(path)]:
                import_side_log(store, side_path, name, result, kind)
    except KeyboardInterrupt as exc:  # the file being written rolled back; the ones before are whole
        raise ImportInterrupted(result) from exc
    finally:
        executor.close()
    if on_progress:
        on_progress(Progress("", total, total))
    localtime.refresh(store, config, {o.athlete for o in result.outcomes if o.activity_id})
    store.fill_hr_histograms()  # runs stored before heart-rate histograms existed
    return result


def _items(pairs: list[tuple[Path, str]], config: Config, stats: dict[str, tuple[int, int, StoredFile]],
           force: bool) -> Iterator[Task | Ready]:
    """One work item per source: a :class:`Task`, or a :class:`Ready` result made here: a file
    known unchanged (same path, size and mtime as when its bytes were handled: checked before the
    file is opened), a manual run (no file), or an archive member that cannot be read."""

    def unchanged(path: str, size: int, mtime_ns: int) -> bool:
        cached = stats.get(path)
        return cached is not None and cached[:2] == (size, mtime_ns) and not (
            force and cached[2].outcome == "deleted")

    for path, name in pairs:
        if path.is_file() and is_side_file(path.name):
            continue
        for source in sources(path, name, config, unchanged=unchanged):
            if source.unchanged:
                size, _, stored = stats[source.display_path]
                yield Ready(_known_result(stored, source.display_path, name, size))
            elif source.manual is not None:
                yield Ready(_manual_result(source, config))
            elif source.path is None:  # an archive member: read here, while the archive is open
                read = _read_here(source, config)
                yield read if isinstance(read, Ready) else Task(source.display_path, name, config, source.hints,
                                                               data=read, size=source.size)
            else:
                yield Task(source.display_path, name, config, source.hints, path=str(source.path), size=source.size)


def _known_result(stored: StoredFile, path: str, athlete: str, size: int | None = None) -> FileResult:
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


def _manual_result(source: Source, config: Config) -> FileResult:
    """A run typed in by hand (a Strava activities.csv row): summary-only, made here (no file to read)."""
    assert source.manual is not None
    sha = hashlib.sha256(source.manual.key()).hexdigest()
    result = FileResult(source.display_path, source.athlete, "failed", read_sha=sha, sha=sha)
    try:
        with boundary("reading the manual activity", source.display_path):
            activity = manual_activity(source.manual, athlete=source.athlete, zone=config.timezone(source.athlete),
                                       source_path=source.display_path)
            sanity.check_activity(activity, source.display_path, config, [])
            result.activities = [work.EncodedActivity(activity.summary, encode_stream(activity.stream),
                                                      activity.notes)]
        result.status = "decoded"
    except FileImportError as exc:
        result.reason = exc.reason
    return result


def _read_here(source: Source, config: Config) -> bytes | Ready:
    """The bytes of a source read in this process (an archive member, or a file that could not be
    listed), within the per-file budgets; a :class:`Ready` result when they cannot be read."""
    budget = limits.Limits.from_config(config)
    try:
        with limits.applied(budget), limits.time_budget(budget.max_seconds, source.display_path):
            with boundary("reading", source.display_path):
                return _read(source)
    except NotAFileError as exc:
        return Ready(FileResult(source.display_path, source.athlete, "not-a-file", exc.reason))
    except NoActivityError as exc:
        return Ready(FileResult(source.display_path, source.athlete, "no-activity", exc.reason))
    except FileImportError as exc:
        _release(exc, None)
        return Ready(FileResult(source.display_path, source.athlete, "failed", exc.reason))


def _returned(item: Task | Ready, returned: object) -> FileResult:
    """The worker's result, or a failed one when the worker itself was lost."""
    if isinstance(returned, FileResult):
        return returned
    assert isinstance(item, Task)
    reason = str(returned) if isinstance(returned, executors.WorkerDied) else \
        UnexpectedFileError(returned, stage="importing", path=item.display_path).reason  # type: ignore[arg-type]
    return FileResult(item.display_path, item.athlete, "failed", reason)


def import_pain_log(store: Store, path: Path, athlete: str, result: ImportResult,
                    config: Config | None = None) -> None:
    """Import one pain log for ``athlete``; a bad one (a row dated after tomorrow too) becomes
    a failed outcome, nothing written."""
    try:
        with boundary("reading the pain log", str(path)):
            entries = read_csv(path, athlete, latest=latest_date(config or Config(), athlete))
            written = store.add_pain(entries, source=str(path))
    except PainInputError as exc:
        where = f"line {exc.line}, " if exc.line is not None else ""
        result.outcomes.append(Outcome(str(path), athlete, "failed",
                                       f"pain log: {where}field {exc.field!r}: {exc.reason}"))
        return
    except FileImportError as exc:
        result.outcomes.append(Outcome(str(path), athlete, "failed", f"pain log: {exc.reason}"))
        return
    result.pain.append(PainImport(str(path), athlete, written.added, written.updated, written.unchanged))


def import_side_log(store: Store, path: Path, athlete: str, result: ImportResult, kind: str) -> None:
    """Import one RPE log (``kind`` ``rpe``) or file of context periods (``context``) for
    ``athlete``; a bad one becomes a failed outcome naming line and field, nothing written."""
    from .. import context, effort

    label = "RPE log" if kind == "rpe" else "context periods"
    try:
        with boundary(f"reading the {label}", str(path)):
            if kind == "rpe":
                written = store.add_rpe(effort.read_csv(path), athlete=athlete, source=str(path), path=str(path))
            else:
                written = store.add_context(context.read_csv(path, athlete), source=str(path))
    except (effort.RpeInputError, context.ContextInputError) as exc:
        where = f"line {exc.line}, " if exc.line is not None else ""
        result.outcomes.append(Outcome(str(path), athlete, "failed", f"{label}: {where}field {exc.field!r}: "
                                                                     f"{exc.reason}"))
        return
    except FileImportError as exc:
        result.outcomes.append(Outcome(str(path), athlete, "failed", f"{label}: {exc.reason}"))
        return
    result.pain.append(PainImport(str(path), athlete, written.added, written.updated, written.unchanged, kind))


def import_plan_file(store: Store, path: Path, athlete: str, result: ImportResult, config: Config) -> None:
    """Apply one return-to-run plan file for ``athlete``; a bad one (or one that cannot start,
    as before a later plan) becomes a failed outcome, nothing written."""
    from ..rtr.plan_file import PlanFileError, apply_plan_file  # the analysis it needs loads only for plan files

    try:
        with boundary("reading the return-to-run plan", str(path)):
            applied = apply_plan_file(store, path, athlete, config)
    except PlanFileError as exc:
        result.outcomes.append(Outcome(str(path), athlete, "failed", f"return-to-run plan: {exc.reason}"))
        return
    except UsageError as exc:
        result.outcomes.append(Outcome(str(path), athlete, "failed", f"return-to-run plan: {exc}"))
        return
    except FileImportError as exc:
        result.outcomes.append(Outcome(str(path), athlete, "failed", f"return-to-run plan: {exc.reason}"))
        return
    result.plans.append(applied)


def sources(path: Path, athlete: str, config: Config, *,
            unchanged: Callable[[str, int, int], bool] | None = None) -> Iterator[Source]:
    """Candidate files under ``path``, with the config's archive and per-file budgets (``unchanged``:
    see :func:`~.scan.path_sources`)."""
    yield from path_sources(path, athlete, config.get("max_archive_bytes"), config.get("max_archive_depth"),
                            limits.Limits.from_config(config), unchanged)


def import_source(store: Store, source: Source, config: Config, *, retry_failed: bool = True,
                  force: bool = False) -> list[Outcome]:
    """Import one source file here and now; never raises for a bad file, nor for a bug of ours
    while handling it: either becomes a failed outcome, recorded with its reason (only a store
    that cannot be written, :class:`~strideload.errors.StoreError`, stops the caller).

    A failure is remembered with the SHA-256 of the bytes as read. With
    ``retry_failed=False`` a file that failed before at the same path with the same bytes
    is passed over: no outcome, nothing written (a watcher reports a bad file once). A file
    whose activities were deleted by hand is ``deleted`` (nothing written) unless ``force``.
    """
    if source.manual is not None:
        result = _manual_result(source, config)
    else:
        failure = None if retry_failed else store.failure(source.display_path)
        failed_sha = failure["sha256"] if failure is not None else None
        if source.path is not None:
            task = Task(source.display_path, source.athlete, config, source.hints, path=str(source.path),
                        size=source.size, failed_sha=failed_sha)
        else:
            read = _read_here(source, config)
            if isinstance(read, Ready):
                return write_result(store, read.value, config, force=force)
            task = Task(source.display_path, source.athlete, config, source.hints, data=read, size=source.size,
                        failed_sha=failed_sha)
        result = work.process(task)
    if result.status == "passed-over":
        return []
    return write_result(store, result, config, force=force)


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
        _release(exc, None)
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
        answer = _known_result(known, path, athlete)
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


def _release(error: BaseException, read: int | None) -> None:
    """Let go of the bytes a failure's tracebacks still hold: their frames keep the file's data
    alive in reference cycles until a full garbage collection, so an archive of many large bad
    members would pile them up (1.5 GB for 100 members of 30 MB). Cheap beside reading a large
    file; skipped for small ones (``read``: bytes read, None when reading itself failed)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        current = current.__cause__ or current.__context__
    if read is None or read >= GC_AFTER_BYTES:
        gc.collect()


def _read(source: Source) -> bytes:
    try:
        return source.read()
    except OSError as exc:
        raise FileImportError(f"cannot read: {exc.strerror or exc}", path=source.display_path) from exc


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
        stored_richness = richness(twin, _stored_has_heart_rate(store, twin["id"]))
        if richness(activity.summary, activity.has_heart_rate) > stored_richness:
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


def richness(summary: dict, has_heart_rate: bool) -> tuple:
    """How much a recording holds, to keep the richer of two recordings of one run (larger wins):
    the format (FIT > TCX > GPX: the same recording exported twice keeps its FIT), then
    barometric elevation (by the device's own sensor: a fēnix beside a Forerunner 735XT), cadence,
    heart rate, and the number of samples. The sha256 breaks a tie, so the import order never decides.
    """
    return (FORMAT_RANK.get(summary.get("format") or "", 0),
            devices.elevation_sensor(summary.get("device")) == "barometric"
            and summary.get("elevation_source") == "barometric",
            summary.get("cadence_spm") is not None and summary["cadence_spm"] == summary["cadence_spm"],
            has_heart_rate,
            int(summary.get("samples") or 0),
            str(summary.get("sha256") or ""))


def _stored_has_heart_rate(store: Store, activity_id: str) -> bool:
    try:
        return bool(store.stream(activity_id)["heart_rate_bpm"].notna().any())
    except StoreError:
        return False


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
