"""``strideload flags``, ``load`` and ``config``: the analysis, rendered (``status``: :mod:`.status`).

Each command is one library call (:mod:`strideload.analyze`, :class:`~strideload.config.Config`)
plus rendering.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click
import pandas as pd

from .. import analyze, rtr
from ..errors import UsageError
from ..snapshot import records
from .listing import check_athlete
from .main import Context, common_options
from .render import DATE, column, format_option, render, say
from .tables import config_table, flags_table, load_table


def _day(value: datetime | None) -> Any:
    return None if value is None else value.date()


@click.command("flags")
@click.option("--athlete", help="Only this athlete's flags.")
@click.option("--since", type=DATE, help="Only flags on or after this local date (YYYY-MM-DD).")
@click.option("--until", type=DATE, help="Only flags up to this local date [default: today].")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(sorted(analyze.KINDS)),
              help="Only flags of this kind (repeat for several).")
@format_option
@common_options
def flags_command(ctx: Context, athlete: str | None, since: datetime | None, until: datetime | None,
                  kinds: tuple[str, ...], fmt: str) -> None:
    """Flags: session and downhill spikes, load ratios, cadence, surface, monotony, pain, return to run.

    Each flag names its source key ('strideload science KEY' explains it) and how strong
    the evidence is. They are observations about training load, not a diagnosis.
    """
    if since and until and since > until:
        raise UsageError(f"--since {since:%Y-%m-%d} is after --until {until:%Y-%m-%d}")
    check_athlete(ctx, athlete)
    summaries = ctx.store.activities_frame(athlete)
    found = analyze.flags(summaries, ctx.config, since=_day(since),
                          until=_day(until) or "today", kinds=list(kinds) or None,
                          pain=ctx.store.pain_frame(athlete), rtr=rtr.inputs(ctx.store, ctx.config, athlete),
                          context=ctx.store.context_frame(athlete))
    render(records(found), fmt, analyze.FLAG_COLUMNS,
           table=flags_table(ctx.config.get("units"), _runs(summaries), ctx.config))


def _runs(summaries: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Activity id -> its summary, for flags that read in distance."""
    return {str(row["id"]): row for row in summaries.to_dict("records")}


@click.command("load")
@click.option("--athlete", help="Only this athlete's series.")
@click.option("--unit", type=click.Choice(analyze.UNITS),
              help="Load unit of the ratios: distance, duration (running time), rpe (session-RPE: RPE × min) "
                   "or trimp (heart rate) [default: each athlete's load_unit setting].")
@format_option
@common_options
def load_command(ctx: Context, athlete: str | None, unit: str | None, fmt: str) -> None:
    """The daily running load: distance, duration, downhill, descent, the load in its unit, 7/28-day
    totals, ratios.

    One row per athlete and local day from the first run to the last, rest days as zeros.
    Ratios are empty for the first 28 days, after a gap or an injury/illness/holiday period,
    and where the chronic load is zero. In the rpe and trimp units a day with a run lacking an
    RPE or heart rate is a gap ('?'), never zero load.
    """
    check_athlete(ctx, athlete)
    config = analyze.with_unit(ctx.config, unit)
    summaries = ctx.store.activities_frame(athlete)
    analysis = analyze.analyze(summaries, config, context=ctx.store.context_frame(athlete))
    days = analysis.daily[analyze.DAILY_COLUMNS]
    on_record = column("covered", "On record", lambda v: "yes" if v else "gap")
    context = column("context", "Context", lambda v: v or "")
    render(records(days, analyze.LOAD_COLUMNS), fmt, analyze.LOAD_COLUMNS,
           table=[*load_table(ctx.config.get("units")), on_record, context])
    if fmt == "table":
        for line in load_notes(days, analysis.hr_reference):
            say(line)


def load_notes(days: pd.DataFrame, reference: pd.DataFrame) -> list[str]:
    """What a reader of the load table must know: each athlete's unit, runs missing from it, and
    the heart rates TRIMP used (estimated ones said so)."""
    from ..analyze.load_units import UNIT_LABELS

    lines = []
    for name, mine in days.groupby("athlete", observed=True):
        unit = str(mine["load_unit"].iloc[0]) if len(mine) else "distance"
        line = f"{name}: load and ratios in {UNIT_LABELS[unit]}"
        missing = {"rpe": "rpe_missing_runs", "trimp": "hr_missing_runs"}.get(unit)
        if missing and int(mine[missing].sum()):
            what = "an RPE" if unit == "rpe" else "heart rate"
            line += (f"; {int(mine[missing].sum())} run(s) without {what}: their days are gaps ('?'), not zero "
                     "(strideload rpe add ID SCORE gives one)" if unit == "rpe" else
                     f"; {int(mine[missing].sum())} run(s) without {what}: their days are gaps ('?'), not zero")
        lines.append(line)
        if unit == "trimp":
            ref = reference[reference["athlete"] == name]
            if len(ref):
                row = ref.iloc[0]
                parts = []
                for key, label in (("rest", "resting"), ("max", "maximum")):
                    value, source = row[f"{key}_bpm"], row[f"{key}_source"]
                    if source is None:
                        parts.append(f"{label} heart rate unknown (no heart rate in the runs)")
                    else:
                        how = f"estimated from the runs: set hr_{key}_bpm" if source == "estimated" else "your setting"
                        parts.append(f"{label} {value:.0f} bpm ({how})")
                lines.append(f"  TRIMP with {', '.join(parts)}")
    return lines


@click.command("config")
@click.option("--athlete", help="Show the values that apply to this athlete.")
@format_option
@common_options
def config_command(ctx: Context, athlete: str | None, fmt: str) -> None:
    """Every setting: effective value, unit, what it does, its source and where the value came from.

    A source key's evidence note: 'strideload science KEY'; '-' marks a setting that is
    bookkeeping rather than evidence (its description says why).
    """
    path = ctx.config.path
    title = f"Settings (config file: {path})" if path is not None else "Settings (no config file: all defaults)"
    render(ctx.config.rows(athlete), fmt, table=config_table(path), title=title)

