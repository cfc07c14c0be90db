"""The report's charts: pure functions from analysis DataFrames to plotly Figures.

Each function takes frames shaped like :class:`~strideload.report.data.AthleteData`'s
(``daily``, ``runs``, ``pain``) and returns a :class:`plotly.graph_objects.Figure`, or
``None`` when there is nothing to draw (the page then says why). They work as well in a
notebook as in the report.

Conventions: every hover names its unit; text that came from a user or a file (activity
names, pain notes) is HTML-escaped, because plotly renders tags in hover and labels;
colours differ in lightness and marks differ in shape or pattern, so a grey-scale print
still reads; arrays are numpy (fast to serialise) and rounded, to keep pages small.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go  # type: ignore[import-untyped]  # plotly ships no type hints

from ..config import Config
from ..model import SURFACES

INK = "#1d2430"
MUTED = "#6b7380"
GRID = "#e7e9ed"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

#: Surface -> (label, colour, bar pattern). Lightness falls from road to unknown.
SURFACE_STYLE: dict[str, tuple[str, str, str]] = {
    "road": ("Road", "#2f4b6e", ""),
    "trail": ("Trail", "#5f8a3c", "/"),
    "track": ("Track", "#b5652f", "."),
    "treadmill": ("Treadmill", "#9aa3ae", "x"),
    "indoor": ("Indoor", "#c9b26b", "-"),
    "unknown": ("Unknown surface", "#d5d8dd", ""),
}
#: Spike tier -> (label, colour, marker symbol). Darker means larger.
TIER_STYLE: dict[str, tuple[str, str, str]] = {
    "small": ("Small spike (> +10 %)", "#f0a86a", "circle"),
    "moderate": ("Moderate spike (> +30 %)", "#c8452f", "diamond"),
    "large": ("Large spike (> 2 ×)", "#5a0c14", "star"),
}
#: Pain ``when`` -> (label, marker symbol).
PAIN_STYLE: dict[str, tuple[str, str]] = {
    "during": ("during the run", "circle"),
    "after": ("after the run", "square"),
    "next-morning": ("next morning", "triangle-up"),
    "daily": ("daily (resting)", "diamond-open"),
}
PAIN_COLOUR = "#a3162f"
DAY = "%{x|%a %-d %b %Y}"
#: Bar patterns draw white lines over the bar's own colour, so they also tell apart in grey.
PATTERN = {"fillmode": "overlay", "fgcolor": "#ffffff", "size": 7, "solidity": 0.25}

TEMPLATE = go.layout.Template(layout={
    "font": {"family": FONT, "size": 13, "color": INK},
    "paper_bgcolor": "#ffffff",
    "plot_bgcolor": "#ffffff",
    "colorway": ["#2f4b6e", "#c8452f", "#5f8a3c", "#9aa3ae", "#b5652f"],
    "xaxis": {"gridcolor": GRID, "linecolor": "#9aa1ab", "showline": True, "zeroline": False,
              "ticks": "outside", "tickcolor": "#9aa1ab"},
    "yaxis": {"gridcolor": GRID, "linecolor": "#9aa1ab", "zeroline": False},
    "legend": {"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0, "traceorder": "normal",
               "font": {"size": 12}},
    "hoverlabel": {"bgcolor": "#ffffff", "bordercolor": INK, "font": {"color": INK, "family": FONT}},
    "margin": {"l": 64, "r": 64, "t": 44, "b": 40},
})

RANGE_BUTTONS = {
    "buttons": [
        {"count": 1, "label": "1 m", "step": "month", "stepmode": "backward"},
        {"count": 3, "label": "3 m", "step": "month", "stepmode": "backward"},
        {"count": 6, "label": "6 m", "step": "month", "stepmode": "backward"},
        {"count": 1, "label": "1 y", "step": "year", "stepmode": "backward"},
        {"label": "all", "step": "all"},
    ],
    "x": 0, "y": 1.0, "xanchor": "left", "yanchor": "bottom",
    "bgcolor": "#eef0f3", "activecolor": "#c9d3df", "font": {"size": 11},
}


def escape(value: Any) -> str:
    """A user's or a file's text, safe for plotly labels and hover (``''`` when missing).

    Only ``&``, ``<`` and ``>`` are escaped: without ``<`` no tag can form, and plotly.js
    decodes ``&lt;``, ``&gt;`` and ``&amp;`` back to text but shows ``&quot;`` literally.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return html.escape(str(value), quote=False)


def _dates(values: Any) -> np.ndarray:
    return pd.to_datetime(pd.Series(values)).to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")


def _round(values: Any, digits: int = 2) -> np.ndarray:
    """Rounded, as float32: half the bytes of float64 in the page, more precision than shown."""
    return np.round(np.asarray(values, dtype="float64"), digits).astype("float32")


def _daily_x(daily: pd.DataFrame) -> dict[str, Any]:
    """The x of a continuous daily series as a start and a step (no array of dates in the page)."""
    first = pd.Timestamp(daily["date"].iloc[0]) if len(daily) else pd.Timestamp("1970-01-01")
    return {"x0": first.strftime("%Y-%m-%d"), "dx": 86_400_000}


#: Longest stretch a time chart shows at first (days); the range buttons and "all" show the rest.
INITIAL_DAYS = 182


def _time_axis(start: Any = None, end: Any = None, selector: bool = True) -> dict[str, Any]:
    """A date axis from ``start`` to ``end``, opening on the last :data:`INITIAL_DAYS` of it."""
    axis: dict[str, Any] = {"type": "date", "hoverformat": "%a %-d %b %Y"}
    if selector:
        axis["rangeselector"] = RANGE_BUTTONS
    if start is not None and end is not None:
        first = max(pd.Timestamp(start), pd.Timestamp(end) - pd.Timedelta(days=INITIAL_DAYS))
        axis["range"] = [str(first - pd.Timedelta(hours=14)), str(pd.Timestamp(end) + pd.Timedelta(hours=14))]
    return axis


def _figure(**layout: Any) -> go.Figure:
    return go.Figure(layout={"template": TEMPLATE, **layout})


def _week_start(dates: pd.Series) -> pd.Series:
    dates = pd.to_datetime(dates)
    return (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize()


def _surface_bars(fig: go.Figure, frame: pd.DataFrame, x: str, hover: str, **trace: Any) -> None:
    """Stacked bars of ``frame`` (columns ``x``, ``surface``, ``distance_km``), one trace a surface."""
    for surface in SURFACES:
        part = frame[frame["surface"] == surface]
        if not len(part):
            continue
        label, colour, pattern = SURFACE_STYLE[surface]
        marker: dict[str, Any] = {"color": colour, "line": {"width": 0}}
        if pattern:
            marker["pattern"] = PATTERN | {"shape": pattern}
        extra = {k: (v[part.index].to_numpy() if isinstance(v, pd.Series) else v) for k, v in trace.items()}
        fig.add_bar(x=_dates(part[x]), y=_round(part["distance_km"]), name=label, marker=marker,
                    hovertemplate=hover.replace("{label}", label), **extra)


def load_and_pain(daily: pd.DataFrame, runs: pd.DataFrame, pain: pd.DataFrame | None,
                  start: Any = None, end: Any = None) -> go.Figure:
    """Daily distance by surface, 7- and 28-day averages, spikes, and knee pain on a 0–10 axis.

    ``daily`` and ``runs`` as in :class:`~strideload.report.data.AthleteData`; ``pain`` the
    pain log (``date``, ``score``, ``when``, ``side``, ``note``), or ``None`` when there is
    no pain log at all. The averages are per day (7-day total ÷ 7, 28-day total ÷ 28), so
    they share the bars' km axis. ``None`` when there are neither runs nor pain scores.
    """
    if not len(runs) and (pain is None or not len(pain)):
        return None
    fig = _figure(barmode="stack", bargap=0.12, hovermode="x unified",
                  xaxis=_time_axis(start, end),
                  yaxis={"title": {"text": "Running distance (km per day)"}, "rangemode": "tozero"},
                  yaxis2={"title": {"text": "Knee pain (0–10)"}, "overlaying": "y", "side": "right",
                          "range": [0, 10.6], "dtick": 2, "showgrid": False, "zeroline": False})
    per_day = runs.groupby(["date", "surface"])["distance_km"].sum().reset_index()
    _surface_bars(fig, per_day, "date", "{label}: %{y:.1f} km<extra></extra>")
    if len(daily):
        days = _daily_x(daily)
        fig.add_scatter(**days, y=_round(daily["acute_7d_km"] / 7.0), mode="lines",
                        name="Acute: 7-day average", line={"color": INK, "width": 2.2},
                        hovertemplate="7-day average: %{y:.1f} km/day<extra></extra>")
        fig.add_scatter(**days, y=_round(daily["chronic_28d_km"] / 28.0), mode="lines",
                        name="Chronic: 28-day average", line={"color": MUTED, "width": 2, "dash": "dash"},
                        hovertemplate="28-day average: %{y:.1f} km/day<extra></extra>")
    day_total = runs.groupby("date")["distance_km"].sum()
    for tier, (label, colour, _symbol) in TIER_STYLE.items():
        spikes = runs[runs["tier"] == tier]
        if not len(spikes):
            continue
        text = [f"{label.split(' (')[0]}: {d:.1f} km, {r:.2f} × the longest run of the previous 30 days "
                f"({p:.1f} km)" + (f" · {escape(n)}" if escape(n) else "")
                for d, r, p, n in zip(spikes["distance_km"], spikes["session_ratio"],
                                      spikes["previous_longest_km"], spikes["name"], strict=True)]
        top = day_total.reindex(spikes["date"]).to_numpy()
        fig.add_scatter(x=_dates(spikes["date"]), y=_round(top + np.maximum(0.6, 0.05 * np.nanmax(top))),
                        mode="markers", name=label, text=text, hovertemplate="%{text}<extra></extra>",
                        marker={"symbol": "triangle-down", "size": 13, "color": colour,
                                "line": {"color": INK, "width": 1}})
    if pain is not None:
        for when, (label, symbol) in PAIN_STYLE.items():
            part = pain[pain["when"] == when]
            if not len(part):
                continue
            detail = [" · ".join(x for x in (escape(s) and f"{escape(s)} knee", escape(n)) if x)
                      for s, n in zip(part.get("side", [None] * len(part)), part.get("note", [None] * len(part)),
                                      strict=True)]
            fig.add_scatter(x=_dates(part["date"]), y=_round(part["score"], 1), yaxis="y2", mode="markers",
                            name=f"Knee pain, {label}",
                            text=[f" ({d})" if d else "" for d in detail],
                            hovertemplate=f"Knee pain {label}: %{{y:g}} / 10%{{text}}<extra></extra>",
                            marker={"symbol": symbol, "size": 10, "color": PAIN_COLOUR,
                                    "line": {"color": PAIN_COLOUR if symbol.endswith("open") else "#ffffff",
                                             "width": 1.5 if symbol.endswith("open") else 1}})
    if pain is None or not len(pain):
        fig.add_annotation(text="no knee-pain log yet" if pain is None else "no knee-pain entries in this period",
                           xref="paper", yref="paper", x=1, y=1.0, xanchor="right", yanchor="bottom",
                           showarrow=False, font={"color": MUTED, "size": 12})
    return fig


def acwr_lines(daily: pd.DataFrame, config: Config, start: Any = None, end: Any = None) -> go.Figure | None:
    """The three acute:chronic ratios over the bands 0.8 / 1.3 / 1.5; ``None`` while hidden."""
    columns = {"acwr_coupled": ("Rolling, coupled (7 d ÷ 28 d/4)", "#2f4b6e", "solid"),
               "acwr_uncoupled": ("Rolling, uncoupled (7 d ÷ days 8–28/3)", "#7d9cc0", "dot"),
               "acwr_ewma": ("EWMA (λ = 2/(N+1), N = 7 and 28)", INK, "dash")}
    values = daily[list(columns)].to_numpy(dtype="float64", na_value=np.nan) if len(daily) else np.zeros((0, 3))
    if not np.isfinite(values).any():
        return None
    low, sweet, high = (config.get("acwr_sweet_low"), config.get("acwr_sweet_high"), config.get("acwr_high"))
    top = max(2.0, float(np.nanmax(values)) * 1.08)
    bands = [(0, low, "rgba(150,155,165,0.10)", f"low < {low:g}"),
             (low, sweet, "rgba(95,138,60,0.16)", f"sweet spot {low:g}–{sweet:g}"),
             (sweet, high, "rgba(224,150,50,0.18)", f"elevated {sweet:g}–{high:g}"),
             (high, top, "rgba(200,69,47,0.16)", f"high ≥ {high:g}")]
    shapes = [{"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": y0, "y1": y1,
               "fillcolor": colour, "line": {"width": 0}, "layer": "below"} for y0, y1, colour, _ in bands]
    shapes += [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": edge, "y1": edge,
                "line": {"color": "#a0a6ae", "width": 1, "dash": "dot"}, "layer": "below"}
               for edge in (low, sweet, high)]
    labels = [{"text": label, "xref": "paper", "x": 0.005, "xanchor": "left", "yref": "y", "y": (y0 + y1) / 2,
               "showarrow": False, "font": {"size": 11, "color": MUTED}, "bgcolor": "rgba(255,255,255,0.75)"}
              for y0, y1, _, label in bands]
    fig = _figure(hovermode="x unified", xaxis=_time_axis(start, end), shapes=shapes, annotations=labels,
                  yaxis={"title": {"text": "Acute ÷ chronic load (ratio)"}, "range": [0, top]})
    days = _daily_x(daily)
    for column, (label, colour, dash) in columns.items():
        fig.add_scatter(**days, y=_round(daily[column]), mode="lines", name=label, connectgaps=False,
                        line={"color": colour, "width": 2.2 if column == "acwr_ewma" else 1.8, "dash": dash},
                        hovertemplate=f"{label.split(' (')[0]}: %{{y:.2f}}<extra></extra>")
    return fig


def session_spikes(runs: pd.DataFrame, config: Config, start: Any = None, end: Any = None) -> go.Figure | None:
    """Each run's distance against the longest run of its previous 30 days, with the tiers."""
    if not len(runs):
        return None
    days = config.get("session_spike_window_days")
    dates = _dates(runs["date"])
    previous = runs["previous_longest_km"].to_numpy(dtype="float64", na_value=np.nan)
    fig = _figure(hovermode="closest", xaxis=_time_axis(start, end),
                  yaxis={"title": {"text": "Run distance (km)"}, "rangemode": "tozero"})
    fig.add_scatter(x=dates, y=_round(previous), mode="lines", name=f"Longest run of the previous {days} days",
                    line={"color": MUTED, "width": 1.6, "shape": "hv"}, connectgaps=False,
                    hovertemplate=f"Longest of the previous {days} days: %{{y:.1f}} km<extra></extra>")
    limits = [("small", config.get("session_spike_small"), "dot", None),
              ("moderate", config.get("session_spike_moderate"), "dash", "rgba(240,168,106,0.22)"),
              ("large", config.get("session_spike_large"), "longdash", "rgba(200,69,47,0.14)")]
    for tier, factor, dash, fill in limits:
        fig.add_scatter(x=dates, y=_round(previous * factor), mode="lines", connectgaps=False,
                        name=f"{factor:g} × that: {tier} spike above",
                        fill="tonexty" if fill else None, fillcolor=fill,
                        line={"color": TIER_STYLE[tier][1], "width": 1.2, "dash": dash, "shape": "hv"},
                        hovertemplate=f"{tier.capitalize()} spike above %{{y:.1f}} km ({factor:g} ×)<extra></extra>")
    distance = runs["distance_km"].to_numpy(dtype="float64")
    moderate = previous * config.get("session_spike_moderate")
    top = max(float(np.nanmax(distance, initial=1.0)), float(np.nanmax(moderate, initial=0.0))) * 1.12
    fig.update_yaxes(range=[0, top])
    names = [escape(n) or "run" for n in runs["name"]]
    custom = np.column_stack([np.round(previous, 2), np.round(runs["session_ratio"].to_numpy(
        dtype="float64", na_value=np.nan), 2), np.asarray(names, dtype=object)])
    groups = [("none", "Run", "#6d8fb5", "circle", 7), ("no history", "Run without a run in the previous "
              f"{days} days", "#ffffff", "circle-open", 7)]
    groups += [(tier, label, colour, symbol, 12) for tier, (label, colour, symbol) in TIER_STYLE.items()]
    for tier, label, colour, symbol, size in groups:
        mask = (runs["tier"] == tier).to_numpy()
        if not mask.any():
            continue
        hover = (f"{DAY}<br>%{{customdata[2]}}: %{{y:.1f}} km<br>"
                 + ("no run in the previous %s days to compare with" % days if tier == "no history" else
                    f"%{{customdata[1]:.2f}} × the longest of the previous {days} days (%{{customdata[0]:.1f}} km)"
                    f"<br>{'no spike' if tier == 'none' else tier + ' spike'}")
                 + "<extra></extra>")
        fig.add_scatter(x=dates[mask], y=_round(runs["distance_km"].to_numpy()[mask]), mode="markers",
                        name=label, customdata=custom[mask], hovertemplate=hover,
                        marker={"symbol": symbol, "size": size, "color": colour if symbol != "circle-open" else MUTED,
                                "line": {"color": INK, "width": 1 if size > 8 else 0.5}})
    return fig


def _weekly_days(daily: pd.DataFrame) -> pd.DataFrame:
    """Weekly (Monday to Sunday) totals of downhill and descent, with the usual week at its end."""
    frame = daily.assign(week=_week_start(daily["date"]))
    grouped = frame.groupby("week", sort=True)
    weeks = grouped.agg(downhill_km=("downhill_km", "sum"), descent_m=("descent_m", "sum"),
                        days=("date", "size"))
    last = grouped.tail(1).set_index("week")
    usual_ok = last["history_ok"] if "history_ok" in last else pd.Series(True, index=last.index)
    weeks["usual_downhill_km"] = np.where(usual_ok, last["downhill_28d_km"] / 4.0, np.nan)
    weeks["usual_descent_m"] = np.where(usual_ok, last["descent_28d_m"] / 4.0, np.nan)
    return weeks.reset_index()


def downhill_weeks(daily: pd.DataFrame, start: Any = None, end: Any = None) -> go.Figure | None:
    """Weekly distance at grade ≤ −5 % and descent, each against the athlete's usual week.

    The usual week is the 28-day total ending on the week's last day ÷ 4, once the athlete
    has 28 days of history (``daily['history_ok']``).
    """
    if not len(daily) or "descent_28d_m" not in daily:
        return None
    weeks = _weekly_days(daily)
    if not (weeks["downhill_km"].abs().sum() > 0 or weeks["descent_m"].abs().sum() > 0):
        return None
    # Two panels sharing one time axis: downhill distance above, descent below.
    fig = _figure(hovermode="x unified", bargap=0.2,
                  xaxis=_time_axis(_week_start(pd.Series([start])).iloc[0] if start is not None else None, end)
                  | {"anchor": "y", "showticklabels": False, "hoverformat": "week of %-d %b %Y"},
                  xaxis2={"type": "date", "anchor": "y2", "matches": "x", "hoverformat": "week of %-d %b %Y"},
                  yaxis={"domain": [0.55, 1.0], "rangemode": "tozero",
                         "title": {"text": "Downhill ≤ −5 %<br>(km per week)"}},
                  yaxis2={"domain": [0.0, 0.45], "rangemode": "tozero", "title": {"text": "Descent<br>(m per week)"}})
    x = _dates(weeks["week"])
    partial = np.where(weeks["days"] < 7, " (so far)", "")
    fig.add_bar(x=x, y=_round(weeks["downhill_km"]), name="Downhill distance", marker_color="#2f4b6e",
                text=partial, textposition="none",
                hovertemplate="Downhill%{text}: %{y:.1f} km at ≤ −5 %<extra></extra>")
    fig.add_scatter(x=x, y=_round(weeks["usual_downhill_km"]), mode="lines+markers",
                    name="Your usual week (28 d ÷ 4)", line={"color": INK, "dash": "dash", "width": 1.8},
                    marker={"size": 5}, hovertemplate="Usual downhill: %{y:.1f} km<extra></extra>")
    fig.add_bar(x=x, y=_round(weeks["descent_m"], 0), name="Descent", marker_color="#9aa3ae",
                marker_pattern=PATTERN | {"shape": "/"}, text=partial, textposition="none", xaxis="x2",
                yaxis="y2", hovertemplate="Descent%{text}: %{y:.0f} m<extra></extra>")
    fig.add_scatter(x=x, y=_round(weeks["usual_descent_m"], 0), mode="lines+markers", xaxis="x2", yaxis="y2",
                    name="Usual descent (28 d ÷ 4)", line={"color": INK, "dash": "dot", "width": 1.8},
                    marker={"size": 5, "symbol": "square"}, hovertemplate="Usual descent: %{y:.0f} m<extra></extra>")
    return fig


def _pace(speed_mps: float) -> str:
    if not speed_mps or np.isnan(speed_mps) or speed_mps <= 0:
        return "–"
    seconds = round(1000.0 / speed_mps)
    return f"{seconds // 60}:{seconds % 60:02d} /km"


def pace_ticks(speeds: np.ndarray, step: float = 0.2) -> dict[str, Any]:
    """x-axis ticks of a speed axis that read in m/s and, beneath, as pace (min/km)."""
    finite = speeds[np.isfinite(speeds) & (speeds > 0)]
    if not len(finite):
        return {}
    low, high = np.floor(finite.min() / step) * step, np.ceil(finite.max() / step) * step
    values = np.round(np.arange(low, high + step / 2, step), 2)
    values = values[values > 0]
    return {"tickvals": values.tolist(),
            "ticktext": [f"{v:.1f} m/s<br>{_pace(v).replace(' /km', '')}" for v in values]}


def cadence_speed(runs: pd.DataFrame, config: Config, line: dict[str, Any] | None = None) -> go.Figure | None:
    """Cadence against running-part speed, the athlete's own line, and the runs flagged as low cadence.

    ``line`` (``analyze.cadence.line_on``: ``intercept``, ``slope``) is the line the analysis
    judges a run on the last day shown with; each highlighted run was judged against the line
    of its own day, as its hover says.
    """
    speed = runs["run_speed_mps"].to_numpy(dtype="float64", na_value=np.nan)
    cadence = runs["cadence_spm"].to_numpy(dtype="float64", na_value=np.nan)
    usable = np.isfinite(speed) & np.isfinite(cadence) & (speed > 0)
    if not usable.any():
        return None
    threshold = config.get("low_cadence_drop_pct")
    drop = runs["cadence_drop_pct"].to_numpy(dtype="float64", na_value=np.nan)
    low = usable & (np.nan_to_num(np.round(drop, config.get("percent_decimals")), nan=-np.inf) >= threshold)
    fig = _figure(hovermode="closest", legend={"yanchor": "bottom", "y": 1.02},
                  xaxis={"title": {"text": "Running speed (m/s, walking left out)"}, "zeroline": False},
                  yaxis={"title": {"text": "Cadence (steps/min)"}})
    fig.update_xaxes(title={"text": "Running speed (m/s, walking left out) and pace (min/km)", "standoff": 6},
                     automargin=True, **pace_ticks(speed[usable]))
    normal = usable & ~low
    if line is not None:
        slope, intercept = line["slope"], line["intercept"]
        xs = np.array([speed[usable].min(), speed[usable].max()])
        fig.add_scatter(x=_round(xs), y=_round(intercept + slope * xs, 1), mode="lines",
                        name=f"Your line: {slope:+.1f} steps/min per m/s", line={"color": INK, "width": 2},
                        hovertemplate="Your line: %{y:.0f} steps/min at %{x:.2f} m/s<extra></extra>")
    predicted = runs["cadence_predicted_spm"].to_numpy(dtype="float64", na_value=np.nan)
    names = np.asarray([escape(n) or "run" for n in runs["name"]], dtype=object)
    custom = np.column_stack([np.datetime_as_string(_dates(runs["date"]), unit="D").astype(object), names,
                              np.asarray([_pace(s) for s in speed], dtype=object), _round(predicted, 0),
                              _round(drop, 1)])
    for mask, label, style in (
            (normal, "Run", {"symbol": "circle", "size": 8, "color": "rgba(47,75,110,0.55)",
                             "line": {"color": "#ffffff", "width": 0.5}}),
            (low, f"Low cadence (≥ {threshold:g} % below your line)",
             {"symbol": "diamond", "size": 11, "color": "#c8452f", "line": {"color": INK, "width": 1}})):
        if not mask.any():
            continue
        fig.add_scatter(x=_round(speed[mask]), y=_round(cadence[mask], 1), mode="markers", name=label,
                        customdata=custom[mask] if label != "Run" else custom[mask][:, :3], marker=style,
                        hovertemplate="%{customdata[0]} · %{customdata[1]}<br>%{y:.0f} steps/min at %{x:.2f} m/s "
                                      "(%{customdata[2]})<br>the line it was judged by: "
                                      "%{customdata[3]:.0f} steps/min (%{customdata[4]:.1f} % below)"
                                      "<extra></extra>" if label != "Run" else
                                      "%{customdata[0]} · %{customdata[1]}<br>%{y:.0f} steps/min at "
                                      "%{x:.2f} m/s (%{customdata[2]})<extra></extra>")
    return fig


def surface_weeks(runs: pd.DataFrame, start: Any = None, end: Any = None) -> go.Figure | None:
    """Running distance per week (Monday to Sunday) by surface, stacked, with each share."""
    if not len(runs):
        return None
    frame = runs.assign(week=_week_start(runs["date"]))
    weekly = frame.groupby(["week", "surface"])["distance_km"].sum().reset_index()
    total = weekly.groupby("week")["distance_km"].transform("sum")
    share = pd.Series(np.round(100.0 * weekly["distance_km"] / total.where(total > 0), 0), index=weekly.index)
    first = _week_start(pd.Series([start])).iloc[0] if start is not None else None
    fig = _figure(barmode="stack", bargap=0.2, hovermode="x unified", xaxis=_time_axis(first, end),
                  yaxis={"title": {"text": "Running distance (km per week)"}, "rangemode": "tozero"})
    _surface_bars(fig, weekly, "week", "{label}: %{y:.1f} km (%{customdata:.0f} % of the week)<extra></extra>",
                  customdata=share)
    fig.update_xaxes(hoverformat="week of %-d %b %Y")
    return fig
