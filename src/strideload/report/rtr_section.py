"""The report's return-to-run parts: the section of an athlete's page (a card and a chart)
and the team page's cell.

The card says which plan is in force and where it came from, the stage and its
prescription, how many sessions were done as prescribed and how many count, the criteria,
and the sessions that did not count grouped by why (each kind of deviation once, with its
sessions), so fifty runs over the prescription read as one line, not fifty. The chart draws
what the stage prescribes, not a mark scaled to each session: the prescribed distance and
run interval as steps over the days they were in force, each session's measured distance
(running and walking) and its longest running without a walk break against them, so an
overshoot shows; nothing is prescribed after the plan was complete.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go  # type: ignore[import-untyped]  # plotly ships no type hints

from . import figures
from .data import AthleteData, RtrView
from .html import _chart, day

#: ``off_kinds`` of a session -> how the card names the group.
OFF_LABELS = {
    "longer": "Longer than prescribed",
    "shorter": "Shorter than prescribed",
    "intervals": "Without the prescribed walk breaks",
    "hilly": "Hilly where level ground is asked",
    "back_to_back": "Without the rest day before it",
    "runs_per_7_days": "More runs in 7 days than allowed",
    "unchecked": "Walk breaks not checked (no per-second data)",
}
#: The chart's height: three panels need more room than the others' one.
HEIGHT_PX = 660
#: Verdict of a session on the chart -> (label, marker symbol, colour).
VERDICT_STYLE = {
    "counts": ("Counts toward progressing", "circle", "#2f6b3a"),
    "off": ("Not as prescribed", "x", "#c8452f"),
    "pain": ("As prescribed, but knee pain or a red setback after it", "diamond", figures.PAIN_COLOUR),
    "waiting": ("As prescribed, awaiting the next-morning score", "circle-open", "#5b6472"),
}


def _source(source: str | None) -> str:
    if not source or source == "cli":
        return "started with <code>strideload rtr start</code>"
    return f"from the plan file <code>{escape(source)}</code>"


def _value(kind: str, entry: dict[str, Any], reason: str) -> str:
    """What a session's deviation of ``kind`` amounted to, in a few characters."""
    if kind in ("longer", "shorter"):
        return f"{entry['distance_km']:.2f} km"
    if kind == "intervals":
        return reason.split(" of running without")[0] if " of running without" in reason else "no walk at all"
    if kind == "hilly" and entry.get("climb_m_per_km") is not None:
        return f"{entry['climb_m_per_km']:.1f} m/km"
    return ""


def grouped_deviations(log: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """The sessions not done as prescribed, grouped by kind: ``(label, ["2 Oct (3.22 km)", ...])``."""
    groups: dict[str, list[str]] = {}
    for entry in log:
        for kind, reason in zip(entry.get("off_kinds", []), entry.get("off_prescription", []), strict=True):
            value = _value(kind, entry, reason)
            groups.setdefault(kind, []).append(day(entry["date"]).rsplit(" ", 1)[0] + (f" ({value})" if value else ""))
    return [(OFF_LABELS[kind], groups[kind]) for kind in OFF_LABELS if kind in groups]


def _other_reasons(log: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """Sessions done as prescribed that still do not count, grouped by why."""
    pain, reset, waiting = [], [], []
    for entry in log:
        if entry["counts"] or not entry["as_prescribed"]:
            continue
        when = day(entry["date"]).rsplit(" ", 1)[0]
        if entry["pain"]:
            pain.append(when)
        elif entry["reset_by_red_pain"]:
            reset.append(when)
        elif entry["awaiting_next_morning"]:
            waiting.append(when)
    return [(label, items) for label, items in (("With knee pain", pain), ("Before a red pain setback", reset),
                                                ("Awaiting the next-morning score", waiting)) if items]


#: Sessions named per group on the card (the latest); the earlier ones are counted.
SHOWN = 8


def _group_items(groups: list[tuple[str, list[str]]]) -> str:
    def listed(items: list[str]) -> str:
        if len(items) <= SHOWN:
            return ", ".join(items)
        return f"latest: {', '.join(items[-SHOWN:])}; {len(items) - SHOWN} earlier"

    return "".join(f"<li><strong>{escape(label)}</strong>: {len(items)} session{'s' if len(items) != 1 else ''} "
                   f"<span class=\"note\">({escape(listed(items))})</span></li>" for label, items in groups)


def card(view: RtrView) -> str:
    """The return-to-run card: plan in force, stage, sessions, criteria, what did not count and why."""
    status = view.status
    name = view.stage_name
    criteria = "".join(f"<li>{'✓' if c.met else '✗'} {escape(c.detail)}</li>" for c in status.criteria)
    state = {"complete": "complete", "ready": "ready to progress"}.get(status.verdict, "not ready to progress")
    off = status.sessions - status.sessions_as_prescribed
    plan = f"{escape(view.protocol_name)}, from {escape(day(status.plan_start))}, {_source(status.plan_source)}"
    if status.replaced:
        replaced = "; ".join(f"{escape(r['protocol'])} from {escape(day(r['start']))}" for r in status.replaced)
        plan += f' <span class="note">(replaced, kept in the history: {replaced})</span>'
    facts = [
        ("Plan in force", plan),
        ("Now", f"{escape(status.prescription)} <span class=\"note\">(since {escape(day(status.stage_since))})"
                "</span>"),
        ("Sessions", f"{status.sessions} at this {escape(name)}: {status.sessions_as_prescribed} as prescribed, "
                     f"{off} not; <strong>{status.sessions_counted} count</strong> toward progressing "
                     f"({status.sessions_needed} needed)"),
        ("Criteria", f'<ul class="criteria">{criteria}</ul>'),
        ("Recommendation", f"<strong>{escape(state.capitalize())}.</strong> {escape(status.next_session)} "
                           f"<span class=\"note\">Next run from {escape(day(status.next_date))}.</span>"),
    ]
    deviations = grouped_deviations(status.session_log)
    if deviations:
        facts.append(("Not as prescribed", f'<ul class="criteria">{_group_items(deviations)}</ul>'))
    others = _other_reasons(status.session_log)
    if others:
        facts.append(("Not counted yet", f'<ul class="criteria">{_group_items(others)}</ul>'))
    rows = "".join(f"<dt>{escape(label)}</dt><dd>{value}</dd>" for label, value in facts)
    return (f'<div class="card rtr"><dl class="facts">{rows}</dl><p class="note">Protocol: '
            f"{_citation(view.citation)}</p></div>")


def rtr_section(data: AthleteData) -> tuple[str, str | None] | None:
    """The return-to-run section (HTML, figure JSON), or ``None`` without a plan."""
    view = data.rtr
    if view is None:
        return None
    name = view.stage_name
    done = (f" The plan was complete on {escape(day(view.completed_on))}: nothing is prescribed after it."
            if view.completed_on is not None else "")
    section, payload = _chart(
        "fig-rtr", "Return to run",
        f"Each session's distance (running and walking, measured) against the distance its {escape(name)} "
        f"prescribes, the longest running without a walk break against the prescribed run interval, and the "
        f"knee pain of the session and of the next morning; below, the {escape(name)} in force.{done} "
        "strideload says whether the criteria are met; moving on is the PT's decision.",
        progress_figure(view), "No sessions since the plan started.", tall=True)
    section = section.replace('class="plot tall"', f'class="plot tall" style="height:{HEIGHT_PX}px"', 1)
    return section.replace("</p>", f"</p>{card(view)}", 1), payload


def _citation(text: str) -> str:
    """A citation with its ``doi:...`` turned into a link (everything escaped)."""
    match = re.search(r"doi:\s*(10\.\S+?)\.?$", text)
    if not match:
        return escape(text)
    doi = match.group(1)
    return (f"{escape(text[:match.start()])}<a href=\"https://doi.org/{escape(doi)}\" rel=\"noopener noreferrer\">"
            f"doi:{escape(doi)}</a>")


def team_cell(data: AthleteData) -> str:
    """The team page's return-to-run cell: stage, ready / on hold / not ready / complete, and
    the sessions counted of those needed (``–`` without a plan); the athlete's page says why."""
    view = data.rtr
    if view is None:
        return '<span class="note">–</span>'
    status = view.status
    words = {"complete": "complete", "ready": "ready", "on hold": "on hold", "not yet": "not ready"}[status.verdict]
    def keep(text: str) -> str:  # each line stays whole in a narrow column
        return escape(text).replace(" ", "&nbsp;")

    return (f'{keep(name_of(status))}<br><strong>{keep(words)}</strong><br><span class="note">'
            f"{keep(f'{status.sessions_counted}/{status.sessions_needed} counted')}</span>")


def name_of(status: Any) -> str:
    """``phase 2 of 6``."""
    return f"{status.stage_name} {status.stage} of {status.stages}"


# -- the chart -----------------------------------------------------------------------------
def _interval_unit(view: RtrView) -> tuple[str, str] | None:
    """(column, unit) the run interval is prescribed in: minutes, else km; None when continuous only."""
    if view.stages["prescribed_run_min"].notna().any():
        return "min", "min"
    if view.stages["prescribed_run_km"].notna().any():
        return "km", "km"
    return None


def _steps(stages: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """A day-by-day prescription as a step line that ends with the last day (NaN gaps stay gaps)."""
    x = figures._dates(stages["date"])
    y = stages[column].to_numpy(dtype="float64")
    return np.append(x, x[-1] + np.timedelta64(1, "D")), np.append(y, y[-1])


def progress_figure(view: RtrView) -> go.Figure | None:
    """A return-to-run plan over time (see the module doc); ``None`` without any day in it."""
    sessions, stages = view.sessions, view.stages
    if not len(stages):
        return None
    name = view.stage_name.capitalize()
    unit = _interval_unit(view)
    top, middle, bottom = ([0.53, 1.0], [0.3, 0.46], [0.0, 0.22]) if unit else ([0.32, 1.0], None, [0.0, 0.24])
    hover = "%a %-d %b %Y"
    layout: dict[str, Any] = {
        "hovermode": "x unified", "barmode": "stack", "bargap": 0.35,
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.1, "x": 0, "font": {"size": 12}},
        "margin": {"l": 64, "r": 64, "t": 30, "b": 40},
        "xaxis": {"type": "date", "anchor": "y", "showticklabels": False, "hoverformat": hover},
        "yaxis": {"domain": top, "rangemode": "tozero", "title": {"text": "km per session"}},
        "yaxis2": {"overlaying": "y", "side": "right", "range": [0, 10.6], "dtick": 2, "showgrid": False,
                   "title": {"text": "Knee pain (0–10)"}},
        "xaxis3": {"type": "date", "anchor": "y4", "matches": "x", "hoverformat": hover},
        "yaxis4": {"domain": bottom, "anchor": "x3", "range": [0.5, max(view.labels) + 0.5], "tickmode": "array",
                   "tickvals": list(view.labels), "ticktext": [str(n) for n in view.labels],
                   "tickfont": {"size": 11}, "title": {"text": name, "standoff": 4}, "fixedrange": True},
    }
    if unit:
        layout["xaxis2"] = {"type": "date", "anchor": "y3", "matches": "x", "showticklabels": False,
                            "hoverformat": hover}
        layout["yaxis3"] = {"domain": middle, "anchor": "x2", "rangemode": "tozero",
                            "title": {"text": f"No walk break ({unit[1]})", "standoff": 4}}
    fig = figures._figure(**layout)
    x, prescribed = _steps(stages, "prescribed_km")
    fig.add_scatter(x=x, y=figures._round(prescribed), mode="lines", name="Prescribed distance",
                    line={"shape": "hv", "color": figures.INK, "width": 2.5, "dash": "dash"},
                    hovertemplate="Prescribed: %{y:.2f} km<extra></extra>", connectgaps=False)
    if len(sessions):
        when = figures._dates(sessions["date"])
        after = (sessions["verdict"] == "after").to_numpy()
        run = sessions["run_km"].fillna(sessions["distance_km"]).to_numpy(dtype="float64")
        walk = sessions["walk_km"].fillna(0.0).to_numpy(dtype="float64")
        plan = ~after
        fig.add_bar(x=when[plan], y=figures._round(run[plan]), name="Running (measured)", marker_color="#2f4b6e",
                    customdata=np.column_stack([figures._round(sessions["distance_km"][plan]),
                                                sessions["stage"][plan]]),
                    hovertemplate=f"{name} %{{customdata[1]}} · %{{customdata[0]:.2f}} km in all"
                                  "<br>Running: %{y:.2f} km<extra></extra>")
        fig.add_bar(x=when[plan], y=figures._round(walk[plan]), name="Walking (measured)", marker_color="#b9c0c9",
                    marker_pattern=figures.PATTERN | {"shape": "."},
                    hovertemplate="Walking: %{y:.2f} km<extra></extra>")
        if after.any():
            fig.add_bar(x=when[after], y=figures._round(sessions["distance_km"][after]),
                        name="Runs after the plan was complete", marker_color="#d5d8dd",
                        hovertemplate="After the plan was complete: %{y:.2f} km<extra></extra>")
        total = sessions["distance_km"].to_numpy(dtype="float64")
        lift = max(0.15, 0.06 * float(np.nanmax(total))) if len(total) else 0.2
        for verdict, (label, symbol, colour) in VERDICT_STYLE.items():
            part = sessions["verdict"] == verdict
            if not part.any():
                continue
            fig.add_scatter(x=when[part.to_numpy()], y=figures._round(total[part.to_numpy()] + lift), mode="markers",
                            name=label, text=[figures.escape(w) for w in sessions.loc[part, "why"]],
                            hovertemplate=f"{label}: %{{text}}<extra></extra>",
                            marker={"symbol": symbol, "size": 10, "color": colour, "line": {"width": 2,
                                                                                            "color": colour}})
        for column, label, symbol, offset in (("pain_session", "Knee pain during/after", "circle", 0),
                                              ("pain_next_morning", "Knee pain the morning after", "triangle-up", 1)):
            values = sessions[column].to_numpy(dtype="float64")
            if np.isfinite(values).any():
                fig.add_scatter(x=when + np.timedelta64(offset, "D"), y=figures._round(values, 1), yaxis="y2",
                                mode="markers", name=label, hovertemplate=f"{label}: %{{y:g}} / 10<extra></extra>",
                                marker={"symbol": symbol, "size": 9, "color": figures.PAIN_COLOUR,
                                        "line": {"color": "#ffffff", "width": 1}})
        if unit:
            column = "longest_run_min" if unit[0] == "min" else "longest_run_km"
            fig.add_scatter(x=when, y=figures._round(sessions[column]), xaxis="x2", yaxis="y3", mode="markers",
                            name="Longest running without a walk break", showlegend=False,
                            marker={"symbol": "square", "size": 8, "color": "#2f4b6e"},
                            hovertemplate=f"Longest running without a walk break: %{{y:.1f}} {unit[1]}"
                                          "<extra></extra>")
    if unit:
        x, interval = _steps(stages, "prescribed_run_min" if unit[0] == "min" else "prescribed_run_km")
        fig.add_scatter(x=x, y=figures._round(interval), xaxis="x2", yaxis="y3", mode="lines", showlegend=False,
                        name="Prescribed run interval", connectgaps=False,
                        line={"shape": "hv", "color": figures.INK, "width": 2.5, "dash": "dash"},
                        hovertemplate=f"Prescribed run interval: %{{y:g}} {unit[1]}<extra></extra>")
    x, stage = _steps(stages, "stage")
    labels = np.asarray([figures.escape(view.labels.get(int(s), "")) for s in stage], dtype=object)
    fig.add_scatter(x=x, y=stage, xaxis="x3", yaxis="y4", mode="lines", name=f"{name} in force", showlegend=False,
                    customdata=labels, line={"shape": "hv", "color": figures.INK, "width": 2.5},
                    hovertemplate="%{customdata}<extra></extra>")
    if view.completed_on is not None:
        fig.add_annotation(x=str(view.completed_on + pd.Timedelta(days=1)), y=stage[-1], xref="x3", yref="y4",
                           text="complete",
                           showarrow=False, xanchor="left", yanchor="middle", xshift=6,
                           font={"size": 11, "color": figures.MUTED})
    return fig
