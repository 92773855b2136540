"""CredentialStore merges one secret seen in several places; descriptions never hold values."""

from __future__ import annotations

import json
import threading

from responder.core import jsonsafe
from responder.core.secrets import Secret
from responder.credentials.model import Credential, CredentialStore, Origin

VALUE = "ghp_" + "M" * 36  # fake
OTHER = "ghp_" + "N" * 36  # fake
KIND = "personal access token (classic)"


def credential(value: str, config: str, field: str = "env.GITHUB_PERSONAL_ACCESS_TOKEN",
               literal: bool = False, variable: str | None = "GITHUB_PAT") -> Credential:
    return Credential(Secret(value), "github", KIND,
                      (Origin(config, "github", field, literal, variable),))


def test_same_secret_from_two_files_is_one_credential_with_both_origins():
    store = CredentialStore()
    first = store.add(credential(VALUE, "/home/u/.kiro/settings/mcp.json"))
    merged = store.add(credential(VALUE, "/work/repo/.kiro/settings/mcp.json", literal=True,
                                  variable=None))
    assert len(store.all()) == 1
    assert merged.id == first.id == Secret(VALUE).fingerprint
    assert [o.config for o in merged.origins] == [
        "/home/u/.kiro/settings/mcp.json", "/work/repo/.kiro/settings/mcp.json"]
    assert store.get(first.id) is merged
    assert merged.literal is True  # one literal origin makes the credential a literal finding
    assert merged.provider == "github"
    assert merged.kind == KIND


def test_the_same_origin_added_twice_is_kept_once():
    store = CredentialStore()
    store.add(credential(VALUE, "/a/mcp.json"))
    merged = store.add(credential(VALUE, "/a/mcp.json"))
    assert len(merged.origins) == 1


def test_different_secrets_stay_separate():
    store = CredentialStore()
    store.add(credential(VALUE, "/a/mcp.json"))
    store.add(credential(OTHER, "/a/mcp.json"))
    assert {c.secret.reveal() for c in store.all()} == {VALUE, OTHER}


def test_credential_literal_is_false_when_every_origin_is_a_reference():
    assert credential(VALUE, "/a").literal is False


def test_describe_holds_no_value():
    store = CredentialStore()
    store.add(credential(VALUE, "/a/mcp.json"))
    merged = store.add(credential(VALUE, "/b/mcp.json", literal=True, variable=None))
    description = merged.describe()
    text = json.dumps(description)  # plain json: describe() must already be JSON-safe
    assert VALUE not in text
    assert VALUE[4:] not in text
    assert description["redacted"] == "ghp_…MMMM"
    assert description["id"] == Secret(VALUE).fingerprint
    assert description["provider"] == "github"
    assert description["kind"] == KIND
    assert description["literal"] is True
    assert [o["config"] for o in description["origins"]] == ["/a/mcp.json", "/b/mcp.json"]
    assert description["origins"][0]["variable"] == "GITHUB_PAT"


def test_credential_through_jsonsafe_holds_no_value():
    text = jsonsafe.dumps({"credential": credential(VALUE, "/a/mcp.json")})
    assert VALUE not in text
    assert "ghp_…MMMM" in text


def test_concurrent_adds_merge_every_origin():
    store = CredentialStore()
    configs = [f"/ws{i}/mcp.json" for i in range(40)]
    threads = [threading.Thread(target=store.add, args=(credential(VALUE, c),)) for c in configs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (merged,) = store.all()
    assert sorted(o.config for o in merged.origins) == sorted(configs)
