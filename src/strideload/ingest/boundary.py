"""The per-file error boundary: whatever one file raises becomes that file's failure.

Every stage of an import that touches a file's bytes runs inside :func:`boundary`, so a bug of
ours, a decoder's own exception class, ``MemoryError`` or ``RecursionError`` fail that file
with a reason (the traceback goes to the debug log) and the import goes on with the next one.
"""

from __future__ import annotations

import gc
import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import StrideloadError, UnexpectedFileError

log = logging.getLogger("strideload.ingest.importer")

#: A file at least this large (bytes) that fails is followed by a garbage collection.
GC_AFTER_BYTES = 1 << 20


@contextmanager
def boundary(stage: str, path: str) -> Iterator[None]:
    """The per-file error boundary: any exception raised inside that is not a
    :class:`StrideloadError` (a bug of ours, ``MemoryError``, ``RecursionError``, a decoder's
    own error class ...) becomes an :class:`UnexpectedFileError` for ``path``, the original as
    ``__cause__``, its traceback in the debug log (``--debug`` / ``STRIDELOAD_DEBUG=1``)."""
    try:
        yield
    except StrideloadError:
        raise
    except Exception as exc:
        log.debug("unexpected error while %s %s", stage, path, exc_info=True)
        raise UnexpectedFileError(exc, stage=stage, path=path) from exc


def release(error: BaseException, read: int | None) -> None:
    """Let go of the bytes a failure's tracebacks still hold: their frames keep the file's data
    alive in reference cycles until a full garbage collection, so an archive of many large bad
    members would pile them up (1.5 GB for 100 members of 30 MB). Cheap beside reading a large
    file; skipped for small ones (``read``: bytes read, None when reading itself failed)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        current = current.__cause__ or current.__context__
    if read is None or read >= GC_AFTER_BYTES:
        gc.collect()
