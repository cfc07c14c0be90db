"""Worst case per column of strideload's importers against the devices' own totals.

    python tools/corpus_report.py            # reads ../shared/corpus (or $STRIDELOAD_CORPUS)

Prints, for every running file with device totals, strideload's value next to the device's,
then the worst deviation per column:

* distance and timer (%), and the stream's own last distance (%);
* ascent (m) against the device, with the elevation sensor strideload decided;
* cadence: the stream's mean against 2 × the device's per-foot average (proves the decoding),
  ``device_cadence_spm`` against the same (what the watch app shows), and the summary's
  ``cadence_spm`` (median of the running part, walking left out: higher on run/walk files);
* the share of moving time classified as running (``strideload.gait``).

Then it imports the whole corpus as one folder into a throwaway store: every file must end
as added, duplicate, non-running, skipped or failed with a reason, never a traceback. The
tolerances themselves are enforced by tests/test_corpus_totals.py; this is the figure to
quote in notes.
"""

from __future__ import annotations

import csv
import logging
import os
import sys
import tempfile
from pathlib import Path

from strideload.config import parse_config
from strideload.errors import FileImportError
from strideload.gait import walk_run_seconds
from strideload.ingest.importer import import_paths, read_activities
from strideload.store import Store

#: ``$STRIDELOAD_CORPUS``, else ``shared/corpus`` beside the repository (or one level up, from a git worktree).
CORPUS = next((p for p in (Path(os.environ.get("STRIDELOAD_CORPUS", "/nonexistent")),
                           *(parent / "shared" / "corpus" for parent in Path(__file__).resolve().parents[2:4]))
               if (p / "MANIFEST.csv").is_file()), Path(__file__).resolve().parents[2] / "shared" / "corpus")


def main() -> None:
    logging.disable(logging.WARNING)
    manifest = CORPUS / "MANIFEST.csv"
    if not manifest.is_file():
        sys.exit(f"no corpus at {CORPUS}")
    config = parse_config({"settings": {"timezone": "UTC"}})
    worst: dict[str, tuple[float, str]] = {}

    def note(column: str, error: float, name: str) -> None:
        if column not in worst or error > worst[column][0]:
            worst[column] = (error, name)

    rows = list(csv.DictReader(manifest.open(encoding="utf-8")))
    for row in rows:
        if not row["gt_total_distance_m"] or row["is_running"] != "True":
            continue
        try:
            runs = [a for a in read_activities(CORPUS / "files" / row["file"], config=config) if a.running]
        except FileImportError as exc:
            print(f"{row['file']:48s} not imported: {exc.reason}")
            continue
        if not runs:
            continue
        summary, stream = runs[0].summary, runs[0].stream
        distance = abs(summary["distance_m"] / float(row["gt_total_distance_m"]) - 1) * 100 \
            if float(row["gt_total_distance_m"]) else 0.0
        timer = abs(summary["timer_s"] / float(row["gt_total_timer_time_s"]) - 1) * 100
        gt = float(row["gt_total_distance_m"])
        stream_distance = abs(stream["distance_m"].iloc[-1] / gt - 1) * 100 if gt and len(stream) else 0.0
        note(f"{row['format']} distance %", distance, row["file"])
        note(f"{row['format']} stream distance %", stream_distance, row["file"])
        note(f"{row['format']} timer %", timer, row["file"])
        line = f"{row['file']:48s} dist {distance:5.2f} % (stream {stream_distance:5.2f} %)  timer {timer:5.2f} %"
        run_s, walk_s = walk_run_seconds(stream)
        if run_s + walk_s:
            line += f"  running {100 * run_s / (run_s + walk_s):3.0f} %"
        if row["gt_avg_cadence"]:
            device = 2 * (float(row["gt_avg_cadence"]) + float(row["gt_avg_fractional_cadence"] or 0))
            cadence = stream["cadence_spm"]
            error = min(abs(cadence.mean() - device), abs(cadence[cadence > 0].mean() - device))
            note("cadence stream mean vs device, steps/min", error, row["file"])
            line += f"  cadence {error:4.1f} spm"
            if summary["device_cadence_spm"] is not None:
                own = abs(summary["device_cadence_spm"] - device)
                note("device_cadence_spm vs device, steps/min", own, row["file"])
                line += f" (device_cadence_spm {summary['device_cadence_spm']:.1f} vs {device:.1f}"
                line += f", running median {summary['cadence_spm'] or 0:.0f})"
        if row["gt_total_ascent_m"] and row["has_elevation"] == "True" and summary["ascent_m"] is not None:
            device = float(row["gt_total_ascent_m"])
            error = abs(summary["ascent_m"] - device)
            note("ascent m (tolerance max(15 m, 15 %))", error, row["file"])
            line += f"  ascent {summary['ascent_m']:6.1f} vs {device:6.1f} m ({summary['elevation_source']})"
        print(line)
    print("\nworst case per column:")
    for column, (error, name) in worst.items():
        print(f"  {column:42s} {error:7.2f}  ({name})")
    print("\nGPX/TCX without device totals (what strideload makes of them; no reference to compare):")
    for row in rows:
        if row["format"] in ("gpx", "tcx") and not row["gt_total_distance_m"]:
            print(f"  {row['file']:48s} {_summary(CORPUS / 'files' / row['file'], config)}")
    whole_corpus(config, len(rows))


def _summary(path: Path, config) -> str:
    try:
        found = read_activities(path, config=config)
    except FileImportError as exc:
        return f"not imported: {exc.reason}"
    return "; ".join(f"{a.summary['sport'] or '?'} {a.summary['distance_m'] / 1000:.2f} km "
                     f"{a.summary['timer_s'] / 60:.1f} min ascent {a.summary['ascent_m'] or 0:.0f} m "
                     f"({len(a.stream)} s)" for a in found)


def whole_corpus(config, expected: int) -> None:
    """Import every corpus file as one folder: each ends with an outcome, none with a traceback."""
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "corpus.db") as store:
        result = import_paths(store, [CORPUS / "files"], athlete="t", config=config)
    paths = {o.path for o in result.outcomes}
    print(f"\nwhole corpus as one folder: {len(paths)} of {expected} files with an outcome; {result.counts()}")
    for outcome in result.failed + result.of("skipped"):
        print(f"  {outcome.status:8s} {Path(outcome.path).relative_to(CORPUS / 'files')}: {outcome.reason}")
    unexpected = [o for o in result.failed if "unexpected error" in (o.reason or "")]
    print(f"  unexpected errors (bugs): {len(unexpected)}")


if __name__ == "__main__":
    main()
