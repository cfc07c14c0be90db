"""What the report tells a physical therapist: the page is as of the morning after the last
run when that score is the latest data, ``--since`` after the data is an error, the
return-to-run card groups what did not count by kind, the chart draws the stage's own
prescription and nothing after the plan was complete, and the team page has a
return-to-run column."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta

import numpy as np
import pytest
from click.testing import CliRunner
from test_report_pages import START, STEADY, add_runs
from test_rtr_plans import OSLO, _import_intervals

from strideload import rtr
from strideload.cli.main import cli
from strideload.errors import UsageError
from strideload.pain import make_entry
from strideload.report import build_reports, gather
from strideload.report.rtr_section import progress_figure, rtr_section
from strideload.store import Store

LAST = START + timedelta(days=len(STEADY) - 1)  # the last run of add_runs(STEADY)
D0 = date(2026, 9, 15)  # _import_intervals' day 0
PHASE_1_KM = 1.609344
CONTINUOUS = [("run", 1460)]  # about 3.2 km without a walk break


def _mornings(store, *offsets: int, score: float = 1) -> None:
    store.add_pain([make_entry("ana", score=score, date=D0 + timedelta(days=o), when="next-morning")
                    for o in offsets])


# -- as of, since -----------------------------------------------------------------------------
def test_the_next_morning_score_after_the_last_run_is_on_the_page(store, tmp_path):
    add_runs(store, "ana", STEADY)
    morning = LAST + timedelta(days=1)
    store.add_pain([make_entry("ana", score=6, date=morning, when="next-morning", note="stairs")])
    html = build_reports(store, out_dir=tmp_path / "r").pages["ana"].read_text(encoding="utf-8")
    assert (f"status as of {morning:%a} {morning.day} {morning:%b %Y} (the day of the last knee-pain score; "
            f"last activity {LAST.day} {LAST:%b %Y})") in html
    assert "latest 6 / 10 (next-morning" in html
    card = html[html.index("Where ana stands"):html.index("This week")]
    assert "sev-alert" in card and "clear" not in card


def test_without_a_later_pain_score_the_page_is_as_of_the_last_activity(store, tmp_path):
    add_runs(store, "ana", STEADY)
    store.add_pain([make_entry("ana", score=1, date=LAST - timedelta(days=3), when="daily")])
    [data] = gather(store, OSLO)
    assert (data.as_of, data.as_of_from) == (LAST, "activity")


def test_since_after_the_data_is_an_error_naming_the_last_day(store, tmp_path):
    add_runs(store, "ana", STEADY)
    store.add_pain([make_entry("ana", score=1, date=LAST + timedelta(days=1), when="next-morning")])
    with pytest.raises(UsageError, match=rf"--since {LAST + timedelta(days=2)} is after the data, which ends on "
                                         rf"{LAST + timedelta(days=1)}"):
        build_reports(store, out_dir=tmp_path / "r", since=LAST + timedelta(days=2))
    assert build_reports(store, out_dir=tmp_path / "r", since=LAST + timedelta(days=1)).pages  # the last day itself
    run = CliRunner().invoke(cli, ["report", "--db", str(store.path), "--out", str(tmp_path / "c"),
                                   "--since", "2027-06-01"])
    assert run.exit_code == 1 and "Traceback" not in run.output
    assert run.output.strip() == f"Error: --since 2027-06-01 is after the data, which ends on {LAST + timedelta(1)}"


# -- return to run ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def phase_1_db(tmp_path_factory):
    """ana on Crowell phase 1 from 15 Sep: two sessions as prescribed (with their next-morning
    scores), then two continuous 3.2 km runs; ben without a plan. Tests read it only."""
    folder = tmp_path_factory.mktemp("phase-1")
    with Store.open(folder / "phase1.db") as store:
        _import_intervals(store, folder, [0, 2])
        _import_intervals(store, folder, [4, 6], pattern=CONTINUOUS)
        _mornings(store, 1, 3, 5, 7)  # the page is as of 22 Sep, the morning after the last run
        add_runs(store, "ben", [5, 0, 6], start=D0)
        rtr.start(store, "ana", "crowell2023", on=D0, config=OSLO)
    return folder / "phase1.db"


@pytest.fixture
def phase_1(phase_1_db, tmp_path):
    """A copy of :func:`phase_1_db` the test may change."""
    shutil.copy(phase_1_db, tmp_path / "copy.db")
    with Store.open(tmp_path / "copy.db") as store:
        yield store


def test_the_card_groups_what_did_not_count_by_kind(phase_1, tmp_path):
    html = build_reports(phase_1, OSLO, tmp_path / "r").pages["ana"].read_text(encoding="utf-8")
    card = html[html.index('<div class="card rtr">'):]
    card = card[:card.index("</div>")]
    assert "4 at this phase: 2 as prescribed, 2 not; <strong>2 count</strong> toward progressing (2 needed)" in card
    assert re.search(r"<strong>Longer than prescribed</strong>: 2 sessions <span class=\"note\">\(19 Sep "
                     r"\(3\.2\d km\), 21 Sep \(3\.2\d km\)\)", card)
    assert "<strong>Without the prescribed walk breaks</strong>: 2 sessions" in card
    assert card.count("Longer than prescribed") == 1 and card.count("<li>") <= 8  # one line per kind
    assert "started with <code>strideload rtr start</code>" in card


def test_the_chart_draws_the_prescription_not_each_sessions_length(phase_1):
    [ana] = [d for d in gather(phase_1, OSLO) if d.athlete == "ana"]
    figure = progress_figure(ana.rtr)
    traces = {trace.name: trace for trace in figure.data}
    prescribed = np.asarray(traces["Prescribed distance"].y, dtype="float64")
    assert np.allclose(prescribed, PHASE_1_KM, atol=0.01)  # 1 mi every day, whatever was run
    running = np.asarray(traces["Running (measured)"].y, dtype="float64")
    assert running.max() > 1.9 * PHASE_1_KM  # so the overshoot shows above the line
    interval = np.asarray(traces["Prescribed run interval"].y, dtype="float64")
    assert np.allclose(interval, 3.0)  # minutes
    assert set(traces) >= {"Counts toward progressing", "Not as prescribed"}
    assert list(figure.layout.yaxis4.tickvals) == [1, 2, 3, 4, 5, 6]


def test_nothing_is_prescribed_after_the_plan_was_complete(store, tmp_path):
    _import_intervals(store, tmp_path, [0, 2, 6, 8], pattern=[("run", 1460)])  # 3.2 km continuous
    _mornings(store, 1, 3, 7, 9)
    rtr.start(store, "ana", "crowell2023", on=D0, stage=6, config=OSLO)
    [data] = gather(store, OSLO)
    view = data.rtr
    assert view.completed_on == D0 + timedelta(days=3) and view.status.complete
    figure = progress_figure(view)
    traces = {trace.name: trace for trace in figure.data}
    last_prescribed = max(np.asarray(traces["Prescribed distance"].x, dtype="datetime64[D]"))
    assert last_prescribed == np.datetime64(D0 + timedelta(days=4))  # the step ends the day after completion
    assert max(np.asarray(traces["Phase in force"].x, dtype="datetime64[D]")) == last_prescribed
    after = np.asarray(traces["Runs after the plan was complete"].x, dtype="datetime64[D]")
    assert list(after) == [np.datetime64(D0 + timedelta(days=6)), np.datetime64(D0 + timedelta(days=8))]
    html, _ = rtr_section(data)
    assert "The plan was complete on 18 Sep 2026: nothing is prescribed after it." in html


def test_the_team_page_has_a_return_to_run_column(phase_1, tmp_path):
    index = (build_reports(phase_1, OSLO, tmp_path / "r").index).read_text(encoding="utf-8")
    assert "<th>Return<br>to run</th>" in index
    row = {m.group(1): m.group(0) for m in re.finditer(r'<a href="(\w+)\.html">.*?</tr>', index, flags=re.S)}
    assert "phase&nbsp;1&nbsp;of&nbsp;6<br><strong>ready</strong>" in row["ana"]
    assert "2/2&nbsp;counted" in row["ana"]
    assert '<span class="note">–</span></td>' in row["ben"]


def test_a_plan_on_hold_says_so_on_the_team_page(phase_1, tmp_path):
    phase_1.add_pain([make_entry("ana", score=7, date=D0 + timedelta(days=7), when="daily")])
    index = (build_reports(phase_1, OSLO, tmp_path / "r").index).read_text(encoding="utf-8")
    assert "phase&nbsp;1&nbsp;of&nbsp;6<br><strong>on&nbsp;hold</strong>" in index


def test_no_team_column_without_any_plan(store, tmp_path):
    add_runs(store, "ana", STEADY)
    index = (build_reports(store, out_dir=tmp_path / "r").index).read_text(encoding="utf-8")
    assert "Return to run" not in index
