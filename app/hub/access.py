"""Who may call which route: the one table, and the dependency that enforces it.

Each route is ``(method, path template)``; its rule is :data:`ANYONE`, :data:`SIGNED_IN`
or the set of roles that may call it. A route missing from the table is refused to everyone
(and :func:`check_complete` refuses to build an app that has one). Rules about rows (a
trainer sees only their own submissions) are in the handlers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ANYONE = "anyone"
SIGNED_IN = "signed in"

LEARNER, MENTOR, TRAINER, CURATOR, ADMIN = "learner", "mentor", "trainer", "curator", "admin"
#: A hub that forwards its learners' records upstream: it may push and pull the records of
#: the accounts it names (the handlers check that), and nothing more than any account.
FORWARDER = "forwarder"
#: Every role an account may have.
ROLES = (LEARNER, MENTOR, TRAINER, CURATOR, ADMIN, FORWARDER)
SUBMITTERS = frozenset({TRAINER, CURATOR, ADMIN})
REVIEWERS = frozenset({CURATOR, ADMIN})
ADMINS = frozenset({ADMIN})

Rule = str | frozenset[str]

ACCESS: dict[tuple[str, str], Rule] = {
    ("GET", "/healthz"): ANYONE,
    ("GET", "/openapi.json"): ANYONE,
    ("HEAD", "/openapi.json"): ANYONE,
    ("GET", "/api/v1/hub"): ANYONE,
    ("POST", "/api/v1/auth/login"): ANYONE,
    ("POST", "/api/v1/auth/logout"): SIGNED_IN,
    ("GET", "/api/v1/auth/check"): SIGNED_IN,
    ("GET", "/api/v1/me"): SIGNED_IN,
    ("GET", "/api/v1/catalog"): SIGNED_IN,
    ("GET", "/api/v1/packs/{pack_id}/{version}/manifest"): SIGNED_IN,
    ("GET", "/blobs/{sha256}"): SIGNED_IN,
    ("HEAD", "/blobs/{sha256}"): SIGNED_IN,
    ("POST", "/api/v1/submissions"): SUBMITTERS,
    ("GET", "/api/v1/submissions"): SUBMITTERS,
    ("GET", "/api/v1/submissions/{submission_id}"): SUBMITTERS,
    ("GET", "/api/v1/submissions/{submission_id}/pack"): SUBMITTERS,
    ("POST", "/api/v1/submissions/{submission_id}/approve"): REVIEWERS,
    ("POST", "/api/v1/submissions/{submission_id}/reject"): REVIEWERS,
    ("GET", "/api/v1/users"): ADMINS,
    ("POST", "/api/v1/users"): ADMINS,
    ("POST", "/api/v1/users/{name}/disable"): ADMINS,
    ("POST", "/api/v1/users/{name}/trust"): REVIEWERS,
    ("POST", "/api/v1/sync/push"): SIGNED_IN,
    ("GET", "/api/v1/sync/pull"): SIGNED_IN,
    # Mentorship (app/hub/mentor_routes.py); the rows each caller sees are the handlers'.
    ("GET", "/api/v1/mentorship/skills"): SIGNED_IN,
    ("GET", "/api/v1/mentorship/matches"): SIGNED_IN,
    ("GET", "/api/v1/mentorship/requests"): SIGNED_IN,
    ("GET", "/api/v1/mentorship/mentees"): SIGNED_IN,
    ("POST", "/api/v1/mentorship/match-all"): REVIEWERS,
    ("GET", "/api/v1/mentorship/reports"): ADMINS,
    # Badges (app/hub/badges.py): a mentor of the learner or a curator awards, the awarder
    # or a curator revokes (the handlers check); the issuer's keys are public.
    ("POST", "/api/v1/badges"): SIGNED_IN,
    ("GET", "/api/v1/badges/revoked"): SIGNED_IN,
    ("POST", "/api/v1/badges/{badge_id}/revoke"): SIGNED_IN,
    ("GET", "/api/v1/badges/issuer"): ANYONE,
    # A workshop hub's forwarder (app/hub/forward_routes.py).
    ("GET", "/api/v1/mirror/accounts"): frozenset({FORWARDER}),
}


@dataclass(frozen=True)
class Decision:
    """What :func:`decide` says: ``allowed``, else 401 (sign in) or 403 (not your role)."""

    allowed: bool
    status: int = 200


def rule_for(method: str, path: str) -> Rule | None:
    return ACCESS.get((method.upper(), path))


def needs_account(rule: Rule | None) -> bool:
    return rule != ANYONE


def decide(rule: Rule | None, role: str | None) -> Decision:
    """The decision for a caller of ``role`` (None: anonymous)."""
    if rule is None:
        return Decision(False, 403)
    if rule == ANYONE:
        return Decision(True)
    if role is None:
        return Decision(False, 401)
    if rule == SIGNED_IN or role in rule:
        return Decision(True)
    return Decision(False, 403)


def missing(routes: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The ``(method, path)`` pairs that the table does not list."""
    return sorted(route for route in routes if route not in ACCESS)


def check_complete(routes: Iterable[tuple[str, str]]) -> None:
    gaps = missing(routes)
    if gaps:
        raise RuntimeError(f"routes missing from app.hub.access.ACCESS: {gaps}")
