"""The continuous daily series: local days, rest days as zeros, running only, windows ending on each date."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from factories import daily_runs, frame, runs, summary

from strideload.analyze import DAILY_COLUMNS, LOAD_COLUMNS, daily_load
from strideload.errors import UsageError


def dates(days: pd.DataFrame) -> list[str]:
    return [d.date().isoformat() for d in days["date"]]


def test_rest_days_are_explicit_zeros_and_the_series_starts_on_the_first_run():
    days = daily_load(runs("ana", [("2024-03-01", 10), ("2024-03-04", 6)]))
    assert dates(days) == ["2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04"]
    assert days["distance_km"].tolist() == [10.0, 0.0, 0.0, 6.0]
    assert days["runs"].tolist() == [1, 0, 0, 1]
    assert list(days.columns[: len(LOAD_COLUMNS)]) == LOAD_COLUMNS
    assert list(days.columns) == DAILY_COLUMNS


def test_non_running_activities_never_count_and_do_not_start_the_series():
    ride = summary("ana", "2024-02-20", 40, sport="cycling", running=False, id="ride")
    walk = summary("ana", "2024-03-02", 5, sport="walking", running=False, id="walk")
    days = daily_load(frame(pd.DataFrame([ride, walk]), runs("ana", [("2024-03-01", 10), ("2024-03-03", 4)])))
    assert dates(days)[0] == "2024-03-01"
    assert days["distance_km"].tolist() == [10.0, 0.0, 4.0]


def test_two_runs_on_one_day_add_up():
    days = daily_load(runs("ana", [("2024-03-01", 10), ("2024-03-01", 5.5, {"timer_s": 1800,
                                                                           "descent_m": 40})]))
    assert days["distance_km"].tolist() == [15.5]
    assert days["duration_min"].iloc[0] == pytest.approx(10000 / 3 / 60 + 30)
    assert days["descent_m"].tolist() == [40.0]


def test_units_downhill_and_descent():
    days = daily_load(runs("ana", [("2024-03-01", 12.0, {"downhill_5pct_m": 1500.0, "descent_m": 210.0,
                                                         "timer_s": 3600.0})]))
    row = days.iloc[0]
    assert (row["distance_km"], row["duration_min"], row["downhill_km"], row["descent_m"]) == (12.0, 60.0, 1.5, 210.0)


def test_unknown_downhill_counts_as_none_on_that_day():
    days = daily_load(runs("ana", [("2024-03-01", 8, {"downhill_5pct_m": np.nan, "descent_m": np.nan})]))
    assert days["downhill_km"].tolist() == [0.0]
    assert days["descent_m"].tolist() == [0.0]


def test_the_local_date_decides_the_day_even_where_the_utc_date_differs():
    # 23:30 in Los Angeles is the next day in UTC; 00:30 in Tokyo is the previous day in UTC.
    late = summary("ana", "2024-03-10", 10, start_time="2024-03-10T23:30:00-07:00")
    early = summary("ana", "2024-03-12", 6, start_time="2024-03-12T00:30:00+09:00", id="early")
    days = daily_load(pd.DataFrame([late, early]))
    assert dates(days) == ["2024-03-10", "2024-03-11", "2024-03-12"]
    assert days["distance_km"].tolist() == [10.0, 0.0, 6.0]


def test_local_date_as_date_objects_strings_or_missing_gives_the_same_series():
    as_strings = runs("ana", [("2024-03-01", 10), ("2024-03-03", 5)])
    as_dates = as_strings.assign(local_date=[date(2024, 3, 1), date(2024, 3, 3)])
    missing = as_strings.assign(local_date=[None, None])
    expected = daily_load(as_strings)
    pd.testing.assert_frame_equal(daily_load(as_dates), expected)
    pd.testing.assert_frame_equal(daily_load(missing), expected)


def test_acute_and_chronic_totals_are_windows_ending_on_the_date():
    kms = [5.0] * 30 + [12.0]
    days = daily_load(daily_runs("ana", "2024-01-01", kms))
    assert days["acute_7d_km"].iloc[3] == 20.0          # partial week: days 1-4
    assert days["acute_7d_km"].iloc[-1] == 5 * 6 + 12.0
    assert days["chronic_28d_km"].iloc[-1] == 5 * 27 + 12.0
    assert days["chronic_28d_km"].iloc[10] == 55.0


def test_until_extends_the_series_with_rest_days_and_ends_it_there():
    history = runs("ana", [("2024-03-01", 10), ("2024-03-05", 8)])
    longer = daily_load(history, until="2024-03-08")
    assert dates(longer)[-1] == "2024-03-08"
    assert longer["distance_km"].tolist()[-3:] == [0.0, 0.0, 0.0]
    assert longer["acute_7d_km"].iloc[-1] == 8.0
    shorter = daily_load(history, until="2024-03-03")
    assert dates(shorter) == ["2024-03-01", "2024-03-02", "2024-03-03"]


def test_athletes_get_separate_series():
    days = daily_load(frame(runs("bob", [("2024-03-02", 4)]), runs("ana", [("2024-03-01", 10), ("2024-03-02", 2)])))
    assert days["athlete"].tolist() == ["ana", "ana", "bob"]
    assert days["acute_7d_km"].tolist() == [10.0, 12.0, 4.0]


def test_no_runs_gives_an_empty_series():
    ride = pd.DataFrame([summary("ana", "2024-03-01", 30, running=False)])
    assert daily_load(ride).empty


def test_a_frame_without_the_needed_columns_is_a_usage_error():
    with pytest.raises(UsageError, match="local_date"):
        daily_load(pd.DataFrame({"athlete": ["ana"], "running": [True], "distance_m": [1000.0]}))


def test_a_series_to_year_9999_is_refused_at_once_not_built():
    with pytest.raises(UsageError, match="more than 100 years"):
        daily_load(runs("ana", [("2024-03-01", 10)]), until="9999-12-31")
    assert len(daily_load(runs("ana", [("2024-03-01", 10)]), until="2024-03-10")) == 10
