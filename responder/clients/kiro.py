"""Kiro (IDE and CLI): `.kiro/settings/mcp.json` in the home directory and in each workspace.

The files are JSONC (Kiro parses them with `comment-json`). Servers live under `mcpServers`; the
user file may also carry `powers.mcpServers`, which Kiro reads from the user file only. Kiro honours
`"disabled": true` in an entry, so disabling sets that flag and removes `autoApprove`, whose tools
would otherwise run without a prompt the moment someone turns the server back on.

Kiro CLI agent files (`.kiro/agents/*.json`) carry their own `mcpServers` and grant tools with
`allowedTools` entries like `@github`; installed Powers carry an `mcp.json` each. Those files are
handled by a declarative spec (`clients.generic`) under the same client name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from responder.clients.base import ConfigFile, Edit, ServerEntry
from responder.clients.generic import (
    Place,
    Spec,
    SpecAdapter,
    describe_tools,
    globbed,
    map_kind,
)
from responder.clients.jsonc import (
    ArrayNode,
    EmptyDocumentError,
    JsoncError,
    Member,
    Node,
    ObjectNode,
    describe,
    line_col,
    parse,
    to_python,
)
from responder.clients.jsonc_edit import remove_member, set_member
from responder.clients.mechanisms import Flag
from responder.core.errors import ConfigParseError
from responder.core.machine import Machine

_RELATIVE = Path(".kiro") / "settings" / "mcp.json"

# Entry fields whose type Kiro insists on, with the shape a person should write instead.
_STRINGS = ("command", "url", "cwd", "type")
_STRING_LISTS = ("args", "autoApprove", "disabledTools")
_STRING_MAPS = ("env", "headers")
_EXAMPLES = {
    "command": '"command": "npx"',
    "url": '"url": "https://example.com/mcp"',
    "cwd": '"cwd": "/path/to/dir"',
    "type": '"type": "stdio"',
    "args": '"args": ["-y", "some-package"]',
    "autoApprove": '"autoApprove": ["tool_name"]',
    "disabledTools": '"disabledTools": ["tool_name"]',
    "env": '"env": {"NAME": "value"}',
    "headers": '"headers": {"Authorization": "Bearer ${TOKEN}"}',
    "disabled": '"disabled": true',
}


@dataclass(frozen=True)
class _Definition:
    path: str  # "mcpServers.github" or "powers.mcpServers.github", for the summary
    entry: ObjectNode


_EXTRAS = Spec(
    name="kiro",
    title="Kiro",
    kinds={
        "agent": map_kind(Flag("disabled", True), approvals=(("autoApprove",),),
                          tool_lists=(("allowedTools",),)),
        "power": map_kind(Flag("disabled", True), format="jsonc",
                          approvals=(("autoApprove",),)),
    },
    places=(
        Place("agent", "agent", at=globbed(lambda m: m.home / ".kiro" / "agents", "*.json")),
        Place("power", "power", at=globbed(lambda m: m.home / ".kiro" / "powers" / "installed",
                                           "*/mcp.json")),
        Place("workspace-agent", "agent", relative=(".kiro/agents/*.json",)),
    ),
)


class KiroAdapter:
    name = "kiro"
    title = "Kiro"

    def __init__(self) -> None:
        self._extras = SpecAdapter(_EXTRAS)

    def locate(self, machine: Machine, roots: Sequence[Path] | None = None) -> list[ConfigFile]:
        roots = machine.workspace_roots() if roots is None else roots
        found: list[ConfigFile] = []
        seen: set[Path] = set()
        candidates = [("user", machine.home / _RELATIVE)]
        candidates += [("workspace", root / _RELATIVE) for root in roots]
        for scope, path in candidates:
            if not path.is_file():
                continue
            # cwd == home makes the workspace file the user file; it counts once, as user.
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            found.append(ConfigFile(self.name, scope, path))
        return found + self._extras.locate(machine, roots)

    def manual(self, config: ConfigFile, name: str) -> str | None:
        return None

    def locks(self, config: ConfigFile) -> bool:
        return False

    def companions(self, config: ConfigFile, name: str, machine: Machine) -> list[Edit]:
        return []

    def parse(self, config: ConfigFile, text: str,
              machine: Machine | None = None) -> list[ServerEntry]:
        if config.kind:
            return self._extras.parse(config, text, machine)
        root = _load(config, text)
        entries: list[ServerEntry] = []
        for prefix, container in _containers(config, text, root):
            effective: dict[str, Member] = {m.key: m for m in container.members}
            for name, member in effective.items():
                entry = _check_entry(config, text, f"{prefix}.{name}", member.value)
                definition = to_python(entry)
                entries.append(
                    ServerEntry(
                        name=name,
                        config=config,
                        definition=definition,
                        disabled=definition.get("disabled") is True,
                        auto_approve=tuple(definition.get("autoApprove") or ()),
                        line=line_col(text, member.key_start)[0],
                        location=f"{prefix}.{name}",
                    )
                )
        return entries

    def disable(self, config: ConfigFile, text: str, name: str) -> Edit:
        if config.kind:
            return self._extras.disable(config, text, name)
        self.parse(config, text)  # a file that does not parse or validate is never edited
        summary: list[str] = []
        current = text
        # Paths name lines of the original text; nodes are looked up again after every edit.
        paths = [definition.path for definition in _definitions(config, text, name)]
        for index, path in enumerate(paths):
            entry = _definitions(config, current, name)[index].entry
            approve = entry.get("autoApprove")
            removed = None
            if approve is not None:
                tools = describe_tools(to_python(approve.value))
                removed = f'removed "autoApprove" from {path} ({tools})'
                current = remove_member(current, entry, "autoApprove")
                entry = _definitions(config, current, name)[index].entry
            flag = entry.get("disabled")
            if flag is None or flag.value.kind != "true":
                current = set_member(current, entry, "disabled", "true")
                summary.append(f'set "disabled": true in {path}')
            if removed:
                summary.append(removed)
        return Edit(config=config, server=name, before=text, after=current, summary=tuple(summary))

    def is_disabled(self, config: ConfigFile, text: str, name: str,
                    machine: Machine | None = None) -> bool:
        if config.kind:
            return self._extras.is_disabled(config, text, name, machine)
        matching = [entry for entry in self.parse(config, text) if entry.name == name]
        return bool(matching) and all(entry.disabled for entry in matching)


def _load(config: ConfigFile, text: str) -> ObjectNode:
    try:
        root = parse(text).root
    except EmptyDocumentError as exc:
        raise ConfigParseError(
            config.path,
            exc.line,
            exc.column,
            exc.message,
            hint='Kiro rejects an empty mcp.json: write {"mcpServers": {}} or delete the file',
        ) from exc
    except JsoncError as exc:
        raise ConfigParseError(config.path, exc.line, exc.column, exc.message) from exc
    if not isinstance(root, ObjectNode):
        _fail(
            config,
            text,
            root,
            f"the top level must be an object, found {describe(root)}",
            'the file should look like {"mcpServers": {"name": {...}}}',
        )
    return root


def _containers(config: ConfigFile, text: str, root: ObjectNode) -> list[tuple[str, ObjectNode]]:
    """The server maps Kiro reads from this file, with their dotted paths."""
    found: list[tuple[str, ObjectNode]] = []
    servers = root.get("mcpServers")
    if servers is not None:
        found.append(("mcpServers", _check_map(config, text, "mcpServers", servers.value)))
    powers = root.get("powers")
    if config.scope == "user" and powers is not None:
        powers_node = _check_map(config, text, "powers", powers.value)
        inner = powers_node.get("mcpServers")
        if inner is not None:
            path = "powers.mcpServers"
            found.append((path, _check_map(config, text, path, inner.value)))
    return found


def _definitions(config: ConfigFile, text: str, name: str) -> list[_Definition]:
    """Every entry defining `name`, shadowed duplicates included: one becomes live again the moment
    someone deletes the later one, so it is disabled too."""
    found: list[_Definition] = []
    for prefix, container in _containers(config, text, _load(config, text)):
        members = container.all(name)
        for member in members:
            if not isinstance(member.value, ObjectNode):
                continue  # only a shadowed duplicate can be something else; Kiro never reads it
            path = f"{prefix}.{name}"
            if len(members) > 1:
                path += f" (line {line_col(text, member.key_start)[0]})"
            found.append(_Definition(path, member.value))
    return found


def _check_map(config: ConfigFile, text: str, path: str, node: Node) -> ObjectNode:
    if not isinstance(node, ObjectNode):
        key = path.rsplit(".", 1)[-1]
        _fail(
            config,
            text,
            node,
            f"{path} must be an object, found {describe(node)}",
            f'write "{key}": {{ ... }}',
        )
    return node


def _check_entry(config: ConfigFile, text: str, path: str, node: Node) -> ObjectNode:
    entry = _check_map(config, text, path, node)
    for member in entry.members:
        _check_field(config, text, f"{path}.{member.key}", member.key, member.value)
    return entry


def _check_field(config: ConfigFile, text: str, where: str, key: str, value: Node) -> None:
    hint = f"write it as {_EXAMPLES[key]}" if key in _EXAMPLES else ""
    if key in _STRINGS and value.kind != "string":
        _fail(config, text, value, f"{where} must be a string, found {describe(value)}", hint)
    elif key == "disabled" and value.kind not in ("true", "false"):
        _fail(config, text, value, f"{where} must be true or false, found {describe(value)}", hint)
    elif key in _STRING_LISTS:
        if not isinstance(value, ArrayNode):
            message = f"{where} must be an array of strings, found {describe(value)}"
            _fail(config, text, value, message, hint)
        for i, item in enumerate(value.items):
            if item.kind != "string":
                message = f"{where}[{i}] must be a string, found {describe(item)}"
                _fail(config, text, item, message, hint)
    elif key in _STRING_MAPS:
        for inner in _check_map(config, text, where, value).members:
            if inner.value.kind != "string":
                message = f"{where}.{inner.key} must be a string, found {describe(inner.value)}"
                _fail(config, text, inner.value, message, "put the value in double quotes")


def _fail(config: ConfigFile, text: str, node: Node, message: str, hint: str) -> NoReturn:
    line, column = line_col(text, node.start)
    raise ConfigParseError(config.path, line, column, message, hint)
