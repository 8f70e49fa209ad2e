"""SCORM 1.2 and 2004 packages → a pack of interactive resources.

- The package's files are kept as they are under ``scorm/`` (pack-level attachments), so the
  content's own relative links keep working; XML schema files (``.xsd``, ``.dtd``) are left
  out.
- The default organisation becomes the pack's structure: each top-level item with children
  is a section (its launchable items, at any depth, in order), and consecutive top-level
  items without children form a section named after the organisation.
- Each item that points at a resource with a launch file becomes an ``interactive``
  resource whose main file is that launch page and whose url is
  ``scorm-1.2:scorm/<href>[?parameters]`` (or ``scorm-2004:``), which tells the runtime
  which SCORM API to give it.
- A package without an organisation falls back to its resources with a launch file, in
  manifest order (reported).
- Items whose resource or launch file is missing, other organisations, and sequencing rules
  are reported; they never stop the import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from app.errors import PackError
from app.i18n import _
from app.interactive import launch_url
from app.library import Library
from app.packs.importers.common import (
    ImportReport,
    PackDraft,
    finish,
    is_storable,
    language_tag,
    mime_for,
    pack_id,
    spdx_licence,
)
from app.packs.importers.sources import SourceTree, normalize_ref
from app.packs.importers.xmlutil import (
    Element,
    attr,
    child,
    children,
    descendants,
    local,
    parse,
    path_text,
    text,
)
from app.tasks import Reporter

PREFIX = "scorm/"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_SCHEMA_EXTS = (".xsd", ".dtd")


@dataclass
class Item:
    identifier: str
    title: str
    ref: str
    parameters: str
    children: list[Item] = field(default_factory=list)


@dataclass
class Resource:
    identifier: str
    href: str  # with xml:base applied; "" when the resource has no launch file
    scorm_type: str
    files: list[str]
    dependencies: list[str]


@dataclass
class Organization:
    identifier: str
    title: str
    items: list[Item]


@dataclass
class Manifest:
    identifier: str
    version: str  # "1.2" or "2004"
    title: str
    language: str
    licence: str | None
    organizations: list[Organization]
    default: str
    resources: dict[str, Resource]
    sequencing: bool


def scorm_version(root: Element) -> str:
    schema_version = path_text(child(root, "metadata"), "schemaversion")
    if schema_version:
        if "2004" in schema_version or "1.3" in schema_version:
            return "2004"
        if "1.2" in schema_version:
            return "1.2"
    namespaces = " ".join([root.tag, *root.attrib.values()])
    for element in root.iter():
        namespaces += " " + element.tag
        for key in element.attrib:
            namespaces += " " + key
    if "adlcp_v1p3" in namespaces or "imsss" in namespaces or "adlcp_v1p2}" in namespaces:
        return "2004"
    return "1.2"


def _items(element: Element) -> list[Item]:
    result = []
    for node in children(element, "item"):
        result.append(Item(
            identifier=node.get("identifier", ""),
            title=text(child(node, "title")) or node.get("identifier", ""),
            ref=node.get("identifierref", ""),
            parameters=node.get("parameters", ""),
            children=_items(node),
        ))
    return result


def parse_manifest(data: bytes, what: str = "imsmanifest.xml") -> Manifest:
    """Read a SCORM manifest; a clear :class:`PackError` when it is not one."""
    root = parse(data, what)
    if local(root.tag) != "manifest":
        raise PackError(_("{what} is not an IMS content packaging manifest.").format(what=what))
    resources_el = child(root, "resources")
    resources: dict[str, Resource] = {}
    if resources_el is not None:
        base = resources_el.get(_XML_BASE, "")
        for node in children(resources_el, "resource"):
            own_base = base + node.get(_XML_BASE, "")
            href = node.get("href", "")
            resources[node.get("identifier", "")] = Resource(
                identifier=node.get("identifier", ""),
                href=(own_base + href) if href else "",
                scorm_type=attr(node, "scormtype", "").lower(),
                files=[own_base + f.get("href", "") for f in children(node, "file")
                       if f.get("href")],
                dependencies=[d.get("identifierref", "") for d in children(node, "dependency")],
            )
    organizations = []
    orgs_el = child(root, "organizations")
    default = ""
    if orgs_el is not None:
        default = orgs_el.get("default", "")
        for node in children(orgs_el, "organization"):
            organizations.append(Organization(
                identifier=node.get("identifier", ""),
                title=text(child(node, "title")),
                items=_items(node),
            ))
    metadata = child(root, "metadata")
    lom = child(metadata, "lom")
    title = path_text(lom, "general", "title", "string") or path_text(
        lom, "general", "title", "langstring")
    language = path_text(lom, "general", "language")
    rights = path_text(lom, "rights", "description", "string") or path_text(
        lom, "rights", "description", "langstring")
    return Manifest(
        identifier=root.get("identifier", ""),
        version=scorm_version(root),
        title=title,
        language=language_tag(language, "en"),
        licence=spdx_licence(rights),
        organizations=organizations,
        default=default,
        resources=resources,
        sequencing=any(True for _ in descendants(root, "sequencing")),
    )


def _launch(href: str, parameters: str) -> tuple[str, str]:
    """The launch path and query of an item (SCORM's rules for joining ``parameters``)."""
    path, _sep, query = href.partition("?")
    parameters = parameters.strip()
    if parameters.startswith("#"):
        parameters = ""
    parameters = parameters.lstrip("?&")
    if parameters:
        query = f"{query}&{parameters}" if query else parameters
    return path, query


def _flatten(items: list[Item]) -> list[Item]:
    result = []
    for item in items:
        result.append(item)
        result.extend(_flatten(item.children))
    return result


def convert(library: Library, path: Path, tree: SourceTree | None, staging: Path,
            reporter: Reporter) -> ImportReport:
    assert tree is not None
    manifest = parse_manifest(tree.read("imsmanifest.xml"))
    runtime = "scorm-2004" if manifest.version == "2004" else "scorm-1.2"
    draft = PackDraft("scorm", staging, manifest.language)
    stem = path.stem if path.is_file() else path.name
    organization = next((o for o in manifest.organizations if o.identifier == manifest.default),
                        manifest.organizations[0] if manifest.organizations else None)
    title = (organization.title if organization and organization.title else
             manifest.title or stem)

    for name in sorted(tree.names()):
        if name == "imsmanifest.xml" or name.lower().endswith(_SCHEMA_EXTS):
            continue
        if not is_storable(name):
            draft.skip(name, _("a file name a pack cannot hold"))
            continue
        disk = tree.copy_to(name, staging / "src" / name)
        draft.attach(draft.add_disk(PREFIX + name, [disk], mime_for(name)))
        reporter.checkpoint()

    checked: set[str] = set()

    def check_files(resource: Resource, seen: set[str]) -> None:
        if resource.identifier in seen:
            return
        seen.add(resource.identifier)
        for name in resource.files:
            ref = normalize_ref(name)
            if ref and ref not in checked and not tree.has(ref):
                checked.add(ref)
                draft.skip(ref, _("listed in the manifest but not in the package"))
        for dep in resource.dependencies:
            if dep in manifest.resources:
                check_files(manifest.resources[dep], seen)

    def add(section: dict[str, object], item_title: str, ref: str, parameters: str,
            label: str) -> None:
        resource = manifest.resources.get(ref)
        if resource is None:
            draft.skip(label, _("refers to resource {ref}, which the manifest does not define")
                       .format(ref=ref))
            return
        if not resource.href:
            draft.skip(label, _("its resource {ref} has no launch file").format(ref=ref))
            return
        launch, query = _launch(resource.href, parameters)
        stored = tree.resolve(normalize_ref(launch))
        if stored is None:
            draft.skip(label, _("its launch file {file} is not in the package")
                       .format(file=launch))
            return
        check_files(resource, set())
        main = PREFIX + stored
        draft.add_resource(
            section, "interactive", item_title, [draft.entry(main, "main")],
            base_id=item_title, url=launch_url(runtime, main, query),
            description={draft.language: _("SCORM {version} content").format(
                version=manifest.version)},
        )

    if organization is None or not organization.items:
        draft.skip("organizations", _("the manifest has no organisation; its launchable "
                                      "resources are listed in manifest order"))
        section = draft.section(title, "main")
        launchable = [r for r in manifest.resources.values() if r.href]
        scos = [r for r in launchable if r.scorm_type == "sco"] or launchable
        for resource in scos:
            name = PurePosixPath(resource.href.split("?")[0]).stem
            add(section, name.replace("_", " ").replace("-", " ").strip() or resource.identifier,
                resource.identifier, "", resource.identifier)
    else:
        for other in manifest.organizations:
            if other is not organization:
                draft.skip(other.title or other.identifier,
                           _("only the default organisation is imported"))
        loose: dict[str, object] | None = None
        for item in organization.items:
            if item.children:
                loose = None
                section = draft.section(item.title, item.identifier or item.title)
                for node in _flatten([item]):
                    if node.ref:
                        add(section, node.title, node.ref, node.parameters, node.title)
            else:
                if loose is None:
                    loose = draft.section(title, organization.identifier or "main")
                if item.ref:
                    add(loose, item.title, item.ref, item.parameters, item.title)
    if manifest.sequencing:
        draft.skip(_("sequencing rules"), _("SCORM 2004 sequencing is not applied; every "
                                            "item can be opened in any order"))
    fields = {
        "id": pack_id("scorm", manifest.identifier or stem),
        "title": {draft.language: title},
        "license": manifest.licence,
        "attribution": "; ".join(p for p in (title, manifest.identifier, path.name) if p),
        "source": path.name,
    }
    return finish(library, draft, fields, path, reporter)
