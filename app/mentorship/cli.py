"""``ujuzi mentor ...``: mentorship from the command line, for coordinators' scripts."""

from __future__ import annotations

import argparse
from collections.abc import Callable

#: ``ujuzi <command>`` -> handler(args) returning the exit code.
HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {}


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this module's commands to the ``ujuzi`` parser."""
