"""Files of a report folder: atomic writes, page names, the shared plotly.js and the style sheet.

Every file is written to a temporary file in its own folder and moved over the old one
with :func:`os.replace`, so a reader (or a browser reloading the page) sees the old file
or the new one, never half of one. plotly.js is copied once from the installed plotly
package (it works offline) and only rewritten when its content changed.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from pathlib import Path

from ..errors import StrideloadError

#: File name of the shared plotly.js beside the pages.
PLOTLY_JS = "plotly.min.js"
INDEX = "index.html"
#: Page names an athlete's page must never take.
RESERVED = frozenset({"index", "plotly.min", "plotly"})


class ReportError(StrideloadError):
    """The report folder cannot be written. ``path`` names the file or folder."""

    def __init__(self, message: str, *, path: Path | None = None):
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


#: A page's temporary file older than this (s) was left by a report that was killed: a running
#: report replaces its pages within seconds of creating them.
STALE_TEMP_S = 600.0
_TEMP_NAME = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")  # mkstemp(prefix=".NAME.", suffix=".tmp")


def leftover_temps(folder: Path, older_than_s: float = STALE_TEMP_S) -> list[Path]:
    """Temporary files of :func:`write_atomic` in ``folder`` that a killed report left behind."""
    try:
        candidates = [p for p in folder.iterdir() if _TEMP_NAME.match(p.name) and p.is_file()]
    except OSError:
        return []
    now = time.time()
    return sorted(p for p in candidates if now - p.stat().st_mtime > older_than_s)


def remove_leftover_temps(folder: Path) -> int:
    """Remove :func:`leftover_temps` (bytes freed); a file that cannot be removed is left."""
    freed = 0
    for path in leftover_temps(folder):
        try:
            size = path.stat().st_size
            path.unlink()
            freed += size
        except OSError:
            continue
    return freed


def write_atomic(path: Path, text: str) -> int:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and :func:`os.replace`.

    Returns the number of bytes written. On any error the temporary file is removed and
    the old ``path`` (if any) is left as it was.
    """
    data = text.encode("utf-8")
    try:
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ReportError(f"cannot write here: {exc.strerror or exc}", path=path.parent) from exc
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; pages are ordinary files
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise ReportError(f"cannot write: {exc.strerror or exc}", path=path) from exc
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return len(data)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def ensure_folder(folder: Path) -> Path:
    """Create ``folder`` (and parents) if needed; a usable error when that fails."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot create the report folder: {exc.strerror or exc}", path=folder) from exc
    if not folder.is_dir():
        raise ReportError("not a folder", path=folder)
    return folder


def page_name(athlete: str) -> str:
    """A safe, stable file name for ``athlete``'s page: ``ana.html``.

    Names that are not plain lower-case ASCII (or would clash with the index or plotly.js)
    get a readable stem plus a short hash of the full name, so two names never share a page
    and no name can point outside the report folder.
    """
    stem = re.sub(r"[^a-z0-9_-]+", "-", athlete.lower()).strip("-_")[:40]
    if stem and stem == athlete and stem not in RESERVED:
        return f"{stem}.html"
    digest = hashlib.sha256(athlete.encode("utf-8")).hexdigest()[:8]
    return f"{stem or 'athlete'}-{digest}.html"


def summary_name(page: str) -> str:
    """``ana.html`` -> ``ana.summary.html``, the athlete's one-page summary (a page name never
    holds a dot before ``.html``, so no page and summary share a name)."""
    return f"{page[:-len('.html')]}.summary.html"


def plotly_js() -> str:
    """The plotly.js bundled with the installed plotly package."""
    from plotly.offline import get_plotlyjs  # type: ignore[import-untyped]  # no type hints in plotly

    return get_plotlyjs()


def write_plotly_js(folder: Path) -> Path:
    """Put ``plotly.min.js`` into ``folder`` unless an identical copy is already there."""
    path = folder / PLOTLY_JS
    script = plotly_js()
    try:
        if path.is_file() and path.stat().st_size == len(script.encode("utf-8")) \
                and path.read_text(encoding="utf-8") == script:
            return path
    except (OSError, UnicodeDecodeError):
        pass  # unreadable or damaged: write it again
    write_atomic(path, script)
    return path


#: The whole style sheet, inlined in every page (small; no web fonts, prints in grey).
CSS = """
:root { --ink:#1d2430; --muted:#5b6472; --line:#d8dce2; --panel:#f6f7f9; --accent:#2b5c8a;
        --alert:#8e1b1b; --caution:#9a5b00; --info:#3d5a80; --ok:#2f6b3a; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
       color:var(--ink); background:#fff; }
main { max-width:1180px; margin:0 auto; padding:24px 20px 48px; }
a { color:var(--accent); }
h1 { font-size:1.75rem; margin:0 0 4px; letter-spacing:-0.01em; }
h2 { font-size:1.15rem; margin:0 0 2px; }
p { margin:4px 0; }
.meta { color:var(--muted); margin:0 0 2px; }
.nav { font-size:.9rem; margin-bottom:12px; }
.disclaimer { border-left:4px solid var(--line); padding:6px 12px; color:var(--muted); margin:14px 0 18px;
              background:var(--panel); }
.status { display:grid; grid-template-columns: minmax(0,1fr) minmax(0,1fr); gap:16px; margin:14px 0 8px; }
.card { border:1px solid var(--line); border-radius:8px; padding:14px 16px; background:#fff; }
.card h2 { margin-bottom:8px; }
dl.facts { display:grid; grid-template-columns:max-content 1fr; gap:4px 14px; margin:0; }
dl.facts dt { color:var(--muted); }
dl.facts dd { margin:0; }
.note { color:var(--muted); font-size:.88rem; }
.headline { font-weight:600; margin:0 0 8px; }
ul.flags { list-style:none; padding:0; margin:0; }
ul.flags li { padding:4px 0; border-top:1px solid var(--line); }
ul.flags li:first-child { border-top:0; }
.sev { display:inline-block; min-width:4.6em; text-align:center; font-size:.78rem; font-weight:700;
       text-transform:uppercase; letter-spacing:.03em; border-radius:4px; padding:1px 6px; margin-right:6px;
       border:1.5px solid currentColor; }
.sev-alert { color:#fff; background:var(--alert); border-color:var(--alert); }
.sev-caution { color:var(--caution); background:#fff6e5; }
.sev-info { color:var(--info); background:#fff; border-style:dashed; }
.sev-none { color:var(--ok); background:#fff; }
.sev-stale { color:var(--muted); background:var(--panel); border-style:dotted; }
p.stale { font-weight:600; margin:10px 0 0; }
section.chart { margin:26px 0 0; break-inside:avoid; page-break-inside:avoid; }
section.chart > p { color:var(--muted); font-size:.92rem; max-width:70em; }
.plot { width:100%; height:380px; }
.plot.tall { height:470px; }
.empty { border:1px dashed var(--line); border-radius:8px; padding:18px; color:var(--muted); background:var(--panel); }
table { border-collapse:collapse; width:100%; font-size:.9rem; }
th, td { text-align:left; vertical-align:top; padding:6px 8px; border-bottom:1px solid var(--line); }
th { background:var(--panel); font-weight:600; white-space:nowrap; }
td.num, th.num { text-align:right; white-space:nowrap; font-variant-numeric:tabular-nums; }
td.nowrap, span.nowrap { white-space:nowrap; }
td.what { width:44%; min-width:18em; }
td.value, th.value { text-align:right; max-width:14em; font-variant-numeric:tabular-nums; }
.table-wrap { overflow-x:auto; }
svg.spark { display:block; }
details { margin-top:12px; }
.card.rtr { margin:10px 0 8px; }
ul.criteria { list-style:none; padding:0; margin:0; }
details > summary { cursor:pointer; color:var(--accent); padding:6px 0; }
td.week { min-width:15em; }
h2.sources-title { margin-top:18px; font-size:1rem; }
ul.sources { padding-left:1.2em; font-size:.88rem; }
ul.sources li { margin:2px 0; }
footer { margin-top:36px; color:var(--muted); font-size:.85rem; border-top:1px solid var(--line); padding-top:10px; }
@media (max-width: 760px) { .status { grid-template-columns:1fr; } }
@media print {
  body { font-size:11pt; }
  main { max-width:none; padding:0; }
  .nav, .modebar-container { display:none !important; }
  a { color:inherit; text-decoration:none; }
  a[href^="https://doi.org"]::after { content:" (" attr(href) ")"; font-size:.8em; }
  .sev-alert { color:#000; background:#fff; border-width:2.5px; }
}
"""
