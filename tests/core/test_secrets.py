"""Secret, redact and the SecretRegistry scrubber: no path may show a secret's value."""

from __future__ import annotations

import base64
import copy
import hashlib
import pickle
import threading

import pytest

from responder.core import jsonsafe
from responder.core.secrets import Secret, SecretRegistry, fingerprint, redact

# Fake values only, built programmatically: nothing here resembles a live credential.
GHP = "ghp_" + "A" * 32 + "9f2a"
FINE_GRAINED = "github_pat_" + "B" * 78 + "wxyz"
SLACK = "xoxb-" + "1" * 12 + "-" + "2" * 12 + "-" + "C" * 20 + "q7r8"
ANTHROPIC = "sk-ant-api03-" + "D" * 91 + "zzAA"
UNKNOWN = "plainsecretvalue" + "E" * 10 + "k3l4"


# ---------------------------------------------------------------------------------------------
# redact


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (GHP, "ghp_…9f2a"),
        (FINE_GRAINED, "github_pat_…wxyz"),
        (SLACK, "xoxb-…q7r8"),
        (ANTHROPIC, "sk-ant-api03-…zzAA"),
        (UNKNOWN, "…k3l4"),
    ],
)
def test_redact_keeps_only_the_prefix_and_the_last_four(value, expected):
    shown = redact(value)
    assert shown == expected
    # Nothing of the middle survives.
    assert value[len(expected) - 5 : -4] not in shown


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ghp_" + "x" * 11, "ghp_…"),  # 11 characters after the prefix: too short to show any
        ("xoxb-abc", "xoxb-…"),
        ("short", "…"),
        ("a" * 11, "…"),
    ],
)
def test_redact_short_values_show_only_prefix_and_ellipsis(value, expected):
    assert redact(value) == expected


def test_redact_shows_last_four_from_twelve_characters_after_the_prefix():
    assert redact("ghp_" + "x" * 8 + "1234") == "ghp_…1234"
    assert redact("y" * 8 + "5678") == "…5678"


def test_anthropic_prefix_is_not_cut_at_the_shorter_sk_prefix():
    assert redact(ANTHROPIC).startswith("sk-ant-api03-…")


# ---------------------------------------------------------------------------------------------
# Secret


def test_secret_str_repr_and_format_are_redacted():
    secret = Secret(GHP)
    assert str(secret) == "ghp_…9f2a"
    assert repr(secret) == "Secret(ghp_…9f2a)"
    assert f"{secret}" == "ghp_…9f2a"
    assert f"{secret!r}" == "Secret(ghp_…9f2a)"
    assert f"{secret:>12}" == "   ghp_…9f2a"
    assert format(secret, "") == "ghp_…9f2a"
    assert "%s" % secret == "ghp_…9f2a"  # noqa: UP031 - the %-operator is a separate path
    assert "{}".format(secret) == "ghp_…9f2a"  # noqa: UP032
    for text in (str(secret), repr(secret), f"{secret}", f"{secret!r}", f"{secret:>40}"):
        assert GHP not in text


def test_secret_reveal_returns_the_value():
    assert Secret(GHP).reveal() == GHP
    assert Secret(GHP).redacted == redact(GHP)


def test_secret_in_containers_is_redacted():
    secret = Secret(GHP)
    assert GHP not in str([secret])
    assert GHP not in repr({"token": secret})
    assert GHP not in str((secret,))


def test_secret_json_via_jsonsafe_is_redacted():
    secret = Secret(GHP)
    text = jsonsafe.dumps({"token": secret, "nested": [secret, {"again": secret}]})
    assert GHP not in text
    assert jsonsafe.to_plain({"token": secret}) == {"token": "ghp_…9f2a"}


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_secret_refuses_to_be_pickled(protocol):
    with pytest.raises(TypeError, match="cannot be pickled") as info:
        pickle.dumps(Secret(GHP), protocol=protocol)
    assert GHP not in str(info.value)


def test_secret_refuses_deepcopy_through_pickle_protocol():
    with pytest.raises(TypeError):
        copy.deepcopy(Secret(GHP))


def test_exception_message_built_from_a_secret_is_redacted():
    secret = Secret(GHP)
    with pytest.raises(RuntimeError) as info:
        raise RuntimeError(f"provider rejected {secret}")
    assert GHP not in str(info.value)
    assert "ghp_…9f2a" in str(info.value)
    with pytest.raises(RuntimeError) as info:
        raise RuntimeError("tokens", secret)  # exception args are repr'd
    assert GHP not in str(info.value)
    assert GHP not in repr(info.value)


@pytest.mark.parametrize("bad", ["", None, 123, b"bytes"])
def test_secret_requires_a_non_empty_string(bad):
    with pytest.raises(ValueError):
        Secret(bad)


def test_secret_equality_and_hash_follow_the_value():
    a, b, c = Secret(GHP), Secret(GHP), Secret(FINE_GRAINED)
    assert a == b
    assert hash(a) == hash(b)
    assert a != c
    assert len({a, b, c}) == 2
    assert {a: 1}[b] == 1
    # A Secret is not equal to its bare string: comparing would invite unwrapping.
    assert a != GHP


def test_secret_is_immutable():
    secret = Secret(GHP)
    with pytest.raises(AttributeError):
        secret._value = "replaced-value"
    with pytest.raises(AttributeError):
        secret.other = "x"
    assert secret.reveal() == GHP
    assert not hasattr(secret, "__dict__")


def test_secret_value_cannot_be_deleted():
    secret = Secret(GHP)
    with pytest.raises(AttributeError):
        del secret._value
    assert secret.reveal() == GHP


def test_hashed_token_is_base64_of_sha256():
    expected = base64.b64encode(hashlib.sha256(GHP.encode()).digest()).decode()
    assert Secret(GHP).hashed_token == expected
    assert GHP not in Secret(GHP).hashed_token


def test_fingerprint_is_stable_distinct_and_does_not_contain_the_value():
    first = Secret(GHP).fingerprint
    assert first == Secret(GHP).fingerprint == fingerprint(GHP)
    assert first.startswith("sha256:")
    assert first == "sha256:" + hashlib.sha256(GHP.encode()).hexdigest()[:16]
    assert first != Secret(FINE_GRAINED).fingerprint
    assert GHP not in first
    assert GHP[4:12] not in first


# ---------------------------------------------------------------------------------------------
# SecretRegistry


def test_scrub_replaces_every_registered_value_everywhere():
    registry = SecretRegistry()
    registry.add(Secret(GHP))
    registry.add(FINE_GRAINED)  # plain strings are accepted too
    text = f"a={GHP} b={FINE_GRAINED} again {GHP}\n"
    scrubbed = registry.scrub(text)
    assert GHP not in scrubbed
    assert FINE_GRAINED not in scrubbed
    assert scrubbed == "a=ghp_…9f2a b=github_pat_…wxyz again ghp_…9f2a\n"
    assert len(registry) == 2


def test_scrub_without_secrets_or_text_is_identity():
    registry = SecretRegistry()
    assert registry.scrub("nothing here") == "nothing here"
    registry.add(GHP)
    assert registry.scrub("") == ""
    assert registry.scrub("unrelated text") == "unrelated text"


@pytest.mark.parametrize("short_first", [True, False])
def test_scrub_replaces_the_longest_value_first(short_first):
    inner = "innersecret" + "7" * 9  # registered on its own
    outer = "ghp_" + inner + "Q" * 12 + "end9"  # contains `inner`
    registry = SecretRegistry()
    for value in ([inner, outer] if short_first else [outer, inner]):
        registry.add(value)
    scrubbed = registry.scrub(f"outer {outer} inner {inner}")
    assert scrubbed == f"outer {redact(outer)} inner {redact(inner)}"
    assert "Q" * 12 not in scrubbed  # no fragment of the outer token is left behind


def test_scrub_ignores_values_shorter_than_six_characters():
    registry = SecretRegistry()
    registry.add("abcde")
    assert len(registry) == 0
    assert registry.scrub("abcde stays") == "abcde stays"
    registry.add("abcdef")
    assert len(registry) == 1
    assert registry.scrub("abcdef goes") == "… goes"


def test_adding_the_same_value_twice_registers_it_once():
    registry = SecretRegistry()
    registry.add(GHP)
    registry.add(Secret(GHP))
    assert len(registry) == 1


def test_scrub_handles_regex_metacharacters_in_values():
    value = "pa$$w.rd+(x)*[y]"
    registry = SecretRegistry()
    registry.add(value)
    assert registry.scrub(f"pw={value};") == f"pw={redact(value)};"
    assert registry.scrub("paXXwXrd") == "paXXwXrd"


def test_scrub_bytes_on_utf8():
    registry = SecretRegistry()
    registry.add(GHP)
    data = f"héllo {GHP} wörld".encode()
    scrubbed = registry.scrub_bytes(data)
    assert GHP.encode() not in scrubbed
    assert scrubbed.decode("utf-8") == "héllo ghp_…9f2a wörld"


def test_scrub_bytes_on_non_utf8():
    registry = SecretRegistry()
    registry.add(GHP)
    data = b"\xff\xfe binary " + GHP.encode() + b" \x80 tail"
    scrubbed = registry.scrub_bytes(data)
    assert GHP.encode() not in scrubbed
    assert scrubbed == b"\xff\xfe binary " + "ghp_…9f2a".encode() + b" \x80 tail"


def test_scrub_bytes_without_secrets_is_identity():
    assert SecretRegistry().scrub_bytes(b"\xff" + GHP.encode()) == b"\xff" + GHP.encode()


def test_scrub_bytes_non_utf8_replaces_the_longest_value_first():
    inner = "innersecret" + "7" * 9
    outer = "ghp_" + inner + "Q" * 12 + "end9"
    registry = SecretRegistry()
    registry.add(inner)
    registry.add(outer)
    scrubbed = registry.scrub_bytes(b"\xff " + outer.encode() + b" \xfe")
    assert b"Q" * 12 not in scrubbed
    assert scrubbed == b"\xff " + redact(outer).encode() + b" \xfe"


def test_registry_is_safe_to_use_from_many_threads():
    registry = SecretRegistry()
    values = [f"thread-secret-{i:03d}-" + "Z" * 16 for i in range(64)]
    barrier = threading.Barrier(16)
    leaks: list[str] = []
    errors: list[BaseException] = []

    def worker(chunk: list[str]) -> None:
        try:
            barrier.wait()
            for value in chunk:
                registry.add(value)
                for _ in range(20):
                    out = registry.scrub(f"log line with {value} in it")
                    if value in out:
                        leaks.append(value)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(values[i::16],)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert not leaks
    assert len(registry) == len(values)
    everything = " ".join(values)
    scrubbed = registry.scrub(everything)
    assert not any(value in scrubbed for value in values)
