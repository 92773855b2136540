"""Recognise a credential by its format, with the names around it as provider hints.

The table lives in `patterns` (shared/reference/providers.md §1.1). A value is judged in this order:

1. a prefixed format it fits whole (`recognise`): that provider and kind, whatever the names say;
2. a keyword-anchored format of a provider a hint names (`keyword_fit`): that provider, or, when
   the hints name several providers whose formats all fit, no provider and the candidates;
3. a known prefix on a value that fits no format (`malformed`): that provider, not well formed;
4. a secret-looking name: a credential of unrecognised format, the provider from the hints.

Everything here is pure and cached: a `responder servers` scan asks about the same few thousand
strings many times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from responder.credentials.patterns import (
    EXACT_NAMES,
    KINDS,
    NAME_WORDS,
    PREFIXES,
    PROVIDERS,
    SCHEME_HINTS,
    WEAK_WORDS,
    Kind,
    wrap,
)

__all__ = [
    "KINDS", "PROVIDERS", "Kind", "Verdict", "find_in_text", "judge", "keyword_fit",
    "looks_secret", "malformed", "provider_hint", "provider_hints", "recognise",
    "scheme_hint", "secret_assignments", "weak_hints",
]

UNRECOGNISED_FORMAT = "unrecognised format"  # a hinted provider, a value of no known format
UNRECOGNISED_SECRET = "unrecognised secret"  # no provider at all
AMBIGUOUS = "token"  # the kind when only candidates are known


@dataclass(frozen=True)
class Verdict:
    provider: str | None
    kind: str
    well_formed: bool = True
    candidates: tuple[str, ...] = ()


# One alternation per use, each kind a named group: one pass over the text instead of one per kind.
_PLAIN = tuple(k for k in KINDS if not k.keyword)
_EMBEDDED = tuple(k for k in _PLAIN if k.embedded)


def _combined(kinds: tuple[Kind, ...]) -> re.Pattern[str]:
    return re.compile(wrap("|".join(f"(?P<k{i}>{k.core})" for i, k in enumerate(kinds))))


_WHOLE = _combined(_PLAIN)
_INSIDE = _combined(_EMBEDDED)

# Every plain format starts with one of these. Python's `re` is slow on a long alternation tried
# at every position; an alternation whose branches all start with a literal character is fast
# (it skips to candidate characters), so it screens the text first. The case-insensitive cores
# (Slack, npm, DigitalOcean refresh) are screened in their lower, upper and capitalised forms.
# tests/credentials/test_patterns.py checks that every kind's sample passes the screen.
_SCREEN = re.compile(
    r"github_pat_|gh[pousr]_|gl(?:pat|dt|ptt|rt|cbt|ft|oas|soat|imt|agent|ffct)-|"
    r"xox|XOX|Xox|xapp|XAPP|Xapp|npm_|NPM_|Npm_|dor_v1_|DOR_V1_|Dor_v1_|"
    r"hooks\.slack\.com|AIza|ya29\.|GOCSPX-|v1\.0-|cf[ua]t_|cfk_|sk-|hf_|api_org_|AT[AC]TT|"
    r"ntn_|secret_|lin_api_|sntry[us]_|sk_|rk_|A3T|AKIA|ASIA|ABIA|ACCA|sbp_|fig[dp]_|PMAK-|"
    r"do[op]_v1_|HRKU-|1//")
_KEYWORD: dict[str, tuple[Kind, ...]] = {
    p: tuple(k for k in KINDS if k.keyword and k.provider == p) for p in PROVIDERS}


# Both are pure and see the same few launch arguments thousands of times in a large scan.
@lru_cache(maxsize=8192)
def recognise(value: str) -> Kind | None:
    """The kind of credential the whole value is, if its format is known without a hint."""
    value = value.strip()
    match = _WHOLE.fullmatch(value) if _SCREEN.search(value) else None
    if match is None:
        return None
    return _PLAIN[int(match.lastgroup[1:])]  # type: ignore[index]


def find_in_text(text: str) -> list[tuple[Kind, str]]:
    """Known credentials embedded anywhere in a string (e.g. inside a URL or a flag)."""
    return list(_find_in_text(text))


@lru_cache(maxsize=8192)
def _find_in_text(text: str) -> tuple[tuple[Kind, str], ...]:
    if not _SCREEN.search(text):
        return ()
    return tuple((_EMBEDDED[int(m.lastgroup[1:])], m.group(0))  # type: ignore[index]
                 for m in _INSIDE.finditer(text))


@lru_cache(maxsize=8192)
def keyword_fit(value: str, providers: tuple[str, ...]) -> tuple[Kind, ...]:
    """For each hinted provider, its first keyword-anchored format the whole value fits."""
    value = value.strip()
    fits: list[Kind] = []
    for provider in providers:
        for kind in _KEYWORD.get(provider, ()):
            if kind.pattern.fullmatch(value):
                fits.append(kind)
                break
    return tuple(fits)


@lru_cache(maxsize=8192)
def malformed(value: str) -> tuple[str, str] | None:
    """(provider, kind) when the value starts like a known token (and is not one)."""
    value = value.strip()
    for prefix, provider, kind in PREFIXES:
        if value.startswith(prefix):
            return provider, kind
    return None


@lru_cache(maxsize=8192)
def judge(value: str, hints: tuple[str, ...] = (), weak: tuple[str, ...] = (),
          secret_name: bool = False) -> Verdict | None:
    """What a value given under a name is: `hints` from the name itself, `weak` from the server
    and its package (used only when the name names no provider). None: not a credential."""
    kind = recognise(value)
    if kind is not None:
        return Verdict(kind.provider, kind.kind)
    if not secret_name:
        return None
    anchors = hints or weak
    fits = keyword_fit(value, anchors) if anchors else ()
    if len(fits) == 1:
        return Verdict(fits[0].provider, fits[0].kind)
    if fits:
        return Verdict(None, AMBIGUOUS, candidates=tuple(sorted({k.provider for k in fits})))
    if len(value.strip()) < 8:
        return None
    bad = malformed(value)
    if bad is not None:
        return Verdict(bad[0], f"malformed {bad[1]}", well_formed=False)
    return unknown(hints)


def unknown(hints: tuple[str, ...]) -> Verdict:
    """A secret of no known format: the provider the name names, if exactly one."""
    providers = tuple(dict.fromkeys(hints))
    if len(providers) == 1:
        return Verdict(providers[0], UNRECOGNISED_FORMAT)
    if providers:
        return Verdict(None, UNRECOGNISED_FORMAT, candidates=tuple(sorted(providers)))
    return Verdict(None, UNRECOGNISED_SECRET)


# -- names ------------------------------------------------------------------------------------

# Names that say "this value is a secret" even when its format is unknown.
_SECRET_NAME = re.compile(
    r"(TOKEN|SECRET|PASSWORD|PASSWD|API[-_]?KEY|ACCESS[-_]?KEY|PRIVATE[-_]?KEY|\bPAT\b|_PAT$|AUTH|"
    r"CREDENTIAL|BEARER|COOKIE|SESSION)", re.IGNORECASE,
)
# `SUPABASE_SERVICE_ROLE_KEY`, `?key=`: a name ending in the word KEY, unless it says public.
_KEY_WORD = re.compile(r"(?:^|[-_.])KEY$", re.IGNORECASE)
_PUBLIC = re.compile(r"PUBLI(?:C|SHABLE)", re.IGNORECASE)


@lru_cache(maxsize=4096)
def looks_secret(name: str) -> bool:
    if _SECRET_NAME.search(name):
        return True
    return bool(_KEY_WORD.search(name)) and not _PUBLIC.search(name)


_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")


@lru_cache(maxsize=4096)
def provider_hints(name: str) -> tuple[str, ...]:
    """Every provider a variable, header, flag or key name names, in the order they appear."""
    if not name:
        return ()
    normal = "_" + _NOT_ALNUM.sub("_", name.upper()).strip("_") + "_"
    exact = EXACT_NAMES.get(normal)
    if exact:
        return (exact,)
    found: list[tuple[int, str]] = []
    for provider, words in NAME_WORDS:
        positions = [normal.find(w) for w in words if w in normal]
        if positions:
            found.append((min(positions), provider))
    return tuple(p for _, p in sorted(found))


def provider_hint(name: str) -> str | None:
    """The first provider a name names, if any."""
    hints = provider_hints(name)
    return hints[0] if hints else None


def scheme_hint(scheme: str) -> str | None:
    return SCHEME_HINTS.get(scheme.lower())


_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=4096)
def weak_hints(text: str) -> tuple[str, ...]:
    """Providers named in free text: a server's name, command, package, URL host."""
    lower = text.lower()
    words = set(_WORD.findall(lower))
    found: list[str] = []
    for provider, needles in WEAK_WORDS:
        if any((n in lower) if len(n) >= 5 else (n in words) for n in needles):
            found.append(provider)
    return tuple(found)


# "KEY": "value", KEY = "value", KEY: value (JSON, TOML, YAML), on one line.
_ASSIGNMENT = re.compile(
    r"""["']?(?P<key>[A-Za-z0-9_.-]+)["']?[ \t]*[:=][ \t]*["']?(?P<value>[^"'\s,}\]]+)""")


# Identifiers that look like credentials but are not secret: an AWS access key id names its key
# pair (it is context on the secret key's credential) and manual steps must show it.
PUBLIC_KINDS = frozenset({("aws", "access key id")})


def is_public(value: str) -> bool:
    kind = recognise(value)
    return kind is not None and (kind.provider, kind.kind) in PUBLIC_KINDS


def secret_assignments(text: str) -> list[str]:
    """Values given to secret-looking keys anywhere in `text` (a diff of a config file), so that
    what a parser did not see as a credential is still masked before the text is shown."""
    return [m.group("value") for m in _ASSIGNMENT.finditer(text)
            if looks_secret(m.group("key")) and len(m.group("value")) >= 6
            and not is_public(m.group("value"))]


# An environment reference names where a secret lives, not the secret: `${VAR}`, `${env:VAR}`,
# `$VAR`, `%VAR%` (the assignment scan stops at "}"). A `${VAR:-default}` keeps its mask: the
# default may be a literal token.
_REFERENCE = re.compile(r"\$\{(?:env:)?[A-Za-z_][A-Za-z0-9_]*|\$[A-Za-z_][A-Za-z0-9_]*"
                        r"|%[A-Za-z_][A-Za-z0-9_]*%")
# An Authorization value is "<scheme> <credential>": the scan sees only the scheme.
_SCHEMES = frozenset({"bearer", "basic", "token"})
_SCHEMED = re.compile(r"""(?:["']|[:=][ \t]*)(?:[Bb]earer|[Bb]asic|token)[ \t]+"""
                      r"""(?P<value>[^"'\s,}\]\\]{6,})""")  # "\" ends it: JSON in a string


def masked_values(diff: str) -> list[str]:
    """What to mask in a diff beyond the credentials parsers found: every value given to a
    secret-looking key, and the credential after an auth scheme. Not the references and scheme
    words themselves: masking them would show a diff that is not the edit (`"…OKEN}"` for
    `"${GITHUB_TOKEN}"`) and erase every later "Bearer" in the run's output."""
    values = [v for v in secret_assignments(diff)
              if not _REFERENCE.fullmatch(v) and v.lower() not in _SCHEMES]
    return values + [m.group("value") for m in _SCHEMED.finditer(diff)
                     if not _REFERENCE.fullmatch(m.group("value"))]
