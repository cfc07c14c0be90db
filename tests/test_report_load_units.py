"""The report's load beyond distance: the unit each ratio chart uses, context periods shaded on
the time axis, downhill as a continuous load, and who is injured on the team page."""

from __future__ import annotations

from datetime import timedelta

from test_report_pages import START, STEADY, add_runs

from strideload import context as periods
from strideload.config import parse_config
from strideload.report import build_reports


def test_the_report_names_the_unit_shades_an_injury_and_says_who_is_injured(store, tmp_path):
    add_runs(store, "ana", STEADY + [6, 0, 8], descent_m=80.0, downhill_5pct_m=900.0)
    add_runs(store, "ben", STEADY + [6, 0, 8])
    last = START + timedelta(days=len(STEADY) + 2)
    store.add_context([periods.make_period("ana", start=last - timedelta(days=1), end=last + timedelta(days=10),
                                           kind="injury", note="left knee")])
    config = parse_config({"athletes": {"ana": {"load_unit": "duration"}}})
    result = build_reports(store, config, out_dir=tmp_path / "out", as_of=last)
    ana = result.pages["ana"].read_text(encoding="utf-8")
    ben = result.pages["ben"].read_text(encoding="utf-8")
    assert "in running time (min): the load_unit setting." in ana
    assert "in distance (km): the load_unit setting." in ben
    assert "Downhill as a continuous load" in ana and "Descent per km, 7 days" in ana
    assert '"injury"' in ana and "rgba(200,69,47,0.13)" in ana     # the period, shaded and labelled
    index = (result.out_dir / "index.html").read_text(encoding="utf-8")
    assert "injured since" in index and "left knee" in index
    assert index.count("injured since") == 1                          # ben is not
