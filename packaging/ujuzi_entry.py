"""The bundle's entry point (packaging/ujuzi.spec): the ``ujuzi`` command, as the wheel's
console script runs it."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
