"""Flag records, their severities and sources, and the collection of every signal's flags.

A flag is one observation, one row of a DataFrame with the :data:`FLAG_COLUMNS`:

``athlete``, ``date`` (local day), ``activity_id`` (the run it belongs to, else None),
``kind``, ``severity`` (``info`` < ``caution`` < ``alert``), ``value`` and ``threshold``
(in the unit of the kind, see :data:`KINDS`), ``message`` (a plain sentence),
``source`` (a key of :data:`SOURCES`, as in ``science.md``) and ``evidence``
(``strong``, ``moderate`` or ``weak``).

Signals are functions ``signal(analysis) -> DataFrame`` that return such rows (build them
with :func:`flag_frame`); :func:`collect` runs a list of them. A new signal (pain,
return-to-run) adds its kind to :data:`KINDS`, its sources to :data:`SOURCES` and its
function to the list in :mod:`strideload.analyze`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from .runs import days_to_dates

SEVERITIES = ("info", "caution", "alert")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES, start=1)}
EVIDENCE = ("strong", "moderate", "weak")


@dataclass(frozen=True)
class Flag:
    """One flag (the columns of a flags DataFrame, documented in the module doc)."""

    athlete: str
    date: date
    activity_id: str | None
    kind: str
    severity: str
    value: float | None
    threshold: float | None
    message: str
    source: str
    evidence: str


FLAG_COLUMNS = [f.name for f in fields(Flag)]


@dataclass(frozen=True)
class Source:
    """A reference from ``science.md``: citation, DOI (when it has one) and evidence grade."""

    citation: str
    doi: str | None
    evidence: str


#: Every reference a signal names, keyed as in ``science.md``.
SOURCES: dict[str, Source] = {
    "frandsen2025": Source("Frandsen JSB et al. Br J Sports Med 2025;59(17):1203-1210",
                           "10.1136/bjsports-2024-109380", "strong"),
    "gabbett2016": Source("Gabbett TJ. Br J Sports Med 2016;50:273", "10.1136/bjsports-2015-095788",
                          "weak"),
    "williams2017": Source("Williams S et al. Br J Sports Med 2017;51:209",
                           "10.1136/bjsports-2016-096589", "weak"),
    "windt2019": Source("Windt J, Gabbett TJ. Br J Sports Med 2019;53:988",
                        "10.1136/bjsports-2017-098925", "weak"),
    "nielsen2014": Source("Nielsen RO et al. JOSPT 2014;44:739", "10.2519/jospt.2014.5164", "weak"),
    "buist2008": Source("Buist I et al. Am J Sports Med 2008;36:33", "10.1177/0363546507307505", "weak"),
    "gottschall2005": Source("Gottschall JS, Kram R. J Biomech 2005;38:445",
                             "10.1016/j.jbiomech.2004.04.023", "moderate"),
    "vernillo2017": Source("Vernillo G et al. Sports Med 2017;47:615", "10.1007/s40279-016-0605-y",
                           "moderate"),
    "heiderscheit2011": Source("Heiderscheit BC et al. MSSE 2011;43:296",
                               "10.1249/MSS.0b013e3181ebedf4", "moderate"),
    "lenhart2014": Source("Lenhart RL et al. MSSE 2014;46:557", "10.1249/MSS.0b013e3182a78c3a",
                          "moderate"),
    "barton2016": Source("Barton CJ et al. Br J Sports Med 2016;50:513", "10.1136/bjsports-2015-095278",
                         "weak"),
    "ferris1999": Source("Ferris DP et al. J Biomech 1999;32:787", None, "weak"),
    "malisoux2015": Source("Malisoux L et al. SJMSS 2015;25:110", "10.1111/sms.12154", "weak"),
    "foster1998": Source("Foster C. MSSE 1998;30:1164", None, "weak"),
    # Pain and return to run: science.md gives no grade; these follow its scale. Runner
    # guidance for patellofemoral pain is convention; Silbernagel's pain-monitoring model
    # comes from an RCT, but in Achilles tendinopathy, not the knee; the protocols are a
    # trial's protocol (Crowell) and a clinical review (Delaware), not outcome evidence.
    "trek_pfp": Source("Patellofemoral pain runner guidance aligned with Barton/Esculier; "
                       "Esculier JF et al. Br J Sports Med 2018;52:659", "10.1136/bjsports-2016-096988", "weak"),
    "silbernagel2007": Source("Silbernagel KG et al. Am J Sports Med 2007;35:897",
                              "10.1177/0363546506298279", "moderate"),
    "vincent2017": Source("Vincent HK, Vincent KR. Curr Sports Med Rep 2017;16:122",
                          "10.1249/JSR.0000000000000362", "weak"),
    "crowell2023": Source("Crowell MS et al. Trials 2023;24", "10.1186/s13063-023-07502-x", "weak"),
    "delaware2018": Source("Capin JJ, Snyder-Mackler L. Ann Jt 2018;3:40", "10.21037/aoj.2018.04.11", "weak"),
}


@dataclass(frozen=True)
class Kind:
    """A flag kind: its source key, evidence grade, usual severity and the unit of its value."""

    source: str
    evidence: str
    severity: str
    unit: str
    note: str = ""


#: Every flag kind the analysis raises. ``session_spike`` severity depends on its tier.
KINDS: dict[str, Kind] = {
    "session_spike": Kind("frandsen2025", "strong", "alert", "ratio to the longest run of 30 days"),
    "acwr_high": Kind("gabbett2016", "weak", "caution", "EWMA acute:chronic ratio",
                      "In runners the acute:chronic ratio has not been shown to predict injury, "
                      "and the ratio itself is disputed: read it as context."),
    "weekly_increase": Kind("nielsen2014", "weak", "info", "% over the usual 7 days (mean of the 4 weeks before)"),
    "downhill_spike": Kind("gottschall2005", "moderate", "caution",
                           "ratio to the most downhill of one run in 30 days"),
    "low_cadence": Kind("heiderscheit2011", "moderate", "info", "% below your predicted cadence"),
    "cadence_hint": Kind("heiderscheit2011", "weak", "info", "steps/min"),
    "surface_change": Kind("malisoux2015", "weak", "info", "% of the last 7 days' distance"),
    "monotony_high": Kind("foster1998", "weak", "info", "mean / standard deviation"),
    # Pain and return to run. The source shown on each flag is the athlete's pain profile
    # (trek_pfp or silbernagel2007) or the plan's protocol (crowell2023, delaware2018).
    "pain_amber": Kind("trek_pfp", "weak", "caution", "pain points (score, or rise over the morning before)"),
    "pain_red": Kind("trek_pfp", "weak", "alert", "pain points (score, or rise over the morning before)"),
    "rtr_ready": Kind("crowell2023", "weak", "info", "sessions done without pain at the stage"),
    "rtr_hold": Kind("crowell2023", "weak", "caution", "see the message"),
    "rtr_deviation": Kind("crowell2023", "weak", "caution", "what was done (the threshold is the prescription)"),
}

Signal = Callable[[Any], pd.DataFrame]


def empty_flags() -> pd.DataFrame:
    """A flags frame without rows."""
    frame = pd.DataFrame({name: pd.Series(dtype=object) for name in FLAG_COLUMNS})
    frame["date"] = pd.Series(dtype="datetime64[s]")
    frame["value"] = pd.Series(dtype="float64")
    frame["threshold"] = pd.Series(dtype="float64")
    return frame


def flag_frame(kind: str, *, athlete: Iterable[str], day: np.ndarray, value: Iterable[float],
               threshold: Any, message: Sequence[str], activity_id: Iterable[str | None] | None = None,
               severity: Any = None) -> pd.DataFrame:
    """Flags of one ``kind``: source and evidence come from :data:`KINDS`.

    ``day`` is days since the epoch; ``threshold`` and ``severity`` may be one value or one
    per flag (``severity`` defaults to the kind's).
    """
    spec = KINDS[kind]
    n = len(message)
    if n == 0:
        return empty_flags()
    return pd.DataFrame({
        "athlete": pd.Series(list(athlete), dtype=object),
        "date": days_to_dates(day),
        "activity_id": pd.Series(list(activity_id) if activity_id is not None else [None] * n, dtype=object),
        "kind": kind,
        "severity": spec.severity if severity is None else severity,
        "value": np.asarray(list(value), dtype="float64"),
        "threshold": np.broadcast_to(np.asarray(threshold, dtype="float64"), (n,)),
        "message": pd.Series(list(message), dtype=object),
        "source": spec.source,
        "evidence": spec.evidence,
    })[FLAG_COLUMNS]


def collect(analysis: Any, signals: Sequence[Signal]) -> pd.DataFrame:
    """Every flag the ``signals`` raise on ``analysis``, by athlete, date and kind."""
    frames = [frame for frame in (signal(analysis) for signal in signals) if len(frame)]
    if not frames:
        return empty_flags()
    flags = pd.concat(frames, ignore_index=True)
    flags["_rank"] = flags["severity"].map(SEVERITY_RANK)
    flags = flags.sort_values(["athlete", "date", "_rank", "kind"], ascending=[True, True, False, True],
                              kind="stable")
    return flags.drop(columns="_rank").reset_index(drop=True)


@dataclass(frozen=True)
class Stretches:
    """Stretches of items (days or runs) meeting a condition, one flag each.

    Per stretch: ``start`` and ``end`` (positions of its first and last item meeting the
    condition), ``count`` (items meeting it), ``days`` (first to last day, inclusive),
    ``end_day`` (days since the epoch) and ``ongoing`` (its last item is the last judged
    item of its athlete: the stretch may go on).
    """

    start: np.ndarray
    end: np.ndarray
    count: np.ndarray
    days: np.ndarray
    end_day: np.ndarray
    ongoing: np.ndarray
    members: np.ndarray
    offsets: np.ndarray

    def reduce(self, values: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
        """``ufunc`` (``np.minimum``, ``np.maximum``) of ``values`` over each stretch's items."""
        if not len(self.start):
            return np.zeros(0)
        return ufunc.reduceat(np.asarray(values, dtype="float64")[self.members], self.offsets)


def stretches(condition: np.ndarray, judged: np.ndarray, group: np.ndarray, day: np.ndarray,
              merge_days: int) -> Stretches:
    """Group the items where ``condition`` holds into stretches.

    Items are in order within each ``group`` (an integer athlete code). Two items meeting the condition
    belong to one stretch when no judged item between them failed it, or when the second
    comes at most ``merge_days`` days after the first: a stretch that starts again within
    ``merge_days`` of its end continues. Items that are not ``judged`` (no value) never
    break a stretch. Causal: a stretch's start never depends on later items.
    """
    condition = np.asarray(condition, dtype=bool)
    judged = np.asarray(judged, dtype=bool) | condition
    group, day = np.asarray(group), np.asarray(day, dtype="int64")
    idx = np.flatnonzero(condition)
    if not len(idx):
        empty = np.zeros(0, dtype="int64")
        return Stretches(empty, empty, empty, empty, empty, np.zeros(0, dtype=bool), empty, empty)
    failed = np.cumsum(judged & ~condition)
    prev, nxt = idx[:-1], idx[1:]
    join = (group[nxt] == group[prev]) & ((failed[nxt] == failed[prev]) | (day[nxt] - day[prev] <= merge_days))
    new = np.concatenate(([True], ~join))
    first = np.flatnonzero(new)
    last = np.concatenate((first[1:] - 1, [len(idx) - 1]))
    start, end = idx[first], idx[last]
    codes = np.asarray(group, dtype="int64")
    last_judged = np.full(int(codes.max()) + 1, -1)
    np.maximum.at(last_judged, codes[judged], np.flatnonzero(judged))
    return Stretches(start, end, last - first + 1, day[end] - day[start] + 1, day[end],
                     last_judged[codes[end]] == end, idx, first)


def day_stretches(condition: np.ndarray, grid: Any, merge_days: int) -> Stretches:
    """:func:`stretches` of days of a :class:`~strideload.analyze.daily.DayGrid` (every day judged)."""
    return stretches(condition, np.ones(grid.size, dtype=bool), grid.code, grid.day, merge_days)


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def short_day(day: int) -> str:
    """Days since the epoch as ``17 Aug``."""
    when = date.fromordinal(_EPOCH_ORDINAL + int(day))
    return f"{when.day} {when:%b}"


def lasted(days: int, end_day: int, ongoing: bool, what: str) -> str:
    """How long a stretch lasted, as a sentence after a space: `` It stayed above 1.5 for 6 days, to 17 Aug.``

    Nothing for a stretch that began on the last day of the series (there is no length yet).
    """
    unit = "day" if days == 1 else "days"
    if ongoing and days == 1:
        return ""
    if ongoing:
        return f" It has stayed {what} for {days} {unit} so far ({short_day(end_day)})."
    if days == 1:
        return " That lasted one day."
    return f" It stayed {what} for {days} {unit}, to {short_day(end_day)}."


def km(value: float) -> str:
    """Kilometres as a runner reads them: ``24.0 km``."""
    return f"{value:.1f} km"


def pct(value: float) -> str:
    """A percentage without decimals: ``43 %``."""
    return f"{value:.0f} %"
