"""Advertising a hub on the local network with zeroconf (multicast DNS service discovery), so
that learners' apps list it under "Nearby hubs" (docs/sync.md, "Nearby hubs").

The service type is :data:`SERVICE_TYPE`; the TXT properties are ``path`` (the API's base
path), ``name`` (the hub's name), ``fingerprint`` (its signing key's) and ``version`` (of the
protocol).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from typing import Any

SERVICE_TYPE = "_ujuzi-hub._tcp.local."
PROTOCOL_VERSION = "1"
#: DNS-SD instance names are one label of at most 63 bytes.
_MAX_LABEL = 63


@dataclass(frozen=True)
class Advertisement:
    name: str
    host: str
    port: int
    fingerprint: str

    def properties(self) -> dict[str, str]:
        return {"path": "/", "name": self.name, "fingerprint": self.fingerprint,
                "version": PROTOCOL_VERSION}


def instance_name(name: str) -> str:
    """``name`` cut to one DNS-SD label (whole characters), without dots."""
    label = name.replace(".", " ").strip() or "Ujuzi hub"
    while len(label.encode("utf-8")) > _MAX_LABEL:
        label = label[:-1]
    return label


def addresses(host: str) -> list[str]:
    """The IPv4 addresses learners can reach a hub bound to ``host`` at (for every address:
    those of the machine's interfaces, loopback only when there is no other)."""
    if host not in ("0.0.0.0", "", "::"):
        return [host]
    import ifaddr

    found: list[str] = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if isinstance(ip.ip, str) and ip.ip not in found \
                    and not ipaddress.ip_address(ip.ip).is_loopback:
                found.append(ip.ip)
    return found or ["127.0.0.1"]


def _server_name() -> str:
    host = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40].strip("-") or "hub"
    return f"ujuzi-hub-{host}.local."


class Advertiser:
    """Registers the hub's service while the hub runs; :meth:`close` withdraws it."""

    def __init__(self, advertisement: Advertisement) -> None:
        from zeroconf import InterfaceChoice, IPVersion, ServiceInfo, Zeroconf

        self.advertisement = advertisement
        listed = addresses(advertisement.host)
        packed = [ipaddress.ip_address(address).packed for address in listed]
        version = IPVersion.V6Only if all(":" in a for a in listed) else IPVersion.V4Only \
            if all(":" not in a for a in listed) else IPVersion.All
        interfaces: Any = InterfaceChoice.All if advertisement.host in ("0.0.0.0", "", "::") \
            else listed
        self._zeroconf = Zeroconf(interfaces=interfaces, ip_version=version)
        label = instance_name(advertisement.name)
        self._info = ServiceInfo(
            SERVICE_TYPE, f"{label}.{SERVICE_TYPE}", addresses=packed,
            port=advertisement.port, properties=advertisement.properties(),
            server=_server_name())
        try:
            self._zeroconf.register_service(self._info, allow_name_change=True)
        except BaseException:
            self._zeroconf.close()
            raise
        self.service_name: str = self._info.name
        self._closed = False

    def close(self) -> None:
        """Withdraw the service (a goodbye packet, so browsers drop it at once)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._zeroconf.unregister_service(self._info)
        finally:
            self._zeroconf.close()
