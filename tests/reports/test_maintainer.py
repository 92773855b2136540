"""The maintainer disclosure names the package, never our paths, credentials or URL secrets."""

from __future__ import annotations

import pytest

from responder.reports import maintainer
from responder.reports.maintainer import public_launch


@pytest.mark.parametrize(
    ("launch", "expected"),
    [
        ("node /home/alice/mcp/build/index.js", "node <local path>"),
        ("node ~/mcp/index.js --stdio", "node <local path> --stdio"),
        ("node ./build/index.js", "node <local path>"),
        ("python ../servers/github/main.py", "python <local path>"),
        (r"node C:\Users\alice\mcp\index.js", "node <local path>"),
        ("npx -y @modelcontextprotocol/server-github",
         "npx -y @modelcontextprotocol/server-github"),
        ("uvx mcp-server-git --repository /home/alice/src/repo",
         "uvx mcp-server-git --repository <local path>"),
    ],
)
def test_local_paths_are_replaced(launch, expected):
    assert public_launch(launch) == expected


@pytest.mark.parametrize(
    ("launch", "expected"),
    [
        ("https://alice:hunter22@mcp.example.test/sse", "https://mcp.example.test/sse"),
        ("https://alice@mcp.example.test/sse", "https://mcp.example.test/sse"),
        ("https://mcp.example.test/sse?token=abc123&user=alice", "https://mcp.example.test/sse"),
        ("https://alice:pw@mcp.example.test/mcp?api_key=zzz", "https://mcp.example.test/mcp"),
        ("http://127.0.0.1:8080/mcp", "http://127.0.0.1:8080/mcp"),
        ("npx mcp-remote https://u:p@mcp.example.test/sse?k=v",
         "npx mcp-remote https://mcp.example.test/sse"),
    ],
)
def test_url_userinfo_and_query_are_stripped(launch, expected):
    assert public_launch(launch) == expected


@pytest.mark.parametrize(
    ("launch", "leak"),
    [
        ("node server.js --config=/home/alice/mcp.json", "/home/alice"),
        ("mcp-proxy --url=https://alice:pw@mcp.example.test/sse?token=abc123", "abc123"),
    ],
)
def test_flag_values_are_cleaned_too(launch, leak):
    assert leak not in public_launch(launch)


def incident(**overrides):
    base = {
        "server": "github",
        "entries": [
            {"launch": "node /home/alice/mcp/index.js"},
            {"launch": "node /home/alice/other/index.js"},
            {"launch": "https://alice:pw@mcp.example.test/sse?token=abc123"},
            {"launch": ""},
        ],
        "flagged": [{"reason": "webhook created by alice on devbox-7",
                     "at": "2025-01-10T12:00:00Z"}],
        "credentials": [{"provider": "github"}, {"provider": None}],
        "started_at": "2025-01-10T12:30:00Z",
        "contained_at": "2025-01-10T12:30:01Z",
        "revoked_at": "2025-01-10T12:30:03Z",
        "verified_at": "2025-01-10T12:30:05Z",
        "dry_run": False,
    }
    base.update(overrides)
    return base


def test_build_holds_no_local_detail():
    report = maintainer.build(incident(), ["alice", "devbox-7"])
    text = repr(report)
    for private in ("/home/alice", "pw@", "abc123", "alice", "devbox-7"):
        assert private not in text
    assert report["launches"] == ["https://mcp.example.test/sse", "node <local path>"]
    assert report["indicators"] == ["webhook created by <redacted> on <redacted> "
                                    "(at 2025-01-10T12:00:00Z)"]
    assert report["credential_count"] == 2
    assert report["providers"] == ["github", "unknown"]


def test_build_redacts_overlapping_private_words_whole():
    flagged = [{"reason": "key added from alice-laptop.corp", "at": "2025-01-10T12:00:00Z"}]
    report = maintainer.build(incident(flagged=flagged), ["alice", "alice-laptop.corp"])
    assert report["indicators"] == ["key added from <redacted> (at 2025-01-10T12:00:00Z)"]
