"""``ujuzi badge ...``: award, export, list, verify and revoke Open Badges (docs/badges.md).

``award`` and ``revoke`` ask the hub the profile is signed in to (NETWORK); ``list`` and
``export`` read the badges synced to this device; ``verify`` needs no account, no network
and no data folder: it checks the file alone, then adds what this machine knows (the hubs it
trusts, the revocations its syncs fetched) when it has a library.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from app.errors import UjuziError
from app.i18n import _
from app.mentorship import badges as credentials
from app.terminal import json_text

if TYPE_CHECKING:
    from app.library import Library

AWARD_PATH = "/api/v1/badges"
REVOKE_PATH = "/api/v1/badges/{id}/revoke"
#: The exit code of ``verify`` for a badge that does not pass (tampered, malformed, expired,
#: not yet valid, revoked).
INVALID_EXIT = 1


class BadgeInvalid(UjuziError):
    """A badge file that does not verify."""

    exit_code = INVALID_EXIT


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{value!r} is not a date like 2027-12-31").format(value=text)) from None


def _common(parser: argparse.ArgumentParser, json: bool = True) -> argparse.ArgumentParser:
    parser.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS,
                        help=_("learner profile (default: the default profile)"))
    parser.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS,
                        help=_("data directory (default: $UJUZI_HOME or the user's)"))
    if json:
        parser.add_argument("--json", action="store_true", help=_("print JSON for scripts"))
    return parser


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``ujuzi badge`` to the ``ujuzi`` parser."""
    badge = commands.add_parser(
        "badge", help=_("Open Badges: award, export, list, verify and revoke"))
    actions = badge.add_subparsers(dest="badge_command", metavar="ACTION", required=True)
    award = _common(actions.add_parser(
        "award", help=_("award a badge for a completed pack or goal (as a mentor or "
                        "curator; network)")))
    award.add_argument("user", metavar="USER", help=_("the learner's hub account"))
    award.add_argument("--for", dest="target", metavar="PACK_OR_GOAL_ID", required=True,
                       help=_("a published pack's id, or a goal's id"))
    award.add_argument("-o", "--output", metavar="FILE", type=Path,
                       help=_("also write the credential to FILE"))
    award.add_argument("--valid-until", metavar="YYYY-MM-DD", type=_day,
                       help=_("the last day the badge is valid (default: no end)"))
    export = _common(actions.add_parser(
        "export", help=_("write a badge of this learner as a credential file")), json=False)
    export.add_argument("badge_id", metavar="ID", nargs="?",
                        help=_("the badge (default: the newest)"))
    export.add_argument("-o", "--output", metavar="FILE", type=Path,
                        help=_("the file to write (default: print it)"))
    _common(actions.add_parser("list", help=_("list this learner's badges")))
    verify = _common(actions.add_parser(
        "verify", help=_("check a badge file offline, with no account")))
    verify.add_argument("file", metavar="FILE", type=Path)
    revoke = _common(actions.add_parser(
        "revoke", help=_("revoke a badge (who awarded it, or a curator; network)")))
    revoke.add_argument("badge_id", metavar="ID")
    revoke.add_argument("--reason", metavar="TEXT", required=True,
                        help=_("why the badge is revoked (shown to the learner)"))


def _emit(data: Any) -> None:
    print(json_text(data))


def _write(path: Path, credential: dict[str, Any]) -> None:
    try:
        path.write_text(json_text(credential) + "\n", encoding="utf-8")
    except OSError as error:
        raise UjuziError(_("Cannot write {path}: {error}").format(
            path=path, error=error.strerror or error)) from None


def cmd_badge(args: argparse.Namespace) -> int:
    if args.badge_command == "verify":
        return cmd_verify(args)
    from app.library import Library

    with Library(getattr(args, "home", None)) as library:
        profile = getattr(args, "profile", None)
        if profile:
            library.profile_id(profile)  # an unknown profile fails here, in words
        return _COMMANDS[args.badge_command](args, library, profile)


def cmd_award(args: argparse.Namespace, library: Library, profile: str | None) -> int:
    from app.sync.account import Account

    body: dict[str, Any] = {"user": args.user, "for": args.target}
    if args.valid_until is not None:
        body["valid_until"] = args.valid_until.isoformat()
    with Account(library, profile).session() as hub:
        answer = hub.json("POST", AWARD_PATH, json=body, expect=(201,))
    credential = answer["credential"]
    if args.output:
        _write(args.output, credential)
    if args.json:
        _emit(answer)
        return 0
    print(_("Awarded {name} to {user}: {id}").format(
        name=credential.get("name"), user=args.user, id=answer["id"]))
    print(_("It reaches {user}'s devices at their next sync.").format(user=args.user))
    if args.output:
        print(_("Written to {path}").format(path=args.output))
    return 0


def cmd_export(args: argparse.Namespace, library: Library, profile: str | None) -> int:
    from app.sync import badges

    credential = badges.credential(library, args.badge_id, profile)
    if args.output is None:
        _emit(credential)
        return 0
    _write(args.output, credential)
    print(_("Written to {path}").format(path=args.output))
    return 0


def cmd_list(args: argparse.Namespace, library: Library, profile: str | None) -> int:
    from app.sync import badges

    held = badges.badges(library, profile)
    if args.json:
        _emit({"badges": [badge.as_dict() for badge in held]})
        return 0
    if not held:
        print(_("No badges yet; badges a mentor or curator awards arrive at sync."))
    for badge in held:
        check = badge.verification
        mark = _("verified") if check.ok else _("NOT valid: {reason}").format(
            reason=check.reason)
        print(f"{badge.id}  {badge.name}")
        print("    " + _("for {title} · by {issuer} · {date} · {mark}").format(
            title=badge.for_title or badge.for_id, issuer=badge.issuer,
            date=badge.awarded[:10], mark=mark))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from app.paths import layout
    from app.sync import badges

    path: Path = args.file
    try:
        text = path.read_bytes()
    except OSError as error:
        raise UjuziError(_("Cannot read {path}: {error}").format(
            path=path, error=error.strerror or error)) from None
    try:
        credential = credentials.loads(text)
    except credentials.BadgeError as error:
        result = credentials.Verification(False, credentials.MALFORMED, str(error))
    else:
        home = getattr(args, "home", None)
        if layout(home).database.exists():
            from app.library import Library

            with Library(home) as library:
                result = badges.check(library, credential)
        else:
            result = badges.check(None, credential)
    if args.json:
        _emit(result.as_dict())
    else:
        _print_verification(result)
    if not result.ok:
        raise BadgeInvalid(result.reason)
    return 0


def _print_verification(result: credentials.Verification) -> None:
    print(_("Valid: the proof checks with the issuer's key the badge names.") if result.ok
          else _("Not valid ({status}): {reason}").format(status=result.status,
                                                          reason=result.reason))
    rows = [
        (_("Badge"), result.name), (_("Criteria"), result.criteria),
        (_("Issuer"), f"{result.issuer_name} ({result.issuer_id})" if result.issuer_id
         else None),
        (_("Key"), result.fingerprint),
        (_("Trusted hub"), None if result.trusted is None else (
            _("yes: this machine signs in to the hub with this key (or one it endorsed)")
            if result.trusted else
            _("no: no hub this machine signs in to has this key"))),
        (_("Valid from"), result.valid_from), (_("Valid until"), result.valid_until),
    ]
    width = max(len(name) for name, _value in rows)
    for name, value in rows:
        if value:
            print(f"  {name.ljust(width)}  {value}")


def cmd_revoke(args: argparse.Namespace, library: Library, profile: str | None) -> int:
    from app.sync.account import Account

    with Account(library, profile).session() as hub:
        answer = hub.json("POST", REVOKE_PATH.format(id=quote(args.badge_id, safe=":")),
                          json={"reason": args.reason})
    if args.json:
        _emit(answer)
        return 0
    print(_("Revoked {id} on {when}; learners' devices learn it at their next sync.").format(
        id=answer["id"], when=answer["revoked_at"]))
    return 0


_COMMANDS: dict[str, Callable[[argparse.Namespace, Library, str | None], int]] = {
    "award": cmd_award, "export": cmd_export, "list": cmd_list, "revoke": cmd_revoke,
}
HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {"badge": cmd_badge}
