"""gpxpy is the oracle of the streaming GPX reader: every GPX of the corpus and every generated
sample is read both ways, and the tracks, points and values must be the same.

The oracle applies strideload's rules (UTC times, per-foot cadence doubled once per file,
tracks dated by most of their points, samples sorted and de-duplicated) to what gpxpy parses:
the reader strideload had before it streamed.
"""

from __future__ import annotations

import gzip
from datetime import timezone

import gpxpy
import numpy as np
import pytest
from corpus import CORPUS_DIR, manifest_rows, requires_corpus
from files import gpx_bytes, run_points, utc

from strideload.errors import FileImportError
from strideload.ingest import gpx as reader
from strideload.model import samples_frame

GPX_FILES = [row["file"] for row in manifest_rows() if row["format"] == "gpx"]
NUMBERS = ["latitude_deg", "longitude_deg", "elevation_m", "speed_mps", "heart_rate_bpm", "cadence_spm"]


def _extension(point, names: set[str]) -> float:
    for ext in point.extensions:
        for el in ext.iter():
            if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1].lower() in names and el.text:
                try:
                    return float(el.text)
                except ValueError:
                    return float("nan")
    return float("nan")


def oracle(data: bytes) -> list[dict]:
    """Dated tracks as gpxpy reads them: sport, name, device and the sample frame."""
    gpx = gpxpy.parse(data.decode("utf-8-sig"))
    tracks = []
    for track in gpx.tracks:
        raw = (track.type or "").strip() or next(
            (el.text.strip() for ext in track.extensions for el in ext.iter()
             if str(el.tag).endswith("activity") and (el.text or "").strip()), "")
        sport = reader.SPORT_ALIASES.get(raw.lower(), raw.lower()) or None
        points = [p for s in track.segments for p in s.points]
        times = [p.time.astimezone(timezone.utc) if p.time and p.time.tzinfo else
                 (p.time.replace(tzinfo=timezone.utc) if p.time else None) for p in points]
        cols = {"time": times, "latitude_deg": [p.latitude for p in points],
                "longitude_deg": [p.longitude for p in points],
                "elevation_m": [np.nan if p.elevation is None else p.elevation for p in points],
                "speed_mps": [np.nan if p.speed is None else p.speed for p in points],
                "heart_rate_bpm": [_extension(p, set(reader.HR_NAMES)) for p in points],
                "cadence_spm": [_extension(p, set(reader.CAD_NAMES)) for p in points]}
        tracks.append({"sport": sport, "name": (track.name or gpx.name or "").strip() or None,
                       "device": (gpx.creator or "").strip() or None, "cols": cols})
    steps = np.array([c for t in tracks if t["sport"] not in reader._PEDAL_SPORTS
                      for c in t["cols"]["cadence_spm"]], dtype=float)
    factor = reader._cadence_factor(steps)
    dated = []
    for track in tracks:
        if track["sport"] not in reader._PEDAL_SPORTS:
            track["cols"]["cadence_spm"] = [c * factor for c in track["cols"]["cadence_spm"]]
        timed = [t for t in track["cols"]["time"] if t is not None]
        if not timed or len(timed) < reader.MIN_TIMED_SHARE * len(track["cols"]["time"]) or \
                (max(timed) - min(timed)).total_seconds() < 1:
            continue
        track["samples"] = samples_frame(track.pop("cols"))
        dated.append(track)
    return dated


def assert_same(data: bytes, name: str) -> int:
    """Read ``data`` both ways; return the number of points compared."""
    expected = oracle(data)
    try:
        found = reader.read_gpx(data, name)
    except FileImportError:
        assert not expected, f"{name}: gpxpy found {len(expected)} dated track(s)"
        return 0
    assert [(a.sport, a.name, a.device) for a in found] == \
        [(t["sport"], t["name"], t["device"]) for t in expected]
    for activity, track in zip(found, expected):
        ours, theirs = activity.samples, track["samples"]
        assert len(ours) == len(theirs), name
        assert (ours["time"].to_numpy() == theirs["time"].to_numpy()).all(), name
        for column in NUMBERS:
            np.testing.assert_allclose(ours[column].to_numpy(), theirs[column].to_numpy(), rtol=1e-12,
                                       equal_nan=True, err_msg=f"{name}: {column}")
    return sum(len(a.samples) for a in found)


@pytest.mark.corpus
@requires_corpus
@pytest.mark.parametrize("name", GPX_FILES)
def test_every_corpus_gpx_reads_as_gpxpy_reads_it(name):
    data = (CORPUS_DIR / "files" / name).read_bytes()
    assert_same(gzip.decompress(data) if name.endswith(".gz") else data, name)


def generated() -> dict[str, bytes]:
    start = utc(2026, 5, 4, 6)
    run = run_points(start, km=4, elevation=lambda d: 100 + d / 50)
    hills = run_points(start, km=2, interval_s=3, cadence_spm=176, elevation=lambda d: 80 + 30 * np.sin(d / 300))
    later = gpx_bytes(run[300:600])
    two = gpx_bytes(run[:200]).replace(b"</gpx>", later[later.index(b"<trk>"):later.index(b"</gpx>")] + b"</gpx>")
    return {
        "one-hour-ish.gpx": gpx_bytes(run),
        "steps-per-minute.gpx": gpx_bytes(hills, cadence_per_foot=False),
        "ride.gpx": gpx_bytes(hills, sport="1"),
        "untyped.gpx": gpx_bytes(run[:500], sport=None),
        "no-times.gpx": gpx_bytes(run[:50], with_time=False),
        "two-tracks.gpx": two,
        "indented.gpx": gpx_bytes(hills).replace(b"><", b">\n    <"),
        "offset-times.gpx": gpx_bytes(run[:300]).replace(b"Z</time>", b"+02:00</time>"),
    }


@pytest.mark.parametrize("name", list(generated()))
def test_every_generated_gpx_reads_as_gpxpy_reads_it(name):
    data = generated()[name]
    points = assert_same(data, name)
    assert points or name == "no-times.gpx"
