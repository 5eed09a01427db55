"""Jinja templates (SQL blocks, Deepnote big-number titles) rendered without their data,
safely and within bounds.

A template is rendered with a placeholder (`Placeholder`) for every variable the
notebook supplies at run time, in jinja2's sandbox, so that rendering can neither reach
Python's internals nor run away: ``range`` is the sandbox's (at most 100,000 items),
``**``, ``*`` and ``+`` refuse results larger than `MAX_OUTPUT_CHARS`, filters refuse
sizes beyond it, every call and every output chunk checks the block's work budget
(`budget.check`), and the output stops at `MAX_OUTPUT_CHARS`. Past any limit,
rendering raises `TemplateTooCostly`; past the budget, `budget.BudgetExceeded`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from .budget import check

MARKER = "__jinja_"
MAX_OUTPUT_CHARS = 1_000_000  # more SQL than any block holds; a runaway loop stops here
MAX_TEMPLATE_CHARS = 200_000  # templates longer than this are not compiled
_STEP = "jinja rendering"


class TemplateTooCostly(RuntimeError):
    """Rendering a template would exceed a size limit (the message says which)."""


def _safe_name(text: str) -> str:
    return "".join(c if c.isalnum() or c == "_" else "_" for c in text)


# Attributes jinja and its sandbox probe objects for: a placeholder has none of them.
_MARKERS = frozenset({"unsafe_callable", "alters_data", "jinja_pass_arg", "jinja_async_variant"})


class Placeholder:
    """Stands in for a Jinja variable the notebook supplies at run time.

    Renders as an identifier (``__jinja_name__``) that parses wherever SQL takes a
    value, a column or a table name; supports attribute and item access, calls,
    iteration (one item), arithmetic and comparisons, so templates render without
    knowing real values. ``truthy`` picks the branch of ``{% if %}`` tests.

    Examples:
        >>> str(Placeholder("region", True).code)
        '__jinja_region_code__'
    """

    __slots__ = ("_loops", "_name", "_truthy")

    def __init__(self, name: str, truthy: bool, loops: bool = True) -> None:
        self._name = name
        self._truthy = truthy
        self._loops = loops

    def _child(self, suffix: object) -> Placeholder:
        return Placeholder(f"{self._name}_{_safe_name(str(suffix))}", self._truthy, self._loops)

    def __str__(self) -> str:
        return f"{MARKER}{self._name}__"

    __html__ = __str__

    def __repr__(self) -> str:
        return str(self)

    def __getattr__(self, name: str) -> Placeholder:
        if name.startswith("__") or name in _MARKERS:
            raise AttributeError(name)
        return self._child(name)

    def __getitem__(self, key: object) -> Placeholder:
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

    def __iter__(self) -> Iterator[Placeholder]:
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

    def _same(self, *_: Any) -> Placeholder:
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


def _too_big(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > MAX_OUTPUT_CHARS
    if isinstance(value, str | bytes | list | tuple | dict):
        return len(value) > MAX_OUTPUT_CHARS
    return False


def _guarded(function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter or test that checks the budget and refuses outsized arguments and results
    (``center(10**9)``); jinja's pass-context markers are kept by ``functools.wraps``."""

    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        check(_STEP)
        if any(_too_big(a) for a in args[1:]) or any(_too_big(v) for v in kwargs.values()):
            raise TemplateTooCostly(f"a filter argument is larger than {MAX_OUTPUT_CHARS:,}")
        result = function(*args, **kwargs)
        if _too_big(result):
            raise TemplateTooCostly(f"a filter result is larger than {MAX_OUTPUT_CHARS:,}")
        return result

    return guarded


class _LenientMap(dict):
    """Filters/tests dict that accepts any name (jinjasql's ``sqlsafe``, ``inclause``…)."""

    def __init__(self, base: dict, default: Any) -> None:
        super().__init__({name: _guarded(f) for name, f in base.items()})
        self._default = default

    def __contains__(self, key: object) -> bool:
        return True

    def __missing__(self, key: str) -> Any:
        return self._default

    def get(self, key: str, default: Any = None) -> Any:
        return self[key]


class _BoundedEnvironment(SandboxedEnvironment):
    """The sandbox, with a budget check on every call and bounded arithmetic."""

    intercepted_binops = frozenset({"*", "**", "+"})

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        check(_STEP)
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        check(_STEP)
        if operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 0 and max(left.bit_length(), 1) * right > 64 * 1024:
                raise TemplateTooCostly("a power is too large to compute")
        elif operator == "*":
            for sized, count in ((left, right), (right, left)):
                if (
                    isinstance(sized, str | list | tuple)
                    and isinstance(count, int)
                    and len(sized) * count > MAX_OUTPUT_CHARS
                ):
                    raise TemplateTooCostly(f"a repetition is longer than {MAX_OUTPUT_CHARS:,}")
        elif (
            operator == "+"
            and isinstance(left, str | list | tuple)
            and isinstance(right, str | list | tuple)
            and len(left) + len(right) > MAX_OUTPUT_CHARS
        ):
            raise TemplateTooCostly(f"a concatenation is longer than {MAX_OUTPUT_CHARS:,}")
        return super().call_binop(context, operator, left, right)


def _environment() -> jinja2.Environment:
    env = _BoundedEnvironment(
        autoescape=False,
        extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
        undefined=jinja2.ChainableUndefined,
    )
    filters = dict(env.filters)
    filters.update({"sqlsafe": _passthrough, "inclause": _inclause, "identifier": _passthrough})
    env.filters = _LenientMap(filters, _passthrough)
    env.tests = _LenientMap(dict(env.tests), lambda *a, **k: True)
    # Only what templates of SQL need; `lipsum(10**6)`, `cycler` and `joiner` are not.
    env.globals = {"range": env.globals["range"], "dict": dict, "namespace": jinja2.utils.Namespace}
    return env


ENVIRONMENT = _environment()


def parse(text: str) -> nodes.Template:
    """Parse a template (raises ``jinja2.TemplateSyntaxError`` or `TemplateTooCostly`).

    Examples:
        >>> sorted(undeclared(parse("{% set n = 2 %}{{ title }} x {{ n }}")))
        ['title']
    """
    if len(text) > MAX_TEMPLATE_CHARS:
        raise TemplateTooCostly(f"the template is longer than {MAX_TEMPLATE_CHARS:,} characters")
    check(_STEP)
    return ENVIRONMENT.parse(text)


def undeclared(tree: nodes.Template) -> frozenset[str]:
    """The variables a parsed template reads from its caller (not ``set`` or loop names)."""
    return frozenset(meta.find_undeclared_variables(tree))


def has_branches(tree: nodes.Template) -> bool:
    """Whether the template has ``{% if %}``, ``x if c else y`` or tests."""
    return any(True for _ in tree.find_all((nodes.If, nodes.CondExpr, nodes.Test)))


def compile_template(tree: nodes.Template) -> jinja2.Template:
    """Compile a parsed template in the bounded sandbox."""
    check(_STEP)
    return ENVIRONMENT.from_string(tree)


def render(template: jinja2.Template, names: frozenset[str], *, truthy: bool) -> str:
    """Render with a placeholder for each of ``names``, within the limits of this module.

    Examples:
        >>> t = compile_template(parse("SELECT * FROM t WHERE c = {{ c }}"))
        >>> render(t, frozenset({"c"}), truthy=True)
        'SELECT * FROM t WHERE c = __jinja_c__'
        >>> loop = "{% for i in range(99999) %}{{ 'x' * 99 }}{% endfor %}"
        >>> render(compile_template(parse(loop)), frozenset(), truthy=True)
        Traceback (most recent call last):
        ...
        lineage.analysis.templates.TemplateTooCostly: the rendered text is longer than 1,000,000 ...
    """
    try:
        return _render(template, {name: Placeholder(name, truthy) for name in names})
    except (TypeError, ValueError):
        # "{% for k, v in pairs %}" cannot unpack a one-item placeholder: skip loop bodies
        return _render(template, {name: Placeholder(name, truthy, loops=False) for name in names})


def _render(template: jinja2.Template, context: dict[str, Any]) -> str:
    pieces: list[str] = []
    size = 0
    for piece in template.generate(context):
        check(_STEP)
        size += len(piece)
        if size > MAX_OUTPUT_CHARS:
            raise TemplateTooCostly(
                f"the rendered text is longer than {MAX_OUTPUT_CHARS:,} characters"
            )
        pieces.append(piece)
    return "".join(pieces)


def template_uses(text: str) -> frozenset[str]:
    """The variables a template reads (``{{ x }}``, ``{% if y %}``); empty when it does not
    parse or is too large.

    Examples:
        >>> sorted(template_uses("Revenue in {{ region | upper }} since {{ start.date }}"))
        ['region', 'start']
        >>> template_uses("{{ broken")
        frozenset()
    """
    if "{" not in text:
        return frozenset()
    try:
        return undeclared(parse(text))
    except (jinja2.TemplateSyntaxError, TemplateTooCostly, RecursionError):
        return frozenset()
