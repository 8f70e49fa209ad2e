"""Counted phrases take plural forms: a translatable string that puts a number before a
plural noun ("{count} resources") goes through ngettext, never _() (which would say
"1 resources", and give Arabic one form for every count). A sentence with several counts
is a _() frame around one ngettext fragment per count; byte counts are sizes."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app import formatting, i18n

APP = Path(__file__).resolve().parents[2] / "app"
#: A placeholder followed by a word ending in "s": "{count} resources", "{name} is".
AFTER_PLACEHOLDER = re.compile(r"\{(\w+)\} ([A-Za-z]+s)\b")
#: A count's placeholder ("{count}", "{n}", "{total}", "{left}", or a plural name such as
#: "{files}") followed by its noun, perhaps through "of its" / "of {total}" and one
#: adjective: "{count} stored files", "{count} of its files", "{count} catalog entries".
AFTER_COUNT = re.compile(
    r"\{(n|count|total|left|\w+_count|\w+s)\}(?: of (?:its|the|all|\{\w+\}))?"
    r" (?:([A-Za-z-]+) )?([A-Za-z]+s)\b")
#: Words ending in "s" that are never plural nouns.
NEVER_NOUNS = {
    "is", "was", "has", "does", "this", "its", "as", "us", "yes", "unless", "across",
    "always", "access", "status", "process", "address", "contains", "says", "appears",
    "gives", "expands", "refers", "follows", "agrees", "plus", "less", "whereas",
}
#: Words that are verbs after a name ("{name} lists", "{ext} files") but plural nouns after
#: a count ("{count} files"); the second pattern only looks after a count.
VERB_OR_NOUN = {
    "lists", "names", "needs", "keeps", "holds", "uses", "points", "means", "takes", "shows",
    "asks", "stores", "mentors", "lasts", "writes", "files", "looks", "waits",
}
#: Numbers before a plural noun that are not a count of those things, each with its reason
#: (empty: every such phrase has been converted).
NOT_COUNTS: dict[str, str] = {}


def counted(text: str) -> list[str]:
    """The counted phrases of ``text`` that need a plural form."""
    found = [m.group(0) for m in AFTER_PLACEHOLDER.finditer(text)
             if m.group(2).lower() not in NEVER_NOUNS | VERB_OR_NOUN]
    for match in AFTER_COUNT.finditer(text):
        adjective, noun = (match.group(2) or "").lower(), match.group(3).lower()
        if noun not in NEVER_NOUNS and adjective not in NEVER_NOUNS | VERB_OR_NOUN:
            found.append(match.group(0))
    return found


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
            if counted(text) and text not in NOT_COUNTS:
                found.append(f"{path.relative_to(APP.parent)}:{node.lineno}: {text}")
    return found


def test_counted_phrases_use_ngettext() -> None:
    assert _uncounted() == []


#: ngettext entries whose plural the check would not see under _(), each with its reason.
UNSEEN_PLURALS = {
    # the form follows how many are damaged; the count of files is its own fragment
    "{damaged} of {files} are damaged, in these packs: {packs}",
    # "wanted" before the noun is an adjective the check cannot tell from a verb
    "offers {offered} of your {wanted} wanted skills",
    # no noun: the same words in English, other forms elsewhere
    "{done} of {total} done", "{count} waiting",
}


def test_the_check_would_see_every_counted_entry_under_underscore() -> None:
    """Each ngettext entry's plural, put back through _(), would fail the first test."""
    unseen = set()
    for path in sorted(APP.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "ngettext" and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant)
                    and not counted(str(node.args[1].value))):
                unseen.add(str(node.args[1].value))
    assert unseen <= UNSEEN_PLURALS


@pytest.mark.parametrize("text", [
    "Sent {pushed} changes, received {pulled}.",
    "{count} records forwarded.",
    "Forwarded {records} records of {owners} learners",
    "{packs} catalog entries fetched",
    "All {count} stored files ({size}) are intact.",
    "{damaged} of {count} stored files are damaged",
    "{id} {version}: {count} of its files are not on this hub.",
    "({files} files, {size})",
    "{done}/{total} done, quiz {score} ({attempts} attempts), {due} goals due",
    "Endorsed by {count} earlier keys.",
    "{left} of {total} resources are not done",
    "a text of at most {count} characters",
    "{rate} times normal speed",
])
def test_the_check_sees_counted_phrases(text: str) -> None:
    assert counted(text), text


@pytest.mark.parametrize("text", [
    "{name} is truncated: {got} of {want}.",
    "{ext} files are not converted",
    "{what} has elements nested more than {limit} deep; it is refused.",
    "Quiz question {id} needs choices with the right number of correct ones.",
    "A profile named {name} already exists.",
    "{mentor} mentors {mentee}",
    "more than {limit} asks first",
    "Sent {changes}, received {received}.",
    "{left} of {resources} not done",
])
def test_the_check_leaves_other_phrases(text: str) -> None:
    assert counted(text) == [], text


@pytest.fixture
def arabic() -> Iterator[None]:
    i18n.set_language("ar")
    yield
    i18n.set_language("en")


def _arabic_form(singular: str, plural: str, n: int) -> str:
    """The shipped Arabic catalog's form of a counted phrase for ``n``."""
    return i18n._catalog("ar").ngettext(singular, plural, n)


def test_a_sentence_of_two_counts_in_english() -> None:
    from app.sync.cli import sent_and_received

    assert sent_and_received(1, 0) == "Sent 1 change, received 0 changes."
    assert sent_and_received(2, 1) == "Sent 2 changes, received 1 change."
    assert sent_and_received(1234, 1) == "Sent 1,234 changes, received 1 change."


def test_a_sentence_of_two_counts_takes_each_count_s_arabic_form(arabic: None) -> None:
    """Arabic has six plural forms (0; 1; 2; 3-10; 11-99; 100...): each count of the sync's
    summary takes its own, through the shipped catalog."""
    from app.sync.cli import sent_and_received

    counts = (0, 1, 2, 3, 11, 100)
    fragments = [_arabic_form("{count} change", "{count} changes", n) for n in counts]
    assert len(set(fragments)) == 6
    sentences = [sent_and_received(n, 1) for n in counts]
    assert len(set(sentences)) == 6
    for n, sentence, fragment in zip(counts, sentences, fragments, strict=True):
        # the frame is translated, and holds the count's own form and the other count's
        assert "Sent" not in sentence and "change" not in sentence
        assert fragment.format(count=formatting.number(n)) in sentence
        assert fragments[1].format(count=formatting.number(1)) in sentence
    # both counts in one sentence, each in its own form
    assert fragments[2].format(count="2") in sent_and_received(2, 11)
    assert fragments[4].format(count="11") in sent_and_received(2, 11)


def test_byte_counts_are_sizes() -> None:
    assert formatting.size(1_048_575, exact=True) == "1,048,575 bytes"
    assert formatting.size(1, exact=True) == "1 byte"
    assert formatting.size(1_048_575) == "1 MB"  # not "1,024 kB"
    # two sizes that would read the same are shown to the byte; others stay short
    assert formatting.sizes(1_048_575, 1_048_576) == ("1,048,575 bytes", "1,048,576 bytes")
    assert formatting.sizes(1000, 3 * 1024 * 1024 + 400_000) == ("1,000 bytes", "3.4 MB")


def test_bytes_are_named_in_languages_without_a_long_unit_name(arabic: None) -> None:
    # CLDR has no long name of the byte in Arabic or Swahili: the short one, not its id.
    assert formatting.size(2) == "2 بايت"
    assert "digital" not in formatting.size(1_048_575, exact=True)
    i18n.set_language("sw")
    assert formatting.size(2) == "baiti 2"


def test_the_mentor_dashboard_line_says_each_count_in_its_form(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main
    from app.library import Library
    from app.mentorship import local

    home = tmp_path / "mentor"
    with Library(home) as library:
        library.settings.set("hub_url", "http://hub.invalid")  # never reached: the kept copy
        library.settings.set("hub_user", "amina")
        rows = [{"mentee": name, "relationship": f"r{index}", "state": "active",
                 "packs": [{"pack_id": "p", "title": "P", "done": 1, "total": 4}],
                 "quiz": {"attempts": count, "mean_score": 0.75},
                 "last_active": "2026-12-01", "goals_due": count, "timeline": []}
                for index, (name, count) in enumerate((("juma", 1), ("baraka", 2)))]
        local._cache_put(library, library.profile_id(), "dashboard", rows)
    capsys.readouterr()
    assert main(["--home", str(home), "mentor", "dashboard"]) == 0
    out = capsys.readouterr().out
    assert "juma  active  1/4 done, quiz 0.75 (1 attempt), 1 goal due, last active " \
        "2026-12-01" in out
    assert "baraka  active  1/4 done, quiz 0.75 (2 attempts), 2 goals due, last active " \
        "2026-12-01" in out


def test_the_speed_is_described_as_a_share_of_normal_speed(qtbot: QtBot) -> None:
    """A rate is not a count ("1 times normal speed"): the speed button's description says
    it as a percentage, formatted for the language."""
    from app.player.qt_controls import PlayerControls

    controls = PlayerControls()
    qtbot.addWidget(controls)
    controls.show_rate(1.5)
    assert controls.speed_button.accessibleDescription() == "150% of normal speed"
    controls.show_rate(1.0)
    assert controls.speed_button.accessibleDescription() == "100% of normal speed"
