"""Read Garmin Training Center (TCX v2) files into :class:`~strideload.model.RawActivity` objects.

One RawActivity per ``<Activity>`` (format ``"tcx"``), in file order, including the
activities inside a ``<MultiSportSession>``, read in one streaming pass through
:mod:`.safexml` (no DTDs or entities, byte and depth budgets). Trackpoints written in
Garmin's schema order (:func:`_plain_trackpoint`) are read from the bytes in runs, the others
and everything around them by the element handlers; both read a trackpoint the same way
(``tests/test_ingest_tcx_plain.py``). Units of the sample frame (see
:data:`strideload.model.RAW_COLUMNS`):

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

``device`` names the recording watch for the normaliser's elevation-source decision:
``Creator/Name`` with its ``ProductID`` and ``Version`` where present
(``"Garmin Forerunner 620 (product 1623, version 3.30)"``), else the file's ``Author/Name``
(the app that wrote it). Elements are matched by local name, so TomTom's TPX children in
the TCX namespace and undeclared prefixes read like any other.
"""

from __future__ import annotations

import itertools
import math
import operator
import re
import sys
from datetime import datetime

import numpy as np

from strideload.errors import NoActivityError
from strideload.model import DeviceTotals, RawActivity, utc_datetime

from .safexml import Runs, SafeParser, Source, XmlLimits, attributes, local_name
from .xmlsamples import BLOCK, NAN, Columns, number, parse_times

#: Sports (lower case, as in the ``Sport`` attribute) whose Trackpoint ``Cadence`` is pedal rpm.
PEDAL_SPORTS = frozenset({"biking", "cycling"})

_NUMERIC = ("latitude_deg", "longitude_deg", "elevation_m", "distance_m", "heart_rate_bpm",
            "speed_mps", "run_cadence", "cadence")

# What an element is to the reader (by local name); 0 for everything else.
(_TRACKPOINT, _TIME, _POSITION, _LAT, _LON, _ALT, _DIST, _HRBPM, _VALUE, _CADENCE, _EXTENSIONS, _TPX,
 _SPEED, _RUNCAD, _ACTIVITY, _LAP, _TOTALTIME, _ID, _NOTES, _CREATOR, _NAME, _PRODUCT, _VERSION,
 _VMAJOR, _VMINOR, _AUTHOR, _LX, _AVGRUNCAD) = range(1, 29)
_KINDS = {"Trackpoint": _TRACKPOINT, "Time": _TIME, "Position": _POSITION, "LatitudeDegrees": _LAT,
          "LongitudeDegrees": _LON, "AltitudeMeters": _ALT, "DistanceMeters": _DIST,
          "HeartRateBpm": _HRBPM, "Value": _VALUE, "Cadence": _CADENCE, "Extensions": _EXTENSIONS,
          "TPX": _TPX, "Speed": _SPEED, "RunCadence": _RUNCAD, "Activity": _ACTIVITY, "Lap": _LAP,
          "TotalTimeSeconds": _TOTALTIME, "Id": _ID, "Notes": _NOTES, "Creator": _CREATOR, "Name": _NAME,
          "ProductID": _PRODUCT, "Version": _VERSION, "VersionMajor": _VMAJOR, "VersionMinor": _VMINOR,
          "Author": _AUTHOR, "LX": _LX, "AvgRunCadence": _AVGRUNCAD}
#: parent kind * 32 + kind -> slot in the trackpoint list: time text, then the _NUMERIC columns.
_POINT_SLOTS = {_TRACKPOINT * 32 + _TIME: 0, _POSITION * 32 + _LAT: 1, _POSITION * 32 + _LON: 2,
                _TRACKPOINT * 32 + _ALT: 3, _TRACKPOINT * 32 + _DIST: 4, _HRBPM * 32 + _VALUE: 5,
                _TPX * 32 + _SPEED: 6, _TPX * 32 + _RUNCAD: 7, _TRACKPOINT * 32 + _CADENCE: 8}
#: (parent kind, kind) -> key of an activity fact: lap values, identity, creator.
_FACTS = {(_LAP, _TOTALTIME): "lap_time", (_LAP, _DIST): "lap_distance", (_ACTIVITY, _ID): "id",
          (_ACTIVITY, _NOTES): "notes", (_CREATOR, _NAME): "Name", (_CREATOR, _PRODUCT): "ProductID",
          (_VERSION, _VMAJOR): "VersionMajor", (_VERSION, _VMINOR): "VersionMinor", (_AUTHOR, _NAME): "author",
          (_LAP, _CADENCE): "lap_cadence", (_LX, _AVGRUNCAD): "lap_run_cadence"}
#: Where each lap value goes in the open lap's list.
_LAP_SLOTS = {"lap_time": 0, "lap_distance": 1, "lap_cadence": 2, "lap_run_cadence": 3}


def _plain_trackpoint() -> re.Pattern[bytes]:
    """A trackpoint in the form Garmin's schema gives it (Garmin Connect, Strava, TomTom, Polar),
    matched in the document's bytes: ``<Trackpoint>`` without attributes; then, each at most
    once and in this order, ``Time``, ``Position`` (``LatitudeDegrees``, ``LongitudeDegrees``),
    ``AltitudeMeters``, ``DistanceMeters``, ``HeartRateBpm/Value``, ``Cadence``,
    ``SensorState`` and one ``Extensions`` holding one ``TPX`` (an ``xmlns`` attribute allowed)
    whose children are ``Speed``, ``RunCadence`` and ``Watts`` in any order, with or without
    the TPX prefix (TomTom's are in the TCX namespace); the first of each is the value, as the
    handlers take it. Only whitespace between elements.

    Expat does not see these bytes (:class:`~.safexml.Runs`), so the pattern admits only
    well-formed XML, as :func:`.gpx._plain_point` does. Groups ``time``, ``lat``, ``lon``,
    ``alt``, ``dist``, ``hr``, ``speed``, ``runcad``, ``cad`` (None where absent).
    """
    keep = b"+" if sys.version_info >= (3, 11) else b""  # see gpx._plain_point
    ws = rb"[ \t\r\n]*" + keep
    value = rb"[!-%'-;=?-~]+" + keep  # printable ASCII but & < >
    name = rb"[A-Za-z_][-.\w]*" + keep

    def element(tag: bytes, inner: bytes) -> bytes:
        return rb"<" + tag + rb">" + ws + inner + ws + rb"</" + tag + rb">" + ws

    def text(group: bytes) -> bytes:
        return rb"(?P<" + group + rb">" + value + rb")"

    def optional(pattern: bytes) -> bytes:
        return rb"(?:" + pattern + rb")?"

    prefix = rb"(?:" + name + rb":)?"

    def first(tag: bytes, group: bytes, others: bytes) -> bytes:
        """Look ahead, past the other TPX children, for the first ``tag`` and its value (the
        children are checked where they are matched, after the look-ahead)."""
        other = rb"<" + prefix + rb"(?:" + others + rb")>" + ws + value + ws + rb"</[^>]*>"
        wanted = rb"<" + prefix + tag + rb">" + ws + text(group)
        return optional(rb"(?=(?:" + ws + other + rb")*" + keep + ws + wanted + rb")")

    tpx = (rb"<(?P<tpx>" + prefix + rb")TPX"
           + rb'(?:[ \t\r\n]+xmlns(?::' + name + rb')?="[!#-%\'-;=-~]*' + keep + rb'")?[ \t\r\n]*>'
           + first(b"Speed", b"speed", b"RunCadence|Watts") + first(b"RunCadence", b"runcad", b"Speed|Watts")
           + rb"(?:" + ws + rb"<(?P<child>" + prefix + rb"(?:Speed|RunCadence|Watts))>" + ws + value + ws
           + rb"</(?P=child)>)*" + ws + rb"</(?P=tpx)TPX>" + ws)
    return re.compile(
        rb"<Trackpoint>" + ws + optional(element(b"Time", text(b"time")))
        + optional(element(b"Position", element(b"LatitudeDegrees", text(b"lat"))
                           + element(b"LongitudeDegrees", text(b"lon"))))
        + optional(element(b"AltitudeMeters", text(b"alt"))) + optional(element(b"DistanceMeters", text(b"dist")))
        + optional(element(b"HeartRateBpm", element(b"Value", text(b"hr"))))
        + optional(element(b"Cadence", text(b"cad"))) + optional(element(b"SensorState", value))
        + optional(element(b"Extensions", tpx)) + rb"</Trackpoint>" + ws)


#: See :func:`_plain_trackpoint`; its row (time, then the _NUMERIC columns) from its match.
_PLAIN_TRACKPOINT = _plain_trackpoint()
_PLAIN_ROW = operator.methodcaller("group", "time", "lat", "lon", "alt", "dist", "hr", "speed", "runcad", "cad")
_PLAIN_OPENING = re.compile(rb"<Trackpoint>")
#: Elements a plain trackpoint nests inside it (Extensions, TPX, Speed).
_PLAIN_NESTING = 3


def _plain_tag_end(data: bytes, at: int) -> int:
    """End of ``<Trackpoint>`` at ``at`` when a plain trackpoint starts there, -1 when not."""
    return -1 if _PLAIN_TRACKPOINT.match(data, at) is None else at + len(b"<Trackpoint>")


class _Activity:
    def __init__(self, sport: str | None):
        self.sport = sport
        self.id: str | None = None
        self.notes: str | None = None
        self.lap_start: str | None = None
        self.lap_distances: list[float] = []
        self.lap_times: list[float] = []
        self.lap_cadences: list[tuple[float, float]] = []  # per lap: Cadence, LX/AvgRunCadence
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


class _Document:
    def __init__(self) -> None:
        self.activities: list[_Activity] = []
        self.author: str | None = None


def _read(source: Source, path: str, limits: XmlLimits) -> _Document:
    """One streaming pass (see :class:`SafeParser`: Python runs at element starts, and once per
    run of plain trackpoints, see :func:`_plain_trackpoint`).

    ``opened`` holds the kinds of the open elements outside trackpoints and ``inner`` those
    inside the open trackpoint, so a value is taken only where it belongs
    (``HeartRateBpm/Value``, not ``AverageHeartRateBpm/Value``). A trackpoint's texts land in
    ``point`` (first of each wins) and go into the activity's columns once an element starts
    at or above its depth, or the document ends.
    """
    doc = _Document()
    parser = SafeParser(path, root="TrainingCenterDatabase", what="TCX", limits=limits)
    max_depth, ends, text, collect = parser.max_depth, parser.ends, parser.text, parser.collect
    toggle, gather = parser.expat, parser.text.append
    names: dict[str, int] = {}
    opened: list[int] = [0]  # kinds of the open elements by depth, under a sentinel for the document
    inner = [_TRACKPOINT, 0, 0, 0]  # kinds inside the open trackpoint, by depth below it
    started = point_depth = lap_depth = activity_depth = 0
    capture: int | str = -1  # point slot, or fact key, whose element text is being collected
    point: list | None = None
    activity: _Activity | None = None
    lap: list[float] | None = None  # TotalTimeSeconds, DistanceMeters, Cadence, LX/AvgRunCadence

    def kind_of(name: str) -> int:
        kind = _KINDS.get(local_name(name), 0)
        if len(names) < 4096:  # a hostile file with endless distinct names stays small
            names[name] = kind
        return kind

    def start(name: str, attrs: list[str]) -> None:
        nonlocal started, point, point_depth, point_at, capture, activity, activity_depth, lap, lap_depth
        started += 1
        depth = started - len(ends)
        if point is not None and depth > point_depth:  # inside the open trackpoint: the hot path
            if depth > max_depth:
                parser.too_deep()
            if capture != -1:  # the value element before this one has ended
                toggle.CharacterDataHandler = None
                if point[capture] is None:
                    point[capture] = "".join(text).strip() or None
                capture = -1
            below = depth - point_depth
            if below < 4:
                kind = names.get(name)
                if kind is None:
                    kind = kind_of(name)
                inner[below] = kind
                slot = _POINT_SLOTS.get(inner[below - 1] * 32 + kind)
                if slot is not None:
                    capture = slot
                    text.clear()
                    toggle.CharacterDataHandler = gather
            return
        if depth > max_depth:
            parser.too_deep()
        if capture != -1:
            collect(False)
            if point is not None:
                if point[capture] is None:
                    point[capture] = "".join(text).strip() or None
            else:
                _fact(doc, activity, lap, capture, "".join(text))
            capture = -1
        if point is not None:  # the trackpoint has closed
            activity.columns.add(point)
            point = None
        if lap is not None and depth <= lap_depth:
            _close_lap(activity, lap)
            lap = None
        if activity is not None and depth <= activity_depth:
            activity = None
        if len(ends) > 4096:  # fold the closed elements into the count
            started -= len(ends)
            ends.clear()
        if depth == 1:
            parser.check_root(name)
        kind = names.get(name)
        if kind is None:
            kind = kind_of(name)
        del opened[depth:]
        parent = opened[-1]
        opened.append(kind)
        if not kind:
            return
        if kind == _TRACKPOINT:
            if activity is not None:
                point = [None, None, None, None, None, None, None, None, None]
                point_depth, point_at = depth, toggle.CurrentByteIndex
            return
        fact = _FACTS.get((parent, kind))
        if fact is not None:
            capture = fact
            collect(True)
        elif kind == _ACTIVITY:
            sport = (attributes(attrs).get("Sport") or "").strip().lower() or None
            activity, activity_depth = _Activity(sport), depth
            doc.activities.append(activity)
        elif kind == _LAP and activity is not None:
            lap, lap_depth = [NAN, NAN, NAN, NAN], depth
            if activity.lap_start is None:
                activity.lap_start = attributes(attrs).get("StartTime") or ""

    def take(data: bytes, at: int, index: int) -> int:
        """Read the plain trackpoints from ``at`` on (see :class:`Runs`) when the trackpoint open
        now started there and all they nest fits the depth budget; the last one is left to the
        handlers (its value would run on into whatever text follows it)."""
        nonlocal started, point
        if point is None or point_at != index or point_depth + _PLAIN_NESTING > max_depth:
            return -1
        found = list(itertools.islice(iter(_PLAIN_TRACKPOINT.scanner(data, at).match, None), BLOCK + 1))
        if len(found) < 2:
            return -1
        del found[-1]
        point = None  # the open trackpoint is read again with the run, which closes it
        activity.columns.extend(itertools.chain.from_iterable(map(_PLAIN_ROW, found)))
        started -= 1  # expat counts no end for it
        return found[-1].end()

    point_at = 0
    parser.run(source, start, lambda: started - len(ends),
               Runs(_PLAIN_OPENING, b"</Trackpoint>", _plain_tag_end, take))
    if capture != -1:
        if point is not None:
            if point[capture] is None:
                point[capture] = "".join(text).strip() or None
        else:
            _fact(doc, activity, lap, capture, "".join(text))
    if point is not None:
        activity.columns.add(point)
    if lap is not None:
        _close_lap(activity, lap)
    return doc


def _close_lap(activity: _Activity, lap: list[float]) -> None:
    activity.lap_times.append(lap[0])
    activity.lap_distances.append(lap[1])
    activity.lap_cadences.append((lap[2], lap[3]))


def _fact(doc: _Document, activity: _Activity | None, lap: list[float] | None, key: str, text: str) -> None:
    """Keep one activity-level value (the first of each kind)."""
    value = text.strip()
    if key == "author":
        doc.author = doc.author or value or None
    elif activity is None:
        return
    elif key in _LAP_SLOTS:
        index = _LAP_SLOTS[key]
        if lap is not None and lap[index] != lap[index]:
            lap[index] = number(value)
    elif key == "id":
        activity.id = activity.id if activity.id is not None else value
    elif key == "notes":
        activity.notes = activity.notes or value or None
    elif value:  # Creator's Name, ProductID, Version/VersionMajor, Version/VersionMinor
        activity.creator.setdefault(key, value)


def _moment(stamp: np.datetime64) -> datetime | None:
    """A parsed time as an aware UTC datetime; None for NaT."""
    return None if np.isnat(stamp) else utc_datetime(int(stamp.astype("datetime64[ns]").astype(np.int64)))


def _activity(found: _Activity, index: int, author: str | None) -> RawActivity | None:
    columns = found.columns
    run_cadence = columns.column("run_cadence") * 2.0
    foot = 1.0 if found.sport in PEDAL_SPORTS else 2.0
    cadence = np.where(np.isnan(run_cadence), columns.column("cadence") * foot, run_cadence)
    samples, order = columns.sample_columns(cadence_spm=cadence)
    times = samples["time"]
    lap_start, identity = (_moment(t) for t in parse_times([found.lap_start, found.id]))
    first_sample = utc_datetime(int(times[0])) if len(times) else None
    start = next((t for t in (identity, lap_start, first_sample) if t is not None), None)
    if start is None:
        return None
    began = lap_start if lap_start is not None else first_sample
    elapsed = None
    if began is not None and len(times):
        elapsed = max(0.0, (utc_datetime(int(times[-1])) - began).total_seconds())

    def lap_sum(values: list[float]) -> float | None:
        total = math.fsum(v for v in values if not math.isnan(v))
        return total if math.isfinite(total) and any(v == v for v in values) else None

    return RawActivity(
        format="tcx", columns=samples, order=order, sport=found.sport, start_time=start,
        device=found.device(author), name=found.notes,
        totals=DeviceTotals(distance_m=lap_sum(found.lap_distances), timer_s=lap_sum(found.lap_times),
                            elapsed_s=elapsed, cadence_spm=_lap_cadence(found, pedal=foot == 1.0)),
        session_index=index)


def _lap_cadence(found: _Activity, *, pedal: bool) -> float | None:
    """The laps' own average cadence, weighted by lap time: ``LX/AvgRunCadence`` (per foot,
    doubled), else the lap's ``Cadence`` (per foot for foot sports, pedal rpm for biking)."""
    values, weights = [], []
    for (cadence, run_cadence), seconds in zip(found.lap_cadences, found.lap_times):
        value = run_cadence * 2.0 if run_cadence == run_cadence else cadence * (1.0 if pedal else 2.0)
        if value == value and math.isfinite(value):
            values.append(value)
            weights.append(seconds if seconds == seconds and seconds > 0 else 1.0)
    return math.fsum(v * w for v, w in zip(values, weights)) / math.fsum(weights) if values else None


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
    doc = _read(data, path, limits or XmlLimits())
    if not doc.activities:
        raise NoActivityError("no <Activity> in the TCX (courses, workouts or an empty export)", path=path)
    activities: list[RawActivity] = []
    for found in doc.activities:
        activity = _activity(found, len(activities), doc.author)
        if activity is not None:
            activities.append(activity)
    if not activities:
        raise NoActivityError("no activity carries a time: cannot count as dated training", path=path)
    return activities
