"""Mutants of watch files for fuzzing: bit flips, truncations, duplicated and deleted chunks,
wrong sizes in FIT headers and definitions, and zips and gzips around them (damaged too).

Every mutant is made from a seeded :class:`random.Random`, and described in words
(``"fit-definition-size@112=255"``), so a failure names what to rebuild.
"""

from __future__ import annotations

import gzip
import io
import random
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    name: str  # file name, with the extension the original had (or .gz / .zip when wrapped)
    data: bytes
    how: str  # what was done, to rebuild it


def flip_bits(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    out = bytearray(data)
    spots = [rng.randrange(len(out)) for _ in range(rng.randint(1, 8))]
    for spot in spots:
        out[spot] ^= 1 << rng.randrange(8)
    return bytes(out), f"flip@{','.join(map(str, spots))}"


def truncate(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    at = rng.randrange(len(data))
    return data[:at], f"truncate@{at}"


def duplicate_chunk(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    start = rng.randrange(len(data))
    size = rng.randint(1, max(1, min(4096, len(data) - start)))
    at = rng.randrange(len(data))
    return data[:at] + data[start:start + size] + data[at:], f"duplicate[{start}:+{size}]@{at}"


def delete_chunk(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    start = rng.randrange(len(data))
    size = rng.randint(1, max(1, min(4096, len(data) - start)))
    return data[:start] + data[start + size:], f"delete[{start}:+{size}]"


def _fit_definitions(data: bytes) -> list[tuple[int, int]]:
    """(offset of a definition's field count, number of fields) of a FIT file, as far as it parses."""
    found: list[tuple[int, int]] = []
    sizes: dict[int, int] = {}
    pos, end = data[0], min(len(data), data[0] + int.from_bytes(data[4:8], "little"))
    while pos < end:
        header = data[pos]
        if header & 0x80:  # compressed timestamp data message
            pos += 1 + sizes.get((header >> 5) & 0x3, 0)
        elif header & 0x40:
            count = data[pos + 5]
            found.append((pos + 5, count))
            fields = data[pos + 6:pos + 6 + 3 * count]
            size = sum(fields[k + 1] for k in range(0, len(fields), 3))
            pos += 6 + 3 * count
            if header & 0x20:
                dev = data[pos]
                size += sum(data[pos + 1 + 3 * k + 1] for k in range(dev))
                pos += 1 + 3 * dev
            sizes[header & 0xF] = size
        else:
            pos += 1 + sizes.get(header & 0xF, 0)
    return found


def fit_sizes(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """A wrong size where a FIT file states one: its header's data size, a definition's field
    count, or one field's size."""
    if len(data) < 14 or data[8:12] != b".FIT":
        return flip_bits(rng, data)
    out = bytearray(data)
    choice = rng.random()
    try:
        definitions = _fit_definitions(data)
    except IndexError:
        definitions = []
    if choice < 0.2 or not definitions:
        value = rng.choice([0, 1, len(data), len(data) * 4, 0xFFFFFFFF, rng.randrange(2**32)])
        struct.pack_into("<I", out, 4, value)
        return bytes(out), f"fit-data-size={value}"
    at, count = rng.choice(definitions)
    if choice < 0.5 or count == 0:
        value = rng.choice([0, 1, 255, count + 1, max(0, count - 1)])
        out[at] = value
        return bytes(out), f"fit-field-count@{at}={value}"
    spot = at + 1 + 3 * rng.randrange(count) + 1
    value = rng.choice([0, 1, 3, 255, rng.randrange(256)])
    if spot < len(out):
        out[spot] = value
    return bytes(out), f"fit-field-size@{spot}={value}"


MUTATIONS: list[Callable[[random.Random, bytes], tuple[bytes, str]]] = [
    flip_bits, truncate, duplicate_chunk, delete_chunk, fit_sizes]


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_header_sizes(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """A zip whose local or central header states a wrong size, method or flag."""
    out = bytearray(data)
    spots = [i for i in range(len(out) - 4) if out[i:i + 4] in (b"PK\x03\x04", b"PK\x01\x02")]
    if not spots:
        return flip_bits(rng, data)
    at = rng.choice(spots)
    central = out[at + 2] == 1
    field_at = rng.choice([(8, 2), (10, 2), (18, 4), (22, 4), (26, 2), (28, 2)] if not central else
                          [(8, 2), (10, 2), (20, 4), (24, 4), (28, 2), (30, 2), (42, 4)])
    offset, width = field_at
    value = rng.choice([0, 1, 9, 12, 14, 99, 2**(8 * width) - 1, rng.randrange(2**(8 * width))])
    if at + offset + width <= len(out):
        out[at + offset:at + offset + width] = value.to_bytes(width, "little")
    return bytes(out), f"zip-header@{at}+{offset}={value}"


def mutants(name: str, data: bytes, rng: random.Random, count: int) -> list[Mutant]:
    """``count`` mutants of one file: most mutated directly, some wrapped in gzip or zip (with
    the wrapper, or what it holds, damaged)."""
    suffix = next((x for x in (".fit.gz", ".gpx.gz", ".tcx.gz") if name.lower().endswith(x)), None)
    stem, ext = (name[:-len(suffix)], suffix[1:]) if suffix else name.rpartition(".")[::2]
    out = []
    for k in range(count):
        roll = rng.random()
        mutate = rng.choice(MUTATIONS)
        inner, how = mutate(rng, data) if data else (data, "empty")
        if roll < 0.6:
            out.append(Mutant(f"{stem}-{k}.{ext}", inner, how))
        elif roll < 0.75:
            packed = gzip.compress(inner, mtime=0)
            if rng.random() < 0.5:
                packed, outer = rng.choice([flip_bits, truncate, delete_chunk])(rng, packed)
                how = f"{how} | gzip {outer}"
            else:
                how = f"{how} | gzip"
            out.append(Mutant(f"{stem}-{k}.{ext}" + ("" if ext.endswith("gz") else ".gz"), packed, how))
        else:
            method = rng.choice([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
            members = {f"activities/{stem}.{ext}": inner, f"activities/{stem}-copy.{ext}.gz": gzip.compress(data)}
            if rng.random() < 0.3:
                members["activities.csv"] = (
                    "Activity ID,Activity Date,Activity Name,Activity Type,Filename,Distance,Moving Time\n"
                    f'1,"May 4, 2026, 6:00:00 AM",Run {k},Run,activities/{stem}.{ext},5.0,1800\n'
                    f'2,"May 5, 2026, 6:00:00 AM",Treadmill {k},Run,,4.0,1500\n').encode()
            if rng.random() < 0.2:
                members["nested.zip"] = _zip({f"{stem}.{ext}": inner})
            packed = _zip(members, method)
            wrapper = rng.random()
            if wrapper < 0.4:
                packed, outer = zip_header_sizes(rng, packed)
            elif wrapper < 0.7:
                packed, outer = rng.choice([flip_bits, truncate, duplicate_chunk, delete_chunk])(rng, packed)
            else:
                outer = "intact"
            out.append(Mutant(f"{stem}-{k}.zip", packed, f"{how} | zip method {method} {outer}"))
    return out
