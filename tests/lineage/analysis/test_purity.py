"""The analysis core stays pure and light: no Django, and IPython only when needed."""

from __future__ import annotations

import subprocess
import sys


def _loaded_after(statements: str) -> list[str]:
    script = (
        "import sys\n"
        "from lineage.analysis import analyze_code, build_dag\n"
        f"{statements}\n"
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))\n"
        "print('IPython' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    return result.stdout.split()


def test_plain_and_simple_magic_cells_load_neither_django_nor_ipython():
    assert _loaded_after("analyze_code('x = 1')\nanalyze_code('%time y = f()\\n!ls')") == [
        "False",
        "False",
    ]


def test_ipython_is_loaded_only_for_cells_its_tokenizer_must_read():
    statements = 'analyze_code(\'s = """\\n%time x\\n"""\\n%who\')'

    assert _loaded_after(statements) == ["False", "True"]
