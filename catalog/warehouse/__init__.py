"""Warehouses: `tables` resolves a name a notebook uses to a warehouse table, `introspect`
reads a connection's own information_schema for the schema browser."""
