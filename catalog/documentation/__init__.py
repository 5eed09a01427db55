"""Documentation of assets: `from_notebooks` finds it inside notebooks (pure: markdown
above a CREATE, column tables, metric cells); `revisions` keeps every value a field took
(harvested or edited in the browser) and decides which one a page shows."""
