"""``ujuzi hub forward``: a laptop hub and a central hub as real processes; the laptop's
records reach the central hub once, however often the command runs and wherever it is cut."""

from __future__ import annotations

import json
import re
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.errors import SignatureError
from app.hub.config import HubConfig
from app.packs.signing import HubKey, check_chain
from tests.faulty_proxy import Faults, FaultyProxy
from tests.hub.sync_helpers import PASSWORD, Learner, every_type, note, progress
from tests.hubs import REPO, RunningHub, _environment, ujuzi_command
from tests.packs import make_pack


def _forward_command(laptop: RunningHub, central: RunningHub, *extra: str) -> list[str]:
    return [*ujuzi_command(), "--home", str(laptop.home), "hub", "forward", central.url,
            "--user", "relay", "--password-stdin", *extra]


def forward(laptop: RunningHub, central: RunningHub, *extra: str,
            user: str = "relay") -> subprocess.CompletedProcess[str]:
    return laptop.cli("forward", central.url, "--user", user, "--password-stdin", *extra,
                      input=PASSWORD + "\n", check=False)


def _laptop_rows(laptop: RunningHub, query: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(HubConfig(home=laptop.home).database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(query))]
    finally:
        engine.dispose()


@pytest.mark.slow
def test_records_reach_the_central_hub_once_whatever_the_cuts(hubs: Any,
                                                             tmp_path: Path) -> None:
    laptop, central = hubs
    central.add_user("relay", "forwarder", PASSWORD)
    make_pack(tmp_path / "central.ujpack", pack_id="org.central.pack")
    central.publish(tmp_path / "central.ujpack")
    learners = {name: Learner.add(laptop, name) for name in ("amina", "baraka")}
    for name, learner in learners.items():
        states = [*every_type(name), *(progress(f"org.{name}/r{i}", i) for i in range(40))]
        assert learner.push(states).json() == {"acked": 44}
    upstream = {name: Learner.add(central, name) for name in ("amina", "baraka")}

    # Cut in the middle: killed once its first batch is acked and its mark stored.
    process = subprocess.Popen(_forward_command(laptop, central, "--batch", "6"),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=_environment(None),
                               cwd=REPO)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(PASSWORD + "\n")
    process.stdin.close()
    assert process.stdout.readline().strip() == "amina: 6 records forwarded."
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stdout.close()
    assert process.stderr is not None
    process.stderr.close()
    partial = upstream["amina"].pull()
    assert 6 <= len(partial) < 44 and upstream["baraka"].pull() == []

    # The next run finishes.
    finished = forward(laptop, central, "--batch", "6")
    assert finished.returncode == 0, finished.stderr
    assert re.search(r"^Forwarded \d+ records? of 2 learners and fetched \d+ records?; "
                     r"fetched \d+ catalog entr(y|ies); published \d+ packs? here\.$",
                     finished.stdout, re.MULTILINE), finished.stdout
    for name in learners:
        here = [entry["record"] for entry in learners[name].pull()]
        there = [entry["record"] for entry in upstream[name].pull()]
        assert there == here and len({(r["type"], r["id"]) for r in there}) == 44
    before = {name: upstream[name].pull() for name in learners}

    # Twice run: nothing more (the same seqs upstream); a lost answer, replayed: the same.
    again = forward(laptop, central, "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == {"sent": {}, "fetched": {}, "unknown": [], "refused": [],
                                         "packs": 0, "published": 0}
    engine = sa.create_engine(HubConfig(home=laptop.home).database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM forward_marks"))
    engine.dispose()
    replayed = forward(laptop, central, "--json")
    assert replayed.returncode == 0, replayed.stderr
    assert json.loads(replayed.stdout)["sent"] == {"amina": 44, "baraka": 44}
    assert {name: upstream[name].pull() for name in learners} == before

    # A change on the laptop goes up once more, as a merge.
    learners["amina"].push([note("note-amina", "edited at the workshop",
                                 {"dev-a": 1, "dev-w": 1})], device="dev-w")
    assert forward(laptop, central).returncode == 0
    changed = upstream["amina"].pull(before["amina"][-1]["seq"])
    assert [entry["record"]["id"] for entry in changed] == ["note-amina"]
    assert changed[0]["record"]["versions"][0]["body"] == "edited at the workshop"

    # The central catalog, with its signed manifest, is on the laptop.
    [(pack_id, version, signature)] = _laptop_rows(
        laptop, "SELECT pack_id, version, signature FROM upstream_packs")
    assert (pack_id, version) == ("org.central.pack", "1.0.0") and signature


@pytest.mark.slow
def test_forwarding_says_whose_records_the_central_hub_cannot_take(hubs: Any) -> None:
    laptop, central = hubs
    central.add_user("relay", "forwarder", PASSWORD)
    central.add_user("amina", "learner", PASSWORD)
    assert Learner.add(laptop, "amina").push(every_type("a")).status_code == 200
    assert Learner.add(laptop, "chidi").push(every_type("c")).status_code == 200
    result = forward(laptop, central)
    assert result.returncode == 5
    assert result.stderr.strip().splitlines()[-1] == (
        "Not sent: the upstream hub has no account named chidi.")
    assert "amina: 4 records forwarded." in result.stdout
    # Only a forwarder account forwards.
    central.add_user("tumaini", "trainer", PASSWORD)
    wrong = forward(laptop, central, user="tumaini")
    assert wrong.returncode == 6
    assert wrong.stderr.strip().splitlines()[-1].endswith(
        "forwarding needs an account of role forwarder.")


def test_a_key_is_accepted_only_through_a_chain_of_endorsements() -> None:
    old, middle, new, stranger = (HubKey.generate() for _ in range(4))
    chain = [{"key": middle.public_key, "signed_by": old.public_key,
              "signature": old.endorse(middle.public_key)},
             {"key": new.public_key, "signed_by": middle.public_key,
              "signature": middle.endorse(new.public_key)}]
    check_chain(old.public_key, new.public_key, chain)
    check_chain(old.public_key, old.public_key, [])
    with pytest.raises(SignatureError, match="did not endorse"):
        check_chain(old.public_key, stranger.public_key, chain)
    forged = [{**chain[0], "signature": stranger.endorse(middle.public_key)}, chain[1]]
    with pytest.raises(SignatureError):
        check_chain(old.public_key, new.public_key, forged)


@pytest.mark.slow
def test_forwarding_through_a_link_that_cuts_ends_with_everything_once(hubs: Any) -> None:
    """Each run goes through a proxy that cuts every connection at a random byte offset of
    what the central hub answers (seeded; a failing seed is in the assertion's message), so
    answers are lost after pushes were applied; runs go on until one finishes."""
    laptop, central = hubs
    central.add_user("relay", "forwarder", PASSWORD)
    amina = Learner.add(laptop, "amina")
    states = [*every_type("amina"), *(progress(f"org.x/r{i}", i) for i in range(60))]
    assert amina.push(states).json() == {"acked": 64}
    upstream = Learner.add(central, "amina")
    for seed in range(5):
        with FaultyProxy(central.url, seed=seed, faults=Faults(cut=1.0, span=4000)) as proxy:
            via = RunningHub(url=proxy.url, home=central.home, database=None,
                             process=central.process)
            runs = [forward(laptop, via, "--batch", "5") for _ in range(3)]
        for run in runs:  # done, or one line saying the link failed
            assert run.returncode == 0 or (
                run.returncode == 7 and len(run.stderr.strip().splitlines()) == 1
                and ("did not answer" in run.stderr or "cut short" in run.stderr)), (
                    seed, run.returncode, run.stderr)
    assert forward(laptop, central, "--batch", "5").returncode == 0
    there = upstream.pull()
    assert [entry["record"] for entry in there] == [entry["record"] for entry in amina.pull()]
    assert len({entry["record"]["id"] for entry in there}) == 64


@pytest.mark.slow
def test_with_packs_the_central_packs_are_published_on_the_laptop(hubs: Any,
                                                                 tmp_path: Path) -> None:
    import requests

    from app.packs.signing import verify_manifest

    laptop, central = hubs
    central.add_user("relay", "forwarder", PASSWORD)
    manifest = make_pack(tmp_path / "p.ujpack", pack_id="org.central.video",
                         media={"clip": b"v" * 70_000})
    central.publish(tmp_path / "p.ujpack")
    first = forward(laptop, central, "--packs", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"sent": {}, "fetched": {}, "unknown": [],
                                        "refused": [], "packs": 1, "published": 1}
    again = forward(laptop, central, "--packs", "--json")
    assert json.loads(again.stdout)["published"] == 0

    learner = Learner.add(laptop, "amina")
    packs = learner.session.get(f"{laptop.url}/api/v1/catalog", timeout=60).json()["packs"]
    assert [(pack["id"], pack["version"]) for pack in packs] == [("org.central.video",
                                                                  "1.0.0")]
    signed = learner.session.get(
        f"{laptop.url}/api/v1/packs/org.central.video/1.0.0/manifest", timeout=60).json()
    laptop_key = requests.get(f"{laptop.url}/api/v1/hub", timeout=60).json()["key"]
    verify_manifest(laptop_key["public_key"], signed["manifest"].encode(), signed["signature"])
    clip = manifest["resources"][-1]["files"][0]
    blob = learner.session.get(f"{laptop.url}/blobs/{clip['sha256']}", timeout=60)
    assert blob.status_code == 200 and blob.content == b"v" * 70_000


def _seqs(learner: Learner) -> dict[tuple[str, str], int]:
    return {(entry["record"]["type"], entry["record"]["id"]): entry["seq"]
            for entry in learner.pull()}


def _states(learner: Learner) -> dict[tuple[str, str], Any]:
    return {(entry["record"]["type"], entry["record"]["id"]): entry["record"]
            for entry in learner.pull()}


@pytest.mark.slow
def test_forwarding_brings_the_central_records_down_resumably_and_once(hubs: Any) -> None:
    laptop, central = hubs
    central.add_user("relay", "forwarder", PASSWORD)
    home = Learner.add(central, "amina")  # what amina did at home, on the central hub
    home_states = [*every_type("home"), *(progress(f"org.home/r{i}", i) for i in range(20))]
    assert home.push(home_states, device="home-pc").json() == {"acked": 24}
    workshop = Learner.add(laptop, "amina")
    ws_states = [*every_type("ws"), *(progress(f"org.ws/r{i}", i) for i in range(20))]
    assert workshop.push(ws_states, device="ws-pc").json() == {"acked": 24}

    # Cut once the first page pulled down is stored.
    process = subprocess.Popen(_forward_command(laptop, central, "--batch", "5"),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=_environment(None),
                               cwd=REPO)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(PASSWORD + "\n")
    process.stdin.close()
    lines = []
    while not (line := process.stdout.readline().strip()).endswith("records fetched."):
        assert line, process.communicate()
        lines.append(line)
    assert line == "amina: 5 records fetched." and lines[-1] == "amina: 24 records forwarded."
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stdout.close()
    assert process.stderr is not None
    process.stderr.close()
    assert 29 <= len(_states(workshop)) < 48

    finished = forward(laptop, central, "--batch", "5", "--json")
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout)["sent"] == {}
    assert json.loads(finished.stdout)["fetched"] == {"amina": 19}
    here, there = _states(workshop), _states(home)
    assert here == there and len(there) == 48
    assert len(home.pull()) == 48  # each record once on the central hub

    # Both ways twice: nothing moves, no record gets a new seq on either side.
    seqs = (_seqs(workshop), _seqs(home))
    for _run in range(2):
        again = forward(laptop, central, "--batch", "5", "--json")
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout) == {"sent": {}, "fetched": {}, "unknown": [],
                                            "refused": [], "packs": 0, "published": 0}
    assert (_seqs(workshop), _seqs(home)) == seqs

    # A change at home comes down; one at the workshop goes up; each once.
    home.push([note("note-home", "edited at home", {"dev-a": 2})], device="home-pc",
              first=25)
    workshop.push([note("note-ws", "edited at the workshop", {"dev-a": 2})], device="ws-pc",
                  first=25)
    both = json.loads(forward(laptop, central, "--json").stdout)
    assert (both["sent"], both["fetched"]) == ({"amina": 1}, {"amina": 1})
    assert _states(workshop) == _states(home)
    quiet = json.loads(forward(laptop, central, "--json").stdout)
    assert (quiet["sent"], quiet["fetched"]) == ({}, {})


@pytest.mark.slow
def test_a_cut_file_of_forward_packs_resumes_with_range(hubs: Any, tmp_path: Path) -> None:
    """The link is cut at a seeded byte offset within the pack's one large file; the next
    run asks for the rest only (the central hub answers 206) and the file is whole."""
    import os

    laptop, central = hubs
    central.add_user("relay", "forwarder", PASSWORD)
    data = os.urandom(3 * 1024 * 1024)
    manifest = make_pack(tmp_path / "big.ujpack", pack_id="org.central.big",
                         media={"clip": data}, articles={})
    central.publish(tmp_path / "big.ujpack")
    sha256 = manifest["resources"][-1]["files"][0]["sha256"]
    part = HubConfig(home=laptop.home).layout.blob_tmp / f"forward-{sha256}.part"

    with FaultyProxy(central.url, seed=1,
                     faults=Faults(cut=1.0, span=len(data))) as proxy:
        via = RunningHub(url=proxy.url, home=central.home, database=None,
                         process=central.process)
        cut = forward(laptop, via, "--packs")
    assert cut.returncode == 7, cut.stderr
    assert 0 < part.stat().st_size < len(data)

    finished = forward(laptop, central, "--packs", "--json")
    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout)["published"] == 1
    assert not part.exists()
    fetched = [json.loads(line) for line in central.log().splitlines()
               if f"/blobs/{sha256}" in line]
    assert [entry["status"] for entry in fetched] == [200, 206]
    learner = Learner.add(laptop, "amina")
    blob = learner.session.get(f"{laptop.url}/blobs/{sha256}", timeout=60)
    assert blob.status_code == 200 and blob.content == data
