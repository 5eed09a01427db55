"""A work budget for analysing one block: past it, the analysis gives its best effort.

One pathological block (a 5,000-way ``UNION``, SQL that sends column tracing into deep
recursion, Python nested thousands deep, a Jinja loop of a million turns) must never hold up
an ingest. Each analysis step calls `check` at its natural checkpoints (per statement, per
traced column, per scope, per rendered template); once the block's time is up, `check`
raises `BudgetExceeded` and the step returns what it has, marked ``confidence="low"`` with a
note saying which step ran out.

The budget is per block and per thread: `block_budget` opens one, and code outside it pays
nothing (`check` is a no-op). The pure core takes the seconds as an argument; the Django
layer reads them from the ``ANALYSIS_BLOCK_BUDGET_S`` setting.

Examples:
    >>> with block_budget(2.0) as budget:
    ...     check("sql parsing")
    ...     budget.exceeded
    False
    >>> with block_budget(0.0) as budget:
    ...     try:
    ...         check("sql parsing")
    ...     except BudgetExceeded as error:
    ...         print(error)
    analysis budget of 0 s exceeded during sql parsing
    >>> budget.exceeded, budget.steps
    (True, ('sql parsing',))
"""

from __future__ import annotations

import time
from contextvars import ContextVar, Token
from dataclasses import dataclass, field

DEFAULT_BLOCK_BUDGET_S = 2.0


class BudgetExceeded(Exception):
    """The block's analysis ran out of time in ``step``."""

    def __init__(self, budget_s: float, step: str) -> None:
        super().__init__(f"analysis budget of {budget_s:g} s exceeded during {step}")
        self.budget_s = budget_s
        self.step = step


@dataclass
class Budget:
    """The time one block may take, and which steps ran out of it."""

    seconds: float
    started: float = field(default_factory=time.perf_counter)
    steps: tuple[str, ...] = ()

    @property
    def exceeded(self) -> bool:
        return bool(self.steps)

    def remaining_s(self) -> float:
        return self.seconds - (time.perf_counter() - self.started)

    def check(self, step: str) -> None:
        if time.perf_counter() - self.started >= self.seconds:
            if step not in self.steps:
                self.steps = (*self.steps, step)
            raise BudgetExceeded(self.seconds, step)

    def note(self) -> str:
        """What a catalog page shows for a block whose analysis ran out of time."""
        if not self.steps:
            return ""
        return (
            f"Analysis stopped after {self.seconds:g} s ({', '.join(self.steps)}): "
            "the lineage shown for this block may be incomplete."
        )


_current: ContextVar[Budget | None] = ContextVar("tributary_analysis_budget", default=None)


class block_budget:  # lower case: used like the function it was, `with block_budget(2.0):`
    """Give the analysis of one block ``seconds`` (None: unbounded) from now.

    A budget already open (an outer block) is kept: nested calls share its deadline.
    A class rather than a generator: every block opens one, so entering costs little.
    """

    __slots__ = ("_seconds", "_token")

    def __init__(self, seconds: float | None = DEFAULT_BLOCK_BUDGET_S) -> None:
        self._seconds = seconds
        self._token: Token[Budget | None] | None = None

    def __enter__(self) -> Budget:
        outer = _current.get()
        if outer is not None:
            return outer
        seconds = self._seconds
        budget = Budget(float("inf") if seconds is None else seconds)
        self._token = _current.set(budget)
        return budget

    def __exit__(self, *exc_info: object) -> None:
        if self._token is not None:
            _current.reset(self._token)
            self._token = None


def current_budget() -> Budget | None:
    """The budget of the block being analysed, if any."""
    return _current.get()


def check(step: str) -> None:
    """Raise `BudgetExceeded` when the current block's time is up; free outside a budget."""
    budget = _current.get()
    if budget is not None:
        budget.check(step)
