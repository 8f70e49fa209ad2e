"""The PySide6 user interface: the only package (with the player's Qt surface) that imports Qt."""

from app.singletons import keep_alive

# PySide6 6.12.0 spends a reference to None on each call of a method that returns nothing.
keep_alive()
