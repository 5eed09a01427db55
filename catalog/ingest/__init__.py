"""Ingestion: notebook files from their sources into versioned catalog rows.

`sources` (folders, uploads, Jupyter servers) → `pipeline` (read, hash, store a version) →
`analysis` (the pure lineage analysis, reusing stored results) → `harvest` (tables,
columns, metrics and apps with their docs; `catalog_file` reads a workspace's
``catalog.yml``) ; `folders` ingests a workspace folder whole, `jobs` runs large ingests in
the background.
"""
