"""Tables (and files) one parsed SQL statement reads and writes: one walk of the AST.

Decisions, applied the same way in every dialect:

- A written table is one whose contents or definition the statement changes: the
  target of INSERT/MERGE/UPDATE/DELETE/TRUNCATE, the table or view CREATE, DROP or
  ALTER makes or changes, ``SELECT … INTO``, ``LOAD DATA``, ``COPY … FROM``, the
  ``TO`` table of a ClickHouse materialized view; each with its `WriteKind`. Spark's
  ``CACHE TABLE t AS SELECT`` makes a session view, no table. Writing through a CTE
  (T-SQL ``WITH d AS (SELECT … FROM t) DELETE FROM d``) writes the CTE's table.
- DELETE, TRUNCATE, DROP, RENAME, ALTER and an UPDATE whose values read no other
  table have no data flow (``StatementTables.has_flow``): `table_lineage` lists
  their tables in ``writes`` only (and what they read in ``filter_reads``).
- The target of UPDATE/DELETE/MERGE is not also counted as read, even when its own
  columns feed the new values; naming it again in a FROM/JOIN/USING list does not
  make it a read either (T-SQL ``UPDATE t … FROM t JOIN s``). An INSERT that selects
  from its own target does read it.
- ``ALTER TABLE a RENAME TO b`` renames ``a`` to ``b`` (b keeps a's schema when
  unqualified); ``ALTER TABLE a EXCHANGE PARTITION … WITH TABLE b`` and Snowflake
  ``ALTER TABLE a SWAP WITH b`` move rows: they read ``b`` and overwrite ``a``;
  ``CREATE TABLE a LIKE|CLONE b`` reads ``b``.
- CTE names are never tables (recursive CTEs included); a CTE only hides a table
  of the same name where SQL scoping makes it visible, so ``WITH t AS (SELECT *
  FROM t)`` still reads the real ``t``. Table-valued functions, ``UNNEST``,
  ``LATERAL VIEW`` and ``VALUES`` are not tables; file readers (``read_parquet``,
  ``read_csv``, ClickHouse ``s3``/``file``, duckdb ``FROM 'x.parquet'``, Spark
  ``parquet.`/path```) give their paths.
- Names are dotted as written: unquoted parts lower-cased, quoted parts kept,
  T-SQL temporary tables keep their ``#`` (see `sql_names`).
- Statements without data lineage (USE, SHOW, DESCRIBE, GRANT, COMMENT, ANALYZE,
  transactions, CREATE FUNCTION/INDEX/SCHEMA…) give nothing; ``SET x = (SELECT …)``
  and ``DECLARE … = (SELECT …)`` read their subqueries' tables; T-SQL
  ``EXEC('…')`` of a literal statement is analysed.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlglot import exp

from lineage.analysis.sql_commands import AnalyzeText, command_tables
from lineage.analysis.sql_fallback import StatementTables
from lineage.analysis.sql_names import function_paths, identifier_name, literal_strings, table_names
from lineage.analysis.types import WriteKind, merge_write_kinds

# Create/Drop/Alter kinds that name a table-like object.
_TABLE_KIND_WORDS = ("TABLE", "VIEW")
# Statements with no data lineage.
_NO_LINEAGE = (
    exp.Describe,
    exp.Show,
    exp.Comment,
    exp.Grant,
    exp.Revoke,
    exp.Use,
    exp.Analyze,
    exp.Refresh,
    exp.Uncache,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Pragma,
    exp.Kill,
    exp.Semicolon,
    exp.EndStatement,
    exp.Attach,
    exp.Detach,
)


def _unwrap_table(node: exp.Expr | None) -> exp.Table | None:
    if isinstance(node, exp.Schema):
        node = node.this
    return node if isinstance(node, exp.Table) else None


def _alias_name(table: exp.Table) -> str | None:
    alias = table.args.get("alias")
    if isinstance(alias, exp.TableAlias) and alias.this is not None:
        return identifier_name(alias.this)
    return None


def _is_table_kind(kind: object) -> bool:
    text = str(kind or "").upper()
    return any(word in text for word in _TABLE_KIND_WORDS)


class _Collector:
    """Accumulates reads and writes of one statement while visiting its nodes."""

    def __init__(self) -> None:
        self.reads: dict[str, None] = {}
        self.writes: dict[str, None] = {}
        self.kinds: dict[str, WriteKind] = {}
        self.renames: list[tuple[str, str]] = []
        self.skip: set[int] = set()  # ids of Table nodes that are not reads
        self._names: dict[int, list[str]] = {}

    def names(self, table: exp.Table) -> list[str]:
        key = id(table)
        found = self._names.get(key)
        if found is None:
            found = self._names[key] = table_names(table)
        return found

    def write(self, table: exp.Expr | None, kind: WriteKind) -> None:
        tab = _unwrap_table(table)
        if tab is None:
            return
        self.skip.add(id(tab))
        cte = cte_definition(tab)
        if cte is not None:
            # T-SQL "WITH d AS (SELECT … FROM t) DELETE FROM d": the rows live in t
            for inner in cte.find_all(exp.Table):
                if not is_cte_reference(inner):
                    for name in self.names(inner):
                        self.write_name(name, kind)
            return
        for name in self.names(tab):
            self.write_name(name, kind)

    def write_name(self, name: str, kind: WriteKind) -> None:
        self.writes[name] = None
        merge_write_kinds(self.kinds, name, kind)

    def read_name(self, name: str) -> None:
        self.reads[name] = None

    def ignore(self, node: exp.Expr | None) -> None:
        if node is None:
            return
        for tab in node.find_all(exp.Table):
            self.skip.add(id(tab))


def _resolve_target(
    target: exp.Table, candidates: Iterable[exp.Table], collector: _Collector
) -> exp.Table:
    """Map an UPDATE/DELETE target written as an alias to its table; hide it as a read."""
    collector.skip.add(id(target))
    target_names = collector.names(target)
    bare = target_names[0] if len(target_names) == 1 and "." not in target_names[0] else None
    resolved = target
    for cand in candidates:
        if cand is target:
            continue
        cand_names = collector.names(cand)
        if bare is not None and _alias_name(cand) == bare:
            resolved = cand
            collector.skip.add(id(cand))
        elif cand_names and cand_names == collector.names(resolved):
            collector.skip.add(id(cand))
    return resolved


def _from_tables(node: exp.Expr) -> list[exp.Table]:
    """Tables named directly in a statement's FROM/JOIN/USING lists (not in subqueries)."""
    out: list[exp.Table] = []
    pending: list[exp.Expr] = []
    from_ = node.args.get("from_")
    if from_ is not None:
        pending.append(from_.this)
    for key in ("using", "tables", "joins"):
        value = node.args.get(key)
        if isinstance(value, list):
            pending.extend(value)
        elif value is not None:
            pending.append(value)
    this = node.args.get("this")
    if isinstance(this, exp.Table):
        pending.extend(this.args.get("joins") or [])
    while pending:
        item = pending.pop()
        if isinstance(item, exp.Join):
            item = item.this
        if isinstance(item, exp.Table):
            out.append(item)
            pending.extend(item.args.get("joins") or [])
    return out


def _visit_writer(node: exp.Expr, c: _Collector) -> None:
    """Record what a writing node writes (and the reads it implies beyond its tables)."""
    if type(node) is exp.Insert:
        target = node.this
        written = _insert_kind(node)
        if isinstance(target, exp.Directory):
            for path in literal_strings(target.this):
                c.write_name(path, WriteKind.OVERWRITE)
        elif isinstance(target, exp.Func):
            for path in function_paths(target):
                c.write_name(path, written)
        else:
            c.write(target, written)
    elif isinstance(node, exp.Create):
        kind = node.args.get("kind")
        if _is_table_kind(kind):
            c.write(
                node.this, WriteKind.OVERWRITE if node.args.get("replace") else WriteKind.CREATE
            )
        else:
            c.ignore(node.this)
        for constraint in node.find_all(exp.Reference):
            c.ignore(constraint)
    elif isinstance(node, exp.Update):
        target = _unwrap_table(node.this)
        if target is not None:
            c.write(_resolve_target(target, _from_tables(node), c), WriteKind.UPDATE)
    elif isinstance(node, exp.Delete):
        explicit = node.args.get("tables")
        sources = _from_tables(node)
        if explicit:
            this = _unwrap_table(node.this)
            if this is not None:
                sources.append(this)
            for target in explicit:
                tab = _unwrap_table(target)
                if tab is not None:
                    c.write(_resolve_target(tab, sources, c), WriteKind.DELETE)
        else:
            target = _unwrap_table(node.this)
            if target is not None:
                c.write(_resolve_target(target, sources, c), WriteKind.DELETE)
    elif isinstance(node, exp.Merge):
        c.write(node.this, WriteKind.MERGE)
    elif isinstance(node, exp.TruncateTable):
        for target in node.expressions:
            c.write(target, WriteKind.TRUNCATE)
    elif isinstance(node, exp.Drop):
        targets = node.args.get("tables") or ([node.this] if node.this else [])
        for target in targets:
            if _is_table_kind(node.args.get("kind")):
                c.write(target, WriteKind.DROP)
            else:
                c.ignore(target)
    elif isinstance(node, exp.Alter):
        _visit_alter(node, c)
    elif isinstance(node, exp.Copy):
        _visit_copy(node, c)
    elif isinstance(node, exp.LoadData):
        c.write(node.this, WriteKind.OVERWRITE if node.args.get("overwrite") else WriteKind.INSERT)
        for path in literal_strings(node.args.get("inpath")):
            c.read_name(path)
        for path in _option_paths(node.args.get("files"), ("uris", "uri")):
            c.read_name(path)  # BigQuery LOAD DATA … FROM FILES (uris = [...])
    elif isinstance(node, exp.Undrop):
        if _is_table_kind(node.args.get("kind")):
            c.write(node.this, WriteKind.CREATE)  # Snowflake UNDROP TABLE brings the table back
        else:
            c.ignore(node)
    elif isinstance(node, exp.ToTableProperty):
        c.write(node.this, WriteKind.INSERT)  # ClickHouse CREATE MATERIALIZED VIEW mv TO dst
    elif isinstance(node, exp.Export):
        for path in _option_paths(node.args.get("options"), ("uri", "uris")):
            c.write_name(path, WriteKind.OVERWRITE)  # BigQuery EXPORT DATA OPTIONS (uri = …)
    elif isinstance(node, exp.Cache):
        # Spark CACHE TABLE t AS SELECT: t is a temporary view of the session, no table
        c.ignore(node.this)
    elif isinstance(node, exp.Into):
        c.write(node.this, WriteKind.CREATE)


def _insert_kind(node: exp.Insert) -> WriteKind:
    if node.args.get("overwrite"):
        return WriteKind.OVERWRITE
    if str(node.args.get("alternative") or "").upper() == "REPLACE":
        return WriteKind.MERGE  # INSERT OR REPLACE: an upsert
    return WriteKind.INSERT


def _visit_alter(node: exp.Alter, c: _Collector) -> None:
    if not _is_table_kind(node.args.get("kind")):
        c.ignore(node)
        return
    this = _unwrap_table(node.this)
    actions = node.args.get("actions") or []
    renamed = [a for a in actions if isinstance(a, exp.AlterRename)]
    swapped = [a for a in actions if isinstance(a, exp.SwapTable)]
    if renamed:
        new = _unwrap_table(renamed[0].this)
        old_names = c.names(this) if this is not None else []
        c.write(this, WriteKind.RENAME)
        if new is not None:
            c.skip.add(id(new))
            for name in c.names(new)[:1]:
                name = _qualified_like(name, old_names[0]) if old_names else name
                c.write_name(name, WriteKind.RENAME)
                if old_names:
                    c.renames.append((old_names[0], name))
        return
    c.write(this, WriteKind.OVERWRITE if swapped else WriteKind.ALTER)
    for action in swapped:
        other = _unwrap_table(action.this)
        if other is not None:
            for name in table_names(other):
                c.read_name(name)
            c.skip.add(id(other))


def _visit_copy(node: exp.Copy, c: _Collector) -> None:
    this = node.this
    files = node.args.get("files") or []
    target = _unwrap_table(this)
    is_location = target is not None and (
        isinstance(target.this, exp.Literal)
        or (isinstance(target.this, exp.Var) and target.this.name.startswith("@"))
    )
    if is_location or (target is not None and node.args.get("kind")):
        # COPY INTO <table or location> FROM <files, stage or query>
        c.write(target, WriteKind.OVERWRITE if is_location else WriteKind.INSERT)
        for f in files:
            for path in literal_strings(f):
                c.read_name(path)
    else:
        # COPY <table | (query)> TO <files>
        for f in files:
            for path in literal_strings(f):
                c.write_name(path, WriteKind.OVERWRITE)


def _visit_swap_partitions(node: exp.Anonymous, c: _Collector) -> None:
    """Vertica ``SELECT SWAP_PARTITIONS_BETWEEN_TABLES('staging', min, max, 'target')``."""
    if node.name.lower() != "swap_partitions_between_tables":
        return
    args = node.expressions
    if len(args) >= 4:
        source, target = args[0], args[3]
        if isinstance(source, exp.Literal) and source.is_string:
            c.read_name(source.name.lower())
        if isinstance(target, exp.Literal) and target.is_string:
            c.write_name(target.name.lower(), WriteKind.OVERWRITE)


def _option_paths(options: exp.Expr | None, keys: tuple[str, ...]) -> list[str]:
    if not isinstance(options, exp.Properties):
        return []
    paths: list[str] = []
    for prop in options.expressions:
        if isinstance(prop, exp.Property) and prop.name.lower() in keys:
            paths.extend(literal_strings(prop.args.get("value")))
    return paths


_WRITERS = (
    exp.Insert,
    exp.Create,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.TruncateTable,
    exp.Drop,
    exp.Alter,
    exp.Copy,
    exp.LoadData,
    exp.Cache,
    exp.Into,
    exp.ToTableProperty,
    exp.Export,
    exp.Undrop,
)


def _is_recursive_reference(table: exp.Table, cte: exp.CTE, with_: exp.With) -> bool:
    """A CTE sees itself when WITH RECURSIVE, or (T-SQL, Oracle…) from a later UNION branch."""
    if with_.args.get("recursive"):
        return True
    body = cte.this
    if not isinstance(body, exp.SetOperation):
        return False
    first = body
    while isinstance(first, exp.SetOperation):
        first = first.this
    node: exp.Expr | None = table
    while node is not None and node is not cte:
        if node is first:
            return False
        node = node.parent
    return True


def is_cte_reference(table: exp.Table) -> bool:
    """True when ``table`` names a CTE visible where it appears (so it is not a table).

    Examples:
        >>> import sqlglot
        >>> tree = sqlglot.parse_one("WITH t AS (SELECT * FROM t) SELECT * FROM t")
        >>> [is_cte_reference(table) for table in tree.find_all(exp.Table)]
        [True, False]
    """
    return cte_definition(table) is not None


def _cte_named(with_: exp.With, name: str | None, upto: int | None = None) -> exp.CTE | None:
    ctes = with_.expressions if upto is None else with_.expressions[:upto]
    for cte in reversed(ctes):
        alias = cte.args.get("alias")
        ident = alias.this if isinstance(alias, exp.TableAlias) else None
        if ident is not None and identifier_name(ident) == name:
            return cte
    return None


def cte_definition(table: exp.Table) -> exp.CTE | None:
    """The CTE that ``table`` names where it appears, following SQL scoping; else None.

    Earlier CTEs of a WITH are visible to later ones and to the query; a CTE sees
    itself only when recursive; an inner WITH shadows an outer one.

    Examples:
        >>> import sqlglot
        >>> tree = sqlglot.parse_one("WITH c AS (SELECT 1 AS x) SELECT * FROM c JOIN d ON TRUE")
        >>> [(t.name, cte_definition(t) is not None) for t in tree.find_all(exp.Table)]
        [('c', True), ('d', False)]
    """
    if table.args.get("db") is not None or not isinstance(table.this, exp.Identifier):
        return None
    name = identifier_name(table.this)
    child: exp.Expr = table
    node = table.parent
    while node is not None:
        if isinstance(node, exp.With):
            cte = child if isinstance(child, exp.CTE) else None
            if cte is not None and cte in node.expressions:
                index = node.expressions.index(cte)
                found = _cte_named(node, name, index)
                if found is not None:
                    return found
                if _cte_named(node, name, index + 1) is cte and _is_recursive_reference(
                    table, cte, node
                ):
                    return cte
            owner = node.parent
            if owner is None:
                return None
            child, node = owner, owner.parent
            continue
        with_ = node.args.get("with_")
        if isinstance(with_, exp.With) and child is not with_:
            found = _cte_named(with_, name)
            if found is not None:
                return found
        child, node = node, node.parent
    return None


_INTERESTING = (exp.Table, exp.With, exp.Anonymous, *_WRITERS)


def _generic(stmt: exp.Expr) -> StatementTables:
    c = _Collector()
    tables: list[exp.Table] = []
    has_with = False
    # find_all filters in compiled code: only the few interesting nodes reach Python.
    for node in stmt.find_all(*_INTERESTING):
        if type(node) is exp.Table:
            tables.append(node)
        elif type(node) is exp.With:
            has_with = True
        elif type(node) is exp.Anonymous:
            if node.name.lower() == "swap_partitions_between_tables":
                _visit_swap_partitions(node, c)
        else:
            _visit_writer(node, c)
    skip = c.skip
    reads = c.reads
    for tab in tables:
        if id(tab) in skip or (has_with and is_cte_reference(tab)):
            continue
        for name in c.names(tab):
            reads[name] = None
    return StatementTables(
        list(reads),
        list(c.writes),
        kinds=c.kinds,
        has_flow=_has_flow(stmt, c),
        renames=c.renames,
    )


_NO_FLOW = (exp.Delete, exp.TruncateTable, exp.Drop, exp.Cache)


def _has_flow(stmt: exp.Expr, c: _Collector) -> bool:
    """Whether the rows the statement writes are computed from the tables it reads.

    DELETE, TRUNCATE, DROP, RENAME and ALTER change a table without making anything
    upstream of it; so does an UPDATE whose new values read no other table
    (``UPDATE t SET a = 1 WHERE id IN (SELECT id FROM s)``: s only filters).
    """
    if isinstance(stmt, _NO_FLOW):
        return False
    if isinstance(stmt, exp.Alter):
        return any(isinstance(a, exp.SwapTable) for a in stmt.args.get("actions") or [])
    if isinstance(stmt, exp.Update):
        # the tables of FROM, JOIN (MySQL UPDATE t JOIN s) and SET, other than the target
        target = _unwrap_table(stmt.this)
        parts = [stmt.args.get("from_"), *stmt.expressions]
        if target is not None:
            parts.extend(target.args.get("joins") or [])
        return any(
            id(tab) not in c.skip
            for part in parts
            if part is not None
            for tab in part.find_all(exp.Table)
        )
    return True


def _qualified_like(new: str, old: str) -> str:
    """``ALTER TABLE db.a RENAME TO b``: b stays in db (Postgres, Snowflake, Spark …)."""
    if "." in new or "." not in old:
        return new
    return f"{old.rpartition('.')[0]}.{new}"


def _dynamic_sql(
    stmt: exp.Expr, dialect: str | None, analyze_text: AnalyzeText
) -> list[StatementTables]:
    """T-SQL ``EXEC('INSERT …')`` / ``EXEC sp_executesql N'…'``: SQL written as a literal."""
    texts: list[str] = []
    for node in stmt.find_all(exp.National, exp.Literal, exp.Identifier):
        text = node.name
        if (isinstance(node, exp.Identifier) and not node.quoted) or " " not in text.strip():
            continue
        if isinstance(node, exp.Literal) and not node.is_string:
            continue
        texts.append(text)
    return [unit for text in texts[:1] for unit in analyze_text(text, dialect)]


_STRING_BODIES = (exp.RawString, exp.Heredoc, exp.Literal)
_SQL_LANGUAGES = frozenset({"SQL", "PLPGSQL", "PLSQL", "TSQL", "SQLSCRIPT", "SNOWFLAKE"})


def _procedure_body(
    stmt: exp.Create, dialect: str | None, analyze_text: AnalyzeText
) -> list[StatementTables]:
    """A stored procedure's statements, also when its body is a ``$$ … $$`` string.

    Each statement counts; a table the body writes and then reads is a source of the
    procedure as well as a target (a caller sees the procedure read it).
    """
    language = stmt.find(exp.LanguageProperty)
    if language is not None and language.name.upper() not in _SQL_LANGUAGES:
        return []  # JavaScript, Python, Java … bodies
    body = stmt.expression
    parts = body.expressions if isinstance(body, exp.Block) else [body]
    out: list[StatementTables] = []
    for part in parts:
        if isinstance(part, _STRING_BODIES):
            out.extend(analyze_text(part.name, dialect))
        elif part is not None:
            out.extend(statement_tables(part, dialect, analyze_text))
    for unit in out:
        unit.in_procedure = True
    return out


def statement_tables(
    stmt: exp.Expr, dialect: str | None, analyze_text: AnalyzeText
) -> list[StatementTables]:
    """Reads and writes of one parsed statement, one entry per executed statement.

    Blocks (procedure bodies, ``BEGIN … END``, ``IF``) give one entry per inner
    statement so that a later inner statement reading an earlier one's target makes
    it intermediate. ``analyze_text(sql, dialect)`` analyses raw SQL text that
    sqlglot left unparsed inside a Command.

    Examples:
        >>> import sqlglot
        >>> tree = sqlglot.parse_one("INSERT INTO t SELECT * FROM s JOIN u USING (id)")
        >>> statement_tables(tree, None, lambda sql, dialect: [])
        [StatementTables(reads=['s', 'u'], writes=['t'], is_low_confidence=False)]
    """
    if isinstance(stmt, _NO_LINEAGE):
        return []
    if isinstance(stmt, exp.Command):
        return command_tables(stmt, dialect, analyze_text)
    if isinstance(stmt, (exp.Execute, exp.ExecuteSql)):
        return _dynamic_sql(stmt, dialect, analyze_text)
    if isinstance(stmt, exp.Block):
        return [u for s in stmt.expressions for u in statement_tables(s, dialect, analyze_text)]
    if isinstance(stmt, (exp.IfBlock, exp.WhileBlock)):
        out = [_generic(stmt.this)] if stmt.this is not None else []
        for key in ("true", "false", "body"):
            branch = stmt.args.get(key)
            if isinstance(branch, exp.Expr):
                out.extend(statement_tables(branch, dialect, analyze_text))
        return out
    if isinstance(stmt, exp.Create):
        kind = str(stmt.args.get("kind") or "").upper()
        if kind == "PROCEDURE":
            return _procedure_body(stmt, dialect, analyze_text)
        if not _is_table_kind(kind):
            return []  # functions, macros, schemas, indexes, sequences …
    return [_generic(stmt)]
