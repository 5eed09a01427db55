"""Guess the sqlglot dialect of a SQL block from its connection (integration) type.

Pure data: the names on the left are Deepnote integration types (plus common spellings
other tools use); the names on the right are sqlglot dialect names. The guess is only a
hint for the SQL analysis, which may still fall back to a generic dialect.
"""

from __future__ import annotations

# Deepnote runs "dataframe SQL" (SQL over pandas DataFrames) on DuckDB.
DATAFRAME_SQL_INTEGRATION_TYPE = "pandas-dataframe"
DATAFRAME_SQL_INTEGRATION_ID = "deepnote-dataframe-sql"

_DIALECT_BY_INTEGRATION_TYPE: dict[str, str] = {
    # PostgreSQL and its wire-compatible relatives
    "pgsql": "postgres",
    "postgres": "postgres",
    "postgresql": "postgres",
    "alloydb": "postgres",
    "cockroachdb": "postgres",
    "materialize": "materialize",
    "risingwave": "risingwave",
    "redshift": "redshift",
    # Google
    "big-query": "bigquery",
    "bigquery": "bigquery",
    # Spanner's default dialect is GoogleSQL, which BigQuery's parser reads best.
    "spanner": "bigquery",
    # Warehouses and lakehouses
    "snowflake": "snowflake",
    "databricks": "databricks",
    "spark": "spark",
    "hive": "hive",
    "athena": "athena",
    "trino": "trino",
    "starburst": "trino",
    "presto": "presto",
    "dremio": "dremio",
    "clickhouse": "clickhouse",
    "teradata": "teradata",
    "exasol": "exasol",
    "starrocks": "starrocks",
    "doris": "doris",
    "druid": "druid",
    # DuckDB, including Deepnote's dataframe SQL
    "duckdb": "duckdb",
    "motherduck": "duckdb",
    DATAFRAME_SQL_INTEGRATION_TYPE: "duckdb",
    DATAFRAME_SQL_INTEGRATION_ID: "duckdb",
    "dataframe": "duckdb",
    # MySQL family
    "mysql": "mysql",
    "mariadb": "mysql",
    "mindsdb": "mysql",
    "singlestore": "singlestore",
    # Microsoft
    "sql-server": "tsql",
    "sqlserver": "tsql",
    "mssql": "tsql",
    "azure-sql": "tsql",
    "synapse": "tsql",
    "fabric": "fabric",
    # Others
    "oracle": "oracle",
    "sqlite": "sqlite",
}


def guess_sql_dialect(integration_type: str | None) -> str | None:
    """The sqlglot dialect for a connection type, or None when it is unknown.

    Args:
        integration_type: e.g. "pgsql", "big-query", "sql-server" (case and `_`/`-`
            spelling do not matter).

    Returns:
        A sqlglot dialect name ("postgres", "bigquery", "tsql"...) or None.

    Examples:
        >>> guess_sql_dialect("pgsql")
        'postgres'
        >>> guess_sql_dialect("SQL_Server")
        'tsql'
        >>> guess_sql_dialect("mongodb") is None
        True
    """
    if not integration_type:
        return None
    key = integration_type.strip().lower().replace("_", "-")
    return _DIALECT_BY_INTEGRATION_TYPE.get(key) or _DIALECT_BY_INTEGRATION_TYPE.get(
        key.replace("-", "")
    )


def known_integration_types() -> tuple[str, ...]:
    """Every connection type with a dialect guess, sorted.

    Examples:
        >>> "snowflake" in known_integration_types()
        True
    """
    return tuple(sorted(_DIALECT_BY_INTEGRATION_TYPE))
