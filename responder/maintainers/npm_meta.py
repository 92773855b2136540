"""npm registry metadata: the full packument (maintainers.md §2.1).

The full document, not the abbreviated install form: only it has `maintainers`, `repository`,
`bugs`, `time` and each version's `_npmUser` (who published it), which is what a publisher
compromise changes.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from responder.core.times import parse_instant
from responder.maintainers.document import read_document
from responder.maintainers.identity import PackageIdentity
from responder.maintainers.model import PackageFacts, Person, Release
from responder.maintainers.repository import parse_repository
from responder.maintainers.web import WebReader

DEFAULT_REGISTRY = "https://registry.npmjs.org"


def escaped(name: str) -> str:
    """`@scope/name` → `@scope%2fname`: the slash encoded, the `@` kept (npm-package-arg)."""
    return quote(name, safe="@")


def read(web: WebReader, registry: str, identity: PackageIdentity, save) -> PackageFacts:
    facts = PackageFacts(identity)
    base = (identity.registry or registry).rstrip("/")
    if base == DEFAULT_REGISTRY:
        facts.page_url = f"https://www.npmjs.com/package/{identity.name}"
    document = read_document(web, facts, f"{base}/{escaped(identity.name)}",
                             what=f"npm metadata for {identity.name}",
                             evidence=f"npm-{identity.name}", save=save)
    if document is not None:
        _fill(facts, document)
    return facts


def _fill(facts: PackageFacts, document: dict[str, Any]) -> None:
    times = document.get("time") if isinstance(document.get("time"), dict) else {}
    versions = document.get("versions") if isinstance(document.get("versions"), dict) else {}
    tags = document.get("dist-tags") if isinstance(document.get("dist-tags"), dict) else {}
    facts.latest = tags.get("latest")
    releases = []
    for version, body in versions.items():
        body = body if isinstance(body, dict) else {}
        user = body.get("_npmUser")
        publisher = (Person(user.get("name"), user.get("email"), "publisher",
                            f"versions[{version}]._npmUser")
                     if isinstance(user, dict) else None)
        raw = _repository_text(body.get("repository"))
        releases.append(Release(version, parse_instant(times.get(version)), publisher,
                                parse_repository(body.get("repository")), raw))
    facts.releases = sorted(releases, key=lambda r: (r.published is None, r.published or 0))
    latest = versions.get(facts.latest) if isinstance(versions.get(facts.latest), dict) else {}
    top = {**latest, **{k: v for k, v in document.items() if k != "versions"}}
    facts.repository = parse_repository(top.get("repository"))
    if facts.repository:
        facts.repository_source = "npm `repository` of the latest version"
    homepage = top.get("homepage")
    facts.homepage = homepage if isinstance(homepage, str) else None
    facts.mcp_name = latest.get("mcpName") if isinstance(latest.get("mcpName"), str) else None
    for person in top.get("maintainers") or []:
        if isinstance(person, dict):
            facts.people.append(Person(person.get("name"), person.get("email"), "maintainer",
                                       "npm `maintainers`"))
    author = top.get("author")
    if isinstance(author, str):  # "Name <email> (url)", package.json's short form
        match = re.match(r"\s*([^<(]*?)\s*(?:<([^>]+)>)?\s*(?:\(([^)]*)\))?\s*$", author)
        author = {"name": match.group(1) or None, "email": match.group(2)} if match else {}
    if isinstance(author, dict) and (author.get("name") or author.get("email")):
        facts.people.append(Person(author.get("name"), author.get("email"), "author",
                                   "npm `author`"))
    bugs = top.get("bugs")
    if isinstance(bugs, dict) and bugs.get("email"):
        facts.people.append(Person(None, bugs["email"], "bugs email", "npm `bugs.email`"))


def _repository_text(value: Any) -> str | None:
    if isinstance(value, dict):
        text = value.get("url")
        return str(text) if text else None
    return str(value) if value else None
