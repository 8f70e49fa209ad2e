"""Mentorship on this device: the API of the window and the command line (Qt-free).

Everything a person does is a record written through the one writer
(:func:`app.store.records.write_record`: a new version, the outbox, Lamport clocks) and
synced by the record plane (docs/sync.md). What only the hub decides (a relationship's
state) arrives as hub-authored ``relationship`` records at pull; until then a request made
here shows at once as ``waiting``. Reads that need everyone's data (:func:`find_mentors`,
:func:`dashboard` with ``refresh=True``) call the hub and keep the answer in the library
database, so that it shows offline with its date. Only those two need the network.

Every function takes the open ``library`` and ``profile``: the local learner's name (None:
the current one, as :func:`app.profiles.current_profile` chooses)."""

from __future__ import annotations

from app.library import Library
from app.mentorship.models import (
    Dashboard,
    Goal,
    MentorNote,
    MentorProfile,
    Relationship,
    Skill,
    Suggestion,
)


def skills(library: Library) -> list[Skill]:
    """The skill list: the shipped one (resources/mentorship/skills.json) and the ids the hub
    has listed (cached at :func:`find_mentors`), labelled in the interface's language
    (English, else the id, where the language has no label), sorted by label."""
    raise NotImplementedError


def get_profile(library: Library, profile: str | None = None) -> MentorProfile | None:
    """The learner's mentorship profile, or None before one is saved."""
    raise NotImplementedError


def save_profile(library: Library, value: MentorProfile, profile: str | None = None) -> None:
    """Check ``value`` (the cohort file's field rules) and save it as the learner's
    ``mentor_profile`` record. Raises :class:`app.errors.UjuziError` naming the first
    mistake; nothing is saved then."""
    raise NotImplementedError


def find_mentors(library: Library, profile: str | None = None,
                 limit: int = 10) -> list[Suggestion]:
    """NETWORK. The hub's best mentors for the learner (as a mentee), kept as the cached
    copy. Raises the sync errors (not signed in, hub unreachable) as UjuziError."""
    raise NotImplementedError


def cached_suggestions(library: Library,
                       profile: str | None = None) -> tuple[list[Suggestion], str | None]:
    """The suggestions of the last :func:`find_mentors` and when they were fetched (UTC
    ISO time; None and an empty list if never)."""
    raise NotImplementedError


def request_mentor(library: Library, mentor: str, message: str = "",
                   share_progress: bool = True, profile: str | None = None) -> Relationship:
    """Ask ``mentor`` to mentor the learner: a ``request`` action with a new relationship id.
    The relationship shows at once, state ``waiting``, until the hub's answer is pulled."""
    raise NotImplementedError


def act(library: Library, relationship_id: str, action: str, reason: str = "",
        to: str | None = None, profile: str | None = None) -> None:
    """Record ``action`` (accept, decline, cancel, pause, resume, complete, hand_over,
    consent_history) on a relationship; the hub applies it at sync. ``to`` names the new
    mentor of a hand-over. Raises UjuziError for an unknown relationship or action, a
    hand-over without ``to``, or an action the learner's side cannot take."""
    raise NotImplementedError


def relationships(library: Library, profile: str | None = None) -> list[Relationship]:
    """The learner's relationships (as mentor and as mentee), live ones first, newest
    first within each group; each with the actions on it not yet synced."""
    raise NotImplementedError


def goals(library: Library, relationship_id: str, profile: str | None = None) -> list[Goal]:
    """The goals of a relationship, by due date (none last) then title, each with its
    progress from its linked packs (this device's progress, or the mentor's cached
    dashboard)."""
    raise NotImplementedError


def save_goal(library: Library, goal: Goal, profile: str | None = None) -> Goal:
    """Create (``goal.id == ""``) or change a goal; tasks with an empty id get one. Only
    the fields that changed get a new clock, so edits of different fields on two devices
    both survive. Returns the goal as saved."""
    raise NotImplementedError


def delete_goal(library: Library, goal_id: str, profile: str | None = None) -> None:
    """Delete a goal (a tombstone that syncs)."""
    raise NotImplementedError


def set_task_done(library: Library, goal_id: str, task_id: str, done: bool,
                  profile: str | None = None) -> None:
    """Mark a goal's task done or not done."""
    raise NotImplementedError


def mentor_notes(library: Library, relationship_id: str,
                 profile: str | None = None) -> list[MentorNote]:
    """The relationship's shared notes and the learner's private notes, oldest first.
    A private note whose key this device lacks shows ``locked``."""
    raise NotImplementedError


def add_mentor_note(library: Library, relationship_id: str, text: str, private: bool,
                    profile: str | None = None) -> MentorNote:
    """Add a note: shared (both parties read it) or private (encrypted with the account's
    notes key before it leaves the device; needs a signed-in account)."""
    raise NotImplementedError


def edit_mentor_note(library: Library, note_id: str, text: str,
                     profile: str | None = None) -> None:
    """Replace a note's text (an edit of a shared note in conflict settles it)."""
    raise NotImplementedError


def delete_mentor_note(library: Library, note_id: str, profile: str | None = None) -> None:
    """Delete a note (a tombstone that syncs)."""
    raise NotImplementedError


def block(library: Library, user: str, profile: str | None = None) -> None:
    """Block ``user``: the hub refuses their requests, never matches the pair and cancels
    any live relationship between them."""
    raise NotImplementedError


def unblock(library: Library, user: str, profile: str | None = None) -> None:
    """Lift a block of ``user``."""
    raise NotImplementedError


def report(library: Library, user: str, reason: str, profile: str | None = None) -> None:
    """Report ``user`` to the hub's administrators, with ``reason`` (required)."""
    raise NotImplementedError


def dashboard(library: Library, profile: str | None = None,
              refresh: bool = False) -> Dashboard:
    """A mentor's dashboard of mentees. ``refresh=True``: NETWORK, fetch it from the hub
    and keep it; otherwise the cached copy (``fetched`` None: never fetched)."""
    raise NotImplementedError
