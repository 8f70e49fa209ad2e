"""The documentation keeps up with the code."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli import build_parser

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(f"{prefix}{name}")
                found.extend(_commands(sub, f"{prefix}{name} "))
    return found


def _options(parser: argparse.ArgumentParser) -> set[str]:
    options = set()
    for action in parser._actions:
        options.update(o for o in action.option_strings if o.startswith("--"))
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                options |= _options(sub)
    return options - {"--help", "--version"}


def test_every_cli_command_and_option_is_documented() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    commands = _commands(parser)
    assert "pack build" in commands and "note add" in commands
    missing = [c for c in commands if f"ujuzi {c}" not in text and f"`{c}`" not in text]
    assert missing == []
    options = _options(parser)
    assert {"--home", "--profile", "--screenshot", "--at", "--json"} <= options
    assert [o for o in options if o not in text] == []


def _named_in_architecture() -> tuple[str, set[str]]:
    import re

    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(app/[\w/.-]*)`", text))
    return text, named


def test_every_module_the_architecture_names_exists() -> None:
    _text, named = _named_in_architecture()
    assert "app/library.py" in named
    repo = DOCS.parent
    missing = sorted(name for name in named if not (repo / name.rstrip("/")).exists())
    assert missing == []


def test_every_package_is_named_in_the_architecture() -> None:
    text, _named = _named_in_architecture()
    app_dir = DOCS.parent / "app"
    packages = sorted(
        str(init.parent.relative_to(DOCS.parent)) + "/"
        for init in app_dir.rglob("__init__.py")
        if init.parent != app_dir
    )
    assert "app/ui/" in packages
    assert [p for p in packages if p not in text] == []
