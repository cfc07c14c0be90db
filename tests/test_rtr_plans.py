"""Plans in a store: start, the PT's decisions, status from imported watch files and the pain
log, and the flags beside the others; then ana's return to run in sample_data/ end to end."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from files import gpx_bytes
from test_rtr_measure import interval_points

from strideload import analyze, rtr
from strideload.config import parse_config
from strideload.errors import UsageError
from strideload.ingest.importer import import_paths
from strideload.pain import make_entry

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "ana"
OSLO = parse_config({"settings": {"timezone": "Europe/Oslo"}})


def _import_intervals(store, tmp_path, days: list[int], pattern=None):
    """Crowell phase-1 sessions (walk 2 / run 3 min × 3) on 15 Sep 2026 + each offset."""
    folder = tmp_path / "runs"
    folder.mkdir(exist_ok=True)
    for offset in days:
        points = interval_points(pattern or [("walk", 120), ("run", 180)] * 3)
        for point in points:
            point.time += timedelta(days=offset)
        (folder / f"run{offset}.gpx").write_bytes(gpx_bytes(points))
    import_paths(store, [folder], athlete="ana", config=OSLO)


def test_start_set_and_read_back(store):
    plan = rtr.start(store, "ana", "crowell2023", on=date(2026, 9, 15), config=OSLO)
    assert (plan.protocol.key, plan.start, plan.decisions[0].stage) == ("crowell2023", plan.start, 1)
    rtr.set_stage(store, "ana", 2, on=date(2026, 9, 19), note="two clean sessions", config=OSLO)
    [again] = rtr.plans(store, "ana")
    assert [(d.stage, d.note) for d in again.decisions] == [(1, "start"), (2, "two clean sessions")]
    assert again.protocol.text == rtr.shipped_protocol("crowell2023").text  # kept with the plan


def test_starting_the_same_plan_again_records_nothing(store):
    first = rtr.start(store, "ana", "crowell2023", on=date(2026, 9, 15), config=OSLO)
    rtr.set_stage(store, "ana", 2, on=date(2026, 9, 19), config=OSLO)
    again = rtr.start(store, "ana", "crowell2023", on=date(2026, 9, 15), config=OSLO)
    assert again.id == first.id and len(rtr.plans(store, "ana")) == 1
    assert [d.stage for d in again.decisions] == [1, 2]  # the PT's decision stays
    with pytest.raises(UsageError, match=r"ana already has a return-to-run plan \(crowell2023 from 2026-09-15, "
                                         r"started with 'strideload rtr start'\); .* add --replace"):
        rtr.start(store, "ana", "crowell2023", on=date(2026, 10, 1), config=OSLO)
    later = rtr.start(store, "ana", "crowell2023", on=date(2026, 10, 1), config=OSLO, replace=True)
    assert later.id != first.id  # a new start date is a new plan


def test_a_replaced_plan_and_its_decisions_stay_in_the_history(store):
    first = rtr.start(store, "ana", "crowell2023", on=date(2026, 9, 15), config=OSLO)
    rtr.set_stage(store, "ana", 2, on=date(2026, 9, 19), config=OSLO)
    # replaced from before its own start: the PT got the date wrong
    second = rtr.start(store, "ana", "delaware2018", on=date(2026, 9, 10), config=OSLO, replace=True)
    assert [(p.id, len(p.decisions)) for p in rtr.plans(store, "ana")] == [(first.id, 2), (second.id, 1)]
    [now] = rtr.status(store, "ana", config=OSLO, as_of="2026-09-20")
    assert (now.protocol, now.plan_id) == ("delaware2018", second.id)
    assert now.replaced == [{"plan_id": first.id, "protocol": "crowell2023", "start": "2026-09-15", "source": "cli",
                             "recorded": rtr.plans(store, "ana")[0].created, "decisions": 2,
                             "in_force_until": "never"}]
    # a later start replaces from that day on: the earlier plan was in force until the day before
    third = rtr.start(store, "ana", "crowell2023", on=date(2026, 10, 1), config=OSLO, replace=True)
    [then] = rtr.status(store, "ana", config=OSLO, as_of="2026-09-20")
    assert then.plan_id == second.id
    [now] = rtr.status(store, "ana", config=OSLO, as_of="2026-10-02")
    assert now.plan_id == third.id
    assert [r["in_force_until"] for r in now.replaced] == ["never", "2026-09-30"]


@pytest.mark.parametrize("call, message", [
    (lambda s: rtr.start(s, "ana", "nope", on=date(2026, 9, 15)), "unknown protocol 'nope'"),
    (lambda s: rtr.start(s, "ana", "crowell2023", on=date(2026, 9, 15), stage=7), "phases 1 to 6, not 7"),
    (lambda s: rtr.set_stage(s, "ana", 2, on=date(2026, 9, 15)), "no return-to-run plan for 'ana'"),
])
def test_plan_errors(store, call, message):
    with pytest.raises(Exception, match=message) as caught:
        call(store)
    assert isinstance(caught.value, UsageError) or type(caught.value).__name__ == "ProtocolError"


def test_a_decision_before_the_start_is_refused(store):
    rtr.start(store, "ana", "crowell2023", on=date(2026, 9, 15))
    with pytest.raises(UsageError, match="before the plan's start"):
        rtr.set_stage(store, "ana", 2, on=date(2026, 9, 14))
    with pytest.raises(UsageError, match="add --replace"):
        rtr.start(store, "ana", "delaware2018", on=date(2026, 9, 1))


def _mornings(store, *days: str, score: float = 1):
    store.add_pain([make_entry("ana", score=score, date=day, when="next-morning") for day in days])


def test_status_from_imported_walk_run_sessions(store, tmp_path):
    _import_intervals(store, tmp_path, [0, 2])
    rtr.start(store, "ana", "crowell2023", on=date(2026, 9, 15), config=OSLO)
    [waiting] = rtr.status(store, "ana", config=OSLO, as_of="2026-09-18")
    assert (waiting.sessions, waiting.sessions_counted, waiting.ready) == (2, 0, False)  # no next-morning scores
    _mornings(store, "2026-09-16", "2026-09-18")
    [now] = rtr.status(store, "ana", config=OSLO, as_of="2026-09-18")
    assert (now.stage, now.sessions, now.sessions_counted, now.ready) == (1, 2, 2, True)
    first = now.session_log[0]
    assert (first["run_intervals"], first["walk_intervals"]) == (3, 3)
    assert first["run_min"] == pytest.approx(9.0, abs=0.05) and first["walk_min"] == pytest.approx(6.0, abs=0.05)
    assert now.deviations == []


def test_pain_in_the_store_holds_the_plan(store, tmp_path):
    _import_intervals(store, tmp_path, [0, 2])
    store.add_pain([make_entry("ana", score=1, date="2026-09-17", when="daily"),
                    make_entry("ana", score=3, date="2026-09-18", when="next-morning")])
    rtr.start(store, "ana", "crowell2023", on=date(2026, 9, 15), config=OSLO)
    [now] = rtr.status(store, "ana", config=OSLO, as_of="2026-09-18")
    assert not now.ready and "red knee pain on 18 Sep" in now.reasons[-1]


def test_continuous_running_in_a_walk_run_phase_is_a_deviation(store, tmp_path):
    _import_intervals(store, tmp_path, [0], pattern=[("walk", 60), ("run", 540)])
    rtr.start(store, "ana", "crowell2023", on=date(2026, 9, 15), config=OSLO)
    [now] = rtr.status(store, "ana", config=OSLO, as_of="2026-09-16")
    [deviation] = now.deviations
    assert deviation.what == "intervals" and deviation.value == pytest.approx(9.0, abs=0.05)


def test_rtr_flags_join_the_analysis(store, tmp_path):
    _import_intervals(store, tmp_path, [0, 1])
    rtr.start(store, "ana", "crowell2023", on=date(2026, 9, 15), config=OSLO)
    found = analyze.flags(store.activities_frame(), OSLO, until="2026-09-20", rtr=rtr.inputs(store, OSLO),
                          kinds=["rtr_hold", "rtr_deviation"])
    assert [(d.date().isoformat(), k) for d, k in zip(found["date"], found["kind"], strict=True)] == [
        ("2026-09-16", "rtr_deviation"), ("2026-09-16", "rtr_hold")]
    assert rtr.inputs(store, OSLO, athlete="nobody") is None


@pytest.fixture(scope="module")
def ana(tmp_path_factory):
    """ana's watch files from 9 Sep to 13 Oct 2026 and her pain log, in a store."""
    from strideload.store import Store

    root = tmp_path_factory.mktemp("ana")
    for path in SAMPLE.iterdir():
        name = path.name
        if name == "pain.csv" or ("2026-09-09" <= name[:10] <= "2026-10-13" and name.endswith(".fit")):
            shutil.copy(path, root / name)
    shutil.copy(SAMPLE / "activity_17430671338.tcx", root)  # 17 Sep session
    store = Store.open(root / "ana.db")
    import_paths(store, [root], athlete="ana", config=OSLO)
    rtr.start(store, "ana", "crowell2023", on=date(2026, 9, 15), config=OSLO)
    for day, stage in (("2026-09-19", 2), ("2026-09-23", 3), ("2026-09-28", 4), ("2026-10-02", 5),
                       ("2026-10-11", 6)):
        rtr.set_stage(store, "ana", stage, on=date.fromisoformat(day), config=OSLO)
    yield store
    store.close()


def test_sample_ana_back_to_back_and_the_hill(ana):
    found = analyze.flags(ana.activities_frame(), OSLO, until="2026-10-14", pain=ana.pain_frame(),
                          rtr=rtr.inputs(ana, OSLO), kinds=["rtr_ready", "rtr_hold", "rtr_deviation"])
    got = [(d.date().isoformat(), k) for d, k in zip(found["date"], found["kind"], strict=True)]
    assert ("2026-09-26", "rtr_deviation") in got and ("2026-09-26", "rtr_hold") in got  # back-to-back
    assert got.count(("2026-10-04", "rtr_deviation")) == 2  # longer and hillier
    assert ("2026-10-04", "rtr_hold") in got  # pain during the hilly run
    assert got[-1] == ("2026-10-14", "rtr_ready")  # phase 6 done twice without pain
    assert "is complete" in found["message"].iloc[-1]


def test_sample_ana_status_on_the_morning_after_the_hill(ana):
    [now] = rtr.status(ana, "ana", config=OSLO, as_of="2026-10-05")
    assert (now.stage, now.sessions, now.sessions_counted, now.ready) == (5, 2, 0, False)  # reset by the red score
    assert "red knee pain on 5 Oct" in [c.detail for c in now.criteria if c.name == "pain"][0]
    assert {d.what for d in now.deviations} == {"longer", "hilly"}
    assert now.session_log[0]["walk_intervals"] >= 4  # walk 1 / run 4 on 2 Oct
