"""``ujuzi hub ...``: run a hub and administer it on its own machine."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import http.client
import ipaddress
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import HubError, UjuziError
from app.hub import mentor_cli
from app.hub.access import ROLES
from app.hub.config import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    ENV_DATABASE,
    ENV_HOME,
    FORWARD_BATCH,
    HubConfig,
)
from app.i18n import _, ngettext
from app.lazy import lazy_module
from app.paths import exclusive_lock
from app.terminal import json_text

# The hub's libraries load when a hub command runs, not for every ``ujuzi`` command.
if TYPE_CHECKING:
    from app.hub import accounts, catalog, journal, keys, service
    from app.hub import forward as forwarding
    from app.hub import lan as lan_module
else:
    accounts = lazy_module("app.hub.accounts")
    catalog = lazy_module("app.hub.catalog")
    journal = lazy_module("app.hub.journal")
    keys = lazy_module("app.hub.keys")
    forwarding = lazy_module("app.hub.forward")
    lan_module = lazy_module("app.hub.lan")
    service = lazy_module("app.hub.service")

#: Where ``ujuzi hub serve --lan`` listens unless ``--host`` is given: every address.
LAN_HOST = "0.0.0.0"

#: ``ujuzi <command>`` -> handler(args) returning the exit code.
HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {}


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS, dest="home",
                        help=_("the hub's data directory (its files are in hub/ there)"))
    parser.add_argument("--database", metavar="URL", default=argparse.SUPPRESS,
                        dest="database",
                        help=_("postgresql://USER@HOST/NAME instead of the SQLite file"))


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=_("print JSON for scripts"))


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this module's commands to the ``ujuzi`` parser."""
    hub = commands.add_parser("hub", help=_("run a hub and administer it"))
    _common(hub)
    actions = hub.add_subparsers(dest="hub_command", metavar="COMMAND", required=True)

    serve = actions.add_parser("serve", help=_("serve the hub over HTTP"))
    serve.add_argument("--host", default=None,
                       help=_("address to listen on (default {host}; {lan_host} with --lan)")
                       .format(host=DEFAULT_HOST, lan_host=LAN_HOST))
    serve.add_argument("--port", type=int, default=DEFAULT_PORT,
                       help=_("port (default {port}; 0 picks a free one)").format(
                           port=DEFAULT_PORT))
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help=_("worker processes (default 1)"))
    serve.add_argument("--lan", action="store_true",
                       help=_("advertise the hub on the local network (zeroconf) and listen "
                              "on every address unless --host says otherwise"))
    deciding = serve.add_mutually_exclusive_group()
    deciding.add_argument("--upstream", metavar="URL", default=None,
                          help=_("leave mentorship decisions to this central hub (hub "
                                 "forward names it too)"))
    deciding.add_argument("--no-upstream", action="store_true",
                          help=_("decide mentorship on this hub again"))
    _common(serve)

    user = actions.add_parser("user", help=_("accounts on the hub"))
    user_actions = user.add_subparsers(dest="user_command", metavar="COMMAND", required=True)
    add = user_actions.add_parser("add", help=_("add an account"))
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true",
                     help=_("read the password from one line of standard input"))
    _common(add)
    listing = user_actions.add_parser("list", help=_("list the accounts"))
    _json_flag(listing)
    _common(listing)
    disable = user_actions.add_parser(
        "disable", help=_("disable an account and sign out its sessions"))
    disable.add_argument("name", metavar="NAME")
    _common(disable)
    trust = user_actions.add_parser(
        "trust", help=_("approve a trainer's submissions at once (--off: review them)"))
    trust.add_argument("name", metavar="NAME")
    trust.add_argument("--off", action="store_true", help=_("stop trusting the account"))
    _common(trust)
    mirrored = user_actions.add_parser(
        "mirror", help=_("let a forwarder account mirror accounts onto its workshop hub "
                         "(--off: stop)"))
    mirrored.add_argument("forwarder", metavar="FORWARDER")
    mirrored.add_argument("names", metavar="NAME", nargs="*")
    mirrored.add_argument("--off", action="store_true",
                          help=_("stop letting it mirror these accounts"))
    _json_flag(mirrored)
    _common(mirrored)

    publish = actions.add_parser("publish", help=_("put a pack straight into the catalog"))
    publish.add_argument("file", metavar="FILE.ujpack", type=Path)
    _json_flag(publish)
    _common(publish)

    review = actions.add_parser("review", help=_("the queue of submitted packs"))
    review_actions = review.add_subparsers(dest="review_command", metavar="COMMAND",
                                           required=True)
    pending = review_actions.add_parser("list", help=_("list the pending submissions"))
    _json_flag(pending)
    _common(pending)
    approve = review_actions.add_parser("approve", help=_("publish a submission, signed"))
    approve.add_argument("id", metavar="ID", type=int)
    _common(approve)
    reject = review_actions.add_parser("reject", help=_("reject a submission"))
    reject.add_argument("id", metavar="ID", type=int)
    reject.add_argument("--reason", required=True, metavar="TEXT",
                        help=_("why, for the submitter"))
    _common(reject)

    forward = actions.add_parser(
        "forward", help=_("send this hub's records to an upstream hub and fetch its catalog"))
    forward.add_argument("url", metavar="URL", help=_("the upstream hub's address"))
    forward.add_argument("--user", required=True, metavar="NAME",
                         help=_("a forwarder account on the upstream hub"))
    forward.add_argument("--password-stdin", action="store_true",
                         help=_("read the password from one line of standard input"))
    forward.add_argument("--packs", action="store_true",
                         help=_("also download the catalog's packs and publish them here"))
    forward.add_argument("--mirror", action="store_true",
                         help=_("also make here the accounts the forwarder may mirror"))
    forward.add_argument("--batch", type=int, default=FORWARD_BATCH, metavar="N",
                         help=_("records per push (default {count})").format(
                             count=FORWARD_BATCH))
    _json_flag(forward)
    _common(forward)

    key = actions.add_parser("key", help=_("the hub's signing key"))
    key_actions = key.add_subparsers(dest="key_command", metavar="COMMAND", required=True)
    show = key_actions.add_parser("show", help=_("show the key's fingerprint"))
    _json_flag(show)
    _common(show)
    rotate = key_actions.add_parser(
        "rotate", help=_("replace the key by a new one it endorses; re-sign every manifest"))
    _common(rotate)

    mentor_cli.add_commands(actions, _common, _json_flag)


def _config(args: argparse.Namespace) -> HubConfig:
    return HubConfig.from_environment(getattr(args, "home", None),
                                      getattr(args, "database", None))


def run(args: argparse.Namespace) -> int:
    config = _config(args)
    command = args.hub_command
    if command == "serve":
        host = args.host or (LAN_HOST if args.lan else DEFAULT_HOST)
        upstream = "" if args.no_upstream else args.upstream
        return serve(config, host, args.port, args.workers, lan=args.lan, upstream=upstream)
    engine = service.prepare(config)
    journal.setup(config.layout.log_file, stderr=False)
    try:
        if command == "user":
            return _user(config, engine, args)
        if command == "publish":
            return _publish(config, engine, args)
        if command == "review":
            return _review(config, engine, args)
        if command == "forward":
            return _forward(config, engine, args)
        if command == "mentor":
            return mentor_cli.run(engine, args, _emit)
        return _key(config, engine, args)
    finally:
        engine.dispose()


HANDLERS["hub"] = run


def _emit(data: Any) -> None:
    print(json_text(data))


def _read_password(name: str, from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise HubError(_("No password on standard input."))
        return password
    first = getpass.getpass(_("Password for {name}: ").format(name=name))
    second = getpass.getpass(_("The same password again: "))
    if first != second:
        raise HubError(_("The two passwords differ; nothing was changed."))
    return first


def _user(config: HubConfig, engine: Any, args: argparse.Namespace) -> int:
    command = args.user_command
    if command == "add":
        accounts.check_new_account(args.name, args.role, "x" * accounts.MIN_PASSWORD)
        password = _read_password(args.name, args.password_stdin)
        user = accounts.add_user(engine, args.name, args.role, password)
        print(_("Added {name} ({role}).").format(name=user.name, role=user.role))
        return 0
    if command == "list":
        users = accounts.list_users(engine)
        rows = [{"name": user.name, "role": user.role, "disabled": user.disabled,
                 "trusted": user.trusted, "created_at": _iso(user.created_at)}
                for user in users]
        if args.json:
            _emit(rows)
        else:
            for user in users:
                flags = [word for word, on in ((_("disabled"), user.disabled),
                                               (_("trusted"), user.trusted)) if on]
                print("\t".join([user.name, user.role, ", ".join(flags)]).rstrip())
        return 0
    if command == "mirror":
        return _mirror_grants(engine, args)
    if command == "disable":
        accounts.disable_user(engine, args.name)
        print(_("Disabled {name}; its sessions are signed out.").format(name=args.name))
        return 0
    user = accounts.set_trusted(engine, args.name, not args.off)
    if user.trusted:
        print(_("{name}'s submissions are now approved at once.").format(name=user.name))
    else:
        print(_("{name}'s submissions now wait for review.").format(name=user.name))
    return 0


def _mirror_grants(engine: Any, args: argparse.Namespace) -> int:
    from app.hub import mirror

    if args.names:
        mirror.grant(engine, args.forwarder, args.names, allow=not args.off)
    names = mirror.grants(engine, args.forwarder)
    if args.json:
        _emit({"forwarder": args.forwarder, "accounts": names})
    else:
        print(_("{forwarder} may mirror: {names}").format(
            forwarder=args.forwarder, names=", ".join(names) or _("no account")))
    return 0


def _iso(seconds: int | None) -> str | None:
    from app.hub.db import iso

    return iso(seconds)


def _publish(config: HubConfig, engine: Any, args: argparse.Namespace) -> int:
    source: Path = args.file
    if not source.is_file():
        raise HubError(_("No such file: {path}").format(path=source))
    upload = _copy_to_uploads(config, source)
    result = catalog.submit(config, engine, upload, None, publish=True)
    journal.event("published", submission=result["id"], pack=result["pack_id"],
                  version=result["version"], user=None)
    if args.json:
        _emit(result)
    else:
        print(_("Published {id} {version}.").format(id=result["pack_id"],
                                                    version=result["version"]))
    return 0


def _copy_to_uploads(config: HubConfig, source: Path) -> Path:
    import shutil
    import tempfile

    folder = config.layout.uploads
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=folder, prefix="upload-", suffix=".ujpack")
    target = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as out, open(source, "rb") as stream:
            shutil.copyfileobj(stream, out, 1024 * 1024)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def _forward(config: HubConfig, engine: Any, args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = _read_password(args.user, True)
    else:
        password = getpass.getpass(_("Password for {name} on {url}: ").format(
            name=args.user, url=args.url))
    say = (lambda line: None) if args.json else _say
    result = forwarding.forward(config, engine, args.url, args.user, password,
                                batch=args.batch, packs=args.packs,
                                mirror_accounts=args.mirror, say=say)
    journal.event("forwarded", upstream=args.url[:200], records=sum(result.sent.values()),
                  fetched=sum(result.fetched.values()), unknown=len(result.unknown),
                  packs=result.packs)
    if args.json:
        data: dict[str, Any] = {"sent": result.sent, "fetched": result.fetched,
                                "unknown": result.unknown, "refused": result.refused,
                                "packs": result.packs,
                                "published": result.published}
        if result.mirrored is not None:
            data["mirrored"] = {"added": result.mirrored.added,
                                "updated": result.mirrored.updated,
                                "disabled": result.mirrored.disabled,
                                "kept": result.mirrored.kept}
        _emit(data)
    else:
        sent, fetched = sum(result.sent.values()), sum(result.fetched.values())
        # Translators: {records} and {fetched} are "{count} record(s)", {learners}
        # "{count} learner(s)", {entries} "{count} catalog entry/entries" and {packs}
        # "{count} pack(s)", each translated on its own.
        print(_("Forwarded {records} of {learners} and fetched {fetched}; fetched {entries}; "
                "published {packs} here.").format(
                    records=ngettext("{count} record", "{count} records", sent).format(
                        count=sent),
                    learners=ngettext("{count} learner", "{count} learners",
                                      len(result.sent)).format(count=len(result.sent)),
                    fetched=ngettext("{count} record", "{count} records", fetched).format(
                        count=fetched),
                    entries=ngettext("{count} catalog entry", "{count} catalog entries",
                                     result.packs).format(count=result.packs),
                    packs=ngettext("{count} pack", "{count} packs", result.published).format(
                        count=result.published)))
    if result.unknown:
        sys.stderr.write(_("Not sent: the upstream hub has no account named {names}.").format(
            names=", ".join(result.unknown)) + "\n")
        return HubError.exit_code
    return 0


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _review(config: HubConfig, engine: Any, args: argparse.Namespace) -> int:
    command = args.review_command
    if command == "list":
        pending = catalog.list_submissions(engine, catalog.PENDING)
        if args.json:
            _emit(pending)
        else:
            if not pending:
                print(_("No submissions wait for review."))
            for item in pending:
                print("\t".join([str(item["id"]), item["pack_id"], item["version"],
                                 item["submitter"] or "-", item["submitted_at"] or ""]))
        return 0
    if command == "approve":
        result = catalog.approve(config, engine, args.id, None)
        journal.event("approved", submission=args.id, pack=result["pack_id"],
                      version=result["version"], user=None)
        print(_("Approved submission {id}: {pack} {version} is in the catalog.").format(
            id=args.id, pack=result["pack_id"], version=result["version"]))
        return 0
    catalog.reject(engine, args.id, None, args.reason)
    journal.event("rejected", submission=args.id, user=None)
    print(_("Rejected submission {id}.").format(id=args.id))
    return 0


def _key(config: HubConfig, engine: Any, args: argparse.Namespace) -> int:
    if args.key_command == "show":
        history = keys.history(engine)
        latest = history[-1]
        if args.json:
            _emit({"public_key": latest.public_key, "fingerprint": latest.fingerprint,
                   "endorsements": [{"key": key.public_key, "signed_by": key.signed_by,
                                     "signature": key.endorsement}
                                    for key in history if key.signed_by]})
        else:
            print(_("Key {fingerprint} (public key {key})").format(
                fingerprint=latest.fingerprint, key=latest.public_key))
            if len(history) > 1:
                print(ngettext("Endorsed by {count} earlier key.",
                               "Endorsed by {count} earlier keys.",
                               len(history) - 1).format(count=len(history) - 1))
        return 0
    with exclusive_lock(config.layout.setup_lock):
        old = keys.current(engine)
        new = keys.rotate(config, engine)
    journal.event("key-rotated", old=old.fingerprint, new=new.fingerprint)
    print(_("New key {new}, endorsed by {old}; every published manifest is signed with it.")
          .format(new=new.fingerprint, old=old.fingerprint))
    return 0


# -- serving ---------------------------------------------------------------------------------

def _listen(host: str, port: int) -> socket.socket:
    try:
        family = socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    except ValueError:
        family = socket.AF_INET
    # Named TCP explicitly: asyncio turns Nagle's algorithm off only on sockets whose proto
    # says TCP, and with it on a keep-alive client waits for a delayed ACK on small answers.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise HubError(_("Cannot listen on {host}:{port}: {error}").format(
            host=host, port=port, error=exc.strerror or exc)) from None
    sock.set_inheritable(True)
    return sock


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _announce(sock: socket.socket, line: str, then: Callable[[], None] | None = None) -> None:
    """Print ``line`` once the hub answers ``/healthz`` on its socket, then call ``then``."""
    host, port = sock.getsockname()[:2]
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    connection = http.client.HTTPConnection(host, port, timeout=None)
    try:
        connection.request("GET", "/healthz")
        connection.getresponse().read()
    except OSError:
        return
    finally:
        connection.close()
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
    if then is not None:
        then()


class _Lan:
    """The hub's zeroconf advertisement, made once the hub answers and withdrawn when it
    stops (whichever comes first wins: a hub stopping before it answered is never
    advertised)."""

    def __init__(self, advertisement: lan_module.Advertisement) -> None:
        self.advertisement = advertisement
        self._lock = threading.Lock()
        self._advertiser: lan_module.Advertiser | None = None
        self._stopped = False

    def start(self) -> None:
        with self._lock:
            if self._stopped:
                return
            try:
                self._advertiser = lan_module.Advertiser(self.advertisement)
            except Exception as error:  # the hub serves on; learners type its address
                journal.event("lan-refused", logging.WARNING, error=str(error)[:300])
                sys.stdout.write(_("Could not advertise the hub on the local network: "
                                   "{error}").format(error=str(error)[:300]) + "\n")
                sys.stdout.flush()
                return
            name = self._advertiser.service_name
        journal.event("lan-advertised", service=name)
        kind = lan_module.SERVICE_TYPE
        sys.stdout.write(_("Advertised on the local network as {name} ({type}).").format(
            name=name.removesuffix("." + kind), type=kind) + "\n")
        sys.stdout.flush()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            advertiser, self._advertiser = self._advertiser, None
        if advertiser is not None:
            advertiser.close()
            journal.event("lan-withdrawn")


def serve(config: HubConfig, host: str, port: int, workers: int, lan: bool = False,
          upstream: str | None = None) -> int:
    """Serve the hub. ``upstream``: the central hub that decides mentorship here from now
    on ("" : none, this hub decides again; None: as it was)."""
    import uvicorn

    from app.hub import plane

    if workers < 1:
        raise HubError(_("--workers must be at least 1."))
    central = forwarding.normalise_url(upstream) if upstream else upstream
    engine = service.prepare(config)
    try:
        key = keys.current(engine)
        if central is not None:
            with engine.begin() as connection:
                plane.set_upstream(connection, central or None)
    finally:
        engine.dispose()
    journal.setup(config.layout.log_file)
    sock = _listen(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    os.environ[ENV_HOME] = str(config.home)
    if config.database:
        os.environ[ENV_DATABASE] = config.database
    else:
        os.environ.pop(ENV_DATABASE, None)
    settings = uvicorn.Config("app.hub.server:app_from_environment", factory=True,
                              workers=workers, access_log=False, log_config=None,
                              lifespan="off", timeout_graceful_shutdown=10,
                              server_header=False)
    line = _("Hub listening on http://{host}:{port} (key {fingerprint})").format(
        host=_url_host(bound_host), port=bound_port, fingerprint=key.fingerprint)
    advertised: _Lan | None = None
    if lan:
        advertised = _Lan(lan_module.Advertisement(config.name, bound_host, bound_port,
                                                   key.fingerprint))
        if bound_host in (LAN_HOST, "::"):
            sys.stderr.write(_("With --lan the hub listens on every address ({host}): "
                               "anyone on this network can reach it.").format(
                                   host=bound_host) + "\n")
    threading.Thread(target=_announce, args=(sock, line, advertised and advertised.start),
                     daemon=True).start()
    journal.event("started", host=bound_host, port=bound_port, workers=workers,
                  key=key.fingerprint)
    try:
        if workers == 1:
            _quiet_server(settings).run(sockets=[sock])
        else:
            from uvicorn.supervisors import Multiprocess

            Multiprocess(settings, sockets=[sock]).run()
    except UjuziError:
        raise
    finally:
        if advertised is not None:
            advertised.stop()
        sock.close()
    journal.event("stopped")
    return 0


def _quiet_server_class() -> type:
    import uvicorn

    class QuietServer(uvicorn.Server):
        """Stops on SIGINT or SIGTERM and returns, rather than raising the signal again
        once it has shut down (so ``ujuzi hub serve`` exits 0)."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            previous = {number: signal.signal(number, self.handle_exit)
                        for number in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for number, handler in previous.items():
                    signal.signal(number, handler)

    return QuietServer


def _quiet_server(settings: Any) -> Any:
    return _quiet_server_class()(settings)
