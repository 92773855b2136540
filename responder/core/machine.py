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


@dataclass(frozen=True)
class Machine:
    home: Path
    cwd: Path
    workspaces: tuple[Path, ...] = ()
    env: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    platform: str = "linux"  # "linux" | "darwin" | "win32"

    @classmethod
    def current(cls, workspaces: tuple[Path, ...] = ()) -> Machine:
        env = dict(os.environ)
        home = Path(env.get("HOME") or Path("~").expanduser())
        return cls(
            home=home,
            cwd=Path.cwd(),
            workspaces=tuple(Path(w).expanduser().resolve() for w in workspaces),
            env=MappingProxyType(env),
            platform=sys.platform if sys.platform in ("darwin", "win32") else "linux",
        )

    def workspace_roots(self) -> tuple[Path, ...]:
        """The current directory first, then each --workspace, without duplicates."""
        seen: dict[Path, None] = {}
        for root in (self.cwd, *self.workspaces):
            seen.setdefault(root.resolve(), None)
        return tuple(seen)
