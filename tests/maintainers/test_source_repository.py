"""Source repository URLs to one normal form (responder/maintainers/repository.py).

Named test_source_repository.py: tests/ has no __init__.py, and tests/test_repository.py already
owns the module name `test_repository`.
"""

from __future__ import annotations

import pytest

from responder.maintainers.identity import PackageIdentity, package_of
from responder.maintainers.repository import SourceRepo, from_identity, parse_repository


def gh(owner: str, name: str, subpath: str | None = None) -> SourceRepo:
    return SourceRepo("github.com", owner, name, subpath)


# --- npm's repository field (npm/cli package-json.md) --------------------------------------------

@pytest.mark.parametrize("value,expected", [
    ({"type": "git", "url": "git+https://github.com/o/r.git"}, gh("o", "r")),
    ({"type": "git", "url": "https://github.com/o/r.git", "directory": "packages/x"},
     gh("o", "r", "packages/x")),
    ({"type": "git", "url": "git+https://github.com/o/r.git", "directory": "./packages/x/"},
     gh("o", "r", "packages/x")),
    ({"url": "git+ssh://git@github.com/o/r.git", "directory": ""}, gh("o", "r")),
    ({"type": "git", "url": "https://git.example.com/team/mcp"},
     SourceRepo("git.example.com", "team", "mcp")),
    ("o/r", gh("o", "r")),
    ("o/r#main", gh("o", "r")),
    ("github:o/r", gh("o", "r")),
    ("gitlab:group/sub/r", SourceRepo("gitlab.com", "group/sub", "r")),
    ("bitbucket:o/r", SourceRepo("bitbucket.org", "o", "r")),
], ids=["object", "object-directory", "directory-dot-slash", "empty-directory",
        "object-other-host", "shorthand", "shorthand-ref", "github-prefix", "gitlab-prefix",
        "bitbucket-prefix"])
def test_npm_repository_field(value, expected):
    found = parse_repository(value)
    assert found == expected
    assert found.subpath == expected.subpath


@pytest.mark.parametrize("value", [
    "gist:11081aaa281", {"type": "svn", "url": "https://svn.example.com/r"}, {"type": "git"},
    {"url": 5}, {"type": "git", "url": "https://github.com/o/r", "directory": "../escape"},
])
def test_npm_repository_values_that_are_not_usable(value):
    found = parse_repository(value)
    if isinstance(value, dict) and value.get("directory") == "../escape":
        assert found == gh("o", "r")  # the repository is kept, a path leaving it is not
    else:
        assert found is None


# --- git URLs ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "git+https://github.com/o/r.git", "git://github.com/o/r.git",
    "git+ssh://git@github.com/o/r.git", "ssh://git@github.com/o/r", "ssh://git@github.com:o/r.git",
    "git@github.com:o/r.git", "git@github.com:o/r", "github.com/o/r", "https://github.com/o/r",
    "https://github.com/o/r.git", "http://github.com/o/r", "https://www.github.com/o/r/",
    "https://github.com:443/o/r", "git+https://github.com/o/r.git#v1.2.0",
    "git+https://github.com/o/r@v1.0", "git+https://github.com/o/r.git@main#egg=r",
    "git+https://user:token@github.com/o/r.git", "  https://github.com/o/r  ",
])
def test_git_url_spellings(value):
    found = parse_repository(value)
    assert found == gh("o", "r")
    assert (found.host, found.slug, found.url) == ("github.com", "o/r", "https://github.com/o/r")
    assert found.subpath is None
    assert found.is_github


def test_case_is_kept_for_display_and_ignored_for_github_equality():
    found = parse_repository("https://www.GitHub.com/Acme/MCP-Server/")
    assert (found.host, found.owner, found.name) == ("github.com", "Acme", "MCP-Server")
    assert found.url == "https://github.com/Acme/MCP-Server"
    assert found == gh("acme", "mcp-server")
    assert hash(found) == hash(gh("acme", "mcp-server"))
    assert found.key == "github.com/acme/mcp-server"
    assert len({found, gh("ACME", "mcp-server")}) == 1


def test_other_hosts_compare_case_sensitively():
    a = parse_repository("https://git.example.com/Team/MCP.git")
    b = parse_repository("https://git.example.com/team/mcp.git")
    assert a != b
    assert a.key != b.key


def test_subpath_takes_part_in_equality_but_not_in_key():
    a, b = gh("o", "r", "src/x"), gh("o", "r")
    assert a != b
    assert a.key == b.key


# --- PyPI project URLs and other repository pages ------------------------------------------------

@pytest.mark.parametrize("value,subpath", [
    ("https://github.com/o/r/tree/main/src/x", "src/x"),
    ("https://github.com/o/r/tree/v1.2.0/packages/mcp-server/", "packages/mcp-server"),
    ("https://github.com/o/r/tree/main", None),
    ("https://github.com/o/r/blob/main/src/x/README.md", "src/x"),
    ("https://github.com/o/r/blob/main/README.md", None),
    ("https://github.com/o/r/issues", None),
    ("https://github.com/o/r/issues/12", None),
    ("https://github.com/o/r/security/policy", None),
    ("https://github.com/o/r/releases", None),
    ("https://github.com/o/r#readme", None),
    ("https://github.com/o/r/tree/main/src/x#readme", "src/x"),
    ("https://github.com/o/r?tab=readme-ov-file", None),
    ("https://github.com/o/r/tree/main/src%20dir/x", "src dir/x"),
])
def test_github_project_pages(value, subpath):
    found = parse_repository(value)
    assert found == gh("o", "r", subpath)
    assert found.subpath == subpath


@pytest.mark.parametrize("value,owner,name,subpath", [
    ("https://gitlab.com/group/project", "group", "project", None),
    ("https://gitlab.com/group/sub/project", "group/sub", "project", None),
    ("https://gitlab.com/group/sub/project.git", "group/sub", "project", None),
    ("https://gitlab.com/group/sub/project/-/tree/main/pkg/a", "group/sub", "project", "pkg/a"),
    ("https://gitlab.com/group/project/-/blob/main/pkg/a/README.md", "group", "project", "pkg/a"),
    ("https://gitlab.com/group/project/-/issues", "group", "project", None),
    ("https://gitlab.com/group/project/issues/3", "group", "project", None),
    ("git@gitlab.com:group/sub/project.git", "group/sub", "project", None),
])
def test_gitlab(value, owner, name, subpath):
    found = parse_repository(value)
    assert found == SourceRepo("gitlab.com", owner, name, subpath)
    assert found.url == f"https://gitlab.com/{owner}/{name}"
    assert not found.is_github


def test_bitbucket_and_small_forges():
    assert parse_repository("https://bitbucket.org/o/r/src/main/pkg/x") == SourceRepo(
        "bitbucket.org", "o", "r", "pkg/x")
    assert parse_repository("https://codeberg.org/o/r") == SourceRepo("codeberg.org", "o", "r")
    assert parse_repository("https://git.sr.ht/~o/r") == SourceRepo("git.sr.ht", "~o", "r")


def test_other_hosts_count_only_when_the_url_says_git():
    assert parse_repository("https://git.example.com/team/mcp.git") == SourceRepo(
        "git.example.com", "team", "mcp")
    assert parse_repository("git+https://git.example.com/team/mcp") == SourceRepo(
        "git.example.com", "team", "mcp")
    assert parse_repository("git@git.example.com:team/sub/mcp.git") == SourceRepo(
        "git.example.com", "team/sub", "mcp")
    assert parse_repository("https://git.example.com/team/mcp") is None


@pytest.mark.parametrize("value", [
    "https://example.com", "https://example.com/docs/mcp", "https://acme.github.io/mcp",
    "https://docs.example.com/x/y", "https://github.com/o", "https://github.com/o/",
    "https://github.com/sponsors/x", "https://github.com/orgs/x/teams/y",
    "https://github.com/orgs/x", "https://github.com/users/x/projects/1",
    "https://github.com/marketplace/actions/x", "https://github.com/topics/mcp",
    "https://github.com/settings/tokens", "https://gitlab.com/group", "https://gitlab.com/explore",
    "https://pypi.org/project/x/", "https://www.npmjs.com/package/x", "mailto:a@example.com",
    "ftp://github.com/o/r", "", "   ", "not a url", "https://github.com/o/..",
    "https://github.com/-bad-/r", "https://", "git+https://[::1/x", "https://github.com:99999/o/r",
    "file:///home/u/src/r", "./local", None, 5, ["https://github.com/o/r"],
])
def test_not_a_repository(value):
    assert parse_repository(value) is None


# --- from_identity ------------------------------------------------------------------------------

@pytest.mark.parametrize("identity,expected", [
    (PackageIdentity("go", "github.com/acme/mcp", "v1.3.0"), gh("acme", "mcp")),
    (PackageIdentity("go", "github.com/acme/mcp/v2", "v2.0.1"), gh("acme", "mcp")),
    (PackageIdentity("go", "bitbucket.org/acme/mcp/v3"), SourceRepo("bitbucket.org", "acme",
                                                                     "mcp")),
    (PackageIdentity("vcs", "github.com/acme/mcp"), gh("acme", "mcp")),
    (PackageIdentity("vcs", "github.com/acme/mcp", "v1.0"), gh("acme", "mcp")),
    (PackageIdentity("vcs", "gitlab.com/group/sub/mcp"), SourceRepo("gitlab.com", "group/sub",
                                                                    "mcp")),
    (PackageIdentity("vcs", "git.example.com/team/mcp"), SourceRepo("git.example.com", "team",
                                                                    "mcp")),
], ids=["go", "go-major-suffix", "go-bitbucket-major-suffix", "vcs", "vcs-ref", "vcs-gitlab",
        "vcs-other-host"])
def test_from_identity(identity, expected):
    assert from_identity(identity) == expected


@pytest.mark.parametrize("identity", [
    PackageIdentity("go", "golang.org/x/tools"), PackageIdentity("go", "go.acme.dev/mcp"),
    PackageIdentity("go", "gitlab.com/group/sub"),  # group/sub/project/...: the root is a guess
    PackageIdentity("vcs", "gist.github.com/11081aaa281"),
    PackageIdentity("oci", "ghcr.io/acme/mcp"), PackageIdentity("oci", "docker.io/mcp/fetch"),
    PackageIdentity("npm", "@acme/mcp"), PackageIdentity("pypi", "acme-mcp"),
    PackageIdentity("jsr", "@acme/mcp"), PackageIdentity("url", "https://github.com/o/r"),
    PackageIdentity("path", "/home/u/src/acme"), PackageIdentity("python-module", "acme"),
])
def test_from_identity_gives_none_where_the_identity_is_no_repository(identity):
    assert from_identity(identity) is None


@pytest.mark.parametrize("command,args,expected", [
    ("uvx", ["--from", "git+https://github.com/acme/mcp", "acme"], gh("acme", "mcp")),
    ("uvx", ["--from", "git+https://github.com/acme/mcp@v1.2.0", "acme"], gh("acme", "mcp")),
    ("uvx", ["--from", "git+https://github.com/acme/mcp.git#egg=acme", "acme"], gh("acme", "mcp")),
    ("uvx", ["--from", "git+ssh://git@github.com/acme/mcp.git", "acme"], gh("acme", "mcp")),
    ("npx", ["-y", "github:acme/mcp"], gh("acme", "mcp")),
    ("npx", ["-y", "acme/mcp#v1"], gh("acme", "mcp")),
    ("npx", ["-y", "git+https://gitlab.com/g/s/mcp.git"], SourceRepo("gitlab.com", "g/s", "mcp")),
    ("pipx", ["run", "--spec", "git+https://github.com/acme/mcp", "acme"], gh("acme", "mcp")),
    ("go", ["run", "github.com/acme/mcp/cmd/server@v1.3.0"], gh("acme", "mcp")),
])
def test_from_identity_of_launch_commands(command, args, expected):
    assert from_identity(package_of(command, args)) == expected
