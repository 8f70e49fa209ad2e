"""The record plane through the real app in-process (SQLite in tmp_path): push and pull,
idempotence, pages, merges, refusals, and that no learner ever sees another's records."""

from __future__ import annotations

import json
import re
from typing import Any

import sqlalchemy as sa

from app.hub import db
from app.hub.server import route_keys
from app.store import merge
from tests.hub.conftest import LocalHub
from tests.hub.sync_helpers import changes, every_type, note, profile, progress

PUSH, PULL = "/api/v1/sync/push", "/api/v1/sync/pull"


def push(hub: LocalHub, headers: dict[str, str], states: list[dict[str, Any]],
         device: str = "dev-a", first: int = 1, **extra: Any) -> Any:
    return hub.client.post(PUSH, headers=headers, json={
        "device": device, "changes": changes(states, first), **extra})


def pull_all(hub: LocalHub, headers: dict[str, str], since: int = 0,
             limit: int = 500) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        response = hub.client.get(PULL, headers=headers,
                                  params={"since": since, "limit": limit})
        assert response.status_code == 200, response.text
        page = response.json()
        found.extend(page["records"])
        since = page["cursor"]
        if not page["more"]:
            return found


def _rows(hub: LocalHub) -> list[tuple[Any, ...]]:
    with hub.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            sa.select(db.sync_records.c.type, db.sync_records.c.record_id,
                      db.sync_records.c.seq, db.sync_records.c.state)
            .order_by(db.sync_records.c.seq))]


def test_a_push_is_acked_and_pulled_back_with_increasing_seqs(local_hub: LocalHub) -> None:
    amina = local_hub.account("amina", "learner")
    states = every_type("amina")
    response = push(local_hub, amina, states)
    assert response.status_code == 200, response.text
    assert response.json() == {"acked": 4}
    pulled = pull_all(local_hub, amina)
    assert [entry["record"]["id"] for entry in pulled] == [state["id"] for state in states]
    seqs = [entry["seq"] for entry in pulled]
    assert seqs == sorted(seqs) and len(set(seqs)) == 4
    assert [entry["record"] for entry in pulled] == [merge.merge(s, s) for s in states]


def test_a_replayed_push_changes_nothing(local_hub: LocalHub) -> None:
    amina = local_hub.account("amina", "learner")
    states = every_type("amina")
    assert push(local_hub, amina, states).json() == {"acked": 4}
    before = _rows(local_hub)
    # The same push again, and a push whose counters the hub has already applied but
    # whose records differ: both are skipped whole.
    assert push(local_hub, amina, states).json() == {"acked": 4}
    edited = [note("note-amina", "changed", {"dev-a": 9})]
    assert push(local_hub, amina, edited, first=3).json() == {"acked": 4}
    assert _rows(local_hub) == before
    # An empty push asks for the mark.
    assert push(local_hub, amina, []).json() == {"acked": 4}


def test_a_state_the_hub_already_holds_gets_no_new_seq(local_hub: LocalHub) -> None:
    amina = local_hub.account("amina", "learner")
    push(local_hub, amina, every_type("amina"))
    before = _rows(local_hub)
    # Another device sends the same states under its own counters.
    assert push(local_hub, amina, every_type("amina"), device="dev-b").json() == {"acked": 4}
    assert _rows(local_hub) == before


def test_pages_follow_the_cursor_without_gaps_or_repeats(local_hub: LocalHub) -> None:
    amina = local_hub.account("amina", "learner")
    states = [progress(f"org.x/r{index}", index) for index in range(23)]
    push(local_hub, amina, states)
    first = local_hub.client.get(PULL, headers=amina, params={"limit": 10}).json()
    assert len(first["records"]) == 10 and first["more"] is True
    assert first["cursor"] == first["records"][-1]["seq"]
    everything = pull_all(local_hub, amina, limit=10)
    assert [entry["record"]["id"] for entry in everything] == [s["id"] for s in states]
    last = local_hub.client.get(PULL, headers=amina,
                                params={"since": everything[-1]["seq"]}).json()
    assert last == {"records": [], "cursor": everything[-1]["seq"], "more": False}
    # A later change of an early record moves it to the end of the feed.
    push(local_hub, amina, [progress("org.x/r0", 99.0, count=2)], first=24)
    after = pull_all(local_hub, amina, since=everything[-1]["seq"])
    assert [entry["record"]["id"] for entry in after] == ["org.x/r0"]
    assert after[0]["record"]["data"]["position"] == 99.0


def test_pages_are_gzip_compressed_when_asked(local_hub: LocalHub) -> None:
    amina = local_hub.account("amina", "learner")
    push(local_hub, amina, [note(f"n{index}", "the same words again " * 20, {"dev-a": index})
                            for index in range(1, 60)])
    raw = local_hub.client.get(PULL, headers={**amina, "Accept-Encoding": "gzip"},
                               params={"limit": 1000})
    assert raw.headers["content-encoding"] == "gzip"
    plain = local_hub.client.get(PULL, headers={**amina, "Accept-Encoding": "identity"},
                                 params={"limit": 1000})
    assert "content-encoding" not in plain.headers
    assert raw.json() == plain.json() and len(raw.json()["records"]) == 59
    assert int(raw.headers["content-length"]) < len(plain.content) / 5


def test_the_page_size_is_bounded(local_hub: LocalHub) -> None:
    amina = local_hub.account("amina", "learner")
    for limit in (0, 1001, -1):
        response = local_hub.client.get(PULL, headers=amina, params={"limit": limit})
        assert response.status_code == 422, limit


def test_concurrent_note_edits_merge_into_a_conflict(local_hub: LocalHub) -> None:
    amina = local_hub.account("amina", "learner")
    push(local_hub, amina, [note("n1", "first", {"dev-a": 1})], device="dev-a")
    # Both devices edit having seen only the first version.
    push(local_hub, amina, [note("n1", "from a", {"dev-a": 2})], device="dev-a", first=2)
    push(local_hub, amina, [note("n1", "from b", {"dev-a": 1, "dev-b": 1})], device="dev-b")
    [entry] = pull_all(local_hub, amina)
    assert merge.in_conflict(entry["record"])
    assert sorted(version["body"] for version in entry["record"]["versions"]) == [
        "from a", "from b"]
    # An edit that has seen both settles it.
    push(local_hub, amina, [note("n1", "settled", {"dev-a": 3, "dev-b": 1})], first=3)
    [entry] = pull_all(local_hub, amina)
    assert [version["body"] for version in entry["record"]["versions"]] == ["settled"]


def test_a_deletion_stays_and_keeps_no_text(local_hub: LocalHub) -> None:
    amina = local_hub.account("amina", "learner")
    push(local_hub, amina, [note("n1", "secret words", {"dev-a": 1})])
    push(local_hub, amina, [note("n1", "", {}, deleted=True)], first=2)
    # A later edit from another device that never saw the deletion.
    push(local_hub, amina, [note("n1", "secret words again", {"dev-a": 1, "dev-b": 5})],
         device="dev-b")
    [entry] = pull_all(local_hub, amina)
    assert entry["record"]["deleted"] is True
    assert "secret" not in json.dumps(entry["record"])
    assert "secret" not in json.dumps(_rows(local_hub))


def test_a_malformed_push_is_refused_whole_with_words(local_hub: LocalHub) -> None:
    amina = local_hub.account("amina", "learner")
    good = profile("p1", "Amina")
    bad_cases: list[tuple[list[dict[str, Any]], str]] = [
        ([good, {"type": "sticker", "id": "b1", "data": {}}], "unknown record type"),
        ([good, {"type": "note", "id": "", "versions": []}], "id"),
        ([good, {"type": "note", "id": "n", "versions": [{"vv": {"a": "x"}, "body": "b"}]}],
         "versions"),
        ([good, {"type": "progress", "id": "r", "clock": "late"}], "clock"),
        ([good, {"type": "progress", "id": "r", "data": {"completed_at": 5}}], "completed_at"),
        ([good, {"type": "profile", "id": "p2", "deleted": "yes"}], "deleted"),
    ]
    for states, words in bad_cases:
        response = push(local_hub, amina, states)
        assert response.status_code == 400, response.text
        assert words in response.json()["detail"] and "Change 1" in response.json()["detail"]
    decreasing = local_hub.client.post(PUSH, headers=amina, json={"device": "d", "changes": [
        {"counter": 2, "record": good}, {"counter": 1, "record": good}]})
    assert decreasing.status_code == 400 and "increase" in decreasing.json()["detail"]
    assert _rows(local_hub) == []
    assert push(local_hub, amina, []).json() == {"acked": 0}


def test_a_batch_past_the_json_limit_is_accepted_up_to_its_own(local_hub: LocalHub) -> None:
    amina = local_hub.account("amina", "learner")
    big = [note(f"n{index}", "x" * 1000, {"dev-a": index}) for index in range(1, 201)]
    assert push(local_hub, amina, big).json() == {"acked": 200}  # about 240 KB
    huge = local_hub.client.post(PUSH, headers={**amina, "Content-Type": "application/json"},
                                 content=b'{"device": "d", "changes": []' + b" " * 9_000_000
                                 + b"}")
    assert huge.status_code == 413
    too_many = push(local_hub, amina, [profile("p", "x")] * 1001)
    assert too_many.status_code == 422


def test_only_a_forwarder_pushes_and_pulls_for_another_account(local_hub: LocalHub) -> None:
    amina = local_hub.account("amina", "learner")
    baraka = local_hub.account("baraka", "learner")
    relay = local_hub.account("relay", "forwarder")
    admin = local_hub.account("root", "admin")
    push(local_hub, amina, every_type("amina"))
    for headers in (baraka, admin):
        refused = push(local_hub, headers, every_type("x"), owner="amina")
        assert refused.status_code == 403
        assert local_hub.client.get(PULL, headers=headers,
                                    params={"owner": "amina"}).status_code == 403
    forwarded = push(local_hub, relay, [profile("p9", "via relay")], device="laptop",
                     owner="baraka")
    assert forwarded.json() == {"acked": 1, "refused": []}
    assert [e["record"]["id"] for e in pull_all(local_hub, baraka)] == ["p9"]
    names = local_hub.client.get(PULL, headers=relay, params={"owner": "amina"}).json()
    assert len(names["records"]) == 4
    missing = push(local_hub, relay, [profile("p", "x")], owner="nobody-here")
    assert missing.status_code == 404


def test_no_record_of_one_learner_reaches_another_on_any_route(local_hub: LocalHub) -> None:
    """Every record type of amina, then every route the app has, called as baraka (and as
    each other role): no answer carries anything of amina's."""
    amina = local_hub.account("amina", "learner")
    marker = "zq7amina"
    assert push(local_hub, amina, every_type(marker)).json() == {"acked": 4}
    others = {role: local_hub.account(f"other-{role}", role)
              for role in ("learner", "mentor", "trainer", "curator", "admin", "forwarder")}
    # They push records of the same ids: theirs stay theirs, amina's stay hers.
    same_ids = [{**state, "data": {**state.get("data", {}), "name": "other"}}
                for state in every_type(marker) if state["type"] == "profile"]
    parameters = {"pack_id": "org.x", "version": "1.0.0", "sha256": "0" * 64,
                  "submission_id": "1", "name": "amina"}
    for role, headers in others.items():
        assert push(local_hub, headers, same_ids).status_code == 200
        for method, template in route_keys(local_hub.app):
            if method != "GET" and template != PUSH:
                continue
            path = re.sub(r"{(\w+)}", lambda m: parameters[m.group(1)], template)
            if template == PUSH:
                response = push(local_hub, headers, [], first=1)
            else:
                response = local_hub.client.get(path, headers=headers,
                                                params={"since": 0, "limit": 1000})
            body = response.content  # decompressed by the client when gzip'ed
            if template == PULL:  # their own records only: the copies named "other"
                mine = json.loads(body)["records"]
                assert [entry["record"]["data"]["name"] for entry in mine] == ["other"]
            else:
                assert marker.encode() not in body, (role, template)
    assert all(entry["record"]["data"].get("name") != "other"
               for entry in pull_all(local_hub, amina))
