"""``ujuzi login|logout|catalog|download|update|submit|sync|hubs``: the hub from a learner's
or a trainer's library."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import UjuziError
from app.formatting import number as format_number
from app.formatting import size as format_size
from app.i18n import _, ngettext
from app.tasks import Reporter
from app.terminal import ProgressPrinter, json_text

if TYPE_CHECKING:  # the library loads when a command runs, not for every ujuzi command
    from app.library import Library

#: ``ujuzi <command>`` -> handler(args) returning the exit code.
HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {}


class MeteredRefusal(UjuziError):
    """A large download on a metered connection that nobody confirmed."""


def _home_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS, dest="home",
                        help=_("data directory (default: $UJUZI_HOME or the user's)"))


def _json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=_("print JSON for scripts"))


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this module's commands to the ``ujuzi`` parser."""
    login = commands.add_parser(
        "login", help=_("sign in to a hub (the token goes to the system keyring)"))
    login.add_argument("url", metavar="URL", help=_("the hub's address"))
    login.add_argument("--user", metavar="NAME", required=True, help=_("your account name"))
    login.add_argument("--password-stdin", action="store_true",
                       help=_("read the password from the first line of standard input"))
    _home_option(login)

    logout = commands.add_parser("logout", help=_("sign out of the hub (revokes the token)"))
    _home_option(logout)

    catalog = commands.add_parser("catalog", help=_("list the hub's packs"))
    _json_option(catalog)
    _home_option(catalog)

    download = commands.add_parser("download", help=_("download a pack from the hub"))
    download.add_argument("pack_id", metavar="PACK_ID")
    download.add_argument("--yes", action="store_true",
                          help=_("do not ask before a large download on a metered connection"))
    _json_option(download)
    _home_option(download)

    update = commands.add_parser("update", help=_("download newer versions of installed packs"))
    update.add_argument("pack_ids", metavar="PACK_ID", nargs="*")
    update.add_argument("--all", action="store_true", help=_("every pack with an update"))
    update.add_argument("--yes", action="store_true",
                        help=_("do not ask before a large download on a metered connection"))
    _json_option(update)
    _home_option(update)

    submit = commands.add_parser("submit", help=_("send a pack to the hub for review"))
    submit.add_argument("path", metavar="FILE.ujpack")
    _json_option(submit)
    _home_option(submit)

    sync = commands.add_parser(
        "sync", help=_("send this profile's records to its hub account and receive the "
                       "changes made on its other devices"))
    _json_option(sync)
    _home_option(sync)

    hubs = commands.add_parser("hubs", help=_("list the hubs on the local network"))
    hubs.add_argument("--wait", type=float, default=3.0, metavar="SECONDS",
                      help=_("how long to listen for hubs (default: 3)"))
    _json_option(hubs)

    HANDLERS.update({"login": cmd_login, "logout": cmd_logout, "catalog": cmd_catalog,
                     "download": cmd_download, "update": cmd_update, "submit": cmd_submit,
                     "sync": cmd_sync, "hubs": cmd_hubs})


def _reporter() -> Reporter:
    return Reporter(ProgressPrinter(sys.stderr))


def _emit(data: Any) -> None:
    print(json_text(data))


def _library(args: argparse.Namespace) -> Library:
    from app.library import Library

    return Library(getattr(args, "home", None))


def _profile(args: argparse.Namespace, library: Library) -> str:
    """The profile a command is for: ``--profile``, else the settings' default one."""
    name = getattr(args, "profile", None) or str(library.settings.get("profile"))
    library.profile_id(name)  # an unknown profile fails here, in words
    return name


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass(_("Password for {user}: ").format(user=args.user))
    else:
        raise UjuziError(_("Standard input is not a terminal: give the password with "
                           "--password-stdin."))
    if not password:
        raise UjuziError(_("An empty password cannot sign in."))
    return password


def cmd_login(args: argparse.Namespace) -> int:
    from app.sync.account import Account

    password = _read_password(args)
    with _library(args) as library:
        result = Account(library, _profile(args, library)).login(args.url, args.user, password)
    print(_("Signed in to {url} as {user} ({role}).").format(
        url=args.url.rstrip("/"), user=result.user, role=result.role))
    if result.first_pin:
        print(_("The hub's key {fingerprint} is pinned: packs signed by another key will "
                "be refused.").format(fingerprint=result.fingerprint))
    elif result.rotated:
        print(_("The hub's new key {fingerprint}, endorsed by the key pinned before, is "
                "pinned now.").format(fingerprint=result.fingerprint))
    else:
        print(_("The hub's key: {fingerprint}.").format(fingerprint=result.fingerprint))
    return 0


def cmd_logout(args: argparse.Namespace) -> int:
    from app.sync.account import Account

    with _library(args) as library:
        account = Account(library, _profile(args, library))
        url = account.url
        if not account.signed_in:
            print(_("Not signed in to a hub."))
            return 0
        revoked = account.logout()
    if revoked:
        print(_("Signed out of {url}; the hub revoked the token.").format(url=url))
    else:
        print(_("Signed out here; the hub at {url} could not be told, so its token stays "
                "valid there until it expires.").format(url=url))
    return 0


def cmd_catalog(args: argparse.Namespace) -> int:
    from app.sync.catalog import fetch_catalog, preferred_languages

    with _library(args) as library:
        entries = fetch_catalog(library, _profile(args, library))
        languages = preferred_languages(library)
    if args.json:
        _emit([{**entry.as_dict(), "title": entry.title_in(languages),
                "titles": entry.title} for entry in entries])
        return 0
    if not entries:
        print(_("The hub's catalog is empty."))
        return 0
    labels = {"new": _("new"), "installed": _("installed"), "update": _("update")}
    for entry in entries:
        status = labels.get(entry.status, entry.status)
        if entry.status == "update":
            status = _("update from {version}").format(version=entry.installed_version)
        print(_("{id}  {version}  {title}  [{languages}]  {size}  {status}").format(
            id=entry.id, version=entry.version, title=entry.title_in(languages),
            languages=", ".join(entry.languages), size=format_size(entry.size), status=status))
    return 0


def _confirm_metered(library: Library, bytes_total: int, yes: bool, what: str) -> None:
    settings = library.settings
    limit = int(settings.get("metered_ask_bytes"))
    if yes or not settings.get("metered_connection") or bytes_total <= limit:
        return
    question = _("{what} needs {size} on a metered connection. Download? [y/N] ").format(
        what=what, size=format_size(bytes_total))
    if sys.stdin.isatty():
        sys.stderr.write(question)
        sys.stderr.flush()
        if sys.stdin.readline().strip().lower() in (_("y"), _("yes"), "y", "yes"):
            return
        raise MeteredRefusal(_("Not downloaded."))
    raise MeteredRefusal(
        _("{what} needs {size} and the connection is metered (more than {limit} asks "
          "first); nothing was downloaded. Add --yes to download it.").format(
            what=what, size=format_size(bytes_total), limit=format_size(limit)))


def _download_one(library: Library, pack_id: str, yes: bool,
                  version: str | None = None, profile: str | None = None) -> dict[str, Any]:
    from app.sync.downloads import cancel, enqueue, run_download

    download = enqueue(library, pack_id, version, profile)
    try:
        _confirm_metered(library, download.bytes_total - download.bytes_done, yes, pack_id)
    except MeteredRefusal:
        cancel(library, download.id)
        raise
    return run_download(library, download.id, _reporter()).as_dict()


def _say_result(result: dict[str, Any]) -> None:
    messages = {
        # Translators: {files} is "{count} file(s)" (downloaded), {size} their size,
        # {reused} a number of files the library already held.
        "imported": _("Downloaded and installed {id} {version} ({files}, {size}; "
                      "{reused} already here)."),
        # Translators: as above; {previous} is the version installed before.
        "updated": _("Updated {id} from {previous} to {version} ({files}, {size}; "
                     "{reused} already here)."),
        "unchanged": _("{id} {version} is already installed; nothing to do."),
    }
    files = result["files_downloaded"]
    print(messages.get(result["status"], messages["imported"]).format(
        id=result["pack_id"], version=result["version"], previous=result["previous_version"],
        files=ngettext("{count} file", "{count} files", files).format(count=format_number(files)),
        size=format_size(result["bytes_downloaded"]), reused=result["files_reused"]))


def cmd_download(args: argparse.Namespace) -> int:
    with _library(args) as library:
        result = _download_one(library, args.pack_id, args.yes,
                               profile=_profile(args, library))
    if args.json:
        _emit(result)
    else:
        _say_result(result)
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    from app.sync.catalog import fetch_catalog
    from app.sync.downloads import available_updates

    with _library(args) as library:
        fetch_catalog(library, _profile(args, library))
        updates = available_updates(library)
        if not args.pack_ids and not args.all:
            if args.json:
                _emit([entry.as_dict() for entry in updates])
            elif not updates:
                print(_("Every installed pack is up to date."))
            else:
                for update in updates:
                    print(_("{id}: {installed} -> {version}").format(
                        id=update.id, installed=update.installed_version,
                        version=update.version))
                print(_("Run 'ujuzi update --all' (or name the packs) to download them."))
            return 0
        by_id = {entry.id: entry for entry in updates}
        wanted = list(by_id) if args.all else list(dict.fromkeys(args.pack_ids))
        results: list[dict[str, Any]] = []
        failed = 0
        for pack_id in wanted:
            found = by_id.get(pack_id)
            if found is None:
                print(_("ujuzi: {id}: no update available.").format(id=pack_id),
                      file=sys.stderr)
                continue
            try:
                result = _download_one(library, pack_id, args.yes, found.version,
                                       _profile(args, library))
            except UjuziError as exc:
                failed = failed or exc.exit_code
                print(_("ujuzi: {id}: {error}").format(id=pack_id, error=exc), file=sys.stderr)
                continue
            results.append(result)
            if not args.json:
                _say_result(result)
    if args.json:
        _emit(results)
    elif not wanted:
        print(_("Every installed pack is up to date."))
    return failed


def cmd_submit(args: argparse.Namespace) -> int:
    from app.sync.review import submit

    with _library(args) as library:
        answer = submit(library, Path(args.path), _reporter())
    if args.json:
        _emit(answer)
        return 0
    if answer.get("status") == "approved":
        print(_("{id} {version} is published.").format(
            id=answer.get("pack_id"), version=answer.get("version")))
    else:
        print(_("Submitted {id} {version} for review (submission {number}).").format(
            id=answer.get("pack_id"), version=answer.get("version"), number=answer.get("id")))
    return 0


def sent_and_received(pushed: int, pulled: int) -> str:
    """The sync's summary: how many changes went to the hub and came from it."""
    def changes(count: int) -> str:
        return ngettext("{count} change", "{count} changes", count).format(
            count=format_number(count))

    # Translators: {sent} and {received} are "{count} change(s)", translated on their own.
    return _("Sent {sent}, received {received}.").format(sent=changes(pushed),
                                                        received=changes(pulled))


def cmd_sync(args: argparse.Namespace) -> int:
    from app.sync.records import SyncResult, sync_now, sync_status

    with _library(args) as library:
        profile = _profile(args, library)
        reporter = Reporter() if args.json else _reporter()
        try:
            result = sync_now(library, profile, reporter)
        except UjuziError as exc:
            if args.json:
                status = sync_status(library, profile)
                _emit({**SyncResult(error=str(exc), conflicts=status.conflicts).as_dict(),
                       "waiting": status.waiting})
                return exc.exit_code
            raise
        waiting = sync_status(library, profile).waiting
    if args.json:
        _emit({**result.as_dict(), "waiting": waiting})
        return 0
    print(sent_and_received(result.pushed, result.pulled))
    if result.conflicts:
        print(ngettext("{count} note was edited on two devices: 'ujuzi note list' shows "
                       "both texts, 'ujuzi note edit' keeps one.",
                       "{count} notes were edited on two devices: 'ujuzi note list' shows "
                       "both texts, 'ujuzi note edit' keeps one.",
                       result.conflicts).format(count=result.conflicts))
    return 0


def cmd_hubs(args: argparse.Namespace) -> int:
    from app.sync.nearby import browse

    found = browse(max(0.1, args.wait))
    if args.json:
        _emit([hub.as_dict() for hub in found])
        return 0
    if not found:
        print(_("No hub found on the local network."))
        return 0
    for hub in found:
        print(_("{name}  {url}  key {fingerprint}").format(
            name=hub.name, url=hub.url, fingerprint=hub.fingerprint))
    return 0
