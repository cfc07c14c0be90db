"""The one-page summary a runner brings to a physio visit: ``<page>.summary.html`` beside
the athlete's page, laid out for one A4 or Letter sheet (``@page``, print colours, no
script), and optionally printed to PDF by headless Chromium (:func:`write_pdf`).

On it: where the athlete stands (the status card's facts and badge), the last 6 weeks of
running and knee pain as one inline SVG chart and a weekly table, the return-to-run stage
and whether it is ready, and the current flags. Everything is bounded (at most
:data:`MAX_FLAGS` flags, six weeks), so the page stays one page whatever the history.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..config import Config
from .assets import ReportError, _umask, summary_name
from .data import AthleteData
from .html import BADGE_TEXT, DISCLAIMER, KIND_LABELS, day, km, severity_badge, stale_note, status_facts

#: Days of load and pain the summary shows.
DAYS = 42
#: Flags listed at most (the most severe, then the newest); the rest are counted.
MAX_FLAGS = 5
SEVERITY_ORDER = {"alert": 0, "caution": 1, "info": 2}
#: Chromium binaries tried for --pdf, in order (``STRIDELOAD_CHROMIUM`` first when set).
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_TIMEOUT_S = 120

CSS = """
@page { size: A4; margin: 12mm 13mm; }
* { box-sizing: border-box; }
body { margin:0; font:9.5pt/1.32 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
       color:#1d2430; background:#fff; }
main { max-width:190mm; margin:0 auto; padding:8mm 0; }
h1 { font-size:16pt; margin:0; }
h2 { font-size:10.5pt; margin:8px 0 3px; border-bottom:1px solid #c9ced6; padding-bottom:2px; }
p { margin:2px 0; }
.meta, .note { color:#4d5562; font-size:8.5pt; }
.disclaimer { color:#4d5562; font-size:8.5pt; margin:4px 0 2px; }
.top { display:grid; grid-template-columns: 1.2fr 1fr; gap:14px; }
dl { display:grid; grid-template-columns:max-content 1fr; gap:1px 10px; margin:0; }
dt { color:#4d5562; }
dd { margin:0; }
ul { margin:0; padding-left:1.1em; }
li { margin:1px 0; }
table { border-collapse:collapse; width:100%; font-size:9pt; }
th, td { text-align:right; padding:1px 6px; border-bottom:1px solid #e1e4e8; font-variant-numeric:tabular-nums; }
th:first-child, td:first-child { text-align:left; }
th { font-weight:600; color:#4d5562; }
svg { display:block; width:100%; height:auto; }
.legend { font-size:8.5pt; color:#4d5562; }
.legend span { margin-right:12px; white-space:nowrap; }
.sev { display:inline-block; min-width:4.2em; text-align:center; font-size:7.5pt; font-weight:700;
       text-transform:uppercase; border-radius:3px; padding:0 4px; margin-right:5px; border:1.2px solid currentColor; }
.sev-alert { color:#fff; background:#8e1b1b; border-color:#8e1b1b; }
.sev-caution { color:#9a5b00; background:#fff6e5; }
.sev-info { color:#3d5a80; border-style:dashed; }
.sev-none { color:#2f6b3a; }
.sev-stale { color:#555; border-style:dotted; }
p.stale { font-weight:600; margin:4px 0; }
ul.flags { list-style:none; padding:0; }
ul.flags li { margin:0 0 2px; }
ul.flags .clamp { font-size:8.8pt; }
.clamp { display:-webkit-box; -webkit-box-orient:vertical; -webkit-line-clamp:2; line-clamp:2; overflow:hidden; }
footer { margin-top:8px; color:#4d5562; font-size:8pt; border-top:1px solid #c9ced6; padding-top:4px; }
@media print {
  main { padding:0; }
  .sev-alert { -webkit-print-color-adjust:exact; print-color-adjust:exact; }
  a { color:inherit; text-decoration:none; }
  .screen-only { display:none; }
}
"""


def _period(data: AthleteData) -> tuple[pd.Timestamp, pd.Timestamp]:
    end = pd.Timestamp(data.as_of)
    return end - pd.Timedelta(days=DAYS - 1), end


def load_pain_svg(data: AthleteData, width: int = 700, height: int = 200) -> str:
    """The last :data:`DAYS` days: running km per day (bars) and knee-pain scores (0–10, right axis)."""
    first, last = _period(data)
    days = pd.date_range(first, last, freq="D")
    daily = data.daily[(data.daily["date"] >= first) & (data.daily["date"] <= last)]
    km_by_day = daily.set_index("date")["distance_km"].reindex(days).fillna(0.0).to_numpy(dtype="float64")
    left, right, top, bottom = 34, 34, 22, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / len(days)
    ceiling = max(5.0, float(np.ceil(km_by_day.max() / 5.0) * 5.0)) if len(km_by_day) else 5.0
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="Running distance and knee pain, '
             f'{escape(day(first))} to {escape(day(last))}" xmlns="http://www.w3.org/2000/svg" '
             'font-family="system-ui, sans-serif" font-size="10">']
    for fraction in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - fraction)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e1e4e8"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" fill="#4d5562">{ceiling * fraction:g}'
                     "</text>")
        parts.append(f'<text x="{width - right + 4}" y="{y + 3:.1f}" fill="#a3162f">{10 * fraction:g}</text>')
    parts.append(f'<text x="{left - 4}" y="{top - 10}" text-anchor="end" fill="#4d5562">km</text>')
    parts.append(f'<text x="{width - right + 4}" y="{top - 10}" fill="#a3162f">pain</text>')
    bars = []
    for i, value in enumerate(km_by_day):
        if value <= 0:
            continue
        h = value / ceiling * plot_h
        bars.append(f"M{left + i * step + 1:.1f} {top + plot_h:.1f}v-{h:.1f}h{max(step - 2, 1):.1f}v{h:.1f}z")
    if bars:
        parts.append(f'<path fill="#2f4b6e" d="{"".join(bars)}"/>')
    for i, when in enumerate(days):
        if when.day_of_week == 0:
            x = left + i * step
            parts.append(f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 4}" '
                         'stroke="#9aa1ab"/>')
            parts.append(f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="#4d5562">'
                         f"{when.day} {when:%b}</text>")
    if data.pain is not None and len(data.pain):
        pain = data.pain[(data.pain["date"] >= first) & (data.pain["date"] <= last)]
        for row in pain.itertuples(index=False):
            i = (pd.Timestamp(row.date) - first).days
            x = left + (i + 0.5) * step
            y = top + plot_h * (1 - float(row.score) / 10.0)
            parts.append(_pain_mark(str(row.when), x, y))
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
                 'stroke="#9aa1ab"/></svg>')
    return "".join(parts)


def _pain_mark(when: str, x: float, y: float) -> str:
    colour = "#a3162f"
    if when == "next-morning":
        return (f'<path d="M{x:.1f} {y - 4.5:.1f}l4.5 8h-9z" fill="{colour}" stroke="#fff" stroke-width="0.8"/>')
    if when == "daily":
        return (f'<path d="M{x:.1f} {y - 4.5:.1f}l4 4.5l-4 4.5l-4-4.5z" fill="#fff" stroke="{colour}" '
                'stroke-width="1.4"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.8" fill="{colour}" stroke="#fff" stroke-width="0.8"/>'


LEGEND = ('<p class="legend"><span>▮ running km per day</span><span style="color:#a3162f">● pain during/after'
          '</span><span style="color:#a3162f">▲ next morning</span><span style="color:#a3162f">◇ resting</span>'
          "</p>")


def weekly_rows(data: AthleteData) -> list[dict[str, Any]]:
    """The six weeks shown, Monday to Sunday (the last may be partial): km, runs, longest, worst pain."""
    first, last = _period(data)
    monday = first - pd.Timedelta(days=first.day_of_week)
    runs = data.runs[(data.runs["date"] >= first) & (data.runs["date"] <= last)]
    pain = data.pain[(data.pain["date"] >= first) & (data.pain["date"] <= last)] if data.pain is not None else None
    rows = []
    for start in pd.date_range(monday, last, freq="7D"):
        end = start + pd.Timedelta(days=6)
        week = runs[(runs["date"] >= start) & (runs["date"] <= end)]
        worst = None
        if pain is not None:
            scores = pain[(pain["date"] >= start) & (pain["date"] <= end)]["score"]
            worst = float(scores.max()) if len(scores) else None
        rows.append({"week": start, "km": float(week["distance_km"].sum()), "runs": len(week),
                     "longest": float(week["distance_km"].max()) if len(week) else None, "worst_pain": worst})
    return rows


def _pain_text(score: float | None) -> str:
    return "–" if score is None else f"{score:g} / 10"


def _weekly_table(data: AthleteData) -> str:
    body = "".join(
        f"<tr><td>{escape(day(r['week']).rsplit(' ', 1)[0])}</td><td>{r['km']:.1f} km</td><td>{r['runs']}</td>"
        f"<td>{escape(km(r['longest']))}</td><td>{escape(_pain_text(r['worst_pain']))}</td></tr>"
        for r in weekly_rows(data))
    return ("<table><thead><tr><th>Week of</th><th>Running</th><th>Runs</th><th>Longest</th><th>Worst knee pain</th>"
            f"</tr></thead><tbody>{body}</tbody></table>")


def _rtr(data: AthleteData) -> str:
    view = data.rtr
    if view is None:
        return '<p class="note">No return-to-run plan.</p>'
    status = view.status
    verdict = {"complete": "complete", "ready": "criteria to progress met (the PT decides)",
               "on hold": "on hold", "not yet": "not ready to progress yet"}[status.verdict]
    unmet = [c.detail for c in status.criteria if not c.met]
    off = status.sessions - status.sessions_as_prescribed
    items = [f"<dt>Plan</dt><dd>{escape(view.protocol_name)}, from {escape(day(status.plan_start))}</dd>",
             f"<dt>Stage</dt><dd><strong>{escape(status.prescription)}</strong> "
             f'<span class="note">(since {escape(day(status.stage_since))})</span></dd>',
             f"<dt>Sessions</dt><dd>{status.sessions} at this {escape(status.stage_name)}: "
             f"{status.sessions_as_prescribed} as prescribed, {off} not; {status.sessions_counted} count "
             f"({status.sessions_needed} needed)</dd>",
             f"<dt>Progress</dt><dd><strong>{escape(verdict)}</strong></dd>"]
    if unmet:
        items.append("<dt>Why</dt><dd><ul>" + "".join(f'<li class="clamp">{escape(u)}</li>' for u in unmet[:2])
                     + "</ul></dd>")
    return f"<dl>{''.join(items)}</dl>"


def current_flags(data: AthleteData) -> tuple[list[dict[str, Any]], int]:
    """This week's flags, most severe first then newest, at most :data:`MAX_FLAGS` (flags of
    one kind on one day as one, with ``count``); and how many more there are."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for flag in data.status.get("flags") or []:
        key = (flag["kind"], flag["date"])
        if key in merged:
            merged[key]["count"] += 1
        else:
            merged[key] = {**flag, "count": 1}
    flags = sorted(merged.values(), key=lambda f: (SEVERITY_ORDER.get(f["severity"], 3),
                                                   -pd.Timestamp(f["date"]).value))
    return flags[:MAX_FLAGS], max(len(flags) - MAX_FLAGS, 0)


def _flags(data: AthleteData) -> str:
    shown, more = current_flags(data)
    if not shown:
        return f'<p>{severity_badge("none", "clear")} No flags in the 7 days to {escape(day(data.as_of))}.</p>'
    items = "".join(
        f"<li>{severity_badge(f['severity'])}<strong>{escape(KIND_LABELS.get(f['kind'], f['kind']))}</strong>"
        + (f" ×{f['count']}" if f["count"] > 1 else "")
        + f" <span class=\"note\">{escape(day(f['date']))}</span><div class=\"clamp\">{escape(f['message'])}</div>"
        "</li>"
        for f in shown)
    extra = f'<p class="note">and {more} more in the full report.</p>' if more else ""
    return f'<ul class="flags">{items}</ul>{extra}'


def summary_page(data: AthleteData, config: Config, *, generated: datetime) -> str:
    """The one-page summary of one athlete (see the module doc)."""
    first, last = _period(data)
    concern = data.status.get("concern") or "none"
    facts = "".join(f"<dt>{escape(label)}</dt><dd>{value}</dd>" for label, value in status_facts(data))
    body = (
        f'<p class="screen-only note"><a href="{escape(data.page)}">← Full report</a> · print this page '
        "(Ctrl+P / ⌘P): it fits one sheet.</p>"
        f"<h1>{escape(data.athlete)}: running and knee pain {severity_badge(concern, BADGE_TEXT[concern])}</h1>"
        f'<p class="meta">Status as of {escape(day(data.as_of, weekday=True))} · the last 6 weeks: '
        f"{escape(day(first))} – {escape(day(last))}</p>"
        f'<p class="disclaimer">{escape(DISCLAIMER)}</p>{stale_note(data)}'
        f'<div class="top"><div><h2>Where {escape(data.athlete)} stands</h2><dl>{facts}</dl></div>'
        f"<div><h2>Return to run</h2>{_rtr(data)}</div></div>"
        f"<h2>Load and knee pain, last 6 weeks</h2>{load_pain_svg(data)}{LEGEND}{_weekly_table(data)}"
        f"<h2>Current flags (last 7 days)</h2>{_flags(data)}"
        f"<footer>strideload {escape(__version__)}, {escape(generated.strftime('%d %b %Y %H:%M'))}. Observations "
        "from watch data and the runner's own pain log, with their sources in the full report.</footer>"
    )
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<link rel=\"icon\" href=\"data:,\">\n"
            f"<title>{escape(data.athlete)} · one-page summary · strideload</title>\n<style>{CSS}</style>\n</head>\n"
            f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n")


def find_chromium() -> str | None:
    """The Chromium to print with: ``$STRIDELOAD_CHROMIUM``, else the first of :data:`CHROMIUM_NAMES` on PATH."""
    chosen = os.environ.get("STRIDELOAD_CHROMIUM")
    if chosen:
        return chosen
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def write_pdf(html_path: Path, pdf_path: Path, chromium: str | None = None) -> Path:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium (no header or footer, the
    page's own ``@page`` size). The PDF replaces ``pdf_path`` only once it is complete."""
    binary = chromium or find_chromium()
    if binary is None:
        raise ReportError("no Chromium to print with (install chromium, or set STRIDELOAD_CHROMIUM); the summary "
                          f"page prints from any browser: {html_path}", path=pdf_path)
    handle, temp = tempfile.mkstemp(dir=pdf_path.parent, prefix=f".{pdf_path.name}.", suffix=".tmp")
    os.close(handle)
    profile = tempfile.mkdtemp(prefix="strideload-chromium-")
    command = [binary, "--headless", "--disable-gpu", "--no-pdf-header-footer", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", f"--print-to-pdf={temp}", html_path.resolve().as_uri()]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
    try:
        done = subprocess.run(command, capture_output=True, timeout=PDF_TIMEOUT_S, check=False)
        if done.returncode != 0 or not Path(temp).stat().st_size:
            reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise ReportError(f"Chromium could not print the summary ({reason[0]})", path=pdf_path)
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; a PDF is an ordinary file
        os.replace(temp, pdf_path)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReportError(f"Chromium could not print the summary: {exc}", path=pdf_path) from exc
    finally:
        Path(temp).unlink(missing_ok=True)
        shutil.rmtree(profile, ignore_errors=True)
    return pdf_path


__all__ = ["current_flags", "find_chromium", "load_pain_svg", "summary_name", "summary_page", "weekly_rows",
           "write_pdf"]
