"""The jobs of the folder builder, :mod:`app.packs.build`, one module each."""
