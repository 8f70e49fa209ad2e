"""The hub's mentorship routes (docs/hub.md, docs/mentorship.md "On the hub"): reads that
need everyone's data. Who may call each is in :data:`app.hub.access.ACCESS`; the rows a
caller sees are decided here (their own relationships, their own mentees)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from pydantic import BaseModel, Field

from app.hub import journal, mentorship

SKILLS_PATH = "/api/v1/mentorship/skills"
MATCHES_PATH = "/api/v1/mentorship/matches"
REQUESTS_PATH = "/api/v1/mentorship/requests"
MENTEES_PATH = "/api/v1/mentorship/mentees"
MATCH_ALL_PATH = "/api/v1/mentorship/match-all"
REPORTS_PATH = "/api/v1/mentorship/reports"
MAX_MATCHES = 100


class SkillOut(BaseModel):
    id: str
    labels: dict[str, str]


class SkillsOut(BaseModel):
    skills: list[SkillOut]


class MatchOut(BaseModel):
    mentor: str
    score: float
    factors: dict[str, Any]
    explanation: str
    places_left: int


class MatchesOut(BaseModel):
    matches: list[MatchOut]


class RequestOut(BaseModel):
    relationship: str
    mentee: str
    since: str | None
    expires: str | None
    message: str
    share_progress: bool


class RequestsOut(BaseModel):
    requests: list[RequestOut]


class PackRowOut(BaseModel):
    pack_id: str
    title: str
    done: int
    total: int


class QuizOut(BaseModel):
    attempts: int
    mean_score: float | None


class MenteeOut(BaseModel):
    mentee: str
    relationship: str
    state: str
    packs: list[PackRowOut]
    quiz: QuizOut
    last_active: str | None
    goals_due: int
    timeline: list[tuple[str, int]]


class MenteesOut(BaseModel):
    mentees: list[MenteeOut]


class MatchAllIn(BaseModel):
    dry_run: bool = False


class PairOut(BaseModel):
    mentor: str
    mentee: str
    score: float
    factors: dict[str, Any]
    explanation: str
    relationship: str | None


class UnmatchedOut(BaseModel):
    mentee: str
    reason: str


class MatchAllOut(BaseModel):
    algorithm: str
    as_of: str
    total_score: float
    dry_run: bool
    pairs: list[PairOut]
    unmatched: list[UnmatchedOut]


class ReportOut(BaseModel):
    id: int
    reporter: str | None
    reported: str | None
    reason: str
    at: str | None


class ReportsOut(BaseModel):
    reports: list[ReportOut]


def install(api: FastAPI, signed_in: Any) -> None:
    """Add the routes to ``api``; ``signed_in`` is the hub's dependency giving the caller."""

    caller_of = Depends(signed_in)

    def engine(request: Request) -> Any:
        return request.app.state.hub.engine

    @api.get(SKILLS_PATH, response_model=SkillsOut)
    def skills(request: Request, caller: Any = caller_of) -> Any:
        return {"skills": mentorship.skills(engine(request))}

    @api.get(MATCHES_PATH, response_model=MatchesOut)
    def matches(request: Request, caller: Any = caller_of,
                limit: Annotated[int, Query(ge=1, le=MAX_MATCHES)] = 10) -> Any:
        return {"matches": mentorship.matches(engine(request), caller.user.id, limit)}

    @api.get(REQUESTS_PATH, response_model=RequestsOut)
    def requests(request: Request, caller: Any = caller_of) -> Any:
        return {"requests": mentorship.pending_requests(engine(request), caller.user.id)}

    @api.get(MENTEES_PATH, response_model=MenteesOut)
    def mentees(request: Request, caller: Any = caller_of) -> Any:
        return {"mentees": mentorship.dashboard(engine(request), caller.user.id)}

    @api.post(MATCH_ALL_PATH, response_model=MatchAllOut)
    def match_all(request: Request, caller: Any = caller_of,
                  body: Annotated[MatchAllIn | None, Field()] = None) -> Any:
        dry_run = bool(body and body.dry_run)
        answer = mentorship.match_all(engine(request), dry_run, by=caller.user.name)
        journal.event("mentor-match-all-route", user=caller.user.name, dry_run=dry_run)
        return answer

    @api.get(REPORTS_PATH, response_model=ReportsOut)
    def reports(request: Request, caller: Any = caller_of) -> Any:
        return {"reports": mentorship.reports(engine(request))}
