"""From the server's launch commands to ranked private channels (maintainers.md §6).

For each distinct package (or remote host) the definitions run: registry metadata, the versions
that may have run and the last known-good one, supply-chain signals, the source repository's
GitHub facts, security.txt, then the contacts ranked. Packages are looked up side by side and
every lookup's failure is a named gap: with registries unreachable (or `--offline`) the drafts
are still written from what the launch command says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from responder.core.concurrency import concurrently, in_background
from responder.core.times import utc_text
from responder.maintainers import (
    contacts,
    installed,
    npm_meta,
    oci_meta,
    pypi_meta,
    signals,
)
from responder.maintainers.github_meta import GitHubReader, RepoFacts
from responder.maintainers.identity import PackageIdentity, package_of
from responder.maintainers.model import Contact, Gap, PackageFacts
from responder.maintainers.report_routes import registry_report
from responder.maintainers.repository import from_identity
from responder.maintainers.security_txt import SecurityTxt
from responder.maintainers.security_txt import parse as parse_security_txt
from responder.maintainers.web import WebReader

Save = Callable[[str, str, Any], None]
# Hosts whose security.txt speaks for the platform, not for one project hosted on it.
_PLATFORM_HOSTS = ("github.com", "github.io", "gitlab.com", "npmjs.com", "pypi.org",
                   "bitbucket.org", "readthedocs.io", "docker.com", "jsr.io", "pkg.go.dev")


@dataclass(frozen=True)
class Sources:
    npm_registry: str = npm_meta.DEFAULT_REGISTRY
    pypi_index: str = pypi_meta.DEFAULT_INDEX


@dataclass
class Lookup:
    """What one discovery may use; `web` None means offline."""

    web: WebReader | None
    github: GitHubReader | None
    sources: Sources
    window_start: datetime
    now: datetime
    home: Path
    env: Mapping[str, str]
    save: Save


@dataclass
class Discovery:
    packages: list[PackageFacts] = field(default_factory=list)
    repositories: dict[str, RepoFacts] = field(default_factory=dict)
    contacts: list[Contact] = field(default_factory=list)
    registry_reports: list[str] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    @property
    def chosen(self) -> Contact | None:
        return self.contacts[0] if self.contacts else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "packages": [_package_dict(p) for p in self.packages],
            "contacts": [c.as_dict() for c in self.contacts],
            "chosen": self.chosen.as_dict() if self.chosen else None,
            "registry_reports": self.registry_reports,
            "gaps": [g.text() for g in self.gaps],
            "trust_warning": contacts.TRUST_WARNING,
        }


def targets(entries: list[Mapping[str, Any]]) -> list[tuple[PackageIdentity | None, str | None]]:
    """The distinct (package, remote host) pairs the definitions run."""
    seen: dict[str, tuple[PackageIdentity | None, str | None]] = {}
    for entry in entries:
        identity = package_of(entry.get("command"), list(entry.get("args") or []))
        if identity is not None:
            key = identity.key
            if identity.version:
                key += f"@{identity.version}"
            seen.setdefault(key, (identity, None))
            continue
        host = (urlsplit(str(entry.get("url") or "")).hostname or "").lower()
        if host:
            seen.setdefault(f"host:{host}", (None, host))
    return list(seen.values())


def discover(entries: list[Mapping[str, Any]], lookup: Lookup) -> Discovery:
    found = Discovery()
    pairs = targets(entries)
    if not pairs:
        found.gaps.append(Gap("the package", "no definition of the server names a package, "
                              "image or URL that responder can look up"))
        return found
    results = concurrently(pairs, lambda pair: _one(pair, lookup), "maint", limit=8)
    for facts, repo, ranked in results:
        found.packages.append(facts)
        if repo is not None:
            found.repositories[repo.slug] = repo
            found.gaps += repo.gaps
        found.gaps += facts.gaps
        found.contacts += ranked
        if facts.identity is not None:
            route = registry_report(facts)
            if route:
                found.registry_reports.append(route)
    found.contacts = contacts.rank(found.contacts)
    if lookup.web is None:
        found.gaps.insert(0, Gap("registry metadata and security contacts",
                                 "not read: --offline", "run again without --offline to look "
                                 "them up; the drafts use what the launch commands say"))
    return found


def _one(pair: tuple[PackageIdentity | None, str | None], lookup: Lookup
         ) -> tuple[PackageFacts, RepoFacts | None, list[Contact]]:
    identity, host = pair
    if identity is None:
        facts = PackageFacts(None, host=host)
        txts = _security_txts(lookup, host or "", exact=True) if lookup.web else []
        return facts, None, contacts.for_package(facts, None, txts, lookup.now)
    facts = _metadata(identity, lookup)
    facts.installed = installed.versions(identity, lookup.home, lookup.env)
    signals.choose_versions(facts, lookup.window_start, lookup.now)
    if identity.ecosystem == "pypi" and lookup.web is not None:
        _pypi_release_repositories(facts, lookup)
    _contact_repository(facts)
    facts.signals = signals.supply_chain(facts, lookup.window_start, lookup.now)
    repo_facts = None
    homepage_txts: list[tuple[SecurityTxt, str]] = []
    if lookup.web is not None:
        homepage = in_background(_homepage_txts, facts, lookup, name="maint-home")
        if facts.repository is not None and facts.repository.is_github \
                and lookup.github is not None:
            repo_facts = lookup.github.facts(facts.repository)
            if repo_facts.homepage and not facts.homepage:
                facts.homepage = repo_facts.homepage
        homepage_txts = homepage.result()
        if not homepage_txts and repo_facts is not None and repo_facts.homepage:
            homepage_txts = _homepage_txts(facts, lookup)
    elif facts.repository is None:
        facts.gaps.append(Gap(f"the source repository of {facts.label}",
                              "not known without the registry's metadata"))
    return facts, repo_facts, contacts.for_package(facts, repo_facts, homepage_txts, lookup.now)


def _metadata(identity: PackageIdentity, lookup: Lookup) -> PackageFacts:
    web, save = lookup.web, lookup.save
    if web is not None and identity.ecosystem == "npm":
        return npm_meta.read(web, lookup.sources.npm_registry, identity, save)
    if web is not None and identity.ecosystem == "pypi":
        return pypi_meta.read(web, lookup.sources.pypi_index, identity, save)
    if web is not None and identity.ecosystem == "oci":
        return oci_meta.read(web, identity, save)
    facts = PackageFacts(identity)
    repo = from_identity(identity)
    if repo is not None:
        facts.repository = repo
        facts.repository_source = f"the {identity.ecosystem} source in the launch command"
    elif identity.ecosystem in ("path", "python-module"):
        facts.gaps.append(Gap("the package", "the server runs local code: there is no registry "
                              "to ask", "report to whoever gave you the code"))
    elif web is not None and identity.ecosystem == "jsr":
        facts.gaps.append(Gap(f"JSR metadata for {identity.name}", "not read: JSR's link to "
                              "the source repository is not in its public metadata",
                              f"see https://jsr.io/{identity.name}"))
    return facts


def _pypi_release_repositories(facts: PackageFacts, lookup: Lookup) -> None:
    """PyPI's project document holds only the latest metadata: read the suspect and the
    known-good releases' own, so a changed Source URL shows."""
    assert facts.identity is not None and lookup.web is not None
    good = signals.known_good(facts)
    wanted = list(dict.fromkeys(facts.suspect + ([good.version] if good else [])))

    def read(version: str) -> tuple[str, dict[str, Any] | None]:
        return version, pypi_meta.read_release(lookup.web, lookup.sources.pypi_index,  # type: ignore[arg-type]
                                               facts.identity.name, version, lookup.save)

    infos = dict(concurrently(wanted, read, "maint-pypi", limit=4))
    releases = []
    for release in facts.releases:
        info = infos.get(release.version)
        if info is not None:
            repo, raw = pypi_meta.source_of(info)
            release = replace(release, repository=repo, repository_raw=raw or None)
        releases.append(release)
    facts.releases = releases


def _contact_repository(facts: PackageFacts) -> None:
    """Contacts come from the last known-good release's repository when the suspect one
    declares another: the attacker would point reports at a repository they control."""
    good = signals.known_good(facts)
    if good is None or good.repository is None:
        return
    suspects = [r for r in facts.releases if r.version in facts.suspect and r.repository]
    if facts.repository is None or facts.repository.key != good.repository.key \
            or any(r.repository.key != good.repository.key for r in suspects):
        facts.repository = good.repository
        facts.repository_source = f"the repository declared by {good.version}, the last " \
                                  f"release before the suspect one"


def _homepage_txts(facts: PackageFacts, lookup: Lookup) -> list[tuple[SecurityTxt, str]]:
    host = (urlsplit(facts.homepage or "").hostname or "").lower()
    if not host or any(host == p or host.endswith("." + p) for p in _PLATFORM_HOSTS):
        return []
    return _security_txts(lookup, host, exact=False)


def _security_txts(lookup: Lookup, host: str, *, exact: bool) -> list[tuple[SecurityTxt, str]]:
    """security.txt for this exact host (RFC 9116 §3.1); for a remote server, the parent
    domain's as a flagged fallback."""
    found = _fetch_security_txt(lookup, host)
    if found is not None:
        return [found]
    parent = ".".join(host.split(".")[1:])
    if exact and parent.count(".") >= 1:
        found = _fetch_security_txt(lookup, parent)
        if found is not None:
            return [(found[0], f"on the parent domain {parent} (it does not cover {host})")]
    return []


def _fetch_security_txt(lookup: Lookup, host: str) -> tuple[SecurityTxt, str] | None:
    """The host's security.txt and how it was reached; the legacy /security.txt only when the
    well-known one is absent (RFC 9116 §3: when both exist, the well-known one is used)."""
    assert lookup.web is not None
    for path in ("/.well-known/security.txt", "/security.txt"):
        url = f"https://{host}{path}"
        page = lookup.web.get(url, {"accept": "text/plain"})
        if not page.ok or page.content_type != "text/plain" \
                or urlsplit(page.url).scheme != "https":  # RFC 9116 §3: only over HTTPS
            if page.status == 404 or not page.ok:
                continue
            return None
        lookup.save(f"security-txt-{host}", f"GET {url}", page.text)
        parsed = parse_security_txt(page.text, page.url)
        where = f"on {host}"
        if page.redirects:
            hops = "; ".join(f"{s} {a} → {b}" for s, a, b in page.redirects)
            parsed = replace(parsed, problems=(f"reached through redirects: {hops}",
                                               *parsed.problems))
            final = (urlsplit(page.url).hostname or "").lower()
            if final != host:
                where = f"on {host}, redirected to another host ({final})"
        return (parsed, where) if parsed.contacts else None
    return None


def _package_dict(facts: PackageFacts) -> dict[str, Any]:
    identity = facts.identity
    by_version = {r.version: r for r in facts.releases}
    return {
        "ecosystem": identity.ecosystem if identity else "remote",
        "name": identity.name if identity else facts.host,
        "version": identity.version if identity else None,
        "launcher": identity.launcher if identity else None,
        "registry": identity.registry if identity else None,
        "found": facts.found,
        "page_url": facts.page_url,
        "registry_url": facts.registry_url,
        "repository": facts.repository.url if facts.repository else None,
        "repository_subpath": facts.repository.subpath if facts.repository else None,
        "repository_source": facts.repository_source,
        "homepage": facts.homepage,
        "mcp_name": facts.mcp_name,
        "latest": facts.latest,
        "installed": facts.installed,
        "suspect_versions": [
            {"version": v, "published": utc_text(by_version[v].published)
             if v in by_version else "unknown",
             "publisher": by_version[v].publisher.text()
             if v in by_version and by_version[v].publisher else None}
            for v in facts.suspect],
        "known_good": (good.version if (good := signals.known_good(facts)) else None),
        "people": [{"name": p.name, "email": p.email, "role": p.role, "source": p.source}
                   for p in facts.people],
        "signals": [{"kind": s.kind, "severity": s.severity, "text": s.text}
                    for s in facts.signals],
        "labels": facts.labels,
        "redirects": facts.redirects,
    }
