"""The player's controls: the seek bar with elapsed and total time, and the row of buttons
(play, skip, speed, subtitles, audio only, mute, volume, full screen).

The controls show the state they are given and report what the learner asks for as
signals; the player widget acts on the backend.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QMouseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.formatting import percent
from app.i18n import _
from app.player.base import RATES, SubtitleTrack
from app.player.qt_layout import WrapRows
from app.player.subtitles import format_time

SKIP_SECONDS = 10.0
ARROW_SECONDS = 5.0
VOLUME_STEP = 5


def _button(checkable: bool = False) -> QToolButton:
    button = QToolButton()
    button.setCheckable(checkable)
    button.setAutoRaise(True)
    button.setIconSize(QSize(22, 22))
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return button


class SeekSlider(QSlider):
    """A slider that a click moves to the point clicked (and on to where it is dragged),
    rather than a page step toward it; grabbing the handle drags it as usual."""

    def __init__(self, orientation: Qt.Orientation) -> None:
        super().__init__(orientation)
        self._following = False

    def _value_at(self, x: float) -> int:
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        style = self.style()
        groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                      QStyle.SubControl.SC_SliderGroove, self)
        handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                      QStyle.SubControl.SC_SliderHandle, self)
        span = max(1, groove.width() - handle.width())
        return QStyle.sliderValueFromPosition(
            self.minimum(), self.maximum(), int(x) - groove.x() - handle.width() // 2, span,
            option.upsideDown)

    def _on_handle(self, event: QMouseEvent) -> bool:
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        handle = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                             QStyle.SubControl.SC_SliderHandle, self)
        return handle.contains(event.position().toPoint())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if (event.button() != Qt.MouseButton.LeftButton or self.maximum() <= self.minimum()
                or self._on_handle(event)):
            super().mousePressEvent(event)
            return
        self._following = True
        self.setSliderDown(True)
        self.setSliderPosition(self._value_at(event.position().x()))
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._following:
            self.setSliderPosition(self._value_at(event.position().x()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._following and event.button() == Qt.MouseButton.LeftButton:
            self._following = False
            self.setSliderDown(False)  # emits sliderReleased: the seek
            event.accept()
            return
        super().mouseReleaseEvent(event)


class PlayerControls(QWidget):
    """The seek row above the button row."""

    play_clicked = Signal()
    #: Seconds to skip, back (negative) or forward.
    skip_requested = Signal(float)
    #: A media time in seconds, chosen on the seek bar.
    seek_requested = Signal(float)
    rate_chosen = Signal(float)
    #: A subtitle track's key, or None for none.
    subtitle_chosen = Signal(object)
    audio_only_toggled = Signal(bool)
    muted_toggled = Signal(bool)
    volume_changed = Signal(int)
    fullscreen_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._subtitles_shown: str | None = None  # the label of the subtitles shown
        self._subtitle_menu_shown: object = None  # what the subtitle menu was built from
        self.elapsed = QLabel(format_time(0))
        self.total = QLabel(format_time(0))
        self.seek_bar = SeekSlider(Qt.Orientation.Horizontal)
        self.seek_bar.setRange(0, 0)
        self.seek_bar.setSingleStep(int(ARROW_SECONDS * 10))
        self.seek_bar.setPageStep(int(SKIP_SECONDS * 10))
        self.seek_bar.sliderReleased.connect(
            lambda: self.seek_requested.emit(self.seek_bar.value() / 10)
        )
        self.seek_bar.sliderMoved.connect(
            lambda value: self.elapsed.setText(format_time(value / 10))
        )
        self.seek_bar.actionTriggered.connect(self._seek_bar_action)
        seek_row = QHBoxLayout()
        seek_row.setContentsMargins(8, 4, 8, 0)
        seek_row.addWidget(self.elapsed)
        seek_row.addWidget(self.seek_bar, 1)
        seek_row.addWidget(self.total)

        self.play_button = _button()
        self.play_button.clicked.connect(self.play_clicked.emit)
        self.back_button = _button()
        self.back_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.back_button.clicked.connect(lambda: self.skip_requested.emit(-SKIP_SECONDS))
        self.forward_button = _button()
        self.forward_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.forward_button.clicked.connect(lambda: self.skip_requested.emit(SKIP_SECONDS))

        self.speed_button = _button()
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
        self.speed_group.triggered.connect(
            lambda action: self.rate_chosen.emit(float(action.data()))
        )
        self.speed_button.setMenu(self.speed_menu)

        self.subtitle_button = _button()
        self.subtitle_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.subtitle_menu = QMenu(self.subtitle_button)
        self.subtitle_group = QActionGroup(self)
        self.subtitle_group.triggered.connect(
            lambda action: self.subtitle_chosen.emit(action.data() or None)
        )
        self.subtitle_button.setMenu(self.subtitle_menu)

        self.audio_only_button = _button(checkable=True)
        self.audio_only_button.toggled.connect(self.audio_only_toggled.emit)
        self.mute_button = _button(checkable=True)
        self.mute_button.toggled.connect(self.muted_toggled.emit)
        self.volume_slider = QSlider(Qt.Orientation.Horizontal)
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setValue(100)
        self.volume_slider.setSingleStep(VOLUME_STEP)
        self.volume_slider.valueChanged.connect(self.volume_changed.emit)
        self.fullscreen_button = _button(checkable=True)
        self.fullscreen_button.clicked.connect(self.fullscreen_clicked.emit)

        # Groups that stay together; they wrap onto a second row when the window is narrow
        # or the text large (the volume slider keeps its width beside the mute button).
        self.volume_slider.setMinimumWidth(96)
        self.volume_slider.setMaximumWidth(120)
        buttons = WrapRows()
        buttons.setContentsMargins(4, 0, 8, 4)
        groups: tuple[tuple[QWidget, ...], ...] = (
            (self.play_button, self.back_button, self.forward_button),
            (self.speed_button, self.subtitle_button),
            (self.audio_only_button,),
            (self.mute_button, self.volume_slider),
            (self.fullscreen_button,),
        )
        self.groups: list[QWidget] = []
        for members in groups:
            group = QWidget()
            row = QHBoxLayout(group)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(2)
            for widget in members:
                row.addWidget(widget)
            buttons.addWidget(group)
            self.groups.append(group)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(seek_row)
        layout.addLayout(buttons)

    def _seek_bar_action(self, action: int) -> None:
        if action != QSlider.SliderAction.SliderMove.value:
            QTimer.singleShot(
                0, lambda: self.seek_requested.emit(self.seek_bar.sliderPosition() / 10)
            )

    def retranslate(self) -> None:
        """Set every text again in the active language (the texts that follow the state are
        set by the ``show_*`` methods)."""
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
        self.speed_button.setToolTip(_("Playback speed"))
        for action in self.speed_group.actions():
            action.setText(_("{rate}×").format(rate=f"{float(action.data()):g}"))
        # Named by the text it shows, "CC"; the description says what it does (and what
        # it shows now: show_subtitles).
        self.subtitle_button.setToolTip(_("Subtitles (C)"))
        self.subtitle_button.setText(_("CC"))
        self.subtitle_button.setAccessibleName(_("CC"))
        self._describe_subtitles()
        self.audio_only_button.setAccessibleName(_("Audio only"))
        self.audio_only_button.setToolTip(
            _("Audio only: stop showing the video, to save battery")
        )
        self.audio_only_button.setText(_("Audio only"))
        self.mute_button.setToolTip(_("Mute (M)"))
        self.volume_slider.setAccessibleName(_("Volume"))
        self.volume_slider.setToolTip(_("Volume (Up, Down)"))
        self.fullscreen_button.setToolTip(_("Full screen (F)"))

    def set_media_enabled(self, enabled: bool) -> None:
        """The controls that need open media (subtitles follow their tracks instead)."""
        for widget in (
            self.play_button,
            self.back_button,
            self.forward_button,
            self.seek_bar,
            self.speed_button,
            self.audio_only_button,
        ):
            widget.setEnabled(enabled)

    def show_icons(self, playing: bool, fullscreen: bool) -> None:
        style = self.style()
        Pixmap = QStyle.StandardPixmap
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
                Pixmap.SP_TitleBarNormalButton if fullscreen
                else Pixmap.SP_TitleBarMaxButton
            )
        )
        self.fullscreen_button.setAccessibleName(
            _("Leave full screen") if fullscreen else _("Full screen")
        )

    def show_rate(self, rate: float) -> None:
        for action in self.speed_group.actions():
            action.setChecked(float(action.data()) == rate)
        shown = _("{rate}×").format(rate=f"{rate:g}")
        self.speed_button.setText(shown)
        # the name says what it shows ("1.5×"), the description what that means
        self.speed_button.setAccessibleName(_("{speed} playback speed").format(speed=shown))
        self.speed_button.setAccessibleDescription(
            _("{percent} of normal speed").format(percent=percent(rate))
        )

    def show_time(self, position: float, duration: float) -> None:
        self.seek_bar.setRange(0, int(duration * 10))
        self.seek_bar.setValue(int(position * 10))
        self.elapsed.setText(format_time(position))
        self.total.setText(format_time(duration))
        self.seek_bar.setAccessibleDescription(
            _("{elapsed} of {total}").format(
                elapsed=format_time(position), total=format_time(duration)
            )
        )

    def show_subtitles(self, tracks: Sequence[SubtitleTrack], current: str | None) -> None:
        """The subtitle menu: Off, then each track, the one shown (``current``) checked.

        The same menu again (a backend reports its tracks several times while a media
        opens) leaves it as it is: each new action connects to the group, and a connection
        made while Qt Multimedia's threads connect to its objects can deadlock PySide (the
        GUI thread waits for Qt's connection lock holding the GIL; a decoder thread holds
        that lock and waits for the GIL)."""
        menu = ((_("Off"), _("{label} (in the video)")),
                tuple((t.key, t.label, t.external) for t in tracks), current)
        if menu == self._subtitle_menu_shown:
            return
        self._subtitle_menu_shown = menu
        self.subtitle_menu.clear()
        for action in self.subtitle_group.actions():
            self.subtitle_group.removeAction(action)
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
        self._subtitles_shown = shown
        self._describe_subtitles()

    def _describe_subtitles(self) -> None:
        shown = self._subtitles_shown
        state = _("Showing {language}").format(language=shown) if shown else _("Off")
        self.subtitle_button.setAccessibleDescription(
            _("Subtitles (C): {state}").format(state=state))
