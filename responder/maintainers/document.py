"""One registry metadata document, read into a package's facts: a 404 means the registry does
not know the package (a finding), anything else unusable is a named gap, and what was read is
kept as evidence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from responder.maintainers.model import Gap, PackageFacts
from responder.maintainers.web import WebReader


def read_document(web: WebReader, facts: PackageFacts, url: str, *, what: str, evidence: str,
                  save, shape: str = "a JSON document",
                  valid: Callable[[dict[str, Any]], bool] = lambda _: True
                  ) -> dict[str, Any] | None:
    facts.registry_url = url
    page = web.get(url, {"accept": "application/json"})
    facts.redirects = [f"{s} {a} → {b}" for s, a, b in page.redirects]
    if page.status == 404:
        facts.found = False
        facts.gaps.append(Gap(what, f"{url} answers 404: the registry does not know it",
                              "it may have been unpublished, or removed as malware"))
        return None
    document = page.json() if page.ok else None
    if not isinstance(document, dict) or not valid(document):
        facts.gaps.append(Gap(what, f"{url}: {page.error or f'the answer was not {shape}'}",
                              "the drafts use what the launch command says"))
        return None
    save(evidence, f"GET {url}", page.text)
    return document
