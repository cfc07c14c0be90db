"""The team page: every athlete on one page, most concerning first, each with a sparkline of
the last twelve weeks, the week's flags, the latest knee pain and a link to their page."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape
from typing import Any

import pandas as pd

from ..config import Config
from . import flags_section
from .data import AthleteData
from .html import (
    BADGE_TEXT,
    DISCLAIMER,
    _footer,
    _number,
    _page,
    counts,
    day,
    km,
    severity_badge,
)


def _team_row_status(data: AthleteData) -> tuple[bool, dict[str, Any]]:
    """(stale, the status the team row shows): the current week's, or the last on record when stale."""
    current = data.team_status or data.status
    stale = bool(current.get("stale"))
    return stale, (data.status if stale else current)


def concern_key(data: AthleteData) -> tuple[Any, ...]:
    """Most concerning first: alerts this week, then cautions, then recent knee pain, then notes;
    athletes without a run in the last week after those with one."""
    stale, s = _team_row_status(data)
    pain = data.recent_pain or {}
    worst = pain.get("worst_7d")
    return (stale, -(s.get("alerts") or 0), -(s.get("cautions") or 0), -(worst if worst is not None else -1.0),
            -(s.get("notes") or 0), data.athlete)


def rank(items: Iterable[AthleteData]) -> list[AthleteData]:
    return sorted(items, key=concern_key)


def sparkline(daily: pd.DataFrame, spikes: Iterable[Any] = (), days: int = 84, width: int = 150,
              height: int = 30) -> str:
    """An inline SVG of the last ``days`` daily distances; spike days darker."""
    recent = daily.tail(days)
    if not len(recent):
        return '<span class="note">–</span>'
    values = recent["distance_km"].to_numpy(dtype="float64", na_value=0.0)
    top = max(float(values.max()), 1.0)
    step = width / days
    spike_days = {pd.Timestamp(d).normalize() for d in spikes}
    paths: dict[str, list[str]] = {"#2f4b6e": [], "#c8452f": []}
    offset = days - len(values)
    bar = max(step - 0.4, 0.6)
    for i, (value, when) in enumerate(zip(values, recent["date"], strict=True)):
        if value <= 0:
            continue
        h = max(1.0, value / top * (height - 2))
        colour = "#c8452f" if pd.Timestamp(when).normalize() in spike_days else "#2f4b6e"
        paths[colour].append(f"M{(offset + i) * step:.1f} {height}v-{h:.1f}h{bar:.1f}v{h:.1f}z")
    bars = [f'<path fill="{colour}" d="{"".join(d)}"/>' for colour, d in paths.items() if d]
    first, last = day(recent["date"].iloc[0]), day(recent["date"].iloc[-1])
    title = (f"Daily running distance {first} – {last}: {values.sum():.1f} km in total, at most "
             f"{values.max():.1f} km on one day; spike days in red")
    return (f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
            f'<line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" stroke="#d8dce2"/>'
            f'{"".join(bars)}</svg>')


def _last_spike(data: AthleteData) -> str:
    spikes = data.runs[data.runs["tier"].isin(["small", "moderate", "large"])]
    if not len(spikes):
        return "–"
    last = spikes.iloc[-1]
    return (f"{escape(day(last['date']))}<br><span class=\"note\">{last['session_ratio']:.2f} × "
            f"({escape(str(last['tier']))})</span>")


def _latest_pain(data: AthleteData) -> str:
    if not data.pain_supported:
        return '<span class="note">no pain log yet</span>'
    pain = data.recent_pain
    if pain is None:
        return '<span class="note">none logged</span>'
    worst = "" if pain["worst_7d"] is None else f"<br><span class=\"note\">7-day worst {pain['worst_7d']:g}</span>"
    return (f"{pain['score']:g} / 10 <span class=\"note\">{escape(str(pain['when'] or ''))}<br>"
            f"{escape(day(pain['date']))}</span>{worst}")




def index_page(items: list[AthleteData], *, linked: set[str], generated: datetime,
               config: Config | None = None) -> str:
    """The team overview: one row per athlete, most concerning first, each linking to its page;
    a return-to-run column when anyone has a plan."""
    from .rtr_section import team_cell  # it builds on this module's helpers: imported when used

    with_rtr = any(data.rtr is not None for data in items)
    rows = []
    for data in rank(items):
        stale, s = _team_row_status(data)
        name = escape(data.athlete)
        link = f'<a href="{escape(data.page)}">{name}</a>' if data.athlete in linked else name
        concern = s.get("concern") or "none"
        week = severity_badge(concern, BADGE_TEXT[concern])
        if stale:
            last = counts(s.get("alerts") or 0, s.get("cautions") or 0, s.get("notes") or 0)
            week = (f'{severity_badge("stale")} {escape(str(data.team_status.get("data_note") or ""))}'
                    f'<br><span class="note">last week on record, to {escape(day(s.get("as_of")))}: '
                    f"{escape(last)}</span>")
        elif concern != "none":
            week += (f" {escape(counts(s.get('alerts') or 0, s.get('cautions') or 0, s.get('notes') or 0))}"
                     f'<br><span class="note">{escape(str(s.get("headline") or ""))}</span>')
        else:
            week += ' <span class="note">no flags in the last 7 days</span>'
        if data.context_now:
            week += f'<br>{severity_badge("caution", data.context_now["kind"])} <span class="note">' \
                    f'{escape(data.context_now["words"])}</span>'
        spikes = data.runs.loc[data.runs["tier"].isin(["small", "moderate", "large"]), "date"]
        rows.append(
            f'<tr><td class="nowrap"><strong>{link}</strong><br><span class="note">as of '
            f"{escape(day(s.get('as_of') or data.as_of))}</span></td>"
            f'<td class="week">{week}</td>'
            f'<td class="num">{escape(km(s.get("last_7d_km")))}<br><span class="note">'
            f'{escape(km(s.get("last_28d_km")))}</span></td>'
            f'<td class="num">{flags_section.ratios_cell(s, _number)}</td>'
            f'<td class="nowrap">{_last_spike(data)}</td><td class="nowrap">{_latest_pain(data)}</td>'
            + (f"<td>{team_cell(data)}</td>" if with_rtr else "")
            + f"<td>{sparkline(data.daily, spikes, width=72 if with_rtr else 150)}</td></tr>")
    if rows:
        table = ('<div class="table-wrap"><table class="team"><thead><tr><th>Athlete</th><th>This week</th>'
                 '<th class="num">Last 7 d<br><span class="note">28 d</span></th>'
                 '<th class="num">Ratios<br><span class="note">coupled / uncoupled<br>/ EWMA</span></th>'
                 '<th>Last spike</th><th>Latest knee pain</th>'
                 + ("<th>Return<br>to run</th><th>Load, last<br>12 weeks</th>" if with_rtr
                    else "<th>Load, last 12 weeks</th>") + "</tr></thead>"
                 f'<tbody>{"".join(rows)}</tbody></table></div>')
    else:
        table = '<p class="empty">No athletes yet: import some runs with <code>strideload import</code>.</p>'
    body = ('<h1>Team overview</h1>'
            f'<p class="meta">{len(items)} athlete{"s" if len(items) != 1 else ""}, most concerning first '
            "(alerts this week, then cautions, then knee pain of the last 7 days). This week is the 7 days to "
            "the day under each athlete's name; an athlete without a run in the last week is marked stale, "
            "with their last week on record, below the others.</p>"
            f'<p class="disclaimer">{escape(DISCLAIMER)}</p>'
            f"{table}{flags_section.ratios_legend(config or Config()) if rows else ''}{_footer(generated)}")
    return _page("Team overview · strideload report", body)


__all__ = ["concern_key", "index_page", "rank", "sparkline"]
