"""Import files into a store: read, normalise, de-duplicate, write.

Reading, decoding, normalising and encoding a file is a worker's job (:mod:`.work`), run
in this process, in a pool of processes (one per core by default) or on a Dask cluster
(:mod:`.executors`); only this process writes the store, each file's result atomically
(a savepoint of a batch: :mod:`strideload.store.transactions`), so the store stays
consistent and a kill leaves it whole. A file on disk
whose path, size and modification time match what the store remembers is known without
reading it.

Batch work never dies on one bad item: every file ends as added, duplicate,
non-running, skipped (valid but holds no activity) or failed, with its path and reason,
in an :class:`ImportResult`. The store is passed in (``ingest`` does not open it).
Side files found on the way (pain, RPE and context logs, return-to-run plan files) are
imported for the path's athlete (:mod:`.side_files`). The modules around this one:
:mod:`.work` (a worker's half), :mod:`.writer` (the parent's half: one result into the
store), :mod:`.boundary` (one file's failure never stops the batch), :mod:`.outcomes`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..config import Config
from ..errors import (
    FileImportError,
    NoActivityError,
    NotAFileError,
    UnexpectedFileError,
    UsageError,
)
from ..model import Activity, RawActivity
from ..store import Store, StoredFile
from ..store.streams import encode_stream
from . import detect, executors, limits, localtime, sanity, work
from .boundary import boundary
from .boundary import release as _release
from .executors import Ready
from .outcomes import STATUSES, ImportInterrupted, ImportResult, Outcome, PainImport, Progress
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
from .side_files import import_pain_log, import_plan_file, import_side_log
from .strava import manual_activity
from .stream import Hints, normalise
from .work import FileResult, Task
from .writer import FORMAT_RANK, known_result, richness, write_result

__all__ = ["FORMAT_RANK", "STATUSES", "ImportInterrupted", "ImportResult", "Outcome", "PainImport", "Progress",
           "boundary", "decode", "import_pain_log", "import_paths", "import_plan_file", "import_side_log",
           "import_source", "plan", "read_activities", "read_activity", "read_raw", "richness", "sources",
           "write_result"]

log = logging.getLogger(__name__)


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
                 jobs: int | None = None, scheduler: str | None = None,
                 meanwhile: Callable[[], object] | None = None) -> ImportResult:
    """Import files, folders (recursively) and zips into ``store``; see :class:`ImportResult`.

    ``jobs`` worker processes read and decode (default: one per core; imports under the
    ``parallel_min_bytes`` setting run in this process), or the workers of the Dask
    ``scheduler`` (an address, or ``local``) that can read the same paths. Either way only
    this process writes the store, in the files' order. Pain logs and plan files are read
    after every activity file, so a plan finds the runs it follows.

    ``meanwhile`` runs in a thread of this process when worker processes read (this process
    then mostly waits): a head start on what the caller does next, such as loading modules. It
    has ended when this returns, and does not run when the files are read here or none is read.

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
        # Ctrl-C keeps every file written whole
        with store.batch(every=config.get("import_batch_files")), executors.Alongside(executor, meanwhile) as aside:
            for item, returned in executor.run(work.process, aside.with_work(items)):
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
                yield Ready(known_result(stored, source.display_path, name, size))
            elif source.manual is not None:
                yield Ready(_manual_result(source, config))
            elif source.path is None:  # an archive member: read here, while the archive is open
                read = _read_here(source, config)
                yield read if isinstance(read, Ready) else Task(source.display_path, name, config, source.hints,
                                                               data=read, size=source.size)
            else:
                yield Task(source.display_path, name, config, source.hints, path=str(source.path), size=source.size)


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
            result.activities = [work.EncodedActivity(activity.summary, encode_stream(activity.columns),
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


def _read(source: Source) -> bytes:
    try:
        return source.read()
    except OSError as exc:
        raise FileImportError(f"cannot read: {exc.strerror or exc}", path=source.display_path) from exc

