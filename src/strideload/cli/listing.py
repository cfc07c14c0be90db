"""``strideload activities`` and ``strideload athletes``: what is in the store.

``strideload activities include ID`` / ``exclude ID`` record the runner's decision about a
run that the plausibility rule set aside (or that they want left out).
"""

from __future__ import annotations

import click

from ..analyze.quality import with_quality
from ..errors import UsageError
from ..model import SUMMARY_FIELDS
from .main import Context, common_options
from .render import format_option, render

TABLE_COLUMNS = ("id", "athlete", "local_date", "sport", "surface", "distance_m", "timer_s", "ascent_m",
                 "downhill_5pct_m", "cadence_spm", "format", "source_path", "quality")
#: Beside the summary fields in JSON and CSV: the runner's decision and the plausibility verdict.
QUALITY_FIELDS = ("decision", "quarantined", "quarantine_reason", "data_quality")


def check_athlete(ctx: Context, athlete: str | None) -> None:
    """Unknown athlete names are a usage error that lists the known ones."""
    if athlete is None:
        return
    known = ctx.store.athlete_names()
    if athlete not in known:
        listed = ", ".join(known) if known else "none yet: run 'strideload import' first"
        raise UsageError(f"unknown athlete {athlete!r} (known: {listed})")


@click.group("activities", invoke_without_command=True)
@click.option("--athlete", help="Only this athlete's activities.")
@click.option("--failed", is_flag=True, help="List files that failed to import, with the reason.")
@format_option
@common_options
def activities_command(ctx: Context, athlete: str | None, failed: bool, fmt: str) -> None:
    """List stored activities with their summary fields (SI units: m, s, m/s, steps/min).

    Runs set aside as implausible (a GPS glitch, a watch left on in a car) are listed with
    the reason in the quality column; 'activities include ID' counts one anyway,
    'activities exclude ID' leaves one out.
    """
    if click.get_current_context().invoked_subcommand is not None:
        return
    if failed:
        render(ctx.store.failures(athlete), fmt, ("source_path", "athlete", "reason", "failed_at"))
        return
    check_athlete(ctx, athlete)
    frame = with_quality(ctx.store.activities_frame(athlete), ctx.config)
    rows = frame.to_dict("records")
    if fmt == "table":
        for row in rows:
            row["source_path"] = row["source_path"].replace("\\", "/").rsplit("/", 1)[-1]
            row["quality"] = _quality(row)
    columns = TABLE_COLUMNS if fmt == "table" else (*SUMMARY_FIELDS, "name", *QUALITY_FIELDS)
    render(rows, fmt, columns)


def _quality(row: dict) -> str | None:
    """The quality column: why a run is set aside (or counted by decision), else its data note."""
    if row["quarantined"]:
        return f"SET ASIDE: {row['quarantine_reason']}"
    return row["quarantine_reason"] or row["data_quality"]


@click.command("athletes")
@format_option
@common_options
def athletes_command(ctx: Context, fmt: str) -> None:
    """List athletes with activity counts, running distance and date range."""
    render(ctx.store.athletes(), fmt)


def _decide(ctx: Context, activity_id: str, decision: str) -> None:
    row = ctx.store.decide(activity_id, decision)
    km = f" ({row['distance_m'] / 1000:.1f} km)" if row["distance_m"] is not None else ""
    what = f"{row['sport'] or 'activity'} of {row['athlete']} on {row['local_date']}{km}"
    if decision == "include":
        click.echo(f"Counted: the {what} is load and takes part in every flag, whatever the plausibility rule says.")
    else:
        click.echo(f"Set aside: the {what} stays listed but is left out of load and of every flag.")


@activities_command.command("include")
@click.argument("activity_id")
@common_options
def include_command(ctx: Context, activity_id: str) -> None:
    """Count ACTIVITY_ID as load, even if it looks implausible (your decision overrides the rule)."""
    _decide(ctx, activity_id, "include")


@activities_command.command("exclude")
@click.argument("activity_id")
@common_options
def exclude_command(ctx: Context, activity_id: str) -> None:
    """Set ACTIVITY_ID aside: listed, but left out of load and of every flag."""
    _decide(ctx, activity_id, "exclude")


COMMANDS = [activities_command, athletes_command]
