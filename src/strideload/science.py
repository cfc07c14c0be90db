"""The evidence notes shipped with strideload: one Markdown file per source key.

Every flag and setting names a source key (``frandsen2025``, ``trek_pfp`` ...); its note is
``strideload/evidence/<key>.md`` inside the package, whose first line is
``# <title> — <evidence grade>`` and whose body says what the signal measures, its formula,
its defaults and the source with its DOI. The loader only reads that folder, so a new
signal ships its note by adding a file::

    from strideload import science
    science.keys()                  # ['barton2016', 'buist2008', ...]
    print(science.note("frandsen2025").text)
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from .errors import UsageError

FOLDER = "evidence"
#: Evidence grades a note may open with (science.md's scale; "not graded" for bookkeeping rules).
GRADES = ("strong", "moderate", "weak", "contested", "not graded")


@dataclass(frozen=True)
class Note:
    """One evidence note: its source ``key``, ``title`` and ``grade`` (from the first line) and
    its whole Markdown ``text``."""

    key: str
    title: str
    grade: str
    text: str


def _folder() -> resources.abc.Traversable:
    return resources.files("strideload").joinpath(FOLDER)


def _parse(key: str, text: str) -> Note:
    first = text.splitlines()[0] if text else ""
    heading = first.removeprefix("# ").strip()
    title, _, grade = heading.rpartition(" — ")
    if not first.startswith("# ") or not title:
        title, grade = heading or key, ""
    return Note(key=key, title=title.strip(), grade=grade.strip(), text=text)


def keys() -> list[str]:
    """Every source key that has a note, sorted."""
    folder = _folder()
    if not folder.is_dir():
        return []
    return sorted(item.name[:-3] for item in folder.iterdir() if item.name.endswith(".md"))


def notes() -> list[Note]:
    """Every note, by key."""
    return [note(key) for key in keys()]


def note(key: str) -> Note:
    """The note of source ``key``; an unknown key is a :class:`~strideload.errors.UsageError`
    listing the known ones."""
    known = keys()
    if key not in known:
        raise UsageError(f"no evidence note {key!r} (known: {', '.join(known) or 'none'})")
    return _parse(key, _folder().joinpath(f"{key}.md").read_text(encoding="utf-8"))
