"""RFC 9116 security.txt parsing (shared/reference/maintainers.md §3)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from responder.maintainers.security_txt import SecurityTxt, parse, parse_date_time

URL = "https://example.com/.well-known/security.txt"
BEFORE = datetime(2021, 6, 1, tzinfo=UTC)
AFTER = datetime(2022, 1, 1, tzinfo=UTC)

# RFC 9116 §2.6, verbatim (without the RFC's page indentation).
RFC_UNSIGNED = """\
# Our security address
Contact: mailto:security@example.com

# Our OpenPGP key
Encryption: https://example.com/pgp-key.txt

# Our security policy
Policy: https://example.com/security-policy.html

# Our security acknowledgments page
Acknowledgments: https://example.com/hall-of-fame.html

Expires: 2021-12-31T18:37:07z
"""

# RFC 9116 §2.7, verbatim.
RFC_SIGNED = """\
-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA256

# Canonical URI
Canonical: https://example.com/.well-known/security.txt

# Our security address
Contact: mailto:security@example.com

# Our OpenPGP key
Encryption: https://example.com/pgp-key.txt

# Our security policy
Policy: https://example.com/security-policy.html

# Our security acknowledgments page
Acknowledgments: https://example.com/hall-of-fame.html

Expires: 2021-12-31T18:37:07z
-----BEGIN PGP SIGNATURE-----
Version: GnuPG v2.2

[signature]
-----END PGP SIGNATURE-----
"""

EXPIRES = datetime(2021, 12, 31, 18, 37, 7, tzinfo=UTC)


def minimal(*lines: str, expires: str = "2021-12-31T18:37:07Z") -> str:
    return "\n".join([*lines, f"Expires: {expires}", ""])


def contacts(*values: str) -> SecurityTxt:
    return parse(minimal(*(f"Contact: {v}" for v in values)), URL)


# --- the RFC's own examples -----------------------------------------------------------------------

def test_rfc_unsigned_example():
    found = parse(RFC_UNSIGNED, URL)
    assert found.contacts == ("mailto:security@example.com",)
    assert found.encryption == ("https://example.com/pgp-key.txt",)
    assert found.policy == ("https://example.com/security-policy.html",)
    assert found.acknowledgments == ("https://example.com/hall-of-fame.html",)
    assert found.expires == EXPIRES
    assert found.canonical == ()
    assert found.signed is False
    assert found.problems == ()
    assert found.usable(BEFORE)
    assert not found.usable(AFTER)  # expired at the end of 2021


def test_rfc_signed_example_is_unwrapped():
    found = parse(RFC_SIGNED, URL)
    assert found.signed is True
    assert found.problems == ()
    assert found.canonical == (URL,)
    assert found.contacts == ("mailto:security@example.com",)
    assert found.expires == EXPIRES
    assert found.untrusted_reason() is None
    assert found.usable(BEFORE)


def test_rfc_contact_examples_keep_their_order_of_preference():
    found = contacts("mailto:security@example.com",
                     "mailto:security%2Buri%2Bencoded@example.com",
                     "tel:+1-201-555-0123",
                     "https://example.com/security-contact.html")
    assert found.contacts == ("mailto:security@example.com",
                              "mailto:security%2Buri%2Bencoded@example.com",
                              "tel:+1-201-555-0123",
                              "https://example.com/security-contact.html")
    assert found.problems == ()


def test_rfc_encryption_examples():
    found = parse(minimal(
        "Contact: mailto:security@example.com",
        "Encryption: https://example.com/pgp-key.txt",
        "Encryption: dns:5d2d37ab76d47d36._openpgpkey.example.com?type=OPENPGPKEY",
        "Encryption: openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b29100f"), URL)
    assert found.encryption == (
        "https://example.com/pgp-key.txt",
        "dns:5d2d37ab76d47d36._openpgpkey.example.com?type=OPENPGPKEY",
        "openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b29100f")
    assert found.problems == ()


# --- syntax (§2, §2.1, §2.2, §2.4) ----------------------------------------------------------------

def test_crlf_and_lf_read_the_same():
    assert parse(RFC_UNSIGNED.replace("\n", "\r\n"), URL) == parse(RFC_UNSIGNED, URL)
    assert parse(RFC_SIGNED.replace("\n", "\r\n"), URL) == parse(RFC_SIGNED, URL)


def test_field_names_are_case_insensitive_and_unknown_fields_ignored():
    found = parse("CONTACT: mailto:a@example.com\ncontact: tel:+15550100\n"
                  "eXpIrEs: 2030-01-01T00:00:00Z\nX-Custom-Field: anything at all\n"
                  "Preferred-languages: en\n", URL)
    assert found.contacts == ("mailto:a@example.com", "tel:+15550100")
    assert found.expires == datetime(2030, 1, 1, tzinfo=UTC)
    assert found.preferred_languages == ("en",)
    assert found.problems == ()


def test_comments_blank_lines_and_whitespace_only_lines():
    found = parse("# comment: Contact: mailto:evil@attacker.example\n\n   \n\t\n"
                  "Contact: mailto:a@example.com   \n# another\nExpires: 2030-01-01T00:00:00Z",
                  URL)
    assert found.contacts == ("mailto:a@example.com",)
    assert found.problems == ()


def test_byte_order_mark_and_bytes_input():
    text = "\ufeffContact: mailto:a@example.com\nExpires: 2030-01-01T00:00:00Z\n"
    assert parse(text, URL).contacts == ("mailto:a@example.com",)
    assert parse(text.encode("utf-8"), URL).contacts == ("mailto:a@example.com",)


def test_invalid_utf8_is_a_problem_but_the_rest_is_read():
    found = parse(b"Contact: mailto:a@example.com\n# \xff\xfe\nExpires: 2030-01-01T00:00:00Z\n",
                  URL)
    assert found.contacts == ("mailto:a@example.com",)
    assert any("UTF-8" in p for p in found.problems)


def test_lines_that_are_not_fields_are_problems():
    found = parse(minimal("Contact mailto:a@example.com", "just some text",
                          "Contact: mailto:b@example.com"), URL)
    assert found.contacts == ("mailto:b@example.com",)
    assert sum("neither a field nor a comment" in p for p in found.problems) == 2


def test_repeated_fields_are_all_kept_in_order_without_duplicates():
    found = parse(minimal("Policy: https://example.com/a", "Policy: https://example.com/b",
                          "Contact: mailto:a@example.com", "Contact: mailto:a@example.com",
                          "Hiring: https://example.com/jobs"), URL)
    assert found.policy == ("https://example.com/a", "https://example.com/b")
    assert found.contacts == ("mailto:a@example.com",)
    assert found.hiring == ("https://example.com/jobs",)


def test_empty_value_is_a_problem():
    found = parse(minimal("Contact:", "Contact: mailto:a@example.com"), URL)
    assert found.contacts == ("mailto:a@example.com",)
    assert any("no value" in p for p in found.problems)


# --- Contact (§2.5.3) -----------------------------------------------------------------------------

def test_http_contact_is_dropped_with_a_problem():
    found = contacts("http://example.com/security", "mailto:a@example.com")
    assert found.contacts == ("mailto:a@example.com",)
    assert any("http://example.com/security" in p and "https://" in p for p in found.problems)


@pytest.mark.parametrize("value,reason", [
    ("security@example.com", "without mailto"),
    ("javascript:alert(1)", "not a mailto:, tel: or https:"),
    ("ftp://example.com/x", "not a mailto:, tel: or https:"),
    ("mailto:nobody", "not an email address"),
    ("tel:call-us", "not a telephone number"),
    ("mailto:a@example.com, mailto:b@example.com", "not a single URI"),
    ("mailto:a@example.com,mailto:b@example.com", "chains"),
    ("https://exämple.com/security", "not a single URI"),
    ("https:///nohost", "no host"),
])
def test_bad_contacts_are_dropped(value, reason):
    found = contacts(value)
    assert found.contacts == ()
    assert any(reason in p for p in found.problems), found.problems
    assert any("no valid Contact" in p for p in found.problems)
    assert not found.usable(BEFORE)


def test_offsite_contacts_are_flagged():
    found = parse(minimal("Contact: mailto:security@example.com",
                          "Contact: mailto:psirt@corp.example.com",
                          "Contact: mailto:report@attacker.example",
                          "Contact: https://example.com/report",
                          "Contact: https://forms.attacker.example/report",
                          "Contact: tel:+15550100"), "https://mcp.example.com/.well-known/"
                                                     "security.txt")
    # A sibling domain is flagged too: without the public-suffix list, corp.example.com and
    # mcp.example.com are as related as a.co.uk and b.co.uk.
    assert found.offsite_contacts() == ("mailto:psirt@corp.example.com",
                                        "mailto:report@attacker.example",
                                        "https://example.com/report",
                                        "https://forms.attacker.example/report")


# --- Expires (§2.5.5) -----------------------------------------------------------------------------

@pytest.mark.parametrize("value,expected", [
    ("2021-12-31T18:37:07z", datetime(2021, 12, 31, 18, 37, 7, tzinfo=UTC)),
    ("2021-12-31T18:37:07Z", datetime(2021, 12, 31, 18, 37, 7, tzinfo=UTC)),
    ("2021-12-31t18:37:07z", datetime(2021, 12, 31, 18, 37, 7, tzinfo=UTC)),
    ("2021-12-31T18:37:07.000Z", datetime(2021, 12, 31, 18, 37, 7, tzinfo=UTC)),
    ("2021-12-31T18:37:07.123456789Z", datetime(2021, 12, 31, 18, 37, 7, 123456, tzinfo=UTC)),
    ("2021-12-31T20:37:07+02:00", datetime(2021, 12, 31, 18, 37, 7, tzinfo=UTC)),
    ("2021-12-31T13:37:07-05:00", datetime(2021, 12, 31, 18, 37, 7, tzinfo=UTC)),
    ("2021-12-31T18:37:07-00:00", datetime(2021, 12, 31, 18, 37, 7, tzinfo=UTC)),
    ("2021-12-31 18:37:07Z", datetime(2021, 12, 31, 18, 37, 7, tzinfo=UTC)),
    ("2016-12-31T23:59:60Z", datetime(2016, 12, 31, 23, 59, 59, tzinfo=UTC)),
])
def test_rfc3339_date_times(value, expected):
    parsed = parse_date_time(value)
    assert parsed == expected
    assert parsed.tzinfo is not None


@pytest.mark.parametrize("value", [
    "2021-12-31", "2021-12-31T18:37:07", "Fri, 31 Dec 2021 18:37:07 GMT", "2021-13-01T00:00:00Z",
    "2021-02-30T00:00:00Z", "2021-12-31T25:00:00Z", "2021-12-31T18:37:61Z",
    "2021-12-31T18:37:07+24:00", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59", "",
    "0001-01-01T00:00:00+01:00",
])
def test_not_rfc3339(value):
    assert parse_date_time(value) is None


def test_expires_in_the_past_is_stale():
    found = parse(RFC_UNSIGNED, URL)
    assert not found.stale(BEFORE)
    assert found.stale(AFTER)
    assert found.stale(EXPIRES)  # the moment itself is "after which" → no longer valid
    assert not found.stale(datetime(2021, 6, 1))  # a naive now is read as UTC


def test_stale_compares_across_offsets():
    found = parse(minimal("Contact: mailto:a@example.com", expires="2030-01-01T00:00:00+05:00"),
                  URL)
    assert found.expires == datetime(2029, 12, 31, 19, tzinfo=UTC)
    now = datetime(2029, 12, 31, 20, tzinfo=timezone(timedelta(hours=1)))  # 19:00 UTC
    assert found.stale(now)
    assert not found.stale(now - timedelta(seconds=1))


def test_missing_expires_is_a_problem_and_stale():
    found = parse("Contact: mailto:a@example.com\n", URL)
    assert found.expires is None
    assert found.stale(BEFORE)
    assert not found.usable(BEFORE)
    assert any("no Expires" in p for p in found.problems)


def test_duplicate_expires_is_a_problem_keeps_the_earliest_and_is_not_usable():
    found = parse("Contact: mailto:a@example.com\nExpires: 2031-01-01T00:00:00Z\n"
                  "Expires: 2030-01-01T00:00:00Z\n", URL)
    assert found.expires == datetime(2030, 1, 1, tzinfo=UTC)
    assert any("appears 2 times" in p for p in found.problems)
    assert not found.usable(BEFORE)


def test_an_invalid_expires_beside_a_valid_one_still_counts_as_a_duplicate():
    found = parse("Contact: mailto:a@example.com\nExpires: soon\n"
                  "Expires: 2030-01-01T00:00:00Z\n", URL)
    assert found.expires == datetime(2030, 1, 1, tzinfo=UTC)
    assert not found.usable(BEFORE)


def test_invalid_expires_is_a_problem():
    found = parse(minimal("Contact: mailto:a@example.com", expires="2030-01-01"), URL)
    assert found.expires is None
    assert any("RFC 3339" in p for p in found.problems)
    assert not found.usable(BEFORE)


# --- other fields ---------------------------------------------------------------------------------

def test_web_uri_fields_must_be_https():
    found = parse(minimal("Contact: mailto:a@example.com",
                          "Policy: http://example.com/policy",
                          "Acknowledgments: http://example.com/thanks",
                          "Hiring: ftp://example.com/jobs",
                          "Canonical: http://example.com/.well-known/security.txt",
                          "CSAF: http://example.com/.well-known/csaf/provider-metadata.json",
                          "Encryption: http://example.com/key.asc",
                          "Policy: https://example.com/policy"), URL)
    assert found.policy == ("https://example.com/policy",)
    assert found.acknowledgments == found.hiring == found.canonical == found.csaf == ()
    assert found.encryption == ()
    assert sum("https://" in p for p in found.problems) == 6


def test_encryption_must_point_to_a_key():
    found = parse(minimal("Contact: mailto:a@example.com",
                          "Encryption: -----BEGIN PGP PUBLIC KEY BLOCK-----",
                          "Encryption: 5f2de5521c63a801ab59ccb603d49de44b29100f",
                          "Encryption: ldap://keys.example.com/x"), URL)
    assert found.encryption == ()
    assert sum("Encryption" in p for p in found.problems) == 3


def test_csaf_and_bug_bounty():
    found = parse(minimal("Contact: mailto:a@example.com",
                          "CSAF: https://example.com/.well-known/csaf/provider-metadata.json",
                          "CSAF: https://mirror.example.com/csaf/provider-metadata.json",
                          "Bug-Bounty: True"), URL)
    assert found.csaf == ("https://example.com/.well-known/csaf/provider-metadata.json",
                          "https://mirror.example.com/csaf/provider-metadata.json")
    assert found.bug_bounty is True
    assert parse(minimal("Bug-Bounty: false"), URL).bug_bounty is False
    assert parse(minimal(), URL).bug_bounty is None
    maybe = parse(minimal("Bug-Bounty: maybe"), URL)
    assert maybe.bug_bounty is None
    assert any("True or False" in p for p in maybe.problems)
    twice = parse(minimal("Bug-Bounty: True", "Bug-Bounty: False"), URL)
    assert twice.bug_bounty is True
    assert any("Bug-Bounty appears 2 times" in p for p in twice.problems)


def test_preferred_languages():
    assert parse(minimal("Preferred-Languages: en, es, fr"), URL).preferred_languages == (
        "en", "es", "fr")
    assert parse(minimal("Preferred-Languages: en,de-CH ,zh-Hant-TW"), URL) \
        .preferred_languages == ("en", "de-CH", "zh-Hant-TW")
    twice = parse(minimal("Preferred-Languages: en", "Preferred-Languages: de"), URL)
    assert twice.preferred_languages == ("en",)
    assert any("Preferred-Languages appears 2 times" in p for p in twice.problems)
    bad = parse(minimal("Preferred-Languages: english please, ,"), URL)
    assert bad.preferred_languages == ()
    assert any("not a language tag" in p for p in bad.problems)
    assert any("lists no language" in p for p in bad.problems)


# --- trust (§2.5.2, §3) ---------------------------------------------------------------------------

def test_canonical_not_listing_the_retrieval_url_is_untrusted():
    found = parse(RFC_SIGNED, "https://evil.example/.well-known/security.txt")
    reason = found.untrusted_reason()
    assert reason is not None and "evil.example" in reason and "Canonical" in reason
    assert not found.usable(BEFORE)


def test_canonical_matching_ignores_host_case_and_default_port():
    text = minimal("Contact: mailto:a@example.com",
                   "Canonical: https://www.example.com/.well-known/security.txt",
                   "Canonical: https://Example.COM:443/.well-known/security.txt")
    assert parse(text, "https://example.com/.well-known/security.txt").untrusted_reason() is None
    assert parse(text, "https://www.example.com:443/.well-known/security.txt") \
        .untrusted_reason() is None
    # The path is compared exactly: the legacy location is a different URL.
    assert parse(text, "https://example.com/security.txt").untrusted_reason() is not None


def test_no_canonical_is_trusted_as_far_as_canonical_goes():
    assert parse(RFC_UNSIGNED, "https://anything.example/.well-known/security.txt") \
        .untrusted_reason() is None


def test_retrieval_over_http_is_untrusted():
    found = parse(RFC_UNSIGNED, "http://example.com/.well-known/security.txt")
    assert "https" in found.untrusted_reason()
    assert not found.usable(BEFORE)
    assert parse(RFC_UNSIGNED, "").untrusted_reason() is not None


# --- the signed form (§2.3, §4) -------------------------------------------------------------------

def test_dash_escaped_lines_and_several_hash_headers():
    text = ("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\nHash: SHA512\n\n"
            "- # a dash-escaped comment\n- Contact: mailto:a@example.com\n"
            "Expires: 2030-01-01T00:00:00Z\n- - not a field\n"
            "-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCAAdFiEE\n=abcd\n"
            "-----END PGP SIGNATURE-----\n")
    found = parse(text, URL)
    assert found.signed is True
    assert found.contacts == ("mailto:a@example.com",)
    assert sum("neither a field" in p for p in found.problems) == 1  # "- not a field"


def test_lines_outside_the_signed_block_are_ignored():
    prepended = "Contact: mailto:before@attacker.example\n" + RFC_SIGNED
    appended = RFC_SIGNED + "Contact: mailto:after@attacker.example\n"
    for text in (prepended, appended):
        found = parse(text, URL)
        assert found.signed is True
        assert found.contacts == ("mailto:security@example.com",)
        assert any("outside the signed block" in p for p in found.problems)


def test_signed_header_without_signature_is_read_unsigned_with_a_problem():
    text = RFC_SIGNED.split("-----BEGIN PGP SIGNATURE-----")[0]
    found = parse(text, URL)
    assert found.signed is False
    assert found.contacts == ("mailto:security@example.com",)
    assert any("no signature block" in p for p in found.problems)


def test_signature_without_end_and_without_hash_header():
    text = RFC_SIGNED.replace("Hash: SHA256\n", "").replace("-----END PGP SIGNATURE-----\n", "")
    found = parse(text, URL)
    assert found.signed is True
    assert found.contacts == ("mailto:security@example.com",)
    assert any("no Hash header" in p for p in found.problems)
    assert any("not closed" in p for p in found.problems)


def test_signed_crlf_with_trailing_spaces_on_the_armor_lines():
    text = RFC_SIGNED.replace("-----\n", "-----  \n").replace("\n", "\r\n")
    found = parse(text, URL)
    assert found.signed is True
    assert found.problems == ()


# --- limits and hostile input (§5.4) --------------------------------------------------------------

def test_oversized_files_are_refused():
    big = RFC_UNSIGNED + "# " + "x" * (33 * 1024) + "\n"
    found = parse(big, URL)
    assert found.contacts == ()
    assert any("32 KB" in p for p in found.problems)
    many = RFC_UNSIGNED + "#\n" * 1000
    assert any("1000 lines" in p for p in parse(many, URL).problems)


def test_overlong_field_is_ignored():
    found = parse(minimal("Contact: https://example.com/" + "a" * 3000,
                          "Contact: mailto:a@example.com"), URL)
    assert found.contacts == ("mailto:a@example.com",)
    assert any("2048" in p for p in found.problems)


@pytest.mark.parametrize("text", [
    None, "", "\n", "\r", "\r\n\r\n", ":", "::::", "Contact:", "Contact: :", "Expires:",
    "-----BEGIN PGP SIGNED MESSAGE-----", "-----BEGIN PGP SIGNED MESSAGE-----\n\n",
    "-----BEGIN PGP SIGNED MESSAGE-----\nHash: x\n\n-----BEGIN PGP SIGNATURE-----",
    "-----END PGP SIGNATURE-----\n-----BEGIN PGP SIGNATURE-----", "\x00\x00\x00",
    "Contact: mailto:\udcff@example.com", "Contact: https://[::1/x", "Contact: https://x:99999/",
    "Expires: 9999-99-99T99:99:99Z", "Canonical: https://[bad/", b"\xff\xfe\x00C\x00o",
    "Contact: mailto:%", "Contact: tel:", "Encryption: dns:", "Preferred-Languages: ,,,,",
])
def test_odd_input_never_raises(text):
    found = parse(text, URL)
    assert isinstance(found, SecurityTxt)
    assert not found.usable(BEFORE)
    assert not any("could not be read" in p for p in found.problems), found.problems


def test_fuzz_never_raises():
    # Random mutations of the RFC's examples plus random bytes: the parser must never raise,
    # and must always return tuples of strings. Seeded, so a failure reproduces.
    generator = random.Random(9116)
    alphabet = ["\n", "\r", ":", "-", " ", "#", "@", "\x00", "\udcff", "é", "Z", "z", "/", "[",
                "-----BEGIN PGP SIGNATURE-----\n", "- ", "Contact: ", "Expires: "]
    for _ in range(400):
        text = generator.choice([RFC_UNSIGNED, RFC_SIGNED])
        chars = list(text)
        for _ in range(generator.randint(1, 30)):
            position = generator.randrange(len(chars) + 1)
            if generator.random() < 0.5 and chars:
                chars[min(position, len(chars) - 1)] = generator.choice(alphabet)
            else:
                chars.insert(position, generator.choice(alphabet))
        mutated = "".join(chars)
        raw = bytes(generator.randrange(256) for _ in range(generator.randint(0, 200)))
        for value in (mutated, raw, mutated.encode("utf-8", "surrogatepass")):
            found = parse(value, generator.choice([URL, "http://x", "", "https://[::1"]))
            assert isinstance(found, SecurityTxt)
            assert all(isinstance(c, str) for c in found.contacts)
            assert all(isinstance(p, str) for p in found.problems)
            # The catch-all in parse() is a last resort; the parser itself must cope.
            assert not any("could not be read" in p for p in found.problems), found.problems
            found.usable(BEFORE)
            found.untrusted_reason()
            found.offsite_contacts()
