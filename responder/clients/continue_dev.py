"""Continue: the `mcpServers` list in `config.yaml`, and block files in `.continue/mcpServers/`.

Continue has no persistent off switch (the UI's "disconnect" lasts until restart), so the entry is
removed. A JSON file in a block folder may be in Claude Desktop or Claude Code shape; Continue
loads both, so both are handled.
"""

from __future__ import annotations

from pathlib import Path

from responder.clients import places
from responder.clients.generic import Container, Kind, Place, Spec, SpecAdapter, globbed
from responder.clients.mechanisms import Remove
from responder.core.machine import Machine

_YAML_EXAMPLE = "mcpServers:\n  - name: my-server\n    command: npx"


def _home(machine: Machine) -> Path:
    return places.env_dir(machine, "CONTINUE_GLOBAL_DIR") or machine.home / ".continue"


def _config(machine: Machine) -> list[Path]:
    return [_home(machine) / "config.yaml"]


SPEC = Spec(
    name="continue",
    title="Continue",
    kinds={
        "yaml": Kind("yaml", (Container(("mcpServers",), Remove(), items=True),),
                     example=_YAML_EXAMPLE),
        "json": Kind("jsonc", (Container(("mcpServers",), Remove()),
                               Container(("projects", "*", "mcpServers"), Remove()))),
    },
    places=(
        Place("user", "yaml", at=_config),
        Place("user-block", "yaml", at=lambda m: globbed(_home, "mcpServers/*.yaml")(m)
              + globbed(_home, "mcpServers/*.yml")(m)),
        Place("user-block", "json", at=globbed(_home, "mcpServers/*.json")),
        Place("project-block", "yaml", relative=(".continue/mcpServers/*.yaml",
                                                 ".continue/mcpServers/*.yml")),
        Place("project-block", "json", relative=(".continue/mcpServers/*.json",)),
    ),
)


def adapter() -> SpecAdapter:
    return SpecAdapter(SPEC)
