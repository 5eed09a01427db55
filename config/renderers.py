"""The API's JSON renderer: text stored before it was refused at the boundary (a lone
surrogate) is answered as U+FFFD instead of failing the whole response."""

from __future__ import annotations

from rest_framework.renderers import JSONRenderer

from accounts.text import printable


class SafeJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        try:
            return super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            return super().render(printable(data), accepted_media_type, renderer_context)
