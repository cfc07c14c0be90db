"""Shared fixtures. Every test gets its own store and config: none touches the user's real data."""

from __future__ import annotations

import pytest
from budget import LONG
from click.testing import CliRunner

from strideload.cli.main import cli
from strideload.config import Config, parse_config
from strideload.store import Store


def pytest_collection_modifyitems(config, items):
    """Skip tests marked ``long`` unless ``STRIDELOAD_LONG=1``: the default run stays a few minutes."""
    if LONG:
        return
    skip = pytest.mark.skip(reason="long run: set STRIDELOAD_LONG=1 to include it")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory, monkeypatch):
    """Point the default store and config at throwaway paths, whatever the test does."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("STRIDELOAD_DB", str(home / "default.db"))
    monkeypatch.setenv("STRIDELOAD_CONFIG", str(home / "absent-config.toml"))
    monkeypatch.delenv("STRIDELOAD_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "test.db") as opened:
        yield opened


@pytest.fixture
def oslo_config() -> Config:
    """Every athlete in Europe/Oslo, so local dates do not depend on the test machine's zone."""
    return parse_config({"settings": {"timezone": "Europe/Oslo"}})


@pytest.fixture
def db(tmp_path):
    """An empty store for CLI tests (read commands refuse a path where none exists);
    modules override it with a filled one."""
    path = tmp_path / "cli.db"
    Store.open(path).close()
    return path


@pytest.fixture
def run(db):
    """Run a strideload command in-process against ``db``, as a user would type it."""

    def invoke(*args: str):
        return CliRunner().invoke(cli, [*args, "--db", str(db)])

    return invoke
