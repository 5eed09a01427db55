"""The demo: a seeded DuckDB warehouse and two workspaces of notebooks that run against it."""
