"""``strideload pain``: add, list and import knee-pain scores, and print the CSV template.

Each command is one library call (:mod:`strideload.pain`, the store) plus rendering.
"""

from __future__ import annotations

from pathlib import Path

import click

from .. import analyze
from ..analyze.pain import pain_vs_load
from ..errors import UsageError
from ..pain import PAIN_COLUMNS, WHENS, choose_athlete, latest_date, make_entry, read_csv, template
from .corrections import PAIN_COMMANDS
from .main import Context, common_options
from .render import format_option, render, say, written
from .tables import pain_table, pain_vs_load_table


def known_athlete(ctx: Context, athlete: str | None) -> None:
    """An athlete named for listing must have activities or pain entries."""
    if athlete is None:
        return
    known = sorted(set(ctx.store.athlete_names()) | set(ctx.store.pain_athletes()))
    if athlete not in known:
        listed = ", ".join(known) if known else "none yet"
        raise UsageError(f"unknown athlete {athlete!r} (known: {listed})")


def whose(ctx: Context, athlete: str | None) -> str:
    """The athlete a new score or plan is for (see :func:`strideload.pain.choose_athlete`)."""
    if athlete or ctx.config.origin("default_athlete") != "default" or not ctx.db_path.exists():
        return choose_athlete(athlete, [], ctx.config)
    return choose_athlete(None, sorted(set(ctx.store.athlete_names()) | set(ctx.store.pain_athletes())), ctx.config)


@click.group("pain")
def pain_group() -> None:
    """Your knee-pain log: scores 0–10 during and after runs, the next morning, or daily.

    \b
    Examples:
      strideload pain add 3 --date 2026-05-04 --when during --side right
      strideload pain add 4 --date 2026-05-05 --when next-morning
      strideload pain import pain.csv --athlete ana
      strideload pain template > pain.csv

    Date a next-morning score with the morning it was felt (the morning after the 4 May
    run is 5 May).
    """


@pain_group.command("add", context_settings={"ignore_unknown_options": True})
@click.argument("score")
@click.option("--date", "day", required=True, metavar="YYYY-MM-DD", help="The day the pain was felt.")
@click.option("--when", required=True, metavar="WHEN", help=f"One of {', '.join(WHENS)}.")
@click.option("--athlete", help="Whose knee [default: the config's default_athlete, else the store's only "
                                "athlete; with several, required].")
@click.option("--side", metavar="SIDE", help="left, right or both.")
@click.option("--time", "clock", metavar="HH:MM", help="Local time of day, if you want it.")
@click.option("--note", help="Free text.")
@common_options
def add_command(ctx: Context, score: str, day: str, when: str, athlete: str | None, side: str | None,
                clock: str | None, note: str | None) -> None:
    """Log one pain SCORE (0–10, halves allowed, e.g. 3.5), dated the day it was felt (at
    latest tomorrow). Giving a logged moment a new score without --note keeps its note."""
    name = whose(ctx, athlete)
    entry = make_entry(name, score=score, date=day, when=when, time=clock, side=side, note=note,
                       latest=latest_date(ctx.config, name))
    ctx.creates_store = True
    result = ctx.store.add_pain([entry])
    what = "updated" if result.updated else "already logged" if result.unchanged else "added"
    say(f"{what}: {entry.athlete} {entry.date} {entry.when} {entry.score:g}/10"
        + (f" ({entry.side})" if entry.side else ""))


@pain_group.command("list")
@click.option("--athlete", help="Only this athlete's entries.")
@format_option
@common_options
def list_command(ctx: Context, athlete: str | None, fmt: str) -> None:
    """List pain entries, oldest first; during/after scores show the run they belong to.

    ID is the entry's number for 'strideload pain edit ID' and 'strideload pain delete ID'.
    """
    known_athlete(ctx, athlete)
    rows = ctx.store.pain_frame(athlete).to_dict("records")
    render(rows, fmt, PAIN_COLUMNS, table=pain_table())


@pain_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--athlete", help="Whose log it is [default: the config's default_athlete, else the store's only "
                                "athlete; with several, required].")
@common_options
def import_command(ctx: Context, file: Path, athlete: str | None) -> None:
    """Import a pain CSV (columns: date,time,score,when,side,note; see 'pain template').

    A file with any bad row imports nothing; the error names the line and the field.
    Importing the same file again adds nothing.
    """
    name = whose(ctx, athlete)
    entries = read_csv(file, name, latest=latest_date(ctx.config, name))
    ctx.creates_store = True
    result = ctx.store.add_pain(entries, source=str(file))
    say(f"{file}: {written(result, repeats='already logged')}")


@pain_group.command("vs-load")
@click.option("--athlete", help="Only this athlete.")
@format_option
@common_options
def vs_load_command(ctx: Context, athlete: str | None, fmt: str) -> None:
    """How next-morning pain moved with the previous day's distance and downhill distance.

    Shows the number of mornings it rests on. An association in one athlete's own log,
    not a cause.
    """
    known_athlete(ctx, athlete)
    summaries = ctx.store.activities_frame(athlete)
    daily = analyze.daily_load(summaries, ctx.config) if len(summaries) else summaries
    frame = pain_vs_load(ctx.store.pain_frame(athlete), daily, ctx.config)
    rows = frame.to_dict("records")
    render(rows, fmt, table=pain_vs_load_table())
    if fmt == "table" and rows:
        click.echo("An association over each athlete's own mornings: it shows how the numbers moved together, "
                   "not what caused them.")


@pain_group.command("template")
@common_options
def template_command(ctx: Context) -> None:
    """Print the pain CSV header with commented examples (redirect it: strideload pain
    template > pain.csv). Lines starting with # are ignored, so it imports as nothing until
    you add rows.

    \b
    Columns:
      date   the day the pain was felt, YYYY-MM-DD (required)
      time   local HH:MM, or empty
      score  0–10, halves allowed (required)
      when   during | after | next-morning | daily (required)
      side   left | right | both, or empty
      note   free text, quoted when it holds a comma
    """
    click.echo(template(), nl=False)


for _command in PAIN_COMMANDS:  # pain edit, pain delete: corrections, kept with the others
    pain_group.add_command(_command)
