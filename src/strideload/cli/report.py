"""``strideload report``: HTML pages per athlete and a team index, readable offline."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from ..errors import UsageError
from ..report import build_reports
from .main import Context, common_options
from .render import DATE, say


@click.command("report")
@click.option("--athlete", "athletes", multiple=True, metavar="NAME",
              help="Only this athlete's page (repeat for several) [default: everyone].")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("reports"),
              show_default=True, help="Folder to write the pages into.")
@click.option("--since", type=DATE, help="First day the pages show (YYYY-MM-DD); earlier runs still count "
                                         "towards the ratios.")
@click.option("--as-of", "as_of", type=DATE,
              help="Day to take each status on [default: each athlete's last activity or pain "
                   "score, whichever is later].")
@click.option("--self-contained", is_flag=True,
              help="Put plotly.js inside every page: one file to email (about 5 MB each).")
@click.option("--pdf", is_flag=True,
              help="Also print each athlete's one-page summary to PDF (needs Chromium; STRIDELOAD_CHROMIUM).")
@common_options
def report_command(ctx: Context, athletes: tuple[str, ...], out_dir: Path, since: datetime | None,
                   as_of: datetime | None, self_contained: bool, pdf: bool) -> None:
    """HTML reports: load and knee pain side by side, ratios, spikes, downhill, cadence, surface.

    One page per athlete and an index.html ranking everyone by concern. The pages open
    straight from disk, without a network. They show observations, not a diagnosis.
    Each athlete also gets a one-page summary to print for a physio visit
    (NAME.summary.html; with --pdf, NAME.summary.pdf too).
    """
    if since and as_of and since > as_of:
        raise UsageError(f"--since {since:%Y-%m-%d} is after --as-of {as_of:%Y-%m-%d}")
    result = build_reports(ctx.store, ctx.config, out_dir, athletes=list(athletes) or None,
                           since=since.date() if since else None, as_of=as_of.date() if as_of else None,
                           self_contained=self_contained, pdf=pdf)
    for athlete, path in result.pages.items():
        printable = result.pdfs.get(athlete) or result.summaries.get(athlete)
        say(f"  {athlete}: {path}" + (f" (one-page summary: {printable.name})" if printable else ""))
    count = len(result.pages)
    say(f"Wrote {count} athlete page{'s' if count != 1 else ''} and the team overview to "
        f"{result.out_dir}{'' if not result.self_contained else ' (self-contained)'}.")
    say(f"Open {result.index} in a browser.")
