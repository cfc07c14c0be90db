"""Find activity files in what the user points at: files, folders, zips, gzip, nested zips.

Nothing is extracted to disk and nothing the user owns is moved, renamed or deleted:
archive members are read into memory one at a time. Archives are guarded against
zip bombs (a bounded total decompressed size and nesting depth) and hostile member
names (absolute paths, ``..``) are refused.

In folders and archives only names that look like watch exports are considered
(``.fit``, ``.gpx``, ``.tcx``, any of them ``.gz``, and ``.zip``); a file named
explicitly on the command line is always read. Either way the format is decided from
the bytes (:mod:`.detect`), never from the name. Pain logs and plan files are the
exceptions: a CSV named ``pain*.csv`` (:func:`pain_csvs`) is read as the athlete's pain log
(``strideload.pain``), a TOML file named ``rtr*.toml`` (:func:`plan_files`) as the PT's
return-to-run plan file (``strideload.rtr.plans``).
"""

from __future__ import annotations

import csv
import gzip
import io
import logging
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import ArchiveError, FileImportError, UnexpectedFileError
from .detect import GZIP_MAGIC, ZIP_MAGIC
from .stream import Hints

log = logging.getLogger(__name__)

ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx", ".fit.gz", ".gpx.gz", ".tcx.gz", ".zip")
PARTIAL_SUFFIXES = (".part", ".crdownload", ".tmp", ".partial", ".download")
CHUNK = 1 << 20
STRAVA_TYPES = {
    "run": "running", "trail run": "trail_running", "virtual run": "virtual_run",
    "ride": "cycling", "virtual ride": "cycling", "e-bike ride": "cycling", "walk": "walking",
    "hike": "hiking", "swim": "swimming", "rowing": "rowing",
}


@dataclass
class Source:
    """One candidate activity file: where it is shown to come from, and how to read it."""

    display_path: str
    athlete: str
    read: Callable[[], bytes]
    size: int
    hints: Hints = field(default_factory=Hints)


@dataclass
class Budget:
    """Decompressed bytes still allowed for one top-level archive (zip-bomb guard)."""

    remaining: int
    max_depth: int


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


def is_plan_file(name: str) -> bool:
    """Is this a return-to-run plan file by its name (``rtr-plan.toml``, ``RTR.toml``; not a dot-file)?"""
    base = PurePosixPath(name.replace("\\", "/")).name.lower()
    return base.startswith("rtr") and base.endswith(".toml")


def is_side_file(name: str) -> bool:
    """Is this a file read beside the activities (a pain log or a plan file), not an activity?"""
    return is_pain_csv(name) or is_plan_file(name)


def _named(path: Path, test: Callable[[str], bool]) -> list[Path]:
    """``path`` itself if its name passes ``test``, else such files in the folder (recursively,
    leaving out dot-files and dot-folders)."""
    if path.is_file():
        return [path] if test(path.name) else []
    if not path.is_dir():
        return []
    return sorted(p for p in path.rglob("*") if p.is_file() and test(p.name)
                  and not any(part.startswith(".") for part in p.relative_to(path).parts))


def pain_csvs(path: Path) -> list[Path]:
    """Pain logs at ``path``: the file itself if it is one, else those in the folder (recursively)."""
    return _named(path, is_pain_csv)


def plan_files(path: Path) -> list[Path]:
    """Plan files at ``path``: the file itself if it is one, else those in the folder (recursively)."""
    return _named(path, is_plan_file)


def _read_bounded(stream: io.BufferedIOBase, budget: Budget, where: str) -> bytes:
    out = bytearray()
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            return bytes(out)
        budget.remaining -= len(chunk)
        if budget.remaining < 0:
            raise ArchiveError("archive expands beyond the allowed size (possible zip bomb); "
                               "raise max_archive_bytes in the config if it is genuine", path=where)
        out += chunk


def gunzip(data: bytes, budget: Budget, where: str) -> bytes:
    """Decompress gzip bytes within ``budget``; corrupt data raises :class:`ArchiveError`."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            return _read_bounded(stream, budget, where)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise ArchiveError(f"broken gzip data: {exc}", path=where) from exc


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return not path.is_absolute() and ".." not in path.parts and ":" not in (path.parts[0] if path.parts else "")


def strava_hints(read_csv: Callable[[], bytes]) -> dict[str, Hints]:
    """Map export-relative file names to name/type from a Strava ``activities.csv``."""
    try:
        text = read_csv().decode("utf-8-sig", errors="replace")
    except (OSError, ArchiveError):
        return {}
    hints: dict[str, Hints] = {}
    for row in csv.DictReader(io.StringIO(text)):
        filename = (row.get("Filename") or "").strip()
        if not filename:
            continue
        kind = (row.get("Activity Type") or "").strip()
        sport = STRAVA_TYPES.get(kind.lower(), kind.lower() or None)
        hints[filename.lower()] = Hints(name=(row.get("Activity Name") or "").strip() or None, sport=sport)
    return hints


def failing_source(shown: str, athlete: str, error: Exception) -> Source:
    """A source whose reading reports ``error`` (so one bad member never stops the rest)."""

    def read() -> bytes:
        raise error

    return Source(shown, athlete, read, 0)


def zip_sources(data_or_path: bytes | Path, where: str, athlete: str, budget: Budget,
                depth: int = 1) -> Iterator[Source]:
    """Sources inside a zip archive (recursing into nested zips up to the depth limit)."""
    if depth > budget.max_depth:
        raise ArchiveError(f"zips nested deeper than {budget.max_depth} levels", path=where)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(f"not a readable zip archive: {exc}", path=where) from exc
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        csv_member = next((m for m in members if PurePosixPath(m.filename).name == "activities.csv"), None)
        hints = strava_hints(lambda: _read_bounded(archive.open(csv_member), budget, where)) if csv_member else {}
        for member in members:
            name = member.filename
            if not is_candidate(name):
                continue
            shown = f"{where}!{name}"
            if not _safe_member(name):
                yield failing_source(shown, athlete, ArchiveError(
                    f"unsafe member name {name!r} (absolute or escaping path)", path=shown))
                continue

            def read(member: zipfile.ZipInfo = member, shown: str = shown) -> bytes:
                try:
                    with archive.open(member) as stream:
                        return _read_bounded(stream, budget, shown)
                except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
                    raise ArchiveError(f"cannot read archive member: {exc}", path=shown) from exc

            if name.lower().endswith(".zip"):
                try:
                    yield from zip_sources(read(), shown, athlete, budget, depth + 1)
                except ArchiveError as exc:
                    yield failing_source(shown, athlete, exc)
                continue
            yield Source(shown, athlete, read, member.compress_size, hints.get(name.lower(), Hints()))


def path_sources(path: Path, athlete: str, budget_bytes: int, max_depth: int) -> Iterator[Source]:
    """Sources under one path the user gave: a file, a zip, or a folder (recursively)."""
    if path.is_dir():
        hints: dict[str, Hints] = {}
        strava_csv = path / "activities.csv"
        if strava_csv.is_file():
            hints = strava_hints(strava_csv.read_bytes)
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            if not is_candidate(child.name):
                continue
            for source in path_sources(child, athlete, budget_bytes, max_depth):
                rel = child.relative_to(path).as_posix().lower()
                if source.display_path == str(child) and rel in hints:
                    source.hints = hints[rel]
                yield source
        return
    yield from _guarded(_file_sources(path, athlete, budget_bytes, max_depth), str(path), athlete)


def _file_sources(path: Path, athlete: str, budget_bytes: int, max_depth: int) -> Iterator[Source]:
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(4)
    if head == ZIP_MAGIC:
        yield from zip_sources(path, str(path), athlete, Budget(budget_bytes, max_depth))
        return
    yield Source(str(path), athlete, path.read_bytes, size)


def _guarded(sources: Iterator[Source], where: str, athlete: str) -> Iterator[Source]:
    """``sources`` until one fails to be listed: then a source that reports why, and no more of
    them (an unreadable file or archive stops only itself, never the folder around it)."""
    try:
        yield from sources
    except ArchiveError as exc:
        yield failing_source(where, athlete, exc)
    except OSError as exc:
        yield failing_source(where, athlete, FileImportError(f"cannot read: {exc.strerror or exc}", path=where))
    except Exception as exc:  # a bug of ours or of zipfile on hostile bytes: this file's failure
        log.debug("unexpected error while listing %s", where, exc_info=True)
        yield failing_source(where, athlete, UnexpectedFileError(exc, stage="listing the archive", path=where))


def decompress_if_gzip(data: bytes, where: str, budget_bytes: int) -> bytes:
    """Gzip-compressed bytes are decompressed (bounded); anything else is returned as is."""
    if data[:2] == GZIP_MAGIC:
        return gunzip(data, Budget(budget_bytes, 1), where)
    return data
