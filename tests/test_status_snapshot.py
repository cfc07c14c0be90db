"""The status kept in the store: the same rows as computing them, and never older than the data,
the settings, the day or the code they came from."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from click.testing import CliRunner
from factories import daily_runs, frame, runs
from files import gpx_bytes, run_points, utc

from strideload import snapshot
from strideload.cli.main import cli
from strideload.config import parse_config
from strideload.model import Activity, empty_stream_columns
from strideload.pain import make_entry
from strideload.store import Store

HISTORY = frame(
    daily_runs("ana", "2024-01-01", [10, 0, 8, 0, 12, 0, 16.8] * 6),
    runs("ana", [("2024-02-12", 24.0, {"downhill_5pct_m": 1500.0})]),
    daily_runs("bob", "2024-01-20", [5] * 20),
)
AS_OF = date(2024, 2, 13)


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "snap.db") as opened:
        for summary in HISTORY.to_dict("records"):
            summary.update(sha256=summary["id"], source_path=f"{summary['id']}.fit")
            opened.insert_activity(Activity(summary=summary, columns=empty_stream_columns()))
        yield opened


@pytest.fixture
def computed(monkeypatch):
    """How many times the status was computed rather than read from the store."""
    calls = []
    original = snapshot.compute

    def counting(*args, **kwargs):
        calls.append(args[2:])
        return original(*args, **kwargs)

    monkeypatch.setattr(snapshot, "compute", counting)
    return calls


def test_the_second_status_is_read_back_with_the_same_values_and_types(store, oslo_config, computed):
    first = snapshot.status(store, oslo_config, as_of=AS_OF)
    again = snapshot.status(store, oslo_config, as_of=AS_OF)
    assert len(computed) == 1
    assert again == first == snapshot.compute(store, oslo_config, as_of=AS_OF)
    for row, kept in zip(first, again, strict=True):
        assert {k: type(v) for k, v in kept.items()} == {k: type(v) for k, v in row.items()}
    assert isinstance(again[0]["as_of"], date) and again[0]["flags"] == first[0]["flags"]


@pytest.mark.parametrize("change", ["pain", "exclude", "delete", "rename", "new run"])
def test_any_change_to_the_data_is_seen_at_once(store, oslo_config, computed, change):
    before = snapshot.status(store, oslo_config, as_of=AS_OF)
    if change == "pain":
        store.add_pain([make_entry("ana", score=6, date="2024-02-13", when="next-morning")])
    elif change == "exclude":
        store.decide("ana-2024-02-12-0", "exclude")
    elif change == "delete":
        store.delete_activity("ana-2024-02-12-0")
    elif change == "rename":
        store.rename_athlete("bob", "rob")
    else:
        summary = runs("bob", [("2024-02-13", 30.0)]).to_dict("records")[0]
        summary.update(sha256="new", source_path="new.fit")
        store.insert_activity(Activity(summary=summary, columns=empty_stream_columns()))
    after = snapshot.status(store, oslo_config, as_of=AS_OF)
    assert len(computed) == 2
    assert after == snapshot.compute(store, oslo_config, as_of=AS_OF) and after != before


def test_another_day_athlete_or_setting_is_its_own_snapshot(store, oslo_config, computed):
    snapshot.status(store, oslo_config, as_of=AS_OF)
    snapshot.status(store, oslo_config, as_of=date(2024, 2, 1))
    snapshot.status(store, oslo_config, "ana", as_of=AS_OF)
    stricter = parse_config({"settings": {"timezone": "Europe/Oslo", "session_spike_small": 1.05}})
    assert snapshot.status(store, stricter, as_of=AS_OF) == snapshot.compute(store, stricter, as_of=AS_OF)
    assert len(computed) == 5  # four snapshots, and the comparison
    snapshot.status(store, oslo_config, as_of=AS_OF)
    snapshot.status(store, oslo_config, "ana", as_of=AS_OF)
    assert len(computed) == 5
    assert len(store.snapshot_keys()) == 4


def test_rows_from_an_edited_install_are_computed_anew(store, oslo_config, computed, monkeypatch):
    snapshot.status(store, oslo_config, as_of=AS_OF)
    monkeypatch.setattr(snapshot, "_code_stamp", lambda: "another build")
    snapshot.status(store, oslo_config, as_of=AS_OF)
    assert len(computed) == 2


def test_rows_computed_while_the_data_changed_are_not_kept(store):
    generation = store.data_generation()
    store.decide("ana-2024-02-12-0", "exclude")  # another process, while this one computed
    assert store.data_generation() > generation
    assert not store.save_snapshot("key", generation, "[]")
    assert store.snapshot("key", generation) is None and store.snapshot_keys() == set()


def test_values_that_would_not_come_back_the_same_are_not_kept():
    assert snapshot._encoded([{"when": date(2024, 2, 13), "km": 1.5, "flags": [{"n": None}]}]) is not None
    assert snapshot._encoded([{"km": np.float64(1.5)}]) is None
    assert snapshot._encoded([{"pair": (1, 2)}]) is None


def test_a_cli_import_leaves_todays_status_ready(tmp_path, computed):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "run.gpx").write_bytes(gpx_bytes(run_points(utc(2026, 5, 5, 7), km=5.0)))
    db = tmp_path / "cli.db"
    assert CliRunner().invoke(cli, ["import", str(folder), "--athlete", "ana", "--db", str(db)]).exit_code == 0
    assert len(computed) == 1
    shown = CliRunner().invoke(cli, ["status", "--db", str(db), "--format", "json"])
    assert shown.exit_code == 0 and '"athlete": "ana"' in shown.output
    assert len(computed) == 1  # read back, not computed
    again = CliRunner().invoke(cli, ["import", str(folder), "--athlete", "ana", "--db", str(db)])
    assert again.exit_code == 0 and len(computed) == 1  # nothing new: nothing to compute



PRELOAD_CHECK = """
import sys
from strideload import snapshot
from strideload.config import parse_config
from strideload.store import Store

with Store.open(sys.argv[1]) as store:
    snapshot.preload()
    before = set(sys.modules)
    rows = snapshot.compute(store, parse_config({"settings": {"timezone": "UTC"}}))
    assert len(rows) == 2, rows
    print(sorted(m for m in set(sys.modules) - before if m.split(".")[0] in ("strideload", "pandas")))
"""


def test_preload_loads_what_computing_the_status_needs(tmp_path):
    """What ``import`` loads while its workers read (pandas, the analysis): computing the sample
    athletes' status afterwards, in a new process, imports none of strideload's modules nor pandas."""
    import subprocess
    import sys
    from pathlib import Path

    from strideload.ingest.importer import import_paths

    sample = Path(__file__).resolve().parents[1] / "sample_data"
    with Store.open(tmp_path / "s.db") as filled:  # runs, pain logs and a return-to-run plan
        import_paths(filled, [sample], team=True, config=parse_config({"settings": {"timezone": "UTC"}}), jobs=1)
    done = subprocess.run([sys.executable, "-c", PRELOAD_CHECK, str(tmp_path / "s.db")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    loaded_late = eval(done.stdout)  # pandas' own lazy submodules may still load on first use
    assert [name for name in loaded_late if name == "pandas" or name.startswith("strideload")] == []
