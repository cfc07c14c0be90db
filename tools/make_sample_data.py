#!/usr/bin/env python3
"""Write strideload's sample data: two runners, 16 weeks each, ending 2026-10-25.

    pip install -e '.[samples]'            # fit-tool writes the FIT files
    python tools/make_sample_data.py       # writes sample_data/
    python tools/make_sample_data.py --check   # regenerate in a temp folder, compare bytes

Everything is deterministic: fixed dates, one seeded RNG per activity (seeded from the
activity's own date and kind), no clock reads. Re-running gives byte-identical files.

How a recording is made (``simulate``): a per-second walk along a route (loops through the
runner's front door, a 400 m track, two trail loops, a point-to-point race course), with
speed following a program (warm-up walk, easy/tempo/intervals, walk/run intervals),
slowed by uphill grade, auto-paused at one or two traffic lights; heart rate lags effort;
cadence follows the runner's own speed-cadence line. The watch keeps a record every
1-7 s (smart recording, denser when speed changes), positions carry correlated GPS noise
of a few metres, altitude is barometric (+-0.3 m noise, 0.2 m resolution). Laps every
1 km; session and lap totals are computed from the records the file holds.

The story (dates, planted events) is in ``ana_plan``/``ben_plan``/``*_pain`` below and in
the README this script writes next to the data. ``ana/rtr-plan.toml``, her physio's
return-to-run plan file (``ANA_RTR_PLAN``), is hand-written, not generated: the decisions
are what a PT would have made for the sessions ``ana_plan`` simulates. This script writes it
with the rest (it replaces ``sample_data/ana/``), so edit it here.
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import io
import math
import os
import re
import shutil
import sys
import tempfile
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

END = date(2026, 10, 25)  # a Sunday; Oslo leaves summer time that morning
START = END - timedelta(days=111)  # Monday 2026-07-06: 16 full weeks
MILE = 1609.344
EARTH_R = 6371008.8
FIT_EPOCH = 631065600  # 1989-12-31T00:00:00Z in Unix seconds

# --------------------------------------------------------------------------- athletes


@dataclass(frozen=True)
class Athlete:
    name: str
    tz: str
    city: str
    device: str  # TCX Creator name
    product: int  # FIT garmin_product
    serial: int
    hr_rest: float  # 1/min
    hr_base: float  # 1/min at 0 m/s of the effort line
    hr_per_mps: float  # 1/min per m/s of effort speed
    hr_max: float
    spm_ref: float  # steps/min when running at v_ref
    v_ref: float  # m/s
    spm_per_mps: float  # steps/min per m/s
    walk_spm: float  # steps/min at 1.4 m/s
    mass_kg: float
    side: str  # knee that hurts


ATHLETES = {
    "ana": Athlete("ana", "Europe/Oslo", "Oslo (Frogner)", "Forerunner 255", 3992, 3419876521,
                   50, 58, 30, 189, 164.0, 2.8, 10.0, 114.0, 61, "right"),
    "ben": Athlete("ben", "America/New_York", "Brooklyn (Park Slope)", "Forerunner 265", 4257,
                   3488120457, 47, 48, 29, 186, 168.0, 3.1, 9.0, 112.0, 74, "left"),
}

# --------------------------------------------------------------------------- routes

#: Where route coordinates are anchored: (lat, lon) of x = y = 0.
ORIGINS = {
    "oslo": (59.92520, 10.70980),  # ana's front door near Frognerparken
    "brooklyn": (40.67060, -73.97820),  # ben's front door in Park Slope
    "parade": (40.64960, -73.96870),  # Parade Ground track, Brooklyn
    "bearmtn": (41.31220, -73.98860),  # trailhead, Hudson Highlands
    "catskills": (42.20400, -74.21100),  # race start near Hunter, NY
}

#: Loops through an origin: origin, length (m), heading (deg from east), shape seed,
#: elevation knots as (fraction of the loop, metres), first and last equal.
LOOPS = {
    "frogner": ("oslo", 2400, 200, 1, [(0, 24), (.25, 26.5), (.5, 25), (.75, 22.5), (1, 24)]),
    "ullevaal": ("oslo", 4300, 70, 2, [(0, 24), (.2, 31), (.45, 46), (.6, 45), (.8, 30), (1, 24)]),
    "bygdoy": ("oslo", 7600, 250, 3, [(0, 24), (.15, 9), (.3, 5), (.45, 13), (.55, 6), (.7, 4),
                                      (.85, 11), (1, 24)]),
    "slemdal": ("oslo", 5000, 100, 4, [(0, 24), (.08, 28), (.24, 92), (.42, 97), (.5, 90),
                                       (.58, 96), (.8, 36), (.9, 27), (1, 24)]),
    "prospect": ("brooklyn", 5400, 310, 5, [(0, 30), (.15, 41), (.3, 54), (.4, 48), (.55, 32),
                                            (.7, 27), (.85, 35), (1, 30)]),
    "slope": ("brooklyn", 3200, 160, 6, [(0, 30), (.3, 19), (.6, 12), (.8, 22), (1, 30)]),
    "waterfront": ("brooklyn", 8600, 120, 7, [(0, 30), (.2, 11), (.35, 4), (.65, 3), (.8, 12),
                                              (1, 30)]),
    "bigloop": ("brooklyn", 12500, 260, 8, [(0, 30), (.25, 8), (.5, 4), (.75, 15), (1, 30)]),
    "bearmtn": ("bearmtn", 9000, 20, 9, [(0, 60), (.05, 70), (.32, 330), (.45, 352), (.5, 332),
                                         (.58, 356), (.85, 92), (.95, 66), (1, 60)]),
    "timp": ("bearmtn", 6500, 200, 10, [(0, 60), (.3, 220), (.5, 242), (.75, 100), (1, 60)]),
}

#: The race: a point-to-point course, elevation knots as (km, metres).
RACE_KNOTS = [(0, 640), (.8, 632), (1.6, 605), (3.2, 430), (4.0, 395), (4.6, 403), (6.2, 305),
              (7.0, 287), (8.2, 158), (9.4, 170), (10.4, 165), (11.6, 95), (12.6, 80), (13.4, 104),
              (14.0, 102), (15.2, 35), (16.5, 33), (17.3, 50), (18.5, 38), (19.5, 40), (21.5, 36)]


@dataclass
class Course:
    """A route sampled every metre: x, y east/north of ``origin`` (m), z elevation (m)."""

    origin: str
    x: np.ndarray
    y: np.ndarray
    z: np.ndarray

    def at(self, d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        s = np.arange(len(self.x), dtype=float)
        d = np.clip(d, 0, s[-1])
        return np.interp(d, s, self.x), np.interp(d, s, self.y), np.interp(d, s, self.z)

    def grade(self) -> np.ndarray:
        """Grade per metre (fraction), over +-10 m."""
        z = self.z
        g = np.zeros_like(z)
        g[10:-10] = (z[20:] - z[:-20]) / 20.0
        return g


def _resample(x: np.ndarray, y: np.ndarray, length: float) -> tuple[np.ndarray, np.ndarray]:
    seg = np.hypot(np.diff(x), np.diff(y))
    s = np.concatenate([[0.0], np.cumsum(seg)])
    scale = length / s[-1]
    n = int(round(length))
    t = np.linspace(0, s[-1], n + 1)
    return np.interp(t, s, x) * scale, np.interp(t, s, y) * scale


def _smooth(z: np.ndarray, width: int, wrap: bool) -> np.ndarray:
    kernel = np.ones(width) / width
    pad = width // 2
    zp = np.concatenate([z[-pad - 1:-1], z, z[1:pad + 1]]) if wrap else np.pad(z, pad, mode="edge")
    return np.convolve(zp, kernel, mode="valid")[: len(z)]


@lru_cache(maxsize=None)
def loop_course(name: str) -> Course:
    origin, length, heading, seed, knots = LOOPS[name]
    rng = np.random.default_rng(1000 + seed)
    th = np.linspace(0, 2 * np.pi, 4001)
    r = np.ones_like(th)
    for k in (2, 3, 4):
        r += rng.uniform(0.03, 0.14 / k * 2) * np.cos(k * th + rng.uniform(0, 2 * np.pi))
    px, py = r * np.cos(th), r * np.sin(th) * rng.uniform(0.55, 0.9)
    px, py = px - px[0], py - py[0]  # the loop starts (and ends) at the front door
    h = math.radians(heading)
    qx, qy = px * math.cos(h) - py * math.sin(h), px * math.sin(h) + py * math.cos(h)
    x, y = _resample(-qx, -qy, length)
    fr, zk = zip(*knots)
    z = np.interp(np.arange(len(x)) / (len(x) - 1), fr, zk)
    return Course(origin, x, y, _smooth(z, 41, wrap=True))


@lru_cache(maxsize=None)
def track_course() -> Course:
    """Lane 1 of a 400 m track, starting at the finish line."""
    straight, radius = 84.39, 36.80
    n = 4000
    s = np.linspace(0, 400, n + 1)
    x, y = np.empty_like(s), np.empty_like(s)
    arc = math.pi * radius
    for i, v in enumerate(s):
        if v < straight:
            x[i], y[i] = v, 0
        elif v < straight + arc:
            a = (v - straight) / radius
            x[i], y[i] = straight + radius * math.sin(a), radius - radius * math.cos(a)
        elif v < 2 * straight + arc:
            x[i], y[i] = straight - (v - straight - arc), 2 * radius
        else:
            a = (v - 2 * straight - arc) / radius
            x[i], y[i] = -radius * math.sin(a), radius + radius * math.cos(a)
    x, y = _resample(x, y, 400)
    return Course("parade", x, y, np.full(len(x), 18.0))


@lru_cache(maxsize=None)
def race_course() -> Course:
    n = 21500
    s = np.arange(n + 1, dtype=float)
    h = (math.radians(-20) + 0.7 * np.sin(2 * np.pi * s / 3100 + 0.4)
         + 0.35 * np.sin(2 * np.pi * s / 1270 + 1.9) + 0.2 * np.sin(2 * np.pi * s / 430 + 0.3))
    x, y = np.concatenate([[0], np.cumsum(np.cos(h))[:-1]]), np.concatenate([[0], np.cumsum(np.sin(h))[:-1]])
    km, zk = zip(*RACE_KNOTS)
    z = np.interp(s / 1000, km, zk)
    return Course("catskills", x, y, _smooth(z, 41, wrap=False))


def build_course(routes: tuple[str, ...], need_m: float) -> Course:
    if routes == ("track",):
        parts = [track_course()]
    elif routes == ("race",):
        return race_course()
    else:
        parts = [loop_course(r) for r in routes]
    xs, ys, zs, total, i = [], [], [], 0.0, 0
    while total < need_m + 300:
        c = parts[i % len(parts)]
        sl = slice(0, None) if i == 0 else slice(1, None)
        xs.append(c.x[sl]), ys.append(c.y[sl]), zs.append(c.z[sl])
        total += len(c.x) - 1
        i += 1
    return Course(parts[0].origin, np.concatenate(xs), np.concatenate(ys), np.concatenate(zs))


def to_latlon(origin: str, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat0, lon0 = ORIGINS[origin]
    lat = lat0 + np.degrees(y / EARTH_R)
    lon = lon0 + np.degrees(x / (EARTH_R * math.cos(math.radians(lat0))))
    return lat, lon


# --------------------------------------------------------------------------- plans


@dataclass
class Plan:
    """One activity to write."""

    athlete: str
    start_local: datetime  # naive, the athlete's wall-clock time
    kind: str  # easy long tempo track race trail treadmill rtr walk bike
    distance_m: float
    routes: tuple[str, ...]
    fmt: str = "fit"  # fit gpx tcx
    stops: int = 0  # auto-paused stops (traffic lights, a photo)
    cad_factor: float = 1.0  # planted low-cadence stretch: 0.93
    walk_run: tuple[int, int] | None = None  # walk s, run s (return-to-run intervals)
    event: str = ""  # planted-event label (README, MANIFEST.csv)
    title: str = ""  # GPX/TCX activity name
    duplicate_gpx: str = ""  # also write this Strava GPX of the same recording
    filename: str = ""
    speed: float = 0.0  # filled by the plan builders (m/s)

    @property
    def sport(self) -> str:
        return {"walk": "walking", "bike": "cycling"}.get(self.kind, "running")

    @property
    def sub_sport(self) -> str:
        return {"trail": "trail", "treadmill": "treadmill", "track": "track", "walk": "generic",
                "bike": "road"}.get(self.kind, "street")

    @property
    def seed(self) -> int:
        return zlib.crc32(f"{self.athlete}|{self.start_local.isoformat()}|{self.kind}".encode())

    def start_utc(self) -> datetime:
        local = self.start_local.replace(tzinfo=ZoneInfo(ATHLETES[self.athlete].tz))
        return local.astimezone(timezone.utc)


def _d(s: str, hms: str) -> datetime:
    return datetime.fromisoformat(f"{s}T{hms}")


def ana_plan() -> list[Plan]:
    """Ana, Oslo. Base 4 runs/week; treadmill week; low cadence; a long-run spike; knee pain;
    ten days off; Crowell 2023 return to run; easy continuous running again."""
    P: list[Plan] = []
    base_routes = {"easy": ("ullevaal", "frogner"), "tempo": ("frogner",), "long": ("bygdoy", "frogner")}

    def run(day, hms, km, kind, routes=None, **kw):
        P.append(Plan("ana", _d(day, hms), kind, km * 1000, routes or base_routes.get(kind, ("frogner",)), **kw))

    # weeks 1-4: base training on the streets
    run("2026-07-07", "06:41:12", 7.0, "easy", stops=1)
    run("2026-07-09", "06:38:40", 7.5, "easy", ("frogner",), fmt="gpx", title="Morning Run")
    run("2026-07-11", "08:12:03", 6.0, "easy")
    run("2026-07-12", "07:31:05", 9.0, "long", stops=2)
    run("2026-07-14", "06:44:27", 7.0, "easy", stops=1)
    run("2026-07-16", "06:36:51", 8.0, "tempo", fmt="tcx", title="Oslo Running")
    run("2026-07-18", "08:20:16", 6.0, "easy")
    run("2026-07-19", "09:05:44", 10.5, "long", stops=1)
    run("2026-07-21", "06:40:09", 7.0, "easy", stops=2)
    run("2026-07-23", "12:10:33", 8.0, "easy", ("frogner", "ullevaal"), fmt="gpx", title="Lunch Run")
    run("2026-07-25", "08:05:58", 6.0, "easy")
    run("2026-07-26", "08:50:21", 12.0, "long", stops=1)
    run("2026-07-28", "06:42:37", 7.0, "easy")
    run("2026-07-30", "06:35:02", 8.0, "tempo", stops=1)
    run("2026-08-01", "08:15:49", 6.0, "easy")
    run("2026-08-02", "09:10:12", 13.0, "long", stops=2)
    # week 5: work trip to Trondheim (same time zone), every run on the hotel treadmill
    for day, hms, km in (("2026-08-04", "18:32:10", 8.0), ("2026-08-06", "18:40:26", 8.0),
                         ("2026-08-08", "07:45:03", 7.0), ("2026-08-09", "08:30:47", 12.0)):
        run(day, hms, km, "treadmill", ("frogner",), stops=1 if km > 10 else 0, event="treadmill week")
    # weeks 6-9: cadence drops ~7 % at the same speed (new, heavier shoes), then the spike
    low = dict(cad_factor=0.93, event="low cadence")
    run("2026-08-11", "06:43:18", 7.0, "easy", stops=1, **low)
    run("2026-08-13", "06:37:42", 8.0, "tempo", **low)
    run("2026-08-15", "08:10:05", 6.0, "easy", **low)
    run("2026-08-16", "09:00:30", 13.5, "long", stops=1, **low)
    run("2026-08-18", "06:40:56", 7.0, "easy", stops=1, **low)
    run("2026-08-20", "06:39:14", 8.0, "easy", ("frogner",), fmt="tcx", title="Oslo Running", **low)
    run("2026-08-22", "08:18:40", 6.0, "easy", **low)
    run("2026-08-23", "08:55:08", 14.0, "long", stops=1, **low)
    run("2026-08-25", "06:45:31", 6.0, "easy", **low)
    run("2026-08-27", "06:41:47", 7.0, "easy", stops=1, **low)
    run("2026-08-30", "08:05:19", 21.2, "long", ("bygdoy", "frogner", "bygdoy"), stops=2,
        cad_factor=0.93, event="long-run spike; low cadence")
    run("2026-09-01", "06:50:22", 5.0, "easy", ("frogner",), cad_factor=0.93, event="low cadence; knee pain")
    run("2026-09-03", "06:48:09", 4.0, "easy", ("frogner",), cad_factor=0.93, event="low cadence; knee pain peak")
    # ten days without running (Sep 4-14); a walk and a gentle ride are not running load
    run("2026-09-09", "10:30:40", 4.2, "walk", ("frogner", "ullevaal"), stops=1, event="non-running: walk")
    run("2026-09-12", "10:05:12", 24.0, "bike", ("bygdoy", "ullevaal"), stops=1, event="non-running: bike")
    # return to run, Crowell et al. 2023, level loop, at least one rest day between runs
    rtr = [("2026-09-15", 1, 1.0), ("2026-09-17", 1, 1.0), ("2026-09-19", 2, 1.5), ("2026-09-21", 2, 1.5),
           ("2026-09-23", 3, 1.5), ("2026-09-25", 3, 1.5), ("2026-09-26", 3, 1.5), ("2026-09-28", 4, 2.0),
           ("2026-09-30", 4, 2.0), ("2026-10-02", 5, 2.0), ("2026-10-04", 5, 2.0), ("2026-10-07", 5, 2.0),
           ("2026-10-09", 5, 2.0), ("2026-10-11", 6, 2.0), ("2026-10-13", 6, 2.0)]
    intervals = {1: (120, 180), 2: (120, 180), 3: (120, 240), 4: (120, 240), 5: (60, 240), 6: None}
    for i, (day, phase, miles) in enumerate(rtr):
        hms = f"07:{10 + (i * 7) % 40:02d}:{(i * 23) % 60:02d}"
        label = f"return to run, Crowell phase {phase}"
        kw: dict = dict(walk_run=intervals[phase], event=label)
        if day == "2026-09-17":
            kw.update(fmt="tcx", title="Oslo Running")
        if day == "2026-09-26":
            kw["event"] = label + "; deviation: back-to-back day"
        if day == "2026-10-04":  # prescribed 2.0 mi on the level; ran 5 km over the Slemdal hill
            run(day, hms, 5.0, "rtr", ("slemdal",), stops=1,
                **dict(kw, event=label + "; deviation: longer and hillier than prescribed"))
            continue
        run(day, hms, miles * MILE / 1000, "rtr", ("frogner",), **kw)
    # easy continuous running again
    run("2026-10-16", "07:20:14", 4.0, "easy", ("frogner",))
    run("2026-10-18", "17:45:38", 4.0, "easy", ("frogner",), fmt="gpx", title="Evening Run")
    run("2026-10-21", "07:18:51", 4.5, "easy", ("frogner", "ullevaal"))
    run("2026-10-23", "07:25:06", 4.5, "easy", ("frogner", "ullevaal"), stops=1)
    run("2026-10-25", "09:30:27", 5.0, "easy", ("ullevaal", "frogner"), event="first run after the DST change (UTC+1)")
    return P


def ben_plan() -> list[Plan]:
    """Ben, Brooklyn. 5 runs/week; an ACWR spike (streak week); a downhill race; a move to
    trails; a FIT + Strava GPX of the same long run; a bike ride."""
    P: list[Plan] = []
    base_routes = {"easy": ("prospect",), "tempo": ("prospect",), "long": ("waterfront", "prospect"),
                   "track": ("track",), "trail": ("bearmtn", "timp")}

    def run(day, hms, km, kind, routes=None, **kw):
        P.append(Plan("ben", _d(day, hms), kind, km * 1000, routes or base_routes.get(kind, ("prospect",)), **kw))

    weeks = [  # (Tue, Wed, Thu evening, Sat, Sun long) km; Tue kind
        ("2026-07-06", "easy", 8.0, 7.0, 7.0, 5.0, 10.0),
        ("2026-07-13", "track", 9.0, 7.0, 7.0, 5.0, 12.0),
        ("2026-07-20", "tempo", 8.0, 7.0, 7.0, 6.0, 14.0),
        ("2026-07-27", "track", 9.0, 7.0, 7.0, 0.0, 16.0),
        ("2026-08-03", "tempo", 8.0, 7.0, 7.0, 6.0, 17.0),
        ("2026-08-10", "track", 9.0, 7.0, 7.0, 5.0, 16.0),
        None,  # 2026-08-17: streak week, below
        ("2026-08-24", "track", 8.0, 7.0, 6.0, 5.0, 14.0),
        ("2026-08-31", "tempo", 9.0, 7.0, 7.0, 6.0, 12.0),
    ]
    special = {  # (date) -> overrides
        "2026-07-16": dict(fmt="tcx", title="Brooklyn Running"),
        "2026-07-26": dict(duplicate_gpx="Morning_Run.gpx", title="Morning Run",
                           event="duplicate: same run as FIT and Strava GPX"),
        "2026-08-05": dict(fmt="gpx", title="Evening Run", hms="20:15:41"),
        "2026-08-06": dict(hms="06:20:12"),
        "2026-08-27": dict(fmt="gpx", title="Afternoon Run", hms="15:31:09"),
        "2026-09-02": dict(fmt="tcx", title="Brooklyn Running"),
    }
    for wi, wk in enumerate(weeks):
        if wk is None:
            continue
        mon = date.fromisoformat(wk[0])
        tue_kind, tue, wed, thu, sat, sun = wk[1:]
        days = [(1, "06:0%d:%02d" % (5 + wi % 5, (wi * 17) % 60), tue, tue_kind),
                (2, "06:1%d:%02d" % (wi % 6, (wi * 29) % 60), wed, "easy"),
                (3, "19:4%d:%02d" % (5 + wi % 5, (wi * 11) % 60), thu, "easy"),
                (5, "08:3%d:%02d" % (wi % 9, (wi * 41) % 60), sat, "easy"),
                (6, "07:2%d:%02d" % (wi % 9, (wi * 7) % 60), sun, "long")]
        for off, hms, km, kind in days:
            if km <= 0:
                continue
            day = (mon + timedelta(days=off)).isoformat()
            kw = dict(special.get(day, {}))
            hms = kw.pop("hms", hms)
            stops = 0 if kind == "track" else (1 + (off + wi) % 2 if kind == "long" else (off + wi) % 2)
            run(day, hms, km, kind, stops=stops, **kw)
    run("2026-08-01", "09:15:22", 38.0, "bike", ("bigloop",), stops=2, event="non-running: bike")
    # streak week: seven runs, 69 km after ~44 km weeks
    for off, hms, km in ((0, "06:12:40", 9.0), (1, "06:08:13", 10.0), (2, "06:15:55", 8.0), (3, "06:04:31", 11.0),
                         (4, "06:20:02", 6.0), (5, "08:33:47", 9.0), (6, "07:24:18", 16.0)):
        day = (date(2026, 8, 17) + timedelta(days=off)).isoformat()
        run(day, hms, km, "long" if km >= 16 else "easy", stops=1, event="ACWR spike week (running streak)")
    # race week: taper, then the downhill half marathon on Saturday
    run("2026-09-08", "06:07:19", 8.0, "easy", stops=1)
    run("2026-09-09", "06:13:44", 6.0, "easy")
    run("2026-09-10", "19:46:05", 5.0, "easy")
    run("2026-09-12", "08:00:04", 21.25, "race", ("race",), event="downhill race (Catskills half marathon)")
    # after the race: two days off, then training as usual
    for day, hms, km, kind, stops in (
            ("2026-09-15", "06:09:37", 6.0, "easy", 0), ("2026-09-16", "06:14:50", 7.0, "easy", 1),
            ("2026-09-17", "19:42:26", 8.0, "easy", 0), ("2026-09-18", "06:11:08", 5.0, "easy", 0),
            ("2026-09-19", "08:36:03", 7.0, "easy", 1), ("2026-09-20", "07:22:45", 13.0, "long", 1),
            ("2026-09-22", "06:06:12", 8.0, "tempo", 1),
            ("2026-09-23", "06:11:29", 7.0, "easy", 0), ("2026-09-24", "19:49:58", 7.0, "easy", 1),
            ("2026-09-26", "08:31:17", 6.0, "easy", 0), ("2026-09-27", "07:25:39", 15.0, "long", 2)):
        run(day, hms, km, kind, stops=stops)
    # from 28 Sep the weekend runs move to the Hudson Highlands trails
    trail = dict(event="move to trails")
    for day, hms, km, kind, kw in (
            ("2026-09-29", "06:08:44", 8.0, "easy", {}), ("2026-09-30", "06:12:07", 7.0, "easy", {}),
            ("2026-10-03", "08:45:21", 10.0, "trail", dict(routes=("timp", "bearmtn"), **trail)),
            ("2026-10-04", "08:10:56", 15.0, "trail", trail),
            ("2026-10-06", "06:05:33", 8.0, "tempo", {}), ("2026-10-07", "06:14:18", 7.0, "easy", {}),
            ("2026-10-08", "12:20:48", 6.0, "easy", dict(fmt="gpx", title="Lunch Run")),
            ("2026-10-10", "08:40:09", 9.0, "trail", dict(routes=("timp", "bearmtn"), **trail)),
            ("2026-10-11", "08:05:27", 16.0, "trail", trail),
            ("2026-10-13", "06:09:51", 8.0, "easy", {}), ("2026-10-15", "19:44:12", 7.0, "easy", {}),
            ("2026-10-17", "08:42:36", 10.0, "trail", dict(routes=("timp", "bearmtn"), **trail)),
            ("2026-10-18", "08:03:04", 17.0, "trail", trail),
            ("2026-10-20", "06:07:25", 8.0, "tempo", {}),
            ("2026-10-21", "06:13:39", 7.0, "easy", dict(fmt="tcx", title="Brooklyn Running")),
            ("2026-10-22", "19:47:53", 7.0, "easy", {}),
            ("2026-10-24", "08:38:15", 9.0, "trail", dict(routes=("timp", "bearmtn"), **trail)),
            ("2026-10-25", "08:06:42", 15.0, "trail", trail)):
        kw = dict(kw)
        routes = kw.pop("routes", None)
        stops = 1 if kind == "trail" else int(day[-2:]) % 2
        run(day, hms, km, kind, routes, stops=stops, **kw)
    return P


SPEEDS = {  # m/s for the main running part
    "ana": {"easy": 2.85, "long": 2.75, "tempo": 2.85, "treadmill": 2.9, "rtr": 2.8, "walk": 1.35, "bike": 6.2},
    "ben": {"easy": 3.15, "long": 3.05, "tempo": 3.15, "track": 3.15, "race": 3.75, "trail": 2.75,
            "walk": 1.4, "bike": 7.6},
}


def all_plans() -> list[Plan]:
    plans = ana_plan() + ben_plan()
    plans.sort(key=lambda p: (p.athlete, p.start_local))
    gc_id = {"ana": 17341208815, "ben": 17338761042}  # Garmin Connect activity ids, increasing
    for p in plans:
        rng = np.random.default_rng(p.seed)
        p.speed = SPEEDS[p.athlete][p.kind] * float(rng.uniform(0.97, 1.03))
        gc_id[p.athlete] += 2_000_000 + int(rng.integers(0, 900_000))
        if p.fmt == "fit" and p.athlete == "ana" or p.kind == "bike":
            p.filename = p.start_local.strftime("%Y-%m-%d-%H-%M-%S") + ".fit"  # copied off the watch
        elif p.fmt == "fit":
            p.filename = f"{gc_id[p.athlete]}_ACTIVITY.fit"  # Garmin Connect "export original"
        elif p.fmt == "tcx":
            p.filename = f"activity_{gc_id[p.athlete]}.tcx"  # Garmin Connect "export TCX"
        else:
            p.filename = p.title.replace(" ", "_") + ".gpx"  # Strava "export GPX"
    return plans


# --------------------------------------------------------------------------- simulation


@dataclass
class Recording:
    """What the watch wrote: one row per record, plus pauses and laps."""

    t: np.ndarray  # Unix seconds (int)
    dist: np.ndarray  # m, cumulative, 0.01 m resolution
    speed: np.ndarray  # m/s, 0.001 resolution
    alt: np.ndarray | None  # m, 0.2 m resolution (barometric)
    hr: np.ndarray  # 1/min
    cad: np.ndarray  # per foot (strides/min; pedal rpm when cycling), 1/128 resolution
    lat: np.ndarray | None
    lon: np.ndarray | None
    pauses: list[tuple[int, int]]  # (timer stop, timer start), Unix seconds
    laps: list[dict] = field(default_factory=list)
    session: dict = field(default_factory=dict)


def program(p: Plan, rng: np.random.Generator) -> list[tuple[str, float, str, float]]:
    """Steps (mode, speed m/s, 's' or 'm', amount): walk/run/ride for so many seconds or metres."""
    v = p.speed
    warm = float(rng.integers(8, 40))
    inf = float("inf")
    if p.kind == "bike":
        return [("ride", v, "m", inf)]
    if p.kind == "walk":
        return [("walk", v, "m", inf)]
    if p.kind == "race":
        return [("run", v, "m", inf)]
    if p.walk_run:
        w, r = p.walk_run
        return [("walk", 1.4, "s", w), ("run", v, "s", r)] * 60
    steps = [("walk", 1.3, "s", warm)]
    if p.kind == "tempo":
        steps += [("run", v, "m", 2000), ("run", v * 1.18, "m", 4000 if p.distance_m > 7500 else 3000)]
    elif p.kind == "track":
        steps += [("run", v * 0.95, "m", 1600)]
        for i in range(6):
            steps += [("run", 4.45, "m", 800)] + ([("run", 2.4, "m", 400)] if i < 5 else [])
    return steps + [("run", v, "m", inf)]


def grade_factor(g: float, kind: str) -> float:
    if kind in ("treadmill", "bike"):
        return 1.0 if kind == "treadmill" else (1 - 6 * g if g > 0 else min(1.35, 1 - 4 * g))
    if g > 0:
        f = max(0.45, 1 - 3.2 * g)
    elif g > -0.08:
        f = 1 - 1.5 * g
    else:
        f = max(0.8, 1.12 + 2.0 * (g + 0.08))
    return f * (0.9 if kind == "trail" else 1.0)


def simulate(p: Plan) -> Recording:
    ath = ATHLETES[p.athlete]
    rng = np.random.default_rng(p.seed)
    course = build_course(p.routes, p.distance_m)
    grade = course.grade()
    steps = program(p, rng)
    target_d = p.distance_m
    stop_at = sorted(rng.uniform(0.15, 0.85, p.stops) * target_d) if p.stops else []
    stop_len = [int(x) for x in rng.integers(12, 58, p.stops)]
    if p.kind == "treadmill":
        stop_len = [int(x) for x in rng.integers(40, 90, p.stops)]  # water bottle, towel
    sigma = 0.012 if p.kind == "treadmill" else (0.045 if p.kind == "trail" else 0.03)

    d = v = noise = 0.0
    step_i, step_t, step_d = 0, 0, 0.0
    braking = False
    out_d, out_v, out_mode, gaps = [], [], [], {}
    t = 0
    while d < target_d and t < 6 * 3600:
        mode, vt, unit, amount = steps[min(step_i, len(steps) - 1)]
        done = step_t >= amount if unit == "s" else d - step_d >= amount
        if done and step_i < len(steps) - 1:
            step_i, step_t, step_d = step_i + 1, 0, d
            mode, vt, unit, amount = steps[step_i]
        if stop_at and d >= stop_at[0] and not braking:
            braking = True
        noise = 0.97 * noise + rng.normal(0, sigma * math.sqrt(1 - 0.97 ** 2))
        g = float(grade[min(int(d), len(grade) - 1)])
        target = 0.0 if braking else vt * grade_factor(g, p.kind) * (1 + noise)
        if mode == "walk" and not braking:
            target = vt * (1 + 0.5 * noise)
        v += (target - v) * (0.45 if braking else 0.3)
        if braking and v < 0.4:
            v = 0.0
        d += v
        out_d.append(d), out_v.append(v), out_mode.append(mode)
        if braking and v == 0.0:
            gaps[len(out_d) - 1] = stop_len.pop(0)
            stop_at.pop(0)
            braking = False
        t += 1
        step_t += 1

    n = len(out_d)
    dist = np.array(out_d)
    spd = np.array(out_v)
    walking = np.array([m == "walk" for m in out_mode])
    gap = np.zeros(n, dtype=int)
    for i, g in gaps.items():
        gap[i] = g
    el = np.arange(n) + np.concatenate([[0], np.cumsum(gap)[:-1]])  # elapsed s of each moving second

    # cadence: the runner's own speed line (per athlete), walking its own, noise
    cn = _ar(rng, n, 0.9, 1.2)
    if p.kind == "bike":
        cad = np.where(spd > 2, 84 + 6 * (spd - 7) / 3 + 1.5 * cn, 0.0)
    else:
        run_spm = (ath.spm_ref + ath.spm_per_mps * (spd - ath.v_ref)) * p.cad_factor
        walk_spm = ath.walk_spm + 10 * (spd - 1.4)
        spm = np.where(walking | (spd < 2.0), walk_spm, run_spm) + cn
        spm = np.where(spd < 0.5, 0.0, spm)
        cad = spm / 2.0  # FIT and TCX store running cadence per foot

    # heart rate: lags effort (tau 25 s), drifts up slowly, recovers while paused
    eff = spd.copy()
    g_at = grade[np.clip(dist.astype(int), 0, len(grade) - 1)] if p.kind != "treadmill" else np.zeros(n)
    eff = eff * np.where(g_at > 0, 1 + 8 * g_at, 1 + 1.5 * np.maximum(g_at, -0.1))
    if p.kind == "trail":
        eff = eff * 1.2  # roots, rocks, and the climbs
    if p.kind == "bike":
        eff = eff * 0.42
    hr_target = np.minimum(ath.hr_base + ath.hr_per_mps * eff + 0.07 * el / 60, ath.hr_max - 2)
    hr = np.empty(n)
    h = ath.hr_rest + 35
    hn = _ar(rng, n, 0.95, 1.0)
    for i in range(n):
        h += (hr_target[i] - h) / 25.0
        hr[i] = h + hn[i]
        if gap[i]:
            h -= (h - (ath.hr_rest + 30)) * (1 - math.exp(-gap[i] / 60))

    # positions: course + GPS error (correlated over ~45 s, +-2.5 m) + 0.4 m jitter
    x, y, z = course.at(dist)
    has_gps = p.kind != "treadmill"
    if has_gps:
        ex, ey = _ar_gap(rng, el, 45.0, 2.5), _ar_gap(rng, el, 45.0, 2.5)
        lat, lon = to_latlon(course.origin, x + ex + rng.normal(0, 0.4, n), y + ey + rng.normal(0, 0.4, n))
        drift = np.cumsum(rng.normal(0, 0.02, n)) + rng.uniform(-1.5, 1.5) * el / max(el[-1], 1)
        alt = np.round((z + drift + rng.normal(0, 0.3, n)) * 5) / 5
    else:
        lat = lon = alt = None

    km_marks = np.searchsorted(dist, np.arange(1000, dist[-1], 1000))  # auto-lap points get a record
    idx = _smart_recording(rng, spd, walking, gap, km_marks)
    t0 = int(p.start_utc().timestamp())
    rec = Recording(
        t=t0 + el[idx],
        dist=np.round(dist[idx], 2),
        speed=np.round(spd[idx], 3),
        alt=None if alt is None else alt[idx],
        hr=np.clip(np.round(hr[idx]), 40, 220).astype(int),
        cad=np.floor(cad[idx] * 128) / 128 if p.kind != "bike" else np.round(cad[idx]),
        lat=None if lat is None else lat[idx],
        lon=None if lon is None else lon[idx],
        pauses=[(int(t0 + el[i]), int(t0 + el[i] + 1 + gap[i])) for i in np.nonzero(gap)[0]],
    )
    rec.dist[0] = 0.0
    _summarise(rec, p)
    return rec


def _ar(rng, n, rho, sd):
    e = rng.normal(0, sd * math.sqrt(1 - rho ** 2), n)
    out = np.empty(n)
    acc = rng.normal(0, sd)
    for i in range(n):
        acc = rho * acc + e[i]
        out[i] = acc
    return out


def _ar_gap(rng, el, tau, sd):
    """AR(1) noise sampled at elapsed seconds ``el`` (gaps decorrelate more)."""
    n = len(el)
    out = np.empty(n)
    acc = rng.normal(0, sd)
    z = rng.normal(0, 1, n)
    prev = el[0]
    for i in range(n):
        rho = math.exp(-(el[i] - prev) / tau)
        acc = rho * acc + sd * math.sqrt(1 - rho * rho) * z[i]
        out[i] = acc
        prev = el[i]
    return out


def _smart_recording(rng, spd, walking, gap, marks) -> np.ndarray:
    """Indices of the moving seconds the watch keeps: every 1-7 s, denser when speed changes,
    always the last second before a pause, the first after it, each auto-lap point and the
    last second."""
    n = len(spd)
    keep = [0]
    forced = set(np.nonzero(gap)[0]) | {i + 1 for i in np.nonzero(gap)[0] if i + 1 < n} | {n - 1}
    forced |= {int(i) for i in marks if 0 < i < n}
    i = 0
    choices = np.arange(1, 8)
    weights = np.array([0.08, 0.14, 0.2, 0.2, 0.16, 0.12, 0.1])
    while i < n - 1:
        step = int(rng.choice(choices, p=weights))
        j = min(i + step, n - 1)
        window = spd[i:j + 1]
        if window.max() - window.min() > 0.6 or walking[i] != walking[j]:
            j = min(i + int(rng.integers(1, 3)), n - 1)
        nxt = [k for k in forced if i < k < j]
        j = min(nxt) if nxt else j
        keep.append(j)
        i = j
    return np.array(keep)


def _ascent(alt: np.ndarray, hyst: float = 2.0) -> tuple[float, float]:
    up = down = 0.0
    ref = alt[0]
    for a in alt[1:]:
        if a - ref >= hyst:
            up += a - ref
            ref = a
        elif ref - a >= hyst:
            down += ref - a
            ref = a
    return up, down


def _stats(rec: Recording, lo: int, hi: int, p: Plan) -> dict:
    """Totals over records lo..hi (inclusive), the way a watch adds them up."""
    t = rec.t[lo:hi + 1]
    paused = sum(b - a for a, b in rec.pauses if t[0] <= a and b <= t[-1])
    dt = np.diff(t).astype(float)
    for a, _ in rec.pauses:  # a pause contributes no weight to the record before it
        dt[(t[:-1] == a)] = 0.0
    w = np.concatenate([dt, [1.0]])
    cad = rec.cad[lo:hi + 1]
    mov = cad > 0
    cad_avg = float(np.average(cad[mov], weights=w[mov])) if mov.any() else 0.0
    elapsed = float(t[-1] - t[0])
    timer = elapsed - paused
    distance = float(rec.dist[hi] - rec.dist[lo])
    up, down = _ascent(rec.alt[lo:hi + 1]) if rec.alt is not None else (0.0, 0.0)
    return {
        "start": int(t[0]), "end": int(t[-1]), "elapsed": elapsed, "timer": timer,
        "distance": distance, "avg_speed": distance / timer if timer else 0.0,
        "max_speed": float(rec.speed[lo:hi + 1].max()),
        "avg_hr": int(round(np.average(rec.hr[lo:hi + 1], weights=w))),
        "max_hr": int(rec.hr[lo:hi + 1].max()),
        "cad": cad_avg, "max_cad": float(cad.max()),
        "strides": int(round(float(np.sum(cad * w)) / 60)),
        "ascent": int(round(up)), "descent": int(round(down)),
        "calories": int(round(distance / 1000 * ATHLETES[p.athlete].mass_kg * (0.35 if p.kind == "bike" else 1.0))),
    }


def _summarise(rec: Recording, p: Plan) -> None:
    edges, k = [0], 1
    for i, dd in enumerate(rec.dist):
        if dd >= k * 1000 and i > edges[-1]:
            edges.append(i)
            k += 1
        while dd >= k * 1000:
            k += 1
    if edges[-1] != len(rec.t) - 1:
        edges.append(len(rec.t) - 1)
    rec.laps = [dict(_stats(rec, a, b, p), first=a, last=b,
                     trigger="session_end" if b == len(rec.t) - 1 else "distance")
                for a, b in zip(edges[:-1], edges[1:])]
    rec.session = _stats(rec, 0, len(rec.t) - 1, p)


# --------------------------------------------------------------------------- writers


def fit_bytes(p: Plan, rec: Recording) -> bytes:
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.activity_message import ActivityMessage
    from fit_tool.profile.messages.device_info_message import DeviceInfoMessage
    from fit_tool.profile.messages.event_message import EventMessage
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.lap_message import LapMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import (
        Activity,
        Event,
        EventType,
        FileType,
        LapTrigger,
        Manufacturer,
        SessionTrigger,
        SourceType,
        Sport,
        SubSport,
        TimerTrigger,
    )

    ath = ATHLETES[p.athlete]
    product, serial = (3121, 3955061271) if p.kind == "bike" and p.athlete == "ben" else (ath.product, ath.serial)
    sport = {"running": Sport.RUNNING, "walking": Sport.WALKING, "cycling": Sport.CYCLING}[p.sport]
    sub = {"street": SubSport.STREET, "trail": SubSport.TRAIL, "treadmill": SubSport.TREADMILL,
           "track": SubSport.TRACK, "generic": SubSport.GENERIC, "road": SubSport.ROAD}[p.sub_sport]
    running = p.sport != "cycling"
    b = FitFileBuilder(auto_define=True)
    ms = lambda s: int(s) * 1000  # noqa: E731 - fit-tool takes Unix milliseconds
    t0, t_end = int(rec.t[0]), int(rec.t[-1])

    m = FileIdMessage(local_id=0)
    m.type, m.manufacturer, m.product = FileType.ACTIVITY, Manufacturer.GARMIN.value, product
    m.serial_number, m.time_created = serial, ms(t0)
    b.add(m)
    m = DeviceInfoMessage(local_id=1)
    m.timestamp, m.device_index, m.manufacturer, m.product = ms(t0), 0, Manufacturer.GARMIN.value, product
    m.serial_number, m.software_version, m.source_type = serial, 19.18, SourceType.LOCAL
    b.add(m)

    def event(ts, kind, trigger):
        e = EventMessage(local_id=2)
        e.timestamp, e.event, e.event_type, e.timer_trigger, e.event_group = ms(ts), Event.TIMER, kind, trigger, 0
        b.add(e)

    def totals(msg, s):
        msg.timestamp, msg.start_time = ms(s["end"]), ms(s["start"])
        msg.event, msg.event_type = Event.LAP if isinstance(msg, LapMessage) else Event.SESSION, EventType.STOP
        msg.sport, msg.sub_sport = sport, sub
        msg.total_elapsed_time, msg.total_timer_time, msg.total_distance = s["elapsed"], s["timer"], s["distance"]
        msg.avg_speed = msg.enhanced_avg_speed = round(s["avg_speed"], 3)
        msg.max_speed = msg.enhanced_max_speed = s["max_speed"]
        msg.avg_heart_rate, msg.max_heart_rate = s["avg_hr"], s["max_hr"]
        if running:
            msg.avg_running_cadence = int(s["cad"])
            msg.avg_fractional_cadence = math.floor((s["cad"] - int(s["cad"])) * 128) / 128
            msg.max_running_cadence = int(s["max_cad"])
            msg.total_strides = s["strides"]
        else:
            msg.avg_cadence, msg.max_cadence = int(round(s["cad"])), int(s["max_cad"])
        msg.total_ascent, msg.total_descent, msg.total_calories = s["ascent"], s["descent"], s["calories"]

    event(t0, EventType.START, TimerTrigger.MANUAL)
    stops = {a: b_ for a, b_ in rec.pauses}
    resumes = {b_ for a, b_ in rec.pauses}
    lap_end = {lap["last"]: (n, lap) for n, lap in enumerate(rec.laps)}
    new_record = _record_factory(RecordMessage, has_gps=rec.lat is not None, has_alt=rec.alt is not None,
                                 running=running)
    for i in range(len(rec.t)):
        ts = int(rec.t[i])
        if ts in resumes:
            event(ts, EventType.START, TimerTrigger.AUTO)
        r = new_record()
        r.timestamp = ms(ts)
        if rec.lat is not None:
            r.position_lat, r.position_long = float(rec.lat[i]), float(rec.lon[i])
        r.distance = float(rec.dist[i])
        r.speed = r.enhanced_speed = float(rec.speed[i])
        if rec.alt is not None:
            r.altitude = r.enhanced_altitude = float(rec.alt[i])
        r.heart_rate = int(rec.hr[i])
        c = float(rec.cad[i])
        r.cadence = int(c)
        if running:
            r.fractional_cadence = c - int(c)
        b.add(r)
        if i in lap_end and lap_end[i][1]["trigger"] == "distance":
            n, lap = lap_end[i]
            msg = LapMessage(local_id=4)
            msg.message_index, msg.lap_trigger = n, LapTrigger.DISTANCE
            totals(msg, lap)
            if rec.lat is not None:
                j = lap["first"]
                msg.start_position_lat, msg.start_position_long = float(rec.lat[j]), float(rec.lon[j])
                msg.end_position_lat, msg.end_position_long = float(rec.lat[i]), float(rec.lon[i])
            b.add(msg)
        if ts in stops:
            event(ts, EventType.STOP_ALL, TimerTrigger.AUTO)
    event(t_end, EventType.STOP_ALL, TimerTrigger.MANUAL)
    n, lap = len(rec.laps) - 1, rec.laps[-1]
    msg = LapMessage(local_id=4)
    msg.message_index, msg.lap_trigger = n, LapTrigger.SESSION_END
    totals(msg, lap)
    b.add(msg)
    s = SessionMessage(local_id=5)
    s.message_index, s.first_lap_index, s.num_laps, s.trigger = 0, 0, len(rec.laps), SessionTrigger.ACTIVITY_END
    totals(s, rec.session)
    if rec.lat is not None:
        s.start_position_lat, s.start_position_long = float(rec.lat[0]), float(rec.lon[0])
    b.add(s)
    a = ActivityMessage(local_id=6)
    offset = int(datetime.fromtimestamp(t_end, timezone.utc).astimezone(ZoneInfo(ath.tz)).utcoffset().total_seconds())
    a.timestamp, a.total_timer_time, a.num_sessions = ms(t_end), rec.session["timer"], 1
    a.type, a.event, a.event_type = Activity.MANUAL, Event.ACTIVITY, EventType.STOP
    a.local_timestamp = t_end + offset - FIT_EPOCH  # FIT local_date_time: seconds, no scaling
    b.add(a)
    build_bytes = getattr(b, "build_bytes", None)  # fit-tool >= 0.9.14; older: build().to_bytes()
    return build_bytes() if build_bytes else b.build().to_bytes()


def _record_factory(record_cls, has_gps: bool, has_alt: bool, running: bool):
    """Blank RecordMessages holding only the fields this file uses.

    ``RecordMessage()`` builds ~85 Field objects (about 1 ms); a file has thousands of
    records. Copying a pruned template's few fields gives the same message in a tenth of
    the time, and the builder then defines and encodes it as usual.
    """
    import copy

    names = ["timestamp", "distance", "speed", "enhanced_speed", "heart_rate", "cadence"]
    names += ["position_lat", "position_long"] if has_gps else []
    names += ["altitude", "enhanced_altitude"] if has_alt else []
    names += ["fractional_cadence"] if running else []
    template = record_cls(local_id=3)
    keep = [f for f in getattr(template, "fields", []) if hasattr(f, "encoded_values") and f.name in names]
    if len(keep) != len(names):  # another fit-tool layout: take the slow, plain way
        return lambda: record_cls(local_id=3)
    template.fields = []

    def new():
        msg = copy.copy(template)
        fields = []
        for f in keep:
            c = copy.copy(f)
            c.encoded_values = list(f.encoded_values)
            fields.append(c)
        msg.fields = fields
        msg.developer_fields = []
        return msg

    return new


def _iso(ts: int, ms: bool = False) -> str:
    s = datetime.fromtimestamp(int(ts), timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return s + (".000Z" if ms else "Z")


def gpx_text(p: Plan, rec: Recording) -> str:
    """Strava's 'Export GPX': watch samples, pauses as time gaps, cadence per foot."""
    out = io.StringIO()
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n'
              '<gpx creator="StravaGPX" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
              'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd '
              'http://www.garmin.com/xmlschemas/GpxExtensions/v3 http://www.garmin.com/xmlschemas/GpxExtensionsv3.xsd '
              'http://www.garmin.com/xmlschemas/TrackPointExtension/v1 '
              'http://www.garmin.com/xmlschemas/TrackPointExtensionv1.xsd" version="1.1" '
              'xmlns="http://www.topografix.com/GPX/1/1" '
              'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1" '
              'xmlns:gpxx="http://www.garmin.com/xmlschemas/GpxExtensions/v3">\n')
    out.write(f" <metadata>\n  <time>{_iso(rec.t[0])}</time>\n </metadata>\n")
    out.write(f" <trk>\n  <name>{p.title}</name>\n  <type>{p.sport}</type>\n  <trkseg>\n")
    for i in range(len(rec.t)):
        out.write(f'   <trkpt lat="{rec.lat[i]:.7f}" lon="{rec.lon[i]:.7f}">\n'
                  f"    <ele>{rec.alt[i]:.1f}</ele>\n    <time>{_iso(rec.t[i])}</time>\n"
                  "    <extensions>\n     <gpxtpx:TrackPointExtension>\n"
                  f"      <gpxtpx:hr>{rec.hr[i]}</gpxtpx:hr>\n"
                  f"      <gpxtpx:cad>{int(round(rec.cad[i]))}</gpxtpx:cad>\n"
                  "     </gpxtpx:TrackPointExtension>\n    </extensions>\n   </trkpt>\n")
    out.write("  </trkseg>\n </trk>\n</gpx>\n")
    return out.getvalue()


def _f32(v: float) -> str:
    return repr(float(np.float32(v)))  # Garmin Connect prints float32 values as doubles


def tcx_text(p: Plan, rec: Recording) -> str:
    """Garmin Connect's 'Export TCX': 1 km laps, a new <Track> after each auto-pause,
    RunCadence per foot in the ns3:TPX extension."""
    ath = ATHLETES[p.athlete]
    out = io.StringIO()
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase\n'
              '  xsi:schemaLocation="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2 '
              'http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd"\n'
              '  xmlns:ns5="http://www.garmin.com/xmlschemas/ActivityGoals/v1"\n'
              '  xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2"\n'
              '  xmlns:ns2="http://www.garmin.com/xmlschemas/UserProfile/v2"\n'
              '  xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"\n'
              '  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
              'xmlns:ns4="http://www.garmin.com/xmlschemas/ProfileExtension/v1">\n')
    out.write(f'  <Activities>\n    <Activity Sport="Running">\n      <Id>{_iso(rec.t[0], True)}</Id>\n')
    stops = {a for a, _ in rec.pauses}
    for lap in rec.laps:
        out.write(f'      <Lap StartTime="{_iso(lap["start"], True)}">\n'
                  f'        <TotalTimeSeconds>{lap["timer"]:.1f}</TotalTimeSeconds>\n'
                  f'        <DistanceMeters>{lap["distance"]:.2f}</DistanceMeters>\n'
                  f'        <MaximumSpeed>{_f32(lap["max_speed"])}</MaximumSpeed>\n'
                  f'        <Calories>{lap["calories"]}</Calories>\n'
                  f'        <AverageHeartRateBpm>\n          <Value>{lap["avg_hr"]}</Value>\n'
                  '        </AverageHeartRateBpm>\n'
                  f'        <MaximumHeartRateBpm>\n          <Value>{lap["max_hr"]}</Value>\n'
                  '        </MaximumHeartRateBpm>\n'
                  '        <Intensity>Active</Intensity>\n'
                  f'        <TriggerMethod>{"Distance" if lap["trigger"] == "distance" else "Manual"}</TriggerMethod>\n'
                  '        <Track>\n')
        first = lap["first"] if lap["first"] == 0 else lap["first"] + 1
        for i in range(first, lap["last"] + 1):
            out.write(f"          <Trackpoint>\n            <Time>{_iso(rec.t[i], True)}</Time>\n")
            if rec.lat is not None:
                out.write(f"            <Position>\n              <LatitudeDegrees>{_f32(rec.lat[i])}</LatitudeDegrees>\n"
                          f"              <LongitudeDegrees>{_f32(rec.lon[i])}</LongitudeDegrees>\n"
                          "            </Position>\n")
            if rec.alt is not None:
                out.write(f"            <AltitudeMeters>{_f32(rec.alt[i])}</AltitudeMeters>\n")
            out.write(f"            <DistanceMeters>{_f32(rec.dist[i])}</DistanceMeters>\n"
                      f"            <HeartRateBpm>\n              <Value>{rec.hr[i]}</Value>\n"
                      "            </HeartRateBpm>\n"
                      "            <Extensions>\n              <ns3:TPX>\n"
                      f"                <ns3:Speed>{_f32(rec.speed[i])}</ns3:Speed>\n"
                      f"                <ns3:RunCadence>{int(rec.cad[i])}</ns3:RunCadence>\n"
                      "              </ns3:TPX>\n            </Extensions>\n          </Trackpoint>\n")
            if int(rec.t[i]) in stops and i < lap["last"]:
                out.write("        </Track>\n        <Track>\n")
        out.write('        </Track>\n        <Extensions>\n          <ns3:LX>\n'
                  f'            <ns3:AvgSpeed>{_f32(lap["avg_speed"])}</ns3:AvgSpeed>\n'
                  f'            <ns3:AvgRunCadence>{int(round(lap["cad"]))}</ns3:AvgRunCadence>\n'
                  f'            <ns3:MaxRunCadence>{int(lap["max_cad"])}</ns3:MaxRunCadence>\n'
                  '          </ns3:LX>\n        </Extensions>\n      </Lap>\n')
    out.write('      <Creator xsi:type="Device_t">\n'
              f'        <Name>{ath.device}</Name>\n        <UnitId>{ath.serial}</UnitId>\n'
              f'        <ProductID>{ath.product}</ProductID>\n'
              '        <Version>\n          <VersionMajor>19</VersionMajor>\n          <VersionMinor>18</VersionMinor>\n'
              '          <BuildMajor>0</BuildMajor>\n          <BuildMinor>0</BuildMinor>\n        </Version>\n'
              '      </Creator>\n    </Activity>\n  </Activities>\n'
              '  <Author xsi:type="Application_t">\n    <Name>Connect Api</Name>\n    <Build>\n      <Version>\n'
              '        <VersionMajor>0</VersionMajor>\n        <VersionMinor>0</VersionMinor>\n'
              '        <BuildMajor>0</BuildMajor>\n        <BuildMinor>0</BuildMinor>\n      </Version>\n    </Build>\n'
              '    <LangID>en</LangID>\n    <PartNumber>006-D2449-00</PartNumber>\n  </Author>\n'
              '</TrainingCenterDatabase>\n')
    return out.getvalue()


def render(p: Plan) -> tuple[list[tuple[str, bytes]], dict]:
    """Simulate one plan and return its files (path under the output folder, bytes) and a summary."""
    rec = simulate(p)
    files = []
    if p.fmt == "fit":
        files.append((f"{p.athlete}/{p.filename}", fit_bytes(p, rec)))
    elif p.fmt == "gpx":
        files.append((f"{p.athlete}/{p.filename}", gpx_text(p, rec).encode()))
    else:
        files.append((f"{p.athlete}/{p.filename}", tcx_text(p, rec).encode()))
    if p.duplicate_gpx:
        files.append((f"{p.athlete}/{p.duplicate_gpx}", gpx_text(p, rec).encode()))
    s = rec.session
    start = datetime.fromtimestamp(s["start"], timezone.utc).astimezone(ZoneInfo(ATHLETES[p.athlete].tz))
    summary = dict(athlete=p.athlete, local_start=start.isoformat(), local_date=start.date().isoformat(),
                   utc_start=_iso(s["start"]), sport=p.sport, sub_sport=p.sub_sport, kind=p.kind,
                   distance_m=round(s["distance"], 2), timer_s=round(s["timer"], 1), elapsed_s=round(s["elapsed"], 1),
                   ascent_m=s["ascent"], descent_m=s["descent"],
                   cadence_spm=round(2 * s["cad"], 1) if p.sport != "cycling" else "",
                   records=len(rec.t), pauses=len(rec.pauses), event=p.event,
                   files=[f for f, _ in files])
    return files, summary


# --------------------------------------------------------------------------- pain logs

PAIN_HEADER = ["date", "time", "score", "when", "side", "note"]


def ana_pain() -> list[tuple]:
    s = "right"
    rows = [
        ("2026-07-08", "07:15", 0, "daily", "", ""),
        ("2026-07-12", "10:05", 0.5, "after", s, "tight after the long run, gone by lunch"),
        ("2026-07-15", "", 0, "daily", "", ""),
        ("2026-07-20", "07:30", 0, "next-morning", "", ""),
        ("2026-07-24", "", 0, "daily", "", ""),
        ("2026-07-26", "11:50", 1, "after", s, ""),
        ("2026-07-31", "", 0, "daily", "", ""),
        ("2026-08-05", "07:10", 0, "daily", "", "treadmill is boring but fine"),
        ("2026-08-10", "07:20", 1, "next-morning", s, "new shoes, feel heavier"),
        ("2026-08-14", "", 0.5, "daily", s, ""),
        ("2026-08-17", "07:25", 1, "next-morning", s, ""),
        ("2026-08-21", "", 1, "daily", s, "a little ache on the stairs"),
        ("2026-08-24", "07:15", 1, "next-morning", s, ""),
        ("2026-08-28", "", 1, "daily", s, ""),
        ("2026-08-30", "07:05", 1, "daily", s, "morning before the long one"),
        ("2026-08-30", "10:05", 2, "during", s, "last 5 km, front of the knee"),
        ("2026-08-30", "11:45", 3, "after", s, ""),
        ("2026-08-31", "07:20", 4, "next-morning", s, "stiff, stairs hurt, esp. going down"),
        ("2026-09-01", "07:05", 3.5, "daily", s, ""),
        ("2026-09-01", "07:15", 4, "during", s, ""),
        ("2026-09-01", "08:30", 5, "after", s, ""),
        ("2026-09-02", "07:30", 5, "next-morning", s, "sitting in the car hurts"),
        ("2026-09-03", "07:05", 6, "during", s, "stopped after 4 km and walked home"),
        ("2026-09-03", "08:20", 6.5, "after", s, ""),
        ("2026-09-04", "07:30", 6, "next-morning", s, "no running until it settles"),
        ("2026-09-05", "", 5, "daily", s, ""),
        ("2026-09-07", "", 4, "daily", s, "physio: patellofemoral pain; load management, hip and quad work"),
        ("2026-09-09", "12:00", 3, "daily", s, "walk was fine"),
        ("2026-09-10", "", 2.5, "daily", s, ""),
        ("2026-09-12", "12:30", 2, "after", s, "easy ride, no pain on the bike"),
        ("2026-09-14", "", 1, "daily", s, "physio: start Crowell walk/run tomorrow"),
    ]
    # the return-to-run sessions: during, and the next morning
    during = {"2026-09-15": 1, "2026-09-17": 1, "2026-09-19": 1.5, "2026-09-21": 1, "2026-09-23": 1.5,
              "2026-09-25": 1, "2026-09-26": 2, "2026-09-28": 1.5, "2026-09-30": 1, "2026-10-02": 1.5,
              "2026-10-04": 3, "2026-10-07": 1.5, "2026-10-09": 1, "2026-10-11": 1, "2026-10-13": 1}
    # A next-morning score after every session: a session counts toward progressing only once
    # its next morning is logged (strideload.rtr.progress), and the plan file's notes say so.
    morning = {"2026-09-16": 1, "2026-09-18": 1, "2026-09-20": 1, "2026-09-22": 1, "2026-09-24": 1,
               "2026-09-26": 1, "2026-09-27": 2, "2026-09-29": 1.5, "2026-10-01": 1, "2026-10-03": 1,
               "2026-10-05": 3, "2026-10-06": 2, "2026-10-08": 1.5, "2026-10-10": 1, "2026-10-12": 0.5,
               "2026-10-14": 0.5}
    notes = {"2026-09-26": "felt good so went again today", "2026-09-27": "a bit achy after two days in a row",
             "2026-10-04": "took the Slemdal hill, too much", "2026-10-05": "sore going down stairs again",
             "2026-10-15": ""}
    times = {"2026-10-04": "07:55"}
    for day, v in during.items():
        rows.append((day, times.get(day, "07:25"), v, "during", s, notes.get(day, "")))
    for day, v in morning.items():
        rows.append((day, "07:00", v, "next-morning", s if v else "", notes.get(day, "")))
    rows += [("2026-10-04", "09:10", 3.5, "after", s, ""),
             ("2026-10-16", "08:10", 0.5, "after", s, "first continuous 4 km"),
             ("2026-10-19", "", 0, "daily", "", ""),
             ("2026-10-22", "07:00", 0.5, "next-morning", s, ""),
             ("2026-10-24", "07:00", 0, "next-morning", "", ""),
             ("2026-10-25", "10:10", 0.5, "during", s, "")]
    return rows


def ben_pain() -> list[tuple]:
    s = "left"
    return [
        ("2026-07-10", "", 0, "daily", "", ""),
        ("2026-07-20", "07:00", 0, "next-morning", "", ""),
        ("2026-07-27", "", 0.5, "daily", s, "after the long run, nothing much"),
        ("2026-08-04", "07:30", 0, "after", "", ""),
        ("2026-08-12", "", 0, "daily", "", ""),
        ("2026-08-19", "06:50", 0.5, "during", s, "streak day 3"),
        ("2026-08-21", "07:10", 1, "after", s, "legs heavy"),
        ("2026-08-22", "", 1, "daily", s, ""),
        ("2026-08-24", "07:00", 1, "next-morning", s, "streak done"),
        ("2026-08-26", "", 0.5, "daily", s, ""),
        ("2026-08-31", "", 0, "daily", "", ""),
        ("2026-09-06", "09:10", 0, "after", "", ""),
        ("2026-09-10", "", 0, "daily", "", ""),
        ("2026-09-12", "06:30", 0, "daily", "", "race day"),
        ("2026-09-12", "09:20", 2, "during", s, "last long descent, outside of the knee"),
        ("2026-09-12", "11:00", 4, "after", s, "quads shot, knee sore on the downhills"),
        ("2026-09-13", "07:30", 4, "next-morning", s, "walking downstairs backwards"),
        ("2026-09-14", "", 3, "daily", s, ""),
        ("2026-09-15", "06:30", 2, "during", s, "easy shakeout"),
        ("2026-09-16", "06:00", 2, "next-morning", s, ""),
        ("2026-09-17", "", 1, "daily", s, ""),
        ("2026-09-19", "", 1, "daily", s, ""),
        ("2026-09-21", "", 0, "daily", "", ""),
        ("2026-09-25", "", 0, "daily", "", ""),
        ("2026-10-03", "11:00", 1, "after", s, "first trail run, careful on the descents"),
        ("2026-10-04", "07:30", 1, "next-morning", s, ""),
        ("2026-10-05", "07:00", 1, "next-morning", s, ""),
        ("2026-10-08", "", 0.5, "daily", s, ""),
        ("2026-10-12", "07:00", 1, "next-morning", s, "long trail day"),
        ("2026-10-14", "", 0, "daily", "", ""),
        ("2026-10-19", "07:00", 0.5, "next-morning", s, ""),
        ("2026-10-23", "", 0, "daily", "", ""),
        ("2026-10-26", "07:00", 0.5, "next-morning", s, ""),
    ]


# Hand-written, not generated: the physio's plan file (strideload.rtr.plan_file), with the phase
# decisions that match the sessions of ana_plan(); keep the two in step.
ANA_RTR_PLAN = '''# ana's return to run, as her physio recorded it (strideload import reads this file).
# The plan and the physio's phase decisions; strideload compares each run with them.

[plan]
protocol = "crowell2023"
start = 2026-09-15
stage = 1

[[decisions]]
date = 2026-09-19
stage = 2
note = "15 and 17 Sep as prescribed, no pain during or the next morning"

[[decisions]]
date = 2026-09-23
stage = 3
note = "19 and 21 Sep clean"

[[decisions]]
date = 2026-09-28
stage = 4
note = "23 and 25 Sep clean; the extra run on the 26th (no rest day) left her achy on the 27th, settled since"

[[decisions]]
date = 2026-10-02
stage = 5
note = "28 and 30 Sep clean"

[[decisions]]
date = 2026-10-11
stage = 6
note = "held at phase 5 after the Slemdal hill on 4 Oct (red next morning); 7 and 9 Oct clean on the level loop"
'''


def pain_csv(rows: list[tuple]) -> bytes:
    rows = sorted(rows, key=lambda r: (r[0], r[1] or "99:99", r[3]))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(PAIN_HEADER)
    for day, hm, score, when, side, note in rows:
        w.writerow([day, hm, f"{score:g}", when, side, note])
    return buf.getvalue().encode()


# --------------------------------------------------------------------------- README, manifest


def weekly_increases(summaries: list[dict], athlete: str) -> list[tuple[str, float, float]]:
    """Rolling 7-day running distance vs the 7 days before, where the increase is > 30 % and
    the earlier 7 days had >= 10 km (science.md, nielsen2014), ignoring duplicate exports."""
    daily: dict[date, float] = {}
    for s in summaries:
        if s["athlete"] == athlete and s["sport"] == "running":
            day = date.fromisoformat(s["local_date"])
            daily[day] = daily.get(day, 0.0) + s["distance_m"] / 1000
    out = []
    for i in range(14, 112):
        day = START + timedelta(days=i - 1)
        last = sum(daily.get(day - timedelta(days=k), 0) for k in range(7))
        prev = sum(daily.get(day - timedelta(days=k), 0) for k in range(7, 14))
        if prev >= 10 and last > 1.3 * prev:
            out.append((day.isoformat(), last, prev))
    return out


def spike_ratios(summaries: list[dict], athlete: str) -> list[tuple[str, float, float]]:
    runs = [(datetime.fromisoformat(s["local_start"]), s["distance_m"]) for s in summaries
            if s["athlete"] == athlete and s["sport"] == "running"]
    out = []
    for t, dist in runs:
        prev = [d for u, d in runs if t - timedelta(days=30) <= u < t]
        if prev and dist / max(prev) > 1.3:
            out.append((t.date().isoformat(), dist, max(prev)))
    return out


def manifest_csv(summaries: list[dict]) -> bytes:
    cols = ["file", "athlete", "format", "sport", "sub_sport", "local_start", "utc_start", "distance_m", "timer_s",
            "elapsed_s", "ascent_m", "descent_m", "cadence_spm", "records", "pauses", "event"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for s in summaries:
        for f in s["files"]:
            row = dict(s, file=f, format=f.rsplit(".", 1)[1])
            if f.endswith(".gpx") and len(s["files"]) > 1:
                row["event"] = "duplicate of " + s["files"][0].split("/")[1]
            w.writerow([row[c] for c in cols])
    return buf.getvalue().encode()


def readme_text(summaries: list[dict], files: dict[str, bytes]) -> str:
    by = {(s["athlete"], s["local_date"], s["kind"]): s for s in summaries}

    def dist(a, day, kind="long"):
        return by[(a, day, kind)]["distance_m"] / 1000

    counts = {}
    for name in files:
        a, ext = name.split("/")[0], name.rsplit(".", 1)[1]
        if a in ATHLETES:
            counts[(a, ext)] = counts.get((a, ext), 0) + 1
    size = sum(len(b) for b in files.values())
    spike = dist("ana", "2026-08-30") / max(s["distance_m"] / 1000 for s in summaries
                                            if s["athlete"] == "ana" and s["sport"] == "running"
                                            and "2026-07-31" <= s["local_date"] < "2026-08-30")
    race = by[("ben", "2026-09-12", "race")]
    low_runs = sum("low cadence" in s["event"] for s in summaries)

    def pain_days(a):
        return len({line.split(",")[0] for line in files[f"{a}/pain.csv"].decode().splitlines()[1:]})

    def week(a, mon):
        end = (date.fromisoformat(mon) + timedelta(days=6)).isoformat()
        return sum(s["distance_m"] for s in summaries if s["athlete"] == a and s["sport"] == "running"
                   and mon <= s["local_date"] <= end) / 1000

    def trail_share(mon):
        end = (date.fromisoformat(mon) + timedelta(days=6)).isoformat()
        tr = sum(s["distance_m"] for s in summaries if s["athlete"] == "ben" and s["sub_sport"] == "trail"
                 and mon <= s["local_date"] <= end) / 1000
        return tr / week("ben", mon)

    lines = [
        "# strideload sample data",
        "",
        "Made-up but realistic watch exports of two runners, written by `tools/make_sample_data.py`.",
        "Use them to try strideload end to end and as fixtures for tests: every planted pattern",
        "below is at a fixed date. **Do not edit by hand**; change the script and regenerate:",
        "",
        "```",
        "pip install -e '.[samples]'          # fit-tool, which writes the FIT files",
        "python tools/make_sample_data.py     # rewrites sample_data/ (byte-identical on re-run)",
        "python tools/make_sample_data.py --check   # regenerates in a temp dir and compares",
        "```",
        "",
        f"Period: {START.isoformat()} (Monday) to {END.isoformat()} (Sunday), 16 weeks. "
        f"Total size: {size / 1e6:.1f} MB.",
        "`MANIFEST.csv` lists every file with its local start, device totals (distance, timer and",
        "elapsed time, ascent, descent), session average cadence in steps/min (2 × the per-foot",
        "average, walking included), record and pause counts, and its planted event.",
        "",
        "## The runners",
        "",
        "| folder | time zone | where | device | FIT | GPX | TCX | pain log |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for a in ATHLETES.values():
        lines.append(f"| `{a.name}/` | {a.tz} | {a.city} | Garmin {a.device} | {counts.get((a.name, 'fit'), 0)} | "
                     f"{counts.get((a.name, 'gpx'), 0)} | {counts.get((a.name, 'tcx'), 0)} | `{a.name}/pain.csv` "
                     f"({a.side} knee) |")
    lines += [
        "",
        "- **ana** is in Europe/Oslo: UTC+2 until the morning of 25 Oct 2026, UTC+1 for her last run",
        "  (Sun 25 Oct 09:30 CET). FIT files say so in `activity.local_timestamp`; GPX and TCX are UTC only.",
        "- **ben** is in America/New_York (UTC−4 throughout). His Thursday evening runs (19:4x EDT) end",
        "  after midnight UTC, and the Wed 5 Aug GPX starts at 00:15 UTC on 6 Aug: the local date is the 5th.",
        "",
        "## Planted events",
        "",
        "| event | who | date(s) | what to expect |",
        "| --- | --- | --- | --- |",
        f"| long-run spike (`frandsen2025`) | ana | Sun 2026-08-30 | {dist('ana', '2026-08-30'):.2f} km vs a longest "
        f"{dist('ana', '2026-08-23'):.2f} km (23 Aug) in the previous 30 days: ratio {spike:.2f} |",
        f"| low cadence (`heiderscheit2011`) | ana | 2026-08-11 to 2026-09-03 ({low_runs} runs, 3.5 weeks) | running "
        "cadence 7 % below her own speed-cadence line (164 steps/min at 2.8 m/s, +10 per m/s); before "
        "and after, on the line |",
        f"| treadmill week (surface, `ferris1999`) | ana | 2026-08-04, 06, 08, 09 | `sub_sport` treadmill, records "
        f"without positions or altitude (speed, distance, HR, cadence only); {week('ana', '2026-08-03'):.1f} km, 100 % "
        "of the week, none before |",
        "| knee pain (`trek_pfp`) | ana | 2026-08-30 to 2026-09-14 | next-morning 4 on 31 Aug after 1 the morning "
        "before (+3, red); during 6 on 3 Sep (red); peak 6–6.5 on 3–4 Sep; daily values fall to 1 by 14 Sep |",
        "| rest | ana | 2026-09-04 to 2026-09-14 | 11 days without running; a walk (9 Sep, FIT `walking`) "
        "and a bike ride (12 Sep, FIT `cycling`) are not running load |",
        "| return to run (`crowell2023`) | ana | 2026-09-15 to 2026-10-13 | 15 sessions on the level Frogner loop, "
        "every other day: phase 1 (walk 2 / run 3 min, 1.0 mi) 15 & 17 Sep; phase 2 (2/3, 1.5 mi) 19 & 21 Sep; "
        "phase 3 (2/4, 1.5 mi) 23, 25 & 26 Sep; phase 4 (2/4, 2.0 mi) 28 & 30 Sep; phase 5 (1/4, 2.0 mi) "
        "2, 4, 7 & 9 Oct; phase 6 (continuous 2.0 mi) 11 & 13 Oct. Walking ≈ 1.4 m/s at ~114 steps/min, "
        "running ≈ 2.7–2.9 m/s at ~164 steps/min, visible record by record |",
        "| RTR deviation: back-to-back | ana | 2026-09-25 and 2026-09-26 | two phase-3 sessions on consecutive "
        "days; next morning 2 after 1 (amber) |",
        f"| RTR deviation: longer and hillier | ana | 2026-10-04 | prescribed 2.0 mi level; ran "
        f"{dist('ana', '2026-10-04', 'rtr'):.2f} km over the Slemdal hill "
        f"({by[('ana', '2026-10-04', 'rtr')]['ascent_m']} m up); during 3, next morning 3 after 1 (+2, red) |",
        f"| ACWR spike (`gabbett2016`, `nielsen2014`) | ben | 2026-08-17 to 2026-08-23 | a seven-day running streak: "
        f"{week('ben', '2026-08-17'):.1f} km after {week('ben', '2026-08-10'):.1f} km "
        f"(+{100 * (week('ben', '2026-08-17') / week('ben', '2026-08-10') - 1):.0f} %) |",
        f"| downhill race (`gottschall2005`) | ben | Sat 2026-09-12 | Catskills half marathon, "
        f"{race['distance_m'] / 1000:.2f} km, device totals {race['descent_m']} m down / {race['ascent_m']} m up; "
        "long stretches at −5 to −11 % (see the test for the distance at ≤ −5 % and ≤ −10 %) |",
        "| knee pain | ben | 2026-09-12 to 2026-09-19 | race-day morning 0, next morning 4 (+4, red), settling "
        "to 0 by 21 Sep while he keeps running |",
        f"| move to trails (surface) | ben | from 2026-10-03 (weekends) | `sub_sport` trail: "
        f"{100 * trail_share('2026-09-28'):.0f} % of the week of 28 Sep, none before; then "
        + ", ".join(f"{100 * trail_share(m):.0f} %" for m in ("2026-10-05", "2026-10-12", "2026-10-19")) + " |",
        f"| race as a session spike | ben | Sat 2026-09-12 | {race['distance_m'] / 1000:.2f} km vs "
        f"{dist('ben', '2026-08-23'):.2f} km (23 Aug): "
        f"ratio {race['distance_m'] / 1000 / dist('ben', '2026-08-23'):.2f}, "
        "a moderate spike on the same day as the downhill load |",
        "| duplicate export | ben | Sun 2026-07-26 | the same long run as a FIT (watch) and "
        "`Morning_Run.gpx` (Strava): same first timestamp, distances within 1 % |",
        "| non-running | ben | Sat 2026-08-01 | 38 km bike ride (Edge 530 FIT, `cycling`/`road`) |",
        "",
        "Every session spike above 1.30 and every 7-day increase above 30 % (with at least 10 km in the",
        "7 days before), computed from the files; nothing else in the data crosses these thresholds:",
        "",
    ]
    for a in ATHLETES:
        for day, dd, mx in spike_ratios(summaries, a):
            lines.append(f"- {a}: session spike on {day}: {dd / 1000:.2f} km vs {mx / 1000:.2f} km "
                         f"(ratio {dd / mx:.2f})")
        for day, last, prev in weekly_increases(summaries, a):
            lines.append(f"- {a}: 7 days to {day}: {last:.1f} km vs {prev:.1f} km before "
                         f"(+{100 * (last / prev - 1):.0f} %)")
    lines += [
        "",
        "## Formats",
        "",
        "- **FIT** (fit-tool): `file_id` (`time_created` = start), `device_info`, timer `event`s "
        "(start; `stop_all`/`start` with trigger `auto` around each auto-pause; `stop_all` at the end), "
        "`record`s every 1–7 s (smart recording), a `lap` every 1 km and a final one, `session`, "
        "`activity` with `local_timestamp`. Records carry `position_lat/long`, `distance`, `speed` and "
        "`enhanced_speed`, `altitude` and `enhanced_altitude` (barometric), `heart_rate`, and cadence "
        "**per foot**: `cadence` (integer strides/min) + `fractional_cadence` (1/128). "
        "`sub_sport` street, trail, treadmill, track; walking `generic`; cycling `road` (cadence in rpm). "
        "ana's FIT files are named as on the watch (`2026-07-12-07-31-05.fit`, local time); ben's as "
        "Garmin Connect exports (`<id>_ACTIVITY.fit`), except the Edge bike ride.",
        "- **GPX** (Strava export, `creator=\"StravaGPX\"`): one `trkseg`, `<type>running</type>`, "
        "`gpxtpx:TrackPointExtension` with `gpxtpx:hr` and `gpxtpx:cad` (per foot, integer); "
        "pauses are time gaps. Files: " + ", ".join(
            f"`{f}`" for f in sorted(files) if f.endswith(".gpx")) + ".",
        "- **TCX** (Garmin Connect export, TCX v2): one `Lap` per km (`TotalTimeSeconds` = timer time), "
        "a new `Track` inside the lap after each auto-pause, `Trackpoint` with `Position`, `AltitudeMeters`, "
        "`DistanceMeters`, `HeartRateBpm`, `ns3:TPX/ns3:Speed` and `ns3:TPX/ns3:RunCadence` (per foot), "
        "lap `ns3:LX` averages. Files: " + ", ".join(f"`{f}`" for f in sorted(files) if f.endswith(".tcx"))
        + " (the 17 Sep one is a return-to-run walk/run session).",
        "",
        "## Pain log: `<athlete>/pain.csv`",
        "",
        "| column | values |",
        "| --- | --- |",
        "| `date` | local date, `YYYY-MM-DD` |",
        "| `time` | local `HH:MM`, or empty |",
        "| `score` | 0–10, halves allowed |",
        "| `when` | `during` (worst during the run), `after` (about 1 h after), `next-morning`, `daily` (resting value) |",
        "| `side` | `left`, `right`, `both`, or empty |",
        "| `note` | free text (quoted when it holds a comma), or empty |",
        "",
        f"Entries are on {pain_days('ben')} of ben's 112 days and {pain_days('ana')} of ana's (her physio asked "
        "for during and next-morning scores through the return to run).",
        "",
        "## Return-to-run plan: `ana/rtr-plan.toml`",
        "",
        "ana's physio's plan file, **hand-written, not simulated** (`ANA_RTR_PLAN` in the script, which "
        "writes it with the rest): `crowell2023` from 2026-09-15 at phase 1, then her physio's decisions: "
        + ", ".join(f"phase {stage} from {date.fromisoformat(day).day} {date.fromisoformat(day):%b}"
                    for day, stage in re.findall(r"date = (\S+)\nstage = (\d+)", ANA_RTR_PLAN))
        + ", each with a note. `strideload import sample_data --team` starts the plan and records the "
        "decisions (importing again records nothing). Every session has its next-morning score in "
        "`pain.csv`, so strideload can count it. Each phase moves on after two clean sessions, except "
        "phase 3: the back-to-back day (26 Sep, a deviation that does not count) left an amber score on "
        "27 Sep, so strideload still says \"on hold\" when the physio moves her on (her note says why). "
        "The longer, hillier run of 4 Oct (red next morning) does not count and resets phase 5's count, "
        "so phase 5 is ready only once 7 and 9 Oct are clean. Format: `[plan]` with "
        "`protocol` (a key, or a path relative to the file), `start` (a date) and an optional `stage`; one "
        "`[[decisions]]` table per decision with `date`, `stage` and an optional `note`. Any `rtr*.toml` "
        "in an athlete's folder is read this way.",
        "",
        "## How the signals are made",
        "",
        "Per second: speed follows a program (warm-up walk of 8–40 s, steady, tempo, 6 × 800 m on the "
        "track, walk/run intervals), slowed uphill and slightly faster downhill (braking below −8 %), "
        "with correlated noise; one or two auto-paused stops on many runs. Heart rate lags effort (τ 25 s). "
        "Cadence follows each runner's line (ana 164 steps/min at 2.8 m/s, ben 168 at 3.1 m/s; "
        "+10 and +9 per m/s), walking ~112–114. Routes are smooth loops through each front door "
        "(Oslo, Frogner; Brooklyn, Park Slope), a 400 m track (ben's Tuesday intervals), two trail "
        "loops in the Hudson Highlands and a point-to-point race course in the Catskills. GPS error is "
        "correlated (±2.5 m, ~45 s) plus 0.4 m jitter; barometric altitude has ±0.3 m noise at 0.2 m "
        "resolution. Device ascent/descent count the recorded altitude with a 2 m hysteresis.",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def generate(out: Path, jobs: int) -> dict[str, bytes]:
    plans = all_plans()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(render, plans, chunksize=2))
    files: dict[str, bytes] = {}
    summaries = []
    for fs, summary in results:
        for name, data in fs:
            assert name not in files, name
            files[name] = data
        summaries.append(summary)
    files["ana/pain.csv"] = pain_csv(ana_pain())
    files["ben/pain.csv"] = pain_csv(ben_pain())
    files["ana/rtr-plan.toml"] = ANA_RTR_PLAN.encode()
    files["MANIFEST.csv"] = manifest_csv(summaries)
    files["README.md"] = readme_text(summaries, files).encode()
    if out.exists() and any(out.iterdir()) and not (out / "MANIFEST.csv").exists():
        raise SystemExit(f"{out} is not empty and holds no MANIFEST.csv: not overwriting it")
    for name in [*ATHLETES, "MANIFEST.csv", "README.md"]:  # only what this script writes
        path = out / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    for name in sorted(files):
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[name])
    return files


def _same_tree(a: Path, b: Path) -> list[str]:
    names = lambda root: sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())  # noqa: E731
    na, nb = names(a), names(b)
    diff = sorted(set(na) ^ set(nb))
    diff += [n for n in na if n in nb and not filecmp.cmp(a / n, b / n, shallow=False)]
    return diff


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "sample_data")
    ap.add_argument("--check", action="store_true", help="regenerate in a temp dir and compare with --out")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    args = ap.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            generate(Path(tmp) / "sample_data", args.jobs)
            diff = _same_tree(Path(tmp) / "sample_data", args.out)
        for name in diff:
            print(f"differs: {name}", file=sys.stderr)
        print("sample data up to date" if not diff else f"{len(diff)} files differ")
        return 1 if diff else 0
    files = generate(args.out, args.jobs)
    print(f"wrote {len(files)} files, {sum(map(len, files.values())) / 1e6:.1f} MB to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
