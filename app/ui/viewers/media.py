"""Video and audio: the player widget (:mod:`app.player.qt_widget`) inside a viewer.

The player prepares the resource itself (media file, subtitles in the learner's languages,
where to resume) and reports the learner's position and completion (90% watched, or the end)
as this viewer's signals; the resource page saves them and shows notes and transcript. When
no media backend is installed the viewer says so instead of playing.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout

from app.errors import UjuziError
from app.ui.context import AppContext
from app.ui.viewers.base import Viewer


class MediaViewer(Viewer):
    #: The transcript follows the subtitles shown: (start, text) lines.
    transcript_changed = Signal(object)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.player: Any = None
        self.placeholder = QLabel()
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setTextFormat(Qt.TextFormat.PlainText)
        self.placeholder.setProperty("role", "muted")
        self.placeholder.hide()
        self.layout_.addWidget(self.placeholder)
        self._time = 0.0
        self._unavailable = ""
        self._subtitle_language: str | None = None

    def retranslate(self) -> None:
        if self.player is not None:
            self.player.retranslate()

    def _make_player(self) -> bool:
        from app.player.qt_widget import PlayerWidget

        try:
            player = PlayerWidget(self.ctx.home, self.ctx.profile, tasks=self.ctx.runner,
                                  side_panel=False, record=False)
        except UjuziError as error:  # no media backend on this computer
            self._unavailable = str(error)
            self.placeholder.setText(self._unavailable)
            self.placeholder.show()
            return False
        player.presented.connect(self.loaded.emit)
        player.position_changed.connect(self.position_changed.emit)
        player.completed.connect(self.completed.emit)
        player.transcript_changed.connect(self.transcript_changed.emit)
        self.layout_.addWidget(player)
        self.player = player
        return True

    def load(self, resource: dict[str, Any], position: float, at: float | None = None) -> None:
        self.resource = resource
        self._time = at if at is not None else position
        if self.player is None and not self._make_player():
            self.loaded.emit()
            return
        # subtitles in the order of everything shown (the interface language first), after
        # a search hit's language or the learner's last choice
        self.player.open_resource(resource["id"], at, self._subtitle_language,
                                  self.ctx.languages)

    def show_found(self, found: dict[str, Any]) -> None:
        # Words found in subtitles open the video with those subtitles.
        if found.get("field") == "subtitles" and found.get("lang"):
            self._subtitle_language = str(found["lang"])

    def position(self) -> float:
        return float(self.player.position()) if self.player is not None else self._time

    def media_time(self) -> float | None:
        return self.position()

    def seek(self, seconds: float) -> None:
        self._time = seconds
        if self.player is not None:
            self.player.seek(seconds)

    def stop(self) -> None:
        if self.player is not None:
            self.player.stop_media()

    def deleteLater(self) -> None:
        # The page drops a viewer with deleteLater: free the media backend first, while
        # the video's native window still exists.
        if self.player is not None:
            self.player.shutdown()
        super().deleteLater()
