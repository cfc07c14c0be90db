"""The knee-pain log: one entry per score an athlete gives, validated, and its CSV format.

An entry is a 0–10 score (halves allowed) with the day it was felt and ``when``:

* ``during`` — the worst pain during the run;
* ``after`` — about an hour after the run;
* ``next-morning`` — on getting up; dated the morning it was felt, so the score for the
  morning after the 4 May run is dated 5 May (and so are its flags);
* ``daily`` — a resting value for the day.

``side`` (``left``, ``right``, ``both``) and a free-text ``note`` are optional, and so is
the local ``time`` (``HH:MM``). ``during`` and ``after`` entries belong to that day's run
when there is one (:func:`link_runs`). Sources: ``vincent2017`` (when to ask),
``trek_pfp`` / ``silbernagel2007`` (how the scores are read, see ``analyze.pain``).

The CSV (:data:`CSV_COLUMNS`, header required, UTF-8) is what ``strideload pain import``
reads; lines starting with ``#`` are comments. ``strideload pain template`` writes the
header and commented examples, so the template as it is imports nothing::

    date,time,score,when,side,note
    2026-05-04,07:40,2,during,right,last 2 km downhill
    2026-05-05,,3,next-morning,right,"stiff, stairs hurt"

A file with any bad row is refused as a whole (:func:`read_csv` raises for the first bad
row and counts the rest), so a half-imported log never exists. A score dated after the
athlete's tomorrow (:func:`latest_date`) is a typo, not a plan: it is refused too. No SQL
here: the store keeps entries, keyed by (athlete, date, time, when, side); the same entry
twice is one, and a score given again without a note keeps the note it had.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from datetime import date as date_type
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config
from .errors import InputError, UsageError

if TYPE_CHECKING:  # pandas loads where a frame is built: the CLI's light commands never need it
    import pandas as pd

#: The moments a score can describe, in the order a day goes.
WHENS = ("during", "after", "next-morning", "daily")
#: The knee a score is about; empty when not said.
SIDES = ("left", "right", "both")
#: Columns of a pain CSV, in the order the template writes them. ``time``, ``side`` and
#: ``note`` may be left out of the header entirely.
CSV_COLUMNS = ("date", "time", "score", "when", "side", "note")
REQUIRED_COLUMNS = ("date", "score", "when")
#: Columns of ``Store.pain_frame()`` (``id``: the entry's stable number in the store).
PAIN_COLUMNS = ["id", "athlete", "date", "time", "score", "when", "side", "note", "activity_id"]
#: Pain entries that belong to a run of the same day.
RUN_WHENS = ("during", "after")

#: Examples the template shows (commented out), one per ``when``.
EXAMPLES = (
    "2026-05-04,07:40,2,during,right,last 2 km downhill",
    "2026-05-04,09:00,2.5,after,right,",
    '2026-05-05,07:10,3,next-morning,right,"stiff, stairs hurt"',
    "2026-05-06,,1,daily,right,",
)
TEMPLATE = (",".join(CSV_COLUMNS) + "\n"
            "# One row per score; lines starting with # are ignored. Examples (remove the # to keep one):\n"
            + "".join(f"# {row}\n" for row in EXAMPLES))


class PainInputError(InputError):
    """A pain score that cannot be accepted. ``field`` names the column, ``line`` the CSV line."""


@dataclass(frozen=True)
class PainEntry:
    """One validated score. ``time`` is local ``HH:MM``; unset optional fields are ``None``."""

    athlete: str
    date: date
    score: float
    when: str
    time: str | None = None
    side: str | None = None
    note: str | None = None

    def key(self) -> tuple[str, str, str, str, str]:
        """What makes an entry the same entry: athlete, date, time, when and side."""
        return (self.athlete, self.date.isoformat(), self.time or "", self.when, self.side or "")


def parse_score(value: str | float, *, what: str = "a score", scale: str = "", example: int = 3) -> float:
    """A score 0–10 in steps of 0.5 (``"6.5"``, ``6``); anything else raises ``ValueError``
    whose message asks for ``what`` on the ``scale`` (e.g. " (Borg CR-10)"), like ``example``."""
    try:
        score = float(str(value).strip()) if not isinstance(value, (int, float)) else float(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a number; give {what} from 0 to 10{scale}") from None
    if not math.isfinite(score) or not 0 <= score <= 10:
        raise ValueError(f"{value!r} is outside 0–10{scale}")
    if score * 2 != round(score * 2):
        raise ValueError(f"{value!r} is not a whole or half point (e.g. {example} or {example}.5)")
    return score


def parse_date(value: str | date) -> date:
    """``YYYY-MM-DD`` (or a date) into a date; anything else raises ``ValueError``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a date as YYYY-MM-DD") from None


def parse_time(value: str | time | None) -> str | None:
    """Local ``HH:MM`` (seconds are dropped), or ``None`` when empty."""
    if value is None:
        return None
    if isinstance(value, time):
        return value.strftime("%H:%M")
    text = str(value).strip()
    if not text:
        return None
    for pattern in ("%H:%M", "%H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).strftime("%H:%M")
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a time as HH:MM")


def parse_when(value: str) -> str:
    """One of :data:`WHENS` (case and ``_``/space for ``-`` forgiven)."""
    text = str(value).strip().lower().replace("_", "-").replace(" ", "-")
    if text not in WHENS:
        raise ValueError(f"{value!r} is not one of {', '.join(WHENS)}")
    return text


def parse_side(value: str | None) -> str | None:
    """One of :data:`SIDES`, or ``None`` when empty."""
    text = (value or "").strip().lower()
    if not text:
        return None
    if text not in SIDES:
        raise ValueError(f"{value!r} is not one of {', '.join(SIDES)} (or empty)")
    return text


def latest_date(config: Config, athlete: str) -> date:
    """The last day a score may be dated: the athlete's tomorrow (in their time zone, else
    this machine's), one day of slack for a clock or a time zone."""
    return datetime.now(config.timezone(athlete)).date() + timedelta(days=1)


def make_entry(athlete: str, *, score: str | float, date: str | date, when: str,
               time: str | None = None, side: str | None = None, note: str | None = None,
               line: int | None = None, path: str | Path | None = None, latest: date_type | None = None) -> PainEntry:
    """A validated :class:`PainEntry`; a bad field raises :class:`PainInputError` naming it.
    ``latest``: the last date a score may have (:func:`latest_date`), or None for no limit."""
    if not athlete or not str(athlete).strip():
        raise PainInputError("an athlete name is needed", field="athlete", line=line, path=path)
    def field(name: str, parse: Any, raw: Any) -> Any:
        if name in REQUIRED_COLUMNS and (raw is None or str(raw).strip() == ""):
            raise PainInputError("missing (required)", field=name, line=line, path=path)
        try:
            return parse(raw)
        except ValueError as exc:
            raise PainInputError(str(exc), field=name, line=line, path=path) from exc

    day: date_type = field("date", parse_date, date)
    if latest is not None and day > latest:
        raise PainInputError(f"{day.isoformat()} is in the future (the latest date allowed is {latest.isoformat()}); "
                             "date a score with the day the pain was felt", field="date", line=line, path=path)
    clock: str | None = field("time", parse_time, time)
    value: float = field("score", parse_score, score)
    moment: str = field("when", parse_when, when)
    knee: str | None = field("side", parse_side, side)
    note = (note or "").strip() or None
    return PainEntry(athlete=str(athlete).strip(), date=day, score=value, when=moment, time=clock, side=knee,
                     note=note)


def read_csv(path: str | Path, athlete: str, *, latest: date | None = None) -> list[PainEntry]:
    """Every entry of the pain CSV at ``path`` (see :func:`parse_csv`)."""
    try:
        data = Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise PainInputError(f"cannot read: {exc.strerror or exc}", field="file", path=path) from exc
    return parse_csv(data, athlete, path=path, latest=latest)


def parse_csv(data: bytes | str, athlete: str, *, path: str | Path | None = None,
              latest: date | None = None) -> list[PainEntry]:
    """Every entry of a pain CSV's content, or :class:`PainInputError` for the first bad row.

    ``path`` names the file in errors. Line numbers count the header as line 1. Blank
    lines and comment lines (starting with ``#``) are skipped, before the header too. Two
    rows for the same moment (date, time, when, side) are an error; so is a date after
    ``latest``.
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise PainInputError(f"not UTF-8 text (byte {exc.start})", field="file", path=path) from exc
    else:
        text = data.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _comment_free(reader)
    except StopIteration:
        raise PainInputError("the file is empty; expected a header row: " + ",".join(CSV_COLUMNS),
                             field="header", line=1, path=path) from None
    except csv.Error as exc:
        raise PainInputError(f"malformed CSV: {exc}", field="header", line=1, path=path) from exc
    unknown = [name for name in header if name not in CSV_COLUMNS]
    if unknown:
        raise PainInputError(f"unknown column {unknown[0]!r}; the columns are {','.join(CSV_COLUMNS)}",
                             field=unknown[0] or "header", line=1, path=path)
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise PainInputError(f"the header lacks the required column {missing[0]!r}", field=missing[0],
                             line=1, path=path)
    repeated = [name for name in header if header.count(name) > 1]
    if repeated:
        raise PainInputError("the column appears twice in the header", field=repeated[0], line=1, path=path)

    entries: list[PainEntry] = []
    errors: list[PainInputError] = []
    seen: dict[tuple[str, ...], int] = {}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(PainInputError(f"malformed CSV: {exc}", field="row", line=reader.line_num, path=path))
            break
        line = reader.line_num
        if not any(cell.strip() for cell in row) or _is_comment(row):
            continue
        if len(row) != len(header):
            errors.append(PainInputError(f"{len(row)} fields where the header has {len(header)} "
                                         "(quote a note that holds a comma)", field="row", line=line, path=path))
            continue
        fields = dict(zip(header, row, strict=True))
        try:
            entry = make_entry(athlete, date=fields.get("date", ""), time=fields.get("time"),
                               score=fields.get("score", ""), when=fields.get("when", ""),
                               side=fields.get("side"), note=fields.get("note"), line=line, path=path,
                               latest=latest)
        except PainInputError as exc:
            errors.append(exc)
            continue
        key = entry.key()
        if key in seen:
            errors.append(PainInputError(f"repeats line {seen[key]} (same date, time, when and side)",
                                         field="when", line=line, path=path))
            continue
        seen[key] = line
        entries.append(entry)
    if errors:
        first = errors[0]
        if len(errors) > 1:
            more = len(errors) - 1
            first = PainInputError(f"{first.reason} (and {more} more bad row{'s' if more > 1 else ''}; "
                                   "nothing was imported)", field=first.field, line=first.line, path=path)
        raise first
    return entries


def _is_comment(row: list[str]) -> bool:
    return bool(row) and row[0].lstrip().startswith("#")


def _comment_free(reader: Any) -> list[str]:
    """The header: the first row that is neither blank nor a comment, lower-cased."""
    while True:
        row = next(reader)
        if any(cell.strip() for cell in row) and not _is_comment(row):
            return [name.strip().lower() for name in row]


def template() -> str:
    """The pain CSV header and commented examples, for people to copy: imports as nothing."""
    return TEMPLATE


def choose_athlete(given: str | None, known: list[str], config: Config) -> str:
    """Whose pain (or plan) it is when ``--athlete`` may be left out: ``given``, else the
    configured ``default_athlete`` when set in a config file, else the store's only athlete
    (``known``), else the default name on an empty store. With several athletes and none
    named, :class:`UsageError` lists them: a score must never land on a made-up athlete."""
    if given:
        return given
    if config.origin("default_athlete") != "default" or not known:
        return str(config.get("default_athlete"))
    if len(known) == 1:
        return known[0]
    raise UsageError(f"this store has several athletes ({', '.join(known)}): say whose it is with --athlete")


def link_runs(pain: pd.DataFrame, runs: pd.DataFrame) -> pd.Series:
    """The run each ``during`` / ``after`` entry belongs to (activity id, else ``None``).

    ``pain`` has ``athlete``, ``date``, ``time``, ``when``; ``runs`` has ``athlete``,
    ``local_date``, ``start_time`` (local ISO), ``id`` and ``distance_m`` of running
    activities. Of several runs that day: with a time, the last run that started at or
    before it (else the first); without one, the longest.
    """
    import pandas as pd

    out = pd.Series([None] * len(pain), index=pain.index, dtype=object)
    if not len(pain) or not len(runs):
        return out
    by_day: dict[tuple[str, str], list[tuple[str, str, float]]] = {}
    for row in runs.to_dict("records"):
        start = row["start_time"]
        clock = start[11:16] if isinstance(start, str) else ""
        distance = pd.to_numeric(row["distance_m"], errors="coerce")
        by_day.setdefault((str(row["athlete"]), str(row["local_date"])[:10]), []).append(
            (clock, str(row["id"]), 0.0 if pd.isna(distance) else float(distance)))
    for index, athlete, day, clock, when in zip(pain.index, pain["athlete"], pain["date"], pain["time"],
                                                pain["when"], strict=True):
        if when not in RUN_WHENS:
            continue
        candidates = sorted(by_day.get((athlete, str(day)[:10]), []))
        if not candidates:
            continue
        if isinstance(clock, str) and clock:
            started = [c for c in candidates if c[0] and c[0] <= clock]
            out[index] = (started[-1] if started else candidates[0])[1]
        else:
            out[index] = max(candidates, key=lambda c: c[2])[1]
    return out


def entries_frame(entries: Iterable[PainEntry]) -> pd.DataFrame:
    """Entries as a frame with :data:`PAIN_COLUMNS` (``id`` and ``activity_id`` unset), oldest first."""
    import pandas as pd

    rows = [{"athlete": e.athlete, "date": e.date.isoformat(), "time": e.time, "score": e.score,
             "when": e.when, "side": e.side, "note": e.note, "activity_id": None} for e in entries]
    frame = pd.DataFrame(rows, columns=PAIN_COLUMNS)
    frame["score"] = frame["score"].astype("float64")
    return frame
