"""What a learner sees of the library: summaries, outlines, where to continue, quiz attempts,
time left, storage, and notes as Markdown. Qt-free; the window and the CLI both call it.

Resources that are translations of each other form one *group*; a learner sees each group
once, in the first of their languages that the group has (see :func:`pick_variant`), and a
group is done when any of its variants is done.

What ``progress.position`` means depends on the kind of resource: seconds for video and audio,
the fraction scrolled (0 to 1) for articles, the page number for PDFs, the number of the
question reached for quizzes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.errors import NotFoundError
from app.i18n import _
from app.languages import language_chain as language_chain  # the window imports it from here
from app.languages import negotiate
from app.packs.manifest import localized

if TYPE_CHECKING:  # the window imports this module before the library loads
    from app.library import Library
    from app.quiz import QuizResult

Row = dict[str, Any]

STATUS_NEW = "new"
STATUS_STARTED = "in-progress"
STATUS_DONE = "done"


# -- variants (translations) ------------------------------------------------------------


def _groups(resources: Sequence[Row]) -> dict[str, str]:
    """Map each resource's global id to its group's representative (union of the
    translations, which the library stores as global ids)."""
    parent: dict[str, str] = {r["id"]: r["id"] for r in resources}

    def find(item: str) -> str:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for resource in resources:
        for other in resource["translations"].values():
            if other in parent:
                a, b = find(resource["id"]), find(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    return {local: find(local) for local in parent}


def pick_variant(variants: Sequence[Row], languages: Sequence[str]) -> Row:
    """The variant to show: the one that serves the first of ``languages`` any serves (see
    :func:`app.languages.negotiate`), else the first variant in pack order."""
    index = negotiate(languages, [variant.get("lang") for variant in variants])
    return variants[0 if index is None else index]


# -- pack outlines ------------------------------------------------------------------------


@dataclass
class OutlineItem:
    """One resource as the learner sees it in a pack (the variant in their language)."""

    id: str
    local_id: str
    kind: str
    lang: str | None
    title: dict[str, str]
    duration: float | None
    position: float
    completed: bool
    opened_at: str | None
    #: language -> global resource id of each variant (this one included)
    variants: dict[str, str] = field(default_factory=dict)


@dataclass
class OutlineSection:
    id: str | None
    title: dict[str, str]
    items: list[OutlineItem]


@dataclass
class PackOutline:
    pack: Row
    sections: list[OutlineSection]
    #: Quizzes (any variant's id) the learner tried and has not passed.
    failed: frozenset[str] = frozenset()

    @property
    def items(self) -> list[OutlineItem]:
        return [item for section in self.sections for item in section.items]

    @property
    def total_seconds(self) -> float:
        return sum(item.duration or 0.0 for item in self.items)

    @property
    def remaining_seconds(self) -> float:
        return sum(item.duration or 0.0 for item in self.items if not item.completed)

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.completed)

    @property
    def total(self) -> int:
        return len(self.items)

    def find(self, resource_id: str) -> OutlineItem | None:
        for item in self.items:
            if item.id == resource_id or resource_id in item.variants.values():
                return item
        return None

    def neighbours(self, resource_id: str) -> tuple[OutlineItem | None, OutlineItem | None]:
        items = self.items
        for index, item in enumerate(items):
            if item.id == resource_id or resource_id in item.variants.values():
                before = items[index - 1] if index > 0 else None
                after = items[index + 1] if index + 1 < len(items) else None
                return before, after
        return None, None

    def resume(self) -> OutlineItem | None:
        """The next thing to do (the pack page's Continue and the Home cards): the last
        opened resource while it is under way; after a quiz tried and not passed, first
        what was skipped before it, then what follows, then the quiz again; after a
        finished one, the next not done after it, then what was skipped before it. None
        when the pack is finished."""
        items = self.items
        opened = [(item.opened_at, index) for index, item in enumerate(items) if item.opened_at]
        if not opened:
            return next((item for item in items if not item.completed), None)
        _, last = max(opened)
        current = items[last]
        failed = not current.completed and bool(self.failed & {current.id,
                                                               *current.variants.values()})
        if not current.completed and not failed:
            return current
        before = [item for item in items[:last] if not item.completed]
        after = [item for item in items[last + 1:] if not item.completed]
        order = [*before, *after, current] if failed else [*after, *before]
        return order[0] if order else None


def pack_outline(
    library: Library, pack_id: str, languages: Sequence[str], profile: str | None = None
) -> PackOutline:
    """A pack's sections and resources as the learner sees them, in three queries (no file
    lists), so that a pack of thousands of resources opens quickly."""
    rows = list(
        library.db.query(
            "SELECT id, version, title, description, languages, license, attribution, "
            "total_bytes, imported_at, "
            # one parse of the (possibly large) manifest for the five fields
            "json_extract(manifest, '$.skills', '$.color', '$.level', '$.authors', "
            "'$.estimated_minutes') AS extra FROM packs WHERE id = ?",
            (pack_id,),
        )
    )
    if not rows:
        raise NotFoundError(_("No pack with id {id}.").format(id=pack_id))
    pack = _decode_summary_row(rows[0])
    skills, color, level, authors, minutes = json.loads(pack.pop("extra"))
    pack.update(skills=skills or [], color=color, level=level, authors=authors or [],
                estimated_minutes=minutes)
    profile_id = library.profile_id(profile)
    cursor = library.db.execute(
        "SELECT r.id, r.local_id, r.section_id, r.kind, r.lang, r.title, r.duration, "
        "r.translations, IFNULL(g.position, 0) AS position, "
        "IFNULL(g.completed, 0) AS completed, g.opened_at "
        "FROM resources r LEFT JOIN progress g ON g.resource_id = r.id "
        "AND g.profile_id = ? AND g.deleted = 0 WHERE r.pack_id = ? ORDER BY r.position",
        (profile_id, pack_id),
    )
    names = [column[0] for column in cursor.description]
    resources = []
    for values in cursor:  # thousands of rows in a large pack: nothing done twice
        resource = dict(zip(names, values, strict=True))
        resource["title"] = json.loads(resource["title"])
        translations = resource["translations"]
        resource["translations"] = json.loads(translations) if translations != "{}" else {}
        resources.append(resource)
    groups = _groups(resources)
    members: dict[str, list[Row]] = {}
    for resource in resources:
        members.setdefault(groups[resource["id"]], []).append(resource)
    by_section: dict[str | None, list[OutlineItem]] = {}
    seen: set[str] = set()
    for resource in resources:
        group = groups[resource["id"]]
        if group in seen:
            continue
        seen.add(group)
        variants = members[group]
        chosen = variants[0] if len(variants) == 1 else pick_variant(variants, list(languages))
        opened = [v["opened_at"] for v in variants if v["opened_at"]]
        item = OutlineItem(
            id=chosen["id"],
            local_id=chosen["local_id"],
            kind=chosen["kind"],
            lang=chosen["lang"],
            title=chosen["title"],
            duration=chosen["duration"],
            position=float(chosen["position"]),
            completed=any(v["completed"] for v in variants),
            opened_at=max(opened) if opened else None,
            variants={(v["lang"] or ""): v["id"] for v in variants},
        )
        # A group sits in the section of its first member in pack order.
        by_section.setdefault(variants[0]["section_id"], []).append(item)
    sections = [
        OutlineSection(row["id"], json.loads(row["title"]), by_section.get(row["id"], []))
        for row in library.db.query(
            "SELECT id, title FROM sections WHERE pack_id = ? ORDER BY position", (pack_id,)
        )
    ]
    if by_section.get(None):
        sections.append(OutlineSection(None, {}, by_section[None]))
    failed = frozenset(
        row[0] for row in library.db.execute(
            "SELECT a.resource_id FROM quiz_attempts a JOIN resources r ON r.id = a.resource_id "
            "WHERE r.pack_id = ? AND a.profile_id = ? GROUP BY a.resource_id "
            "HAVING MAX(a.passed) = 0", (pack_id, profile_id)))
    return PackOutline(pack, [s for s in sections if s.items], failed)


# -- library summaries --------------------------------------------------------------------


def _decode_summary_row(row: Row) -> Row:
    pack = dict(row)
    for key in ("title", "description", "languages"):
        pack[key] = json.loads(pack[key])
    if "skills" in pack:
        pack["skills"] = json.loads(pack["skills"] or "[]")
    return pack


def pack_summaries(
    library: Library, languages: Sequence[str], profile: str | None = None
) -> list[Row]:
    """Every installed pack with what a library card and its filters need: titles,
    languages, skills, kinds, size, cover, and the learner's progress counted by groups."""
    profile_id = library.profile_id(profile)
    packs = {
        row["id"]: _decode_summary_row(row)
        for row in library.db.query(
            "SELECT id, version, title, description, languages, license, attribution, "
            "total_bytes, imported_at, "
            # one parse of the (possibly large) manifest for the four fields
            "json_extract(manifest, '$.skills', '$.color', '$.level', '$.cover') AS extra "
            "FROM packs ORDER BY id"
        )
    }
    for pack in packs.values():
        skills, color, level, cover = json.loads(pack.pop("extra"))
        pack.update(skills=skills or [], color=color, level=level, cover=cover)
    for pack in packs.values():
        pack.update(kinds=set(), total=0, done=0, started=0, last_opened=None, cover_file=None)
    covers = {
        (row["pack_id"], row["path"]): str(library.blobs.path_for(row["sha256"]))
        for row in library.db.query(
            "SELECT pack_id, path, sha256 FROM files WHERE resource_id IS NULL"
        )
    }
    for pack in packs.values():
        if pack["cover"]:
            pack["cover_file"] = covers.get((pack["id"], pack["cover"]))
    # Resources without translations are counted by SQLite; the few groups of translated
    # resources are counted here (a group is done when any of its variants is).
    for pack_id, kind, translated, count, done, started, last in library.db.execute(
        "SELECT r.pack_id, r.kind, r.translations != '{}' AS translated, COUNT(*), "
        "SUM(IFNULL(g.completed, 0)), SUM(g.id IS NOT NULL), MAX(g.opened_at) "
        "FROM resources r LEFT JOIN progress g ON g.resource_id = r.id "
        "AND g.profile_id = ? AND g.deleted = 0 GROUP BY r.pack_id, r.kind, translated",
        (profile_id,),
    ):
        if pack_id not in packs:
            continue
        pack = packs[pack_id]
        pack["kinds"].add(kind)
        if last and (pack["last_opened"] is None or last > pack["last_opened"]):
            pack["last_opened"] = last
        if not translated:
            pack["total"] += count
            pack["done"] += done
            pack["started"] += started
    rows: dict[str, list[Row]] = {}
    for row in library.db.query(
        "SELECT r.id, r.pack_id, r.translations, IFNULL(g.completed, 0) AS completed, "
        "g.id AS progress_id FROM resources r LEFT JOIN progress g ON g.resource_id = r.id "
        "AND g.profile_id = ? AND g.deleted = 0 WHERE r.translations != '{}' "
        "ORDER BY r.pack_id, r.position",
        (profile_id,),
    ):
        row["translations"] = json.loads(row["translations"])
        rows.setdefault(row["pack_id"], []).append(row)
    for pack_id, resources in rows.items():
        if pack_id not in packs:
            continue
        pack = packs[pack_id]
        groups = _groups(resources)
        state: dict[str, list[bool]] = {}
        for resource in resources:
            done_started = state.setdefault(groups[resource["id"]], [False, False])
            done_started[0] |= bool(resource["completed"])
            done_started[1] |= resource["progress_id"] is not None
        pack["total"] += len(state)
        pack["done"] += sum(1 for done, _started in state.values() if done)
        pack["started"] += sum(1 for done, started in state.values() if started or done)
    for pack in packs.values():
        pack["kinds"] = sorted(pack["kinds"])
        pack["status"] = pack_status(pack["done"], pack["started"], pack["total"])
        pack["display_title"] = localized(pack["title"], list(languages))
    return list(packs.values())


def pack_status(done: int, started: int, total: int) -> str:
    if total and done >= total:
        return STATUS_DONE
    if started or done:
        return STATUS_STARTED
    return STATUS_NEW


# -- opening and continuing ---------------------------------------------------------------


def mark_opened(library: Library, resource_id: str, profile: str | None = None) -> None:
    """Remember that the learner opened a resource now (what "continue" follows)."""
    from app.store.db import utc_now
    from app.store.records import write_record

    library.resource(resource_id, profile)
    profile_id = library.profile_id(profile)
    write_record(library.db, "progress", {"profile_id": profile_id, "resource_id": resource_id},
                 {"opened_at": utc_now()})


def continue_items(
    library: Library, languages: Sequence[str], profile: str | None = None, limit: int = 6
) -> list[Row]:
    """The "Continue where you left off" cards: for each pack the learner worked in, most
    recent first, the next thing to do there (:meth:`PackOutline.resume`), with the pack's
    title and the learner's true progress in it (``done`` of ``total``, ``progress`` as a
    fraction: finished resources only). A finished pack has no card."""
    profile_id = library.profile_id(profile)
    found: list[Row] = []
    # The packs in order of the last opening in each; their manifests (large) are read by
    # pack_outline(), once for each pack that gets a card, never once for each row here.
    for pack_id, last in library.db.execute(
        "SELECT r.pack_id, MAX(g.opened_at) "
        "FROM progress g JOIN resources r ON r.id = g.resource_id "
        "WHERE g.profile_id = ? AND g.deleted = 0 "
        "AND g.opened_at IS NOT NULL GROUP BY r.pack_id ORDER BY 2 DESC, MAX(g.rowid) DESC",
        (profile_id,),
    ).fetchall():
        outline = pack_outline(library, pack_id, languages, profile)
        step = outline.resume()
        if step is None:
            continue
        pack = outline.pack
        color = pack["color"]
        found.append({
            "id": step.id, "pack_id": pack_id, "kind": step.kind, "lang": step.lang,
            "title": step.title, "duration": step.duration, "position": step.position,
            "opened_at": last, "pack_title": pack["title"], "color": color,
            "display_title": localized(step.title, list(languages)),
            "display_pack_title": localized(pack["title"], list(languages)),
            "done": outline.done, "total": outline.total,
            "progress": outline.done / outline.total if outline.total else 0.0,
        })
        if len(found) >= limit:
            break
    return found


# -- quizzes ------------------------------------------------------------------------------


def store_attempt(
    library: Library,
    resource_id: str,
    profile_id: str,
    *,
    score: float,
    correct: int,
    total: int,
    passed: bool,
    answers: Any,
) -> str:
    """One row of ``quiz_attempts``: quizzes and scored interactive activities (SCORM, H5P)
    keep their attempts the same way, so the learner and their mentor see them together."""
    from app.store.db import utc_now
    from app.store.records import new_id, write_record

    attempt_id = new_id()
    write_record(
        library.db,
        "quiz_attempts",
        {"id": attempt_id},
        {
            "profile_id": profile_id,
            "resource_id": resource_id,
            "score": score,
            "correct": correct,
            "total": total,
            "passed": int(passed),
            "answers": json.dumps(answers, ensure_ascii=False),
            "created_at": utc_now(),
        },
    )
    return attempt_id


def record_quiz_attempt(
    library: Library,
    resource_id: str,
    result: QuizResult,
    answers: Mapping[str, Any],
    profile: str | None = None,
) -> Row:
    """Store a graded attempt; a passed quiz also completes the resource."""
    from app.quiz import answers_to_json

    library.resource(resource_id, profile)
    store_attempt(
        library,
        resource_id,
        library.profile_id(profile),
        score=result.score,
        correct=result.correct,
        total=result.total,
        passed=result.passed,
        answers=answers_to_json(answers),
    )
    if result.passed:
        library.record_progress(resource_id, profile, complete=True)
    return quiz_attempts(library, resource_id, profile)[0]


def quiz_attempts(library: Library, resource_id: str, profile: str | None = None) -> list[Row]:
    """The learner's attempts at a quiz, newest first."""
    profile_id = library.profile_id(profile)
    rows = []
    for row in library.db.query(
        "SELECT id, score, correct, total, passed, answers, created_at FROM quiz_attempts "
        "WHERE profile_id = ? AND resource_id = ? AND deleted = 0 "
        "ORDER BY created_at DESC, rowid DESC",
        (profile_id, resource_id),
    ):
        row["passed"] = bool(row["passed"])
        row["answers"] = json.loads(row["answers"])
        rows.append(row)
    return rows


# -- storage ------------------------------------------------------------------------------


def storage_by_pack(library: Library, languages: Sequence[str]) -> list[Row]:
    """Bytes each pack uses on disk (``bytes``), and how much removing it would free
    (``own_bytes``: files no other pack shares), largest first."""
    shared = {
        row[0]
        for row in library.db.execute(
            "SELECT sha256 FROM files GROUP BY sha256 HAVING COUNT(DISTINCT pack_id) > 1"
        )
    }
    usage: dict[str, list[int]] = {}
    for pack_id, sha256, size in library.db.execute(
        "SELECT DISTINCT pack_id, sha256, size FROM files"
    ):
        entry = usage.setdefault(pack_id, [0, 0])
        entry[0] += size
        if sha256 not in shared:
            entry[1] += size
    result = []
    for row in library.db.query("SELECT id, title FROM packs"):
        used, own = usage.get(row["id"], [0, 0])
        result.append({
            "id": row["id"],
            "title": localized(json.loads(row["title"]), list(languages)),
            "bytes": used,
            "own_bytes": own,
        })
    result.sort(key=lambda r: (-r["bytes"], r["id"]))
    return result


def stored_bytes(library: Library) -> int:
    """Bytes of pack files on disk (each shared file once)."""
    row = library.db.execute(
        "SELECT IFNULL(SUM(size), 0) FROM (SELECT sha256, MAX(size) AS size FROM files "
        "GROUP BY sha256)"
    ).fetchone()
    return int(row[0])


# -- notes --------------------------------------------------------------------------------


def notes_markdown(
    library: Library, languages: Sequence[str], profile: str | None = None
) -> str:
    """All of a learner's notes as one Markdown document, grouped by pack and resource."""
    from app import formatting

    notes = library.notes(profile)
    packs = {row["id"]: json.loads(row["title"]) for row in
             library.db.query("SELECT id, title FROM packs")}
    lines = ["# " + _("My notes"), ""]
    if not notes:
        lines.append(_("No notes yet."))
        return "\n".join(lines) + "\n"
    current_pack: str | None = None
    current_resource: str | None = None
    for note in sorted(notes, key=lambda n: (n["resource_id"], n["at_seconds"] or 0,
                                             n["created_at"])):
        pack_id = note["resource_id"].split("/")[0]
        if pack_id != current_pack:
            current_pack = pack_id
            title = localized(packs[pack_id], list(languages)) if pack_id in packs else pack_id
            lines += [f"## {title}", ""]
        if note["resource_id"] != current_resource:
            current_resource = note["resource_id"]
            title = localized(note["resource_title"], list(languages)) or note["resource_id"]
            lines += [f"### {title}", ""]
        stamp = formatting.moment(note["created_at"])
        prefix = f"**{formatting.clock(note['at_seconds'])}** " if note["at_seconds"] is not None \
            else ""
        body = note["body"].replace("\n", "\n  ")
        lines.append(f"- {prefix}{body} _({stamp})_")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# -- a trainer's view of the learners on this computer -------------------------------------


@dataclass
class LearnerOverview:
    """One profile's learning on this computer: progress by pack (the packs started, with
    ``done`` of ``total`` as on the pack cards), quiz results (each quiz tried: the latest
    and best score, attempts, passed) and when they were last active."""

    name: str
    last_active: str | None
    packs: list[Row] = field(default_factory=list)
    quizzes: list[Row] = field(default_factory=list)


def learners_overview(library: Library, languages: Sequence[str]) -> list[LearnerOverview]:
    """Every profile of this library, the most recently active first (never active last)."""
    titles = {
        row["id"]: localized(json.loads(row["title"]), list(languages))
        for row in library.db.query("SELECT id, title FROM resources")
    }
    result = []
    for profile in library.profiles():
        name, profile_id = str(profile["name"]), str(profile["id"])
        packs = [
            {"id": p["id"], "title": p["display_title"], "done": p["done"],
             "total": p["total"], "last_opened": p["last_opened"]}
            for p in pack_summaries(library, languages, name)
            if p["started"] or p["done"]
        ]
        packs.sort(key=lambda p: p["last_opened"] or "", reverse=True)
        quizzes = []
        for row in library.db.query(
            "SELECT resource_id, COUNT(*) AS attempts, MAX(score) AS best, "
            "MAX(passed) AS passed, MAX(created_at) AS last_at, "
            "(SELECT q2.score FROM quiz_attempts q2 WHERE q2.profile_id = q.profile_id "
            " AND q2.resource_id = q.resource_id AND q2.deleted = 0 "
            " ORDER BY q2.created_at DESC, q2.rowid DESC LIMIT 1) AS latest "
            "FROM quiz_attempts q WHERE profile_id = ? AND deleted = 0 "
            "GROUP BY resource_id ORDER BY last_at DESC", (profile_id,)
        ):
            resource_id = str(row["resource_id"])
            quizzes.append({
                "id": resource_id, "title": titles.get(resource_id, resource_id),
                "attempts": int(row["attempts"]), "best": float(row["best"]),
                "latest": float(row["latest"]), "passed": bool(row["passed"]),
                "last_at": row["last_at"]})
        moments = [m for (m,) in library.db.execute(
            "SELECT MAX(MAX(IFNULL(opened_at, ''), IFNULL(completed_at, ''))) FROM progress "
            "WHERE profile_id = ? AND deleted = 0 UNION ALL "
            "SELECT MAX(created_at) FROM quiz_attempts WHERE profile_id = ? AND deleted = 0",
            (profile_id, profile_id)) if m]
        result.append(LearnerOverview(name, max(moments) if moments else None, packs, quizzes))
    result.sort(key=lambda learner: learner.last_active or "", reverse=True)
    return result
