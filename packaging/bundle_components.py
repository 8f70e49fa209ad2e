"""PyInstaller runtime hook of the bundle (packaging/ujuzi.spec): in a bundle that left parts
out (the learner bundle: no hub, no cohort matching), an import of their libraries raises
app.components.MissingComponentError, whose one line says which bundle has them, instead of
a bare ModuleNotFoundError deep in a traceback."""

from app import components

components.guard(components.left_out())
