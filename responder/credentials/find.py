"""Find the credentials a server definition passes to its server: env, headers, args, URL.

Values are resolved (a `${VAR}` reference reads the environment responder runs in) but never
printed: each becomes a `Credential` holding a `Secret`. A reference to an unset variable, or a
secret-looking value of unknown format, is a finding with a manual step, never a crash.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from responder.clients.base import ServerEntry
from responder.core.secrets import Secret
from responder.credentials import classify
from responder.credentials.model import Credential, Origin

# `${VAR}` (Kiro, Claude Code, Gemini), `${env:VAR}` (VS Code, Cursor, Cline, Roo, Amazon Q) and
# `${VAR:-default}` (Claude Code, Gemini): shared/reference/mcp-clients.md §2.
_REFERENCE = re.compile(r"\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_SCHEMES = re.compile(r"^\s*(?:Bearer|token|Basic|Sentry-Bearer)\s+", re.IGNORECASE)
_SECRET_FLAG = re.compile(r"^--?[A-Za-z0-9-]*(token|key|secret|password|auth)[A-Za-z0-9-]*$",
                          re.IGNORECASE)


@dataclass
class Discovery:
    credentials: list[Credential] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)  # human sentences, no values
    literal_findings: list[str] = field(default_factory=list)


def discover(entry: ServerEntry, env: Mapping[str, str]) -> Discovery:
    found = Discovery()
    view = entry.view
    for name, value in view.env.items():
        _consider(found, entry, env, f"env.{name}", name, value)
    for name, value in view.headers.items():
        _consider(found, entry, env, f"headers.{name}", name, value)
    args = list(view.args)
    index = 0
    while index < len(args):
        arg = args[index]
        flag, eq, inline = arg.partition("=")
        if eq and _SECRET_FLAG.match(flag):
            _consider(found, entry, env, f"args[{index}] {flag}=", flag, inline,
                      name_is_secret=True)
        elif _SECRET_FLAG.match(arg) and index + 1 < len(args):
            index += 1  # the flag's value is this argument; it is not looked at twice
            _consider(found, entry, env, f"args[{index}] {arg}", arg, args[index],
                      name_is_secret=True)
        else:
            _consider(found, entry, env, f"args[{index}]", "", arg, name_is_secret=False)
        index += 1
    url = view.url
    if isinstance(url, str):
        parts = urlsplit(url)
        if parts.password:
            _consider(found, entry, env, "url userinfo", "password", parts.password)
        for key, value in parse_qsl(parts.query):
            _consider(found, entry, env, f"url ?{key}=", key, value)
    return found


def _consider(found: Discovery, entry: ServerEntry, env: Mapping[str, str], field_name: str,
              name: str, raw: str, *, name_is_secret: bool | None = None) -> None:
    secret_name = classify.looks_secret(name) if name_is_secret is None else name_is_secret
    references = list(_REFERENCE.finditer(raw))
    literal = not references
    variable = references[0].group(1) if references else None
    value = raw
    for match in references:
        ref, default = match.group(1), match.group(2)
        if ref not in env and default is not None:
            value = value.replace(match.group(0), default)
            continue
        if ref not in env:
            if secret_name or classify.looks_secret(ref):
                found.unresolved.append(
                    f"{entry.name} in {entry.config.path}: {field_name} refers to ${{{ref}}}, "
                    f"which is not set in this environment; revoke that token by hand if it "
                    f"exists where the client runs"
                )
            return
        value = value.replace(match.group(0), env[ref])
    value = _SCHEMES.sub("", value).strip()
    if not value:
        return
    origin = Origin(str(entry.config.path), entry.name, field_name, literal, variable)
    kind = classify.recognise(value)
    if kind is not None:
        _add(found, Credential(Secret(value), kind.provider, kind.kind, (origin,)))
        return
    embedded = classify.find_in_text(value)
    if embedded:
        for kind, token in embedded:
            _add(found, Credential(Secret(token), kind.provider, kind.kind, (origin,)))
        return
    if secret_name and len(value) >= 8:
        provider = classify.provider_hint(name) or classify.provider_hint(variable or "")
        _add(found, Credential(Secret(value), provider, "unrecognised secret", (origin,)))


def _add(found: Discovery, credential: Credential) -> None:
    found.credentials.append(credential)
    origin = credential.origins[0]
    if origin.literal:
        found.literal_findings.append(
            f"{origin.server} in {origin.config}: a {credential.provider or 'secret'} "
            f"{credential.kind} ({credential.secret.redacted}) is written literally in "
            f"{origin.field}; reference an environment variable instead (Kiro: never hardcode "
            f"tokens)"
        )
