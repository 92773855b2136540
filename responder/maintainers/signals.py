"""Which versions may have run, which one is the last known-good, and the supply-chain signals.

A compromised publisher shows in the metadata as a release shortly before the incident, published
by an account that never published the package before, or declaring another repository than the
releases before it (maintainers.md, trust warning). Each signal names the facts that raised it.
"""

from __future__ import annotations

import re
from datetime import datetime

from responder.core.times import utc_text
from responder.maintainers.model import PackageFacts, Release, Signal


def choose_versions(facts: PackageFacts, window_start: datetime, now: datetime) -> None:
    """Fill `facts.suspect`: the pinned version if exact, else what is installed here, else the
    releases published in the window and the latest (a floating spec ran whatever was latest)."""
    known = {r.version for r in facts.releases}
    pinned = facts.identity.version if facts.identity else None
    exact = pinned and facts.identity is not None and _floating(facts.identity) is None
    if pinned and (pinned in known or (exact and not known)):  # no registry: trust the pin
        facts.suspect = [pinned]
        return
    installed = [v for v in facts.installed if not known or v in known]
    if installed:
        facts.suspect = sorted(set(installed), key=_order(facts))
        return
    recent = [r.version for r in facts.releases
              if r.published and window_start <= r.published <= now]
    latest = [facts.latest] if facts.latest else []
    facts.suspect = sorted(set(recent + latest), key=_order(facts))


def known_good(facts: PackageFacts) -> Release | None:
    """The newest release published before every suspect one."""
    by_version = {r.version: r for r in facts.releases}
    suspects = [by_version[v] for v in facts.suspect if v in by_version]
    firsts = [r.published for r in suspects if r.published]
    if not firsts:
        return None
    first = min(firsts)
    before = [r for r in facts.releases if r.published and r.published < first and not r.yanked]
    return before[-1] if before else None


def supply_chain(facts: PackageFacts, window_start: datetime, now: datetime) -> list[Signal]:
    signals: list[Signal] = []
    identity = facts.identity
    if identity is not None and identity.registry:
        signals.append(Signal("custom_registry", "medium",
                              f"installed from {identity.registry}, not the public registry: "
                              f"that registry's operator is part of the supply chain"))
    floating = _floating(identity) if identity is not None else None
    if floating:
        signals.append(Signal("unpinned", "low", floating))
    if not facts.found:
        signals.append(Signal("missing_from_registry", "high",
                              f"the registry no longer has {facts.label}: packages removed "
                              f"for malware disappear this way"))
    by_version = {r.version: r for r in facts.releases}
    good = known_good(facts)
    earlier_publishers = {_who(r) for r in facts.releases
                          if r.publisher and good and r.published and good.published
                          and r.published <= good.published}
    for version in facts.suspect:
        release = by_version.get(version)
        if release is None:
            continue
        if release.published and window_start <= release.published <= now:
            hours = (now - release.published).total_seconds() / 3600
            signals.append(Signal("recent_release", "high",
                                  f"{version} was published {_ago(hours)} before this "
                                  f"response ({utc_text(release.published)}), inside the "
                                  f"review window"))
        if release.publisher and earlier_publishers and _who(release) not in earlier_publishers:
            signals.append(Signal("new_publisher", "high",
                                  f"{version} was published by {release.publisher.text()}, "
                                  f"who published none of the earlier versions"))
        # `key` leaves out the monorepo directory: moving within a repository is no signal.
        if good is not None and release.repository and good.repository \
                and release.repository.key != good.repository.key:
            signals.append(Signal("repository_changed", "high",
                                  f"{version} declares repository "
                                  f"{release.repository.url}, {good.version} declared "
                                  f"{good.repository.url}: contacts are taken from "
                                  f"{good.version}'s"))
        if good is not None and good.repository and release.repository is None \
                and release.repository_raw is None and facts.identity is not None \
                and facts.identity.ecosystem == "npm":
            signals.append(Signal("repository_removed", "medium",
                                  f"{version} declares no repository; {good.version} declared "
                                  f"{good.repository.url}"))
        if release.yanked:
            signals.append(Signal("yanked", "medium", f"{version} has been yanked"))
    return signals


def _floating(identity) -> str | None:
    """Why the launch command may have run a release it did not name, or None if it pins one."""
    version = identity.version
    if identity.ecosystem not in ("npm", "pypi", "oci", "jsr"):
        return None
    if not version or version == "latest":
        return ("the launch command pins no version: each start ran whatever the registry "
                "served as latest")
    if identity.ecosystem == "oci":
        return None if version.startswith("sha256:") else (
            f"the image is pinned by the tag {version}, which its publisher can move; only a "
            f"digest pins it")
    exact = (re.fullmatch(r"v?\d+(\.\d+){2}([-+][\w.-]+)?", version) if identity.ecosystem != "pypi"
             else re.fullmatch(r"[\w.!+]+", version))
    return None if exact else (f"the launch command asks for {version}, a range or tag: each "
                               f"start could run a newer release")


def _who(release: Release) -> str:
    person = release.publisher
    return ((person.name or person.email or "") if person else "").lower()


def _ago(hours: float) -> str:
    if hours < 1:
        return f"{max(1, round(hours * 60))} min"
    if hours < 48:
        return f"{hours:.0f} h"
    return f"{hours / 24:.0f} days"


def _order(facts: PackageFacts):
    position = {r.version: i for i, r in enumerate(facts.releases)}
    return lambda version: (position.get(version, len(position)), version)
