"""Invariants of the analysis on random histories (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from budget import examples
from factories import daily_runs, day, frame, runs
from hypothesis import given, settings
from hypothesis import strategies as st

from strideload.analyze import analyze, daily_load, flags

RATIOS = ["acwr_coupled", "acwr_uncoupled", "acwr_ewma", "downhill_acwr"]

#: Daily distances (km); 0 is a rest day. The first day is always a run.
kms = st.lists(st.sampled_from([0.0, 0.0, 0.0, 3.0, 5.5, 8.0, 10.0, 12.3, 16.0, 21.1, 30.0]),
               min_size=1, max_size=90).map(lambda days: [5.0] + days)


def history(days: list[float], athlete: str = "ana") -> pd.DataFrame:
    return daily_runs(athlete, "2024-01-01", days, downhill_5pct_m=800.0)


@settings(max_examples=examples(60), deadline=None)
@given(kms)
def test_ratios_are_undefined_before_28_days_of_history(days):
    series = daily_load(history(days))
    assert series[RATIOS].iloc[:28].isna().all().all()


@settings(max_examples=examples(60), deadline=None)
@given(kms, st.integers(1, 40))
def test_adding_rest_days_never_changes_earlier_values(days, rest):
    series = daily_load(history(days))           # ends on the last run
    longer = daily_load(history(days), until=series["date"].iloc[-1] + pd.Timedelta(days=rest))
    assert len(longer) == len(series) + rest
    pd.testing.assert_frame_equal(longer.iloc[: len(series)], series)
    assert (longer["distance_km"].iloc[len(series):] == 0).all()


@settings(max_examples=examples(40), deadline=None)
@given(kms, st.sampled_from([3.0, 10.0, 25.0]), st.integers(1, 20))
def test_a_later_run_never_changes_earlier_days_or_flags(days, km, gap):
    # Up to the day before it, the history with the later run is the history without it.
    later_day = day("2024-01-01", len(days) - 1 + gap)
    before = analyze(history(days), until=pd.Timestamp(later_day) - pd.Timedelta(days=1))
    after = analyze(frame(history(days), runs("ana", [(later_day, km, {"downhill_5pct_m": 800.0})])))
    n = len(before.daily)
    pd.testing.assert_frame_equal(after.daily.iloc[:n], before.daily)
    earlier = after.flags[after.flags["date"] < pd.Timestamp(later_day)].reset_index(drop=True)
    # A flag is raised once per stretch, on its first day; only the stretch's length, told
    # at the end of the message, may grow with later days.
    pd.testing.assert_frame_equal(without_length(earlier), without_length(before.flags), check_dtype=False)


def without_length(found: pd.DataFrame) -> pd.DataFrame:
    """Flags with the sentence about how long their stretch lasted taken out of the message."""
    lasting = r" (It (has )?(stayed|held) .*?\d{1,2} [A-Z][a-z]{2}\)?\.|That lasted one day\.)"
    return found.assign(message=found["message"].str.replace(lasting, "", regex=True))


@settings(max_examples=examples(40), deadline=None)
@given(kms, st.sampled_from([0.5, 1.6, 3.0]))
def test_scaling_every_distance_leaves_the_ratios_unchanged(days, factor):
    plain = analyze(history(days))
    scaled = analyze(history([d * factor for d in days]).assign(
        downhill_5pct_m=800.0 * factor, timer_s=lambda f: f["timer_s"] * factor))
    for column in RATIOS + ["weekly_increase_pct", "monotony"]:
        np.testing.assert_allclose(scaled.daily[column], plain.daily[column], rtol=1e-6, err_msg=column)
    np.testing.assert_allclose(scaled.runs["session_ratio"], plain.runs["session_ratio"], rtol=1e-9)


@settings(max_examples=examples(30), deadline=None)
@given(kms, kms, st.randoms(use_true_random=False))
def test_row_order_and_other_athletes_change_nothing(ana_days, bob_days, rnd):
    alone = flags(history(ana_days))
    together = frame(history(ana_days), history(bob_days, athlete="bob"))
    shuffled = together.sample(frac=1.0, random_state=rnd.randint(0, 2**31 - 1))
    both = flags(shuffled)
    pd.testing.assert_frame_equal(both[both["athlete"] == "ana"].reset_index(drop=True), alone,
                                  check_dtype=False)
    pd.testing.assert_frame_equal(daily_load(shuffled), daily_load(together))
    ana_series = daily_load(together)
    ana_series = ana_series[ana_series["athlete"] == "ana"].reset_index(drop=True)
    pd.testing.assert_frame_equal(ana_series, daily_load(history(ana_days)), check_categorical=False,
                                  rtol=1e-9)


def covered(days: list[float], gap: int = 14) -> list[bool]:
    """Coverage by hand: a day is covered unless it is the 14th or later day without a run."""
    out, since = [], 0
    for km in days:
        since = 0 if km else since + 1
        out.append(since < gap)
    return out


@settings(max_examples=examples(40), deadline=None)
@given(kms)
def test_every_session_ratio_is_against_an_earlier_run_within_30_days(days):
    # ... and only where those 30 days lie after the history start and outside any gap.
    runs_ = analyze(history(days)).runs
    known = covered(days)
    for _i, row in runs_.iterrows():
        earlier = runs_[(runs_["instant"] < row["instant"])
                        & (runs_["instant"] >= row["instant"] - pd.Timedelta(days=30))]
        offset = (row["instant"] - pd.Timestamp("2024-01-01")).days
        window_known = offset >= 30 and all(known[offset - 30:offset])
        if earlier.empty or not window_known:
            assert np.isnan(row["session_ratio"])
        else:
            assert row["session_ratio"] == row["distance_km"] / earlier["distance_km"].max()
