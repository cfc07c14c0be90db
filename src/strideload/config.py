"""Settings: every threshold and window is data, with a name, unit, default and source.

Defaults live in :data:`SETTINGS` (:mod:`strideload.settings`). A TOML file overrides them::

    [settings]
    session_spike_small = 1.15

    [athletes.ana]
    timezone = "Europe/Oslo"
    cadence_hint_spm = 160

Top-level ``[settings]`` applies to everyone; ``[athletes.NAME]`` only to that athlete
and only for settings marked ``per_athlete``. Unknown keys and bad values raise
:class:`~strideload.errors.ConfigError` naming the key.

The file is ``--config PATH``, else ``$STRIDELOAD_CONFIG``, else ``config.toml`` in the
user's config directory (platformdirs) when it exists.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError
from .settings import ORDERED, RENAMED, SETTINGS, Setting

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

APP_NAME = "strideload"

__all__ = ["APP_NAME", "ORDERED", "RENAMED", "SETTINGS", "Config", "Setting", "default_config_path", "load_config",
           "parse_config"]


def _check(setting: Setting, value: Any, where: str) -> Any:
    if setting.kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, setting.kind) or isinstance(value, bool) != (setting.kind is bool):
        raise ConfigError(f"{where}: expected {setting.kind.__name__}, got {value!r}", key=setting.name)
    if setting.minimum is not None and value < setting.minimum:
        raise ConfigError(f"{where}: {value!r} is below the minimum {setting.minimum}", key=setting.name)
    if setting.maximum is not None and value > setting.maximum:
        raise ConfigError(f"{where}: {value!r} is above the maximum {setting.maximum}", key=setting.name)
    if setting.choices is not None and value not in setting.choices:
        raise ConfigError(f"{where}: {value!r} is not one of {', '.join(setting.choices)}", key=setting.name)
    if setting.name == "timezone" and value:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"{where}: unknown time zone {value!r}", key=setting.name) from exc
    return value


@dataclass
class Config:
    """Effective settings: defaults, overridden by a file, per athlete where allowed."""

    values: dict[str, Any] = field(default_factory=dict)
    athletes: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: Path | None = None

    def get(self, name: str, athlete: str | None = None) -> Any:
        """The effective value of setting ``name`` (for ``athlete`` where per-athlete)."""
        if name not in SETTINGS:
            raise ConfigError(f"unknown setting {name!r}", key=name)
        if athlete is not None and name in self.athletes.get(athlete, {}):
            return self.athletes[athlete][name]
        return self.values.get(name, SETTINGS[name].default)

    def origin(self, name: str, athlete: str | None = None) -> str:
        """Where the effective value came from: ``default`` or the file (and section)."""
        if athlete is not None and name in self.athletes.get(athlete, {}):
            return f"{self.path} [athletes.{athlete}]"
        if name in self.values:
            return f"{self.path} [settings]"
        return "default"

    def timezone(self, athlete: str) -> tzinfo | None:
        """The athlete's zone, or ``None`` for this machine's local zone."""
        name = self.get("timezone", athlete)
        return ZoneInfo(name) if name else None

    def today(self, athlete: str) -> date:
        """The athlete's local date now (their configured zone, else this machine's)."""
        return datetime.now(self.timezone(athlete)).date()

    def rows(self, athlete: str | None = None) -> list[dict[str, Any]]:
        """Every setting with its effective value, unit, source key and origin."""
        return [
            {"name": s.name, "value": self.get(s.name, athlete), "unit": s.unit,
             "source": s.source, "origin": self.origin(s.name, athlete), "description": s.description}
            for s in SETTINGS.values()
        ]


def default_config_path() -> Path:
    import platformdirs  # only for the default path: not worth its import elsewhere

    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def load_config(path: Path | str | None = None) -> Config:
    """Read the effective configuration (see module doc for the lookup order)."""
    explicit = path is not None or bool(os.environ.get("STRIDELOAD_CONFIG"))
    path = Path(path or os.environ.get("STRIDELOAD_CONFIG") or default_config_path())
    try:
        if not path.exists():
            if explicit:
                raise ConfigError("config file not found", path=path)
            return Config()
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=path) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read the config file: {exc.strerror or exc}", path=path) from exc
    return parse_config(data, path)


def parse_config(data: dict[str, Any], path: Path | None = None) -> Config:
    """Validate a parsed TOML document into a :class:`Config`."""
    unknown_sections = set(data) - {"settings", "athletes"}
    if unknown_sections:
        name = sorted(unknown_sections)[0]
        raise ConfigError(f"unknown section [{name}] (expected [settings] or [athletes.NAME])",
                          key=name, path=path)
    for section in ("settings", "athletes"):
        if not isinstance(data.get(section, {}), dict):
            raise ConfigError(f"{section} must be a table ([{section}]"
                              f"{'.NAME' if section == 'athletes' else ''}), not {data[section]!r}",
                              key=section, path=path)
    config = Config(path=path)
    for name, value in data.get("settings", {}).items():
        name = RENAMED.get(name, name)
        if name not in SETTINGS:
            raise ConfigError(f"unknown setting {name!r} in [settings]", key=name, path=path)
        config.values[name] = _check(SETTINGS[name], value, f"[settings] {name}")
    for athlete, table in data.get("athletes", {}).items():
        if not isinstance(table, dict):
            raise ConfigError(f"[athletes.{athlete}] must be a table", key=athlete, path=path)
        overrides = config.athletes.setdefault(athlete, {})
        for name, value in table.items():
            name = RENAMED.get(name, name)
            setting = SETTINGS.get(name)
            if setting is None:
                raise ConfigError(f"unknown setting {name!r} in [athletes.{athlete}]", key=name, path=path)
            if not setting.per_athlete:
                raise ConfigError(f"{name!r} cannot be set per athlete; put it in [settings]",
                                  key=name, path=path)
            overrides[name] = _check(setting, value, f"[athletes.{athlete}] {name}")
    for low, high, strict in ORDERED:
        a, b = config.get(low), config.get(high)
        if a > b or (strict and a == b):
            key = high if high in config.values else low
            relation = "below" if strict else "at most"
            raise ConfigError(f"[settings] {low} ({a}) must be {relation} {high} ({b})", key=key, path=path)
    return config
