"""Hubs on the local network ("Nearby hubs", ``ujuzi hubs``): a short, bounded browse for
the zeroconf service that ``ujuzi hub serve --lan`` advertises (docs/sync.md, "Nearby hubs":
type ``_ujuzi-hub._tcp.local.``, TXT ``path``, ``name``, ``fingerprint``, ``version``).

A learner still signs in as with any hub; the fingerprint shown here is the one the login
pins, so it can be compared with what the trainer reads out.

The browse listens on every interface, or on the addresses ``UJUZI_LAN_INTERFACES`` lists
(comma-separated; ``127.0.0.1`` finds a hub on this machine only).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

SERVICE_TYPE = "_ujuzi-hub._tcp.local."


@dataclass(frozen=True)
class NearbyHub:
    name: str
    url: str
    fingerprint: str
    version: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _text(properties: dict[bytes, bytes | None], key: str) -> str:
    value = properties.get(key.encode())
    return value.decode("utf-8", "replace") if value else ""


def _hub(info: Any) -> list[NearbyHub]:
    properties = info.properties or {}
    path = _text(properties, "path") or "/"
    if not path.startswith("/"):
        path = "/" + path
    name = _text(properties, "name") or info.name.removesuffix("." + SERVICE_TYPE)
    return [
        NearbyHub(name=name, url=f"http://{address}:{info.port}{path}".rstrip("/"),
                  fingerprint=_text(properties, "fingerprint"),
                  version=_text(properties, "version"))
        for address in info.parsed_addresses()
    ]


def browse(seconds: float = 3.0) -> list[NearbyHub]:
    """The hubs that answer within ``seconds``, one entry per address, sorted by name."""
    from zeroconf import IPVersion, ServiceBrowser, ServiceListener, Zeroconf

    found: dict[str, Any] = {}
    lock = threading.Lock()

    class Listener(ServiceListener):
        def add_service(self, zc: Zeroconf, type_: str, name: str) -> None:
            info = zc.get_service_info(type_, name, timeout=int(seconds * 1000))
            if info is not None:
                with lock:
                    found[name] = info

        def update_service(self, zc: Zeroconf, type_: str, name: str) -> None:
            self.add_service(zc, type_, name)

        def remove_service(self, zc: Zeroconf, type_: str, name: str) -> None:
            with lock:
                found.pop(name, None)

    from zeroconf import InterfaceChoice

    listed = [part.strip() for part in os.environ.get("UJUZI_LAN_INTERFACES", "").split(",")
              if part.strip()]
    zeroconf = Zeroconf(interfaces=listed or InterfaceChoice.All, ip_version=IPVersion.V4Only)
    try:
        browser = ServiceBrowser(zeroconf, SERVICE_TYPE, Listener())
        time.sleep(seconds)  # the browse window itself: answers come in meanwhile
        browser.cancel()
    finally:
        zeroconf.close()
    with lock:
        infos = list(found.values())
    hubs = {(hub.name, hub.url): hub for info in infos for hub in _hub(info)}
    return sorted(hubs.values(), key=lambda hub: (hub.name.lower(), hub.url))
