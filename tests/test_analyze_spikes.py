"""Session spikes (Frandsen 2025) and downhill spikes: one run against the previous 30 days' runs."""

from __future__ import annotations

import numpy as np
import pytest
from factories import day, every, frame, runs

from strideload.analyze import analyze, daily_load, flags
from strideload.config import parse_config

#: February on record: 5 km every third day (a spike needs the 30 days before a run covered).
FEBRUARY = every("ana", "2024-02-01", "2024-02-29", 5.0)


def spikes(history, **kwargs):
    return flags(history, kinds=["session_spike"], **kwargs)


def test_the_issue_example_word_for_word():
    easy = every("ana", "2024-02-01", "2024-03-19", 5.0, step=4)
    found = spikes(frame(easy, runs("ana", [("2024-03-01", 16.8), ("2024-03-20", 24.0)])))
    assert len(found) == 1
    flag = found.iloc[0]
    assert flag["message"] == ("This 24.0 km run was 43 % longer than your longest run in the "
                               "previous 30 days (16.8 km).")
    assert flag["value"] == pytest.approx(24.0 / 16.8)
    assert (flag["severity"], flag["threshold"], flag["source"], flag["evidence"]) == \
        ("alert", 1.3, "frandsen2025", "strong")
    assert flag["activity_id"] == "ana-2024-03-20-0"
    assert flag["date"].date().isoformat() == "2024-03-20"


@pytest.mark.parametrize("km, severity, threshold", [
    (11.0, None, None),            # exactly 10 % longer: not a spike
    (11.5, "caution", 1.10),       # small
    (13.5, "alert", 1.30),         # moderate
    (20.0, "alert", 1.30),         # exactly double: still moderate
    (20.5, "alert", 2.00),         # large
])
def test_tiers(km, severity, threshold):
    found = spikes(frame(FEBRUARY, runs("ana", [("2024-03-01", 10.0), ("2024-03-08", km)])))
    if severity is None:
        assert found.empty
    else:
        assert found[["severity", "threshold"]].values.tolist() == [[severity, threshold]]


def test_no_earlier_run_in_30_days_means_no_ratio():
    walks = every("ana", "2024-01-03", "2024-02-14", 4.0, sport="walking", running=False)  # on record
    analysis = analyze(frame(walks, runs("ana", [("2024-01-01", 5.0), ("2024-02-15", 20.0)])))
    assert analysis.runs["session_ratio"].isna().all()
    assert (analysis.flags["kind"] != "session_spike").all()


def test_a_history_that_starts_days_before_a_run_has_no_spike():
    # The issue: an export that starts 5 days before a run called it a 30-day spike.
    analysis = analyze(runs("ana", [("2024-03-01", 5.0), ("2024-03-06", 12.0)]))
    assert analysis.runs["session_ratio"].isna().all() and analysis.flags.empty


def test_a_gap_in_the_30_days_means_no_ratio():
    # 14 days without any activity are a gap, not rest: a run whose 30 days hold one has no ratio.
    history = frame(every("ana", "2024-01-01", "2024-02-10", 5.0), runs("ana", [("2024-02-25", 12.0)]))
    assert np.isnan(analyze(history).runs["session_ratio"].iloc[-1])
    rested = frame(every("ana", "2024-01-01", "2024-02-10", 5.0), runs("ana", [("2024-02-23", 12.0)]))
    assert analyze(rested).runs["session_ratio"].iloc[-1] == pytest.approx(12 / 5)  # 13 days off: rest


@pytest.mark.parametrize("km, flagged", [(11.0, False), (11.000000001, False), (11.05, False), (11.06, True)])
def test_ratios_are_compared_at_two_decimals(km, flagged):
    # 11 / 10 is 1.1000000000000001 in floating point; 1.105 still reads 1.10 (1.1 × 10.05 ≈ 1.106).
    found = spikes(frame(FEBRUARY, runs("ana", [("2024-03-01", 10.0), ("2024-03-08", km)])))
    assert (len(found) == 1) is flagged


def test_a_ratio_of_exactly_1_30_is_not_a_moderate_spike():
    # 11.96 km / 9.2 km is 1.3000000000000003 in floating point: an alert before, a caution now.
    history = frame(every("ana", "2024-02-01", "2024-02-29", 5.0), runs("ana", [("2024-03-01", 9.2),
                                                                                ("2024-03-08", 11.96)]))
    ratio = analyze(history).runs["session_ratio"].iloc[-1]
    assert ratio > 1.3
    found = spikes(history)
    assert found[["severity", "threshold"]].values.tolist() == [["caution", 1.1]]


def test_the_window_is_the_30_days_before_the_start():
    # 07:00 on 1 March to 07:00 on 31 March is exactly 30 days: still inside.
    easy = every("ana", "2024-01-30", "2024-03-30", 5.0, step=4)
    inside = analyze(frame(easy, runs("ana", [("2024-03-01", 10.0), ("2024-03-31", 12.0)]))).runs
    assert inside["session_ratio"].iloc[-1] == pytest.approx(1.2)
    outside = analyze(frame(easy, runs("ana", [("2024-03-01", 10.0), ("2024-03-31", 12.0, {
        "start_time": "2024-03-31T08:00:00+00:00"})]))).runs
    assert outside["session_ratio"].iloc[-1] == pytest.approx(12 / 5)   # against the easy runs only


def test_two_runs_on_one_day_are_compared_separately():
    history = frame(every("ana", "2024-01-29", "2024-02-29", 8.0),
                    runs("ana", [("2024-03-01", 8.0), ("2024-03-05", 10.0), ("2024-03-05", 12.0)]))
    ratios = analyze(history).runs["session_ratio"].tolist()
    assert ratios[-3] == pytest.approx(1.0)
    assert ratios[-2] == pytest.approx(10 / 8)        # morning against the 8 km
    assert ratios[-1] == pytest.approx(12 / 10)       # evening against the morning
    found = spikes(history)
    assert found["activity_id"].tolist() == ["ana-2024-03-05-0", "ana-2024-03-05-1"]


def test_the_order_is_by_start_instant_not_by_row():
    history = frame(every("ana", "2024-02-01", "2024-02-29", 8.0),
                    runs("ana", [("2024-03-05", 12.0, {"start_time": "2024-03-05T18:00:00+00:00"}),
                                 ("2024-03-05", 10.0, {"start_time": "2024-03-05T07:00:00+00:00"})]))
    ratios = analyze(history).runs.set_index("distance_km")["session_ratio"]
    assert ratios[10.0] == pytest.approx(10 / 8) and ratios[12.0] == pytest.approx(1.2)


def test_thresholds_come_from_the_config():
    config = parse_config({"settings": {"session_spike_small": 1.25}})
    history = frame(FEBRUARY, runs("ana", [("2024-03-01", 10.0), ("2024-03-02", 12.0)]))
    assert len(spikes(history)) == 1 and spikes(history, config=config).empty


def test_athletes_are_never_compared_with_each_other():
    history = frame(FEBRUARY, runs("ana", [("2024-03-01", 5.0)]), every("bob", "2024-02-01", "2024-02-29", 30.0),
                    runs("bob", [("2024-03-02", 30.0)]))
    assert spikes(history).empty


# --- downhill ------------------------------------------------------------------------------

def hilly(entries, base_downhill_m: float = 0.0):
    """Runs of 10 km with the given downhill km, after a February of flat 5 km runs on record
    (``base_downhill_m`` of downhill each; NaN: without elevation)."""
    return frame(every("ana", "2024-02-01", "2024-02-29", 5.0, downhill_5pct_m=base_downhill_m),
                 runs("ana", [(d, 10.0, {"downhill_5pct_m": dh * 1000.0}) for d, dh in entries]))


def test_downhill_spike_against_the_most_downhill_of_30_days():
    found = flags(hilly([("2024-03-01", 1.0), ("2024-03-05", 0.6), ("2024-03-10", 1.5)]),
                  kinds=["downhill_spike"])
    assert len(found) == 1
    flag = found.iloc[0]
    assert flag["value"] == pytest.approx(1.5)
    assert (flag["severity"], flag["threshold"], flag["source"], flag["evidence"]) == \
        ("caution", 1.3, "gottschall2005", "moderate")
    assert flag["message"] == ("This run had 1.5 km of downhill steeper than −5 %, 1.5 times the most "
                               "of any run in the previous 30 days (1.0 km).")


def test_downhill_under_one_km_never_flags():
    assert flags(hilly([("2024-03-01", 0.3), ("2024-03-05", 0.9)]), kinds=["downhill_spike"]).empty


def test_downhill_exactly_1_3_times_is_not_a_spike():
    assert flags(hilly([("2024-03-01", 1.0), ("2024-03-05", 1.3)]), kinds=["downhill_spike"]).empty


def test_downhill_after_a_flat_month_flags_without_a_ratio():
    found = flags(hilly([("2024-03-01", 0.0), ("2024-03-05", 0.0), ("2024-03-10", 1.2)]),
                  kinds=["downhill_spike"])
    assert len(found) == 1
    assert np.isnan(found["value"].iloc[0])
    assert "no run had any" in found["message"].iloc[0]


def test_downhill_without_earlier_runs_or_elevation_is_no_spike():
    assert flags(runs("ana", [("2024-03-01", 10.0, {"downhill_5pct_m": 3000.0})]), kinds=["downhill_spike"]).empty
    assert flags(hilly([("2024-03-01", 3.0)], base_downhill_m=np.nan), kinds=["downhill_spike"]).empty


def test_a_hill_after_a_treadmill_block_is_a_downhill_spike():
    # Treadmill runs have 0 m downhill, known (their files carry no elevation at all).
    treadmill = every("ana", "2024-02-01", "2024-03-02", 8.0, downhill_5pct_m=np.nan, descent_m=np.nan,
                      surface="treadmill")
    found = flags(frame(treadmill, runs("ana", [("2024-03-04", 10.0, {"downhill_5pct_m": 2000.0})])),
                  kinds=["downhill_spike"])
    assert len(found) == 1 and np.isnan(found["value"].iloc[0])
    assert "after 30 days in which no run had any" in found["message"].iloc[0]
    days = daily_load(treadmill)
    assert (days["downhill_km"] == 0).all() and (days["descent_m"] == 0).all()


def test_downhill_window_ends_30_days_back():
    late = day("2024-03-01", 31)
    history = frame(hilly([("2024-03-01", 1.0), (late, 1.2)], base_downhill_m=np.nan),
                    every("ana", "2024-03-02", day(late, -1), 5.0, downhill_5pct_m=np.nan))
    assert len(flags(history, kinds=["downhill_spike"])) == 0
