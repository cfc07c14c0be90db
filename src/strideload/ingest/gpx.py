"""Read GPX files (1.0 and 1.1) into :class:`~strideload.model.RawActivity` objects.

One RawActivity per ``<trk>`` that holds dated points (format ``"gpx"``), read in one
streaming pass through :mod:`.safexml` (no DTDs or entities, byte and depth budgets). Track
points written the way nearly every app writes them (:func:`_plain_point`) are read from
the bytes in runs while expat checks them; the others, and everything around them, by the
element handlers. Both read a point the same way (``tests/test_ingest_gpx_plain.py``).
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

import itertools
import logging
import operator
import re
import sys
from collections.abc import Iterable

import numpy as np

from strideload.errors import NoActivityError
from strideload.model import RawActivity, utc_datetime

from .safexml import Runs, SafeParser, Source, XmlLimits, attributes, local_name
from .xmlsamples import BLOCK, Columns, timed_share

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

#: Extension elements holding heart rate and cadence (local names, any namespace, any case).
HR_NAMES = ("hr", "heartrate", "heart_rate")
CAD_NAMES = ("cad", "cadence", "runcadence")

_NUMERIC = ("latitude_deg", "longitude_deg", "elevation_m", "speed_mps", "heart_rate_bpm", "cadence_spm")
#: A track point needs a position: one without (or with an impossible one) is skipped.
_POSITION = {"latitude_deg": (-90.0, 90.0), "longitude_deg": (-180.0, 180.0)}

# What an element is to the reader (by local name, lower case); 0 for everything else.
_TRKPT, _ELE, _TIME, _SPEED, _HR, _CAD, _TRK, _NAME, _TYPE, _ACTIVITY, _RTE, _WPT, _METADATA = range(1, 14)
_KINDS = {"trkpt": _TRKPT, "ele": _ELE, "time": _TIME, "speed": _SPEED, "trk": _TRK, "name": _NAME,
          "type": _TYPE, "activity": _ACTIVITY, "rte": _RTE, "wpt": _WPT, "metadata": _METADATA,
          **{name: _HR for name in HR_NAMES}, **{name: _CAD for name in CAD_NAMES}}
#: Slot of each point value in the point list: time text, then the _NUMERIC columns.
_SLOT = {_TIME: 0, _ELE: 3, _SPEED: 4, _HR: 5, _CAD: 6}
#: Point slots read from a direct child of ``<trkpt>`` only (the others: anywhere inside it).
_DIRECT = frozenset({0, 3, 4})
#: Facts of a track or the document, numbered past the point slots.
_FACTS = {_NAME: 10, _TYPE: 11, _ACTIVITY: 12}
#: ``point_depth`` while no track point is open: deeper than any element can be.
_NO_POINT = 1 << 62


#: Track point children of GPX 1.0/1.1 that a plain point may hold and the reader skips.
_SKIPPED = (b"magvar", b"geoidheight", b"fix", b"sat", b"hdop", b"vdop", b"pdop", b"ageofdgpsdata", b"dgpsid")


def _plain_point() -> re.Pattern[bytes]:
    """A track point in the form nearly every app writes (Garmin Connect, Strava, TomTom, Locus,
    Nike, GPSBabel), matched in the document's bytes: ``lat`` and ``lon`` and nothing else on
    the start tag; then, each at most once and in this order, ``<ele>``, ``<time>``,
    ``<course>``, ``<speed>``, any of the GPS quality values the reader skips (:data:`_SKIPPED`)
    and one ``<extensions>`` holding one Garmin ``TrackPointExtension`` whose children are
    values (``hr``/``cad`` or their :data:`HR_NAMES`/:data:`CAD_NAMES` spellings among the ones
    the reader skips). Only whitespace between elements, no attributes but the point's.

    Expat does not see these bytes (:class:`~.safexml.Runs`), so the pattern admits only
    well-formed XML: names that are XML names, every end tag the same bytes as its start tag,
    values and attributes of printable ASCII without ``<`` or ``&`` (no references to decode)
    and values without ``>`` (so no ``]]>``). Groups ``lat``, ``lon``, ``ele``, ``time``,
    ``speed``, ``hr``, ``cad``: the texts, whitespace around values stripped (None where absent).
    """
    # Every repeat below is followed by a byte it cannot match, so giving back what it took
    # never leads to a match: from Python 3.11 on, it is made possessive (*+, ++) not to try.
    keep = b"+" if sys.version_info >= (3, 11) else b""
    ws = rb"[ \t\r\n]*" + keep
    attribute = rb'="([!#-%\'-;=-~]*' + keep + rb')"'  # printable ASCII but " & <

    def text(group: str = "") -> bytes:  # printable ASCII but & < >, in a group when named
        value = rb"[!-%'-;=?-~]+" + keep
        return ws + (rb"(?P<" + group.encode() + rb">" + value + rb")" if group else value) + ws

    prefix = rb"(?:[A-Za-z_][-.\w]*" + keep + rb":)?"

    def child(tag: str, names: Iterable[str], value: bytes, repeat: bytes = b"?") -> bytes:
        spellings = b"|".join(re.escape(name.encode()) for name in names)
        start = rb"<(?P<" + tag.encode() + rb">" + prefix + rb"(?i:" + spellings + rb"))>"
        return rb"(?:" + ws + start + value + rb"</(?P=" + tag.encode() + rb")>)" + repeat

    extension = (rb"<extensions>" + ws + rb"<(?P<tpe>" + prefix + rb")TrackPointExtension>"
                 + child("before", ("atemp", "wtemp", "depth"), text(), b"*")
                 + child("hr_tag", HR_NAMES, text("hr")) + child("cad_tag", CAD_NAMES, text("cad"))
                 + child("after", ("speed", "course", "bearing"), text(), b"*")
                 + ws + rb"</(?P=tpe)TrackPointExtension>" + ws + rb"</extensions>")
    return re.compile(
        rb"<trkpt[ \t\r\n]+lat" + attribute.replace(b"(", b"(?P<lat>", 1)
        + rb"[ \t\r\n]+lon" + attribute.replace(b"(", b"(?P<lon>", 1) + rb"[ \t\r\n]*>" + ws
        + rb"(?:<ele>" + text("ele") + rb"</ele>" + ws + rb")?"
        + rb"(?:<time>" + text("time") + rb"</time>" + ws + rb")?"
        + rb"(?:<course>" + text() + rb"</course>" + ws + rb")?"
        + rb"(?:<speed>" + text("speed") + rb"</speed>" + ws + rb")?"
        + rb"(?:<(?P<other>" + b"|".join(_SKIPPED) + rb")>" + text() + rb"</(?P=other)>" + ws + rb")*"
        + rb"(?:" + extension + ws + rb")?"
        + rb"</trkpt>" + ws)


#: See :func:`_plain_point`; a plain point's row (time, lat, lon, ele, speed, hr, cad) from its match.
_PLAIN_POINT = _plain_point()
_PLAIN_ROW = operator.methodcaller("group", "time", "lat", "lon", "ele", "speed", "hr", "cad")
_PLAIN_OPENING = re.compile(rb"<trkpt[ \t\r\n]")
#: Elements a plain point nests inside it (extensions, TrackPointExtension, hr).
_PLAIN_NESTING = 3


class _Track:
    def __init__(self) -> None:
        self.name: str | None = None
        self.type: str | None = None
        self.activity: str | None = None  # Locus Map's <locus:activity> track extension
        self.columns = Columns(_NUMERIC, required=_POSITION)

    @property
    def sport(self) -> str | None:
        raw = (self.type or self.activity or "").strip().lower()
        return SPORT_ALIASES.get(raw, raw) or None


class _Document:
    """What the reader keeps of a GPX document: its tracks' points and a few facts."""

    def __init__(self) -> None:
        self.creator: str | None = None
        self.name: str | None = None
        self.tracks: list[_Track] = []
        self.routes = self.waypoints = 0


def _read(source: Source, path: str, limits: XmlLimits) -> _Document:
    """One streaming pass (see :class:`SafeParser`: Python runs at element starts, and once per
    run of plain points, see :func:`_plain_point`).

    Character data is always collected (by expat, into ``text``); an element start empties
    it when the element's value is wanted. A value therefore runs from its element's start
    to the next element start, and is taken when that start arrives, or when the document
    ends. A track point's texts go straight into its row of the track's columns (time, lat,
    lon, ele, speed, hr, cad; the first of each wins).
    """
    doc = _Document()
    parser = SafeParser(path, root="gpx", what="GPX", limits=limits)
    max_depth, ends, text, expat = parser.max_depth, parser.ends, parser.text, parser.expat
    parser.collect(True)
    kinds: dict[str, int] = {}
    child_slots: dict[str, int] = {}  # raw name -> slot in a point's row, for a direct child of <trkpt>
    inner_slots: dict[str, int] = {}  # the same, for an element deeper inside <trkpt>
    started = track_depth = 0
    point_depth = _NO_POINT  # depth of the open track point (none open: deeper than any budget)
    capture = -1  # index in ``rows`` of the point value being collected
    fact = 0  # _FACTS number of the track or document fact being collected
    rows: list[str | None] = []  # the open track's unconverted rows
    track: _Track | None = None
    in_metadata = False

    def kind_of(name: str) -> int:
        kind = kinds.get(name)
        if kind is None:
            kind = _KINDS.get(local_name(name).lower(), 0)
            if len(kinds) < 4096:  # a hostile file with endless distinct names stays small
                kinds[name] = kind
        return kind

    def slot_of(name: str, child: bool) -> int:
        slot = _SLOT.get(kind_of(name), -1)
        if not child and slot in _DIRECT:
            slot = -1
        slots = child_slots if child else inner_slots
        if len(slots) < 4096:
            slots[name] = slot
        return slot

    def start(name: str, attrs: list[str]) -> None:
        nonlocal started, capture
        started += 1
        depth = started - len(ends)
        if depth > point_depth:  # inside the open track point: the hot path
            if depth > max_depth:
                parser.too_deep()
            if capture >= 0:  # the value element before this one has ended
                if rows[capture] is None:
                    rows[capture] = "".join(text).strip() or None
                capture = -1
            if depth == point_depth + 1:
                slot = child_slots.get(name)
                if slot is None:
                    slot = slot_of(name, True)
            else:
                slot = inner_slots.get(name)
                if slot is None:
                    slot = slot_of(name, False)
            if slot >= 0:
                capture = point_start + slot
                text.clear()
            return
        outside(name, attrs, depth)

    def finish() -> None:
        """Take the value collected so far (of a point, or a track or document fact)."""
        nonlocal capture, fact
        if capture >= 0:
            if rows[capture] is None:
                rows[capture] = "".join(text).strip() or None
            capture = -1
        elif fact:
            value = "".join(text).strip() or None
            if fact == _FACTS[_NAME]:
                if track is not None:
                    track.name = track.name or value
                else:
                    doc.name = doc.name or value
            elif track is None:
                pass
            elif fact == _FACTS[_TYPE]:
                track.type = track.type or value
            else:
                track.activity = track.activity or value
            fact = 0

    def outside(name: str, attrs: list[str], depth: int) -> None:
        """An element start outside any open track point."""
        nonlocal started, point_depth, point_start, point_at, rows, fact, track, track_depth, in_metadata
        if depth > max_depth:
            parser.too_deep()
        finish()
        text.clear()
        point_depth = _NO_POINT  # a point open until now has closed
        if track is not None and depth <= track_depth:
            track = None
        if len(ends) > 4096:  # fold the closed elements into the count
            started -= len(ends)
            ends.clear()
        if depth <= 2:
            in_metadata = False
            if depth == 1:
                parser.check_root(name)
                doc.creator = (attributes(attrs).get("creator") or "").strip() or None
        kind = kind_of(name)
        if kind == _TRKPT:
            if track is not None:
                if len(attrs) == 4 and attrs[0] == "lat" and attrs[2] == "lon":  # as nearly every file writes it
                    lat, lon = attrs[1], attrs[3]
                else:
                    position = attributes(attrs)
                    lat, lon = position.get("lat"), position.get("lon")
                point_start = track.columns.add((None, lat, lon, None, None, None, None))
                rows = track.columns.rows
                point_depth, point_at = depth, expat.CurrentByteIndex
        elif kind == _TRK:
            if doc.tracks and doc.tracks[-1].columns.empty:  # a track without points: nothing to keep
                doc.tracks.pop()
            track, track_depth = _Track(), depth
            doc.tracks.append(track)
        elif kind in _FACTS:
            if (track is not None and (depth == track_depth + 1 or kind == _ACTIVITY)) or \
                    (kind == _NAME and track is None and (depth == 2 or (in_metadata and depth == 3))):
                fact = _FACTS[kind]
        elif depth == 2:
            if kind == _METADATA:
                in_metadata = True
            elif kind == _RTE:
                doc.routes += 1
            elif kind == _WPT:
                doc.waypoints += 1

    def take(data: bytes, at: int, index: int) -> int:
        """Read the plain points from ``at`` on (see :class:`Runs`) when the point open now
        started there and all they nest fits the depth budget; the last one is left to the
        handlers (its value would run on into whatever text follows it)."""
        nonlocal started, point_depth
        if point_depth == _NO_POINT or point_at != index or point_depth + _PLAIN_NESTING > max_depth:
            return -1
        found = list(itertools.islice(iter(_PLAIN_POINT.scanner(data, at).match, None), BLOCK + 1))
        if len(found) < 2:
            return -1
        del found[-1], rows[point_start:]  # the open point is read again with the run
        track.columns.extend(itertools.chain.from_iterable(map(_PLAIN_ROW, found)))
        point_depth = _NO_POINT  # the run closes the open point; expat counts no end for it
        started -= 1
        return found[-1].end()

    point_start = point_at = 0
    plain = Runs(_PLAIN_OPENING, b"</trkpt>", _plain_tag_end, take)
    parser.run(source, start, lambda: started - len(ends), plain)
    finish()
    return doc


def _plain_tag_end(data: bytes, at: int) -> int:
    """End of the start tag of the plain track point at ``at``, -1 when it is not one."""
    found = _PLAIN_POINT.match(data, at)
    return -1 if found is None else data.index(b">", found.end("lon")) + 1


def _cadence_factor(foot_cadences: np.ndarray) -> float:
    """2 when the file's non-zero cadence median says 'per foot', else 1."""
    values = foot_cadences[np.isfinite(foot_cadences) & (foot_cadences > 0)]
    return 2.0 if len(values) and float(np.median(values)) < PER_FOOT_BELOW else 1.0


def _is_dated(track: _Track) -> bool:
    """Most points timed, and the times span at least a second (not one placeholder time)."""
    times = track.columns.times()
    if timed_share(times) < MIN_TIMED_SHARE:
        return False
    timed = times[~np.isnat(times)]
    return bool(timed.max() - timed.min() >= np.timedelta64(1, "s"))


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
    doc = _read(data, path, limits or XmlLimits())
    tracks = [t for t in doc.tracks if len(t.columns)]
    unplaced = sum(t.columns.dropped for t in doc.tracks)
    if unplaced:
        log.warning("%s: skipped %d track point(s) without a position (lat/lon)", path, unplaced)
    if not tracks:
        if unplaced:
            raise NoActivityError("no track point has a position (lat/lon)", path=path)
        if doc.routes or doc.waypoints:
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
        columns, order = track.columns.sample_columns(
            cadence_spm=cadence if track.sport in _PEDAL_SPORTS else cadence * factor)
        activities.append(RawActivity(
            format="gpx", columns=columns, order=order, sport=track.sport,
            start_time=utc_datetime(int(columns["time"][0])),
            device=doc.creator, name=(track.name or doc.name or "").strip() or None,
            session_index=len(activities)))
    if not activities:
        raise NoActivityError("track points carry no usable timestamps (missing, or one placeholder "
                              "time on every point): cannot count as dated training", path=path)
    return activities
