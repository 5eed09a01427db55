"""Sections that other apps add to the asset pages, registered explicitly.

The catalog is the layer below lineage and execution, so it cannot include their
templates by name. Each of those apps registers its sections in its
``AppConfig.ready()``::

    register_section(slot="lineage", template="lineage/_asset_lineage.html",
                     kinds=("table", "metric", "app"))

A page asks ``sections_for(kind)`` for ``{slot: [template, ...]}`` and includes them
in order. A template that does not exist fails at registration, not at a later page
view, and nothing is ever skipped quietly.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

ASSET_KINDS = ("table", "metric", "app")
SLOTS = ("lineage", "runs", "run_form")


@dataclass(frozen=True)
class Section:
    slot: str  # where on the page: one of SLOTS
    template: str
    kinds: tuple[str, ...]  # the asset pages it appears on


_registry: list[Section] = []


def register_section(*, slot: str, template: str, kinds: tuple[str, ...] = ASSET_KINDS) -> None:
    """Add a section to the pages of ``kinds``; raise ImproperlyConfigured when it is wrong."""
    if slot not in SLOTS:
        raise ImproperlyConfigured(f"Unknown asset-page slot '{slot}': use one of {SLOTS}.")
    unknown = sorted(set(kinds) - set(ASSET_KINDS))
    if unknown or not kinds:
        raise ImproperlyConfigured(f"Asset-page kinds must be among {ASSET_KINDS}, got {kinds}.")
    try:
        get_template(template)
    except TemplateDoesNotExist as exc:
        raise ImproperlyConfigured(
            f"The asset-page section '{slot}' names a template that does not exist: {template}."
        ) from exc
    section = Section(slot=slot, template=template, kinds=tuple(kinds))
    if section not in _registry:  # ready() may run twice in one process (tests, reloader)
        _registry.append(section)


def registered_sections() -> tuple[Section, ...]:
    return tuple(_registry)


def sections_for(kind: str) -> dict[str, list[str]]:
    """``{slot: [template, ...]}`` for the page of an asset of ``kind``, in registration order."""
    found: dict[str, list[str]] = {}
    for section in _registry:
        if kind in section.kinds:
            found.setdefault(section.slot, []).append(section.template)
    return found
