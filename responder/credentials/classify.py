"""Recognise a credential by its format, with the variable name as a hint for unprefixed values.

Patterns are the cores from gitleaks/trufflehog (see shared/reference/providers.md §1.1), each
anchored so that a token embedded in a longer word does not match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Kind:
    provider: str
    kind: str
    pattern: re.Pattern[str]


def _core(core: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9_-])(?:{core})(?![A-Za-z0-9_-])")


KINDS: tuple[Kind, ...] = (
    Kind("github", "fine-grained personal access token", _core(r"github_pat_[A-Za-z0-9_]{82}")),
    Kind("github", "personal access token (classic)", _core(r"ghp_[A-Za-z0-9]{36}")),
    Kind("github", "OAuth app token", _core(r"gho_[A-Za-z0-9]{36}")),
    Kind("github", "GitHub App user token", _core(r"ghu_[A-Za-z0-9]{36}")),
    Kind("github", "GitHub App installation token", _core(r"ghs_[A-Za-z0-9]{36}")),
    Kind("github", "GitHub App refresh token", _core(r"ghr_[A-Za-z0-9]{36,255}")),
)

# Names that say "this value is a secret" even when its format is unknown.
_SECRET_NAME = re.compile(
    r"(TOKEN|SECRET|PASSWORD|PASSWD|API[-_]?KEY|ACCESS[-_]?KEY|PRIVATE[-_]?KEY|\bPAT\b|_PAT$|AUTH|"
    r"CREDENTIAL|BEARER|COOKIE|SESSION)", re.IGNORECASE,
)
_PROVIDER_HINT = re.compile(r"(^|[^A-Z])(GITHUB|GH_)", re.IGNORECASE)


# Both are pure and see the same few launch arguments thousands of times in a large scan.
@lru_cache(maxsize=8192)
def recognise(value: str) -> Kind | None:
    """The kind of credential the whole value is, if its format is known."""
    for kind in KINDS:
        match = kind.pattern.fullmatch(value.strip())
        if match:
            return kind
    return None


def find_in_text(text: str) -> list[tuple[Kind, str]]:
    """Known credentials embedded anywhere in a string (e.g. inside a URL or a flag)."""
    return list(_find_in_text(text))


@lru_cache(maxsize=8192)
def _find_in_text(text: str) -> tuple[tuple[Kind, str], ...]:
    return tuple((kind, m.group(0)) for kind in KINDS for m in kind.pattern.finditer(text))


def looks_secret(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def provider_hint(name: str) -> str | None:
    return "github" if _PROVIDER_HINT.search(name) else None


# "KEY": "value", KEY = "value", KEY: value (JSON, TOML, YAML), on one line.
_ASSIGNMENT = re.compile(
    r"""["']?(?P<key>[A-Za-z0-9_.-]+)["']?[ \t]*[:=][ \t]*["']?(?P<value>[^"'\s,}\]]+)""")


def secret_assignments(text: str) -> list[str]:
    """Values given to secret-looking keys anywhere in `text` (a diff of a config file), so that
    what a parser did not see as a credential is still masked before the text is shown."""
    return [m.group("value") for m in _ASSIGNMENT.finditer(text)
            if looks_secret(m.group("key")) and len(m.group("value")) >= 6]
