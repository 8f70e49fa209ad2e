"""Ujuzi: offline multimedia learning and peer mentorship."""

__version__ = "0.1.0"
