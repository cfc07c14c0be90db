"""Running sessions out of activity summaries: the one frame every signal starts from.

:func:`prepare_runs` takes a frame with the :data:`~strideload.model.SUMMARY_FIELDS`
columns (one row per activity, any athletes) and keeps the running sessions, sorted by
athlete and start instant, in analysis units:

=============== ========= ====================================================
column          unit      meaning
=============== ========= ====================================================
``athlete``     name
``code``        int       athlete's position in the sorted athlete names
``id``          str       activity id
``day``         days      local calendar day, days since 1970-01-01
``instant``     UTC       start instant (tz-naive UTC); local noon when unknown
``distance_km`` km        0 when unknown
``duration_min`` min      timer time; 0 when unknown
``downhill_km`` km        distance at grade <= -5 %; NaN when unknown
``descent_m``   m         NaN when unknown
``cadence_spm`` steps/min median over the running part; NaN when unknown
``speed_mps``   m/s       average speed; NaN when unknown
``run_speed_mps`` m/s     median speed of the running part; the average speed when
                          unknown (activities imported before it was recorded)
``surface``     str       one of :data:`~strideload.model.SURFACES`
``rpe``         0-10      the session's RPE (Borg CR-10); NaN when unknown
``hr_histogram`` JSON     seconds at each bpm (:mod:`strideload.effort`); None/'' without
=============== ========= ====================================================

Treadmill and indoor runs have 0 m downhill and descent: known, not unknown.

Small helpers shared by the signal modules live here too: reading a setting for every
row (per athlete where the setting allows it) and finding where episodes start.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from ..config import SETTINGS, Config
from ..errors import UsageError
from ..model import SURFACES

#: Summary columns the analysis cannot do without.
REQUIRED = ("athlete", "running", "local_date", "distance_m")
#: Summary columns it uses when present (missing ones count as unknown).
OPTIONAL = ("id", "start_time", "timer_s", "downhill_5pct_m", "descent_m", "cadence_spm",
            "avg_speed_mps", "run_speed_mps", "surface", "rpe", "hr_histogram")
#: Surfaces without hills: a run on them has 0 m downhill and descent.
FLAT_SURFACES = ("treadmill", "indoor")

EPOCH = np.datetime64("1970-01-01", "D")


def _numeric(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _days(values: pd.Series) -> np.ndarray:
    """Calendar days (float days since the epoch, NaN when unknown) of dates or date strings.

    Activities share few distinct dates, so each distinct value is parsed once.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = (values.dt.tz_localize(None) if values.dt.tz is not None else values).to_numpy()
        out = (stamps.astype("datetime64[D]") - EPOCH).astype("float64")
        out[np.isnat(stamps)] = np.nan
        return out
    codes, distinct = pd.factorize(values)
    text = pd.Series([str(value)[:10] for value in distinct], dtype=object)
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").to_numpy(dtype="datetime64[ns]")
    table = np.append((parsed.astype("datetime64[D]") - EPOCH).astype("float64"), np.nan)
    table[:-1][np.isnat(parsed)] = np.nan
    return table[codes]  # code -1 (missing) picks the trailing NaN


def local_days(frame: pd.DataFrame) -> np.ndarray:
    """Local calendar day of each activity (days since the epoch, NaN when unknown).

    ``local_date`` may hold ``datetime.date`` objects, ``'YYYY-MM-DD'`` strings or
    datetimes; where it is missing, the date part of ``start_time`` (which is written in
    the athlete's local time) stands in.
    """
    result = _days(frame["local_date"])
    if "start_time" in frame and np.isnan(result).any():
        result = np.where(np.isnan(result), _days(frame["start_time"]), result)
    return result


def _surfaces(frame: pd.DataFrame) -> np.ndarray:
    if "surface" not in frame:
        return np.full(len(frame), "unknown", dtype=object)
    codes, distinct = pd.factorize(frame["surface"])
    known = [str(value).lower() if str(value).lower() in SURFACES else "unknown" for value in distinct]
    return np.asarray(known + ["unknown"], dtype=object)[codes]


def prepare_runs(summaries: pd.DataFrame, until: int | None = None) -> pd.DataFrame:
    """The running sessions of ``summaries`` in analysis units (see the module doc).

    Non-running activities, rows without any date and (with ``until``, days since the
    epoch) runs after that day are left out.
    """
    missing = [name for name in REQUIRED if name not in summaries]
    if missing:
        raise UsageError(f"activity summaries lack the column(s) {', '.join(missing)}")
    frame = summaries[[name for name in REQUIRED + OPTIONAL if name in summaries]].reset_index(drop=True)
    running = frame["running"].fillna(False).astype(bool).to_numpy()
    frame = frame[running].reset_index(drop=True)
    days = local_days(frame)
    keep = ~np.isnan(days) & ~frame["athlete"].isna().to_numpy()
    if until is not None:
        keep &= days <= until
    frame = frame[keep].reset_index(drop=True)
    days = days[keep].astype("int64")

    if "start_time" in frame:
        instant = pd.to_datetime(frame["start_time"], utc=True, format="ISO8601", errors="coerce")
        instant = instant.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    else:
        instant = np.full(len(frame), np.datetime64("NaT", "ns"))
    noon = (EPOCH + days).astype("datetime64[ns]") + np.timedelta64(12, "h")
    instant = np.where(np.isnat(instant), noon, instant)

    code, names = pd.factorize(frame["athlete"], sort=True)
    order = np.lexsort((instant.astype("int64"), code))
    ids = frame["id"].to_numpy(dtype=object) if "id" in frame else np.full(len(frame), None, dtype=object)
    surface = _surfaces(frame)
    flat = np.isin(surface, FLAT_SURFACES)
    speed = _numeric(frame, "avg_speed_mps")
    run_speed = _numeric(frame, "run_speed_mps")
    columns = {
        "code": code,
        "id": ids,
        "day": days,
        "instant": instant,
        "distance_km": np.nan_to_num(_numeric(frame, "distance_m") / 1000.0),
        "duration_min": np.nan_to_num(_numeric(frame, "timer_s") / 60.0),
        "downhill_km": np.where(flat, 0.0, _numeric(frame, "downhill_5pct_m") / 1000.0),
        "descent_m": np.where(flat, 0.0, _numeric(frame, "descent_m")),
        "cadence_spm": _numeric(frame, "cadence_spm"),
        "speed_mps": speed,
        "run_speed_mps": np.where(np.isnan(run_speed), speed, run_speed),
        "surface": surface,
        "rpe": _numeric(frame, "rpe"),
        "hr_histogram": frame["hr_histogram"].to_numpy(dtype=object) if "hr_histogram" in frame
        else np.full(len(frame), None, dtype=object),
    }
    runs = pd.DataFrame({name: pd.Series(values[order], dtype=values.dtype) for name, values in columns.items()})
    athletes = pd.Categorical.from_codes(code[order], categories=pd.Index([str(n) for n in names]))
    runs.insert(0, "athlete", pd.Series(athletes, index=runs.index))
    return runs


def athlete_names(runs: pd.DataFrame) -> list[str]:
    """Athlete names in ``code`` order."""
    return list(runs["athlete"].cat.categories)


def per_row(config: Config, name: str, athletes: pd.Series | np.ndarray) -> Any:
    """Setting ``name`` for every row: one value, or an array when it may differ per athlete."""
    if not SETTINGS[name].per_athlete:
        return config.get(name)
    codes, distinct = pd.factorize(np.asarray(athletes, dtype=object))
    return np.asarray([config.get(name, athlete) for athlete in distinct], dtype="float64")[codes]


def episode_starts(condition: np.ndarray, new_group: np.ndarray) -> np.ndarray:
    """True where ``condition`` holds and did not hold on the previous row of the same group.

    Day-level conditions (a high ratio, a uniform week) stay true for days on end; a flag
    is raised once, on the first day of each such stretch. ``new_group`` is True on the
    first row of each athlete (or athlete and surface).
    """
    condition = np.asarray(condition, dtype=bool)
    before = np.empty_like(condition)
    if len(condition):
        before[0] = False
        before[1:] = condition[:-1]
    before[np.asarray(new_group, dtype=bool)] = False
    return condition & ~before


def rounded(values: np.ndarray, decimals: int) -> np.ndarray:
    """``values`` as compared with a threshold: rounded to ``decimals`` (NaN and ±inf kept).

    Thresholds are stated to a precision (1.10, 30 %); comparing the rounded value means a
    ratio that is 1.10 to that precision is not "above 1.10" through floating-point error.
    """
    values = np.asarray(values, dtype="float64")
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(values), np.round(values, decimals), values)


def days_to_dates(days: np.ndarray) -> np.ndarray:
    """Days since the epoch as ``datetime64[s]`` dates (pandas-friendly)."""
    return (EPOCH + np.asarray(days, dtype="int64")).astype("datetime64[s]")


def date_to_day(value: Any) -> int:
    """A ``date``, ``datetime``, ``Timestamp`` or ``'YYYY-MM-DD'`` as days since the epoch."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return int((np.datetime64(stamp.date(), "D") - EPOCH).astype("int64"))


class RunWindows:
    """Per-run time windows over each athlete's earlier runs, as index ranges ``[lo, hi)``.

    ``runs`` must be sorted by athlete and start instant (as :func:`prepare_runs` leaves
    them). ``before(days)`` is the runs that started in the ``days`` before each run (from
    exactly ``days`` earlier up to, not including, its own start); ``lagged(days, lag)`` the
    same window ending ``lag`` days before it; ``upto(days)`` the runs of the ``days`` up to
    and including it.
    """

    def __init__(self, runs: pd.DataFrame):
        code = runs["code"].to_numpy().astype("int64")
        seconds = runs["instant"].to_numpy().astype("datetime64[s]").astype("int64")
        self.seconds = seconds - seconds.min(initial=0)
        # Athletes one after another on a single sorted axis; every search is then clipped
        # to the run's own athlete.
        self._shift = code * (int(self.seconds.max(initial=0)) + 1)
        self._keys = self.seconds + self._shift
        self._first = np.searchsorted(code, code, "left")
        self._end = np.searchsorted(code, code, "right")

    def _search(self, seconds: np.ndarray, side: Literal["left", "right"]) -> np.ndarray:
        found = np.searchsorted(self._keys, seconds + self._shift, side)
        return np.clip(found, self._first, self._end)

    def before(self, days: int) -> tuple[np.ndarray, np.ndarray]:
        return self._search(self.seconds - days * 86400, "left"), self._search(self.seconds, "left")

    def lagged(self, days: int, lag: int) -> tuple[np.ndarray, np.ndarray]:
        """The runs that started in the ``days`` ending ``lag`` days before each run's start."""
        return self._search(self.seconds - (days + lag) * 86400, "left"), self._search(self.seconds - lag * 86400,
                                                                                        "left")

    def upto(self, days: int) -> tuple[np.ndarray, np.ndarray]:
        return self._search(self.seconds - days * 86400, "right"), self._search(self.seconds, "right")


def range_sum(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``values[lo:hi].sum()`` for every pair of bounds."""
    cumulative = np.concatenate([[0], np.cumsum(values)])
    return cumulative[hi] - cumulative[lo]


def range_max(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``nanmax(values[lo:hi])`` for every pair of bounds; NaN for empty or all-NaN ranges.

    A sparse table: level k holds the maxima of runs of 2**k values, so any range is the
    larger of two overlapping power-of-two blocks.
    """
    length = hi - lo
    out = np.full(len(lo), np.nan)
    if not len(values) or length.max(initial=0) <= 0:
        return out
    levels = [np.where(np.isnan(values), -np.inf, values)]
    while 2 ** len(levels) <= length.max():
        previous, step = levels[-1], 2 ** (len(levels) - 1)
        levels.append(np.maximum(previous[:-step], previous[step:]) if len(previous) > step else previous[:0])
    some = length > 0
    k = np.floor(np.log2(np.maximum(length, 1))).astype("int64")
    for level, table in enumerate(levels):
        at = some & (k == level)
        if at.any():
            size = 2 ** level
            out[at] = np.maximum(table[lo[at]], table[hi[at] - size])
    out[np.isneginf(out)] = np.nan
    return out
