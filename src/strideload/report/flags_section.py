"""The flags of an athlete's page, and the team page's ratio cell, as people read them.

Each flag's value stands against its threshold with units ("21.2 km vs 15.4 km allowed",
from :func:`strideload.analyze.words.value_vs_threshold`), under its plain name. The load
events that matter most (session and downhill spikes, the EWMA ratio and the weekly
increase, at caution or above) of the recent weeks are listed above the table and never
folded away, however many return-to-run or pain flags follow them; the table folds only
the flags older than eight weeks. Every string from a user or a file is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape
from typing import Any

import pandas as pd

from ..analyze.words import label, value_vs_threshold
from ..config import Config

#: Flag kinds that are load events (what the runner did), as opposed to pain and return to run.
LOAD_KINDS = ("session_spike", "downhill_spike", "acwr_high", "weekly_increase")
#: Severities of the load events that are always shown.
IMPORTANT = ("alert", "caution")
#: Band of a ratio -> CSS class of its colour (the bands of the ratio chart).
BAND_CLASS = {"low": "band-low", "sweet spot": "band-sweet", "elevated": "band-elevated", "high": "band-high"}


def runs_by_id(activities: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Activity id -> its summary (``distance_m``, ``downhill_5pct_m`` ...)."""
    if not len(activities) or "id" not in activities:
        return {}
    return {str(row["id"]): row for row in activities.to_dict("records")}


def value_cell(flag: Any, runs: Mapping[str, Mapping[str, Any]], config: Config) -> str:
    """The flag's value against its threshold, with units, as HTML."""
    text = value_vs_threshold(str(flag.kind), flag.value, flag.threshold, run=runs.get(str(flag.activity_id)),
                              config=config)
    return escape(text)


def _rows(flags: pd.DataFrame, runs: Mapping[str, Mapping[str, Any]], config: Config,
          day: Callable[[Any], str], badge: Callable[[str], str], source: Callable[[str], str]) -> str:
    rows = []
    for f in flags.iloc[::-1].itertuples(index=False):
        rows.append(
            f'<tr><td class="nowrap">{escape(day(f.date))}</td>'
            f'<td class="what"><strong>{escape(label(str(f.kind)))}</strong><br>{escape(str(f.message))}</td>'
            f'<td class="value">{value_cell(f, runs, config)}</td>'
            f"<td>{badge(str(f.severity))}</td>"
            f"<td>{source(str(f.source))}</td><td>{escape(str(f.evidence))}</td></tr>")
    return ('<div class="table-wrap"><table class="flags-table"><thead><tr><th>Date</th><th>What</th>'
            '<th class="value">Value vs threshold</th><th>Severity</th><th>Source</th><th>Evidence</th></tr>'
            f'</thead><tbody>{"".join(rows)}</tbody></table></div>')


def load_events(flags: pd.DataFrame, as_of: Any, runs: Mapping[str, Mapping[str, Any]], config: Config,
                day: Callable[[Any], str], badge: Callable[[str], str], weeks: int = 12, most: int = 6) -> str:
    """The most important load events of the ``weeks`` to ``as_of``, newest first, never folded."""
    if not len(flags):
        return ""
    dates = pd.to_datetime(flags["date"])
    recent = flags[(dates > pd.Timestamp(as_of) - pd.Timedelta(weeks=weeks)) & flags["kind"].isin(LOAD_KINDS)
                   & flags["severity"].isin(IMPORTANT)]
    if not len(recent):
        return (f'<p class="load-events empty">No load spikes or high ratios in the {weeks} weeks to '
                f"{escape(day(as_of))}.</p>")
    shown = recent.iloc[::-1].head(most)
    items = "".join(
        f"<li>{badge(str(f.severity))}<strong>{escape(day(f.date))}</strong> · {escape(label(str(f.kind)))}: "
        f"{value_cell(f, runs, config)}</li>" for f in shown.itertuples(index=False))
    more = len(recent) - len(shown)
    tail = f'<p class="note">… and {more} earlier (in the table below).</p>' if more else ""
    return (f'<div class="load-events"><h3>Load events of the last {weeks} weeks</h3>'
            f'<ul class="flags">{items}</ul>{tail}</div>')


def flags_table(flags: pd.DataFrame, as_of: Any, runs: Mapping[str, Mapping[str, Any]], config: Config, *,
                day: Callable[[Any], str], badge: Callable[[str], str], source: Callable[[str], str],
                recent_days: int = 56) -> str:
    """Every flag of the period, newest first: date, what, value vs threshold, severity, source.

    The important load events of the last weeks come first, always visible; flags older
    than ``recent_days`` before ``as_of`` sit in a closed ``<details>`` below the table.
    """
    if not len(flags):
        return '<p class="empty">No flags in this period.</p>'
    events = load_events(flags, as_of, runs, config, day, badge)
    cut = pd.Timestamp(as_of) - pd.Timedelta(days=recent_days)
    dates = pd.to_datetime(flags["date"])
    recent, older = flags[dates > cut], flags[dates <= cut]
    html = events + (_rows(recent, runs, config, day, badge, source) if len(recent) else
                     f'<p class="empty">No flags in the {recent_days // 7} weeks to {escape(day(as_of))}.</p>')
    if len(older):
        html += (f"<details><summary>Older flags: {len(older)}, from {escape(day(older['date'].iloc[0]))} "
                 f"to {escape(day(older['date'].iloc[-1]))}</summary>"
                 f"{_rows(older, runs, config, day, badge, source)}</details>")
    return html


def ratios_cell(status: Mapping[str, Any], number: Callable[[Any], str]) -> str:
    """The three ratios of the team page, each coloured by its band (and named in its tooltip);
    the EWMA ratio, the one the status and its flag use, in bold."""
    parts = []
    for name, words in (("acwr_coupled", "coupled"), ("acwr_uncoupled", "uncoupled"), ("acwr_ewma", "EWMA")):
        band = str(status.get(f"{name}_band") or "")
        css = BAND_CLASS.get(band, "band-none")
        text = f'<span class="ratio {css}" title="{escape(words)}: {escape(band or "no ratio")}">' \
               f"{escape(number(status.get(name)))}</span>"
        parts.append(f"<strong>{text}</strong>" if name == "acwr_ewma" else text)
    return " / ".join(parts)


def ratios_legend(config: Config) -> str:
    """What the colours of the team page's ratios mean, and which ratio the status uses."""
    low, sweet, high = config.get("acwr_sweet_low"), config.get("acwr_sweet_high"), config.get("acwr_high")
    return (f'<p class="note ratios-legend">Ratios (coupled / uncoupled / <strong>EWMA</strong>) are coloured by '
            f'band: <span class="ratio band-low">low &lt; {low:g}</span> · <span class="ratio band-sweet">sweet '
            f'spot {low:g}–{sweet:g}</span> · <span class="ratio band-elevated">elevated {sweet:g}–{high:g}</span> '
            f'· <span class="ratio band-high">high ≥ {high:g}</span>. The status and its high-ratio flag use the '
            "EWMA ratio, in bold. These are team-sport bands: in runners their link to injury is contested.</p>")


CSS = """
.ratio { border-radius:3px; padding:0 3px; font-variant-numeric:tabular-nums; }
.band-low { background:#eceef1; color:#3f4652; }
.band-sweet { background:#e1efd6; color:#2f5a1c; }
.band-elevated { background:#fbe8c8; color:#7a4a00; }
.band-high { background:#f6d5cf; color:#8e1b1b; }
.band-none { color:var(--muted); }
.load-events { margin:8px 0 14px; }
.load-events h3 { font-size:1rem; margin:0 0 4px; }
@media print { .ratio { border:1px solid currentColor; } }
"""
