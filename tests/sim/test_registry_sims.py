"""The npm packument routes, the PyPI JSON API and the web-host simulators, over real HTTP on
127.0.0.1, and how the fleet points a run at host-mapped simulators."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import re
import tarfile
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from responder.engine.context import Endpoints
from responder.sim.fleet import SIMULATORS, Fleet
from responder.sim.npm import NpmSimulator
from responder.sim.npm_packages import npm_time
from responder.sim.pypi import PyPISimulator, normalize, version_key
from responder.sim.server import Response
from responder.sim.web import WebSimulator

NOW = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
NPM_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ACME = {"name": "acme-dev", "email": "dev@acme.example"}
EVIL = {"name": "evil-pub", "email": "x@evil.example"}
ABBREVIATED = "application/vnd.npm.install-v1+json"

NPM_SEED = {
    "tokens": [{"value": "npm_" + "A" * 36, "account": "dana"}],
    "packages": {
        "@acme/mcp-weather": {
            "description": "Weather for MCP",
            "maintainers": [ACME],
            "repository": {"type": "git", "url": "git+https://github.com/acme/mcp-weather.git",
                           "directory": "packages/weather"},
            "bugs": {"url": "https://github.com/acme/mcp-weather/issues",
                     "email": "bugs@acme.example"},
            "homepage": "https://acme.example/weather",
            "author": {"name": "Acme", "email": "oss@acme.example"},
            "license": "MIT",
            "keywords": ["mcp", "weather"],
            "readme": "# mcp-weather\n",
            "mcpName": "io.github.acme/mcp-weather",
            "dependencies": {"zod": "^3.23.0"},
            "dist_tags": {"latest": "2.1.0", "next": "3.0.0-beta.1"},
            "versions": [
                {"version": "2.0.0", "published": "-200d", "publisher": ACME},
                {"version": "3.0.0-beta.1", "published": "-10d"},
                {"version": "2.1.0", "published": "-3h", "publisher": EVIL,
                 "repository": "git+https://github.com/evil/mcp-weather.git",
                 "description": "Weather for MCP (now faster)"},
            ],
        },
        "left-pad": {
            "description": "pad a string",
            "maintainers": [{"name": "stevemao", "email": "s@example.com"}],
            "repository": "stevemao/left-pad",
            "versions": [{"version": "1.2.0", "published": "2018-04-09T12:00:00Z"},
                         {"version": "1.3.0", "published": "2018-04-10T12:00:00.250Z"}],
        },
    },
}


@pytest.fixture
def npm():
    with NpmSimulator.from_seed(NPM_SEED, now=NOW) as sim:
        yield sim
    assert sim.errors == []


def get(url: str, **kwargs) -> httpx.Response:
    return httpx.get(url, timeout=5, **kwargs)


# -- npm ---------------------------------------------------------------------------------------


def test_full_packument_has_the_documented_top_level_and_hoists_the_latest_version(npm):
    answer = get(npm.base_url + "/@acme%2fmcp-weather")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    doc = answer.json()
    assert doc["_id"] == doc["name"] == "@acme/mcp-weather"
    assert re.fullmatch(r"\d+-[0-9a-f]{32}", doc["_rev"])
    assert doc["dist-tags"] == {"latest": "2.1.0", "next": "3.0.0-beta.1"}
    assert list(doc["versions"]) == ["2.0.0", "3.0.0-beta.1", "2.1.0"]
    assert doc["users"] == {}
    # Hoisted from the latest version (2.1.0), including its overrides.
    assert doc["repository"] == "git+https://github.com/evil/mcp-weather.git"
    assert doc["description"] == "Weather for MCP (now faster)"
    assert doc["maintainers"] == [ACME]
    assert doc["bugs"]["email"] == "bugs@acme.example"
    assert doc["homepage"] == "https://acme.example/weather"
    assert doc["author"] == {"name": "Acme", "email": "oss@acme.example"}
    assert doc["license"] == "MIT" and doc["keywords"] == ["mcp", "weather"]
    assert doc["readme"] == "# mcp-weather\n"
    assert "_npmUser" not in doc and "mcpName" not in doc  # per version only


def test_time_holds_created_modified_and_every_version_as_iso_with_milliseconds(npm):
    time = get(npm.base_url + "/@acme%2fmcp-weather").json()["time"]
    assert set(time) == {"created", "modified", "2.0.0", "3.0.0-beta.1", "2.1.0"}
    assert all(NPM_TIME.match(value) for value in time.values())
    assert time["2.1.0"] == npm_time(NOW - timedelta(hours=3))
    assert time["2.0.0"] == (NOW - timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert time["created"] == time["2.0.0"] and time["modified"] == time["2.1.0"]
    pad = get(npm.base_url + "/left-pad").json()["time"]
    assert pad["1.3.0"] == "2018-04-10T12:00:00.250Z"


def test_each_version_carries_its_publisher_and_its_own_overrides(npm):
    versions = get(npm.base_url + "/@acme%2fmcp-weather").json()["versions"]
    old, new = versions["2.0.0"], versions["2.1.0"]
    assert old["_npmUser"] == ACME and new["_npmUser"] == EVIL
    # No publisher seeded: the first maintainer published it.
    assert versions["3.0.0-beta.1"]["_npmUser"] == ACME
    assert old["repository"] == {"type": "git",
                                 "url": "git+https://github.com/acme/mcp-weather.git",
                                 "directory": "packages/weather"}
    assert new["repository"] == "git+https://github.com/evil/mcp-weather.git"
    for number, version in versions.items():
        assert version["name"] == "@acme/mcp-weather" and version["version"] == number
        assert version["_id"] == f"@acme/mcp-weather@{number}"
        assert version["mcpName"] == "io.github.acme/mcp-weather"
        assert version["maintainers"] == [ACME]
        assert version["bugs"]["url"] == "https://github.com/acme/mcp-weather/issues"
        assert version["_npmVersion"] and version["_nodeVersion"]
        assert "readme" not in version
        assert set(version["dist"]) == {"tarball", "shasum", "integrity", "fileCount",
                                        "unpackedSize"}


def test_dist_describes_the_tarball_the_registry_serves(npm):
    version = get(npm.base_url + "/@acme%2fmcp-weather").json()["versions"]["2.1.0"]
    dist = version["dist"]
    assert dist["tarball"] == npm.base_url + "/@acme/mcp-weather/-/mcp-weather-2.1.0.tgz"
    assert re.fullmatch(r"[0-9a-f]{40}", dist["shasum"])
    assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", dist["integrity"])
    tarball = get(dist["tarball"])
    assert tarball.status_code == 200
    data = tarball.content
    assert hashlib.sha1(data).hexdigest() == dist["shasum"]
    assert dist["integrity"] == "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(data))) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    assert dist["fileCount"] == len(members) == 2
    assert dist["unpackedSize"] == sum(len(body) for body in members.values())
    manifest = json.loads(members["package/package.json"])
    assert manifest["name"] == "@acme/mcp-weather" and manifest["version"] == "2.1.0"
    assert manifest["repository"] == "git+https://github.com/evil/mcp-weather.git"
    # The encoded scoped form of the tarball URL is served too.
    assert get(npm.base_url + "/@acme%2fmcp-weather/-/mcp-weather-2.1.0.tgz").content == data
    assert get(npm.base_url + "/@acme/mcp-weather/-/mcp-weather-9.9.9.tgz").status_code == 404


def test_abbreviated_document_keeps_only_what_an_installer_needs(npm):
    answer = get(npm.base_url + "/@acme%2fmcp-weather",
                 headers={"accept": f"{ABBREVIATED}; q=1.0, application/json; q=0.8, */*"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == ABBREVIATED
    doc = answer.json()
    assert set(doc) == {"name", "modified", "dist-tags", "versions"}
    assert doc["name"] == "@acme/mcp-weather" and NPM_TIME.match(doc["modified"])
    assert doc["dist-tags"]["latest"] == "2.1.0"
    slim = doc["versions"]["2.1.0"]
    assert set(slim) == {"name", "version", "dist", "dependencies", "_hasShrinkwrap"}
    assert slim["dependencies"] == {"zod": "^3.23.0"}
    full = get(npm.base_url + "/@acme%2fmcp-weather").json()
    assert slim["dist"] == full["versions"]["2.1.0"]["dist"]


@pytest.mark.parametrize("path", ["/@acme%2fmcp-weather", "/@acme%2Fmcp-weather",
                                  "/@acme/mcp-weather", "/%40acme%2fmcp-weather"])
def test_scoped_names_are_found_encoded_in_either_case_or_not(npm, path):
    answer = get(npm.base_url + path)
    assert answer.status_code == 200 and answer.json()["name"] == "@acme/mcp-weather"


def test_version_and_dist_tag_routes_answer_that_version(npm):
    for path in ("/@acme%2fmcp-weather/2.0.0", "/@acme/mcp-weather/2.0.0"):
        doc = get(npm.base_url + path).json()
        assert doc["version"] == "2.0.0" and doc["_npmUser"] == ACME
    latest = get(npm.base_url + "/@acme%2Fmcp-weather/latest").json()
    assert latest["version"] == "2.1.0" and latest["_npmUser"] == EVIL
    assert get(npm.base_url + "/@acme%2fmcp-weather/next").json()["version"] == "3.0.0-beta.1"
    # Without dist_tags, latest is the last version listed.
    pad = get(npm.base_url + "/left-pad").json()
    assert pad["dist-tags"] == {"latest": "1.3.0"} and pad["repository"] == "stevemao/left-pad"
    assert get(npm.base_url + "/left-pad/latest").json()["version"] == "1.3.0"
    assert get(npm.base_url + "/left-pad/1.2.0").json()["_npmUser"]["name"] == "stevemao"


@pytest.mark.parametrize("path", ["/no-such-package", "/@acme%2fnope", "/left-pad/9.9.9",
                                  "/@acme%2fmcp-weather/beta", "/left-pad/1.3.0/extra"])
def test_unknown_packages_and_versions_are_not_found(npm, path):
    answer = get(npm.base_url + path)
    assert answer.status_code == 404 and answer.json() == {"error": "Not found"}


def test_account_routes_still_match_before_package_routes(npm):
    token = NPM_SEED["tokens"][0]["value"]
    whoami = get(npm.base_url + "/-/whoami", headers={"authorization": f"Bearer {token}"})
    assert whoami.status_code == 200 and whoami.json() == {"username": "dana"}
    assert get(npm.base_url + "/-/whoami").status_code == 401
    tokens = get(npm.base_url + "/-/npm/v1/tokens", headers={"authorization": f"Bearer {token}"})
    assert tokens.status_code == 200 and tokens.json()["total"] == 1


def test_faults_apply_to_package_routes(npm):
    npm.faults.add("GET", "/@acme%2fmcp-weather", status=503, times=1)
    assert get(npm.base_url + "/@acme%2fmcp-weather").status_code == 503
    assert get(npm.base_url + "/@acme%2fmcp-weather").status_code == 200


def test_routes_added_later_win_over_package_routes():
    sim = NpmSimulator.from_seed(NPM_SEED, now=NOW)
    sim.route("GET", "/custom", lambda request: Response(200, {"custom": True}))
    with sim:
        assert get(sim.base_url + "/custom").json() == {"custom": True}


# -- PyPI --------------------------------------------------------------------------------------

PYPI_SEED = {
    "projects": {
        "mcp-server-fetch": {
            "name": "MCP_Server.Fetch",
            "summary": "A Model Context Protocol server providing tools to fetch web content",
            "description": "Fetch.\n<!-- mcp-name: io.github.modelcontextprotocol/server-fetch -->",
            "author": "Anthropic, PBC.",
            "author_email": '"A. Dev" <a@example.com>',
            "maintainer": "Jack Adamson",
            "maintainer_email": "jack@example.com",
            "home_page": None,
            "license": "MIT",
            "requires_dist": ["httpx<0.28", "mcp>=1.1.3"],
            "project_urls": {
                "Homepage": "https://modelcontextprotocol.io",
                "Source": "https://github.com/o/r/tree/main/src/fetch",
                "Security": "https://github.com/o/r/security/policy",
            },
            "ownership": {"roles": [{"role": "Maintainer", "user": "bob"},
                                    {"role": "Owner", "user": "alice"}],
                          "organization": None},
            "versions": [
                {"version": "2025.1.0", "published": "-90d"},
                {"version": "2025.4.7", "published": "-2h",
                 "project_urls": {"Source": "https://github.com/evil/x"}},
                {"version": "2025.5.0rc1", "published": "-1h"},
                {"version": "2026.1.0", "published": "-30m", "yanked": True,
                 "yanked_reason": "broken"},
                {"version": "2024.12.0", "published": "-200d"},
            ],
        },
    },
}


@pytest.fixture
def pypi():
    with PyPISimulator.from_seed(PYPI_SEED, now=NOW) as sim:
        yield sim
    assert sim.errors == []


def test_project_url_shows_the_latest_final_unyanked_release(pypi):
    answer = get(pypi.base_url + "/pypi/mcp-server-fetch/json")
    assert answer.status_code == 200
    doc = answer.json()
    assert set(doc) == {"info", "last_serial", "releases", "urls", "vulnerabilities",
                        "ownership"}
    info = doc["info"]
    assert info["version"] == "2025.4.7"  # not the rc, not the yanked 2026.1.0
    assert info["name"] == "MCP_Server.Fetch"
    assert info["project_urls"] == {"Source": "https://github.com/evil/x"}  # its override
    assert info["author_email"] == '"A. Dev" <a@example.com>'
    assert info["maintainer"] == "Jack Adamson" and info["maintainer_email"] == "jack@example.com"
    assert "mcp-name: io.github.modelcontextprotocol/server-fetch" in info["description"]
    assert info["license"] == "MIT" and info["requires_dist"] == ["httpx<0.28", "mcp>=1.1.3"]
    assert info["bugtrack_url"] is None and info["home_page"] is None
    assert info["downloads"] == {"last_day": -1, "last_week": -1, "last_month": -1}
    assert info["yanked"] is False and info["yanked_reason"] is None
    assert info["package_url"] == info["project_url"] == \
        pypi.base_url + "/project/MCP_Server.Fetch/"
    assert info["release_url"] == pypi.base_url + "/project/MCP_Server.Fetch/2025.4.7/"
    assert list(doc["releases"]) == ["2026.1.0", "2025.5.0rc1", "2025.4.7", "2025.1.0",
                                     "2024.12.0"]
    assert doc["urls"] == doc["releases"]["2025.4.7"]
    assert doc["vulnerabilities"] == []
    assert answer.headers["x-pypi-last-serial"] == str(doc["last_serial"])


def test_files_carry_digests_sizes_and_both_upload_times(pypi):
    files = get(pypi.base_url + "/pypi/mcp-server-fetch/json").json()["urls"]
    assert {f["packagetype"] for f in files} == {"sdist", "bdist_wheel"}
    uploaded = NOW - timedelta(hours=2)
    for entry in files:
        digests = entry["digests"]
        assert re.fullmatch(r"[0-9a-f]{32}", digests["md5"]) and entry["md5_digest"] == \
            digests["md5"]
        assert re.fullmatch(r"[0-9a-f]{64}", digests["sha256"])
        assert re.fullmatch(r"[0-9a-f]{64}", digests["blake2b_256"])
        assert entry["size"] > 0 and entry["filename"] in entry["url"]
        assert entry["upload_time"] == uploaded.strftime("%Y-%m-%dT%H:%M:%S")
        assert entry["upload_time_iso_8601"] == uploaded.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        assert entry["yanked"] is False
    assert {f["filename"] for f in files} == {"mcp_server_fetch-2025.4.7.tar.gz",
                                              "MCP_Server_Fetch-2025.4.7-py3-none-any.whl"}


def test_ownership_lists_owners_first(pypi):
    ownership = get(pypi.base_url + "/pypi/mcp-server-fetch/json").json()["ownership"]
    assert ownership == {"roles": [{"role": "Owner", "user": "alice"},
                                   {"role": "Maintainer", "user": "bob"}],
                         "organization": None}


def test_version_url_shows_that_release_without_the_release_list(pypi):
    doc = get(pypi.base_url + "/pypi/mcp-server-fetch/2025.1.0/json").json()
    assert "releases" not in doc
    assert doc["info"]["version"] == "2025.1.0"
    assert doc["info"]["project_urls"]["Source"] == "https://github.com/o/r/tree/main/src/fetch"
    assert doc["info"]["project_urls"]["Security"] == "https://github.com/o/r/security/policy"
    assert doc["ownership"]["roles"][0] == {"role": "Owner", "user": "alice"}
    yanked = get(pypi.base_url + "/pypi/mcp-server-fetch/2026.1.0/json").json()
    assert yanked["info"]["yanked"] is True and yanked["info"]["yanked_reason"] == "broken"
    assert all(f["yanked"] for f in yanked["urls"])
    # The canonical version finds the release, as warehouse's release_factory does.
    assert get(pypi.base_url + "/pypi/mcp-server-fetch/2025.1/json").json()["info"][
        "version"] == "2025.1.0"
    assert get(pypi.base_url + "/pypi/mcp-server-fetch/json/").status_code == 200


@pytest.mark.parametrize(("path", "target"), [
    ("/pypi/MCP_Server.Fetch/json", "/pypi/mcp-server-fetch/json"),
    ("/pypi/mcp_server_fetch/json", "/pypi/mcp-server-fetch/json"),
    ("/pypi/Mcp-Server-Fetch/2025.1.0/json", "/pypi/mcp-server-fetch/2025.1.0/json"),
])
def test_a_non_canonical_name_is_redirected_to_the_normalised_one(pypi, path, target):
    answer = get(pypi.base_url + path)
    assert answer.status_code == 301
    assert answer.headers["location"] == pypi.base_url + target
    followed = get(pypi.base_url + path, follow_redirects=True)
    assert followed.status_code == 200 and followed.json()["info"]["name"] == "MCP_Server.Fetch"


@pytest.mark.parametrize("path", ["/pypi/no-such-project/json",
                                  "/pypi/No_Such.Project/json",
                                  "/pypi/mcp-server-fetch/9.9.9/json",
                                  "/pypi/mcp-server-fetch/not-a-version/json"])
def test_unknown_projects_and_versions_are_not_found(pypi, path):
    answer = get(pypi.base_url + path)
    assert answer.status_code == 404 and answer.json() == {"message": "Not Found"}


def test_a_project_with_only_pre_releases_shows_the_highest_one():
    seed = {"projects": {"beta-only": {"versions": ["0.1.0a1", "0.1.0b2", "0.1.0.dev3"]}}}
    with PyPISimulator.from_seed(seed, now=NOW) as sim:
        doc = get(sim.base_url + "/pypi/beta-only/json").json()
    assert doc["info"]["version"] == "0.1.0b2"
    assert doc["ownership"] == {"roles": [], "organization": None}


def test_pep440_order_and_pep503_names():
    ordered = ["1.0.dev0", "1.0a1", "1.0b1", "1.0rc1", "1.0", "1.0.post1", "1.1", "1.10",
               "2!0.1"]
    assert sorted(reversed(ordered), key=version_key) == ordered
    assert version_key("1.0") == version_key("1.0.0") == version_key("v1.0")
    assert normalize("Foo__Bar.baz-Qux") == "foo-bar-baz-qux"


# -- web hosts ---------------------------------------------------------------------------------

SECURITY_TXT = "Contact: mailto:security@acme.example\nExpires: 2030-01-01T00:00:00Z\n"
WEB_SEED = {
    "sites": {
        "mcp.acme.example": {
            "/.well-known/security.txt": {"body": SECURITY_TXT,
                                          "content_type": "text/plain; charset=utf-8"},
            "/security.txt": {"status": 301,
                              "location": "https://mcp.acme.example/.well-known/security.txt"},
            "/.well-known/oauth-protected-resource": {
                "json": {"resource": "https://mcp.acme.example", "resource_name": "Acme MCP"},
                "headers": {"Cache-Control": "max-age=60"}},
        },
        "Other.Example": {
            "/.well-known/security.txt": "Contact: https://other.example/report\n",
        },
    },
}


@pytest.fixture
def web():
    with WebSimulator.from_seed(WEB_SEED, now=NOW) as sim:
        yield sim
    assert sim.errors == []


def test_pages_are_chosen_by_the_host_header(web):
    assert web.hosts == ["mcp.acme.example", "other.example"]
    url = web.base_url + "/.well-known/security.txt"
    acme = get(url, headers={"host": "mcp.acme.example"})
    assert acme.status_code == 200 and acme.text == SECURITY_TXT
    assert acme.headers["content-type"] == "text/plain; charset=utf-8"
    # A port and upper case in the Host header do not matter.
    other = get(url, headers={"host": "OTHER.example:443"})
    assert other.status_code == 200 and other.text == "Contact: https://other.example/report\n"


def test_json_pages_and_their_headers(web):
    answer = get(web.base_url + "/.well-known/oauth-protected-resource",
                 headers={"host": "mcp.acme.example"})
    assert answer.status_code == 200 and answer.json()["resource_name"] == "Acme MCP"
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["cache-control"] == "max-age=60"


def test_redirects_carry_their_location(web):
    answer = get(web.base_url + "/security.txt", headers={"host": "mcp.acme.example"})
    assert answer.status_code == 301
    assert answer.headers["location"] == "https://mcp.acme.example/.well-known/security.txt"


@pytest.mark.parametrize(("host", "path"), [("unknown.example", "/.well-known/security.txt"),
                                            ("mcp.acme.example", "/nope"),
                                            ("other.example", "/security.txt"),
                                            ("127.0.0.1", "/.well-known/security.txt")])
def test_unknown_hosts_and_paths_are_404_text(web, host, path):
    answer = get(web.base_url + path, headers={"host": host})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/plain") and answer.text == "Not Found"


def test_faults_apply_to_web_pages(web):
    web.faults.add("GET", "/.well-known/*", status=500, times=1)
    url = web.base_url + "/.well-known/security.txt"
    assert get(url, headers={"host": "mcp.acme.example"}).status_code == 500
    assert get(url, headers={"host": "mcp.acme.example"}).status_code == 200


# -- fleet -------------------------------------------------------------------------------------


def test_fleet_maps_every_host_of_every_host_serving_simulator(monkeypatch):
    # A second host-serving simulator, to see the pairs joined across simulators.
    monkeypatch.setitem(SIMULATORS, "web2", SIMULATORS["web"])
    seeds = {"npm": {}, "pypi": {}, "web": WEB_SEED,
             "web2": {"sites": {"ghcr.io": {"/v2/": {"json": {}}}}}}
    with Fleet(seeds, now=NOW) as fleet:
        env = fleet.env()
        assert set(env) == {"RESPONDER_NPM_API_URL", "RESPONDER_PYPI_API_URL",
                            "RESPONDER_HOST_MAP"}
        assert env["RESPONDER_PYPI_API_URL"] == fleet["pypi"].base_url
        web, web2 = fleet["web"].base_url, fleet["web2"].base_url
        assert env["RESPONDER_HOST_MAP"] == (f"mcp.acme.example={web} other.example={web} "
                                             f"ghcr.io={web2}")
        assert set(Endpoints.from_env(env).urls) == {"npm", "pypi"}
        # What a client does with the map: connect to the base URL, send the original host.
        mapping = dict(pair.split("=", 1) for pair in env["RESPONDER_HOST_MAP"].split())
        answer = get(mapping["mcp.acme.example"] + "/.well-known/security.txt",
                     headers={"host": "mcp.acme.example"})
        assert answer.status_code == 200 and answer.text == SECURITY_TXT
        assert get(mapping["ghcr.io"] + "/v2/", headers={"host": "ghcr.io"}).json() == {}


def test_fleet_without_host_serving_simulators_has_no_host_map():
    with Fleet({"npm": {}, "web": {}}) as fleet:
        assert fleet.env() == {"RESPONDER_NPM_API_URL": fleet["npm"].base_url}
