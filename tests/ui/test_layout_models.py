"""The window's models announce a layout change before making it: a sorting proxy keeps its
views' current item only then (told only after, the item points at freed rows and the next
focus on the list can crash the window, as switching the language did)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel
from pytestqt.qtbot import QtBot

from app.ui.models import NotesModel, OutlineModel, PackListModel, SearchResultsModel


def _order(model: QAbstractItemModel, change: Any) -> list[str]:
    seen: list[str] = []
    model.layoutAboutToBeChanged.connect(lambda *_a: seen.append("about"))
    model.layoutChanged.connect(lambda *_a: seen.append("changed"))
    change()
    return seen


def test_layout_changes_are_announced(qtbot: QtBot) -> None:
    packs = PackListModel(["en"])
    packs.set_packs([{"id": "a", "title": {"en": "A", "sw": "Aa"}, "display_title": "A"}])
    assert _order(packs, lambda: packs.set_languages(["sw"])) == ["about", "changed"]
    assert packs.packs[0]["display_title"] == "Aa"
    for model in (packs, OutlineModel(), SearchResultsModel(), NotesModel()):
        assert _order(model, model.retranslate) == ["about", "changed"], type(model)
