"""Factories that build small watch files in code (GPX, TCX, FIT), so tests check in no inputs.

A run is a list of :class:`Point` made by :func:`run_points`; the same points can be
written in every format, which is how cross-format duplicates are built.
"""

from __future__ import annotations

import io
import math
import struct
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

FIT_EPOCH_S = 631065600  # 1989-12-31T00:00:00Z in Unix seconds
M_PER_DEG = 111_195.0


@dataclass
class Point:
    time: datetime
    lat: float
    lon: float
    ele: float
    dist: float
    speed: float
    cadence_spm: float
    hr: float


def run_points(start: datetime, *, km: float = 5.0, speed_mps: float = 3.0, cadence_spm: float = 170.0,
               interval_s: int = 1, elevation=lambda d: 100.0, lat0: float = 59.91, lon0: float = 10.75) -> list[Point]:
    """A straight run north: ``km`` at ``speed_mps``, one point every ``interval_s`` seconds.

    ``elevation`` maps distance (m) to elevation (m).
    """
    points, t, dist = [], 0, 0.0
    total = km * 1000
    while dist <= total:
        points.append(Point(start + timedelta(seconds=t), lat0 + dist / M_PER_DEG, lon0, elevation(dist), dist,
                            speed_mps, cadence_spm, 140 + 10 * math.sin(t / 300)))
        t += interval_s
        dist += speed_mps * interval_s
    return points


def _iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def gpx_bytes(points: list[Point], *, sport: str | None = "running", name: str = "Morning Run",
              cadence_per_foot: bool = True, with_time: bool = True) -> bytes:
    """A Strava-style GPX track with gpxtpx hr/cad extensions."""
    rows = []
    for p in points:
        cad = p.cadence_spm / 2 if cadence_per_foot else p.cadence_spm
        time = f"<time>{_iso(p.time)}</time>" if with_time else ""
        rows.append(f'<trkpt lat="{p.lat:.7f}" lon="{p.lon:.7f}"><ele>{p.ele:.1f}</ele>{time}<extensions>'
                    f"<gpxtpx:TrackPointExtension><gpxtpx:hr>{p.hr:.0f}</gpxtpx:hr>"
                    f"<gpxtpx:cad>{cad:.0f}</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions></trkpt>")
    kind = f"<type>{sport}</type>" if sport else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx creator="StravaGPX" version="1.1" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<trk><name>{name}</name>{kind}<trkseg>{''.join(rows)}</trkseg></trk></gpx>"
    ).encode()


def tcx_bytes(points: list[Point], *, sport: str = "Running") -> bytes:
    """A Garmin TCX v2 activity, one lap, RunCadence per foot."""
    rows = "".join(
        f"<Trackpoint><Time>{_iso(p.time)}</Time><Position><LatitudeDegrees>{p.lat:.7f}</LatitudeDegrees>"
        f"<LongitudeDegrees>{p.lon:.7f}</LongitudeDegrees></Position><AltitudeMeters>{p.ele:.1f}</AltitudeMeters>"
        f"<DistanceMeters>{p.dist:.1f}</DistanceMeters><HeartRateBpm><Value>{p.hr:.0f}</Value></HeartRateBpm>"
        f"<Extensions><ns3:TPX><ns3:Speed>{p.speed:.2f}</ns3:Speed><ns3:RunCadence>{p.cadence_spm / 2:.0f}"
        f"</ns3:RunCadence></ns3:TPX></Extensions></Trackpoint>"
        for p in points)
    total_s = (points[-1].time - points[0].time).total_seconds()
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase '
        'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
        'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">'
        f'<Activities><Activity Sport="{sport}"><Id>{_iso(points[0].time)}</Id>'
        f'<Lap StartTime="{_iso(points[0].time)}"><TotalTimeSeconds>{total_s:.1f}</TotalTimeSeconds>'
        f"<DistanceMeters>{points[-1].dist:.1f}</DistanceMeters><Track>{rows}</Track></Lap>"
        "<Creator><Name>Forerunner 245</Name></Creator></Activity></Activities></TrainingCenterDatabase>"
    ).encode()


_FIT_TOOL_FILES: dict[str, bytes] = {}


def fit_bytes(points: list[Point], *, sport: str = "RUNNING", sub_sport: str = "GENERIC",
              utc_offset_s: int | None = 7200, gps: bool = True) -> bytes:
    """A FIT activity file written with fit-tool: cadence per foot with fractional part.

    fit-tool is an encoder independent of ours, and slow (about 2 ms a record): the same
    points and options give the same bytes, so each file is built once per test run.
    """
    key = repr((points, sport, sub_sport, utc_offset_s, gps))
    if key not in _FIT_TOOL_FILES:
        _FIT_TOOL_FILES[key] = _fit_tool_bytes(points, sport=sport, sub_sport=sub_sport,
                                               utc_offset_s=utc_offset_s, gps=gps)
    return _FIT_TOOL_FILES[key]


def _fit_tool_bytes(points: list[Point], *, sport: str, sub_sport: str, utc_offset_s: int | None,
                    gps: bool) -> bytes:
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.activity_message import ActivityMessage
    from fit_tool.profile.messages.event_message import EventMessage
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.lap_message import LapMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import Event, EventType, FileType, Manufacturer, Sport, SubSport

    def ms(t: datetime) -> int:
        return round(t.timestamp() * 1000)

    start, end = points[0].time, points[-1].time
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.GARMIN.value
    file_id.product = 2700
    file_id.time_created = ms(start)
    file_id.serial_number = 0x1234
    builder.add(file_id)
    event = EventMessage()
    event.event, event.event_type, event.timestamp = Event.TIMER, EventType.START, ms(start)
    builder.add(event)
    records = []
    for p in points:
        record = RecordMessage()
        record.timestamp = ms(p.time)
        if gps:
            record.position_lat, record.position_long = p.lat, p.lon
        record.distance = p.dist
        record.enhanced_speed = p.speed
        record.enhanced_altitude = p.ele
        per_foot = p.cadence_spm / 2
        record.cadence = int(per_foot)
        record.fractional_cadence = per_foot - int(per_foot)
        record.heart_rate = int(p.hr)
        records.append(record)
    builder.add_all(records)
    event = EventMessage()
    event.event, event.event_type, event.timestamp = Event.TIMER, EventType.STOP_ALL, ms(end)
    builder.add(event)
    elapsed = (end - start).total_seconds()
    for cls in (LapMessage, SessionMessage):
        summary = cls()
        summary.timestamp = ms(end)
        summary.start_time = ms(start)
        summary.total_elapsed_time = elapsed
        summary.total_timer_time = elapsed
        summary.total_distance = points[-1].dist
        summary.sport = Sport[sport]
        summary.sub_sport = SubSport[sub_sport]
        builder.add(summary)
    activity = ActivityMessage()
    activity.timestamp = ms(end)
    activity.total_timer_time = elapsed
    activity.num_sessions = 1
    if utc_offset_s is not None:
        activity.local_timestamp = round(end.timestamp()) - FIT_EPOCH_S + utc_offset_s
    builder.add(activity)
    return builder.build().to_bytes()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A zip archive holding ``members`` (name -> bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


# --------------------------------------------------------------------------------------------
# A FIT writer with full control over each field (arrays, invalid values, any product id), for
# the quirks of real devices that fit-tool cannot write. Field definitions: (number, base type).

UINT8, SINT16, UINT16, SINT32, UINT32, ENUM = 0x02, 0x83, 0x84, 0x85, 0x86, 0x00
_FORMATS = {0x00: "B", 0x02: "B", 0x83: "h", 0x84: "H", 0x85: "i", 0x86: "I"}
INVALID = {0x00: 0xFF, 0x02: 0xFF, 0x83: 0x7FFF, 0x84: 0xFFFF, 0x85: 0x7FFFFFFF, 0x86: 0xFFFFFFFF}
FILE_ID, SESSION, RECORD, DEVICE_INFO, ACTIVITY = 0, 18, 20, 23, 34
GARMIN, TOMTOM = 1, 71
#: Garmin product ids of the watches the quirk tests name.
FR55, FR735XT, FR630, FENIX3, FR255 = 3869, 2158, 2156, 2050, 3992


def _crc(data: bytes) -> int:
    table = [0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
             0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400]
    crc = 0
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            tmp = table[crc & 0xF]
            crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ table[nibble]
    return crc


class FitWriter:
    """Write FIT messages field by field: ``message(RECORD, {253: (UINT32, t), 73: (UINT32, [v, None])})``.

    A value is an int, None (the type's invalid value) or a list (an array field, each element
    an int or None). A new layout gets its own definition message.
    """

    def __init__(self) -> None:
        self.body = bytearray()
        self.layouts: dict[tuple, int] = {}

    def message(self, number: int, fields: dict[int, tuple[int, Any]]) -> None:
        layout = (number, tuple((num, kind, len(v) if isinstance(v, list) else 1)
                                for num, (kind, v) in fields.items()))
        local = self.layouts.get(layout)
        if local is None:
            local = self.layouts[layout] = len(self.layouts) % 16
            self.body += struct.pack("<BBBHB", 0x40 | local, 0, 0, number, len(fields))
            for num, kind, count in layout[1]:
                self.body += struct.pack("<BBB", num, count * struct.calcsize(_FORMATS[kind]), kind)
        self.body += struct.pack("<B", local)
        for kind, value in fields.values():
            for item in value if isinstance(value, list) else [value]:
                self.body += struct.pack("<" + _FORMATS[kind], INVALID[kind] if item is None else item)

    def bytes(self) -> bytes:
        header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(self.body), b".FIT")
        header += struct.pack("<H", _crc(header))
        return header + bytes(self.body) + struct.pack("<H", _crc(header + bytes(self.body)))


def fit_time(t: datetime) -> int:
    return round(t.timestamp()) - FIT_EPOCH_S


def semicircles(degrees: float) -> int:
    return round(degrees * 2**31 / 180)


def device_fit_bytes(points: list[Point], *, manufacturer: int = GARMIN, product: int = FR255,
                     sport: int = 1, sub_sport: int = 0, arrays: bool = False, gps: bool = True,
                     altitude: Any = None, utc_offset_s: int | None = 7200,
                     session_cadence: tuple[int, float] | None = None, device_info: bool = True,
                     session_extra: dict[int, tuple[int, Any]] | None = None) -> bytes:
    """A FIT activity as a given device writes it (sport 1 running, sub-sport 0 generic).

    ``arrays``: ``enhanced_speed`` and ``enhanced_altitude`` as two-element arrays, the second
    element invalid, as the Forerunner 55 writes them. ``altitude(i, point)`` may return None
    (the FIT invalid value) or a placeholder; by default the point's elevation.
    ``session_cadence``: the session's ``(avg_running_cadence, avg_fractional_cadence)`` per foot.
    ``session_extra``: more session fields by number, e.g. ``{193: (UINT8, 70)}`` (Garmin's
    perceived effort, RPE × 10, newer than fitparse's profile).
    """
    writer = FitWriter()
    start, end = points[0].time, points[-1].time
    writer.message(FILE_ID, {0: (ENUM, 4), 1: (UINT16, manufacturer), 2: (UINT16, product),
                             4: (UINT32, fit_time(start))})
    if device_info:
        writer.message(DEVICE_INFO, {253: (UINT32, fit_time(start)), 0: (UINT8, 0), 2: (UINT16, manufacturer),
                                     4: (UINT16, product)})
    for i, p in enumerate(points):
        elevation = altitude(i, p) if altitude else p.ele
        alt = None if elevation is None else round((elevation + 500) * 5)
        speed = round(p.speed * 1000)
        fields: dict[int, tuple[int, Any]] = {253: (UINT32, fit_time(p.time))}
        if gps:
            fields[0], fields[1] = (SINT32, semicircles(p.lat)), (SINT32, semicircles(p.lon))
        fields[5] = (UINT32, round(p.dist * 100))
        fields[73] = (UINT32, [speed, None] if arrays else speed)
        fields[78] = (UINT32, [alt, None] if arrays else alt)
        fields[3] = (UINT8, int(p.hr))
        per_foot = p.cadence_spm / 2
        fields[4], fields[53] = (UINT8, int(per_foot)), (UINT8, round((per_foot - int(per_foot)) * 128))
        writer.message(RECORD, fields)
    elapsed = round((end - start).total_seconds() * 1000)
    session = {253: (UINT32, fit_time(end)), 2: (UINT32, fit_time(start)), 5: (ENUM, sport),
               6: (ENUM, sub_sport), 7: (UINT32, elapsed), 8: (UINT32, elapsed),
               9: (UINT32, round(points[-1].dist * 100))}
    if session_cadence is not None:
        session[18], session[92] = (UINT8, session_cadence[0]), (UINT8, round(session_cadence[1] * 128))
    session.update(session_extra or {})
    writer.message(SESSION, session)
    activity = {253: (UINT32, fit_time(end)), 1: (UINT16, 1)}
    if utc_offset_s is not None:
        activity[5] = (UINT32, fit_time(end) + utc_offset_s)
    writer.message(ACTIVITY, activity)
    return writer.bytes()


def deflate64_zip(members: dict[str, bytes]) -> bytes:
    """A zip whose members are compressed with Deflate64 (method 9), as Windows Explorer writes
    large archives: written stored by zipfile, then given the Deflate64 bytes and headers."""
    import struct
    import zlib

    import inflate64

    buffer = io.BytesIO()
    packed = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            deflater = inflate64.Deflater()
            packed[name] = deflater.deflate(data) + deflater.flush()
            archive.writestr(name, packed[name])
    raw = bytearray(buffer.getvalue())
    for name, data in members.items():
        crc, size = zlib.crc32(data), len(data)
        encoded = name.encode()
        local = raw.index(encoded) - 30  # the local header ends with the name (no extra field)
        struct.pack_into("<H", raw, local + 8, 9)
        struct.pack_into("<I", raw, local + 14, crc)
        struct.pack_into("<I", raw, local + 22, size)
        central = raw.rindex(encoded) - 46  # so does the central directory entry
        struct.pack_into("<H", raw, central + 10, 9)
        struct.pack_into("<I", raw, central + 16, crc)
        struct.pack_into("<I", raw, central + 24, size)
    return bytes(raw)


def fit_with_sessions(n: int) -> bytes:
    """A FIT file holding ``n`` one-minute running sessions, two records each (a hostile file:
    real ones hold a handful)."""
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import FileType, Manufacturer, Sport

    start = utc(2026, 5, 4, 6)
    builder = FitFileBuilder(auto_define=True)
    file_id = FileIdMessage()
    file_id.type, file_id.manufacturer = FileType.ACTIVITY, Manufacturer.GARMIN.value
    file_id.time_created = round(start.timestamp() * 1000)
    builder.add(file_id)
    for k in range(n):
        t0 = start + timedelta(minutes=2 * k)
        for s in (0, 60):
            record = RecordMessage()
            record.timestamp = round((t0 + timedelta(seconds=s)).timestamp() * 1000)
            record.distance = 200.0 * k + 3.0 * s
            builder.add(record)
        session = SessionMessage()
        session.start_time = round(t0.timestamp() * 1000)
        session.timestamp = round((t0 + timedelta(seconds=60)).timestamp() * 1000)
        session.total_elapsed_time = session.total_timer_time = 60.0
        session.total_distance = 180.0
        session.sport = Sport.RUNNING
        builder.add(session)
    return builder.build().to_bytes()
