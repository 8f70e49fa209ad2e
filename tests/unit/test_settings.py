"""Settings: typed values with defaults, and changes through several objects all kept."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.errors import UjuziError
from app.paths import Layout
from app.settings import SETTINGS, Settings


def test_defaults_and_wrong_types_fall_back(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"font_size": "big", "theme": "dark", "future": 1}))
    settings = Settings(Layout(path.parent))
    assert settings.get("font_size") == 11
    assert settings.get("theme") == "dark"
    settings.set("font_size", 14)
    stored = json.loads(path.read_text())
    assert stored == {"font_size": 14, "theme": "dark", "future": 1}  # unknown keys are kept


def test_unknown_setting_and_wrong_type_are_refused(tmp_path: Path) -> None:
    settings = Settings(Layout(tmp_path))
    with pytest.raises(UjuziError, match="Unknown setting"):
        settings.set("no_such_thing", 1)
    with pytest.raises(UjuziError, match="must be of type int"):
        settings.set("font_size", "12")
    assert not (tmp_path / "settings.json").exists()


def test_a_corrupt_file_reads_as_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    assert Settings(Layout(path.parent)).get("ui_language") == "en"


def test_changes_through_two_stale_objects_are_both_kept(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    first, second = Settings(Layout(path.parent)), Settings(Layout(path.parent))
    first.set("ui_language", "sw")
    second.set("theme", "dark")  # second was loaded before the first change
    fresh = Settings(Layout(path.parent))
    assert (fresh.get("ui_language"), fresh.get("theme")) == ("sw", "dark")
    assert second.get("ui_language") == "sw"  # a write brings the writer up to date


def test_concurrent_writers_in_threads_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    changes = [("ui_language", "ar"), ("theme", "dark"), ("profile", "amina"),
               ("max_pack_bytes", 10**9), ("content_languages", ["sw", "en"])]
    barrier = threading.Barrier(len(changes))
    errors: list[BaseException] = []

    def change(name: str, value: object) -> None:
        settings = Settings(Layout(path.parent))  # each thread its own, as each worker's
        barrier.wait()
        try:
            for _ in range(20):
                settings.set(name, value)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=change, args=item) for item in changes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    final = Settings(Layout(path.parent))
    assert {name: final.get(name) for name, _ in changes} == dict(changes)


def test_writers_in_other_processes_are_serialised(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from app.paths import Layout\n"
        "from app.settings import Settings\n"
        "s = Settings(Layout(Path(sys.argv[1]).parent))\n"
        "for i in range(30):\n"
        "    s.set(sys.argv[2], sys.argv[3] + str(i))\n"
    )
    repo = Path(__file__).resolve().parents[2]
    processes = [
        subprocess.Popen([sys.executable, "-c", script, str(path), name, prefix], cwd=repo)
        for name, prefix in (("ui_language", "l"), ("theme", "t"), ("profile", "p"))
    ]
    assert [process.wait(timeout=120) for process in processes] == [0, 0, 0]
    final = Settings(Layout(path.parent))
    assert (final.get("ui_language"), final.get("theme"), final.get("profile")) == (
        "l29", "t29", "p29"
    )


def test_every_setting_has_a_description_and_a_default_of_its_type() -> None:
    for setting in SETTINGS:
        assert setting.description
        assert isinstance(setting.default, setting.type)
