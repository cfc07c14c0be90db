"""Worst case per column of strideload's importers against the devices' own totals.

    python tools/corpus_report.py            # reads ../shared/corpus

Prints, for every running file with device totals, strideload's value next to the device's,
then the worst deviation per column. The tolerances themselves are enforced by
tests/test_corpus_totals.py; this is the figure to quote in notes.
"""

from __future__ import annotations

import csv
import logging
import os
import sys
from pathlib import Path

from strideload.config import parse_config
from strideload.errors import FileImportError
from strideload.ingest.importer import read_activities

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

    for row in csv.DictReader(manifest.open(encoding="utf-8")):
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
        if row["gt_avg_cadence"]:
            device = 2 * (float(row["gt_avg_cadence"]) + float(row["gt_avg_fractional_cadence"] or 0))
            cadence = stream["cadence_spm"]
            error = min(abs(cadence.mean() - device), abs(cadence[cadence > 0].mean() - device))
            note("cadence steps/min", error, row["file"])
            line += f"  cadence {error:4.1f} spm"
        if row["gt_total_ascent_m"] and row["has_elevation"] == "True" and summary["ascent_m"] is not None:
            device = float(row["gt_total_ascent_m"])
            error = abs(summary["ascent_m"] - device)
            note("ascent m (tolerance max(15 m, 15 %))", error, row["file"])
            line += f"  ascent {summary['ascent_m']:6.1f} vs {device:6.1f} m"
        print(line)
    print("\nworst case per column:")
    for column, (error, name) in worst.items():
        print(f"  {column:40s} {error:7.2f}  ({name})")


if __name__ == "__main__":
    main()
