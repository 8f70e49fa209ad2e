"""What playing a resource means for the library: files, subtitles, resume, progress, notes.

Qt-free, so the logic is tested without a display and any front end can use it:

* :func:`prepare_playback` turns a resource into a :class:`PlaybackPlan`: the media file and
  its subtitle files linked under names with the right extension (blobs have none, and
  libvlc picks its subtitle parser by extension), the parsed cues for the transcript, the
  subtitle language to show first, where to resume and the learner's notes on it.
* :class:`WatchTracker` decides when a position is worth saving and when the resource counts
  as complete; :func:`save_progress` writes that through :meth:`Library.record_progress`.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from app.errors import UjuziError
from app.formatting import language_name
from app.i18n import _
from app.languages import negotiate
from app.library import Library
from app.packs.manifest import localized
from app.player.base import MediaSource, SubtitleFile, clamp_rate, external_key
from app.player.subtitles import Cue, load_subtitles

MEDIA_KINDS = frozenset({"video", "audio"})
#: Watching this share of the duration marks a resource complete (so does reaching the end).
COMPLETE_FRACTION = 0.9
#: Seconds of playback between two saved positions.
SAVE_INTERVAL = 5.0
#: A saved position earlier than this is not worth resuming from.
RESUME_MIN = 5.0
#: Resume this many seconds before where the learner stopped, to pick up the thread.
RESUME_REWIND = 2.0
#: A saved position this close to the end (or within the last tenth) starts the media over.
RESUME_TAIL = 5.0


@dataclass
class SubtitleChoice:
    key: str
    lang: str | None
    label: str
    cues: list[Cue]


@dataclass
class PlaybackPlan:
    resource_id: str
    kind: str
    title: str
    source: MediaSource
    duration: float | None
    subtitles: list[SubtitleChoice] = field(default_factory=list)
    transcript: str = ""
    notes: list[dict[str, Any]] = field(default_factory=list)
    completed: bool = False
    saved_position: float = 0.0
    rate: float = 1.0

    def cues_for(self, key: str | None) -> list[Cue]:
        for choice in self.subtitles:
            if choice.key == key:
                return choice.cues
        return []


#: ``subtitle_language`` for "no subtitles".
SUBTITLES_OFF = "off"


def choose_subtitle(langs: Sequence[str | None], preferred: Sequence[str],
                    chosen: str | None = None) -> int | None:
    """Index of the subtitle to show first: the language the learner chose last (``chosen``;
    :data:`SUBTITLES_OFF` for none) if this media has it, else the learner's first language
    that has one (:func:`app.languages.negotiate`); else None."""
    if chosen == SUBTITLES_OFF:
        return None
    if chosen:
        index = negotiate([chosen], langs)
        if index is not None:
            return index
    return negotiate(preferred, langs)


def resume_position(saved: float, duration: float | None) -> float:
    """Where to start: a little before the saved position, or 0 near either end."""
    if saved < RESUME_MIN:
        return 0.0
    if duration and saved >= duration - min(RESUME_TAIL, 0.1 * duration):
        return 0.0
    return max(0.0, saved - RESUME_REWIND)


def _link(blob: Path, target: Path) -> Path:
    """Make ``target`` name ``blob`` (symlink, else hard link, else copy)."""
    if target.exists() or target.is_symlink():
        target.unlink()
    try:
        os.symlink(blob, target)
    except OSError:
        try:
            os.link(blob, target)
        except OSError:
            shutil.copyfile(blob, target)
    return target


def _extension(path: str, default: str) -> str:
    suffix = PurePosixPath(path).suffix.lower()
    return suffix if suffix and len(suffix) <= 6 and suffix[1:].isalnum() else default


def prepare_playback(
    library: Library,
    resource_id: str,
    workdir: Path,
    profile: str | None = None,
    languages: Sequence[str] | None = None,
    subtitle_language: str | None = None,
) -> PlaybackPlan:
    """Everything a player needs to open ``resource_id``; links its files into ``workdir``.

    ``languages`` are the learner's content languages in order (default: the setting).
    ``subtitle_language`` is the subtitles to show (a search hit's language; default: the
    learner's last choice, the ``subtitle_language`` setting). The speed is the one chosen
    last (the ``playback_rate`` setting).
    """
    resource = library.resource(resource_id, profile)
    if resource["kind"] not in MEDIA_KINDS:
        raise UjuziError(_("{id} is not a video or an audio file.").format(id=resource_id))
    if languages is None:
        languages = list(library.settings.get("content_languages"))
    workdir.mkdir(parents=True, exist_ok=True)
    files = resource["files"]
    main = next((f for f in files if f["role"] == "main"), None)
    if main is None:
        raise UjuziError(_("Resource {id} has no main file.").format(id=resource_id))
    media_path = _link(Path(main["blob"]), workdir / f"media{_extension(main['path'], '.bin')}")

    subtitle_files: list[SubtitleFile] = []
    choices: list[SubtitleChoice] = []
    for index, entry in enumerate(f for f in files if f["role"] == "subtitles"):
        ext = _extension(entry["path"], ".vtt")
        if ext not in (".vtt", ".srt"):
            continue
        lang = entry.get("lang")
        link = _link(Path(entry["blob"]), workdir / f"subtitles-{index}{ext}")
        label = language_name(lang)
        try:
            cues = load_subtitles(link, ext[1:])
        except (OSError, UjuziError, ValueError):
            cues = []
        key = external_key(len(subtitle_files))
        subtitle_files.append(SubtitleFile(link, lang, label))
        choices.append(SubtitleChoice(key, lang, label, cues))
    transcript = ""
    for entry in files:
        if entry["role"] == "transcript":
            try:
                transcript = Path(entry["blob"]).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                transcript = ""
            break

    if subtitle_language is None:
        subtitle_language = str(library.settings.get("subtitle_language"))
    chosen = choose_subtitle([c.lang for c in choices], languages, subtitle_language)
    progress = resource["progress"]
    duration = resource.get("duration")
    duration = float(duration) if duration else None
    saved = float(progress["position"] or 0.0)
    source = MediaSource(
        path=media_path,
        subtitles=tuple(subtitle_files),
        start_at=resume_position(saved, duration),
        subtitle=choices[chosen].key if chosen is not None else None,
        title=localized(resource["title"], [*languages, "en"]),
    )
    return PlaybackPlan(
        resource_id=resource_id,
        kind=resource["kind"],
        title=source.title,
        source=source,
        duration=duration,
        subtitles=choices,
        transcript=transcript,
        notes=library.notes(profile, resource_id=resource_id),
        completed=bool(progress["completed"]),
        saved_position=saved,
        rate=clamp_rate(float(library.settings.get("playback_rate"))),
    )


@dataclass(frozen=True)
class ProgressUpdate:
    position: float
    complete: bool


class WatchTracker:
    """Turns a stream of positions into a few progress writes.

    A position is saved every :data:`SAVE_INTERVAL` seconds of playback and whenever
    :meth:`checkpoint` is called (pause, seek, close); the resource is marked complete once,
    when the position passes :data:`COMPLETE_FRACTION` of the duration or the media ends.
    """

    def __init__(
        self,
        duration: float | None = None,
        completed: bool = False,
        saved_position: float = 0.0,
        clock: Any = time.monotonic,
    ) -> None:
        self.duration = duration or 0.0
        self.completed = completed
        self.position = 0.0
        self.saved_position = saved_position
        self._clock = clock
        self._last_save = clock()

    def _threshold_reached(self) -> bool:
        return self.duration > 0 and self.position >= COMPLETE_FRACTION * self.duration

    def update(self, position: float, duration: float | None = None) -> ProgressUpdate | None:
        """A new position while playing; returns what to write, if anything."""
        if duration:
            self.duration = duration
        self.position = max(0.0, position)
        if not self.completed and self._threshold_reached():
            self.completed = True
            return self._save(complete=True)
        if self._clock() - self._last_save >= SAVE_INTERVAL:
            return self._save(complete=False)
        return None

    def checkpoint(self) -> ProgressUpdate | None:
        """Pause, seek or close: save the position if it moved."""
        if abs(self.position - self.saved_position) < 0.5:
            return None
        return self._save(complete=False)

    def ended(self) -> ProgressUpdate:
        """The media played to its end: complete, and the next opening starts over."""
        newly = not self.completed
        self.completed = True
        self.position = self.duration or self.position
        return self._save(complete=newly)

    def _save(self, complete: bool) -> ProgressUpdate:
        self._last_save = self._clock()
        self.saved_position = self.position
        return ProgressUpdate(self.position, complete)


def save_progress(
    library: Library, resource_id: str, update: ProgressUpdate, profile: str | None = None
) -> dict[str, Any]:
    return library.record_progress(
        resource_id, profile, position=update.position, complete=update.complete
    )


class ProgressWriter:
    """Writes progress updates in order on one background thread with its own ``Library``,
    so a player never waits for the database. Updates to one resource that queue up while a
    write is running are merged (latest position, completion kept)."""

    def __init__(self, home: str | os.PathLike[str] | None, profile: str | None = None) -> None:
        self.home = home
        self.profile = profile
        self._pending: dict[str, ProgressUpdate] = {}
        self._order: list[str] = []
        self._condition = threading.Condition()
        self._busy = False
        self._closed = False
        self._thread: threading.Thread | None = None
        self.errors: list[BaseException] = []

    def submit(self, resource_id: str, update: ProgressUpdate) -> None:
        with self._condition:
            if self._closed:
                raise RuntimeError("the progress writer is closed")
            previous = self._pending.get(resource_id)
            if previous is not None:
                update = ProgressUpdate(update.position, update.complete or previous.complete)
            else:
                self._order.append(resource_id)
            self._pending[resource_id] = update
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="ujuzi-progress", daemon=True
                )
                self._thread.start()
            self._condition.notify_all()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every submitted update is written; False on timeout."""
        with self._condition:
            return self._condition.wait_for(
                lambda: not self._pending and not self._busy, timeout=timeout
            )

    def close(self, timeout: float = 10.0) -> bool:
        done = self.flush(timeout)
        with self._condition:
            self._closed = True
            self._condition.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        return done

    def _run(self) -> None:
        library: Library | None = None
        try:
            while True:
                with self._condition:
                    self._condition.wait_for(lambda: self._pending or self._closed)
                    if not self._pending:
                        return
                    resource_id = self._order.pop(0)
                    update = self._pending.pop(resource_id)
                    self._busy = True
                try:
                    if library is None:
                        library = Library(self.home)
                    save_progress(library, resource_id, update, self.profile)
                except Exception as exc:  # kept for the caller; playback goes on
                    self.errors.append(exc)
                finally:
                    with self._condition:
                        self._busy = False
                        self._condition.notify_all()
        finally:
            if library is not None:
                library.close()
