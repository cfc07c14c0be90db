"""Charts of load beyond distance: context periods on the time axis, and downhill as a continuous load.

Pure functions of the daily series (:class:`~strideload.report.data.AthleteData` ``daily``)
to Plotly figures, as :mod:`.figures`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..analyze.load_units import UNIT_LABELS
from .figures import INK, MUTED, _daily_x, _figure, _round, _time_axis

#: Fill of each kind of context period on a time axis.
CONTEXT_COLOURS = {"injury": "rgba(200,69,47,0.13)", "illness": "rgba(224,150,50,0.16)",
                   "holiday": "rgba(95,138,60,0.14)"}


def context_periods(daily: pd.DataFrame) -> list[tuple[pd.Timestamp, pd.Timestamp, str]]:
    """``(first day, last day, kind)`` of each stretch of days inside a context period."""
    if not len(daily) or "context" not in daily:
        return []
    kinds = np.asarray([kind if isinstance(kind, str) else None for kind in daily["context"]], dtype=object)
    dates = pd.to_datetime(daily["date"]).to_numpy()
    out = []
    start = None
    for i, kind in enumerate(kinds):
        if kind is not None and (start is None or kinds[start] != kind):
            if start is not None:
                out.append((pd.Timestamp(dates[start]), pd.Timestamp(dates[i - 1]), str(kinds[start])))
            start = i
        elif kind is None and start is not None:
            out.append((pd.Timestamp(dates[start]), pd.Timestamp(dates[i - 1]), str(kinds[start])))
            start = None
    if start is not None:
        out.append((pd.Timestamp(dates[start]), pd.Timestamp(dates[-1]), str(kinds[start])))
    return out


def add_context(fig: go.Figure | None, daily: pd.DataFrame) -> go.Figure | None:
    """Shade ``daily``'s context periods on ``fig``'s time axis, each labelled with its kind."""
    if fig is None:
        return None
    for first, last, kind in context_periods(daily):
        fig.add_vrect(x0=first - pd.Timedelta(hours=12), x1=last + pd.Timedelta(hours=12),
                      fillcolor=CONTEXT_COLOURS.get(kind, "rgba(150,155,165,0.12)"), line_width=0, layer="below",
                      annotation_text=kind, annotation_position="top left",
                      annotation_font={"size": 11, "color": MUTED})
    return fig


def unit_label(daily: pd.DataFrame) -> str:
    """The load unit of the athlete's ratios, as people read it."""
    unit = str(daily["load_unit"].iloc[-1]) if len(daily) and "load_unit" in daily else "distance"
    return UNIT_LABELS.get(unit, unit)


def downhill_ratios(daily: pd.DataFrame, start: Any = None, end: Any = None) -> go.Figure | None:
    """Descent per km and downhill share over 7 and 28 days (top), and their acute:chronic ratios
    (bottom); ``None`` without any descent or downhill in the period."""
    needed = ("descent_per_km_7d", "downhill_share_7d", "descent_acwr", "downhill_share_acwr")
    if not len(daily) or any(name not in daily for name in needed):
        return None
    if not (np.nan_to_num(daily["descent_per_km_7d"].to_numpy(dtype="float64")) > 0).any():
        return None
    fig = _figure(hovermode="x unified",
                  xaxis=_time_axis(start, end) | {"anchor": "y", "showticklabels": False},
                  xaxis2={"type": "date", "anchor": "y3", "matches": "x"},
                  yaxis={"domain": [0.55, 1.0], "rangemode": "tozero", "title": {"text": "Descent<br>(m per km)"}},
                  yaxis2={"overlaying": "y", "side": "right", "showgrid": False,
                          "title": {"text": "Downhill share (%)"},
                          **_percent_ticks(100 * daily["downhill_share_7d"].to_numpy(dtype="float64"))},
                  yaxis3={"domain": [0.0, 0.42], "rangemode": "tozero",
                          "title": {"text": "Acute ÷ chronic<br>(ratio)"}})
    days = _daily_x(daily)
    fig.add_scatter(**days, y=_round(daily["descent_per_km_7d"], 1), mode="lines", name="Descent per km, 7 days",
                    line={"color": INK, "width": 2}, hovertemplate="Descent, 7 d: %{y:.1f} m/km<extra></extra>")
    fig.add_scatter(**days, y=_round(daily["descent_per_km_28d"], 1), mode="lines", name="Descent per km, 28 days",
                    line={"color": MUTED, "width": 2, "dash": "dash"},
                    hovertemplate="Descent, 28 d: %{y:.1f} m/km<extra></extra>")
    fig.add_scatter(**days, y=_round(100 * daily["downhill_share_7d"], 1), mode="lines", yaxis="y2",
                    name="Downhill share ≤ −5 %, 7 days", line={"color": "#2f4b6e", "width": 1.6, "dash": "dot"},
                    hovertemplate="Downhill share, 7 d: %{y:.1f} %<extra></extra>")
    for column, label, colour, dash in (("descent_acwr", "Descent per km, 7 d ÷ 28 d", INK, "solid"),
                                        ("downhill_share_acwr", "Downhill share, 7 d ÷ 28 d", "#2f4b6e", "dot")):
        fig.add_scatter(**days, y=_round(daily[column]), mode="lines", name=label, xaxis="x2", yaxis="y3",
                        connectgaps=False, line={"color": colour, "width": 1.8, "dash": dash},
                        hovertemplate=f"{label}: %{{y:.2f}}<extra></extra>")
    fig.add_hline(y=1.0, line={"color": "#a0a6ae", "width": 1, "dash": "dot"}, yref="y3")
    return add_context(fig, daily)


def _percent_ticks(values: np.ndarray) -> dict[str, Any]:
    """A 0-based percent axis with round ticks (1, 2, 5, 10 ... apart, at most five) up to the
    largest of ``values`` (%), so a right axis never reads 2.29, 4.59, 6.88."""
    finite = values[np.isfinite(values)]
    top = float(finite.max()) if len(finite) else 0.0
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50) if top <= 5 * s)
    return {"range": [0, max(step, step * np.ceil(top / step))], "dtick": step, "tick0": 0}
