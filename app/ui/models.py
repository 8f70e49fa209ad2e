"""Qt models over the core's queries. Views and delegates read rows through these; the
rows come from the core (``app.learning``, ``app.library``, the search engine) on the task
runner and are handed to a model whole, so a model never touches the disk.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QImage

from app import formatting
from app.i18n import _, ngettext
from app.learning import STATUS_DONE, STATUS_NEW, STATUS_STARTED, OutlineItem, PackOutline
from app.packs.manifest import localized
from app.ui.widgets import tip

ModelIndex = QModelIndex | QPersistentModelIndex
ROW = Qt.ItemDataRole.UserRole + 1
ID = Qt.ItemDataRole.UserRole + 2
COVER = Qt.ItemDataRole.UserRole + 3


def kind_label(kind: str) -> str:
    return {
        "article": _("Article"), "video": _("Video"), "audio": _("Audio"), "pdf": _("PDF"),
        "image": _("Image"), "quiz": _("Quiz"), "link": _("Link"),
        "interactive": _("Interactive"),
    }.get(kind, kind)


def status_label(status: str) -> str:
    return {STATUS_NEW: _("New"), STATUS_STARTED: _("In progress"), STATUS_DONE: _("Done")}.get(
        status, status)


def progress_text(done: int, total: int) -> str:
    return ngettext("{done} of {total} done", "{done} of {total} done", total).format(
        done=formatting.number(done), total=formatting.number(total))


class SortKey(IntEnum):
    TITLE = 0
    RECENT = 1
    ADDED = 2
    PROGRESS = 3
    SIZE = 4


def sort_label(key: SortKey) -> str:
    return {
        SortKey.TITLE: _("Title"), SortKey.RECENT: _("Recently opened"),
        SortKey.ADDED: _("Recently added"), SortKey.PROGRESS: _("Progress"),
        SortKey.SIZE: _("Size"),
    }[key]


class PackListModel(QAbstractListModel):
    """The packs of the library (rows from :func:`app.learning.pack_summaries`)."""

    def __init__(self, languages: list[str]) -> None:
        super().__init__()
        self.packs: list[dict[str, Any]] = []
        self.covers: dict[str, QImage] = {}
        self.languages = languages

    def set_packs(self, packs: list[dict[str, Any]], covers: dict[str, QImage] | None = None
                  ) -> None:
        self.beginResetModel()
        self.packs = packs
        if covers is not None:
            self.covers = covers
        self.endResetModel()

    def set_languages(self, languages: list[str]) -> None:
        # A proxy keeps its views' current items through a layout change only when it is
        # told before (layoutAboutToBeChanged): told only after, they point at freed rows.
        self.layoutAboutToBeChanged.emit()
        self.languages = languages
        for pack in self.packs:
            pack["display_title"] = localized(pack["title"], languages)
        self.layoutChanged.emit()

    def retranslate(self) -> None:
        self.layoutAboutToBeChanged.emit()
        self.layoutChanged.emit()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.packs)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        pack = self.packs[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return pack["display_title"]
        if role == Qt.ItemDataRole.ToolTipRole:
            return tip(localized(pack["description"], self.languages)
                       or pack["display_title"])
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return _("{title}. {progress}. {size}.").format(
                title=pack["display_title"],
                progress=progress_text(pack["done"], pack["total"]),
                size=formatting.size(pack["total_bytes"]),
            )
        if role == ROW:
            return pack
        if role == ID:
            return pack["id"]
        if role == COVER:
            return self.covers.get(pack["id"])
        return None


class PackFilterProxy(QSortFilterProxyModel):
    """Filters (language, skill, kind, status) and sort orders of the library page."""

    def __init__(self) -> None:
        super().__init__()
        self.filters: dict[str, str | None] = {
            "language": None, "skill": None, "kind": None, "status": None}
        self.sort_key = SortKey.TITLE
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_filter(self, name: str, value: str | None) -> None:
        self.beginFilterChange()
        self.filters[name] = value or None
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def clear_filters(self) -> None:
        self.beginFilterChange()
        for name in self.filters:
            self.filters[name] = None
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_sort_key(self, key: SortKey) -> None:
        self.sort_key = key
        self.invalidate()
        self.sort(0)

    def filterAcceptsRow(self, row: int, parent: ModelIndex) -> bool:
        pack = self.sourceModel().index(row, 0, parent).data(ROW)
        if pack is None:
            return False
        f = self.filters
        if f["language"] and f["language"] not in pack["languages"]:
            return False
        if f["skill"] and f["skill"] not in pack["skills"]:
            return False
        if f["kind"] and f["kind"] not in pack["kinds"]:
            return False
        return not (f["status"] and pack["status"] != f["status"])

    def lessThan(self, left: ModelIndex, right: ModelIndex) -> bool:
        a, b = left.data(ROW), right.data(ROW)
        key = self.sort_key
        if key == SortKey.RECENT:
            # Most recently opened first; never-opened packs last, by title.
            return (a["last_opened"] or "", b["display_title"].casefold()) > (
                b["last_opened"] or "", a["display_title"].casefold())
        if key == SortKey.ADDED:
            return bool(a["imported_at"] > b["imported_at"])
        if key == SortKey.PROGRESS:
            pa = a["done"] / a["total"] if a["total"] else 0
            pb = b["done"] / b["total"] if b["total"] else 0
            return pa > pb
        if key == SortKey.SIZE:
            return bool(a["total_bytes"] > b["total_bytes"])
        return bool(a["display_title"].casefold() < b["display_title"].casefold())


class OutlineModel(QAbstractItemModel):
    """A pack's sections (top level) and resources (children), from a
    :class:`~app.learning.PackOutline`."""

    def __init__(self) -> None:
        super().__init__()
        self.outline: PackOutline | None = None
        self.languages: list[str] = ["en"]

    def set_outline(self, outline: PackOutline | None, languages: list[str]) -> None:
        self.beginResetModel()
        self.outline = outline
        self.languages = languages
        self.endResetModel()

    def retranslate(self) -> None:
        self.layoutAboutToBeChanged.emit()
        self.layoutChanged.emit()

    # Internal ids: 0 for a section, (section number + 1) for a resource of that section.

    def index(self, row: int, column: int, parent: ModelIndex = QModelIndex()  # noqa: B008
              ) -> QModelIndex:
        if self.outline is None or column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            if row < len(self.outline.sections):
                return self.createIndex(row, 0, 0)
            return QModelIndex()
        if self._is_section(parent):
            section = parent.row()
            if row < len(self.outline.sections[section].items):
                return self.createIndex(row, 0, section + 1)
        return QModelIndex()

    def parent(self, index: ModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or self._is_section(index):
            return QModelIndex()
        return self.createIndex(int(index.internalId()) - 1, 0, 0)

    @staticmethod
    def _is_section(index: ModelIndex) -> bool:
        return int(index.internalId()) == 0

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        if self.outline is None:
            return 0
        if not parent.isValid():
            return len(self.outline.sections)
        if self._is_section(parent):
            return len(self.outline.sections[parent.row()].items)
        return 0

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def item(self, index: ModelIndex) -> OutlineItem | None:
        if self.outline is None or not index.isValid() or self._is_section(index):
            return None
        return self.outline.sections[int(index.internalId()) - 1].items[index.row()]

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.outline is None or not index.isValid():
            return None
        if self._is_section(index):
            section = self.outline.sections[index.row()]
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                title = localized(section.title, self.languages) or _("Other resources")
                done = sum(1 for item in section.items if item.completed)
                if role == Qt.ItemDataRole.AccessibleTextRole:
                    return f"{title}. {progress_text(done, len(section.items))}"
                return title
            if role == ROW:
                return section
            return None
        item = self.item(index)
        assert item is not None
        if role == Qt.ItemDataRole.DisplayRole:
            return localized(item.title, self.languages)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            parts = [localized(item.title, self.languages), kind_label(item.kind)]
            if item.duration:
                parts.append(formatting.duration(item.duration))
            parts.append(_("Done") if item.completed else _("Not done"))
            return ". ".join(parts)
        if role == ROW:
            return item
        if role == ID:
            return item.id
        return None

    def index_of(self, resource_id: str) -> QModelIndex:
        if self.outline is None:
            return QModelIndex()
        for s, section in enumerate(self.outline.sections):
            for r, item in enumerate(section.items):
                if item.id == resource_id or resource_id in item.variants.values():
                    return self.index(r, 0, self.index(s, 0))
        return QModelIndex()


class SearchResultsModel(QAbstractListModel):
    """Hits of one query: dicts with ``resource_id``, ``kind``, ``title``, ``pack_title``,
    ``snippet`` (HTML with ``<b>`` around matches) and ``timestamp`` (seconds or None)."""

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[dict[str, Any]] = []

    def set_hits(self, hits: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.hits = hits
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.hits)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        hit = self.hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return hit["title"]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            parts = [hit["title"], kind_label(hit["kind"]), hit.get("pack_title") or ""]
            if hit.get("field") == "note":
                parts.insert(0, _("Your note"))
            if hit.get("timestamp") is not None:
                parts.append(_("at {time}").format(time=formatting.clock(hit["timestamp"])))
            parts.append(hit.get("snippet_text") or "")
            return ". ".join(p for p in parts if p)
        if role == ROW:
            return hit
        if role == ID:
            return hit["resource_id"]
        return None

    def retranslate(self) -> None:
        self.layoutAboutToBeChanged.emit()
        self.layoutChanged.emit()


class NotesModel(QAbstractListModel):
    """A learner's notes (rows of :meth:`app.library.Library.notes`), newest first."""

    def __init__(self) -> None:
        super().__init__()
        self.notes: list[dict[str, Any]] = []
        self.languages: list[str] = ["en"]

    def set_notes(self, notes: list[dict[str, Any]], languages: list[str]) -> None:
        self.beginResetModel()
        self.notes = sorted(notes, key=lambda n: n["created_at"], reverse=True)
        self.languages = languages
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.notes)

    def title(self, note: dict[str, Any]) -> str:
        return localized(note.get("resource_title") or {}, self.languages) or note["resource_id"]

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        note = self.notes[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return note["body"]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            stamp = ""
            if note["at_seconds"] is not None:
                stamp = _("at {time}").format(time=formatting.clock(note["at_seconds"])) + ". "
            if note.get("conflict"):
                stamp += _("Edited on two devices") + ". "
            return f"{self.title(note)}. {stamp}{note['body']}"
        if role == Qt.ItemDataRole.UserRole:  # what the filter matches
            return f"{note['body']}\n{self.title(note)}"
        if role == ROW:
            return note
        if role == ID:
            return note["id"]
        return None

    def retranslate(self) -> None:
        self.layoutAboutToBeChanged.emit()
        self.layoutChanged.emit()
