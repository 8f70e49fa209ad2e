"""Import, update, export and remove packs: the round trips and every kind of bad input."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from app.errors import (
    Cancelled,
    ChecksumError,
    DiskSpaceError,
    ManifestError,
    NotFoundError,
    PackError,
    UnsafeArchiveError,
    VersionError,
)
from app.library import Library
from app.packs.exporter import export_pack
from app.packs.importer import import_pack, version_key
from app.tasks import Progress, Reporter
from tests.packs import make_pack, rewrite_manifest

VIDEO = bytes(range(256)) * 4096  # 1 MiB of stand-in media bytes


def snapshot(library: Library) -> tuple[list[tuple[object, ...]], list[str]]:
    """Everything a learner could see: all rows of every table, and the stored blobs."""
    tables = [r[0] for r in library.db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    rows = []
    for table in tables:
        rows.extend((table, *row) for row in library.db.execute(f"SELECT * FROM [{table}]"))
    return rows, sorted(library.blobs.all_hashes())


def test_import_shows_pack_resources_and_files(library: Library, tmp_path: Path) -> None:
    manifest = make_pack(tmp_path / "p.ujpack", media={"clip": VIDEO})
    result = import_pack(library, tmp_path / "p.ujpack")
    assert (result.status, result.files_stored) == ("imported", 2)
    [pack] = library.packs()
    assert pack["id"] == "org.test.sample"
    assert pack["title"]["sw"] == "Kifurushi cha mfano"
    assert pack["resource_count"] == 2
    shown = library.pack("org.test.sample")
    ids = [r["id"] for r in shown["sections"][0]["resources"]]
    assert ids == ["org.test.sample/intro", "org.test.sample/clip"]
    clip = library.resource("org.test.sample/clip")
    [entry] = clip["files"]
    assert entry["sha256"] == manifest["resources"][1]["files"][0]["sha256"]
    assert Path(entry["blob"]).read_bytes() == VIDEO
    assert library.main_file("org.test.sample/clip").read_bytes() == VIDEO


def test_reimporting_the_same_version_changes_nothing(library: Library, tmp_path: Path) -> None:
    make_pack(tmp_path / "p.ujpack")
    import_pack(library, tmp_path / "p.ujpack")
    before = snapshot(library)
    result = import_pack(library, tmp_path / "p.ujpack")
    assert result.status == "unchanged"
    assert snapshot(library) == before


def test_newer_version_replaces_old_and_keeps_progress_and_notes(
    library: Library, tmp_path: Path
) -> None:
    make_pack(tmp_path / "v1.ujpack", media={"clip": VIDEO, "old": b"old media" * 100})
    import_pack(library, tmp_path / "v1.ujpack")
    library.record_progress("org.test.sample/clip", position=42.5)
    library.record_progress("org.test.sample/intro", complete=True)
    note = library.add_note("org.test.sample/clip", "Watch the part about sources", at_seconds=40)
    old_blob = library.resource("org.test.sample/old")["files"][0]["sha256"]

    make_pack(tmp_path / "v2.ujpack", version="1.1.0", media={"clip": VIDEO},
              articles={"intro": "# Intro\n\nRewritten for version 1.1.\n"})
    result = import_pack(library, tmp_path / "v2.ujpack")
    assert (result.status, result.previous_version, result.version) == ("updated", "1.0.0", "1.1.0")
    assert result.files_stored == 1  # the unchanged video is reused, only the article travels
    assert library.packs()[0]["version"] == "1.1.0"
    assert library.progress("org.test.sample/clip")["position"] == 42.5
    assert library.progress("org.test.sample/intro")["completed"] is True
    assert [n["id"] for n in library.notes()] == [note["id"]]
    with pytest.raises(NotFoundError):
        library.resource("org.test.sample/old")
    assert old_blob not in set(library.blobs.all_hashes())  # the dropped file was freed


def test_older_or_silently_changed_version_is_refused(library: Library, tmp_path: Path) -> None:
    make_pack(tmp_path / "v2.ujpack", version="2.0.0")
    import_pack(library, tmp_path / "v2.ujpack")
    make_pack(tmp_path / "v1.ujpack", version="1.9.9")
    with pytest.raises(VersionError, match="older"):
        import_pack(library, tmp_path / "v1.ujpack")
    make_pack(tmp_path / "v2b.ujpack", version="2.0.0", articles={"intro": "# Changed\n"})
    with pytest.raises(VersionError, match="new version number"):
        import_pack(library, tmp_path / "v2b.ujpack")
    assert library.packs()[0]["version"] == "2.0.0"


def test_version_ordering_follows_semver() -> None:
    order = ["0.9.0", "1.0.0-alpha", "1.0.0-alpha.2", "1.0.0-beta", "1.0.0", "1.0.1", "1.10.0"]
    assert sorted(order, key=version_key) == order


def test_files_shared_between_packs_are_stored_once(library: Library, tmp_path: Path) -> None:
    make_pack(tmp_path / "a.ujpack", pack_id="org.test.a", media={"clip": VIDEO})
    make_pack(tmp_path / "b.ujpack", pack_id="org.test.b", media={"same": VIDEO})
    import_pack(library, tmp_path / "a.ujpack")
    result = import_pack(library, tmp_path / "b.ujpack")
    assert result.files_stored == 0  # both files (article text and video) already stored
    assert len(list(library.blobs.all_hashes())) == 2
    library.remove_pack("org.test.a")
    assert library.main_file("org.test.b/same").read_bytes() == VIDEO
    library.remove_pack("org.test.b")
    assert list(library.blobs.all_hashes()) == []


def test_export_imports_elsewhere_byte_identically(library: Library, tmp_path: Path) -> None:
    make_pack(tmp_path / "p.ujpack", media={"clip": VIDEO})
    import_pack(library, tmp_path / "p.ujpack")
    out = export_pack(library, "org.test.sample", tmp_path / "exported.ujpack")
    assert out.read_bytes() == (tmp_path / "p.ujpack").read_bytes()
    with Library(tmp_path / "other-home") as other:
        import_pack(other, out)
        mine = {f["path"]: f["sha256"] for r in library.pack("org.test.sample")["sections"][0][
            "resources"] for f in r["files"]}
        theirs = {f["path"]: f["sha256"] for r in other.pack("org.test.sample")["sections"][0][
            "resources"] for f in r["files"]}
        assert mine == theirs
        assert other.verify().damaged == []  # every blob hashes to its name
    with zipfile.ZipFile(out) as archive:
        assert archive.getinfo("media/clip.webm").compress_type == zipfile.ZIP_STORED
        assert archive.getinfo("articles/intro.md").compress_type == zipfile.ZIP_DEFLATED


def test_remove_keeps_learner_records_for_a_later_reimport(
    library: Library, tmp_path: Path
) -> None:
    make_pack(tmp_path / "p.ujpack")
    import_pack(library, tmp_path / "p.ujpack")
    library.record_progress("org.test.sample/intro", complete=True)
    library.remove_pack("org.test.sample")
    assert library.packs() == []
    with pytest.raises(NotFoundError):
        library.remove_pack("org.test.sample")
    import_pack(library, tmp_path / "p.ujpack")
    assert library.progress("org.test.sample/intro")["completed"] is True


# -- bad input: a clear error and the library untouched --------------------------------------


@pytest.fixture
def installed(library: Library, tmp_path: Path) -> Library:
    """A library that already holds a pack, so 'untouched' is checked against real content."""
    make_pack(tmp_path / "installed.ujpack", pack_id="org.test.installed", media={"v": VIDEO})
    import_pack(library, tmp_path / "installed.ujpack")
    library.record_progress("org.test.installed/v", position=3)
    return library


def assert_refused(library: Library, pack: Path, error: type[Exception], match: str) -> None:
    before = snapshot(library)
    with pytest.raises(error, match=match) as caught:
        import_pack(library, pack)
    assert "\n" not in str(caught.value)
    assert snapshot(library) == before
    assert list(library.blobs.tmp.iterdir()) == []
    assert library.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_truncated_pack(installed: Library, tmp_path: Path) -> None:
    make_pack(tmp_path / "p.ujpack", media={"clip": VIDEO})
    data = (tmp_path / "p.ujpack").read_bytes()
    (tmp_path / "cut.ujpack").write_bytes(data[: len(data) // 2])
    assert_refused(installed, tmp_path / "cut.ujpack", PackError, "truncated")


def test_flipped_byte_with_matching_zip_crc_fails_the_checksum(
    installed: Library, tmp_path: Path
) -> None:
    make_pack(tmp_path / "p.ujpack", media={"clip": VIDEO + b"new"})
    with zipfile.ZipFile(tmp_path / "p.ujpack") as source, \
            zipfile.ZipFile(tmp_path / "bad.ujpack", "w") as target:
        for info in source.infolist():
            data = bytearray(source.read(info))
            if info.filename.endswith(".webm"):
                data[500_000] ^= 0x01
            target.writestr(info, bytes(data))  # recomputes the zip CRC: only sha256 notices
    assert_refused(installed, tmp_path / "bad.ujpack", ChecksumError, "checksum")


def test_flipped_byte_in_stored_media_is_caught(installed: Library, tmp_path: Path) -> None:
    make_pack(tmp_path / "p.ujpack", media={"clip": VIDEO + b"new"})
    data = bytearray((tmp_path / "p.ujpack").read_bytes())
    offset = data.find(VIDEO[1000:1100])
    data[offset] ^= 0xFF
    (tmp_path / "flipped.ujpack").write_bytes(bytes(data))
    assert_refused(installed, tmp_path / "flipped.ujpack", PackError, "damaged|checksum")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda m: m.pop("license"), "license"),
        (lambda m: m.update(id="Not An Id!"), "id"),
        (lambda m: m["resources"][0].update(kind="hologram"), "kind"),
        (lambda m: m["resources"][0]["files"][0].update(sha256="xyz"), "sha256"),
        (lambda m: m["resources"][0]["files"][0].update(path="../../etc/passwd"), "path"),
        (lambda m: m["resources"][0]["files"][0].update(path="/etc/passwd"), "path"),
        (lambda m: m["sections"][0]["resources"].append("ghost"), "ghost"),
        (lambda m: m.update(version="one"), "version"),
    ],
)
def test_manifest_that_fails_the_schema(
    installed: Library, tmp_path: Path, change: object, match: str
) -> None:
    make_pack(tmp_path / "p.ujpack")
    rewrite_manifest(tmp_path / "p.ujpack", tmp_path / "bad.ujpack", change)
    assert_refused(installed, tmp_path / "bad.ujpack", ManifestError, match)


def test_manifest_that_is_not_json(installed: Library, tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "bad.ujpack", "w") as archive:
        archive.writestr("pack.json", b"{ not json")
    assert_refused(installed, tmp_path / "bad.ujpack", ManifestError, "not valid JSON")


def test_manifest_missing(installed: Library, tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "bad.ujpack", "w") as archive:
        archive.writestr("readme.txt", b"hello")
    assert_refused(installed, tmp_path / "bad.ujpack", PackError, "no pack.json")


def test_listed_file_missing_from_archive(installed: Library, tmp_path: Path) -> None:
    make_pack(tmp_path / "p.ujpack", media={"clip": VIDEO})
    with zipfile.ZipFile(tmp_path / "p.ujpack") as source, \
            zipfile.ZipFile(tmp_path / "bad.ujpack", "w") as target:
        for info in source.infolist():
            if not info.filename.endswith(".webm"):
                target.writestr(info, source.read(info))
    assert_refused(installed, tmp_path / "bad.ujpack", PackError, "missing media/clip.webm")


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/evil", "a/../../evil", "C:/evil",
                                  "a\\..\\evil"])
def test_zip_entries_that_escape(installed: Library, tmp_path: Path, name: str) -> None:
    make_pack(tmp_path / "p.ujpack")
    with zipfile.ZipFile(tmp_path / "p.ujpack") as source, \
            zipfile.ZipFile(tmp_path / "bad.ujpack", "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr(zipfile.ZipInfo(name), b"owned")
    assert_refused(installed, tmp_path / "bad.ujpack", UnsafeArchiveError, "unsafe path")
    assert not (tmp_path / "evil.txt").exists()


def test_zip_entry_that_is_a_symlink(installed: Library, tmp_path: Path) -> None:
    make_pack(tmp_path / "p.ujpack")
    with zipfile.ZipFile(tmp_path / "p.ujpack") as source, \
            zipfile.ZipFile(tmp_path / "bad.ujpack", "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        link = zipfile.ZipInfo("link")
        link.external_attr = (0o120777) << 16
        target.writestr(link, "/etc/passwd")
    assert_refused(installed, tmp_path / "bad.ujpack", UnsafeArchiveError, "link")


def test_real_zip_bomb(installed: Library, tmp_path: Path) -> None:
    make_pack(tmp_path / "p.ujpack")
    with zipfile.ZipFile(tmp_path / "p.ujpack") as source, \
            zipfile.ZipFile(tmp_path / "bomb.ujpack", "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        # 200 MB of zeros deflate to about 200 KB: a thousand-fold expansion.
        zeros = zipfile.ZipInfo("zeros.bin")
        zeros.compress_type = zipfile.ZIP_DEFLATED
        with target.open(zeros, "w") as stream:
            block = bytes(1024 * 1024)
            for _ in range(200):
                stream.write(block)
    assert (tmp_path / "bomb.ujpack").stat().st_size < 1024 * 1024
    assert_refused(installed, tmp_path / "bomb.ujpack", UnsafeArchiveError, "zip bomb")


def test_declared_sizes_past_the_limit(installed: Library, tmp_path: Path) -> None:
    make_pack(tmp_path / "p.ujpack", media={"clip": VIDEO})
    installed.settings.set("max_pack_bytes", 512 * 1024)
    assert_refused(installed, tmp_path / "p.ujpack", UnsafeArchiveError, "size limit")


def test_file_that_is_not_a_zip(installed: Library, tmp_path: Path) -> None:
    (tmp_path / "fake.ujpack").write_bytes(b"%PDF-1.4 this is not a zip at all\n" * 100)
    assert_refused(installed, tmp_path / "fake.ujpack", PackError, "not a zip")
    assert_refused(installed, tmp_path / "absent.ujpack", PackError, "No such file")


def test_not_enough_disk_space_is_checked_before_copying(tmp_path: Path) -> None:
    # The free-space probe is injected (tests/integration/test_disk_full.py fills a real
    # small disk): 1 MiB of media plus the 1 MiB kept free does not fit in 1.5 MiB.
    make_pack(tmp_path / "p.ujpack", media={"clip": VIDEO})
    with Library(tmp_path / "home", free_space=lambda _path: 3 * 512 * 1024) as library:
        before = snapshot(library)
        with pytest.raises(DiskSpaceError, match="Not enough disk space"):
            import_pack(library, tmp_path / "p.ujpack")
        assert snapshot(library) == before


def test_cancel_at_any_point_leaves_the_library_as_it_was(
    installed: Library, tmp_path: Path
) -> None:
    make_pack(tmp_path / "p.ujpack", pack_id="org.test.new",
              media={f"clip{i}": VIDEO + bytes([i]) for i in range(4)})
    reports: list[int] = []
    import_pack(installed, tmp_path / "p.ujpack",
                Reporter(lambda p: reports.append(p.done)))
    installed.remove_pack("org.test.new")
    points = len(reports)
    assert points > 5
    before = snapshot(installed)
    for stop_at in range(points):
        calls = 0

        def cancel(stop_at: int = stop_at) -> bool:
            nonlocal calls
            calls += 1
            return calls > stop_at

        with pytest.raises(Cancelled):
            import_pack(installed, tmp_path / "p.ujpack", Reporter(cancel=cancel))
        assert not installed.has_pack("org.test.new")
        with installed.write_lock():
            installed.collect_garbage()  # what the next start does with a cancelled import's blobs
        assert snapshot(installed) == before


def test_database_survives_foreign_writers(
    library: Library, home: Path, tmp_path: Path
) -> None:
    """The database is a normal SQLite file in WAL mode that another tool can write while an
    import runs: its rows and the pack both survive, and in the middle of the import's
    transaction it reads no half-imported pack and cannot write."""
    foreign = sqlite3.connect(home / "library.sqlite3", timeout=0, isolation_level=None)
    assert foreign.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert foreign.execute("PRAGMA user_version").fetchone()[0] >= 1
    foreign.execute("CREATE TABLE foreign_log (stage TEXT, done INTEGER)")
    packs_seen_mid_transaction: list[int] = []

    def foreign_tool(progress: Progress) -> None:
        if progress.stage == "import":  # streaming files, before and after the transaction
            foreign.execute("INSERT INTO foreign_log VALUES (?, ?)",
                            (progress.stage, progress.done))
        elif progress.stage == "index" and not packs_seen_mid_transaction:
            packs_seen_mid_transaction.append(
                foreign.execute("SELECT count(*) FROM packs").fetchone()[0])
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                foreign.execute("INSERT INTO foreign_log VALUES ('index', 0)")

    make_pack(tmp_path / "p.ujpack", media={"clip": VIDEO})
    result = import_pack(library, tmp_path / "p.ujpack", Reporter(foreign_tool))
    assert result.status == "imported"
    assert packs_seen_mid_transaction == [0]
    written = foreign.execute("SELECT count(*) FROM foreign_log").fetchone()[0]
    assert written >= 3  # the first report, at least one chunk, the last report
    foreign.close()
    with Library(home) as reopened:
        assert reopened.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert reopened.main_file("org.test.sample/clip").read_bytes() == VIDEO
        assert reopened.db.execute("SELECT count(*) FROM foreign_log").fetchone()[0] == written


def test_every_blob_is_named_by_its_content(library: Library, tmp_path: Path) -> None:
    make_pack(tmp_path / "p.ujpack", media={"clip": VIDEO})
    import_pack(library, tmp_path / "p.ujpack")
    for sha in library.blobs.all_hashes():
        path = library.blobs.path_for(sha)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
        assert path.parent.name == sha[2:4] and path.parent.parent.name == sha[:2]


def test_manifest_is_stored_verbatim(library: Library, tmp_path: Path) -> None:
    make_pack(tmp_path / "p.ujpack")
    import_pack(library, tmp_path / "p.ujpack")
    with zipfile.ZipFile(tmp_path / "p.ujpack") as archive:
        original = archive.read("pack.json").decode()
    stored = library.db.execute("SELECT manifest FROM packs").fetchone()[0]
    assert stored == original
    assert json.loads(stored)["id"] == "org.test.sample"
