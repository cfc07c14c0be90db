"""One file never stops an import: whatever goes wrong while handling one file, even a bug
of ours, becomes that file's failure with its path and why, and the rest still import."""

from __future__ import annotations

import gzip
import subprocess
import sys
import zlib

import pytest
from click.testing import CliRunner
from files import fit_bytes, gpx_bytes, run_points, tcx_bytes, utc, zip_bytes

import strideload
from strideload.cli.main import cli
from strideload.errors import FileImportError, StrideloadError, UnexpectedFileError
from strideload.ingest import fit, fit_columnar, resample
from strideload.ingest.importer import import_paths
from strideload.store import Store


@pytest.fixture(scope="module")
def three_runs() -> dict[str, bytes]:
    return {"a.gpx": gpx_bytes(run_points(utc(2026, 5, 4, 6), km=3)),
            "b.fit": fit_bytes(run_points(utc(2026, 5, 5, 6), km=3)),
            "c.tcx": tcx_bytes(run_points(utc(2026, 5, 6, 6), km=3)),
            "d.fit": fit_bytes(run_points(utc(2026, 5, 7, 6), km=3))}


@pytest.fixture
def exports(tmp_path, three_runs):
    """Three runs in three formats; the FIT one is the file the tests break."""
    folder = tmp_path / "exports"
    folder.mkdir()
    for name in ("a.gpx", "b.fit", "c.tcx"):
        (folder / name).write_bytes(three_runs[name])
    return folder


@pytest.fixture
def broken_fit_decoder(monkeypatch):
    """Both FIT paths hit a bug of ours: the fast one at once (so the tolerant one reads the
    file), the tolerant one on the 812th message of every file it reads."""
    real_step = fit._Decoder.step

    def broken_scan(*args, **kwargs):
        raise RuntimeError("a bug planted in the fast path")

    monkeypatch.setattr(fit_columnar, "_scan", broken_scan)

    def step(self):
        self.messages_read = getattr(self, "messages_read", 0) + 1
        if self.messages_read == 812:
            raise RuntimeError("a bug planted by the test")
        return real_step(self)

    monkeypatch.setattr(fit._Decoder, "step", step)


def test_a_bug_inside_the_decoder_fails_that_file_and_the_others_import(tmp_path, exports, broken_fit_decoder):
    with Store.open(tmp_path / "s.db") as store:
        result = import_paths(store, [exports], athlete="ana")
        assert result.counts()["added"] == 2
        [failed] = result.failed
        assert failed.path.endswith("b.fit")
        assert failed.reason.startswith("unexpected error while reading the FIT message at byte ")
        assert "RuntimeError: a bug planted by the test" in failed.reason
        assert "a strideload bug: please report it with this file" in failed.reason
        assert store.failures()[0]["reason"] == failed.reason  # recorded, so `activities --failed` shows it


def test_a_bug_in_the_fast_fit_path_falls_back_to_the_tolerant_one(tmp_path, exports, monkeypatch, caplog):
    def broken_scan(*args, **kwargs):
        raise RuntimeError("a bug planted in the fast path")

    monkeypatch.setattr(fit_columnar, "_scan", broken_scan)
    with Store.open(tmp_path / "s.db") as store:
        result = import_paths(store, [exports], athlete="ana")
    assert result.counts()["added"] == 3 and not result.failed
    assert "b.fit: read with the tolerant FIT path (the fast path hit a bug: RuntimeError" in caplog.text


def test_the_cli_exits_one_without_a_traceback_and_debug_shows_it(tmp_path, exports, three_runs,
                                                                  broken_fit_decoder):
    db = str(tmp_path / "cli.db")
    result = CliRunner().invoke(cli, ["import", str(exports), "--athlete", "ana", "--db", db])
    assert result.exit_code == 1
    assert "2 added" in result.output and "b.fit" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit 1, not an escaped exception

    (exports / "d.fit").write_bytes(three_runs["d.fit"])
    result = CliRunner().invoke(cli, ["--debug", "import", str(exports / "d.fit"), "--athlete", "ana", "--db", db])
    assert result.exit_code == 1
    assert "Traceback" in result.output and "a bug planted by the test" in result.output


def test_a_bug_while_normalising_names_the_stage(tmp_path, exports, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("elevation_m")

    monkeypatch.setattr("strideload.ingest.importer.normalise", broken)
    with Store.open(tmp_path / "s.db") as store:
        result = import_paths(store, [exports / "a.gpx", exports / "c.tcx"], athlete="ana")
    assert [o.status for o in result.outcomes] == ["failed", "failed"]
    assert result.failed[0].reason.startswith("unexpected error while normalising the samples: KeyError")


def test_read_activity_raises_only_strideload_errors_with_the_cause_kept(exports, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(resample, "stream_arrays", broken)  # what normalise builds the stream with
    with pytest.raises(UnexpectedFileError) as caught:
        strideload.read_activity(exports / "a.gpx")
    assert isinstance(caught.value, FileImportError) and isinstance(caught.value, StrideloadError)
    assert isinstance(caught.value.__cause__, ZeroDivisionError)
    assert caught.value.path.endswith("a.gpx")


def test_a_damaged_gzip_stream_is_a_failure_not_a_crash(tmp_path, exports):
    packed = bytearray(gzip.compress(gpx_bytes(run_points(utc(2026, 5, 8, 6), km=3))))
    packed[12] ^= 0xFF  # inside the deflate stream: zlib.error, which gzip does not wrap
    with pytest.raises(zlib.error):
        gzip.decompress(bytes(packed))
    (exports / "e.gpx.gz").write_bytes(bytes(packed))
    with pytest.raises(StrideloadError):
        strideload.read_activity(exports / "e.gpx.gz")
    with Store.open(tmp_path / "s.db") as store:
        result = import_paths(store, [exports], athlete="ana")
    assert result.counts()["added"] == 3
    assert [o.path.rsplit("/", 1)[-1] for o in result.failed] == ["e.gpx.gz"]


def test_a_bad_archive_inside_a_folder_stops_only_itself(tmp_path, exports, monkeypatch):
    (exports / "bulk.zip").write_bytes(zip_bytes({"run.fit": b"not read"}))

    def broken(*args, **kwargs):
        raise NotImplementedError("compression method 99")

    monkeypatch.setattr("strideload.ingest.scan.zip_sources", broken)
    with Store.open(tmp_path / "s.db") as store:
        result = import_paths(store, [exports], athlete="ana")
    assert result.counts()["added"] == 3
    [failed] = result.failed
    assert failed.path.endswith("bulk.zip") and "NotImplementedError" in failed.reason


def test_the_watcher_goes_on_past_a_file_that_hits_a_bug(tmp_path, exports, broken_fit_decoder):
    db = str(tmp_path / "w.db")
    result = CliRunner().invoke(cli, ["watch", str(exports), "--athlete", "ana", "--once", "--db", db])
    assert result.exit_code == 1, result.output
    with Store.open(db) as store:
        assert len(store.activities_frame("ana")) == 2
        assert "unexpected error" in store.failures()[0]["reason"]


def test_the_installed_command_prints_no_traceback(tmp_path):
    """The real entry point, as a user runs it, on a file our code cannot handle."""
    bad = tmp_path / "weird.fit"
    bad.write_bytes(fit_bytes(run_points(utc(2026, 5, 5, 6), km=1))[:40])
    proc = subprocess.run([sys.executable, "-m", "strideload", "import", str(bad), "--db", str(tmp_path / "x.db")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "weird.fit" in proc.stdout
