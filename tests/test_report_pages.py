"""The HTML report: hostile names stay text, pages are replaced atomically, nothing comes
from the network, --self-contained embeds plotly.js, and the index ranks by concern."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from factories import summary

from strideload.cli.main import cli
from strideload.model import Activity
from strideload.report import ReportError, build_reports
from strideload.report import assets as report_assets
from strideload.report.assets import page_name, plotly_js

HOSTILE_ATHLETE = "<script>alert(1)</script>"
HOSTILE_RUN = '<img src=x onerror="alert(2)">'
HOSTILE_NOTE = "</script><script>alert(3)</script>"
START = date(2026, 3, 2)


def add_runs(store, athlete: str, kms: list[float], start: date = START, **fields) -> None:
    """One run a day from ``start`` (0 km = rest day), straight into ``store``."""
    stream = pd.DataFrame({"time": pd.Series(dtype="datetime64[ns, UTC]")})
    for offset, km in enumerate(kms):
        if not km:
            continue
        row = summary(athlete, start + timedelta(days=offset), km, **fields)
        row["name"] = fields.get("name", "Morning Run")
        row["source_path"] = f"test/{row['id']}.fit"
        row["sha256"] = row["id"]
        store.insert_activity(Activity(row, stream))


def add_pain(store, athlete: str, day: date, score: float, note: str | None = None) -> None:
    pain = pytest.importorskip("strideload.pain")
    store.add_pain([pain.make_entry(athlete, score=score, date=day, when="daily", note=note)])


def pages(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in folder.glob("*.html")}


STEADY = [6, 0, 8, 0, 6, 0, 12] * 6  # six quiet weeks, a long run each Sunday


@pytest.fixture
def team(store):
    """Four athletes whose last week differs: an alert, a caution, knee pain, nothing."""
    add_runs(store, "alert", STEADY + [6, 0, 20])          # 20 km after 12 km longest: ratio 1.67
    add_runs(store, "caution", STEADY + [6, 0, 13.5])      # 1.125: a small spike
    add_runs(store, "pain", STEADY + [6, 0, 8])
    add_runs(store, "quiet", STEADY + [6, 0, 8])
    last = START + timedelta(days=len(STEADY) + 2)
    if hasattr(store, "add_pain"):
        add_pain(store, "pain", last, 2)
        add_pain(store, "quiet", last - timedelta(days=20), 3)  # long ago: not this week
    return store


def test_hostile_athlete_activity_and_note_render_as_text(store, tmp_path):
    add_runs(store, HOSTILE_ATHLETE, STEADY + [6, 0, 20], name=HOSTILE_RUN)
    if hasattr(store, "add_pain"):
        add_pain(store, HOSTILE_ATHLETE, START + timedelta(days=40), 4, note=HOSTILE_NOTE)
    result = build_reports(store, out_dir=tmp_path / "out")
    page = result.pages[HOSTILE_ATHLETE]
    assert page.parent == result.out_dir and "<" not in page.name and "/" not in page.name
    for name, text in pages(result.out_dir).items():
        assert HOSTILE_ATHLETE not in text, name
        assert "<img" not in text and "alert(2)\">" not in text, name
        assert "alert(3)</script>" not in text, name
        assert len(re.findall(r"<script\b", text)) <= 3, name  # plotly.js, figure data, draw
    html = page.read_text(encoding="utf-8")
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in html
    assert "&amp;lt;img src=x onerror=" in html or "&lt;img src=x onerror=" in html
    index = (result.out_dir / "index.html").read_text(encoding="utf-8")
    assert f'href="{page.name}">&lt;script&gt;alert(1)&lt;/script&gt;</a>' in index


def test_page_names_are_safe_and_distinct():
    assert page_name("ana") == "ana.html"
    names = {page_name(n) for n in ("Ana", "ana ", "../../etc/passwd", "index", "plotly.min", "Åsa", "")}
    assert len(names) == 7
    for name in names:
        assert re.fullmatch(r"[a-z0-9_-]+\.html", name), name
        assert name not in ("index.html", "plotly.min.html")


def test_rerun_replaces_pages_and_a_failed_write_leaves_the_old_page(team, tmp_path, monkeypatch):
    out = tmp_path / "reports"
    first = build_reports(team, out_dir=out)
    js_mtime = first.plotly_js.stat().st_mtime_ns
    old = first.pages["alert"].read_text(encoding="utf-8")

    second = build_reports(team, out_dir=out, since=START + timedelta(days=14))
    assert second.pages["alert"].read_text(encoding="utf-8") != old
    assert second.plotly_js.stat().st_mtime_ns == js_mtime  # plotly.js is written once

    current = second.pages["alert"].read_text(encoding="utf-8")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report_assets.os, "replace", broken_replace)
    with pytest.raises(ReportError, match="No space left"):
        build_reports(team, out_dir=out)
    assert second.pages["alert"].read_text(encoding="utf-8") == current
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def test_pages_load_nothing_from_the_network(team, tmp_path):
    result = build_reports(team, out_dir=tmp_path / "r")
    assert result.plotly_js == tmp_path / "r" / "plotly.min.js"
    assert result.plotly_js.read_text(encoding="utf-8") == plotly_js()
    doi_links = 0
    for name, text in pages(result.out_dir).items():
        for tag, attribute, value in re.findall(r"<(\w+)[^>]*?\s(src|href)=\"([^\"]*)\"", text):
            if re.match(r"(?i)(https?:)?//", value):
                assert tag == "a" and value.startswith("https://doi.org/10."), (name, tag, value)
                doi_links += 1
            elif attribute == "src":
                assert value == "plotly.min.js", (name, value)
        assert "@import" not in text and "url(http" not in text, name
    assert doi_links > 0


def test_self_contained_pages_embed_plotly(team, tmp_path):
    result = build_reports(team, out_dir=tmp_path / "one", self_contained=True, athletes=["alert"])
    html = result.pages["alert"].read_text(encoding="utf-8")
    assert plotly_js()[:2000] in html
    assert 'src="plotly.min.js"' not in html
    assert result.plotly_js is None and not (tmp_path / "one" / "plotly.min.js").exists()
    assert list(result.pages) == ["alert"]


def test_pages_stay_small(team, tmp_path):
    result = build_reports(team, out_dir=tmp_path / "r")
    for path in result.pages.values():
        assert path.stat().st_size < 500_000


def test_index_ranks_alerts_then_cautions_then_pain(team, tmp_path):
    result = build_reports(team, out_dir=tmp_path / "r")
    index = (result.out_dir / "index.html").read_text(encoding="utf-8")
    order = re.findall(r'<a href="([a-z]+)\.html">', index)
    expected = ["alert", "caution", "pain", "quiet"] if hasattr(team, "add_pain") else None
    if expected is None:
        assert order[:2] == ["alert", "caution"]
    else:
        assert order == expected


def test_as_of_defaults_to_the_last_activity_and_can_be_set(team, tmp_path):
    last = START + timedelta(days=len(STEADY) + 2)
    result = build_reports(team, out_dir=tmp_path / "r", athletes=["alert"])
    html = result.pages["alert"].read_text(encoding="utf-8")
    assert f"status as of {last:%a} {last.day} {last:%b %Y} (the day of the last activity)" in html
    assert "Session distance spike" in html

    earlier = last - timedelta(days=10)
    result = build_reports(team, out_dir=tmp_path / "r2", athletes=["alert"], as_of=earlier)
    html = result.pages["alert"].read_text(encoding="utf-8")
    assert f"status as of {earlier:%a} {earlier.day} {earlier:%b %Y}</p>" in html


def test_no_pain_log_is_said_plainly(team, tmp_path, monkeypatch):
    owner = next(k for k in type(team).__mro__ if "pain_frame" in vars(k))  # a store that keeps no pain log
    monkeypatch.delattr(owner, "pain_frame")
    result = build_reports(team, out_dir=tmp_path / "r", athletes=["quiet"])
    html = result.pages["quiet"].read_text(encoding="utf-8")
    assert "no pain log yet" in html


def test_cli_writes_reports_and_says_where(team, tmp_path):
    out = tmp_path / "reports"
    run = CliRunner().invoke(cli, ["report", "--db", str(team.path), "--out", str(out), "--athlete", "alert"])
    assert run.exit_code == 0, run.output
    assert f"Open {out / 'index.html'}" in run.output
    assert (out / "alert.html").is_file() and (out / "index.html").is_file()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="alert.html"' in index and 'href="quiet.html"' not in index  # no page, no link


def test_cli_refuses_an_unknown_athlete(team, tmp_path):
    run = CliRunner().invoke(cli, ["report", "--db", str(team.path), "--out", str(tmp_path / "r"),
                                   "--athlete", "nobody"])
    assert run.exit_code == 1
    assert "unknown athlete 'nobody'" in run.output


def test_a_return_to_run_plan_gets_its_section_and_none_without(team, tmp_path):
    rtr = pytest.importorskip("strideload.rtr")
    day = START + timedelta(days=len(STEADY) - 14)
    rtr.start(team, "quiet", "crowell2023", on=day)
    rtr.set_stage(team, "quiet", 2, on=day + timedelta(days=5))
    result = build_reports(team, out_dir=tmp_path / "r", athletes=["quiet", "pain"])
    quiet = result.pages["quiet"].read_text(encoding="utf-8")
    assert 'id="fig-rtr"' in quiet and "Return to run" in quiet
    assert "phase 2: walk 2 min / run 3 min" in quiet
    assert 'href="https://doi.org/10.1186/s13063-023-07502-x"' in quiet
    assert 'id="fig-rtr"' not in result.pages["pain"].read_text(encoding="utf-8")


# -- staleness, runs set aside, the cadence line ------------------------------------------------

def test_the_team_page_is_this_week_with_stale_athletes_marked(team, tmp_path):
    # "team" ran in March; "now" has run up to yesterday.
    yesterday = date.today() - timedelta(days=1)
    add_runs(team, "now", STEADY, start=yesterday - timedelta(days=len(STEADY) - 1))
    index = (build_reports(team, out_dir=tmp_path / "r").out_dir / "index.html").read_text(encoding="utf-8")
    order = re.findall(r'<a href="([a-z]+)\.html">', index)
    assert order[0] == "now"                          # this week's athletes first
    assert order[1:3] == ["alert", "caution"]          # then the stale ones, by their last week on record
    last = START + timedelta(days=len(STEADY) + 2)
    days = (date.today() - last).days
    assert index.count('class="sev sev-stale"') == 4
    assert f"No runs recorded since {last.day} {last:%b} — {days} days." in index
    assert "last week on record, to" in index and "1 alert" in index
    assert index.count('class="sev sev-none"') <= 1     # only "now" can be clear: no stale athlete is


def test_a_stale_page_says_so_first(team, tmp_path):
    html = build_reports(team, out_dir=tmp_path / "r", athletes=["quiet"]).pages["quiet"].read_text(encoding="utf-8")
    assert 'class="stale"' in html and html.index('class="stale"') < html.index("Where quiet stands")
    assert "Latest data</dt><dd>last run" in html


def test_runs_set_aside_are_listed_with_the_reason(team, tmp_path):
    add_runs(team, "quiet", [0] * (len(STEADY) + 1) + [250.0], name="Forgot to stop", avg_speed_mps=30.0)
    html = build_reports(team, out_dir=tmp_path / "r", athletes=["quiet"]).pages["quiet"].read_text(encoding="utf-8")
    assert "1 run set aside as implausible" in html
    assert "<h2>Runs set aside</h2>" in html and "average speed 30.0 m/s is above 7 m/s" in html
    assert "strideload activities include ID" in html
    assert "250.0 km" not in html.split("<h2>Runs set aside</h2>")[0]   # no load, no spike


def test_the_cadence_chart_draws_the_line_the_flags_use(team, tmp_path):
    html = build_reports(team, out_dir=tmp_path / "r", athletes=["quiet"]).pages["quiet"].read_text(encoding="utf-8")
    assert "The line drawn is the one that judges a run on the last day shown" in html
