"""The disclosure for the server's maintainer: what happened, with nothing about us in it.

Built only from public facts: the package (ecosystem, name, versions), the registry's own
metadata (publish times, publishers), the timeline in UTC and attacker-side indicators (what kind
of thing was done, when, and to which outside host). No local path, user or host name, account,
repository of ours, email or credential is put in; free text taken from the run (a flag's reason)
is passed through `redact` with the run's private words as a second line of defence, and the
rendered text is checked again before it is written (actions/report.py).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from responder.core.times import parse_time, utc_text

# An outside host in a flag's summary: a URL's, or "webhook to exfil.example".
_URL_HOST = re.compile(r"(?:https?://|\bto )([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b")
REDACTED = "<redacted>"


def redact(text: str, private_words: list[str]) -> str:
    """Each private word (longest first, so `alice-laptop` goes whole) becomes <redacted>."""
    for word in sorted({w for w in private_words if w and len(w) >= 3}, key=len, reverse=True):
        text = re.sub(re.escape(word), REDACTED, text, flags=re.IGNORECASE)
    return text


def leaks(text: str, private_words: list[str]) -> list[str]:
    lowered = text.lower()
    return [w for w in private_words if w and len(w) >= 3 and w.lower() in lowered]


def _when(value: Any) -> str:
    parsed = parse_time(value) if isinstance(value, str) else value
    return utc_text(parsed) if isinstance(parsed, datetime) else "unknown"


def affected(package: dict[str, Any]) -> dict[str, Any]:
    """One package as the maintainer should read it: no launch command, no local detail."""
    ecosystem = package.get("ecosystem")
    kinds = {"npm": "npm package", "pypi": "PyPI package", "oci": "container image",
             "go": "Go module", "jsr": "JSR package", "vcs": "source repository",
             "remote": "remote MCP server at host"}
    versions = [{"version": v["version"], "published": v.get("published") or "unknown",
                 "publisher": v.get("publisher")} for v in package.get("suspect_versions") or []]
    floating = any(s.get("kind") == "unpinned" for s in package.get("signals") or [])
    pinned = None if floating else package.get("version")
    if versions:
        how = ("the version pinned in the configuration" if pinned
               else "the version(s) that may have run: the configuration pins none")
    elif pinned:
        how = "the version pinned in the configuration"
        versions = [{"version": pinned, "published": "unknown", "publisher": None}]
    else:
        how = "no version was pinned and the registry could not tell which ran"
    return {"kind": kinds.get(str(ecosystem), str(ecosystem)), "name": package.get("name"),
            "versions": versions, "how": how, "known_good": package.get("known_good"),
            "repository": package.get("repository"), "page_url": package.get("page_url"),
            "signals": [s["text"] for s in package.get("signals") or []
                        if s.get("kind") != "unpinned"]}


def package_label(package: dict[str, Any]) -> str:
    """maintainers.model.PackageFacts.label of a package as the lookup's outputs describe it:
    the words a contact's `package` uses, for finding the package a channel speaks for."""
    if package.get("ecosystem") == "remote":
        return str(package.get("name"))
    return f"{package.get('ecosystem')} {package.get('name')}"


def build(incident: dict[str, Any], maintainer: dict[str, Any] | None,
          private_words: list[str]) -> dict[str, Any]:
    found = maintainer or {}
    chosen = (found.get("chosen") or {}).get("package")
    # The disclosure goes to one project: the package its channel was found for (a server
    # defined twice, as a package and as a remote URL, has two maintainers to tell).
    packages = [affected(p) for p in found.get("packages", [])
                if p.get("ecosystem") not in ("path", "python-module")
                and (not chosen or package_label(p) == chosen)]
    indicators, hosts = [], set()
    for flag in incident["flagged"]:
        indicators.append(redact(f"{flag['reason']} (at {_when(flag['at'])})", private_words))
        for host in _URL_HOST.findall(str(flag.get("summary") or "")):
            if not leaks(host, private_words):
                hosts.add(host.lower())
    providers = sorted({c["provider"] or "unknown" for c in incident["credentials"]})
    return {
        "server": redact(incident["server"], private_words),
        "packages": packages,
        "network_indicators": sorted(hosts),
        "started_at": _when(incident["started_at"]),
        "contained_at": _when(incident["contained_at"]) if incident["contained_at"] else None,
        "revoked_at": _when(incident["revoked_at"]) if incident["revoked_at"] else None,
        "verified_at": _when(incident["verified_at"]) if incident["verified_at"] else None,
        "credential_count": len(incident["credentials"]),
        "providers": providers,
        "indicators": indicators,
        "dry_run": incident["dry_run"],
    }
