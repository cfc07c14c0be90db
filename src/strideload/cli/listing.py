"""``strideload activities`` and ``strideload athletes``: what is in the store."""

from __future__ import annotations

import click

from ..errors import UsageError
from ..model import SUMMARY_FIELDS
from .main import Context, common_options
from .render import format_option, render

TABLE_COLUMNS = ("id", "athlete", "local_date", "sport", "surface", "distance_m", "timer_s", "ascent_m",
                 "downhill_5pct_m", "cadence_spm", "format", "source_path")


def check_athlete(ctx: Context, athlete: str | None) -> None:
    """Unknown athlete names are a usage error that lists the known ones."""
    if athlete is None:
        return
    known = ctx.store.athlete_names()
    if athlete not in known:
        listed = ", ".join(known) if known else "none yet: run 'strideload import' first"
        raise UsageError(f"unknown athlete {athlete!r} (known: {listed})")


@click.command("activities")
@click.option("--athlete", help="Only this athlete's activities.")
@click.option("--failed", is_flag=True, help="List files that failed to import, with the reason.")
@format_option
@common_options
def activities_command(ctx: Context, athlete: str | None, failed: bool, fmt: str) -> None:
    """List stored activities with their summary fields (SI units: m, s, m/s, steps/min)."""
    if failed:
        render(ctx.store.failures(athlete), fmt, ("source_path", "athlete", "reason", "failed_at"))
        return
    check_athlete(ctx, athlete)
    frame = ctx.store.activities_frame(athlete)
    rows = frame.to_dict("records")
    if fmt == "table":
        for row in rows:
            row["source_path"] = row["source_path"].replace("\\", "/").rsplit("/", 1)[-1]
    columns = TABLE_COLUMNS if fmt == "table" else (*SUMMARY_FIELDS, "name")
    render(rows, fmt, columns)


@click.command("athletes")
@format_option
@common_options
def athletes_command(ctx: Context, fmt: str) -> None:
    """List athletes with activity counts, running distance and date range."""
    render(ctx.store.athletes(), fmt)


COMMANDS = [activities_command, athletes_command]
