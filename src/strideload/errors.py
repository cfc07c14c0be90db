"""The one error root of strideload.

Every error the library raises on purpose is a :class:`StrideloadError`. The CLI
catches that root once and turns it into a single line and a non-zero exit; any
other exception is a bug and keeps its traceback. Third-party errors are kept as
``__cause__`` (``raise ... from exc``).
"""

from __future__ import annotations

from pathlib import Path


class StrideloadError(Exception):
    """Root of every error strideload raises deliberately."""


class UsageError(StrideloadError):
    """The caller asked for something that cannot be done (bad option, unknown athlete)."""


class InputError(UsageError):
    """A row of a log the user keeps (pain, RPE, context periods) that cannot be accepted:
    ``field`` names the column, ``line`` the CSV line (None outside a file), ``reason`` why."""

    def __init__(self, message: str, *, field: str, line: int | None = None, path: str | Path | None = None):
        self.field, self.line, self.reason = field, line, message
        self.path = str(path) if path is not None else None
        where = ", ".join(part for part in (self.path, f"line {line}" if line is not None else None) if part)
        super().__init__(f"{where}: field {field!r}: {message}" if where else f"field {field!r}: {message}")


class ConfigError(StrideloadError):
    """A configuration file or value is invalid. ``key`` names the offending setting."""

    def __init__(self, message: str, *, key: str | None = None, path: Path | None = None):
        self.key = key
        self.path = path
        where = f"{path}: " if path else ""
        super().__init__(f"{where}{message}")


class StoreError(StrideloadError):
    """The local store cannot be opened, migrated or written."""


class FileImportError(StrideloadError):
    """One input file could not be imported.

    ``path`` is what the user sees (for a zip member: ``archive.zip!member.fit``);
    ``offset`` is a byte offset or line number where the reader knows it.
    """

    def __init__(self, message: str, *, path: str | Path | None = None, offset: int | None = None):
        self.path = str(path) if path is not None else None
        self.offset = offset
        self.reason = message
        super().__init__(f"{self.path}: {message}" if self.path else message)


class UnknownFormatError(FileImportError):
    """The bytes are not any format strideload reads (the message names what was tried)."""


class CorruptFileError(FileImportError):
    """The format was recognised but the content is broken (truncated, bad XML, bad CRC)."""


class NoActivityError(FileImportError):
    """The file is valid but holds no dated activity (settings file, planned route, no timestamps)."""


class ArchiveError(FileImportError):
    """A zip or gzip archive is unsafe (path escape, bomb) or unreadable."""


class BudgetError(FileImportError):
    """One file goes beyond a configured budget (size, sessions, records, time); ``setting``
    names the setting that would let it through."""

    def __init__(self, message: str, *, setting: str, path: str | Path | None = None):
        self.setting = setting
        super().__init__(f"{message} (setting {setting})", path=path)


class NotAFileError(FileImportError):
    """The path is a device, a FIFO or a socket, never read (reading one could block or never end)."""


class ImplausibleError(FileImportError):
    """The file's values cannot be a real activity (dated 2099, timestamps running backward ...);
    the reason says which values and the setting that bounds them, where one does."""


class UnexpectedFileError(FileImportError):
    """An exception strideload did not expect while handling one file: a bug of ours (or the
    machine running out of something), never a reason to stop the other files.

    The original exception is ``__cause__``; ``stage`` says what was being done ("reading
    the FIT file", "normalising session 2" ...).
    """

    def __init__(self, error: BaseException, *, stage: str, path: str | Path | None = None):
        self.stage = stage
        detail = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
        kind = type(error).__name__
        message = f"unexpected error while {stage}: {kind}{': ' + detail if detail else ''}"
        if not isinstance(error, (MemoryError, OSError)):
            message += "  (a strideload bug: please report it with this file)"
        super().__init__(message, path=path)
