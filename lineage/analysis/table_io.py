"""Tables and files that Python code reads and writes, outside SQL.

``df.to_sql``, ``saveAsTable``, ``insertInto``, temp views, ``spark.table``,
``spark.read...load(path)``, ``pd.read_parquet``/``to_csv`` and friends, DuckDB and
polars readers and writers, the BigQuery client's load and copy jobs, ``open()``,
``joblib``/``numpy`` files and Delta Live Tables decorators.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from .call_args import (
    PATH_KEYWORDS,
    TABLE_KEYWORDS,
    CallSite,
    Handler,
    chain_calls,
    chain_names,
    first_string_arg,
    keyword_arg,
    receiver_root,
    report_local_table,
    report_table,
    string_values,
)
from .sql_text import looks_like_sql
from .table_names import is_path, normalize_table


def _read_sql_table(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    names = first_string_arg(call, site, ("table_name",))
    if not names:
        return
    name = names[0]
    schema = string_values(keyword_arg(call, ("schema",)), site)
    if schema and "." not in name:
        name = f"{schema[0]}.{name}"
    report_table(site, call, name, is_write=False)


def _write_table(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    names = string_values(keyword_arg(call, TABLE_KEYWORDS), site)
    if not names and call.args:
        names = string_values(call.args[0], site)
        if not names and (receiver is None or call.func.attr == "to_gbq"):  # type: ignore[attr-defined]
            # pandas_gbq.to_gbq(df, "dataset.table"): the frame comes first
            names = string_values(call.args[1], site) if len(call.args) > 1 else []
    if not names:
        return
    name = names[0]
    schema = string_values(keyword_arg(call, ("schema",)), site)
    if schema and "." not in name:
        name = f"{schema[0]}.{name}"
    report_table(site, call, name, is_write=True)


def _write_to_terminal(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    """``df.writeTo("t").createOrReplace()``: the table again, written the way the last call
    says (`python_write_kinds`); the ``writeTo`` call alone reads as an append."""
    for inner in chain_calls(receiver):
        func = inner.func
        if type(func) is ast.Attribute and func.attr == "writeTo":
            for name in string_values(inner.args[0] if inner.args else None, site)[:1]:
                report_table(site, call, name, is_write=True)
            return


def _temp_view(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    names = first_string_arg(call, site, ("name", "viewName", "view_name"))
    if names:
        name = names[0]
        if "Global" in call.func.attr:  # type: ignore[attr-defined]
            name = f"global_temp.{name}"
        report_local_table(site, call, name)


# Conventional names of DuckDB connections and polars/Spark SQL contexts.
_SQL_CONTEXTS = frozenset(
    {"con", "conn", "connection", "db", "ctx", "sql_ctx", "sqlctx", "context"}
)


def _register(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    # duckdb `con.register("name", df)` / polars `ctx.register("name", df)`; other
    # registries (`events.register("post_execute", fn)`) are not tables.
    if receiver is None or len(call.args) + len(call.keywords) < 2:
        return
    if site.dialect_of(receiver) != "duckdb" and receiver_root(receiver) not in _SQL_CONTEXTS:
        return
    names = string_values(
        call.args[0] if call.args else keyword_arg(call, ("view_name", "name")), site
    )
    if names and not is_path(names[0]):
        report_local_table(site, call, names[0])


def _read_table(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    if receiver_root(receiver) in ("dlt", "dp"):
        return
    names = first_string_arg(call, site, ("name", "tableName", "table_name", "table"))
    if names:
        report_table(site, call, names[0], is_write=False)


def _dlt_read(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    if receiver_root(receiver) in ("dlt", "dp"):
        names = first_string_arg(call, site, ("name",))
        if names:
            report_table(site, call, names[0], is_write=False)


def _second_arg_table(is_write: bool) -> Callable[[ast.Call, ast.AST | None, CallSite], None]:
    def handler(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
        node = call.args[1] if len(call.args) > 1 else keyword_arg(call, TABLE_KEYWORDS)
        for name in string_values(node, site)[:1]:
            report_table(site, call, name, is_write=is_write)

    return handler


def _delta_for(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    # DeltaTable.forName(spark, "db.t") / DeltaTable.forPath(spark, "/mnt/t")
    node = call.args[1] if len(call.args) > 1 else keyword_arg(call, ("tableOrViewName", "path"))
    for name in string_values(node, site)[:1]:
        report_table(site, call, name, is_write=False)


def _first_arg_table(is_write: bool) -> Callable[[ast.Call, ast.AST | None, CallSite], None]:
    def handler(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
        node = call.args[0] if call.args else keyword_arg(call, ("table", "table_id", "source"))
        for name in string_values(node, site)[:1]:
            report_table(site, call, name, is_write=is_write)

    return handler


def _copy_table(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    # client.copy_table(src, dst) / client.extract_table(table, uri) / load_table_from_uri(uri, t)
    if len(call.args) < 2:
        return
    for name in string_values(call.args[0], site):
        report_table(site, call, name, is_write=False)
    for name in string_values(call.args[1], site)[:1]:
        report_table(site, call, name, is_write=True)


def _read_file(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    for path in first_string_arg(call, site, PATH_KEYWORDS):
        site.found_table(path, call, is_write=False)


def _write_file(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    for path in first_string_arg(call, site, PATH_KEYWORDS)[:1]:
        site.found_table(path, call, is_write=True)
    # awswrangler also registers the data set as a Glue table.
    database = string_values(keyword_arg(call, ("database",)), site)
    table = string_values(keyword_arg(call, ("table",)), site)
    if database and table:
        report_table(site, call, f"{database[0]}.{table[0]}", is_write=True)


def _pandas_read_table(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    # pandas' read_table reads a delimited file; pyspark.pandas' reads a table.
    root = receiver_root(receiver)
    if root in ("pd", "pandas", "dd", "pq", "pa", "pyarrow", "csv", "pacsv"):
        _read_file(call, receiver, site)
    else:
        _read_table(call, receiver, site)


def _write_database(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    names = first_string_arg(call, site, ("table_name",))
    if names:
        report_table(site, call, names[0], is_write=True)


_FILE_MODULES = frozenset(
    {"io", "gzip", "bz2", "lzma", "fsspec", "smart_open", "codecs", "tarfile"}
)


def _open(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    if receiver is not None and receiver_root(receiver) not in _FILE_MODULES:
        return
    paths = string_values(
        call.args[0] if call.args else keyword_arg(call, ("file", "filename")), site
    )
    if not paths:
        return
    mode_node = call.args[1] if len(call.args) > 1 else keyword_arg(call, ("mode",))
    mode = site.resolve(mode_node) if mode_node is not None else "r"
    mode = mode or "r"
    if any(c in mode for c in "wax+"):
        site.found_table(paths[0], call, is_write=True)
    if "r" in mode or "+" in mode or not any(c in mode for c in "wax"):
        site.found_table(paths[0], call, is_write=False)


def _module_load(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    # np.load / joblib.load / torch.load take a path; json.load takes a file object.
    if spark_io(call, receiver, site):
        return
    if receiver_root(receiver) in ("np", "numpy", "joblib", "torch", "pickle", "dill", "yaml"):
        _read_file(call, receiver, site)


def _module_save(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    if spark_io(call, receiver, site):
        return
    if receiver is not None:
        _write_file(call, receiver, site)


def _spark_format(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> None:
    spark_io(call, receiver, site)


def spark_io(call: ast.Call, receiver: ast.AST | None, site: CallSite) -> bool:
    """``spark.read.format(...).option(...).load(p)`` / ``df.write.mode(...).parquet(p)``."""
    names = chain_names(receiver)
    if "write" in names or "writeStream" in names:
        is_write = True
    elif "read" in names or "readStream" in names:
        is_write = False
    else:
        return False
    method = call.func.attr  # type: ignore[attr-defined]
    found = False
    for inner in [call, *chain_calls(receiver)]:
        func = inner.func
        if type(func) is not ast.Attribute or func.attr not in ("option", "options"):
            continue
        key = site.resolve(inner.args[0]) if inner.args else None
        options = {key: inner.args[1]} if key and len(inner.args) > 1 else {}
        options.update({kw.arg: kw.value for kw in inner.keywords if kw.arg})
        for option, value in options.items():
            text = site.resolve(value)
            if text is None:
                continue
            if option == "dbtable":
                report_table(site, call, text, is_write=is_write)
                found = True
            elif option == "query" and looks_like_sql(text):
                site.found_sql(text, call, "spark.read", None)
                found = True
            elif option == "path":
                site.found_table(text, call, is_write=is_write)
                found = True
    if method == "jdbc":
        node = call.args[1] if len(call.args) > 1 else keyword_arg(call, ("table",))
        for name in string_values(node, site)[:1]:
            report_table(site, call, name, is_write=is_write)
        return True
    if method in ("option", "options", "format", "mode", "partitionBy"):
        return found
    if is_write:
        paths = first_string_arg(call, site, ("path",))[:1]
    else:  # spark.read.parquet("a", "b") reads every path given
        paths = string_values(keyword_arg(call, ("path", "paths")), site)
        for arg in call.args:
            paths.extend(string_values(arg, site))
    for path in paths:
        site.found_table(path, call, is_write=is_write)
    return True


HANDLERS: dict[str, Handler] = {
    "read_sql_table": _read_sql_table,
    "to_sql": _write_table,
    "saveAsTable": _write_table,
    "save_as_table": _write_table,
    "insertInto": _write_table,
    "insert_into": _write_table,
    "writeTo": _write_table,
    "createOrReplace": _write_to_terminal,
    "overwritePartitions": _write_to_terminal,
    "overwrite": _write_to_terminal,
    "create": _write_to_terminal,
    "toTable": _write_table,
    "to_table": _write_table,
    "to_gbq": _write_table,
    "create_table": _write_table,
    "write_database": _write_database,
    "createOrReplaceTempView": _temp_view,
    "createTempView": _temp_view,
    "createOrReplaceGlobalTempView": _temp_view,
    "createGlobalTempView": _temp_view,
    "registerTempTable": _temp_view,
    "create_or_replace_temp_view": _temp_view,
    "create_temp_view": _temp_view,
    "create_or_replace_view": _temp_view,
    "create_view": _temp_view,
    "register": _register,
    "table": _read_table,
    "read_table": _pandas_read_table,
    "read": _dlt_read,
    "read_stream": _dlt_read,
    "forName": _delta_for,
    "forPath": _delta_for,
    "list_rows": _first_arg_table(is_write=False),
    "insert_rows": _first_arg_table(is_write=True),
    "insert_rows_json": _first_arg_table(is_write=True),
    "insert_rows_from_dataframe": _first_arg_table(is_write=True),
    "load_table_from_dataframe": _second_arg_table(is_write=True),
    "load_table_from_file": _second_arg_table(is_write=True),
    "load_table_from_json": _second_arg_table(is_write=True),
    "load_table_from_uri": _copy_table,
    "copy_table": _copy_table,
    "extract_table": _copy_table,
    "open": _open,
    "load": _module_load,
    "save": _module_save,
    "jdbc": _spark_format,
    "parquet": _spark_format,
    "csv": _spark_format,
    "json": _spark_format,
    "orc": _spark_format,
    "avro": _spark_format,
    "delta": _spark_format,
    "xml": _spark_format,
    "start": _spark_format,
}
for _name in [
    "read_csv",
    "read_parquet",
    "read_json",
    "read_excel",
    "read_feather",
    "read_orc",
    "read_pickle",
    "read_hdf",
    "read_fwf",
    "read_sas",
    "read_stata",
    "read_spss",
    "read_xml",
    "read_html",
    "read_ipc",
    "read_avro",
    "read_delta",
    "read_ndjson",
    "read_csv_auto",
    "read_json_auto",
    "read_file",
    "from_parquet",
    "from_csv_auto",
    "scan_csv",
    "scan_parquet",
    "scan_ndjson",
    "scan_ipc",
    "scan_delta",
    "loadtxt",
    "genfromtxt",
    "open_dataset",
    "open_mfdataset",
    "ExcelFile",
    "read_text",
]:
    HANDLERS[_name] = _read_file
for _name in [
    "to_csv",
    "to_parquet",
    "to_json",
    "to_excel",
    "to_feather",
    "to_pickle",
    "to_hdf",
    "to_orc",
    "to_xml",
    "to_stata",
    "to_delta",
    "write_csv",
    "write_parquet",
    "write_json",
    "write_ndjson",
    "write_ipc",
    "write_excel",
    "write_avro",
    "write_delta",
    "sink_parquet",
    "sink_csv",
    "sink_ipc",
    "sink_ndjson",
    "savetxt",
    "savez",
    "savez_compressed",
    "dump",
    "to_netcdf",
    "to_zarr",
    "write_table",
]:
    HANDLERS[_name] = _write_file

# Bare function calls (after `from x import y`): only the unambiguous ones.
FUNCTION_HANDLERS: dict[str, Handler] = {
    name: HANDLERS[name]
    for name in (
        "read_sql_table",
        "to_gbq",
        "open",
        "read_csv",
        "read_parquet",
        "read_json",
        "read_excel",
        "read_feather",
    )
}


def inspect_decorator(decorator: ast.AST, function_name: str, site: CallSite) -> None:
    """Delta Live Tables: ``@dlt.table`` / ``@dlt.view`` define a table named after the function.

    Examples:
        >>> import ast
        >>> from lineage.analysis.strings import resolve_string
        >>> class Site:
        ...     def resolve(self, node): return resolve_string(node, {}.get)
        ...     def found_table(self, name, call, *, is_write): print(is_write, name)
        >>> fn = ast.parse("@dlt.table(name='Clean')\\ndef clean(): pass").body[0]
        >>> inspect_decorator(fn.decorator_list[0], fn.name, Site())
        True clean
    """
    call = decorator if type(decorator) is ast.Call else None
    target = call.func if call is not None else decorator
    if type(target) is not ast.Attribute or target.attr not in (
        "table",
        "view",
        "create_table",
        "materialized_view",
        "streaming_table",
        "temporary_view",
    ):
        return
    if receiver_root(target.value) not in ("dlt", "dp"):
        return
    name = function_name
    if call is not None:
        given = string_values(keyword_arg(call, ("name",)), site)
        if given:
            name = given[0]
    site.found_table(normalize_table(name), call or decorator, is_write=True)  # type: ignore[arg-type]
