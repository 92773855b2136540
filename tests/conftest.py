"""Every test runs in a sandbox: HOME, the state dir and the current directory live in tmp_path,
provider variables are cleared, and any connection beyond 127.0.0.1 fails the test."""

from __future__ import annotations

import ipaddress
import socket

import pytest

_CLEARED = (
    "RESPONDER_GITHUB_TOKEN", "RESPONDER_GITHUB_API_URL", "GITHUB_TOKEN",
    "GITHUB_PERSONAL_ACCESS_TOKEN", "RESPONDER_DEBUG", "NO_COLOR", "CLAUDE_CONFIG_DIR",
)


@pytest.fixture(autouse=True)
def sandbox(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("RESPONDER_STATE_DIR", str(tmp_path / "state"))
    # System files are looked for under the sandbox, and with a root other than "/" the stop
    # step never touches this host's processes (tests that stop processes unset it).
    monkeypatch.setenv("RESPONDER_SYSTEM_ROOT", str(tmp_path))
    monkeypatch.setenv("USER", "tester")
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    # A developer's real provider URLs and admin keys must never reach a test.
    import os

    for name in list(os.environ):
        if name.startswith("RESPONDER_") and name.endswith(("_API_URL", "_ADMIN_KEY",
                                                            "_CLIENT_ID", "_CLIENT_SECRET")):
            monkeypatch.delenv(name, raising=False)
    # Registries and web hosts (the maintainer lookup) answer from a closed loopback port unless
    # a test maps them to a simulator: refused at once, never the internet.
    monkeypatch.setenv("RESPONDER_HOST_MAP", "*=http://127.0.0.1:9")
    monkeypatch.chdir(cwd)
    return tmp_path


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Tests never reach the internet: a connection to anything but loopback is an error."""
    original = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else None
        if host is not None:
            try:
                ip = ipaddress.ip_address(host)
            except ValueError:
                ip = None
            if ip is None and host != "localhost" or ip is not None and not ip.is_loopback:
                raise AssertionError(f"test tried to connect to {address!r}")
        return original(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def host_processes(monkeypatch):
    """For tests that stop processes they spawned: the run examines this host again."""
    monkeypatch.delenv("RESPONDER_SYSTEM_ROOT", raising=False)
