"""``strideload activities`` and ``strideload athletes``: what is in the store.

Both are groups: run alone they list; their sub-commands (``activities move`` ...,
``athletes rename`` ..., in :mod:`.corrections`) correct mistakes. ``activities include ID``
/ ``exclude ID`` (here) record the runner's decision about a run that the plausibility rule
set aside, or that they want left out.
"""

from __future__ import annotations

import click

from ..errors import UsageError
from ..model import SUMMARY_FIELDS
from .main import Context, common_options
from .render import Column, format_option, render, say
from .tables import activities_table, athletes_table, failures_table

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


def _listing() -> bool:
    """Is the group itself running (no sub-command named)?"""
    return click.get_current_context().invoked_subcommand is None


@click.group("activities", invoke_without_command=True)
@click.option("--athlete", help="Only this athlete's activities.")
@click.option("--failed", is_flag=True, help="List files that failed to import, with the reason.")
@format_option
@common_options
def activities_group(ctx: Context, athlete: str | None, failed: bool, fmt: str) -> None:
    """List stored activities: date and local start time, name, distance, time, pace, cadence.

    The table uses your units (the 'units' setting: metric or imperial); --format json|csv
    give every summary field in SI units (m, s, m/s, steps/min).

    \b
    Corrections:
      strideload activities move ID --athlete NAME    # imported under the wrong athlete
      strideload activities delete ID                 # gone, and a re-import won't bring it back
      strideload activities include ID                # count a run set aside as implausible
      strideload activities exclude ID                # leave a run out of load and every flag
    """
    if not _listing():
        return
    if failed:
        render(ctx.store.failures(athlete), fmt, ("source_path", "athlete", "reason", "failed_at"),
               table=failures_table())
        return
    from ..analyze.quality import with_quality  # pandas: only when listing, not for check_athlete's users

    check_athlete(ctx, athlete)
    rows = with_quality(ctx.store.activities_frame(athlete), ctx.config).to_dict("records")
    render(rows, fmt, (*SUMMARY_FIELDS, "name", *QUALITY_FIELDS),
           table=[*activities_table(ctx.config.get("units")), Column("quality", "Quality", _quality, wrap=True)])


def _quality(row: dict) -> str:
    """Why a run is set aside (or counted by the runner's decision), else its data-quality note."""
    if row.get("quarantined"):
        return f"SET ASIDE: {row['quarantine_reason']}"
    return row.get("quarantine_reason") or row.get("data_quality") or ""


@click.group("athletes", invoke_without_command=True)
@format_option
@common_options
def athletes_group(ctx: Context, fmt: str) -> None:
    """List athletes with activity counts, running distance and date range.

    \b
    Corrections:
      strideload athletes rename OLD NEW
      strideload athletes merge A B          # A's activities, pain log and plans become B's
      strideload athletes delete NAME        # asks first (or --yes)
    """
    if not _listing():
        return
    render(ctx.store.athletes(), fmt, table=athletes_table(ctx.config.get("units")))


@activities_group.command("include")
@click.argument("activity_id", metavar="ID")
@common_options
def include_command(ctx: Context, activity_id: str) -> None:
    """Count activity ID (or a unique start of it) as load, even if it looks implausible: your
    decision overrides the plausibility rule."""
    say(ctx.store.decide(activity_id, "include").summary)


@activities_group.command("exclude")
@click.argument("activity_id", metavar="ID")
@common_options
def exclude_command(ctx: Context, activity_id: str) -> None:
    """Set activity ID (or a unique start of it) aside: it stays listed but is left out of load
    and of every flag."""
    say(ctx.store.decide(activity_id, "exclude").summary)
