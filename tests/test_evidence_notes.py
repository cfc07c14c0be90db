"""The evidence notes ship with strideload: every source key a flag or a setting cites has a
note in ``strideload/evidence/<key>.md``, and ``strideload science [KEY]`` prints them."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from strideload import science
from strideload.analyze import KINDS, SOURCES
from strideload.analyze.pain import PROFILES
from strideload.cli.main import cli
from strideload.config import SETTINGS
from strideload.rtr.protocols import shipped_protocol

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_PROTOCOLS = sorted(p.stem for p in (ROOT / "src" / "strideload" / "protocols").glob("*.toml"))


def cited_keys() -> set[str]:
    """Every source key strideload names: settings, flag kinds, references, pain profiles and
    the shipped return-to-run protocols (their key is the source of their flags)."""
    keys = {setting.source for setting in SETTINGS.values() if setting.source != "-"}
    keys |= {kind.source for kind in KINDS.values()} | set(SOURCES)
    keys |= {profile[0] for profile in PROFILES.values()}
    keys |= {shipped_protocol(key).source for key in SHIPPED_PROTOCOLS}
    return keys


def test_every_cited_source_key_has_a_note():
    missing = sorted(cited_keys() - set(science.keys()))
    assert not missing, f"evidence notes missing for {missing}: add src/strideload/evidence/<key>.md"


@pytest.mark.parametrize("key", science.keys())
def test_each_note_opens_with_its_title_and_grade_and_gives_its_doi(key):
    note = science.note(key)
    assert note.text.splitlines()[0] == f"# {note.title} — {note.grade}"
    assert note.title and note.grade.startswith(science.GRADES), note.grade
    for part in ("**What it measures.**", "**Source.**", "**Evidence grade: "):
        assert part in note.text, (key, part)
    source = SOURCES.get(key)
    if source is not None:
        if source.doi:
            assert f"doi:{source.doi}" in note.text
        grade = note.grade.split()[0]
        assert grade == source.evidence or (grade, source.evidence) == ("contested", "weak"), (grade, source)


def test_the_notes_are_package_data():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "evidence/*.md" in project["tool"]["setuptools"]["package-data"]["strideload"]
    assert sorted(p.stem for p in (ROOT / "src" / "strideload" / "evidence").glob("*.md")) == science.keys()


def test_science_lists_the_keys_and_prints_one_note():
    listing = CliRunner().invoke(cli, ["science"])
    assert listing.exit_code == 0
    for key in ("frandsen2025", "trek_pfp", "crowell2023"):
        assert key in listing.output
    assert "strong" in listing.output and "strideload science KEY" in listing.output

    one = CliRunner().invoke(cli, ["science", "frandsen2025"])
    assert one.exit_code == 0
    assert one.output.startswith("# Session distance spike (Frandsen 2025) — strong")
    assert "doi:10.1136/bjsports-2024-109380" in one.output

    unknown = CliRunner().invoke(cli, ["science", "nobody2020"])
    assert unknown.exit_code == 1 and "no evidence note 'nobody2020' (known: banister1991" in unknown.output


def test_help_readme_and_config_point_at_the_shipped_notes():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../shared/science.md" not in readme
    assert "strideload science" in readme
    assert "strideload science KEY" in CliRunner().invoke(cli, ["flags", "--help"]).output
    assert "strideload science KEY" in CliRunner().invoke(cli, ["config", "--help"]).output
    assert re.search(r"timezone .* local_dates", CliRunner().invoke(cli, ["config", "--format", "csv"]).output
                     .replace(",", " "))
