"""Benchmark (not a test): what the one-page summaries add to ``strideload report``.

Builds the synthetic store of ``bench_report.py`` (default 5 athletes × 2 years), then
times ``build_reports`` alternately without and with the summary pages, in the same run,
and prints the ratio::

    python benchmarks/bench_summary.py [--athletes 5] [--years 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_report import fill  # noqa: E402

import strideload.report as report  # noqa: E402  (after the path to bench_report)
from strideload.store import Store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", type=int, default=5)
    parser.add_argument("--years", type=float, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="strideload-bench-summary-") as scratch:
        seconds = _timed(Path(scratch), args)
    without, with_ = sum(seconds["without"]), sum(seconds["with"])
    print(f"report of {args.athletes} athletes × {args.years:g} years: {without / 2:.2f} s without the summaries, "
          f"{with_ / 2:.2f} s with them (ratio {with_ / without:.2f})")


def _timed(folder: Path, args: argparse.Namespace) -> dict[str, list[float]]:
    """Seconds building the reports without and with the summary pages, twice each, interleaved."""
    real = report.summary_page
    seconds: dict[str, list[float]] = {"without": [], "with": []}
    with Store.open(folder / "bench.db") as store:
        fill(store, args.athletes, args.years)
        report.build_reports(store, out_dir=folder / "warm-up")
        try:
            for run in range(2):
                for label, page in (("without", lambda *a, **k: ""), ("with", real)):
                    report.summary_page = page
                    start = time.perf_counter()
                    report.build_reports(store, out_dir=folder / f"{label}-{run}")
                    seconds[label].append(time.perf_counter() - start)
        finally:
            report.summary_page = real
    return seconds


if __name__ == "__main__":
    main()
