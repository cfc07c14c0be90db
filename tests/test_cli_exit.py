"""The ``strideload`` command ends without tearing down every module it loaded (about 0.3 s
after pandas and plotly), and that shortcut changes nothing a user or a script sees: the exit
status, every line of output, exit handlers, and threads still running."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from strideload.cli.main import cli

COMMAND = [sys.executable, "-m", "strideload"]


def _run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, check=False, timeout=120, **kwargs)


def test_every_line_of_output_reaches_a_pipe(tmp_path):
    done = _run("config", "--db", str(tmp_path / "none.db"))
    assert done.returncode == 0, done.stderr
    here = CliRunner().invoke(cli, ["config", "--db", str(tmp_path / "none.db")])
    assert done.stdout.splitlines() == here.output.splitlines() and len(done.stdout.splitlines()) > 20


def test_the_exit_status_is_the_commands(tmp_path):
    assert _run("--version").returncode == 0
    unknown = _run("no-such-command")
    assert unknown.returncode == 2 and "No such command" in unknown.stderr
    missing = _run("status", "--db", str(tmp_path / "missing.db"))
    assert missing.returncode == 1 and "no strideload store" in missing.stderr


ENDING = """
import atexit, sys, threading, time
from pathlib import Path
from strideload.cli.main import main

marker = Path(sys.argv[1])
atexit.register(lambda: marker.with_suffix(".atexit").write_text("ran"))
if sys.argv[2] == "thread":
    def late():
        time.sleep(0.5)
        marker.with_suffix(".thread").write_text("done")
    threading.Thread(target=late).start()
sys.argv = ["strideload", "--version"]
main()
"""


def test_exit_handlers_run_and_running_threads_are_waited_for(tmp_path):
    for case in ("plain", "thread"):
        marker = tmp_path / case
        done = subprocess.run([sys.executable, "-c", ENDING, str(marker), case], capture_output=True, text=True,
                              check=False, timeout=60)
        assert done.returncode == 0 and "version" in done.stdout, done.stderr
        assert marker.with_suffix(".atexit").read_text() == "ran"
        assert marker.with_suffix(".thread").exists() == (case == "thread")
