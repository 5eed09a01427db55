"""Which calls change an object in place: the vocabulary behind `CodeAnalysis.mutates`.

Pure data and two small predicates; the scoping walker decides which *name* the
changed object is bound to.
"""

from __future__ import annotations

import ast

# Methods that change their receiver in place on the builtin containers, pandas,
# numpy, scikit-learn/keras/torch models, DB-API cursors and Spark/ file handles.
# `fit` belongs here because a fitted model is a different object to every later
# block that predicts with it.
MUTATING_METHODS: frozenset[str] = frozenset(
    {
        # list / deque / bytearray
        "append",
        "extend",
        "insert",
        "remove",
        "pop",
        "clear",
        "sort",
        "reverse",
        "appendleft",
        "extendleft",
        "popleft",
        "rotate",
        # dict
        "update",
        "popitem",
        "setdefault",
        # set
        "add",
        "discard",
        "intersection_update",
        "difference_update",
        "symmetric_difference_update",
        # numpy arrays
        "fill",
        "resize",
        "itemset",
        "put",
        "setflags",
        # pandas methods that always work in place
        "__setitem__",
        "__delitem__",
        "set_value",
        # models
        "fit",
        "partial_fit",
        "fit_transform",
        "fit_predict",
        "compile",
        "load_state_dict",
        "load_weights",
        "set_params",
        "zero_grad",
        "train",
        "add_module",
        "register_buffer",
        "register_parameter",
        # DB-API cursors and connections, files, Spark caching
        "execute",
        "executemany",
        "executescript",
        "commit",
        "rollback",
        "write",
        "writelines",
        "cache",
        "persist",
        "unpersist",
    }
)

# Plain functions that change their first argument in place (`random.shuffle(x)`).
ARGUMENT_MUTATORS: frozenset[str] = frozenset(
    {
        "shuffle",
        "heappush",
        "heappop",
        "heapify",
        "heapreplace",
        "heappushpop",
        "insort",
        "insort_left",
        "insort_right",
        "copyto",
        "setattr",
        "delattr",
    }
)

# Conventional aliases of modules whose same-named *functions* return new objects
# (`np.append`, `np.sort`, `torch.compile`): a call on them mutates nothing.
MODULE_ALIASES: frozenset[str] = frozenset(
    {
        "np",
        "numpy",
        "pd",
        "pandas",
        "pl",
        "polars",
        "plt",
        "sns",
        "tf",
        "torch",
        "jnp",
        "jax",
        "os",
        "sys",
        "re",
        "json",
        "math",
        "random",
        "heapq",
        "bisect",
        "itertools",
        "functools",
        "operator",
        "copy",
        "F",
        "nn",
        "sp",
        "scipy",
        "sk",
        "st",
        "px",
        "go",
        "alt",
        "duckdb",
        "sqlglot",
        "shutil",
        "pickle",
        "joblib",
    }
)


def has_inplace_true(call: ast.Call) -> bool:
    """True when a call passes ``inplace=True`` (pandas' in-place switch).

    Examples:
        >>> import ast
        >>> has_inplace_true(ast.parse("df.dropna(inplace=True)").body[0].value)
        True
        >>> has_inplace_true(ast.parse("df.dropna()").body[0].value)
        False
    """
    for keyword in call.keywords:
        if keyword.arg == "inplace":
            value = keyword.value
            return type(value) is ast.Constant and value.value is True
    return False


def root_name(node: ast.expr) -> str | None:
    """The variable at the root of ``x.a[0].b``, or None when the root is not a name.

    Examples:
        >>> import ast
        >>> root_name(ast.parse("df.loc[0, 'a']", mode="eval").body)
        'df'
        >>> root_name(ast.parse("f().a", mode="eval").body) is None
        True
    """
    while True:
        kind = type(node)
        if kind is ast.Attribute or kind is ast.Subscript:
            node = node.value  # type: ignore[attr-defined]
        elif kind is ast.Name:
            return node.id  # type: ignore[attr-defined]
        else:
            return None
