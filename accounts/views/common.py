"""Small helpers shared by the governance views."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable

from django.contrib import messages
from django.http import HttpRequest, StreamingHttpResponse

from accounts.errors import Conflict, InvalidInput
from accounts.text import printable_text

# Cells starting with these are formulas to a spreadsheet; exports must not run code.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def attempt(request: HttpRequest, change: Callable[[], object], success: str) -> bool:
    """Run a service call; a refused input becomes an error message instead of an error page."""
    try:
        change()
    except (InvalidInput, Conflict) as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


def _safe_cell(value) -> str:
    text = "" if value is None else printable_text(str(value))
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, header: list[str], rows: Iterable[list]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_safe_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")
