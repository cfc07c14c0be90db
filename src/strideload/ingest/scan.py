"""Find activity files in what the user points at: files, folders, zips, gzip, nested zips.

Nothing is extracted next to the user's files and nothing they own is moved, renamed or
deleted. Archives are read as streams within budgets (:mod:`.archives`): a member is held
in memory only up to ``max_file_bytes``, a zip inside a zip is spooled to a temporary file.
Only regular files are read: a device (``/dev/zero``), a FIFO or a socket, even one named
``x.fit``, is skipped with a reason, never opened for reading (it could block or never end).

In folders and archives only names that look like watch exports are considered
(``.fit``, ``.gpx``, ``.tcx``, any of them ``.gz``, and ``.zip``); a file named
explicitly on the command line is always read. Either way the format is decided from
the bytes (:mod:`.detect`), never from the name. Pain logs and plan files are the
exceptions: a CSV named ``pain*.csv`` (:func:`pain_csvs`) is read as the athlete's pain log
(``strideload.pain``), a TOML file named ``rtr*.toml`` (:func:`plan_files`) as the PT's
return-to-run plan file (``strideload.rtr.plan_file``). A Strava export's ``activities.csv``
(:mod:`.strava`) names the files beside it and lists manual runs, imported summary-only.
"""

from __future__ import annotations

import io
import logging
import os
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from ..errors import ArchiveError, BudgetError, FileImportError, NoActivityError, NotAFileError, UnexpectedFileError
from . import archives
from .archives import Budget, decompress_if_gzip, gunzip  # noqa: F401 - the importer's and watcher's names
from .detect import ZIP_MAGIC
from .limits import Limits
from .strava import ManualRun, StravaExport, read_activities_csv
from .stream import Hints

log = logging.getLogger(__name__)

ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx", ".fit.gz", ".gpx.gz", ".tcx.gz", ".zip")
PARTIAL_SUFFIXES = (".part", ".crdownload", ".tmp", ".partial", ".download")
STRAVA_CSV = "activities.csv"


@dataclass
class Source:
    """One candidate activity file: where it is shown to come from, and how to read it."""

    display_path: str
    athlete: str
    read: Callable[[], bytes]
    size: int
    hints: Hints = field(default_factory=Hints)
    manual: ManualRun | None = None  # a run typed in by hand (a Strava activities.csv row): no file
    #: the file on disk, when the source is one (not an archive member): a worker may read it itself
    path: Path | None = None
    #: the caller's cache said this file is unchanged since its bytes were handled: not opened
    unchanged: bool = False


def is_candidate(name: str) -> bool:
    """Does a file name look like a watch export (and not a partial download or dot-file)?"""
    base = PurePosixPath(name.replace("\\", "/")).name
    lower = base.lower()
    if not base or base.startswith((".", "~$")) or lower.endswith(PARTIAL_SUFFIXES):
        return False
    return lower.endswith(ACTIVITY_SUFFIXES)


def is_pain_csv(name: str) -> bool:
    """Is this a pain log by its name (``pain.csv``, ``Pain-2026.csv``; not a dot-file)?"""
    base = PurePosixPath(name.replace("\\", "/")).name.lower()
    return base.startswith("pain") and base.endswith(".csv")


def is_rpe_csv(name: str) -> bool:
    """Is this an RPE log by its name (``rpe.csv``, ``RPE-2026.csv``)?"""
    base = PurePosixPath(name.replace("\\", "/")).name.lower()
    return base.startswith("rpe") and base.endswith(".csv")


def is_context_csv(name: str) -> bool:
    """Is this a file of context periods by its name (``context.csv``, ``Context-2026.csv``)?"""
    base = PurePosixPath(name.replace("\\", "/")).name.lower()
    return base.startswith("context") and base.endswith(".csv")


def is_plan_file(name: str) -> bool:
    """Is this a return-to-run plan file by its name (``rtr-plan.toml``, ``RTR.toml``; not a dot-file)?"""
    base = PurePosixPath(name.replace("\\", "/")).name.lower()
    return base.startswith("rtr") and base.endswith(".toml")


def is_side_file(name: str) -> bool:
    """Is this a file read beside the activities (a pain log or a plan file), not an activity?"""
    return is_pain_csv(name) or is_plan_file(name) or is_rpe_csv(name) or is_context_csv(name)


def files_under(folder: Path, test: Callable[[str], bool] | None = None) -> list[Path]:
    """Files under ``folder`` (recursively; links to files included, links to folders not
    followed, as ``Path.rglob``) whose name passes ``test``, sorted as paths. One ``scandir``
    per folder: names are tested before anything is asked of a file (a re-import of a
    known folder spends most of its time here)."""
    found: list[Path] = []
    todo = [os.fspath(folder)]
    while todo:
        try:
            with os.scandir(todo.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        todo.append(entry.path)
                    elif (test is None or test(entry.name)) and entry.is_file():
                        found.append(Path(entry.path))
        except OSError:  # an unreadable folder holds nothing we can read (as rglob)
            continue
    return sorted(found)


def _named(path: Path, test: Callable[[str], bool]) -> list[Path]:
    """``path`` itself if its name passes ``test``, else such files in the folder (recursively,
    leaving out dot-files and dot-folders)."""
    if path.is_file():
        return [path] if test(path.name) else []
    if not path.is_dir():
        return []
    return [p for p in files_under(path, test) if not any(part.startswith(".") for part in p.relative_to(path).parts)]


def pain_csvs(path: Path) -> list[Path]:
    """Pain logs at ``path``: the file itself if it is one, else those in the folder (recursively)."""
    return _named(path, is_pain_csv)


def rpe_csvs(path: Path) -> list[Path]:
    """RPE logs at ``path``: the file itself if it is one, else those in the folder (recursively)."""
    return _named(path, is_rpe_csv)


def context_csvs(path: Path) -> list[Path]:
    """Context-period files at ``path``: the file itself if it is one, else those in the folder."""
    return _named(path, is_context_csv)


def plan_files(path: Path) -> list[Path]:
    """Plan files at ``path``: the file itself if it is one, else those in the folder (recursively)."""
    return _named(path, is_plan_file)


def strava_hints(csv_path: Path | Callable[[], bytes], limit: int | None = None) -> dict[str, Hints]:
    """Names and types by export-relative file name (lower case) from a Strava ``activities.csv``."""
    return strava_export(csv_path, str(csv_path), limit).hints


def strava_export(csv_path: Path | Callable[[], IO[bytes]] | Callable[[], bytes], where: str,
                  limit: int | None = None) -> StravaExport:
    """Read a Strava ``activities.csv`` (a path, or a function opening or reading it); never raises."""
    limit = limit or Limits.from_config().max_bytes
    if isinstance(csv_path, Path):
        path = csv_path

        def open_csv() -> IO[bytes]:
            return open_regular(path)
    else:
        def open_csv() -> IO[bytes]:
            got = csv_path()  # type: ignore[operator]
            return io.BytesIO(got) if isinstance(got, bytes) else got
    return read_activities_csv(open_csv, where, limit)


def failing_source(shown: str, athlete: str, error: Exception) -> Source:
    """A source whose reading reports ``error`` (so one bad member never stops the rest)."""

    def read() -> bytes:
        raise error

    return Source(shown, athlete, read, 0)


def manual_sources(export: StravaExport, where: str, athlete: str) -> Iterator[Source]:
    """One source per manual run of a Strava export, and one failing source when its
    ``activities.csv`` could not be read to the end."""
    for run in export.manual:
        key = run.key()
        shown = f"{where}#{run.activity_id}" if run.activity_id else f"{where}#{run.start:%Y-%m-%dT%H:%M:%S}"
        yield Source(shown, athlete, lambda key=key: key, 0, Hints(name=run.name, sport=run.sport), manual=run)
    if export.error:
        yield failing_source(where, athlete, FileImportError(export.error, path=where))


def zip_sources(archive: zipfile.ZipFile, where: str, athlete: str, budget: Budget,
                depth: int = 1) -> Iterator[Source]:
    """Sources inside an open zip archive, recursing into nested zips up to the depth limit.
    A member that cannot be listed or read becomes a failing source of its own."""
    members = archives.members(archive)
    csv_member = next((m for m in members if PurePosixPath(m.filename.replace("\\", "/")).name == STRAVA_CSV), None)
    export = StravaExport()
    if csv_member is not None and archives.safe_member(csv_member.filename):
        csv_where = f"{where}!{csv_member.filename}"
        export = read_activities_csv(archives.opener(archive, csv_member, csv_where), csv_where,
                                     budget.limits.max_bytes)
        yield from manual_sources(export, csv_where, athlete)
    for member in members:
        name = member.filename
        if not is_candidate(name):
            continue
        shown = f"{where}!{name}"
        if not archives.safe_member(name):
            yield failing_source(shown, athlete, ArchiveError(
                f"unsafe member name {name!r} (absolute or escaping path)", path=shown))
            continue
        if name.lower().endswith(".zip"):
            yield from _guarded(_nested_sources(archive, member, shown, athlete, budget, depth + 1), shown, athlete)
            continue

        def read(member: zipfile.ZipInfo = member, shown: str = shown) -> bytes:
            return archives.read_member(archive, member, shown, budget)

        hints = export.hints.get(name.lower(), Hints())
        yield Source(shown, athlete, read, member.compress_size, hints)


def _nested_sources(archive: zipfile.ZipFile, member: zipfile.ZipInfo, shown: str, athlete: str, budget: Budget,
                    depth: int) -> Iterator[Source]:
    if depth > budget.max_depth:
        raise ArchiveError(f"zips nested deeper than {budget.max_depth} levels", path=shown)
    with archives.spool_member(archive, member, shown, budget) as spool, archives.open_zip(spool, shown) as inner:
        yield from zip_sources(inner, shown, athlete, budget, depth)


#: Asked before a file on disk is opened: is the file at this display path, of this size (bytes)
#: and modification time (ns), known unchanged since its bytes were handled?
Unchanged = Callable[[str, int, int], bool]


def path_sources(path: Path, athlete: str, budget_bytes: int, max_depth: int,
                 limits: Limits | None = None, unchanged: Unchanged | None = None) -> Iterator[Source]:
    """Sources under one path the user gave: a file, a zip, or a folder (recursively). A file
    that ``unchanged`` says is known is yielded without being opened (``Source.unchanged``)."""
    limits = limits or Limits.from_config()
    if path.is_dir():
        export = StravaExport()
        strava_csv = path / STRAVA_CSV
        if strava_csv.is_file():
            export = strava_export(strava_csv, str(strava_csv), limits.max_bytes)
            yield from manual_sources(export, str(strava_csv), athlete)
        for child in files_under(path, is_candidate):
            for source in _path_file_sources(child, athlete, budget_bytes, max_depth, limits, unchanged):
                rel = child.relative_to(path).as_posix().lower()
                if source.display_path == str(child) and rel in export.hints:
                    source.hints = export.hints[rel]
                yield source
        return
    yield from _path_file_sources(path, athlete, budget_bytes, max_depth, limits, unchanged)


def _path_file_sources(path: Path, athlete: str, budget_bytes: int, max_depth: int, limits: Limits,
                       unchanged: Unchanged | None) -> Iterator[Source]:
    if unchanged is not None:  # the cache first: a known file is neither opened nor probed for a zip
        try:
            info = os.stat(path)
        except OSError:
            info = None
        if info is not None and stat.S_ISREG(info.st_mode) and unchanged(str(path), info.st_size, info.st_mtime_ns):
            yield Source(str(path), athlete, lambda: read_file(path, limits.max_bytes), info.st_size, path=path,
                         unchanged=True)
            return
    yield from _guarded(_file_sources(path, athlete, Budget(budget_bytes, max_depth, limits)), str(path), athlete)


def open_regular(path: Path) -> IO[bytes]:
    """Open ``path`` for reading if it is a regular file; a device, FIFO or socket raises
    :class:`NotAFileError` (opened without blocking, so a FIFO never hangs the import)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode)
                    or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
            raise NotAFileError(f"{kind}, not a file: skipped", path=str(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_file(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path``, refusing one larger than ``limit`` bytes."""
    with open_regular(path) as handle:
        return archives.read_bounded(handle, str(path), limit)


def _file_sources(path: Path, athlete: str, budget: Budget) -> Iterator[Source]:
    handle = open_regular(path)
    try:
        size = os.fstat(handle.fileno()).st_size
        head = handle.read(4)
        if head == ZIP_MAGIC:
            handle.seek(0)
            with archives.open_zip(handle, str(path)) as archive:
                found = False
                for source in zip_sources(archive, str(path), athlete, budget):
                    found = True
                    yield source
                if not found:
                    yield failing_source(str(path), athlete, NoActivityError(
                        "an archive without activity files (.fit, .gpx, .tcx, .zip, or an activities.csv)",
                        path=str(path)))
            return
    finally:
        handle.close()
    limit = budget.limits.max_bytes
    if size > limit:
        yield failing_source(str(path), athlete, BudgetError(
            f"larger than {limit:,} bytes ({size:,})", setting="max_file_bytes", path=str(path)))
        return
    yield Source(str(path), athlete, lambda: read_file(path, limit), size, path=path)


def _guarded(sources: Iterator[Source], where: str, athlete: str) -> Iterator[Source]:
    """``sources`` until one fails to be listed: then a source that reports why, and no more of
    them (an unreadable file or archive stops only itself, never the folder around it)."""
    try:
        yield from sources
    except FileImportError as exc:
        yield failing_source(where, athlete, exc)
    except OSError as exc:
        yield failing_source(where, athlete, FileImportError(f"cannot read: {exc.strerror or exc}", path=where))
    except Exception as exc:  # a bug of ours or of zipfile on hostile bytes: this file's failure
        log.debug("unexpected error while listing %s", where, exc_info=True)
        yield failing_source(where, athlete, UnexpectedFileError(exc, stage="listing the archive", path=where))
