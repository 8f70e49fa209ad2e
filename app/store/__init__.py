"""The library store: the SQLite database (schema and migrations) and the blob store."""
