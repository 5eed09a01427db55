"""What the execution layer adds to the catalog's app pages, without the catalog importing it.

``catalog.assets.views.SECTION_TEMPLATES`` includes ``execution/_app_run_form.html`` and
``execution/_asset_runs.html`` when they exist; they call these tags.
"""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.access import can
from execution import selectors
from execution.forms.inputs import RunInputsForm
from execution.observed import differences

register = template.Library()

CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 320, 60, 2
STATUS_COLOURS = {
    "succeeded": "#12b76a",
    "failed": "#d92d20",
    "cancelled": "#98a2b3",
    "running": "#1f6feb",
    "queued": "#d0d5dd",
}


@register.simple_tag
def observed_differences(version, user):
    """``{% observed_differences version user as observed %}``: the newest run of the
    version with runtime lineage the user may see, and per block how what it really read
    and wrote differs from the analysis (``{"run": ..., "blocks": {block id: difference}}``),
    or None."""
    cache = getattr(version, "_tributary_observed", None)  # the page and its blocks ask
    if cache is not None and cache[0] == getattr(user, "pk", None):
        return cache[1]
    run = selectors.last_observed_run(user, version)
    found = (
        None if run is None else {"run": run, "blocks": {d.block_id: d for d in differences(run)}}
    )
    version._tributary_observed = (getattr(user, "pk", None), found)
    return found


@register.filter
def difference_of(observed, block_id):
    """``observed|difference_of:block_id``: that block's difference, or None."""
    return observed["blocks"].get(block_id) if observed else None


@register.simple_tag
def app_run_form(app, user):
    """``{% app_run_form app user as panel %}``: may the user run it, and its form."""
    can_run = can(user, "run", app)
    inputs = selectors.app_inputs(app)
    last = selectors.last_run_of(user, app) if can_run else None
    initial = last.inputs if last is not None else None
    return {
        "can_run": can_run,
        "is_published": app.published_version_id is not None,
        "form": RunInputsForm(inputs, initial_values=initial) if can_run else None,
    }


@register.simple_tag
def app_runs(app, user, *, limit: int = 20):
    """``{% app_runs app user as panel %}``: the user's own last finished run (with its
    steps), and the history: that runs happened, each opened only where the user may."""
    runs = selectors.runs_of_app(user, app, limit=limit)
    return {
        "runs": runs,
        "last": selectors.last_finished_run(user, app),
        "chart": duration_chart([summary.run for summary in runs]),
        "schedules": list(selectors.schedules_of(app)),
    }


@register.simple_tag
def table_runs(table, user):
    """``{% table_runs table user as runs %}``: recent runs that read or wrote the table."""
    return selectors.runs_touching(user, table)


def duration_chart(runs) -> SafeString:
    """A small inline SVG: one bar per finished run, oldest left, height its duration."""
    finished = [r for r in reversed(list(runs)) if r.duration_ms is not None]
    if not finished:
        return mark_safe("")  # safe: constant
    longest = max(r.duration_ms for r in finished) or 1.0
    width = max(1.0, (CHART_WIDTH - BAR_GAP * len(finished)) / len(finished))
    bars = []
    for index, run in enumerate(finished):
        height = max(2.0, run.duration_ms / longest * (CHART_HEIGHT - 12))
        x = index * (width + BAR_GAP)
        colour = STATUS_COLOURS.get(run.status, "#98a2b3")
        title = escape(
            f"run {run.pk}: {run.status}, {run.duration_ms / 1000:.2f} s ({run.trigger})"
        )
        bars.append(
            f'<rect x="{x:.1f}" y="{CHART_HEIGHT - height:.1f}" width="{width:.1f}" '
            f'height="{height:.1f}" fill="{colour}"><title>{title}</title></rect>'
        )
    label = escape(f"longest {longest / 1000:.2f} s")
    return mark_safe(  # safe: numbers formatted here, text escaped
        f'<svg class="duration-chart" role="img" aria-label="Run durations, {label}" '
        f'width="{CHART_WIDTH}" height="{CHART_HEIGHT}" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}">'
        f'<text x="0" y="10" font-size="10" fill="#667085">{label}</text>{"".join(bars)}</svg>'
    )


@register.filter
def seconds(duration_ms) -> str:
    if duration_ms is None:
        return ""
    return f"{duration_ms / 1000:.2f} s"
