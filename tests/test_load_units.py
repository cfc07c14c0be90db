"""Load beyond distance: duration, session-RPE and heart-rate TRIMP as daily series, each
computed by hand; runs without RPE or heart rate as gaps, never zero; downhill as a
continuous load; and where RPE comes from (FIT, a Strava export, by hand)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from factories import daily_runs, runs
from files import UINT8, device_fit_bytes, gpx_bytes, run_points, utc, zip_bytes
from test_import_strava import HEADER

from strideload import effort
from strideload.analyze import analyze, daily_load
from strideload.config import parse_config
from strideload.ingest.fit import read_fit
from strideload.ingest.importer import import_paths


def stream_of(bpm: list[float], moving: list[bool] | None = None) -> pd.DataFrame:
    """A per-second stream with only what TRIMP reads: heart rate and whether moving."""
    return pd.DataFrame({"heart_rate_bpm": bpm, "moving": moving or [True] * len(bpm)})


def test_trimp_of_a_short_stream_is_banisters_formula_by_hand():
    # 60 s at 120 bpm, 60 s at 160 bpm, 30 s paused at 100 (not moving: left out); rest 60, max 180.
    stream = stream_of([120.0] * 60 + [160.0] * 60 + [100.0] * 30, [True] * 120 + [False] * 30)
    rates = effort.read_histogram(effort.hr_histogram(stream))
    assert rates is not None and rates.moving_s == 120 and rates.share == 1.0
    x1, x2 = (120 - 60) / 120, (160 - 60) / 120  # 0.5 and 0.8333
    by_hand = 1.0 * x1 * 0.64 * math.exp(1.92 * x1) + 1.0 * x2 * 0.64 * math.exp(1.92 * x2)
    assert effort.trimp(rates, 60, 180) == pytest.approx(by_hand)
    women = 1.0 * x1 * 0.86 * math.exp(1.67 * x1) + 1.0 * x2 * 0.86 * math.exp(1.67 * x2)
    assert effort.trimp(rates, 60, 180, "women") == pytest.approx(women)
    # Above the maximum counts as the maximum (reserve clipped to 1), below rest as nothing.
    capped = effort.read_histogram(effort.hr_histogram(stream_of([200.0] * 60 + [50.0] * 60)))
    assert effort.trimp(capped, 60, 180) == pytest.approx(0.64 * math.exp(1.92))
    assert effort.hr_histogram(stream_of([float("nan")] * 10)) == ""


def hist(bpm_seconds: dict[int, int], moving_s: int | None = None) -> str:
    return effort.hr_histogram(stream_of([float(b) for b, s in bpm_seconds.items() for _ in range(s)]))


def test_each_unit_is_a_daily_series_computed_by_hand():
    history = runs("ana", [
        ("2024-01-01", 10.0, {"timer_s": 3000.0, "rpe": 4.0, "hr_histogram": hist({120: 600, 150: 1200})}),
        ("2024-01-03", 5.0, {"timer_s": 1800.0, "rpe": 7.0, "hr_histogram": hist({170: 300})}),
        ("2024-01-03", 2.0, {"timer_s": 600.0, "rpe": 2.5, "hr_histogram": hist({130: 120})}),
    ])
    config = parse_config({"settings": {"hr_rest_bpm": 50, "hr_max_bpm": 190}})
    days = {unit: daily_load(history, config, unit=unit).set_index("date")["load"] for unit in
            ("distance", "duration", "rpe", "trimp")}
    jan1, jan2, jan3 = (pd.Timestamp(f"2024-01-0{d}") for d in (1, 2, 3))
    assert list(days["distance"][[jan1, jan2, jan3]]) == [10.0, 0.0, 7.0]
    assert list(days["duration"][[jan1, jan2, jan3]]) == [50.0, 0.0, 40.0]
    assert list(days["rpe"][[jan1, jan2, jan3]]) == [4 * 50, 0.0, 7 * 30 + 2.5 * 10]

    def weight(bpm: float, minutes: float) -> float:
        x = (bpm - 50) / 140
        return minutes * x * 0.64 * math.exp(1.92 * x)

    assert days["trimp"][jan1] == pytest.approx(weight(120, 10) + weight(150, 20), abs=1e-4)
    assert days["trimp"][jan2] == 0.0
    assert days["trimp"][jan3] == pytest.approx(weight(170, 5) + weight(130, 2), abs=1e-4)


def test_a_run_without_rpe_is_a_gap_in_that_unit_never_zero_load():
    # 40 days of 5 km at RPE 5 for 30 min, but day 35 has no RPE.
    entries = [(pd.Timestamp("2024-01-01") + pd.Timedelta(days=i), 5.0,
                {"timer_s": 1800.0, "rpe": None if i == 34 else 5.0}) for i in range(40)]
    history = runs("ana", entries)
    days = daily_load(history, unit="rpe").set_index("date")
    gap = pd.Timestamp("2024-02-04")
    assert math.isnan(days.loc[gap, "load"]) and days.loc[gap, "rpe_missing_runs"] == 1
    assert days.loc[pd.Timestamp("2024-02-03"), "load"] == 150.0
    assert days.loc[pd.Timestamp("2024-02-03"), "acwr_coupled"] == pytest.approx(1.0)
    # Every window holding the unknown day hides its ratio and monotony; distance does not care.
    after = days.loc[gap:pd.Timestamp("2024-02-09")]
    assert after["acwr_coupled"].isna().all() and after["monotony"].isna().all()
    assert after["acute_7d_load"].isna().all()
    assert daily_load(history).set_index("date").loc[gap:, "acwr_coupled"].notna().all()


def test_each_athlete_has_their_own_load_unit_and_ratios_on_it():
    history = pd.concat([
        runs("ana", [(pd.Timestamp("2024-01-01") + pd.Timedelta(days=i), 5.0,
                      {"timer_s": 1800.0 if i < 35 else 3600.0}) for i in range(36)]),
        runs("ben", [(pd.Timestamp("2024-01-01") + pd.Timedelta(days=i), 5.0) for i in range(36)]),
    ], ignore_index=True)
    config = parse_config({"athletes": {"ana": {"load_unit": "duration"}}})
    last = daily_load(history, config).groupby("athlete", observed=True).last()
    assert last.loc["ana", "load_unit"] == "duration" and last.loc["ben", "load_unit"] == "distance"
    # ana: 7 days 6·30 + 60 = 240 min against 28 days 27·30 + 60 = 870 min.
    assert last.loc["ana", "acwr_coupled"] == pytest.approx(240 / (870 / 4))
    assert last.loc["ben", "acwr_coupled"] == pytest.approx(1.0)


def test_heart_rates_are_estimated_from_the_runs_when_not_set_and_said_so():
    history = runs("ana", [("2024-01-01", 5.0, {"hr_histogram": hist({95: 90, 150: 600, 186: 70, 199: 5})})])
    reference = analyze(history, parse_config({"athletes": {"ana": {"hr_max_bpm": 192}}})).hr_reference
    row = reference.iloc[0]
    # The lowest rate held for 60 s is 95; the highest held 60 s is 186 (5 s at 199 is a spike).
    assert (row["rest_bpm"], row["rest_source"]) == (95.0, "estimated")
    assert (row["max_bpm"], row["max_source"]) == (192.0, "setting")
    estimated = analyze(history).hr_reference.iloc[0]
    assert (estimated["max_bpm"], estimated["max_source"]) == (186.0, "estimated")


def test_downhill_is_a_continuous_load_with_its_own_ratio():
    # 28 days of 10 km with 50 m descent and 1 km at <= -5 %, then a week at 10 km with 150 m and 3 km.
    base = daily_runs("ana", "2024-01-01", [10.0] * 28, descent_m=50.0, downhill_5pct_m=1000.0)
    hilly = daily_runs("ana", "2024-01-29", [10.0] * 7, descent_m=150.0, downhill_5pct_m=3000.0)
    last = daily_load(pd.concat([base, hilly], ignore_index=True)).iloc[-1]
    assert last["descent_per_km_7d"] == pytest.approx(15.0)
    assert last["descent_per_km_28d"] == pytest.approx((21 * 50 + 7 * 150) / 280)
    assert last["descent_acwr"] == pytest.approx(15.0 / ((21 * 50 + 7 * 150) / 280))
    assert last["downhill_share_7d"] == pytest.approx(0.3)
    assert last["downhill_share_acwr"] == pytest.approx(0.3 / ((21 + 21) / 280))
    assert last["acwr_coupled"] == pytest.approx(1.0)  # the distance itself did not change


def test_garmin_perceived_effort_in_the_fit_session_is_the_runs_rpe():
    points = run_points(utc(2026, 5, 4, 6), km=1)
    [raw] = read_fit(device_fit_bytes(points, session_extra={192: (UINT8, 75), 193: (UINT8, 70)}), "rpe.fit")
    assert raw.totals.rpe == 7.0
    [plain] = read_fit(device_fit_bytes(points), "plain.fit")
    assert plain.totals.rpe is None


def test_a_strava_export_with_perceived_exertion_gives_rpe_to_its_runs(tmp_path, store, oslo_config):
    header = HEADER.rstrip("\n") + ",Perceived Exertion\n"
    rows = ('101,"May 4, 2026, 6:00:00 AM",Tempo,Run,,1860,5.00,,,false,,,activities/101.gpx,,,1860.0,1800.0,'
            '5000.0,,,,7\n'
            '102,"May 5, 2026, 6:00:00 AM",Treadmill,Run,,1860,5.00,,,false,,,,,,1860.0,1800.0,5000.0,,,,3\n'
            '103,"May 6, 2026, 6:00:00 AM",Easy,Run,,1860,5.00,,,false,,,,,,1860.0,1800.0,5000.0,,,,\n')
    path = tmp_path / "export.zip"
    path.write_bytes(zip_bytes({"activities.csv": (header + rows).encode(),
                                "activities/101.gpx": gpx_bytes(run_points(utc(2026, 5, 4, 6), km=2), sport=None)}))
    import_paths(store, [path], athlete="ana", config=oslo_config)
    frame = store.activities_frame().set_index("local_date")
    assert frame.loc["2026-05-04", "rpe"] == 7.0      # the file's run, from its row
    assert frame.loc["2026-05-05", "rpe"] == 3.0      # a run typed in by hand on Strava
    assert pd.isna(frame.loc["2026-05-06", "rpe"])    # no exertion given: unknown, not 0
    days = daily_load(store.activities_frame(), unit="rpe").set_index("date")
    assert days.loc[pd.Timestamp("2026-05-05"), "load"] == 3 * 30
    assert np.isnan(days.loc[pd.Timestamp("2026-05-06"), "load"])
