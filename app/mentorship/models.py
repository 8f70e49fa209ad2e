"""What app/mentorship/local.py returns and takes: frozen dataclasses, Qt-free.

The wire forms (records of docs/sync.md, hub answers) are read into these by local.py; the
window and the command line see only these."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Actions a party may take on a relationship (``mentor_action.data.action``).
ACTIONS: tuple[str, ...] = (
    "request", "accept", "decline", "cancel", "pause", "resume", "complete", "hand_over",
    "consent_history", "block", "unblock", "report",
)
#: Relationship states (the hub decides them).
STATES: tuple[str, ...] = (
    "proposed", "pending", "active", "paused", "completed", "cancelled", "declined",
    "handed_over",
)
#: States after which nothing changes.
FINAL_STATES: frozenset[str] = frozenset({"completed", "cancelled", "declined", "handed_over"})
#: The state this device shows for a request it made and has not yet synced.
WAITING = "waiting"
#: The state this device shows for a request its hub took and passed on to the central hub
#: that decides for it (a workshop hub with an upstream), not yet decided there.
UPSTREAM = "upstream"


@dataclass(frozen=True)
class Skill:
    """A skill of the list: its id and its label in the interface's language."""

    id: str
    label: str


@dataclass(frozen=True)
class MentorProfile:
    """A person's mentorship profile (the ``mentor_profile`` record's data).

    ``availability`` holds ``(day, "HH:MM", "HH:MM")`` slots, day as ``mon``..``sun``;
    ``languages`` maps a language tag to a level 0-5."""

    offers: list[str] = field(default_factory=list)
    wants: list[str] = field(default_factory=list)
    languages: dict[str, int] = field(default_factory=dict)
    timezone: str = "UTC"
    availability: list[tuple[str, str, str]] = field(default_factory=list)
    capacity: int = 0
    looking: bool = False
    mentoring: bool = False
    auto_accept: bool = False
    away_until: str | None = None
    backup_mentor: str | None = None
    bio: str = ""

    def to_json(self) -> dict[str, Any]:
        """The record's ``data`` (JSON-ready)."""
        return {
            "offers": list(self.offers), "wants": list(self.wants),
            "languages": dict(self.languages), "timezone": self.timezone,
            "availability": [list(slot) for slot in self.availability],
            "capacity": self.capacity, "looking": self.looking, "mentoring": self.mentoring,
            "auto_accept": self.auto_accept, "away_until": self.away_until,
            "backup_mentor": self.backup_mentor, "bio": self.bio,
        }


@dataclass(frozen=True)
class Suggestion:
    """A mentor the hub's matching suggests: score 0-1 (the hub's matching score / 1000),
    factors by name, the explanation in words and the places the mentor has left."""

    mentor: str
    score: float
    factors: dict[str, Any]
    explanation: str
    places_left: int

    def to_json(self) -> dict[str, Any]:
        return {"mentor": self.mentor, "score": self.score, "factors": dict(self.factors),
                "explanation": self.explanation, "places_left": self.places_left}


@dataclass(frozen=True)
class AuditLine:
    """One line of a relationship's audit: who did what, the state before and after, when
    (hub UTC), whether it was applied and why not."""

    action: str | None
    by: str
    what: str
    from_state: str | None
    to_state: str
    at: str
    ok: bool
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "by": self.by, "what": self.what,
                "from": self.from_state, "to": self.to_state, "at": self.at, "ok": self.ok,
                "reason": self.reason}


@dataclass(frozen=True)
class Relationship:
    """A mentorship between ``mentor`` and ``mentee`` as this device knows it.

    ``state`` is the hub's (or :data:`WAITING` for a request not yet seen by the hub);
    ``role`` is the local learner's side (``"mentor"`` or ``"mentee"``); ``waiting`` lists
    the learner's actions on it not yet synced (their names, oldest first)."""

    id: str
    mentor: str
    mentee: str
    state: str
    role: str
    waiting: list[str] = field(default_factory=list)
    audit: list[AuditLine] = field(default_factory=list)
    explanation: str = ""
    updated: str | None = None
    share_progress: bool = True
    history_shared: bool = False
    previous_mentor: str | None = None

    @property
    def peer(self) -> str:
        """The other party."""
        return self.mentee if self.role == "mentor" else self.mentor

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "mentor": self.mentor, "mentee": self.mentee,
                "state": self.state, "role": self.role, "waiting": list(self.waiting),
                "audit": [line.to_json() for line in self.audit],
                "explanation": self.explanation, "updated": self.updated,
                "share_progress": self.share_progress, "history_shared": self.history_shared,
                "previous_mentor": self.previous_mentor}


@dataclass(frozen=True)
class GoalLink:
    """What a goal points at: ``kind`` ``"pack"`` or ``"resource"`` and its id."""

    kind: str
    id: str


@dataclass(frozen=True)
class Task:
    """A step of a goal (``id`` empty for a new task)."""

    id: str
    title: str
    done: bool = False


@dataclass(frozen=True)
class Goal:
    """A goal of a relationship (``id`` empty for a new goal). ``due`` is YYYY-MM-DD or
    None; ``progress`` 0-1 from the linked packs (None when nothing is linked or known)."""

    id: str
    relationship: str
    title: str
    due: str | None = None
    links: list[GoalLink] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    progress: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "relationship": self.relationship, "title": self.title,
                "due": self.due,
                "links": [{"kind": link.kind, "id": link.id} for link in self.links],
                "tasks": [{"id": task.id, "title": task.title, "done": task.done}
                          for task in self.tasks],
                "progress": self.progress}


@dataclass(frozen=True)
class MentorNote:
    """A note of a relationship. Shared notes may hold several ``versions`` (edits made on
    two devices without seeing each other: a conflict to settle by an edit); a private note
    holds one, readable only on its author's devices (empty ``versions`` and
    ``locked=True`` where the key is missing)."""

    id: str
    relationship: str
    private: bool
    versions: list[str]
    author: str
    created: str
    locked: bool = False

    @property
    def conflict(self) -> bool:
        return len(self.versions) > 1

    @property
    def text(self) -> str:
        return self.versions[0] if self.versions else ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "relationship": self.relationship, "private": self.private,
                "versions": list(self.versions), "author": self.author,
                "created": self.created, "locked": self.locked}


@dataclass(frozen=True)
class PackProgress:
    pack_id: str
    title: str
    done: int
    total: int


@dataclass(frozen=True)
class DashboardRow:
    """One mentee of a mentor's dashboard (the hub's ``/mentorship/mentees`` row)."""

    mentee: str
    relationship: str
    state: str
    packs: list[PackProgress] = field(default_factory=list)
    quiz_attempts: int = 0
    quiz_mean_score: float | None = None
    last_active: str | None = None
    goals_due: int = 0
    timeline: list[tuple[str, int]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"mentee": self.mentee, "relationship": self.relationship, "state": self.state,
                "packs": [{"pack_id": p.pack_id, "title": p.title, "done": p.done,
                           "total": p.total} for p in self.packs],
                "quiz": {"attempts": self.quiz_attempts, "mean_score": self.quiz_mean_score},
                "last_active": self.last_active, "goals_due": self.goals_due,
                "timeline": [list(day) for day in self.timeline]}


@dataclass(frozen=True)
class Dashboard:
    """A mentor's dashboard and when it was fetched from the hub (None: never)."""

    rows: list[DashboardRow] = field(default_factory=list)
    fetched: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"rows": [row.to_json() for row in self.rows], "fetched": self.fetched}
