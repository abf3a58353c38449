"""The API's configuration: read once from ``TRADEKG_*`` environment variables and an optional TOML file,
frozen, passed to :func:`tradekg.api.app.create_app` (never imported as a global).

Precedence: environment over config file over defaults, so a deployment can keep a file and still
override one value for a run. Secrets (the update token) are never printed: :meth:`Settings.describe`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ..graph.errors import ConfigError  # noqa: F401 - re-exported: tradekg.api.settings.ConfigError

MAX_PAGE_SIZE = 500  # documented in OpenAPI; a larger `limit` is refused with 422
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True)
class Settings:
    store: Path | None = None            # embedded store folder (default: tradekg's default store)
    endpoint: str | None = None          # or a SPARQL 1.1 endpoint URL instead of the embedded store
    query_timeout_s: float = 30.0        # wall-clock limit per /sparql query; the worker is killed after it
    row_cap: int = 100_000               # most rows (or triples) a /sparql answer carries; more are cut off
    sparql_workers: int = 2              # /sparql queries that may run long at once (+1 worker kept for short ones)
    cors_origins: tuple[str, ...] = ()   # CORS allow-list; empty = public read-only CORS (below) or none
    cors_public: bool = True             # without an allow-list: `*` on reads (GET, queries), never on updates
    update_token: str | None = None      # SPARQL UPDATE is refused (403) unless this bearer token is presented
    allow_service: bool = False          # SERVICE (federated) queries and LOAD of remote documents
    gzip_min_bytes: int = 1_000          # compress responses larger than this
    memory: str = "auto"                 # serve from an in-memory copy of the store: auto | on | off
    heavy_after_s: float = 1.0           # a /sparql query still running after this is heavy (sparql_workers lane)
    worker_memory_mb: int = 1024         # memory a /sparql query may use before it is stopped (0 = no cap)
    reload_check_s: float = 2.0          # how often to look for a rebuilt store to switch to (0 = never)
    rest_timeout_s: float = 30.0         # wait per heavy REST computation (network, paths, export); then 503
    rest_slots: int = 2                  # heavy REST computations running at once; more queue (a few), then 503
    answer_cache_mb: int = 64            # whole answers of repeated GETs (JSON routes, /sparql), with ETags (0 = off)

    _ENV = {"store": "TRADEKG_STORE", "endpoint": "TRADEKG_ENDPOINT",
            "query_timeout_s": "TRADEKG_QUERY_TIMEOUT", "row_cap": "TRADEKG_ROW_CAP",
            "sparql_workers": "TRADEKG_SPARQL_WORKERS", "cors_origins": "TRADEKG_CORS_ORIGINS",
            "cors_public": "TRADEKG_CORS_PUBLIC",
            "update_token": "TRADEKG_UPDATE_TOKEN", "allow_service": "TRADEKG_ALLOW_SERVICE",
            "gzip_min_bytes": "TRADEKG_GZIP_MIN_BYTES", "memory": "TRADEKG_MEMORY",
            "heavy_after_s": "TRADEKG_HEAVY_AFTER", "worker_memory_mb": "TRADEKG_WORKER_MEMORY_MB",
            "reload_check_s": "TRADEKG_RELOAD_CHECK", "rest_timeout_s": "TRADEKG_REST_TIMEOUT",
            "rest_slots": "TRADEKG_REST_SLOTS", "answer_cache_mb": "TRADEKG_ANSWER_CACHE_MB"}

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, config: Path | None = None,
             **overrides: Any) -> Settings:
        """Defaults, then the TOML file (``config`` or ``$TRADEKG_CONFIG``), then the environment, then ``overrides``."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        path = config or (Path(env["TRADEKG_CONFIG"]) if env.get("TRADEKG_CONFIG") else None)
        if path is not None:
            values.update(_read_toml(path))
        for name, var in cls._ENV.items():
            if env.get(var):
                values[name] = _convert(name, env[var], var)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        if settings.query_timeout_s <= 0 or settings.row_cap < 1 or settings.sparql_workers < 1:
            raise ConfigError("query_timeout_s, row_cap and sparql_workers must be positive")
        if settings.memory not in ("auto", "on", "off"):
            raise ConfigError(f"memory must be auto, on or off, not {settings.memory!r}")
        if settings.rest_timeout_s <= 0 or settings.rest_slots < 1:
            raise ConfigError("rest_timeout_s and rest_slots must be positive")
        if settings.answer_cache_mb < 0:
            raise ConfigError("answer_cache_mb must be 0 (off) or more")
        return settings

    def describe(self) -> str:
        """One line per setting for the start-up banner; the token shows only whether it is set."""
        lines = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "update_token":
                value = "(set)" if value else "(not set: SPARQL UPDATE refused)"
            elif f.name == "cors_origins":
                value = ", ".join(value) or "(none)"
            lines.append(f"  {f.name:<16} {value}")
        return "\n".join(lines)


def _kind(name: str) -> str:
    return {"store": "path", "query_timeout_s": "float", "row_cap": "int", "sparql_workers": "int",
            "gzip_min_bytes": "int", "cors_origins": "list", "allow_service": "bool", "cors_public": "bool",
            "heavy_after_s": "float", "worker_memory_mb": "int", "reload_check_s": "float",
            "rest_timeout_s": "float", "rest_slots": "int", "answer_cache_mb": "int"}.get(name, "str")


def _convert(name: str, raw: Any, where: str) -> Any:
    """A raw value (env text or TOML value) as the field's type; ConfigError names ``where``."""
    kind = _kind(name)
    try:
        if kind == "path":
            return Path(str(raw)).expanduser()
        if kind == "float":
            return float(raw)
        if kind == "int":
            return int(raw)
        if kind == "list":
            items = raw.split(",") if isinstance(raw, str) else list(raw)
            return tuple(str(i).strip() for i in items if str(i).strip())
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            if str(raw).lower() in ("1", "true", "yes", "on"):
                return True
            if str(raw).lower() in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(raw)
        return str(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {raw!r} is not a valid {kind} for {name}") from None


def _read_toml(path: Path) -> dict[str, Any]:
    """Keys of the file's top level or its [api] table, named like the Settings fields."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"cannot read the config file {path}: {e}") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: {e}") from e
    table = data.get("api", data)
    known = {f.name for f in fields(Settings)}
    unknown = set(table) - known - {"api"}
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {sorted(unknown)}; known: {sorted(known)}")
    return {k: _convert(k, v, f"{path}: {k}") for k, v in table.items() if k in known}
