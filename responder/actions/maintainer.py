"""maintainer.discover: which package the server is, who maintains it, and how to tell them.

Reads only public metadata (registries, GitHub, security.txt) and never sends a suspect token
anywhere; GitHub is read with RESPONDER_GITHUB_TOKEN when set, anonymously otherwise.
Everything read is kept as evidence: the registry's metadata at the time of the incident is part
of the record, since a compromised publisher can change it later.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from responder.actions.base import Action, ActionInputs, Finding, Plan, StepResult, Table
from responder.maintainers import npm_meta, pypi_meta


class FindMaintainer(Action):
    name = "maintainer.discover"
    effect = "read"
    summary = ("Resolve each launch command to its package (npm, PyPI, OCI image, Go, JSR) or "
               "remote host, read the registry's metadata and the source repository on "
               "GitHub, flag supply-chain signals (a release just before the incident, a new "
               "publisher, a changed repository), and rank the private channels for a report "
               "(GitHub private vulnerability reporting, SECURITY.md, security.txt, registry "
               "maintainers) with the reasons for each.")

    class Inputs(ActionInputs):
        server: str
        entries: list[dict[str, Any]] = []

    def apply(self, ctx, inputs: Inputs, plan: Plan) -> StepResult:
        from responder.core.fs import write_private
        from responder.maintainers.discover import Lookup, Sources, discover

        web = github = None
        save = self._saver(ctx)
        quick = replace(ctx.timing, request_timeout=min(ctx.timing.request_timeout, 8.0),
                        read_retries=min(ctx.timing.read_retries, 1))
        if not ctx.offline:
            from responder.maintainers.web import WebReader

            web = WebReader(quick, ctx.endpoints.hosts)
            github = _github_reader(ctx, save)
        urls = ctx.endpoints.urls
        lookup = Lookup(web=web, github=github,
                        sources=Sources(npm_registry=urls.get("npm", npm_meta.DEFAULT_REGISTRY),
                                        pypi_index=urls.get("pypi", pypi_meta.DEFAULT_INDEX)),
                        window_start=ctx.window_start, now=ctx.clock(), home=ctx.machine.home,
                        env=ctx.machine.env, save=save)
        try:
            found = discover(inputs.entries, lookup)
        finally:
            if web is not None:
                web.close()
        data = found.as_dict()
        ctx.shared["maintainer"] = data
        path = ctx.run_dir / "maintainer.json"
        write_private(path, ctx.secrets.scrub(json.dumps(
            {"schema": "responder.maintainer/1", "server": inputs.server, **data}, indent=2)))
        return _result(data, path)

    def _saver(self, ctx):
        def save(name: str, request: str, payload: Any) -> None:
            if isinstance(payload, str):
                suffix = ".json" if payload.lstrip().startswith(("{", "[")) else ".txt"
                ctx.evidence.save_text(name, request, payload, suffix=suffix)
            else:
                ctx.evidence.save(name, request, payload)
        return save


def _github_reader(ctx, save):
    from responder.maintainers.github_meta import GitHubReader
    from responder.providers.registry import github as run_github

    provider = run_github(ctx)
    token = ctx.responder_tokens.get("github")
    gh = provider.client(token.reveal() if token is not None and not provider.insecure else None,
                         pool_size=16)
    return GitHubReader(gh, provider.api_url, save)


def _result(data: dict[str, Any], path) -> StepResult:
    result = StepResult(outputs={
        "packages": [{k: p[k] for k in ("ecosystem", "name", "version", "repository",
                                        "suspect_versions", "known_good", "signals", "found",
                                        "page_url", "mcp_name", "latest")}
                     for p in data["packages"]],
        "contacts": data["contacts"],
        "chosen": data["chosen"],
        "registry_reports": data["registry_reports"],
        "gaps": data["gaps"],
        "file": str(path),
    })
    for package in data["packages"]:
        result.changes.append(_describe(package))
        for signal in package["signals"]:
            severity = signal["severity"] if signal["severity"] in ("high", "medium") else "low"
            result.findings.append(Finding(severity,
                                           f"{package['name']}: {signal['text']}"))
    for gap in data["gaps"]:
        result.findings.append(Finding("low", f"maintainer lookup gap: {gap}"))
    contacts = data["contacts"]
    if contacts:
        rows = tuple((str(i), c["kind"], c["address"], c["trust"], c["reasons"][0])
                     for i, c in enumerate(contacts[:8], 1))
        result.table = Table("Private channels for the report, best first",
                             ("#", "channel", "address", "trust", "why"), rows)
        chosen = contacts[0]
        result.changes.append(f"best channel: {chosen['address']} ({chosen['kind']}, trust "
                              f"{chosen['trust']}): " + "; ".join(chosen["reasons"]))
        for warning in chosen["warnings"]:
            result.changes.append(f"  caution: {warning}")
    else:
        result.manual.append(
            "No private channel was found for the maintainers: look for a security policy on "
            "the project's repository or website; do not file a public issue")
    result.changes.append(f"caution: {data['trust_warning']}")
    result.changes.append(f"wrote {path}")
    result.manual += data["registry_reports"]
    return result


def _describe(package: dict[str, Any]) -> str:
    name = f"{package['ecosystem']} {package['name']}"
    if package["version"]:
        name += f" (pinned {package['version']})"
    parts = [name]
    suspects = [s["version"] + (f" published {s['published']}" if s["published"] != "unknown"
                                else "") + (f" by {s['publisher']}" if s["publisher"] else "")
                for s in package["suspect_versions"]]
    if suspects:
        parts.append("may have run: " + "; ".join(suspects))
    if package["known_good"]:
        parts.append(f"last release before: {package['known_good']}")
    if package["repository"]:
        parts.append(f"repository {package['repository']} (from {package['repository_source']})")
    if not package["found"]:
        parts.append("NOT FOUND on its registry")
    return ", ".join(parts)
