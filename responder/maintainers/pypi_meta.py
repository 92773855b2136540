"""PyPI metadata: the JSON API (maintainers.md §2.2).

The project document gives the owners (`ownership.roles`), the emails and the latest release's
project URLs; each suspect release is read on its own as well, because a compromise shows as a
release whose `Source` or `Security` URL differs from the releases before it.
"""

from __future__ import annotations

import re
from email.utils import getaddresses
from typing import Any

from responder.core.times import parse_instant
from responder.maintainers.document import read_document
from responder.maintainers.identity import PackageIdentity, normalise_name
from responder.maintainers.model import PackageFacts, Person, Release
from responder.maintainers.repository import parse_repository
from responder.maintainers.web import WebReader

DEFAULT_INDEX = "https://pypi.org"

# PEP 753 well-known labels, normalised (punctuation and whitespace removed, lower case).
_SOURCE_LABELS = ("source", "repository", "sourcecode", "github")
_SECURITY_LABELS = ("security", "securitypolicy")
_HOME_LABELS = ("homepage",)


def label(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


def project_url(urls: Any, labels: tuple[str, ...]) -> str | None:
    if not isinstance(urls, dict):
        return None
    by_label = {label(str(k)): v for k, v in urls.items() if isinstance(v, str)}
    return next((by_label[name] for name in labels if name in by_label), None)


def source_of(info: dict[str, Any]) -> tuple[Any, str]:
    """The repository a release declares: its Source-like project URL, else a forge homepage."""
    urls = info.get("project_urls")
    for labels in (_SOURCE_LABELS, _HOME_LABELS):
        found = project_url(urls, labels)
        if found and parse_repository(found):
            return parse_repository(found), found
    home = info.get("home_page")
    if isinstance(home, str) and parse_repository(home):
        return parse_repository(home), home
    return None, ""


def read(web: WebReader, index: str, identity: PackageIdentity, save) -> PackageFacts:
    facts = PackageFacts(identity)
    base = index.rstrip("/")
    name = normalise_name("pypi", identity.name)
    if base == DEFAULT_INDEX:
        facts.page_url = f"https://pypi.org/project/{name}/"
    document = read_document(web, facts, f"{base}/pypi/{name}/json",
                             what=f"PyPI metadata for {name}", evidence=f"pypi-{name}",
                             save=save, shape="the JSON API document",
                             valid=lambda d: isinstance(d.get("info"), dict))
    if document is not None:
        _fill(facts, document)
    return facts


def read_release(web: WebReader, index: str, name: str, version: str, save
                 ) -> dict[str, Any] | None:
    """One release's own `info` (its metadata as uploaded), or None if it cannot be read."""
    url = f"{index.rstrip('/')}/pypi/{normalise_name('pypi', name)}/{version}/json"
    page = web.get(url, {"accept": "application/json"})
    document = page.json() if page.ok else None
    if not isinstance(document, dict) or not isinstance(document.get("info"), dict):
        return None
    save(f"pypi-{name}-{version}", f"GET {url}", page.text)
    return document["info"]


def _fill(facts: PackageFacts, document: dict[str, Any]) -> None:
    info = document["info"]
    facts.latest = info.get("version") if isinstance(info.get("version"), str) else None
    facts.repository, raw = source_of(info)
    if facts.repository:
        facts.repository_source = f"{raw} (latest release's metadata)"
    facts.security_url = project_url(info.get("project_urls"), _SECURITY_LABELS)
    home = project_url(info.get("project_urls"), _HOME_LABELS) or info.get("home_page")
    facts.homepage = home if isinstance(home, str) and home else None
    description = info.get("description") if isinstance(info.get("description"), str) else ""
    marker = re.search(r"mcp-name:\s*([\w.\-/]+)", description)
    facts.mcp_name = marker.group(1) if marker else None
    for role, field in (("author", "author_email"), ("maintainer", "maintainer_email")):
        for name, email in getaddresses([str(info.get(field) or "")]):
            if email:
                facts.people.append(Person(name or info.get(role) or None, email, role,
                                           f"PyPI `{field}`"))
    ownership = document.get("ownership") if isinstance(document.get("ownership"), dict) else {}
    for entry in ownership.get("roles") or []:
        if isinstance(entry, dict) and entry.get("user"):
            facts.people.append(Person(str(entry["user"]), None,
                                       str(entry.get("role", "owner")).lower(),
                                       "PyPI `ownership.roles`"))
    releases = document.get("releases") if isinstance(document.get("releases"), dict) else {}
    found = []
    for version, files in releases.items():
        files = [f for f in files or [] if isinstance(f, dict)]
        times = [t for f in files if (t := parse_instant(f.get("upload_time_iso_8601")))]
        found.append(Release(version, min(times) if times else None,
                             yanked=bool(files) and all(f.get("yanked") for f in files)))
    facts.releases = sorted(found, key=lambda r: (r.published is None, r.published or 0))
