"""The ``ujuzi`` command line: a thin layer over the core, for people and scripts.

Every command that outputs data accepts ``--json``. Errors a user can act on go to stderr
as one line, with a non-zero exit code (see :mod:`app.errors`). Everything printed goes
through :mod:`app.terminal`: pack text cannot send control sequences to the terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import __version__, logs
from app.errors import UjuziError
from app.formatting import clock, size, sizes
from app.i18n import _, ngettext, set_language
from app.packs.manifest import localized
from app.paths import keep_inside_portable_folder, layout
from app.tasks import Reporter
from app.terminal import ProgressPrinter, control, json_text, safe

if TYPE_CHECKING:  # imported in main(): ``ujuzi gui`` starts faster without it
    from app.library import Library

Handler = Callable[[argparse.Namespace, "Library"], int]

#: The exit code of a bug (sysexits' EX_SOFTWARE); errors a user can act on have their own.
INTERNAL_ERROR_EXIT = 70
#: The exit code when the reader of the output went away (as a shell reports SIGPIPE).
BROKEN_PIPE_EXIT = 141
#: The exit code of ``ujuzi verify`` when a stored file is damaged (as for a damaged pack).
DAMAGED_EXIT = 3


#: The global options that take a value (``--home DIR``), as :func:`wants_gui` reads them.
VALUE_OPTIONS = ("--home", "--profile")


def wants_gui(argv: Sequence[str]) -> bool:
    """Whether ``argv`` plainly asks for the window (``gui``, or no command at all): only
    the global options with their values come before it. Anything else (``--help``, an
    abbreviated or unknown option, another command) is left to the full parser."""
    tokens = iter(argv)
    for token in tokens:
        if token in VALUE_OPTIONS:
            next(tokens, None)
        elif token.startswith(tuple(f"{option}=" for option in VALUE_OPTIONS)):
            continue
        else:
            return token == "gui"
    return True


def build_parser(gui_only: bool = False) -> argparse.ArgumentParser:
    """The parser of every command; with ``gui_only``, of the global options and ``gui``
    alone, so that the window starts without building the other commands' parsers or
    importing their modules."""
    parser = argparse.ArgumentParser(
        prog="ujuzi",
        description=_("Offline learning packs, search, media and mentorship."),
    )
    parser.add_argument("--version", action="version", version=f"ujuzi {__version__}")
    parser.add_argument(
        "--home", metavar="DIR", help=_("data directory (default: $UJUZI_HOME or the user's)")
    )
    parser.add_argument(
        "--profile", metavar="NAME", help=_("learner profile (default: the default profile)")
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = commands.add_parser("gui", help=_("open the app window (the default)"))
    gui.add_argument("--screenshot", metavar="FILE", help=_("save a PNG of the window and exit"))
    gui.add_argument("--open", metavar="RESOURCE_ID",
                     help=_("open this resource, pack, page:NAME or search:WORDS"))
    gui.add_argument("--lang", metavar="L", help=_("interface language"))
    if gui_only:
        return parser

    imp = commands.add_parser(
        "import",
        help=_("import packs, or content in another format (Open edX, SCORM, Common "
               "Cartridge, ZIM, H5P, Wiki Education, MediaWiki), into the library"),
    )
    imp.add_argument("paths", nargs="+", metavar="PATH")
    _add_json(imp)

    exp = commands.add_parser("export", help=_("write an installed pack to a .ujpack file"))
    exp.add_argument("pack_id", metavar="PACK_ID")
    exp.add_argument("out", metavar="OUT")
    _add_json(exp)

    _add_json(commands.add_parser("list", help=_("list installed packs")))

    show = commands.add_parser("show", help=_("show a pack or a resource"))
    show.add_argument("item_id", metavar="ID")
    _add_json(show)

    rm = commands.add_parser("remove", help=_("remove an installed pack"))
    rm.add_argument("pack_id", metavar="PACK_ID")
    _add_json(rm)

    pack = commands.add_parser("pack", help=_("build packs"))
    pack_commands = pack.add_subparsers(dest="pack_command", metavar="SUBCOMMAND", required=True)
    build = pack_commands.add_parser("build", help=_("build a .ujpack from a folder of files"))
    build.add_argument("folder", metavar="DIR")
    build.add_argument("-o", "--output", metavar="OUT", required=True)
    build.add_argument("--license", help=_("SPDX licence, when pack.yaml has none"))
    build.add_argument("--attribution", help=_("attribution, when pack.yaml has none"))
    _add_json(build)

    note = commands.add_parser("note", help=_("take and list notes"))
    note_commands = note.add_subparsers(dest="note_command", metavar="SUBCOMMAND", required=True)
    note_add = note_commands.add_parser("add", help=_("add a note to a resource"))
    note_add.add_argument("resource_id", metavar="RESOURCE_ID")
    note_add.add_argument("text", metavar="TEXT")
    note_add.add_argument("--at", type=float, metavar="SECONDS", help=_("media time of the note"))
    _add_json(note_add)
    note_list = note_commands.add_parser("list", help=_("list notes"))
    note_list.add_argument("--resource", metavar="RESOURCE_ID")
    _add_json(note_list)
    note_edit = note_commands.add_parser(
        "edit", help=_("change a note's text (settles a note edited on two devices)"))
    note_edit.add_argument("note_id", metavar="NOTE_ID")
    note_edit.add_argument("text", metavar="TEXT")
    _add_json(note_edit)
    note_delete = note_commands.add_parser("delete", help=_("delete a note"))
    note_delete.add_argument("note_id", metavar="NOTE_ID")

    progress = commands.add_parser("progress", help=_("show or record progress on a resource"))
    progress.add_argument("resource_id", metavar="RESOURCE_ID")
    what = progress.add_mutually_exclusive_group()
    what.add_argument("--complete", action="store_true", help=_("mark as complete"))
    what.add_argument("--position", type=float, metavar="SECONDS", help=_("record a position"))
    _add_json(progress)

    profile = commands.add_parser("profile", help=_("manage learner profiles"))
    profile_commands = profile.add_subparsers(
        dest="profile_command", metavar="SUBCOMMAND", required=True
    )
    _add_json(profile_commands.add_parser("list", help=_("list profiles")))
    profile_add = profile_commands.add_parser("add", help=_("add a profile"))
    profile_add.add_argument("name", metavar="NAME")
    profile_remove = profile_commands.add_parser("remove", help=_("remove a profile"))
    profile_remove.add_argument("name", metavar="NAME")

    search = commands.add_parser("search", help=_("search the library's text and your notes"))
    search.add_argument("query", nargs="*", metavar="QUERY")
    search.add_argument("--lang", metavar="L", help=_("only resources in this language"))
    search.add_argument("--kind", metavar="K", help=_("only this kind (video, article, quiz...)"))
    search.add_argument("--pack", metavar="ID", help=_("only resources of this pack"))
    search.add_argument("--skill", metavar="SKILL", help=_("only packs that teach this skill"))
    search.add_argument("--limit", type=int, default=10, metavar="N",
                        help=_("show at most N results (default 10)"))
    search.add_argument("--rebuild", action="store_true",
                        help=_("rebuild the search index from the library first"))
    _add_json(search)

    starter = commands.add_parser("starter", help=_("install the bundled starter packs"))
    _add_json(starter)

    verify = commands.add_parser(
        "verify", help=_("check every stored file against its checksum and size"))
    _add_json(verify)

    from app import stick
    from app.hub import cli as hub_cli
    from app.mentorship import badge_cli
    from app.mentorship import cli as mentorship_cli
    from app.sync import cli as sync_cli

    hub_cli.add_commands(commands)
    sync_cli.add_commands(commands)
    mentorship_cli.add_commands(commands)
    badge_cli.add_commands(commands)
    stick.add_commands(commands)
    return parser


def _add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=_("print JSON for scripts"))


# -- output helpers -------------------------------------------------------------------------


def _emit(data: Any) -> None:
    print(json_text(data))


def _languages(library: Library) -> list[str]:
    preferred = library.settings.get("content_languages")
    return [str(lang) for lang in preferred]


# -- commands -------------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace, library: Library) -> int:
    from app.packs.importers import import_any, skipped_summary

    results = []
    failed = 0  # the exit code of the first file that failed (the others are tried)
    for raw_path in args.paths:
        try:
            report = import_any(
                library, Path(raw_path), Reporter(ProgressPrinter(sys.stderr))
            )
        except UjuziError as exc:
            failed = failed or exc.exit_code
            print(_("ujuzi: {path}: {error}").format(path=raw_path, error=exc), file=sys.stderr)
            continue
        results.append(report.as_dict())
        result = report.result
        if not args.json:
            messages = {
                "imported": _("Imported {id} {version}."),
                "updated": _("Updated {id} from {previous} to {version}."),
                "unchanged": _("{id} {version} is already installed; nothing to do."),
            }
            print(
                messages[result.status].format(
                    id=result.pack_id, version=result.version, previous=result.previous_version
                )
            )
            for line in skipped_summary(report):
                print(line)
    if args.json:
        _emit(results)
    return failed


def cmd_export(args: argparse.Namespace, library: Library) -> int:
    from app.packs.exporter import export_pack

    out = export_pack(library, args.pack_id, Path(args.out))
    if args.json:
        _emit({"pack_id": args.pack_id, "path": str(out), "size": out.stat().st_size})
    else:
        print(_("Exported {id} to {path}.").format(id=args.pack_id, path=out))
    return 0


def cmd_list(args: argparse.Namespace, library: Library) -> int:
    packs = library.packs()
    if args.json:
        _emit(packs)
        return 0
    if not packs:
        print(_("The library is empty. Import a pack with 'ujuzi import FILE.ujpack'."))
        return 0
    langs = _languages(library)
    for pack in packs:
        print(
            f"{pack['id']}  {pack['version']}  {localized(pack['title'], langs)}  "
            f"[{', '.join(pack['languages'])}]  "
            + ngettext("{count} resource",
                       "{count} resources",
                       pack["resource_count"]).format(count=pack["resource_count"])
            + f"  {size(pack['total_bytes'])}"
        )
    return 0


def cmd_show(args: argparse.Namespace, library: Library) -> int:
    item = library.find(args.item_id, args.profile)
    if args.json:
        if item["type"] == "pack":
            item.pop("manifest", None)
        _emit(item)
        return 0
    langs = _languages(library)
    if item["type"] == "pack":
        _print_pack(item, langs)
    else:
        _print_resource(item, langs)
    return 0


def _print_pack(pack: dict[str, Any], langs: list[str]) -> None:
    print(f"{localized(pack['title'], langs)}  ({pack['id']} {pack['version']})")
    description = localized(pack["description"], langs)
    if description:
        print(description)
    print(_("Languages: {langs}").format(langs=", ".join(pack["languages"])))
    print(_("Licence: {license}").format(license=pack["license"]))
    print(_("Attribution: {attribution}").format(attribution=pack["attribution"]))
    print(_("Size: {size}").format(size=size(pack["total_bytes"])))
    progress = pack["progress"]
    print(
        ngettext("Progress: {done} of {total} resource complete",
                 "Progress: {done} of {total} resources complete", progress["total"]).format(
            done=progress["completed"], total=progress["total"]
        )
    )
    groups = [(localized(s["title"], langs), s["resources"]) for s in pack["sections"]]
    if pack["unsectioned"]:
        groups.append((_("Other resources"), pack["unsectioned"]))
    for title, resources in groups:
        print()
        print(f"## {title}")
        for resource in resources:
            mark = "[x]" if resource["progress"]["completed"] else "[ ]"
            lang = f" ({resource['lang']})" if resource["lang"] else ""
            duration = clock(resource["duration"])
            print(
                f"  {mark} {resource['id']}  {resource['kind']}{lang}  "
                f"{localized(resource['title'], langs)}"
                + (f"  {duration}" if duration else "")
            )


def _print_resource(resource: dict[str, Any], langs: list[str]) -> None:
    print(f"{localized(resource['title'], langs)}  ({resource['id']})")
    print(_("Kind: {kind}").format(kind=resource["kind"]))
    if resource["lang"]:
        print(_("Language: {lang}").format(lang=resource["lang"]))
    if resource["duration"] is not None:
        print(_("Duration: {duration}").format(duration=clock(resource["duration"])))
    if resource["translations"]:
        print(
            _("Translations: {list}").format(
                list=", ".join(f"{k}: {v}" for k, v in resource["translations"].items())
            )
        )
    print(_("Files:"))
    for entry in resource["files"]:
        lang = f" {entry['lang']}" if entry["lang"] else ""
        print(f"  {entry['role']}{lang}  {entry['path']}  {entry['mime']}  {size(entry['size'])}")
    progress = resource["progress"]
    state = _("complete") if progress["completed"] else _("not complete")
    print(
        _("Progress: {state}, position {position}").format(
            state=state, position=clock(progress["position"])
        )
    )


def cmd_remove(args: argparse.Namespace, library: Library) -> int:
    freed = library.remove_pack(args.pack_id)
    if args.json:
        _emit({"pack_id": args.pack_id, "bytes_freed": freed})
    else:
        print(_("Removed {id}; freed {size}.").format(id=args.pack_id, size=size(freed)))
    return 0


def cmd_pack(args: argparse.Namespace, library: Library | None) -> int:
    from app.packs.build import build_pack

    result = build_pack(
        Path(args.folder),
        Path(args.output),
        Reporter(ProgressPrinter(sys.stderr)),
        license=args.license,
        attribution=args.attribution,
    )
    for warning in result.warnings:
        print(_("warning: {message}").format(message=warning), file=sys.stderr)
    manifest = result.manifest
    if args.json:
        _emit({"path": args.output, "manifest": manifest, "warnings": result.warnings})
    else:
        print(
            ngettext("Built {id} {version} with {count} resource: {path}",
                     "Built {id} {version} with {count} resources: {path}",
                     len(manifest["resources"])).format(
                id=manifest["id"],
                version=manifest["version"],
                count=len(manifest["resources"]),
                path=args.output,
            )
        )
    return 0


def cmd_note(args: argparse.Namespace, library: Library) -> int:
    if args.note_command == "add":
        note = library.add_note(args.resource_id, args.text, args.profile, args.at)
        if args.json:
            _emit(note)
        else:
            print(_("Added note {id}.").format(id=note["id"]))
    elif args.note_command == "edit":
        note = library.edit_note(args.note_id, args.text, args.profile)
        if args.json:
            _emit(note)
        else:
            print(_("Changed note {id}.").format(id=note["id"]))
    elif args.note_command == "list":
        notes = library.notes(args.profile, args.resource)
        if args.json:
            _emit(notes)
        elif not notes:
            print(_("No notes yet."))
        else:
            langs = _languages(library)
            for note in notes:
                at = f" @{clock(note['at_seconds'])}" if note["at_seconds"] is not None else ""
                title = localized(note["resource_title"], langs) or note["resource_id"]
                if not note["conflict"]:
                    print(f"{note['id']}  {title}{at}\n    {note['body']}")
                    continue
                print(f"{note['id']}  {title}{at}  " + _(
                    "(edited on two devices: keep one text with 'ujuzi note edit')"))
                for number, version in enumerate(note["versions"], 1):
                    print(f"    [{number}] {version['body']}")
    else:
        library.delete_note(args.note_id, args.profile)
        print(_("Deleted note {id}.").format(id=args.note_id))
    return 0


def cmd_progress(args: argparse.Namespace, library: Library) -> int:
    if args.complete or args.position is not None:
        progress = library.record_progress(
            args.resource_id, args.profile, position=args.position, complete=args.complete
        )
    else:
        progress = library.progress(args.resource_id, args.profile)
    if args.json:
        _emit({"resource_id": args.resource_id, **progress})
    else:
        state = _("complete") if progress["completed"] else _("not complete")
        print(
            _("{id}: {state}, position {position}").format(
                id=args.resource_id, state=state, position=clock(progress["position"])
            )
        )
    return 0


def cmd_profile(args: argparse.Namespace, library: Library) -> int:
    if args.profile_command == "list":
        profiles = library.profiles()
        if args.json:
            _emit(profiles)
        else:
            for profile in profiles:
                print(profile["name"])
    elif args.profile_command == "add":
        library.add_profile(args.name)
        print(_("Added profile {name}.").format(name=args.name))
    else:
        library.remove_profile(args.name)
        print(_("Removed profile {name}.").format(name=args.name))
    return 0


def cmd_starter(args: argparse.Namespace, library: Library) -> int:
    from app.starter import seed_starter_packs

    results = seed_starter_packs(library, Reporter(ProgressPrinter(sys.stderr)), force=True)
    if args.json:
        _emit([result.as_dict() for result in results])
    else:
        for result in results:
            print(f"{result.pack_id} {result.version}: {result.status}")
    return 0


def cmd_search(args: argparse.Namespace, library: Library) -> int:
    from app.search.index import ensure_current, rebuild
    from app.search.query import search

    reporter = Reporter(ProgressPrinter(sys.stderr))
    if args.rebuild:
        with library.write_lock():
            count = rebuild(library, reporter)
        if not args.json:
            print(ngettext("Indexed {count} resource.",
                           "Indexed {count} resources.",
                           count).format(count=count), file=sys.stderr)
    else:
        ensure_current(library, reporter)
    query = " ".join(args.query)
    if not query.strip():
        if args.rebuild:
            return 0
        raise UjuziError(_("Give words to search for, e.g. 'ujuzi search citations'."))
    results = search(
        library, query, lang=args.lang, kind=args.kind, pack=args.pack, skill=args.skill,
        limit=max(1, args.limit), profile=args.profile, languages=_languages(library),
    )
    if args.json:
        _emit(results.as_dict())
        return 0
    out = sys.stdout
    bold = out.isatty()

    def write_marked(text: str, spans: Any) -> None:
        position = 0
        for start, end in spans:
            out.write(text[position:start])
            if bold:
                control(out, "\x1b[1m")
                out.write(text[start:end])
                control(out, "\x1b[0m")
            else:
                out.write(f"[{text[start:end]}]")
            position = end
        out.write(text[position:])

    if results.suggestion:
        print(_("Did you mean: {suggestion}").format(suggestion=results.suggestion))
    if not results.hits:
        print(_("No results for {query}.").format(query=query))
        return 0
    for hit in results.hits:
        where = ""
        if hit.timestamp is not None:
            where = f"  @{clock(hit.timestamp)}"
        elif hit.page is not None:
            where = "  " + _("p. {page}").format(page=hit.page)
        elif hit.entry is not None:
            where = f"  {hit.entry}"  # the article inside a ZIM that the resource opens at
        lang = f" {hit.lang}" if hit.lang else ""
        write_marked(hit.title, hit.title_highlights)
        print(f"  ({hit.resource_id})  {hit.kind}{lang}{where}")
        if hit.snippet:
            prefix = _("note: ") if hit.field == "note" else ""
            out.write(f"    {prefix}")
            write_marked(hit.snippet, hit.highlights)
            print()
    shown = len(results.hits)
    print(ngettext("{shown} of {total} result.",
                   "{shown} of {total} results.",
                   max(shown, results.total)).format(shown=shown, total=max(shown, results.total)))
    return 0


def cmd_verify(args: argparse.Namespace, library: Library) -> int:
    from app.store.blobs import CORRUPT, MISSING, WRONG_SIZE

    report = library.verify(Reporter(ProgressPrinter(sys.stderr)))
    if args.json:
        _emit(report.as_dict())
        return DAMAGED_EXIT if report.damaged else 0
    if not report.damaged:
        print(ngettext("All {count} stored file ({size}) is intact.",
                       "All {count} stored files ({size}) are intact.",
                       report.checked).format(count=report.checked, size=size(report.bytes)))
        return 0
    for blob in report.damaged:
        if blob.problem == MISSING:
            problem = _("missing")
        elif blob.problem == WRONG_SIZE:
            actual, expected = sizes(blob.actual_size or 0, blob.size)
            problem = _("{actual} instead of {expected}").format(actual=actual,
                                                                 expected=expected)
        elif blob.problem == CORRUPT:
            problem = _("corrupt (its checksum does not match)")
        else:
            problem = _("cannot be read")
        print(_("Damaged: {sha256}: {problem}").format(sha256=blob.sha256, problem=problem))
        for use in blob.files:
            where = use["resource_id"] or use["pack_id"]
            print(f"    {where}  {use['path']}")
    packs = sorted({use["pack_id"] for blob in report.damaged for use in blob.files})
    files = ngettext("{count} stored file", "{count} stored files", report.checked).format(
        count=report.checked)
    # Translators: {files} is "{count} stored file(s)", translated on its own; the form
    # follows {damaged}, how many of them are damaged.
    print(ngettext("{damaged} of {files} is damaged, in these packs: {packs}",
                   "{damaged} of {files} are damaged, in these packs: {packs}",
                   len(report.damaged)).format(damaged=len(report.damaged), files=files,
                                               packs=", ".join(packs)))
    return DAMAGED_EXIT


def cmd_stick(args: argparse.Namespace, library: Library) -> int:
    from app import stick

    return stick.cmd_stick(args, library)


def cmd_gui(args: argparse.Namespace, home: str | None) -> int:
    try:
        from app.ui.main import run_gui
    except ImportError as exc:
        raise UjuziError(
            _("The app window cannot start: {error}").format(error=exc)
        ) from None
    return run_gui(
        home=home,
        profile=args.profile,
        screenshot=getattr(args, "screenshot", None),
        open_id=getattr(args, "open", None),
        language=getattr(args, "lang", None),
    )


HANDLERS: dict[str, Handler] = {
    "import": cmd_import,
    "export": cmd_export,
    "list": cmd_list,
    "show": cmd_show,
    "remove": cmd_remove,
    "note": cmd_note,
    "progress": cmd_progress,
    "profile": cmd_profile,
    "starter": cmd_starter,
    "search": cmd_search,
    "verify": cmd_verify,
    "stick": cmd_stick,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; everything it prints passes through :func:`app.terminal.safe`."""
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = safe(stdout), safe(stderr)
    try:
        code = _main(argv)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader went away (``ujuzi catalog --json | head -1``): stop quietly, as other
        # command-line tools do, and keep Python's last flush at exit from failing again.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), stdout.fileno())
        return BROKEN_PIPE_EXIT
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _main(argv: Sequence[str] | None) -> int:
    keep_inside_portable_folder()
    set_language(None)
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(gui_only=wants_gui(arguments))
    args = parser.parse_args(arguments)
    command = args.command or "gui"
    logs.setup(layout(args.home).log_file)
    try:
        if command == "gui":
            return cmd_gui(args, args.home)
        if command == "pack":
            return cmd_pack(args, None)
        # The commands of the hub, its client and mentorship (app/hub/cli.py,
        # app/sync/cli.py, app/mentorship/cli.py) open what they need themselves: a hub has
        # no library, a cohort file needs none.
        from app.hub import cli as hub_cli
        from app.mentorship import badge_cli
        from app.mentorship import cli as mentorship_cli
        from app.sync import cli as sync_cli

        own_setup = {**hub_cli.HANDLERS, **sync_cli.HANDLERS, **mentorship_cli.HANDLERS,
                     **badge_cli.HANDLERS}
        if command in own_setup:
            return own_setup[command](args)
        from app.datafolder import check_data_folder
        from app.library import Library

        check_data_folder(layout(args.home))
        with Library(args.home) as library:
            if args.profile:
                library.profile_id(args.profile)  # fail early on an unknown profile
            return HANDLERS[command](args, library)
    except UjuziError as exc:
        print(_("ujuzi: error: {error}").format(error=exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(_("ujuzi: interrupted; nothing was changed."), file=sys.stderr)
        return 130
    except BrokenPipeError:
        raise  # the reader went away: main() ends quietly
    except Exception as exc:
        # A bug: the user gets one line and where the details are; the log gets the traceback.
        if os.environ.get("UJUZI_DEBUG"):
            raise
        logs.logger.exception("ujuzi %s failed", command)
        print(_("ujuzi: internal error: {error}. This is a bug; the details are in {log} "
                "(set UJUZI_DEBUG=1 to see them here).").format(
                    error=f"{type(exc).__name__}: {exc}", log=logs.log_path()),
              file=sys.stderr)
        return INTERNAL_ERROR_EXIT
