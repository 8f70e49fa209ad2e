"""The player widget: video, controls, subtitles menu, transcript and timestamped notes.

It opens a resource by id, prepares it off the GUI thread (:func:`prepare_playback`), plays
it with the chosen backend (:func:`app.player.choose_backend`) and records progress through a
:class:`ProgressWriter`. libvlc draws into a native child window (``WA_NativeWindow``); the
Qt Multimedia fallback hands frames to :class:`FrameSurface`, which paints them with the
subtitle text. Backend events may come from libvlc's thread; they reach the widget as queued
signals of :class:`_Bridge`.

Keyboard (when the focus is in the player, not in a text field): Space or K play/pause,
J and L back/forward 10 s, Left and Right 5 s (mirrored right-to-left, like the seek bar),
Up and Down volume, M mute, C subtitles on/off, F full screen, Escape leaves full screen.
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.library import Library
from app.player import ENV_VAR, available_backends, backend_label, choose_backend
from app.player.base import RATES, Player, PlayerEvents, State
from app.player.session import (
    PlaybackPlan,
    ProgressUpdate,
    ProgressWriter,
    WatchTracker,
    prepare_playback,
)
from app.player.subtitles import Cue, CueList, format_time
from app.tasks import Reporter

log = logging.getLogger(__name__)

SKIP_SECONDS = 10.0
ARROW_SECONDS = 5.0
VOLUME_STEP = 5
PRESENT_TIMEOUT_MS = 15_000
#: Platforms where libvlc can draw into a Qt widget's native window.
NATIVE_PLATFORMS = ("xcb", "windows", "cocoa")


class _Bridge(QObject):
    """Carries backend reports to the GUI thread."""

    state = Signal(str)
    position = Signal(float, float)
    tracks = Signal()
    shown = Signal()
    error = Signal(str)


class _Events(PlayerEvents):
    def __init__(self, bridge: _Bridge) -> None:
        self.bridge = bridge

    def state_changed(self, state: State) -> None:
        self.bridge.state.emit(state.value)

    def position_changed(self, position: float, duration: float) -> None:
        self.bridge.position.emit(position, duration)

    def tracks_changed(self) -> None:
        self.bridge.tracks.emit()

    def video_shown(self) -> None:
        self.bridge.shown.emit()

    def error(self, message: str) -> None:
        self.bridge.error.emit(message)


class NativeSurface(QWidget):
    """A black native window that libvlc draws into."""

    double_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_NativeWindow)
        self.setAttribute(Qt.WidgetAttribute.WA_DontCreateNativeAncestors)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("black"))
        self.setPalette(palette)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 180)

    #: The native window was recreated (after reparenting): the new id.
    window_changed = Signal(int)

    def window_id(self) -> int:
        return int(self.winId())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.WinIdChange and self.internalWinId():
            self.window_changed.emit(int(self.winId()))
        return super().event(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.double_clicked.emit()


class FrameSurface(QWidget):
    """Paints the Qt backend's frames, letterboxed, with the subtitle text over them."""

    double_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 180)
        self.image = QImage()
        self.subtitle = ""

    def set_frame(self, frame: Any) -> None:
        if frame.isValid():
            self.image = frame.toImage()
            self.update()

    def set_subtitle(self, text: str) -> None:
        if text != self.subtitle:
            self.subtitle = text
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("black"))
        video = QRectF(self.rect())
        if not self.image.isNull():
            size = QSize(self.image.size()).scaled(
                self.size(), Qt.AspectRatioMode.KeepAspectRatio
            )
            video = QRectF(
                (self.width() - size.width()) / 2,
                (self.height() - size.height()) / 2,
                size.width(),
                size.height(),
            )
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(video, self.image)
        if self.subtitle:
            self._paint_subtitle(painter, video)
        painter.end()

    def _paint_subtitle(self, painter: QPainter, video: QRectF) -> None:
        font = QFont(self.font())
        font.setPixelSize(max(14, int(video.height() / 16)))
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        margin = video.height() / 20
        area = video.adjusted(margin, margin, -margin, -margin)
        flags = int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom) | int(
            Qt.TextFlag.TextWordWrap
        )
        box = painter.boundingRect(area, flags, self.subtitle)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = QPainterPath()
        path.addRoundedRect(box.adjusted(-8, -4, 8, 4), 4, 4)
        painter.fillPath(path, QColor(0, 0, 0, 160))
        painter.setPen(QPen(QColor("white")))
        painter.drawText(area, flags, self.subtitle)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.double_clicked.emit()


def _release_quietly(player: Player) -> None:
    try:
        player.release()
    except Exception:  # the widget's Qt objects may already be gone
        log.debug("releasing a player after its widget went", exc_info=True)


def _prepare(
    home: str | None, profile: str | None, resource_id: str, workdir: Path, at: float | None
) -> Any:
    def work(reporter: Reporter) -> PlaybackPlan:
        with Library(home) as library:
            plan = prepare_playback(library, resource_id, workdir, profile)
        if at is not None:
            plan.source = replace(plan.source, start_at=max(0.0, at))
        return plan

    return work


def _add_note(home: str | None, profile: str | None, resource_id: str, body: str,
              at: float) -> Any:
    def work(reporter: Reporter) -> dict[str, Any]:
        with Library(home) as library:
            return library.add_note(resource_id, body, profile, at_seconds=at)

    return work


class PlayerWidget(QWidget):
    """Plays one resource at a time.

    ``tasks`` is the window's task runner (one is made when None); ``backend`` forces "vlc"
    or "qt"; ``headless`` plays without drawing or sound (tests, and platforms where libvlc
    cannot draw into a window). With ``side_panel`` the widget shows its own transcript and
    notes; with ``record`` it writes progress itself. A page that has its own notes and
    transcript and saves progress itself turns both off and listens to
    :attr:`position_changed` and :attr:`completed`.
    """

    #: The media is visibly playing (a frame shown and time advancing), or failed: what a
    #: screenshot waits for.
    presented = Signal()
    #: Backend state as a :class:`State` value.
    state_changed = Signal(str)
    #: The player asks its window for full screen (True) or back (False).
    fullscreen_changed = Signal(bool)
    #: A note was added (the note row).
    note_added = Signal(object)
    #: A plan was loaded into the backend.
    opened = Signal()
    #: A position worth saving (every few seconds of playback, on pause and on leaving).
    position_changed = Signal(float)
    #: The learner watched past the completion threshold or to the end (once per opening).
    completed = Signal()

    def __init__(
        self,
        home: str | None = None,
        profile: str | None = None,
        tasks: Any = None,
        backend: str | None = None,
        headless: bool | None = None,
        parent: QWidget | None = None,
        side_panel: bool = True,
        record: bool = True,
    ) -> None:
        super().__init__(parent)
        if tasks is None:
            from app.ui.tasks import TaskRunner

            tasks = TaskRunner(self)
        self.home = home
        self.profile = profile
        self.tasks = tasks
        native = QApplication.platformName() in NATIVE_PLATFORMS
        if (backend is None and headless is None and not native
                and not os.environ.get(ENV_VAR) and "qt" in available_backends()):
            # libvlc cannot draw into this platform's windows (Wayland, offscreen): the Qt
            # backend paints its frames itself, so the learner still sees the video.
            backend = "qt"
        self.backend_name = choose_backend(backend)
        self.backend_label = backend_label(self.backend_name)
        self.headless = not native if headless is None else headless
        self.record = record
        self.writer = ProgressWriter(home, profile) if record else None
        self._workdir = tempfile.TemporaryDirectory(prefix="ujuzi-player-")
        self.plan: PlaybackPlan | None = None
        self.tracker: WatchTracker | None = None
        self.player: Player | None = None
        self.message = ""
        self._bridge = _Bridge(self)
        self._bridge.state.connect(self._on_state)
        self._bridge.position.connect(self._on_position)
        self._bridge.tracks.connect(self._on_tracks)
        self._bridge.shown.connect(self._on_shown)
        self._bridge.error.connect(self._on_error)
        self._position = 0.0
        self._duration = 0.0
        self._video_seen = False
        self._presented = False
        self._present_from: float | None = None
        self._last_subtitle: str | None = None
        self._transcript_cues: list[Cue] = []
        self._transcript_list = CueList([])
        self._transcript_index: int | None = None
        self._fullscreen = False
        self._was_maximized = False
        self._hidden_for_fullscreen: list[QWidget] = []
        # A screenshot or a page waiting for the media must not wait forever.
        self._present_timer = QTimer(self)
        self._present_timer.setSingleShot(True)
        self._present_timer.setInterval(PRESENT_TIMEOUT_MS)
        self._present_timer.timeout.connect(self._present)
        self._build(side_panel)
        self.retranslate()
        self._create_player()
        # Child widgets get no close event when their window closes: stop playback before
        # the application tears the native video window down.
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # -- building -----------------------------------------------------------------------

    @staticmethod
    def _button(checkable: bool = False) -> QToolButton:
        button = QToolButton()
        button.setCheckable(checkable)
        button.setAutoRaise(True)
        button.setIconSize(QSize(22, 22))
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return button

    @staticmethod
    def _panel() -> QLabel:
        panel = QLabel()
        panel.setAlignment(Qt.AlignmentFlag.AlignCenter)
        panel.setWordWrap(True)
        panel.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        panel.setStyleSheet("background: #202122; color: #f8f9fa; padding: 32px;")
        font = panel.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        panel.setFont(font)
        return panel

    def _build(self, side_panel: bool) -> None:
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: 600; padding: 4px 2px;")
        self.title.setWordWrap(True)
        self.title.setVisible(side_panel)

        if self.backend_name == "vlc" and not self.headless:
            self.surface: NativeSurface | FrameSurface = NativeSurface()
        else:
            self.surface = FrameSurface()
        self.surface.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.surface.double_clicked.connect(self.toggle_fullscreen)
        self.audio_panel = self._panel()
        self.message_panel = self._panel()
        self.stage = QStackedWidget()
        self.stage.addWidget(self.surface)
        self.stage.addWidget(self.audio_panel)
        self.stage.addWidget(self.message_panel)
        self.stage.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        self.elapsed = QLabel(format_time(0))
        self.total = QLabel(format_time(0))
        self.seek_bar = QSlider(Qt.Orientation.Horizontal)
        self.seek_bar.setRange(0, 0)
        self.seek_bar.setSingleStep(int(ARROW_SECONDS * 10))
        self.seek_bar.setPageStep(int(SKIP_SECONDS * 10))
        self.seek_bar.sliderReleased.connect(self._seek_from_bar)
        self.seek_bar.sliderMoved.connect(
            lambda value: self.elapsed.setText(format_time(value / 10))
        )
        self.seek_bar.actionTriggered.connect(self._seek_bar_action)
        seek_row = QHBoxLayout()
        seek_row.setContentsMargins(8, 4, 8, 0)
        seek_row.addWidget(self.elapsed)
        seek_row.addWidget(self.seek_bar, 1)
        seek_row.addWidget(self.total)

        self.play_button = self._button()
        self.play_button.clicked.connect(self.toggle_play)
        self.back_button = self._button()
        self.back_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.back_button.clicked.connect(lambda: self.skip(-SKIP_SECONDS))
        self.forward_button = self._button()
        self.forward_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.forward_button.clicked.connect(lambda: self.skip(SKIP_SECONDS))

        self.speed_button = self._button()
        self.speed_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.speed_menu = QMenu(self.speed_button)
        self.speed_group = QActionGroup(self)
        for rate in RATES:
            action = QAction(self.speed_menu)
            action.setCheckable(True)
            action.setData(rate)
            action.setChecked(rate == 1.0)
            self.speed_group.addAction(action)
            self.speed_menu.addAction(action)
        self.speed_group.triggered.connect(lambda action: self.set_rate(float(action.data())))
        self.speed_button.setMenu(self.speed_menu)

        self.subtitle_button = self._button()
        self.subtitle_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.subtitle_menu = QMenu(self.subtitle_button)
        self.subtitle_group = QActionGroup(self)
        self.subtitle_group.triggered.connect(
            lambda action: self.set_subtitle(action.data() or None)
        )
        self.subtitle_button.setMenu(self.subtitle_menu)

        self.audio_only_button = self._button(checkable=True)
        self.audio_only_button.toggled.connect(self.set_audio_only)
        self.mute_button = self._button(checkable=True)
        self.mute_button.toggled.connect(self.set_muted)
        self.volume_slider = QSlider(Qt.Orientation.Horizontal)
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setValue(100)
        self.volume_slider.setSingleStep(VOLUME_STEP)
        self.volume_slider.setMaximumWidth(110)
        self.volume_slider.valueChanged.connect(self.set_volume)
        self.fullscreen_button = self._button(checkable=True)
        self.fullscreen_button.clicked.connect(self.toggle_fullscreen)

        controls = QHBoxLayout()
        controls.setContentsMargins(4, 0, 8, 4)
        for button in (self.play_button, self.back_button, self.forward_button):
            controls.addWidget(button)
        controls.addStretch(1)
        widget: QWidget
        for widget in (
            self.speed_button,
            self.subtitle_button,
            self.audio_only_button,
            self.mute_button,
            self.volume_slider,
            self.fullscreen_button,
        ):
            controls.addWidget(widget)

        main = QWidget()
        main_layout = QVBoxLayout(main)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.addWidget(self.title)
        main_layout.addWidget(self.stage, 1)
        main_layout.addLayout(seek_row)
        main_layout.addLayout(controls)

        self.transcript = QListWidget()
        self.transcript.setWordWrap(True)
        self.transcript.itemClicked.connect(self._transcript_clicked)
        self.transcript.itemActivated.connect(self._transcript_clicked)
        self.notes = QListWidget()
        self.notes.setWordWrap(True)
        self.notes.itemClicked.connect(self._note_clicked)
        self.notes.itemActivated.connect(self._note_clicked)
        self.note_edit = QLineEdit()
        self.note_edit.returnPressed.connect(self.add_note)
        self.note_edit.textChanged.connect(lambda _text: self._update_note_button())
        self.note_button = QPushButton()
        self.note_button.clicked.connect(self.add_note)
        notes_page = QWidget()
        notes_layout = QVBoxLayout(notes_page)
        notes_layout.addWidget(self.notes, 1)
        notes_layout.addWidget(self.note_edit)
        notes_layout.addWidget(self.note_button)
        self.side = QTabWidget()
        self.side.addTab(self.transcript, "")
        self.side.addTab(notes_page, "")
        self.side.setVisible(side_panel)
        self._side_wanted = side_panel

        self.splitter = QSplitter()
        self.splitter.addWidget(main)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([720, 280])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self._set_controls_enabled(False)

    def retranslate(self) -> None:
        """Set every visible text again in the active language."""
        self.setAccessibleName(_("Media player"))
        self.surface.setAccessibleName(_("Video"))
        self.audio_panel.setAccessibleName(_("Audio"))
        self.message_panel.setAccessibleName(_("Player message"))
        self.elapsed.setAccessibleName(_("Elapsed time"))
        self.total.setAccessibleName(_("Duration"))
        self.seek_bar.setAccessibleName(_("Seek"))
        self.seek_bar.setToolTip(_("Seek (Left, Right)"))
        self.play_button.setToolTip(_("Play or pause (Space, K)"))
        self.back_button.setAccessibleName(_("Back 10 seconds"))
        self.back_button.setToolTip(_("Back 10 seconds (J)"))
        self.back_button.setText(_("10"))
        self.forward_button.setAccessibleName(_("Forward 10 seconds"))
        self.forward_button.setToolTip(_("Forward 10 seconds (L)"))
        self.forward_button.setText(_("10"))
        self.speed_button.setAccessibleName(_("Playback speed"))
        self.speed_button.setToolTip(_("Playback speed"))
        for action in self.speed_group.actions():
            action.setText(_("{rate}×").format(rate=f"{float(action.data()):g}"))
        self.subtitle_button.setAccessibleName(_("Subtitles"))
        self.subtitle_button.setToolTip(_("Subtitles (C)"))
        self.subtitle_button.setText(_("CC"))
        self.audio_only_button.setAccessibleName(_("Audio only"))
        self.audio_only_button.setToolTip(
            _("Audio only: stop showing the video, to save battery")
        )
        self.audio_only_button.setText(_("Audio only"))
        self.mute_button.setToolTip(_("Mute (M)"))
        self.volume_slider.setAccessibleName(_("Volume"))
        self.volume_slider.setToolTip(_("Volume (Up, Down)"))
        self.fullscreen_button.setToolTip(_("Full screen (F)"))
        self.transcript.setAccessibleName(_("Transcript"))
        self.notes.setAccessibleName(_("Notes"))
        self.note_edit.setAccessibleName(_("New note"))
        self.note_edit.setPlaceholderText(_("Write a note…"))
        self.note_button.setAccessibleName(_("Add note at the current time"))
        self.side.setAccessibleName(_("Transcript and notes"))
        self.side.setTabText(0, _("Transcript"))
        self.side.setTabText(1, _("Notes"))
        self._show_rate()
        self._update_icons()
        self._update_note_button()
        self._update_time()
        if self.plan is not None:
            self.audio_panel.setText(f"♪\n{self.plan.title}")
            self._rebuild_subtitle_menu()

    def _update_icons(self) -> None:
        style = self.style()
        Pixmap = QStyle.StandardPixmap
        playing = self.player is not None and self.player.state() == State.PLAYING
        self.play_button.setIcon(
            style.standardIcon(Pixmap.SP_MediaPause if playing else Pixmap.SP_MediaPlay)
        )
        self.play_button.setAccessibleName(_("Pause") if playing else _("Play"))
        # Skip icons point along the time axis, which runs right to left in RTL layouts.
        rtl = self.layoutDirection() == Qt.LayoutDirection.RightToLeft
        back, forward = Pixmap.SP_MediaSeekBackward, Pixmap.SP_MediaSeekForward
        if rtl:
            back, forward = forward, back
        self.back_button.setIcon(style.standardIcon(back))
        self.forward_button.setIcon(style.standardIcon(forward))
        muted = self.mute_button.isChecked()
        self.mute_button.setIcon(
            style.standardIcon(Pixmap.SP_MediaVolumeMuted if muted else Pixmap.SP_MediaVolume)
        )
        self.mute_button.setAccessibleName(_("Unmute") if muted else _("Mute"))
        self.fullscreen_button.setIcon(
            style.standardIcon(
                Pixmap.SP_TitleBarNormalButton if self._fullscreen
                else Pixmap.SP_TitleBarMaxButton
            )
        )
        self.fullscreen_button.setAccessibleName(
            _("Leave full screen") if self._fullscreen else _("Full screen")
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LayoutDirectionChange:
            self._update_icons()
        super().changeEvent(event)

    def _set_controls_enabled(self, enabled: bool) -> None:
        for widget in (
            self.play_button,
            self.back_button,
            self.forward_button,
            self.seek_bar,
            self.speed_button,
            self.audio_only_button,
        ):
            widget.setEnabled(enabled)

    # -- backend ------------------------------------------------------------------------

    def _create_player(self) -> None:
        events = _Events(self._bridge)
        if self.backend_name == "vlc":
            from app.player.vlc_backend import VlcPlayer

            vlc_player = VlcPlayer(events, headless=self.headless)
            if isinstance(self.surface, NativeSurface):
                # The id is handed over when playback starts and again whenever Qt
                # recreates the native window (reparenting does).
                self.surface.window_changed.connect(vlc_player.set_window)
            self.player = vlc_player
        else:
            from app.player.qt_multimedia import QtPlayer

            qt_player = QtPlayer(events, parent=self)
            if isinstance(self.surface, FrameSurface):
                qt_player.on_frame = self.surface.set_frame
            self.player = qt_player
        # A safety net: a widget deleted without shutdown() must not leave libvlc playing.
        self.destroyed.connect(functools.partial(_release_quietly, self.player))

    # -- opening ------------------------------------------------------------------------

    def open_resource(self, resource_id: str, at: float | None = None) -> None:
        """Prepare ``resource_id`` off the GUI thread, then play it from where the learner
        left off, or from ``at`` seconds (a note's or a search hit's time)."""
        self.title.setText(_("Opening…"))
        workdir = Path(self._workdir.name) / resource_id.replace("/", "_")
        self.tasks.run(
            _prepare(self.home, self.profile, resource_id, workdir, at),
            self.open_plan,
            self._prepare_failed,
        )

    def _prepare_failed(self, error: BaseException) -> None:
        self._show_message(str(error))
        self._present()

    def open_plan(self, plan: PlaybackPlan) -> None:
        """Play a prepared resource (what :meth:`open_resource` does once it is ready)."""
        if self.player is None:
            return
        self._checkpoint()
        self.plan = plan
        self.tracker = WatchTracker(plan.duration, plan.completed, plan.saved_position)
        self.title.setText(plan.title)
        self.message = ""
        self._video_seen = False
        self._presented = False
        self._present_from = None
        self._position = plan.source.start_at
        self._duration = plan.duration or 0.0
        self._last_subtitle = plan.source.subtitle
        self.audio_panel.setText(f"♪\n{plan.title}")
        self._show_notes(plan.notes)
        self._rebuild_subtitle_menu()
        self._set_transcript()
        self._update_time()
        self._update_stage()
        self._set_controls_enabled(True)
        if isinstance(self.surface, NativeSurface) and hasattr(self.player, "set_window"):
            self.player.set_window(self.surface.window_id())
        self.player.load(plan.source)
        self._present_timer.start()
        if self.isVisible():
            self.surface.setFocus()
        self.opened.emit()

    # -- backend reports (GUI thread) ---------------------------------------------------

    def _on_state(self, value: str) -> None:
        state = State(value)
        self._update_icons()
        if state == State.PAUSED:
            self._checkpoint()
        elif state == State.ENDED and self.tracker is not None:
            self._submit(self.tracker.ended())
            self._present()
        elif state == State.PLAYING:
            self._update_stage()
        self.state_changed.emit(value)

    def _on_position(self, position: float, duration: float) -> None:
        if self.player is None:
            return
        self._position = position
        if duration > 0:
            self._duration = duration
        if not self.seek_bar.isSliderDown():
            self._update_time()
        self._highlight_cue()
        if isinstance(self.surface, FrameSurface):
            text_of = getattr(self.player, "subtitle_text", None)
            self.surface.set_subtitle(text_of() if text_of else "")
        if self.player.state() != State.PLAYING:
            return
        if self.tracker is not None:
            update = self.tracker.update(position, duration or None)
            if update is not None:
                self._submit(update)
        if self._present_from is None:
            self._present_from = position
        elif position - self._present_from >= 0.5 and (
            self._video_seen or self.stage.currentWidget() is self.audio_panel
        ):
            self._present()

    def _on_tracks(self) -> None:
        self._rebuild_subtitle_menu()
        self._set_transcript()

    def _on_shown(self) -> None:
        self._video_seen = True
        self._update_stage()

    def _on_error(self, message: str) -> None:
        self._show_message(message)
        self._present()

    def _present(self) -> None:
        self._present_timer.stop()
        if not self._presented:
            self._presented = True
            self.presented.emit()

    def _show_message(self, message: str) -> None:
        self.message = message
        self.message_panel.setText(message)
        self.message_panel.setAccessibleDescription(message)
        self.stage.setCurrentWidget(self.message_panel)
        self._set_controls_enabled(False)

    def _update_stage(self) -> None:
        if self.message:
            self.stage.setCurrentWidget(self.message_panel)
            return
        player = self.player
        audio = self.plan is not None and self.plan.kind == "audio"
        if player is not None and player.state() in (State.PLAYING, State.PAUSED):
            audio = audio or not player.has_video()
        audio = audio or self.audio_only_button.isChecked()
        self.stage.setCurrentWidget(self.audio_panel if audio else self.surface)

    def _update_time(self) -> None:
        duration = self._duration
        self.seek_bar.setRange(0, int(duration * 10))
        self.seek_bar.setValue(int(self._position * 10))
        self.elapsed.setText(format_time(self._position))
        self.total.setText(format_time(duration))
        self.seek_bar.setAccessibleDescription(
            _("{elapsed} of {total}").format(
                elapsed=format_time(self._position), total=format_time(duration)
            )
        )
        self._update_note_button()

    # -- actions ------------------------------------------------------------------------

    def position(self) -> float:
        """The current media time in seconds."""
        return self._current_position()

    def toggle_play(self) -> None:
        if self.player is not None and self.plan is not None:
            self.player.toggle()

    def skip(self, seconds: float) -> None:
        if self.player is not None and self.plan is not None:
            self.player.skip(seconds)

    def seek(self, seconds: float) -> None:
        if self.player is not None and self.plan is not None:
            self.player.seek(seconds)
            self._position = seconds
            self._update_time()
            self._highlight_cue()

    def _seek_from_bar(self) -> None:
        self.seek(self.seek_bar.value() / 10)

    def _seek_bar_action(self, action: int) -> None:
        if action != QSlider.SliderAction.SliderMove.value:
            QTimer.singleShot(0, lambda: self.seek(self.seek_bar.sliderPosition() / 10))

    def set_rate(self, rate: float) -> None:
        if self.player is None:
            return
        self.player.set_rate(rate)
        self._show_rate()

    def _show_rate(self) -> None:
        rate = self.player.rate() if self.player is not None else 1.0
        for action in self.speed_group.actions():
            action.setChecked(float(action.data()) == rate)
        self.speed_button.setText(_("{rate}×").format(rate=f"{rate:g}"))
        self.speed_button.setAccessibleDescription(
            _("{rate} times normal speed").format(rate=f"{rate:g}")
        )

    def set_volume(self, volume: int) -> None:
        if self.player is not None:
            self.player.set_volume(volume)
        if self.volume_slider.value() != volume:
            self.volume_slider.setValue(volume)

    def set_muted(self, muted: bool) -> None:
        if self.player is not None:
            self.player.set_muted(muted)
        if self.mute_button.isChecked() != muted:
            self.mute_button.setChecked(muted)
        self._update_icons()

    def set_audio_only(self, audio_only: bool) -> None:
        if self.player is not None:
            self.player.set_audio_only(audio_only)
        if self.audio_only_button.isChecked() != audio_only:
            self.audio_only_button.setChecked(audio_only)
        self._update_stage()

    def set_subtitle(self, key: str | None) -> None:
        if self.player is None:
            return
        if key is not None:
            self._last_subtitle = key
        self.player.set_subtitle(key)
        self._rebuild_subtitle_menu()
        self._set_transcript()

    def toggle_subtitles(self) -> None:
        if self.player is None:
            return
        if self.player.subtitle() is not None:
            self.set_subtitle(None)
            return
        keys = [track.key for track in self.player.subtitle_tracks()]
        if self._last_subtitle in keys:
            self.set_subtitle(self._last_subtitle)
        elif keys:
            self.set_subtitle(keys[0])

    def toggle_fullscreen(self) -> None:
        self.set_fullscreen(not self._fullscreen)

    def set_fullscreen(self, fullscreen: bool) -> None:
        """Full screen keeps the video surface in place (libvlc draws into its native
        window, which reparenting would destroy): the window goes full screen, the player
        hides its title and side panel and asks the window, through
        :attr:`fullscreen_changed`, to hide what is around it."""
        if fullscreen == self._fullscreen:
            return
        self._fullscreen = fullscreen
        self.side.setVisible(self._side_wanted and not fullscreen)
        self.title.setVisible(self._side_wanted and not fullscreen)
        self._isolate(fullscreen)
        window = self.window()
        if fullscreen:
            self._was_maximized = window.isMaximized()
            window.showFullScreen()
        elif self._was_maximized:
            window.showMaximized()
        else:
            window.showNormal()
        self.fullscreen_button.setChecked(fullscreen)
        self._update_icons()
        self.fullscreen_changed.emit(fullscreen)

    def is_fullscreen(self) -> bool:
        return self._fullscreen

    def _isolate(self, alone: bool) -> None:
        """Hide (or show again) every widget of the window that is not the player or one of
        its ancestors: the window's navigation, the page's header and side panels..."""
        if not alone:
            for widget in self._hidden_for_fullscreen:
                widget.show()
            self._hidden_for_fullscreen = []
            return
        child: QWidget = self
        parent = self.parentWidget()
        while parent is not None and not child.isWindow():
            for sibling in parent.findChildren(
                QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
            ):
                if sibling is not child and not sibling.isWindow() and sibling.isVisible():
                    sibling.hide()
                    self._hidden_for_fullscreen.append(sibling)
            child, parent = parent, parent.parentWidget()

    # -- subtitles and transcript -------------------------------------------------------

    def _rebuild_subtitle_menu(self) -> None:
        self.subtitle_menu.clear()
        for action in self.subtitle_group.actions():
            self.subtitle_group.removeAction(action)
        tracks = self.player.subtitle_tracks() if self.player is not None else []
        current = self.player.subtitle() if self.player is not None else None
        off = QAction(_("Off"), self.subtitle_menu)
        off.setCheckable(True)
        off.setData("")
        off.setChecked(current is None)
        self.subtitle_group.addAction(off)
        self.subtitle_menu.addAction(off)
        for track in tracks:
            label = track.label if track.external else _("{label} (in the video)").format(
                label=track.label
            )
            action = QAction(label, self.subtitle_menu)
            action.setCheckable(True)
            action.setData(track.key)
            action.setChecked(track.key == current)
            self.subtitle_group.addAction(action)
            self.subtitle_menu.addAction(action)
        self.subtitle_button.setEnabled(bool(tracks))
        shown = next((t.label for t in tracks if t.key == current), None)
        self.subtitle_button.setCheckable(True)
        self.subtitle_button.setChecked(shown is not None)
        self.subtitle_button.setAccessibleDescription(
            _("Showing {language}").format(language=shown) if shown else _("Off")
        )

    def _transcript_source(self) -> list[Cue]:
        plan = self.plan
        if plan is None:
            return []
        current = self.player.subtitle() if self.player is not None else None
        for key in (current, plan.source.subtitle, self._last_subtitle):
            cues = plan.cues_for(key)
            if cues:
                return cues
        return next((c.cues for c in plan.subtitles if c.cues), [])

    def _set_transcript(self) -> None:
        cues = self._transcript_source()
        if cues is self._transcript_cues and self.transcript.count():
            return
        self._transcript_cues = cues
        self._transcript_list = CueList(cues)
        self._transcript_index = None
        self.transcript.clear()
        for cue in cues:
            text = cue.text.replace("\n", " ")
            item = QListWidgetItem(f"{format_time(cue.start)}  {text}")
            item.setData(Qt.ItemDataRole.UserRole, cue.start)
            self.transcript.addItem(item)
        if not cues and self.plan is not None:
            text = self.plan.transcript.strip() or _("This resource has no transcript.")
            for paragraph in text.split("\n\n"):
                item = QListWidgetItem(paragraph.strip())
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.transcript.addItem(item)
        self._highlight_cue()

    def _highlight_cue(self) -> None:
        if not self._transcript_cues:
            return
        index = self._transcript_list.index_at(self._position)
        if index == self._transcript_index:
            return
        normal = QFont(self.transcript.font())
        bold = QFont(normal)
        bold.setBold(True)
        if self._transcript_index is not None:
            old = self.transcript.item(self._transcript_index)
            if old is not None:
                old.setFont(normal)
                old.setBackground(QColor(0, 0, 0, 0))
        self._transcript_index = index
        if index is not None:
            item = self.transcript.item(index)
            if item is not None:
                item.setFont(bold)
                item.setBackground(self.palette().color(QPalette.ColorRole.AlternateBase))
                self.transcript.scrollToItem(item)

    def current_cue_index(self) -> int | None:
        """Index of the highlighted transcript line, or None."""
        return self._transcript_index

    def _transcript_clicked(self, item: QListWidgetItem) -> None:
        start = item.data(Qt.ItemDataRole.UserRole)
        if start is not None:
            self.seek(float(start))

    # -- notes --------------------------------------------------------------------------

    @staticmethod
    def _note_text(note: dict[str, Any]) -> str:
        at = note.get("at_seconds")
        body = str(note["body"])
        return f"{format_time(at)}  {body}" if at is not None else body

    def _show_notes(self, notes: list[dict[str, Any]]) -> None:
        self.notes.clear()
        for note in notes:
            self._append_note(note)

    def _append_note(self, note: dict[str, Any]) -> None:
        item = QListWidgetItem(self._note_text(note))
        item.setData(Qt.ItemDataRole.UserRole, note.get("at_seconds"))
        self.notes.addItem(item)

    def _note_clicked(self, item: QListWidgetItem) -> None:
        at = item.data(Qt.ItemDataRole.UserRole)
        if at is not None:
            self.seek(float(at))

    def _update_note_button(self) -> None:
        self.note_button.setText(
            _("Add note at {time}").format(time=format_time(self._position))
        )
        self.note_button.setEnabled(self.plan is not None and bool(self.note_edit.text().strip()))

    def add_note(self) -> None:
        body = self.note_edit.text().strip()
        if not body or self.plan is None:
            return
        at = round(self._current_position(), 1)
        self.note_edit.clear()
        self.tasks.run(
            _add_note(self.home, self.profile, self.plan.resource_id, body, at),
            self._note_saved,
            self._note_failed,
        )

    def _note_saved(self, note: dict[str, Any]) -> None:
        self._append_note(note)
        self.note_added.emit(note)

    def _note_failed(self, error: BaseException) -> None:
        self._show_message(str(error))

    def _current_position(self) -> float:
        if self.player is not None and self.player.state() in (State.PLAYING, State.PAUSED):
            return self.player.position()
        return self._position

    # -- keyboard -----------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            super().keyPressEvent(event)
            return
        rtl = self.layoutDirection() == Qt.LayoutDirection.RightToLeft
        arrow = -ARROW_SECONDS if rtl else ARROW_SECONDS
        actions = {
            Qt.Key.Key_Space: self.toggle_play,
            Qt.Key.Key_K: self.toggle_play,
            Qt.Key.Key_J: lambda: self.skip(-SKIP_SECONDS),
            Qt.Key.Key_L: lambda: self.skip(SKIP_SECONDS),
            Qt.Key.Key_Left: lambda: self.skip(-arrow),
            Qt.Key.Key_Right: lambda: self.skip(arrow),
            Qt.Key.Key_Up: lambda: self.set_volume(
                min(100, self.volume_slider.value() + VOLUME_STEP)
            ),
            Qt.Key.Key_Down: lambda: self.set_volume(
                max(0, self.volume_slider.value() - VOLUME_STEP)
            ),
            Qt.Key.Key_M: lambda: self.set_muted(not self.mute_button.isChecked()),
            Qt.Key.Key_C: self.toggle_subtitles,
            Qt.Key.Key_F: self.toggle_fullscreen,
        }
        if key == Qt.Key.Key_Escape and self._fullscreen:
            self.set_fullscreen(False)
            event.accept()
            return
        action = actions.get(key)
        if action is None:
            super().keyPressEvent(event)
            return
        action()
        event.accept()

    # -- progress and closing -----------------------------------------------------------

    def _submit(self, update: ProgressUpdate) -> None:
        if self.plan is None:
            return
        self.position_changed.emit(update.position)
        if update.complete:
            self.completed.emit()
        if self.writer is not None:
            self.writer.submit(self.plan.resource_id, update)

    def _checkpoint(self) -> None:
        if self.tracker is not None and self.plan is not None:
            self.tracker.position = self._current_position()
            update = self.tracker.checkpoint()
            if update is not None:
                self._submit(update)

    def stop_media(self) -> None:
        """Save where the learner is and stop; play starts again from there."""
        if self.player is None:
            return
        self._checkpoint()
        position = self._current_position()
        self.player.stop()
        self._position = position
        if self.player.state() == State.IDLE and self.plan is not None:
            self.player.seek(position)

    def shutdown(self) -> None:
        """Save where the learner is, stop playback and free the backend. Call before the
        widget goes away (safe to call twice)."""
        if self.player is None:
            return
        if self._fullscreen:
            self.set_fullscreen(False)
        self._checkpoint()
        player, self.player = self.player, None
        if isinstance(self.surface, NativeSurface):
            self.surface.window_changed.disconnect()
        player.release()
        if self.writer is not None:
            self.writer.close()
        self._workdir.cleanup()

    def closeEvent(self, event: Any) -> None:
        self.shutdown()
        super().closeEvent(event)
