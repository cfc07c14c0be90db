"""The part of an import that runs in a worker: read, hash, decompress, decode, check, encode.

A :class:`Task` names one file (a path the worker reads itself, or bytes the parent read
from an archive); :func:`process` turns it into a :class:`FileResult`: plain summaries and
encoded stream bytes, never DataFrames, never an exception. Nothing here touches the store:
the parent process writes every result (:func:`strideload.ingest.importer.write_result`), so
a worker can run in another process or on another machine (a Dask worker that shares the
folder).

The file's budgets (:mod:`.limits`: bytes, sessions, records, seconds) are applied here,
around the whole of the file's work, so they bound it wherever it runs: the time budget's
alarm works in a worker process's main thread (and in this process), and on a Dask worker
thread the readers' counting checks the clock.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config
from ..effort import hr_histogram
from ..errors import FileImportError, NoActivityError, NotAFileError, UnexpectedFileError
from ..model import Summarised
from ..store.streams import encode_stream
from . import archives, limits
from .boundary import boundary
from .boundary import release as _release
from .scan import decompress_if_gzip, open_regular
from .stream import Hints

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Task:
    """One file to import: ``path`` (read by the worker) or ``data`` (read by the parent).

    ``config`` gives the budgets, the plausibility settings and the athlete's time zone.
    ``failed_sha``: the SHA-256 of the bytes this path failed with before, when such a file is to
    be passed over (the watcher): the worker stops after hashing them (status ``passed-over``).
    """

    display_path: str
    athlete: str
    config: Config
    hints: Hints = field(default_factory=Hints)
    path: str | None = None
    data: bytes | None = None
    size: int = 0  # bytes as listed, for progress
    failed_sha: str | None = None


@dataclass
class EncodedActivity(Summarised):
    """An activity ready for the store: its summary, its stream as bytes (``store.streams``)
    and the notes of what was dropped while reading it."""

    summary: dict[str, Any]
    stream_bytes: bytes
    notes: list[str] = field(default_factory=list)


@dataclass
class FileResult:
    """What became of one file before the store was asked.

    ``status`` is ``decoded`` (``activities`` hold its sessions), ``no-activity`` (a valid
    file without one), ``failed`` (``reason`` says why), ``not-a-file`` (a device or FIFO:
    skipped, nothing recorded) or ``passed-over`` (failed before with the same bytes); the
    parent alone answers ``known`` (unchanged since its bytes were handled: ``reason``,
    ``other_athlete``) and ``deleted`` (its activities were deleted by hand). ``read_sha`` is
    the SHA-256 of the bytes as read, ``sha`` after gzip decompression; ``size``/``mtime_ns``
    what ``os.stat`` said of the file the worker read (None for archive members).
    """

    display_path: str
    athlete: str
    status: str
    reason: str | None = None
    read_sha: str | None = None
    sha: str | None = None
    activities: list[EncodedActivity] = field(default_factory=list)
    records: int = 0
    size: int | None = None
    mtime_ns: int | None = None
    other_athlete: str | None = None


def process(task: Task) -> FileResult:
    """Read and decode one file within its budgets; every failure, a bug of ours included,
    becomes a failed result."""
    from .importer import decode  # the importer imports this module: bound at call time

    result = FileResult(task.display_path, task.athlete, "failed")
    budget = limits.Limits.from_config(task.config)
    read: int | None = None
    try:
        with limits.applied(budget), limits.time_budget(budget.max_seconds, task.display_path):
            with boundary("reading", task.display_path):
                raw = task.data if task.data is not None else _read(task, result, budget.max_bytes)
            read = len(raw)
            result.read_sha = hashlib.sha256(raw).hexdigest()
            if task.failed_sha is not None and result.read_sha == task.failed_sha:
                result.status = "passed-over"
                return result
            with boundary("decompressing", task.display_path):
                data = decompress_if_gzip(raw, task.display_path, budget.max_bytes)
            result.sha = result.read_sha if data is raw else hashlib.sha256(data).hexdigest()
            raws, activities = decode(data, result.sha, athlete=task.athlete, source_path=task.display_path,
                                      config=task.config, hints=task.hints)
            with boundary("encoding the streams", task.display_path):
                for a in activities:  # what TRIMP needs of the stream, before it travels as bytes
                    a.summary["hr_histogram"] = hr_histogram(a.columns) if a.summary["running"] else ""
                result.activities = [EncodedActivity(a.summary, encode_stream(a.columns), a.notes)
                                     for a in activities]
        result.records = sum(r.sample_count for r in raws)
        result.status = "decoded"
    except NotAFileError as exc:
        result.status, result.reason = "not-a-file", exc.reason
    except NoActivityError as exc:
        result.status, result.reason = "no-activity", exc.reason
    except FileImportError as exc:
        _release(exc, read)
        result.reason = exc.reason
    except Exception as exc:  # the last line of the boundary: whatever escaped the stages above
        log.debug("unexpected error while importing %s", task.display_path, exc_info=True)
        result.reason = UnexpectedFileError(exc, stage="importing", path=task.display_path).reason
        _release(exc, read)
    return result


def _read(task: Task, result: FileResult, limit: int) -> bytes:
    """The task's file, if it is a regular one of at most ``limit`` bytes (its size and mtime
    noted in ``result``, as the open file says)."""
    assert task.path is not None
    try:
        with open_regular(Path(task.path)) as handle:
            stat = os.fstat(handle.fileno())
            result.size, result.mtime_ns = stat.st_size, stat.st_mtime_ns
            return archives.read_bounded(handle, task.display_path, limit)
    except OSError as exc:
        raise FileImportError(f"cannot read: {exc.strerror or exc}", path=task.display_path) from exc
