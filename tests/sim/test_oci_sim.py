"""The OCI registry simulator over real HTTP: anonymous tokens, manifests, configs, errors."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from responder.sim.oci import (
    DOCKER_LIST,
    DOCKER_MANIFEST,
    OCI_INDEX,
    OCI_MANIFEST,
    OciSimulator,
)

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
ALL_TYPES = ", ".join((OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST))
LABELS = {
    "org.opencontainers.image.source": "https://github.com/acme/mcp",
    "org.opencontainers.image.authors": "Acme <sec@acme.example>",
    "io.modelcontextprotocol.server.name": "io.github.acme/mcp",
}
OLD_LABELS = {"org.opencontainers.image.source": "https://github.com/acme-old/mcp"}
WEATHER_LABELS = {"org.opencontainers.image.source": "https://github.com/acme/weather"}
ANNOTATIONS = {"org.opencontainers.image.revision": "0123abcd",
               "org.opencontainers.image.source": "https://github.com/acme/mcp"}


def make_seed() -> dict[str, Any]:
    return {
        "registries": {
            "ghcr.io": {"realm": "https://ghcr.io/token", "service": "ghcr.io"},
            "registry-1.docker.io": {"realm": "https://auth.docker.io/token",
                                     "service": "registry.docker.io"},
        },
        "images": [
            {"registry": "ghcr.io", "repository": "acme/mcp", "tags": ["1.2", "latest"],
             "platforms": ["linux/amd64", "linux/arm64"], "labels": LABELS,
             "annotations": ANNOTATIONS},
            # The same repository, an older tag with other labels (a known-good version).
            {"registry": "ghcr.io", "repository": "acme/mcp", "tags": ["1.1"],
             "labels": OLD_LABELS, "created": "-90d"},
            {"registry": "docker.io", "repository": "acme/weather", "tags": ["2.0"],
             "format": "docker", "platforms": ["linux/amd64", "linux/arm64/v8"],
             "labels": WEATHER_LABELS},
            {"registry": "docker.io", "repository": "mcp/fetch", "tags": ["latest"]},
            {"registry": "ghcr.io", "repository": "acme/tools/deep/server", "tags": ["v1"],
             "labels": {"org.opencontainers.image.source": "https://github.com/acme/tools"}},
            {"registry": "ghcr.io", "repository": "acme/secret", "private": True},
            {"registry": "registry-1.docker.io", "repository": "acme/secret", "private": True},
        ],
    }


@pytest.fixture
def sim() -> Any:
    with OciSimulator.from_seed(make_seed(), now=NOW) as running:
        yield running
    assert running.errors == []


@pytest.fixture
def client(sim: OciSimulator) -> Any:
    with httpx.Client(base_url=sim.base_url, timeout=5) as http:
        yield http


def get(client: httpx.Client, host: str, path: str, method: str = "GET",
        **headers: str) -> httpx.Response:
    """A request as a client with a host map sends it: to the simulator, with the real Host."""
    sent = {"Host": host, **{k.replace("_", "-"): v for k, v in headers.items()}}
    return client.request(method, path, headers=sent)


def challenge(response: httpx.Response) -> dict[str, str]:
    header = response.headers["www-authenticate"]
    assert header.startswith("Bearer ")
    return dict(re.findall(r'(\w+)="([^"]*)"', header))


def anonymous_token(client: httpx.Client, response: httpx.Response) -> dict[str, Any]:
    """Follow a 401's challenge to its realm, as docker and crane do."""
    params = challenge(response)
    realm = urlsplit(params["realm"])
    reply = client.get(realm.path, params={"service": params["service"],
                                           "scope": params["scope"]},
                       headers={"Host": realm.hostname or ""})
    assert reply.status_code == 200, reply.text
    return reply.json()


def pull_token(client: httpx.Client, host: str, repo: str) -> str:
    first = get(client, host, f"/v2/{repo}/manifests/latest", accept=ALL_TYPES)
    assert first.status_code == 401
    return anonymous_token(client, first)["token"]


def verified(response: httpx.Response) -> bytes:
    assert response.status_code == 200, response.text
    digest = "sha256:" + hashlib.sha256(response.content).hexdigest()
    assert response.headers["docker-content-digest"] == digest
    return response.content


# --- the anonymous flow, end to end ------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "realm", "service", "repo", "tag", "index_type", "manifest_type", "labels",
     "platforms"),
    [
        ("ghcr.io", "https://ghcr.io/token", "ghcr.io", "acme/mcp", "1.2", OCI_INDEX,
         OCI_MANIFEST, LABELS, [("linux", "amd64"), ("linux", "arm64")]),
        ("registry-1.docker.io", "https://auth.docker.io/token", "registry.docker.io",
         "acme/weather", "2.0", DOCKER_LIST, DOCKER_MANIFEST, WEATHER_LABELS,
         [("linux", "amd64"), ("linux", "arm64")]),
    ],
    ids=["ghcr", "docker-hub"],
)
def test_anonymous_pull_reads_labels_from_every_platform_config(
    sim, client, host, realm, service, repo, tag, index_type, manifest_type, labels, platforms
) -> None:
    first = get(client, host, f"/v2/{repo}/manifests/{tag}", accept=ALL_TYPES)
    assert first.status_code == 401
    assert challenge(first) == {"realm": realm, "service": service,
                                "scope": f"repository:{repo}:pull"}
    assert first.json()["errors"][0]["code"] == "UNAUTHORIZED"
    assert first.headers["docker-distribution-api-version"] == "registry/2.0"

    token = anonymous_token(client, first)
    if host == "ghcr.io":
        assert set(token) == {"token"}
    else:
        assert token["access_token"] == token["token"]
        assert token["expires_in"] == 300 and token["issued_at"] == "2026-05-01T12:00:00Z"

    bearer = f"Bearer {token['token']}"
    index_reply = get(client, host, f"/v2/{repo}/manifests/{tag}", accept=ALL_TYPES,
                      authorization=bearer)
    index = json.loads(verified(index_reply))
    assert index_reply.headers["content-type"] == index_type == index["mediaType"]
    assert [(m["platform"]["os"], m["platform"]["architecture"])
            for m in index["manifests"]] == platforms
    configs = []
    for entry in index["manifests"]:
        assert entry["mediaType"] == manifest_type
        child = get(client, host, f"/v2/{repo}/manifests/{entry['digest']}", accept=ALL_TYPES,
                    authorization=bearer)
        raw = verified(child)
        assert child.headers["docker-content-digest"] == entry["digest"]
        assert len(raw) == entry["size"]
        manifest = json.loads(raw)
        blob = get(client, host, f"/v2/{repo}/blobs/{manifest['config']['digest']}",
                   authorization=bearer)
        config = json.loads(verified(blob))
        assert len(blob.content) == manifest["config"]["size"]
        assert config["architecture"] == entry["platform"]["architecture"]
        configs.append(config)
    assert all(config["config"]["Labels"] == labels for config in configs)
    if index_type == OCI_INDEX:
        assert index["annotations"] == ANNOTATIONS
    else:  # Docker's formats carry no annotations
        assert "annotations" not in index
    assert all(r.headers.get("host") == host for r in sim.requests if r.path.startswith("/v2"))


def test_a_single_platform_tag_is_a_manifest_and_its_layer_digest_holds(client) -> None:
    bearer = f"Bearer {pull_token(client, 'registry-1.docker.io', 'mcp/fetch')}"
    reply = get(client, "registry-1.docker.io", "/v2/mcp/fetch/manifests/latest",
                accept=ALL_TYPES, authorization=bearer)
    manifest = json.loads(verified(reply))
    assert reply.headers["content-type"] == OCI_MANIFEST == manifest["mediaType"]
    layer = manifest["layers"][0]
    verified(get(client, "registry-1.docker.io", f"/v2/mcp/fetch/blobs/{layer['digest']}",
                 authorization=bearer))
    config = json.loads(verified(get(client, "registry-1.docker.io",
                                     f"/v2/mcp/fetch/blobs/{manifest['config']['digest']}",
                                     authorization=bearer)))
    assert config["config"]["Labels"] is None  # no LABEL in the image: Docker writes null


def test_fetch_by_digest_returns_the_same_bytes_as_the_tag(client) -> None:
    bearer = f"Bearer {pull_token(client, 'ghcr.io', 'acme/mcp')}"
    by_tag = get(client, "ghcr.io", "/v2/acme/mcp/manifests/latest", accept=ALL_TYPES,
                 authorization=bearer)
    digest = by_tag.headers["docker-content-digest"]
    by_digest = get(client, "ghcr.io", f"/v2/acme/mcp/manifests/{digest}", accept=OCI_MANIFEST,
                    authorization=bearer)
    assert verified(by_digest) == by_tag.content  # a pinned digest is never renegotiated
    assert by_digest.headers["etag"] == f'"{digest}"'
    same = get(client, "ghcr.io", "/v2/acme/mcp/manifests/1.2", accept=ALL_TYPES,
               authorization=bearer)
    assert same.headers["docker-content-digest"] == digest


def test_head_answers_headers_only(client) -> None:
    bearer = f"Bearer {pull_token(client, 'ghcr.io', 'acme/mcp')}"
    full = get(client, "ghcr.io", "/v2/acme/mcp/manifests/latest", accept=ALL_TYPES,
               authorization=bearer)
    head = get(client, "ghcr.io", "/v2/acme/mcp/manifests/latest", method="HEAD",
               accept=ALL_TYPES, authorization=bearer)
    assert head.status_code == 200 and head.content == b""
    for key in ("docker-content-digest", "content-type", "content-length"):
        assert head.headers[key] == full.headers[key]
    anonymous = get(client, "ghcr.io", "/v2/acme/mcp/manifests/latest", method="HEAD")
    assert anonymous.status_code == 401 and "www-authenticate" in anonymous.headers
    missing = get(client, "ghcr.io", "/v2/acme/mcp/manifests/9.9", method="HEAD",
                  authorization=bearer)
    assert missing.status_code == 404


def test_accept_negotiates_the_tag(client) -> None:
    bearer = f"Bearer {pull_token(client, 'ghcr.io', 'acme/mcp')}"
    index = json.loads(get(client, "ghcr.io", "/v2/acme/mcp/manifests/latest",
                           authorization=bearer).content)
    assert index["mediaType"] == OCI_INDEX  # no Accept: as stored
    amd64 = next(m["digest"] for m in index["manifests"]
                 if m["platform"]["architecture"] == "amd64")
    # A client that cannot read an index gets the linux/amd64 manifest.
    narrow = get(client, "ghcr.io", "/v2/acme/mcp/manifests/latest", accept=OCI_MANIFEST,
                 authorization=bearer)
    assert narrow.headers["content-type"] == OCI_MANIFEST
    assert narrow.headers["docker-content-digest"] == amd64
    # Docker types only, for an OCI image: nothing fits.
    docker_only = get(client, "ghcr.io", "/v2/acme/mcp/manifests/latest",
                      accept=f"{DOCKER_LIST}, {DOCKER_MANIFEST}", authorization=bearer)
    assert docker_only.status_code == 404
    error = docker_only.json()["errors"][0]
    assert error["code"] == "MANIFEST_UNKNOWN" and "OCI index" in error["message"]
    quality = get(client, "ghcr.io", "/v2/acme/mcp/manifests/latest",
                  accept=f"{OCI_INDEX};q=0.9, {OCI_MANIFEST}", authorization=bearer)
    assert quality.headers["content-type"] == OCI_INDEX


def test_an_older_tag_of_the_same_repository_keeps_its_own_labels(client) -> None:
    bearer = f"Bearer {pull_token(client, 'ghcr.io', 'acme/mcp')}"
    old = json.loads(verified(get(client, "ghcr.io", "/v2/acme/mcp/manifests/1.1",
                                  accept=ALL_TYPES, authorization=bearer)))
    assert old["mediaType"] == OCI_MANIFEST and "annotations" not in old
    config = json.loads(get(client, "ghcr.io", f"/v2/acme/mcp/blobs/{old['config']['digest']}",
                            authorization=bearer).content)
    assert config["config"]["Labels"] == OLD_LABELS
    assert config["created"] == "2026-01-31T12:00:00Z"
    tags = get(client, "ghcr.io", "/v2/acme/mcp/tags/list", authorization=bearer)
    assert tags.json() == {"name": "acme/mcp", "tags": ["1.1", "1.2", "latest"]}


def test_multi_component_names_route(client) -> None:
    repo = "acme/tools/deep/server"
    first = get(client, "ghcr.io", f"/v2/{repo}/manifests/v1", accept=ALL_TYPES)
    assert challenge(first)["scope"] == f"repository:{repo}:pull"
    bearer = f"Bearer {anonymous_token(client, first)['token']}"
    manifest = json.loads(verified(get(client, "ghcr.io", f"/v2/{repo}/manifests/v1",
                                       accept=ALL_TYPES, authorization=bearer)))
    config = json.loads(verified(get(client, "ghcr.io",
                                     f"/v2/{repo}/blobs/{manifest['config']['digest']}",
                                     authorization=bearer)))
    assert config["config"]["Labels"]["org.opencontainers.image.source"].endswith("/acme/tools")


# --- errors ------------------------------------------------------------------------------------


def test_unknown_repository_tag_digest_and_blob_are_404(client) -> None:
    token = pull_token(client, "ghcr.io", "acme/nothing")  # anonymous tokens for unknown names
    bearer = f"Bearer {token}"
    unknown_repo = get(client, "ghcr.io", "/v2/acme/nothing/manifests/latest",
                       authorization=bearer)
    assert unknown_repo.status_code == 404
    assert unknown_repo.json()["errors"][0]["code"] == "NAME_UNKNOWN"
    bearer = f"Bearer {pull_token(client, 'ghcr.io', 'acme/mcp')}"
    for path, code in [
        ("/v2/acme/mcp/manifests/0.0.1", "MANIFEST_UNKNOWN"),
        (f"/v2/acme/mcp/manifests/sha256:{'0' * 64}", "MANIFEST_UNKNOWN"),
        (f"/v2/acme/mcp/blobs/sha256:{'0' * 64}", "BLOB_UNKNOWN"),
    ]:
        reply = get(client, "ghcr.io", path, accept=ALL_TYPES, authorization=bearer)
        assert reply.status_code == 404, path
        assert reply.json()["errors"][0]["code"] == code


def test_a_private_ghcr_image_refuses_the_anonymous_token(client) -> None:
    first = get(client, "ghcr.io", "/v2/acme/secret/manifests/latest", accept=ALL_TYPES)
    params = challenge(first)
    reply = client.get("/token", params={"service": params["service"], "scope": params["scope"]},
                       headers={"Host": "ghcr.io"})
    assert reply.status_code == 401
    assert reply.json()["errors"][0]["code"] == "UNAUTHORIZED"


def test_a_private_docker_hub_image_answers_insufficient_scope(client) -> None:
    first = get(client, "registry-1.docker.io", "/v2/acme/secret/manifests/latest")
    token = anonymous_token(client, first)["token"]  # issued, but without access
    retry = get(client, "registry-1.docker.io", "/v2/acme/secret/manifests/latest",
                authorization=f"Bearer {token}")
    assert retry.status_code == 401
    assert 'error="insufficient_scope"' in retry.headers["www-authenticate"]
    error = retry.json()["errors"][0]
    assert error["code"] == "UNAUTHORIZED"
    assert error["detail"] == [{"Type": "repository", "Class": "", "Name": "acme/secret",
                                "Action": "pull"}]


def test_tokens_are_checked_for_repository_service_and_lifetime(sim, client) -> None:
    ghcr = pull_token(client, "ghcr.io", "acme/mcp")
    other_repo = get(client, "ghcr.io", "/v2/acme/tools/deep/server/manifests/v1",
                     authorization=f"Bearer {ghcr}")
    assert other_repo.status_code == 401
    assert 'error="insufficient_scope"' in other_repo.headers["www-authenticate"]
    other_service = get(client, "registry-1.docker.io", "/v2/mcp/fetch/manifests/latest",
                        authorization=f"Bearer {ghcr}")
    assert 'error="invalid_token"' in other_service.headers["www-authenticate"]
    made_up = get(client, "ghcr.io", "/v2/acme/mcp/manifests/latest",
                  authorization="Bearer not-a-token")
    assert made_up.status_code == 401
    assert get(client, "ghcr.io", "/v2/acme/mcp/manifests/latest",
               authorization=f"Bearer {ghcr}").status_code == 200
    sim.advance(timedelta(seconds=301))
    expired = get(client, "ghcr.io", "/v2/acme/mcp/manifests/latest",
                  authorization=f"Bearer {ghcr}")
    assert expired.status_code == 401
    assert 'error="invalid_token"' in expired.headers["www-authenticate"]


def test_version_check_and_unknown_hosts(client) -> None:
    base = get(client, "registry-1.docker.io", "/v2/")
    assert base.status_code == 401
    assert challenge(base) == {"realm": "https://auth.docker.io/token",
                               "service": "registry.docker.io"}
    token = pull_token(client, "registry-1.docker.io", "mcp/fetch")
    assert get(client, "registry-1.docker.io", "/v2/",
               authorization=f"Bearer {token}").json() == {}
    # The registry API is not served on the auth host, nor the token on the registry host.
    assert get(client, "auth.docker.io", "/v2/mcp/fetch/manifests/latest").status_code == 404
    assert get(client, "registry-1.docker.io", "/token").status_code == 404
    assert get(client, "quay.io", "/v2/").status_code == 404
    wrong = client.get("/token", params={"service": "ghcr.io"},
                       headers={"Host": "auth.docker.io"})
    assert wrong.status_code == 400


def test_hosts_lists_every_registry_and_realm_host(sim) -> None:
    assert sim.hosts == ("auth.docker.io", "ghcr.io", "registry-1.docker.io")
    custom = OciSimulator.from_seed({
        "registries": {"registry.acme.example:5000": {
            "realm": "https://login.acme.example/oauth2/token"}},
        "images": [{"registry": "registry.acme.example:5000", "repository": "mcp"}],
    }, now=NOW)
    assert {"registry.acme.example:5000", "login.acme.example"} <= set(custom.hosts)
    with custom, httpx.Client(base_url=custom.base_url, timeout=5) as http:
        first = get(http, "registry.acme.example:5000", "/v2/mcp/manifests/latest")
        assert challenge(first) == {"realm": "https://login.acme.example/oauth2/token",
                                    "service": "registry.acme.example:5000",
                                    "scope": "repository:mcp:pull"}
        token = anonymous_token(http, first)["token"]
        verified(get(http, "registry.acme.example:5000", "/v2/mcp/manifests/latest",
                     authorization=f"Bearer {token}"))
    assert custom.errors == []


def test_faults_apply_and_requests_are_recorded(sim, client) -> None:
    bearer = f"Bearer {pull_token(client, 'ghcr.io', 'acme/mcp')}"
    sim.faults.add(method="GET", path="/v2/acme/mcp/manifests/*", status=503, times=1)
    failed = get(client, "ghcr.io", "/v2/acme/mcp/manifests/latest", authorization=bearer)
    assert failed.status_code == 503
    assert failed.json()["errors"][0]["code"] == "UNKNOWN"
    sim.faults.add(path="/token", status=429, retry_after=7)
    limited = client.get("/token", headers={"Host": "ghcr.io"})
    assert limited.status_code == 429 and limited.headers["retry-after"] == "7"
    assert limited.json()["errors"][0]["code"] == "TOOMANYREQUESTS"
    assert get(client, "ghcr.io", "/v2/acme/mcp/manifests/latest",
               authorization=bearer).status_code == 200
    statuses = [(r.path, r.status) for r in sim.requests]
    assert statuses[-3:] == [("/v2/acme/mcp/manifests/latest", 503), ("/token", 429),
                             ("/v2/acme/mcp/manifests/latest", 200)]


@pytest.mark.parametrize(("image", "message"), [
    ({"registry": "ghcr.io", "repository": "Acme/MCP"}, "not a valid name"),
    ({"registry": "quay.io", "repository": "acme/mcp"}, "not seeded"),
    ({"registry": "ghcr.io", "repository": "acme/mcp", "platforms": ["amd64"]}, "platform"),
    ({"registry": "ghcr.io", "repository": "acme/mcp", "format": "v1"}, "format"),
])
def test_bad_image_seeds_are_refused(image, message) -> None:
    with pytest.raises(ValueError, match=message):
        OciSimulator.from_seed({"images": [image]}, now=NOW)


def test_a_tag_seeded_twice_is_refused() -> None:
    images = [{"registry": "ghcr.io", "repository": "acme/mcp", "tags": ["1.0"]},
              {"registry": "ghcr.io", "repository": "acme/mcp", "tags": ["1.0"],
               "labels": {"a": "b"}}]
    with pytest.raises(ValueError, match="seeded twice"):
        OciSimulator.from_seed({"images": images}, now=NOW)
