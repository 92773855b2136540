"""Find the running processes of a server from what its configs say starts it.

Precision matters more than recall here: whatever is found is offered for stopping. A process
matches a launch only when its argv contains the launch's own argv (program compared by name,
arguments in order as one contiguous run), or when its argv shows the launch's package really
running (`node …/node_modules/@scope/pkg/…`, `npm exec @scope/pkg`, `uv tool run pkg`, a
`docker run … image` client). responder's own process and its ancestors are never matched.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass

import psutil

from responder.maintainers.identity import launch_argv, package_of, program_name


@dataclass(frozen=True)
class Launch:
    """What the configs say starts the server."""

    command: str | None
    args: tuple[str, ...]
    package: str | None  # PackageIdentity.key, or None


@dataclass(frozen=True)
class ServerProcess:
    pid: int
    create_time: float  # guards against PID reuse when stopping
    name: str
    cmdline: tuple[str, ...]  # may hold secrets: scrub and mask before showing
    username: str | None
    matched: str  # why it matched


ARGV_REASON = "argv contains the launch command"

# Interpreters and launchers that, without arguments, say nothing about which server runs:
# a launch of bare `node` must not match every node process on the machine.
_GENERIC = frozenset({
    "node", "nodejs", "bun", "bunx", "deno", "npx", "npm", "pnpm", "pnpx", "yarn", "uv", "uvx",
    "pipx", "docker", "podman", "sh", "bash", "zsh", "dash", "cmd", "env", "go", "java", "ruby",
    "tsx", "ts-node", "powershell", "pwsh",
})
_PYTHON = re.compile(r"^(?:python|pythonw|py)(?:\d+(?:\.\d+)*)?$")
# Interpreters whose argv[1] may be a launcher script (`node /usr/bin/npx -y pkg`).
_INTERPRETERS = frozenset({"node", "nodejs", "bun"})
# The scripts npm, pnpm and yarn install, as they appear after `node` in a process's argv.
_LAUNCHER_SCRIPTS = {"npx-cli.js": "npx", "npm-cli.js": "npm", "pnpm.cjs": "pnpm",
                     "pnpx.cjs": "pnpx", "yarn.js": "yarn", "yarn.cjs": "yarn"}
# Local code (`path`) is matched by argv only: a relative script path names nothing unique.
_UNMATCHABLE_ECOSYSTEMS = ("path",)


def find(launches: Sequence[Launch], *, exclude: Collection[int] = ()) -> list[ServerProcess]:
    """Every running process of any of the launches, in process-table order."""
    patterns = [_ArgvPattern.of(launch) for launch in launches]
    packages = {launch.package for launch in launches
                if launch.package and not launch.package.startswith(_UNMATCHABLE_ECOSYSTEMS)}
    excluded = set(exclude) | responder_lineage()
    found = []
    for info in _processes():
        if info["pid"] in excluded:
            continue
        reason = _match(tuple(info["cmdline"]), patterns, packages)
        if reason is not None:
            found.append(ServerProcess(
                pid=info["pid"], create_time=float(info["create_time"] or 0.0),
                name=info["name"] or "", cmdline=tuple(info["cmdline"]),
                username=info["username"], matched=reason))
    return found


def _processes() -> Iterator[dict]:
    """One pass over the process table; processes that vanish or deny access are skipped."""
    attrs = ["pid", "name", "cmdline", "create_time", "username"]
    for proc in psutil.process_iter(attrs):
        try:
            info = dict(proc.info)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        # process_iter stores None for attributes it was denied (or a zombie's argv).
        if info.get("cmdline"):
            yield info


def responder_lineage() -> set[int]:
    """responder and what started it: its shell or test runner may carry the server's argv."""
    pids = {os.getpid()}
    try:
        pids.update(parent.pid for parent in psutil.Process().parents())
    except psutil.Error:
        pids.add(os.getppid())
    return pids


def _match(argv: tuple[str, ...], patterns: Sequence[_ArgvPattern],
           packages: set[str]) -> str | None:
    if any(pattern.matches(argv) for pattern in patterns):
        return ARGV_REASON
    if packages:
        for key, description in _running_packages(argv):
            if key in packages:
                return f"runs {description}"
    return None


@dataclass(frozen=True)
class _ArgvPattern:
    program: str
    args: tuple[re.Pattern[str], ...]
    enabled: bool

    @classmethod
    def of(cls, launch: Launch) -> _ArgvPattern:
        argv = launch_argv(launch.command, launch.args)
        if not argv:
            return cls("", (), False)
        program = program_name(argv[0])
        generic = program in _GENERIC or bool(_PYTHON.match(program))
        return cls(program, tuple(_arg_pattern(a) for a in argv[1:]),
                   enabled=bool(argv[1:]) or not generic)

    def matches(self, argv: Sequence[str]) -> bool:
        if not self.enabled:
            return False
        width = len(self.args)
        for start in range(len(argv) - width):
            if program_name(argv[start]) != self.program:
                continue
            window = argv[start + 1:start + 1 + width]
            if all(p.fullmatch(a) for p, a in zip(self.args, window, strict=True)):
                return True
        return False


def _arg_pattern(arg: str) -> re.Pattern[str]:
    """An argument as configured; a `${VAR}` reference matches whatever the client put there."""
    pieces = re.split(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}", arg)
    return re.compile(".*".join(re.escape(p) for p in pieces), re.DOTALL)


def _running_packages(argv: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """(key, "npm package @x/y") for each package the argv shows running."""
    for command, rest in _launch_candidates(argv):
        identity = package_of(command, rest)
        if identity is not None and identity.ecosystem not in _UNMATCHABLE_ECOSYSTEMS:
            kind = _ECOSYSTEM_NAMES.get(identity.ecosystem, identity.ecosystem)
            yield identity.key, f"{kind} {identity.name}"


_ECOSYSTEM_NAMES = {"npm": "npm package", "pypi": "PyPI package", "oci": "image",
                    "jsr": "JSR package", "go": "Go module", "vcs": "git source",
                    "python-module": "Python module"}


def _launch_candidates(argv: tuple[str, ...]) -> Iterator[tuple[str, list[str]]]:
    """The argv itself, and for `node /path/npx-cli.js …` the launcher script as the command."""
    yield argv[0], list(argv[1:])
    if program_name(argv[0]) not in _INTERPRETERS:
        return
    for index, token in enumerate(argv[1:], start=1):
        if token.startswith("-"):
            continue  # node's own options before the script
        script = program_name(token)
        launcher = _LAUNCHER_SCRIPTS.get(script, script)
        if launcher in ("npx", "npm", "pnpm", "pnpx", "yarn", "bunx"):
            yield launcher, list(argv[index + 1:])
        return
