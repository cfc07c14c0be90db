"""Peak memory of reading a very large GPX (issue 10: a 500 MB GPX took 6.6 GB).

    python benchmarks/bench_xml_memory.py              # 500 MB, every mode
    python benchmarks/bench_xml_memory.py --mb 100 --mode stream

Writes a GPX of about ``--mb`` MB (1 Hz points with elevation, heart rate and cadence, as
the factories write them) to a temporary folder, then reads it in a fresh process per mode
and prints that process's peak resident memory (``ru_maxrss``), the points read and the time:

* ``stream``: ``read_gpx(open(path, "rb"))`` — the reader alone, fed from the file in chunks;
* ``bytes``: ``read_gpx(path.read_bytes())`` — the file held in memory, as the importer holds it;
* ``import``: ``read_activities(path)`` — read, decode and normalise into the per-second stream.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

MODES = {
    "stream": "with path.open('rb') as f: found = read_gpx(f, str(path)); n = sum(len(a.samples) for a in found)",
    "bytes": "found = read_gpx(path.read_bytes(), str(path)); n = sum(len(a.samples) for a in found)",
    "import": "found = read_activities(path, config=Config()); n = sum(len(a.stream) for a in found)",
}


def write_gpx(path: Path, megabytes: float) -> int:
    """A one-track GPX of about ``megabytes`` MB; returns its number of points."""
    start = datetime(2026, 5, 4, 6, tzinfo=timezone.utc)
    target, written, n = megabytes * 1e6, 0, 0
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<gpx creator="bench" version="1.1" '
                  'xmlns="http://www.topografix.com/GPX/1/1" '
                  'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
                  "<trk><name>Long</name><type>running</type><trkseg>\n")
        while written < target:
            rows = []
            for i in range(n, n + 10_000):
                t = (start + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
                rows.append(f'<trkpt lat="{59.91 + (i % 3600) * 2.7e-5:.7f}" lon="10.7500000"><ele>{100 + i % 50}.0'
                            f"</ele><time>{t}</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>"
                            f"{140 + i % 20}</gpxtpx:hr><gpxtpx:cad>85</gpxtpx:cad>"
                            "</gpxtpx:TrackPointExtension></extensions></trkpt>\n")
            n += len(rows)
            chunk = "".join(rows)
            written += len(chunk)
            out.write(chunk)
        out.write("</trkseg></trk></gpx>\n")
    return n


def measure(path: Path, mode: str) -> str:
    code = textwrap.dedent(f"""
        import resource, time
        from pathlib import Path
        from strideload.config import Config
        from strideload.ingest.gpx import read_gpx
        from strideload.ingest.importer import read_activities
        path = Path({str(path)!r})
        started = time.perf_counter()
        {MODES[mode]}
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{{n:,}} samples in {{seconds:.1f}} s, peak memory {{peak:,.0f}} MB")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return done.stdout.strip() or done.stderr.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=500, help="size of the GPX in MB (default 500)")
    parser.add_argument("--mode", choices=list(MODES), action="append", help="what to measure (default: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "large.gpx"
        points = write_gpx(path, args.mb)
        print(f"{path.stat().st_size / 1e6:,.0f} MB GPX, {points:,} points")
        for mode in args.mode or list(MODES):
            print(f"  {mode:7s} {measure(path, mode)}")


if __name__ == "__main__":
    main()
