"""A Strava bulk export's ``activities.csv``: names and types for the files, and manual runs.

The CSV is read as a stream, in whatever encoding Strava or Excel wrote it: UTF-8 with or
without a BOM, UTF-16 (with a BOM, or without one, told by its zero bytes), else Windows-1252
(Latin-1). Fields of any length are read (never the csv module's 128 KiB abort); names
longer than :data:`MAX_NAME_CHARS` are cut, with a note. A broken CSV is never fatal: the
rows read before the damage (or before ``max_file_bytes``) are kept and the reason is noted.

Rows with a ``Filename`` give :class:`~.stream.Hints` (name, sport, ``Perceived Exertion`` as
RPE) for that file. Rows
without one are activities typed in by hand (a treadmill run, say): they become
:class:`ManualRun`, imported as summary-only activities (distance, moving time, date,
elevation gain when given; no samples) that count in load.

Strava's export repeats some column names: the first ``Distance`` is in the athlete's
display unit (km or mi), the second in metres; the first ``Elapsed Time`` is in seconds.
With a single ``Distance`` column it is taken as km.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import logging
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from typing import IO

from ..effort import device_rpe
from ..errors import BudgetError
from ..model import Activity, empty_stream_columns, sport_key
from . import localtime
from . import surface as surfaces
from .stream import Hints, is_running

log = logging.getLogger(__name__)

MAX_NAME_CHARS = 500
STRAVA_TYPES = {
    "run": "running", "trail run": "trail_running", "virtual run": "virtual_run",
    "ride": "cycling", "virtual ride": "cycling", "e-bike ride": "cycling", "walk": "walking",
    "hike": "hiking", "swim": "swimming", "rowing": "rowing",
}
DATE_FORMATS = ("%b %d, %Y, %I:%M:%S %p", "%b %d, %Y %I:%M:%S %p", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%SZ",
                "%d %b %Y, %H:%M:%S", "%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class ManualRun:
    """One activity typed in by hand on Strava: what ``activities.csv`` says of it (SI units)."""

    activity_id: str
    start: datetime  # UTC
    name: str | None
    sport: str | None
    distance_m: float | None
    moving_s: float | None
    elapsed_s: float | None
    ascent_m: float | None
    rpe: float | None = None

    def key(self) -> bytes:
        """Bytes that identify this activity across exports (its Strava id, else its values)."""
        ident = self.activity_id or f"{self.start.isoformat()}|{self.sport}|{self.distance_m}|{self.moving_s}"
        return f"strava manual activity {ident}\n".encode()


@dataclass
class StravaExport:
    """What an ``activities.csv`` says: hints by export-relative file name (lower case),
    the manual activities, and notes on what was cut or could not be read."""

    hints: dict[str, Hints] = field(default_factory=dict)
    manual: list[ManualRun] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None


def read_activities_csv(open_csv: Callable[[], IO[bytes]], where: str, limit: int) -> StravaExport:
    """Read a Strava ``activities.csv`` (opened by ``open_csv``, up to ``limit`` bytes); never raises
    for its content: damage ends the reading with ``error`` set, keeping the rows before it."""
    export = StravaExport()
    try:
        with open_csv() as raw:
            head = raw.read(4096)
        encoding = sniff_encoding(head)
        try:
            _read_rows(open_csv, encoding, where, limit, export)
        except UnicodeDecodeError:
            if encoding != "utf-8-sig":
                raise
            export.hints.clear(), export.manual.clear(), export.notes.clear()
            export.notes.append("activities.csv is not UTF-8: read as Windows-1252 (Latin-1)")
            _read_rows(open_csv, "cp1252", where, limit, export)
    except BudgetError as exc:
        export.error = exc.reason
    except Exception as exc:  # whatever the bytes do to the csv module or a codec: never fatal
        log.debug("cannot read %s", where, exc_info=True)
        export.error = f"activities.csv cannot be read past row {len(export.hints) + len(export.manual)}: " \
                       f"{type(exc).__name__}: {str(exc)[:200]}"
    if export.error:
        log.warning("%s: %s", where, export.error)
    return export


def sniff_encoding(head: bytes) -> str:
    """The codec of a CSV from its first bytes: a BOM, else UTF-16 told by zero bytes, else UTF-8
    (a file that is not UTF-8 is re-read as Windows-1252 by :func:`read_activities_csv`)."""
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    if len(head) >= 4 and head[1:4:2] == b"\x00\x00" and head[0:4:2] != b"\x00\x00":
        return "utf-16-le"
    if len(head) >= 4 and head[0:4:2] == b"\x00\x00" and head[1:4:2] != b"\x00\x00":
        return "utf-16-be"
    return "utf-8-sig"


class _Counted(io.RawIOBase):
    """A byte stream that refuses to give more than ``limit`` bytes."""

    def __init__(self, stream: IO[bytes], limit: int, where: str):
        self._stream, self._left, self._limit, self._where = stream, limit, limit, where

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        data = self._stream.read(min(len(buffer), self._left) or 1)
        if data and self._left <= 0:
            raise BudgetError(f"activities.csv is larger than {self._limit:,} bytes; the rows after that "
                              "are not read", setting="max_file_bytes", path=self._where)
        self._left -= len(data)
        buffer[:len(data)] = data
        return len(data)


@contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    """Let the csv module read fields up to ``limit`` characters (its default aborts at 128 KiB);
    the process-wide value is only ever raised, and put back afterwards."""
    before = csv.field_size_limit()
    csv.field_size_limit(max(before, min(limit, 2**31 - 1)))
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _read_rows(open_csv: Callable[[], IO[bytes]], encoding: str, where: str, limit: int,
               export: StravaExport) -> None:
    with open_csv() as raw, _field_limit(limit):
        text = io.TextIOWrapper(io.BufferedReader(_Counted(raw, limit, where)), encoding=encoding,
                                errors="strict" if encoding == "utf-8-sig" else "replace", newline="")
        rows = csv.reader(text)
        header = [name.strip().lstrip("\ufeff") for name in next(rows, [])]
        columns = _Columns(header)
        cut = 0
        for row in rows:
            if not any(cell.strip() for cell in row):
                continue
            name = columns.get(row, "Activity Name")
            if name and len(name) > MAX_NAME_CHARS:
                name, cut = name[:MAX_NAME_CHARS] + "…", cut + 1
            kind = columns.get(row, "Activity Type")
            sport = STRAVA_TYPES.get(kind.lower(), sport_key(kind) if kind else None) if kind else None
            filename = columns.get(row, "Filename")
            if filename:
                export.hints[filename.lower()] = Hints(name=name, sport=sport, rpe=_rpe(columns, row))
                continue
            manual = _manual(columns, row, name, sport)
            if manual is None:
                export.notes.append(f"row of activity {columns.get(row, 'Activity ID') or '?'}: no readable date")
            else:
                export.manual.append(manual)
        if cut:
            export.notes.append(f"{cut} activity name{'s' if cut > 1 else ''} longer than {MAX_NAME_CHARS} "
                                "characters cut")


class _Columns:
    """Cells of a row by column name: the first column of a name, or its ``n``-th repeat."""

    def __init__(self, header: list[str]):
        self.where: dict[str, list[int]] = {}
        for i, name in enumerate(header):
            self.where.setdefault(name, []).append(i)

    def get(self, row: list[str], name: str, nth: int = 0) -> str | None:
        places = self.where.get(name, [])
        if nth >= len(places) or places[nth] >= len(row):
            return None
        return row[places[nth]].strip() or None

    def number(self, row: list[str], name: str, nth: int = 0) -> float | None:
        text = self.get(row, name, nth)
        if text is None:
            return None
        try:
            value = float(text.replace(",", ""))
        except ValueError:
            return None
        return value if math.isfinite(value) else None

    def count(self, name: str) -> int:
        return len(self.where.get(name, []))


def _date(text: str | None) -> datetime | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text or "", fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return None


def _manual(columns: _Columns, row: list[str], name: str | None, sport: str | None) -> ManualRun | None:
    start = _date(columns.get(row, "Activity Date"))
    if start is None:
        return None
    if columns.count("Distance") > 1:
        distance = columns.number(row, "Distance", 1)  # the repeat is in metres
    else:
        km = columns.number(row, "Distance")
        distance = km * 1000 if km is not None else None
    return ManualRun(
        activity_id=columns.get(row, "Activity ID") or "",
        start=start,
        name=name,
        sport=sport,
        distance_m=distance,
        moving_s=columns.number(row, "Moving Time"),
        elapsed_s=columns.number(row, "Elapsed Time"),
        ascent_m=columns.number(row, "Elevation Gain"),
        rpe=_rpe(columns, row),
    )


def _rpe(columns: _Columns, row: list[str]) -> float | None:
    """Strava's ``Perceived Exertion`` (1-10, the Borg CR-10 scale), when given."""
    return device_rpe(columns.number(row, "Perceived Exertion"))


def manual_activity(run: ManualRun, *, athlete: str, source_path: str, zone: tzinfo | None) -> Activity:
    """A summary-only :class:`Activity` (empty stream, ``summary_only`` true) for a manual run."""
    sha = hashlib.sha256(run.key()).hexdigest()
    configured = getattr(zone, "key", None) or (str(zone) if zone is not None else None)
    local_zone = localtime.configured_or_machine(configured)  # the CSV gives UTC; refresh may find a nearer rule
    local = local_zone.localise(run.start.astimezone(timezone.utc))
    columns = empty_stream_columns()
    running = is_running(run.sport, columns) if run.sport else False
    distance = run.distance_m or 0.0
    timer = run.moving_s if run.moving_s is not None else run.elapsed_s
    surface, surface_source = surfaces.classify(sub_sport=None, sport=run.sport, name=run.name, has_gps=False,
                                                has_distance=False)  # no samples: not evidence of indoors
    if surface == "unknown":
        surface_source = "entered by hand, no samples"
    summary = {
        "id": sha[:16],
        "athlete": athlete,
        "sport": run.sport,
        "sub_sport": None,
        "running": running,
        "surface": surface if running else "unknown",
        "surface_source": surface_source if running else "not a run",
        "start_time": local.isoformat(),
        "local_date": local.date().isoformat(),
        "timezone": local_zone.name,
        "timezone_source": local_zone.source,
        "distance_m": distance,
        "timer_s": timer,
        "elapsed_s": run.elapsed_s,
        "ascent_m": run.ascent_m,
        "descent_m": None,
        "downhill_5pct_m": None,
        "downhill_10pct_m": None,
        "cadence_spm": None,
        "avg_speed_mps": distance / timer if distance and timer else None,
        "device": "Strava (entered by hand)",
        "format": "csv",
        "source_path": source_path,
        "sha256": sha,
        "name": run.name,
        "summary_only": True,
        "rpe": run.rpe,
    }
    return Activity(summary=summary, columns=columns)
