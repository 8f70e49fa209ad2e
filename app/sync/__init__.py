"""The hub's client: signing in, the catalog, and downloads that survive any connection
(docs/hub.md). Work runs on a task runner with progress callbacks, never on the GUI thread."""
