"""What a Python call that writes a table or file does to it (`types.WriteKind`).

pandas ``to_sql(if_exists=…)``: ``fail`` (the default) creates, ``replace``
overwrites, ``append`` inserts. Spark writers: ``mode("overwrite")`` / ``mode=``
overwrites, ``append`` inserts, ``error``/``errorifexists``/``ignore`` (the
default) create; ``insertInto(…, overwrite=True)`` overwrites, else inserts;
``writeTo(t).append()`` / ``.overwrite…()`` / ``.create()`` / ``.replace()`` /
``.createOrReplace()``. File writers replace the file unless opened for append
(``open(p, "a")``, ``to_csv(mode="a")``). BigQuery load and insert jobs append.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from .call_args import chain_calls, keyword_arg
from .types import WriteKind

Resolve = Callable[[ast.AST], "str | None"]

_PANDAS_IF_EXISTS = {
    "fail": WriteKind.CREATE,
    "replace": WriteKind.OVERWRITE,
    "append": WriteKind.INSERT,
    "delete_rows": WriteKind.OVERWRITE,  # pandas 3: rows deleted, then the frame inserted
}
_SPARK_MODES = {
    "overwrite": WriteKind.OVERWRITE,
    "append": WriteKind.INSERT,
    "error": WriteKind.CREATE,
    "errorifexists": WriteKind.CREATE,
    "default": WriteKind.CREATE,
    "ignore": WriteKind.CREATE,
}
# DataFrameWriterV2 (``df.writeTo(t).<method>()``) and polars/duckdb-style methods.
_METHOD_KINDS = {
    "append": WriteKind.INSERT,
    "overwrite": WriteKind.OVERWRITE,
    "overwritePartitions": WriteKind.OVERWRITE,
    "create": WriteKind.CREATE,
    "replace": WriteKind.OVERWRITE,
    "createOrReplace": WriteKind.OVERWRITE,
    "insertInto": WriteKind.INSERT,
    "insert_into": WriteKind.INSERT,
    "insert_rows": WriteKind.INSERT,
    "insert_rows_json": WriteKind.INSERT,
    "insert_rows_from_dataframe": WriteKind.INSERT,
    "load_table_from_dataframe": WriteKind.INSERT,
    "load_table_from_file": WriteKind.INSERT,
    "load_table_from_json": WriteKind.INSERT,
    "load_table_from_uri": WriteKind.INSERT,
    "copy_table": WriteKind.CREATE,
    "create_table": WriteKind.CREATE,
}
_TABLE_WRITERS = frozenset(
    {"saveAsTable", "save_as_table", "toTable", "to_table", "write_database", "to_gbq"}
)


def python_write_kind(node: ast.AST, resolve: Resolve) -> WriteKind:
    """The kind of write ``node`` (a call, or a Delta Live Tables decorator) makes.

    Examples:
        >>> from lineage.analysis.strings import resolve_string
        >>> kind = lambda code: str(python_write_kind(
        ...     ast.parse(code).body[0].value, lambda n: resolve_string(n, {}.get)))
        >>> kind("df.to_sql('t', con, if_exists='replace')"), kind("df.to_sql('t', con)")
        ('overwrite', 'create')
        >>> kind("df.write.mode('append').saveAsTable('t')"), kind("df.writeTo('t').append()")
        ('insert', 'insert')
        >>> kind("df.to_csv('out.csv')"), kind("open('log.txt', 'a')")
        ('overwrite', 'insert')
    """
    if type(node) is not ast.Call:
        return WriteKind.OVERWRITE  # @dlt.table: the table is recomputed on each update
    func = node.func
    method = func.attr if type(func) is ast.Attribute else getattr(func, "id", "")
    if method == "to_sql":
        return _option(node, resolve, ("if_exists",), _PANDAS_IF_EXISTS, WriteKind.CREATE)
    if method in ("insertInto", "insert_into"):
        overwrite = keyword_arg(node, ("overwrite",))
        if overwrite is None and len(node.args) > 1:
            overwrite = node.args[1]
        is_overwrite = type(overwrite) is ast.Constant and overwrite.value is True
        return WriteKind.OVERWRITE if is_overwrite else WriteKind.INSERT
    if method in _TABLE_WRITERS or method in ("save", "jdbc", "start") or _is_writer(node):
        spark = _spark_mode(node, resolve)
        if spark is not None:
            return spark
        if method == "to_gbq":
            return _option(node, resolve, ("if_exists",), _PANDAS_IF_EXISTS, WriteKind.CREATE)
        if method in _TABLE_WRITERS:
            return WriteKind.CREATE
    if method in _METHOD_KINDS:
        return _METHOD_KINDS[method]
    if method == "writeTo":
        return WriteKind.INSERT
    if method == "open" or _appends(node, resolve):
        return WriteKind.INSERT if _appends(node, resolve) else WriteKind.OVERWRITE
    return WriteKind.OVERWRITE


def _option(
    call: ast.Call,
    resolve: Resolve,
    names: tuple[str, ...],
    kinds: dict[str, WriteKind],
    default: WriteKind,
) -> WriteKind:
    value = keyword_arg(call, names)
    text = resolve(value) if value is not None else None
    return kinds.get((text or "").lower(), default)


def _is_writer(call: ast.Call) -> bool:
    """``df.write…parquet(p)``: a Spark writer chain."""
    node = call.func
    while type(node) in (ast.Attribute, ast.Call):
        if type(node) is ast.Attribute:
            if node.attr in ("write", "writeStream"):  # type: ignore[attr-defined]
                return True
            node = node.value  # type: ignore[attr-defined]
        else:
            node = node.func  # type: ignore[attr-defined]
    return False


def _spark_mode(call: ast.Call, resolve: Resolve) -> WriteKind | None:
    """``.mode("append")`` along the writer chain, or ``mode=`` on the call itself."""
    mode = keyword_arg(call, ("mode", "outputMode"))
    if mode is None:
        receiver = call.func.value if type(call.func) is ast.Attribute else None
        for inner in chain_calls(receiver):
            func = inner.func
            if type(func) is ast.Attribute and func.attr in ("mode", "outputMode") and inner.args:
                mode = inner.args[0]
                break
    if mode is None:
        return None
    text = (resolve(mode) or "").lower()
    if text == "complete":
        return WriteKind.OVERWRITE  # streaming outputMode("complete")
    return _SPARK_MODES.get(text, WriteKind.INSERT if text == "update" else None)


def _appends(call: ast.Call, resolve: Resolve) -> bool:
    """``open(p, "a")``, ``df.to_csv(p, mode="a")``: the file grows instead of being replaced."""
    func = call.func
    method = func.attr if type(func) is ast.Attribute else getattr(func, "id", "")
    mode = keyword_arg(call, ("mode",))
    if mode is None and method == "open" and len(call.args) > 1:
        mode = call.args[1]
    text = resolve(mode) if mode is not None else None
    return bool(text) and "a" in text and method not in ("save", "start")  # type: ignore[operator]
