"""Secret values and the scrubber that keeps them out of every output.

A `Secret` never shows its value through `str`, `repr`, `format` or JSON; only a provider adapter
calls `reveal()`. The `SecretRegistry` is the second line of defence: every byte responder prints
or writes passes through `scrub()`, which replaces any registered value with its redacted form.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading

# Known prefixes are kept in the redacted form because they tell the reader what kind of token it
# was without revealing anything an attacker could use.
_PREFIX = re.compile(
    r"^(github_pat_|gh[pousr]_|glpat-|gldt-|glptt-|glrt-|glcbt-|glft-|gloas-|glsoat-|"
    r"xox[baprsecd]-|xapp-|cf[uak]t_|cfk_|1//|sk-ant-api03-|sk-ant-admin01-|sk-proj-|"
    r"sk-svcacct-|sk-admin-|sk-|npm_|hf_|ntn_|lin_api_|sntryu_|sntrys_|[sr]k_(?:live|test|prod)_|"
    r"AKIA|ASIA|sbp_|figd_|figp_|PMAK-|dop_v1_|doo_v1_|HRKU-|ATATT3|AIza|ya29\.)"
)

_MIN_SCRUB_LEN = 6  # shorter values would scrub ordinary words out of reports


def redact(value: str) -> str:
    """`ghp_…9f2a`: the provider prefix and the last four characters, nothing in between."""
    match = _PREFIX.match(value)
    prefix = match.group(1) if match else ""
    if len(value) - len(prefix) < 12:
        return f"{prefix}…" if prefix else "…"
    return f"{prefix}…{value[-4:]}"


def fingerprint(value: str) -> str:
    """A stable, non-reversible identifier for correlating a token across journal lines."""
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()[:16]


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise ValueError("a Secret needs a non-empty string")
        object.__setattr__(self, "_value", value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Secret is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Secret is immutable")

    def reveal(self) -> str:
        return self._value

    @property
    def redacted(self) -> str:
        return redact(self._value)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self._value)

    @property
    def hashed_token(self) -> str:
        """GitHub's audit-log handle: base64 of the token's SHA-256 digest."""
        return base64.b64encode(hashlib.sha256(self._value.encode()).digest()).decode()

    def __str__(self) -> str:
        return self.redacted

    def __repr__(self) -> str:
        return f"Secret({self.redacted})"

    def __format__(self, spec: str) -> str:
        return format(self.redacted, spec)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self):  # pickling would write the value somewhere we do not control
        raise TypeError("Secret cannot be pickled")


class SecretRegistry:
    """Every secret value the run has seen, so that any text can be scrubbed before it leaves."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def add(self, secret: Secret | str) -> None:
        value = secret.reveal() if isinstance(secret, Secret) else secret
        if len(value) < _MIN_SCRUB_LEN:
            return
        with self._lock:
            if value not in self._values:
                self._values[value] = redact(value)
                self._pattern = None

    def __len__(self) -> int:
        return len(self._values)

    def scrub(self, text: str) -> str:
        if not self._values or not text:
            return text
        with self._lock:
            if self._pattern is None:
                # Longest first so that a token containing another is replaced whole.
                alternatives = sorted(self._values, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(v) for v in alternatives))
            pattern, values = self._pattern, self._values
        return pattern.sub(lambda m: values[m.group(0)], text)

    def scrub_bytes(self, data: bytes) -> bytes:
        if not self._values:
            return data
        try:
            return self.scrub(data.decode("utf-8")).encode("utf-8")
        except UnicodeDecodeError:
            for value, shown in sorted(self._values.items(), key=lambda kv: -len(kv[0])):
                data = data.replace(value.encode(), shown.encode())
            return data
