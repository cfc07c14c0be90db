"""``strideload status``: where each athlete stands, rendered.

One library call, :func:`strideload.snapshot.status`, which answers from the store's snapshot
while nothing changed: this module and its imports stay clear of numpy, pandas and plotly.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from .. import snapshot, units
from .listing import check_athlete
from .main import Context, common_options
from .render import as_of_option, render, say, table_or_json_option
from .tables import overview_table, status_table, week_flags_table


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
    rows = snapshot.status(ctx.store, ctx.config, athlete, None if as_of is None else as_of.date())
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
