"""What a Python block defines and uses: Python's scoping rules, exactly."""

from __future__ import annotations

import pytest

from lineage.analysis.python import analyze_code

from .scoping_cases import ALL_CASES


def _p(source: str, defines: set[str], uses: set[str], case: str):
    return pytest.param(source, frozenset(defines), frozenset(uses), id=case)


SCOPING_CASES = [
    # --- assignment
    _p("x = 1", {"x"}, set(), "a plain assignment defines its target"),
    _p("y = x + 1", {"y"}, {"x"}, "a name read before any binding is used"),
    _p("x = 1\ny = x * 2", {"x", "y"}, set(), "a name bound earlier in the block is not used"),
    _p("print(x)\nx = 1", {"x"}, {"x"}, "a name read before the block binds it is still used"),
    _p("x = x + 1", {"x"}, {"x"}, "a rebinding that reads the old value uses it"),
    _p("a = b = c", {"a", "b"}, {"c"}, "chained assignment defines every target"),
    _p("a, b = pair", {"a", "b"}, {"pair"}, "tuple unpacking defines every element"),
    _p("[a, b] = pair", {"a", "b"}, {"pair"}, "list unpacking defines every element"),
    _p("a, (b, *c) = f()", {"a", "b", "c"}, {"f"}, "nested and starred unpacking binds all"),
    _p("first, *_ = rows", {"first", "_"}, {"rows"}, "a starred throwaway is still a binding"),
    _p("x, y = y, x", {"x", "y"}, {"x", "y"}, "a swap uses both names before binding them"),
    # --- augmented and annotated assignment
    _p("total += 1", {"total"}, {"total"}, "augmented assignment uses and defines"),
    _p(
        "total = 0\ntotal += n", {"total"}, {"n"}, "augmented assignment after binding uses nothing"
    ),
    _p("counts[k] += 1", set(), {"counts", "k"}, "augmented assignment to an item binds nothing"),
    _p("x: int = compute()", {"x"}, {"compute"}, "annotated assignment defines its target"),
    _p("x: int", set(), set(), "a bare annotation binds nothing at module level"),
    _p("x: MyType = None", {"x"}, {"MyType"}, "the annotation of an assignment is used"),
    _p("x: 'Frame' = make()", {"x"}, {"make"}, "a string annotation is not a name"),
    # --- walrus
    _p("if (n := len(items)) > 10:\n    big = n", {"n", "big"}, {"items"}, "walrus defines"),
    _p(
        "[y := f(v) for v in data]\nprint(y)",
        {"y"},
        {"f", "data"},
        "walrus in a comprehension binds in the enclosing scope",
    ),
    _p(
        "total = sum(s for r in rows if (s := r.size))",
        {"total", "s"},
        {"rows"},
        "walrus in a generator leaks its name",
    ),
    _p(
        "def f():\n    [last := x for x in xs]\n    return last",
        {"f"},
        {"xs"},
        "walrus in a comprehension inside a function binds in the function",
    ),
    # --- for / while / with / try
    _p("for i in range(n):\n    acc = i", {"i", "acc"}, {"n"}, "for targets are defined"),
    _p(
        "for k, (a, b) in pairs.items():\n    pass",
        {"k", "a", "b"},
        {"pairs"},
        "for unpacks tuple targets",
    ),
    _p(
        "for x in xs:\n    pass\nelse:\n    done = True",
        {"x", "done"},
        {"xs"},
        "for-else bodies bind too",
    ),
    _p("while not ready():\n    tries = 1", {"tries"}, {"ready"}, "while bodies bind"),
    _p(
        "with open(path) as fh:\n    text = fh.read()",
        {"fh", "text"},
        {"path"},
        "with targets are defined",
    ),
    _p(
        "with a() as (x, y), b() as z:\n    pass",
        {"x", "y", "z"},
        {"a", "b"},
        "with items unpack tuple targets",
    ),
    _p(
        "try:\n    r = risky()\nexcept ValueError as err:\n    log(err)",
        {"r"},
        {"risky", "log"},
        "an except name is local to its handler",
    ),
    _p(
        "try:\n    import ujson as json\nexcept ImportError:\n    import json",
        {"json"},
        set(),
        "try/except imports define the alias",
    ),
    _p(
        "try:\n    pass\nfinally:\n    closed = close(conn)",
        {"closed"},
        {"close", "conn"},
        "finally bodies bind",
    ),
    _p(
        "try:\n    x = 1\nexcept* OSError as group:\n    y = group",
        {"x", "y"},
        set(),
        "except-star handlers follow the same rules",
    ),
    # --- functions and classes
    _p("def f(a, b=1):\n    return a + b", {"f"}, set(), "def binds the function name"),
    _p(
        "def f(a):\n    return a * factor",
        {"f"},
        {"factor"},
        "free names in a function body are uses",
    ),
    _p(
        "def f():\n    return g()\n\ndef g():\n    return 1",
        {"f", "g"},
        set(),
        "a function may call a function the block defines later",
    ),
    _p(
        "def f():\n    x = 1\n    return x",
        {"f"},
        set(),
        "names local to a function are neither defined nor used",
    ),
    _p(
        "def f(x=default, *, y: YType = other) -> Ret:\n    pass",
        {"f"},
        {"default", "other", "YType", "Ret"},
        "defaults and annotations are evaluated where the function is defined",
    ),
    _p(
        "@cache\n@retry(times=n)\ndef load():\n    pass",
        {"load"},
        {"cache", "retry", "n"},
        "decorators are uses",
    ),
    _p(
        "def outer():\n    v = 1\n    def inner():\n        return v + w\n    return inner",
        {"outer"},
        {"w"},
        "closures see the enclosing function's locals",
    ),
    _p(
        "def f():\n    global counter\n    counter = 0",
        {"f", "counter"},
        set(),
        "a global assigned in a function is defined by the block",
    ),
    _p(
        "def f():\n    global counter\n    return counter + 1",
        {"f"},
        {"counter"},
        "a global read in a function is used",
    ),
    _p(
        "def outer():\n    n = 0\n    def bump():\n        nonlocal n\n        n += 1\n"
        "    return bump",
        {"outer"},
        set(),
        "nonlocal names belong to the enclosing function",
    ),
    _p(
        "def f(*args, **kwargs):\n    return g(*args, **kwargs)",
        {"f"},
        {"g"},
        "star arguments are locals",
    ),
    _p(
        "def f(a, /, b, *, c):\n    return a, b, c",
        {"f"},
        set(),
        "positional-only and keyword-only parameters are locals",
    ),
    _p(
        "async def fetch(url):\n    async with session.get(url) as r:\n"
        "        return await r.json()",
        {"fetch"},
        {"session"},
        "async functions follow the same rules",
    ),
    _p(
        "def f():\n    print(x)\n    x = 1",
        {"f"},
        set(),
        "a name assigned anywhere in a function is local throughout it",
    ),
    _p(
        "def f():\n    del cache\n",
        {"f"},
        set(),
        "del inside a function makes the name local",
    ),
    _p(
        "class Model(Base, metaclass=Meta):\n    rate = default_rate\n    scaled = rate * 2",
        {"Model"},
        {"Base", "Meta", "default_rate"},
        "class bodies run immediately and see their own earlier names",
    ),
    _p(
        "class A:\n    size = 3\n    def area(self):\n        return size * size",
        {"A"},
        {"size"},
        "methods do not see class attributes as bare names",
    ),
    _p(
        "class A:\n    items = [1, 2]\n    doubled = [i * k for i in items]",
        {"A"},
        {"k"},
        "a comprehension in a class body sees only its first iterable from the class",
    ),
    _p(
        "@dataclass\nclass Point:\n    x: float\n    y: float = origin",
        {"Point"},
        {"dataclass", "origin"},
        "dataclass fields are class locals",
    ),
    _p(
        "class Node:\n    def children(self) -> list[Node]:\n        return []",
        {"Node"},
        set(),
        "a method annotation may name the class being defined",
    ),
    # --- lambdas and comprehensions
    _p("f = lambda r: r.a * factor", {"f"}, {"factor"}, "free names in a lambda are uses"),
    _p("f = lambda x, y=base: x + y", {"f"}, {"base"}, "lambda defaults are uses"),
    _p(
        "key = lambda r: weights[r]\nweights = {}",
        {"key", "weights"},
        set(),
        "a lambda body reads names bound later in the block",
    ),
    _p("ys = [x * 2 for x in xs]", {"ys"}, {"xs"}, "comprehension targets are not defined"),
    _p(
        "pairs = [(a, b) for a in left for b in right if a != b]",
        {"pairs"},
        {"left", "right"},
        "nested generators see earlier targets",
    ),
    _p(
        "m = {k: v for k, v in items if v > limit}",
        {"m"},
        {"items", "limit"},
        "dict comprehensions scope their targets",
    ),
    _p("s = {len(w) for w in words}", {"s"}, {"words"}, "set comprehensions scope their targets"),
    _p(
        "g = (row.id for row in table)",
        {"g"},
        {"table"},
        "generator expressions scope their targets",
    ),
    _p(
        "x = 5\nys = [x for x in range(x)]",
        {"x", "ys"},
        set(),
        "the first iterable is evaluated outside the comprehension",
    ),
    _p(
        "grid = [[c for c in row] for row in rows]",
        {"grid"},
        {"rows"},
        "nested comprehensions see the outer targets",
    ),
    _p(
        "fs = [lambda: i for i in range(3)]",
        {"fs"},
        set(),
        "a lambda inside a comprehension sees its target",
    ),
    # --- imports
    _p("import os", {"os"}, set(), "import binds the module name"),
    _p("import os.path", {"os"}, set(), "a dotted import binds its first part"),
    _p("import numpy as np", {"np"}, set(), "import-as binds the alias"),
    _p(
        "from sklearn.metrics import roc_auc_score as auc, f1_score",
        {"auc", "f1_score"},
        set(),
        "from-import binds each imported name or alias",
    ),
    _p("from . import utils", {"utils"}, set(), "relative imports bind their names"),
    _p("from __future__ import annotations", {"annotations"}, set(), "future imports bind"),
    # --- del, global at module level
    _p("del old", set(), {"old"}, "del of an outside name uses it"),
    _p("tmp = 1\ndel tmp", set(), set(), "a name deleted by the block is not defined"),
    _p("global q\nq = 1", {"q"}, set(), "global at module level changes nothing"),
    # --- match
    _p(
        "match cmd:\n    case [first, *rest]:\n        out = first",
        {"first", "rest", "out"},
        {"cmd"},
        "sequence patterns bind their captures",
    ),
    _p(
        "match p:\n    case Point(x=0, y=yy) if yy > lim:\n        pass",
        {"yy"},
        {"p", "Point", "lim"},
        "class patterns use the class and bind captures",
    ),
    _p(
        "match d:\n    case {'k': v, **others}:\n        pass",
        {"v", "others"},
        {"d"},
        "mapping patterns bind values and the rest",
    ),
    _p(
        "match c:\n    case Color.RED | Color.GREEN:\n        hit = True",
        {"hit"},
        {"c", "Color"},
        "value patterns use dotted names",
    ),
    _p(
        "match x:\n    case (1 | 2) as small:\n        pass\n    case _:\n        pass",
        {"small"},
        {"x"},
        "as-patterns bind and the wildcard does not",
    ),
    # --- expressions
    _p(
        's = f"{name!r} scored {score:.{digits}f}"',
        {"s"},
        {"name", "score", "digits"},
        "f-strings use their fields and nested format specs",
    ),
    _p(
        "v = a if cond else b",
        {"v"},
        {"a", "cond", "b"},
        "conditional expressions use all three parts",
    ),
    _p("v = obj.attr.method()[key]", {"v"}, {"obj", "key"}, "attribute chains use only the root"),
    _p("v = xs[lo:hi:step]", {"v"}, {"xs", "lo", "hi", "step"}, "slices use their bounds"),
    _p("v = {**base, 'k': val}", {"v"}, {"base", "val"}, "dict unpacking uses the mapping"),
    _p("v = [*head, *tail]", {"v"}, {"head", "tail"}, "starred elements are uses"),
    _p("v = not a or b and c", {"v"}, {"a", "b", "c"}, "boolean operators use all operands"),
    _p("v = lo < x <= hi", {"v"}, {"lo", "x", "hi"}, "chained comparisons use every operand"),
    _p("result = await fetch(url)", {"result"}, {"fetch", "url"}, "top-level await is allowed"),
    _p(
        "assert len(df) > 0, msg",
        set(),
        {"df", "msg"},
        "assert uses its test and message",
    ),
    _p("raise ValueError(bad) from err", set(), {"bad", "err"}, "raise uses exception and cause"),
    # --- builtins
    _p("n = len(items)\nprint(n)", {"n"}, {"items"}, "builtins are not uses"),
    _p("display(df)", set(), {"df"}, "IPython's display is a builtin"),
    _p("list = [1]\nprint(list)", {"list"}, set(), "a block may shadow a builtin"),
    _p("if __name__ == '__main__':\n    main()", set(), {"main"}, "module dunders are builtins"),
]


@pytest.mark.parametrize(("source", "defines", "uses"), SCOPING_CASES)
def test_it_finds_the_names_a_block_defines_and_uses(source, defines, uses):
    analysis = analyze_code(source)

    assert analysis.error is None
    assert analysis.defines == defines
    assert analysis.uses == uses


IMPORT_CASES = [
    pytest.param("import os, sys", {"os", "sys"}, id="import lists every module"),
    pytest.param("import matplotlib.pyplot as plt", {"matplotlib.pyplot"}, id="dotted import"),
    pytest.param(
        "from sklearn.model_selection import train_test_split",
        {"sklearn.model_selection"},
        id="from-import records the module",
    ),
    pytest.param("from .helpers import clean", {".helpers"}, id="relative module keeps dots"),
    pytest.param("from . import utils", {".utils"}, id="bare relative import names submodule"),
    pytest.param("from __future__ import annotations", set(), id="future imports are not modules"),
    pytest.param("def f():\n    import json\n    return json", {"json"}, id="imports in functions"),
    pytest.param("mod = importlib.import_module('plugins.x')", {"plugins.x"}, id="import_module"),
]


@pytest.mark.parametrize(("source", "imports"), IMPORT_CASES)
def test_it_records_the_modules_a_block_imports(source, imports):
    assert analyze_code(source).imports == frozenset(imports)


def test_it_reports_a_syntax_error_instead_of_raising():
    analysis = analyze_code("def broken(:\n    pass")

    assert analysis.error == "SyntaxError: invalid syntax (line 1)"
    assert analysis.defines == frozenset()
    assert analysis.confidence == "low"


def test_it_reports_null_bytes_as_an_error():
    assert analyze_code("x = 1\x00").error is not None


def test_it_survives_absurdly_deep_nesting():
    analysis = analyze_code("x = " + "(" * 300 + "1" + ")" * 300)

    assert analysis.error is not None or analysis.defines == {"x"}


def test_it_analyses_an_empty_block_as_nothing():
    assert analyze_code("") == analyze_code("# just a comment\n")
    assert analyze_code("").defines == frozenset()


def test_a_star_import_lowers_confidence():
    analysis = analyze_code("from pylab import *\nplot(x)")

    assert analysis.confidence == "low"
    assert analysis.uses == {"plot", "x"}


def test_it_returns_the_same_answer_for_the_same_text():
    source = "import pandas as pd\ndf = pd.read_csv(path)"

    assert analyze_code(source) == analyze_code(source)


def test_a_realistic_cleaning_cell():
    source = """
orders = raw_orders.copy()
orders["created_at"] = pd.to_datetime(orders["created_at"], utc=True)
orders = orders[orders.status.isin(VALID_STATUSES)]
by_month = orders.groupby(orders.created_at.dt.to_period("M")).amount.sum()
print(f"{len(orders):,} orders, {by_month.iloc[-1]:.2f} last month")
"""
    analysis = analyze_code(source)

    assert analysis.defines == {"orders", "by_month"}
    assert analysis.uses == {"raw_orders", "pd", "VALID_STATUSES"}


def test_a_realistic_training_cell():
    source = """
from sklearn.ensemble import RandomForestClassifier

clf = RandomForestClassifier(n_estimators=N_TREES, random_state=SEED)
clf.fit(X_train, y_train)
importances = sorted(zip(clf.feature_importances_, feature_names), reverse=True)
for weight, name in importances[:10]:
    print(f"{name:<30} {weight:.3f}")
"""
    analysis = analyze_code(source)

    assert analysis.defines == {"RandomForestClassifier", "clf", "importances", "weight", "name"}
    assert analysis.uses == {"N_TREES", "SEED", "X_train", "y_train", "feature_names"}
    assert analysis.imports == {"sklearn.ensemble"}


def test_a_long_generated_concatenation_is_analysed_without_recursing_per_term():
    source = "y = " + " + ".join(f"v{i}" for i in range(900))

    analysis = analyze_code(source)

    assert analysis.error is None
    assert len(analysis.uses) == 900


@pytest.mark.parametrize(("source", "defines", "uses"), ALL_CASES)
def test_it_follows_pythons_binding_rules(source, defines, uses):
    analysis = analyze_code(source)

    assert analysis.error is None
    assert (analysis.defines, analysis.uses) == (defines, uses)
