"""The disclosure for the server's maintainer: what happened, with nothing about us in it.

No local paths, user names, host names, account names or credential data: only the package,
the timeline in UTC and attacker-side indicators (flag kinds, webhook hosts).
"""

from __future__ import annotations

import re
from typing import Any

_PATHLIKE = re.compile(r"^(~|/|[A-Za-z]:\\|\.{1,2}/)")


def _public_word(word: str) -> str:
    if _PATHLIKE.match(word):
        return "<local path>"
    if re.match(r"^https?://", word, re.IGNORECASE):
        return re.sub(r"//[^/@]*@", "//", re.split(r"[?#]", word, maxsplit=1)[0])
    return word


def public_launch(launch: str) -> str:
    """The launch command with local paths and URL secrets removed, so it names only the package."""
    words = []
    for word in launch.split():
        flag, eq, value = word.partition("=")
        words.append(f"{flag}={_public_word(value)}" if eq and flag.startswith("-")
                     else _public_word(word))
    return " ".join(words)


def build(incident: dict[str, Any], private_words: list[str]) -> dict[str, Any]:
    launches = sorted({public_launch(e["launch"]) for e in incident["entries"] if e["launch"]})
    indicators = []
    for flag in incident["flagged"]:
        text = f"{flag['reason']} (at {flag['at']})"
        for word in sorted(filter(None, private_words), key=len, reverse=True):
            text = text.replace(word, "<redacted>")
        indicators.append(text)
    providers = sorted({c["provider"] or "unknown" for c in incident["credentials"]})
    return {
        "server": incident["server"],
        "launches": launches,
        "started_at": incident["started_at"],
        "contained_at": incident["contained_at"],
        "revoked_at": incident["revoked_at"],
        "verified_at": incident["verified_at"],
        "credential_count": len(incident["credentials"]),
        "providers": providers,
        "indicators": indicators,
        "dry_run": incident["dry_run"],
    }
