"""What a SQL block (a notebook cell of SQL, possibly Jinja-templated) defines, uses,
reads and writes.

The Jinja variables a block uses come from jinja2's own parser (so ``{% set %}``,
loop variables and macro arguments are not counted as uses); the tables come from
rendering the template with a placeholder for every variable and running
`table_lineage` on the result. A template with ``{% if %}`` is rendered twice, once
with every placeholder truthy and once falsy, so both branches' tables count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jinja2
from jinja2 import meta, nodes

from lineage.analysis.sql import table_lineage
from lineage.analysis.sql_split import as_text
from lineage.analysis.types import CodeAnalysis, SqlStatement

_MARKER = "__jinja_"
_JINJA_START = re.compile(r"\{\{|\{%|\{#")
_SAFE_NAME = re.compile(r"[^0-9A-Za-z_]+")
_GUESS_USES = re.compile(r"\{\{-?\s*([A-Za-z_]\w*)|\{%-?\s*(?:if|elif)\s+(?:not\s+)?([A-Za-z_]\w*)")
_JINJA_WORDS = frozenset({"", "not", "true", "false", "none", "loop", "range"})


class _Value:
    """Stands in for a Jinja variable the notebook supplies at run time.

    Renders as an identifier (``__jinja_name__``) that parses wherever SQL takes a
    value, a column or a table name; supports attribute and item access, calls,
    iteration (one item), arithmetic and comparisons, so templates render without
    knowing real values. ``truthy`` picks the branch of ``{% if %}`` tests.
    """

    __slots__ = ("_loops", "_name", "_truthy")

    def __init__(self, name: str, truthy: bool, loops: bool = True) -> None:
        self._name = name
        self._truthy = truthy
        self._loops = loops

    def _child(self, suffix: object) -> _Value:
        name = f"{self._name}_{_SAFE_NAME.sub('_', str(suffix))}"
        return _Value(name, self._truthy, self._loops)

    def __str__(self) -> str:
        return f"{_MARKER}{self._name}__"

    __html__ = __str__

    def __repr__(self) -> str:
        return str(self)

    def __getattr__(self, name: str) -> _Value:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._child(name)

    def __getitem__(self, key: object) -> _Value:
        return self._child(key)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        strings = [a for a in args if isinstance(a, str)]
        # dbt conventions, so dbt-style models keep their table names
        if self._name == "ref" and strings:
            return strings[-1]
        if self._name == "source" and len(strings) >= 2:
            return f"{strings[0]}.{strings[1]}"
        if self._name == "config":
            return ""
        return self._child("call")

    def __iter__(self) -> Iterator[_Value]:
        if self._loops:
            yield self._child("item")

    def __len__(self) -> int:
        return 1

    def __bool__(self) -> bool:
        return self._truthy

    def __eq__(self, other: object) -> bool:
        return self._truthy

    def __ne__(self, other: object) -> bool:
        return not self._truthy

    __lt__ = __le__ = __gt__ = __ge__ = __contains__ = __eq__

    def __hash__(self) -> int:
        return hash(self._name)

    def _same(self, *_: Any) -> _Value:
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same
    __truediv__ = __rtruediv__ = __floordiv__ = __mod__ = __neg__ = __pos__ = _same

    def __int__(self) -> int:
        return 1

    def __float__(self) -> float:
        return 1.0


def _passthrough(value: Any = "", *args: Any, **kwargs: Any) -> Any:
    return value


def _inclause(value: Any = "", *args: Any, **kwargs: Any) -> str:
    return f"({value})"


class _LenientMap(dict):
    """Filters/tests dict that accepts any name (jinjasql's ``sqlsafe``, ``inclause``…)."""

    def __init__(self, base: dict, default: Any) -> None:
        super().__init__(base)
        self._default = default

    def __contains__(self, key: object) -> bool:
        return True

    def __missing__(self, key: str) -> Any:
        return self._default

    def get(self, key: str, default: Any = None) -> Any:
        return self[key]


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        autoescape=False,
        extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
        undefined=jinja2.ChainableUndefined,
    )
    filters = dict(env.filters)
    filters.update({"sqlsafe": _passthrough, "inclause": _inclause, "identifier": _passthrough})
    env.filters = _LenientMap(filters, _passthrough)
    env.tests = _LenientMap(dict(env.tests), lambda *a, **k: True)
    return env


_ENV = _environment()


def _has_branches(ast: nodes.Template) -> bool:
    return any(True for _ in ast.find_all((nodes.If, nodes.CondExpr, nodes.Test)))


def _render(template: jinja2.Template, names: frozenset[str], truthy: bool) -> str:
    try:
        return template.render({name: _Value(name, truthy) for name in names})
    except (TypeError, ValueError):
        # "{% for k, v in pairs %}" cannot unpack a one-item placeholder: skip loop bodies
        return template.render({name: _Value(name, truthy, loops=False) for name in names})


def _clean(names: frozenset[str]) -> frozenset[str]:
    """Drop table names built from placeholders (``FROM {{ table }}``): not real tables."""
    return frozenset(n for n in names if _MARKER not in n.lower())


def analyze_sql_block(
    sql: str, variable: str | None = None, dialect: str | None = None
) -> CodeAnalysis:
    """Analyse a SQL block: its result variable, Jinja uses, and tables read and written.

    Args:
        sql: the block's source, possibly a Jinja template (``{{ x }}``, ``{% if %}``…).
        variable: the Python name the block's result is bound to, if any.
        dialect: sqlglot dialect of the block's connection.

    Returns:
        A `CodeAnalysis`: ``defines`` is ``{variable}``; ``uses`` the Jinja variables
        (``{% for a in xs %}`` uses ``xs``, ``{{ t.col }}`` uses ``t``); ``reads`` the
        tables read that the block does not write first, ``writes`` the tables written
        (names built from Jinja placeholders are left out); ``sql`` the rendered SQL;
        ``error`` set, never raised, when the template cannot be parsed or rendered.

    Examples:
        >>> a = analyze_sql_block(
        ...     "SELECT * FROM orders WHERE region = {{ region }} "
        ...     "{% if since %}AND day >= {{ since | sqlsafe }}{% endif %}", variable="df")
        >>> sorted(a.defines), sorted(a.uses), sorted(a.reads)
        (['df'], ['region', 'since'], ['orders'])
        >>> print(analyze_sql_block("SELECT {{ x ", variable="df").error)
        Jinja syntax error on line 1: unexpected end of template, expected 'end of print statement'.
    """
    sql = as_text(sql)
    defines = frozenset({variable}) if variable else frozenset()
    if not _JINJA_START.search(sql):
        return _analysis(sql, [sql], defines, frozenset(), variable, dialect)
    simple = _render_simple(sql)
    if simple is not None:
        rendered_text, simple_uses = simple
        return _analysis(sql, [rendered_text], defines, simple_uses, variable, dialect)
    try:
        ast = _ENV.parse(sql)
        uses = frozenset(meta.find_undeclared_variables(ast))
    except jinja2.TemplateSyntaxError as error:
        # the parser gave up: the names that open {{ … }} and {% if … %} tags will do
        guessed = {name for pair in _GUESS_USES.findall(sql) for name in pair} - _JINJA_WORDS
        return _broken(sql, defines, frozenset(guessed), variable, dialect, _syntax_message(error))
    except Exception as error:
        return _broken(sql, defines, frozenset(), variable, dialect, f"Jinja error: {error}")
    try:
        template = _ENV.from_string(ast)
        rendered = [_render(template, uses, truthy=True)]
        if _has_branches(ast):
            rendered.append(_render(template, uses, truthy=False))
    except Exception as error:  # user templates can fail in any way at render time
        return _broken(sql, defines, uses, variable, dialect, f"Jinja render error: {error}")
    return _analysis(sql, rendered, defines, uses, variable, dialect)


_SIMPLE_TAG = re.compile(r"\{\{-?(.*?)-?\}\}", re.S)
_SIMPLE_EXPR = re.compile(
    r"""^\s*(?P<name>[A-Za-z_]\w*)
    (?P<path>(?:\s*\.\s*[A-Za-z_]\w*|\s*\[\s*(?:'[^'\]]*'|"[^"\]]*"|\d+)\s*\])*)
    (?P<filters>(?:\s*\|\s*[A-Za-z_]\w*(?:\s*\([^(){}|]*\))?)*)\s*$""",
    re.X,
)
_PATH_PART = re.compile(r"[A-Za-z_]\w*|'([^']*)'|\"([^\"]*)\"|\d+")
_CONSTANTS = frozenset({"true", "false", "none", "True", "False", "None"})


def _render_simple(sql: str) -> tuple[str, frozenset[str]] | None:
    """Render a template made only of ``{{ name[.attr][ | filter] }}`` tags without Jinja.

    Most SQL blocks only interpolate values; compiling a Jinja template for them
    costs ten times the SQL analysis, so they take this path. Anything else
    (statements, calls, comments, expressions) returns None and goes to Jinja.
    """
    if "{%" in sql or "{#" in sql:
        return None
    uses: set[str] = set()
    pieces: list[str] = []
    last = 0
    for match in _SIMPLE_TAG.finditer(sql):
        expr = _SIMPLE_EXPR.match(match.group(1))
        if expr is None or expr["name"] in _CONSTANTS:
            return None
        name = expr["name"]
        uses.add(name)
        parts = [name] + [
            _SAFE_NAME.sub("_", p.group(1) or p.group(2) or p.group(0))
            for p in _PATH_PART.finditer(expr["path"] or "")
        ]
        text = f"{_MARKER}{'_'.join(parts)}__"
        if re.search(r"\|\s*inclause\b", expr["filters"] or ""):
            text = f"({text})"
        pieces.append(sql[last : match.start()])
        pieces.append(text)
        last = match.end()
    if "{{" in sql[last:] or "}}" in sql[last:]:
        return None  # an unclosed tag: let Jinja report the syntax error
    pieces.append(sql[last:])
    return "".join(pieces), frozenset(uses)


def _syntax_message(error: jinja2.TemplateSyntaxError) -> str:
    message = (error.message or "invalid template").rstrip(".")
    return f"Jinja syntax error on line {error.lineno}: {message}."


def _statement(sql: str, variable: str | None, dialect: str | None) -> tuple[SqlStatement, ...]:
    text = sql.strip()
    if not text:
        return ()
    return (SqlStatement(sql=text, line=1, role="sql-block", dialect=dialect, variable=variable),)


def _analysis(
    source: str,
    rendered: list[str],
    defines: frozenset[str],
    uses: frozenset[str],
    variable: str | None,
    dialect: str | None,
) -> CodeAnalysis:
    """Tables of every rendering, merged; the first rendering is the block's SQL."""
    reads: set[str] = set()
    writes: set[str] = set()
    is_low = False
    for text in dict.fromkeys(rendered):
        lineage = table_lineage(text, dialect)
        reads |= lineage.sources
        writes |= lineage.targets
        is_low = is_low or lineage.confidence == "low"
    return CodeAnalysis(
        defines=defines,
        uses=uses,
        reads=_clean(frozenset(reads)),
        writes=_clean(frozenset(writes)),
        sql=_statement(rendered[0] if rendered else source, variable, dialect),
        confidence="low" if is_low else "high",
    )


def _broken(
    sql: str,
    defines: frozenset[str],
    uses: frozenset[str],
    variable: str | None,
    dialect: str | None,
    message: str,
) -> CodeAnalysis:
    """A template that cannot be parsed or rendered: the raw text is scanned for tables."""
    lineage = table_lineage(sql, dialect)
    return CodeAnalysis(
        defines=defines,
        uses=uses,
        reads=_clean(lineage.sources),
        writes=_clean(lineage.targets),
        sql=_statement(sql, variable, dialect),
        confidence="low",
        error=message,
    )
