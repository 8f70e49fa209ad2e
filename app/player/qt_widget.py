"""The player widget: a video surface, controls, and a side panel with the transcript and
timestamped notes, around one backend.

It opens a resource by id, prepares it off the GUI thread (:func:`prepare_playback`, run by
the :class:`~app.tasks.Runner` it is given), plays it with the chosen backend
(:func:`app.player.choose_backend`) and records progress through a :class:`ProgressWriter`.
Its parts each do one job: :mod:`app.player.qt_surfaces` (where the video is drawn, and the
bridge that brings backend reports to the GUI thread), :mod:`app.player.qt_controls` (seek
bar and buttons) and :mod:`app.player.qt_side_panel` (transcript and notes); this widget
connects them to the backend and owns playback, full screen, the keyboard and progress.

Keyboard (when the focus is in the player, not in a text field): Space or K play/pause,
J and L back/forward 10 s, Left and Right 5 s (mirrored right-to-left, like the seek bar),
Up and Down volume, M mute, C subtitles on/off, F full screen, Escape leaves full screen.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QSocketNotifier, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.library import Library
from app.player import ENV_VAR, available_backends, backend_label, choose_backend
from app.player.base import Player, State
from app.player.qt_controls import ARROW_SECONDS, SKIP_SECONDS, VOLUME_STEP, PlayerControls
from app.player.qt_layout import SideBySide
from app.player.qt_side_panel import SidePanel
from app.player.qt_surfaces import Bridge, BridgeEvents, FrameSurface, NativeSurface
from app.player.session import (
    SUBTITLES_OFF,
    PlaybackPlan,
    ProgressUpdate,
    ProgressWriter,
    WatchTracker,
    prepare_playback,
)
from app.player.subtitles import Cue
from app.tasks import Reporter, Runner

if TYPE_CHECKING:
    from app.player.vlc_backend import VlcPlayer
    from app.player.vlc_remote import RemoteVlcPlayer

__all__ = ["FrameSurface", "NativeSurface", "PlayerWidget"]

log = logging.getLogger(__name__)

PRESENT_TIMEOUT_MS = 15_000
#: Platforms where libvlc can draw into a Qt widget's native window.
NATIVE_PLATFORMS = ("xcb", "windows", "cocoa")


def _release_quietly(player: Player) -> None:
    try:
        player.release()
    except Exception:  # the widget's Qt objects may already be gone
        log.debug("releasing a player after its widget went", exc_info=True)


def _prepare(
    home: str | None, profile: str | None, resource_id: str, workdir: Path, at: float | None,
    subtitle_language: str | None = None, languages: Sequence[str] | None = None,
) -> Any:
    def work(reporter: Reporter) -> PlaybackPlan:
        with Library(home) as library:
            plan = prepare_playback(library, resource_id, workdir, profile, languages,
                                    subtitle_language=subtitle_language)
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


def _remember(home: str | None, name: str, value: Any) -> Any:
    """Keep a choice the learner made in the player (speed, subtitles) for the next media."""
    def work(reporter: Reporter) -> None:
        with Library(home) as library:
            library.settings.set(name, value)

    return work


class PlayerWidget(QWidget):
    """Plays one resource at a time.

    ``tasks`` runs work off the GUI thread (the window's runner); ``backend`` forces "vlc"
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
    #: The subtitles shown changed: the transcript now follows these cues (a list of
    #: :class:`~app.player.subtitles.Cue`, empty when the media has no timed text).
    transcript_changed = Signal(object)

    def __init__(
        self,
        home: str | None = None,
        profile: str | None = None,
        *,
        tasks: Runner,
        backend: str | None = None,
        headless: bool | None = None,
        parent: QWidget | None = None,
        side_panel: bool = True,
        record: bool = True,
    ) -> None:
        super().__init__(parent)
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
        self._bridge = Bridge(self)
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
    def _panel() -> QLabel:
        panel = QLabel()
        panel.setTextFormat(Qt.TextFormat.PlainText)  # titles and messages quote the pack
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
        self.title.setTextFormat(Qt.TextFormat.PlainText)
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

        self.controls = controls = PlayerControls()
        controls.play_clicked.connect(self.toggle_play)
        controls.skip_requested.connect(self.skip)
        controls.seek_requested.connect(self.seek)
        controls.rate_chosen.connect(self.set_rate)
        controls.subtitle_chosen.connect(self.set_subtitle)
        controls.audio_only_toggled.connect(self.set_audio_only)
        controls.muted_toggled.connect(self.set_muted)
        controls.volume_changed.connect(self.set_volume)
        controls.fullscreen_clicked.connect(self.toggle_fullscreen)
        # The controls' widgets, by the names the pages and tests reach them.
        self.seek_bar = controls.seek_bar
        self.play_button = controls.play_button
        self.back_button, self.forward_button = controls.back_button, controls.forward_button
        self.speed_button, self.speed_menu = controls.speed_button, controls.speed_menu
        self.subtitle_button, self.subtitle_menu = controls.subtitle_button, controls.subtitle_menu
        self.audio_only_button, self.mute_button = controls.audio_only_button, controls.mute_button
        self.volume_slider = controls.volume_slider
        self.fullscreen_button = controls.fullscreen_button

        main = QWidget()
        main_layout = QVBoxLayout(main)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.addWidget(self.title)
        main_layout.addWidget(self.stage, 1)
        main_layout.addWidget(controls)

        self.side = SidePanel()
        self.side.seek_requested.connect(self.seek)
        self.side.note_requested.connect(self.add_note)
        self.side.setVisible(side_panel)
        self._side_wanted = side_panel
        self.transcript, self.notes = self.side.transcript, self.side.notes
        self.note_edit, self.note_button = self.side.note_edit, self.side.note_button

        # the side panel goes under the video when the two do not fit side by side
        self.splitter = SideBySide()
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
        self.controls.retranslate()
        self.side.retranslate()
        self._show_rate()
        self._update_icons()
        self._update_time()
        if self.plan is not None:
            self.audio_panel.setText(f"♪\n{self.plan.title}")
            self._rebuild_subtitle_menu()

    def _update_icons(self) -> None:
        playing = self.player is not None and self.player.state() == State.PLAYING
        self.controls.show_icons(playing, self._fullscreen)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LayoutDirectionChange:
            self._update_icons()
        super().changeEvent(event)

    def _set_controls_enabled(self, enabled: bool) -> None:
        self.controls.set_media_enabled(enabled)

    # -- backend ------------------------------------------------------------------------

    def _create_player(self) -> None:
        events = BridgeEvents(self._bridge)
        if self.backend_name == "vlc":
            vlc_player: VlcPlayer | RemoteVlcPlayer
            if sys.platform == "darwin":
                # A macOS view cannot be drawn into from another process.
                from app.player.vlc_backend import VlcPlayer

                vlc_player = VlcPlayer(events, headless=self.headless)
            else:
                # libvlc in a process of its own: its threads never run in the window's.
                from app.player.vlc_remote import RemoteVlcPlayer

                vlc_player = RemoteVlcPlayer(events, headless=self.headless,
                                             watch=self._watch_host)
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

    def _watch_host(self, fd: int, readable: Callable[[], None]) -> Callable[[], None]:
        """Read the player host's reports on the GUI thread when it writes: no thread of the
        window's process runs for the player."""
        notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read, self)
        notifier.activated.connect(lambda *_args: readable())

        def unwatch() -> None:
            with contextlib.suppress(RuntimeError):  # gone already, with the widget
                notifier.setEnabled(False)
                notifier.deleteLater()

        return unwatch

    # -- opening ------------------------------------------------------------------------

    def open_resource(self, resource_id: str, at: float | None = None,
                      subtitle_language: str | None = None,
                      languages: Sequence[str] | None = None) -> None:
        """Prepare ``resource_id`` off the GUI thread, then play it from where the learner
        left off, or from ``at`` seconds (a note's or a search hit's time), with the
        subtitles in ``subtitle_language`` (a search hit's) or else those chosen last, or
        else in the first of ``languages`` that has them (default: the content languages
        setting)."""
        self.title.setText(_("Opening…"))
        self.surface_clear()
        workdir = Path(self._workdir.name) / resource_id.replace("/", "_")
        self.tasks.run(
            _prepare(self.home, self.profile, resource_id, workdir, at, subtitle_language,
                     languages),
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
        self.side.show_notes(plan.notes)
        self._rebuild_subtitle_menu()
        self._set_transcript()
        self._update_time()
        self._update_stage()
        self._set_controls_enabled(True)
        if isinstance(self.surface, NativeSurface) and hasattr(self.player, "set_window"):
            self.player.set_window(self.surface.window_id())
        self.surface_clear()
        self.player.load(plan.source)
        if self.player.rate() != plan.rate:
            self.player.set_rate(plan.rate)
        self._show_rate()
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
        self.side.highlight(position)
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
        # Its text was set while the panel was hidden (not the stage's current widget):
        # the layouts around ask its height for their width again now that it shows.
        self.message_panel.updateGeometry()
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
        self.controls.show_time(self._position, self._duration)
        self.side.show_note_time(self._position, self.plan is not None)

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
            self.side.highlight(seconds)

    def set_rate(self, rate: float) -> None:
        """The learner's choice of speed: applied, and kept for the next media."""
        if self.player is None:
            return
        self.player.set_rate(rate)
        self._show_rate()
        self.tasks.run(_remember(self.home, "playback_rate", float(self.player.rate())),
                       lambda _r: None, lambda _e: None)

    def _show_rate(self) -> None:
        self.controls.show_rate(self.player.rate() if self.player is not None else 1.0)

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
        """The learner's choice of subtitles (None: off): shown, and its language kept for
        the next media."""
        if self.player is None:
            return
        if key is not None:
            self._last_subtitle = key
        self.player.set_subtitle(key)
        self._rebuild_subtitle_menu()
        self._set_transcript()
        lang = SUBTITLES_OFF if key is None else next(
            (c.lang for c in (self.plan.subtitles if self.plan else []) if c.key == key), None)
        if lang:
            self.tasks.run(_remember(self.home, "subtitle_language", lang),
                           lambda _r: None, lambda _e: None)

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
        player = self.player
        self.controls.show_subtitles(player.subtitle_tracks() if player is not None else [],
                                     player.subtitle() if player is not None else None)

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
        text = self.plan.transcript if self.plan is not None else None
        cues = self._transcript_source()
        self.side.show_transcript(cues, text, self._position)
        if cues is not self._transcript_cues:
            self._transcript_cues = cues
            self.transcript_changed.emit(cues)

    def transcript_cues(self) -> list[Cue]:
        """The cues the transcript shows now (those of the subtitles shown)."""
        return self._transcript_cues

    def surface_clear(self) -> None:
        """Forget the picture of the media before (a new one shows its own frames)."""
        if isinstance(self.surface, FrameSurface):
            self.surface.clear()
        else:
            self.surface.update()

    def current_cue_index(self) -> int | None:
        """Index of the highlighted transcript line, or None."""
        return self.side.current_cue_index()

    # -- notes --------------------------------------------------------------------------

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
        self.side.append_note(note)
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
