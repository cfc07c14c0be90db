"""Read Garmin Training Center (TCX v2) files into :class:`~strideload.model.RawActivity` objects.

One RawActivity per ``<Activity>`` (format ``"tcx"``), in file order, including the
activities inside a ``<MultiSportSession>``, read in one streaming pass through
:mod:`.safexml` (no DTDs or entities, byte and depth budgets). Units of the sample frame
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
first lap's start to the last trackpoint (s).

``device`` names the recording watch for the normaliser's elevation-source decision:
``Creator/Name`` with its ``ProductID`` and ``Version`` where present
(``"Garmin Forerunner 620 (product 1623, version 3.30)"``), else the file's ``Author/Name``
(the app that wrote it). Elements are matched by local name, so TomTom's TPX children in
the TCX namespace and undeclared prefixes read like any other.
"""

from __future__ import annotations

import math

import numpy as np

from strideload.errors import NoActivityError
from strideload.model import DeviceTotals, RawActivity

from .safexml import Element, Source, XmlLimits, parse
from .xmlsamples import NAN, Columns, number, parse_times

#: Sports (lower case, as in the ``Sport`` attribute) whose Trackpoint ``Cadence`` is pedal rpm.
PEDAL_SPORTS = frozenset({"biking", "cycling"})

_NUMERIC = ("latitude_deg", "longitude_deg", "elevation_m", "distance_m", "heart_rate_bpm",
            "speed_mps", "run_cadence", "cadence")
# Slots of the trackpoint being read: its time text, then the numeric columns in _NUMERIC order.
_TIME, _LAT, _LON, _ELE, _DIST, _HR, _SPEED, _RUNCAD, _CAD = range(9)

#: (parent, element) -> slot of a trackpoint value.
_POINT_SLOTS = {
    ("Trackpoint", "Time"): _TIME, ("Position", "LatitudeDegrees"): _LAT,
    ("Position", "LongitudeDegrees"): _LON, ("Trackpoint", "AltitudeMeters"): _ELE,
    ("Trackpoint", "DistanceMeters"): _DIST, ("HeartRateBpm", "Value"): _HR,
    ("TPX", "Speed"): _SPEED, ("TPX", "RunCadence"): _RUNCAD, ("Trackpoint", "Cadence"): _CAD,
}


class _Activity:
    def __init__(self, sport: str | None):
        self.sport = sport
        self.id: str | None = None
        self.notes: str | None = None
        self.lap_start: str | None = None
        self.lap_distances: list[float] = []
        self.lap_times: list[float] = []
        self.creator: dict[str, str] = {}
        self.columns = Columns(_NUMERIC)

    def device(self, author: str | None) -> str | None:
        """Creator name (+ product, version), else the file's author app."""
        name = self.creator.get("Name")
        if not name:
            return author
        extras = []
        if self.creator.get("ProductID"):
            extras.append(f"product {self.creator['ProductID']}")
        if self.creator.get("VersionMajor"):
            minor = self.creator.get("VersionMinor")
            extras.append(f"version {self.creator['VersionMajor']}" + (f".{minor}" if minor else ""))
        return f"{name} ({', '.join(extras)})" if extras else name


class _TcxReader:
    """Callbacks for :func:`safexml.parse`: keeps activities, laps and trackpoints, nothing else."""

    def __init__(self) -> None:
        self.where = Element()
        self.activities: list[_Activity] = []
        self.activity: _Activity | None = None
        self.point: list | None = None
        self.lap: list[float] | None = None
        self.author: str | None = None
        self.starts = {"Activity": self.on_activity, "Lap": self.on_lap, "Trackpoint": self.on_trackpoint}
        self.ends = {"Activity": self.end_activity, "Lap": self.end_lap, "Trackpoint": self.end_trackpoint,
                     "Id": self.end_id, "Notes": self.end_notes, "TotalTimeSeconds": self.end_lap_value(0),
                     "Name": self.end_name, "ProductID": self.end_creator, "VersionMajor": self.end_creator,
                     "VersionMinor": self.end_creator,
                     **{name: self.end_point_value for _, name in _POINT_SLOTS}}
        self.ends["DistanceMeters"] = self.end_distance
        self.texts = frozenset(self.ends) - {"Activity", "Lap", "Trackpoint"}

    def on_activity(self, attrs: dict[str, str]) -> None:
        self.activity = _Activity((attrs.get("Sport") or "").strip().lower() or None)
        self.activities.append(self.activity)

    def end_activity(self, _: str | None) -> None:
        self.activity = None

    def on_lap(self, attrs: dict[str, str]) -> None:
        if self.activity is not None:
            self.lap = [NAN, NAN]  # TotalTimeSeconds, DistanceMeters
            if self.activity.lap_start is None:
                self.activity.lap_start = attrs.get("StartTime") or ""

    def end_lap(self, _: str | None) -> None:
        if self.lap is not None and self.activity is not None:
            self.activity.lap_times.append(self.lap[0])
            self.activity.lap_distances.append(self.lap[1])
        self.lap = None

    def end_lap_value(self, index: int):
        def end(text: str | None) -> None:
            if self.lap is not None and self.point is None and self.where.path[-2] == "Lap" \
                    and self.lap[index] != self.lap[index]:
                self.lap[index] = number(text)
        return end

    def on_trackpoint(self, attrs: dict[str, str]) -> None:
        if self.activity is not None:
            self.point = [None, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN]

    def end_trackpoint(self, _: str | None) -> None:
        point, self.point = self.point, None
        if point is not None and self.activity is not None:
            self.activity.columns.add(point[_TIME], point[1:])

    def end_point_value(self, text: str | None) -> None:
        point = self.point
        if point is None:
            return
        path = self.where.path
        slot = _POINT_SLOTS.get((path[-2], path[-1]))
        if slot == _TIME:
            if point[_TIME] is None:
                point[_TIME] = (text or "").strip()
        elif slot is not None and point[slot] != point[slot]:
            point[slot] = number(text)

    def end_distance(self, text: str | None) -> None:
        if self.point is not None:
            self.end_point_value(text)
        elif self.lap is not None and self.where.path[-2] == "Lap" and self.lap[1] != self.lap[1]:
            self.lap[1] = number(text)

    def end_id(self, text: str | None) -> None:
        if self.activity is not None and self.where.path[-2] == "Activity" and self.activity.id is None:
            self.activity.id = (text or "").strip()

    def end_notes(self, text: str | None) -> None:
        if self.activity is not None and self.where.path[-2] == "Activity" and self.activity.notes is None:
            self.activity.notes = (text or "").strip() or None

    def end_name(self, text: str | None) -> None:
        path = self.where.path
        if path[-2] == "Creator":
            self.end_creator(text)
        elif path[-2] == "Author" and len(path) == 3 and self.author is None:
            self.author = (text or "").strip() or None

    def end_creator(self, text: str | None) -> None:
        """Name and ProductID directly under the activity's Creator; VersionMajor/Minor under its Version."""
        path, value = self.where.path, (text or "").strip()
        inside = path[-2] == "Creator" or (path[-2] == "Version" and len(path) > 2 and path[-3] == "Creator")
        if self.activity is not None and inside and value:
            self.activity.creator.setdefault(path[-1], value)


def _activity(found: _Activity, index: int, author: str | None) -> RawActivity | None:
    columns = found.columns
    run_cadence = columns.column("run_cadence") * 2.0
    foot = 1.0 if found.sport in PEDAL_SPORTS else 2.0
    cadence = np.where(np.isnan(run_cadence), columns.column("cadence") * foot, run_cadence)
    samples = columns.frame(cadence_spm=cadence)
    lap_start, identity = parse_times([found.lap_start, found.id])
    first_sample = samples["time"].iloc[0] if len(samples) else None
    start = next((t for t in (identity, lap_start, first_sample) if t is not None and t == t), None)
    if start is None:
        return None
    began = lap_start if lap_start == lap_start else first_sample
    elapsed = None
    if began is not None and len(samples):
        elapsed = max(0.0, (samples["time"].iloc[-1] - began).total_seconds())

    def lap_sum(values: list[float]) -> float | None:
        finite = [v for v in values if not math.isnan(v)]
        return float(sum(finite)) if finite else None

    return RawActivity(
        format="tcx", samples=samples, sport=found.sport, start_time=start.to_pydatetime(),
        device=found.device(author), name=found.notes,
        totals=DeviceTotals(distance_m=lap_sum(found.lap_distances), timer_s=lap_sum(found.lap_times),
                            elapsed_s=elapsed),
        session_index=index)


def read_tcx(data: Source, path: str, *, limits: XmlLimits | None = None) -> list[RawActivity]:
    """Read a TCX document.

    Args:
        data: the file's bytes (already gunzipped), or a binary file positioned at its start.
        path: what the user sees in error messages.
        limits: byte and depth budgets (default: the settings' defaults).

    Returns:
        One RawActivity per dated ``<Activity>``, in file order (``session_index`` 0, 1, ...).

    Raises:
        CorruptFileError: broken XML (``offset`` = line number), DTD/entity declarations,
            over a budget.
        UnknownFormatError: well-formed XML whose root is not ``TrainingCenterDatabase``.
        NoActivityError: no ``<Activity>`` (courses or workouts only), or none with a time.
    """
    reader = _TcxReader()
    parse(data, path, root="TrainingCenterDatabase", what="TCX", limits=limits or XmlLimits(),
          starts=reader.starts, ends=reader.ends, texts=reader.texts, where=reader.where)
    if not reader.activities:
        raise NoActivityError("no <Activity> in the TCX (courses, workouts or an empty export)", path=path)
    activities: list[RawActivity] = []
    for found in reader.activities:
        activity = _activity(found, len(activities), reader.author)
        if activity is not None:
            activities.append(activity)
    if not activities:
        raise NoActivityError("no activity carries a time: cannot count as dated training", path=path)
    return activities
