"""``strideload flags``, ``load``, ``status`` and ``config``: the analysis, rendered.

Each command is one library call (:mod:`strideload.analyze`, :class:`~strideload.config.Config`)
plus rendering.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import click
import pandas as pd

from .. import analyze, rtr, units
from ..errors import UsageError
from .listing import check_athlete
from .main import Context, common_options
from .render import DATE, as_of_option, column, format_option, render, say, table_or_json_option
from .tables import config_table, flags_table, load_table, overview_table, status_table, week_flags_table


def records(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Rows of ``frame`` for :func:`render`, with datetime columns as ISO dates."""
    frame = frame if columns is None else frame[list(columns)]
    out = frame.copy()
    for name in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[name]):
            out[name] = [None if pd.isna(v) else v.date().isoformat() for v in out[name]]
    return [{str(k): v for k, v in row.items()}
            for row in out.astype(object).where(out.notna(), None).to_dict("records")]


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
    lines = []
    for name, mine in days.groupby("athlete", observed=True):
        unit = str(mine["load_unit"].iloc[0]) if len(mine) else "distance"
        line = f"{name}: load and ratios in {analyze.load_units.UNIT_LABELS[unit]}"
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


def _ratio(row: dict[str, Any], name: str) -> str:
    value = row[name]
    return f"{value:.2f} {row[f'{name}_band']}" if value is not None else row[f"{name}_band"]


def _ratios(row: dict[str, Any]) -> str:
    names = ("acwr_coupled", "acwr_uncoupled", "acwr_ewma")
    if all(row[name] is None for name in names) and len({row[f"{name}_band"] for name in names}) == 1:
        return f"none: {row['acwr_ewma_band']}"
    return (f"coupled {_ratio(row, 'acwr_coupled')} · uncoupled {_ratio(row, 'acwr_uncoupled')} · "
            f"EWMA {_ratio(row, 'acwr_ewma')}")


def _data_line(row: dict[str, Any]) -> str:
    """When the latest data is; a stale store says so first."""
    pain = f"last knee-pain entry {row['last_pain']}" if row.get("last_pain") else "no knee-pain entries"
    if row.get("data_note"):
        return f"{row['data_note']} ({pain})"
    if row.get("last_run") is None:
        return f"no runs yet ({pain})"
    ago = row["days_since_run"]
    return f"last run {row['last_run']} ({'that day' if ago == 0 else f'{ago} day(s) before'}) · {pain}"


def _overview(row: dict[str, Any], system: str) -> list[dict[str, str]]:
    """One athlete's status as label / value lines, distances in ``system``'s unit."""

    def _km(value: float | None) -> str:
        return units.distance_with_unit(None if value is None else value * 1000.0, system)

    lines = [("Data", _data_line(row))]
    if row.get("returning_after_days"):
        lines.append(("Return", row["history_note"]))
    lines += [("Last 7 days", f"{_km(row['last_7d_km'])}   (28 days: {_km(row['last_28d_km'])})"),
              ("Load ratios", _ratios(row)),
              ("", "bands are team-sport zones; in runners their link to injury is contested; "
                   "the week's acwr_high flag reads the EWMA ratio")]
    if row["longest_30d_km"] is not None and row["spike_limit_km"] is not None:
        lines.append(("Longest run", f"{_km(row['longest_30d_km'])} in the last 30 days: a next run over "
                                     f"{_km(row['spike_limit_km'])} counts as a spike"))
    elif row["longest_30d_km"] is not None:
        lines.append(("Longest run", f"{_km(row['longest_30d_km'])} in the last 30 days; no spike limit yet: "
                                     f"{row['acwr_ewma_band']}"))
    else:
        lines.append(("Longest run", "no run in the last 30 days"))
    downhill = f"{_km(row['downhill_7d_km'])} at ≤ −5 % in the last 7 days (usual week: " \
               f"{_km(row['downhill_usual_7d_km'])})"
    lines.append(("Downhill", downhill))
    if row["cadence_spm"] is None:
        lines.append(("Cadence", "no cadence data this week"))
    elif row["cadence_vs_normal_pct"] is None:
        lines.append(("Cadence", f"{row['cadence_spm']:.0f} steps/min this week (too few runs for your normal)"))
    else:
        lines.append(("Cadence", f"{row['cadence_spm']:.0f} steps/min this week, {row['cadence_vs_normal_pct']:+.1f} % "
                                 f"against your own normal at these paces ({row['cadence_expected_spm']:.0f})"))
    lines.append(("This week", f"{row['alerts']} alert(s), {row['cautions']} caution(s), {row['notes']} note(s)"))
    return [{"item": label, "value": value} for label, value in lines]


@click.command("status")
@click.option("--athlete", help="Only this athlete.")
@as_of_option
@table_or_json_option
@common_options
def status_command(ctx: Context, athlete: str | None, as_of: datetime | None, fmt: str) -> None:
    """Where you stand: last 7 / 28 days, ratios, spike limit, downhill, cadence, the week's flags.

    For several athletes, one line each, most concerning first.
    """
    check_athlete(ctx, athlete)
    rows = records(analyze.status(ctx.store.activities_frame(athlete), ctx.config, as_of=_day(as_of),
                                  pain=ctx.store.pain_frame(athlete), rtr=rtr.inputs(ctx.store, ctx.config, athlete),
                                  context=ctx.store.context_frame(athlete)))
    system = ctx.config.get("units")
    if fmt == "json":
        render(rows, fmt)
    elif len(rows) == 1:
        row = rows[0]
        render(_overview(row, system), fmt, title=f"{row['athlete']} on {row['as_of']}", table=overview_table())
        if row["flags"]:
            render(row["flags"], fmt, title="The last 7 days", table=week_flags_table())
        say("strideload shows observations about training load; it does not diagnose.")
    else:
        render(rows, fmt, table=status_table(system), title="Most concerning first")


@click.command("config")
@click.option("--athlete", help="Show the values that apply to this athlete.")
@format_option
@common_options
def config_command(ctx: Context, athlete: str | None, fmt: str) -> None:
    """Every setting: effective value, unit, what it does, its source and where the value came from.

    A source key's evidence note: 'strideload science KEY'; '-' marks a setting that is
    bookkeeping rather than evidence (its description says why).
    """
    render(ctx.config.rows(athlete), fmt, table=config_table())


COMMANDS = [flags_command, load_command, status_command, config_command]
