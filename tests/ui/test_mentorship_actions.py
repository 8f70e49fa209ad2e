"""The actions the Mentorship page offers on a relationship, by its state and the learner's
side (the hub checks again at sync; the page offers only what can succeed)."""

from __future__ import annotations

import pytest

from app.mentorship.models import STATES, WAITING, Relationship
from app.ui.pages.mentorship_people import valid_actions


def relationship(state: str, role: str, **extra: object) -> Relationship:
    return Relationship(id="r", mentor="baraka", mentee="amina", state=state, role=role,
                        **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(("state", "role", "actions"), [
    ("proposed", "mentor", ["accept", "decline", "cancel"]),
    ("proposed", "mentee", ["accept", "decline", "cancel"]),
    ("pending", "mentor", ["accept", "decline", "cancel"]),
    ("pending", "mentee", ["cancel"]),
    (WAITING, "mentee", ["cancel"]),
    ("active", "mentor", ["pause", "complete", "hand_over", "cancel"]),
    ("active", "mentee", ["pause", "complete", "cancel"]),
    ("paused", "mentor", ["resume", "complete", "hand_over", "cancel"]),
    ("paused", "mentee", ["resume", "complete", "cancel"]),
    *[(state, role, []) for state in ("completed", "cancelled", "declined", "handed_over")
      for role in ("mentor", "mentee")],
])
def test_the_actions_offered_follow_the_state_and_the_side(
        state: str, role: str, actions: list[str]) -> None:
    assert valid_actions(relationship(state, role)) == actions


def test_every_state_is_covered() -> None:
    for state in STATES:
        for role in ("mentor", "mentee"):
            assert isinstance(valid_actions(relationship(state, role)), list)


def test_after_a_hand_over_the_mentee_may_share_the_history_once() -> None:
    handed = relationship("pending", "mentee", previous_mentor="juma")
    assert valid_actions(handed) == ["consent_history", "cancel"]
    shared = relationship("active", "mentee", previous_mentor="juma", history_shared=True)
    assert "consent_history" not in valid_actions(shared)
    assert "consent_history" not in valid_actions(
        relationship("active", "mentor", previous_mentor="juma"))
