"""How long a pool of import workers takes to be ready: the fixed cost of ``--jobs N``.

    python benchmarks/bench_worker_start.py          # 2 workers, n=5 fresh pools

Each round makes a fresh :class:`strideload.ingest.executors.Processes` pool and waits for one
no-op task per worker. The first pool of a process also starts the fork server, which imports
what a worker uses once (``executors.WORKER_MODULES``, timed beside it in a fresh interpreter;
``python -X importtime`` tells which module costs what); later pools fork from the running server. Prints
the first pool's time and the median of the later ones. Not a test: read the figures.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from strideload.ingest import executors


def _noop(value: int) -> int:
    return value


def _ready_s(workers: int) -> float:
    started = time.perf_counter()
    pool = executors.Processes(workers)
    try:
        for future in [pool._pool.submit(_noop, i) for i in range(workers)]:
            future.result()
        return time.perf_counter() - started
    finally:
        pool.close()


def _import_chain_s() -> float:
    modules = ", ".join(executors.WORKER_MODULES)
    code = f"import time; t = time.perf_counter(); import {modules}; print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="workers in each pool")
    parser.add_argument("-n", "--rounds", type=int, default=5, help="fresh pools to time (n)")
    args = parser.parse_args()
    first, *later = [_ready_s(args.workers) for _ in range(args.rounds + 1)]
    chain = [_import_chain_s() for _ in range(args.rounds)]
    print(f"pool of {args.workers} ready: first (fork server starting) {first:.2f} s; later pools median "
          f"{statistics.median(later):.2f} s (n={args.rounds})")
    print(f"importing the worker's modules in a fresh interpreter: median {statistics.median(chain):.2f} s "
          f"(n={args.rounds})")


if __name__ == "__main__":
    main()
