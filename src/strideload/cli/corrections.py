"""Corrections: ``activities move|delete``, ``athletes rename|merge|delete``, ``pain edit|delete``
and ``strideload history``, the change log that lists them.

Each is one store call (one transaction, logged) and one line of output.
"""

from __future__ import annotations

import click

from ..errors import UsageError
from ..pain import make_entry
from .listing import activities_group, athletes_group
from .main import Context, common_options
from .render import DATE, FIRST_DATE, format_option, render, say
from .tables import history_table


@activities_group.command("move")
@click.argument("activity_id", metavar="ID")
@click.option("--athlete", required=True, help="The athlete the activity belongs to.")
@common_options
def move_command(ctx: Context, activity_id: str, athlete: str) -> None:
    """Give activity ID (or a unique start of it) to another athlete, e.g. after importing a
    file under the wrong --athlete."""
    say(ctx.store.move_activity(activity_id, athlete).summary)


@activities_group.command("delete")
@click.argument("activity_id", metavar="ID")
@common_options
def delete_command(ctx: Context, activity_id: str) -> None:
    """Delete activity ID and its data. Its file is remembered: importing it again (or the
    watcher finding it) brings it back only with 'strideload import --force'. The file
    itself is never touched."""
    say(ctx.store.delete_activity(activity_id).summary)


@athletes_group.command("rename")
@click.argument("old")
@click.argument("new")
@common_options
def rename_command(ctx: Context, old: str, new: str) -> None:
    """Call athlete OLD by the name NEW: activities, pain log, plans and file records."""
    say(ctx.store.rename_athlete(old, new).summary)
    _config_note(ctx, old, new)


@athletes_group.command("merge")
@click.argument("source", metavar="A")
@click.argument("target", metavar="B")
@common_options
def merge_command(ctx: Context, source: str, target: str) -> None:
    """Join athlete A into athlete B: A's activities, pain log and plans become B's, and A is
    gone. Where both logged pain for the same moment, B's entry is kept."""
    say(ctx.store.merge_athletes(source, target).summary)
    _config_note(ctx, source, target)


@athletes_group.command("delete")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask first.")
@common_options
def delete_athlete_command(ctx: Context, name: str, yes: bool) -> None:
    """Delete athlete NAME: activities, pain log and return-to-run plans. Their files are
    remembered, so a re-import brings nothing back unless --force; the files are never touched."""
    counts = ctx.store.athlete_counts(name)
    if not yes:
        what = ctx.store.describe_counts(counts)
        click.confirm(f"Delete {name} ({what})? This cannot be undone", abort=True, err=True)
    say(ctx.store.delete_athlete(name).summary)


def _config_note(ctx: Context, old: str, new: str) -> None:
    """Per-athlete settings live in the user's file, which strideload never rewrites."""
    if old in ctx.config.athletes:
        say(f"Note: {ctx.config.path} has settings under [athletes.{old}]; rename that section to "
            f"[athletes.{new}] to keep them.", err=True)


@click.command("edit")
@click.argument("pain_id", metavar="ID", type=int)
@click.option("--score", help="0–10, halves allowed.")
@click.option("--date", "day", type=DATE, help="The day the pain was felt.")
@click.option("--when", metavar="WHEN", help="during, after, next-morning or daily.")
@click.option("--side", metavar="SIDE", help="left, right or both ('' for none).")
@click.option("--time", "clock", metavar="HH:MM", help="Local time of day ('' for none).")
@click.option("--note", help="Free text ('' for none).")
@common_options
def pain_edit_command(ctx: Context, pain_id: int, score: str | None, day: object, when: str | None,
                      side: str | None, clock: str | None, note: str | None) -> None:
    """Change pain entry ID ('strideload pain list' shows ids); what is not given stays."""
    old = ctx.store.pain_entry(pain_id)
    if all(value is None for value in (score, day, when, side, clock, note)):
        raise UsageError("nothing to change: give --score, --date, --when, --side, --time or --note")
    entry = make_entry(old["athlete"], score=old["score"] if score is None else score,
                       date=old["date"] if day is None else day, when=old["when"] if when is None else when,
                       time=old["time"] if clock is None else clock, side=old["side"] if side is None else side,
                       note=old["note"] if note is None else note)
    if entry.date < FIRST_DATE:
        raise UsageError(f"--date {entry.date} is before {FIRST_DATE}")
    say(ctx.store.edit_pain(pain_id, entry).summary)


@click.command("delete")
@click.argument("pain_id", metavar="ID", type=int)
@common_options
def pain_delete_command(ctx: Context, pain_id: int) -> None:
    """Delete pain entry ID ('strideload pain list' shows ids)."""
    say(ctx.store.delete_pain(pain_id).summary)


@click.command("history")
@click.option("--athlete", help="Only changes that concern this athlete.")
@format_option
@common_options
def history_command(ctx: Context, athlete: str | None, fmt: str) -> None:
    """Every correction made by hand, newest first: moves, deletions, renames, merges, pain edits."""
    rows = ctx.store.history(athlete)
    if fmt == "table" and not rows:
        say("No corrections yet.")
        return
    render(rows, fmt, ("id", "changed_at", "action", "athlete", "summary"), table=history_table())


#: Sub-commands of ``pain`` defined here with the other corrections; :mod:`.pain` attaches them.
PAIN_COMMANDS = [pain_edit_command, pain_delete_command]
