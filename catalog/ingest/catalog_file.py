"""A workspace's ``catalog.yml``: its warehouse, and the tables, metrics and apps it declares.

Pure: the text in, frozen dataclasses out, one exception with an exact message.

    version: 1
    warehouse: {name: warehouse, type: duckdb, path_env: TRIBUTARY_WAREHOUSE,
                default_path: demo/var/warehouse.duckdb}
    tables:  [{name: core.users, description: ..., owner: ..., tags: [pii],
               notebook: users/users_table.ipynb, columns: [{name: email, description: ...}]}]
    metrics: [{name: net_revenue, title: ..., description: ..., definition: ..., owner: ...,
               tags: [...], tables: [analytics.billing_daily], notebook: ...}]
    apps:    [{name: delete-user, title: ..., notebook: ..., description: ..., owner: ...,
               tags: []}]

A PostgreSQL warehouse gives ``type: postgres`` and ``dsn: postgresql://user@host:5432/db``
(never a password: ``password_env`` names the variable that holds it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from catalog.formats.model import FormatError
from catalog.formats.safe_yaml import load_yaml

FILE_NAME = "catalog.yml"
ENGINES = {"duckdb": "duckdb", "postgres": "postgres", "postgresql": "postgres"}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,199}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


class CatalogFileError(ValueError):
    """The file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class WarehouseSpec:
    name: str
    engine: str  # duckdb | postgres
    dialect: str
    namespace: str
    location: str  # a DuckDB file path, or a DSN without password
    database: str
    schema: str
    password_env: str = ""


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    description: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    name: str
    description: str = ""
    owner: str = ""
    tags: tuple[str, ...] = ()
    notebook: str = ""
    columns: tuple[ColumnSpec, ...] = ()


@dataclass(frozen=True)
class MetricSpec:
    name: str
    title: str = ""
    description: str = ""
    definition: str = ""
    owner: str = ""
    tags: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    notebook: str = ""


@dataclass(frozen=True)
class AppSpec:
    name: str
    title: str = ""
    notebook: str = ""
    description: str = ""
    owner: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class CatalogFile:
    warehouse: WarehouseSpec | None = None
    tables: tuple[TableSpec, ...] = ()
    metrics: tuple[MetricSpec, ...] = ()
    apps: tuple[AppSpec, ...] = ()


def parse_catalog_file(
    text: str, *, env: Mapping[str, str] | None = None, base_dir: Path | None = None
) -> CatalogFile:
    """Parse a catalog.yml. ``env`` resolves ``path_env``; relative paths are taken from
    ``base_dir`` (where the notebooks run, e.g. the repository root).

    Examples:
        >>> spec = parse_catalog_file("warehouse: {name: wh, type: duckdb, path: /d/wh.duckdb}")
        >>> spec.warehouse.namespace, spec.warehouse.database, spec.warehouse.schema
        ('duckdb://wh', 'wh', 'main')
        >>> parse_catalog_file("tables: [{description: x}]")
        Traceback (most recent call last):
        ...
        catalog.ingest.catalog_file.CatalogFileError: catalog.yml: tables[0] needs a 'name'
    """
    try:
        data = load_yaml(text) if text.strip() else {}
    except FormatError as exc:
        raise CatalogFileError(f"{FILE_NAME}: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise CatalogFileError(f"{FILE_NAME}: the file must hold a mapping")
    version = data.get("version", 1)
    if version != 1:
        raise CatalogFileError(f"{FILE_NAME}: unknown version {version!r}; this reads version 1")
    warehouse = data.get("warehouse")
    return CatalogFile(
        warehouse=_warehouse(warehouse, env or {}, base_dir) if warehouse else None,
        tables=tuple(_table(t, f"tables[{i}]") for i, t in enumerate(_list(data, "tables"))),
        metrics=tuple(_metric(m, f"metrics[{i}]") for i, m in enumerate(_list(data, "metrics"))),
        apps=tuple(_app(a, f"apps[{i}]") for i, a in enumerate(_list(data, "apps"))),
    )


def _list(data: Mapping, key: str) -> list:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise CatalogFileError(f"{FILE_NAME}: '{key}' must be a list")
    return value


def _mapping(value: Any, where: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise CatalogFileError(f"{FILE_NAME}: {where} must be a mapping")
    return value


def _text(item: Mapping, key: str, where: str, *, required: bool = False) -> str:
    value = item.get(key)
    if value is None:
        if required:
            raise CatalogFileError(f"{FILE_NAME}: {where} needs a '{key}'")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise CatalogFileError(f"{FILE_NAME}: {where}.{key} must be text")
    return str(value).strip()


def _tags(item: Mapping, where: str) -> tuple[str, ...]:
    value = item.get("tags") or []
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise CatalogFileError(f"{FILE_NAME}: {where}.tags must be a list of words")
    return tuple(dict.fromkeys(t.strip() for t in value if t.strip()))


def _owner(item: Mapping, where: str) -> str:
    owner = _text(item, "owner", where)
    if owner and not _EMAIL.match(owner):
        raise CatalogFileError(f"{FILE_NAME}: {where}.owner must be an e-mail address")
    return owner


def _warehouse(value: Any, env: Mapping[str, str], base_dir: Path | None) -> WarehouseSpec:
    item = _mapping(value, "warehouse")
    name = _text(item, "name", "warehouse", required=True)
    kind = _text(item, "type", "warehouse", required=True).lower()
    if kind not in ENGINES:
        raise CatalogFileError(
            f"{FILE_NAME}: warehouse.type must be one of {', '.join(sorted(ENGINES))}, got '{kind}'"
        )
    engine = ENGINES[kind]
    dialect = _text(item, "dialect", "warehouse") or engine
    namespace = _text(item, "namespace", "warehouse")
    password_env = _text(item, "password_env", "warehouse")
    if engine == "duckdb":
        path_env = _text(item, "path_env", "warehouse")
        location = (env.get(path_env) if path_env else None) or _text(item, "path", "warehouse")
        location = location or _text(item, "default_path", "warehouse")
        if not location:
            raise CatalogFileError(f"{FILE_NAME}: a duckdb warehouse needs a 'path'")
        path = Path(location)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        location = str(path)
        database = _text(item, "database", "warehouse") or Path(location).stem
        schema = _text(item, "schema", "warehouse") or "main"
        namespace = namespace or f"duckdb://{name}"
    else:
        dsn_env = _text(item, "dsn_env", "warehouse")
        location = (env.get(dsn_env) if dsn_env else None) or _text(item, "dsn", "warehouse")
        if not location:
            raise CatalogFileError(f"{FILE_NAME}: a postgres warehouse needs a 'dsn'")
        parts = urlsplit(location)
        if parts.password:
            raise CatalogFileError(
                f"{FILE_NAME}: warehouse.dsn must not hold a password; name the variable "
                "that holds it in 'password_env'"
            )
        database = _text(item, "database", "warehouse") or parts.path.lstrip("/")
        schema = _text(item, "schema", "warehouse") or "public"
        host = parts.hostname or "localhost"
        namespace = namespace or f"postgres://{host}:{parts.port or 5432}/{database}"
    return WarehouseSpec(
        name=name,
        engine=engine,
        dialect=dialect,
        namespace=namespace,
        location=location,
        database=database,
        schema=schema,
        password_env=password_env,
    )


def _table(value: Any, where: str) -> TableSpec:
    item = _mapping(value, where)
    columns = []
    for index, column in enumerate(item.get("columns") or []):
        column_where = f"{where}.columns[{index}]"
        column = _mapping(column, column_where)
        columns.append(
            ColumnSpec(
                name=_text(column, "name", column_where, required=True),
                description=_text(column, "description", column_where),
                tags=_tags(column, column_where),
            )
        )
    return TableSpec(
        name=_text(item, "name", where, required=True),
        description=_text(item, "description", where),
        owner=_owner(item, where),
        tags=_tags(item, where),
        notebook=_text(item, "notebook", where),
        columns=tuple(columns),
    )


def _metric(value: Any, where: str) -> MetricSpec:
    item = _mapping(value, where)
    name = _text(item, "name", where, required=True)
    if not _SLUG.match(name):
        raise CatalogFileError(
            f"{FILE_NAME}: {where}.name must be lower-case letters, digits, '_' or '-'"
        )
    tables = item.get("tables") or []
    if not isinstance(tables, list) or not all(isinstance(t, str) for t in tables):
        raise CatalogFileError(f"{FILE_NAME}: {where}.tables must be a list of table names")
    return MetricSpec(
        name=name,
        title=_text(item, "title", where),
        description=_text(item, "description", where),
        definition=_text(item, "definition", where),
        owner=_owner(item, where),
        tags=_tags(item, where),
        tables=tuple(t.strip() for t in tables),
        notebook=_text(item, "notebook", where),
    )


def _app(value: Any, where: str) -> AppSpec:
    item = _mapping(value, where)
    name = _text(item, "name", where, required=True)
    if not _SLUG.match(name):
        raise CatalogFileError(
            f"{FILE_NAME}: {where}.name must be lower-case letters, digits, '_' or '-'"
        )
    return AppSpec(
        name=name,
        title=_text(item, "title", where) or name,
        notebook=_text(item, "notebook", where, required=True),
        description=_text(item, "description", where),
        owner=_owner(item, where),
        tags=_tags(item, where),
    )
