"""``strideload rpe`` and ``strideload context``: effort per run, and the days that explain a gap.

Each command is one library call (:mod:`strideload.effort`, :mod:`strideload.context`, the
store) plus rendering.
"""

from __future__ import annotations

from pathlib import Path

import click

from .. import context as periods
from .. import effort
from ..store.effort import RPE_COLUMNS
from .main import Context, common_options
from .pain import known_athlete, whose
from .render import Column, column, format_option, render, say, written


@click.group("rpe")
def rpe_group() -> None:
    """Effort per run: RPE 0–10 (Borg CR-10, halves allowed), for session-RPE load (RPE × minutes).

    \b
    Examples:
      strideload rpe add 3f2a9c81 6
      strideload rpe import rpe.csv --athlete ana
      strideload rpe list --athlete ana
      strideload load --unit rpe --athlete ana

    A run's RPE comes from what you give here, else its file (Garmin's perceived effort),
    else a Strava export's Perceived Exertion. rpe*.csv beside your exports is imported too.
    """


@rpe_group.command("add")
@click.argument("activity")
@click.argument("score")
@click.option("--note", help="Free text.")
@common_options
def rpe_add_command(ctx: Context, activity: str, score: str, note: str | None) -> None:
    """Give the run ACTIVITY (its id, or a unique start of it) the RPE SCORE (0–10)."""
    entry = effort.make_entry(rpe=score, activity=activity, note=note)
    result = ctx.store.add_rpe([entry])
    what = "updated" if result.updated else "already recorded" if result.unchanged else "added"
    say(f"{what}: RPE {entry.rpe:g} for activity {activity}")


@rpe_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--athlete", help="Whose runs the dates name [default: the config's default_athlete, else the "
                                "store's only athlete; with several, required].")
@common_options
def rpe_import_command(ctx: Context, file: Path, athlete: str | None) -> None:
    """Import an RPE CSV (columns: activity,date,time,rpe,note; see 'rpe template').

    A file with any bad row (a bad score, a date with no run or several) imports nothing;
    the error names the line and the field. Importing the same file again adds nothing.
    """
    name = whose(ctx, athlete)
    entries = effort.read_csv(file)
    say(f"{file}: {written(ctx.store.add_rpe(entries, athlete=name, source=str(file), path=str(file)))}")


def _rpe_table() -> list[Column]:
    return [column("activity_id", "ID"), column("athlete", "Athlete"), column("local_date", "Date"),
            column("start_time", "Start", lambda v: (v or "")[11:16]), column("name", "Name"),
            column("rpe", "RPE", lambda v: "" if v is None else f"{v:g}", right=True),
            column("rpe_source", "From", lambda v: {"hand": "you", "file": "file/export"}.get(v, "")),
            column("note", "Note", wrap=True)]


@rpe_group.command("list")
@click.option("--athlete", help="Only this athlete's runs.")
@click.option("--missing", is_flag=True, help="Only runs without an RPE.")
@format_option
@common_options
def rpe_list_command(ctx: Context, athlete: str | None, missing: bool, fmt: str) -> None:
    """Every run with its RPE and where it came from; empty where unknown."""
    known_athlete(ctx, athlete)
    frame = ctx.store.rpe_frame(athlete)
    if missing:
        frame = frame[frame["rpe"].isna()]
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    render(rows, fmt, RPE_COLUMNS, table=_rpe_table())


@rpe_group.command("delete")
@click.argument("activity")
@common_options
def rpe_delete_command(ctx: Context, activity: str) -> None:
    """Forget the RPE you gave the run ACTIVITY (its file's own, if any, counts again)."""
    say(ctx.store.delete_rpe(activity).summary)


@rpe_group.command("template")
@common_options
def rpe_template_command(ctx: Context) -> None:
    """Print the RPE CSV header with commented examples (imports as nothing until you add rows).

    \b
    Columns:
      activity  the run's id (or a unique start of it), or empty when the date names it
      date      the run's local date, YYYY-MM-DD
      time      its local start HH:MM, when that day had several runs
      rpe       0–10, halves allowed (required)
      note      free text, quoted when it holds a comma
    """
    click.echo(effort.template(), nl=False)


@click.group("context")
def context_group() -> None:
    """Injury, illness and holiday periods: the days that explain a gap.

    \b
    Examples:
      strideload context add --from 2026-03-02 --to 2026-03-20 --kind injury --note "knee" --athlete ana
      strideload context import context.csv --athlete ana
      strideload context list

    Their days are known gaps, never rest: ratios and spikes whose window holds one are
    'insufficient history'. The report shades them; the team page says who is injured.
    """


@context_group.command("add")
@click.option("--from", "start", required=True, metavar="YYYY-MM-DD", help="First day of the period.")
@click.option("--to", "end", required=True, metavar="YYYY-MM-DD", help="Last day (included).")
@click.option("--kind", required=True, type=click.Choice(periods.KINDS))
@click.option("--note", help="Free text.")
@click.option("--athlete", help="Whose period [default: the config's default_athlete, else the store's only "
                                "athlete; with several, required].")
@common_options
def context_add_command(ctx: Context, start: str, end: str, kind: str, note: str | None,
                        athlete: str | None) -> None:
    """Record one period (both days included)."""
    period = periods.make_period(whose(ctx, athlete), start=start, end=end, kind=kind, note=note)
    ctx.creates_store = True
    result = ctx.store.add_context([period])
    what = "updated" if result.updated else "already recorded" if result.unchanged else "added"
    say(f"{what}: {period.athlete} {period.kind} {period.start} to {period.end} ({period.days} days)")


@context_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--athlete", help="Whose periods [default: as for 'context add'].")
@common_options
def context_import_command(ctx: Context, file: Path, athlete: str | None) -> None:
    """Import a CSV of periods (columns: from,to,kind,note). A file with any bad row imports
    nothing; the error names the line and the field."""
    found = periods.read_csv(file, whose(ctx, athlete))
    ctx.creates_store = True
    say(f"{file}: {written(ctx.store.add_context(found, source=str(file)))}")


@context_group.command("list")
@click.option("--athlete", help="Only this athlete's periods.")
@format_option
@common_options
def context_list_command(ctx: Context, athlete: str | None, fmt: str) -> None:
    """Every period, by athlete and start; ID for 'strideload context delete ID'."""
    known_athlete(ctx, athlete)
    frame = ctx.store.context_frame(athlete)
    table = [column("id", "ID", right=True), column("athlete", "Athlete"), column("start_date", "From"),
             column("end_date", "To"), column("kind", "Kind"), column("note", "Note", wrap=True)]
    render(frame.to_dict("records"), fmt, periods.CONTEXT_COLUMNS, table=table)


@context_group.command("delete")
@click.argument("period_id", type=int)
@common_options
def context_delete_command(ctx: Context, period_id: int) -> None:
    """Delete the period PERIOD_ID."""
    say(ctx.store.delete_context(period_id).summary)


