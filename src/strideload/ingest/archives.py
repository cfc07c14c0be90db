"""Zip and gzip archives, read as streams within budgets.

Nothing is extracted next to the user's files and nothing they own is changed. What is
held in memory is bounded whatever the archive claims:

* an activity member (or a gzip's content) is read up to ``max_file_bytes``, no further: a
  member that expands beyond it fails with a reason naming the setting, without the rest of
  it ever being decompressed;
* a zip inside a zip is spooled to an anonymous temporary file (gone when closed, even
  after ``kill -9``), never held in memory;
* all members of one top-level archive together expand to at most ``max_archive_bytes``,
  and zips nest at most ``max_archive_depth`` levels (zip-bomb guards).

Members with hostile names (absolute paths, ``..``, drive letters) are refused. Deflate64
members (what Windows Explorer writes for large archives) are read with ``inflate64``;
other compressions zipfile does not know, and encrypted members, fail naming the method.
"""

from __future__ import annotations

import copy
import gzip
import io
import logging
import lzma
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO

from ..errors import ArchiveError, BudgetError
from .detect import GZIP_MAGIC
from .limits import Limits

log = logging.getLogger(__name__)

CHUNK = 1 << 16
#: zip compression methods by number, for messages (APPNOTE 4.4.5).
METHODS = {0: "stored", 8: "deflate", 9: "Deflate64", 12: "bzip2", 14: "LZMA", 93: "Zstandard", 95: "xz",
           96: "JPEG", 97: "WavPack", 98: "PPMd", 99: "AES encryption"}
READABLE_METHODS = frozenset({0, 8, 12, 14})
#: What reading a damaged member or gzip stream raises, besides our own errors.
BROKEN_DATA = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, NotImplementedError,
               ValueError)


@dataclass
class Budget:
    """What one top-level archive may still use: decompressed bytes in all, nesting depth,
    and the per-file limits of its members."""

    remaining: int
    max_depth: int
    limits: Limits = field(default_factory=Limits.from_config)


def read_bounded(stream: IO[bytes], where: str, limit: int, budget: Budget | None = None) -> bytes:
    """All of ``stream``, refusing more than ``limit`` bytes (:class:`BudgetError` naming
    ``max_file_bytes``) and counting them against the archive ``budget``."""
    out = io.BytesIO()
    while True:
        chunk = stream.read(min(CHUNK, limit + 1 - out.tell()) or 1)
        if not chunk:
            return out.getvalue()
        _spend(budget, len(chunk), where)
        out.write(chunk)
        if out.tell() > limit:
            raise BudgetError(f"expands to more than {limit:,} bytes", setting="max_file_bytes", path=where)


def _spend(budget: Budget | None, n: int, where: str) -> None:
    if budget is None:
        return
    budget.remaining -= n
    if budget.remaining < 0:
        raise BudgetError("archive expands beyond the allowed total size: possible zip bomb",
                          setting="max_archive_bytes", path=where)


def gunzip(data: bytes, where: str, limit: int, budget: Budget | None = None) -> bytes:
    """Decompress gzip bytes up to ``limit`` bytes; corrupt data raises :class:`ArchiveError`."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            return read_bounded(stream, where, limit, budget)
    except BudgetError:
        raise
    except BROKEN_DATA as exc:
        raise ArchiveError(f"broken gzip data: {type(exc).__name__}: {exc}", path=where) from exc


def decompress_if_gzip(data: bytes, where: str, limit: int) -> bytes:
    """Gzip-compressed bytes are decompressed (up to ``limit`` bytes); anything else is returned as is."""
    if data[:2] == GZIP_MAGIC:
        return gunzip(data, where, limit)
    return data


def safe_member(name: str) -> bool:
    """A member name that stays inside the archive (not absolute, no ``..``, no drive letter)."""
    path = PurePosixPath(name.replace("\\", "/"))
    return not path.is_absolute() and ".." not in path.parts and ":" not in (path.parts[0] if path.parts else "")


def open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> IO[bytes]:
    """A stream of one member's bytes; an unreadable compression or encryption raises
    :class:`ArchiveError` naming it."""
    if info.flag_bits & 0x1:
        raise ArchiveError("encrypted archive member: not read (decrypt the archive first)", path=where)
    method = info.compress_type
    if method == 9:
        return _Deflate64(archive, info, where)
    if method not in READABLE_METHODS:
        name = METHODS.get(method, "unknown")
        raise ArchiveError(f"archive member compressed with method {method} ({name}), which strideload "
                           "cannot read: re-create the zip with ordinary (deflate) compression", path=where)
    return archive.open(info)


class _Deflate64(io.RawIOBase):
    """A Deflate64 member inflated by ``inflate64`` (zipfile cannot), CRC checked at the end."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str):
        try:
            import inflate64
        except ImportError as exc:  # pragma: no cover - a dependency; absent only in broken installs
            raise ArchiveError("archive member compressed with Deflate64, and the inflate64 package "
                               "is not installed", path=where) from exc
        raw = copy.copy(info)  # the compressed bytes, as if stored
        raw.compress_type, raw.file_size = zipfile.ZIP_STORED, info.compress_size
        del raw.CRC
        self._raw = archive.open(raw)
        self._inflater = inflate64.Inflater()
        self._crc, self._expected, self._where = 0, info.CRC, where
        self._pending = b""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while not self._pending and not self._inflater.eof:
            chunk = self._raw.read(4096)  # deflate expands at most ~1000x: ≤ 4 MB per step
            if not chunk:
                raise ArchiveError("Deflate64 data ends early (truncated archive)", path=self._where)
            self._pending = self._inflater.inflate(chunk)
        if not self._pending:
            if self._crc != self._expected:
                raise ArchiveError("Deflate64 member fails its CRC check (damaged archive)", path=self._where)
            return b""
        size = len(self._pending) if size is None or size < 0 else size
        out, self._pending = self._pending[:size], self._pending[size:]
        self._crc = zlib.crc32(out, self._crc)
        return out

    def close(self) -> None:
        self._raw.close()
        super().close()


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, budget: Budget) -> bytes:
    """One member's bytes, within the per-file and archive budgets; damage raises :class:`ArchiveError`."""
    limit = budget.limits.max_bytes
    if info.file_size > limit:  # the declared size: a cheap first refusal (the stream is checked anyway)
        raise BudgetError(f"expands to {info.file_size:,} bytes, more than {limit:,}",
                          setting="max_file_bytes", path=where)
    try:
        with open_member(archive, info, where) as stream:
            return read_bounded(stream, where, limit, budget)
    except (ArchiveError, BudgetError):
        raise
    except BROKEN_DATA as exc:
        raise ArchiveError(f"cannot read archive member: {type(exc).__name__}: {exc}", path=where) from exc


def spool_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, budget: Budget) -> IO[bytes]:
    """One member copied to an anonymous temporary file (for a zip inside a zip), within the
    archive budget; the caller closes it."""
    spool = tempfile.TemporaryFile(prefix="strideload-")
    try:
        with open_member(archive, info, where) as stream:
            while chunk := stream.read(CHUNK):
                _spend(budget, len(chunk), where)
                spool.write(chunk)
        spool.seek(0)
        return spool
    except (ArchiveError, BudgetError):
        spool.close()
        raise
    except BROKEN_DATA as exc:
        spool.close()
        raise ArchiveError(f"cannot read archive member: {type(exc).__name__}: {exc}", path=where) from exc


def open_zip(source: str | IO[bytes], where: str) -> zipfile.ZipFile:
    """A zip archive, or :class:`ArchiveError` if it is not a readable one."""
    try:
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise ArchiveError(f"not a readable zip archive: {type(exc).__name__}: {exc}", path=where) from exc


def members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The archive's files (no folders), in archive order."""
    return [m for m in archive.infolist() if not m.is_dir()]


def opener(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> Callable[[], IO[bytes]]:
    """A function opening ``info`` as a stream (for readers that stream, like activities.csv)."""
    return lambda: open_member(archive, info, where)
