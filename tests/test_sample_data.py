"""The committed sample_data/ holds what tools/make_sample_data.py says it plants.

Reads the files with fitparse, gpxpy and ElementTree only (no strideload code), so a
failure here is about the data, not the importer. Distances are the device's own: FIT
session totals, TCX lap sums, GPX track length. Ratios follow ../shared/science.md.
"""

from __future__ import annotations

import csv
import math
import re
import statistics
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import fitparse
import gpxpy
import numpy as np
import pytest

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
ZONES = {"ana": ZoneInfo("Europe/Oslo"), "ben": ZoneInfo("America/New_York")}
FIRST, LAST = date(2026, 7, 6), date(2026, 10, 25)
SEMI = 180 / 2**31
TCX = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"
TPX = "{http://www.garmin.com/xmlschemas/ActivityExtension/v2}"

pytestmark = pytest.mark.skipif(not SAMPLE.is_dir(), reason="sample_data/ is absent")
#: Reading every sample file with fitparse takes about 30 s of CPU: the checks that need them
#: run in the long run (``STRIDELOAD_LONG=1``; run it after changing tools/make_sample_data.py).
#: The default run still imports the sample data through strideload (test_sample_flags.py).
reads_every_file = pytest.mark.long


@dataclass
class Act:
    """One activity file, reduced to what these tests look at (SI units, steps/min)."""

    path: Path
    athlete: str
    fmt: str
    sport: str
    sub_sport: str
    start: datetime  # UTC
    distance_m: float
    time: np.ndarray  # Unix s
    dist: np.ndarray  # m
    speed: np.ndarray  # m/s (NaN when absent)
    alt: np.ndarray  # m (NaN when absent)
    spm: np.ndarray  # steps/min
    lat: np.ndarray  # deg (NaN when absent)
    fit: dict = field(default_factory=dict)  # FIT messages by name, for the FIT checks

    @property
    def local_date(self) -> date:
        return self.start.astimezone(ZONES[self.athlete]).date()

    @property
    def running(self) -> bool:
        return self.sport == "running"


def _arr(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


@lru_cache(maxsize=None)
def read_fit(path: Path) -> Act:
    msgs: dict[str, list[dict]] = {}
    for m in fitparse.FitFile(str(path)).get_messages():
        msgs.setdefault(m.name, []).append(m.get_values())
    rec, ses = msgs["record"], msgs["session"][0]
    per_foot = _arr(r.get("cadence") for r in rec) + _arr(r.get("fractional_cadence", 0) for r in rec)
    utc = lambda t: t.replace(tzinfo=timezone.utc)  # noqa: E731 - fitparse gives naive UTC
    return Act(path, path.parent.name, "fit", ses["sport"], ses["sub_sport"], utc(ses["start_time"]),
               ses["total_distance"], np.array([utc(r["timestamp"]).timestamp() for r in rec]),
               _arr(r.get("distance") for r in rec), _arr(r.get("enhanced_speed") for r in rec),
               _arr(r.get("enhanced_altitude") for r in rec),
               per_foot * (2 if ses["sport"] != "cycling" else 1),
               _arr(None if r.get("position_lat") is None else r["position_lat"] * SEMI for r in rec), msgs)


@lru_cache(maxsize=None)
def read_gpx(path: Path) -> Act:
    gpx = gpxpy.parse(path.read_text())
    pts = [p for t in gpx.tracks for s in t.segments for p in s.points]

    def ext(p, tag):
        for e in p.extensions:
            for child in e.iter():
                if child.tag.endswith("}" + tag):
                    return float(child.text)
        return None

    start = pts[0].time.astimezone(timezone.utc)
    steps = [0.0] + [b.distance_2d(a) for a, b in zip(pts, pts[1:])]
    return Act(path, path.parent.name, "gpx", gpx.tracks[0].type, "", start, gpx.tracks[0].length_2d(),
               np.array([p.time.timestamp() for p in pts]), np.cumsum(steps), np.full(len(pts), np.nan),
               _arr(p.elevation for p in pts), 2 * _arr(ext(p, "cad") for p in pts), _arr(p.latitude for p in pts))


@lru_cache(maxsize=None)
def read_tcx(path: Path) -> Act:
    root = ET.parse(path).getroot()
    act = root.find(f"{TCX}Activities/{TCX}Activity")
    laps = act.findall(f"{TCX}Lap")
    tps = [tp for lap in laps for tp in lap.iter(f"{TCX}Trackpoint")]

    def num(tp, path):
        el = tp.find(path)
        return None if el is None else float(el.text)

    times = [datetime.fromisoformat(tp.find(f"{TCX}Time").text.replace("Z", "+00:00")) for tp in tps]
    return Act(path, path.parent.name, "tcx", act.get("Sport").lower(), "", times[0],
               sum(float(lap.find(f"{TCX}DistanceMeters").text) for lap in laps),
               np.array([t.timestamp() for t in times]), _arr(num(tp, f"{TCX}DistanceMeters") for tp in tps),
               _arr(num(tp, f"{TCX}Extensions/{TPX}TPX/{TPX}Speed") for tp in tps),
               _arr(num(tp, f"{TCX}AltitudeMeters") for tp in tps),
               2 * _arr(num(tp, f"{TCX}Extensions/{TPX}TPX/{TPX}RunCadence") for tp in tps),
               _arr(num(tp, f"{TCX}Position/{TCX}LatitudeDegrees") for tp in tps),
               {"laps": laps})


READERS = {".fit": read_fit, ".gpx": read_gpx, ".tcx": read_tcx}


@lru_cache(maxsize=None)
def activities(athlete: str) -> tuple[Act, ...]:
    acts = [READERS[p.suffix](p) for p in sorted((SAMPLE / athlete).iterdir()) if p.suffix in READERS]
    return tuple(sorted(acts, key=lambda a: (a.start, a.fmt)))


def duplicates(athlete: str) -> list[tuple[Act, Act]]:
    """(FIT, GPX) pairs that start within a minute and agree on distance within 1 %."""
    acts = activities(athlete)
    return [(a, b) for a in acts if a.fmt == "fit" for b in acts if b.fmt == "gpx"
            and abs((a.start - b.start).total_seconds()) <= 60 and abs(b.distance_m / a.distance_m - 1) <= 0.01]


def runs(athlete: str) -> list[Act]:
    """Running activities, each recording once (the GPX copy of a duplicate dropped)."""
    dup = {id(b) for _, b in duplicates(athlete)}
    return [a for a in activities(athlete) if a.running and id(a) not in dup]


def km_between(athlete: str, first: date, last: date, sub_sport: str | None = None) -> float:
    return sum(a.distance_m for a in runs(athlete) if first <= a.local_date <= last
               and (sub_sport is None or a.sub_sport == sub_sport)) / 1000


def run_on(athlete: str, day: str) -> Act:
    found = [a for a in runs(athlete) if a.local_date == date.fromisoformat(day)]
    assert len(found) == 1, f"{athlete} should have one run on {day}, has {len(found)}"
    return found[0]


def spike_ratio(athlete: str, run: Act) -> float | None:
    prev = [a.distance_m for a in runs(athlete) if run.start - timedelta(days=30) <= a.start < run.start]
    return run.distance_m / max(prev) if prev else None


def downhill(act: Act) -> tuple[float, float, float]:
    """(descent, distance at grade <= -5 %, at <= -10 %) in m, from elevation resampled every
    10 m and smoothed over 50 m, descent counted with a 3 m hysteresis."""
    ok = ~np.isnan(act.dist) & ~np.isnan(act.alt)
    grid = np.arange(0, act.dist[ok][-1], 10.0)
    z = np.interp(grid, act.dist[ok], act.alt[ok])
    z = np.convolve(np.pad(z, 2, mode="edge"), np.ones(5) / 5, mode="valid")
    g = np.diff(z) / 10
    descent, ref = 0.0, z[0]
    for v in z[1:]:
        if v > ref + 3:
            ref = v
        elif v < ref - 3:
            descent += ref - v
            ref = v
    return descent, 10.0 * np.sum(g <= -0.05), 10.0 * np.sum(g <= -0.10)


def running_part(act: Act) -> np.ndarray:
    """Mask of records where the runner runs (not walking, not standing)."""
    speed = act.speed if not np.isnan(act.speed).all() else np.gradient(act.dist, act.time)
    return (speed > 2.2) & (act.spm > 140)


# ----------------------------------------------------------------------------- the files


@reads_every_file
def test_each_athlete_has_sixteen_weeks_in_three_formats():
    for athlete in ZONES:
        acts = activities(athlete)
        fmts = {a.fmt for a in acts}
        assert fmts == {"fit", "gpx", "tcx"}
        assert sum(a.fmt == "fit" for a in acts) > 2 * sum(a.fmt != "fit" for a in acts), "mostly FIT"
        days = {a.local_date for a in acts}
        assert min(days) <= FIRST + timedelta(days=3) and max(days) == LAST
    total = sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file())
    assert total < 15e6


@reads_every_file
def test_fit_session_totals_agree_with_records():
    for athlete in ZONES:
        for act in (a for a in activities(athlete) if a.fmt == "fit"):
            ses = act.fit["session"][0]
            events = act.fit["event"]
            assert ses["total_distance"] == pytest.approx(act.dist[-1], abs=0.02), act.path
            elapsed = act.time[-1] - act.time[0]
            assert ses["total_elapsed_time"] == pytest.approx(elapsed, abs=0.01), act.path
            stops = [e["timestamp"] for e in events if e["event"] == "timer" and e["event_type"] == "stop_all"]
            starts = [e["timestamp"] for e in events if e["event"] == "timer" and e["event_type"] == "start"]
            assert len(starts) == len(stops)
            paused = sum((b - a).total_seconds() for a, b in zip(stops[:-1], starts[1:]))
            assert ses["total_timer_time"] == pytest.approx(elapsed - paused, abs=0.01), act.path
            laps = act.fit["lap"]
            assert sum(lap["total_distance"] for lap in laps) == pytest.approx(ses["total_distance"], abs=0.1)
            assert ses["num_laps"] == len(laps)
            fid = act.fit["file_id"][0]
            assert fid["time_created"] == ses["start_time"] == act.fit["record"][0]["timestamp"]
            assert np.all(np.diff(act.dist) >= 0)
            if act.running:
                mean = ses["avg_running_cadence"] + ses["avg_fractional_cadence"]
                assert 2 * mean == pytest.approx(np.nanmean(act.spm[act.spm > 0]), abs=6), act.path
            if act.sub_sport != "treadmill":
                ascent = ses["total_ascent"]
                assert 0 <= ascent < 1000


@reads_every_file
def test_fit_activity_states_the_local_offset():
    for athlete, zone in ZONES.items():
        for act in (a for a in activities(athlete) if a.fmt == "fit"):
            activity = act.fit["activity"][0]
            assert activity.get("local_timestamp") is not None, act.path
            offset = activity["local_timestamp"] - activity["timestamp"]
            end = activity["timestamp"].replace(tzinfo=timezone.utc)
            assert offset == end.astimezone(zone).utcoffset(), act.path
    last = run_on("ana", "2026-10-25").fit["activity"][0]
    assert last["local_timestamp"] - last["timestamp"] == timedelta(hours=1), "after the DST change"


@reads_every_file
def test_cadence_is_stored_per_foot():
    for athlete in ZONES:
        for act in (a for a in activities(athlete) if a.running):
            part = running_part(act)
            per_foot = np.median(act.spm[part]) / 2
            assert 70 <= per_foot <= 95, (act.path, per_foot)
        fit = next(a for a in activities(athlete) if a.fmt == "fit" and a.running)
        frac = [r["fractional_cadence"] for r in fit.fit["record"]]
        assert len(set(frac)) > 10 and max(frac) < 1


@reads_every_file
def test_records_come_every_one_to_seven_seconds():
    act = run_on("ana", "2026-07-07")
    dt = np.diff(act.time)
    pause = sum(1 for e in act.fit["event"] if e["event_type"] == "stop_all") - 1
    assert pause >= 1
    assert np.sum(dt > 7) == pause, "only auto-pauses leave longer gaps"
    assert set(np.unique(dt[dt <= 7]).astype(int)) == set(range(1, 8))
    assert 2.5 < np.median(dt) < 5


@reads_every_file
def test_runs_start_with_a_few_walking_seconds():
    for act in runs("ben")[:10]:
        if act.fmt == "fit" and act.sub_sport != "track":
            first = act.spm[(act.spm > 0)][:3]
            assert np.all((first > 95) & (first < 130)), act.path


@reads_every_file
def test_gpx_files_are_strava_exports_with_hr_and_cadence_per_foot():
    for athlete in ZONES:
        for path in sorted((SAMPLE / athlete).glob("*.gpx")):
            text = path.read_text()
            assert 'creator="StravaGPX"' in text and "<type>running</type>" in text
            n = text.count("<trkpt ")
            assert text.count("<gpxtpx:hr>") == n and text.count("<gpxtpx:cad>") == n
            act = read_gpx(path)
            assert np.median(act.spm[running_part(act)]) / 2 < 100


@reads_every_file
def test_tcx_files_have_laps_and_per_foot_run_cadence():
    for athlete in ZONES:
        for path in sorted((SAMPLE / athlete).glob("*.tcx")):
            act = read_tcx(path)
            laps = act.fit["laps"]
            assert len(laps) >= 2
            assert act.distance_m == pytest.approx(act.dist[-1], abs=0.5)
            assert np.all(np.diff(act.dist) >= 0) and not np.isnan(act.alt).any()
            assert not np.isnan(act.spm).any() and np.median(act.spm[running_part(act)]) / 2 < 100
            assert all(tp.find(f"{TCX}HeartRateBpm/{TCX}Value") is not None
                       for lap in laps for tp in lap.iter(f"{TCX}Trackpoint"))


@reads_every_file
def test_gps_noise_is_a_few_metres_on_a_coherent_route():
    act = run_on("ben", "2026-07-26")
    lat, lon = act.lat, np.array([r["position_long"] * SEMI for r in act.fit["record"]])
    step = np.hypot(np.diff(lat) * 111_195, np.diff(lon) * 111_195 * math.cos(math.radians(lat[0])))
    moved = np.diff(act.dist)
    ok = moved > 5
    assert np.median(np.abs(step[ok] - moved[ok])) < 3
    assert abs(lat[0] - 40.6706) < 0.0005, "starts at ben's front door in Park Slope"


# ----------------------------------------------------------------------------- planted events


@reads_every_file
def test_ana_long_run_spike_on_30_august():
    spike = run_on("ana", "2026-08-30")
    assert spike_ratio("ana", spike) >= 1.45
    before = [a for a in runs("ana") if a.local_date < date(2026, 8, 30)]
    assert all((spike_ratio("ana", a) or 0) < 1.3 for a in before), "the spike is the only one before it"


@reads_every_file
def test_ben_downhill_race_on_12_september():
    race = run_on("ben", "2026-09-12")
    descent, at5, at10 = downhill(race)
    assert descent > 500 and race.fit["session"][0]["total_descent"] > 500
    assert at5 > 5000 and at10 > 1000
    earlier = [downhill(a)[1] for a in runs("ben")
               if race.start - timedelta(days=30) <= a.start < race.start and not np.isnan(a.alt).all()]
    assert at5 > 1.3 * max(earlier) and at5 >= 1000


@reads_every_file
def test_ana_low_cadence_stretch():
    def point(act):
        part = running_part(act)
        speed = act.speed if not np.isnan(act.speed).all() else np.gradient(act.dist, act.time)
        return float(np.median(speed[part])), float(np.median(act.spm[part]))

    base = [point(a) for a in runs("ana") if a.local_date < date(2026, 8, 10)]
    slope, icept = np.polyfit([v for v, _ in base], [c for _, c in base], 1)
    stretch = [a for a in runs("ana") if date(2026, 8, 10) <= a.local_date <= date(2026, 9, 3)]
    assert (stretch[-1].local_date - stretch[0].local_date).days >= 14 and len(stretch) >= 8
    for act in stretch:
        v, c = point(act)
        assert -0.09 < c / (icept + slope * v) - 1 < -0.05, act.path
    for v, c in base:
        assert abs(c / (icept + slope * v) - 1) < 0.025


@reads_every_file
def test_ana_treadmill_week_has_no_positions():
    tm = [a for a in runs("ana") if a.sub_sport == "treadmill"]
    assert len(tm) >= 3 and {a.local_date.isocalendar()[1] for a in tm} == {date(2026, 8, 3).isocalendar()[1]}
    for act in tm:
        assert np.isnan(act.lat).all() and all("position_lat" not in r for r in act.fit["record"])
        assert not np.isnan(act.speed).any() and act.dist[-1] > 5000
    week = km_between("ana", date(2026, 8, 3), date(2026, 8, 9))
    assert km_between("ana", date(2026, 8, 3), date(2026, 8, 9), "treadmill") / week > 0.3
    assert km_between("ana", date(2026, 7, 6), date(2026, 8, 2), "treadmill") == 0


@reads_every_file
def test_ben_moves_to_trails():
    week = km_between("ben", date(2026, 9, 28), date(2026, 10, 4))
    assert km_between("ben", date(2026, 9, 28), date(2026, 10, 4), "trail") / week > 0.3
    assert km_between("ben", date(2026, 8, 31), date(2026, 9, 27), "trail") == 0
    assert not any(a.sub_sport == "trail" for a in runs("ben") if a.local_date < date(2026, 9, 28))


@reads_every_file
def test_ben_acwr_spike_week():
    before = km_between("ben", date(2026, 8, 10), date(2026, 8, 16))
    streak = km_between("ben", date(2026, 8, 17), date(2026, 8, 23))
    assert before >= 10 and streak > 1.3 * before
    chronic = km_between("ben", date(2026, 7, 27), date(2026, 8, 23)) / 4
    assert streak / chronic > 1.3


@reads_every_file
def test_non_running_activities_are_there_and_not_running():
    sports = {(a.athlete, a.sport) for ath in ZONES for a in activities(ath)}
    assert {("ben", "cycling"), ("ana", "walking"), ("ana", "cycling")} <= sports
    bike = next(a for a in activities("ben") if a.sport == "cycling")
    assert bike.distance_m > 20000 and bike.fit["session"][0]["sub_sport"] == "road"


@reads_every_file
def test_ben_same_run_as_fit_and_gpx():
    pairs = duplicates("ben")
    assert len(pairs) == 1
    fit, gpx = pairs[0]
    assert fit.start == gpx.start and fit.local_date == date(2026, 7, 26)
    assert gpx.path.name == "Morning_Run.gpx"
    assert duplicates("ana") == []


@reads_every_file
def test_gpx_and_tcx_need_the_athlete_zone_for_the_local_date():
    evening = read_gpx(SAMPLE / "ben" / "Evening_Run.gpx")
    assert evening.start.date() == date(2026, 8, 6) and evening.local_date == date(2026, 8, 5)


# ----------------------------------------------------------------------------- return to run


@reads_every_file
def test_ana_rests_then_follows_crowell_walk_run():
    ana = runs("ana")
    assert not [a for a in ana if date(2026, 9, 4) <= a.local_date <= date(2026, 9, 14)], "ten days of rest"
    rtr = [a for a in ana if date(2026, 9, 15) <= a.local_date <= date(2026, 10, 13)]
    assert len(rtr) == 15
    gaps = [(b.local_date - a.local_date).days for a, b in zip(rtr, rtr[1:])]
    assert gaps.count(1) == 1 and rtr[gaps.index(1) + 1].local_date == date(2026, 9, 26), "one back-to-back day"
    mile = 1609.344
    first = run_on("ana", "2026-09-15")
    assert first.distance_m == pytest.approx(mile, rel=0.01)
    speed, spm = first.speed, first.spm
    walk, run = (speed > 1.1) & (speed < 1.7), speed > 2.4
    assert 105 <= np.median(spm[walk]) <= 125 and 155 <= np.median(spm[run]) <= 175
    assert 2.6 <= np.median(speed[run]) <= 3.2
    # alternating walk 2 min / run 3 min: the running stretches last about 180 s
    state = np.where(run, 1, np.where(walk, 0, -1))
    changes = [i for i in range(1, len(state)) if state[i] != state[i - 1] and state[i] >= 0]
    spans = [first.time[j] - first.time[i] for i, j in zip(changes, changes[1:]) if state[i] == 1]
    assert spans and all(150 <= s <= 200 for s in spans)
    deviation = run_on("ana", "2026-10-04")
    level = [a for a in rtr if a is not deviation]
    assert deviation.distance_m > 1.4 * 2 * mile
    assert deviation.fit["session"][0]["total_ascent"] > 40
    assert max(a.fit["session"][0]["total_ascent"] for a in level if a.fmt == "fit") < 20


# ----------------------------------------------------------------------------- pain logs


def read_pain(athlete: str) -> list[dict]:
    with open(SAMPLE / athlete / "pain.csv", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["date", "time", "score", "when", "side", "note"]
        return list(reader)


def test_pain_csv_values_are_valid():
    for athlete in ZONES:
        rows = read_pain(athlete)
        for r in rows:
            day = date.fromisoformat(r["date"])
            assert FIRST <= day <= LAST + timedelta(days=1)
            assert r["time"] == "" or re.fullmatch(r"[0-2]\d:[0-5]\d", r["time"])
            score = float(r["score"])
            assert 0 <= score <= 10 and score * 2 == int(score * 2)
            assert r["when"] in {"during", "after", "next-morning", "daily"}
            assert r["side"] in {"", "left", "right", "both"}
        days = len({r["date"] for r in rows})
        assert 0.2 < days / 112 < 0.7, "entries on some days, not every day"


def mornings(athlete: str) -> dict[date, float]:
    """Morning values: next-morning entries, and daily entries logged before 09:00."""
    out = {}
    for r in read_pain(athlete):
        if r["when"] == "next-morning" or (r["when"] == "daily" and r["time"] and r["time"] < "09:00"):
            out[date.fromisoformat(r["date"])] = float(r["score"])
    return out


@pytest.mark.parametrize("athlete, run_day", [("ana", "2026-08-30"), ("ben", "2026-09-12"), ("ana", "2026-10-04")])
def test_next_morning_pain_rises_by_two_after_the_planted_load(athlete, run_day):
    m = mornings(athlete)
    day = date.fromisoformat(run_day)
    before = [v for d, v in m.items() if d <= day]
    assert m[day + timedelta(days=1)] - before[-1] >= 2


def test_pain_is_quiet_before_the_planted_events():
    for athlete, first_event in (("ana", "2026-08-30"), ("ben", "2026-09-12")):
        quiet = [float(r["score"]) for r in read_pain(athlete) if r["date"] < first_event]
        assert quiet and max(quiet) <= 1 and statistics.mean(quiet) < 1
