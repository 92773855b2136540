"""Unwrapping values: Authorization schemes, base64 `user:token`, JSON inside a string, PEM keys,
Google credential files. Pure functions; nothing here reads files or prints values.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# The scheme word before a token in an Authorization-style value (providers.md §1).
_SCHEME = re.compile(r"^\s*(Bearer|token|Basic|Sentry-Bearer|Bot)\s+", re.IGNORECASE)


def split_scheme(value: str) -> tuple[str, str]:
    """("Bearer", "ghp_...") from "Bearer ghp_..."; ("", value) when there is no scheme word."""
    match = _SCHEME.match(value)
    if match is None:
        return "", value.strip()
    return match.group(1), value[match.end():].strip()


_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+={0,2}")
_PRINTABLE = re.compile(r"[\x20-\x7e]+")


def base64_text(value: str, minimum: int = 8) -> str | None:
    """The decoded text when `value` is base64 (standard or URL-safe) of printable ASCII."""
    value = value.strip()
    if len(value) < minimum or not _BASE64.fullmatch(value):
        return None
    padded = value + "=" * (-len(value) % 4)
    try:
        if "-" in value or "_" in value:
            raw = base64.urlsafe_b64decode(padded)
        else:
            raw = base64.b64decode(padded, validate=True)
        text = raw.decode("ascii")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return text if text and _PRINTABLE.fullmatch(text) else None


@dataclass(frozen=True)
class Pair:
    user: str  # the part before ":" (an email or a user name; never secret); may be empty
    secret: str


def user_and_secret(text: str) -> Pair | None:
    """`user:token` (Basic credentials, Azure DevOps `email:pat`) split at the first colon."""
    user, colon, secret = text.partition(":")
    if not colon or not secret or len(user) > 256 or any(c.isspace() for c in user):
        return None
    return Pair(user, secret)


# A long value that may be base64 of `user:token` (Azure DevOps PERSONAL_ACCESS_TOKEN).
LONG_BASE64 = 20


def json_value(value: str) -> Any:
    """The object or list a string holds as JSON, or None."""
    text = value.strip()
    if not text or text[0] not in "{[":
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, Mapping | list) else None


_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----.+?-----END \1-----", re.DOTALL)


def private_key(text: str) -> str | None:
    """The PEM private key block in `text`, if any (whole, BEGIN to END lines)."""
    if "PRIVATE KEY-----" not in text:
        return None
    match = _PEM.search(text.replace("\\n", "\n"))
    return match.group(0) if match else None


@dataclass(frozen=True)
class GoogleSecret:
    key: str  # the JSON key it came from: "access_token", "refresh_token", "private_key", ...
    kind: str
    value: str
    context: tuple[tuple[str, str], ...] = ()


def google_secrets(data: Any) -> list[GoogleSecret] | None:
    """Secrets in a Google credential document, or None when it is not one.

    - a service-account key (`"type": "service_account"` / `auth_provider_x509_cert_url` with a
      `private_key`): the key, with the client email and key id as context;
    - an OAuth token file (the Google Drive server's saved credentials, an `authorized_user`
      file): `access_token` (ya29.) and `refresh_token` (1//...);
    - an OAuth client file (`{"installed"|"web": {"client_id", "client_secret"}}`): the client
      secret, with the client id as context.
    """
    if not isinstance(data, Mapping):
        return None
    found: list[GoogleSecret] = []
    if (data.get("type") == "service_account" or "auth_provider_x509_cert_url" in data) and \
            isinstance(data.get("private_key"), str) and data["private_key"].strip():
        context = tuple((name, str(data[key])) for name, key in (
            ("google_client_email", "client_email"), ("google_private_key_id", "private_key_id"),
            ("google_project_id", "project_id")) if isinstance(data.get(key), str) and data[key])
        return [GoogleSecret("private_key", "service account key", data["private_key"].strip(),
                             context)]
    for key, kind in (("access_token", "OAuth access token"),
                      ("refresh_token", "OAuth refresh token")):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            found.append(GoogleSecret(key, kind, value.strip()))
    if found:
        return found
    for section in ("installed", "web"):
        client = data.get(section)
        if isinstance(client, Mapping) and isinstance(client.get("client_secret"), str) \
                and client["client_secret"].strip():
            context = (("google_client_id", str(client["client_id"])),) \
                if isinstance(client.get("client_id"), str) else ()
            return [GoogleSecret(f"{section}.client_secret", "OAuth client secret",
                                 client["client_secret"].strip(), context)]
    return None
