"""Which versions may have run, the last known-good release, the supply-chain signals, and the
ranking of private channels with their reasons, trust and warnings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from responder.maintainers import contacts, discover, signals
from responder.maintainers.github_meta import Policy, RepoFacts
from responder.maintainers.identity import PackageIdentity
from responder.maintainers.model import Contact, PackageFacts, Person, Release, Signal
from responder.maintainers.repository import SourceRepo, parse_repository
from responder.maintainers.security_txt import parse as parse_txt

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
WINDOW = NOW - timedelta(days=7)
GOOD_REPO = SourceRepo("github.com", "acme", "mcp-weather")
EVIL_REPO = SourceRepo("github.com", "mallory", "mcp-weather")
ALICE = Person("alice", "alice@acme.example", "publisher", "versions[x]._npmUser")
MALLORY = Person("mallory", "mallory@evil.example", "publisher", "versions[x]._npmUser")
PVR_URL = "https://github.com/acme/mcp-weather/security/advisories/new"
FUTURE = (NOW + timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%SZ")
PAST = (NOW - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")


def rel(version, days_ago, publisher=ALICE, repository=GOOD_REPO, yanked=False):
    return Release(version, NOW - timedelta(days=days_ago), publisher, repository,
                   repository.url if repository else None, yanked)


def npm_facts(version=None, releases=None, latest="2.1.0", **kwargs):
    identity = PackageIdentity("npm", "@acme/mcp-weather", version, "npx")
    if releases is None:
        releases = [rel("1.0.0", 200), rel("2.0.0", 30), rel("2.1.0", 0.25, MALLORY)]
    return PackageFacts(identity, releases=releases, latest=latest, **kwargs)


def kinds(found: list[Signal]) -> list[str]:
    return [s.kind for s in found]


# --- choose_versions ----------------------------------------------------------------------------


def test_a_pinned_version_the_registry_knows_is_the_only_suspect():
    facts = npm_facts(version="2.0.0", installed=["2.1.0"])
    signals.choose_versions(facts, WINDOW, NOW)
    assert facts.suspect == ["2.0.0"]


def test_installed_versions_win_over_the_window_when_nothing_is_pinned():
    facts = npm_facts(installed=["2.0.0", "9.9.9"])  # 9.9.9 is not a release: ignored
    signals.choose_versions(facts, WINDOW, NOW)
    assert facts.suspect == ["2.0.0"]


def test_a_pinned_range_falls_back_to_what_is_installed():
    facts = npm_facts(version="^2", installed=["2.0.0"])
    signals.choose_versions(facts, WINDOW, NOW)
    assert facts.suspect == ["2.0.0"]


def test_floating_spec_suspects_releases_in_the_window_and_the_latest_in_release_order():
    releases = [rel("1.0.0", 200), rel("2.0.0", 3), rel("2.0.1", 1), rel("2.1.0", 0.25, MALLORY)]
    facts = npm_facts(releases=releases, latest="2.0.1")
    signals.choose_versions(facts, WINDOW, NOW)
    assert facts.suspect == ["2.0.0", "2.0.1", "2.1.0"]


def test_nothing_recent_suspects_the_latest_only():
    facts = npm_facts(releases=[rel("1.0.0", 200), rel("2.0.0", 30)], latest="2.0.0")
    signals.choose_versions(facts, WINDOW, NOW)
    assert facts.suspect == ["2.0.0"]


def test_a_release_published_after_now_is_not_in_the_window():
    facts = npm_facts(releases=[rel("1.0.0", 30), rel("1.1.0", -1)], latest="1.0.0")
    signals.choose_versions(facts, WINDOW, NOW)
    assert facts.suspect == ["1.0.0"]


# --- known_good ---------------------------------------------------------------------------------


def test_known_good_is_the_newest_release_before_the_first_suspect():
    facts = npm_facts()
    facts.suspect = ["2.1.0"]
    assert signals.known_good(facts).version == "2.0.0"


def test_known_good_skips_yanked_releases():
    facts = npm_facts(releases=[rel("1.0.0", 200), rel("2.0.0", 30, yanked=True),
                                rel("2.1.0", 0.25, MALLORY)])
    facts.suspect = ["2.1.0"]
    assert signals.known_good(facts).version == "1.0.0"


def test_known_good_is_before_every_suspect():
    facts = npm_facts(releases=[rel("1.0.0", 200), rel("2.0.0", 3), rel("2.1.0", 1)])
    facts.suspect = ["2.1.0", "2.0.0"]
    assert signals.known_good(facts).version == "1.0.0"


def test_no_known_good_when_the_suspect_is_the_first_release_or_unknown():
    facts = npm_facts(releases=[rel("0.1.0", 1)])
    facts.suspect = ["0.1.0"]
    assert signals.known_good(facts) is None
    facts.suspect = ["7.7.7"]
    assert signals.known_good(facts) is None


# --- supply_chain -------------------------------------------------------------------------------


def test_a_malicious_recent_release_raises_recent_new_publisher_and_repository_changed():
    facts = npm_facts(releases=[rel("1.0.0", 200), rel("2.0.0", 30),
                                rel("2.1.0", 0.25, MALLORY, EVIL_REPO)])
    signals.choose_versions(facts, WINDOW, NOW)
    found = signals.supply_chain(facts, WINDOW, NOW)
    assert kinds(found) == ["unpinned", "recent_release", "new_publisher", "repository_changed"]
    by = {s.kind: s for s in found}
    assert by["recent_release"].severity == "high"
    assert " 6 h before" in by["recent_release"].text and "2026-05-01T06:00:00Z" in \
        by["recent_release"].text
    assert "mallory <mallory@evil.example>" in by["new_publisher"].text
    assert "https://github.com/mallory/mcp-weather" in by["repository_changed"].text
    assert "https://github.com/acme/mcp-weather" in by["repository_changed"].text
    assert "2.0.0" in by["repository_changed"].text
    assert by["unpinned"].severity == "low"


def test_an_ordinary_release_by_a_known_publisher_outside_the_window_raises_nothing():
    facts = npm_facts(version="2.0.0")
    signals.choose_versions(facts, WINDOW, NOW)
    assert signals.supply_chain(facts, WINDOW, NOW) == []


def test_publisher_names_compare_case_insensitively():
    releases = [rel("1.0.0", 200), rel("2.0.0", 1, Person("ALICE", None, "publisher"))]
    facts = npm_facts(version="2.0.0", releases=releases)
    signals.choose_versions(facts, WINDOW, NOW)
    assert "new_publisher" not in kinds(signals.supply_chain(facts, WINDOW, NOW))


def test_recent_release_text_in_hours_and_days():
    facts = npm_facts(version="2.0.0", releases=[rel("1.0.0", 200), rel("2.0.0", 0.5)])
    signals.choose_versions(facts, WINDOW, NOW)
    (recent,) = signals.supply_chain(facts, WINDOW, NOW)
    assert " 12 h before" in recent.text
    facts = npm_facts(version="2.0.0", releases=[rel("1.0.0", 200), rel("2.0.0", 3)])
    signals.choose_versions(facts, WINDOW, NOW)
    (recent,) = signals.supply_chain(facts, WINDOW, NOW)
    assert " 3 days before" in recent.text


def test_yanked_suspect_is_flagged():
    facts = npm_facts(version="2.1.0", releases=[rel("2.0.0", 30), rel("2.1.0", 20, yanked=True)])
    signals.choose_versions(facts, WINDOW, NOW)
    assert kinds(signals.supply_chain(facts, WINDOW, NOW)) == ["yanked"]


def test_missing_from_registry_and_custom_registry():
    identity = PackageIdentity("npm", "@acme/gone", "1.0.0", "npx",
                               registry="https://npm.internal.example")
    facts = PackageFacts(identity, found=False)
    signals.choose_versions(facts, WINDOW, NOW)
    found = signals.supply_chain(facts, WINDOW, NOW)
    assert kinds(found) == ["custom_registry", "missing_from_registry"]
    assert "https://npm.internal.example" in found[0].text
    assert "npm @acme/gone" in found[1].text and found[1].severity == "high"


def test_unpinned_applies_to_registry_ecosystems_only():
    for ecosystem, expected in (("pypi", True), ("oci", True), ("go", False), ("path", False)):
        facts = PackageFacts(PackageIdentity(ecosystem, "x", None, "l"))
        assert ("unpinned" in kinds(signals.supply_chain(facts, WINDOW, NOW))) is expected


def test_a_tag_range_or_latest_is_floating_and_an_exact_version_or_digest_is_not():
    def unpinned(ecosystem, version):
        facts = PackageFacts(PackageIdentity(ecosystem, "x", version, "l"))
        return "unpinned" in kinds(signals.supply_chain(facts, WINDOW, NOW))

    assert unpinned("npm", "latest") and unpinned("npm", "^2") and not unpinned("npm", "2.1.0")
    assert unpinned("oci", "1.2") and not unpinned("oci", "sha256:" + "a" * 64)
    assert not unpinned("pypi", "1.4.2")


def test_pypi_release_without_publisher_raises_no_new_publisher():
    identity = PackageIdentity("pypi", "acme-mcp", None, "uvx")
    facts = PackageFacts(identity, releases=[Release("1.0", NOW - timedelta(days=90)),
                                             Release("1.1", NOW - timedelta(hours=2))],
                         latest="1.1")
    signals.choose_versions(facts, WINDOW, NOW)
    assert kinds(signals.supply_chain(facts, WINDOW, NOW)) == ["unpinned", "recent_release"]


def test_a_subpath_alone_is_not_a_changed_repository():
    moved = SourceRepo("github.com", "acme", "mcp-weather", "packages/weather")
    facts = npm_facts(version="2.1.0", releases=[rel("2.0.0", 30), rel("2.1.0", 20, ALICE, moved)])
    signals.choose_versions(facts, WINDOW, NOW)
    assert "repository_changed" not in kinds(signals.supply_chain(facts, WINDOW, NOW))


def test_repository_spelled_differently_is_not_a_change():
    other_spelling = parse_repository("git+ssh://git@github.com/ACME/mcp-weather.git")
    facts = npm_facts(version="2.1.0",
                      releases=[rel("2.0.0", 30), rel("2.1.0", 20, ALICE, other_spelling)])
    signals.choose_versions(facts, WINDOW, NOW)
    assert signals.supply_chain(facts, WINDOW, NOW) == []


def test_a_changed_repository_sends_contacts_to_the_known_good_releases_repository():
    facts = npm_facts(releases=[rel("1.0.0", 200), rel("2.0.0", 30),
                                rel("2.1.0", 0.25, MALLORY, EVIL_REPO)])
    facts.repository, facts.repository_source = EVIL_REPO, "npm `repository` of the latest"
    signals.choose_versions(facts, WINDOW, NOW)
    discover._contact_repository(facts)
    assert facts.repository == GOOD_REPO
    assert "2.0.0" in facts.repository_source and "before the suspect" in \
        facts.repository_source


def test_an_unchanged_repository_keeps_its_source():
    facts = npm_facts(version="2.0.0")
    facts.repository, facts.repository_source = GOOD_REPO, "npm `repository` of the latest"
    signals.choose_versions(facts, WINDOW, NOW)
    discover._contact_repository(facts)
    assert facts.repository_source == "npm `repository` of the latest"


# --- contacts: ranking and merging --------------------------------------------------------------


def repo_facts(pvr=True, policy_text=None, inherited=False, archived=False, fork=False):
    policy = None
    if policy_text is not None:
        where = "acme/.github" if inherited else "acme/mcp-weather"
        policy = Policy(where, "SECURITY.md", policy_text,
                        f"https://github.com/{where}/blob/HEAD/SECURITY.md", inherited)
    return RepoFacts(GOOD_REPO, exists=True, full_name="acme/mcp-weather", pvr=pvr,
                     pvr_source="GET /repos/acme/mcp-weather/private-vulnerability-reporting → "
                                "enabled: true",
                     policy=policy, archived=archived, fork=fork)


def txt(body, host="weather.acme.example", expires=FUTURE):
    text = body + f"\nExpires: {expires}\n"
    return parse_txt(text, f"https://{host}/.well-known/security.txt")


def everything(changed=False):
    facts = npm_facts(security_url="https://acme.example/security",
                      people=[Person("alice", "alice@acme.example", "maintainer",
                                     "npm `maintainers`")])
    facts.repository_source = "npm `repository` of the latest version"
    if changed:
        facts.signals = [Signal("repository_changed", "high", "changed")]
    github = repo_facts(policy_text="Email security@acme.example with details.\n")
    txts = [(txt("Contact: mailto:psirt@acme.example"), "on weather.acme.example")]
    return contacts.for_package(facts, github, txts, NOW)


def test_ranking_pvr_policy_security_url_security_txt_registry_email():
    found = everything()
    assert [c.kind for c in found] == ["github-pvr", "security-policy", "project-security-url",
                                       "security-txt", "email"]
    assert [c.address for c in found] == [PVR_URL, "mailto:security@acme.example",
                                          "https://acme.example/security",
                                          "mailto:psirt@acme.example",
                                          "mailto:alice@acme.example"]
    assert [c.trust for c in found] == ["high", "medium", "medium", "medium", "low"]
    assert all(c.package == "npm @acme/mcp-weather" for c in found)


def test_every_contact_says_where_it_came_from_and_why():
    pvr, policy, url, sectxt, email = everything()
    assert pvr.submit == "github-pvr" and pvr.source.startswith("GET /repos/acme/mcp-weather/")
    assert any("enabled on acme/mcp-weather" in r for r in pvr.reasons)
    assert any("npm `repository` of the latest version" in r for r in pvr.reasons)
    assert any("admin account" in w for w in pvr.warnings)
    assert policy.source == "SECURITY.md in acme/mcp-weather"
    assert policy.submit == "manual"
    assert url.source == "PyPI project URL labelled `Security`"
    assert sectxt.source == "https://weather.acme.example/.well-known/security.txt"
    assert any("on weather.acme.example" in r for r in sectxt.reasons)
    assert email.source == "npm `maintainers` (maintainer)"
    assert any("not a security channel" in r for r in email.reasons)


def test_trust_warning_names_the_attacker():
    assert "attacker" in contacts.TRUST_WARNING and "public issue" in contacts.TRUST_WARNING


def test_a_changed_repository_lowers_the_projects_own_security_url():
    found = {c.kind: c for c in everything(changed=True)}
    assert found["project-security-url"].trust == "low"
    assert any("changed the repository URL" in w for w in found["project-security-url"].warnings)
    assert any("this is the one the releases before it declared" in w
               for w in found["github-pvr"].warnings)


def test_archived_or_forked_repository_lowers_pvr_to_medium_but_keeps_it_first():
    facts = npm_facts(people=[Person(None, "x@acme.example", "bugs email", "npm `bugs.email`")])
    found = contacts.for_package(facts, repo_facts(archived=True, fork=True), [], NOW)
    assert [c.kind for c in found] == ["github-pvr", "email"]
    assert found[0].trust == "medium"
    assert any("archived" in w for w in found[0].warnings)
    assert any("fork" in w for w in found[0].warnings)


def test_policy_link_equal_to_the_pvr_address_merges_reasons_into_one_contact():
    text = f"Please report vulnerabilities through [GitHub]({PVR_URL}).\n"
    found = contacts.for_package(npm_facts(), repo_facts(policy_text=text), [], NOW)
    (only,) = found
    assert only.kind == "github-pvr" and only.address == PVR_URL and only.trust == "high"
    assert "the security policy names this page for reports" in only.reasons
    assert any("enabled on acme/mcp-weather" in r for r in only.reasons)
    assert any("anyone who can push" in w for w in only.warnings)


def test_merge_by_address_ignores_case():
    facts = npm_facts(people=[Person("s", "Security@ACME.example", "maintainer", "npm")])
    found = contacts.for_package(facts, repo_facts(pvr=False,
                                                   policy_text="security@acme.example"), [], NOW)
    (only,) = found
    assert only.kind == "security-policy"
    assert any("the registry lists" in r for r in only.reasons)


def test_policy_without_an_address_points_at_the_policy_itself():
    found = contacts.for_package(npm_facts(), repo_facts(pvr=False, policy_text="Be nice.\n"),
                                 [], NOW)
    (only,) = found
    assert only.address == "https://github.com/acme/mcp-weather/blob/HEAD/SECURITY.md"


def test_inherited_policy_says_it_is_the_owners_default():
    found = contacts.for_package(npm_facts(), repo_facts(pvr=False, inherited=True,
                                                         policy_text="a@acme.example"), [], NOW)
    assert found[0].source == "SECURITY.md in acme/.github (the owner's default policy)"


def test_policy_links_that_are_reporting_channels_are_kept_and_docs_links_are_not():
    text = ("See https://acme.example/docs/install for setup.\n"
            "Report at https://hackerone.com/acme.\n")
    found = contacts.for_package(npm_facts(), repo_facts(pvr=False, policy_text=text), [], NOW)
    assert [c.address for c in found] == ["https://hackerone.com/acme"]


def test_no_channel_at_all_is_an_empty_list():
    assert contacts.for_package(npm_facts(), None, [], NOW) == []


def test_pvr_disabled_or_unknown_gives_no_pvr_contact():
    for pvr in (False, None):
        assert contacts.for_package(npm_facts(), repo_facts(pvr=pvr), [], NOW) == []


def test_merging_keeps_the_most_trusted_reading_of_an_address():
    low = Contact("email", "mailto:sec@acme.example", "npm `maintainers`", ("registry",), "low")
    medium = Contact("security-policy", "mailto:sec@acme.example", "SECURITY.md", ("policy",),
                     "medium")
    assert contacts.rank([medium, low])[0].trust == "medium"  # holds today
    assert contacts.rank([low, medium])[0].trust == "medium"


def test_rank_sorts_by_trust_then_kind():
    made = [Contact("email", "mailto:a@x.example", "s", ("r",), "low"),
            Contact("security-txt", "mailto:b@x.example", "s", ("r",), "medium"),
            Contact("github-pvr", "https://github.com/o/r/security/advisories/new", "s", ("r",),
                    "medium"),
            Contact("security-policy", "mailto:c@x.example", "s", ("r",), "high")]
    assert [c.address[:8] for c in contacts.rank(made)] == ["mailto:c", "https://", "mailto:b",
                                                            "mailto:a"]


# --- contacts: security.txt trust ---------------------------------------------------------------


def sectxt_contacts(parsed, why="on weather.acme.example"):
    return contacts.for_package(PackageFacts(None, host="weather.acme.example"), None,
                                [(parsed, why)], NOW)


def test_fresh_unsigned_security_txt_is_medium_and_keeps_contact_order():
    found = sectxt_contacts(txt("Contact: mailto:psirt@acme.example\n"
                                "Contact: https://weather.acme.example/report"))
    assert [c.address for c in found] == ["mailto:psirt@acme.example",
                                          "https://weather.acme.example/report"]
    assert all(c.trust == "medium" for c in found)
    assert all(not any("signature" in w for w in c.warnings) for c in found)
    assert all(any("§5.1" in w for w in c.warnings) for c in found)


def test_stale_security_txt_is_low():
    (found,) = sectxt_contacts(txt("Contact: mailto:psirt@acme.example", expires=PAST))
    assert found.trust == "low" and any("expired" in w for w in found.warnings)


def test_signed_security_txt_warns_that_the_signature_was_not_verified():
    body = ("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n"
            "Contact: mailto:psirt@acme.example\n"
            "Canonical: https://weather.acme.example/.well-known/security.txt\n"
            f"Expires: {FUTURE}\n"
            "-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n")
    parsed = parse_txt(body, "https://weather.acme.example/.well-known/security.txt")
    (found,) = sectxt_contacts(parsed)
    assert found.trust == "medium"
    assert any("did not verify the signature" in w for w in found.warnings)


def test_canonical_mismatch_makes_security_txt_untrusted():
    parsed = txt("Contact: mailto:psirt@acme.example\n"
                 "Canonical: https://other.example/.well-known/security.txt")
    (found,) = sectxt_contacts(parsed)
    assert found.trust == "low" and any("Canonical" in w for w in found.warnings)


def test_parent_domain_security_txt_is_low():
    parsed = txt("Contact: mailto:security@acme.example", host="acme.example")
    (found,) = sectxt_contacts(parsed, "on the parent domain acme.example (it does not cover "
                                       "weather.acme.example)")
    assert found.trust == "low"
    assert any("parent domain" in r for r in found.reasons)


def test_offsite_security_txt_contact_is_flagged():
    (found,) = sectxt_contacts(txt("Contact: https://forms.evil.example/report"))
    assert any("points away from the host" in w for w in found.warnings)
