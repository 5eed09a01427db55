"""Which names' objects a block may change in place (`CodeAnalysis.mutates`)."""

from __future__ import annotations

import pytest

from lineage.analysis.python import analyze_code


def _m(source: str, mutates: set[str], case: str):
    return pytest.param(source, frozenset(mutates), id=case)


MUTATION_CASES = [
    # --- assignment through an item or attribute
    _m("df['ratio'] = df.a / df.b", {"df"}, "item assignment mutates the container"),
    _m("df.loc[df.x < 0, 'x'] = 0", {"df"}, "pandas .loc assignment mutates the frame"),
    _m("df.iloc[0, 1] = None", {"df"}, "pandas .iloc assignment mutates the frame"),
    _m("config.debug = True", {"config"}, "attribute assignment mutates the object"),
    _m("obj.attr.sub = 3", {"obj"}, "a nested attribute assignment mutates the root"),
    _m("grid[i][j] = 1", {"grid"}, "a nested item assignment mutates the root"),
    _m("a[0], b.x = 1, 2", {"a", "b"}, "unpacking into items and attributes mutates both"),
    _m("for row[0] in values:\n    pass", {"row"}, "a for target that is an item mutates"),
    _m("os.environ['TZ'] = 'UTC'", {"os"}, "setting an environment variable mutates os"),
    # --- del
    _m("del cache['key']", {"cache"}, "del of an item mutates the container"),
    _m("del obj.attr", {"obj"}, "del of an attribute mutates the object"),
    _m("del df['tmp'], df['tmp2']", {"df"}, "del of several items mutates"),
    _m("del tmp", set(), "del of a name is not a mutation"),
    # --- augmented assignment
    _m("counts[k] += 1", {"counts"}, "augmented assignment to an item mutates"),
    _m("self_stats.n += 1", {"self_stats"}, "augmented assignment to an attribute mutates"),
    _m("total += 1", set(), "augmented assignment to a name rebinds it"),
    # --- mutating methods
    _m("items.append(4)", {"items"}, "list.append mutates"),
    _m("items.extend(more)", {"items"}, "list.extend mutates"),
    _m("items.insert(0, x)", {"items"}, "list.insert mutates"),
    _m("items.sort(key=len)", {"items"}, "list.sort mutates"),
    _m("items.reverse()", {"items"}, "list.reverse mutates"),
    _m("last = stack.pop()", {"stack"}, "pop mutates"),
    _m("opts.update(extra)", {"opts"}, "dict.update mutates"),
    _m("opts.setdefault('k', [])", {"opts"}, "dict.setdefault mutates"),
    _m("seen.add(x)", {"seen"}, "set.add mutates"),
    _m("seen.discard(x)", {"seen"}, "set.discard mutates"),
    _m("queue.clear()", {"queue"}, "clear mutates"),
    _m("d['k'].append(v)", {"d"}, "a method on an item mutates the root container"),
    _m("model.fit(X, y)", {"model"}, "fitting a model mutates it"),
    _m("scaler.fit_transform(X)", {"scaler"}, "fit_transform mutates the transformer"),
    _m("cur.execute('select 1')", {"cur"}, "executing on a cursor mutates it"),
    _m("fh.write(text)", {"fh"}, "writing to a file object mutates it"),
    # --- pandas inplace
    _m("df.dropna(inplace=True)", {"df"}, "dropna with inplace=True mutates"),
    _m("df.set_index('id', inplace=True)", {"df"}, "set_index with inplace=True mutates"),
    _m("df.rename(columns=m, inplace=True)", {"df"}, "rename with inplace=True mutates"),
    _m("df['a'].fillna(0, inplace=True)", {"df"}, "an in-place call on a column mutates the frame"),
    _m("df.sort_values('a', inplace=True)", {"df"}, "sort_values with inplace=True mutates"),
    _m("df.reset_index(drop=True, inplace=True)", {"df"}, "reset_index inplace mutates"),
    _m("clean = df.dropna()", set(), "dropna without inplace returns a new frame"),
    _m("df.drop(columns=['a'], inplace=False)", set(), "inplace=False does not mutate"),
    _m("df2 = df.set_index('id')", set(), "set_index without inplace does not mutate"),
    # --- functions that mutate their argument
    _m("random.shuffle(deck)", {"deck"}, "random.shuffle mutates its argument"),
    _m("np.random.shuffle(arr)", {"arr"}, "numpy's shuffle mutates its argument"),
    _m("heapq.heappush(heap, item)", {"heap"}, "heappush mutates the heap"),
    _m("setattr(obj, 'a', 1)", {"obj"}, "setattr mutates its first argument"),
    # --- not mutations
    _m("arr2 = np.append(arr, 1)", set(), "numpy functions return new arrays"),
    _m("import numpy as xp\nxp.append(a, 1)", set(), "functions of a module imported as any alias"),
    _m("plt.title('x')", set(), "calls on a module alias are not mutations"),
    _m("n = len(items)", set(), "reading is not mutating"),
    _m("make().append(1)", set(), "a method on a temporary changes no name"),
    _m("df.writeTo('t').append()", set(), "a writer chain is not the frame"),
    # --- mutation inside functions
    _m("def add(v):\n    registry.append(v)", {"registry"}, "a function may mutate a global"),
    _m("def f(xs):\n    xs.append(1)", set(), "mutating a parameter changes no global"),
    _m("def f():\n    acc = []\n    acc.append(1)", set(), "mutating a local changes no global"),
    _m(
        "def f():\n    global log\n    log.append(1)",
        {"log"},
        "a declared global mutated in a function",
    ),
    _m("class A:\n    def m(self):\n        self.x = 1", set(), "methods mutating self"),
    _m("fs = [lambda: out.append(i) for i in r]", {"out"}, "a lambda mutating a global"),
    _m("[res.append(x) for x in xs]", {"res"}, "a comprehension calling a mutating method"),
    _m("items = []\nitems.append(1)", {"items"}, "a name the block bound may be mutated too"),
]


@pytest.mark.parametrize(("source", "mutates"), MUTATION_CASES)
def test_it_finds_the_names_a_block_mutates(source, mutates):
    analysis = analyze_code(source)

    assert analysis.error is None
    assert analysis.mutates == mutates


def test_a_mutated_outside_name_is_also_used():
    analysis = analyze_code("df['x'] = 1\nmodel.fit(X, y)")

    assert {"df", "model", "X", "y"} <= analysis.uses
    assert analysis.defines == frozenset()
