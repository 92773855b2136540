"""The machine a run looks at: home, current directory, workspaces, environment, platform.

Everything that finds files on disk takes a `Machine` instead of asking the OS, so tests and drills
point a whole run at a sandbox by building a different one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

PLATFORMS = ("linux", "darwin", "win32")


@dataclass(frozen=True)
class Machine:
    home: Path
    cwd: Path
    workspaces: tuple[Path, ...] = ()
    env: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    platform: str = "linux"  # "linux" | "darwin" | "win32"
    # Where system-wide files (/etc, /Library, C:\ProgramData) are looked for: "/" on a live
    # machine; a mounted disk image or a test sandbox otherwise.
    root: Path = Path("/")

    @classmethod
    def current(cls, workspaces: tuple[Path, ...] = ()) -> Machine:
        env = dict(os.environ)
        home = Path(env.get("HOME") or env.get("USERPROFILE") or Path("~").expanduser())
        # RESPONDER_PLATFORM and RESPONDER_SYSTEM_ROOT examine another OS's layout (a mounted
        # disk, a test sandbox) without running on it.
        platform = env.get("RESPONDER_PLATFORM") or (
            sys.platform if sys.platform in ("darwin", "win32") else "linux")
        if platform not in PLATFORMS:
            platform = "linux"
        return cls(
            home=home,
            cwd=Path.cwd(),
            workspaces=tuple(Path(w).expanduser().resolve() for w in workspaces),
            env=MappingProxyType(env),
            platform=platform,
            root=Path(env.get("RESPONDER_SYSTEM_ROOT") or "/"),
        )

    def system(self, path: str) -> Path:
        """A system-wide path ("/etc/codex/config.toml", "ProgramData/x") under `root`."""
        return self.root / path.lstrip("/")

    def workspace_roots(self) -> tuple[Path, ...]:
        """The current directory first, then each --workspace, without duplicates."""
        seen: dict[Path, None] = {}
        for root in (self.cwd, *self.workspaces):
            seen.setdefault(root.resolve(), None)
        return tuple(seen)
