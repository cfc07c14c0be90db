"""Peak memory and time of `strideload import` on hostile files: zip and gzip bombs, a huge
activities.csv, a FIFO named x.fit, /dev/zero, oversized and many-session files.

Each bomb is built in a temporary folder, then imported by the installed command in its own
process; the peak resident memory of that process (``ru_maxrss`` of the child) and the
wall time are printed, with the outcome line. A baseline run on one ordinary GPX file is
measured the same way, so the figures read as "what the bomb adds".

    .venv/bin/python benchmarks/bench_bombs.py            # all bombs (a few minutes)
    .venv/bin/python benchmarks/bench_bombs.py zip csv    # only those whose name contains a word
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from files import fit_with_sessions, gpx_bytes, run_points, utc  # noqa: E402

GIB = 1024**3
STRIDELOAD = Path(sys.executable).with_name("strideload")


def _spaces_into(stream, size: int, head: bytes = b"") -> None:
    stream.write(head)
    block = b" " * (1 << 24)
    left = size - len(head)
    while left > 0:
        stream.write(block[:left])
        left -= len(block)


def zip_bomb(path: Path, size: int = int(3.5 * GIB)) -> None:
    """A small zip whose one member expands to ``size`` bytes (a 'GPX' of spaces)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("activities/huge.gpx", "w", force_zip64=True) as member:
        _spaces_into(member, size, b"<gpx>")


def csv_bomb(path: Path, size: int = 3 * GIB) -> None:
    """A Strava export whose activities.csv is ``size`` bytes: one name of spaces."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("activities.csv", "w", force_zip64=True) as member:
            member.write(b"Activity ID,Activity Date,Activity Name,Activity Type,Filename\n1,\"May 4, 2026\",\"")
            _spaces_into(member, size)
            member.write(b"\",Run,\n")
        archive.writestr("activities/1.gpx", gpx_bytes(run_points(utc(2026, 5, 4, 6), km=1)))


def nested_bomb(path: Path) -> None:
    """A zip in a zip in a zip, the innermost expanding to 2 GiB."""
    inner = path.with_suffix(".inner.zip")
    zip_bomb(inner, 2 * GIB)
    middle = path.with_suffix(".middle.zip")
    with zipfile.ZipFile(middle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(inner, "inner.zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(middle, "middle.zip")
    inner.unlink()
    middle.unlink()


def wide_bomb(path: Path) -> None:
    """100 members of 30 MiB each (each under the per-file budget, 2.9 GiB in all)."""
    member = b"<gpx>" + b" " * (30 * 1024**2)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for k in range(100):
            archive.writestr(f"run{k:03d}.gpx", member)


def gzip_bomb(path: Path, size: int = 3 * GIB) -> None:
    with gzip.open(path, "wb", compresslevel=9) as stream:
        _spaces_into(stream, size, b"<gpx>")


def big_gpx(path: Path, size: int = 500 * 1024**2) -> None:
    _spaces_into(path.open("wb"), size, b"<?xml version='1.0'?><gpx>")


def largest_real_gpx(path: Path) -> None:
    """A real-looking GPX just under the 32 MiB budget (~23 h at one point a second)."""
    points, km = [], 20.0
    data = gpx_bytes(run_points(utc(2026, 5, 4, 6), km=km))
    per_km = len(data) / km
    data = gpx_bytes(run_points(utc(2026, 5, 4, 6), km=(31.5 * 1024**2) / per_km))
    path.write_bytes(data)
    del points


def many_sessions(path: Path) -> None:
    """A FIT file with 20,000 one-minute sessions (took 193 s before the session budget)."""
    path.write_bytes(fit_with_sessions(20_000))


def fifo(path: Path) -> None:
    os.mkfifo(path)


def baseline(path: Path) -> None:
    path.write_bytes(gpx_bytes(run_points(utc(2026, 5, 4, 6), km=5)))


BOMBS = {
    "baseline (5 km GPX)": ("run.gpx", baseline),
    "zip bomb 3.6 MB -> 3.5 GiB": ("bomb.zip", zip_bomb),
    "activities.csv of 3 GiB in a zip": ("strava.zip", csv_bomb),
    "zip in zip in zip -> 2 GiB": ("nested.zip", nested_bomb),
    "zip of 100 x 30 MiB members": ("wide.zip", wide_bomb),
    "gzip bomb -> 3 GiB": ("bomb.gpx.gz", gzip_bomb),
    "500 MB GPX file": ("big.gpx", big_gpx),
    "31.5 MiB GPX, a real track (largest allowed)": ("largest.gpx", largest_real_gpx),
    "FIT with 20,000 sessions": ("sessions.fit", many_sessions),
    "FIFO named x.fit": ("x.fit", fifo),
}


#: Runs the command, then prints the peak resident memory (KiB) of that one child: a fresh
#: wrapper per bomb, so each figure is that import's own peak.
WRAPPER = ("import resource, subprocess, sys\n"
           "proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
           "sys.stdout.write(proc.stdout)\n"
           "print('PEAK', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")


def measure(target: Path, db: Path) -> tuple[float, float, str]:
    """(peak MiB, wall s, outcome line) of `strideload import target` in a child process."""
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", WRAPPER, str(STRIDELOAD), "import", str(target), "--db", str(db),
                           "-q"], capture_output=True, text=True, timeout=1800)
    wall = time.monotonic() - start
    lines = [line.strip() for line in proc.stdout.splitlines() if line.strip()]
    peak = int(lines.pop().split()[1]) if lines and lines[-1].startswith("PEAK") else 0
    return peak / 1024, wall, " | ".join(lines[-2:])[:220]


def main(words: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="strideload-bombs-") as tmp:
        folder = Path(tmp)
        print(f"{'bomb':46} {'file':>10} {'peak MiB':>9} {'wall s':>7}  outcome")
        for label, (name, build) in BOMBS.items():
            if words and not any(w in label.lower() or w in name for w in words):
                continue
            path = folder / name
            build(path)
            size = path.stat().st_size if path.is_file() else 0
            peak, wall, outcome = measure(path, folder / "bombs.db")
            print(f"{label:46} {size / 1024**2:8.1f}MB {peak:9.0f} {wall:7.1f}  {outcome}", flush=True)
            if path.exists():
                path.unlink()
        if not words or any(w in "/dev/zero" for w in words):
            peak, wall, outcome = measure(Path("/dev/zero"), folder / "bombs.db")
            print(f"{'/dev/zero':46} {'-':>10} {peak:9.0f} {wall:7.1f}  {outcome}")


if __name__ == "__main__":
    main(sys.argv[1:])
