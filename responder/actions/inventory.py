"""clients.inventory: every config that defines the server, and the credentials it hands over.

A server is matched by name; with `match: package` or `match: url` also every server that runs the
same package or talks to the same URL under another name. Whatever the mode, servers that share
the package or URL under another name are listed as "also check". Each file that defines the
server is also looked at for the hardening problems Kiro's guidance names.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal
from urllib.parse import urlsplit

from responder.actions.base import Action, ActionInputs, Finding, Plan, StepResult
from responder.clients.base import ServerEntry
from responder.clients.scan import Scanned, backed_up, scan
from responder.core.errors import BadInput
from responder.credentials.find import discover
from responder.maintainers.identity import package_of, url_key
from responder.providers.registry import warm_up

Match = Literal["name", "package", "url"]
_PROJECT_SCOPES = ("workspace", "project", "project-block", "project-agent", "solution",
                   "workspace-agent", "devcontainer")
_WIDE_APPROVAL = 5  # tools pre-approved at once that make a finding


class Inventory(Action):
    name = "clients.inventory"
    effect = "read"
    summary = ("Find every MCP client config that defines the server (by name, or also by "
               "package or URL), and the credentials each definition passes to it (resolved, "
               "never shown).")

    class Inputs(ActionInputs):
        server: str
        match: Match = "name"
        clients: list[str] | None = None

    def apply(self, ctx, inputs: Inputs, plan: Plan) -> StepResult:
        result = StepResult()
        scanned = list(scan(ctx.machine, inputs.clients))
        every: list[ServerEntry] = []
        unparsed = []
        for item in scanned:
            if not item.ok:
                unparsed.append({"path": str(item.config.path), "where": item.where,
                                 "error": item.error, "hint": item.hint})
                result.input_errors.append(
                    f"{item.where}: {item.error} (this file was not changed; if it defines "
                    f"{inputs.server!r}, the server is still enabled there)"
                    + (f"\n  hint: {item.hint}" if item.hint else ""))
                continue
            for server in item.entries:
                self._protect(ctx, server)
            every.extend(item.entries)
        chosen, also = select(every, inputs.server, inputs.match)
        if not chosen:
            raise self._unknown(inputs, every, scanned, unparsed)
        credentials = self._credentials(ctx, chosen, result)
        if not ctx.offline:
            warm_up(c.provider for c in credentials)
        result.findings.extend(hardening(ctx, chosen, scanned))
        files = list({str(e.config.path): e.config.as_dict() for e in chosen}.values())
        result.outputs = {
            "server": inputs.server,
            "match": inputs.match,
            "configs_scanned": len(scanned),
            "files": files,
            "targets": [{**e.config.as_dict(), "name": e.name} for e in chosen],
            "entries": [describe(e) for e in chosen],
            "also_check": [describe(e) for e in also],
            "credentials": [c.describe() for c in credentials],
            "unparsed": unparsed,
        }
        names = sorted({e.name for e in chosen})
        result.changes.append(
            f"{inputs.server!r} defined in {len(chosen)} place(s) across {len(files)} file(s)"
            + (f" (names: {', '.join(names)})" if names != [inputs.server] else "")
            + f"; {len(credentials)} credential(s) found")
        for entry in chosen:
            state = "already disabled" if entry.disabled else "enabled"
            result.changes.append(f"{entry.config.label()}:{entry.line} {entry.location} "
                                  f"({state})")
        for entry in also:
            result.findings.append(Finding(
                "medium", f"also check {entry.name!r} in {entry.config.label()}:{entry.line}: it "
                f"runs the same {_shared(entry, chosen)} under another name (not disabled; "
                f"to include it: {_rerun(entry)})", str(entry.config.path)))
        return result

    def restore(self, ctx, inputs: Inputs, outputs: dict[str, Any]) -> None:
        """Find the credentials again (values are never journaled): in the configs as they are
        now and, for entries the first attempt removed, in the run's backups of the originals."""
        described = outputs.get("credentials") or []
        wanted = {str(c["id"]) for c in described}
        # Later steps name credentials by id only: how to show one that cannot be read again.
        ctx.shared.setdefault("credential_labels", {}).update(
            {str(c["id"]): str(c.get("redacted")) for c in described if c.get("redacted")})
        entries = [e for item in scan(ctx.machine, inputs.clients) if item.ok
                   for e in item.entries]
        entries += backed_up(ctx.run_dir / "backups")
        for entry in entries:
            self._protect(ctx, entry)
        chosen, _ = select(entries, inputs.server, inputs.match)
        for entry in chosen:
            for credential in discover(entry, ctx.machine).credentials:
                if credential.id in wanted:
                    ctx.credentials.add(credential)

    def _unknown(self, inputs: Inputs, every: list[ServerEntry], scanned: list[Scanned],
                 unparsed: list[dict[str, Any]]) -> BadInput:
        found = ", ".join(sorted({e.name for e in every})) or "none"
        broken = "".join(f"\n  {u['where']}: {u['error']}" for u in unparsed)
        if unparsed:
            return BadInput(
                f"no MCP server named {inputs.server!r} in the {len(scanned) - len(unparsed)} "
                f"config file(s) that could be read; {len(unparsed)} could not be, and may "
                f"define it:{broken}",
                hint="fix the file(s) named (responder never edits a file it cannot parse) and "
                f"run again, or disable the server there by hand. Servers found: {found}")
        return BadInput(
            f"no MCP server named {inputs.server!r} in {len(scanned)} config file(s)",
            hint=f"servers found: {found}. Check the name (`responder servers` lists them), use "
            "--match package with a package name, or add --workspace DIR for a project not "
            "under the current directory")

    def _protect(self, ctx, server: ServerEntry) -> None:
        """Register every secret in every server of the file, so no diff context can show one."""
        for credential in discover(server, ctx.machine).credentials:
            ctx.secrets.add(credential.secret)
            for encoded in credential.encodings:  # base64 forms, headers
                ctx.secrets.add(encoded)

    def _credentials(self, ctx, entries: list[ServerEntry], result: StepResult) -> list[Any]:
        for entry in entries:
            found = discover(entry, ctx.machine)
            for credential in found.credentials:
                ctx.secrets.add(credential.secret)
                for encoded in credential.encodings:  # base64 forms, headers
                    ctx.secrets.add(encoded)
                ctx.credentials.add(credential)
            for text in found.literal_findings:
                result.findings.append(Finding("high", text, str(entry.config.path)))
            for text in found.unresolved:
                result.findings.append(Finding("medium", text, str(entry.config.path)))
                result.manual.append(text)
        credentials = ctx.credentials.all()
        for credential in credentials:
            result.changes.append(
                f"credential {credential.secret.redacted}: {credential.provider or 'unknown'} "
                f"{credential.kind}, from " + "; ".join(
                    f"{o.field}" + (" (literal)" if o.literal else f" (${{{o.variable}}})")
                    for o in credential.origins))
        return credentials


def identity_fields(entry: ServerEntry) -> dict[str, str | None]:
    """What the entry runs, as fields: npm `@acme/x` `2.1.0`, or remote `mcp.example.com`."""
    view = entry.view
    package = package_of(view.command, list(view.args))
    if package is not None:
        return {"ecosystem": package.ecosystem, "package_name": package.name,
                "version": package.version}
    key = url_key(view.url)
    host = urlsplit(key).hostname if key else None
    return {"ecosystem": "remote" if host else None, "package_name": host, "version": None}


def identity(entry: ServerEntry) -> tuple[str | None, str | None]:
    """(package key, URL key) of what the entry runs."""
    view = entry.view
    return _identity(view.command, view.args, view.url)


@lru_cache(maxsize=4096)
def _identity(command: str | None, args: tuple[str, ...], url: str | None
              ) -> tuple[str | None, str | None]:
    # The same few launch commands repeat across hundreds of project files.
    package = package_of(command, list(args))
    return (package.key if package else None), url_key(url)


def select(entries: list[ServerEntry], server: str, match: Match
           ) -> tuple[list[ServerEntry], list[ServerEntry]]:
    """The entries to disable, and those that share their package or URL under other names."""
    named = [e for e in entries if e.name == server]
    packages = {p for e in named if (p := identity(e)[0])}
    urls = {u for e in named if (u := identity(e)[1])}
    if not named:
        # `--server @scope/pkg --match package` or `--server https://... --match url`.
        packages |= {p for e in entries if (p := identity(e)[0]) and _names_package(p, server)}
        urls |= {u for u in [url_key(server)] if u}
    related = [e for e in entries if e.name != server
               and ((identity(e)[0] in packages) or (identity(e)[1] in urls))]
    if match == "package":
        chosen = named + [e for e in related if identity(e)[0] in packages]
    elif match == "url":
        chosen = named + [e for e in related if identity(e)[1] in urls]
    else:
        chosen = named
    also = [e for e in related if e not in chosen]
    return chosen, also


def _names_package(key: str, server: str) -> bool:
    return key == server or key.partition(":")[2] == server.lower()


def _shared(entry: ServerEntry, chosen: list[ServerEntry]) -> str:
    package, url = identity(entry)
    if package and package in {identity(c)[0] for c in chosen}:
        return f"package ({package})"
    return f"URL ({url})"


def _rerun(entry: ServerEntry) -> str:
    """The command that disables it too; by package or URL, since the name matched here may be
    gone from the configs after this run."""
    package, url = identity(entry)
    if package:
        return f"responder run compromised-server --server {package.partition(':')[2]} " \
               "--match package"
    return f"responder run compromised-server --server {entry.view.url} --match url"


def describe(entry: ServerEntry) -> dict[str, Any]:
    view = entry.view
    package, url = identity(entry)
    return {
        "name": entry.name,
        "client": entry.config.client,
        "scope": entry.scope,
        "path": str(entry.config.path),
        "line": entry.line,
        "location": entry.location,
        "disabled": entry.disabled,
        "auto_approve": list(entry.auto_approve),
        "transport": view.transport,
        "launch": entry.launch,
        "command": view.command,
        "args": list(view.args),
        "url": view.url,
        "package": package,
        "url_key": url,
        **identity_fields(entry),
    }


def hardening(ctx, chosen: list[ServerEntry], scanned: list[Scanned]) -> list[Finding]:
    """Kiro's MCP security guidance, applied to the files that define the server."""
    findings: list[Finding] = []
    paths = {str(e.config.path) for e in chosen}
    for item in scanned:
        path = str(item.config.path)
        if path not in paths or item.mode is None:
            continue
        literal = [c for e in item.entries for c in discover(e, ctx.machine).credentials
                   if any(o.literal for o in c.origins)]
        if item.mode & 0o077:
            findings.append(Finding(
                "medium" if literal else "low",
                f"{path} is readable by other users (mode {item.mode:04o}); run `chmod 600 "
                f"{path}`" + (" — it holds tokens written literally" if literal else ""), path))
        if literal and item.config.scope in _PROJECT_SCOPES:
            findings.append(Finding(
                "high", f"{path} is a project file that holds {len(literal)} token(s) written "
                "literally; it may be committed to version control: check `git log -p -- "
                f"{item.config.path.name}` and the remote, and reference environment variables "
                "instead", path))
    for entry in chosen:
        tools = entry.auto_approve
        if "*" in tools or len(tools) >= _WIDE_APPROVAL or any("=" in t for t in tools):
            findings.append(Finding(
                "medium", f"{entry.name!r} in {entry.config.label()} pre-approved "
                f"{'every tool' if '*' in tools else ', '.join(tools)}: the server's tools ran "
                "without a prompt (responder removes the approval)", str(entry.config.path)))
    return findings
