"""Ranking the private channels for a report, each with the reasons a human would give.

Order (maintainers.md §6): GitHub private vulnerability reporting on a repository whose identity
held across releases; the repository's SECURITY.md (then the owner's default); the project's own
`security` URL; security.txt on the project's host; a registry maintainer's address as the last
resort. Never a public issue. Every contact says where it came from, because during a publisher
compromise any of them may have been written by the attacker.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from responder.maintainers.github_meta import Policy, RepoFacts
from responder.maintainers.model import Contact, PackageFacts
from responder.maintainers.security_txt import SecurityTxt

TRUST_WARNING = (
    "During a publisher compromise every contact found here may have been written by the "
    "attacker: registry metadata, SECURITY.md, security.txt and maintainer emails alike. Prefer "
    "GitHub private vulnerability reporting on a repository you recognise, confirm the "
    "maintainers another way when you can, and never file a public issue.")

_TRUST_ORDER = {"high": 0, "medium": 1, "low": 2}
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")
_LINK = re.compile(r"https://[^\s)>\]\"']+")
# Links in a policy that are reporting channels rather than documentation.
_REPORT_LINK = re.compile(r"/security/advisories/new|hackerone\.com/|bugcrowd\.com/|huntr\.|"
                          r"intigriti\.com/|yeswehack\.com/|/security/policy|"
                          r"security[\w./-]*report|report[\w./-]*(?:security|vulnerab)|"
                          r"vulnerab[\w./-]*disclos|/\.well-known/security\.txt", re.I)


def for_package(facts: PackageFacts, github: RepoFacts | None,
                security_txts: list[tuple[SecurityTxt, str]], now: datetime) -> list[Contact]:
    """Every candidate for one package or remote host, best first."""
    contacts: list[Contact] = []
    changed = any(s.kind == "repository_changed" for s in facts.signals)
    if github is not None:
        contacts += _github(facts, github, changed)
    if facts.security_url:
        warnings = ["read from the package's own metadata, which the publisher controls"]
        if changed:
            warnings.append("the suspect release changed the repository URL; this URL may "
                            "have changed with it")
        contacts.append(Contact(
            "project-security-url", facts.security_url,
            "PyPI project URL labelled `Security`",
            ("the project names this page as its security policy or reporting page (PEP 753)",),
            "low" if changed else "medium", tuple(warnings)))
    for parsed, why in security_txts:
        contacts += _security_txt(parsed, why, now)
    suspects = _suspect_publishers(facts)
    for person in facts.people:
        if not person.email:
            continue
        warnings = ["registry metadata is editable by whoever holds the publishing account"]
        if {(person.name or "").lower(), person.email.lower()} & suspects:
            # The account the signals flag published the suspect release: writing to it
            # would tell the attacker.
            continue
        contacts.append(Contact(
            "email", f"mailto:{person.email}", f"{person.source} ({person.role})",
            (f"the registry lists {person.text()} as {person.role} of {facts.label}",
             "not a security channel: use it only if nothing above answers"),
            "low", tuple(warnings)))
    return rank([replace(c, package=facts.label) for c in contacts])


def _suspect_publishers(facts: PackageFacts) -> set[str]:
    """Names and addresses of publishers flagged as new on a suspect release."""
    if not any(s.kind == "new_publisher" for s in facts.signals):
        return set()
    found = set()
    for release in facts.releases:
        if release.version in facts.suspect and release.publisher is not None:
            found |= {(release.publisher.name or "").lower(),
                      (release.publisher.email or "").lower()}
    return found - {""}


def rank(contacts: list[Contact]) -> list[Contact]:
    """Best first; one entry per address, carrying the reasons of every place that named it
    (a SECURITY.md pointing at the PVR form makes that form more certain, not a second row)."""
    kinds = ("github-pvr", "security-policy", "project-security-url", "security-txt", "email")
    def order(c: Contact) -> tuple[int, int]:
        return (_TRUST_ORDER.get(c.trust, 3), kinds.index(c.kind) if c.kind in kinds
                else len(kinds))

    merged: dict[str, Contact] = {}
    for contact in sorted(contacts, key=order):  # the most trusted reading of an address leads
        key = contact.address.lower()
        if key in merged:
            first = merged[key]
            extra = tuple(r for r in contact.reasons if r not in first.reasons)
            more = tuple(w for w in contact.warnings if w not in first.warnings)
            merged[key] = replace(first, reasons=first.reasons + extra,
                                  warnings=first.warnings + more)
        else:
            merged[key] = contact
    return sorted(merged.values(), key=order)


def _github(facts: PackageFacts, github: RepoFacts, changed: bool) -> list[Contact]:
    slug = github.slug
    found: list[Contact] = []
    where = facts.repository_source or "the launch command"
    caveats = []  # each lowers the trust of the repository's channels
    notes = []
    if changed:
        notes.append("the suspect release declares another repository; this is the one the "
                     "releases before it declared")
    if github.archived:
        caveats.append(f"{slug} is archived: the maintainers may not be watching it")
    if github.fork:
        caveats.append(f"{slug} is a fork: the upstream project may be the one to tell")
    if github.pvr:
        found.append(Contact(
            "github-pvr", f"https://github.com/{slug}/security/advisories/new",
            github.pvr_source,
            (f"private vulnerability reporting is enabled on {slug}",
             "GitHub delivers the report to the repository's admins only and keeps it private "
             "until they publish an advisory",
             f"the repository comes from {where}",
             "it can be filed from here with --submit"),
            "medium" if caveats else "high",
            ("if the attacker controls an admin account of the repository they can read the "
             "report too", *caveats, *notes),
            submit="github-pvr"))
    if github.policy is not None:
        found += _policy(github.policy, caveats + notes)
    return found


def _policy(policy: Policy, caveats: list[str]) -> list[Contact]:
    where = (f"{policy.path} in {policy.repository} (the owner's default policy)"
             if policy.inherited else f"{policy.path} in {policy.repository}")
    warnings = (f"anyone who can push to {policy.repository} can edit this file; check its "
                f"recent history before trusting it", *caveats)
    found = []
    for email in dict.fromkeys(_EMAIL.findall(policy.text)):
        found.append(Contact(
            "security-policy", f"mailto:{email}", where,
            (f"the security policy asks for reports at {email}",), "medium", warnings))
    for link in dict.fromkeys(_LINK.findall(policy.text)):
        link = link.rstrip(".,;:")
        if _REPORT_LINK.search(link):
            found.append(Contact(
                "security-policy", link, where,
                ("the security policy names this page for reports",), "medium", warnings))
    if not found:
        found.append(Contact(
            "security-policy", policy.html_url, where,
            ("the repository has a security policy; read it for how to report",),
            "medium", warnings))
    return found


def _security_txt(parsed: SecurityTxt, why: str, now: datetime) -> list[Contact]:
    warnings = ["RFC 9116 §5.1: whoever controls the site controls this file"]
    trust = "medium"
    if parsed.signed:
        warnings.append("it is OpenPGP-signed, but responder did not verify the signature")
    reason_untrusted = parsed.untrusted_reason()
    if reason_untrusted:
        warnings.append(reason_untrusted)
        trust = "low"
    if parsed.stale(now):
        warnings.append("it has expired (or has no valid Expires): its contacts may be stale")
        trust = "low"
    if "parent domain" in why or "another host" in why:
        trust = "low"
    # A redirect is where a compromised site sends reporters elsewhere: it is always shown.
    redirects = [p for p in parsed.problems if p.startswith("reached through redirects")]
    warnings += redirects + [p for p in parsed.problems if p not in redirects][:3]
    offsite = set(parsed.offsite_contacts())
    found = []
    for contact in parsed.contacts:
        if not contact.lower().startswith(("mailto:", "https://", "tel:")):
            continue
        extra = ("it points away from the host that published the file",) \
            if contact in offsite else ()
        found.append(Contact("security-txt", contact, parsed.url,
                             (f"security.txt {why} lists it as a contact (first = preferred)",),
                             trust, (*warnings, *extra)))
    return found
