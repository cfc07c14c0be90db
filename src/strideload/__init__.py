"""strideload: running-watch exports in, knee-load observations out.

Library first; the ``strideload`` command is a thin layer over these calls::

    import strideload
    activity = strideload.read_activity("run.fit")      # summary dict + per-second DataFrame
    with strideload.Store.open("my.db") as store:
        result = strideload.import_paths(store, ["~/exports"], athlete="ana")
"""

from __future__ import annotations

__version__ = "0.1.0"

from .config import Config, load_config  # noqa: E402
from .errors import StrideloadError  # noqa: E402
from .ingest.importer import ImportResult, import_paths, read_activities, read_activity  # noqa: E402
from .store import Store  # noqa: E402

__all__ = [
    "Config", "ImportResult", "Store", "StrideloadError", "__version__", "import_paths",
    "load_config", "read_activities", "read_activity",
]
