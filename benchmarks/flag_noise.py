"""Benchmark (not a test): how many flags a runner sees per week, before and after issue 11.

Two histories:

* the committed ``sample_data/`` (ana and ben, 16 weeks, planted events), imported into a
  temporary store with each runner's time zone, flags up to the last activity, pain log
  and return-to-run plan included; every planted event of ``sample_data/README.md`` is
  checked to fire;
* 20 generated **steady** runners who run every other day (7.2–8.8 km at 2.9–3.1 m/s,
  cadence on their own line, a little downhill, road) for 8 and for 16 weeks, with no
  real change at all: every load flag they get is noise.

It prints flags per athlete-week (all kinds, and the load kinds: spikes, ratios, weekly
increase, monotony, surface) for the code it runs with ("after") and, unless
``--before none``, for the code of ``--before REF`` (default: main when issue 11 started),
checked out into a temporary folder with ``git archive`` and run in a subprocess::

    python benchmarks/flag_noise.py [--before 448a341] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
#: main when work on issue 11 started: the "before" of the figures.
BEFORE = "448a341"
ZONES = {"athletes": {"ana": {"timezone": "Europe/Oslo"}, "ben": {"timezone": "America/New_York"}}}
LOAD_KINDS = ("session_spike", "acwr_high", "weekly_increase", "downhill_spike", "monotony_high", "surface_change")
#: Planted events of sample_data/README.md: (athlete, kind, first day, last day) of a flag that must fire.
PLANTED = [
    ("ana", "session_spike", "2026-08-30", "2026-08-30", "long-run spike, ratio 1.51"),
    ("ana", "low_cadence", "2026-08-11", "2026-09-03", "low-cadence block, 13 runs"),
    ("ana", "surface_change", "2026-08-04", "2026-08-10", "treadmill week"),
    ("ana", "pain_red", "2026-08-31", "2026-08-31", "next morning +3"),
    ("ana", "pain_red", "2026-09-03", "2026-09-03", "during 6"),
    ("ana", "rtr_deviation", "2026-09-26", "2026-09-26", "return to run: back-to-back"),
    ("ana", "session_spike", "2026-10-04", "2026-10-04", "return to run: longer and hillier, ratio 1.55"),
    ("ana", "rtr_deviation", "2026-10-04", "2026-10-04", "return to run: longer and hillier"),
    ("ben", "weekly_increase", "2026-08-17", "2026-08-23", "seven-day streak, +57 %"),
    ("ben", "session_spike", "2026-09-12", "2026-09-12", "race, ratio 1.33"),
    ("ben", "downhill_spike", "2026-09-12", "2026-09-12", "downhill race"),
    ("ben", "pain_red", "2026-09-13", "2026-09-13", "next morning +4"),
    ("ben", "surface_change", "2026-09-28", "2026-10-11", "move to trails"),
]


def steady_runners(weeks: int, runners: int = 20, seed: int = 11) -> pd.DataFrame:
    """Every-other-day runners without any real change, as activity summaries."""
    rng = np.random.default_rng(seed)
    rows = []
    first = date(2025, 1, 6)
    for r in range(runners):
        offset = int(rng.integers(0, 2))
        for day in range(offset, weeks * 7, 2):
            when = first + timedelta(days=day)
            km = float(rng.uniform(7.2, 8.8))
            speed = float(rng.uniform(2.9, 3.1))
            rows.append({
                "id": f"steady{r}-{day}", "athlete": f"steady{r:02d}", "sport": "running", "running": True,
                "surface": "road", "local_date": when.isoformat(),
                "start_time": f"{when.isoformat()}T07:{int(rng.integers(0, 59)):02d}:00+00:00",
                "distance_m": km * 1000, "timer_s": km * 1000 / speed, "ascent_m": 30.0, "descent_m": 30.0,
                "downhill_5pct_m": float(rng.uniform(200, 400)), "cadence_spm": 150 + 7 * speed + rng.normal(0, 1.5),
                "avg_speed_mps": speed, "run_speed_mps": speed,
            })
    return pd.DataFrame(rows)


def athlete_weeks(summaries: pd.DataFrame) -> float:
    days = pd.to_datetime(summaries["local_date"]).groupby(summaries["athlete"]).agg(["min", "max"])
    return float(((days["max"] - days["min"]).dt.days + 1).sum() / 7)


def per_week(found: pd.DataFrame, weeks: float) -> dict[str, float]:
    load = found[found["kind"].isin(LOAD_KINDS)]
    return {"all": len(found) / weeks, "load": len(load) / weeks, "flags": len(found), "load_flags": len(load)}


def measure() -> dict:
    """The figures for the strideload importable here."""
    from strideload import analyze, rtr
    from strideload.config import parse_config
    from strideload.ingest.importer import import_paths
    from strideload.store import Store

    config = parse_config(ZONES)
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "sample.db") as store:
        import_paths(store, [SAMPLE], team=True, config=config)
        summaries = store.activities_frame()
        found = analyze.flags(summaries, config, pain=store.pain_frame(), rtr=rtr.inputs(store, config))
    out["sample"] = per_week(found, athlete_weeks(summaries))
    out["sample_by_kind"] = found["kind"].value_counts().sort_index().to_dict()
    dates = found["date"].dt.strftime("%Y-%m-%d")
    out["planted"] = [bool(((found["athlete"] == who) & (found["kind"] == kind) & (dates >= lo) & (dates <= hi)).any())
                      for who, kind, lo, hi, _ in PLANTED]
    for weeks in (8, 16):
        steady = steady_runners(weeks)
        found = analyze.flags(steady, config)
        out[f"steady_{weeks}w"] = per_week(found, athlete_weeks(steady))
        out[f"steady_{weeks}w_by_kind"] = found["kind"].value_counts().sort_index().to_dict()
    return out


def measure_at(ref: str) -> dict:
    """:func:`measure` with the strideload of git ``ref`` (a temporary checkout of its ``src/``)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src"], check=True, capture_output=True).stdout
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        env = {**os.environ, "PYTHONPATH": str(Path(tmp) / "src")}
        done = subprocess.run([sys.executable, __file__, "--before", "none", "--json"], env=env, check=True,
                              capture_output=True, text=True)
    return json.loads(done.stdout)


def show(label: str, figures: dict) -> None:
    print(f"\n{label}")
    for key, name in (("sample", "sample_data (ana, ben; 16 weeks)"), ("steady_8w", "steady runners, 8 weeks"),
                      ("steady_16w", "steady runners, 16 weeks")):
        f = figures[key]
        print(f"  {name:36s} {f['all']:5.2f} flags / athlete-week ({f['flags']} flags), "
              f"load flags {f['load']:5.2f} / athlete-week ({f['load_flags']})")
    fired = figures["planted"]
    print(f"  planted events that fire: {sum(fired)} of {len(fired)}"
          + "".join(f"\n    missing: {PLANTED[i][0]} {PLANTED[i][1]} ({PLANTED[i][4]})"
                    for i, ok in enumerate(fired) if not ok))
    for key in ("sample_by_kind", "steady_8w_by_kind"):
        print(f"  {key}: " + ", ".join(f"{k} {v}" for k, v in figures[key].items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="git ref of the 'before' code, or 'none' [%(default)s]")
    parser.add_argument("--json", action="store_true", help="print this code's figures as JSON only")
    args = parser.parse_args()
    after = measure()
    if args.json:
        print(json.dumps(after))
        return
    if args.before != "none":
        show(f"before ({args.before})", measure_at(args.before))
    show("after (this checkout)", after)


if __name__ == "__main__":
    main()
