"""Benchmark (not a test): 100 athletes × 5 years of daily runs through the analysis.

Builds the summaries in memory (every athlete runs every day, 4–16 km, some hills, some
treadmill, cadence rising with speed), then times ``flags`` + ``daily_load`` + ``status``
over all of them, as three separate library calls, and prints the total against the
2-second goal::

    python benchmarks/bench_analysis.py [--athletes 100] [--years 5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from strideload.analyze import daily_load, flags, status
from strideload.config import Config

GOAL_S = 2.0


def summaries(athletes: int, years: int, seed: int = 1) -> pd.DataFrame:
    """Daily runs for ``athletes`` over ``years`` (365.25 days each), in summary columns."""
    rng = np.random.default_rng(seed)
    days = int(round(years * 365.25))
    n = athletes * days
    athlete = np.repeat([f"athlete{i:03d}" for i in range(athletes)], days)
    dates = np.tile(np.datetime64("2020-01-01") + np.arange(days), athletes)
    hour = rng.integers(5, 21, n)
    start = (dates.astype("datetime64[h]") + hour).astype("datetime64[s]")
    distance = rng.uniform(4000, 16000, n)
    speed = rng.uniform(2.4, 4.2, n)
    surface = rng.choice(["road", "trail", "treadmill", "track"], n, p=[0.7, 0.15, 0.1, 0.05])
    downhill = np.where(surface == "treadmill", 0.0, distance * rng.uniform(0, 0.2, n))
    cadence = np.where(rng.random(n) < 0.05, np.nan, 140 + 9 * speed + rng.normal(0, 4, n))
    return pd.DataFrame({
        "id": [f"r{i}" for i in range(n)],
        "athlete": athlete,
        "sport": "running",
        "running": True,
        "surface": surface,
        "start_time": np.char.add(np.datetime_as_string(start, unit="s").astype(str), "+01:00"),
        "local_date": np.datetime_as_string(dates, unit="D").astype(str),
        "distance_m": distance,
        "timer_s": distance / speed,
        "descent_m": downhill * 0.08,
        "downhill_5pct_m": downhill,
        "cadence_spm": cadence,
        "avg_speed_mps": speed,
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=100)
    parser.add_argument("--years", type=float, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="report the fastest of this many runs")
    args = parser.parse_args()
    frame = summaries(args.athletes, args.years)
    config = Config()
    as_of = frame["local_date"].max()
    best = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        found = flags(frame, config)
        days = daily_load(frame, config)
        rows = status(frame, config, as_of=as_of)
        best = min(best, time.perf_counter() - started)
    print(f"{len(found):,} flags, {len(days):,} athlete-days, {len(rows)} status rows")
    print(f"analysis: {best:.2f} s for {len(frame):,} runs (goal {GOAL_S} s, ratio {best / GOAL_S:.2f})")


if __name__ == "__main__":
    main()
