"""The part of an import that runs in a worker: read, hash, decompress, decode, normalise, encode.

A :class:`Task` names one file (a path the worker reads itself, or bytes the parent read
from an archive); :func:`process` turns it into a :class:`FileResult`: plain summaries and
encoded stream bytes, never DataFrames, never an exception. Nothing here touches the store:
the parent process writes every result (:func:`strideload.ingest.importer.write_result`), so
a worker can run in another process or on another machine (a Dask worker that shares the
folder).
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from ..errors import FileImportError, NoActivityError, UnexpectedFileError
from ..store.streams import encode_stream
from .scan import decompress_if_gzip
from .stream import Hints

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Task:
    """One file to import: ``path`` (read by the worker) or ``data`` (read by the parent)."""

    display_path: str
    athlete: str
    zone: tzinfo | None
    max_archive_bytes: int
    hints: Hints = field(default_factory=Hints)
    path: str | None = None
    data: bytes | None = None
    size: int = 0  # bytes as listed, for progress


@dataclass
class EncodedActivity:
    """An activity ready for the store: its summary and its stream as bytes (``store.streams``)."""

    summary: dict[str, Any]
    stream_bytes: bytes

    @property
    def id(self) -> str:
        return self.summary["id"]

    @property
    def running(self) -> bool:
        return bool(self.summary["running"])


@dataclass
class FileResult:
    """What a worker made of one file.

    ``status`` is ``decoded`` (``activities`` hold its sessions), ``no-activity`` (a valid
    file without one) or ``failed`` (``reason`` says why). ``read_sha`` is the SHA-256 of the
    bytes as read, ``sha`` after gzip decompression; ``size``/``mtime_ns`` what ``os.stat``
    said before the worker read the file (None for archive members).
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


def process(task: Task) -> FileResult:
    """Read and decode one file; every failure, a bug of ours included, becomes a failed result."""
    from .importer import boundary, decode  # the importer imports this module: bound at call time

    result = FileResult(task.display_path, task.athlete, "failed")
    try:
        with boundary("reading", task.display_path):
            raw = task.data if task.data is not None else _read(task, result)
        result.read_sha = hashlib.sha256(raw).hexdigest()
        with boundary("decompressing", task.display_path):
            data = decompress_if_gzip(raw, task.display_path, task.max_archive_bytes)
        result.sha = result.read_sha if data is raw else hashlib.sha256(data).hexdigest()
        raws, activities = decode(data, result.sha, athlete=task.athlete, source_path=task.display_path,
                                  zone=task.zone, hints=task.hints)
        with boundary("encoding the streams", task.display_path):
            result.activities = [EncodedActivity(a.summary, encode_stream(a.stream)) for a in activities]
        result.records = sum(len(r.samples) for r in raws)
        result.status = "decoded"
    except NoActivityError as exc:
        result.status, result.reason = "no-activity", exc.reason
    except FileImportError as exc:
        result.reason = exc.reason
    except Exception as exc:  # the last line of the boundary: whatever escaped the stages above
        log.debug("unexpected error while importing %s", task.display_path, exc_info=True)
        result.reason = UnexpectedFileError(exc, stage="importing", path=task.display_path).reason
    return result


def _read(task: Task, result: FileResult) -> bytes:
    assert task.path is not None
    try:
        stat = os.stat(task.path)
        result.size, result.mtime_ns = stat.st_size, stat.st_mtime_ns
        with open(task.path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise FileImportError(f"cannot read: {exc.strerror or exc}", path=task.display_path) from exc
