"""Import speed end to end: a folder of N FIT runs into a fresh store, against a baseline, same run.

    python benchmarks/bench_import.py                       # 200 generated runs, n=3
    python benchmarks/bench_import.py --files 1000          # the issue's 1,000-file folder
    python benchmarks/bench_import.py --files 10000 --no-baseline --repeat 1   # memory at 10,000 files
    python benchmarks/bench_import.py --folder sample_data  # any folder (no baseline)
    python benchmarks/bench_import.py --files 1000 --no-baseline --cli   # the command, end to end

Contenders, each on the same folder into its own fresh store, interleaved, ``--repeat`` times:

* ``fitparse-1core``: the baseline, strideload's own pipeline on one core with FIT decoding
  done by fitparse itself (``FitFile.get_messages``), i.e. the same pipeline with fitparse
  decoding;
* ``jobs=1``: strideload on one core (fast FIT path, this process);
* ``jobs=N``: strideload with N worker processes (``--jobs``, default 2);
* ``reimport``: importing the same folder again into the filled store (nothing new: every
  file is known by its path, size and modification time).

strideload's modules are byte-compiled first, as pip does when it installs a package: an
editable install run with PYTHONDONTWRITEBYTECODE=1 (as on these machines) would otherwise
compile them again in every new process, and so in every worker pool's fork server.

Every jobs=N round starts its own worker processes, as every ``strideload import`` does (the
fork server is stopped after each round; that is also how its workers' CPU seconds get counted).
``--keep-workers`` lets later rounds fork from the first round's fork server instead: the
difference between the two is what starting the workers costs.

``--cli`` times the command a user types instead, ``strideload import`` in a new process each
time, end to end: loading, the import, the status snapshot it leaves for the next ``status``,
and the process's exit.

Each round also measures this machine's own ceiling for N processes: N copies of a CPU-bound
Python loop run at once against one after another. A VM's cores are not always whole cores
(seen here: two processes ran 1.66-1.81x as fast as one), so jobs=N is printed against both
the goal and that ceiling.

Prints medians with n: wall-clock (parallelism is the point of jobs=N) and CPU seconds of the
process and its workers (the one-core goal is judged on those, paired round by round: on a shared
machine another process's load stretches wall time far more than CPU time); files/s, the
ratios (jobs=N against jobs=1 paired round by round), the
peak memory of the whole process tree (parent, fork server and workers: their proportional
set size, sampled from /proc every 0.1 s) and the store size per activity. Memory is sampled in
one more round of each contender, untimed: a sample of four processes costs about 17 ms of CPU,
a sixth of a core, which would slow the contender using every core most (``--no-memory`` skips it). The generated
runs (20-90 min, 1 Hz or smart recording, some with HRV messages) are cached under the
system temp folder, so a second run starts at once.
The machine is shared: read the medians, and rerun when the load was high.
"""

from __future__ import annotations

import argparse
import compileall
import json
import multiprocessing
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from files import run_points, utc  # noqa: E402
from fitbuild import run_fit, smart_points  # noqa: E402

import strideload  # noqa: E402
from strideload.config import parse_config  # noqa: E402
from strideload.ingest import fit, fit_columnar  # noqa: E402
from strideload.ingest.importer import import_paths  # noqa: E402
from strideload.store import Store  # noqa: E402

FIT_EPOCH = datetime(1989, 12, 31)
KEPT = ("file_id", "sport", "session", "activity", "record")
#: Every contender's settings: parallel whatever the folder's size (the jobs=N contender measures
#: the workers, not the threshold), dates in UTC.
SETTINGS = {"timezone": "UTC", "parallel_min_bytes": 0}


def generated_folder(n: int, seed: int = 7) -> Path:
    """``n`` runs from 2019 on, up to four a day (so 10,000 stay in the past: runs dated after
    tomorrow are rejected at import), cached in the temp folder."""
    per_day = 1 if n <= 2000 else 4
    folder = Path(tempfile.gettempdir()) / f"strideload-bench-runs-{n}-{seed}{'' if per_day == 1 else '-4aday'}"
    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(exist_ok=True)
    rng = random.Random(seed)
    started = time.perf_counter()
    for i in range(n):
        minutes = rng.randint(20, 90)
        speed, hill = rng.uniform(2.6, 3.6), rng.uniform(5, 40)
        first = utc(2020, 1, 1, 6) if per_day == 1 else utc(2019, 1, 1, 5)
        day = first + timedelta(days=i // per_day, hours=5 * (i % per_day))
        points = run_points(day, km=speed * 60 * minutes / 1000, speed_mps=speed,
                            elevation=lambda d, k=hill: 100 + k * ((d // 700) % 2))
        if rng.random() < 0.6:
            points = smart_points(points, seed=i)
        data = run_fit(points, interleave_every=rng.choice((0, 0, 60, 300)), crc=False)
        (folder / f"run-{i:05d}.fit").write_bytes(data)
        if i and i % 500 == 0:
            print(f"  generated {i} of {n} files ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    done.touch()
    return folder


def _fitparse_decode(data: bytes, path: str):
    """The baseline decoder: fitparse's own message loop, giving what the tolerant path gives."""
    from fitparse import FitFile

    messages: dict[str, list[dict]] = {name: [] for name in KEPT}
    for message in FitFile(data, check_crc=False).get_messages(list(KEPT)):
        values = message.get_values()
        for name, value in values.items():
            if isinstance(value, datetime):  # back to FIT seconds, as strideload's readers keep them
                values[name] = int((value - FIT_EPOCH).total_seconds())
        messages[message.name].append({k: v for k, v in values.items() if v is not None})
    return messages, None


class PeakMemory:
    """Peak memory (MB, proportional set size) of this process and all its descendants, sampled from /proc."""

    def __init__(self, interval_s: float = 0.1):
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(interval_s,), daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self, interval_s: float) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, sum(_rss_mb(pid) for pid in _tree(os.getpid())))
            self._stop.wait(interval_s)


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return pids


def _rss_mb(pid: int) -> float:
    """Proportional set size: pages shared by forked workers counted once across them (RSS
    would count the libraries every worker shares from the fork server once per worker)."""
    for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(path) as handle:
                for line in handle:
                    if line.startswith(key):
                        return int(line.split()[1]) / 1024
        except OSError:
            continue
    return 0.0


def _cpu_s() -> float:
    """CPU seconds of this process and of its children that have ended (the import's workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _spin(n: int = 12_000_000) -> int:
    """CPU-bound pure Python, about a second."""
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def ceiling(processes: int) -> float:
    """How much faster ``processes`` copies of :func:`_spin` run at once than one after another."""
    started = time.perf_counter()
    for _ in range(processes):
        _spin()
    serial = time.perf_counter() - started
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    spinners = [context.Process(target=_spin) for _ in range(processes)]
    for spinner in spinners:
        spinner.start()
    for spinner in spinners:
        spinner.join()
    return serial / (time.perf_counter() - started)


def _stop_fork_server() -> None:
    """End the import's fork server (and so its workers): the next round starts its own, as a new
    ``strideload import`` would, and the workers' CPU seconds reach this process's children's."""
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    if server is not None and getattr(server, "_forkserver_pid", None) is not None:
        server._stop()


def _import(folder: Path, jobs: int, *, db: Path, baseline: bool = False,
            cpu: list[float] | None = None, keep_workers: bool = False) -> tuple[float, dict, Path]:
    config = parse_config({"settings": SETTINGS})
    saved = fit_columnar.decode, fit._decode
    if baseline:
        def refuse(data, path):
            raise fit_columnar.Unsupported("baseline", 0)

        fit_columnar.decode, fit._decode = refuse, _fitparse_decode
    try:
        with Store.open(db) as store:
            started, cpu_started = time.perf_counter(), _cpu_s()
            result = import_paths(store, [folder], athlete="bench", config=config, jobs=jobs)
            seconds = time.perf_counter() - started
            if keep_workers and jobs > 1:
                cpu = None  # the fork server lives on, and its workers' CPU seconds with it
            else:
                _stop_fork_server()
            if cpu is not None:
                cpu.append(_cpu_s() - cpu_started)
    finally:
        fit_columnar.decode, fit._decode = saved
    return seconds, result.counts(), db


def _import_cli(folder: Path, jobs: int, *, db: Path,
                cpu: list[float] | None = None, **_: object) -> tuple[float, dict, Path]:
    """``strideload import`` of ``folder`` in a new process, as a user runs it (:data:`SETTINGS`):
    its wall-clock seconds, and with one job its CPU seconds."""
    settings = db.parent / "bench.toml"
    settings.write_text("[settings]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in SETTINGS.items()))
    command = [sys.executable, "-m", "strideload", "import", "--quiet", "--jobs", str(jobs), "--db", str(db),
               "--config", str(settings), "--athlete", "bench", str(folder)]
    started, cpu_started = time.perf_counter(), _cpu_s()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    if cpu is not None and jobs == 1:  # a worker pool's fork server is reaped by init, not here: uncounted
        cpu.append(_cpu_s() - cpu_started)
    with Store.open(db) as store:
        return seconds, {"activities": len(store.activities_frame())}, db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200, help="generated runs in the folder")
    parser.add_argument("--folder", type=Path, help="import this folder instead (no baseline)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes of the parallel contender")
    parser.add_argument("--repeat", type=int, default=3, help="timings per contender (n)")
    parser.add_argument("--no-baseline", action="store_true", help="leave out the slow fitparse baseline")
    parser.add_argument("--keep-workers", action="store_true",
                        help="let later jobs=N rounds fork from the first round's fork server: the ratio "
                             "without the workers' start (no CPU seconds for jobs=N then)")
    parser.add_argument("--no-memory", action="store_true", help="skip the untimed round that measures memory")
    parser.add_argument("--cli", action="store_true",
                        help="time the command, strideload import in a new process, end to end (no baseline)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="strideload-bench-") as scratch:  # every store made here
        measure(args, Path(scratch))


def _new_store(scratch: Path) -> Path:
    return Path(tempfile.mkdtemp(dir=scratch)) / "bench.db"


def measure(args: argparse.Namespace, scratch: Path) -> None:
    run = _import_cli if args.cli else _import
    compileall.compile_dir(Path(strideload.__file__).parent, quiet=1)
    folder = args.folder or generated_folder(args.files)
    files = sum(1 for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    megabytes = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6
    contenders = [("jobs=1", 1, False), (f"jobs={args.jobs}", args.jobs, False)]
    if not (args.no_baseline or args.folder or args.cli):
        contenders.insert(0, ("fitparse-1core", 1, True))
    times: dict[str, list[float]] = {name: [] for name, _, _ in contenders}
    cpu: dict[str, list[float]] = {name: [] for name, _, _ in contenders}
    times["reimport"] = []
    peaks: dict[str, float] = {}
    ceilings: list[float] = []
    counts, store_path = {}, None
    for _ in range(args.repeat):
        ceilings.append(ceiling(args.jobs))
        for name, jobs, baseline in contenders:
            seconds, counts, store_path = run(folder, jobs, db=_new_store(scratch), baseline=baseline,
                                               cpu=cpu[name], keep_workers=args.keep_workers)
            times[name].append(seconds)
        assert store_path is not None
        seconds, again, _ = run(folder, 1, db=store_path)
        times["reimport"].append(seconds)
    for name, jobs, baseline in ([] if args.no_memory else contenders):
        if not baseline:  # the baseline's memory is not a goal, and it takes minutes
            with PeakMemory() as peak:
                run(folder, jobs, db=_new_store(scratch))
            peaks[name] = peak.peak_mb
    with Store.open(store_path) as store:
        activities = len(store.activities_frame())
    size = sum(p.stat().st_size for p in store_path.parent.glob(store_path.name + "*"))
    print(f"folder: {files} files, {megabytes:.1f} MB; outcomes {counts}; re-import {again}")
    print(f"{'contender':16s} {'median s':>9s} {'CPU s':>7s} {'files/s':>9s} {'peak MB':>8s}  n  (all runs, s)")
    for name, values in times.items():
        median = statistics.median(values)
        spent = f"{statistics.median(cpu[name]):7.2f}" if cpu.get(name) else f"{'-':>7s}"
        peak = f"{peaks[name]:8.0f}" if name in peaks else f"{'-':>8s}"
        print(f"{name:16s} {median:9.2f} {spent} {files / median:9.1f} {peak}  {len(values)}  "
              f"({', '.join(f'{v:.2f}' for v in values)})")
    medians = {name: statistics.median(values) for name, values in times.items()}
    parallel = f"jobs={args.jobs}"
    if "fitparse-1core" in medians:
        # one core against one core: CPU seconds, paired round by round (another process's load
        # stretches wall time, hardly CPU time), the median of the rounds' ratios
        one_core = statistics.median(b / o for b, o in zip(cpu["fitparse-1core"], cpu["jobs=1"], strict=True))
        wall = medians["fitparse-1core"] / medians["jobs=1"]
        print(f"jobs=1 vs fitparse-1core: {one_core:.1f}x in CPU seconds, {wall:.1f}x in wall-clock medians "
              f"(goal >= 30x, one core); {parallel} vs fitparse-1core: "
              f"{medians['fitparse-1core'] / medians[parallel]:.1f}x wall-clock")
    paired = statistics.median(one / n for one, n in zip(times["jobs=1"], times[parallel], strict=True))
    machine = statistics.median(ceilings)
    print(f"{parallel} vs jobs=1: {paired:.2f}x paired round by round, {medians['jobs=1'] / medians[parallel]:.2f}x "
          f"of the medians (goal >= 1.7x with 2 workers on {os.cpu_count()} cores)" + (
              f"; CPU seconds {statistics.median(cpu[parallel]) / statistics.median(cpu['jobs=1']):.2f}x jobs=1's"
              if cpu[parallel] else "; CPU seconds of the workers not counted"))
    print(f"this machine: {args.jobs} CPU-bound processes at once run {machine:.2f}x as fast as one after another "
          f"(n={len(ceilings)}: {', '.join(f'{c:.2f}' for c in ceilings)}); {parallel} reaches "
          f"{paired / machine:.0%} of that ceiling")
    print(f"re-import {files / medians['reimport']:,.0f} files/s (goal >= 5,000" +
          (", in the process: here the command's start and exit count too)" if args.cli else ")"))
    print(f"store: {size / 1e6:.1f} MB for {activities} activities = {size / max(activities, 1) / 1024:.1f} KB "
          f"per activity")


if __name__ == "__main__":
    main()
