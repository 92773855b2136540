"""The disclosure for the server's maintainer: what happened, with nothing about us in it.

No local paths, user names, host names, account names or credential data: only the package,
the timeline in UTC and attacker-side indicators (flag kinds, webhook hosts).
"""

from __future__ import annotations

import re
from typing import Any

_PATHLIKE = re.compile(r"^(~|/|[A-Za-z]:\\|\.{1,2}/)")


def public_launch(launch: str) -> str:
    """The launch command with local paths replaced, so it names only the package."""
    words = []
    for word in launch.split():
        if _PATHLIKE.match(word):
            words.append("<local path>")
        elif word.startswith(("http://", "https://")):
            words.append(re.sub(r"//[^/@]*@", "//", word.split("?")[0]))
        else:
            words.append(word)
    return " ".join(words)


def build(incident: dict[str, Any], private_words: list[str]) -> dict[str, Any]:
    launches = sorted({public_launch(e["launch"]) for e in incident["entries"] if e["launch"]})
    indicators = []
    for flag in incident["flagged"]:
        text = f"{flag['reason']} (at {flag['at']})"
        for word in private_words:
            text = text.replace(word, "<redacted>") if word else text
        indicators.append(text)
    providers = sorted({c["provider"] or "unknown" for c in incident["credentials"]})
    return {
        "server": incident["server"],
        "launches": launches,
        "started_at": incident["started_at"],
        "credential_count": len(incident["credentials"]),
        "providers": providers,
        "indicators": indicators,
        "dry_run": incident["dry_run"],
    }
