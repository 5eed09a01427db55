"""Django templates whose output is always encodable: a lone surrogate stored before it was
refused at the boundary shows as U+FFFD, instead of making the page a 500 for good."""

from __future__ import annotations

from django.template.backends.django import DjangoTemplates, Template
from django.utils.safestring import mark_safe

from accounts.text import has_surrogate, printable_text


class PrintableTemplate(Template):
    def render(self, context=None, request=None):
        out = super().render(context, request)
        # Replacing one character by another introduces no markup: still safe.
        return mark_safe(printable_text(out)) if has_surrogate(out) else out


class PrintableDjangoTemplates(DjangoTemplates):
    def from_string(self, template_code):
        return PrintableTemplate(super().from_string(template_code).template, self)

    def get_template(self, template_name):
        return PrintableTemplate(super().get_template(template_name).template, self)
