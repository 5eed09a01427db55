"""Search over every asset: `query` (one query, the same contract on PostgreSQL and
SQLite), `index` (one search document per asset, kept in step), `quality` (relevance
measured as MRR) and `views` (the page and the API)."""
