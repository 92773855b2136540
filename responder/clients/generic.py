"""A client adapter built from a declarative description of the client's files.

Most MCP clients differ only in data: where their files are, which key holds the servers, and
which mechanism switches one off. A `Spec` states those facts (one module per client under
`responder/clients/`), and `SpecAdapter` does the rest: locate, parse with line numbers, validate
field types, disable with the client's own mechanism and strip auto-approvals, all through the
format-preserving `Document` of the file's format.
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from responder.clients.base import ConfigFile, Edit, ServerEntry
from responder.clients.documents.base import Document, KeyPath
from responder.clients.mechanisms import Elsewhere, Found, Mechanism, dotted
from responder.core.machine import PLATFORMS, Machine

ANY = "*"  # in a container or approval pattern: every key at that level


@dataclass(frozen=True)
class Container:
    pattern: tuple[str, ...]  # ("mcpServers",), ("projects", "*", "mcpServers"), ...
    mechanism: Mechanism
    items: bool = False  # a list of entries named by their "name" field (Continue)
    scope: str = ""  # the scope of servers here, when not the file's own
    may_refer: bool = False  # the key may instead hold a path to another file (plugin.json)


@dataclass(frozen=True)
class Kind:
    """One shape of file the client reads."""

    format: str  # "json" | "jsonc" | "toml" | "yaml"
    containers: tuple[Container, ...]
    approvals: tuple[tuple[str, ...], ...] = ()  # entry-relative keys that pre-approve tools
    tool_lists: tuple[tuple[str, ...], ...] = ()  # file-level lists of "@server" tool grants
    flat: bool = False  # the top level may itself be the server map (plugin .mcp.json)
    lock: bool = False  # writers guard the file with a `<file>.lock` directory
    example: str = '{"mcpServers": {"name": {"command": "..."}}}'
    # Another file the disable must also write, e.g. Gemini CLI's enablement file.
    companion: Callable[[ConfigFile, str, Machine], Edit | None] | None = None
    # Answers `is_disabled` for an Elsewhere mechanism.
    disabled_elsewhere: Callable[[ConfigFile, str, Machine | None, Document], bool] | None = None


@dataclass(frozen=True)
class Place:
    scope: str
    kind: str
    # Absolute candidates for user and system files, or paths relative to each project root.
    at: Callable[[Machine], Iterable[Path]] | None = None
    relative: tuple[str, ...] = ()
    platforms: tuple[str, ...] = PLATFORMS
    managed: str | None = None  # the manual step's text for an administrator-owned file


@dataclass(frozen=True)
class Spec:
    name: str
    title: str
    kinds: Mapping[str, Kind]
    places: tuple[Place, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)  # residual risks for the report


class SpecAdapter:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.name = spec.name
        self.title = spec.title

    # -- locate ------------------------------------------------------------------------------

    def locate(self, machine: Machine, roots: Sequence[Path] | None = None) -> list[ConfigFile]:
        roots = machine.workspace_roots() if roots is None else roots
        found: list[ConfigFile] = []
        seen: set[Path] = set()
        for place in self.spec.places:
            if machine.platform not in place.platforms:
                continue
            if place.at is not None:
                candidates = [(place, path) for path in place.at(machine)]
            else:
                candidates = [(place, path) for root in roots for rel in place.relative
                              for path in _expand(root, rel)]
            for where, path in candidates:
                if path in seen or not os.path.lexists(path):
                    continue
                seen.add(path)
                found.append(ConfigFile(self.name, where.scope, path, where.kind,
                                        managed=where.managed is not None))
        return found

    def manual(self, config: ConfigFile, name: str) -> str | None:
        """The administrator's step for a managed file, or None when responder edits it."""
        for place in self.spec.places:
            if place.kind == config.kind and place.scope == config.scope and place.managed:
                return place.managed.format(name=name, path=config.path,
                                            dir=config.path.parent)
        return None

    def locks(self, config: ConfigFile) -> bool:
        return self._kind(config).lock

    # -- parse -------------------------------------------------------------------------------

    def document(self, config: ConfigFile, text: str) -> Document:
        return open_document(self._kind(config).format, text, config.path)

    def parse(self, config: ConfigFile, text: str,
              machine: Machine | None = None) -> list[ServerEntry]:
        kind = self._kind(config)
        doc = self.document(config, text)
        entries = []
        for found in self._find(doc, kind):
            mechanism = self._mechanism(kind, found)
            entries.append(ServerEntry(
                name=found.name,
                config=config,
                definition=found.value,
                disabled=self._holds(config, doc, kind, found, mechanism, machine),
                auto_approve=_approved(found.value, kind),
                line=doc.line(found.path),
                location=dotted(found.path),
                entry_scope=self._container(kind, found).scope,
            ))
        return entries

    def _holds(self, config: ConfigFile, doc: Document, kind: Kind, found: Found,
               mechanism: Mechanism, machine: Machine | None) -> bool:
        if isinstance(mechanism, Elsewhere):
            check = kind.disabled_elsewhere
            return bool(check and check(config, found.name, machine, doc))
        return mechanism.keeps_entry() and mechanism.done(doc, found)

    # -- disable -----------------------------------------------------------------------------

    def disable(self, config: ConfigFile, text: str, name: str) -> Edit:
        kind = self._kind(config)
        doc = self.document(config, text)
        matching = [f for f in self._find(doc, kind) if f.name == name]
        if config.managed or not matching:
            return Edit(config, name, text, text)
        summary: list[str] = []
        removed = tuple(json.dumps(f.value, sort_keys=True) for f in matching
                        if not self._mechanism(kind, f).keeps_entry())
        # Approvals first: a removed entry takes its approvals with it anyway.
        for found in matching:
            if self._mechanism(kind, found).keeps_entry():
                summary += _strip_approvals(doc, found, kind)
        summary += _strip_tool_grants(doc, kind, name)
        # One change at a time, looking the entries up again after each: list indexes move.
        for _ in range(len(matching) * 2 + 1):
            pending = [f for f in self._find(doc, kind)
                       if f.name == name and not self._mechanism(kind, f).done(doc, f)]
            if not pending:
                break
            found = pending[-1]
            summary.append(self._mechanism(kind, found).apply(doc, found))
        return Edit(config, name, text, doc.text, tuple(summary), removed=removed,
                    lock=kind.lock)

    def companions(self, config: ConfigFile, name: str, machine: Machine) -> list[Edit]:
        kind = self._kind(config)
        if config.managed and not isinstance(self._mechanisms(kind)[0], Elsewhere):
            return []
        if kind.companion is None:
            return []
        edit = kind.companion(config, name, machine)
        return [edit] if edit is not None and edit.changed else []

    def is_disabled(self, config: ConfigFile, text: str, name: str,
                    machine: Machine | None = None) -> bool:
        kind = self._kind(config)
        doc = self.document(config, text)
        matching = [f for f in self._find(doc, kind) if f.name == name]
        return all(self._holds(config, doc, kind, f, self._mechanism(kind, f), machine)
                   for f in matching)

    # -- internals ---------------------------------------------------------------------------

    def _kind(self, config: ConfigFile) -> Kind:
        try:
            return self.spec.kinds[config.kind or next(iter(self.spec.kinds))]
        except KeyError:
            raise ValueError(f"{self.name} has no file kind {config.kind!r}") from None

    @staticmethod
    def _mechanisms(kind: Kind) -> list[Mechanism]:
        return [c.mechanism for c in kind.containers]

    @staticmethod
    def _container(kind: Kind, found: Found) -> Container:
        for container in kind.containers:
            if _matches(container.pattern, found.container):
                return container
        return kind.containers[0]  # a flat file's root map

    @classmethod
    def _mechanism(cls, kind: Kind, found: Found) -> Mechanism:
        return cls._container(kind, found).mechanism

    def _find(self, doc: Document, kind: Kind) -> list[Found]:
        root = doc.value()
        if root is None and doc.format in ("yaml", "toml"):
            return []  # an empty YAML or TOML file defines nothing
        if not isinstance(root, dict):
            doc.fail((), f"the top level must be a mapping, found {_describe(root)}",
                     f"the file should look like {kind.example}")
        found: list[Found] = []
        for container in kind.containers:
            for path in _expand_pattern(doc, container.pattern):
                found += _entries(doc, path, container, kind)
        if kind.flat and not any(doc.has(c.pattern) for c in kind.containers):
            found += [Found((), key, key, value) for key, value in root.items()
                      if isinstance(value, dict)]  # string "_comment" keys are not servers
        return found


def open_document(format_name: str, text: str, path: Path) -> Document:
    # Imported here: each backend pulls in its own parser library.
    if format_name in ("json", "jsonc"):
        from responder.clients.documents.jsonc_doc import JsoncDocument
        return JsoncDocument(text, path)
    if format_name == "toml":
        from responder.clients.documents.toml_doc import TomlDocument
        return TomlDocument(text, path)
    if format_name == "yaml":
        from responder.clients.documents.yaml_doc import YamlDocument
        return YamlDocument(text, path)
    raise ValueError(f"unknown config format {format_name!r}")


def _expand(root: Path, relative: str) -> list[Path]:
    if not any(ch in relative for ch in "*?["):
        return [root / relative]
    # The folder before the first wildcard usually does not exist: one stat instead of a glob
    # (this runs for every project folder a machine remembers).
    parts = relative.split("/")
    fixed = next(i for i, p in enumerate(parts) if any(ch in p for ch in "*?["))
    base = os.path.join(root, *parts[:fixed]) if fixed else str(root)
    if not os.path.isdir(base):
        return []
    pattern = os.path.join(glob.escape(base), *parts[fixed:])
    return sorted(Path(p) for p in glob.glob(pattern, recursive=True))


def _matches(pattern: tuple[str, ...], path: KeyPath) -> bool:
    return len(pattern) == len(path) and all(
        p in (ANY, k) for p, k in zip(pattern, path, strict=True))


def _expand_pattern(doc: Document, pattern: tuple[str, ...]) -> list[KeyPath]:
    paths: list[KeyPath] = [()]
    for part in pattern:
        nxt: list[KeyPath] = []
        for path in paths:
            value = doc.value(path)
            if part == ANY:
                if isinstance(value, dict):
                    nxt += [(*path, key) for key in value]
            elif isinstance(value, dict) and part in value:
                nxt.append((*path, part))
        paths = nxt
    return paths


_STRING_FIELDS = ("url", "serverUrl", "httpUrl", "uri", "cwd", "type")
_LIST_FIELDS = ("args",)
_MAP_FIELDS = ("env", "envs", "headers", "http_headers")


def _entries(doc: Document, path: KeyPath, container: Container, kind: Kind) -> list[Found]:
    value = doc.value(path)
    where = dotted(path)
    if value is None or (container.may_refer and isinstance(value, str)):
        return []  # nothing configured here, or only a pointer to a file located on its own
    if container.items:
        if not isinstance(value, list):
            doc.fail(path, f"{where} must be a list, found {_describe(value)}",
                     f"write {path[-1]}: followed by '- name: ...' items")
        found = []
        for index, item in enumerate(value):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                doc.fail((*path, index), f"{where}[{index}] must be a mapping with a name",
                         "each item needs 'name: <server name>'")
            _check_fields(doc, (*path, index), item)
            found.append(Found(path, index, item["name"], item))
        return found
    if not isinstance(value, dict):
        doc.fail(path, f"{where} must be an object, found {_describe(value)}",
                 f"the file should look like {kind.example}")
    found = []
    for key, entry in value.items():
        if not isinstance(entry, dict):
            doc.fail((*path, key), f"{where}.{key} must be an object, found {_describe(entry)}",
                     f"the file should look like {kind.example}")
        _check_fields(doc, (*path, key), entry)
        found.append(Found(path, key, str(key), entry))
    return found


def _check_fields(doc: Document, path: KeyPath, entry: Mapping[str, Any]) -> None:
    where = dotted(path)
    command = entry.get("command")
    if command is not None and not isinstance(command, str | dict):
        doc.fail((*path, "command"), f"{where}.command must be a string, found "
                 f"{_describe(command)}", 'write "command": "npx"')
    for key in _STRING_FIELDS:
        if entry.get(key) is not None and not isinstance(entry[key], str):
            doc.fail((*path, key), f"{where}.{key} must be a string, found "
                     f"{_describe(entry[key])}", "put the value in double quotes")
    for key in _LIST_FIELDS:
        value = entry.get(key)
        if value is not None and (not isinstance(value, list)
                                  or not all(isinstance(a, str | int | float) for a in value)):
            doc.fail((*path, key), f"{where}.{key} must be a list of strings, found "
                     f"{_describe(value)}", f'write "{key}": ["-y", "some-package"]')
    for key in _MAP_FIELDS:
        value = entry.get(key)
        if value is not None and not isinstance(value, dict):
            doc.fail((*path, key), f"{where}.{key} must be a mapping, found {_describe(value)}",
                     f'write "{key}": {{"NAME": "value"}}')
    for key in ("disabled", "enabled", "trust"):
        value = entry.get(key)
        if value is not None and not isinstance(value, bool):
            doc.fail((*path, key), f"{where}.{key} must be true or false, found "
                     f"{_describe(value)}", f'write "{key}": {json.dumps(key != "enabled")}')


def _approved(entry: Mapping[str, Any], kind: Kind) -> tuple[str, ...]:
    tools: list[str] = []
    for pattern in kind.approvals:
        for key, value in _pattern_values(entry, pattern):
            if isinstance(value, list):
                tools += [str(v) for v in value]
            elif value not in (None, False, "prompt", "approve"):
                tools.append(f"{dotted(key)}={json.dumps(value)}")
    return tuple(tools)


def _pattern_values(entry: Any, pattern: tuple[str, ...]) -> list[tuple[tuple[str, ...], Any]]:
    nodes: list[tuple[tuple[str, ...], Any]] = [((), entry)]
    for part in pattern:
        nodes = [((*p, k), v[k]) for p, v in nodes if isinstance(v, dict)
                 for k in (v if part == ANY else [part]) if k in v]
    return nodes


def _strip_approvals(doc: Document, found: Found, kind: Kind) -> list[str]:
    summary = []
    for pattern in kind.approvals:
        for key, value in _pattern_values(found.value, pattern):
            doc.delete((*found.path, *key))
            summary.append(f'removed "{dotted(key)}" from {dotted(found.path)} '
                           f'({describe_tools(value)})')
    return summary


def _strip_tool_grants(doc: Document, kind: Kind, name: str) -> list[str]:
    summary = []
    for path in kind.tool_lists:
        granted = doc.value(path)
        if not isinstance(granted, list):
            continue
        mine = [i for i, t in enumerate(granted)
                if isinstance(t, str) and (t == f"@{name}" or t.startswith(f"@{name}/"))]
        for index in reversed(mine):
            doc.delete((*path, index))
        if mine:
            shown = ", ".join(str(granted[i]) for i in mine)
            summary.append(f"removed {shown} from {dotted(path)}")
    return summary


def describe_tools(value: Any) -> str:
    """'3 tools: a, b, c', 'every tool: "*"', 'approval mode auto', for summaries."""
    if isinstance(value, bool):
        return f"trusted: {json.dumps(value)}"
    if isinstance(value, str):
        return f"approval mode {value!r}"
    tools = [str(t) for t in value] if isinstance(value, list) else [str(value)]
    if not tools:
        return "no tools"
    if tools == ["*"]:
        return 'every tool: "*"'
    shown = ", ".join(tools[:8]) + (f", and {len(tools) - 8} more" if len(tools) > 8 else "")
    return f"{len(tools)} tool{'s' if len(tools) != 1 else ''}: {shown}"


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return "a number"


def map_kind(mechanism: Mechanism, *, key: str = "mcpServers", format: str = "json",
             **options: Any) -> Kind:
    """The common shape: one top-level map of servers."""
    example = options.pop("example", f'{{"{key}": {{"name": {{"command": "..."}}}}}}')
    return Kind(format, (Container((key,), mechanism),), example=example, **options)


def files(*make: Callable[[Machine], Path | None]) -> Callable[[Machine], list[Path]]:
    """Absolute candidates from path functions; a function may return None (not applicable)."""
    def at(machine: Machine) -> list[Path]:
        return [p for f in make if (p := f(machine)) is not None]
    return at


def globbed(base: Callable[[Machine], Path | None], pattern: str
            ) -> Callable[[Machine], list[Path]]:
    def at(machine: Machine) -> list[Path]:
        root = base(machine)
        return _expand(root, pattern) if root is not None else []
    return at
