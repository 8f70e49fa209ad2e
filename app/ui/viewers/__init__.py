"""Viewers for each kind of resource, all built on :class:`app.ui.viewers.base.Viewer`."""
