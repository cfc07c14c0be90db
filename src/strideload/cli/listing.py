"""``strideload activities`` and ``strideload athletes``: what is in the store.

Both are groups: run alone they list; their sub-commands (``activities move`` ...,
``athletes rename`` ..., in :mod:`.corrections`) correct mistakes.
"""

from __future__ import annotations

import click

from ..errors import UsageError
from ..model import SUMMARY_FIELDS
from .main import Context, common_options
from .render import format_option, render
from .tables import activities_table, athletes_table, failures_table


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
    """
    if not _listing():
        return
    if failed:
        render(ctx.store.failures(athlete), fmt, ("source_path", "athlete", "reason", "failed_at"),
               table=failures_table())
        return
    check_athlete(ctx, athlete)
    rows = ctx.store.activities_frame(athlete).to_dict("records")
    render(rows, fmt, (*SUMMARY_FIELDS, "name"), table=activities_table(ctx.config.get("units")))


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


COMMANDS = [activities_group, athletes_group]
