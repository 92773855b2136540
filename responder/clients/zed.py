"""Zed: `context_servers` in `settings.json` (user and `<project>/.zed/`); JSONC.

Zed reads `"enabled": false` in the server's settings (its own toggle flips that key).
"""

from __future__ import annotations

from pathlib import Path

from responder.clients import places
from responder.clients.generic import Place, Spec, SpecAdapter, map_kind
from responder.clients.mechanisms import Flag
from responder.core.machine import Machine


def _user(machine: Machine) -> list[Path]:
    if machine.platform == "win32":
        return [places.appdata(machine) / "Zed" / "settings.json"]
    if machine.platform == "darwin":
        # Zed honours XDG variables on Linux only (crates/paths/src/paths.rs).
        return [machine.home / ".config" / "zed" / "settings.json"]
    flatpak = places.env_dir(machine, "FLATPAK_XDG_CONFIG_HOME")
    found = [places.xdg_config(machine) / "zed" / "settings.json"]
    return found + ([flatpak / "zed" / "settings.json"] if flatpak else [])


SPEC = Spec(
    name="zed",
    title="Zed",
    kinds={"settings": map_kind(Flag("enabled", False), key="context_servers", format="jsonc")},
    places=(
        Place("user", "settings", at=_user),
        Place("project", "settings", relative=(".zed/settings.json",)),
    ),
)


def adapter() -> SpecAdapter:
    return SpecAdapter(SPEC)

