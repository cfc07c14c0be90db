"""HTML of the athlete pages and the team index.

Every string that came from a user or a file (athlete and activity names, pain notes) goes
through :func:`html.escape`; figures travel as JSON inside a ``<script type=
"application/json">`` block (plotly's encoder writes ``<``, ``>`` and ``/`` as ``\\u``
escapes, so no text can close the block), and one small inline script draws them with
plotly.js. Nothing is fetched from the network: plotly.js is either beside the page or
inside it, and the only ``https://`` addresses are the DOI links of the flags table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..analyze import KINDS, SOURCES, words
from ..config import Config
from . import figures, flags_section, load_figures
from .assets import CSS, INDEX, PLOTLY_JS, summary_name
from .data import AthleteData

DISCLAIMER = ("This report shows observations about training load next to the runner's own knee-pain "
              "log. It is not a diagnosis.")

#: Flag kind -> short label for people (one list, shared with the CLI).
KIND_LABELS = words.KIND_LABELS

#: Draws every figure of the page; the only script strideload writes (no user data in it).
DRAW = """
(function () {
  var holder = document.getElementById("strideload-figures");
  var figures = JSON.parse(holder.textContent);
  var ids = Object.keys(figures);
  if (typeof Plotly === "undefined") {
    ids.forEach(function (id) {
      document.getElementById(id).textContent =
        "The charts need plotly.min.js beside this page (re-run strideload report, or use --self-contained).";
    });
    return;
  }
  var config = {displaylogo: false, responsive: true,
                modeBarButtonsToRemove: ["lasso2d", "select2d", "autoScale2d"],
                toImageButtonOptions: {format: "png", scale: 2}};
  ids.forEach(function (id) {
    Plotly.newPlot(id, figures[id].data, figures[id].layout, config);
  });
})();
"""


# -- small formatting helpers ------------------------------------------------------------
def _none(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def km(value: Any) -> str:
    return "–" if _none(value) else f"{value:.1f} km"


def day(value: Any, weekday: bool = False) -> str:
    """``25 Oct 2026`` (``Sun 25 Oct 2026`` with ``weekday``) of a date, datetime or ISO text."""
    if _none(value):
        return "–"
    stamp = pd.Timestamp(value)
    text = f"{stamp.day} {stamp:%b %Y}"
    return f"{stamp:%a} {text}" if weekday else text


def _number(value: Any) -> str:
    if _none(value):
        return "–"
    value = float(value)
    if np.isinf(value):
        return "∞"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.0f}"


def severity_badge(severity: str, text: str | None = None) -> str:
    return f'<span class="sev sev-{escape(severity)}">{escape(text or severity)}</span>'


def counts(alerts: int, cautions: int, notes: int) -> str:
    """``1 alert, 2 cautions`` (``no flags`` when all are zero)."""
    parts = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((alerts, "alert"), (cautions, "caution"),
                                                                  (notes, "note")) if n]
    return ", ".join(parts) if parts else "no flags"


def _page(title: str, body: str, head: str = "") -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"generator\" content=\"strideload " + escape(__version__) + "\">\n"
        "<link rel=\"icon\" href=\"data:,\">\n"
        f"<title>{escape(title)}</title>\n<style>{CSS}{flags_section.CSS}</style>\n{head}</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _footer(generated: datetime) -> str:
    return (f'<footer>Made with strideload {escape(__version__)} on {escape(generated.strftime("%d %b %Y %H:%M"))}. '
            "Every flag names its source and how strong the evidence is; thresholds are settings "
            "(<code>strideload config</code>).</footer>")


# -- the athlete page --------------------------------------------------------------------
def _ratio(status: dict[str, Any], name: str) -> str:
    value = status.get(name)
    band = status.get(f"{name}_band") or "–"
    return escape(band) if _none(value) else f"{value:.2f} <span class=\"note\">{escape(band)}</span>"


def _latest_data(data: AthleteData) -> str:
    """When the latest data is: the last run and the last knee-pain entry."""
    s = data.team_status or data.status
    pain = (f"last knee-pain entry {escape(day(s.get('last_pain')))}" if s.get("last_pain")
            else "no knee-pain entries")
    if s.get("last_run") is None:
        return f"no runs yet · {pain}"
    return f"last run {escape(day(s['last_run']))} · {pain}"


def stale_note(data: AthleteData) -> str:
    """A line saying first that the data is old, when the last run is over a week before today."""
    note = (data.team_status or {}).get("data_note")
    if not note:
        return ""
    return (f'<p class="stale">{severity_badge("stale")} {escape(note)} <span class="note">(to '
            f'{escape(day(data.team_status["as_of"], weekday=True))}; the status below is as of '
            f"{escape(day(data.as_of))})</span></p>")


def status_facts(data: AthleteData) -> list[tuple[str, str]]:
    """The facts of ``strideload status`` as (label, HTML) pairs, in plain words."""
    s = data.status
    facts = [("Latest data", _latest_data(data))]
    if s.get("returning_after_days"):
        facts.append(("Return", escape(str(s["history_note"]))))
    facts.append(("Last 7 days", f"{km(s.get('last_7d_km'))} <span class=\"note\">(28 days: "
                                 f"{km(s.get('last_28d_km'))})</span>"))
    facts.append(("Load ratios", f"coupled {_ratio(s, 'acwr_coupled')} · uncoupled {_ratio(s, 'acwr_uncoupled')}"
                                 f" · EWMA {_ratio(s, 'acwr_ewma')}"))
    if not _none(s.get("longest_30d_km")) and not _none(s.get("spike_limit_km")):
        facts.append(("Longest run", f"{km(s['longest_30d_km'])} in the last 30 days: a next run over "
                                     f"{km(s['spike_limit_km'])} counts as a spike"))
    elif not _none(s.get("longest_30d_km")):
        facts.append(("Longest run", f"{km(s['longest_30d_km'])} in the last 30 days; no spike limit yet: "
                                     f"{escape(str(s.get('acwr_ewma_band') or ''))}"))
    else:
        facts.append(("Longest run", "no run in the last 30 days"))
    facts.append(("Downhill", f"{km(s.get('downhill_7d_km'))} at ≤ −5 % in the last 7 days "
                              f"(usual week: {km(s.get('downhill_usual_7d_km'))})"))
    if _none(s.get("cadence_spm")):
        facts.append(("Cadence", "no cadence data in the last 7 days"))
    elif _none(s.get("cadence_vs_normal_pct")):
        facts.append(("Cadence", f"{s['cadence_spm']:.0f} steps/min (too few earlier runs for your own line)"))
    else:
        facts.append(("Cadence", f"{s['cadence_spm']:.0f} steps/min, {s['cadence_vs_normal_pct']:+.1f} % against "
                                 f"your own line at these paces ({s['cadence_expected_spm']:.0f})"))
    facts.append(("Knee pain", _pain_words(data)))
    return facts


def _pain_words(data: AthleteData) -> str:
    if not data.pain_supported:
        return "no pain log yet"
    pain = data.recent_pain
    if pain is None:
        return "nothing logged up to this day"
    when = escape(str(pain["when"] or ""))
    worst = "" if pain["worst_7d"] is None else f" · worst of the last 7 days: {pain['worst_7d']:g} / 10"
    return f"latest {pain['score']:g} / 10 ({when}, {escape(day(pain['date']))}){worst}"


def _week_flags(data: AthleteData) -> str:
    flags = data.status.get("flags") or []
    s = data.status
    if not flags:
        return (f'<p class="headline">{severity_badge("none", "clear")} No flags in the 7 days to '
                f'{escape(day(data.as_of))}.</p>')
    counts_text = counts(s.get("alerts") or 0, s.get("cautions") or 0, s.get("notes") or 0)
    items = "".join(
        f"<li>{severity_badge(f['severity'])}<span class=\"note\">{escape(day(f['date']))} · "
        f"{escape(KIND_LABELS.get(f['kind'], f['kind']))}</span><br>{escape(f['message'])}</li>"
        for f in flags)
    return f'<p class="headline">{escape(counts_text.capitalize())} in the 7 days to {escape(day(data.as_of))}.</p>' \
           f'<ul class="flags">{items}</ul>'


def _period_summary(data: AthleteData) -> str:
    """Flags and the worst knee pain of the whole period shown, in one paragraph."""
    flags = data.flags["severity"].value_counts() if len(data.flags) else pd.Series(dtype="int64")
    total = counts(int(flags.get("alert", 0)), int(flags.get("caution", 0)), int(flags.get("info", 0)))
    text = f"In the whole period: {total} (see the table below)."
    if data.pain is not None and len(data.pain):
        worst = data.pain.iloc[int(np.argmax(data.pain["score"].to_numpy()))]
        text += (f" Worst knee pain: {worst['score']:g} / 10 ({worst['when']}, {day(worst['date'])}).")
    return f'<p class="note period">{escape(text)}</p>'


def coverage(data: AthleteData) -> str:
    """Data coverage of the period shown, in one sentence."""
    runs = data.runs
    shown = data.activities
    dates = pd.to_datetime(shown["local_date"].astype(str).str[:10], errors="coerce")
    shown = shown[dates >= pd.Timestamp(data.start)]
    other = int((~shown["running"].astype(bool)).sum())
    n = len(runs)
    parts = [f"{n} run{'s' if n != 1 else ''} ({runs['distance_km'].sum():,.1f} km)"]
    if other:
        parts.append(f"{other} other activit{'ies' if other != 1 else 'y'} (not counted as running load)")
    if n:
        parts.append(f"cadence on {int(runs['cadence_spm'].notna().sum())} of {n} runs")
        parts.append(f"elevation on {int(runs['downhill_km'].notna().sum())} of {n}")
    aside = 0 if data.set_aside is None else len(data.set_aside)
    if aside:
        parts.append(f"{aside} run{'s' if aside != 1 else ''} set aside as implausible (not counted, see below)")
    if data.pain is None:
        parts.append("no pain log yet")
    else:
        parts.append(f"{len(data.pain)} knee-pain entr{'ies' if len(data.pain) != 1 else 'y'}")
    return "; ".join(parts) + "."


def set_aside_section(data: AthleteData) -> str:
    """The runs of the period left out of load and flags, each with the reason."""
    aside = data.set_aside
    if aside is None or not len(aside):
        return ""
    rows = "".join(
        f'<tr><td class="nowrap">{escape(day(r["local_date"]))}</td>'
        f'<td class="num">{km((r["distance_m"] or 0) / 1000)}</td><td>{escape(str(r["quarantine_reason"]))}</td>'
        f'<td><code>{escape(str(r["id"]))}</code></td></tr>'
        for r in aside.to_dict("records"))
    return ('<section class="chart"><h2>Runs set aside</h2><p>These runs are kept but not counted as load '
            "and take part in no flag: they look implausible (a GPS glitch, a watch left on in a car) or "
            "were excluded. If one was a real run, <code>strideload activities include ID</code> counts it."
            '</p><div class="table-wrap"><table><thead><tr><th>Date</th><th class="num">Distance</th>'
            f'<th>Why</th><th>ID</th></tr></thead><tbody>{rows}</tbody></table></div></section>')


def short_source(key: str) -> str:
    """``frandsen2025`` -> ``Frandsen 2025``."""
    match = re.fullmatch(r"([a-z_]+?)_?(\d{4})", key)
    return f"{match.group(1).replace('_', ' ').title()} {match.group(2)}" if match else key.replace("_", " ").upper()


def _source(key: str) -> str:
    """The source's short name, linked to its DOI (the full citation is in the sources list)."""
    source = SOURCES.get(key)
    label = escape(short_source(key))
    if source is None or not source.doi:
        return label
    return f'<a href="https://doi.org/{escape(source.doi)}" rel="noopener noreferrer">{label}</a>'


def sources_list(keys: Iterable[str]) -> str:
    """Full citations of ``keys`` (as in science.md), each with its DOI link and evidence grade."""
    items = []
    for key in sorted(set(keys)):
        source = SOURCES.get(key)
        if source is None:
            continue
        doi = (f' <a href="https://doi.org/{escape(source.doi)}" rel="noopener noreferrer">doi:{escape(source.doi)}'
               "</a>") if source.doi else ""
        items.append(f"<li><strong>{escape(short_source(key))}</strong>: {escape(source.citation)}.{doi} "
                     f'<span class="note">Evidence: {escape(source.evidence)}.</span></li>')
    return f'<ul class="sources">{"".join(items)}</ul>' if items else ""


def _chart(figure_id: str, title: str, explanation: str, figure: Any, empty: str,
           tall: bool = False) -> tuple[str, str | None]:
    """A chart section and its figure JSON (``None`` when there is no figure)."""
    if figure is None:
        body = f'<p class="empty">{escape(empty)}</p>'
        return (f'<section class="chart"><h2>{escape(title)}</h2><p>{explanation}</p>{body}</section>', None)
    plot = f'<div id="{figure_id}" class="plot{" tall" if tall else ""}" role="img" aria-label="{escape(title)}"></div>'
    return (f'<section class="chart"><h2>{escape(title)}</h2><p>{explanation}</p>{plot}</section>',
            figure.to_json())


def athlete_page(data: AthleteData, config: Config, *, plotly_tag: str, generated: datetime,
                 as_of_given: bool = False) -> str:
    """The whole HTML page of one athlete. ``plotly_tag`` loads plotly.js (a file or inline)."""
    name = escape(data.athlete)
    s = data.status
    days_shown = (data.as_of - data.start).days + 1
    length = f"{days_shown / 7:.0f} weeks" if days_shown >= 14 else f"{days_shown} day{'s' if days_shown != 1 else ''}"
    as_of_words = "" if as_of_given else " (the day of the last activity)" if data.as_of_from == "activity" else \
        f" (the day of the last knee-pain score; last activity {day(data.last_activity)})"
    concern = s.get("concern") or "none"
    badge = severity_badge(concern, BADGE_TEXT[concern])
    facts = "".join(f"<dt>{escape(label)}</dt><dd>{value}</dd>" for label, value in status_facts(data))
    header = (
        f'<p class="nav"><a href="{INDEX}">← All athletes</a> · <a href="{escape(summary_name(data.page))}">'
        "One-page summary to print</a></p>"
        f"<h1>{name}</h1>"
        f'<p class="meta">Period covered: {escape(day(data.start))} – {escape(day(data.as_of))} '
        f"({length}) · status as of {escape(day(data.as_of, weekday=True))}{escape(as_of_words)}</p>"
        f'<p class="meta">Data: {coverage(data)}</p>'
        f'<p class="disclaimer">{escape(DISCLAIMER)}</p>'
        f"{stale_note(data)}"
        '<div class="status">'
        f'<div class="card"><h2>Where {name} stands {badge}</h2><dl class="facts">{facts}</dl>'
        '<p class="note">Ratio bands are team-sport zones; in runners their link to injury is contested.</p></div>'
        f'<div class="card"><h2>This week\'s flags</h2>{_week_flags(data)}{_period_summary(data)}</div>'
        "</div>"
    )
    start, end = data.start, data.as_of
    days = config.get("session_spike_window_days")
    low_pct = config.get("low_cadence_drop_pct")
    charts = [
        _chart("fig-load", "Load and knee pain",
               "Daily running distance by surface (bars), the 7-day and 28-day averages (lines, km per day), "
               "runs that were session spikes (▼), and knee-pain scores on the right axis by when they were "
               "logged (during, after, next morning, daily).",
               load_figures.add_context(figures.load_and_pain(data.daily, data.runs, data.pain, start, end),
                                        data.daily),
               "No runs and no knee-pain scores in this period.", tall=True),
        _chart("fig-acwr", "Acute:chronic load ratios",
               "Three ways of comparing the last 7 days with the last 28, over Gabbett's team-sport bands "
               f"(0.8 / 1.3 / 1.5), in {escape(load_figures.unit_label(data.daily))}: the load_unit setting. "
               f"{escape(KINDS['acwr_high'].note)} Ratios are hidden for the first 28 days of history, after a "
               "gap or an injury, illness or holiday period (shaded), and where the chronic load is zero.",
               load_figures.add_context(figures.acwr_lines(data.daily, config, start, end), data.daily),
               "Not enough history yet: ratios need 28 days of running."),
        _chart("fig-spikes", "Each run against the longest of its previous 30 days",
               f"A run longer than the longest run of the previous {days} days is a session spike "
               "(Frandsen 2025, strong evidence): small above 1.1 ×, moderate above 1.3 ×, large above 2 ×.",
               figures.session_spikes(data.runs, config, start, end), "No runs in this period."),
        _chart("fig-downhill", "Downhill running",
               "Weekly distance on grades steeper than −5 % and weekly descent, against the athlete's own usual "
               "week (28-day total ÷ 4). Downhill running loads the knee eccentrically (Gottschall 2005); the "
               "thresholds are not validated.",
               figures.downhill_weeks(data.daily, start, end), "No elevation data in this period.", tall=True),
        _chart("fig-downhill-load", "Downhill as a continuous load",
               "Descent per km and the share of the distance run at ≤ −5 %, over the last 7 and 28 days, and "
               "each one's 7-day ÷ 28-day ratio (above 1: hillier than usual). Distance-based (km, m); "
               "an observation, with thresholds that are not validated (Gottschall 2005, Vernillo 2017).",
               load_figures.downhill_ratios(data.daily, start, end), "No descent recorded in this period.",
               tall=True),
        _chart("fig-cadence", "Cadence against running speed",
               "Cadence rises with speed, so each run is compared with the athlete's own line, fitted on the "
               f"running part of their runs of the {config.get('cadence_fit_days')} days ending "
               f"{config.get('cadence_fit_lag_days')} days before it (runs judged off their own line left out). "
               f"{escape(cadence_line_words(data.cadence_line))} Runs at least {low_pct:g} % below their line "
               "are highlighted (Heiderscheit 2011, moderate lab evidence).",
               figures.cadence_speed(data.runs, config, data.cadence_line),
               "No runs with cadence and speed in this period."),
        _chart("fig-surface", "Surface mix per week",
               "Weekly running distance by surface. A new surface changes how the legs are loaded "
               "(weak evidence).",
               figures.surface_weeks(data.runs, start, end), "No runs in this period."),
    ]
    sections = [html for html, _ in charts]
    payload = {fid: js for (fid, (_, js)) in zip(("fig-load", "fig-acwr", "fig-spikes", "fig-downhill",
                                                   "fig-downhill-load", "fig-cadence", "fig-surface"), charts,
                                                  strict=True) if js}
    from .rtr_section import rtr_section  # it builds on this module's helpers: imported when used

    rtr = rtr_section(data)
    if rtr is not None:
        sections.insert(1, rtr[0])  # right after load and pain: what a PT looks at first
        if rtr[1]:
            payload = {"fig-load": payload.pop("fig-load"), "fig-rtr": rtr[1], **payload} \
                if "fig-load" in payload else {"fig-rtr": rtr[1], **payload}
    table = flags_section.flags_table(data.flags, data.as_of, flags_section.runs_by_id(data.activities), config,
                                      day=day, badge=severity_badge, source=_source)
    flags_html = (f'<section class="chart"><h2>Flags in this period</h2>'
                  f"<p>Every observation, newest first, with its source and evidence grade.</p>"
                  f"{table}"
                  + (f"<h2 class=\"sources-title\">Sources</h2>{sources_list(data.flags['source'])}"
                     if len(data.flags) else "")
                  + "</section>")
    body = header + "".join(sections) + flags_html + set_aside_section(data) + _footer(generated) + _scripts(payload)
    return _page(f"{data.athlete} · strideload report", body, head=plotly_tag)


def cadence_line_words(line: dict[str, Any] | None) -> str:
    """The line drawn, in words: the same line that judges a run on the as-of day."""
    if line is None:
        return "There are too few earlier runs with cadence for a line on the last day shown."
    return (f"The line drawn is the one that judges a run on the last day shown: {line['slope']:+.1f} steps/min "
            f"per m/s, from {line['runs']} runs of {day(line['first'])} – {day(line['last'])}.")


def _scripts(payload: dict[str, str]) -> str:
    if not payload:
        return ""
    blob = "{" + ",".join(f'"{fid}":{js}' for fid, js in payload.items()) + "}"
    # plotly's JSON already escapes <, > and /; this keeps it so whatever wrote the JSON.
    blob = blob.replace("<", "\\u003c").replace(">", "\\u003e")
    return (f'<script type="application/json" id="strideload-figures">{blob}</script>\n'
            f"<script>{DRAW}</script>")


# -- the team index ----------------------------------------------------------------------


BADGE_TEXT = {"alert": "alert", "caution": "caution", "info": "notes", "none": "clear"}


def plotly_script_tag(inline: str | None) -> str:
    """``<script>`` loading plotly.js: the file beside the page, or ``inline`` source in the page."""
    if inline is None:
        return f'<script src="{PLOTLY_JS}" charset="utf-8"></script>\n'
    return f'<script type="text/javascript">{inline}</script>\n'


__all__ = ["BADGE_TEXT", "DISCLAIMER", "athlete_page", "counts", "day", "km", "plotly_script_tag", "severity_badge",
           "stale_note", "status_facts"]
