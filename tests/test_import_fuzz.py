"""Fuzzing: mutants of real and generated watch files, alone and in zips and gzips, imported in
batches. Each one imports or fails with a reason naming it; none stops the batch, none hangs
(the per-file time budget), none leaves a partial or implausible activity in the store.

The default run tries a few hundred mutants of small files; ``STRIDELOAD_LONG=1`` adds the
long run: every corpus file, over 5,000 mutants. The RNG is seeded (``STRIDELOAD_FUZZ_SEED``
changes it); a failure prints the seed and what was done to the file.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from pathlib import Path

import pytest
from corpus import CORPUS_DIR, requires_corpus
from files import fit_bytes, gpx_bytes, run_points, tcx_bytes, utc
from mutate import Mutant, mutants

from strideload.config import parse_config
from strideload.errors import StrideloadError
from strideload.ingest.importer import import_paths, read_activities
from strideload.store import Store

SEED = int(os.environ.get("STRIDELOAD_FUZZ_SEED", "20261129"))
BATCH = 100
#: Generous for a loaded 2-core machine; a mutant that needs it is reported, not hidden.
CONFIG = parse_config({"settings": {"timezone": "Europe/Oslo", "max_file_seconds": 60.0}})


def generated() -> dict[str, bytes]:
    start = utc(2026, 5, 4, 6)
    points = run_points(start, km=0.4)
    return {"gen.gpx": gpx_bytes(points), "gen.tcx": tcx_bytes(points),
            "gen.fit": fit_bytes(points), "gen-nogps.fit": fit_bytes(run_points(start, km=0.3), gps=False)}


def corpus_files(max_bytes: int | None) -> dict[str, bytes]:
    files = sorted(p for p in (CORPUS_DIR / "files").rglob("*") if p.is_file())
    return {p.relative_to(CORPUS_DIR / "files").as_posix().replace("/", "__"): p.read_bytes() for p in files
            if max_bytes is None or p.stat().st_size <= max_bytes}


def fuzz(tmp_path: Path, originals: dict[str, tuple[bytes, int]], seed: int, *, check_reader_every: int) -> Counter:
    """Import mutants of ``originals`` (name -> (bytes, how many mutants)) in batches; assert the
    invariants; return counts of outcomes."""
    rng = random.Random(seed)
    every = [m for name, (data, count) in originals.items() for m in mutants(name, data, rng, count)]
    tally: Counter = Counter()
    with Store.open(tmp_path / "fuzz.db") as store:
        for start in range(0, len(every), BATCH):
            batch = every[start:start + BATCH]
            folder = tmp_path / f"batch{start // BATCH:03d}"
            folder.mkdir()
            for mutant in batch:
                (folder / mutant.name).write_bytes(mutant.data)
            problems = _check_batch(store, folder, batch, tally, check_reader_every)
            assert not problems, f"seed {seed}, batch {start // BATCH}:\n" + "\n".join(problems[:20])
    tally["mutants"] = len(every)
    print(f"\nfuzz seed {seed}: " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items())))
    return tally


def _check_batch(store: Store, folder: Path, batch: list[Mutant], tally: Counter, check_reader_every: int) -> list[str]:
    result = import_paths(store, [folder], athlete="fuzz", config=CONFIG)
    problems: list[str] = []
    by_file: dict[str, list] = {}
    for outcome in result.outcomes:
        by_file.setdefault(outcome.path.split("!")[0].split("#")[0], []).append(outcome)
    for k, mutant in enumerate(batch):
        path = folder / mutant.name
        outcomes = by_file.get(str(path), [])
        if not outcomes:
            problems.append(f"{mutant.name} ({mutant.how}): no outcome")
        for outcome in outcomes:
            tally[outcome.status] += 1
            if outcome.status == "failed":
                if not outcome.reason:
                    problems.append(f"{mutant.name} ({mutant.how}): failed without a reason")
                elif "strideload bug" in outcome.reason:
                    tally["failed: unexpected error (a bug)"] += 1
                    print(f"  unexpected: {mutant.name} ({mutant.how}): {outcome.reason}")
                elif "max_file_seconds" in outcome.reason:
                    tally["failed: time budget"] += 1
        if check_reader_every and k % check_reader_every == 0 and not mutant.name.endswith(".zip"):
            problems.extend(_check_reader(path, mutant))
    problems.extend(_check_store(store, result))
    return problems


def _check_reader(path: Path, mutant: Mutant) -> list[str]:
    """The library call raises only StrideloadError, naming the file."""
    try:
        read_activities(path, config=CONFIG)
    except StrideloadError as exc:
        if str(path) not in str(exc):
            return [f"{mutant.name} ({mutant.how}): error does not name the file: {exc}"]
    except BaseException as exc:  # noqa: BLE001 - exactly what must never escape
        return [f"{mutant.name} ({mutant.how}): read_activities raised {type(exc).__name__}: {exc}"]
    return []


def _check_store(store: Store, result) -> list[str]:
    """Every stored activity is whole (its stream is there, its file recorded) and plausible;
    nothing of a failed file is stored."""
    problems = []
    frame = store.activities_frame()
    failed = {o.path for o in result.failed}
    for row in frame.itertuples():
        try:
            store.stream(row.id)
        except StrideloadError:
            problems.append(f"{row.source_path}: activity {row.id} stored without its stream")
        if store.known_file(row.sha256) is None:
            problems.append(f"{row.source_path}: activity {row.id} stored but its file is not recorded")
        if row.source_path in failed:
            problems.append(f"{row.source_path}: failed, yet activity {row.id} is stored")
        if not (0 <= row.distance_m < 1e7) or not ("2000-01-01" <= row.local_date <= "2100-01-01"):
            problems.append(f"{row.source_path}: implausible activity stored ({row.distance_m} m, {row.local_date})")
    recorded = {f["source_path"] for f in store.failures()}
    problems.extend(f"{path}: failed but not recorded" for path in failed - recorded)
    return problems


def test_a_few_hundred_mutants_of_small_files_each_import_or_fail_alone(tmp_path):
    with_corpus = (CORPUS_DIR / "files").is_dir()  # without it, more mutants of the generated files
    originals = {name: (data, 40 if with_corpus else 80) for name, data in generated().items()}
    if with_corpus:
        originals.update({name: (data, 7) for name, data in corpus_files(max_bytes=12_000).items()})
    tally = fuzz(tmp_path, originals, SEED, check_reader_every=10)
    assert tally["mutants"] >= 300
    assert tally["failed"] and tally["added"] + tally["non-running"]  # mutants of both kinds were made


@pytest.mark.long
@requires_corpus
def test_thousands_of_mutants_of_every_corpus_file(tmp_path):
    originals = {name: (data, 400) for name, data in generated().items()}
    for name, data in corpus_files(max_bytes=None).items():
        originals[name] = (data, 60 if len(data) <= 100_000 else 12 if len(data) <= 600_000 else 4)
    tally = fuzz(tmp_path, originals, SEED + 1, check_reader_every=5)
    assert tally["mutants"] >= 5000
