"""Foster's monotony (mean ÷ population standard deviation of 7 daily loads) and strain."""

from __future__ import annotations

import math

import numpy as np
import pytest
from factories import daily_runs

from strideload.analyze import daily_load, flags


def test_six_equal_runs_and_a_rest_day():
    days = daily_load(daily_runs("ana", "2024-01-01", [10] * 6), until="2024-01-07")
    # Mean 60/7, standard deviation 10·√6/7: monotony √6, strain 60·√6.
    assert days["monotony"].iloc[-1] == pytest.approx(math.sqrt(6))
    assert days["strain"].iloc[-1] == pytest.approx(60 * math.sqrt(6))
    assert days["monotony"].iloc[:6].isna().all()          # fewer than 7 days


def test_alternate_days_are_not_monotonous():
    days = daily_load(daily_runs("ana", "2024-01-01", [10, 0] * 3 + [10]))
    assert days["monotony"].iloc[-1] == pytest.approx((40 / 7) / math.sqrt(400 / 7 - (40 / 7) ** 2))
    assert flags(daily_runs("ana", "2024-01-01", [10, 0] * 3 + [10]), kinds=["monotony_high"]).empty


def test_monotony_high_once_per_stretch():
    found = flags(daily_runs("ana", "2024-01-01", [10] * 6 + [0, 10]), kinds=["monotony_high"])
    assert len(found) == 1
    flag = found.iloc[0]
    assert flag["date"].date().isoformat() == "2024-01-07"
    assert flag["value"] == pytest.approx(math.sqrt(6))
    assert (flag["severity"], flag["threshold"], flag["source"], flag["evidence"]) == \
        ("info", 2.0, "foster1998", "weak")
    assert "8.6 km a day" in flag["message"]


def test_identical_days_have_unbounded_monotony():
    days = daily_load(daily_runs("ana", "2024-01-01", [8.3] * 7))
    assert days["monotony"].iloc[-1] == math.inf
    found = flags(daily_runs("ana", "2024-01-01", [8.3] * 7), kinds=["monotony_high"])
    assert len(found) == 1 and np.isnan(found["value"].iloc[0])
    assert "exactly the same" in found["message"].iloc[0]


def test_a_week_without_running_has_no_monotony():
    days = daily_load(daily_runs("ana", "2024-01-01", [10]), until="2024-01-12")
    assert np.isnan(days["monotony"].iloc[-1])
