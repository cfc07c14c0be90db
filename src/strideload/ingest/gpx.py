"""Read GPX files (1.0 and 1.1) into :class:`~strideload.model.RawActivity` objects.

One RawActivity per ``<trk>`` that holds dated points (format ``"gpx"``). Units of the
sample frame (see :data:`strideload.model.RAW_COLUMNS`):

* ``time``: tz-aware UTC; GPX times without an offset are taken as UTC.
* ``latitude_deg`` / ``longitude_deg``: WGS84 degrees; ``elevation_m``: metres.
* ``heart_rate_bpm``: 1/min, from Garmin ``TrackPointExtension`` ``hr`` or a plain
  ``<heartrate>`` / ``<heart_rate>`` extension element.
* ``cadence_spm``: steps/min. GPX ``cad`` / ``cadence`` is usually per foot, but some apps
  write steps/min. Decided once per file (science.md, "Cadence"): when the median of the
  non-zero values is below :data:`PER_FOOT_BELOW` the values are per foot and doubled.
  Tracks whose sport is a pedalling sport keep their rpm and do not take part in the
  decision.
* ``distance_m``: always NaN (GPX has no device distance; the normaliser computes it from
  coordinates). ``speed_mps``: NaN unless the file has GPX 1.0 ``<speed>`` (m/s).

The XML is checked with :mod:`defusedxml` before gpxpy sees it, so DTDs and entity
declarations (billion laughs, external entities) are refused as corrupt input.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from statistics import median
from typing import Any

import gpxpy

from strideload.errors import CorruptFileError, NoActivityError
from strideload.model import RawActivity, samples_frame

from .safexml import local_name, parse_xml

#: Median GPX cadence (non-zero values) below which values are per foot and get doubled.
PER_FOOT_BELOW = 120.0

#: Years a recorded time may fall in (GPS time starts in 1980); others are placeholders.
YEAR_RANGE = (1980, 2200)

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

_HR_NAMES = frozenset({"hr", "heartrate", "heart_rate"})
_CAD_NAMES = frozenset({"cad", "cadence", "runcadence"})


def _local(tag: Any) -> str:
    """Element tag without its ``{namespace}``, lower case ('' for comments)."""
    return local_name(tag).lower()


def _decode(data: bytes, path: str) -> str:
    """Bytes to text for gpxpy, honouring the XML declaration's encoding."""
    match = re.match(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']", data.lstrip(b"\xef\xbb\xbf"))
    encoding = match.group(1).decode("ascii") if match else "utf-8"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    try:
        text = data.decode("utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding)
    except (LookupError, UnicodeDecodeError) as exc:
        raise CorruptFileError(f"cannot decode the text as {encoding}", path=path) from exc
    # gpxpy hands a str to ElementTree, which rejects a declared non-UTF-8 encoding.
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)


def _sport(track: Any) -> str | None:
    """Sport from ``<type>``, else from a Locus ``<locus:activity>`` track extension."""
    raw = (track.type or "").strip()
    if not raw:
        for ext in track.extensions:
            for el in ext.iter():
                if _local(el.tag) == "activity" and (el.text or "").strip():
                    raw = el.text.strip()
    raw = raw.lower()
    return SPORT_ALIASES.get(raw, raw) or None


def _ext_value(point: Any, names: frozenset[str]) -> float:
    """First numeric value of an extension element with one of ``names`` (any namespace)."""
    for ext in point.extensions:
        for el in ext.iter():
            if _local(el.tag) in names and el.text:
                try:
                    return float(el.text)
                except ValueError:
                    return float("nan")
    return float("nan")


def _utc(moment: datetime | None) -> datetime | None:
    """Tz-aware UTC (naive times are UTC); None when absent or outside :data:`YEAR_RANGE`."""
    if moment is None or not YEAR_RANGE[0] <= moment.year <= YEAR_RANGE[1]:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _track_columns(track: Any) -> dict[str, list[Any]]:
    """Raw sample columns of every point of every segment (cadence still as written)."""
    cols: dict[str, list[Any]] = {k: [] for k in ("time", "latitude_deg", "longitude_deg", "elevation_m",
                                                   "speed_mps", "heart_rate_bpm", "cadence_spm")}
    for segment in track.segments:
        for p in segment.points:
            cols["time"].append(_utc(p.time))
            cols["latitude_deg"].append(p.latitude)
            cols["longitude_deg"].append(p.longitude)
            cols["elevation_m"].append(p.elevation)
            cols["speed_mps"].append(p.speed)
            cols["heart_rate_bpm"].append(_ext_value(p, _HR_NAMES))
            cols["cadence_spm"].append(_ext_value(p, _CAD_NAMES))
    return cols


def _cadence_factor(foot_cadences: list[float]) -> float:
    """2 when the file's non-zero cadence median says 'per foot', else 1."""
    values = [c for c in foot_cadences if c == c and c > 0]
    return 2.0 if values and median(values) < PER_FOOT_BELOW else 1.0


def _is_dated(times: list[datetime | None]) -> bool:
    """Most points timed, and the times span at least a second (not one placeholder time)."""
    timed = [t for t in times if t is not None]
    if not times or len(timed) < MIN_TIMED_SHARE * len(times):
        return False
    return (max(timed) - min(timed)).total_seconds() >= 1.0


def read_gpx(data: bytes, path: str) -> list[RawActivity]:
    """Read a GPX document.

    Args:
        data: the file's bytes (already gunzipped).
        path: what the user sees in error messages.

    Returns:
        One RawActivity per dated track (see :func:`_is_dated`), in file order; empty and
        untimed tracks are skipped.

    Raises:
        CorruptFileError: broken XML (``offset`` = line), DTD/entities, bad values.
        UnknownFormatError: well-formed XML that is not GPX.
        NoActivityError: only routes/waypoints, or no usable timestamps.
    """
    parse_xml(data, path, root="gpx", what="GPX")  # refuses hostile XML before gpxpy sees it
    text = _decode(data, path)
    try:
        gpx = gpxpy.parse(text)
    except Exception as exc:  # gpxpy raises GPXException and assorted built-ins on bad values
        raise CorruptFileError(f"gpxpy cannot read the GPX: {exc}", path=path) from exc

    tracks = [(t, _sport(t), _track_columns(t)) for t in gpx.tracks]
    if not any(cols["time"] for _, _, cols in tracks):  # not a single track point
        if gpx.routes or gpx.waypoints:
            raise NoActivityError("only routes/waypoints, no track points: a planned route, "
                                  "not a recorded activity", path=path)
        raise NoActivityError("no track points", path=path)

    factor = _cadence_factor([c for _, sport, cols in tracks if sport not in _PEDAL_SPORTS
                              for c in cols["cadence_spm"]])
    activities: list[RawActivity] = []
    for track, sport, cols in tracks:
        if sport not in _PEDAL_SPORTS:
            cols["cadence_spm"] = [c * factor for c in cols["cadence_spm"]]
        if not _is_dated(cols["time"]):
            continue
        samples = samples_frame(cols)
        activities.append(RawActivity(
            format="gpx", samples=samples, sport=sport,
            start_time=samples["time"].iloc[0].to_pydatetime(),
            device=(gpx.creator or "").strip() or None,
            name=(track.name or gpx.name or "").strip() or None,
            session_index=len(activities)))
    if not activities:
        raise NoActivityError("track points carry no usable timestamps (missing, or one placeholder "
                              "time on every point): cannot count as dated training", path=path)
    return activities
