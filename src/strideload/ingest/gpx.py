"""Read GPX files (1.0 and 1.1) into :class:`~strideload.model.RawActivity` objects.

One RawActivity per ``<trk>`` that holds dated points (format ``"gpx"``), read in one
streaming pass through :mod:`.safexml` (no DTDs or entities, byte and depth budgets).
Units of the sample frame (see :data:`strideload.model.RAW_COLUMNS`):

* ``time``: tz-aware UTC; GPX times without an offset are taken as UTC.
* ``latitude_deg`` / ``longitude_deg``: WGS84 degrees; ``elevation_m``: metres.
* ``heart_rate_bpm``: 1/min, from Garmin ``TrackPointExtension`` ``hr`` or a plain
  ``<heartrate>`` / ``<heart_rate>`` extension element (Strava's ``gpxdata:hr`` too).
* ``cadence_spm``: steps/min. GPX ``cad`` / ``cadence`` is usually per foot, but some apps
  write steps/min. Decided once per file (science.md, "Cadence"): when the median of the
  non-zero values is below :data:`PER_FOOT_BELOW` the values are per foot and doubled.
  Tracks whose sport is a pedalling sport keep their rpm and do not take part in the
  decision.
* ``distance_m``: always NaN (GPX has no device distance; the normaliser computes it from
  coordinates). ``speed_mps``: NaN unless the file has GPX 1.0 ``<speed>`` (m/s).

Quirks of real files: a track point without a readable ``lat``/``lon`` (some apps write the
first point before the GPS fix) is skipped, not the file; extension elements are matched by
local name, so a prefix the file never declares (Strava's ``gpxdata:``) is read as well.
``device`` is the ``creator`` attribute (``"StravaGPX"``, ``"Garmin Connect"``,
``"TomTom.1001"``), for the normaliser's elevation-source decision.
"""

from __future__ import annotations

import logging

import numpy as np

from strideload.errors import NoActivityError
from strideload.model import RawActivity

from .safexml import Element, Source, XmlLimits, parse
from .xmlsamples import NAN, Columns, number, timed_share

log = logging.getLogger(__name__)

#: Median GPX cadence (non-zero values) below which values are per foot and get doubled.
PER_FOOT_BELOW = 120.0

#: A track counts as dated only when at least this share of its points has a timestamp
#: (a handful of stray times on an untimed track does not date it).
MIN_TIMED_SHARE = 0.5

#: ``<type>`` values (lower case) mapped to strideload sport names; unknown values are kept.
#: Strava GPX exports write numeric codes: 1 Ride, 4 Hike, 9 Run, 10 Walk.
SPORT_ALIASES: dict[str, str] = {
    "9": "running", "run": "running", "running": "running",
    "1": "cycling", "ride": "cycling", "cycling": "cycling", "biking": "cycling", "bike": "cycling",
    "10": "walking", "walk": "walking", "walking": "walking",
    "4": "hiking", "hike": "hiking", "hiking": "hiking",
}

#: Sports whose cadence is pedal rpm, not steps.
_PEDAL_SPORTS = frozenset({"cycling", "mountain_biking", "e_biking", "virtualride"})

#: Extension elements (any namespace, any case seen in the wild) holding heart rate and cadence.
HR_NAMES = ("hr", "heartrate", "heart_rate", "HeartRate", "heartRate")
CAD_NAMES = ("cad", "cadence", "runcadence", "Cadence", "RunCadence", "runCadence")

_NUMERIC = ("latitude_deg", "longitude_deg", "elevation_m", "speed_mps", "heart_rate_bpm", "cadence_spm")
# Slots of the point being read: its time text, then the numeric columns in _NUMERIC order.
_TIME, _LAT, _LON, _ELE, _SPEED, _HR, _CAD = range(7)


class _Track:
    def __init__(self) -> None:
        self.name: str | None = None
        self.type: str | None = None
        self.activity: str | None = None  # Locus Map's <locus:activity> track extension
        self.columns = Columns(_NUMERIC)

    @property
    def sport(self) -> str | None:
        raw = (self.type or self.activity or "").strip().lower()
        return SPORT_ALIASES.get(raw, raw) or None


class _GpxReader:
    """Callbacks for :func:`safexml.parse`: keeps the values of track points, nothing else."""

    def __init__(self) -> None:
        self.where = Element()
        self.creator: str | None = None
        self.name: str | None = None
        self.tracks: list[_Track] = []
        self.track: _Track | None = None
        self.point: list | None = None
        self.routes = self.waypoints = self.unplaced = 0
        self.starts = {"gpx": self.on_gpx, "trk": self.on_trk, "trkpt": self.on_trkpt,
                       "rte": self.on_rte, "wpt": self.on_wpt}
        self.ends = {"trk": self.end_trk, "trkpt": self.end_trkpt, "name": self.end_name,
                     "type": self.end_type, "activity": self.end_activity,
                     "ele": self.slot(_ELE), "time": self.slot(_TIME), "speed": self.slot(_SPEED),
                     **{name: self.extension(_HR) for name in HR_NAMES},
                     **{name: self.extension(_CAD) for name in CAD_NAMES}}
        self.texts = frozenset(self.ends) - {"trk", "trkpt"}

    def on_gpx(self, attrs: dict[str, str]) -> None:
        if len(self.where.path) == 1:
            self.creator = (attrs.get("creator") or "").strip() or None

    def on_trk(self, attrs: dict[str, str]) -> None:
        self.track = _Track()
        self.tracks.append(self.track)

    def on_rte(self, attrs: dict[str, str]) -> None:
        self.routes += 1

    def on_wpt(self, attrs: dict[str, str]) -> None:
        self.waypoints += 1

    def on_trkpt(self, attrs: dict[str, str]) -> None:
        if self.track is None:
            return
        lat, lon = number(attrs.get("lat")), number(attrs.get("lon"))
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):  # NaN fails both
            self.unplaced += 1
            self.point = [None, NAN, NAN, NAN, NAN, NAN, NAN, False]  # read, then dropped
            return
        self.point = [None, lat, lon, NAN, NAN, NAN, NAN, True]

    def end_trkpt(self, _: str | None) -> None:
        point, self.point = self.point, None
        if point is not None and point[7] and self.track is not None:
            self.track.columns.add(point[_TIME], point[_LAT:_CAD + 1])

    def end_trk(self, _: str | None) -> None:
        self.track = None

    def slot(self, index: int):
        """End callback for a direct child of ``<trkpt>``: the first one's value is kept."""
        def end(text: str | None) -> None:
            point = self.point
            if point is not None and self.where.path[-2] == "trkpt" and \
                    (point[index] is None if index == _TIME else point[index] != point[index]):
                point[index] = text.strip() if index == _TIME else number(text)
        return end

    def extension(self, index: int):
        """End callback for a heart-rate or cadence element anywhere inside ``<trkpt>``."""
        def end(text: str | None) -> None:
            point = self.point
            if point is not None and point[index] != point[index]:
                point[index] = number(text)
        return end

    def end_name(self, text: str | None) -> None:
        path, value = self.where.path, (text or "").strip() or None
        if path[-2] == "trk" and self.track is not None:
            self.track.name = value
        elif (len(path) == 3 and path[1] == "metadata") or len(path) == 2:  # GPX 1.1 / 1.0
            self.name = self.name or value

    def end_type(self, text: str | None) -> None:
        if self.where.path[-2] == "trk" and self.track is not None:
            self.track.type = text

    def end_activity(self, text: str | None) -> None:
        if self.track is not None and self.point is None and (text or "").strip():
            self.track.activity = text


def _cadence_factor(foot_cadences: np.ndarray) -> float:
    """2 when the file's non-zero cadence median says 'per foot', else 1."""
    values = foot_cadences[np.isfinite(foot_cadences) & (foot_cadences > 0)]
    return 2.0 if len(values) and float(np.median(values)) < PER_FOOT_BELOW else 1.0


def _is_dated(track: _Track) -> bool:
    """Most points timed, and the times span at least a second (not one placeholder time)."""
    times = track.columns.times()
    if timed_share(times) < MIN_TIMED_SHARE:
        return False
    return (times.max() - times.min()).total_seconds() >= 1.0


def read_gpx(data: Source, path: str, *, limits: XmlLimits | None = None) -> list[RawActivity]:
    """Read a GPX document.

    Args:
        data: the file's bytes (already gunzipped), or a binary file positioned at its start.
        path: what the user sees in error messages.
        limits: byte and depth budgets (default: the settings' defaults).

    Returns:
        One RawActivity per dated track (see :func:`_is_dated`), in file order; empty and
        untimed tracks are skipped, and so are track points without a position.

    Raises:
        CorruptFileError: broken XML (``offset`` = line), DTD/entities, over a budget.
        UnknownFormatError: well-formed XML that is not GPX.
        NoActivityError: only routes/waypoints, or no usable timestamps.
    """
    reader = _GpxReader()
    parse(data, path, root="gpx", what="GPX", limits=limits or XmlLimits(), starts=reader.starts,
          ends=reader.ends, texts=reader.texts, where=reader.where)
    if reader.unplaced:
        log.warning("%s: skipped %d track point(s) without a position (lat/lon)", path, reader.unplaced)
    tracks = [t for t in reader.tracks if len(t.columns)]
    if not tracks:
        if reader.unplaced:
            raise NoActivityError("no track point has a position (lat/lon)", path=path)
        if reader.routes or reader.waypoints:
            raise NoActivityError("only routes/waypoints, no track points: a planned route, "
                                  "not a recorded activity", path=path)
        raise NoActivityError("no track points", path=path)

    steps = [t.columns.column("cadence_spm") for t in tracks if t.sport not in _PEDAL_SPORTS]
    factor = _cadence_factor(np.concatenate(steps)) if steps else 1.0
    activities: list[RawActivity] = []
    for track in tracks:
        if not _is_dated(track):
            continue
        cadence = track.columns.column("cadence_spm")
        samples = track.columns.frame(cadence_spm=cadence if track.sport in _PEDAL_SPORTS else cadence * factor)
        activities.append(RawActivity(
            format="gpx", samples=samples, sport=track.sport,
            start_time=samples["time"].iloc[0].to_pydatetime(),
            device=reader.creator, name=(track.name or reader.name or "").strip() or None,
            session_index=len(activities)))
    if not activities:
        raise NoActivityError("track points carry no usable timestamps (missing, or one placeholder "
                              "time on every point): cannot count as dated training", path=path)
    return activities
