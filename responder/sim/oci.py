"""An OCI distribution registry with the anonymous bearer-token flow, for image metadata.

One simulator serves many hosts: registries (ghcr.io, registry-1.docker.io, ...) and the hosts of
their token realms (auth.docker.io), told apart by the request's `Host` header (as sent, else with
its port stripped, so `registry.example:5000` may be seeded with or without the port).
The client connects to the simulator and keeps the original host in that header.

Flow (https://distribution.github.io/distribution/spec/auth/token, maintainers.md §2.3):

- `GET /v2/<name>/manifests/<tag|digest>` without a token → 401 with
  `WWW-Authenticate: Bearer realm="<realm>",service="<service>",scope="repository:<name>:pull"`
  and `{"errors": [{"code": "UNAUTHORIZED", ...}]}`.
- `GET <realm>?service=&scope=` on the realm's host → a token. Docker-style registries answer
  `{token, access_token, expires_in: 300, issued_at}`; ghcr-style ones `{token}` only.
- The retry with `Authorization: Bearer <token>` is checked against the token's service, lifetime
  (300 s on the simulator's clock, which moves only through `advance`) and pulled repositories
  (`error="invalid_token"` / `error="insufficient_scope"` in the challenge otherwise).
- Manifests are served as stored bytes with `Content-Type`, `Docker-Content-Digest` (the real
  sha256 of those bytes) and `ETag`; fetching by digest returns exactly those bytes. More than one
  platform makes the tag point at an OCI image index (or a Docker manifest list when the image's
  `format` is `docker`); each platform manifest's `config.digest` is a blob with the image config,
  whose `config.Labels` holds the seeded labels. `GET /v2/<name>/tags/list` lists tags.
- Unknown repository → 404 NAME_UNKNOWN; unknown tag or digest → 404 MANIFEST_UNKNOWN; unknown
  blob → 404 BLOB_UNKNOWN. Repository names may have any number of components.

Seed::

    registries:            # optional; ghcr.io and registry-1.docker.io are always served
      ghcr.io: {realm: "https://ghcr.io/token", service: ghcr.io, style: ghcr}
    images:
      - registry: ghcr.io              # docker.io / index.docker.io mean registry-1.docker.io
        repository: acme/mcp
        tags: ["1.2", latest]
        platforms: [linux/amd64, linux/arm64]
        format: oci                    # or docker (Docker media types, no annotations)
        labels: {org.opencontainers.image.source: "https://github.com/acme/mcp"}
        annotations: {...}             # on the index and on each manifest
        created: "-30d"
        private: false

The same repository may be seeded more than once with different tags (an older, known-good
version beside the suspect one).

UNCONFIRMED (not checked against the live services):
- A private image asked for anonymously: ghcr-style realms answer 401 on the token endpoint (as
  reported in openai/tunnel-client#75); Docker-style realms issue a token without access and the
  registry answers 401 `error="insufficient_scope"` with Docker Hub's `detail` list.
- Content negotiation on a tag: no `Accept`, or `*/*`, gets the stored type; an index or manifest
  list the client does not accept falls back to the linux/amd64 (else first) platform manifest if
  that type is accepted; otherwise 404 MANIFEST_UNKNOWN with distribution's "... found, but accept
  header does not support ..." message. A fetch by digest always returns the stored bytes.
- Blobs are served directly (real registries usually redirect to a CDN); layers are small gzip
  members, not real tar files. Credentials sent to the token endpoint are ignored.
- Faults match the path on every host, as the simulator cannot tell hosts apart before routing.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from responder.sim.server import (
    Fault,
    Handler,
    Request,
    Response,
    Route,
    SimServer,
    iso,
    resolve_time,
)

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_LIST})

# format -> (index, manifest, config, layer) media types
_MEDIA = {
    "oci": (OCI_INDEX, OCI_MANIFEST, OCI_CONFIG, OCI_LAYER),
    "docker": (DOCKER_LIST, DOCKER_MANIFEST, DOCKER_CONFIG, DOCKER_LAYER),
}
_NOT_ACCEPTED = {
    OCI_INDEX: "OCI index found, but accept header does not support OCI indexes",
    OCI_MANIFEST: "OCI manifest found, but accept header does not support OCI manifests",
    DOCKER_LIST: "manifest list found, but accept header does not support manifest lists",
    DOCKER_MANIFEST: "schema 2 manifest found, but accept header does not support it",
}
TOKEN_LIFETIME = 300  # seconds, Docker Hub's expires_in

DEFAULT_REGISTRIES: dict[str, dict[str, str]] = {
    "ghcr.io": {"realm": "https://ghcr.io/token", "service": "ghcr.io", "style": "ghcr"},
    "registry-1.docker.io": {
        "realm": "https://auth.docker.io/token",
        "service": "registry.docker.io",
        "style": "docker",
    },
}
_ALIASES = {"docker.io": "registry-1.docker.io", "index.docker.io": "registry-1.docker.io"}
_STYLES = ("docker", "ghcr")
# distribution/reference: path components of lower-case alphanumerics and separators.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_NAME = re.compile(rf"^{_COMPONENT}(?:/{_COMPONENT})*$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_ERROR_CODES = {401: "UNAUTHORIZED", 403: "DENIED", 404: "NOT_FOUND", 429: "TOOMANYREQUESTS"}
_MESSAGES = {
    "UNAUTHORIZED": "authentication required",
    "DENIED": "requested access to the resource is denied",
    "NAME_UNKNOWN": "repository name not known to registry",
    "MANIFEST_UNKNOWN": "manifest unknown",
    "BLOB_UNKNOWN": "blob unknown to registry",
    "NOT_FOUND": "not found",
    "TOOMANYREQUESTS": "too many requests",
    "UNKNOWN": "unknown error",
}


@dataclass(frozen=True)
class Registry:
    host: str
    realm: str
    service: str
    style: str  # "docker" | "ghcr": the token body and how a private image is refused

    @property
    def realm_host(self) -> str:
        return (urlsplit(self.realm).hostname or "").lower()

    @property
    def realm_path(self) -> str:
        return urlsplit(self.realm).path or "/"


@dataclass(frozen=True)
class Blob:
    media_type: str
    data: bytes

    @property
    def digest(self) -> str:
        return digest_of(self.data)


@dataclass
class ImageRepo:
    registry: str
    name: str
    private: bool
    tags: dict[str, str] = field(default_factory=dict)  # tag -> digest of what it points at
    manifests: dict[str, Blob] = field(default_factory=dict)  # digest -> manifest or index
    blobs: dict[str, Blob] = field(default_factory=dict)  # digest -> config or layer
    fallback: dict[str, str] = field(default_factory=dict)  # index digest -> default manifest


@dataclass(frozen=True)
class IssuedToken:
    service: str
    pull: frozenset[str]
    issued_at: datetime


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _descriptor(media_type: str, data: bytes) -> dict[str, Any]:
    return {"mediaType": media_type, "digest": digest_of(data), "size": len(data)}


def _encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=2).encode()


def _platform(text: str) -> dict[str, str]:
    parts = str(text).split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise ValueError(f"platform {text!r} is not os/architecture[/variant]")
    platform = {"architecture": parts[1], "os": parts[0]}
    if len(parts) == 3:
        platform["variant"] = parts[2]
    return platform


def _hosts(header: str | None) -> tuple[str, str]:
    """The Host header as sent and without its port (a registry may be seeded either way)."""
    host = (header or "").strip().lower()
    if host.startswith("["):  # an IPv6 literal
        return host, host.partition("]")[0] + "]"
    return host, host.rsplit(":", 1)[0] if ":" in host else host


def _errors(status: int, code: str, message: str | None = None, detail: Any = None,
            headers: dict[str, str] | None = None) -> Response:
    error = {"code": code, "message": message or _MESSAGES.get(code, code.lower()),
             "detail": detail}
    return Response(status, {"errors": [error]}, dict(headers or {}))


class OciSimulator(SimServer):
    server_header = "oci-registry-sim"

    def __init__(self, registries: Iterable[Registry] = (), now: datetime | None = None) -> None:
        super().__init__()
        self.now = resolve_time(now or datetime.now(UTC), datetime.now(UTC))
        self.registries: dict[str, Registry] = {}
        self.repos: dict[tuple[str, str], ImageRepo] = {}
        self.tokens: dict[str, IssuedToken] = {}
        self._lock = threading.RLock()
        for registry in registries:
            self.add_registry(registry)
        self._route("GET", "/v2/", r"^/v2/?$", self._version_check)
        self._route("GET", "/v2/{name}/manifests/{reference}",
                    r"^/v2/(?P<name>.+)/manifests/(?P<reference>[^/]+)$", self._manifest)
        self._route("GET", "/v2/{name}/blobs/{digest}",
                    r"^/v2/(?P<name>.+)/blobs/(?P<digest>[^/]+)$", self._blob)
        self._route("GET", "/v2/{name}/tags/list", r"^/v2/(?P<name>.+)/tags/list$", self._tags)
        # Token realms can sit at any path on any host: the handler looks the pair up.
        self._route("GET", "{realm}", r"^/.*$", self._token)

    @classmethod
    def from_seed(cls, seed: dict[str, Any], now: datetime | None = None) -> OciSimulator:
        configured = {**DEFAULT_REGISTRIES, **(seed.get("registries") or {})}
        sim = cls(now=now)
        for host, item in configured.items():
            item = item or {}
            host = _ALIASES.get(str(host).lower(), str(host).lower())
            default = DEFAULT_REGISTRIES.get(host, {})
            sim.add_registry(Registry(
                host=host,
                realm=str(item.get("realm") or default.get("realm") or f"https://{host}/token"),
                service=str(item.get("service") or default.get("service") or host),
                style=str(item.get("style") or default.get("style") or "docker"),
            ))
        for entry in seed.get("images") or []:
            sim.add_image(entry)
        return sim

    # the hosts a client must send here

    @property
    def hosts(self) -> tuple[str, ...]:
        hosts = {r.host for r in self.registries.values()}
        hosts |= {r.realm_host for r in self.registries.values()}
        return tuple(sorted(hosts))

    def clock(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self.now += delta

    # seeding

    def add_registry(self, registry: Registry) -> None:
        if registry.style not in _STYLES:
            raise ValueError(f"registry {registry.host!r}: style must be one of {_STYLES}")
        if not registry.realm_host:
            raise ValueError(f"registry {registry.host!r}: realm {registry.realm!r} has no host")
        self.registries[registry.host] = registry

    def add_image(self, entry: dict[str, Any]) -> ImageRepo:
        host = str(entry.get("registry", "registry-1.docker.io")).lower()
        host = _ALIASES.get(host, host)
        registry = self.registries.get(host)
        if registry is None:
            raise ValueError(f"image {entry.get('repository')!r}: registry {host!r} is not seeded")
        name = str(entry["repository"])
        if not _NAME.match(name):
            raise ValueError(f"image repository {name!r} is not a valid name")
        fmt = str(entry.get("format", "oci"))
        if fmt not in _MEDIA:
            raise ValueError(f"image {name!r}: format must be one of {tuple(_MEDIA)}")
        private = bool(entry.get("private", False))
        repo = self.repos.setdefault((host, name), ImageRepo(host, name, private))
        if repo.private != private:
            raise ValueError(f"image {host}/{name} is seeded both private and public")
        index_type, manifest_type, config_type, layer_type = _MEDIA[fmt]
        labels = {str(k): str(v) for k, v in (entry.get("labels") or {}).items()}
        annotations = {str(k): str(v) for k, v in (entry.get("annotations") or {}).items()}
        created = iso(resolve_time(entry.get("created", "-30d"), self.now))
        tags = [str(tag) for tag in entry.get("tags") or ["latest"]]
        platforms = [_platform(p) for p in entry.get("platforms") or ["linux/amd64"]]
        children: list[tuple[dict[str, str], Blob]] = []
        for platform in platforms:
            where = "/".join(platform.values())
            raw_layer = f"{host}/{name}:{','.join(tags)} {where}\n".encode()
            layer = Blob(layer_type, gzip.compress(raw_layer, mtime=0))
            config = Blob(config_type, _encode({
                "created": created,
                "architecture": platform["architecture"],
                "os": platform["os"],
                **({"variant": platform["variant"]} if "variant" in platform else {}),
                # Docker writes null, not {}, for an image without labels.
                "config": {"Env": ["PATH=/usr/local/bin:/usr/bin:/bin"],
                           "Entrypoint": ["/server"], "Labels": labels or None},
                "rootfs": {"type": "layers", "diff_ids": [digest_of(raw_layer)]},
                "history": [{"created": created, "created_by": "COPY server /server"}],
            }))
            manifest: dict[str, Any] = {
                "schemaVersion": 2,
                "mediaType": manifest_type,
                "config": _descriptor(config_type, config.data),
                "layers": [_descriptor(layer_type, layer.data)],
            }
            if annotations and fmt == "oci":
                manifest["annotations"] = annotations
            stored = Blob(manifest_type, _encode(manifest))
            for blob in (layer, config):
                repo.blobs[blob.digest] = blob
            repo.manifests[stored.digest] = stored
            children.append((platform, stored))
        root = children[0][1]
        if len(children) > 1:
            index: dict[str, Any] = {
                "schemaVersion": 2,
                "mediaType": index_type,
                "manifests": [{**_descriptor(child.media_type, child.data), "platform": platform}
                              for platform, child in children],
            }
            if annotations and fmt == "oci":
                index["annotations"] = annotations
            root = Blob(index_type, _encode(index))
            repo.manifests[root.digest] = root
            default = next((child for platform, child in children
                            if (platform["os"], platform["architecture"]) == ("linux", "amd64")),
                           children[0][1])
            repo.fallback[root.digest] = default.digest
        for tag in tags:
            if not _TAG.match(tag):
                raise ValueError(f"image {name!r}: {tag!r} is not a valid tag")
            if repo.tags.get(tag, root.digest) != root.digest:
                raise ValueError(f"image {host}/{name}: tag {tag!r} is seeded twice")
            repo.tags[tag] = root.digest
        return repo

    # SimServer hooks

    def error_response(self, status: int, message: str | None = None,
                       fault: Fault | None = None) -> Response:
        code = _ERROR_CODES.get(status, "UNKNOWN")
        return _errors(status, code, message)

    def finalize(self, request: Request, response: Response) -> None:
        if request.path.startswith("/v2"):
            response.headers.setdefault("docker-distribution-api-version", "registry/2.0")

    # routing

    def _route(self, method: str, template: str, regex: str, handler: Handler) -> None:
        # Repository names span slashes, which SimServer's {param} templates cannot express.
        self.routes.append(Route(method, template, handler, re.compile(regex), {}))

    def _registry(self, request: Request) -> Registry | None:
        sent, bare = _hosts(request.headers.get("host"))
        return self.registries.get(sent) or self.registries.get(bare)

    # handlers

    def _version_check(self, request: Request) -> Response:
        registry = self._registry(request)
        if registry is None:
            return self.error_response(404)
        refused = self._authorize(request, registry, None)
        return refused or Response(200, {})

    def _manifest(self, request: Request) -> Response:
        found = self._repo(request)
        if isinstance(found, Response):
            return found
        repo, reference = found, request.params["reference"]
        if _DIGEST.match(reference):
            stored = repo.manifests.get(reference)
            if stored is None:
                return _errors(404, "MANIFEST_UNKNOWN", detail={"Digest": reference})
            return _content(stored)
        digest = repo.tags.get(reference)
        if digest is None:
            return _errors(404, "MANIFEST_UNKNOWN", detail={"Tag": reference})
        stored = repo.manifests[digest]
        accepted = _accepted(request.headers.get("accept"))
        if accepted is None or stored.media_type in accepted:
            return _content(stored)
        fallback = repo.manifests.get(repo.fallback.get(digest, ""))
        if fallback is not None and fallback.media_type in accepted:
            return _content(fallback)
        return _errors(404, "MANIFEST_UNKNOWN", _NOT_ACCEPTED[stored.media_type])

    def _blob(self, request: Request) -> Response:
        found = self._repo(request)
        if isinstance(found, Response):
            return found
        digest = request.params["digest"]
        blob = found.blobs.get(digest)
        if blob is None:
            return _errors(404, "BLOB_UNKNOWN", detail=digest)
        response = _content(blob)
        response.headers["content-type"] = "application/octet-stream"
        return response

    def _tags(self, request: Request) -> Response:
        found = self._repo(request)
        if isinstance(found, Response):
            return found
        return Response(200, {"name": found.name, "tags": sorted(found.tags)})

    def _repo(self, request: Request) -> ImageRepo | Response:
        """The repository a /v2/<name>/... request names, once its token allows pulling it."""
        registry = self._registry(request)
        if registry is None:
            return self.error_response(404)
        name = request.params["name"]
        refused = self._authorize(request, registry, name)
        if refused is not None:
            return refused
        repo = self.repos.get((registry.host, name))
        if repo is None:
            return _errors(404, "NAME_UNKNOWN", detail={"name": name})
        return repo

    def _authorize(self, request: Request, registry: Registry, name: str | None) -> Response | None:
        challenge = f'Bearer realm="{registry.realm}",service="{registry.service}"'
        detail = None
        if name is not None:
            challenge += f',scope="repository:{name}:pull"'
            detail = [{"Type": "repository", "Class": "", "Name": name, "Action": "pull"}]
        scheme, _, value = (request.headers.get("authorization") or "").strip().partition(" ")
        if not scheme:
            return _errors(401, "UNAUTHORIZED", detail=detail,
                           headers={"www-authenticate": challenge})
        with self._lock:
            token = self.tokens.get(value.strip()) if scheme.lower() == "bearer" else None
            live = token is not None and token.service == registry.service and (
                self.now < token.issued_at + timedelta(seconds=TOKEN_LIFETIME))
        if token is None or not live:
            return _errors(401, "UNAUTHORIZED", detail=detail,
                           headers={"www-authenticate": challenge + ',error="invalid_token"'})
        if name is not None and name not in token.pull:
            return _errors(401, "UNAUTHORIZED", detail=detail,
                           headers={"www-authenticate": challenge + ',error="insufficient_scope"'})
        return None

    def _token(self, request: Request) -> Response:
        hosts = _hosts(request.headers.get("host"))
        realms = [r for r in self.registries.values()
                  if r.realm_host in hosts and r.realm_path == request.path]
        if not realms:
            return self.error_response(404)
        service = request.arg("service")
        registry = next((r for r in realms if service in (None, r.service)), None)
        if registry is None:
            return _errors(400, "DENIED", f"unknown service {service!r}")
        pull: set[str] = set()
        for scope in (s for value in request.query.get("scope", []) for s in value.split()):
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            if kind != "repository" or "pull" not in actions.split(","):
                continue
            repo = self.repos.get((registry.host, name))
            if repo is not None and repo.private:
                if registry.style == "ghcr":
                    return _errors(401, "UNAUTHORIZED")
                continue  # Docker Hub issues the token, without access to this repository
            pull.add(name)
        value = base64.urlsafe_b64encode(self.rng.randbytes(32)).rstrip(b"=").decode()
        with self._lock:
            issued = IssuedToken(registry.service, frozenset(pull), self.now)
            self.tokens[value] = issued
        if registry.style == "ghcr":
            return Response(200, {"token": value})
        return Response(200, {"token": value, "access_token": value,
                              "expires_in": TOKEN_LIFETIME, "issued_at": iso(issued.issued_at)})


def _accepted(header: str | None) -> set[str] | None:
    """The media types an Accept header lists; None when it accepts anything."""
    types = {part.split(";")[0].strip().lower() for part in (header or "").split(",")}
    types.discard("")
    return None if not types or "*/*" in types else types


def _content(blob: Blob) -> Response:
    digest = blob.digest
    return Response(200, raw=blob.data, headers={
        "content-type": blob.media_type,
        "docker-content-digest": digest,
        "etag": f'"{digest}"',
    })
