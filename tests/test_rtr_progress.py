"""Progression on constructed plans: ready, hold for pain, hold for a missing rest day,
deviations (longer, hilly, no walk breaks by time and by distance, back-to-back, too many
runs) that never count, the next-morning score a session waits for, a red pain setback
that starts the count afresh, levels per week, the next session and completion. Day 0 is
Tue 15 Sep 2026; unless a test says otherwise, every next-morning score is logged."""

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


def status(the_plan, sessions, on: int, pain_flags=None, mornings=None):
    """The plan on day ``on``; ``mornings``: days (offsets) with a next-morning score, by default
    the morning after every session."""
    logged = [s.day + 1 for s in sessions] if mornings is None else [D0 + d for d in mornings]
    flags = pain(*()) if pain_flags is None else pain_flags
    return Evaluator(the_plan, sessions, flags, Config(), logged).status(D0 + on)


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
    assert ready.criteria[0].detail == ("2 phase 1 sessions done as prescribed without pain, with the "
                                        "next-morning score in (2 needed)")
    assert ready.next_stage == 2
    assert ready.next_session.startswith("phase 2: walk 2 min / run 3 min, 1.5 mi (2.41 km) in all")
    assert "strideload rtr set --stage 2" in ready.next_session
    assert ready.next_date == iso(D0 + 4)  # a rest day after the run on day 2


def test_one_session_is_not_enough():
    result = status(plan(), [session(0)], 1)
    assert not result.ready and result.reasons == [
        "1 phase 1 session done as prescribed without pain, with the next-morning score in (2 needed)"]
    assert result.next_session.startswith("phase 1: walk 2 min / run 3 min")


def test_hold_for_next_morning_pain():
    result = status(plan(), [session(0), session(2)], 3, pain(3))
    assert not result.ready
    assert met(result) == {"sessions": False, "pain": False, "rest": True}
    assert result.sessions_counted == 1  # the painful one does not count
    assert "amber knee pain on 18 Sep" in result.criteria[1].detail
    assert "once the pain has settled; stay at phase 1" in result.next_session
    assert result.session_log[1]["pain"] == ["Next-morning pain 2/10 on day 3."]


def test_pain_before_the_latest_session_does_not_hold_it():
    result = status(plan(), [session(0), session(2), session(4)], 5, pain(1))
    assert met(result)["pain"] and result.sessions_counted == 2 and result.ready


def test_hold_for_a_missing_rest_day():
    result = status(plan(), [session(0), session(1)], 2)
    assert not result.ready
    assert met(result) == {"sessions": False, "pain": True, "rest": False}  # the second run does not count
    assert result.session_log[1]["why_not_counted"] == ["0 rest days before it (1 asked)"]
    assert result.criteria[2].detail == "no rest day between the runs on 15 Sep and 16 Sep (at least 1 asked)"
    [deviation] = result.deviations
    assert (deviation.what, deviation.value, deviation.threshold) == ("back_to_back", 0, 1)


def test_a_short_session_does_not_count():
    result = status(plan(), [session(0), session(2, metres=1200.0)], 4)
    assert result.sessions_counted == 1 and result.sessions_as_prescribed == 1
    assert "not counted: 1 not as prescribed" in result.criteria[0].detail
    assert result.session_log[1]["why_not_counted"] == ["1.20 km, shorter than the 1 mi (1.61 km) prescribed"]
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
    assert result.decisions == [{"date": iso(D0), "stage": 1, "note": None, "source": None},
                                {"date": iso(D0 + 4), "stage": 2, "note": None, "source": None}]


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


def mornings_log(*days: int) -> pd.DataFrame:
    """A pain log with a next-morning score of 1 on each day (offset)."""
    return pd.DataFrame({"athlete": "ana", "date": [iso(D0 + d) for d in days], "time": None, "score": 1.0,
                         "when": "next-morning", "side": None, "note": None, "activity_id": None})


def test_flags_over_time():
    runs = [session(0), session(2), session(3), session(5, hilly=True, climb_m_per_km=15.0, ascent_m=24.0)]
    found = plan_flags([(plan(), runs)], pain(4), Config(), until=D0 + 8, last_day={},
                       pain_log=mornings_log(1, 3, 4, 6))
    rows = [(d.date().isoformat(), k, m.split(":")[0] if k != "rtr_deviation" else m) for d, k, m in
            zip(found["date"], found["kind"], found["message"], strict=True)]
    # Day 3 (18 Sep) has no rest day before it: on hold, and it does not count. Day 4: pain
    # the morning after it: on hold for pain too. Day 5 is hilly: it does not count either.
    # Days 0 and 2 count; from day 6 (21 Sep) nothing holds the plan: ready.
    assert rows == [
        ("2026-09-21", "rtr_ready", "Criteria to move from phase 1 to phase 2 are met"),
        ("2026-09-18", "rtr_hold", "Phase 1 on hold"),
        ("2026-09-19", "rtr_hold", "Phase 1 on hold"),
        ("2026-09-18", "rtr_deviation", "This run came 0 rest days after the one on 17 Sep; Walk/run progression "
                                        "(Crowell et al. 2023) asks for at least 1 rest day between runs."),
        ("2026-09-20", "rtr_deviation", "This run climbed 24 m (15.0 m per km, level ground is at most 10); Walk/run "
                                        "progression (Crowell et al. 2023) asks for level ground."),
    ]
    ready = found[found["kind"] == "rtr_ready"]["message"].iloc[0]
    assert "2 phase 1 sessions done as prescribed" in ready and "not counted: 2 not as prescribed" in ready


def test_without_next_morning_scores_nothing_is_ready():
    runs = [session(0), session(2), session(4)]
    found = plan_flags([(plan(), runs)], pain(), Config(), until=D0 + 8, last_day={}, pain_log=mornings_log())
    assert "rtr_ready" not in set(found["kind"])
    result = status(plan(), runs, 8, mornings=[])
    assert (result.sessions, result.sessions_counted, result.not_counted) == (3, 0, {"awaiting_next_morning": 3})
    assert result.session_log[0]["why_not_counted"] == ["awaiting the next-morning score of 16 Sep"]
    assert not met(result)["next_morning"]
    assert "the run on 19 Sep is awaiting the next-morning score" in result.reasons[-1]


def test_a_session_waits_for_its_own_next_morning_and_only_that():
    # Scores logged after days 0 and 4 but not after day 2: day 2 never counts.
    result = status(plan(), [session(0), session(2), session(4)], 5, mornings=[1, 5])
    assert [e["counts"] for e in result.session_log] == [True, False, True]
    assert result.ready and result.sessions_counted == 2
    assert "not counted: 1 awaiting the next-morning score" in result.criteria[0].detail


def test_deviating_sessions_never_count_even_without_pain():
    # The case: a new phase-1 plan while the runner already runs 3-5 km continuously.
    runs = [session(d, metres=3220.0 + 100 * d, longest_run_s=1140.0, run_bouts=1, walk_bouts=0)
            for d in (0, 2, 4, 6, 8, 10, 12)] + [session(14)]
    result = status(plan(), runs, 20)
    assert (result.sessions, result.sessions_as_prescribed, result.sessions_counted) == (8, 1, 1)
    assert not result.ready and result.not_counted == {"off_prescription": 7}
    assert result.criteria[0].detail == (
        "1 phase 1 session done as prescribed without pain, with the next-morning score in (2 needed); "
        "not counted: 7 not as prescribed")
    assert result.session_log[0]["why_not_counted"] == [
        "3.22 km, longer than the 1 mi (1.61 km) prescribed",
        "19.0 min of running without a walk break (3-min run intervals prescribed)"]


DISTANCE_ONLY = parse_protocol("""
[protocol]
key = "dist"
name = "By distance"
citation = "test"
[[stages]]
walk_mi = 0.1
run_mi = 0.2
distance_mi = 2.0
""")


def test_distance_based_stages_check_walk_breaks_and_total_distance():
    delaware_2 = plan((0, 2), protocol=DELAWARE)
    clean = session(0, metres=3219.0, longest_run_s=None, longest_run_m=330.0, walk_bouts=7, run_bouts=7)
    no_breaks = session(2, metres=3219.0, longest_run_m=3000.0, walk_bouts=1, run_bouts=1)
    too_far = session(4, metres=9000.0, longest_run_m=330.0, walk_bouts=20, run_bouts=20)
    result = status(delaware_2, [clean, no_breaks, too_far], 6)
    assert [e["counts"] for e in result.session_log] == [True, False, False]
    assert [(d.what, d.day - D0) for d in result.deviations] == [("intervals", 2), ("longer", 4)]
    assert result.deviations[0].message == ("This run had 3.00 km of running without a walk break; level 2 "
                                            "prescribes 0.2 mi (0.32 km) run intervals.")
    # Walk breaks taken but none at all is a deviation too, however short the session:
    [none] = status(plan(protocol=DISTANCE_ONLY), [session(0, metres=3219.0, longest_run_m=300.0, walk_bouts=0,
                                                           run_bouts=1)], 1).deviations
    assert none.message == "This run had no walk breaks; stage 1 prescribes walk 0.1 mi / run 0.2 mi."


def test_a_red_pain_setback_starts_the_count_afresh():
    runs = [session(0), session(2), session(4), session(6)]
    red = pain(5, kind="pain_red")  # the morning after day 4
    result = status(plan(), runs, 7, red)
    # Days 0 and 2 were clean, but the red score on day 5 resets them; day 4 had the pain and
    # day 6 is the only clean session since.
    assert [e["counts"] for e in result.session_log] == [False, False, False, True]
    assert result.not_counted == {"reset": 2, "pain": 1}
    assert result.session_log[0]["why_not_counted"] == [
        "before the red knee pain on 20 Sep, which starts the count afresh"]
    assert not result.ready
    assert "not counted: 1 with knee pain, 2 before a red pain setback (on 20 Sep)" in result.criteria[0].detail
    # Amber pain only makes its own session not count.
    assert status(plan(), runs, 7, pain(5)).sessions_counted == 3


def test_rtr_ready_is_raised_once_per_stage():
    # Ready after day 2's morning; each later run makes it wait for its next morning again.
    runs = [session(d) for d in (0, 2, 4, 6, 8)]
    found = plan_flags([(plan(), runs)], pain(), Config(), until=D0 + 10, last_day={},
                       pain_log=mornings_log(1, 3, 5, 7, 9))
    assert list(found.loc[found["kind"] == "rtr_ready", "date"].dt.date.astype(str)) == ["2026-09-18"]
    # A new stage can be ready again.
    moved = plan((0, 1), (4, 2))
    runs = [session(0), session(2), session(4, metres=2414.0), session(6, metres=2414.0)]
    found = plan_flags([(moved, runs)], pain(), Config(), until=D0 + 10, last_day={},
                       pain_log=mornings_log(1, 3, 5, 7))
    assert list(found.loc[found["kind"] == "rtr_ready", "date"].dt.date.astype(str)) == ["2026-09-18", "2026-09-22"]
