"""Hostile archives made at test time: what an attacker (or a broken exporter) would write.

Zips are written byte by byte where :mod:`zipfile` refuses to (encryption flags, unknown
compression methods, end records that lie about the entry count), so the tests exercise the
same bytes a crafted file would carry.
"""

from __future__ import annotations

import io
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

from tests.packs import scorm12_manifest

_LOCAL = struct.Struct("<4s5H3L2H")  # 30 bytes
_CENTRAL = struct.Struct("<4s6H3L5H2L")  # 46 bytes
_EOCD = struct.Struct("<4s4H2LH")  # 22 bytes
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")  # 56 bytes
_ZIP64_LOCATOR = struct.Struct("<4sLQL")  # 20 bytes

SCORM_MANIFEST = scorm12_manifest("org.test.scorm", "Test course", "Lesson",
                                  ("index.html",)).encode()


def scorm_zip(
    path: Path,
    files: dict[str, bytes] | None = None,
    manifest: bytes = SCORM_MANIFEST,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A small valid SCORM 1.2 package plus ``files``."""
    with zipfile.ZipFile(path, "w", compression) as archive:
        archive.writestr("imsmanifest.xml", manifest)
        archive.writestr("index.html", b"<html><body><p>Hello, learner.</p></body></html>")
        for name, data in (files or {}).items():
            archive.writestr(name, data)
    return path


def deep_scorm_manifest(depth: int) -> bytes:
    """A SCORM manifest whose items are nested ``depth`` deep."""
    return (
        b'<?xml version="1.0"?><manifest identifier="deep" '
        b'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><organizations default="o">'
        b'<organization identifier="o"><title>Deep</title>'
        + b'<item identifier="i" identifierref="r1">' * depth
        + b"</item>" * depth
        + b'</organization></organizations><resources><resource identifier="r1" '
        b'type="webcontent" href="index.html"><file href="index.html"/></resource>'
        b"</resources></manifest>"
    )


def patch_member(path: Path, name: str, *, flags: int | None = None,
                 method: int | None = None) -> None:
    """Set the general-purpose flags or the compression method of member ``name`` in both its
    local header and its central directory record (zipfile writes neither as asked)."""
    data = bytearray(path.read_bytes())
    wanted = name.encode()
    for signature, header, name_at, flags_at, method_at in (
        (b"PK\x03\x04", 30, 26, 6, 8),
        (b"PK\x01\x02", 46, 28, 8, 10),
    ):
        position = data.find(signature)
        found = False
        while position >= 0:
            name_length = struct.unpack_from("<H", data, position + name_at)[0]
            if data[position + header:position + header + name_length] == wanted:
                if flags is not None:
                    struct.pack_into("<H", data, position + flags_at, flags)
                if method is not None:
                    struct.pack_into("<H", data, position + method_at, method)
                found = True
            position = data.find(signature, position + 4)
        assert found, f"{name} not found in {path}"
    path.write_bytes(bytes(data))


def many_entries_zip(path: Path, count: int, claim: int | None = None,
                     zip64: bool = False) -> Path:
    """A real zip of ``count`` empty stored files (``f/0000001`` ...), written directly (a
    zipfile loop would take minutes). ``claim`` makes the end record state another count, as
    a crafted file may; ``zip64`` writes the count in a zip64 end record."""
    crc = zlib.crc32(b"")
    local_parts: list[bytes] = []
    central_parts: list[bytes] = []
    offset = 0
    for index in range(count):
        name = f"f/{index:07d}".encode()
        local = _LOCAL.pack(b"PK\x03\x04", 20, 0, 0, 0, 0x21, crc, 0, 0, len(name), 0) + name
        central_parts.append(
            _CENTRAL.pack(b"PK\x01\x02", 20, 20, 0, 0, 0, 0x21, crc, 0, 0, len(name), 0, 0,
                          0, 0, 0, offset) + name
        )
        local_parts.append(local)
        offset += len(local)
    central = b"".join(central_parts)
    stated = count if claim is None else claim
    with open(path, "wb") as out:
        out.write(b"".join(local_parts))
        out.write(central)
        if zip64:
            record_at = offset + len(central)
            out.write(_ZIP64_EOCD.pack(b"PK\x06\x06", 44, 45, 45, 0, 0, stated, stated,
                                       len(central), offset))
            out.write(_ZIP64_LOCATOR.pack(b"PK\x06\x07", 0, record_at, 1))
            out.write(_EOCD.pack(b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF,
                                 0))
        else:
            out.write(_EOCD.pack(b"PK\x05\x06", 0, 0, min(stated, 0xFFFF), min(stated, 0xFFFF),
                                 len(central), offset, 0))
    return path


def claiming_zip(path: Path, claim: int, zip64: bool = False) -> Path:
    """A few bytes whose end record claims ``claim`` entries and a central directory to
    match, but holds none: what a hostile file sends to make a reader allocate."""
    with open(path, "wb") as out:
        if zip64:
            out.write(_ZIP64_EOCD.pack(b"PK\x06\x06", 44, 45, 45, 0, 0, claim, claim,
                                       claim * 47, 0))
            out.write(_ZIP64_LOCATOR.pack(b"PK\x06\x07", 0, 0, 1))
            out.write(_EOCD.pack(b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF,
                                 0))
        else:
            out.write(_EOCD.pack(b"PK\x05\x06", 0, 0, min(claim, 0xFFFF), min(claim, 0xFFFF),
                                 0, 0, 0))
    return path


def zeros_zip(path: Path, members: int, member_bytes: int, prefix: str = "",
              extra: dict[str, bytes] | None = None, stored: dict[str, bytes] | None = None,
              manifest: bytes | None = SCORM_MANIFEST) -> Path:
    """A SCORM zip with ``members`` deflated files of zeros (about 1000:1 each), plus
    deflated ``extra`` and stored ``stored`` files."""
    block = bytes(member_bytes)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if manifest is not None:
            archive.writestr("imsmanifest.xml", manifest)
            archive.writestr("index.html", b"<html><body>Zeros</body></html>")
        for index in range(members):
            archive.writestr(f"{prefix}zeros{index:04d}.bin", block)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
        for name, data in (stored or {}).items():
            archive.writestr(name, data, zipfile.ZIP_STORED)
    return path


def tar_gz(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


OLX_COURSE = b'<course url_name="demo" org="TestX" course="T101"/>'
