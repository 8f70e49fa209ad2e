"""The window started from a workshop stick asks to install the app and import the stick's
packs, then does both as a task with progress; declined, or in portable mode, it does
nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app import paths, stick
from app.library import Library
from app.packs.importer import import_pack
from app.stick import make_stick
from app.ui.stick_offer import offer_stick
from tests.packs import make_pack
from tests.ui.conftest import Dialogs, OpenWindow


@pytest.fixture
def workshop_stick(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> stick.Stick:
    """A stick with one pack and a bundle folder (an executable named ujuzi), the install
    folder and the menu folder in tmp_path."""
    make_pack(tmp_path / "a.ujpack", pack_id="org.test.from-stick")
    bundle = tmp_path / "built" / "ujuzi"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "ujuzi").write_bytes(b"#!/bin/sh\n")
    (bundle / "ujuzi").chmod(0o755)
    with Library(tmp_path / "trainer") as trainer:
        import_pack(trainer, tmp_path / "a.ujpack")
        made = make_stick(trainer, tmp_path / "stick", bundle=bundle)
    monkeypatch.setattr(stick, "installed_app_folder", lambda: tmp_path / "installed")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    return made


def test_the_window_offers_to_install_and_import(
    open_window: OpenWindow, qtbot: QtBot, dialogs: Dialogs, workshop_stick: stick.Stick,
    tmp_path: Path
) -> None:
    ctx, window = open_window()
    dialogs.answers.append(Dialogs.Yes)
    task = offer_stick(ctx, window, workshop_stick)
    assert task is not None and "workshop stick" in dialogs.boxes[-1].text()
    qtbot.waitUntil(lambda: task.state == "done", timeout=30_000)
    assert (tmp_path / "installed" / "ujuzi").is_file()
    entry = tmp_path / "xdg" / "applications" / "org.ujuzi.Ujuzi.desktop"
    assert str(tmp_path / "installed" / "ujuzi") in entry.read_text()
    qtbot.waitUntil(lambda: any(p["id"] == "org.test.from-stick" for p in ctx.packs),
                    timeout=15_000)
    # Everything is on the computer now: a second start offers nothing.
    asked = len(dialogs.boxes)
    assert offer_stick(ctx, window, workshop_stick) is None
    assert len(dialogs.boxes) == asked


def test_declined_or_portable_does_nothing(
    open_window: OpenWindow, dialogs: Dialogs, workshop_stick: stick.Stick, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, window = open_window()
    dialogs.answers.append(Dialogs.Cancel)
    assert offer_stick(ctx, window, workshop_stick) is None
    assert not (tmp_path / "installed").exists()
    asked = len(dialogs.boxes)
    monkeypatch.setattr("app.ui.stick_offer.portable_root", lambda: tmp_path)
    assert offer_stick(ctx, window, workshop_stick) is None
    assert len(dialogs.boxes) == asked
    assert paths.portable_root() is None
