"""Search: results as you type (from the top bar's field), with snippets, facets and
keyboard navigation; Enter opens a hit at the right place (a subtitle hit at its time).

Queries run on the task runner through the core's search engine (:mod:`app.search`),
debounced by 150 ms; a result that arrives after a newer query was sent is dropped.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QListView,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app import formatting
from app.i18n import _, ngettext
from app.library import Library
from app.tasks import Reporter
from app.ui import icons
from app.ui.context import AppContext
from app.ui.delegates import SearchHitDelegate
from app.ui.models import ROW, SearchResultsModel, kind_label
from app.ui.pages.base import Crumb, Page
from app.ui.widgets import EmptyState, button, label


class FacetDelegate(QStyledItemDelegate):
    """A facet value and its count, "Name (12)": a name too long for the width is elided,
    the count always shows (the item's text is the name, its count in ``COUNT_ROLE``)."""

    def shown_text(self, view: QListWidget, item: QListWidgetItem) -> str:
        width = view.viewport().width() - view.iconSize().width() - 12
        return self._fit(QFontMetrics(item.font()), item, width)

    @staticmethod
    def _fit(metrics: QFontMetrics, item: Any, width: int) -> str:
        name = str(item.data(Qt.ItemDataRole.DisplayRole) or "")
        count = item.data(COUNT_ROLE)
        if count is None:
            return name
        tail = f" ({formatting.number(int(count))})"
        room = max(0, width - metrics.horizontalAdvance(tail))
        return metrics.elidedText(name, Qt.TextElideMode.ElideRight, room) + tail

    def initStyleOption(self, option: QStyleOptionViewItem, index: Any) -> None:
        super().initStyleOption(option, index)
        icon = option.decorationSize.width() if option.icon and not option.icon.isNull() else 0
        width = option.rect.width() - icon - 12
        option.text = self._fit(QFontMetrics(option.font), index, width)


COUNT_ROLE = Qt.ItemDataRole.UserRole + 1
DEBOUNCE_MS = 150
LIMIT = 50
FACETS = ("lang", "kind", "pack")


def highlighted(text: str, spans: Any) -> str:
    """``text`` as HTML with the ``spans`` (start, end offsets) in bold."""
    out, last = [], 0
    for start, end in sorted(spans or ()):
        if start < last:
            continue
        out.append(html.escape(text[last:start]))
        out.append(f"<b>{html.escape(text[start:end])}</b>")
        last = end
    out.append(html.escape(text[last:]))
    return "".join(out)


def run_search(library: Library, query: str, filters: dict[str, str | None],
               languages: list[str], profile: str | None) -> dict[str, Any]:
    """The search engine's results as plain dicts for the model (runs on a worker)."""
    from app.search.query import search

    results = search(library, query, lang=filters.get("lang"), kind=filters.get("kind"),
                     pack=filters.get("pack"), limit=LIMIT, languages=languages,
                     profile=profile)
    hits = []
    for hit in results.hits:
        hits.append({
            "resource_id": hit.resource_id, "pack_id": hit.pack_id, "kind": hit.kind,
            "lang": hit.lang, "title": hit.title,
            "snippet": highlighted(hit.snippet, hit.highlights),
            "snippet_text": hit.snippet, "timestamp": hit.timestamp, "page": hit.page,
            "field": hit.field, "note_id": hit.note_id, "entry": hit.entry,
            "text_lang": hit.text_lang,
            "matches": [hit.snippet[start:end] for start, end in hit.highlights],
        })
    return {"query": query, "hits": hits, "total": results.total,
            "suggestion": results.suggestion, "facets": results.facets}


class SearchPage(Page):
    name = "search"

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.query = ""
        self.filters: dict[str, str | None] = {name: None for name in FACETS}
        self._seq = 0
        self.results: dict[str, Any] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._run)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 0)
        layout.setSpacing(24)
        side = QWidget()
        side.setFixedWidth(220)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.setSpacing(6)
        self.facet_titles: dict[str, Any] = {}
        self.facet_lists: dict[str, QListWidget] = {}
        for name in FACETS:
            title = label("", "h3")
            facet = QListWidget()
            facet.setProperty("role", "facets")
            facet.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            facet.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            facet.setTextElideMode(Qt.TextElideMode.ElideRight)
            facet.setItemDelegate(FacetDelegate(facet))
            facet.setIconSize(QSize(16, 16))
            facet.itemActivated.connect(lambda item, n=name: self._facet(n, item))
            facet.itemClicked.connect(lambda item, n=name: self._facet(n, item))
            self.facet_titles[name] = title
            self.facet_lists[name] = facet
            side_layout.addWidget(title)
            side_layout.addWidget(facet)
        self.clear_button = button("", "quiet", None, self._clear_filters)
        side_layout.addWidget(self.clear_button)
        side_layout.addStretch()
        layout.addWidget(side)

        main = QVBoxLayout()
        main.setSpacing(8)
        self.heading = label("", "h2")
        self.suggestion = label("", None)
        self.suggestion.setTextFormat(Qt.TextFormat.RichText)
        self.suggestion.linkActivated.connect(self._suggested)
        main.addWidget(self.heading)
        main.addWidget(self.suggestion)
        self.model = SearchResultsModel()
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(SearchHitDelegate(self.view))
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setMouseTracking(True)
        self.view.activated.connect(self._open)
        self.view.clicked.connect(self._open)
        self.view.setSpacing(2)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.empty = EmptyState("search")
        self.empty.action.clicked.connect(self._clear_filters)
        self.stack.addWidget(self.empty)
        main.addWidget(self.stack, 1)
        layout.addLayout(main, 1)
        ctx.library_changed.connect(lambda: self._timer.start() if self.query else None)
        ctx.notes_changed.connect(lambda _id: self._timer.start() if self.query else None)
        self.retranslate()

    def crumbs(self) -> list[Crumb]:
        return [(_("Search"), None, {})]

    def activate(self, **args: Any) -> None:
        if "query" in args:
            self.set_query(args["query"], immediate=True)
        else:
            self.loaded.emit()

    def set_query(self, text: str, immediate: bool = False) -> None:
        self.query = text
        if immediate:
            self._timer.stop()
            self._run()
        else:
            self._timer.start()

    def _run(self) -> None:
        self._seq += 1
        seq, query = self._seq, self.query.strip()
        if not query:
            self.results = None
            self.model.set_hits([])
            self._render()
            self.loaded.emit()
            return
        filters, languages, profile = dict(self.filters), self.ctx.languages, self.ctx.profile

        def work(library: Library, _r: Reporter) -> Any:
            return run_search(library, query, filters, languages, profile)

        self.fetch(work, lambda result: self._arrived(seq, result))

    def _arrived(self, seq: int, result: dict[str, Any]) -> None:
        if seq != self._seq:
            return  # a newer query is on its way
        titles = {p["id"]: p["display_title"] for p in self.ctx.packs or []}
        for hit in result["hits"]:
            hit["pack_title"] = titles.get(hit["pack_id"], hit["pack_id"])
        self.results = result
        self.model.set_hits(result["hits"])
        if result["hits"]:
            self.view.setCurrentIndex(self.model.index(0, 0))
        self._render()
        self.loaded.emit()

    def _render(self) -> None:
        result = self.results
        if not self.query.strip():
            self.heading.setText(_("Search your library"))
            self.suggestion.setText("")
            self.empty.set_texts(_("Search everything you have"),
                                 _("Titles, articles, quizzes, subtitles, PDFs and your notes: "
                                   "type a few words in the search field above."))
            self.stack.setCurrentWidget(self.empty)
            self._fill_facets({})
            return
        if result is None:
            return
        # What is shown: the resources matched (more than the rows shown when there are
        # many) and the hits in the learner's own notes, each a row of its own.
        notes = sum(1 for hit in result["hits"] if hit["field"] == "note")
        total = max(len(result["hits"]), result["total"] + notes)
        self.heading.setText(ngettext("{n} result for “{query}”", "{n} results for “{query}”",
                                      total).format(n=formatting.number(total),
                                                    query=result["query"]))
        if result.get("suggestion"):
            self.suggestion.setText(_("Did you mean {suggestion}?").format(
                suggestion=f'<a href="s">{html.escape(result["suggestion"])}</a>'))
        else:
            self.suggestion.setText("")
        self.suggestion.setVisible(bool(result.get("suggestion")))
        if result["hits"]:
            self.stack.setCurrentWidget(self.view)
        else:
            filtered = any(self.filters.values())
            self.empty.set_texts(
                _("Nothing found for “{query}”").format(query=result["query"]),
                _("Check the spelling, try fewer or other words, or search in another "
                  "language.") + (" " + _("Filters are on: clear them to search everything.")
                                  if filtered else ""),
                _("Clear filters") if filtered else None)
            self.stack.setCurrentWidget(self.empty)
        self._fill_facets(result.get("facets") or {})

    def _fill_facets(self, facets: dict[str, dict[str, int]]) -> None:
        titles = {p["id"]: p["display_title"] for p in self.ctx.packs or []}
        for name, widget in self.facet_lists.items():
            widget.clear()
            values = facets.get(name) or {}
            chosen = self.filters[name]
            if chosen and chosen not in values:
                values = {**values, chosen: 0}
            for value, count in sorted(values.items(), key=lambda kv: (-kv[1], kv[0])):
                if name == "lang":
                    text = formatting.language_name(value)
                elif name == "kind":
                    text = kind_label(value)
                else:
                    text = titles.get(value, value)
                item = QListWidgetItem(text)
                item.setData(COUNT_ROLE, count)
                item.setData(Qt.ItemDataRole.AccessibleTextRole,
                             f"{text} ({formatting.number(count)})")
                item.setData(Qt.ItemDataRole.UserRole, value)
                selected = value == chosen
                item.setIcon(icons.icon("check") if selected else icons.blank())
                item.setToolTip(f"{text} ({formatting.number(count)})")
                item.setData(Qt.ItemDataRole.AccessibleDescriptionRole,
                             _("selected") if selected else "")
                if selected:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                widget.addItem(item)
            rows = widget.count()
            widget.setFixedHeight(max(0, rows) * (widget.sizeHintForRow(0) + 2) + 4
                                  if rows else 0)
            self.facet_titles[name].setVisible(bool(rows))
            widget.setVisible(bool(rows))
        self.clear_button.setVisible(any(self.filters.values()))

    def _facet(self, name: str, item: QListWidgetItem) -> None:
        value = item.data(Qt.ItemDataRole.UserRole)
        self.filters[name] = None if self.filters[name] == value else value
        self.set_query(self.query, immediate=True)

    def _clear_filters(self) -> None:
        self.filters = {name: None for name in FACETS}
        self.set_query(self.query, immediate=True)

    def _suggested(self, _link: str) -> None:
        if self.results and self.results.get("suggestion"):
            self.ctx.navigate("search", query=self.results["suggestion"], set_field=True)

    def retranslate(self) -> None:
        names = {"lang": _("Language"), "kind": _("Kind"), "pack": _("Pack")}
        for name, title in self.facet_titles.items():
            title.setText(names[name])
            self.facet_lists[name].setAccessibleName(_("Filter results by {what}").format(
                what=names[name]))
        self.clear_button.setText(_("Clear filters"))
        self.view.setAccessibleName(_("Search results"))
        self.model.retranslate()
        self._render()

    # -- keyboard -------------------------------------------------------------------------

    def focus_results(self) -> None:
        if self.model.rowCount():
            if not self.view.currentIndex().isValid():
                self.view.setCurrentIndex(self.model.index(0, 0))
            self.view.setFocus()

    def focus_first(self) -> None:
        self.focus_results()

    def open_current(self) -> bool:
        index = self.view.currentIndex()
        if not index.isValid() and self.model.rowCount():
            index = self.model.index(0, 0)
        if index.isValid():
            self._open(index)
            return True
        return False

    def _open(self, index: QModelIndex) -> None:
        hit = index.data(ROW)
        if not hit:
            return
        at = hit.get("timestamp")
        if at is None and hit.get("page") is not None:
            at = float(hit["page"]) - 1  # pages count from 1; a PDF's position from 0
        # What was found, for the viewer to show: the words in an article, the subtitles'
        # language in a video.
        found = {"field": hit.get("field"), "words": hit.get("matches") or [],
                 "text": hit.get("snippet_text") or "", "lang": hit.get("text_lang")}
        if hit.get("entry"):  # a ZIM's article: its resource opens at that entry
            self.ctx.navigate("resource", resource_id=hit["resource_id"], at=at,
                              entry=hit["entry"], found=found)
        else:
            self.ctx.navigate("resource", resource_id=hit["resource_id"], at=at, found=found)
