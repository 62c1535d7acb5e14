"""Use cases and queries, one module per domain. The transaction boundary; no Qt."""
