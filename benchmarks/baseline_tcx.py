"""The TCX reader as it was before the streaming rewrite (main at e926d95), kept verbatim as
the baseline of ``bench_xml.py``: defusedxml builds the whole tree, then ``find`` per trackpoint.
Not used by strideload itself.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml
import defusedxml.ElementTree as SafeET
import pandas as pd

from strideload.errors import CorruptFileError, NoActivityError, UnknownFormatError
from strideload.ingest.resample import sample_arrays
from strideload.model import DeviceTotals, RawActivity, samples_frame


def local_name(tag: Any) -> str:
    """Element tag without its ``{namespace}`` ('' for comments and processing instructions)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_xml(data: bytes, path: str, root: str, what: str) -> Element:
    """Parse ``data``; its root element must be ``root`` (case-insensitive) or it is not ``what``.

    Hostile or broken XML raises :class:`CorruptFileError` (line number as ``offset``), with
    the parser's error as ``__cause__``.
    """
    try:
        element = SafeET.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise CorruptFileError(f"refused XML with a DTD or entity declaration ({exc})", path=path) from exc
    except SafeET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise CorruptFileError(f"not well-formed XML: {exc}", path=path, offset=line) from exc
    if local_name(element.tag).lower() != root.lower():
        raise UnknownFormatError(f"not a {what} document (root element <{local_name(element.tag) or '?'}>)",
                                 path=path)
    return element


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
            format="tcx", columns=sample_arrays(samples), sport=sport, start_time=start,
            device=_text(act.find(self.q("Creator", "Name"))),
            name=_text(act.find(self.q("Notes"))),
            totals=self.totals(laps, lap_start or first_sample, samples),
            session_index=index)

    def totals(self, laps: list[Element], start: datetime | None, samples: pd.DataFrame) -> DeviceTotals:
        def lap_sum(tag: str) -> float | None:
            values = [v for v in (_num(lap.find(self.q(tag))) for lap in laps) if not math.isnan(v)]
            return float(sum(values)) if values else None

        elapsed = None
        if start is not None and len(samples):
            elapsed = max(0.0, (samples["time"].iloc[-1].to_pydatetime() - start).total_seconds())
        return DeviceTotals(distance_m=lap_sum("DistanceMeters"), timer_s=lap_sum("TotalTimeSeconds"),
                            elapsed_s=elapsed)

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
