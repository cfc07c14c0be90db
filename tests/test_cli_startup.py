"""The command line starts light: commands load on demand, and ``--help`` and ``status`` run
without numpy, pandas, pyarrow or plotly (how fast that is: benchmarks/bench_startup.py)."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner
from factories import daily_runs, frame, runs

import strideload.cli
from strideload.cli.main import COMMANDS, StrideloadGroup, cli
from strideload.model import Activity, empty_stream_columns
from strideload.store import Store

HEAVY = ("numpy", "pandas", "pyarrow", "plotly")

HISTORY = frame(
    daily_runs("ana", "2024-01-01", [10, 0, 8, 0, 12, 0, 16.8] * 6),
    runs("ana", [("2024-02-12", 24.0, {"downhill_5pct_m": 1500.0})]),
    daily_runs("bob", "2024-01-20", [5] * 20),
)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "startup.db"
    with Store.open(path) as store:
        for summary in HISTORY.to_dict("records"):
            summary.update(sha256=summary["id"], source_path=f"{summary['id']}.fit")
            store.insert_activity(Activity(summary=summary, columns=empty_stream_columns()))
    return path


def _fresh_group() -> StrideloadGroup:
    """A group like ``cli`` with none of its commands loaded yet."""
    return StrideloadGroup(name=cli.name, lazy=COMMANDS, callback=cli.callback, params=cli.params,
                           help=cli.help, context_settings=cli.context_settings)


STATUS_RUNS = (["status"], ["status", "--format", "json"], ["status", "--athlete", "ana", "--as-of", "2024-02-13"])

CHILD = """
import json, sys
from click.testing import CliRunner
import strideload.cli.main as main
db, runs, heavy = sys.argv[1], json.loads(sys.argv[2]), set(json.loads(sys.argv[3]))
outputs = {}
for args in [["--help"], *runs]:
    result = CliRunner().invoke(main.cli, [*args, *(["--db", db] if args != ["--help"] else [])])
    assert result.exit_code == 0, result.output
    outputs[" ".join(args)] = result.output
loaded = sorted(name for name in sys.modules if name.split(".")[0] in heavy)
print(json.dumps({"heavy": loaded, "outputs": outputs}))
"""


def test_help_and_a_known_status_load_none_of_the_heavy_libraries(db):
    # the first status of a day computes (with pandas) and keeps its rows in the store ...
    before = {" ".join(args): CliRunner().invoke(cli, [*args, "--db", str(db)]).output for args in STATUS_RUNS}
    assert "Most concerning first" in before["status"] and "ana on 2024-02-13" in before[" ".join(STATUS_RUNS[2])]
    # ... so a new process answers the same without loading any of them
    child = subprocess.run([sys.executable, "-c", CHILD, str(db), json.dumps(STATUS_RUNS), json.dumps(HEAVY)],
                           capture_output=True, text=True, check=True)
    found = json.loads(child.stdout)
    assert found["heavy"] == []
    assert {key: found["outputs"][key] for key in before} == before
    assert "status" in found["outputs"]["--help"]


def test_help_lists_every_command_without_importing_any(tmp_path):
    code = ("import sys; from click.testing import CliRunner; import strideload.cli.main as main; "
            "out = CliRunner().invoke(main.cli, ['--help']).output; "
            "print(sorted(m for m in sys.modules if m.startswith('strideload.cli.') and m != 'strideload.cli.main')); "
            "print(out)")
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded, _, text = child.stdout.partition("\n")
    assert loaded == "[]"
    for name in COMMANDS:
        assert f"  {name} " in text, name


def test_the_lazy_list_reads_exactly_as_the_loaded_commands_would():
    group = _fresh_group()
    for width in (60, 100):
        lazy = CliRunner().invoke(group, ["--help"], terminal_width=width).output
        for name in group.list_commands(click.Context(group)):
            group.get_command(click.Context(group), name)
        assert set(group.commands) == set(COMMANDS)
        assert CliRunner().invoke(group, ["--help"], terminal_width=width).output == lazy
        group = _fresh_group()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_table_line_is_the_commands_own_first_paragraph(name):
    command = _fresh_group().get_command(click.Context(cli), name)
    assert command is not None and command.name == name
    first = " ".join((command.help or "").split("\n\n")[0].split())
    assert first == COMMANDS[name][1]
    assert CliRunner().invoke(cli, [name, "--help"]).exit_code == 0


def test_every_command_a_cli_module_defines_is_reachable():
    for info in pkgutil.iter_modules(strideload.cli.__path__):
        importlib.import_module(f"strideload.cli.{info.name}")
    defined = {id(value): f"{module_name}.{attr}"
               for module_name, module in sys.modules.items() if module_name.startswith("strideload.cli.")
               for attr, value in vars(module).items() if isinstance(value, click.Command) and value is not cli}
    reachable: set[int] = set()

    def walk(command: click.Command) -> None:
        reachable.add(id(command))
        for child in getattr(command, "commands", {}).values():
            walk(child)

    group = _fresh_group()
    for name in COMMANDS:
        walk(group.get_command(click.Context(group), name))
    missing = [where for key, where in defined.items() if key not in reachable]
    assert missing == [], f"add these to strideload.cli.main.COMMANDS: {missing}"


def test_an_unknown_command_is_one_line_of_error():
    result = CliRunner().invoke(cli, ["statsu"])
    assert result.exit_code == 2
    assert "No such command 'statsu'" in result.output and "Traceback" not in result.output


def test_import_strideload_is_light_and_its_names_load_on_use():
    code = ("import sys, strideload\n"
            "light = not any(name.split('.')[0] in sys.argv[1].split() for name in sys.modules)\n"
            "names = [getattr(strideload, name) for name in strideload.__all__]\n"
            "print(light, all(names), 'strideload.ingest.importer' in sys.modules, 'numpy' in sys.modules)")
    child = subprocess.run([sys.executable, "-c", code, " ".join(HEAVY)], capture_output=True, text=True, check=True)
    assert child.stdout.split() == ["True", "True", "True", "True"]
