"""Read Garmin Training Center (TCX v2) files into :class:`~strideload.model.RawActivity` objects.

One RawActivity per ``<Activity>`` (format ``"tcx"``), in file order, including the
activities inside a ``<MultiSportSession>``. Units of the sample frame
(see :data:`strideload.model.RAW_COLUMNS`):

* ``time``: tz-aware UTC (TCX times are UTC; a time without an offset is taken as UTC).
* ``distance_m``: cumulative metres from ``Trackpoint/DistanceMeters``.
* ``speed_mps``: m/s from the ``TPX/Speed`` extension.
* ``elevation_m``: metres (``AltitudeMeters``); ``latitude_deg`` / ``longitude_deg``: degrees.
* ``heart_rate_bpm``: 1/min (``HeartRateBpm/Value``).
* ``cadence_spm``: steps/min. ``TPX/RunCadence`` is per foot and is doubled. Trackpoint
  ``Cadence`` is per foot for foot sports (doubled) and pedal rpm for ``Biking`` (kept).

``totals`` holds the device's own numbers: ``timer_s`` and ``distance_m`` are the sums over
laps of ``TotalTimeSeconds`` (s) and ``DistanceMeters`` (m); ``elapsed_s`` runs from the
first lap's start to the last trackpoint (s); ``cadence_spm`` is the laps' average cadence
(``LX/AvgRunCadence`` or ``Cadence``, weighted by lap time; steps/min for foot sports).

Parsing uses :mod:`defusedxml`, so DTDs and entity declarations are refused as corrupt.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element

import pandas as pd

from strideload.errors import NoActivityError
from strideload.model import DeviceTotals, RawActivity, samples_frame

from .safexml import local_name, parse_xml

TCX_NS = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
EXT_NS = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"

#: Sports (lower case, as in the ``Sport`` attribute) whose Trackpoint ``Cadence`` is pedal rpm.
PEDAL_SPORTS = frozenset({"biking", "cycling"})

#: Years a recorded time may fall in; anything else is a corrupt or placeholder value.
YEAR_RANGE = (1980, 2200)

_NAN = float("nan")


def _text(el: Element | None) -> str | None:
    text = el.text.strip() if el is not None and el.text else ""
    return text or None


def _num(el: Element | None) -> float:
    """Float value of an element's text; NaN when absent or not a finite number."""
    text = _text(el)
    try:
        value = float(text) if text is not None else _NAN
    except ValueError:
        return _NAN
    return value if math.isfinite(value) else _NAN


def _times(texts: list[str | None]) -> pd.Series:
    """Parse ISO 8601 times (mixed precisions) to tz-aware UTC; unreadable or implausible → NaT."""
    stamps = pd.to_datetime(pd.Series(texts, dtype="object"), utc=True, errors="coerce", format="ISO8601")
    plausible = (stamps.dt.year >= YEAR_RANGE[0]) & (stamps.dt.year <= YEAR_RANGE[1])
    return stamps.where(plausible)


def _utc(text: str | None) -> datetime | None:
    """Parse one time to a tz-aware UTC datetime; None when absent, unreadable or implausible."""
    stamp = _times([text]).iloc[0]
    return None if pd.isna(stamp) else stamp.to_pydatetime()


class _Reader:
    """Reads the activities of one TCX tree; ``ns`` is the namespace the root uses."""

    def __init__(self, root: Element):
        uri = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
        self.ns = f"{{{uri}}}" if uri else ""

    def q(self, *names: str) -> str:
        """A path of TCX elements in the document's namespace."""
        return "/".join(self.ns + name for name in names)

    def activity(self, act: Element, index: int) -> RawActivity | None:
        sport = (act.get("Sport") or "").strip().lower() or None
        laps = act.findall(self.q("Lap"))
        samples = self.samples(act, pedal=sport in PEDAL_SPORTS)
        lap_start = _utc(laps[0].get("StartTime")) if laps else None
        first_sample = samples["time"].iloc[0].to_pydatetime() if len(samples) else None
        start = _utc(_text(act.find(self.q("Id")))) or lap_start or first_sample
        if start is None:
            return None
        return RawActivity(
            format="tcx", samples=samples, sport=sport, start_time=start,
            device=_text(act.find(self.q("Creator", "Name"))),
            name=_text(act.find(self.q("Notes"))),
            totals=self.totals(laps, lap_start or first_sample, samples, pedal=sport in PEDAL_SPORTS),
            session_index=index)

    def totals(self, laps: list[Element], start: datetime | None, samples: pd.DataFrame, *,
               pedal: bool = False) -> DeviceTotals:
        def lap_sum(tag: str) -> float | None:
            values = [v for v in (_num(lap.find(self.q(tag))) for lap in laps) if not math.isnan(v)]
            return float(sum(values)) if values else None

        elapsed = None
        if start is not None and len(samples):
            elapsed = max(0.0, (samples["time"].iloc[-1].to_pydatetime() - start).total_seconds())
        return DeviceTotals(distance_m=lap_sum("DistanceMeters"), timer_s=lap_sum("TotalTimeSeconds"),
                            elapsed_s=elapsed, cadence_spm=self.lap_cadence(laps, pedal))

    def lap_cadence(self, laps: list[Element], pedal: bool) -> float | None:
        """The laps' own average cadence, weighted by lap time: ``LX/AvgRunCadence`` (per foot,
        doubled), else the lap's ``Cadence`` (per foot for foot sports, pedal rpm for biking)."""
        values, weights = [], []
        for lap in laps:
            factor = 2.0
            cadence = math.nan
            for ext in lap.iter():
                if local_name(ext.tag) == "AvgRunCadence":
                    cadence = _num(ext)
                    break
            if math.isnan(cadence):
                cadence, factor = _num(lap.find(self.q("Cadence"))), 1.0 if pedal else 2.0
            if not math.isnan(cadence):
                values.append(cadence * factor)
                seconds = _num(lap.find(self.q("TotalTimeSeconds")))
                weights.append(seconds if seconds > 0 else 1.0)
        return sum(v * w for v, w in zip(values, weights)) / sum(weights) if values else None

    def samples(self, act: Element, *, pedal: bool) -> pd.DataFrame:
        cols: dict[str, list[Any]] = {k: [] for k in (
            "time", "distance_m", "speed_mps", "elevation_m", "cadence_spm",
            "heart_rate_bpm", "latitude_deg", "longitude_deg")}
        for tp in act.iter(self.q("Trackpoint")):
            cols["time"].append(_text(tp.find(self.q("Time"))))
            cols["latitude_deg"].append(_num(tp.find(self.q("Position", "LatitudeDegrees"))))
            cols["longitude_deg"].append(_num(tp.find(self.q("Position", "LongitudeDegrees"))))
            cols["elevation_m"].append(_num(tp.find(self.q("AltitudeMeters"))))
            cols["distance_m"].append(_num(tp.find(self.q("DistanceMeters"))))
            cols["heart_rate_bpm"].append(_num(tp.find(self.q("HeartRateBpm", "Value"))))
            tpx = self._tpx(tp)
            cols["speed_mps"].append(tpx.get("Speed", _NAN))
            cadence = tpx.get("RunCadence", _NAN) * 2.0
            if math.isnan(cadence):
                cadence = _num(tp.find(self.q("Cadence"))) * (1.0 if pedal else 2.0)
            cols["cadence_spm"].append(cadence)
        cols["time"] = _times(cols["time"])  # all at once: much faster than point by point
        return samples_frame(cols)

    @staticmethod
    def _tpx(tp: Element) -> dict[str, float]:
        """Values of the ``TPX`` extension, by local name (TomTom puts its children in the TCX namespace)."""
        values: dict[str, float] = {}
        for ext in tp:
            if local_name(ext.tag) != "Extensions":
                continue
            for tpx in ext:
                if local_name(tpx.tag) == "TPX":
                    for child in tpx:
                        values.setdefault(local_name(child.tag), _num(child))
        return values


def read_tcx(data: bytes, path: str) -> list[RawActivity]:
    """Read a TCX document.

    Args:
        data: the file's bytes (already gunzipped).
        path: what the user sees in error messages.

    Returns:
        One RawActivity per dated ``<Activity>``, in file order (``session_index`` 0, 1, ...).

    Raises:
        CorruptFileError: broken XML (``offset`` = line number), DTD/entity declarations.
        UnknownFormatError: well-formed XML whose root is not ``TrainingCenterDatabase``.
        NoActivityError: no ``<Activity>`` (courses or workouts only), or none with a time.
    """
    root = parse_xml(data, path, root="TrainingCenterDatabase", what="TCX")
    reader = _Reader(root)
    elements = list(root.iter(reader.q("Activity")))
    if not elements:
        raise NoActivityError("no <Activity> in the TCX (courses, workouts or an empty export)", path=path)
    activities: list[RawActivity] = []
    for act in elements:
        found = reader.activity(act, len(activities))
        if found is not None:
            activities.append(found)
    if not activities:
        raise NoActivityError("no activity carries a time: cannot count as dated training", path=path)
    return activities
