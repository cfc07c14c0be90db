"""Benchmark (not a test): how fast ``strideload --help`` and ``strideload status`` start.

Imports ``sample_data/`` into a temporary store (as the README's set-up does), then runs
each command N times, each in a fresh process, and prints the median wall time against
the 0.3-second goal and against the baseline measured in the same run: the same commands
the way strideload ran them before commands loaded on demand, i.e. with every command
module imported up front (pandas, pyarrow, plotly ...) and the status computed each time
rather than read from the store's snapshot. ``python -c pass`` is the interpreter's floor.
Runs are interleaved, so the machine's noise falls on both sides alike::

    python benchmarks/bench_startup.py [-n 15] [--db STORE]

Bytecode is cached in a temporary folder (PYTHONPYCACHEPREFIX), as in an installed package,
even where PYTHONDONTWRITEBYTECODE is set; the first run of each command warms it up.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_S = 0.3
ROOT = Path(__file__).resolve().parents[1]

#: The CLI as it was: every command module imported before the group runs (what the old
#: ``_register()`` did at import), and the status computed from the data every time.
EAGER = """
import sys
import click
from strideload import snapshot
from strideload.cli.main import cli, main
for name in cli.list_commands(click.Context(cli)):
    cli.get_command(click.Context(cli), name)
snapshot.status = lambda store, config, athlete=None, as_of=None: snapshot.compute(store, config, athlete, as_of)
sys.argv[0] = "strideload"
main()
"""
LAZY = "from strideload.cli.main import main; import sys; sys.argv[0] = 'strideload'; main()"


def _time(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one fresh process, in seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.strip()[-500:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=15, help="runs of each command (fresh processes)")
    parser.add_argument("--db", type=Path, help="an existing store to use instead of importing sample_data/")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="strideload-bench-startup-"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PYTHONPYCACHEPREFIX=str(work / "pycache"), STRIDELOAD_CONFIG="", COLUMNS="100")
    env["XDG_CONFIG_HOME"] = str(work / "config")  # the default settings, whatever this user has
    try:
        db = args.db or work / "sample.db"
        if args.db is None:
            print("importing sample_data/ ...", flush=True)
            subprocess.run([sys.executable, "-c", LAZY, "import", str(ROOT / "sample_data"), "--team", "--quiet",
                            "--db", str(db)], env=env, check=True, stdout=subprocess.DEVNULL)
        py = sys.executable
        cases = {
            "python -c pass": ([py, "-c", "pass"], None),
            "strideload --help": ([py, "-c", LAZY, "--help"], [py, "-c", EAGER, "--help"]),
            "strideload status": ([py, "-c", LAZY, "status", "--db", str(db)],
                                  [py, "-c", EAGER, "status", "--db", str(db)]),
        }
        times: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for new, old in cases.values():  # warm-up: bytecode, the store's snapshot, the OS cache
            _time(new, env)
            if old:
                _time(old, env)
        for _ in range(args.n):
            for name, (new, old) in cases.items():
                times.setdefault((name, "new"), []).append(_time(new, env))
                if old:
                    times.setdefault((name, "old"), []).append(_time(old, env))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    load = os.getloadavg()[0]
    print(f"\nmedians of n={args.n} fresh processes each; load average {load:.1f} on {os.cpu_count()} cores "
          f"(wall time is the goal, < {GOAL_S} s; CPU time shows the work when the machine is busy)")
    header = f"{'wall now':>9} {'before':>8} {'ratio':>6}  {'CPU now':>8} {'before':>8} {'ratio':>6}"
    print(f"{'command':<20} {header}  goal")
    for name, (_, old) in cases.items():
        wall, cpu = (statistics.median(t[i] for t in times[(name, "new")]) for i in (0, 1))
        if old is None:
            print(f"{name:<20} {wall:>8.3f}s {'':>8} {'':>6}  {cpu:>7.3f}s {'':>8} {'':>6}  (the interpreter alone)")
            continue
        old_wall, old_cpu = (statistics.median(t[i] for t in times[(name, "old")]) for i in (0, 1))
        verdict = "met" if wall < GOAL_S else "NOT met"
        print(f"{name:<20} {wall:>8.3f}s {old_wall:>7.3f}s {old_wall / wall:>5.1f}x  "
              f"{cpu:>7.3f}s {old_cpu:>7.3f}s {old_cpu / cpu:>5.1f}x  {verdict}")

if __name__ == "__main__":
    main()
