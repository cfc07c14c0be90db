"""Where the real watch files live (``../shared/corpus``) and how tests reach them.

The files stay outside the repository; tests that read them are marked
``@pytest.mark.corpus`` and ``@requires_corpus`` and skip, with a reason, when the folder
is absent.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

#: The shared corpus folder: ``files/``, ``MANIFEST.csv``, ``licenses/``: ``STRIDELOAD_CORPUS`` if set,
#: else ``../shared/corpus`` beside the repository (or one folder higher, for a git worktree).
CORPUS_DIR = Path(os.environ.get("STRIDELOAD_CORPUS") or next(
    (p / "shared" / "corpus" for p in Path(__file__).resolve().parents[2:4] if (p / "shared" / "corpus").is_dir()),
    Path(__file__).resolve().parents[2] / "shared" / "corpus"))

_MANIFEST = CORPUS_DIR / "MANIFEST.csv"

#: Skip marker for tests that need the corpus.
requires_corpus = pytest.mark.skipif(not _MANIFEST.is_file(), reason=f"corpus not found at {CORPUS_DIR}")


def manifest_rows() -> list[dict[str, str]]:
    """Rows of ``MANIFEST.csv`` as dicts (empty strings for empty cells); [] without a corpus."""
    if not _MANIFEST.is_file():
        return []
    with _MANIFEST.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
