"""Which versions of a package this machine actually ran, from the launchers' caches.

`npx -y pkg` without a version runs whatever was latest when it first ran; the copy it ran stays
in npm's cache as `_npx/<hash>/node_modules/<pkg>/package.json`. uvx keeps its environments in
uv's cache (`archive-v0/<hash>/`), `uv tool install` in its tools directory. Knowing the version
turns "one of the releases this week" into "this release".

UNCONFIRMED: uv's cache layout (`archive-v0/*/lib/python3.*/site-packages/<dist>-<v>.dist-info`,
`Lib/site-packages` on Windows) is read from observed installs, not from uv's documentation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from responder.maintainers.identity import PackageIdentity, normalise_name

_LIMIT = 4000  # cache entries looked at per package: a huge cache must not stall a response


def versions(identity: PackageIdentity, home: Path, env: Mapping[str, str]) -> list[str]:
    if identity.ecosystem == "npm":
        found = _npm(identity.name, _npm_caches(home, env))
    elif identity.ecosystem == "pypi":
        found = _python(identity.name, _uv_dirs(home, env))
    else:
        return []
    return sorted(set(found))


def _npm_caches(home: Path, env: Mapping[str, str]) -> list[Path]:
    places = [env.get("npm_config_cache") or env.get("NPM_CONFIG_CACHE") or ""]
    places += [str(home / ".npm")]
    if env.get("LOCALAPPDATA"):
        places.append(str(Path(env["LOCALAPPDATA"]) / "npm-cache"))
    return [Path(p) / "_npx" for p in dict.fromkeys(places) if p]


def _npm(name: str, roots: list[Path]) -> Iterator[str]:
    for root in roots:
        if not root.is_dir():
            continue
        for count, entry in enumerate(root.iterdir()):
            if count >= _LIMIT:
                break
            manifest = entry / "node_modules" / Path(*name.split("/")) / "package.json"
            try:
                data = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(data, dict) and data.get("name") == name \
                    and isinstance(data.get("version"), str):
                yield data["version"]


def _uv_dirs(home: Path, env: Mapping[str, str]) -> list[Path]:
    cache = Path(env["UV_CACHE_DIR"]) if env.get("UV_CACHE_DIR") else (
        Path(env["XDG_CACHE_HOME"]) / "uv" if env.get("XDG_CACHE_HOME") else home / ".cache" / "uv")
    tools = Path(env["UV_TOOL_DIR"]) if env.get("UV_TOOL_DIR") else (
        Path(env["XDG_DATA_HOME"]) / "uv" / "tools" if env.get("XDG_DATA_HOME")
        else home / ".local" / "share" / "uv" / "tools")
    places = [cache / "archive-v0", tools, home / "Library" / "Caches" / "uv" / "archive-v0"]
    if env.get("LOCALAPPDATA"):
        places.append(Path(env["LOCALAPPDATA"]) / "uv" / "cache" / "archive-v0")
    if env.get("APPDATA"):  # uv's data directory on Windows; older releases: uv\tools
        places += [Path(env["APPDATA"]) / "uv" / "data" / "tools",
                   Path(env["APPDATA"]) / "uv" / "tools"]
    return places


def _python(name: str, roots: list[Path]) -> Iterator[str]:
    wanted = normalise_name("pypi", name)
    for root in roots:
        if not root.is_dir():
            continue
        for count, env_dir in enumerate(root.iterdir()):
            if count >= _LIMIT:
                break
            for info in [*env_dir.glob("lib/python3*/site-packages/*.dist-info"),
                         *env_dir.glob("Lib/site-packages/*.dist-info")]:
                dist, _, version = info.name.removesuffix(".dist-info").partition("-")
                if version and normalise_name("pypi", dist) == wanted \
                        and re.match(r"^[\w.+!]+$", version):
                    yield version
