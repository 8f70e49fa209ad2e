"""Learning packs: the format, building, verifying, importing and exporting."""
