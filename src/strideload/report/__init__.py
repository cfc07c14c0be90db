"""HTML reports: one page per athlete and a team ``index.html``, readable offline.

::

    from strideload.report import build_reports
    result = build_reports(store, config, "reports")      # every athlete of the store
    print(result.index)                                    # reports/index.html

Pages open straight from disk with no network: ``plotly.min.js`` (from the installed
plotly package) is written once beside them, or embedded in each page with
``self_contained=True`` (one file to email). Every file is replaced atomically, so a
re-run never leaves a half-written page. Only this package imports plotly.

Each athlete also gets a one-page summary to print (``<page>.summary.html``, and with
``pdf=True`` a PDF of it made by headless Chromium) to bring to a physio visit.

Layers: :mod:`.data` gathers what a page shows from the store and one analysis,
:mod:`.figures` turns DataFrames into plotly figures, :mod:`.html` writes the pages (the
return-to-run section in :mod:`.rtr_section`, the summary in :mod:`.print_page`) and
:mod:`.assets` the files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..config import Config
from .assets import (
    INDEX,
    ReportError,
    ensure_folder,
    plotly_js,
    remove_leftover_temps,
    summary_name,
    write_atomic,
    write_plotly_js,
)
from .data import AthleteData, check_athletes, check_since, gather
from .html import athlete_page, plotly_script_tag
from .print_page import summary_page, write_pdf
from .team_page import index_page

__all__ = ["AthleteData", "ReportError", "ReportResult", "build_reports", "gather"]


@dataclass
class ReportResult:
    """What :func:`build_reports` wrote.

    ``pages`` maps each athlete to their page, ``summaries`` to their one-page summary and
    ``pdfs`` to its PDF (with ``pdf=True``); ``sizes`` each written file's name to its size
    in bytes; ``plotly_js`` is the shared plotly.js (``None`` when self-contained).
    """

    out_dir: Path
    index: Path
    pages: dict[str, Path] = field(default_factory=dict)
    summaries: dict[str, Path] = field(default_factory=dict)
    pdfs: dict[str, Path] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    plotly_js: Path | None = None
    self_contained: bool = False

    @property
    def largest_page(self) -> tuple[str, int] | None:
        """The largest athlete page (name, bytes), without plotly.js when it is a separate file."""
        sizes = {path.name: self.sizes[path.name] for path in self.pages.values()}
        return max(sizes.items(), key=lambda item: item[1]) if sizes else None


def build_reports(store: Any, config: Config | None = None, out_dir: Path | str = "reports", *,
                  athletes: list[str] | None = None, since: Any = None, self_contained: bool = False,
                  as_of: Any = None, progress: Callable[[str, Path], None] | None = None,
                  pdf: bool = False) -> ReportResult:
    """Write the report pages of ``athletes`` (default: all) and the team index into ``out_dir``.

    ``since`` (a date) is the first day the pages show (the analysis still uses the whole
    history; after the last data of ``athletes`` it is a :class:`UsageError` naming the day
    the data end); ``as_of`` (a date) the status day for everyone, by default each
    athlete's last activity or pain score, whichever is later. The index lists every
    athlete of the store and links to each page that exists. ``progress(athlete, path)`` is
    called after each page. ``pdf``: print each one-page summary to PDF as well (needs
    Chromium; :class:`ReportError` without it).
    """
    config = config or Config()
    check_athletes(store.athlete_names(), athletes)
    check_since(store, since, athletes)
    folder = ensure_folder(Path(out_dir))
    remove_leftover_temps(folder)
    everyone = gather(store, config, since=since, as_of=as_of)
    chosen = set(athletes) if athletes else {data.athlete for data in everyone}
    generated = datetime.now(timezone.utc).astimezone()
    result = ReportResult(out_dir=folder, index=folder / INDEX, self_contained=self_contained)
    if self_contained:
        tag = plotly_script_tag(plotly_js())
    else:
        result.plotly_js = write_plotly_js(folder)
        tag = plotly_script_tag(None)
    for data in everyone:
        if data.athlete not in chosen:
            continue
        path = folder / data.page
        text = athlete_page(data, config, plotly_tag=tag, generated=generated, as_of_given=as_of is not None)
        size = write_atomic(path, text)
        result.pages[data.athlete] = path
        # Size of the page without plotly.js, which a self-contained page carries inline.
        result.sizes[path.name] = size - (len(tag.encode("utf-8")) if self_contained else 0)
        summary = folder / summary_name(data.page)
        result.sizes[summary.name] = write_atomic(summary, summary_page(data, config, generated=generated))
        result.summaries[data.athlete] = summary
        if pdf:
            result.pdfs[data.athlete] = write_pdf(summary, summary.with_suffix(".pdf"))
        if progress is not None:
            progress(data.athlete, path)
    linked = {data.athlete for data in everyone if (folder / data.page).is_file()}
    result.sizes[INDEX] = write_atomic(result.index, index_page(everyone, linked=linked, generated=generated,
                                                                config=config))
    return result
