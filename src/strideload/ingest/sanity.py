"""Plausibility of what a file says, at import: what cannot be real never becomes load.

Two hooks, one line each in the importer:

* :func:`clean_raws`, on the readers' sessions before normalising: samples dated before
  ``earliest_activity_year`` or after tomorrow are dropped; sample values outside physical
  ranges (negative or astronomic distance, speed, heart rate, cadence, coordinates) become
  missing; device totals that are negative, not finite or absurd are dropped (the stream's
  own values are used instead). Each drop is counted in a note kept with the activity.
  A file whose timestamps step back in file order (mixed time zones, spliced tracks:
  the distance multiplies) or, for GPX/TCX, repeat the previous timestamp too often (the
  duration shrinks) is rejected, as is one with more sessions or records than its budget.
* :func:`check_activity`, on the normalised summary: a run dated outside [1 January
  ``earliest_activity_year``, tomorrow], longer than ``max_run_distance_km``, faster on
  average than ``max_run_speed_mps``, or any activity timed beyond ``max_activity_hours``,
  is rejected.

Rejected means :class:`~strideload.errors.ImplausibleError`: the file fails with the reason
and the setting, is recorded, and nothing of it is stored. (Placeholder altitudes and GPS
spikes inside a plausible run are handled elsewhere: ``ingest.terrain`` and the analysis.)
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import numpy as np

from ..config import Config
from ..errors import BudgetError, ImplausibleError
from ..model import Activity, RawActivity, epoch_ns, utc_from_iso

#: Physical ranges of sample values: outside them a value is a misread, not a measurement.
SAMPLE_RANGES = {
    "distance_m": (0.0, 1e7),  # 10,000 km
    "speed_mps": (0.0, 100.0),
    "heart_rate_bpm": (0.0, 300.0),  # 0: no reading (strap off), left to the analysis
    "cadence_spm": (0.0, 400.0),
    "latitude_deg": (-90.0, 90.0),
    "longitude_deg": (-180.0, 180.0),
}
MAX_TOTAL_DISTANCE_M = 1e7
MAX_TOTAL_CLIMB_M = 50_000.0
MIN_DISORDER_STEPS = 3  # a few steps back or repeats are glitches, whatever the share


def _window(config: Config) -> tuple[datetime, datetime]:
    """[1 January of ``earliest_activity_year``, this time tomorrow], in UTC."""
    earliest = datetime(config.get("earliest_activity_year"), 1, 1, tzinfo=timezone.utc)
    latest = datetime.now(timezone.utc) + timedelta(days=1)
    return earliest, latest


def clean_raws(raws: list[RawActivity], path: str, config: Config) -> list[str]:
    """Drop implausible samples and totals of ``raws`` in place; return notes of what was dropped.
    Raises :class:`ImplausibleError` (disordered time) or :class:`BudgetError` (too many sessions
    or samples) for the whole file."""
    if len(raws) > config.get("max_sessions_per_file"):
        raise BudgetError(f"more than {config.get('max_sessions_per_file'):,} sessions in one file",
                          setting="max_sessions_per_file", path=path)
    if sum(raw.sample_count for raw in raws) > config.get("max_records_per_file"):
        raise BudgetError(f"more than {config.get('max_records_per_file'):,} records in one file",
                          setting="max_records_per_file", path=path)
    notes: list[str] = []
    earliest, latest = _window(config)
    for raw in raws:
        _check_order(raw, path, config)
        if raw.sample_count:
            notes.extend(_clean_samples(raw, path, earliest, latest))
        notes.extend(_clean_totals(raw, config))
    return notes


def _clean_samples(raw: RawActivity, path: str, earliest: datetime, latest: datetime) -> list[str]:
    """Drop ``raw``'s samples dated outside [earliest, latest] and blank values outside
    :data:`SAMPLE_RANGES` (new arrays: a reader's may be read-only views)."""
    notes = []
    columns = raw.columns
    dated = (columns["time"] >= epoch_ns(earliest)) & (columns["time"] <= epoch_ns(latest))
    if not dated.any():
        raise ImplausibleError(f"every sample is dated before {earliest:%Y-%m-%d} or after tomorrow "
                               f"(first {raw.first_time():%Y-%m-%d}; setting earliest_activity_year)", path=path)
    if not dated.all():
        notes.append(f"{int((~dated).sum())} samples dated before {earliest:%Y-%m-%d} or after tomorrow dropped")
        columns = {name: values[dated] for name, values in columns.items()}
    bad = 0
    for column, (low, high) in SAMPLE_RANGES.items():
        values = columns[column]
        with np.errstate(invalid="ignore"):
            wrong = (values < low) | (values > high) | np.isinf(values)
        if wrong.any():
            bad += int(wrong.sum())
            columns = {**columns, column: np.where(wrong, np.nan, values)}
    if bad:
        notes.append(f"{bad} sample values outside physical ranges dropped")
    raw.columns = columns
    start = raw.start_time
    if start is not None and not earliest <= start <= latest:
        raw.start_time = raw.first_time()
        notes.append(f"start time {start:%Y-%m-%d %H:%M} replaced by the first dated sample's")
    return notes


def _check_order(raw: RawActivity, path: str, config: Config) -> None:
    rows, backward, repeated = raw.order.timed_rows, raw.order.backward_steps, raw.order.repeated_steps
    if backward >= MIN_DISORDER_STEPS and backward > config.get("max_backward_time_share") * rows:
        raise ImplausibleError(f"timestamps step back {backward:,} times in {rows:,} samples (mixed time zones "
                               "or spliced tracks?): times cannot be trusted (setting max_backward_time_share)",
                               path=path)
    if raw.format in ("gpx", "tcx") and repeated >= MIN_DISORDER_STEPS \
            and repeated > config.get("max_repeated_time_share") * rows:
        raise ImplausibleError(f"{repeated:,} of {rows:,} samples repeat the previous timestamp: the duration "
                               "cannot be trusted (setting max_repeated_time_share)", path=path)


def _clean_totals(raw: RawActivity, config: Config) -> list[str]:
    totals, notes = raw.totals, []
    max_s = config.get("max_activity_hours") * 3600
    bounds = {"distance_m": MAX_TOTAL_DISTANCE_M, "timer_s": max_s, "elapsed_s": max_s,
              "ascent_m": MAX_TOTAL_CLIMB_M, "descent_m": MAX_TOTAL_CLIMB_M}
    for name, high in bounds.items():
        value = getattr(totals, name)
        if value is not None and not (math.isfinite(value) and 0 <= value <= high):
            setattr(totals, name, None)
            notes.append(f"device total {name} = {value:.6g} dropped (not a plausible value)")
    return notes


def check_activity(activity: Activity, path: str, config: Config, notes: list[str]) -> None:
    """Reject (:class:`ImplausibleError`) an activity that cannot be real; keep ``notes`` with it."""
    summary = activity.summary
    earliest, latest = _window(config)
    start = utc_from_iso(summary["start_time"])
    if not earliest <= start <= latest:
        when = "before " + f"{earliest:%Y-%m-%d}" if start < earliest else "after tomorrow"
        raise ImplausibleError(f"dated {start:%Y-%m-%d}, {when} (setting earliest_activity_year)", path=path)
    distance = summary.get("distance_m")
    if distance is None or not math.isfinite(distance) or distance < 0:
        raise ImplausibleError(f"distance {distance} m is not a distance", path=path)
    max_s = config.get("max_activity_hours") * 3600
    for name in ("timer_s", "elapsed_s"):
        value = summary.get(name)
        if value is not None and not (math.isfinite(value) and 0 <= value <= max_s):
            raise ImplausibleError(f"{name} {value:.6g} s is beyond {config.get('max_activity_hours'):g} h "
                                   "(setting max_activity_hours)", path=path)
    fastest = config.get("max_activity_speed_mps")
    speed = summary.get("avg_speed_mps")
    if (speed is not None and speed > fastest) or distance > fastest * max_s:
        shown = f"averaging {speed:,.0f} m/s" if speed is not None and speed > fastest else \
            f"of {distance / 1000:,.0f} km"
        raise ImplausibleError(f"an activity {shown} cannot be real: faster than sound "
                               f"(setting max_activity_speed_mps)", path=path)
    if summary.get("running"):
        max_m = config.get("max_run_distance_km") * 1000
        if distance > max_m:
            raise ImplausibleError(f"a run of {distance / 1000:,.1f} km is longer than "
                                   f"{max_m / 1000:g} km (setting max_run_distance_km)", path=path)
        speed = summary.get("avg_speed_mps")
        if speed is not None and speed > config.get("max_run_speed_mps"):
            raise ImplausibleError(f"a run averaging {speed:.1f} m/s is faster than "
                                   f"{config.get('max_run_speed_mps'):g} m/s (setting max_run_speed_mps)", path=path)
    activity.notes.extend(notes)
