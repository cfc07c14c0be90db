"""Progression on constructed plans: ready, hold for pain, hold for a missing rest day,
deviations (longer, hilly, no walk breaks, back-to-back, too many runs), levels per week,
the next session and completion. Day 0 is Tue 15 Sep 2026."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from strideload.analyze.flags import empty_flags, flag_frame
from strideload.config import Config
from strideload.rtr import Decision, Evaluator, Plan, Session, parse_protocol, shipped_protocol
from strideload.rtr.progress import day_number, iso, plan_flags

D0 = day_number("2026-09-15")
CROWELL = shipped_protocol("crowell2023")
DELAWARE = shipped_protocol("delaware2018")
PHASE_1_M = 1609.344


def plan(*decisions: tuple[int, int], protocol=CROWELL) -> Plan:
    made = tuple(Decision(D0 + day, stage) for day, stage in (decisions or ((0, 1),)))
    return Plan(1, "ana", protocol, D0, made)


def session(day: int, metres: float = PHASE_1_M, **fields) -> Session:
    values = {"run_s": 540.0, "walk_s": 360.0, "run_bouts": 3, "walk_bouts": 3, "longest_run_s": 180.0,
              "ascent_m": 2.0, "climb_m_per_km": 1.2, "hilly": False}
    values.update(fields)
    return Session(athlete="ana", activity_id=f"run{day}", day=D0 + day, distance_m=metres, **values)


def pain(*days: int, kind: str = "pain_amber") -> pd.DataFrame:
    if not days:
        return empty_flags()
    return flag_frame(kind, athlete=["ana"] * len(days), day=np.asarray([D0 + d for d in days]),
                      value=[1.0] * len(days), threshold=1.0,
                      message=[f"Next-morning pain 2/10 on day {d}." for d in days])


def status(the_plan, sessions, on: int, pain_flags=None):
    return Evaluator(the_plan, sessions, pain(*()) if pain_flags is None else pain_flags, Config()).status(D0 + on)


def met(result) -> dict[str, bool]:
    return {c.name: c.met for c in result.criteria}


def test_two_clean_sessions_make_phase_1_ready_the_morning_after_the_second():
    runs = [session(0), session(2)]
    on_the_day = status(plan(), runs, 2)
    assert not on_the_day.ready  # the second session waits for the next morning's pain
    assert (on_the_day.sessions, on_the_day.sessions_counted) == (2, 1)
    ready = status(plan(), runs, 3)
    assert ready.ready and not ready.complete
    assert met(ready) == {"sessions": True, "pain": True, "rest": True}
    assert ready.criteria[0].detail == "2 of 2 phase 1 sessions done as prescribed without pain"
    assert ready.next_stage == 2
    assert ready.next_session.startswith("phase 2: walk 2 min / run 3 min, 1.5 mi (2.41 km) in all")
    assert "strideload rtr set --stage 2" in ready.next_session
    assert ready.next_date == iso(D0 + 4)  # a rest day after the run on day 2


def test_one_session_is_not_enough():
    result = status(plan(), [session(0)], 1)
    assert not result.ready and result.reasons == ["1 of 2 phase 1 sessions done as prescribed without pain"]
    assert result.next_session.startswith("phase 1: walk 2 min / run 3 min")


def test_hold_for_next_morning_pain():
    result = status(plan(), [session(0), session(2)], 3, pain(3))
    assert not result.ready
    assert met(result) == {"sessions": False, "pain": False, "rest": True}
    assert result.sessions_counted == 1  # the painful one does not count
    assert "pain_amber on 18 Sep" in result.criteria[1].detail
    assert "once the pain has settled; stay at phase 1" in result.next_session
    assert result.session_log[1]["pain"] == ["Next-morning pain 2/10 on day 3."]


def test_pain_before_the_latest_session_does_not_hold_it():
    result = status(plan(), [session(0), session(2), session(4)], 5, pain(1))
    assert met(result)["pain"] and result.sessions_counted == 2 and result.ready


def test_hold_for_a_missing_rest_day():
    result = status(plan(), [session(0), session(1)], 2)
    assert not result.ready
    assert met(result) == {"sessions": True, "pain": True, "rest": False}
    assert result.criteria[2].detail == "no rest day between the runs on 15 Sep and 16 Sep (at least 1 asked)"
    [deviation] = result.deviations
    assert (deviation.what, deviation.value, deviation.threshold) == ("back_to_back", 0, 1)


def test_a_short_session_does_not_count():
    result = status(plan(), [session(0), session(2, metres=1200.0)], 4)
    assert result.sessions_counted == 1
    assert "1 shorter than the prescribed 1 mi (1.61 km)" in result.criteria[0].detail
    # 10 % under still completes it:
    assert status(plan(), [session(0), session(2, metres=0.9 * PHASE_1_M)], 4).sessions_counted == 2


@pytest.mark.parametrize("fields, what, value, threshold", [
    ({"metres": 2500.0}, "longer", 2.5, PHASE_1_M / 1000),
    ({"hilly": True, "climb_m_per_km": 15.6, "ascent_m": 78.0}, "hilly", 15.6, 10.0),
    ({"longest_run_s": 600.0, "run_bouts": 1, "walk_bouts": 0}, "intervals", 10.0, 3.0),
])
def test_deviations_from_the_prescription(fields, what, value, threshold):
    result = status(plan(), [session(0, **fields)], 1)
    [deviation] = result.deviations
    assert (deviation.what, deviation.day, deviation.activity_id) == (what, D0, "run0")
    assert deviation.value == pytest.approx(value) and deviation.threshold == pytest.approx(threshold)


def test_a_hilly_run_is_a_deviation_only_where_level_ground_is_asked():
    assert status(plan(protocol=DELAWARE), [session(0, hilly=True)], 1).deviations == []


def test_the_hilly_message_reads_plainly():
    result = status(plan(), [session(0, hilly=True, climb_m_per_km=15.6, ascent_m=78.0)], 1)
    assert result.deviations[0].message == (
        "This run climbed 78 m (15.6 m per km, level ground is at most 10); Walk/run progression "
        "(Crowell et al. 2023) asks for level ground.")


def test_runs_count_at_the_stage_the_pt_set_from_that_day():
    the_plan = plan((0, 1), (4, 2))
    runs = [session(0), session(2), session(4, metres=2414.0), session(6, metres=2414.0)]
    result = status(the_plan, runs, 7)
    assert (result.stage, result.stage_since, result.sessions) == (2, iso(D0 + 4), 2)
    assert result.ready and result.next_stage == 3
    assert result.decisions == [{"date": iso(D0), "stage": 1, "note": None},
                                {"date": iso(D0 + 4), "stage": 2, "note": None}]


NO_REST = parse_protocol("""
[protocol]
key = "weekly"
name = "Weekly cap"
citation = "test"
[rules]
max_runs_per_7_days = 4
[[stages]]
continuous = true
distance_km = 3
[[stages]]
continuous = true
distance_km = 4
""")


def test_too_many_runs_in_seven_days_and_when_the_next_may_be():
    runs = [session(day, metres=3000.0) for day in (0, 1, 2, 3, 4)]
    result = status(plan(protocol=NO_REST), runs, 4)
    assert [(d.what, d.day - D0, d.value) for d in result.deviations] == [("runs_per_7_days", 4, 5)]
    # Four runs in the 7 days up to day 7 (days 1-4): the next from day 8.
    assert status(plan(protocol=NO_REST), runs[:4], 4).next_date == iso(D0 + 7)
    assert result.next_date == iso(D0 + 8)


def test_at_most_two_levels_in_seven_days():
    the_plan = plan((0, 1), (2, 2), (4, 3), protocol=DELAWARE)
    runs = [session(0, metres=3219.0), session(2, metres=3219.0), session(4, metres=3219.0)]
    result = status(the_plan, runs, 5)
    assert met(result)["levels"] is False
    assert result.criteria[-1].detail == "already 2 levels up in the last 7 days (at most 2); the next from 2026-09-24"
    assert not result.ready
    later = status(the_plan, runs, 9)
    assert met(later)["levels"] and later.ready


def test_completing_the_last_stage_ends_the_comparison():
    the_plan = plan((0, 6))
    runs = [session(0, metres=3219.0, longest_run_s=1140.0, run_bouts=1, walk_bouts=0),
            session(2, metres=3219.0, longest_run_s=1140.0, run_bouts=1, walk_bouts=0),
            session(5, metres=6000.0)]
    done = status(the_plan, runs, 3)
    assert done.ready and done.complete and "is complete" in done.next_session
    later = status(the_plan, runs, 10)
    assert later.complete and later.as_of == iso(D0 + 10) and later.deviations == []
    assert "was complete on 2026-09-18" in later.next_session


def test_flags_over_time():
    runs = [session(0), session(2), session(3), session(5, hilly=True, climb_m_per_km=15.0, ascent_m=24.0)]
    found = plan_flags([(plan(), runs)], pain(4), Config(), until=D0 + 8, last_day={})
    rows = [(d.date().isoformat(), k, m.split(":")[0] if k != "rtr_deviation" else m) for d, k, m in
            zip(found["date"], found["kind"], found["message"], strict=True)]
    # Day 3 (18 Sep) has no rest day before it: on hold. Day 4: pain the morning after it: on
    # hold for pain too. Day 5 is run after a rest day and its next morning (day 6) is clean:
    # days 0, 2 and 5 count, so phase 1 is ready on 21 Sep.
    assert rows == [
        ("2026-09-21", "rtr_ready", "Criteria to move from phase 1 to phase 2 are met"),
        ("2026-09-18", "rtr_hold", "Phase 1 on hold"),
        ("2026-09-19", "rtr_hold", "Phase 1 on hold"),
        ("2026-09-18", "rtr_deviation", "This run came 0 rest days after the one on 17 Sep; Walk/run progression "
                                        "(Crowell et al. 2023) asks for at least 1 rest day between runs."),
        ("2026-09-20", "rtr_deviation", "This run climbed 24 m (15.0 m per km, level ground is at most 10); Walk/run "
                                        "progression (Crowell et al. 2023) asks for level ground."),
    ]
    holds = found.loc[found["kind"] == "rtr_hold", "message"].tolist()
    assert holds == ["Phase 1 on hold: no rest day between the runs on 17 Sep and 18 Sep (at least 1 asked).",
                     "Phase 1 on hold: pain_amber on 19 Sep: Next-morning pain 2/10 on day 4."]
    assert set(found["source"]) == {"crowell2023"} and set(found["evidence"]) == {"weak"}
    assert found.loc[found["kind"] == "rtr_ready", "severity"].tolist() == ["info"]
