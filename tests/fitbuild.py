"""A FIT writer for tests and benchmarks: messages byte by byte, as real devices write them.

fit-tool (``files.fit_bytes``) writes one tidy layout and takes ~4 ms a record. This writer
is fast (a 3 h run in well under a second) and writes what the readers must cope with:
either byte order, compressed timestamp headers, compressed speed/distance, arrays,
developer fields, invalid values, local message types redefined mid-file, smart-recording
gaps, other messages interleaved with the records, header CRC 0, chained files.

``FitBuilder`` is the low level (definitions and data messages); :func:`run_fit` builds a
whole activity from :class:`files.Point` s.
"""

from __future__ import annotations

import math
import random
import struct
from dataclasses import dataclass

import numpy as np
from fitparse.profile import MESSAGE_TYPES

FIT_EPOCH_S = 631065600  # 1989-12-31T00:00:00Z in Unix seconds
SEMICIRCLES_PER_DEG = 2**31 / 180.0
_NUMS = {mesg.name: num for num, mesg in MESSAGE_TYPES.items()}

#: base type name -> (FIT id, struct code, invalid value)
BASE_TYPES: dict[str, tuple[int, str, object]] = {
    "enum": (0x00, "B", 0xFF), "sint8": (0x01, "b", 0x7F), "uint8": (0x02, "B", 0xFF),
    "sint16": (0x83, "h", 0x7FFF), "uint16": (0x84, "H", 0xFFFF), "sint32": (0x85, "i", 0x7FFFFFFF),
    "uint32": (0x86, "I", 0xFFFFFFFF), "string": (0x07, "s", b""), "float32": (0x88, "f", math.nan),
    "float64": (0x89, "d", math.nan), "uint8z": (0x0A, "B", 0), "uint16z": (0x8B, "H", 0),
    "uint32z": (0x8C, "I", 0), "byte": (0x0D, "B", 0xFF),
}
_CRC_TABLE = (0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
              0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400)


def crc16(data: bytes, crc: int = 0) -> int:
    """The FIT CRC-16 of ``data``."""
    for byte in data:
        for nibble in (byte & 0xF, byte >> 4):
            tmp = _CRC_TABLE[crc & 0xF]
            crc = ((crc >> 4) & 0x0FFF) ^ tmp ^ _CRC_TABLE[nibble]
    return crc


@dataclass(frozen=True)
class F:
    """One field of a definition: profile name (or number), base type, element count (bytes for strings)."""

    name: str | int
    base: str
    count: int = 1


class FitBuilder:
    """Definitions and data messages of one FIT file, in the order they are added."""

    def __init__(self) -> None:
        self.body = bytearray()
        self._defs: dict[int, tuple[list[F], str, int]] = {}

    def define(self, local: int, message: str | int, fields: list[F], *, big_endian: bool = False,
               dev_sizes: tuple[int, ...] = ()) -> FitBuilder:
        """Define local message type ``local`` (0-15) as ``message`` (a profile name or number)."""
        num = _NUMS[message] if isinstance(message, str) else message
        profile = MESSAGE_TYPES.get(num)
        by_name = {f.name: d for d, f in profile.fields.items()} if profile else {}
        endian = ">" if big_endian else "<"
        out = bytearray([0x40 | local | (0x20 if dev_sizes else 0), 0, int(big_endian)])
        out += struct.pack(endian + "H", num) + bytes([len(fields)])
        for field in fields:
            number = by_name[field.name] if isinstance(field.name, str) else field.name
            type_id, code, _ = BASE_TYPES[field.base]
            out += bytes([number, field.count * (1 if code == "s" else struct.calcsize(code)), type_id])
        if dev_sizes:
            out += bytes([len(dev_sizes)])
            for i, size in enumerate(dev_sizes):
                out += bytes([i, size, 0])
        self.body += out
        self._defs[local] = (fields, endian, sum(dev_sizes))
        return self

    def data(self, local: int, *values: object, time_offset: int | None = None, dev: bytes | None = None) -> FitBuilder:
        """A data message of local type ``local``: one value per field (None = invalid; a tuple for
        arrays; bytes for strings), ``time_offset`` (0-31) for a compressed timestamp header."""
        fields, endian, dev_size = self._defs[local]
        head = 0x80 | (local << 5) | time_offset if time_offset is not None else local
        out = bytearray([head])
        for field, value in zip(fields, values, strict=True):
            _, code, invalid = BASE_TYPES[field.base]
            if code == "s":
                out += (value or b"").ljust(field.count, b"\0")[:field.count]
                continue
            items = value if isinstance(value, tuple) else (value,) * 1
            if field.count > 1 and not isinstance(value, tuple):
                items = (value,) + (None,) * (field.count - 1)
            for item in items:
                out += struct.pack(endian + code, invalid if item is None else item)
        out += dev if dev is not None else b"\xff" * dev_size
        self.body += out
        return self

    def rows(self, local: int, columns: list[np.ndarray]) -> FitBuilder:
        """Many data messages of local type ``local`` at once (scalar fields, no developer fields):
        one array of raw values per field, NaN where the value is invalid."""
        fields, endian, _ = self._defs[local]
        layout = [("head", "u1")]
        for i, field in enumerate(fields):
            _, code, _ = BASE_TYPES[field.base]
            layout.append((f"f{i}", endian + code))
        block = np.zeros(len(columns[0]), dtype=np.dtype(layout))
        block["head"] = local
        for i, (field, values) in enumerate(zip(fields, columns, strict=True)):
            _, _, invalid = BASE_TYPES[field.base]
            values = np.asarray(values, dtype=float)
            block[f"f{i}"] = np.where(np.isnan(values), invalid, np.nan_to_num(values))
        self.body += block.tobytes()
        return self

    def file(self, *, header_size: int = 14, header_crc: bool = True, data_size: int | None = None,
             crc: bool = True) -> bytes:
        """The whole file: header (``header_crc`` False writes 0 there), messages, CRC (0 without ``crc``:
        no reader of ours checks it, and a pure-Python CRC of a 3 h run takes a while)."""
        size = len(self.body) if data_size is None else data_size
        header = struct.pack("<BBHI4s", header_size, 0x20, 2132, size, b".FIT")
        if header_size == 14:
            header += struct.pack("<H", crc16(header) if header_crc and crc else 0)
        return header + bytes(self.body) + struct.pack("<H", crc16(header + bytes(self.body)) if crc else 0)


def _ms(t) -> int:
    return round(t.timestamp()) - FIT_EPOCH_S


def smart_points(points: list, seed: int = 1) -> list:
    """Keep a smart-recording subset of 1 Hz points: gaps of 1-7 s, as watches write."""
    rng, kept, i = random.Random(seed), [], 0
    while i < len(points):
        kept.append(points[i])
        i += rng.choice((1, 1, 2, 3, 4, 5, 7))
    if kept[-1] is not points[-1]:
        kept.append(points[-1])
    return kept


def run_fit(points: list, *, sport: int = 1, sub_sport: int = 0, big_endian: bool = False,
            compressed_timestamps: bool = False, compressed_speed_distance: bool = False,
            arrays: bool = False, developer: bool = False, interleave_every: int = 0,
            redefine_every: int = 0, header_crc: bool = True, utc_offset_s: int | None = 3600,
            product: int = 2700, crc: bool = True) -> bytes:
    """A whole activity file: file_id, records, lap, session, activity.

    ``arrays`` writes enhanced_speed/enhanced_altitude as 2-element arrays (the second element
    invalid), as newer Garmins do; ``interleave_every`` puts an hrv and an event message after
    every that many records; ``redefine_every`` redefines the record's local type that often
    (alternating the byte order); ``developer`` adds a 2-byte developer field to each record.
    """
    b = FitBuilder()
    start, end = points[0].time, points[-1].time
    b.define(0, "file_id", [F("type", "enum"), F("manufacturer", "uint16"), F("product", "uint16"),
                            F("serial_number", "uint32z"), F("time_created", "uint32")])
    b.data(0, 4, 1, product, 0x1234, _ms(start))
    count = 2 if arrays else 1
    if compressed_speed_distance:
        motion = [F("compressed_speed_distance", "byte", 3)]
    else:
        motion = [F("distance", "uint32"), F("enhanced_speed", "uint32", count)]
    fields = [F("position_lat", "sint32"), F("position_long", "sint32"), *motion,
              F("enhanced_altitude", "uint32", count), F("heart_rate", "uint8"), F("cadence", "uint8"),
              F("fractional_cadence", "uint8")]
    if not compressed_timestamps:
        fields = [F("timestamp", "uint32"), *fields]
    dev = (2,) if developer else ()
    if developer:  # the developer's id and the field's description, as fitparse wants them first
        b.define(7, "developer_data_id", [F("developer_data_index", "uint8"), F("application_id", "byte", 16)])
        b.data(7, 0, tuple(range(16)))
        b.define(7, "field_description", [F("developer_data_index", "uint8"), F("field_definition_number", "uint8"),
                                          F("fit_base_type_id", "uint8"), F("field_name", "string", 8)])
        b.data(7, 0, 0, 0x84, b"stride")

    def define_record(k: int) -> None:
        b.define(1, "record", fields, big_endian=big_endian != bool(k % 2), dev_sizes=dev)

    b.define(2, "hrv", [F("time", "uint16", 2)])
    b.define(3, "event", [F("timestamp", "uint32"), F("event", "enum"), F("event_type", "enum")])
    b.data(3, _ms(start), 0, 0)
    define_record(0)
    distance_acc = 0
    plain = not (compressed_timestamps or compressed_speed_distance or arrays or developer or redefine_every)
    if plain:  # every record at once (the layouts below, message by message, take ~50x longer)
        _plain_records(b, points, interleave_every)
        points_left: list = []
    else:
        points_left = points
    for i, p in enumerate(points_left):
        if redefine_every and i and i % redefine_every == 0:
            define_record(i // redefine_every)
        per_foot = p.cadence_spm / 2
        lat = None if math.isnan(p.lat) else round(p.lat * SEMICIRCLES_PER_DEG)
        lon = None if math.isnan(p.lon) else round(p.lon * SEMICIRCLES_PER_DEG)
        ele = round((p.ele + 500) * 5)
        speed = round(p.speed * 1000)
        if compressed_speed_distance:
            step = round(p.dist * 16) - distance_acc
            distance_acc += step
            packed = (round(p.speed * 100) & 0xFFF) | ((distance_acc & 0xFFF) << 12)
            motion_values: tuple = (tuple(packed.to_bytes(3, "little")),)
        else:
            motion_values = (round(p.dist * 100), (speed, None) if arrays else speed)
        values = (lat, lon, *motion_values, (ele, None) if arrays else ele, int(p.hr), int(per_foot),
                  round((per_foot - int(per_foot)) * 128))
        extra = {"dev": struct.pack(">H" if big_endian else "<H", i & 0xFFFF)} if developer else {}
        if compressed_timestamps:
            b.data(1, *values, time_offset=_ms(p.time) & 0x1F, **extra)
        else:
            b.data(1, _ms(p.time), *values, **extra)
        if interleave_every and i % interleave_every == interleave_every - 1:
            b.data(2, (800, 810))
            b.data(3, _ms(p.time), 3, 3)
    elapsed = (end - start).total_seconds()
    summary = [F("timestamp", "uint32"), F("start_time", "uint32"), F("total_elapsed_time", "uint32"),
               F("total_timer_time", "uint32"), F("total_distance", "uint32"), F("sport", "enum"),
               F("sub_sport", "enum")]
    b.define(4, "lap", summary)
    b.data(4, _ms(end), _ms(start), round(elapsed * 1000), round(elapsed * 1000), round(points[-1].dist * 100),
           sport, sub_sport)
    b.define(5, "session", summary)
    b.data(5, _ms(end), _ms(start), round(elapsed * 1000), round(elapsed * 1000), round(points[-1].dist * 100),
           sport, sub_sport)
    b.define(6, "activity", [F("timestamp", "uint32"), F("num_sessions", "uint16"), F("local_timestamp", "uint32")])
    b.data(6, _ms(end), 1, None if utc_offset_s is None else _ms(end) + utc_offset_s)
    return b.file(header_crc=header_crc, crc=crc)


def _plain_records(b: FitBuilder, points: list, interleave_every: int) -> None:
    """The records of :func:`run_fit`'s plain layout, written in blocks between interleaved messages."""
    def column(get) -> np.ndarray:
        return np.array([get(p) for p in points], dtype=float)

    per_foot = column(lambda p: p.cadence_spm / 2)
    columns = [column(lambda p: _ms(p.time)), np.round(column(lambda p: p.lat) * SEMICIRCLES_PER_DEG),
               np.round(column(lambda p: p.lon) * SEMICIRCLES_PER_DEG), np.round(column(lambda p: p.dist) * 100),
               np.round(column(lambda p: p.speed) * 1000), np.round((column(lambda p: p.ele) + 500) * 5),
               np.floor(column(lambda p: p.hr)), np.floor(per_foot), np.round((per_foot - np.floor(per_foot)) * 128)]
    step = interleave_every or len(points)
    for first in range(0, len(points), step):
        b.rows(1, [values[first:first + step] for values in columns])
        if interleave_every and first + step <= len(points):
            b.data(2, (800, 810))
            b.data(3, _ms(points[first + step - 1].time), 3, 3)
