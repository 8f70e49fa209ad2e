"""Ujuzi: offline multimedia learning and peer mentorship."""

__version__ = "0.1.0"

from app.lazy import hide_optional_imports

hide_optional_imports()
