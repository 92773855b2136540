"""clients.inventory: every config that defines the server, and the credentials it hands over."""

from __future__ import annotations

from typing import Any

from responder.actions.base import Action, ActionInputs, Finding, Plan, StepResult
from responder.clients.base import ServerEntry
from responder.clients.scan import scan
from responder.core.errors import BadInput
from responder.credentials.find import discover


class Inventory(Action):
    name = "clients.inventory"
    effect = "read"
    summary = ("Find every MCP client config that defines the server, and the credentials each "
               "definition passes to it (resolved, never shown).")

    class Inputs(ActionInputs):
        server: str
        clients: list[str] | None = None

    def apply(self, ctx, inputs: Inputs, plan: Plan) -> StepResult:
        result = StepResult()
        scanned, files, entries, names, unparsed = 0, [], [], set(), []
        for item in scan(ctx.machine, inputs.clients):
            scanned += 1
            config = item.config
            if not item.ok:
                unparsed.append({"path": str(config.path), "where": item.where,
                                 "error": item.error})
                result.input_errors.append(
                    f"{item.where}: {item.error} (this file was not changed; if it defines "
                    f"{inputs.server!r}, the server is still enabled there)")
                continue
            for server in item.entries:
                names.add(server.name)
                self._protect(ctx, server)
            mine = [s for s in item.entries if s.name == inputs.server]
            if mine:
                files.append({"client": config.client, "scope": config.scope,
                              "path": str(config.path)})
                entries.extend(mine)
        if not entries:
            found = ", ".join(sorted(names)) or "none"
            broken = f"; {len(unparsed)} file(s) could not be parsed" if unparsed else ""
            raise BadInput(
                f"no MCP server named {inputs.server!r} in {scanned} config file(s){broken}",
                hint=f"servers found: {found}. Check the name (`responder servers` lists them), "
                "or add --workspace DIR for a project not under the current directory",
            )
        credentials = self._credentials(ctx, entries, result)
        result.outputs = {
            "server": inputs.server,
            "configs_scanned": scanned,
            "files": files,
            "entries": [_entry(e) for e in entries],
            "credentials": [c.describe() for c in credentials],
            "unparsed": unparsed,
        }
        result.changes.append(
            f"{inputs.server!r} defined in {len(entries)} place(s) across {len(files)} file(s); "
            f"{len(credentials)} credential(s) found")
        for entry in entries:
            state = "already disabled" if entry.disabled else "enabled"
            result.changes.append(f"{entry.config.label()}:{entry.line} ({state})")
        return result

    def _protect(self, ctx, server: ServerEntry) -> None:
        """Register every secret in every server of the file, so no diff context can show one."""
        for credential in discover(server, ctx.machine.env).credentials:
            ctx.secrets.add(credential.secret)

    def _credentials(self, ctx, entries: list[ServerEntry], result: StepResult) -> list[Any]:
        for entry in entries:
            found = discover(entry, ctx.machine.env)
            for credential in found.credentials:
                ctx.secrets.add(credential.secret)
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


def _entry(entry: ServerEntry) -> dict[str, Any]:
    return {
        "client": entry.config.client,
        "scope": entry.config.scope,
        "path": str(entry.config.path),
        "line": entry.line,
        "disabled": entry.disabled,
        "auto_approve": list(entry.auto_approve),
        "launch": entry.launch,
    }
