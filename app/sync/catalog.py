"""The hub's catalog as this library sees it: each pack new, installed or an update.

The last catalog fetched is kept in the library's database, so the app shows it offline;
each fetch sends its ETag and a hub that has nothing new answers 304 with no body. The
status of each entry is worked out again from the installed packs every time it is read.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from app.errors import HubError, NetworkError, PackError
from app.i18n import _
from app.languages import language_chain, negotiate
from app.library import Library
from app.packs.manifest import parse_manifest, unique_files
from app.packs.rules import version_key
from app.sync import state
from app.sync.account import Account

NEW = "new"
INSTALLED = "installed"
UPDATE = "update"


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    version: str
    title: dict[str, str]
    description: dict[str, str]
    languages: list[str]
    skills: list[str]
    level: str | None
    license: str
    attribution: str
    size: int
    files: int
    status: str  # NEW, INSTALLED or UPDATE
    installed_version: str | None = None
    #: Bytes of the files this library's store lacks, when the manifest is known here.
    download_bytes: int | None = None
    manifest_sha256: str | None = None
    published_at: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def title_in(self, languages: list[str]) -> str:
        """The title in the first of ``languages`` that it has (else any)."""
        keys = list(self.title)
        index = negotiate(languages, keys)
        if index is not None:
            return self.title[keys[index]]
        return next(iter(self.title.values()), self.id)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        return data


def preferred_languages(library: Library) -> list[str]:
    settings = library.settings
    return language_chain(str(settings.get("ui_language")),
                          [str(lang) for lang in settings.get("content_languages")])


def _text_map(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(key): str(text) for key, text in value.items()}
    return {}


def _status(version: str, installed: str | None) -> str:
    if installed is None:
        return NEW
    try:
        newer = version_key(version).compare(version_key(installed)) > 0
    except PackError:
        newer = version != installed
    return UPDATE if newer else INSTALLED


def _known_manifests(library: Library) -> dict[tuple[str, str], bytes]:
    """Signed manifests this library already fetched (with a queued or past download)."""
    return {
        (str(row[0]), str(row[1])): str(row[2]).encode("utf-8")
        for row in library.db.execute(
            "SELECT pack_id, version, manifest FROM downloads WHERE manifest IS NOT NULL "
            "ORDER BY id")
    }


def _entries(library: Library, packs: list[Any]) -> list[CatalogEntry]:
    installed = {str(row[0]): str(row[1])
                 for row in library.db.execute("SELECT id, version FROM packs")}
    manifests = _known_manifests(library)
    entries = []
    for item in packs:
        if not isinstance(item, dict):
            continue
        try:
            pack_id, version = str(item["id"]), str(item["version"])
        except KeyError:
            continue
        have = installed.get(pack_id)
        status = _status(version, have)
        download: int | None = 0 if status == INSTALLED else None
        raw = manifests.get((pack_id, version))
        if download is None and raw is not None:
            try:
                files = unique_files(parse_manifest(raw))
            except PackError:
                files = []
            download = sum(entry["size"] for entry in {e["sha256"]: e for e in files}.values()
                           if not library.blobs.has(entry["sha256"], entry["size"]))
        entries.append(CatalogEntry(
            id=pack_id, version=version,
            title=_text_map(item.get("title")), description=_text_map(item.get("description")),
            languages=[str(lang) for lang in item.get("languages") or []],
            skills=[str(skill) for skill in item.get("skills") or []],
            level=None if item.get("level") is None else str(item["level"]),
            license=str(item.get("license") or ""),
            attribution=str(item.get("attribution") or ""),
            size=int(item.get("size") or 0), files=int(item.get("files") or 0),
            status=status, installed_version=have, download_bytes=download,
            manifest_sha256=item.get("manifest_sha256"),
            published_at=item.get("published_at"),
            extra={key: value for key, value in item.items() if key not in _KNOWN},
        ))
    return entries


_KNOWN = {"id", "version", "title", "description", "languages", "skills", "level", "license",
          "attribution", "size", "files", "manifest_sha256", "published_at"}


def fetch_catalog(library: Library, profile: str | None = None) -> list[CatalogEntry]:
    """Ask the hub of ``profile``'s account (None: the library's link) for its catalog
    (sending the ETag of the copy kept here), keep it for offline use and return it with
    each pack's status in this library."""
    account = Account(library, profile)
    db = library.db
    url = account.url
    etag = state.get(db, state.CATALOG_ETAG) if state.get(db, state.CATALOG_URL) == url else None
    headers = {"Accept-Encoding": "gzip"}
    if etag and state.get(db, state.CATALOG) is not None:
        headers["If-None-Match"] = etag
    with account.session() as hub:
        body, answer_headers = hub.json_and_headers(
            "GET", "/api/v1/catalog", expect=(200, 304), headers=headers)
        if body is None:  # 304: the copy kept here is current
            return cached_catalog(library)
        packs = body.get("packs") if isinstance(body, dict) else None
        if not isinstance(packs, list):
            raise HubError(
                _("The hub at {url} sent a catalog the client cannot read.").format(url=hub.url))
    state.put(db, state.CATALOG, json.dumps(packs, ensure_ascii=False))
    state.put(db, state.CATALOG_ETAG, answer_headers.get("ETag"))
    state.put(db, state.CATALOG_URL, url)
    return _entries(library, packs)


def cached_catalog(library: Library) -> list[CatalogEntry]:
    """The catalog fetched last (empty when none was), with statuses worked out again."""
    text = state.get(library.db, state.CATALOG)
    if not text:
        return []
    try:
        packs = json.loads(text)
    except ValueError:
        return []
    return _entries(library, packs if isinstance(packs, list) else [])


def catalog_entry(library: Library, pack_id: str, fetch: bool = True,
                  profile: str | None = None) -> CatalogEntry | None:
    """One pack's entry: from the hub when ``fetch`` (falling back to the copy kept here when
    the hub cannot be reached), else from the copy."""
    entries = None
    if fetch:
        try:
            entries = fetch_catalog(library, profile)
        except NetworkError:
            entries = None
    if entries is None:
        entries = cached_catalog(library)
    return next((entry for entry in entries if entry.id == pack_id), None)
