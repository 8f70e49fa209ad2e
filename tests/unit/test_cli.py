"""The ``ujuzi`` command line, driven as a user or a script would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from tests.packs import make_pack

VIDEO = b"\x1a\x45\xdf\xa3" + bytes(200_000)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def pack_file(tmp_path: Path) -> Path:
    make_pack(tmp_path / "sample.ujpack", media={"clip": VIDEO})
    return tmp_path / "sample.ujpack"


def test_import_list_show_remove(capsys: pytest.CaptureFixture[str], home: Path,
                                 pack_file: Path) -> None:
    code, out, _ = run(capsys, "import", str(pack_file))
    assert code == 0 and "Imported org.test.sample 1.0.0" in out
    code, out, _ = run(capsys, "list")
    assert code == 0 and "org.test.sample" in out and "Sample pack" in out
    code, out, _ = run(capsys, "list", "--json")
    [pack] = json.loads(out)
    assert (pack["id"], pack["resource_count"]) == ("org.test.sample", 2)
    code, out, _ = run(capsys, "show", "org.test.sample")
    assert "## Main" in out and "org.test.sample/clip" in out and "[ ]" in out
    code, out, _ = run(capsys, "show", "org.test.sample/clip", "--json")
    resource = json.loads(out)
    assert resource["type"] == "resource" and resource["files"][0]["size"] == len(VIDEO)
    code, out, _ = run(capsys, "remove", "org.test.sample", "--json")
    assert code == 0 and json.loads(out)["bytes_freed"] > len(VIDEO)
    code, out, _ = run(capsys, "list", "--json")
    assert json.loads(out) == []


def test_home_flag_selects_the_data_directory(capsys: pytest.CaptureFixture[str], home: Path,
                                              tmp_path: Path, pack_file: Path) -> None:
    other = tmp_path / "elsewhere"
    assert run(capsys, "--home", str(other), "import", str(pack_file))[0] == 0
    assert (other / "library.sqlite3").exists()
    assert json.loads(run(capsys, "list", "--json")[1]) == []  # UJUZI_HOME is untouched
    assert len(json.loads(run(capsys, "--home", str(other), "list", "--json")[1])) == 1


def test_notes_and_progress_per_profile(capsys: pytest.CaptureFixture[str], home: Path,
                                        pack_file: Path) -> None:
    run(capsys, "import", str(pack_file))
    rid = "org.test.sample/clip"
    code, out, _ = run(capsys, "note", "add", rid, "Great example of a citation", "--at", "75")
    assert code == 0
    code, out, _ = run(capsys, "progress", rid, "--position", "80", "--json")
    assert json.loads(out)["position"] == 80
    code, out, _ = run(capsys, "progress", rid, "--complete", "--json")
    assert json.loads(out)["completed"] is True and json.loads(out)["position"] == 80

    assert run(capsys, "profile", "add", "amina")[0] == 0
    code, out, _ = run(capsys, "--profile", "amina", "note", "list", "--json")
    assert json.loads(out) == []
    code, out, _ = run(capsys, "--profile", "amina", "progress", rid, "--json")
    assert json.loads(out)["completed"] is False
    run(capsys, "--profile", "amina", "note", "add", rid, "Amina's own note")

    code, out, _ = run(capsys, "note", "list", "--json")
    [note] = json.loads(out)
    assert (note["body"], note["at_seconds"], note["resource_id"]) == (
        "Great example of a citation", 75, rid)
    code, out, _ = run(capsys, "note", "list")
    assert "@1:15" in out and "Great example" in out
    code, out, _ = run(capsys, "show", "org.test.sample")
    assert "[x] org.test.sample/clip" in out
    assert json.loads(run(capsys, "profile", "list", "--json")[1])[0]["name"] == "amina"


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["show", "nope"], 2, "No pack or resource with id nope"),
        (["remove", "nope"], 2, "No pack with id nope"),
        (["progress", "org.x/y"], 2, "No resource with id org.x/y"),
        (["note", "add", "org.x/y", "text"], 2, "No resource"),
        (["--profile", "ghost", "list"], 2, "no profile named ghost"),
        (["export", "nope", "out.ujpack"], 2, "No pack with id nope"),
        (["import", "missing.ujpack"], 3, "No such file"),
    ],
)
def test_errors_go_to_stderr_with_nonzero_exit(
    capsys: pytest.CaptureFixture[str], home: Path, argv: list[str], code: int, message: str
) -> None:
    got, out, err = run(capsys, *argv)
    assert got == code
    assert message in err and out == ""
    assert err.count("\n") == 1


def test_bad_pack_among_good_ones(capsys: pytest.CaptureFixture[str], home: Path,
                                  pack_file: Path, tmp_path: Path) -> None:
    (tmp_path / "junk.ujpack").write_bytes(b"junk")
    code, out, err = run(capsys, "import", str(tmp_path / "junk.ujpack"), str(pack_file))
    assert code == 3
    assert "junk.ujpack: junk.ujpack is not a Ujuzi pack" in err
    assert "Imported org.test.sample" in out


def test_export_round_trip(capsys: pytest.CaptureFixture[str], home: Path, pack_file: Path,
                           tmp_path: Path) -> None:
    run(capsys, "import", str(pack_file))
    code, out, _ = run(capsys, "export", "org.test.sample", str(tmp_path / "out.ujpack"), "--json")
    assert code == 0 and json.loads(out)["path"].endswith("out.ujpack")
    assert (tmp_path / "out.ujpack").read_bytes() == pack_file.read_bytes()
    code, out, _ = run(capsys, "export", "org.test.sample", str(tmp_path))
    assert code == 0 and (tmp_path / "org.test.sample-1.0.0.ujpack").exists()


def test_installed_script_runs(home: Path, pack_file: Path) -> None:
    """The console script, as a user's shell runs it."""
    script = Path(sys.executable).parent / "ujuzi"
    done = subprocess.run([str(script), "import", str(pack_file), "--json"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["status"] == "imported"
    done = subprocess.run([str(script), "show", "nope"], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 2 and "No pack or resource" in done.stderr


def test_a_bug_prints_one_line_and_keeps_the_traceback_in_the_log(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from app import cli

    def broken(_args: object, _library: object) -> int:
        raise RuntimeError("a bug in list")

    monkeypatch.setitem(cli.HANDLERS, "list", broken)
    monkeypatch.delenv("UJUZI_DEBUG", raising=False)
    assert cli.main(["list"]) == cli.INTERNAL_ERROR_EXIT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ujuzi: internal error: RuntimeError: a bug in list" in err
    log = home / "logs" / "ujuzi.log"
    assert str(log) in err
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError: a bug in list" in text
    monkeypatch.setenv("UJUZI_DEBUG", "1")
    with pytest.raises(RuntimeError):
        cli.main(["list"])
