"""Package identity from an MCP server's launch command (shared/reference/maintainers.md §1).

`package_of("npx", ["-y", "@acme/mcp-weather@2.1.0"])` answers *which package does this config
run*: npm `@acme/mcp-weather`, version `2.1.0`, launched by `npx`. The answer feeds maintainer
discovery and the matching of running processes, so the parser is strict: options are told apart
from the first positional with the launchers' own value-flag lists (`launcher_flags.json`), and
anything it does not understand yields None rather than a guess.

Ecosystems: `npm`, `pypi`, `oci` (container images), `jsr`, `go`, `vcs` (a git source such as
`git+https://github.com/o/r`), `url` (a tarball or wheel URL), `path` (local code) and
`python-module` (`python -m x` whose distribution could not be read from the interpreter's venv).
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class PackageIdentity:
    ecosystem: str
    name: str  # canonical: "@scope/pkg", "mcp-server-fetch", "docker.io/library/alpine"
    version: str | None = None  # version, range, tag or digest exactly as pinned; None if floating
    launcher: str | None = None  # "npx", "uvx", "docker", "pnpm dlx", "python -m", ...
    # What else changes the source: each is a finding in its own right (§1.1 rule 6).
    registry: str | None = None  # custom registry or package index
    extras: tuple[str, ...] = ()  # PEP 508 extras: acme-mcp[redis]
    additions: tuple[str, ...] = ()  # packages installed alongside (uvx --with)
    binary: str | None = None  # the command or module run from the package, when it differs

    @property
    def key(self) -> str:
        """`ecosystem:normalised-name`, the same for every version and spelling of a package."""
        return f"{self.ecosystem}:{normalise_name(self.ecosystem, self.name)}"


def normalise_name(ecosystem: str, name: str) -> str:
    if ecosystem == "pypi":
        return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503
    if ecosystem in ("npm", "jsr", "oci", "vcs"):
        # npm and JSR names are lower-case by rule; image paths must be, and the registry host
        # and git hosts compare case-insensitively.
        return name.lower()
    return name


# --- the command line -----------------------------------------------------------------------

_EXTENSIONS = (".exe", ".cmd", ".bat", ".ps1")


def program_name(command: str) -> str:
    """`/usr/local/bin/npx`, `C:\\nodejs\\npx.cmd` and `NPX.CMD` are all `npx`."""
    base = re.split(r"[\\/]", command.strip().strip("\"'"))[-1].lower()
    for extension in _EXTENSIONS:
        if base.endswith(extension):
            return base[: -len(extension)]
    return base


def launch_argv(command: str | None, args: Sequence[str]) -> list[str]:
    """The argv a config describes; a command with spaces and no args is split like a shell."""
    if not command or not command.strip():
        return []
    argv_args = [str(a) for a in args]
    if argv_args or not re.search(r"\s", command.strip()):
        return [command, *argv_args]
    return split_command(command.strip())


def split_command(text: str) -> list[str]:
    if "\\" in text:
        # Windows paths: POSIX rules would eat the backslashes.
        try:
            return [t.strip("\"'") for t in shlex.split(text, posix=False)]
        except ValueError:
            return text.split()
    try:
        return shlex.split(text)
    except ValueError:  # unbalanced quotes: the best a human reading it would do
        return text.split()


@cache
def launcher_flags() -> dict[str, Any]:
    text = resources.files("responder.maintainers").joinpath("launcher_flags.json").read_text()
    return json.loads(text)


def _value_flags(launcher: str) -> frozenset[str]:
    data = launcher_flags()[launcher]
    if launcher == "docker_run":
        return frozenset(data["value_flags_long"] + data["value_flags_short"])
    return frozenset(data["value_flags"])


@dataclass(frozen=True)
class _Scan:
    options: tuple[tuple[str, str | None], ...]  # (flag, value) in order
    rest: tuple[str, ...]  # the first positional and everything after it

    def values(self, *flags: str) -> list[str]:
        return [v for f, v in self.options if f in flags and v is not None]

    def first(self, *flags: str) -> str | None:
        found = self.values(*flags)
        return found[0] if found else None


def _scan(args: Sequence[str], value_flags: frozenset[str]) -> _Scan:
    """Split launcher options from the first positional (§1.1 rules 3 and 4).

    `--flag=value` is self-contained; a listed value flag takes the next argument; any other flag
    is boolean. Short flags may be clustered (`-it`) and carry attached values (`-eFOO=bar`).
    `--` ends the options: the next argument is the positional.
    """
    options: list[tuple[str, str | None]] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            return _Scan(tuple(options), tuple(args[index + 1:]))
        if not arg.startswith("-") or arg == "-":
            break
        consumed = _option(arg, args[index + 1] if index + 1 < len(args) else None,
                           value_flags, options)
        index += 1 + consumed
    return _Scan(tuple(options), tuple(args[index:]))


def _option(arg: str, following: str | None, value_flags: frozenset[str],
            options: list[tuple[str, str | None]]) -> int:
    """Record one option argument; return how many following arguments it consumed."""
    if arg.startswith("--"):
        name, eq, value = arg.partition("=")
        if eq:
            options.append((name, value))
            return 0
        if name in value_flags and following is not None:
            options.append((name, following))
            return 1
        options.append((name, None))
        return 0
    for position in range(1, len(arg)):
        flag = "-" + arg[position]
        if flag not in value_flags:
            options.append((flag, None))
            continue
        attached = arg[position + 1:].removeprefix("=")  # pflag also accepts -e=FOO
        if attached:
            options.append((flag, attached))
            return 0
        options.append((flag, following))
        return 1 if following is not None else 0
    return 0


# --- entry point ------------------------------------------------------------------------------

def package_of(command: str | None, args: Sequence[str]) -> PackageIdentity | None:
    """The package, image or local code a launch command runs; None when it cannot be told."""
    return _identify(launch_argv(command, args), depth=0)


_MAX_WRAPPERS = 4  # `cmd /c env X=1 sh -c "npx …"` is deep enough; guards against loops


def _identify(argv: Sequence[str], depth: int) -> PackageIdentity | None:
    if not argv or depth > _MAX_WRAPPERS:
        return None
    program, rest = program_name(argv[0]), list(argv[1:])
    if program in _WRAPPERS:
        inner = _WRAPPERS[program](rest)
        return _identify(inner, depth + 1) if inner else None
    if program in _SHELLS:
        return _shell(program, rest, depth)
    handler = _LAUNCHERS.get(program)
    if handler is not None:
        return handler(rest)
    if _PYTHON.match(program):
        return _python(argv[0], rest)
    if re.search(r"[\\/]", argv[0]):
        return local_identity(argv[0], launcher=None)
    return None


# --- wrappers (§1.1 rule 5) -------------------------------------------------------------------

def _unwrap_env(rest: list[str]) -> list[str]:
    index = 0
    while index < len(rest):
        arg = rest[index]
        if arg in ("-S", "--split-string") and index + 1 < len(rest):
            return split_command(rest[index + 1]) + rest[index + 2:]
        if arg.startswith("--split-string="):
            return split_command(arg.partition("=")[2]) + rest[index + 1:]
        if arg in ("-u", "--unset", "-C", "--chdir"):
            index += 2
        elif arg.startswith("-") or re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", arg):
            index += 1  # -i, --unset=X, and NAME=VALUE assignments
        else:
            break
    return rest[index:]


def _unwrap_cmd(rest: list[str]) -> list[str]:
    for index, arg in enumerate(rest):
        if arg.lower() in ("/c", "/k"):
            tail = rest[index + 1:]
            return split_command(tail[0]) + tail[1:] if len(tail) == 1 else tail
        if not arg.startswith("/"):
            return []
    return []


_WRAPPERS: dict[str, Callable[[list[str]], list[str]]] = {"env": _unwrap_env, "cmd": _unwrap_cmd}
_SHELLS = frozenset({"sh", "bash", "zsh", "dash"})


def _shell(program: str, rest: list[str], depth: int) -> PackageIdentity | None:
    """`sh -c "npx -y x"` is unwrapped; `sh script.sh` is local code."""
    for index, arg in enumerate(rest):
        if re.fullmatch(r"-[a-z]*c[a-z]*", arg):
            if index + 1 >= len(rest):
                return None
            inner = split_command(rest[index + 1])
            return _identify(inner[1:] if inner[:1] == ["exec"] else inner, depth + 1)
        if not arg.startswith("-"):
            return local_identity(arg, launcher=program)
    return None


# --- npm and friends --------------------------------------------------------------------------

_NPM_NAME = re.compile(r"^(?:@[A-Za-z0-9][\w.~-]*/)?[A-Za-z0-9~-][\w.~-]*$")
_GIT_HOSTS = {"github": "github.com", "gitlab": "gitlab.com", "bitbucket": "bitbucket.org",
              "gist": "gist.github.com"}


def npm_spec(spec: str, *, launcher: str | None = None, registry: str | None = None,
             binary: str | None = None) -> PackageIdentity | None:
    """An npm package spec (§1.3): `@scope/name@1.2.3`, `name@latest`, alias, git, URL or path."""
    text = spec.strip().removeprefix("npm:")
    common: dict[str, Any] = {"launcher": launcher, "registry": registry, "binary": binary}
    if not text:
        return None
    if _is_local_path(text):
        return PackageIdentity("path", text.removeprefix("file:"), None, **common)
    source = vcs_source(text)
    if source is not None:
        return PackageIdentity("vcs", source[0], source[1], **common)
    if re.match(r"^https?://", text):
        return PackageIdentity("url", text, None, **common)
    shorthand = re.fullmatch(r"([A-Za-z0-9][\w.-]*/[\w.-]+)(?:#(.+))?", text)
    if shorthand:  # npm reads a bare owner/repo as a GitHub repository
        return PackageIdentity("vcs", f"github.com/{shorthand.group(1).removesuffix('.git')}",
                               shorthand.group(2), **common)
    # Split at the first "@" after index 0, never at every "@": scoped names start with one.
    at = text.find("@", 1)
    name, version = (text, None) if at < 0 else (text[:at], text[at + 1:] or None)
    if version and version.startswith("npm:"):  # alias@npm:real@1.0 runs `real`
        return npm_spec(version, **common)
    if not _NPM_NAME.match(name) or name.startswith("@") and "/" not in name:
        return None
    return PackageIdentity("npm", name, version, **common)


def _is_local_path(text: str) -> bool:
    return bool(re.match(r"^(?:file:|\.{1,2}(?:[\\/]|$)|[\\/~]|[A-Za-z]:[\\/])", text))


def vcs_source(text: str) -> tuple[str, str | None] | None:
    """`git+https://github.com/o/r.git#v1` → ("github.com/o/r", "v1"); None if not a git source.

    Recognised: `github:`/`gitlab:`/`bitbucket:`/`gist:` shorthands, `git+<scheme>://`, `git://`,
    `ssh://`, scp-style `git@host:o/r.git`, and http(s) URLs ending in `.git`.
    """
    shorthand = re.match(r"^(github|gitlab|bitbucket|gist):([^#]+)(?:#(.+))?$", text)
    if shorthand:
        host = _GIT_HOSTS[shorthand.group(1)]
        return f"{host}/{shorthand.group(2).strip('/')}", shorthand.group(3)
    scp = re.match(r"^(?:git\+ssh://)?git@([\w.-]+):(?!//)([^#]+?)(?:\.git)?(?:#(.+))?$", text)
    if scp:
        return f"{scp.group(1).lower()}/{scp.group(2).strip('/')}", scp.group(3)
    is_git = re.match(r"^(?:git\+[a-z]+://|git://|ssh://)", text) or (
        re.match(r"^https?://", text) and re.search(r"\.git(?:[#@]|$)", text))
    if not is_git:
        return None
    parts = urlsplit(text.removeprefix("git+"))
    # pip's `#egg=name&subdirectory=dir` fragment names the project, not a ref.
    path, ref = parts.path, parts.fragment if "=" not in parts.fragment else None
    ref = ref or None
    if "@" in path:  # uv and pip put the ref after the path: repo.git@v1.0
        path, _, ref = path.partition("@")
    host = (parts.hostname or "").lower()
    return f"{host}/{path.strip('/').removesuffix('.git')}", ref


def _npm_like(rest: list[str], *, launcher: str, flags: str,
              package_flags: tuple[str, ...]) -> PackageIdentity | None:
    """npx, bunx, yarn dlx: `--package` names the package, else the first positional does."""
    scan = _scan(rest, _value_flags(flags))
    command = scan.rest[0] if scan.rest else None
    return _npm_result(scan, command, launcher=launcher, package_flags=package_flags)


def _npm_result(scan: _Scan, command: str | None, *, launcher: str,
                package_flags: tuple[str, ...]) -> PackageIdentity | None:
    registry = scan.first("--registry")
    package = scan.first(*package_flags)
    if package is not None:
        binary = program_name(command) if command else None
        return npm_spec(package, launcher=launcher, registry=registry, binary=binary)
    if command is None or scan.first("--call", "-c") is not None:
        return None  # `npx -c 'cmd'` without --package: nothing says which package
    script = _run_by_package(command, list(scan.rest[1:]))
    if script is not None:
        return script
    return npm_spec(command, launcher=launcher, registry=registry)


# npm packages whose job is to run a script file: in `npx -y tsx /srv/server.ts` the code that
# runs is the local file, and tsx's maintainers are not the server's.
_SCRIPT_RUNNERS = frozenset({"tsx", "ts-node", "node"})


def _run_by_package(spec: str, rest: list[str]) -> PackageIdentity | None:
    runner = npm_spec(spec)
    if runner is None or runner.ecosystem != "npm" or runner.name not in _SCRIPT_RUNNERS:
        return None
    return _node(runner.name)(rest)


def _npx(rest: list[str]) -> PackageIdentity | None:
    return _npm_like(rest, launcher="npx", flags="npx", package_flags=("--package", "-p"))


def _npm(rest: list[str]) -> PackageIdentity | None:
    # Under npm, -p means --parseable, not --package (§1.2).
    values = _value_flags("npx") - {"-p"}
    before = _scan(rest, values)
    if not before.rest or before.rest[0] not in ("exec", "x"):
        return None
    after = _scan(list(before.rest[1:]), values)
    merged = _Scan(before.options + after.options, after.rest)
    command = after.rest[0] if after.rest else None
    return _npm_result(merged, command, launcher="npm exec", package_flags=("--package",))


def _bunx(rest: list[str]) -> PackageIdentity | None:
    return _npm_like(rest, launcher="bunx", flags="bunx", package_flags=("--package", "-p"))


def _bun(rest: list[str]) -> PackageIdentity | None:
    if rest[:1] == ["x"]:
        return _npm_like(rest[1:], launcher="bun x", flags="bunx",
                         package_flags=("--package", "-p"))
    if rest[:1] == ["run"]:
        rest = rest[1:]
    # `bun install` or `bun run start` name no file; only a path or a script file is code.
    scan = _scan(rest, frozenset())
    if not scan.rest or not re.search(r"[\\/]|\.[cm]?[jt]sx?$", scan.rest[0]):
        return None
    return local_identity(scan.rest[0], launcher="bun")


def _pnpm(rest: list[str], launcher: str = "pnpm dlx") -> PackageIdentity | None:
    values = _value_flags("pnpm_dlx")
    before = _scan(rest, values)
    if launcher == "pnpm dlx":
        if not before.rest or before.rest[0] != "dlx":
            return None
        after = _scan(list(before.rest[1:]), values)
    else:
        after, before = before, _Scan((), ())
    merged = _Scan(before.options + after.options, after.rest)  # --package may precede dlx
    command = after.rest[0] if after.rest else None
    return _npm_result(merged, command, launcher=launcher, package_flags=("--package",))


def _yarn(rest: list[str]) -> PackageIdentity | None:
    if rest[:1] != ["dlx"]:
        return None
    return _npm_like(rest[1:], launcher="yarn dlx", flags="yarn_dlx",
                     package_flags=("--package", "-p"))


# --- Python -----------------------------------------------------------------------------------

_PYTHON = re.compile(r"^(?:python|pythonw|py)(?:\d+(?:\.\d+)*)?$")
_REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[(?P<extras>[^\]]*)\])?"
    r"\s*(?P<rest>.*?)\s*$")
_INDEX_FLAGS = ("--index", "--default-index", "--index-url", "-i", "--extra-index-url",
                "--find-links", "-f")


def python_requirement(text: str, *, launcher: str | None = None, **extra: Any
                       ) -> PackageIdentity | None:
    """A PEP 508 requirement or uv's `tool@version`; git, URL and path sources as such."""
    text = text.strip().strip("\"'")
    if not text:
        return None
    if _is_local_path(text):
        return PackageIdentity("path", text.removeprefix("file:"), None, launcher, **extra)
    source = vcs_source(text) if text.startswith(("git+", "git://")) else None
    if source is not None:
        return PackageIdentity("vcs", source[0], source[1], launcher, **extra)
    if re.match(r"^https?://", text):
        return PackageIdentity("url", text, None, launcher, **extra)
    match = _REQUIREMENT.match(text.split(";", 1)[0])
    if not match:
        return None
    extras = tuple(e.strip() for e in (match.group("extras") or "").split(",") if e.strip())
    rest = match.group("rest").strip("() ")
    if rest.startswith("@"):
        target = rest[1:].strip()
        if "://" in target or target.startswith(("git+", "file:")):  # name @ <direct URL>
            return python_requirement(target, launcher=launcher, **extra)
        version = target or None  # uv's tool@1.2.3 and tool@latest
    elif not rest or rest.startswith(("=", "<", ">", "~", "!")):
        version = _pinned(rest)
    else:
        return None  # "acme mcp" or similar: not a requirement
    return PackageIdentity("pypi", match.group("name"), version, launcher, extras=extras, **extra)


def _pinned(specifier: str) -> str | None:
    """`==1.4.2` → `1.4.2`; a range stays a range (`>=1.4`); nothing → None."""
    specifier = specifier.replace(" ", "")
    exact = re.fullmatch(r"===?([^,*]+)", specifier)
    if exact:
        return exact.group(1)
    return specifier or None


def _uv_tool_run(rest: list[str], launcher: str) -> PackageIdentity | None:
    scan = _scan(rest, _value_flags("uvx"))
    command = scan.rest[0] if scan.rest else None
    extra = {"registry": scan.first(*_INDEX_FLAGS),
             "additions": tuple(scan.values("--with", "--with-editable",
                                            "--with-requirements"))}
    source = scan.values("--from")
    if source:
        binary = program_name(command) if command else None
        identity = python_requirement(source[-1], launcher=launcher, binary=binary, **extra)
    elif command:
        identity = python_requirement(command, launcher=launcher, **extra)
    else:
        return None
    if identity is not None and identity.binary is not None \
            and normalise_name("pypi", identity.binary) == normalise_name("pypi", identity.name):
        identity = replace(identity, binary=None)
    return identity


def _uv(rest: list[str]) -> PackageIdentity | None:
    scan = _scan(rest, _value_flags("uvx"))
    if scan.rest[:2] == ("tool", "run"):
        return _uv_tool_run(list(scan.rest[2:]), "uv tool run")
    if scan.rest[:1] == ("run",):
        return _uv_run(scan, list(scan.rest[1:]))
    return None


def _uv_run(outer: _Scan, rest: list[str]) -> PackageIdentity | None:
    """`uv run --with acme-mcp python -m acme_mcp`: the `--with` package the command belongs to."""
    scan = _scan(rest, _value_flags("uvx"))
    options = _Scan(outer.options + scan.options, scan.rest)
    registry = options.first(*_INDEX_FLAGS)
    inner = _identify(list(scan.rest), depth=1) if scan.rest else None
    owner = _uv_with_owner(options.values("--with"), inner, scan.rest)
    if owner is not None:
        package, binary = owner
        return replace(package, launcher="uv run", registry=registry, binary=binary)
    project = options.first("--directory", "--project")
    if project is not None and (inner is None or inner.ecosystem in ("python-module", "path")):
        return PackageIdentity("path", project, None, "uv run", registry=registry)
    if inner is None and scan.rest and scan.rest[0].endswith(".py"):
        return local_identity(scan.rest[0], launcher="uv run")  # uv runs a .py as a script
    return inner


# The MCP Python SDK's `mcp` and FastMCP's `fastmcp` CLIs run a server *file*: `mcp install`
# writes `uv run --with mcp[cli] mcp run /abs/server.py`, fastmcp `... fastmcp run /abs/x.py:app`.
_MCP_CLIS = frozenset({"mcp", "fastmcp"})


def _mcp_cli(launcher: str) -> Callable[[list[str]], PackageIdentity | None]:
    def parse(rest: list[str]) -> PackageIdentity | None:
        if rest[:1] not in (["run"], ["dev"]):
            return None
        # Options may come before or after the file; the file is the argument shaped like one.
        for arg in rest[1:]:
            if arg.startswith("-") or re.match(r"^[a-z][a-z0-9+.-]*://", arg):
                continue
            path = re.sub(r"(\.py):[A-Za-z_][\w.]*$", r"\1", arg)  # server.py:app
            if path.endswith(".py") or re.search(r"[\\/]", path):
                return local_identity(path, launcher=f"{launcher} {rest[0]}")
        return None
    return parse


def _uv_with_owner(requirements: list[str], inner: PackageIdentity | None,
                   command: Sequence[str]) -> tuple[PackageIdentity, str] | None:
    """The `--with` package that provides the module or command `uv run` runs, if one does."""
    packages = [p for p in map(python_requirement, requirements)
                if p is not None and p.ecosystem == "pypi"]
    if inner is not None and inner.ecosystem == "python-module":
        module = normalise_name("pypi", inner.name)
        for package in packages:
            if normalise_name("pypi", package.name) == module:
                return package, inner.binary or inner.name
        return None
    # A bare command (an entry point) with a single --with package can only come from it.
    if inner is None and command and len(packages) == 1 and not re.search(r"[\\/]", command[0]):
        return packages[0], program_name(command[0])
    return None


def _pipx(rest: list[str]) -> PackageIdentity | None:
    values = _value_flags("pipx_run")
    before = _scan(rest, values)
    if not before.rest or before.rest[0] != "run":
        return None
    scan = _scan(list(before.rest[1:]), values)
    command = scan.rest[0] if scan.rest else None
    registry = scan.first("--index-url", "-i")
    spec = scan.first("--spec")
    if spec is not None:
        binary = program_name(command) if command else None
        identity = python_requirement(spec, launcher="pipx run", registry=registry,
                                      binary=binary)
        if identity is not None and binary == normalise_name("pypi", identity.name):
            identity = replace(identity, binary=None)
        return identity
    return python_requirement(command, launcher="pipx run", registry=registry) if command \
        else None


def _python(interpreter: str, rest: list[str]) -> PackageIdentity | None:
    """`python [opts] -m module` or `python [opts] file.py`; `-c code` says nothing."""
    index = 0
    while index < len(rest):
        arg = rest[index]
        if arg == "--" or not arg.startswith("-"):
            tail = rest[index + 1:] if arg == "--" else rest[index:]
            return local_identity(tail[0], launcher=program_name(interpreter)) if tail else None
        if arg == "-":
            return None  # code from stdin
        if arg.startswith("--"):
            index += 2 if arg == "--check-hash-based-pycs" else 1
            continue
        letters = arg[1:]
        for position, letter in enumerate(letters):
            if letter not in "mcXW":
                continue  # a boolean such as -u, -B, -I
            attached = letters[position + 1:]
            value = attached or (rest[index + 1] if index + 1 < len(rest) else "")
            if letter == "m":
                tail = rest[index + (1 if attached else 2):]
                if value in _MCP_CLIS and tail[:1] in (["run"], ["dev"]):
                    return _mcp_cli(value)(tail)
                return _module_identity(interpreter, value) if value else None
            if letter == "c":
                return None
            index += 0 if attached else 1  # -X opt / -W arg consumed the next argument
            break
        index += 1
    return None


def _module_identity(interpreter: str, module: str) -> PackageIdentity:
    top = module.split(".")[0]
    binary = module if module != top else None
    owner = _venv_module_owner(interpreter, top)
    if owner is not None:
        return PackageIdentity("pypi", owner, None, "python -m", binary=module)
    return PackageIdentity("python-module", top, None, "python -m", binary=binary)


def _venv_root(executable: str) -> Path | None:
    """The venv an absolute `…/bin/x` or `…\\Scripts\\x.exe` belongs to, if it is one."""
    path = Path(executable)
    if not path.is_absolute() or path.parent.name not in ("bin", "Scripts"):
        return None
    root = path.parent.parent
    try:
        return root if (root / "pyvenv.cfg").is_file() else None
    except OSError:
        return None


def _venv_module_owner(interpreter: str, top: str) -> str | None:
    """Which distribution installed `top` in the venv the config's interpreter runs in.

    Read from the venv's own `*.dist-info` files: responder's interpreter is not the one the
    client starts, so `importlib.metadata` here would answer the wrong question.
    """
    root = _venv_root(interpreter)
    if root is None:
        return None
    for dist in _distributions(str(root)):
        if top in dist.top_levels:
            return dist.name
    return None


def _venv_script_owner(script: str) -> str | None:
    """Which distribution's console script `…/venv/bin/<name>` is."""
    root = _venv_root(script)
    if root is None:
        return None
    name = program_name(script)
    for dist in _distributions(str(root)):
        if name in dist.scripts:
            return dist.name
    return None


@dataclass(frozen=True)
class _Dist:
    name: str
    top_levels: frozenset[str]
    scripts: frozenset[str]


@lru_cache(maxsize=32)
def _distributions(root: str) -> tuple[_Dist, ...]:
    found = []
    for site in _site_packages(Path(root)):
        for info in sorted(site.glob("*.dist-info")):
            try:
                found.append(_read_dist(info))
            except (OSError, UnicodeDecodeError):
                continue
    return tuple(found)


def _site_packages(root: Path) -> Iterator[Path]:
    yield from root.glob("lib/python*/site-packages")
    windows = root / "Lib" / "site-packages"
    if windows.is_dir():
        yield windows


def _read_dist(info: Path) -> _Dist:
    name = info.name.removesuffix(".dist-info").split("-")[0]
    metadata = info / "METADATA"
    if metadata.is_file():
        for line in metadata.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("name:"):
                name = line.split(":", 1)[1].strip()
                break
            if not line.strip():
                break
    return _Dist(name, _top_levels(info), _console_scripts(info))


def _top_levels(info: Path) -> frozenset[str]:
    listed = info / "top_level.txt"
    if listed.is_file():
        return frozenset(line.strip() for line in listed.read_text().splitlines() if line.strip())
    record = info / "RECORD"
    if not record.is_file():
        return frozenset()
    tops = set()
    for line in record.read_text(encoding="utf-8", errors="replace").splitlines():
        first = line.split(",", 1)[0].split("/", 1)[0]
        if first and not first.endswith((".dist-info", ".data", ".pth")) and first != "..":
            tops.add(first.removesuffix(".py"))
    return frozenset(tops)


def _console_scripts(info: Path) -> frozenset[str]:
    entry_points = info / "entry_points.txt"
    if not entry_points.is_file():
        return frozenset()
    scripts, section = set(), ""
    for line in entry_points.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line.strip("[]").strip()
        elif section in ("console_scripts", "gui_scripts") and "=" in line:
            scripts.add(line.split("=", 1)[0].strip().lower())
    return frozenset(scripts)


# --- local code -------------------------------------------------------------------------------

def local_identity(path: str, *, launcher: str | None) -> PackageIdentity:
    """Code run from a path: the npm package or venv distribution it lies in, else the path.

    `…/node_modules/@scope/pkg/dist/index.js` is `@scope/pkg`. A `node_modules/.bin/<bin>` link
    counts only once resolved into a package folder: the link's own name says nothing reliable.
    """
    package = _node_modules_package(path)
    if package is None and re.search(r"[\\/]node_modules[\\/]\.bin[\\/]", path):
        package = _node_modules_package(_resolve(path))
    if package is not None:
        return PackageIdentity("npm", package, None, launcher)
    owner = _venv_script_owner(path)
    if owner is not None:
        return PackageIdentity("pypi", owner, None, launcher, binary=program_name(path))
    return PackageIdentity("path", path, None, launcher)


def _node_modules_package(path: str) -> str | None:
    parts = re.split(r"[\\/]+", path)
    if "node_modules" not in parts:
        return None
    # The last node_modules wins: a nested dependency is the code that runs.
    index = len(parts) - 1 - parts[::-1].index("node_modules")
    tail = parts[index + 1:]
    if not tail or tail[0] == ".bin" or tail[0].startswith("."):
        return None
    if tail[0].startswith("@"):
        return f"{tail[0]}/{tail[1]}" if len(tail) > 1 and tail[1] else None
    return tail[0]


def _resolve(path: str) -> str:
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return path


_NODE_VALUES = frozenset({"-r", "--require", "--import", "--loader", "--experimental-loader",
                          "-C", "--conditions", "--title", "--env-file", "--input-type"})
_INLINE_CODE = frozenset({"-e", "--eval", "-p", "--print"})


def _script(rest: list[str], *, launcher: str, values: frozenset[str]) -> PackageIdentity | None:
    """`node [opts] script.js`: the script file is the code that runs."""
    scan = _scan(rest, values)
    if any(flag in _INLINE_CODE for flag, _ in scan.options) or not scan.rest:
        return None
    return local_identity(scan.rest[0], launcher=launcher)


def _node(launcher: str) -> Callable[[list[str]], PackageIdentity | None]:
    return lambda rest: _script(rest, launcher=launcher, values=_NODE_VALUES)


# --- containers -------------------------------------------------------------------------------

# docker's global options before the subcommand (§1.2); not in launcher_flags.json.
_DOCKER_GLOBAL_VALUES = frozenset({"--context", "-c", "--host", "-H", "--config", "--log-level",
                                   "-l", "--tlscacert", "--tlscert", "--tlskey"})
_IMAGE_PATH = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
                         r"(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")


def _container(launcher: str) -> Callable[[list[str]], PackageIdentity | None]:
    def parse(rest: list[str]) -> PackageIdentity | None:
        outer = _scan(rest, _DOCKER_GLOBAL_VALUES)
        sub = list(outer.rest)
        if sub[:2] == ["container", "run"]:
            sub = sub[2:]
        elif sub[:1] == ["run"]:
            sub = sub[1:]
        else:
            return None
        scan = _scan(sub, _value_flags("docker_run"))
        if not scan.rest:
            return None
        # Podman resolves short names through registries.conf: do not assume docker.io there.
        default = "docker.io" if launcher == "docker" else None
        parsed = image_reference(scan.rest[0], default_domain=default)
        return PackageIdentity("oci", parsed[0], parsed[1], launcher) if parsed else None
    return parse


def image_reference(ref: str, *, default_domain: str | None = "docker.io"
                    ) -> tuple[str, str | None] | None:
    """`acme/mcp:1.2` → ("docker.io/acme/mcp", "1.2"); the digest wins over the tag when pinned.

    distribution/reference: the first component is a registry host only if it is `localhost`,
    contains `.` or `:`, or has upper-case letters; Docker Hub names get `library/` when bare.
    """
    if not ref or ref.startswith("-") or re.search(r"\s", ref):
        return None
    name, _, digest = ref.partition("@")
    tag = None
    head, slash, last = name.rpartition("/")
    if ":" in last:
        last, _, tag = last.partition(":")
        name = f"{head}{slash}{last}"
    first, _, remote = name.partition("/")
    if remote and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        domain: str | None = first.lower()
    else:
        domain, remote = default_domain, name
    if domain == "index.docker.io":
        domain = "docker.io"
    if domain == "docker.io" and "/" not in remote:
        remote = f"library/{remote}"
    if not _IMAGE_PATH.match(remote):
        return None
    canonical = f"{domain}/{remote}" if domain else remote
    return canonical, digest or tag or None


# --- Deno and Go ------------------------------------------------------------------------------

# Permission flags take values only with "=" (§1.2); these take the next argument (UNCONFIRMED).
_DENO_VALUES = frozenset({"-c", "--config", "--import-map", "--lock", "--cert", "--location",
                          "--seed", "-L", "--log-level", "--ext", "--preload"})


def _deno(rest: list[str]) -> PackageIdentity | None:
    if rest[:1] not in (["run"], ["x"]):
        return None
    scan = _scan(rest[1:], _DENO_VALUES)
    if not scan.rest:
        return None
    target = scan.rest[0]
    for prefix, ecosystem in (("npm:", "npm"), ("jsr:", "jsr")):
        if target.startswith(prefix):
            parsed = _registry_specifier(target[len(prefix):])
            return PackageIdentity(ecosystem, parsed[0], parsed[1], "deno") if parsed else None
    if re.match(r"^https?://", target):
        return PackageIdentity("url", target, None, "deno")
    return PackageIdentity("path", target, None, "deno")


def _registry_specifier(text: str) -> tuple[str, str | None] | None:
    """`@scope/name@^2/sub/path` → ("@scope/name", "^2"): the sub-path is not the package."""
    scope = ""
    if text.startswith("@"):
        scope, _, text = text.partition("/")
        scope += "/"
    head = text.split("/", 1)[0]
    name, _, version = head.partition("@")
    full = scope + name
    if not name or not _NPM_NAME.match(full):
        return None
    return full, version or None


# Build flags of `go run` that take a value (`go help build`); single dash, long names.
_GO_VALUES = frozenset({"C", "p", "exec", "tags", "ldflags", "gcflags", "asmflags", "mod",
                        "modfile", "overlay", "pgo", "toolexec", "buildmode", "compiler",
                        "gccgoflags", "installsuffix", "pkgdir", "coverpkg", "covermode",
                        "buildvcs", "o"})
_GO_HOSTS = ("github.com/", "gitlab.com/", "bitbucket.org/", "golang.org/x/")


def _go(rest: list[str]) -> PackageIdentity | None:
    if rest[:1] != ["run"]:
        return None
    index, args = 0, rest[1:]
    while index < len(args) and args[index].startswith("-"):
        flag = args[index].lstrip("-")
        index += 2 if "=" not in flag and flag in _GO_VALUES else 1
    if index >= len(args):
        return None
    target, _, version = args[index].partition("@")
    if _is_local_path(target) or target.endswith(".go"):
        return PackageIdentity("path", target, None, "go run")
    module = _go_module(target)
    binary = target if target != module else None
    return PackageIdentity("go", module, version or None, "go run", binary=binary)


def _go_module(package: str) -> str:
    """The module root: host/owner/repo (plus /vN) on the big forges; else the whole path."""
    if not package.startswith(_GO_HOSTS):
        return package
    parts = package.split("/")
    size = 3
    if len(parts) > 3 and re.fullmatch(r"v\d+", parts[3]):
        size = 4
    return "/".join(parts[:size])


_LAUNCHERS: dict[str, Callable[[list[str]], PackageIdentity | None]] = {
    "npx": _npx,
    "npm": _npm,
    "bunx": _bunx,
    "bun": _bun,
    "pnpm": _pnpm,
    "pnpx": lambda rest: _pnpm(rest, launcher="pnpx"),
    "yarn": _yarn,
    "uvx": lambda rest: _uv_tool_run(rest, "uvx"),
    "uv": _uv,
    "pipx": _pipx,
    "node": _node("node"),
    "nodejs": _node("node"),
    "tsx": _node("tsx"),
    "ts-node": _node("ts-node"),
    "docker": _container("docker"),
    "podman": _container("podman"),
    "deno": _deno,
    "go": _go,
    "mcp": _mcp_cli("mcp"),
    "fastmcp": _mcp_cli("fastmcp"),
}


# --- remote servers ---------------------------------------------------------------------------

_DEFAULT_PORTS = {"http": 80, "https": 443}


def url_key(url: str | None) -> str | None:
    """A remote server's identity: `HTTPS://User@MCP.Example:443/sse/?x#y` → `https://mcp.example/sse`.

    Scheme and host lower-cased, default port dropped, no userinfo, query or fragment, no
    trailing slash. None for anything that is not an http(s) URL with a host.
    """
    if not url or not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"
