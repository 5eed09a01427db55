from tests.browser_support import chromium, open_as  # noqa: F401  (fixtures)
