"""OCI image labels through a registry's anonymous pull flow (maintainers.md §2.3).

manifest (401) → `WWW-Authenticate: Bearer realm,service,scope` → anonymous token from the realm →
manifest or index (a platform picked) → image config blob → `config.Labels`. The labels that
matter: `org.opencontainers.image.source` (the repository GHCR links), `.authors`, `.vendor`, and
the MCP Registry marker `io.modelcontextprotocol.server.name`.
"""

from __future__ import annotations

import re
from typing import Any

from responder.maintainers.identity import PackageIdentity
from responder.maintainers.model import Gap, PackageFacts, Person
from responder.maintainers.repository import parse_repository
from responder.maintainers.web import Page, WebReader

_MANIFEST_TYPES = ", ".join((
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
))
_INDEX_TYPES = ("application/vnd.oci.image.index.v1+json",
                "application/vnd.docker.distribution.manifest.list.v2+json")
# Docker Hub's registry API lives on another host than the name says.
_REGISTRY_HOSTS = {"docker.io": "registry-1.docker.io"}
SOURCE_LABEL = "org.opencontainers.image.source"
MCP_LABEL = "io.modelcontextprotocol.server.name"


def split_image(name: str) -> tuple[str, str]:
    """`ghcr.io/acme/mcp` → ("ghcr.io", "acme/mcp"); a name without a host is left to podman."""
    host, _, path = name.partition("/")
    return host, path


def read(web: WebReader, identity: PackageIdentity, save) -> PackageFacts:
    facts = PackageFacts(identity)
    host, path = split_image(identity.name)
    if "." not in host and ":" not in host and host != "localhost":
        facts.gaps.append(Gap(f"image labels of {identity.name}",
                              "a short image name: podman resolves it through registries.conf, "
                              "so the registry is not known", "run it with a full image name"))
        return facts
    reference = identity.version or "latest"
    if "@" in reference:
        reference = reference.rpartition("@")[2]
    base = f"https://{_REGISTRY_HOSTS.get(host, host)}/v2/{path}"
    facts.registry_url = f"{base}/manifests/{reference}"
    if host == "docker.io":
        facts.page_url = f"https://hub.docker.com/r/{path.removeprefix('library/')}"
    elif host == "ghcr.io":
        owner = path.split("/")[0]
        facts.page_url = f"https://github.com/{owner}?tab=packages"
    session = _Session(web)
    manifest, page = session.get_json(facts.registry_url, _MANIFEST_TYPES)
    if manifest is None:
        facts.found = page.status != 404
        facts.gaps.append(Gap(f"image labels of {identity.name}:{reference}",
                              f"{facts.registry_url}: {page.error or 'not a manifest'}",
                              "look at the image's page on its registry"))
        return facts
    save(f"oci-{path}-manifest", f"GET {facts.registry_url}", page.text)
    # Every field is checked for its shape: the registry may be the attacker's.
    labels = _mapping(manifest.get("annotations"))
    if page.content_type in _INDEX_TYPES or manifest.get("manifests"):
        chosen = _platform(manifest.get("manifests"))
        if chosen is None:
            facts.gaps.append(Gap(f"image labels of {identity.name}", "the index lists no "
                                  "linux/amd64 (or any) image manifest"))
            return _finish(facts, labels)
        url = f"{base}/manifests/{chosen}"
        manifest, page = session.get_json(url, _MANIFEST_TYPES)
        if manifest is None:
            facts.gaps.append(Gap(f"image manifest {chosen}", page.error or "unreadable"))
            return _finish(facts, labels)
        labels.update(_mapping(manifest.get("annotations")))
    digest = _mapping(manifest.get("config")).get("digest")
    if isinstance(digest, str) and re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
        config, page = session.get_json(f"{base}/blobs/{digest}", "application/json")
        if config is None:
            facts.gaps.append(Gap(f"image config {digest}", page.error or "unreadable"))
        else:
            save(f"oci-{path}-config", f"GET {base}/blobs/{digest}", page.text)
            labels.update(_mapping(_mapping(config.get("config")).get("Labels")))
    return _finish(facts, labels)


def _finish(facts: PackageFacts, labels: dict[str, Any]) -> PackageFacts:
    facts.labels = {str(k): str(v) for k, v in labels.items()}
    source = facts.labels.get(SOURCE_LABEL)
    if source and parse_repository(source):
        facts.repository = parse_repository(source)
        facts.repository_source = f"image label {SOURCE_LABEL}"
    facts.homepage = facts.labels.get("org.opencontainers.image.url") or None
    facts.mcp_name = facts.labels.get(MCP_LABEL)
    authors = facts.labels.get("org.opencontainers.image.authors", "")
    for match in re.finditer(r"([^,<]*)<([^>]+@[^>]+)>", authors):
        facts.people.append(Person(match.group(1).strip() or None, match.group(2).strip(),
                                   "authors label", "image label org.opencontainers.image.authors"))
    return facts


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _platform(manifests: Any) -> str | None:
    entries = [m for m in manifests if isinstance(m, dict) and isinstance(m.get("digest"), str)
               and re.fullmatch(r"sha256:[0-9a-f]{64}", m["digest"])] \
        if isinstance(manifests, list) else []
    for entry in entries:
        platform = _mapping(entry.get("platform"))
        if platform.get("os") == "linux" and platform.get("architecture") == "amd64":
            return entry["digest"]
    return entries[0]["digest"] if entries else None


class _Session:
    """An anonymous pull token per registry, fetched when the registry asks for one."""

    def __init__(self, web: WebReader) -> None:
        self.web = web
        self.token: str | None = None

    def get_json(self, url: str, accept: str) -> tuple[dict[str, Any] | None, Page]:
        page = self._get(url, accept)
        if page.status == 401 and self.token is None:
            challenge = _challenge(page.headers.get("www-authenticate", ""))
            if challenge is not None:
                self.token = self._token(challenge)
                if self.token:
                    page = self._get(url, accept)
        body = page.json() if page.ok else None
        return (body if isinstance(body, dict) else None), page

    def _get(self, url: str, accept: str) -> Page:
        headers = {"accept": accept}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        return self.web.get(url, headers)

    def _token(self, challenge: dict[str, str]) -> str | None:
        from urllib.parse import urlencode

        realm = challenge.get("realm", "")
        if not realm.startswith(("https://", "http://")):
            return None
        query = urlencode({k: v for k, v in challenge.items() if k in ("service", "scope")})
        answer = self.web.get(f"{realm}?{query}", {"accept": "application/json"})
        body = answer.json() if answer.ok else None
        if not isinstance(body, dict):
            return None
        token = body.get("token") or body.get("access_token")
        return token if isinstance(token, str) else None


def _challenge(header: str) -> dict[str, str] | None:
    scheme, _, params = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return {k.lower(): v for k, v in re.findall(r'(\w+)="([^"]*)"', params)}
