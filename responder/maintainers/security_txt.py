"""RFC 9116 `security.txt`: the fields, what is wrong with them, and whether to use the file.

`parse(text, url)` never raises: the file comes from a host that may be the attacker's (RFC 9116
§5.1, §5.4), so anything malformed becomes a sentence in `problems` and the offending field is
dropped, never guessed at. Whether to *use* the result is `usable(now)`: at least one valid
Contact, exactly one valid Expires, not expired, and nothing that makes it untrusted (a Canonical
list without the retrieval URL, retrieval over plain http). A valid signature wrapper is only
recognised (`signed`), not verified: that needs a key obtained out of band.

Choices [design]:
- A Contact must be a `mailto:`, `tel:` or `https:` URI. A bare email address, an `http:` URL or
  any other scheme is dropped with a problem: the contact receives the disclosure, so a guess at
  what the author meant is not good enough, and an `http:` page can be altered in transit.
- Values must be plain ASCII URIs (RFC 3986), which also keeps look-alike Unicode hosts out.
- Text outside a signed block (before the header or after the signature) is ignored: it is not
  covered by the signature and may have been appended by someone else.
- Files over 32 KB or 1,000 lines, and fields over 2,048 characters, are refused (§5.4 allows it).
- Of several Expires fields the earliest is kept (the file is stale as soon as any says so), and
  the file is not usable either way.
- The IANA-registered `CSAF` and `Bug-Bounty` fields are read; their registration details are
  UNCONFIRMED against the live registry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import unquote, urlsplit

MAX_BYTES = 32 * 1024
MAX_LINES = 1000
MAX_FIELD = 2048

_SIGNED_HEADER = "-----BEGIN PGP SIGNED MESSAGE-----"
_SIGNATURE_BEGIN = "-----BEGIN PGP SIGNATURE-----"
_SIGNATURE_END = "-----END PGP SIGNATURE-----"

# RFC 5322 field-name: printable ASCII except the colon.
_FIELD_NAME = re.compile(r"^[\x21-\x39\x3b-\x7e]+$")
# RFC 3986 characters; a value with anything else (spaces, Unicode, controls) is not one URI.
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$")
_DATE_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")

# Fields whose value must be an https URL: the RFC's "web URI" fields, and CSAF, whose value
# is a link to a provider-metadata.json document. Lower-case name → label in problem sentences.
_WEB_FIELDS = {"acknowledgments": "Acknowledgments", "canonical": "Canonical", "hiring": "Hiring",
               "policy": "Policy", "csaf": "CSAF"}
_KEY_SCHEMES = ("https", "dns", "openpgp4fpr")  # the three forms §2.5.4 shows


@dataclass(frozen=True)
class SecurityTxt:
    url: str  # the retrieval URL (after redirects)
    contacts: tuple[str, ...] = ()  # in file order = order of preference (§2.5.3)
    expires: datetime | None = None  # aware, UTC
    canonical: tuple[str, ...] = ()
    encryption: tuple[str, ...] = ()
    policy: tuple[str, ...] = ()
    acknowledgments: tuple[str, ...] = ()
    hiring: tuple[str, ...] = ()
    csaf: tuple[str, ...] = ()
    preferred_languages: tuple[str, ...] = ()
    bug_bounty: bool | None = None
    signed: bool = False  # an OpenPGP cleartext signature wrapper was present (NOT verified)
    problems: tuple[str, ...] = ()  # each a short sentence: RFC violations found
    expires_fields: int = 0  # how many Expires lines the file had, valid or not

    def stale(self, now: datetime) -> bool:
        """Expired, or no valid Expires at all: the data "should not be used" (§2.5.5, §5.3)."""
        if self.expires is None:
            return True
        return self.expires <= _aware(now)

    def untrusted_reason(self) -> str | None:
        """Why the contents should not be trusted, or None."""
        try:
            parts = urlsplit(self.url)
            scheme = parts.scheme.lower()
        except ValueError:
            return f"the retrieval URL {self.url!r} is not a URL"
        if scheme != "https":
            return f"retrieved from {self.url or 'an unknown URL'}, not over https (§3)"
        here = _comparable(self.url)
        if here is None:
            return f"the retrieval URL {self.url!r} is not a URL"
        if self.canonical and here not in {_comparable(c) for c in self.canonical}:
            listed = ", ".join(self.canonical)
            return (f"its Canonical fields ({listed}) do not list {self.url}, the URL it was "
                    f"retrieved from (§2.5.2)")
        return None

    def usable(self, now: datetime) -> bool:
        return (bool(self.contacts) and self.expires_fields == 1 and self.expires is not None
                and not self.stale(now) and self.untrusted_reason() is None)

    def offsite_contacts(self) -> tuple[str, ...]:
        """Contacts that lead away from the retrieval host: show them flagged, never follow them.

        An https page on another host, or a mailto address whose domain is neither the host nor
        one of its parent or child domains (§3.1 scope; maintainers.md §3 checklist).
        """
        host = _host(self.url)
        found = []
        for contact in self.contacts:
            scheme = contact.split(":", 1)[0].lower()
            if scheme == "https":
                other = _host(contact)
            elif scheme == "mailto":
                other = _mail_domain(contact)
            else:
                continue
            if not host or not other or not _related(host, other, exact=scheme == "https"):
                found.append(contact)
        return tuple(found)


def parse(text: str | bytes | None, url: str) -> SecurityTxt:
    """Read a security.txt body retrieved from `url`. Never raises."""
    try:
        return _parse(text, url)
    except Exception as error:  # a hostile file must not take the run down
        return SecurityTxt(url=url if isinstance(url, str) else "",
                           problems=(f"The file could not be read ({error}).",))


# --- parsing ----------------------------------------------------------------------------------

def _parse(text: str | bytes | None, url: str) -> SecurityTxt:
    url = url if isinstance(url, str) else ""
    problems: list[str] = []
    body = _decode(text, problems)
    if len(body.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        problems.append(f"The file is larger than {MAX_BYTES // 1024} KB and was not read (§5.4).")
        return SecurityTxt(url=url, problems=tuple(problems))
    lines = [line.removesuffix("\r") for line in body.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()  # the final line ending
    if len(lines) > MAX_LINES:
        problems.append(f"The file has more than {MAX_LINES} lines and was not read (§5.4).")
        return SecurityTxt(url=url, problems=tuple(problems))
    lines, signed = _unwrap_signature(lines, problems)
    fields = _fields(lines, problems)
    return _build(url, fields, signed, problems)


def _decode(text: str | bytes | None, problems: list[str]) -> str:
    if text is None:
        return ""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            problems.append("The file is not valid UTF-8 (§4).")
            text = text.decode("utf-8", "replace")
    return text.removeprefix("\ufeff")


def _unwrap_signature(lines: list[str], problems: list[str]) -> tuple[list[str], bool]:
    """The cleartext of an OpenPGP signed message (RFC 4880 §7), else the lines unchanged."""
    start = _find(lines, _SIGNED_HEADER, 0)
    if start is None:
        return lines, False
    index = start + 1
    hashes = 0
    while index < len(lines) and lines[index].strip():  # armor headers up to the blank line
        if lines[index].startswith("Hash:"):
            hashes += 1
        else:
            problems.append(f"Line {index + 1}: unexpected header in the signed message "
                            f"({_show(lines[index])}).")
        index += 1
    if hashes == 0:
        problems.append("The signed message has no Hash header (§4).")
    begin = _find(lines, _SIGNATURE_BEGIN, index)
    if begin is None:
        problems.append("The file starts a signed message but has no signature block; "
                        "it was read as unsigned text.")
        return lines[index + 1:], False
    end = _find(lines, _SIGNATURE_END, begin + 1)
    if end is None:
        problems.append("The signature block is not closed (no END PGP SIGNATURE line).")
    outside = [line for line in lines[:start] + (lines[end + 1:] if end is not None else [])
               if line.strip()]
    if outside:
        problems.append(f"{len(outside)} line(s) outside the signed block were ignored: they are "
                        "not covered by the signature.")
    cleartext = [line[2:] if line.startswith("- ") else line for line in lines[index + 1:begin]]
    return cleartext, True


def _find(lines: list[str], marker: str, start: int) -> int | None:
    return next((i for i in range(start, len(lines)) if lines[i].rstrip() == marker), None)


def _fields(lines: list[str], problems: list[str]) -> list[tuple[int, str, str]]:
    """(line number, lower-case name, value) for every field line; comments and blanks skipped."""
    fields = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, colon, value = stripped.partition(":")
        name = name.strip()
        if not colon or not _FIELD_NAME.match(name):
            problems.append(f"Line {number} is neither a field nor a comment ({_show(stripped)}).")
            continue
        value = value.strip()
        if not value:
            problems.append(f"Line {number}: the {name} field has no value (§2).")
            continue
        if len(value) > MAX_FIELD:
            problems.append(f"Line {number}: the {name} field is longer than {MAX_FIELD} "
                            "characters and was ignored (§5.4).")
            continue
        fields.append((number, name.lower(), value))
    return fields


def _build(url: str, fields: list[tuple[int, str, str]], signed: bool,
           problems: list[str]) -> SecurityTxt:
    found: dict[str, list[str]] = {key: [] for key in ("contact", "encryption", *_WEB_FIELDS)}
    expiries: list[datetime] = []
    expires_fields = 0
    languages: tuple[str, ...] = ()
    language_fields = 0
    bug_bounty: bool | None = None
    bounty_fields = 0
    for number, name, value in fields:
        where = f"Line {number}"
        if name == "contact":
            _keep(found["contact"], _contact(value, where, problems))
        elif name == "expires":
            expires_fields += 1
            moment = parse_date_time(value)
            if moment is None:
                problems.append(f"{where}: Expires {_show(value)} is not an RFC 3339 date-time "
                                "with a time zone (§2.5.5).")
            else:
                expiries.append(moment)
        elif name == "encryption":
            _keep(found["encryption"], _encryption(value, where, problems))
        elif name in _WEB_FIELDS:
            _keep(found[name], _https(value, _WEB_FIELDS[name], where, problems))
        elif name == "preferred-languages":
            language_fields += 1
            if language_fields == 1:
                languages = _languages(value, where, problems)
        elif name == "bug-bounty":
            bounty_fields += 1
            if bounty_fields == 1:
                bug_bounty = _boolean(value, where, problems)
        # Any other field is an extension this reader does not support: ignored (§2.4).
    if not found["contact"]:
        problems.append("There is no valid Contact field; at least one is required (§2.5.3).")
    if expires_fields == 0:
        problems.append("There is no Expires field; exactly one is required (§2.5.5).")
    elif expires_fields > 1:
        problems.append(f"Expires appears {expires_fields} times; it must appear exactly once "
                        "(§2.5.5).")
    if language_fields > 1:
        problems.append(f"Preferred-Languages appears {language_fields} times; only the first "
                        "was read (§2.5.8).")
    if bounty_fields > 1:
        problems.append(f"Bug-Bounty appears {bounty_fields} times; only the first was read.")
    return SecurityTxt(
        url=url, contacts=tuple(found["contact"]), expires=min(expiries, default=None),
        canonical=tuple(found["canonical"]), encryption=tuple(found["encryption"]),
        policy=tuple(found["policy"]), acknowledgments=tuple(found["acknowledgments"]),
        hiring=tuple(found["hiring"]), csaf=tuple(found["csaf"]),
        preferred_languages=languages, bug_bounty=bug_bounty, signed=signed,
        problems=tuple(problems), expires_fields=expires_fields)


def _keep(values: list[str], value: str | None) -> None:
    if value is not None and value not in values:
        values.append(value)


def _uri(value: str, label: str, where: str, problems: list[str]) -> str | None:
    if not _URI.match(value):
        problems.append(f"{where}: {label} {_show(value)} is not a single URI (§2, §2.5).")
        return None
    if re.search(r",\s*[A-Za-z][A-Za-z0-9+.-]*:", value.split(":", 1)[1]):
        problems.append(f"{where}: {label} {_show(value)} chains several values on one line, "
                        "which is not allowed (§2).")
        return None
    return value


def _contact(value: str, where: str, problems: list[str]) -> str | None:
    if re.fullmatch(r"[^\s:/@]+@[^\s:/@]+\.[^\s:/@]+", value):
        problems.append(f"{where}: Contact {_show(value)} is an email address without "
                        "mailto: and was dropped (§2.5.3).")
        return None
    uri = _uri(value, "Contact", where, problems)
    scheme = _scheme(uri)
    if uri is None:
        return None
    if scheme == "mailto" and not _mail_domain(uri):
        problems.append(f"{where}: Contact {_show(value)} is not an email address.")
        return None
    if scheme == "tel" and not re.search(r"\d", uri):
        problems.append(f"{where}: Contact {_show(value)} is not a telephone number.")
        return None
    if scheme in ("mailto", "tel"):
        return uri
    if scheme in ("https", "http"):
        return _https(uri, "Contact", where, problems)
    problems.append(f"{where}: Contact {_show(value)} is not a mailto:, tel: or https: URI "
                    "and was dropped.")
    return None


def _https(value: str, label: str, where: str, problems: list[str]) -> str | None:
    uri = _uri(value, label, where, problems)
    if uri is None:
        return None
    if _scheme(uri) != "https":
        problems.append(f"{where}: {label} {_show(value)} does not start with https:// and was "
                        "dropped (§2.5).")
        return None
    if not _host(uri):
        problems.append(f"{where}: {label} {_show(value)} has no host.")
        return None
    return uri


def _encryption(value: str, where: str, problems: list[str]) -> str | None:
    scheme = _scheme(value)
    if "BEGIN PGP" in value or not scheme:
        problems.append(f"{where}: Encryption {_show(value)} is not a URI pointing to a key; "
                        "keys must not appear in the file (§2.5.4).")
        return None
    if scheme in ("https", "http"):
        return _https(value, "Encryption", where, problems)
    if scheme not in _KEY_SCHEMES:
        problems.append(f"{where}: Encryption {_show(value)} is not an https:, dns: or "
                        "openpgp4fpr: URI and was dropped (§2.5.4).")
        return None
    return _uri(value, "Encryption", where, problems)


def _scheme(uri: str | None) -> str:
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", uri or "")
    return match.group(1).lower() if match else ""


def _languages(value: str, where: str, problems: list[str]) -> tuple[str, ...]:
    tags = []
    for tag in (t.strip() for t in value.split(",")):
        if _LANGUAGE_TAG.match(tag):
            tags.append(tag)
        elif tag:
            problems.append(f"{where}: {_show(tag)} is not a language tag (§2.5.8).")
    if not tags:
        problems.append(f"{where}: Preferred-Languages lists no language (§2.5.8).")
    return tuple(tags)


def _boolean(value: str, where: str, problems: list[str]) -> bool | None:
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    problems.append(f"{where}: Bug-Bounty must be True or False, not {_show(value)}.")
    return None


# --- values -----------------------------------------------------------------------------------

def parse_date_time(value: str) -> datetime | None:
    """RFC 3339 `date-time` (§5.6) as an aware UTC datetime; None when it is not one.

    `T` and `Z` may be lower case (RFC 3339 §5.6 note; RFC 9116's own example ends in `z`);
    a leap second is read as :59; `-00:00` (offset unknown) as UTC.
    """
    match = _DATE_TIME.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction = (match.group(7) or ".0")[1:7].ljust(6, "0")
    zone = match.group(8)
    if zone in ("Z", "z"):
        offset = timedelta(0)
    else:
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 23 or minutes > 59:
            return None
        offset = timedelta(hours=hours, minutes=minutes) * (-1 if zone[0] == "-" else 1)
    if second > 60:
        return None
    try:
        moment = datetime(year, month, day, hour, minute, min(second, 59), int(fraction),
                          tzinfo=timezone(offset))
    except (ValueError, OverflowError):
        return None
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 has no UTC counterpart
        return None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""


def _mail_domain(uri: str) -> str:
    address = unquote(uri.split(":", 1)[1].split("?", 1)[0])
    local, at, domain = address.rpartition("@")
    return domain.lower().rstrip(".") if at and local and "." in domain else ""


def _related(host: str, other: str, *, exact: bool) -> bool:
    host, other = host.lower(), other.lower()
    if host == other:
        return True
    if exact:
        return False
    return host.endswith("." + other) or other.endswith("." + host)


def _comparable(url: str) -> tuple[str, str, int | None, str, str] | None:
    """A URL for Canonical matching: scheme and host case-folded, default port dropped."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if port == {"https": 443, "http": 80}.get(scheme):
        port = None
    return scheme, (parts.hostname or "").rstrip("."), port, parts.path or "/", parts.query


def _show(value: str) -> str:
    """A value quoted for a problem sentence, shortened and with control characters escaped."""
    text = value if len(value) <= 80 else value[:77] + "..."
    return repr(text)
