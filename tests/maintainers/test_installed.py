"""Which versions this machine ran, read from npx's and uv's caches laid out in a temporary home."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from responder.maintainers import installed
from responder.maintainers.identity import PackageIdentity

NPM = PackageIdentity("npm", "@acme/mcp-weather", None, "npx")
PLAIN_NPM = PackageIdentity("npm", "left-pad-mcp", None, "npx")
PYPI = PackageIdentity("pypi", "Acme.MCP", None, "uvx")


def npx_entry(cache: Path, key: str, name: str, version: str | None, *, raw: str | None = None
              ) -> Path:
    folder = cache / "_npx" / key / "node_modules" / Path(*name.split("/"))
    folder.mkdir(parents=True)
    manifest = folder / "package.json"
    manifest.write_text(raw if raw is not None else json.dumps({"name": name,
                                                                "version": version}))
    return manifest


def uv_env(root: Path, key: str, dist: str, version: str, *, windows: bool = False) -> Path:
    site = root / key / ("Lib/site-packages" if windows else "lib/python3.12/site-packages")
    info = site / f"{dist}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Name: {dist}\nVersion: {version}\n")
    return info


@pytest.fixture
def home(tmp_path):
    place = tmp_path / "fakehome"
    place.mkdir()
    return place


# --- npx ----------------------------------------------------------------------------------------


def test_npx_cache_in_home_gives_every_version_that_ran(home):
    npx_entry(home / ".npm", "a1", "@acme/mcp-weather", "2.0.0")
    npx_entry(home / ".npm", "b2", "@acme/mcp-weather", "2.1.0")
    npx_entry(home / ".npm", "c3", "@acme/mcp-weather", "2.1.0")  # same version twice
    npx_entry(home / ".npm", "d4", "left-pad-mcp", "9.0.0")  # another package
    assert installed.versions(NPM, home, {}) == ["2.0.0", "2.1.0"]
    assert installed.versions(PLAIN_NPM, home, {}) == ["9.0.0"]


def test_npm_config_cache_is_read_too(home, tmp_path):
    custom = tmp_path / "custom-npm-cache"
    npx_entry(custom, "a1", "@acme/mcp-weather", "1.0.0")
    assert installed.versions(NPM, home, {"npm_config_cache": str(custom)}) == ["1.0.0"]
    assert installed.versions(NPM, home, {"NPM_CONFIG_CACHE": str(custom)}) == ["1.0.0"]
    assert installed.versions(NPM, home, {}) == []


def test_windows_localappdata_npm_cache(home, tmp_path):
    local = tmp_path / "AppData" / "Local"
    npx_entry(local / "npm-cache", "a1", "@acme/mcp-weather", "3.0.0")
    assert installed.versions(NPM, home, {"LOCALAPPDATA": str(local)}) == ["3.0.0"]


def test_npx_entries_with_a_broken_or_foreign_manifest_are_skipped(home):
    npx_entry(home / ".npm", "a1", "@acme/mcp-weather", None, raw="{not json")
    npx_entry(home / ".npm", "b2", "@acme/mcp-weather", None,
              raw=json.dumps({"name": "@evil/other", "version": "6.6.6"}))
    npx_entry(home / ".npm", "c3", "@acme/mcp-weather", None,
              raw=json.dumps({"name": "@acme/mcp-weather", "version": 2}))
    npx_entry(home / ".npm", "d4", "@acme/mcp-weather", None, raw=json.dumps(["x"]))
    (home / ".npm" / "_npx" / "stray-file").write_text("not a directory")
    assert installed.versions(NPM, home, {}) == []


def test_no_cache_at_all_is_an_empty_answer(home):
    assert installed.versions(NPM, home, {}) == []
    assert installed.versions(PYPI, home, {}) == []


def test_a_huge_cache_is_read_only_up_to_the_limit(home, monkeypatch):
    monkeypatch.setattr(installed, "_LIMIT", 2)
    for index in range(5):
        npx_entry(home / ".npm", f"k{index}", "@acme/mcp-weather", f"1.0.{index}")
    assert len(installed.versions(NPM, home, {})) == 2


# --- uv -----------------------------------------------------------------------------------------


def test_uvx_environment_in_the_default_cache(home):
    uv_env(home / ".cache" / "uv" / "archive-v0", "h1", "acme_mcp", "1.4.2")
    uv_env(home / ".cache" / "uv" / "archive-v0", "h2", "acme_mcp", "1.4.3")
    uv_env(home / ".cache" / "uv" / "archive-v0", "h3", "other_pkg", "7.0")
    assert installed.versions(PYPI, home, {}) == ["1.4.2", "1.4.3"]


def test_distribution_names_are_compared_normalised(home):
    uv_env(home / ".cache" / "uv" / "archive-v0", "h1", "Acme_MCP", "2.0.0")
    assert installed.versions(PackageIdentity("pypi", "acme-mcp", None, "uvx"), home, {}) \
        == ["2.0.0"]


def test_uv_cache_dir_and_xdg_cache_home(home, tmp_path):
    uv_env(tmp_path / "uvcache" / "archive-v0", "h1", "acme_mcp", "1.0.0")
    uv_env(tmp_path / "xdg" / "uv" / "archive-v0", "h1", "acme_mcp", "1.1.0")
    assert installed.versions(PYPI, home, {"UV_CACHE_DIR": str(tmp_path / "uvcache")}) \
        == ["1.0.0"]
    assert installed.versions(PYPI, home, {"XDG_CACHE_HOME": str(tmp_path / "xdg")}) == ["1.1.0"]


def test_uv_tool_install_directory(home, tmp_path):
    uv_env(home / ".local" / "share" / "uv" / "tools", "acme-mcp", "acme_mcp", "1.2.0")
    assert installed.versions(PYPI, home, {}) == ["1.2.0"]
    uv_env(tmp_path / "tools", "acme-mcp", "acme_mcp", "1.3.0")
    # the variable replaces the default place, as it does for uv
    assert installed.versions(PYPI, home, {"UV_TOOL_DIR": str(tmp_path / "tools")}) == ["1.3.0"]
    uv_env(tmp_path / "data" / "uv" / "tools", "acme-mcp", "acme_mcp", "1.5.0")
    assert installed.versions(PYPI, home, {"XDG_DATA_HOME": str(tmp_path / "data")}) == ["1.5.0"]


def test_macos_and_windows_cache_layouts(home, tmp_path):
    uv_env(home / "Library" / "Caches" / "uv" / "archive-v0", "h1", "acme_mcp", "1.0.0")
    local = tmp_path / "AppData" / "Local"
    uv_env(local / "uv" / "cache" / "archive-v0", "h1", "acme_mcp", "1.1.0", windows=True)
    assert installed.versions(PYPI, home, {"LOCALAPPDATA": str(local)}) == ["1.0.0", "1.1.0"]


def test_a_dist_info_with_a_strange_version_is_ignored(home):
    root = home / ".cache" / "uv" / "archive-v0"
    uv_env(root, "h1", "acme_mcp", "1.0.0")
    (root / "h2" / "lib/python3.12/site-packages" / "acme_mcp-1.0 rm -rf.dist-info").mkdir(
        parents=True)
    (root / "h3" / "lib/python3.12/site-packages" / "acme_mcp.dist-info").mkdir(parents=True)
    assert installed.versions(PYPI, home, {}) == ["1.0.0"]


def test_other_ecosystems_have_no_cache_to_read(home):
    for ecosystem in ("oci", "go", "jsr", "path"):
        assert installed.versions(PackageIdentity(ecosystem, "x", None, "l"), home, {}) == []


def test_windows_uv_tool_install_directory(home, tmp_path):
    roaming = tmp_path / "AppData" / "Roaming"
    uv_env(roaming / "uv" / "data" / "tools", "acme-mcp", "acme_mcp", "1.2.0", windows=True)
    assert installed.versions(PYPI, home, {"APPDATA": str(roaming)}) == ["1.2.0"]
