"""npm, PyPI and OCI metadata readers against their simulators on 127.0.0.1: the facts read
(people, releases, publishers, repositories, labels), and every failure as a named gap — 404, 500
with retries, timeouts, non-JSON, an oversized body, redirects — never an exception."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from responder.engine.context import Timing
from responder.maintainers import npm_meta, oci_meta, pypi_meta
from responder.maintainers.identity import PackageIdentity
from responder.maintainers.web import WebReader
from responder.sim.npm import NpmSimulator
from responder.sim.oci import OciSimulator
from responder.sim.pypi import PyPISimulator
from responder.sim.web import WebSimulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
FAST = Timing(request_timeout=3.0, read_retries=2, max_retry_after=0.0)

ALICE = {"name": "alice", "email": "alice@acme.example"}
MALLORY = {"name": "mallory", "email": "mallory@evil.example"}

NPM_SEED = {
    "packages": {
        "@acme/mcp-weather": {
            "description": "weather over MCP",
            "repository": {"type": "git", "url": "git+https://github.com/acme/mcp-weather.git"},
            "homepage": "https://weather.acme.example",
            "bugs": {"url": "https://github.com/acme/mcp-weather/issues",
                     "email": "bugs@acme.example"},
            "author": {"name": "Alice Dev", "email": "alice@acme.example"},
            "maintainers": [ALICE, {"name": "bob", "email": "bob@acme.example"}],
            "mcpName": "io.github.acme/mcp-weather",
            "versions": [
                {"version": "1.0.0", "published": "-200d", "publisher": ALICE},
                {"version": "2.0.0", "published": "-30d", "publisher": ALICE},
                {"version": "2.1.0", "published": "-5h", "publisher": MALLORY,
                 "repository": "github:mallory/mcp-weather"},
            ],
        },
        "left-pad-mcp": {
            "repository": "acme/left-pad-mcp",
            "versions": [{"version": "0.1.0", "published": "-10d"}],
        },
    }
}


def saver():
    saved: list[tuple[str, str, str]] = []

    def save(name, request, payload):
        saved.append((name, request, payload))

    return saved, save


def hosts_of(*sims):
    return {host: sim.base_url for sim in sims for host in getattr(sim, "hosts", ())}


# --- npm ----------------------------------------------------------------------------------------


@pytest.fixture
def npm():
    with NpmSimulator.from_seed(NPM_SEED, now=NOW) as sim:
        yield sim
    assert sim.errors == []


@pytest.fixture
def web():
    reader = WebReader(FAST)
    yield reader
    reader.close()


def npm_id(name, version=None, registry=None):
    return PackageIdentity("npm", name, version, "npx", registry=registry)


def test_npm_full_packument_gives_people_releases_and_publishers(npm, web):
    saved, save = saver()
    facts = npm_meta.read(web, npm.api_url, npm_id("@acme/mcp-weather"), save)
    assert facts.found and facts.gaps == []
    assert facts.latest == "2.1.0"
    assert facts.mcp_name == "io.github.acme/mcp-weather"
    assert facts.homepage == "https://weather.acme.example"
    # oldest first, each with its time and publisher
    assert [r.version for r in facts.releases] == ["1.0.0", "2.0.0", "2.1.0"]
    assert facts.releases[-1].published == NOW - timedelta(hours=5)
    assert [r.publisher.name for r in facts.releases] == ["alice", "alice", "mallory"]
    assert facts.releases[-1].publisher.source == "versions[2.1.0]._npmUser"
    # each release's own repository, and the latest one's as the package's
    assert facts.releases[0].repository.slug == "acme/mcp-weather"
    assert facts.releases[-1].repository.slug == "mallory/mcp-weather"
    assert facts.releases[-1].repository_raw == "github:mallory/mcp-weather"
    assert facts.repository.slug == "mallory/mcp-weather"
    assert "latest" in facts.repository_source
    people = {(p.role, p.email) for p in facts.people}
    assert people == {("maintainer", "alice@acme.example"), ("maintainer", "bob@acme.example"),
                      ("author", "alice@acme.example"), ("bugs email", "bugs@acme.example")}
    # the packument is kept as evidence
    ((name, request, text),) = saved
    assert name == "npm-@acme/mcp-weather" and request.startswith("GET ")
    assert '"_npmUser"' in text


def test_npm_scoped_name_is_escaped_in_one_path_segment(npm, web):
    npm_meta.read(web, npm.api_url, npm_id("@acme/mcp-weather"), saver()[1])
    (request,) = npm.requests
    assert request.path.lower() == "/@acme%2fmcp-weather"
    assert npm_meta.escaped("@acme/mcp-weather").lower() == "@acme%2fmcp-weather"
    assert npm_meta.escaped("left-pad-mcp") == "left-pad-mcp"


def test_npm_asks_for_the_full_document_not_the_abbreviated_one(npm, web):
    npm_meta.read(web, npm.api_url, npm_id("left-pad-mcp"), saver()[1])
    (request,) = npm.requests
    assert "vnd.npm.install-v1" not in request.headers.get("accept", "")


def test_npm_shorthand_repository_string(npm, web):
    facts = npm_meta.read(web, npm.api_url, npm_id("left-pad-mcp"), saver()[1])
    assert facts.repository.url == "https://github.com/acme/left-pad-mcp"
    # no maintainers seeded: the sim's default publisher is still recorded per version
    assert facts.releases[0].publisher is not None


def test_npm_page_url_only_for_the_public_registry(npm, web):
    facts = npm_meta.read(web, npm.api_url, npm_id("left-pad-mcp"), saver()[1])
    assert facts.page_url is None
    assert facts.registry_url == f"{npm.api_url}/left-pad-mcp"


def test_npm_default_registry_goes_through_the_host_map(npm):
    reader = WebReader(FAST, {"registry.npmjs.org": npm.base_url})
    facts = npm_meta.read(reader, npm_meta.DEFAULT_REGISTRY, npm_id("left-pad-mcp"), saver()[1])
    reader.close()
    assert facts.found and facts.latest == "0.1.0"
    assert facts.page_url == "https://www.npmjs.com/package/left-pad-mcp"
    assert npm.requests[0].headers["host"] == "registry.npmjs.org"


def test_npm_custom_registry_from_the_launch_command_wins(npm, web):
    with NpmSimulator.from_seed({"packages": {}}, now=NOW) as public:
        facts = npm_meta.read(web, public.api_url,
                              npm_id("left-pad-mcp", registry=npm.api_url + "/"), saver()[1])
        assert public.requests == []
    assert facts.found and facts.registry_url == f"{npm.api_url}/left-pad-mcp"


def test_npm_404_means_not_found_with_a_gap(npm, web):
    saved, save = saver()
    facts = npm_meta.read(web, npm.api_url, npm_id("@acme/removed"), save)
    assert facts.found is False
    (gap,) = facts.gaps
    assert "404" in gap.why and "@acme/removed" in gap.what
    assert saved == []
    assert len(npm.requests) == 1


def test_npm_500_is_retried_then_read(npm, web):
    npm.faults.add(method="GET", path="/left-pad-mcp", status=500, times=2)
    facts = npm_meta.read(web, npm.api_url, npm_id("left-pad-mcp"), saver()[1])
    assert facts.found and facts.gaps == [] and facts.latest == "0.1.0"
    assert [r.status for r in npm.requests] == [500, 500, 200]


def test_npm_persistent_500_is_a_gap_not_a_missing_package(npm, web):
    npm.faults.add(method="GET", path="/left-pad-mcp", status=500, times=None)
    facts = npm_meta.read(web, npm.api_url, npm_id("left-pad-mcp"), saver()[1])
    assert facts.found is True  # a server error says nothing about the package
    (gap,) = facts.gaps
    assert "HTTP 500" in gap.why and facts.releases == []
    assert len(npm.requests) == 1 + FAST.read_retries


def test_npm_timeout_is_a_named_gap(npm):
    npm.faults.add(method="GET", path="/left-pad-mcp", delay=1.0, times=None)
    reader = WebReader(Timing(request_timeout=0.2, read_retries=0, max_retry_after=0.0))
    facts = npm_meta.read(reader, npm.api_url, npm_id("left-pad-mcp"), saver()[1])
    reader.close()
    (gap,) = facts.gaps
    assert "timed out" in gap.why


def test_npm_non_json_answer_is_a_gap(npm, web):
    npm.faults.add(method="GET", path="/left-pad-mcp", status=200, body="<html>maintenance</html>")
    saved, save = saver()
    facts = npm_meta.read(web, npm.api_url, npm_id("left-pad-mcp"), save)
    (gap,) = facts.gaps
    assert "not a JSON document" in gap.why
    assert saved == [] and facts.found


def test_npm_json_that_is_not_an_object_is_a_gap(npm, web):
    npm.faults.add(method="GET", path="/left-pad-mcp", status=200, body=["not", "a", "packument"])
    facts = npm_meta.read(web, npm.api_url, npm_id("left-pad-mcp"), saver()[1])
    assert len(facts.gaps) == 1 and facts.releases == []


def test_npm_body_over_the_cap_is_a_gap(npm):
    reader = WebReader(FAST, max_bytes=2000)  # the full packument is bigger than this
    facts = npm_meta.read(reader, npm.api_url, npm_id("@acme/mcp-weather"), saver()[1])
    reader.close()
    (gap,) = facts.gaps
    assert "larger than" in gap.why and facts.releases == []


def test_npm_odd_shapes_in_a_packument_never_raise(web):
    odd = {"sites": {"registry.odd.example": {"/odd-pkg": {"json": {
        "name": "odd-pkg", "dist-tags": "latest", "time": ["x"], "maintainers": "alice",
        "versions": {"1.0.0": "not an object", "1.1.0": {"_npmUser": "mallory"}},
        "author": "Alice <alice@acme.example>", "bugs": "https://example.invalid/bugs",
        "repository": 42}}}}}
    with WebSimulator.from_seed(odd) as sim:
        reader = WebReader(FAST, {"registry.odd.example": sim.base_url})
        facts = npm_meta.read(reader, "https://registry.odd.example", npm_id("odd-pkg"),
                              saver()[1])
        reader.close()
    assert facts.gaps == []
    assert sorted(r.version for r in facts.releases) == ["1.0.0", "1.1.0"]
    assert all(r.publisher is None and r.published is None for r in facts.releases)
    assert facts.latest is None and facts.repository is None
    # package.json's "Name <email>" form of `author` is read; the other odd fields are skipped
    assert [(p.name, p.email, p.role) for p in facts.people] == [
        ("Alice", "alice@acme.example", "author")]


def test_npm_redirect_from_a_custom_registry_is_recorded(npm):
    site = {"sites": {"npm.internal.example": {"/left-pad-mcp": {
        "status": 302, "location": f"{npm.base_url}/left-pad-mcp"}}}}
    with WebSimulator.from_seed(site) as mirror:
        reader = WebReader(FAST, {"npm.internal.example": mirror.base_url})
        facts = npm_meta.read(reader, npm_meta.DEFAULT_REGISTRY,
                              npm_id("left-pad-mcp", registry="https://npm.internal.example"),
                              saver()[1])
        reader.close()
    assert facts.found and facts.latest == "0.1.0"
    assert facts.redirects == [
        f"302 https://npm.internal.example/left-pad-mcp → {npm.base_url}/left-pad-mcp"]


# --- PyPI ---------------------------------------------------------------------------------------

PYPI_SEED = {
    "projects": {
        "acme-mcp": {
            "name": "Acme_MCP",
            "summary": "Acme's MCP server",
            "description": "An MCP server.\n\nmcp-name: io.github.acme/acme-mcp\n",
            "author": "Alice Dev",
            "author_email": '"Alice Dev" <alice@acme.example>, bob@acme.example',
            "maintainer_email": "Carol <carol@acme.example>",
            "home_page": "https://acme.example",
            "project_urls": {"Source Code": "https://github.com/acme/acme-mcp",
                             "Security Policy": "https://acme.example/security",
                             "Documentation": "https://docs.acme.example"},
            "ownership": {"roles": [{"role": "Maintainer", "user": "carol"},
                                    {"role": "Owner", "user": "alice"}],
                          "organization": "acme"},
            "versions": [
                {"version": "1.3.0", "published": "-90d"},
                {"version": "1.4.0", "published": "-20d", "yanked": True,
                 "yanked_reason": "broken"},
                {"version": "1.4.1", "published": "-3h",
                 "project_urls": {"Source": "https://github.com/mallory/acme-mcp",
                                  "Security": "https://evil.example/report"}},
            ],
        },
        "homepage-only": {
            "home_page": "https://github.com/acme/homepage-only",
            "versions": [{"version": "0.1", "published": "-5d"}],
        },
    }
}


@pytest.fixture
def pypi():
    with PyPISimulator.from_seed(PYPI_SEED, now=NOW) as sim:
        yield sim
    assert sim.errors == []


def py_id(name, version=None):
    return PackageIdentity("pypi", name, version, "uvx")


def test_pypi_project_document_people_urls_and_releases(pypi, web):
    saved, save = saver()
    facts = pypi_meta.read(web, pypi.api_url, py_id("Acme.MCP"), save)
    assert facts.found and facts.gaps == []
    # the name is normalised before asking, so no redirect is needed
    assert [r.path for r in pypi.requests] == ["/pypi/acme-mcp/json"]
    assert facts.latest == "1.4.1"
    assert facts.mcp_name == "io.github.acme/acme-mcp"
    # the latest release's metadata: its Source and Security URLs
    assert facts.repository.slug == "mallory/acme-mcp"
    assert facts.security_url == "https://evil.example/report"
    assert [r.version for r in facts.releases] == ["1.3.0", "1.4.0", "1.4.1"]
    assert [r.yanked for r in facts.releases] == [False, True, False]
    assert facts.releases[-1].published == NOW - timedelta(hours=3)
    people = [(p.role, p.name, p.email) for p in facts.people]
    assert ("author", "Alice Dev", "alice@acme.example") in people
    assert ("author", "Alice Dev", "bob@acme.example") in people  # named by `author`
    assert ("maintainer", "Carol", "carol@acme.example") in people
    # owners first, as PyPI lists them
    assert [(p.role, p.name) for p in facts.people if p.source == "PyPI `ownership.roles`"] \
        == [("owner", "alice"), ("maintainer", "carol")]
    assert saved[0][0] == "pypi-acme-mcp"


def test_pypi_labels_are_normalised_per_pep_753(pypi, web):
    assert pypi_meta.label("Security Policy") == "securitypolicy"
    assert pypi_meta.label("Source-Code") == "sourcecode"
    assert pypi_meta.project_url({"Security Policy": "https://a"}, ("security",
                                                                     "securitypolicy")) == \
        "https://a"
    assert pypi_meta.project_url({"Bug Tracker": "https://b"}, ("security",)) is None
    assert pypi_meta.project_url(None, ("security",)) is None


def test_pypi_each_release_declares_its_own_source(pypi, web):
    old = pypi_meta.read_release(web, pypi.api_url, "acme-mcp", "1.3.0", saver()[1])
    new = pypi_meta.read_release(web, pypi.api_url, "acme-mcp", "1.4.1", saver()[1])
    assert pypi_meta.source_of(old)[0].slug == "acme/acme-mcp"
    assert pypi_meta.source_of(new)[0].slug == "mallory/acme-mcp"
    assert pypi_meta.read_release(web, pypi.api_url, "acme-mcp", "9.9.9", saver()[1]) is None


def test_pypi_forge_home_page_is_the_repository_when_no_source_url(pypi, web):
    facts = pypi_meta.read(web, pypi.api_url, py_id("homepage-only"), saver()[1])
    assert facts.repository.slug == "acme/homepage-only"
    assert facts.security_url is None


def test_pypi_404_means_not_found(pypi, web):
    facts = pypi_meta.read(web, pypi.api_url, py_id("no-such-project"), saver()[1])
    assert facts.found is False and "404" in facts.gaps[0].why


def test_pypi_500_retried_then_read_and_persistent_500_is_a_gap(pypi, web):
    pypi.faults.add(method="GET", path="/pypi/acme-mcp/json", status=503, times=1)
    assert pypi_meta.read(web, pypi.api_url, py_id("acme-mcp"), saver()[1]).latest == "1.4.1"
    pypi.faults.add(method="GET", path="/pypi/acme-mcp/json", status=500, times=None)
    facts = pypi_meta.read(web, pypi.api_url, py_id("acme-mcp"), saver()[1])
    assert facts.found and "HTTP 500" in facts.gaps[0].why and facts.releases == []


def test_pypi_timeout_is_a_gap(pypi):
    pypi.faults.add(method="GET", path="/pypi/acme-mcp/json", delay=1.0, times=None)
    reader = WebReader(Timing(request_timeout=0.2, read_retries=0, max_retry_after=0.0))
    facts = pypi_meta.read(reader, pypi.api_url, py_id("acme-mcp"), saver()[1])
    reader.close()
    assert "timed out" in facts.gaps[0].why


def test_pypi_json_without_info_is_a_gap(pypi, web):
    pypi.faults.add(method="GET", path="/pypi/acme-mcp/json", status=200, body={"message": "hi"})
    facts = pypi_meta.read(web, pypi.api_url, py_id("acme-mcp"), saver()[1])
    assert "not the JSON API document" in facts.gaps[0].why


def test_pypi_huge_body_is_a_gap(pypi):
    reader = WebReader(FAST, max_bytes=500)
    facts = pypi_meta.read(reader, pypi.api_url, py_id("acme-mcp"), saver()[1])
    reader.close()
    assert "larger than" in facts.gaps[0].why


def test_pypi_mirror_redirect_is_recorded(pypi):
    site = {"sites": {"pypi.mirror.example": {"/pypi/acme-mcp/json": {
        "status": 301, "location": "https://pypi.org/pypi/acme-mcp/json"}}}}
    with WebSimulator.from_seed(site) as mirror:
        reader = WebReader(FAST, {"pypi.mirror.example": mirror.base_url,
                                  "pypi.org": pypi.base_url})
        facts = pypi_meta.read(reader, "https://pypi.mirror.example", py_id("acme-mcp"),
                               saver()[1])
        reader.close()
    assert facts.latest == "1.4.1"
    assert facts.redirects == ["301 https://pypi.mirror.example/pypi/acme-mcp/json → "
                               "https://pypi.org/pypi/acme-mcp/json"]
    assert facts.page_url is None  # not the public index's URL that was asked


def test_pypi_default_index_page_url(pypi):
    reader = WebReader(FAST, {"pypi.org": pypi.base_url})
    facts = pypi_meta.read(reader, pypi_meta.DEFAULT_INDEX, py_id("Acme_MCP"), saver()[1])
    reader.close()
    assert facts.page_url == "https://pypi.org/project/acme-mcp/"
    assert pypi.requests[0].headers["host"] == "pypi.org"


# --- OCI ----------------------------------------------------------------------------------------

SOURCE = "org.opencontainers.image.source"
OCI_SEED = {
    "images": [
        {"registry": "ghcr.io", "repository": "acme/mcp", "tags": ["1.2", "latest"],
         "platforms": ["linux/arm64", "linux/amd64"],
         "labels": {SOURCE: "https://github.com/acme/mcp",
                    "org.opencontainers.image.authors": "Alice <alice@acme.example>, "
                                                        "Ops Team <ops@acme.example>",
                    "org.opencontainers.image.url": "https://mcp.acme.example",
                    "io.modelcontextprotocol.server.name": "io.github.acme/mcp"},
         "annotations": {"org.opencontainers.image.vendor": "Acme"}},
        {"registry": "docker.io", "repository": "acme/legacy", "format": "docker",
         "labels": {SOURCE: "https://github.com/acme/legacy"}},
        {"registry": "docker.io", "repository": "acme/nolabels"},
        {"registry": "ghcr.io", "repository": "acme/secret", "private": True},
    ]
}


@pytest.fixture
def oci():
    with OciSimulator.from_seed(OCI_SEED, now=NOW) as sim:
        yield sim
    assert sim.errors == []


@pytest.fixture
def oci_web(oci):
    reader = WebReader(FAST, hosts_of(oci))
    yield reader
    reader.close()


def image(name, version=None):
    return PackageIdentity("oci", name, version, "docker")


def test_oci_ghcr_anonymous_token_flow_reads_the_labels(oci, oci_web):
    saved, save = saver()
    facts = oci_meta.read(oci_web, image("ghcr.io/acme/mcp", "1.2"), save)
    assert facts.gaps == [] and facts.found
    assert facts.repository.slug == "acme/mcp"
    assert facts.repository_source == f"image label {SOURCE}"
    assert facts.mcp_name == "io.github.acme/mcp"
    assert facts.homepage == "https://mcp.acme.example"
    assert facts.labels["org.opencontainers.image.vendor"] == "Acme"  # an annotation
    assert [(p.name, p.email) for p in facts.people] == [("Alice", "alice@acme.example"),
                                                         ("Ops Team", "ops@acme.example")]
    assert facts.page_url == "https://github.com/acme?tab=packages"
    assert facts.registry_url == "https://ghcr.io/v2/acme/mcp/manifests/1.2"
    # 401 → token from the realm (no credentials) → manifest again with the token
    first, token, *rest = oci.requests
    assert first.status == 401 and "authorization" not in first.headers
    assert token.path == "/token" and token.headers["host"] == "ghcr.io"
    assert "authorization" not in token.headers
    assert token.query["scope"] == ["repository:acme/mcp:pull"]
    assert all(r.headers.get("authorization", "").startswith("Bearer ") for r in rest)
    assert all(r.status == 200 for r in rest)
    assert {name for name, _, _ in saved} == {"oci-acme/mcp-manifest", "oci-acme/mcp-config"}


def test_oci_index_picks_linux_amd64(oci, oci_web):
    oci_meta.read(oci_web, image("ghcr.io/acme/mcp", "latest"), saver()[1])
    index = next(r for r in oci.requests if r.path.endswith("/manifests/latest")
                 and r.status == 200)
    assert index.response_json is None  # served raw; look the digests up in the store
    repo = oci.repos[("ghcr.io", "acme/mcp")]
    amd64 = repo.fallback[repo.tags["latest"]]
    fetched = [r.path.rsplit("/", 1)[1] for r in oci.requests if "/manifests/sha256:" in r.path]
    assert fetched == [amd64]


def test_oci_docker_hub_uses_registry_1_and_auth_docker_io(oci, oci_web):
    facts = oci_meta.read(oci_web, image("docker.io/acme/legacy"), saver()[1])
    assert facts.repository.slug == "acme/legacy"
    assert facts.page_url == "https://hub.docker.com/r/acme/legacy"
    assert facts.registry_url == "https://registry-1.docker.io/v2/acme/legacy/manifests/latest"
    hosts = [r.headers["host"] for r in oci.requests]
    assert "auth.docker.io" in hosts and "registry-1.docker.io" in hosts
    token = next(r for r in oci.requests if r.headers["host"] == "auth.docker.io")
    assert token.query["service"] == ["registry.docker.io"]


def test_oci_image_without_labels_has_no_repository_and_no_gap(oci, oci_web):
    facts = oci_meta.read(oci_web, image("docker.io/acme/nolabels"), saver()[1])
    assert facts.gaps == [] and facts.repository is None and facts.labels == {}


def test_oci_by_digest_and_tag_at_digest(oci, oci_web):
    repo = oci.repos[("ghcr.io", "acme/mcp")]
    digest = repo.tags["1.2"]
    for version in (digest, f"1.2@{digest}"):
        oci.requests.clear()
        facts = oci_meta.read(oci_web, image("ghcr.io/acme/mcp", version), saver()[1])
        assert facts.repository.slug == "acme/mcp", version
        assert facts.registry_url.endswith(f"/manifests/{digest}")


def test_oci_unknown_image_is_not_found(oci, oci_web):
    facts = oci_meta.read(oci_web, image("ghcr.io/acme/ghost"), saver()[1])
    assert facts.found is False and "HTTP 404" in facts.gaps[0].why


def test_oci_unknown_tag_is_not_found(oci, oci_web):
    facts = oci_meta.read(oci_web, image("ghcr.io/acme/mcp", "9.9"), saver()[1])
    assert facts.found is False and facts.gaps


def test_oci_private_ghcr_image_refuses_the_token_and_is_a_gap(oci, oci_web):
    facts = oci_meta.read(oci_web, image("ghcr.io/acme/secret"), saver()[1])
    assert facts.found is True  # 401 does not say the image is gone
    assert "HTTP 401" in facts.gaps[0].why


def test_oci_short_name_is_a_gap_without_any_request(oci, oci_web):
    facts = oci_meta.read(oci_web, image("acme/mcp"), saver()[1])
    assert "registries.conf" in facts.gaps[0].why
    assert oci.requests == []


def test_oci_registry_500_retried_and_persistent_500_is_a_gap(oci, oci_web):
    oci.faults.add(method="GET", path="/v2/acme/mcp/manifests/1.2", status=503, times=1)
    facts = oci_meta.read(oci_web, image("ghcr.io/acme/mcp", "1.2"), saver()[1])
    assert facts.repository is not None and facts.gaps == []
    oci.faults.add(method="GET", path="/v2/acme/mcp/blobs/*", status=500, times=None)
    facts = oci_meta.read(oci_web, image("ghcr.io/acme/mcp", "1.2"), saver()[1])
    assert facts.repository is None
    assert any("image config" in g.what and "HTTP 500" in g.why for g in facts.gaps)


def test_oci_unreachable_registry_is_a_gap(monkeypatch):
    reader = WebReader(Timing(request_timeout=1.0, read_retries=0, max_retry_after=0.0),
                       {"*": "http://127.0.0.1:9"})
    facts = oci_meta.read(reader, image("ghcr.io/acme/mcp", "1.2"), saver()[1])
    reader.close()
    assert facts.gaps and "unreachable" in facts.gaps[0].why


HOSTILE = {
    "/v2/a/config-string/manifests/latest": {"json": {"schemaVersion": 2, "config": "oops"}},
    "/v2/a/annotations-list/manifests/latest": {"json": {"schemaVersion": 2,
                                                         "annotations": ["x"]}},
    "/v2/a/platform-string/manifests/latest": {"json": {"manifests": [
        {"digest": "sha256:" + "1" * 64, "platform": "linux/amd64"}]}},
    "/v2/a/config-body-string/manifests/latest": {"json": {"config": {"digest": "sha256:2"}}},
    "/v2/a/config-body-string/blobs/sha256:2": {"json": {"config": "nope"}},
}


@pytest.mark.parametrize("name", ["config-string", "annotations-list", "platform-string",
                                  "config-body-string"])
def test_oci_malformed_documents_from_a_hostile_registry_are_gaps(name):
    with WebSimulator.from_seed({"sites": {"evil.example": HOSTILE}}) as sim:
        reader = WebReader(FAST, {"evil.example": sim.base_url})
        facts = oci_meta.read(reader, image(f"evil.example/a/{name}"), saver()[1])
        reader.close()
    assert facts.repository is None
