"""``ujuzi mentor match``: a real process on a generated cohort file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.unit.mentorship.cohorts import random_cohort

ROOT = Path(__file__).resolve().parents[3]


def ujuzi(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UJUZI_HOME": str(home), "UJUZI_LANG": "en"}
    env.pop("UJUZI_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "app", "mentor", "match", *args],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


def write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_match_prints_the_pairs_and_the_unmatched_as_json(tmp_path: Path) -> None:
    data = random_cohort(3, mentors=12, mentees=40, capacity=3, blocks=4)
    cohort = write(tmp_path / "cohort.json", data)
    done = ujuzi("--cohort", str(cohort), "--json", "--date", "2026-12-07", home=tmp_path / "h")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    result = json.loads(done.stdout)
    assert result["algorithm"].startswith("ujuzi-cohort/")
    assert result["as_of"] == "2026-12-07"
    assert set(result) == {"algorithm", "as_of", "total_score", "pairs", "unmatched"}
    assert result["pairs"] and result["unmatched"]
    for pair in result["pairs"]:
        assert set(pair) == {"mentor", "mentee", "score", "factors", "explanation"}
    for left in result["unmatched"]:
        assert set(left) == {"mentee", "reason"} and left["reason"]
    assert sorted([p["mentee"] for p in result["pairs"]]
                  + [u["mentee"] for u in result["unmatched"]]) == sorted(
        e["id"] for e in data["mentees"])
    assert result["total_score"] == round(sum(p["score"] for p in result["pairs"]), 3)
    again = ujuzi("--cohort", str(cohort), "--json", "--date", "2026-12-07",
                  home=tmp_path / "h")
    assert again.stdout == done.stdout


def test_match_prints_a_readable_list(tmp_path: Path) -> None:
    data = random_cohort(3, mentors=12, mentees=40, capacity=3, blocks=4)
    cohort = write(tmp_path / "cohort.json", data)
    as_json = json.loads(ujuzi("--cohort", str(cohort), "--json", "--date", "2026-12-07",
                               home=tmp_path / "h").stdout)
    done = ujuzi("--cohort", str(cohort), "--date", "2026-12-07", home=tmp_path / "h")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"{len(as_json['pairs'])} pairs, "
                               f"{len(as_json['unmatched'])} unmatched, total score ")
    for pair in as_json["pairs"]:
        assert f"  {pair['mentor']}  {pair['mentee']}  {pair['score']:.3f}: " \
               f"{pair['explanation']}" in lines
    for left in as_json["unmatched"]:
        assert f"  {left['mentee']}: {left['reason']}" in lines


def test_a_malformed_cohort_file_gives_one_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    data = random_cohort(3, mentors=2, mentees=5)
    data["mentees"][3]["languages"]["sw"] = 9
    cohort = write(tmp_path / "cohort.json", data)
    done = ujuzi("--cohort", str(cohort), "--json", home=tmp_path / "h")
    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr == "ujuzi: error: mentees[3].languages.sw: the level must be 0 to 5\n"
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    done = ujuzi("--cohort", str(tmp_path / "broken.json"), home=tmp_path / "h")
    assert done.returncode != 0 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "is not JSON: line 1, column 2" in done.stderr
    done = ujuzi("--cohort", str(tmp_path / "absent.json"), home=tmp_path / "h")
    assert done.returncode != 0
    assert done.stderr == f"ujuzi: error: no cohort file at {tmp_path / 'absent.json'}\n"
