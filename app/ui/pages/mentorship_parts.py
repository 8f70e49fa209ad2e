"""What the Mentorship page's sections share: the page's view of the library, the words of a
relationship's state, date and time fields that give Tab back, and the page as its sections
see it (:class:`Host`), so that the sections need not import the page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from PySide6.QtWidgets import QDateEdit, QTimeEdit, QWidget

from app.i18n import _
from app.library import Library
from app.mentorship.models import (
    Dashboard,
    MentorProfile,
    Relationship,
    Skill,
    Suggestion,
)
from app.ui.context import AppContext


def state_name(state: str) -> str:
    """A relationship's state in words."""
    return {"proposed": _("proposed"), "pending": _("waiting for the mentor's answer"),
            "active": _("active"), "paused": _("paused"), "completed": _("completed"),
            "cancelled": _("cancelled"), "declined": _("declined"),
            "handed_over": _("handed over"),
            "waiting": _("not yet sent to the hub"),
            "upstream": _("waiting for the central hub")}.get(state, state)


@dataclass(frozen=True)
class MentorshipView:
    """Everything the page shows, read from the library in one go."""

    user: str
    profile: MentorProfile | None
    skills: list[Skill]
    suggestions: list[Suggestion]
    suggestions_fetched: str | None
    relationships: list[Relationship]
    dashboard: Dashboard
    packs: list[tuple[str, str]] = field(default_factory=list)


class TimeEdit(QTimeEdit):
    """A time field that gives Tab back (QDateTimeEdit walks its hours and minutes with
    Tab; the arrow keys still do)."""

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)


class DateEdit(QDateEdit):
    """A date field that gives Tab back (see :class:`TimeEdit`)."""

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)


class Host(Protocol):
    """The Mentorship page, as its sections use it."""

    ctx: AppContext
    view: MentorshipView | None

    def run_and_reload(self, work: Callable[[Library], Any], status: Any, said: str,
                       select: str | None = None) -> None: ...

    def say(self, widget: Any, text: str, role: str = "small") -> None: ...
