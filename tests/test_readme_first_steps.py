"""After the README's set-up command, the commands its "First steps" section tells a newcomer
to type work on the demo store, and a bare ``strideload status`` names that store."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import daily_runs, frame

from strideload.cli.main import cli
from strideload.model import Activity, empty_stream_columns
from strideload.store import Store

ROOT = Path(__file__).resolve().parents[1]


def first_steps() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## First steps", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.+?)\n```", section, flags=re.S)
    return [line.split("#", 1)[0].strip() for line in block.splitlines()]


@pytest.fixture
def demo(tmp_path, monkeypatch):
    """A repository folder holding a small demo store where the set-up command puts it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reports").mkdir()
    with Store.open(tmp_path / "reports" / "sample.db") as store:
        history = frame(daily_runs("ana", "2026-09-01", [6, 0, 8, 0, 10] * 11),
                        daily_runs("ben", "2026-09-02", [5, 7] * 27))
        for summary in history.to_dict("records"):
            summary.update(sha256=summary["id"], source_path=f"{summary['id']}.fit")
            store.insert_activity(Activity(summary=summary, columns=empty_stream_columns()))
    monkeypatch.delenv("STRIDELOAD_DB", raising=False)
    return tmp_path


def test_the_readme_says_how_to_activate_the_environment():
    lines = first_steps()
    assert lines[0].startswith("source .venv/bin/activate")


def test_the_first_steps_work_on_the_demo_store(demo, monkeypatch):
    env: dict[str, str] = {}
    ran = 0
    for line in first_steps():
        if line.startswith("export "):
            name, value = line.removeprefix("export ").split("=", 1)
            env[name] = value
        elif line.startswith("strideload "):
            result = CliRunner().invoke(cli, shlex.split(line)[1:], env=env)
            assert result.exit_code == 0, (line, result.output)
            assert "Error" not in result.output
            ran += 1
    assert env == {"STRIDELOAD_DB": "reports/sample.db"} and ran >= 2


def test_a_bare_status_names_the_demo_store(demo):
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == 1
    assert "export STRIDELOAD_DB=reports/sample.db" in result.output
    assert len(result.output.strip().splitlines()) == 1
