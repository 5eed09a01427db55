"""IPython magics and shell escapes: what each does to the notebook's namespace.

`interpret_magic` reads one line or cell magic (``%time``, ``%%capture``,
``%run``, ``%store``, ``%%R``, shell escapes...) and returns a `MagicEffect`; the
SQL magics are read by `sql_magics`. Turning IPython syntax into these calls
is `cells`' job.
"""

from __future__ import annotations

import re

from .magic_effects import (
    IDENTIFIER_RE,
    NO_EFFECT,
    MagicEffect,
    Scope,
    interpolations,
    split_args,
)
from .sql_magics import bigquery_magic, sql_magic

# Magics whose argument is Python run in the user namespace.
_USER_CODE = frozenset({"time", "prun", "debug", "capture", "local", "pyspark", "lprun"})
# ...run in a scratch namespace: they read the notebook's names but bind none.
_ISOLATED_CODE = frozenset({"timeit", "memit", "mprun"})
# ...run somewhere else entirely; only their SQL and table I/O matter.
_FOREIGN_CODE = frozenset({"python", "python3", "pypy", "spark"})
_OPTIONS_WITH_VALUE = {
    "timeit": "nr",
    "prun": "DlsT",
    "lprun": "fm",
    "memit": "rti",
    "capture": "",
    "time": "",
    "run": "mGd",
}
_NOTHING = frozenset(
    {
        "markdown",
        "md",
        "html",
        "javascript",
        "js",
        "latex",
        "svg",
        "scala",
        "r-lang",
        "configure",
        "info",
        "help",
        "cleanup",
        "delete",
        "matplotlib",
        "load_ext",
        "reload_ext",
        "unload_ext",
        "config",
        "autoreload",
        "aimport",
        "who",
        "whos",
        "who_ls",
        "history",
        "reset",
        "pylab",
        "precision",
        "lsmagic",
        "magic",
        "alias_magic",
        "colors",
        "xmode",
        "pdb",
        "doctest_mode",
        "ai",
        "ai_config",
        "chatgpt",
        "fs",
    }
)
_SHELL = frozenset(
    {"sh", "bash", "script", "cmd", "powershell", "perl", "ruby", "system", "sx", "zsh"}
)
_HELP = frozenset({"pinfo", "pinfo2", "pdef", "pdoc", "psource", "pfile", "psearch"})


def interpret_magic(name: str, line: str, body: str | None = None) -> MagicEffect:
    """What a line magic (``body is None``) or cell magic does.

    Examples:
        >>> interpret_magic("time", "y = f()").python
        'y = f()'
        >>> effect = interpret_magic("bigquery", "df --project p", "SELECT 1")
        >>> effect.defines, effect.sql[0].dialect
        (('df',), 'bigquery')
        >>> interpret_magic("run", "-i ../etl/load.ipynb").runs
        ('../etl/load.ipynb',)
    """
    if name in ("sql", "databricks-sql", "sparksql", "dql", "duckdb", "sparkmagic-sql"):
        return sql_magic(name, line, body)
    if name == "bigquery":
        return bigquery_magic(line, body)
    if name in _USER_CODE or name in _ISOLATED_CODE or name in _FOREIGN_CODE:
        return _code_magic(name, line, body)
    if name == "run":
        return _run_magic(line, body)
    if name in _SHELL:
        return _shell_magic(name, line, body)
    if name in ("writefile", "file"):
        args = split_args(line)
        paths = [a for a in args if not a.startswith("-")]
        return MagicEffect(writes=tuple(paths[:1]))
    if name in ("R", "Rpush", "Rpull", "Rget", "julia"):
        return _rpy2_magic(name, line)
    if name == "store":
        return _store_magic(line)
    if name in _HELP:
        root = re.match(r"[*\s]*([A-Za-z_]\w*)", line)
        return MagicEffect(uses=(root.group(1),) if root else ())
    if name == "xdel":
        return MagicEffect(deletes=tuple(split_args(line)[:1]))
    if name in _NOTHING or name.lower() in _NOTHING:
        return NO_EFFECT
    # Any other line magic: IPython expands $name and {expr} in its argument.
    names, expressions = interpolations(line)
    return MagicEffect(uses=names, expressions=expressions)


def _strip_options(line: str, with_value: str) -> str:
    """Drop IPython-style ``-n 10 -r3 -q`` options from the front of a magic line."""
    rest = line.lstrip()
    while rest.startswith("-") and not rest.startswith("--"):
        match = re.match(r"-(\w)(\S*)\s*", rest)
        if match is None:
            break
        rest = rest[match.end() :]
        if match.group(1) in with_value and not match.group(2):
            rest = re.sub(r"^\S+\s*", "", rest, count=1)
    while rest.startswith("--"):
        rest = re.sub(r"^--[\w-]+(=\S+)?\s*", "", rest, count=1)
    return rest


def _code_magic(name: str, line: str, body: str | None) -> MagicEffect:
    scope: Scope = (
        "user" if name in _USER_CODE else "isolated" if name in _ISOLATED_CODE else "foreign"
    )
    defines: tuple[str, ...] = ()
    if name == "spark":
        # sparkmagic: `%%spark -c sql -o df` runs SQL remotely and copies the result here
        args = split_args(line)
        if "-c" in args and args[args.index("-c") + 1 : args.index("-c") + 2] == ["sql"]:
            return sql_magic("sparkmagic-sql", line, body)
        return MagicEffect(python=body, scope="foreign")
    if name == "capture":
        args = [a for a in split_args(line) if not a.startswith("-")]
        defines = tuple(args[:1])
        return MagicEffect(python=body or "", scope="user", defines=defines)
    code = _strip_options(line, _OPTIONS_WITH_VALUE.get(name, ""))
    if body is not None:
        # %%timeit's line is setup code that runs before the body.
        code = f"{code}\n{body}" if code.strip() else body
    return MagicEffect(python=code, scope=scope)


def _run_magic(line: str, body: str | None) -> MagicEffect:
    rest = _strip_options(line, _OPTIONS_WITH_VALUE["run"])
    names, expressions = interpolations(rest)
    args = split_args(rest)
    # A path interpolated from a variable is only known at run time.
    runs = tuple(args[:1]) if args and not ("$" in args[0] or "{" in args[0]) else ()
    if body is not None and not runs and body.strip():
        runs = (body.strip().split()[0],)
    return MagicEffect(runs=runs, uses=names, expressions=expressions)


def _shell_magic(name: str, line: str, body: str | None) -> MagicEffect:
    defines: list[str] = []
    args = split_args(line)
    for option in ("--out", "--err", "--proc"):
        if option in args:
            index = args.index(option)
            if index + 1 < len(args):
                defines.append(args[index + 1])
    names, expressions = interpolations(line if body is not None else f"{line}")
    return MagicEffect(defines=tuple(defines), uses=names, expressions=expressions)


def _rpy2_magic(name: str, line: str) -> MagicEffect:
    args = split_args(line)
    uses: list[str] = []
    defines: list[str] = []
    if name == "Rpush":
        uses = [a for a in args if IDENTIFIER_RE.match(a)]
    elif name in ("Rpull", "Rget"):
        defines = [a for a in args if IDENTIFIER_RE.match(a)]
    else:
        for index, arg in enumerate(args[:-1]):
            target = (
                uses if arg in ("-i", "--input") else defines if arg in ("-o", "--output") else None
            )
            if target is not None:
                target.extend(n for n in args[index + 1].split(",") if IDENTIFIER_RE.match(n))
    return MagicEffect(uses=tuple(uses), defines=tuple(defines))


def _store_magic(line: str) -> MagicEffect:
    args = split_args(line)
    if not args:
        return NO_EFFECT
    if args[0] == "-r":
        return MagicEffect(defines=tuple(a for a in args[1:] if IDENTIFIER_RE.match(a)))
    if args[0].startswith("-"):
        return NO_EFFECT
    names = []
    for arg in args:
        if arg.startswith(">"):
            break
        if IDENTIFIER_RE.match(arg):
            names.append(arg)
    return MagicEffect(uses=tuple(names))
