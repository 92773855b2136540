"""Goose: `extensions` in `config.yaml`; each extension has `enabled`, which Goose honours."""

from __future__ import annotations

from pathlib import Path

from responder.clients import places
from responder.clients.generic import Place, Spec, SpecAdapter, map_kind
from responder.clients.mechanisms import Flag
from responder.core.machine import Machine


def _config(machine: Machine) -> list[Path]:
    if machine.platform == "win32":
        return [places.appdata(machine) / "Block" / "goose" / "config" / "config.yaml"]
    return [places.xdg_config(machine) / "goose" / "config.yaml"]


SPEC = Spec(
    name="goose",
    title="Goose",
    kinds={"config": map_kind(Flag("enabled", False), key="extensions", format="yaml",
                              example="extensions:\n  name:\n    cmd: npx\n    enabled: true")},
    places=(Place("user", "config", at=_config),),
    notes=("Goose keeps extension secrets (env_keys) in the OS keyring or secrets.yaml; "
           "disabling does not delete them.",),
)


def adapter() -> SpecAdapter:
    return SpecAdapter(SPEC)
