"""Budgets instead of hopes: a file too big, too many sessions, too slow, or not a file at all
fails (or is skipped) alone with a reason naming the setting, and the rest import."""

from __future__ import annotations

import gzip
import os
import threading
import zipfile

import pytest
from files import deflate64_zip, fit_with_sessions, gpx_bytes, run_points, tcx_bytes, utc, zip_bytes

from strideload.config import parse_config
from strideload.errors import BudgetError
from strideload.ingest import detect, limits
from strideload.ingest.importer import import_paths, read_activities


def _run(day: int = 4, km: float = 1.0) -> bytes:
    return gpx_bytes(run_points(utc(2026, 5, day, 6), km=km))


def test_a_file_with_thousands_of_sessions_stops_at_the_budget(tmp_path, store):
    (tmp_path / "many.fit").write_bytes(fit_with_sessions(150))
    (tmp_path / "few.fit").write_bytes(fit_with_sessions(3))
    (tmp_path / "run.gpx").write_bytes(_run())

    result = import_paths(store, [tmp_path], athlete="ana")

    [failed] = result.failed
    assert failed.path.endswith("many.fit")
    assert failed.reason == "more than 100 sessions in one file (setting max_sessions_per_file)"
    assert result.counts()["added"] == 4  # three sessions of few.fit, and the GPX run
    assert store.failures()[0]["reason"] == failed.reason


def test_the_fit_decoder_stops_counting_at_the_budget_not_after_the_file(tmp_path, monkeypatch):
    seen = []
    real = limits.count

    def counting(kind, n, path):
        seen.append((kind, n))
        real(kind, n, path)

    monkeypatch.setattr(limits, "count", counting)
    (tmp_path / "many.fit").write_bytes(fit_with_sessions(150))
    config = parse_config({"settings": {"max_sessions_per_file": 5}})
    with pytest.raises(BudgetError, match="more than 5 sessions"):
        read_activities(tmp_path / "many.fit", config=config)
    assert max(n for kind, n in seen if kind == "session") == 6
    assert max(n for kind, n in seen if kind == "record") == 12  # the rest of the file was never read


def test_records_beyond_the_budget_fail_the_file(tmp_path, store):
    (tmp_path / "long.gpx").write_bytes(_run(km=1.0))
    config = parse_config({"settings": {"max_records_per_file": 200}})
    [outcome] = import_paths(store, [tmp_path / "long.gpx"], athlete="ana", config=config).outcomes
    assert outcome.status == "failed"
    assert outcome.reason == "more than 200 records in one file (setting max_records_per_file)"


def test_files_and_members_bigger_than_the_budget_are_refused_naming_the_setting(tmp_path, store):
    big = _run(km=3.0)
    small = _run(day=5, km=0.3)
    config = parse_config({"settings": {"max_file_bytes": len(small) + 100}})
    (tmp_path / "big.gpx").write_bytes(big)
    (tmp_path / "big.gpx.gz").write_bytes(gzip.compress(big))
    (tmp_path / "small.gpx").write_bytes(small)
    (tmp_path / "bulk.zip").write_bytes(zip_bytes({"big.gpx": big, "small.gpx": small}))

    result = import_paths(store, [tmp_path], athlete="ana", config=config)

    failed = {o.path.rsplit("/", 1)[-1]: o.reason for o in result.failed}
    assert set(failed) == {"big.gpx", "big.gpx.gz", "bulk.zip!big.gpx"}
    assert all(reason.endswith("(setting max_file_bytes)") for reason in failed.values())
    assert result.counts()["added"] == 1 and result.counts()["duplicate"] == 1  # small.gpx, twice


def test_a_fifo_named_like_a_watch_file_is_skipped_not_waited_on(tmp_path, store):
    fifo = tmp_path / "x.fit"
    os.mkfifo(fifo)
    (tmp_path / "run.gpx").write_bytes(_run())

    named = import_paths(store, [fifo], athlete="ana")
    in_folder = import_paths(store, [tmp_path], athlete="ana")

    [outcome] = named.outcomes
    assert (outcome.status, outcome.reason) == ("skipped", "a FIFO (named pipe), not a file: skipped")
    assert in_folder.counts()["added"] == 1 and not in_folder.failed


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero on this system")
def test_a_device_is_skipped_with_a_reason(store):
    [outcome] = import_paths(store, ["/dev/zero"], athlete="ana").outcomes
    assert (outcome.status, outcome.reason) == ("skipped", "a device, not a file: skipped")


def test_a_file_that_takes_too_long_fails_alone(tmp_path, store, monkeypatch):
    real_sniff = detect.sniff

    def endless(data, path=""):
        if path.endswith("slow.gpx"):
            while True:  # a decoder stuck on hostile bytes
                sum(range(1000))
        return real_sniff(data, path)

    monkeypatch.setattr(detect, "sniff", endless)
    (tmp_path / "slow.gpx").write_bytes(_run(day=3))
    (tmp_path / "z-run.gpx").write_bytes(_run(km=0.2))
    config = parse_config({"settings": {"max_file_seconds": 2.0}})  # ample for a 200 m run on a busy machine

    result = import_paths(store, [tmp_path], athlete="ana", config=config)

    [failed] = result.failed
    assert failed.path.endswith("slow.gpx")
    assert failed.reason == "took longer than 2 s to read (setting max_file_seconds)"
    assert result.counts()["added"] == 1


def test_outside_the_main_thread_the_decoders_count_checks_the_clock():
    caught: list[BaseException] = []

    def decode_forever():
        try:
            with limits.time_budget(0.2, "x.fit"):
                n = 0
                while True:  # a reader counting records of an endless file
                    n += 1
                    limits.count("record", n % 4096 or 4096, "x.fit")
        except BudgetError as exc:
            caught.append(exc)

    worker = threading.Thread(target=decode_forever)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert str(caught[0]) == "x.fit: took longer than 0.2 s to read (setting max_file_seconds)"


def test_deflate64_members_import(tmp_path, store, oslo_config):
    export = tmp_path / "windows.zip"
    export.write_bytes(deflate64_zip({"runs/a.gpx": _run(), "runs/b.tcx": tcx_bytes(run_points(utc(2026, 5, 6, 6)))}))
    assert {i.compress_type for i in zipfile.ZipFile(export).infolist()} == {9}

    result = import_paths(store, [export], athlete="ana", config=oslo_config)

    assert result.counts()["added"] == 2, result.outcomes


def test_a_damaged_deflate64_member_fails_naming_the_damage(tmp_path, store):
    data = bytearray(deflate64_zip({"a.gpx": _run(km=2.0)}))
    data[60:70] = b"\xff" * 10
    (tmp_path / "broken.zip").write_bytes(bytes(data))
    [outcome] = import_paths(store, [tmp_path / "broken.zip"], athlete="ana").outcomes
    assert outcome.status == "failed" and outcome.path.endswith("broken.zip!a.gpx")


def test_an_unknown_compression_fails_naming_it(tmp_path, store):
    data = bytearray(zip_bytes({"a.gpx": _run()}))
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = data.index(signature) + offset
        data[at:at + 2] = (98).to_bytes(2, "little")  # PPMd
    (tmp_path / "ppmd.zip").write_bytes(bytes(data))
    [outcome] = import_paths(store, [tmp_path / "ppmd.zip"], athlete="ana").outcomes
    assert outcome.status == "failed"
    assert "compressed with method 98 (PPMd), which strideload cannot read" in outcome.reason
