"""``ujuzi hub serve --lan``: the hub advertised with zeroconf, found by browsing on loopback
with the zeroconf package (as the app's "Nearby hubs" does), and withdrawn when it stops."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app.hub import cli, lan
from tests.hubs import start_hub

zeroconf = pytest.importorskip("zeroconf")


class Listener(zeroconf.ServiceListener):
    def __init__(self) -> None:
        self.added: dict[str, zeroconf.ServiceInfo] = {}
        self.removed: set[str] = set()
        self.changed = threading.Condition()

    def add_service(self, zc: zeroconf.Zeroconf, kind: str, name: str) -> None:
        info = zc.get_service_info(kind, name, timeout=10_000)
        with self.changed:
            if info is not None:
                self.added[name] = info
            self.changed.notify_all()

    def update_service(self, zc: zeroconf.Zeroconf, kind: str, name: str) -> None:
        self.add_service(zc, kind, name)

    def remove_service(self, zc: zeroconf.Zeroconf, kind: str, name: str) -> None:
        with self.changed:
            self.removed.add(name)
            self.changed.notify_all()


@pytest.mark.slow
def test_a_lan_hub_is_advertised_with_its_port_and_fingerprint(tmp_path: Path) -> None:
    hub = start_hub(tmp_path / "hub", options=("--lan", "--host", "127.0.0.1"),
                    env={"UJUZI_HUB_NAME": "Workshop in Kisumu"})
    browser_zc = zeroconf.Zeroconf(interfaces=["127.0.0.1"],
                                   ip_version=zeroconf.IPVersion.V4Only)
    listener = Listener()
    browser = zeroconf.ServiceBrowser(browser_zc, lan.SERVICE_TYPE, listener)
    try:
        assert hub.process.stdout is not None
        advertised = hub.process.stdout.readline()
        assert advertised.startswith("Advertised on the local network as Workshop in Kisumu")
        with listener.changed:
            listener.changed.wait_for(lambda: any(
                info.port == int(hub.url.rsplit(":", 1)[1])
                for info in listener.added.values()))
        [(name, info)] = [(name, info) for name, info in listener.added.items()
                          if info.port == int(hub.url.rsplit(":", 1)[1])]
        properties = {key.decode(): (value or b"").decode()
                      for key, value in info.properties.items()}
        assert properties == {"path": "/", "name": "Workshop in Kisumu",
                              "fingerprint": hub.fingerprint, "version": "1"}
        assert "127.0.0.1" in info.parsed_addresses()
        hub.stop()
        assert hub.process.returncode == 0
        with listener.changed:  # the goodbye packet withdraws it
            listener.changed.wait_for(lambda: name in listener.removed)
    finally:
        browser.cancel()
        browser_zc.close()
        hub.stop()


@pytest.mark.slow
def test_lan_makes_every_address_the_default_host_and_says_so(tmp_path: Path) -> None:
    hub = start_hub(tmp_path / "hub", options=("--lan",))
    try:
        assert hub.url.startswith(f"http://{cli.LAN_HOST}:")
    finally:
        hub.stop()
    assert "listens on every address (0.0.0.0)" in hub.log()
    plain = start_hub(tmp_path / "plain")
    plain.stop()
    assert plain.url.startswith("http://127.0.0.1:")


def test_a_long_hub_name_becomes_one_label() -> None:
    label = lan.instance_name("Ujuzi." + "é" * 80)
    assert "." not in label and len(label.encode()) <= 63


def test_a_hub_on_every_address_advertises_its_interfaces_not_loopback() -> None:
    import ipaddress

    import ifaddr

    found = lan.addresses(cli.LAN_HOST)
    others = [ip.ip for adapter in ifaddr.get_adapters() for ip in adapter.ips
              if isinstance(ip.ip, str) and not ipaddress.ip_address(ip.ip).is_loopback]
    assert found == (others or ["127.0.0.1"])
    assert lan.addresses("192.0.2.9") == ["192.0.2.9"]
