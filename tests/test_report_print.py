"""The one-page summary a runner brings to a physio: what it shows, that its content stays
bounded, and, in headless Chromium, that it prints on one A4 page (through Playwright's
print and through ``strideload report --pdf``) on a quiet day and on ana's busiest one.

The PDFs and PNG renderings of them go to ``test-artifacts/report/`` for people to look at
(PNG with ``pdftoppm`` when poppler-utils is installed, else a print-emulated screenshot).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from test_report_browser import ARGS, ARTIFACTS, CHROMIUM, SAMPLE, ZONES
from test_report_pages import START, STEADY, add_runs

from strideload.config import parse_config
from strideload.ingest.importer import import_paths
from strideload.pain import make_entry
from strideload.report import ReportError, build_reports, gather
from strideload.report.print_page import MAX_FLAGS, current_flags, weekly_rows, write_pdf
from strideload.store import Store

LAST = START + timedelta(days=len(STEADY) - 1)


def pdf_pages(data: bytes) -> int:
    """Pages of a PDF Chromium wrote (it writes no object streams, so each page object is visible)."""
    assert data.startswith(b"%PDF") and b"/ObjStm" not in data
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


# -- the page ---------------------------------------------------------------------------------
def test_the_summary_shows_status_six_weeks_rtr_and_flags(store, tmp_path):
    add_runs(store, "ana", STEADY + [6, 0, 20])  # a spike on the last day
    store.add_pain([make_entry("ana", score=3, date=LAST + timedelta(days=3), when="next-morning")])
    result = build_reports(store, out_dir=tmp_path / "r")
    summary = result.summaries["ana"]
    assert summary.name == "ana.summary.html"
    html = summary.read_text(encoding="utf-8")
    assert "<script" not in html and "@page { size: A4" in html
    assert "Where ana stands" in html and "Last 7 days" in html and "Load ratios" in html
    assert '<svg viewBox="0 0 700 200"' in html and "Worst knee pain" in html
    assert "No return-to-run plan." in html
    assert "Session distance spike" in html and "sev-alert" in html
    page = result.pages["ana"].read_text(encoding="utf-8")
    assert '<a href="ana.summary.html">One-page summary to print</a>' in page


def test_six_weeks_of_weekly_rows_ending_on_the_as_of_day(store):
    add_runs(store, "ana", STEADY)
    [data] = gather(store, parse_config({}))
    rows = weekly_rows(data)
    first = data.as_of - timedelta(days=41)
    assert rows[0]["week"].date() <= first < (rows[0]["week"] + timedelta(days=7)).date()
    assert rows[-1]["week"].date() <= data.as_of < (rows[-1]["week"] + timedelta(days=7)).date()
    assert sum(r["km"] for r in rows) == pytest.approx(sum(STEADY[-42:]))


def test_the_flags_listed_are_bounded_most_severe_first(store):
    add_runs(store, "ana", STEADY)
    store.add_pain([make_entry("ana", score=s, date=LAST - timedelta(days=d), when="daily")
                    for d, s in enumerate([6, 7, 6, 8, 6, 7, 6])])  # a red score every day of the week
    [data] = gather(store, parse_config({}))
    shown, more = current_flags(data)
    assert len(shown) == MAX_FLAGS and more >= 2
    assert [f["severity"] for f in shown] == ["alert"] * MAX_FLAGS
    assert [f["date"] for f in shown] == sorted((f["date"] for f in shown), reverse=True)


def test_pdf_without_chromium_says_what_to_do(tmp_path, monkeypatch):
    page = tmp_path / "ana.summary.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("STRIDELOAD_CHROMIUM", raising=False)
    with pytest.raises(ReportError, match=r"no Chromium to print with .* prints from any browser"):
        write_pdf(page, tmp_path / "ana.summary.pdf")
    assert not (tmp_path / "ana.summary.pdf").exists()


# -- printing in Chromium ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def ana_store(tmp_path_factory):
    """ana's sample data (runs, pain log, return-to-run plan file) in a store."""
    if not SAMPLE.is_dir():
        pytest.skip("sample_data/ is absent")
    folder = tmp_path_factory.mktemp("ana-print")
    config = parse_config(ZONES)
    with Store.open(folder / "ana.db") as store:
        import_paths(store, [SAMPLE / "ana"], athlete="ana", config=config)
        yield store, config, folder


def _png(pdf: Path, browser_page, html: Path) -> Path:
    """A PNG of the PDF's page to look at: pdftoppm, else the print-emulated page."""
    png = pdf.with_suffix(".png")
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(png.with_suffix(""))],
                       check=True, timeout=60)
    else:
        browser_page.goto(html.as_uri())
        browser_page.emulate_media(media="print")
        browser_page.screenshot(path=str(png), full_page=True)
    return png


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


@pytest.mark.browser
@pytest.mark.parametrize("as_of", [None, date(2026, 10, 5)], ids=["last-data", "busiest-day"])
def test_the_summary_prints_on_one_page(ana_store, browser, as_of):
    store, config, folder = ana_store
    result = build_reports(store, config, folder / f"r-{as_of}", as_of=as_of)
    summary = result.summaries["ana"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / f"ana.summary.{as_of or 'last'}.pdf"
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(summary.as_uri(), wait_until="load")
        pdf.write_bytes(page.pdf(prefer_css_page_size=True))
        assert pdf_pages(pdf.read_bytes()) == 1
        assert _png(pdf, page, summary).stat().st_size > 0
    finally:
        context.close()


@pytest.mark.browser
def test_report_pdf_writes_a_one_page_pdf_per_athlete(ana_store, monkeypatch):
    if not CHROMIUM.exists():
        pytest.skip("needs /usr/bin/chromium")
    store, config, folder = ana_store
    monkeypatch.setenv("STRIDELOAD_CHROMIUM", str(CHROMIUM))
    result = build_reports(store, config, folder / "pdf", pdf=True, as_of=date(2026, 10, 5))
    pdf = result.pdfs["ana"]
    assert pdf == folder / "pdf" / "ana.summary.pdf"
    assert pdf_pages(pdf.read_bytes()) == 1
    assert not list((folder / "pdf").glob(".*.tmp"))


@pytest.mark.browser
def test_the_team_table_with_its_return_to_run_column_fits_the_page(ana_store, browser):
    store, config, folder = ana_store
    result = build_reports(store, config, folder / "team", as_of=date(2026, 10, 5))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(result.index.as_uri(), wait_until="load")
        assert page.locator("table.team th", has_text="Return").count() == 1
        scroll, width = page.evaluate("() => { const w = document.querySelector('.table-wrap'); "
                                      "return [w.scrollWidth, w.clientWidth]; }")
        assert scroll <= width
        page.screenshot(path=str(ARTIFACTS / "index-with-rtr.png"), full_page=True)
    finally:
        context.close()
