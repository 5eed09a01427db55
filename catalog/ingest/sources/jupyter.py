"""Notebooks from a Jupyter server's contents API (token in the header, never the URL)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import requests

from accounts.errors import InvalidInput
from catalog.ingest.sources import NOTEBOOK_EXTENSIONS, SourceFile
from catalog.ingest.sources.folder import SKIPPED_DIRS

TIMEOUT_S = 30


class JupyterContents:
    def __init__(self, base_url: str, token: str | None = None):
        if not base_url.startswith(("http://", "https://")):
            raise InvalidInput(f"'{base_url}' is not an http(s) URL.")
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"token {token}"

    def _get(self, path: str, **params) -> dict:
        url = f"{self.base_url}/api/contents/{quote(path)}"
        try:
            response = self.session.get(url, params=params, timeout=TIMEOUT_S)
        except requests.RequestException as exc:
            raise InvalidInput(
                f"Cannot reach the Jupyter server: {exc.__class__.__name__}"
            ) from exc
        if response.status_code in (401, 403):
            raise InvalidInput("The Jupyter server refused the token.")
        if response.status_code != 200:
            raise InvalidInput(
                f"The Jupyter server answered {response.status_code} for '{path or '/'}'."
            )
        return response.json()

    def read_file(self, path: str) -> bytes:
        model = self._get(path, type="file", format="text", content=1)
        content = model.get("content")
        if not isinstance(content, str):
            raise InvalidInput(f"The Jupyter server sent no text for '{path}'.")
        return content.encode("utf-8")

    def iter_files(self, root: str = "") -> Iterator[SourceFile]:
        """Walk the server's tree below ``root``; paths are relative to ``root``."""
        root = root.strip("/")
        pending = [root]
        found: list[str] = []
        while pending:
            directory = pending.pop()
            listing = self._get(directory, content=1)
            for item in listing.get("content") or []:
                name, kind, path = item.get("name", ""), item.get("type"), item.get("path", "")
                if name.startswith(".") or name in SKIPPED_DIRS:
                    continue
                if kind == "directory":
                    pending.append(path)
                elif name.lower().endswith(NOTEBOOK_EXTENSIONS):
                    found.append(path)
        for path in sorted(found):
            rel = path[len(root) + 1 :] if root else path
            yield SourceFile(path=rel, read=lambda p=path: self.read_file(p))
