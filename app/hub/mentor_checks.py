"""What the hub checks in a pushed mentorship record, field by field (docs/mentorship.md).

A ``mentor_profile``'s fields follow the cohort file's rules (:mod:`app.mentorship.cohort`:
languages with levels 0-5, an IANA time zone, ``[day, "HH:MM", "HH:MM"]`` windows, skills as
non-empty ids); unknown fields are refused so that a misspelt field never quietly becomes a
default. A ``private_note`` carries only its ciphertext: any other field (a plaintext) is
refused. Each checker returns the problem in words, or None.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from app.i18n import _, ngettext
from app.mentorship import cohort

ACTIONS = ("request", "accept", "decline", "cancel", "pause", "resume", "complete",
           "hand_over", "consent_history", "block", "unblock", "report")
#: Actions about a relationship (``data.relationship`` names it).
ON_RELATIONSHIP = frozenset({"request", "accept", "decline", "cancel", "pause", "resume",
                             "complete", "hand_over", "consent_history"})
#: Actions about a person (``data.peer`` names them).
ON_PERSON = frozenset({"request", "block", "unblock", "report"})
PROFILE_FIELDS = frozenset({"offers", "wants", "languages", "timezone", "availability",
                            "capacity", "looking", "mentoring", "auto_accept", "away_until",
                            "backup_mentor", "bio"})
PRIVATE_NOTE_FIELDS = frozenset({"relationship", "key_id", "nonce", "ciphertext"})
#: Types whose records live in a relationship's space (``data.relationship``).
SPACE_TYPES = frozenset({"relationship", "goal", "shared_note"})
#: Types only the hub writes; a client's push of one is refused (403).
HUB_ONLY_TYPES = frozenset({"relationship", "badge"})
MAX_TEXT = 10_000
MAX_SKILLS = 100
MAX_CAPACITY = 1000
_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _text(value: Any, limit: int = MAX_TEXT) -> bool:
    return isinstance(value, str) and len(value) <= limit


def _name_or_none(value: Any) -> bool:
    return value is None or (isinstance(value, str) and bool(_NAME.match(value)))


def _id(value: Any) -> bool:
    return isinstance(value, str) and 1 <= len(value) <= 300 and "\0" not in value


def profile_problem(data: dict[str, Any]) -> str | None:
    """The first problem of a ``mentor_profile``'s ``data``, as ``data.field: what``."""
    try:
        cohort._known(data, "data", set(PROFILE_FIELDS))
        for key in ("offers", "wants"):
            if key in data:
                skills = cohort._skills(data, key, "data")
                if len(skills) > MAX_SKILLS:
                    return ngettext("data.{key}: at most {count} skill",
                                    "data.{key}: at most {count} skills",
                                    MAX_SKILLS).format(key=key, count=MAX_SKILLS)
        if "languages" in data:
            cohort._languages(data, "data")
        if "timezone" in data:
            cohort._zone(data, "data")
        if "availability" in data:
            cohort._availability(data, "data")
    except cohort.CohortError as error:
        return str(error)
    capacity = data.get("capacity", 0)
    if isinstance(capacity, bool) or not isinstance(capacity, int) \
            or not 0 <= capacity <= MAX_CAPACITY:
        return _("data.capacity: the capacity must be a whole number, 0 to {most}").format(
            most=MAX_CAPACITY)
    for flag in ("looking", "mentoring", "auto_accept"):
        if not isinstance(data.get(flag, False), bool):
            return _("data.{field}: true or false").format(field=flag)
    away = data.get("away_until")
    if away is not None:
        try:
            if not isinstance(away, str) or len(away) != 10:
                raise ValueError(away)
            date.fromisoformat(away)
        except ValueError:
            return _("data.away_until: a date like 2026-10-01, or null")
    if not _name_or_none(data.get("backup_mentor")):
        return _("data.backup_mentor: an account name, or null")
    if not _text(data.get("bio", "")):
        return ngettext("data.bio: a text of at most {count} character",
                        "data.bio: a text of at most {count} characters",
                        MAX_TEXT).format(count=MAX_TEXT)
    return None


def action_problem(data: dict[str, Any]) -> str | None:
    action = data.get("action")
    if action not in ACTIONS:
        return _("data.action: one of {actions}").format(actions=", ".join(ACTIONS))
    relationship = data.get("relationship")
    if relationship is not None and not _id(relationship):
        return _("data.relationship: a relationship id, or null")
    if action in ON_RELATIONSHIP and relationship is None:
        return _("data.relationship: the action {action} names its relationship").format(
            action=action)
    for key in ("peer", "to"):
        if not _name_or_none(data.get(key)):
            return _("data.{field}: an account name, or null").format(field=key)
    if action in ON_PERSON and data.get("peer") is None:
        return _("data.peer: the action {action} names the person").format(action=action)
    if action == "hand_over" and data.get("to") is None:
        return _("data.to: a hand-over names the new mentor")
    for key in ("message", "reason"):
        if not _text(data.get(key, "") or ""):
            return ngettext("data.{field}: a text of at most {count} character",
                            "data.{field}: a text of at most {count} characters",
                            MAX_TEXT).format(field=key, count=MAX_TEXT)
    if not isinstance(data.get("share_progress", True), bool):
        return _("data.share_progress: true or false")
    return None


def _register_ok(value: Any) -> bool:
    if not isinstance(value, dict) or set(value) - {"v", "clock"}:
        return False
    clock = value.get("clock")
    return isinstance(clock, list) and len(clock) == 2 and isinstance(clock[0], int) \
        and not isinstance(clock[0], bool) and 0 <= clock[0] < 2**63 \
        and isinstance(clock[1], str)


def _registers_ok(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(name, str) and _register_ok(field) for name, field in value.items())


def goal_problem(record: dict[str, Any]) -> str | None:
    if not _id(record.get("data", {}).get("relationship")):
        return _("data.relationship: the goal's relationship id")
    if not _registers_ok(record.get("fields", {})):
        return _('fields: {{name: {{"v": value, "clock": [count, device]}}}}')
    tasks = record.get("tasks", {})
    if not isinstance(tasks, dict) or not all(
            _id(task) and _registers_ok(fields) for task, fields in tasks.items()):
        return _('tasks: {{task id: {{name: {{"v": value, "clock": [count, device]}}}}}}')
    return None


def shared_note_problem(record: dict[str, Any]) -> str | None:
    if not _id(record.get("data", {}).get("relationship")):
        return _("data.relationship: the note's relationship id")
    return None


def _base64(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 4 * MAX_TEXT:
        return False
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def private_note_problem(record: dict[str, Any]) -> str | None:
    extra = set(record) - {"type", "id", "deleted", "data", "clock"}
    data = record.get("data", {})
    if extra or set(data) - PRIVATE_NOTE_FIELDS:
        return _("a private_note carries only data.relationship, key_id, nonce and "
                 "ciphertext (encrypted on the author's device)")
    if not _id(data.get("relationship")):
        return _("data.relationship: the note's relationship id")
    if not _text(data.get("key_id"), 200):
        return _("data.key_id: the id of the notes key")
    for key in ("nonce", "ciphertext"):
        if not _base64(data.get(key)):
            return _("data.{field}: base64").format(field=key)
    return None


def notes_key_problem(record: dict[str, Any]) -> str | None:
    data = record.get("data", {})
    if not all(isinstance(key, str) and _text(value, 4 * MAX_TEXT)
               for key, value in data.items()):
        return _("a notes_key's data holds texts only (the wrapped key, base64)")
    return None


def hub_only_problem(record: dict[str, Any]) -> str | None:
    data = record.get("data", {})
    if record.get("type") == "relationship" and not (
            _name_or_none(data.get("mentor")) and _name_or_none(data.get("mentee"))):
        return _("a relationship names its mentor and mentee")
    return None


def _profile(record: dict[str, Any]) -> str | None:
    if record.get("id") != "me":
        return _('a mentor_profile\'s id is "me"')
    return profile_problem(record.get("data", {}))


CHECKS: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "mentor_profile": _profile,
    "mentor_action": lambda record: action_problem(record.get("data", {})),
    "goal": goal_problem,
    "shared_note": shared_note_problem,
    "private_note": private_note_problem,
    "notes_key": notes_key_problem,
    "relationship": hub_only_problem,
}


def problem(record: dict[str, Any]) -> str | None:
    """What is wrong with a mentorship record's own fields; None when it is sound (or of
    another type). A tombstone's ``data`` is what its rule keeps, so only its space (goal,
    shared note) is checked."""
    check = CHECKS.get(str(record.get("type")))
    if check is None:
        return None
    if record.get("deleted"):
        if record.get("type") in SPACE_TYPES - {"relationship"}:
            return shared_note_problem(record)
        return None
    return check(record)
