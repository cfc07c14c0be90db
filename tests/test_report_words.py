"""The report as a PT reads it: each flag's value against its threshold in units, plain
names, the important load events never folded away, pace beside m/s, and the team page's
ratios in their band colours, saying which one the status uses."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from test_report_pages import START, STEADY, add_pain, add_runs, pages

from strideload.analyze.words import label, value_vs_threshold
from strideload.config import parse_config
from strideload.report import build_reports


def test_flag_values_read_with_units():
    run = {"distance_m": 21_200.0, "downhill_5pct_m": 2_100.0}
    assert value_vs_threshold("session_spike", 1.51, 1.30, run=run) == "21.2 km vs 15.4 km allowed"
    miles = value_vs_threshold("session_spike", 1.51, 1.30, run=run, system="imperial")
    assert miles == "13.2 mi vs 9.6 mi allowed"
    assert value_vs_threshold("downhill_spike", 1.5, 1.3, run=run) == "2.1 km downhill vs 1.8 km allowed"
    assert value_vs_threshold("weekly_increase", 45.2, 30.0) == "+45 % vs +30 % allowed"
    assert value_vs_threshold("cadence_hint", 158.4, 166.0) == "158 vs 166 steps/min"
    assert value_vs_threshold("rtr_ready", 2.0, 2.0) == "2 clean sessions, 2 needed"
    assert value_vs_threshold("rtr_hold", float("nan"), float("nan")) == "–"
    assert label("pain_amber") == "Knee pain: amber" and label("coverage_gap") == "Coverage gap"


def test_the_page_keeps_old_load_spikes_in_view_and_words_every_value(store, tmp_path):
    # A 20 km spike, then ten weeks of steady running with knee pain flags every week.
    add_runs(store, "ana", STEADY + [6, 0, 20] + [6, 0, 8, 0, 6, 0, 10] * 10)
    spike_day = START + timedelta(days=len(STEADY) + 2)
    for week in range(10):
        day = spike_day + timedelta(days=7 * week + 3)
        add_pain(store, "ana", day, 1)
        add_pain(store, "ana", day + timedelta(days=1), 7, note="stairs")
    build_reports(store, out_dir=tmp_path / "out")
    page = pages(tmp_path / "out")["ana.html"]
    events = page.split('<div class="load-events">', 1)[1].split("</div>", 1)[0]
    assert f"{spike_day.day} {spike_day:%b %Y}" in events
    assert "Session distance spike: 20.0 km vs 13.2 km allowed" in events
    older = page.split("<details>", 1)[1]
    assert "20.0 km vs 13.2 km allowed" in older  # and in the folded table, where it is dated
    table = page.split('<table class="flags-table">', 1)[1]
    assert "pain points" in table and "pain_red" not in re.sub(r"<[^>]+>", "", table)


def test_the_cadence_chart_reads_in_pace_too(store, tmp_path):
    add_runs(store, "ana", STEADY, cadence_spm=170.0)
    build_reports(store, out_dir=tmp_path / "out")
    page = pages(tmp_path / "out")["ana.html"]
    figures = json.loads(page.split('id="strideload-figures">', 1)[1].split("</script>", 1)[0])
    axis = figures["fig-cadence"]["layout"]["xaxis"]
    assert "pace (min/km)" in axis["title"]["text"]
    assert all(re.fullmatch(r"\d\.\d m/s<br>\d+:\d\d", text) for text in axis["ticktext"]), axis["ticktext"]


def test_team_ratios_carry_their_band_colours_and_name_the_one_the_status_uses(store, tmp_path):
    add_runs(store, "steady", STEADY + [6, 0, 8])
    add_runs(store, "jump", STEADY + [12, 10, 20])
    build_reports(store, parse_config({"settings": {"acwr_high": 1.6}}), out_dir=tmp_path / "out")
    index = pages(tmp_path / "out")["index.html"]
    rows = index.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert re.search(r'<strong><span class="ratio band-\w+" title="EWMA: [a-z ]+">\d\.\d\d</span></strong>', rows)
    assert 'title="coupled: ' in rows and 'title="uncoupled: ' in rows
    legend = index.split('class="note ratios-legend"', 1)[1]
    assert "The status and its high-ratio flag use the EWMA ratio" in legend
    assert "high ≥ 1.6" in legend  # the bands follow the settings
    assert "band-sweet" in rows and re.search(r"band-(elevated|high)", rows)
