"""A change of surface: under 10 % of the previous 28 days, over 30 % of the last 7."""

from __future__ import annotations

import pandas as pd
import pytest
from factories import daily_runs, day, frame

from strideload.analyze import daily_load, flags, status


def switch(before: int, after: int, new: str = "treadmill", old: str = "road", **fields):
    """``before`` days of 10 km on ``old`` from 1 January, then ``after`` days of 10 km on ``new``."""
    return frame(daily_runs("ana", "2024-01-01", [10] * before, surface=old),
                 daily_runs("ana", day("2024-01-01", before), [10] * after, surface=new, **fields))


def test_a_treadmill_week_after_road_running():
    found = flags(switch(40, 7), kinds=["surface_change"])
    assert len(found) == 1
    flag = found.iloc[0]
    # Day 43 (the third treadmill day): 30 of the last 70 km, none in the 28 days before.
    assert flag["date"].date().isoformat() == "2024-02-12"
    assert flag["value"] == pytest.approx(300 / 7)
    assert flag["message"].startswith("Treadmill made up 43 % of your distance in the last 7 days "
                                      "(30.0 of 70.0 km), against 0 % in the 28 days before.")
    assert (flag["severity"], flag["threshold"], flag["source"], flag["evidence"]) == \
        ("info", 30.0, "malisoux2015", "weak")


def test_a_treadmill_only_week_without_elevation_or_cadence():
    history = switch(40, 7, downhill_5pct_m=float("nan"), descent_m=float("nan"), cadence_spm=float("nan"),
                     avg_speed_mps=float("nan"), timer_s=3000.0)
    days = daily_load(history)
    assert days["downhill_km"].iloc[-7:].tolist() == [0.0] * 7
    assert days["acute_7d_km"].iloc[-1] == 70.0
    found = flags(history)
    assert set(found["kind"]) == {"surface_change", "monotony_high"}
    row = status(history, as_of="2024-02-16").iloc[0]
    assert pd.isna(row["cadence_spm"])


def test_an_unknown_surface_is_never_flagged():
    assert flags(switch(40, 7, new="unknown"), kinds=["surface_change"]).empty


def test_a_surface_already_in_use_is_no_change():
    weeks = frame(*[daily_runs("ana", f"2024-01-{1 + 7 * w:02d}", [10] * 6, surface="road") for w in range(4)],
                  *[daily_runs("ana", f"2024-01-{7 + 7 * w:02d}", [10], surface="trail") for w in range(4)],
                  daily_runs("ana", "2024-01-29", [10] * 7, surface="trail"))
    assert flags(weeks, kinds=["surface_change"]).empty


def test_needs_35_days_of_history():
    assert flags(switch(20, 7), kinds=["surface_change"]).empty
