"""npm packuments for the registry simulator: seeding, the full and abbreviated documents, tarballs.

Shapes follow npm/registry `docs/responses/package-metadata.md` (maintainers.md §2.1):

- Full document: `_id`, `_rev`, `name`, `dist-tags`, `time` (`created`, `modified`, one entry per
  version; ISO-8601 with milliseconds and `Z`, as the registry writes them), `versions`, `users`,
  and the latest version's `author`, `bugs`, `contributors`, `description`, `homepage`,
  `keywords`, `license`, `maintainers`, `readme`, `repository` hoisted to the top.
- Each version: its package.json fields (the package seed's, overridden by the version's own),
  `_id` (`name@version`), `_npmUser` (the publisher), `_npmVersion`, `_nodeVersion`, `dist`.
  Versions carry no `readme`: the registry keeps it at the top only.
- Abbreviated document (`Accept: application/vnd.npm.install-v1+json`): `name`, `modified`,
  `dist-tags`, and per version only what an installer needs.

`dist` describes a real gzipped tarball (`package/package.json`, plus `package/README.md` when
there is a readme) that the simulator also serves, so `shasum` (sha1 hex), `integrity`
(`sha512-` + base64) and `unpackedSize` can be checked against the bytes.

A `repository` given as a shorthand string ("owner/repo", "github:owner/repo") is passed through
as given, as old packuments carry it; current `npm publish` normalises it to an object first.
Not simulated: `npm-signature` / `signatures`, unpublished versions, deprecation messages beyond
passing a seeded `deprecated` field through.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from responder.sim.server import resolve_time

ABBREVIATED_TYPE = "application/vnd.npm.install-v1+json"
DEFAULT_NPM_VERSION = "10.8.2"
DEFAULT_NODE_VERSION = "20.17.0"
_NOBODY = {"name": "npm-user", "email": "npm-user@example.com"}
# npm pack stamps every entry with this time so tarballs are reproducible.
_NPM_PACK_MTIME = 499162500

# Seed keys that describe the package or the version rather than package.json contents.
_PACKAGE_KEYS = frozenset({"versions", "dist_tags", "dist-tags", "users", "readme", "created",
                           "modified", "rev", "npm_version", "node_version", "name"})
_VERSION_KEYS = frozenset({"version", "published", "publisher", "npm_version", "node_version",
                           "readme"})
HOISTED = ("author", "bugs", "contributors", "description", "homepage", "keywords", "license",
           "maintainers", "repository")
# What npm's abbreviated ("corgi") document keeps of a version, besides name/version/dist.
_ABBREVIATED_FIELDS = ("deprecated", "dependencies", "optionalDependencies", "devDependencies",
                       "bundleDependencies", "peerDependencies", "peerDependenciesMeta", "bin",
                       "directories", "engines", "_hasShrinkwrap", "hasInstallScript", "cpu",
                       "os", "funding")


@dataclass
class NpmVersion:
    version: str
    published: datetime
    manifest: dict[str, Any]  # package.json fields, without name/version
    publisher: dict[str, Any]
    npm_version: str
    node_version: str
    readme: str | None
    tarball: bytes = b""
    file_count: int = 0
    unpacked_size: int = 0


@dataclass
class NpmPackage:
    name: str
    versions: dict[str, NpmVersion]  # in seed order
    dist_tags: dict[str, str]
    created: datetime
    modified: datetime
    users: dict[str, Any] = field(default_factory=dict)
    rev: str = ""

    @property
    def latest(self) -> NpmVersion | None:
        return self.versions.get(self.dist_tags.get("latest", ""))

    def resolve(self, spec: str) -> NpmVersion | None:
        """A version, or a dist-tag naming one (`GET /{name}/latest`)."""
        if spec in self.versions:
            return self.versions[spec]
        tagged = self.dist_tags.get(spec)
        return self.versions.get(tagged) if tagged else None

    @property
    def unscoped(self) -> str:
        return self.name.rsplit("/", 1)[-1]

    def tarball_name(self, version: str) -> str:
        return f"{self.unscoped}-{version}.tgz"


def package_from_seed(name: str, seed: dict[str, Any], now: datetime) -> NpmPackage:
    defaults = {k: v for k, v in seed.items() if k not in _PACKAGE_KEYS}
    versions: dict[str, NpmVersion] = {}
    for entry in seed.get("versions") or []:
        entry = {"version": entry} if isinstance(entry, str) else dict(entry)
        number = str(entry["version"])
        manifest = {**defaults, **{k: v for k, v in entry.items() if k not in _VERSION_KEYS}}
        maintainers = manifest.get("maintainers") or []
        publisher = entry.get("publisher") or (maintainers[0] if maintainers else _NOBODY)
        version = NpmVersion(
            version=number,
            published=resolve_time(entry.get("published", now), now),
            manifest=manifest,
            publisher=dict(publisher),
            npm_version=str(entry.get("npm_version", seed.get("npm_version", DEFAULT_NPM_VERSION))),
            node_version=str(entry.get("node_version",
                                       seed.get("node_version", DEFAULT_NODE_VERSION))),
            readme=entry.get("readme", seed.get("readme")),
        )
        _pack(name, version)
        versions[number] = version
    tags = {str(k): str(v) for k, v in (seed.get("dist_tags") or seed.get("dist-tags")
                                          or {}).items()}
    if "latest" not in tags and versions:
        tags["latest"] = list(versions)[-1]
    times = [v.published for v in versions.values()] or [now]
    created = resolve_time(seed["created"], now) if seed.get("created") else min(times)
    modified = resolve_time(seed["modified"], now) if seed.get("modified") else max(times)
    package = NpmPackage(name, versions, tags, created, modified, dict(seed.get("users") or {}))
    package.rev = str(seed.get("rev") or _rev(package))
    return package


def packument(package: NpmPackage, base: str) -> dict[str, Any]:
    document: dict[str, Any] = {
        "_id": package.name,
        "_rev": package.rev,
        "name": package.name,
        "dist-tags": dict(package.dist_tags),
        "time": {"created": npm_time(package.created), "modified": npm_time(package.modified),
                 **{v.version: npm_time(v.published) for v in package.versions.values()}},
        "versions": {v.version: version_document(package, v, base)
                     for v in package.versions.values()},
        "users": dict(package.users),
    }
    latest = package.latest
    if latest is not None:
        for key in HOISTED:
            if key in latest.manifest:
                document[key] = latest.manifest[key]
        if latest.readme is not None:
            document["readme"] = latest.readme
            document["readmeFilename"] = "README.md"
    return document


def abbreviated(package: NpmPackage, base: str) -> dict[str, Any]:
    versions = {}
    for version in package.versions.values():
        full = version_document(package, version, base)
        slim = {"name": package.name, "version": version.version, "dist": full["dist"]}
        slim.update({k: full[k] for k in _ABBREVIATED_FIELDS if k in full})
        versions[version.version] = slim
    return {"name": package.name, "modified": npm_time(package.modified),
            "dist-tags": dict(package.dist_tags), "versions": versions}


def version_document(package: NpmPackage, version: NpmVersion, base: str) -> dict[str, Any]:
    digest = hashlib.sha512(version.tarball).digest()
    return {
        "name": package.name,
        "version": version.version,
        **version.manifest,
        "_id": f"{package.name}@{version.version}",
        "_npmUser": dict(version.publisher),
        "_npmVersion": version.npm_version,
        "_nodeVersion": version.node_version,
        "_hasShrinkwrap": False,
        "dist": {
            "tarball": f"{base}/{package.name}/-/{package.tarball_name(version.version)}",
            "shasum": hashlib.sha1(version.tarball).hexdigest(),
            "integrity": "sha512-" + base64.b64encode(digest).decode(),
            "fileCount": version.file_count,
            "unpackedSize": version.unpacked_size,
        },
    }


def npm_time(moment: datetime) -> str:
    """The registry writes JavaScript `Date.toISOString()`: milliseconds and a `Z`."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _pack(name: str, version: NpmVersion) -> None:
    manifest = {"name": name, "version": version.version, **version.manifest}
    files = {"package/package.json": json.dumps(manifest, indent=2).encode() + b"\n"}
    if version.readme is not None:
        files["package/README.md"] = str(version.readme).encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size, info.mtime, info.mode = len(data), _NPM_PACK_MTIME, 0o644
            tar.addfile(info, io.BytesIO(data))
    version.tarball = gzip.compress(buffer.getvalue(), mtime=0)
    version.file_count = len(files)
    version.unpacked_size = sum(len(data) for data in files.values())


def _rev(package: NpmPackage) -> str:
    # CouchDB revisions: "<generation>-<32 hex>"; one generation per publish is close enough.
    fingerprint = json.dumps([package.name, list(package.versions), package.dist_tags])
    return f"{max(1, len(package.versions))}-{hashlib.md5(fingerprint.encode()).hexdigest()}"
