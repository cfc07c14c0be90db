"""The settings registry: every threshold and window strideload uses, as data.

Each :class:`Setting` has a name, default, unit, the science.md source key it comes from
('-' for bookkeeping, with the reasoning in its description), what it does, and its bounds.
Code reads values only through :class:`strideload.config.Config`, which applies a user's
TOML file on top of these defaults; ``strideload config`` prints this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One configurable value. ``kind`` is the Python type values must have."""

    name: str
    default: Any
    unit: str
    source: str
    description: str
    kind: type = float
    per_athlete: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None


def _settings(*items: Setting) -> dict[str, Setting]:
    return {s.name: s for s in items}


#: Every setting strideload knows, in one place. Code reads them only through :class:`Config`.
SETTINGS: dict[str, Setting] = _settings(
    Setting("timezone", "", "IANA zone", "local_dates",
            "Athlete's time zone for GPX/TCX local dates; empty = this machine's zone.",
            kind=str, per_athlete=True),
    Setting("timezone_nearest_days", 7.0, "days", "local_dates",
            "A GPX/TCX run whose coordinates give no zone takes the zone of the athlete's run that stated "
            "its own (FIT offset, or coordinates) closest in time, at most this many days away; else the "
            "configured zone. A week: runs are days apart, and a shorter trip changes little.",
            minimum=0, maximum=366),
    Setting("default_athlete", "me", "name", "-",
            "Athlete name used when --athlete is not given.", kind=str),
    Setting("units", "metric", "-", "-",
            "Distances and paces in the command line's tables: metric (km, min/km) or imperial "
            "(mi, min/mi). Display only: the store, JSON, CSV and the HTML reports stay metric.",
            kind=str, choices=("metric", "imperial")),
    Setting("duplicate_start_window_s", 60.0, "s", "-",
            "Two files of one run: starts at most this far apart ...", minimum=0),
    Setting("duplicate_distance_tolerance", 0.03, "fraction", "-",
            "... and distances within this fraction of each other.", minimum=0, maximum=1),
    Setting("max_archive_bytes", 4 * 1024**3, "bytes", "-",
            "Largest total decompressed size of one zip/gzip archive (zip-bomb guard).",
            kind=int, minimum=1),
    Setting("max_archive_depth", 3, "levels", "-",
            "Deepest nesting of zips inside zips.", kind=int, minimum=1, maximum=10),
    Setting("parallel_min_bytes", 6 * 1024**2, "bytes", "-",
            "Imports of fewer bytes run in one process: starting worker processes (about half a second) "
            "costs more than it saves. Measured on 2 cores: two workers were slower for 40 FIT runs "
            "(1.8 MB), even at 100 (5 MB), 1.3x as fast at 200 (11 MB).", kind=int, minimum=0),
    Setting("import_batch_files", 64, "files", "-",
            "An import writes the store in transactions of up to this many files (or of one second): "
            "each file stays atomic, and fewer commits cost less. A kill loses at most the files since "
            "the last commit, which the next import redoes.", kind=int, minimum=1),
    # --- reading files --------------------------------------------------------------------
    Setting("elevation_min_m", -450.0, "m", "-",
            "Elevation samples below this are placeholders and dropped before smoothing (the lowest "
            "land, the Dead Sea shore, is about -430 m; TomTom writes -500 m before its first fix).",
            minimum=-11000, maximum=0),
    Setting("elevation_max_m", 9000.0, "m", "-",
            "Elevation samples above this are impossible and dropped (Everest is 8849 m; a FIT uint16 "
            "altitude left at its invalid value reads 12607 m).", minimum=0),
    Setting("elevation_jump_m", 100.0, "m", "-",
            "A change larger than this between samples less than a minute apart is a glitch, not terrain "
            "(no runner climbs 100 m in a minute): the shorter side of the jump is dropped.", minimum=1),
    Setting("surface_gps_min_extent_m", 200.0, "m", "-",
            "A run with no surface stated is on the road by default when its GPS positions spread at least "
            "this far from the start (GPS drift on a treadmill stays well inside it).", minimum=0),
    # --- walking or running (strideload.gait) -------------------------------------------------
    Setting("gait_run_cadence_spm", 140.0, "steps/min", "-",
            "A moving second at or above this cadence is running (walking rarely exceeds ~135).",
            per_athlete=True, minimum=60, maximum=250),
    Setting("gait_run_speed_mps", 1.9, "m/s", "-",
            "... and so is a second at or above this speed, near where adults change from walking to "
            "running (1.9-2.1 m/s), with at least gait_min_run_cadence_spm; without cadence, speed alone.",
            per_athlete=True, minimum=0.5, maximum=6),
    Setting("gait_min_run_cadence_spm", 115.0, "steps/min", "-",
            "Fewest steps/min of a running second decided by speed (a 130 steps/min shuffle at 2.2 m/s runs; "
            "walking at 2 m/s takes about 125 or more, so a lower cadence means the speed is a GPS spike).",
            per_athlete=True, minimum=0, maximum=250),
    # --- budgets per imported file (hostile or broken files stop themselves, nothing else) ---
    Setting("max_file_bytes", 32 * 1024**2, "bytes", "-",
            "Largest activity file read (after gzip/zip decompression; also the largest activities.csv). "
            "Decoding holds the file in memory and needs up to ~12x its size: 32 MiB keeps an import "
            "under ~500 MB and is above a 24 h run recorded every second in any format.",
            kind=int, minimum=1024),
    Setting("max_sessions_per_file", 100, "sessions", "-",
            "Most sessions (activities) one file may hold; a multisport race has fewer than 10.",
            kind=int, minimum=1),
    Setting("max_records_per_file", 250_000, "records", "-",
            "Most records (samples) one file may hold: 69 h at one per second; each costs ~1 KB "
            "while decoding.", kind=int, minimum=100),
    Setting("max_file_seconds", 120.0, "s", "-",
            "Longest time spent reading and decoding one file before it fails (the largest real "
            "files take ~15 s on a slow machine).", minimum=0.1),
    # --- plausibility of imported values -----------------------------------------------------
    Setting("earliest_activity_year", 2000, "year", "-",
            "Samples and runs dated before 1 January of this year are not real activities "
            "(GPS watches with files strideload reads appeared around 2000).",
            kind=int, minimum=1990, maximum=2100),
    Setting("max_run_distance_km", 500.0, "km", "-",
            "A single run longer than this is implausible (the longest non-stop races are ~250 km).",
            minimum=1),
    Setting("max_run_speed_mps", 12.0, "m/s", "-",
            "A run whose average speed is above this is implausible (the 100 m world record "
            "averages 10.4 m/s).", minimum=1),
    Setting("max_activity_hours", 200.0, "h", "-",
            "Timer or elapsed time of one activity above this is implausible.", minimum=1),
    Setting("max_activity_speed_mps", 343.0, "m/s", "-",
            "Any activity (a ride, a drive, a flight recorded by mistake) averaging faster than sound is a "
            "broken distance, and so is one longer than this speed times max_activity_hours.", minimum=1),
    Setting("max_backward_time_share", 0.01, "fraction", "-",
            "A file whose samples step back in time (in file order) more than this share of the "
            "time is rejected: mixed time zones or spliced tracks, which multiply the distance.",
            minimum=0, maximum=1),
    Setting("max_repeated_time_share", 0.25, "fraction", "-",
            "A GPX/TCX file in which more than this share of samples repeat the previous one's "
            "timestamp is rejected: its duration is too short (a whole-second 1 Hz writer repeats none).",
            minimum=0, maximum=1),
    Setting("max_xml_bytes", 512 * 1024**2, "bytes", "-",
            "Largest GPX/TCX document read (after gzip); a larger one fails with a reason. A day of "
            "1 Hz GPX is about 30 MB and a 150 h ultra about 160 MB; the readers stream, but the "
            "importer holds a file's bytes, so this bounds memory (a 500 MB GPX peaks at 1.2 GB).",
            kind=int, minimum=1),
    Setting("max_xml_depth", 64, "levels", "-",
            "Deepest element nesting in a GPX/TCX document (real files nest 7-11 deep); deeper is refused "
            "as hostile, before any parser could exhaust its stack.", kind=int, minimum=8, maximum=10_000),
    # --- watching folders -----------------------------------------------------------------
    Setting("watch_settle_s", 2.0, "s", "-",
            "strideload watch reads a file once its size and time stamp have not changed for this long.",
            minimum=0.05, maximum=3600),
    Setting("watch_batch_max_files", 500, "files", "-",
            "Most files imported in one batch (one progress display, one summary, one report rebuild).",
            kind=int, minimum=1),
    Setting("watch_batch_max_wait_s", 30.0, "s", "-",
            "A settled file waits at most this long for others still being copied before its batch starts.",
            minimum=0),
    Setting("watch_poll_interval_s", 2.0, "s", "-",
            "How often the polling observer (--poll, network drives) looks at the folders.",
            minimum=0.05, maximum=3600),
    Setting("watch_rescan_s", 300.0, "s", "-",
            "Look through the whole folders this often for changes the events missed; 0 = never.",
            minimum=0),
    # --- analysis: load -------------------------------------------------------------------
    Setting("load_unit", "distance", "-", "williams2017",
            "Daily load for the ratios and monotony, and the weekly change: running distance (km), duration (running "
            "time, min), rpe (session-RPE: RPE x min, foster2001) or trimp (heart-rate TRIMP, banister1991). "
            "A run without RPE or heart rate is a gap in that unit, never zero load.",
            kind=str, per_athlete=True, choices=("distance", "duration", "rpe", "trimp")),
    Setting("hr_rest_bpm", 0.0, "1/min", "banister1991",
            "Resting heart rate for TRIMP; 0 = estimated from the runs (the lowest rate held for "
            "hr_estimate_hold_s in one run: an upper bound, as the watch never sees you at rest), and said so.",
            per_athlete=True, minimum=0, maximum=150),
    Setting("hr_max_bpm", 0.0, "1/min", "banister1991",
            "Maximum heart rate for TRIMP; 0 = estimated from the runs (the highest rate held for "
            "hr_estimate_hold_s in one run: a lower bound unless you have raced all-out), and said so.",
            per_athlete=True, minimum=0, maximum=250),
    Setting("hr_estimate_hold_s", 60.0, "s", "banister1991",
            "A heart rate counts towards an estimated resting or maximum rate only when a run held it (or "
            "lower / higher) this long: one-second strap spikes and dropouts are not a maximum.",
            minimum=1, maximum=3600),
    Setting("trimp_weighting", "men", "-", "morton1990",
            "TRIMP's weighting of the heart-rate reserve x: men 0.64 e^(1.92 x), women 0.86 e^(1.67 x) "
            "(Morton 1990, from blood lactate).", kind=str, per_athlete=True, choices=("men", "women")),
    Setting("trimp_min_hr_share", 0.8, "fraction", "-",
            "A run has a TRIMP only when at least this share of its moving seconds has a heart rate; "
            "otherwise it is a gap in the TRIMP unit (a strap that dropped out undercounts the load).",
            minimum=0, maximum=1),
    Setting("acwr_acute_days", 7, "days", "williams2017",
            "Acute window of the ratios; also N of the acute EWMA (λ = 2/(N+1)).",
            kind=int, minimum=1, maximum=60),
    Setting("acwr_chronic_days", 28, "days", "williams2017",
            "Chronic window of the ratios; also N of the chronic EWMA (λ = 2/(N+1)).",
            kind=int, minimum=2, maximum=365),
    Setting("acwr_min_history_days", 28, "days", "windt2019",
            "Ratios are hidden on this many first days of an athlete's series, and of each return after a gap "
            "(a value under acwr_chronic_days also needs coverage_min_pct lowered).",
            kind=int, minimum=0, maximum=365),
    Setting("acwr_sweet_low", 0.8, "ratio", "gabbett2016",
            "Lower edge of the 'sweet spot' band of the ratios.", minimum=0),
    Setting("acwr_sweet_high", 1.3, "ratio", "gabbett2016",
            "Upper edge of the 'sweet spot' band of the ratios.", minimum=0),
    Setting("acwr_high", 1.5, "ratio", "gabbett2016",
            "acwr_high caution when the EWMA ratio reaches this (contested in runners).", minimum=0),
    Setting("acwr_ewma_seed", "mean", "-", "ewma_seeding",
            "Starting value of both EWMAs at the start of history and after each gap: 'mean' = the mean "
            "daily load of the first acwr_min_history_days days (the first ratio shown is then unbiased); "
            "'zero' = 0 (Williams 2017 as printed; reads ~14 % high on the first days shown).",
            kind=str, choices=("mean", "zero")),
    # --- analysis: coverage and comparisons -----------------------------------------------
    Setting("coverage_gap_days", 14, "days", "coverage",
            "This many days in a row without any recorded activity (any sport) are a gap in the records, "
            "not rest: from the gap's Nth day on, days are uncovered (a fortnight is longer than a usual "
            "holiday week and half the 28-day chronic window). The days before the first activity are a gap too.",
            kind=int, minimum=2, maximum=365),
    Setting("coverage_min_pct", 100.0, "%", "coverage",
            "A ratio, spike, weekly increase, monotony or surface share is computed only when at least this "
            "share of the days in its window is covered; otherwise it is 'insufficient history' with the "
            "reason. 100 % = the whole window lies after the history start and after the last gap.",
            minimum=0, maximum=100),
    Setting("stale_after_days", 7, "days", "coverage",
            "status and the report say first that the data is old when the last run is more than this many "
            "days before the day looked at (a week: the status looks at a week).",
            kind=int, minimum=1, maximum=365),
    Setting("ratio_decimals", 2, "decimals", "precision",
            "Ratios (spikes, acute:chronic, downhill, monotony) are compared with their thresholds rounded to "
            "this many decimals, the precision science.md states them in and the reports show, so a ratio of "
            "exactly 1.10 is not above 1.10 through floating-point error.", kind=int, minimum=0, maximum=9),
    Setting("percent_decimals", 1, "decimals", "precision",
            "Percentages (weekly increase, cadence below the line, surface shares) are compared with their "
            "thresholds rounded to this many decimals (a tenth of a percent: exactly 30 % is not above 30 %, "
            "and 4.8 % is not 5 %).", kind=int, minimum=0, maximum=9),
    Setting("stretch_merge_days", 7, "days", "-",
            "A day-level flag (acwr_high, weekly_increase, monotony_high, surface_change) or a low_cadence "
            "pattern that starts again within this many days of the end of the last one continues it: one "
            "flag per stretch, not one each time a value crosses the line and back.",
            kind=int, minimum=0, maximum=60),
    # --- analysis: plausibility -----------------------------------------------------------
    Setting("plausible_max_speed_mps", 7.0, "m/s", "plausibility",
            "A run whose average speed is above this is set aside (quarantined): faster than the 5000 m "
            "world-record average (6.6 m/s) over a whole session; cars, bikes and GPS glitches go far above.",
            minimum=0),
    Setting("plausible_max_1min_speed_mps", 10.0, "m/s", "plausibility",
            "... or whose fastest minute (GPS spikes removed) is above this: the 400 m world record averages "
            "9.3 m/s, and no one holds more for 60 s.", minimum=0),
    Setting("plausible_max_distance_km", 330.0, "km", "plausibility",
            "... or longer than this: beyond the 24-hour running world record (about 320 km).", minimum=0),
    Setting("plausible_max_duration_h", 48.0, "h", "plausibility",
            "... or with more timer time than this: longer than the cut-offs of the longest single-stage "
            "mountain ultras; a watch left recording.", minimum=0),
    Setting("plausible_max_climb_m_per_km", 600.0, "m/km", "plausibility",
            "... or climbing or descending more than this per km over at least 1 km: steeper than the "
            "steepest vertical-kilometre courses (about 530 m/km); barometer or GPS-altitude faults.",
            minimum=0),
    # --- analysis: per-run spikes ---------------------------------------------------------
    Setting("session_spike_window_days", 30, "days", "frandsen2025",
            "A run is compared with the longest run started in this many days before it.",
            kind=int, minimum=1, maximum=365),
    Setting("session_spike_small", 1.10, "ratio", "frandsen2025",
            "Small session spike (caution) above this ratio to the previous longest run.", minimum=1),
    Setting("session_spike_moderate", 1.30, "ratio", "frandsen2025",
            "Moderate session spike (alert) above this ratio.", minimum=1),
    Setting("session_spike_large", 2.00, "ratio", "frandsen2025",
            "Large session spike (alert) above this ratio.", minimum=1),
    Setting("downhill_spike_window_days", 30, "days", "gottschall2005",
            "A run's downhill is compared with the most of one run in this many days before it.",
            kind=int, minimum=1, maximum=365),
    Setting("downhill_spike_ratio", 1.3, "ratio", "gottschall2005",
            "downhill_spike when a run's distance at grade <= -5 % exceeds this times that most.",
            minimum=1),
    Setting("downhill_spike_min_km", 1.0, "km", "gottschall2005",
            "... and is at least this long.", minimum=0),
    # --- analysis: week over week ---------------------------------------------------------
    Setting("weekly_increase_days", 7, "days", "nielsen2014",
            "Length of the two windows compared by weekly_increase.", kind=int, minimum=1, maximum=60),
    Setting("weekly_increase_pct", 30.0, "%", "nielsen2014",
            "weekly_increase when the last window exceeds the usual one by more than this.",
            minimum=0),
    Setting("weekly_increase_min_km", 10.0, "km", "nielsen2014",
            "... and the usual window had at least this much running.", minimum=0),
    Setting("weekly_increase_usual_weeks", 4, "windows", "weekly_baseline",
            "The usual window is the mean of this many windows before the last one, so a runner who runs "
            "every other day (4 runs in one 7 days, 3 in the next) is not read as a 33 % increase; an even "
            "number of weeks holds as many runs of each kind (4 weeks: 14 runs, 3.5 a week).",
            kind=int, minimum=1, maximum=12),
    Setting("monotony_days", 7, "days", "foster1998",
            "Days of daily load (zeros included) behind monotony and strain.",
            kind=int, minimum=2, maximum=60),
    Setting("monotony_high", 2.0, "mean/sd", "foster1998",
            "monotony_high (info) when monotony exceeds this.", minimum=0),
    # --- analysis: cadence ----------------------------------------------------------------
    Setting("cadence_fit_days", 60, "days", "heiderscheit2011",
            "Cadence-vs-speed line fitted on the runs of this many days, ending cadence_fit_lag_days "
            "before each run; also the window of the median speed that defines easy pace.",
            kind=int, minimum=1, maximum=730),
    Setting("cadence_fit_min_runs", 5, "runs", "heiderscheit2011",
            "Fewest runs (with cadence and speed) the line needs.", kind=int, minimum=2),
    Setting("cadence_fit_lag_days", 14, "days", "cadence_baseline",
            "The line judging a run is fitted on runs that ended at least this many days before it, so a new "
            "low-cadence block is compared with the runner's earlier normal rather than with itself.",
            kind=int, minimum=0, maximum=365),
    Setting("low_cadence_drop_pct", 5.0, "%", "heiderscheit2011",
            "low_cadence when a run's cadence is at least this far below the line's prediction.",
            minimum=0, maximum=100),
    Setting("cadence_outlier_pct", 10.0, "%", "cadence_baseline",
            "A run this far above its line, or low_cadence_drop_pct below it, is left out of later lines "
            "(robust to outliers: the line stays the runner's normal).", minimum=0, maximum=100),
    Setting("cadence_hint_spm", 166.0, "steps/min", "heiderscheit2011",
            "cadence_hint for easy runs (at or below the athlete's median speed) below this.",
            per_athlete=True, minimum=0, maximum=300),
    Setting("cadence_hint_repeat_days", 28, "days", "heiderscheit2011",
            "One cadence_hint per stretch of easy runs below the hint: an easy run at or above it ends the "
            "stretch only if the next one below comes more than this many days later.", kind=int, minimum=1),
    # --- analysis: surface ----------------------------------------------------------------
    Setting("surface_recent_days", 7, "days", "malisoux2015",
            "Recent window of surface_change.", kind=int, minimum=1, maximum=60),
    Setting("surface_previous_days", 28, "days", "malisoux2015",
            "Window before the recent one that surface_change compares with.",
            kind=int, minimum=1, maximum=365),
    Setting("surface_previous_max_pct", 10.0, "%", "malisoux2015",
            "surface_change for a surface with less than this share of the previous window ...",
            minimum=0, maximum=100),
    Setting("surface_recent_min_pct", 30.0, "%", "malisoux2015",
            "... and more than this share of the recent window.", minimum=0, maximum=100),
    # --- pain log ---------------------------------------------------------------------------
    Setting("pain_profile", "pfp", "-", "trek_pfp",
            "Pain rules: pfp (patellofemoral, default) or silbernagel (tendon, Silbernagel 2007).",
            kind=str, per_athlete=True, choices=("pfp", "silbernagel")),
    Setting("pain_during_green_max", 2.0, "points (0-10)", "trek_pfp",
            "pfp: pain during a run above this (and at most pain_red_above) is amber.",
            per_athlete=True, minimum=0, maximum=10),
    Setting("pain_red_above", 5.0, "points (0-10)", "trek_pfp",
            "Any score above this is red (silbernagel2007: up to 5 during and after is acceptable).",
            per_athlete=True, minimum=0, maximum=10),
    Setting("pain_morning_rise_caution", 1.0, "points", "trek_pfp",
            "Next-morning score this much above the morning before the run: amber.",
            per_athlete=True, minimum=0.5, maximum=10),
    Setting("pain_morning_rise_alert", 2.0, "points", "trek_pfp",
            "Next-morning score this much above the morning before the run: red (pfp).",
            per_athlete=True, minimum=0.5, maximum=10),
    Setting("pain_baseline_days", 3, "days", "trek_pfp",
            "The morning before a run is the latest next-morning or daily score up to this many "
            "days before it.", kind=int, per_athlete=True, minimum=0, maximum=14),
    Setting("pain_week_rise", 1.0, "points", "trek_pfp",
            "7-day mean pain up this much on the 7 days before: red (pfp), amber (silbernagel).",
            per_athlete=True, minimum=0.5, maximum=10),
    Setting("pain_week_min_mean", 2.0, "points (0-10)", "trek_pfp",
            "... and the new 7-day mean is at least this (pfp's green limit): a rise within low pain, such as "
            "0 to 1/10, is not a flag.", per_athlete=True, minimum=0, maximum=10),
    Setting("pain_week_min_days", 2, "days", "trek_pfp",
            "Each of the two weeks needs scores on at least this many days.", kind=int,
            per_athlete=True, minimum=1, maximum=7),
    Setting("pain_link_min_days", 8, "days", "vincent2017",
            "Fewest next-morning scores before pain is set against the previous day's load.",
            kind=int, per_athlete=True, minimum=3),
    # --- return to run ----------------------------------------------------------------------
    Setting("rtr_distance_tolerance", 0.10, "fraction", "crowell2023",
            "A session within this fraction under the prescribed distance completes it; more than "
            "this over is longer than prescribed.", per_athlete=True, minimum=0, maximum=1),
    Setting("rtr_interval_tolerance", 0.5, "fraction", "crowell2023",
            "Running longer than the prescribed run interval by more than this fraction, without a "
            "walk break, is a deviation.", per_athlete=True, minimum=0, maximum=10),
    Setting("rtr_level_max_climb_m_per_km", 10.0, "m/km", "crowell2023",
            "A run climbing more than this per km (smoothed ascent) is hilly, not level ground.",
            per_athlete=True, minimum=0),
    Setting("rtr_min_bout_s", 20, "s", "-",
            "Walk or run stretches shorter than this join their neighbours when counting intervals.",
            kind=int, minimum=1, maximum=600),
)

#: Settings that were called otherwise before, read under their new name.
RENAMED = {"load_metric": "load_unit"}

#: Pairs of settings that must stay in order (first <= second; "<" where strict).
ORDERED: tuple[tuple[str, str, bool], ...] = (
    ("acwr_acute_days", "acwr_chronic_days", True),
    ("acwr_sweet_low", "acwr_sweet_high", False),
    ("acwr_sweet_high", "acwr_high", False),
    ("session_spike_small", "session_spike_moderate", False),
    ("session_spike_moderate", "session_spike_large", False),
    ("pain_during_green_max", "pain_red_above", False),
    ("pain_morning_rise_caution", "pain_morning_rise_alert", False),
    ("elevation_min_m", "elevation_max_m", True),
    ("gait_min_run_cadence_spm", "gait_run_cadence_spm", False),
)
