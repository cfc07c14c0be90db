"""Effort of a run: RPE entries and their CSV, and heart-rate TRIMP.

**RPE** (rating of perceived exertion) is a score on Borg's CR-10 scale, 0–10 with halves
(``foster2001``): how hard the whole session was, asked about 30 minutes after it. A run
gets it from its file (FIT session ``workout_rpe``, which Garmin writes as RPE × 10), from
a Strava bulk export (``Perceived Exertion`` in ``activities.csv``), or by hand; the hand
entry wins. Session-RPE load = RPE × minutes (Foster 2001).

The CSV (:data:`CSV_COLUMNS`, header required, UTF-8) is what ``strideload rpe import``
reads (and ``rpe*.csv`` beside the exports); lines starting with ``#`` are comments. A run
is named by ``activity`` (its id or a unique start of it) or by ``date`` (and ``time``,
``HH:MM`` local, when that day had several runs)::

    activity,date,time,rpe,note
    ,2026-05-04,,6,tempo felt hard
    3f2a9c81,,,4,

A file with any bad row imports nothing: :func:`parse_csv` raises for the first bad row
(line and field named) and counts the rest; a row naming no run, or an ambiguous one, is
found bad by the store in the same way, before anything is written.

**TRIMP** (Banister 1991; Morton 1990): ``Σ minutes × HRr × a·e^(b·HRr)`` over the moving
seconds with a heart rate, HRr = (HR − rest) / (max − rest) clipped to 0–1, a = 0.64 and
b = 1.92 (``men``) or 0.86 and 1.67 (``women``). A run keeps, from its per-second stream,
the seconds it spent at each whole bpm (:func:`hr_histogram`), so TRIMP follows any change
of the resting and maximum heart rate settings without re-reading files. No SQL here.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy and pandas load where heart rates are counted: the store imports this module
    import numpy as np
    import pandas as pd

from .errors import InputError
from .pain import parse_score

#: Columns of an RPE CSV, in the order the template writes them; ``rpe`` is required, and
#: ``activity`` or ``date``.
CSV_COLUMNS = ("activity", "date", "time", "rpe", "note")
#: Banister's weighting, ``a·e^(b·HRr)``: (a, b) for the ``trimp_weighting`` setting.
TRIMP_WEIGHTS = {"men": (0.64, 1.92), "women": (0.86, 1.67)}
TEMPLATE = (",".join(CSV_COLUMNS) + "\n"
            "# One row per run: its activity id (or a unique start of it), or its date (and local HH:MM\n"
            "# start when that day had several runs); rpe 0-10 (Borg CR-10, halves allowed). Examples:\n"
            "# ,2026-05-04,,6,tempo felt hard\n"
            "# 3f2a9c81,,,4,\n")


class RpeInputError(InputError):
    """An RPE entry that cannot be accepted. ``field`` names the column, ``line`` the CSV line."""


@dataclass(frozen=True)
class RpeEntry:
    """One validated score for one run, named by ``activity`` (an id or its start) or by
    ``date`` and optionally ``time`` (local ``HH:MM``). ``line``: its CSV line, for errors."""

    rpe: float
    activity: str | None = None
    date: date | None = None
    time: str | None = None
    note: str | None = None
    line: int | None = None


def parse_rpe(value: str | float) -> float:
    """An RPE 0–10 in steps of 0.5 (the pain log's scores, on Borg's CR-10); anything else
    raises ``ValueError``."""
    return parse_score(value, what="an RPE", scale=" (Borg CR-10)", example=6)


def device_rpe(value: Any) -> float | None:
    """An RPE as a file or export states it, or None when absent or out of range (never raises)."""
    try:
        score = float(value)
    except (TypeError, ValueError):
        return None
    return score if math.isfinite(score) and 0 < score <= 10 else None


def make_entry(*, rpe: Any, activity: str | None = None, day: Any = None, time: str | None = None,
               note: str | None = None, line: int | None = None, path: str | Path | None = None) -> RpeEntry:
    """A validated :class:`RpeEntry`; a bad field raises :class:`RpeInputError` naming it."""
    from .pain import parse_date, parse_time  # the same date and time rules as the pain log

    def field(name: str, parse: Any, raw: Any) -> Any:
        try:
            return parse(raw)
        except ValueError as exc:
            raise RpeInputError(str(exc), field=name, line=line, path=path) from exc

    activity = (activity or "").strip() or None
    text_day = "" if day is None else str(day).strip()
    if activity is None and not text_day:
        raise RpeInputError("missing: name the run by its activity id or its date", field="activity",
                            line=line, path=path)
    if rpe is None or str(rpe).strip() == "":
        raise RpeInputError("missing (required)", field="rpe", line=line, path=path)
    parsed_day = field("date", parse_date, day) if text_day else None
    clock = field("time", parse_time, time)
    return RpeEntry(rpe=field("rpe", parse_rpe, rpe), activity=activity, date=parsed_day, time=clock,
                    note=(note or "").strip() or None, line=line)


def read_csv(path: str | Path) -> list[RpeEntry]:
    """Every entry of the RPE CSV at ``path`` (see :func:`parse_csv`)."""
    try:
        data = Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise RpeInputError(f"cannot read: {exc.strerror or exc}", field="file", path=path) from exc
    return parse_csv(data, path=path)


def parse_csv(data: bytes | str, *, path: str | Path | None = None) -> list[RpeEntry]:
    """Every entry of an RPE CSV's content, or :class:`RpeInputError` for the first bad row
    (the header is line 1; blank and ``#`` lines are skipped)."""
    rows = csv_rows(data, CSV_COLUMNS, ("rpe",), path=path, error=RpeInputError)
    entries, errors = [], []
    for line, fields in rows:
        try:
            entries.append(make_entry(rpe=fields.get("rpe"), activity=fields.get("activity"),
                                      day=fields.get("date"), time=fields.get("time"), note=fields.get("note"),
                                      line=line, path=path))
        except RpeInputError as exc:
            errors.append(exc)
    raise_first(errors, RpeInputError, path)
    return entries


def csv_rows(data: bytes | str, columns: tuple[str, ...], required: tuple[str, ...], *,
             path: str | Path | None, error: Any) -> list[tuple[int, dict[str, str]]]:
    """``(line, {column: cell})`` of every row of a small side CSV (pain-log rules: header
    required, UTF-8, ``#`` comments); a bad header or row raises ``error`` naming it."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise error(f"not UTF-8 text (byte {exc.start})", field="file", path=path) from exc
    reader = csv.reader(io.StringIO(data.lstrip("\ufeff"), newline=""))
    out: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    try:
        for row in reader:
            if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
                continue
            line = reader.line_num
            if header is None:
                header = [name.strip().lower() for name in row]
                unknown = [name for name in header if name not in columns]
                if unknown:
                    raise error(f"unknown column {unknown[0]!r}; the columns are {','.join(columns)}",
                                field=unknown[0] or "header", line=line, path=path)
                missing = [name for name in required if name not in header]
                if missing:
                    raise error(f"the header lacks the required column {missing[0]!r}", field=missing[0],
                                line=line, path=path)
                repeated = [name for name in header if header.count(name) > 1]
                if repeated:
                    raise error("the column appears twice in the header", field=repeated[0], line=line, path=path)
                continue
            if len(row) != len(header):
                raise error(f"{len(row)} fields where the header has {len(header)} (quote a note that holds "
                            "a comma)", field="row", line=line, path=path)
            out.append((line, dict(zip(header, row, strict=True))))
    except csv.Error as exc:
        raise error(f"malformed CSV: {exc}", field="row", line=reader.line_num, path=path) from exc
    if header is None:
        raise error("the file is empty; expected a header row: " + ",".join(columns), field="header", line=1,
                    path=path)
    return out


def raise_first(errors: list[Any], error: Any, path: str | Path | None) -> None:
    """Raise the first of ``errors`` (saying how many more and that nothing was imported)."""
    if not errors:
        return
    first = errors[0]
    if len(errors) > 1:
        more = len(errors) - 1
        first = error(f"{first.reason} (and {more} more bad row{'s' if more > 1 else ''}; nothing was imported)",
                      field=first.field, line=first.line, path=path)
    raise first


def template() -> str:
    """The RPE CSV header and commented examples: imports as nothing."""
    return TEMPLATE


# -- heart rate ----------------------------------------------------------------------------

def hr_histogram(stream: pd.DataFrame | Mapping[str, np.ndarray]) -> str:
    """Seconds at each whole bpm while moving, as stored (``""``: no heart rate at all).

    ``stream`` is a per-second stream (``model.STREAM_COLUMNS``, a frame or its columns as
    arrays): each row is one second.
    """
    import numpy as np

    if "heart_rate_bpm" not in stream:
        return ""
    hr = np.asarray(stream["heart_rate_bpm"], dtype="float64")
    if not len(hr):
        return ""
    moving = np.asarray(stream["moving"], dtype=bool) if "moving" in stream else np.ones(len(hr), dtype=bool)
    hr = hr[moving]
    hr = np.rint(hr[np.isfinite(hr) & (hr > 0) & (hr < 260)]).astype("int64")
    if not len(hr):
        return ""
    bpm, seconds = np.unique(hr, return_counts=True)
    return json.dumps({"moving_s": int(moving.sum()), "hr": [[int(b), int(s)] for b, s in zip(bpm, seconds,
                                                                                           strict=True)]},
                      separators=(",", ":"))


@dataclass(frozen=True)
class HeartRates:
    """One run's seconds at each bpm (``bpm`` and ``seconds`` arrays) and its moving seconds."""

    bpm: np.ndarray
    seconds: np.ndarray
    moving_s: float

    @property
    def share(self) -> float:
        """Share of the moving seconds with a heart rate."""
        return float(self.seconds.sum()) / self.moving_s if self.moving_s > 0 else 0.0

    def held(self, hold_s: float, highest: bool) -> float:
        """The highest (or lowest) bpm the run spent at least ``hold_s`` seconds at or above (below)."""
        import numpy as np

        order = slice(None, None, -1) if highest else slice(None)
        total = np.cumsum(self.seconds[order])
        reached = np.flatnonzero(total >= hold_s)
        return float(self.bpm[order][reached[0]]) if len(reached) else math.nan


def read_histogram(text: Any) -> HeartRates | None:
    """The stored histogram as :class:`HeartRates`, or None for a run without heart rate."""
    if not isinstance(text, str) or not text:
        return None
    import numpy as np

    data = json.loads(text)
    pairs = np.asarray(data.get("hr") or [], dtype="float64").reshape(-1, 2)
    if not len(pairs):
        return None
    return HeartRates(pairs[:, 0], pairs[:, 1], float(data.get("moving_s") or pairs[:, 1].sum()))


def trimp(rates: HeartRates, rest_bpm: float, max_bpm: float, weighting: str = "men") -> float:
    """Banister's TRIMP of one run (arbitrary units): Σ minutes × HRr × a·e^(b·HRr).

    ``rest_bpm`` and ``max_bpm`` (1/min): resting and maximum heart rate; ``weighting``:
    ``men`` (a 0.64, b 1.92) or ``women`` (0.86, 1.67).
    """
    import numpy as np

    a, b = TRIMP_WEIGHTS[weighting]
    if not max_bpm > rest_bpm:
        return math.nan
    reserve = np.clip((rates.bpm - rest_bpm) / (max_bpm - rest_bpm), 0.0, 1.0)
    return float(np.sum(rates.seconds / 60.0 * reserve * a * np.exp(b * reserve)))
