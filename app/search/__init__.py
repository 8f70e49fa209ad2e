"""Full-text search in the library database (SQLite FTS5), with our own language analysis.

- :mod:`app.search.analysis` turns text into terms, the same way for documents and queries;
- :mod:`app.search.extract` reads text from pack files (articles, PDFs, quizzes, subtitles);
- :mod:`app.search.index` writes the index inside the import's transaction;
- :mod:`app.search.query` answers queries: ranking, facets, snippets, typo tolerance.

Importing this package loads nothing heavy: the modules are imported where they are used.
See docs/search.md.
"""
