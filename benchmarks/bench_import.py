"""Import speed: a folder of N watch files into a fresh store; prints files/s and records/s.

    python benchmarks/bench_import.py                  # sample_data/ (both athletes)
    python benchmarks/bench_import.py ../shared/corpus/files

Files are processed one at a time (never all loaded at once); peak memory is printed
so that stays visible too. Not a test: machines here are noisy, so read the figures.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from strideload.config import Config
from strideload.ingest.importer import import_paths
from strideload.store import Store

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "sample_data")
    args = parser.parse_args()
    if not args.folder.is_dir():
        sys.exit(f"no folder {args.folder}")
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "bench.db") as store:
        started = time.perf_counter()
        result = import_paths(store, [args.folder], athlete="bench", config=Config())
        seconds = time.perf_counter() - started
    files = len({o.path for o in result.outcomes})
    records = sum(o.records for o in result.outcomes)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"import: {files} files, {records:,} records in {seconds:.2f} s -> "
          f"{files / seconds:.1f} files/s, {records / seconds:,.0f} records/s; "
          f"peak memory {peak_mb:.0f} MB; outcomes {result.counts()}")


if __name__ == "__main__":
    main()
