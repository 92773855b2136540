"""The body of a GitHub private vulnerability report, and fitting it to a repository's template.

Schema `private-vulnerability-report-create` (maintainers.md §5): `summary` ≤ 1024 and
`description` ≤ 65535 characters, `severity` from an enum (omitted rather than null), and
`vulnerabilities[].package.ecosystem` from GitHub's list, where PyPI is `pip` and an image has
none (`other`). No `cve_id` or `credits`: the schema forbids them (PyGithub's
`report_security_vulnerability` would send them, which is why the report goes through the
requester).

A repository may require a report template; GitHub then answers 422 naming the section or the
checkbox that is missing (`github-openapi-pvr-422-delta.json`). The description is rebuilt with
those sections, in the order GitHub named them, and a required checkbox is ticked only when a
person says it is true.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SUMMARY_MAX = 1024
DESCRIPTION_MAX = 65535
ECOSYSTEMS = {"npm": "npm", "pypi": "pip", "go": "go", "oci": "other", "jsr": "other",
              "vcs": "other"}
CWE_EMBEDDED_MALICIOUS_CODE = "CWE-506"
TEMPLATE_CODES = frozenset({"missing_section", "empty_section", "unchecked_required_option",
                            "sections_out_of_order"})
_ANSWER_MAX = 4000  # per answered section: the full report follows anyway
_CUT = "\n\n[truncated: the full report is attached separately on request]\n"


def body(summary: str, description: str, packages: Iterable[Mapping[str, Any]],
         severity: str = "high") -> dict[str, Any]:
    vulnerabilities = []
    for package in packages:
        ecosystem = ECOSYSTEMS.get(str(package.get("ecosystem")))
        if ecosystem is None:
            continue  # a remote host is not a package
        versions = [v["version"] for v in package.get("suspect_versions") or []]
        # One entry per version: in GitHub's range syntax a comma means AND.
        for version in versions or [None]:
            vulnerabilities.append({
                "package": {"ecosystem": ecosystem, "name": package.get("name")},
                "vulnerable_version_range": f"= {version}" if version else None,
                "patched_versions": None,
                "vulnerable_functions": [],
            })
    report: dict[str, Any] = {
        "summary": _fit(summary, SUMMARY_MAX, "…"),
        "description": _fit(description, DESCRIPTION_MAX, _CUT),
        "severity": severity,
        "cwe_ids": [CWE_EMBEDDED_MALICIOUS_CODE],
    }
    if vulnerabilities:
        report["vulnerabilities"] = vulnerabilities
    return report


def _fit(text: str, limit: int, marker: str) -> str:
    return text if len(text) <= limit else text[: limit - len(marker)] + marker


@dataclass(frozen=True)
class TemplateError:
    code: str
    section: str
    option: str | None = None

    def text(self) -> str:
        if self.code == "unchecked_required_option":
            return f"section {self.section!r} needs the box {self.option!r} ticked"
        words = {"missing_section": "is missing", "empty_section": "is empty",
                 "sections_out_of_order": "is out of order"}
        return f"section {self.section!r} {words.get(self.code, self.code)}"


def template_errors(data: Any) -> list[TemplateError]:
    """The report-template violations in a 422 body; [] when the 422 is about something else."""
    errors = data.get("errors") if isinstance(data, dict) else None
    found = []
    for error in errors if isinstance(errors, list) else []:
        if isinstance(error, dict) and error.get("code") in TEMPLATE_CODES:
            found.append(TemplateError(str(error["code"]), str(error.get("section") or ""),
                                       error.get("option")))
    return found


# Which part of the disclosure answers a template section, by words in the section's title.
_ANSWERS = (
    (("impact", "severity", "risk"), ("What happened", "Indicators")),
    (("summary", "description", "detail", "overview", "what happened"), ("What happened",)),
    (("affected", "version", "package", "product"), ("Affected package",)),
    (("reproduc", "steps", "proof", "poc"), ("Indicators", "Timeline (UTC)")),
    (("timeline",), ("Timeline (UTC)",)),
    (("indicator", "ioc", "evidence"), ("Indicators",)),
    (("fix", "mitigat", "remediat", "workaround", "recommend", "ask"), ("What we ask",)),
)


def sections(markdown: str) -> dict[str, str]:
    """`## Title` → body, for the disclosure's own second-level sections."""
    found: dict[str, str] = {}
    for match in re.finditer(r"^## (.+?)\n(.*?)(?=^## |\Z)", markdown, re.M | re.S):
        found[match.group(1).strip()] = match.group(2).strip()
    return found


def fit_template(description: str, errors: list[TemplateError], ticked: set[str]) -> str:
    """The description with every section GitHub named, answered from the disclosure, then the
    whole disclosure; required boxes ticked only if listed in `ticked`.

    Sections come in the order GitHub named them (its template's order), those it said were out
    of order first. The disclosure's own heading of an emitted section becomes bold text, so
    only the answered copy counts: a template sharing a heading with the disclosure settles in
    one more round."""
    own = sections(description)
    early = [e.section for e in errors if e.code == "sections_out_of_order" and e.section]
    named = list(dict.fromkeys(early + [e.section for e in errors if e.section]))
    options: dict[str, list[str]] = {}
    for error in errors:
        if error.option and error.option not in options.setdefault(error.section, []):
            options[error.section].append(error.option)
    parts = []
    for title in named:
        text = (_answer(title, own)[:_ANSWER_MAX]
                or "Not known to the reporter; see the report below.")
        boxes = [f"- [{'x' if o in ticked else ' '}] {o}" for o in options.get(title, [])]
        parts.append(f"### {title}\n\n" + "\n".join(boxes) + ("\n\n" if boxes else "") + text)
    remaining = re.sub(r"^# .*\n", "", description, count=1).strip()
    for title in named:
        remaining = _unhead(remaining, title)
    head = "\n\n".join([*parts, "### Full report"])
    room = DESCRIPTION_MAX - len(head) - 4
    if len(remaining) > room:
        remaining = remaining[: max(0, room - len(_CUT))] + _CUT
    return f"{head}\n\n{remaining}\n"


def _unhead(markdown: str, title: str) -> str:
    """The section's heading made bold text, so only the moved copy counts as the section."""
    return re.sub(rf"^#{{1,6}}\s+{re.escape(title)}\s*$", f"**{title}**", markdown,
                  flags=re.M | re.I)


def _answer(title: str, own: Mapping[str, str]) -> str:
    lowered = title.lower()
    for words, names in _ANSWERS:
        if any(w in lowered for w in words):
            return "\n\n".join(own[n] for n in names if own.get(n))
    return own.get(title, "")
