"""FIT decoding speed: strideload's ``read_fit`` against fitparse, same files, same run.

    python benchmarks/bench_fit.py                 # generated 1 h / 3 h runs + small corpus files
    python benchmarks/bench_fit.py --repeat 7 --no-corpus

Baseline: fitparse decoding the messages strideload reads (file_id, sport, session,
activity, record) with ``get_values()``, CRC unchecked, i.e. the least a fitparse-based
reader must do. Contenders: ``read_fit`` (the fast columnar path, falling back when it
must), the tolerant path alone (``read_fit_tolerant``), and fitfast 0.1.0 when installed
(``records()`` plus ``parse()``, what reading records and sessions with it costs).
Record-heavy files are generated with ``tests/fitbuild.py``: 1 h and 3 h at 1 Hz and with
smart recording. Each timing is repeated ``--repeat`` times, interleaved; the table shows
medians, the ratio of medians (fitparse / contender), and n. Goal: >= 100x on
record-heavy files, never slower than the tolerant path on small ones. Times are the
process's CPU time (``--wall`` for wall-clock), so other jobs on a shared machine weigh less.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from corpus import CORPUS_DIR  # noqa: E402
from files import run_points, utc  # noqa: E402
from fitbuild import run_fit, smart_points  # noqa: E402
from fitparse import FitFile  # noqa: E402

from strideload.ingest import fit  # noqa: E402

logging.getLogger("strideload").setLevel(logging.ERROR)  # damaged corpus files warn on every repeat

SMALL_BYTES = 60_000
KEPT = ("file_id", "sport", "session", "activity", "record")


def generated() -> dict[str, bytes]:
    """Record-heavy runs: 1 h and 3 h, 1 Hz and smart recording (hilly, 3 m/s)."""
    files = {}
    for hours in (1, 3):
        points = run_points(utc(2024, 5, 1, 7), km=3.0 * 3.6 * hours, speed_mps=3.0,
                            elevation=lambda d: 100 + 20 * (d % 2000 > 1000))
        files[f"{hours}h-1Hz"] = run_fit(points, interleave_every=300)
        files[f"{hours}h-smart"] = run_fit(smart_points(points), interleave_every=60)
    return files


def corpus_small() -> dict[str, bytes]:
    """Small FIT files of the shared corpus (under 60 KB), decompressed."""
    files = {}
    for path in sorted((CORPUS_DIR / "files").rglob("*.fit*")):
        data = path.read_bytes()
        data = gzip.decompress(data) if path.name.endswith(".gz") else data
        if len(data) <= SMALL_BYTES:
            files[str(path.relative_to(CORPUS_DIR / "files"))] = data
    return files


def fitparse_baseline(data: bytes) -> None:
    for message in FitFile(data, check_crc=False).get_messages(list(KEPT)):
        message.get_values()


def fitfast_both(data: bytes) -> None:
    import fitfast

    fitfast.records(data)
    fitfast.parse(data)


CLOCK = time.process_time  # CPU time of this process: other jobs on a shared machine do not count


def _time(func: Callable[[bytes], object], data: bytes) -> float | None:
    started = CLOCK()
    try:
        func(data)
    except Exception:  # a contender that cannot read the file: shown as '-'
        return None
    return CLOCK() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timings per file and contender (n)")
    parser.add_argument("--no-corpus", action="store_true", help="generated files only")
    parser.add_argument("--wall", action="store_true", help="wall-clock time instead of process CPU time")
    parser.add_argument("--no-fitfast", action="store_true", help="leave fitfast out even when installed")
    args = parser.parse_args()
    if args.wall:
        global CLOCK
        CLOCK = time.perf_counter
    contenders: dict[str, Callable[[bytes], object]] = {"read_fit": lambda d: fit.read_fit(d, "bench.fit")}
    tolerant = getattr(fit, "read_fit_tolerant", None)
    if tolerant is not None:
        contenders["tolerant"] = lambda d: tolerant(d, "bench.fit")
    if not args.no_fitfast:
        try:
            import fitfast  # noqa: F401
            contenders["fitfast"] = fitfast_both
        except ImportError:
            pass
    files = generated()
    if not args.no_corpus and CORPUS_DIR.is_dir():
        files.update(corpus_small())
    names = list(contenders)
    clock = "wall" if args.wall else "CPU"
    print(f"n={args.repeat} per cell; medians in ms of {clock} time; ratio = fitparse median / contender median")
    print(f"{'file':58s} {'records':>7s} {'fitparse':>9s} " + " ".join(f"{n:>9s} {'x':>6s}" for n in names))
    ratios: dict[str, dict[str, list[float]]] = {n: {"heavy": [], "small": []} for n in names}
    for label, data in files.items():
        times: dict[str, list[float]] = {"fitparse": [], **{n: [] for n in names}}
        for _ in range(args.repeat):
            for name, func in (("fitparse", fitparse_baseline), *contenders.items()):
                took = _time(func, data)
                if took is not None:
                    times[name].append(took)
        try:
            records = sum(len(a.samples) for a in fit.read_fit(data, label))
        except Exception:
            records = 0
        base = statistics.median(times["fitparse"]) if times["fitparse"] else None
        cells = []
        for name in names:
            if not times[name] or base is None:
                cells.append(f"{'-':>9s} {'-':>6s}")
                continue
            median = statistics.median(times[name])
            ratio = base / median
            ratios[name]["heavy" if "h-" in label else "small"].append(ratio)
            cells.append(f"{median * 1000:9.2f} {ratio:6.1f}")
        base_text = f"{base * 1000:9.1f}" if base is not None else f"{'-':>9s}"
        print(f"{label[:58]:58s} {records:7d} {base_text} " + " ".join(cells))
    for name in names:
        for kind, values in ratios[name].items():
            if values:
                print(f"{name} vs fitparse, {kind} files: median ratio {statistics.median(values):.1f}x "
                      f"(min {min(values):.1f}x, {len(values)} files, n={args.repeat} each)")


if __name__ == "__main__":
    main()
