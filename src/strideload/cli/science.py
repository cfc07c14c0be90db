"""``strideload science [KEY]``: the evidence notes behind every flag and setting."""

from __future__ import annotations

import click

from .. import science
from .render import column as col
from .render import format_option, render, say


@click.command("science")
@click.argument("key", required=False)
@format_option
def science_command(key: str | None, fmt: str) -> None:
    """The evidence behind strideload's signals: one note per source key.

    Without KEY, lists the keys with their titles and evidence grades; with KEY, prints
    that note: what it measures, the formula, the defaults, the source with its DOI and the
    evidence grade. Every flag and setting names its key ('strideload flags', 'strideload
    config').
    """
    if key is not None:
        note = science.note(key)
        if fmt == "table":
            say(note.text.rstrip("\n"))
        else:
            render([{"key": note.key, "title": note.title, "grade": note.grade, "text": note.text}], fmt)
        return
    rows = [{"key": n.key, "title": n.title, "grade": n.grade} for n in science.notes()]
    render(rows, fmt, ("key", "title", "grade"),
           table=[col("key", "Key"), col("title", "What"), col("grade", "Evidence")])
    if fmt == "table":
        say("Read one with: strideload science KEY")
