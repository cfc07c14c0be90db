"""Acute:chronic ratios, side by side: rolling coupled, rolling uncoupled, EWMA; hidden in the warm-up."""

from __future__ import annotations

import math

import numpy as np
import pytest
from factories import daily_runs, day, frame, runs

from strideload.analyze import analyze, daily_load, flags, status
from strideload.analyze.acwr import band
from strideload.config import Config, parse_config


def ewma_reference(loads: list[float], n: int, seed: float | None = None) -> list[float]:
    """Williams 2017 by hand: E_t = λ·load_t + (1−λ)·E_{t−1}, λ = 2/(N+1); E before day 0 is the
    mean daily load of the first 28 days (strideload's seed), or ``seed``."""
    lam, out = 2 / (n + 1), []
    value = sum(loads[:28]) / len(loads[:28]) if seed is None else seed
    for load in loads:
        value = lam * load + (1 - lam) * value
        out.append(value)
    return out


def test_a_28_day_base_then_a_long_day():
    kms = [5.0] * 28 + [20.0]
    last = daily_load(daily_runs("ana", "2024-01-01", kms)).iloc[-1]
    # 7-day sum 5·6 + 20 = 50; 28-day sum 5·27 + 20 = 155; days 8–28 before: 5·21 = 105.
    assert last["acwr_coupled"] == pytest.approx(50 / (155 / 4))          # 1.290
    assert last["acwr_uncoupled"] == pytest.approx(50 / (105 / 3))        # 1.429
    acute, chronic = ewma_reference(kms, 7)[-1], ewma_reference(kms, 28)[-1]
    assert last["acwr_ewma"] == pytest.approx(acute / chronic)
    assert acute == pytest.approx(0.25 * 20 + 0.75 * 5)          # seeded at the 5 km a day of the base
    assert chronic == pytest.approx(2 / 29 * 20 + 27 / 29 * 5)


def test_a_zero_seed_reads_high_on_the_first_days_shown():
    kms = [10.0] * 35
    seeded = daily_load(daily_runs("ana", "2024-01-01", kms)).iloc[28]
    zero = daily_load(daily_runs("ana", "2024-01-01", kms),
                      parse_config({"settings": {"acwr_ewma_seed": "zero"}})).iloc[28]
    assert seeded["acwr_ewma"] == pytest.approx(1.0)             # a steady load reads steady
    by_hand = ewma_reference(kms, 7, seed=0.0)[28] / ewma_reference(kms, 28, seed=0.0)[28]
    assert zero["acwr_ewma"] == pytest.approx(by_hand) and by_hand > 1.13


def test_ratios_are_hidden_for_the_first_28_days_of_history():
    days = daily_load(daily_runs("ana", "2024-01-01", [8.0] * 40))
    for column in ("acwr_coupled", "acwr_uncoupled", "acwr_ewma", "downhill_acwr"):
        assert days[column].iloc[:28].isna().all(), column
    assert days["acwr_coupled"].iloc[28] == 1.0
    assert days["acwr_uncoupled"].iloc[28] == 1.0
    assert not np.isnan(days["acwr_ewma"].iloc[28])


def test_a_steady_load_has_ratios_of_one_from_the_first_day_shown():
    days = daily_load(daily_runs("ana", "2024-01-01", [10.0] * 60))
    assert (days["acwr_coupled"].iloc[28:] == 1.0).all()
    assert (days["acwr_uncoupled"].iloc[28:] == 1.0).all()
    np.testing.assert_allclose(days["acwr_ewma"].iloc[28:], 1.0)


def test_ratios_are_hidden_where_chronic_load_is_zero():
    # Ten days of running, then walks only (the watch is in use: these are rest days from
    # running, not missing data), then a run.
    walks = runs("ana", [(day("2024-01-11", i), 3.0) for i in range(0, 51, 3)], sport="walking", running=False)
    history = frame(daily_runs("ana", "2024-01-01", [5.0] * 10), walks, runs("ana", [("2024-03-02", 5.0)]))
    days = daily_load(history)
    gap_day = days.iloc[50]          # the 28 days up to here had no running
    assert np.isnan(gap_day["acwr_coupled"]) and np.isnan(gap_day["acwr_uncoupled"])
    comeback = days.iloc[61]
    assert comeback["acwr_coupled"] == pytest.approx(5 / (5 / 4))      # the run itself is chronic load
    assert np.isnan(comeback["acwr_uncoupled"])                         # days 8–28 before: nothing
    assert comeback["acwr_ewma"] > 0                                    # an EWMA never falls to zero


def test_after_a_layoff_the_first_easy_run_is_no_ratio():
    # Six weeks of 8 km every other day, 45 days with nothing recorded, then easy 5 km runs.
    before = daily_runs("ana", "2024-01-01", [8.0, 0.0] * 21)
    back = runs("ana", [(day("2024-03-27", i), 5.0) for i in range(0, 14, 2)])   # the last run was 10 Feb
    analysis = analyze(frame(before, back))
    days = analysis.daily.set_index("date")
    for column in ("acwr_coupled", "acwr_uncoupled", "acwr_ewma", "downhill_acwr"):
        assert days.loc["2024-03-27":, column].isna().all(), column
    assert days.loc["2024-02-11":"2024-02-23", "covered"].all()       # the first 13 days off: rest
    assert not days.loc["2024-02-24":"2024-03-26", "covered"].any()   # from the 14th day off: a gap
    assert (analysis.flags["kind"] != "acwr_high").all()
    row = status(frame(before, back), as_of="2024-04-03").iloc[0]
    assert row["acwr_ewma_band"] == "returning after 45 days off"
    assert (row["returning_after_days"], row["since_return_runs"], row["since_return_km"]) == (45, 4, 20.0)
    assert row["before_break_week_km"] == pytest.approx(8.0 * 14 / 4)  # 14 runs in the last 28 days
    assert row["before_break_longest_km"] == 8.0
    assert row["headline"].startswith("Returning after 45 days off (nothing recorded after 10 Feb): 4 runs, "
                                      "20.0 km since 27 Mar. Before the break: 28.0 km in a usual week, "
                                      "longest run 8.0 km.")


def test_the_warm_up_length_is_a_setting():
    # A warm-up shorter than the chronic window also needs a window covered to less than 100 %.
    config = parse_config({"settings": {"acwr_min_history_days": 14, "coverage_min_pct": 50}})
    days = daily_load(daily_runs("ana", "2024-01-01", [8.0] * 20), config)
    assert days["acwr_coupled"].iloc[:14].isna().all()
    assert days["acwr_coupled"].iloc[14] == pytest.approx(56 / (120 / 4))


def test_duration_as_the_load():
    history = runs("ana", [(f"2024-01-{d:02d}", 5.0, {"timer_s": 1800.0}) for d in range(1, 29)]
                   + [("2024-01-29", 5.0, {"timer_s": 3600.0})])
    by_duration = daily_load(history, parse_config({"settings": {"load_metric": "duration"}})).iloc[-1]
    by_distance = daily_load(history).iloc[-1]
    assert by_distance["acwr_coupled"] == 1.0
    # 7 days: 6·30 + 60 = 240 min; 28 days: 27·30 + 60 = 870 min.
    assert by_duration["acwr_coupled"] == pytest.approx(240 / (870 / 4))
    assert by_duration["acute_7d_km"] == 35.0       # the km columns stay km


def test_downhill_has_its_own_acute_chronic_view():
    history = daily_runs("ana", "2024-01-01", [10.0] * 35, downhill_5pct_m=1000.0)
    last = daily_load(history).iloc[-1]
    assert (last["downhill_7d_km"], last["downhill_28d_km"], last["downhill_acwr"]) == (7.0, 28.0, 1.0)


def test_acwr_high_is_one_caution_per_stretch_with_the_caveat():
    kms = [5.0] * 28 + [15.0] * 6 + [5.0] * 10
    found = flags(daily_runs("ana", "2024-01-01", kms), kinds=["acwr_high"])
    ratio = [a / c for a, c in zip(ewma_reference(kms, 7), ewma_reference(kms, 28), strict=True)]
    first = next(i for i, r in enumerate(ratio) if i >= 28 and r >= 1.5)
    assert len(found) == 1
    flag = found.iloc[0]
    assert flag["date"].date().isoformat() == f"2024-01-{first + 1:02d}"
    assert flag["value"] == pytest.approx(ratio[first])
    assert (flag["severity"], flag["threshold"], flag["source"], flag["evidence"]) == \
        ("caution", 1.5, "gabbett2016", "weak")
    assert "EWMA" in flag["message"] and "context" in flag["message"]
    assert flag["activity_id"] is None


def test_no_acwr_high_during_the_warm_up_however_steep():
    kms = [2.0] * 10 + [30.0] * 10
    assert flags(daily_runs("ana", "2024-01-01", kms), kinds=["acwr_high"]).empty


@pytest.mark.parametrize("ratio, expected", [
    (0.5, "low"), (0.8, "sweet spot"), (1.3, "sweet spot"), (1.31, "elevated"), (1.5, "high"),
    (math.nan, None),
])
def test_bands(ratio, expected):
    assert band(ratio, Config()) == expected
