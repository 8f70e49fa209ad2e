"""How long a video or audio file lasts, read from its container's headers.

The pack builder needs durations on every machine, including those without VLC (the starter
packs are built on first start), so nothing here decodes media or loads libvlc:

* mutagen recognises MP4, MOV and M4A, Ogg (Vorbis, Opus, Theora, Speex, FLAC), MP3, WAV
  and FLAC and reads their lengths. For MP4 and MOV, whose length mutagen takes from the
  sound track, the movie header's duration is read here; a fragmented MP4 (written for
  streaming) has none there, and its fragments are added up instead. In Ogg, each stream
  (video, sound) is read and the longest counts.
* WebM and Matroska are read here: the Segment's Info gives the Duration in units of its
  TimestampScale. A file written as a live stream (browser recorders) has no Duration; the
  timestamp of its last block is used instead.

Durations are rounded to milliseconds, and the same file gives the same duration on every
machine, so a pack's manifest does not depend on what is installed. A file none of these
can read has no duration (None): the builder warns and goes on.
"""

from __future__ import annotations

import math
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

import mutagen
from mutagen.mp4 import MP4
from mutagen.ogg import OggFileType
from mutagen.oggflac import OggFLAC
from mutagen.oggopus import OggOpus
from mutagen.oggspeex import OggSpeex
from mutagen.oggtheora import OggTheora
from mutagen.oggvorbis import OggVorbis


class _Malformed(ValueError):
    """The file is not what its header says, or ends early."""


#: What reading a damaged or unknown file raises. Besides its own errors, mutagen lets an
#: IndexError or a struct.error out of some damaged Vorbis comments and MP3 frames.
_UNREADABLE = (OSError, mutagen.MutagenError, ValueError, IndexError, struct.error,
               OverflowError)


def media_duration(path: Path) -> float | None:
    """Seconds of audio or video in ``path``, or None when its headers do not tell."""
    try:
        with path.open("rb") as stream:
            if stream.read(4) == _EBML_MAGIC:
                seconds = _matroska_duration(stream)
            else:
                stream.seek(0)
                seconds = _mutagen_duration(stream)
    except _UNREADABLE:
        return None
    if seconds is None or not math.isfinite(seconds) or seconds <= 0:
        return None
    return round(seconds, 3)


#: Ogg carries one logical stream per track, and mutagen reads one kind at a time.
_OGG_KINDS = (OggVorbis, OggOpus, OggTheora, OggFLAC, OggSpeex)


def _mutagen_duration(stream: BinaryIO) -> float | None:
    found = mutagen.File(stream)
    if found is None or found.info is None:
        return None
    if isinstance(found, MP4):
        # mutagen gives the sound track's length; the movie header has the whole movie's.
        try:
            return _mp4_duration(stream) or float(found.info.length)
        except _UNREADABLE:
            return float(found.info.length)
    if isinstance(found, OggFileType):
        # An .ogv's video and sound end at different times: the last one to end counts.
        return max(_ogg_lengths(stream), default=None)
    return float(found.info.length)


def _ogg_lengths(stream: BinaryIO) -> Iterator[float]:
    for kind in _OGG_KINDS:
        stream.seek(0)
        try:
            info = kind(stream).info
        except _UNREADABLE:
            continue  # no stream of this kind, or a damaged one
        if info is not None:
            yield float(info.length)


# --- MP4 and MOV (ISO base media file format) -----------------------------------------------


def _read(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise _Malformed("the file ends early")
    return data


def _boxes(stream: BinaryIO, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, start of content, end) of each box between ``start`` and ``end``."""
    position = start
    while position + 8 <= end:
        stream.seek(position)
        size, kind = struct.unpack(">I4s", _read(stream, 8))
        header = 8
        if size == 1:
            (size,) = struct.unpack(">Q", _read(stream, 8))
            header = 16
        elif size == 0:
            size = end - position
        if size < header:
            raise _Malformed("a box smaller than its header")
        stop = min(position + size, end)  # a file cut short: read what is there
        yield kind, position + header, stop
        position = stop


def _full_box(stream: BinaryIO, start: int) -> tuple[int, int]:
    """(version, flags) of a full box whose content starts at ``start``."""
    stream.seek(start)
    word = struct.unpack(">I", _read(stream, 4))[0]
    return word >> 24, word & 0xFFFFFF


def _mp4_duration(stream: BinaryIO) -> float | None:
    """The movie header's duration; for a fragmented MP4, whose movie header says 0, the
    movie extends header's, else where the longest track's last fragment ends."""
    end = os.fstat(stream.fileno()).st_size
    movie_timescale = 0
    extends_duration = 0
    timescales: dict[int, int] = {}
    default_durations: dict[int, int] = {}
    track_ends: dict[int, int] = {}
    for kind, start, stop in _boxes(stream, 0, end):
        if kind == b"moov":
            for child, cstart, cstop in _boxes(stream, start, stop):
                if child == b"mvhd":
                    version, _ = _full_box(stream, cstart)
                    stream.seek(cstart + (20 if version == 1 else 12))
                    width = ">IQ" if version == 1 else ">II"
                    movie_timescale, movie_duration = struct.unpack(
                        width, _read(stream, struct.calcsize(width)))
                    unknown = (1 << (64 if version == 1 else 32)) - 1
                    if movie_timescale and movie_duration not in (0, unknown):
                        return float(movie_duration) / int(movie_timescale)
                elif child == b"trak":
                    track, timescale = _mp4_track(stream, cstart, cstop)
                    timescales[track] = int(timescale)
                elif child == b"mvex":
                    for grandchild, gstart, _gstop in _boxes(stream, cstart, cstop):
                        if grandchild == b"mehd":
                            version, _ = _full_box(stream, gstart)
                            width = ">Q" if version == 1 else ">I"
                            extends_duration = struct.unpack(
                                width, _read(stream, struct.calcsize(width)))[0]
                        elif grandchild == b"trex":
                            stream.seek(gstart + 4)
                            track, _index, duration = struct.unpack(">III", _read(stream, 12))
                            default_durations[track] = duration
            if extends_duration and movie_timescale:
                return extends_duration / movie_timescale
        elif kind == b"moof":
            for child, cstart, cstop in _boxes(stream, start, stop):
                if child == b"traf":
                    track, fragment_end = _mp4_fragment(stream, cstart, cstop, default_durations,
                                                        track_ends)
                    track_ends[track] = fragment_end
    seconds = [ticks / timescales[track] for track, ticks in track_ends.items()
               if timescales.get(track)]
    return max(seconds, default=None)


def _mp4_track(stream: BinaryIO, start: int, stop: int) -> tuple[int, int]:
    """(track id, media timescale) of a ``trak`` box."""
    track = timescale = 0
    for kind, cstart, cstop in _boxes(stream, start, stop):
        if kind == b"tkhd":
            version, _ = _full_box(stream, cstart)
            stream.seek(cstart + (20 if version == 1 else 12))
            track = struct.unpack(">I", _read(stream, 4))[0]
        elif kind == b"mdia":
            for child, gstart, _gstop in _boxes(stream, cstart, cstop):
                if child == b"mdhd":
                    version, _ = _full_box(stream, gstart)
                    stream.seek(gstart + (20 if version == 1 else 12))
                    timescale = struct.unpack(">I", _read(stream, 4))[0]
    return track, timescale


def _mp4_fragment(
    stream: BinaryIO, start: int, stop: int, defaults: dict[int, int], ends: dict[int, int]
) -> tuple[int, int]:
    """(track id, where this track fragment ends in the track's timescale) of a ``traf``."""
    track = 0
    default_duration = 0
    decode_time: int | None = None
    total = 0
    for kind, cstart, _cstop in _boxes(stream, start, stop):
        if kind == b"tfhd":
            _, flags = _full_box(stream, cstart)
            track = struct.unpack(">I", _read(stream, 4))[0]
            default_duration = defaults.get(track, 0)
            offset = (8 if flags & 0x01 else 0) + (4 if flags & 0x02 else 0)
            if flags & 0x08:
                stream.seek(cstart + 8 + offset)
                default_duration = struct.unpack(">I", _read(stream, 4))[0]
        elif kind == b"tfdt":
            version, _ = _full_box(stream, cstart)
            width = ">Q" if version == 1 else ">I"
            decode_time = struct.unpack(width, _read(stream, struct.calcsize(width)))[0]
        elif kind == b"trun":
            total += _mp4_run_duration(stream, cstart, default_duration)
    begin = decode_time if decode_time is not None else ends.get(track, 0)
    return track, begin + total


def _mp4_run_duration(stream: BinaryIO, start: int, default_duration: int) -> int:
    """The sum of the sample durations in a ``trun`` box."""
    _, flags = _full_box(stream, start)
    count = struct.unpack(">I", _read(stream, 4))[0]
    skip = (4 if flags & 0x001 else 0) + (4 if flags & 0x004 else 0)
    if not flags & 0x100:
        return int(count) * default_duration
    stream.read(skip)
    fields = sum(4 for bit in (0x100, 0x200, 0x400, 0x800) if flags & bit)
    data = _read(stream, count * fields)
    return sum(int(struct.unpack_from(">I", data, index * fields)[0]) for index in range(count))


# --- WebM and Matroska (EBML) ---------------------------------------------------------------

_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_EBML = 0x1A45DFA3
_DOC_TYPE = 0x4282
_SEGMENT = 0x18538067
_SEEK_HEAD = 0x114D9B74
_SEEK = 0x4DBB
_SEEK_ID = 0x53AB
_SEEK_POSITION = 0x53AC
_INFO = 0x1549A966
_TIMESTAMP_SCALE = 0x2AD7B1
_DURATION = 0x4489
_CLUSTER = 0x1F43B675
_CLUSTER_TIMESTAMP = 0xE7
_SIMPLE_BLOCK = 0xA3
_BLOCK_GROUP = 0xA0
_BLOCK = 0xA1
_BLOCK_DURATION = 0x9B
#: The Segment's children: an element of unknown size ends where one of these begins.
_TOP_LEVEL = frozenset({
    _SEEK_HEAD, _INFO, _CLUSTER, 0x1654AE6B, 0x1C53BB6B, 0x1941A469, 0x1043A770, 0x1254C367,
})
_DOC_TYPES = (b"webm", b"matroska")
#: Nanoseconds per timestamp unit when the file does not say (one millisecond).
_DEFAULT_SCALE = 1_000_000


def _vint(stream: BinaryIO, keep_marker: bool) -> tuple[int, bool]:
    """An EBML variable-length integer: (value, whether all its value bits are set, which
    for a size means "unknown")."""
    first = _read(stream, 1)[0]
    if first == 0:
        raise _Malformed("an EBML number longer than eight bytes")
    length = 9 - first.bit_length()
    value = first if keep_marker else first & (0xFF >> length)
    for byte in _read(stream, length - 1):
        value = (value << 8) | byte
    all_ones = value == (1 << (7 * length)) - 1
    return value, all_ones and not keep_marker


class _Element(NamedTuple):
    id: int
    start: int  # where its header starts
    data: int  # where its data starts
    end: int  # where its data ends


def _elements(stream: BinaryIO, start: int, end: int) -> Iterator[_Element]:
    """The elements between ``start`` and ``end``. An element of unknown size runs to
    ``end``, except a Cluster, which ends where the next element of the Segment begins."""
    position = start
    while position < end:
        stream.seek(position)
        element, _ = _vint(stream, keep_marker=True)
        size, unknown = _vint(stream, keep_marker=False)
        data = stream.tell()
        if unknown and element == _CLUSTER:
            stop = _unknown_cluster_end(stream, data, end)
        else:
            stop = end if unknown else min(data + size, end)  # a file cut short: what is there
        yield _Element(element, position, data, stop)
        position = stop


def _unknown_cluster_end(stream: BinaryIO, data: int, end: int) -> int:
    """Where a Cluster of unknown size (a live recording) ends: at the next element that
    belongs to the Segment, or the end of the file."""
    position = data
    while position < end:
        stream.seek(position)
        element, _ = _vint(stream, keep_marker=True)
        if element in _TOP_LEVEL:
            return position
        size, unknown = _vint(stream, keep_marker=False)
        if unknown:
            return end
        position = stream.tell() + size
    return end


def _uint(stream: BinaryIO, element: _Element) -> int:
    stream.seek(element.data)
    return int.from_bytes(_read(stream, element.end - element.data), "big")


def _bytes(stream: BinaryIO, element: _Element) -> bytes:
    stream.seek(element.data)
    return _read(stream, element.end - element.data)


def _float(stream: BinaryIO, element: _Element) -> float:
    data = _bytes(stream, element)
    if len(data) == 4:
        return float(struct.unpack(">f", data)[0])
    if len(data) == 8:
        return float(struct.unpack(">d", data)[0])
    raise _Malformed("a float of another size than 4 or 8 bytes")


def _matroska_duration(stream: BinaryIO) -> float | None:
    end = os.fstat(stream.fileno()).st_size
    header = next(_elements(stream, 0, end))
    if header.id != _EBML:
        return None
    doc_type = next((_bytes(stream, child) for child in _elements(stream, header.data, header.end)
                     if child.id == _DOC_TYPE), b"")
    if doc_type.rstrip(b"\0") not in _DOC_TYPES:
        return None
    segment = next((e for e in _elements(stream, header.end, end) if e.id == _SEGMENT), None)
    if segment is None:
        return None
    scale, duration = _DEFAULT_SCALE, None
    info_at: int | None = None
    first_cluster: int | None = None
    for element in _elements(stream, segment.data, segment.end):
        if element.id == _INFO:
            scale, duration = _matroska_info(stream, element)
            break
        if element.id == _SEEK_HEAD and info_at is None:
            info_at = _seek_target(stream, element, _INFO, segment.data)
        elif element.id == _CLUSTER:
            first_cluster = element.start
            break
    if first_cluster is not None and info_at is not None and info_at > first_cluster:
        # The SeekHead points at an Info written after the Clusters.
        info = next(_elements(stream, info_at, segment.end))
        if info.id == _INFO:
            scale, duration = _matroska_info(stream, info)
    if duration is not None:
        return duration * scale / 1e9
    if first_cluster is None:
        first_cluster = next((e.start for e in _elements(stream, segment.data, segment.end)
                              if e.id == _CLUSTER), None)
    if first_cluster is None:
        return None
    return _last_block_end(stream, first_cluster, segment.end) * scale / 1e9


def _matroska_info(stream: BinaryIO, info: _Element) -> tuple[int, float | None]:
    scale, duration = _DEFAULT_SCALE, None
    for element in _elements(stream, info.data, info.end):
        if element.id == _TIMESTAMP_SCALE:
            scale = _uint(stream, element) or _DEFAULT_SCALE
        elif element.id == _DURATION:
            duration = _float(stream, element)
    return scale, duration


def _seek_target(stream: BinaryIO, head: _Element, wanted: int, base: int) -> int | None:
    """Where the SeekHead ``head`` says the element ``wanted`` starts."""
    for seek in _elements(stream, head.data, head.end):
        if seek.id != _SEEK:
            continue
        target = position = None
        for child in _elements(stream, seek.data, seek.end):
            if child.id == _SEEK_ID:
                target = _uint(stream, child)
            elif child.id == _SEEK_POSITION:
                position = _uint(stream, child)
        if target == wanted and position is not None:
            return base + position
    return None


def _last_block_end(stream: BinaryIO, first_cluster: int, segment_end: int) -> int:
    """Where the last block ends, in timestamp units, reading every Cluster from the first
    (for a file whose Info has no Duration)."""
    latest = 0
    for cluster in _elements(stream, first_cluster, segment_end):
        if cluster.id != _CLUSTER:
            continue
        cluster_time = 0
        for child in _elements(stream, cluster.data, cluster.end):
            if child.id == _CLUSTER_TIMESTAMP:
                cluster_time = _uint(stream, child)
            elif child.id == _SIMPLE_BLOCK:
                latest = max(latest, cluster_time + _block_time(stream, child))
            elif child.id == _BLOCK_GROUP:
                block_time = block_duration = 0
                for part in _elements(stream, child.data, child.end):
                    if part.id == _BLOCK:
                        block_time = _block_time(stream, part)
                    elif part.id == _BLOCK_DURATION:
                        block_duration = _uint(stream, part)
                latest = max(latest, cluster_time + block_time + block_duration)
    return latest


def _block_time(stream: BinaryIO, block: _Element) -> int:
    """A block's timestamp relative to its Cluster: after the track number, a signed
    16-bit number."""
    stream.seek(block.data)
    _vint(stream, keep_marker=False)
    return int(struct.unpack(">h", _read(stream, 2))[0])
