"""Benchmark (not a test): the HTML report of 30 athletes × 2 years of runs.

Builds a temporary store with synthetic runs (5–6 a week, 4–22 km, some hills, trail and
treadmill weeks, cadence rising with speed; empty per-second streams) and a knee-pain
entry most days, then times ``build_reports`` and prints the time against the 10-second
goal and the largest athlete page (without plotly.js) against 500 KB::

    python benchmarks/bench_report.py [--athletes 30] [--years 2] [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from strideload.config import Config
from strideload.model import SUMMARY_FIELDS, Activity
from strideload.report import build_reports
from strideload.store import Store

GOAL_S = 10.0
PAGE_GOAL_BYTES = 500_000
FIRST = date(2024, 1, 1)


def fill(store: Store, athletes: int, years: float, seed: int = 1) -> int:
    """Synthetic runs (and pain entries, when the store keeps a pain log); returns the run count."""
    rng = np.random.default_rng(seed)
    days = int(round(years * 365.25))
    stream = pd.DataFrame({"time": pd.Series(dtype="datetime64[ns, UTC]")})
    count = 0
    for a in range(athletes):
        name = f"athlete{a:02d}"
        activities = []
        for offset in range(days):
            if rng.random() < 0.2:  # rest days
                continue
            day = FIRST + timedelta(days=offset)
            km = float(rng.uniform(4, 12) if day.weekday() != 6 else rng.uniform(12, 22))
            speed = float(rng.uniform(2.5, 4.0))
            surface = str(rng.choice(["road", "trail", "treadmill", "track"], p=[0.7, 0.15, 0.1, 0.05]))
            downhill = 0.0 if surface == "treadmill" else km * 1000 * float(rng.uniform(0, 0.15))
            row = dict.fromkeys(SUMMARY_FIELDS)
            row.update(
                id=f"{name}-{offset}", athlete=name, sport="running", sub_sport=surface, running=True,
                surface=surface, surface_source="bench", start_time=f"{day.isoformat()}T07:00:00+01:00",
                local_date=day.isoformat(), distance_m=km * 1000, timer_s=km * 1000 / speed,
                elapsed_s=km * 1000 / speed,
                ascent_m=downhill * 0.08, descent_m=downhill * 0.08, downhill_5pct_m=downhill,
                downhill_10pct_m=downhill / 3, cadence_spm=140 + 9 * speed + float(rng.normal(0, 3)),
                avg_speed_mps=speed, device="bench", format="fit", source_path=f"bench/{name}/{offset}.fit",
                sha256=f"{name}-{offset}", name=f"Run {offset}",
            )
            activities.append(Activity(row, stream))
        store.record_file(sha256=f"bench-{name}", athlete=name, source_path=f"bench/{name}", outcome="added",
                          add=activities)
        count += len(activities)
        if hasattr(store, "add_pain"):
            from strideload.pain import make_entry

            entries = [make_entry(name, score=float(rng.integers(0, 6)), date=FIRST + timedelta(days=offset),
                                  when=str(rng.choice(["during", "after", "next-morning", "daily"])),
                                  note="stiff on the stairs")
                       for offset in range(days) if rng.random() < 0.5]
            store.add_pain(entries, source="bench")
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=30)
    parser.add_argument("--years", type=float, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="report the fastest of this many runs")
    parser.add_argument("--keep", type=Path, help="write the reports here (kept) instead of a temp folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        started = time.perf_counter()
        with Store.open(folder / "bench.db") as store:
            runs = fill(store, args.athletes, args.years)
            print(f"store: {runs:,} runs of {args.athletes} athletes over {args.years:g} years "
                  f"(built in {time.perf_counter() - started:.1f} s, not timed)")
            out = args.keep or folder / "reports"
            best, result = float("inf"), None
            for _ in range(args.repeat):
                started = time.perf_counter()
                result = build_reports(store, Config(), out)
                best = min(best, time.perf_counter() - started)
            assert result is not None
            plotly_mb = result.plotly_js.stat().st_size / 1e6 if result.plotly_js else 0.0
    name, largest = result.largest_page or ("-", 0)
    print(f"report: {best:.2f} s for {len(result.pages)} athlete pages and the index "
          f"(goal {GOAL_S:g} s, ratio {best / GOAL_S:.2f})")
    print(f"largest page: {largest / 1000:.0f} KB ({name}), without plotly.js "
          f"(goal {PAGE_GOAL_BYTES / 1000:.0f} KB, ratio {largest / PAGE_GOAL_BYTES:.2f})")
    print(f"index: {result.sizes['index.html'] / 1000:.0f} KB; plotly.js: one {plotly_mb:.1f} MB file beside the pages")


if __name__ == "__main__":
    main()
