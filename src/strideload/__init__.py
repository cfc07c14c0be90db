"""strideload: running-watch exports in, knee-load observations out.

Library first; the ``strideload`` command is a thin layer over these calls::

    import strideload
    activity = strideload.read_activity("run.fit")      # summary dict + per-second DataFrame
    with strideload.Store.open("my.db") as store:
        result = strideload.import_paths(store, ["~/exports"], athlete="ana")

The names are loaded on first use (PEP 562), so ``import strideload`` stays cheap: pandas
and the readers load only when a call needs them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_LAZY = {
    "Config": ".config", "load_config": ".config",
    "StrideloadError": ".errors",
    "ImportResult": ".ingest.importer", "import_paths": ".ingest.importer",
    "read_activities": ".ingest.importer", "read_activity": ".ingest.importer",
    "Store": ".store",
}

__all__ = [
    "Config", "ImportResult", "Store", "StrideloadError", "__version__", "import_paths",
    "load_config", "read_activities", "read_activity",
]

if TYPE_CHECKING:  # for type checkers and IDEs: the same names, eagerly
    from .config import Config, load_config
    from .errors import StrideloadError
    from .ingest.importer import ImportResult, import_paths, read_activities, read_activity
    from .store import Store


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name], __name__), name)
    globals()[name] = value  # the next access is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
