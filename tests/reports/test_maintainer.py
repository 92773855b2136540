"""The maintainer disclosure names the package, never our paths, accounts, hosts or credentials."""

from __future__ import annotations

from responder.reports import maintainer
from responder.reports.render import render


def incident(**overrides):
    base = {
        "server": "github",
        "entries": [
            {"launch": "node /home/alice/mcp/index.js"},
            {"launch": "https://alice:pw@mcp.example.test/sse?token=abc123"},
        ],
        "flagged": [{"reason": "webhook created by alice on devbox-7",
                     "summary": "webhook to exfil.attacker.example on alice/api",
                     "at": "2025-01-10T12:00:00Z"}],
        "credentials": [{"provider": "github"}, {"provider": None}],
        "started_at": "2025-01-10T12:30:00.123456+00:00",
        "contained_at": "2025-01-10T12:30:01Z",
        "revoked_at": "2025-01-10T12:30:03Z",
        "verified_at": "2025-01-10T12:30:05Z",
        "dry_run": False,
    }
    base.update(overrides)
    return base


def package(**overrides):
    base = {"ecosystem": "npm", "name": "@acme/mcp-weather", "version": None,
            "suspect_versions": [{"version": "2.1.0", "published": "2025-01-10T09:00:00Z",
                                  "publisher": "evil-pub <x@evil.example>"}],
            "known_good": "2.0.0", "repository": "https://github.com/acme/mcp-weather",
            "page_url": None,
            "signals": [{"kind": "unpinned", "severity": "low", "text": "no version pinned"},
                        {"kind": "new_publisher", "severity": "high",
                         "text": "2.1.0 was published by evil-pub"}]}
    base.update(overrides)
    return base


def test_build_holds_no_local_detail_and_no_launch_command():
    report = maintainer.build(incident(), {"packages": [package()]}, ["alice", "devbox-7"])
    text = repr(report)
    for private in ("/home/alice", "pw@", "abc123", "alice", "devbox-7", "node "):
        assert private not in text
    assert report["indicators"] == ["webhook created by <redacted> on <redacted> "
                                    "(at 2025-01-10T12:00:00Z)"]
    assert report["network_indicators"] == ["exfil.attacker.example"]
    assert report["credential_count"] == 2
    assert report["providers"] == ["github", "unknown"]
    assert report["started_at"] == "2025-01-10T12:30:00Z"


def test_the_package_versions_and_signals_are_described_without_the_unpinned_note():
    (described,) = maintainer.build(incident(), {"packages": [package()]}, [])["packages"]
    assert described["kind"] == "npm package" and described["name"] == "@acme/mcp-weather"
    assert [v["version"] for v in described["versions"]] == ["2.1.0"]
    assert described["known_good"] == "2.0.0"
    assert described["signals"] == ["2.1.0 was published by evil-pub"]


def test_only_the_chosen_channels_package_is_in_the_disclosure():
    found = {"packages": [package(), {"ecosystem": "remote", "name": "mcp.other.example",
                                      "suspect_versions": [], "signals": []}],
             "chosen": {"package": "npm @acme/mcp-weather"}}
    names = [p["name"] for p in maintainer.build(incident(), found, [])["packages"]]
    assert names == ["@acme/mcp-weather"]


def test_local_code_is_never_named():
    found = {"packages": [package(ecosystem="path", name="/home/alice/src/mcp/index.js")]}
    assert maintainer.build(incident(), found, [])["packages"] == []


def test_redaction_is_case_insensitive_and_takes_overlapping_words_whole():
    text = maintainer.redact("key added from Alice-Laptop.corp by alice",
                             ["alice", "alice-laptop.corp"])
    assert text == "key added from <redacted> by <redacted>"
    assert maintainer.leaks("ALICE was here", ["alice"]) == ["alice"]


def test_the_shipped_template_renders_the_package_and_no_launch():
    found = {"packages": [package()]}
    text = render("maintainer-report.md.j2", maintainer.build(incident(), found, ["alice"]))
    assert text.startswith("# Security report: suspected compromise of @acme/mcp-weather\n\n")
    assert "version `2.1.0`, published 2025-01-10T09:00:00Z by `evil-pub <x@evil.example>`" in text
    assert "`exfil.attacker.example`" in text
    assert "alice" not in text
