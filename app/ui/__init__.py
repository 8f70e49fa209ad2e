"""The PySide6 user interface: the only package (with the player's Qt surface) that imports Qt."""
