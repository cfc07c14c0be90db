"""The sample report in a real headless Chromium: every page loads without a console error
or a network request, every plot renders, and hostile names stay text.

Screenshots of every page go to ``test-artifacts/report/`` (gitignored) for people to look
at. Needs Debian's ``chromium`` (``.ci/run`` installs it) and the ``playwright`` package.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from factories import summary

from strideload.config import parse_config
from strideload.ingest.importer import import_paths
from strideload.model import Activity
from strideload.report import build_reports
from strideload.store import Store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
ARTIFACTS = ROOT / "test-artifacts" / "report"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ZONES = {"athletes": {"ana": {"timezone": "Europe/Oslo"}, "ben": {"timezone": "America/New_York"}}}


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("needs /usr/bin/chromium (apt-get install chromium; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="needs the playwright package (pip install -e '.[test]')")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory):
    """The report of the committed sample data (runs and pain logs), built in a temp folder."""
    if not SAMPLE.is_dir():
        pytest.skip("sample_data/ is absent")
    folder = tmp_path_factory.mktemp("sample-report")
    config = parse_config(ZONES)
    with Store.open(folder / "sample.db") as store:
        result = import_paths(store, [SAMPLE], team=True, config=config)
        assert [plan.athlete for plan in result.plans] == ["ana"]  # her PT's rtr-plan.toml
        yield build_reports(store, config, folder / "reports")


class Visit:
    """One page opened in a fresh browser page, with everything that went wrong on the way."""

    def __init__(self, browser, path: Path):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
        self.problems: list[str] = []
        self.context.route("**/*", self._only_files)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.as_uri(), wait_until="load")

    def _only_files(self, route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.problems.append(f"network request: {route.request.url}")
            route.abort()

    def _dialog(self, dialog):
        self.problems.append(f"dialog opened: {dialog.message}")
        dialog.dismiss()

    def plots(self) -> list[dict]:
        """Each plot container: whether plotly drew it (an SVG with traces) and its id."""
        self.page.wait_for_function(
            "() => [...document.querySelectorAll('div.plot')].every(d => d.classList.contains('js-plotly-plot'))",
            timeout=15_000)
        return self.page.eval_on_selector_all("div.plot", """els => els.map(e => ({
            id: e.id,
            plotly: e.classList.contains('js-plotly-plot'),
            svg: !!e.querySelector('svg.main-svg'),
            traces: e.querySelectorAll('g.trace').length,
            width: e.getBoundingClientRect().width}))""")

    def close(self):
        self.context.close()


def sample_pages(report) -> list[Path]:
    return [report.index, *report.pages.values()]


def test_every_sample_page_renders_offline_without_errors(browser, sample_report):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert set(sample_report.pages) == {"ana", "ben"}
    for path in sample_pages(sample_report):
        visit = Visit(browser, path)
        try:
            plots = visit.plots()
            visit.page.wait_for_timeout(300)  # let plotly finish its last layout pass
            visit.page.screenshot(path=str(ARTIFACTS / f"{path.stem}.png"), full_page=True)
            assert not visit.problems, (path.name, visit.problems)
            if path.name == "index.html":
                assert plots == []
                assert visit.page.locator("table.team tbody tr").count() == 2
                assert visit.page.locator("svg.spark").count() == 2
                continue
            assert len(plots) >= 6, (path.name, plots)
            for plot in plots:
                assert plot["plotly"] and plot["svg"] and plot["traces"] > 0, (path.name, plot)
                assert plot["width"] > 600, (path.name, plot)
        finally:
            visit.close()


def test_sample_page_shows_the_planted_events(browser, sample_report):
    visit = Visit(browser, sample_report.pages["ana"])
    try:
        visit.plots()
        text = visit.page.inner_text("main")
        assert "status as of Sun 25 Oct 2026" in text
        assert "not a diagnosis" in text
        events = visit.page.inner_text(".load-events")  # never folded away, above every other flag
        assert "30 Aug 2026" in events and "21.2 km vs 15.4 km allowed" in events  # the planted long-run spike
        visit.page.click("details > summary")  # flags older than 8 weeks are folded away
        assert visit.page.locator("table.flags-table a[href^='https://doi.org/10.1136/bjsports-2024-109380']") \
            .count() >= 1
        if visit.page.locator("#fig-rtr").count():
            rtr_text = visit.page.inner_text("section:has(#fig-rtr)")
            assert "phase 6" in rtr_text and "Crowell" in rtr_text
        pain_traces = visit.page.evaluate(
            "() => document.getElementById('fig-load').data.filter(t => t.yaxis === 'y2').length")
        assert pain_traces >= 3  # during, after, next-morning, daily
        assert not visit.problems, visit.problems
    finally:
        visit.close()


HOSTILE_ATHLETE = "<script>alert(1)</script>"
HOSTILE_RUN = '<img src=x onerror="alert(2)">'


def test_hostile_names_are_text_in_the_browser(browser, tmp_path):
    stream = pd.DataFrame({"time": pd.Series(dtype="datetime64[ns, UTC]")})
    start = date(2026, 3, 2)
    with Store.open(tmp_path / "hostile.db") as store:
        for offset, km in enumerate([6, 0, 8, 0, 6, 0, 12] * 5 + [6, 0, 20]):
            if km:
                row = summary(HOSTILE_ATHLETE, start + timedelta(days=offset), km)
                row.update(name=HOSTILE_RUN, source_path=f"t/{offset}.fit", sha256=str(offset))
                store.insert_activity(Activity(row, stream))
        report = build_reports(store, out_dir=tmp_path / "reports")
    for path in sample_pages(report):
        visit = Visit(browser, path)
        try:
            plots = visit.plots()
            if path != report.index:
                assert all(p["svg"] for p in plots)
                assert visit.page.inner_text("h1") == HOSTILE_ATHLETE
                # Hover a run: its (hostile) name shows as text, no element is made of it.
                hover = visit.page.evaluate("""() => {
                    const gd = document.getElementById('fig-spikes');
                    const i = gd.data.findIndex(t => t.customdata && t.mode === 'markers');
                    Plotly.Fx.hover(gd, [{curveNumber: i, pointNumber: 0}]);
                    const layer = gd.querySelector('.hoverlayer');
                    return {text: layer.textContent, images: document.querySelectorAll('img').length};
                }""")
                assert HOSTILE_RUN in hover["text"], hover
                assert hover["images"] == 0
            else:
                assert visit.page.inner_text("table.team tbody a") == HOSTILE_ATHLETE
            assert not visit.problems, visit.problems
        finally:
            visit.close()


def test_a_self_contained_page_works_alone(browser, tmp_path_factory):
    """The one file a runner emails: plotly.js inside, nothing beside it."""
    folder = tmp_path_factory.mktemp("alone")
    with Store.open(folder / "one.db") as store:
        stream = pd.DataFrame({"time": pd.Series(dtype="datetime64[ns, UTC]")})
        for offset, km in enumerate([6, 0, 8, 0, 6, 0, 12] * 5):
            if km:
                row = summary("runner", date(2026, 3, 2) + timedelta(days=offset), km)
                row.update(name="Morning Run", source_path=f"t/{offset}.fit", sha256=str(offset))
                store.insert_activity(Activity(row, stream))
        report = build_reports(store, out_dir=folder / "built", self_contained=True)
    alone = tmp_path_factory.mktemp("mail") / "runner.html"
    alone.write_bytes(report.pages["runner"].read_bytes())
    visit = Visit(browser, alone)
    try:
        plots = visit.plots()
        assert plots and all(p["svg"] and p["traces"] for p in plots), plots
        assert not visit.problems, visit.problems
    finally:
        visit.close()
