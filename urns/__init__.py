"""Asset URNs: the one place that builds and parses them. Pure: standard library only.

Every thing that can be documented, searched, granted, audited or drawn has a stable,
human-readable URN, ``kind:rest``. `AssetKind` knows each kind's shape: `AssetKind.urn`
builds one from its parts and `parse_urn` gives the parts back. Workspace-owned kinds
(notebook, block, metric, app, connection, invite) start their rest with the workspace
slug, which holds no ``/``. Table and column URNs start with the warehouse namespace,
which may itself hold ``/`` (``postgres://host:5432/analytics``); a table name holds none
unless it is a file, whose warehouse is ``file``, so the last ``/`` ends the warehouse.

Examples:
    >>> AssetKind.BLOCK.urn("production", "billing/a.ipynb", "3f2a")
    'block:production/billing/a.ipynb#3f2a'
    >>> urn = parse_urn("column:postgres://wh:5432/analytics/core.users.email")
    >>> urn.kind, urn.warehouse, urn.table, urn.column
    (<AssetKind.COLUMN: 'column'>, 'postgres://wh:5432/analytics', 'core.users', 'email')
    >>> parse_urn("block:production/billing/a.ipynb#3f2a").notebook_urn
    'notebook:production/billing/a.ipynb'
    >>> parse_urn("nonsense")
    Traceback (most recent call last):
        ...
    urns.UrnError: 'nonsense' is not a URN: it has no kind prefix such as 'table:'.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

Urn = str
FILE_WAREHOUSE = "file"


class UrnError(ValueError):
    """A string that is not a URN of a kind we know; the message says why."""


class AssetKind(enum.StrEnum):
    """Every kind of URN, with the parts its rest is made of."""

    WORKSPACE = "workspace"
    NOTEBOOK = "notebook"
    BLOCK = "block"
    TABLE = "table"
    COLUMN = "column"
    METRIC = "metric"
    APP = "app"
    CONNECTION = "connection"
    INVITE = "invite"
    USER = "user"
    TEAM = "team"
    REVIEW = "review"
    RUN = "run"
    # Origins of harvested documentation that are not assets themselves.
    CATALOG_FILE = "catalog.yml"
    WAREHOUSE = "warehouse"

    @property
    def parts(self) -> tuple[str, ...]:
        return _PARTS[self]

    @property
    def is_workspace_owned(self) -> bool:
        """Whether its rest starts with the slug of the workspace it belongs to."""
        return self in _IN_WORKSPACE

    def urn(self, *parts: str | int) -> Urn:
        """The URN of this kind made of ``parts`` (see `parts` for their order).

        Examples:
            >>> AssetKind.TABLE.urn("duckdb://demo", "analytics.users")
            'table:duckdb://demo/analytics.users'
            >>> AssetKind.RUN.urn(12)
            'run:12'
        """
        names = _PARTS[self]
        if len(parts) != len(names):
            raise TypeError(f"A {self.value} URN is made of {', '.join(names)}; got {parts!r}")
        text = [str(p) for p in parts]
        if self is AssetKind.BLOCK:
            rest = f"{text[0]}/{text[1]}#{text[2]}"
        elif self is AssetKind.COLUMN:
            rest = f"{text[0]}/{text[1]}.{text[2]}"
        else:
            rest = "/".join(text)
        return f"{self.value}:{rest}"


_PARTS: dict[AssetKind, tuple[str, ...]] = {
    AssetKind.WORKSPACE: ("workspace",),
    AssetKind.NOTEBOOK: ("workspace", "path"),
    AssetKind.BLOCK: ("workspace", "path", "block"),
    AssetKind.TABLE: ("warehouse", "table"),
    AssetKind.COLUMN: ("warehouse", "table", "column"),
    AssetKind.METRIC: ("workspace", "name"),
    AssetKind.APP: ("workspace", "name"),
    AssetKind.CONNECTION: ("workspace", "name"),
    AssetKind.INVITE: ("workspace", "name"),
    AssetKind.USER: ("name",),
    AssetKind.TEAM: ("name",),
    AssetKind.REVIEW: ("name",),
    AssetKind.RUN: ("name",),
    AssetKind.CATALOG_FILE: ("workspace",),
    AssetKind.WAREHOUSE: ("warehouse",),
}
_IN_WORKSPACE = frozenset(
    {
        AssetKind.NOTEBOOK,
        AssetKind.BLOCK,
        AssetKind.METRIC,
        AssetKind.APP,
        AssetKind.CONNECTION,
        AssetKind.INVITE,
    }
)
_BY_PREFIX = {kind.value: kind for kind in AssetKind}


@dataclass(frozen=True)
class ParsedUrn:
    """A URN taken apart. Parts a kind does not have are empty strings."""

    kind: AssetKind
    workspace: str = ""
    path: str = ""  # a notebook's path in its workspace
    block: str = ""
    warehouse: str = ""
    table: str = ""
    column: str = ""
    name: str = ""  # a metric, app, connection, user, team; an invite, review or run id

    def __str__(self) -> str:
        return AssetKind.urn(self.kind, *(getattr(self, p) for p in self.kind.parts))

    @property
    def notebook_urn(self) -> Urn | None:
        """The notebook of a notebook or block URN, else None."""
        if self.kind in (AssetKind.NOTEBOOK, AssetKind.BLOCK):
            return AssetKind.NOTEBOOK.urn(self.workspace, self.path)
        return None

    @property
    def table_urn(self) -> Urn | None:
        """The table of a table or column URN, else None."""
        if self.kind in (AssetKind.TABLE, AssetKind.COLUMN):
            return AssetKind.TABLE.urn(self.warehouse, self.table)
        return None

    @property
    def local_name(self) -> str:
        """A workspace-owned asset's name inside its workspace (``path``, ``path#block``)."""
        if self.kind is AssetKind.BLOCK:
            return f"{self.path}#{self.block}"
        return self.path or self.name


def kind_of(urn: Urn) -> AssetKind | None:
    """The kind of ``urn``, or None when it has no kind we know.

    Examples:
        >>> kind_of("table:duckdb://demo/analytics.users"), kind_of("nonsense")
        (<AssetKind.TABLE: 'table'>, None)
    """
    prefix, sep, rest = urn.partition(":")
    return _BY_PREFIX.get(prefix) if sep and rest else None


def notebook_of(urn: Urn) -> Urn | None:
    """The notebook URN of a notebook or block URN, else None (fast: no full parse).

    Examples:
        >>> notebook_of("block:production/billing/a.ipynb#3f2a")
        'notebook:production/billing/a.ipynb'
    """
    if urn.startswith("notebook:"):
        return urn
    if urn.startswith("block:"):
        return "notebook:" + urn[6:].rpartition("#")[0]
    return None


def table_of_column(urn: Urn) -> Urn:
    """The table URN of a column URN (fast: no full parse).

    Examples:
        >>> table_of_column("column:duckdb://demo/core.users.email")
        'table:duckdb://demo/core.users'
    """
    return "table:" + urn.partition(":")[2].rpartition(".")[0]


def parse_urn(urn: Urn) -> ParsedUrn:
    """The parts of ``urn``; `UrnError` says why when it is not one.

    Examples:
        >>> parse_urn("table:file/out/summary.parquet").table
        'out/summary.parquet'
        >>> parse_urn("app:production/delete-user").name
        'delete-user'
    """
    if not isinstance(urn, str):
        raise UrnError(f"A URN is text, not {type(urn).__name__}.")
    prefix, sep, rest = urn.partition(":")
    if not sep:
        raise UrnError(f"{urn!r} is not a URN: it has no kind prefix such as 'table:'.")
    kind = _BY_PREFIX.get(prefix)
    if kind is None:
        known = ", ".join(sorted(_BY_PREFIX))
        raise UrnError(f"{prefix!r} is not a kind of asset; the kinds are {known}.")
    if not rest:
        raise UrnError(f"{urn!r} names no {kind.value}.")
    if kind in (AssetKind.TABLE, AssetKind.COLUMN):
        return _parse_table(kind, urn, rest)
    if kind in _IN_WORKSPACE:
        workspace, slash, tail = rest.partition("/")
        if not slash or not workspace or not tail:
            raise UrnError(f"{urn!r} needs a workspace and a name: '{kind.value}:SLUG/NAME'.")
        if kind is AssetKind.NOTEBOOK:
            return ParsedUrn(kind, workspace=workspace, path=tail)
        if kind is AssetKind.BLOCK:
            path, hash_sign, block = tail.rpartition("#")
            if not hash_sign or not path or not block:
                raise UrnError(f"{urn!r} needs a block id: 'block:SLUG/PATH#BLOCK'.")
            return ParsedUrn(kind, workspace=workspace, path=path, block=block)
        return ParsedUrn(kind, workspace=workspace, name=tail)
    if kind in (AssetKind.WORKSPACE, AssetKind.CATALOG_FILE):
        return ParsedUrn(kind, workspace=rest)
    if kind is AssetKind.WAREHOUSE:
        return ParsedUrn(kind, warehouse=rest)
    return ParsedUrn(kind, name=rest)


def _parse_table(kind: AssetKind, urn: Urn, rest: str) -> ParsedUrn:
    column = ""
    if kind is AssetKind.COLUMN:
        rest, dot, column = rest.rpartition(".")
        if not dot or not column:
            raise UrnError(f"{urn!r} needs a column: 'column:WAREHOUSE/TABLE.COLUMN'.")
    splits = table_splits(rest)
    if not splits:
        raise UrnError(f"{urn!r} needs a warehouse and a table: '{kind.value}:WAREHOUSE/TABLE'.")
    warehouse, table = splits[0]
    return ParsedUrn(kind, warehouse=warehouse, table=table, column=column)


def table_splits(rest: str) -> list[tuple[str, str]]:
    """Every ``(warehouse, table)`` the rest of a table URN can mean, likeliest first.

    The likeliest is the one `parse_urn` gives; the others matter only for a table name
    that itself holds ``/`` (a quoted identifier), which a catalog lookup can tell apart.

    Examples:
        >>> table_splits("duckdb://demo/core.users")[0]
        ('duckdb://demo', 'core.users')
        >>> table_splits("file/s3://bucket/x.parquet")[0]
        ('file', 's3://bucket/x.parquet')
    """
    found: list[tuple[str, str]] = []
    if rest.startswith(f"{FILE_WAREHOUSE}/") and len(rest) > len(FILE_WAREHOUSE) + 1:
        found.append((FILE_WAREHOUSE, rest[len(FILE_WAREHOUSE) + 1 :]))
    cut = rest.rfind("/")
    if 0 < cut < len(rest) - 1:
        split = (rest[:cut], rest[cut + 1 :])
        if split not in found:
            found.append(split)
    for i, char in enumerate(rest):
        if char == "/" and 0 < i < len(rest) - 1 and (rest[:i], rest[i + 1 :]) not in found:
            found.append((rest[:i], rest[i + 1 :]))
    return found


def version_urn(notebook: Urn, number: int) -> Urn:
    """A notebook version: the notebook's URN and ``@v`` with its number.

    Examples:
        >>> version_urn(AssetKind.NOTEBOOK.urn("production", "a.ipynb"), 3)
        'notebook:production/a.ipynb@v3'
    """
    return f"{notebook}@v{number}"
