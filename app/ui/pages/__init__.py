"""The window's pages: one module each, all built on :class:`app.ui.pages.base.Page`."""
