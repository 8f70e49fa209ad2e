"""Counted phrases take plural forms: a translatable string that puts a number before a
plural noun ("{count} resources") goes through ngettext, never _() (which would say
"1 resources", and give Arabic one form for every count)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
COUNTED = re.compile(r"\{(\w+)\} ([A-Za-z]+s)\b")
#: Words ending in "s" after a placeholder that are not plural nouns.
NOT_PLURAL = {
    "is", "was", "has", "does", "this", "its", "as", "us", "yes", "unless", "across",
    "always", "access", "status", "process", "address", "contains", "lists", "names",
    "needs", "keeps", "says", "appears", "holds", "gives", "expands", "uses", "refers",
    "follows", "points", "means", "takes", "shows", "asks", "stores", "mentors", "lasts",
    "writes", "files", "looks", "plus", "waits", "agrees",
}
#: Phrases still to convert, each with a reason: numbers that are fixed limits or byte
#: counts (to be shown through app.formatting.size), or several counts in one sentence.
PENDING = {
    "{actual} instead of {expected} bytes", "A password needs at least {count} characters.",
    "Too many failed sign-ins; try again in {seconds} seconds.",
    "{path} in the pack has {got} bytes, but its manifest says {want}.",
    "data.bio: a text of at most {count} characters",
    "data.{field}: a text of at most {count} characters", "data.{key}: at most {count} skills",
    "a record's id is a string of 1 to {count} characters",
    "profile.bio: a text of at most {count} characters",
    "{label} expands to more than {limit} bytes, past the size limit.",
    "{name} in {label} is longer than the {declared} bytes the archive says.",
    "The pack holds {total} bytes, more than the limit of {limit}.",
    "{path} holds more than {limit} bytes, past the size limit.",
    "{name} is truncated: {got} of {want} bytes.", "{rate} times normal speed",
    "A PIN is made of {low} to {high} digits.",
    "more than {limit} articles: they are not listed one by one but found through the "
    "ZIM's own search",
    "{user} has not completed the pack {title} ({pack} {version}) yet: {left} of {total} "
    "resources are not done (the first: {first}).",
    "{user} has not completed the goal {title} yet: {left} of {total} tasks are not "
    "done{first}.",
    "Forwarded {records} records of {owners} learners and fetched {fetched}; {packs} catalog "
    "entries fetched; {published} packs published here.",
    "{name}: {count} records forwarded.", "{name}: {count} records fetched.",
    "Proposed {count} pairs; each person accepts or declines.",
    "{done}/{total} done, quiz {score} ({attempts} attempts), {due} goals due, last active "
    "{when}",
    "{name} has {count} files; the limit is {limit}.",
    "{name} has more than {count} files; the limit is {limit}.",
    "randomised selection of {count} is not applied: all {total} problems are included",
    "{count} images are hot-linked from the web and need a connection",
    "Change {index}: only the hub writes {type} records.",
    "Sent {pushed} changes, received {pulled}.",
}


def _uncounted() -> list[str]:
    found = []
    for path in sorted(APP.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "_" and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                continue
            text = node.args[0].value
            counted = any(m.group(2).lower() not in NOT_PLURAL for m in COUNTED.finditer(text))
            if counted and text not in PENDING:
                found.append(f"{path.relative_to(APP.parent)}:{node.lineno}: {text}")
    return found


def test_counted_phrases_use_ngettext() -> None:
    assert _uncounted() == []
