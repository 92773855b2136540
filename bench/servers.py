#!/usr/bin/env python3
"""`responder servers` on a busy machine: every client configured and 500 workspace folders.

The bar (issue): "A home with all clients configured and 500 workspace folders: `responder
servers` completes in under 1 s". This script builds such a machine in a temporary directory, on
the Linux layout:

- every client's user files, from the golden fixtures' `before` files (fixtures/clients/*/,
  `@PROJECT@` substituted), several servers each: Kiro (user, agent, Power), Claude Code
  (`~/.claude.json` with user servers and one `projects` record per folder, plugin, managed),
  Claude Desktop, Cursor, VS Code (user, profile, legacy settings), Windsurf, Cline, Roo Code,
  Continue (config.yaml and a block), Zed, Gemini CLI (user and system), Codex (user with
  `[projects]` tables, and system), Amazon Q (user and agent), Goose, Junie, LM Studio, Copilot CLI.
  Visual Studio has no Linux layout and is the one client without files here;
- N project folders (default 500), each with a few ordinary files and four project configs
  (`--per-folder`): `.mcp.json`, `.vscode/mcp.json`, and two more in rotation among
  `.cursor/mcp.json`, `.kiro/settings/mcp.json`, `.roo/mcp.json`, `.gemini/settings.json`,
  `.codex/config.toml`, `.zed/settings.json`, `.continue/mcpServers/servers.json`,
  `.amazonq/mcp.json`, `.junie/mcp/mcp.json`. Most are registered in `~/.claude.json`
  `projects`, the rest only in VS Code's and Cursor's `workspaceStorage` and Codex's `[projects]`
  (some in several).

It then times `responder servers --json` as a fresh process (HOME and RESPONDER_SYSTEM_ROOT
pointing into the sandbox, RESPONDER_PLATFORM=linux, the clients' relocation variables unset),
median and max over RUNS, and the in-process scan `responder.engine.inventory.servers(machine=...)`
(first call and median of the rest), and prints the files and servers found and whether the 1 s
bar holds. `--profile` adds a cProfile of one in-process scan.

Usage: python bench/servers.py [RUNS] [--folders N] [--per-folder K] [--profile] [--keep]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import MappingProxyType
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures" / "clients"
PLACEHOLDER = "@PROJECT@"
BAR_SECONDS = 1.0

# Variables that relocate client files; the host's values must not leak into the sandbox.
RELOCATIONS = ("XDG_CONFIG_HOME", "APPDATA", "LOCALAPPDATA", "CODEX_HOME", "COPILOT_HOME",
               "GEMINI_CLI_HOME", "GEMINI_CLI_SYSTEM_SETTINGS_PATH", "CONTINUE_GLOBAL_DIR",
               "CLINE_DIR", "CLINE_DATA_DIR", "CLINE_MCP_SETTINGS_PATH", "VSCODE_PORTABLE",
               "FLATPAK_XDG_CONFIG_HOME", "CLAUDE_CONFIG_DIR", "ProgramData", "ProgramFiles",
               "RESPONDER_PLATFORM", "RESPONDER_SYSTEM_ROOT", "USERPROFILE")

# Where each user-level fixture goes, relative to the home ("~") or the system root ("/").
USER_FILES = {
    "~/.kiro/settings/mcp.json": "kiro/user-powers-and-mcpservers.before.json",
    "~/.kiro/agents/reviewer.json": "kiro/agent-reviewer.before.json",
    "~/.kiro/powers/installed/github/mcp.json": "kiro/workspace-remote-only-server.before.json",
    "~/.claude/plugins/cache/official/github/1.0.0/.mcp.json":
        "claude-code/project-mcp-json.before.json",
    "/etc/claude-code/managed-mcp.json": "claude-code/managed-linux.before.json",
    "~/.config/Claude/claude_desktop_config.json":
        "claude-desktop/macos-github-middle.before.json",
    "~/.cursor/mcp.json": "cursor/user-linux.before.json",
    "~/.config/Code/User/mcp.json": "vscode/user-linux.before.json",
    "~/.config/Code/User/profiles/5f3e1a2b/mcp.json": "vscode/profile-linux.before.json",
    "~/.config/Code/User/settings.json": "vscode/settings-legacy-linux.before.json",
    "~/.codeium/windsurf/mcp_config.json": "windsurf/user-linux.before.json",
    "~/.cline/data/settings/cline_mcp_settings.json": "cline/linux-autoapprove-last.before.json",
    "~/.config/Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json":
        "roo-code/global-linux.before.json",
    "~/.continue/config.yaml": "continue/config-yaml-linux.before.yaml",
    "~/.continue/mcpServers/github.yaml": "continue/block-yaml-only-item-win32.before.yaml",
    "~/.config/zed/settings.json": "zed/user-linux-enabled-true.before.json",
    "~/.gemini/settings.json": "gemini-cli/user-linux.before.json",
    "/etc/gemini-cli/settings.json": "gemini-cli/project-linux.before.json",
    "~/.codex/config.toml": "codex/user-linux.before.toml",
    "/etc/codex/config.toml": "codex/project-darwin-enabled-true.before.toml",
    "~/.aws/amazonq/mcp.json": "amazon-q/user-linux.before.json",
    "~/.aws/amazonq/cli-agents/dev.json": "amazon-q/agent-dev.before.json",
    "~/.config/goose/config.yaml": "goose/user-linux.before.yaml",
    "~/.junie/mcp/mcp.json": "junie/user-linux.before.json",
    "~/.lmstudio/mcp.json": "lm-studio/user-linux.before.json",
    "~/.copilot/mcp-config.json": "copilot-cli/user-linux.before.json",
}

# Every project has the first two; the rest rotate, two per project.
PROJECT_ALWAYS = {
    ".mcp.json": "claude-code/project-mcp-json.before.json",
    ".vscode/mcp.json": "vscode/workspace-linux.before.json",
}
PROJECT_ROTATION = (
    (".cursor/mcp.json", "cursor/project-win32-crlf-github-last.before.json"),
    (".kiro/settings/mcp.json", "kiro/workspace-remote-only-server.before.json"),
    (".roo/mcp.json", "roo-code/project-tabs-alwaysallow-last.before.json"),
    (".gemini/settings.json", "gemini-cli/project-linux.before.json"),
    (".codex/config.toml", "codex/project-darwin-enabled-true.before.toml"),
    (".zed/settings.json", "zed/project-linux-tabs.before.json"),
    (".continue/mcpServers/servers.json", "continue/block-json-linux.before.json"),
    (".amazonq/mcp.json", "amazon-q/project-darwin-disabled-false.before.json"),
    (".junie/mcp/mcp.json", "junie/project-darwin-github-last.before.json"),
)
ORDINARY = {  # what else sits at a project's top level (the `*.code-workspace` glob lists it)
    "README.md": "# project\n",
    "package.json": '{"name": "p", "private": true}\n',
    ".gitignore": "node_modules/\n",
    "LICENSE": "MIT\n",
    "src/index.ts": "export {};\n",
    "src/lib/util.ts": "export const x = 1;\n",
    "tests/index.test.ts": "test('x', () => {});\n",
    ".git/HEAD": "ref: refs/heads/main\n",
    "docs/index.md": "# docs\n",
}


def fixture(name: str, project: Path | None = None) -> bytes:
    data = (FIXTURES / name).read_bytes()
    return data.replace(PLACEHOLDER.encode(), (project or Path("/nonexistent")).as_posix()
                        .encode())


def put(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def build(base: Path, folders: int, per_folder: int = 4) -> tuple[Path, Path, list[Path]]:
    home, root, work = base / "home", base, base / "work"
    for folder in (home, work):
        folder.mkdir(parents=True)
    for where, name in USER_FILES.items():
        put(root / where[1:] if where.startswith("/") else home / where[2:], fixture(name))

    projects = [base / "src" / f"project-{i:03d}" for i in range(folders)]
    for i, project in enumerate(projects):
        for rel, text in ORDINARY.items():
            put(project / rel, text)
        rotating = [PROJECT_ROTATION[(i + 4 * n) % len(PROJECT_ROTATION)]
                    for n in range(max(per_folder - len(PROJECT_ALWAYS), 0))]
        for rel, name in [*PROJECT_ALWAYS.items(), *rotating][:per_folder]:
            put(project / rel, fixture(name, project))

    # ~/.claude.json: the fixture's user servers and settings, one record per project (every
    # tenth with local servers and a disabled list), as Claude Code keeps them. The last 5% of
    # the folders are known only to VS Code, Cursor and Codex.
    claude = json.loads(fixture("claude-code/user-and-local.before.json"))
    template = next(iter(claude["projects"].values()))
    claude_known = projects[: folders - folders // 20]
    records = {}
    for i, project in enumerate(claude_known):
        record = json.loads(json.dumps(template))
        record["history"] = [{"display": f"fix issue #{i}-{n}", "pastedContents": {}}
                             for n in range(8)]
        if i % 10:
            record["mcpServers"], record["disabledMcpServers"] = {}, []
        records[str(project)] = record
    claude["projects"] = records
    put(home / ".claude.json", json.dumps(claude, indent=2))

    others = projects[len(claude_known):]
    codex = fixture("codex/user-linux.before.toml").decode()
    codex += "".join(f'\n[projects."{p}"]\ntrust_level = "trusted"\n'
                     for p in others + projects[:40])
    put(home / ".codex" / "config.toml", codex)
    for app, chosen in (("Code", projects[::4] + others), ("Cursor", projects[1::10] + others)):
        for i, project in enumerate(chosen):
            record = {"folder": "file://" + quote(project.as_posix())}
            put(home / ".config" / app / "User" / "workspaceStorage" / f"{i:032x}" /
                "workspace.json", json.dumps(record))
    return home, work, projects


def count_files(base: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(base))


def responder_command() -> list[str]:
    exe = Path(sys.executable).with_name("responder")
    return [str(exe)] if exe.exists() else [shutil.which("responder") or "responder"]


def child_env(base: Path, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in RELOCATIONS}
    env.update(HOME=str(home), RESPONDER_SYSTEM_ROOT=str(base), RESPONDER_PLATFORM="linux",
               RESPONDER_STATE_DIR=str(base / "state"))
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="?", type=int, default=5,
                        help="fresh `responder servers --json` processes to time (default 5)")
    parser.add_argument("--folders", type=int, default=500, help="project folders (default 500)")
    parser.add_argument("--per-folder", type=int, default=4,
                        help="project configs in each folder (default 4: .mcp.json, "
                        ".vscode/mcp.json and two in rotation)")
    parser.add_argument("--profile", action="store_true",
                        help="print a cProfile of one in-process scan")
    parser.add_argument("--keep", action="store_true", help="keep the sandbox and print its path")
    args = parser.parse_args()

    sys.path.insert(0, str(REPO))
    from responder.core.machine import Machine
    from responder.engine.inventory import servers

    base = Path(tempfile.mkdtemp(prefix="responder-bench-servers-"))
    try:
        started = time.perf_counter()
        home, work, projects = build(base, args.folders, args.per_folder)
        built = time.perf_counter() - started
        print(f"sandbox: {count_files(base)} files, {len(projects)} project folders with "
              f"{args.per_folder} project config(s) each "
              f"(built in {built:.1f} s){'  ' + str(base) if args.keep else ''}")

        command = responder_command() + ["servers", "--json"]
        env = child_env(base, home)
        walls, output = [], None
        for _ in range(max(args.runs, 1)):
            start = time.perf_counter()
            done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
            walls.append(time.perf_counter() - start)
            if done.returncode not in (0, 2) or not done.stdout.startswith("{"):
                print(f"responder servers failed (exit {done.returncode}):\n{done.stderr}",
                      file=sys.stderr)
                return 1
            output = done
        data = json.loads(output.stdout)
        by_client = Counter(s["client"] for s in data["servers"])
        print(f"found: {data['files_scanned']} config files, {len(data['servers'])} servers, "
              f"{len(data['unparsed'])} unparsed; exit {output.returncode}")
        for problem in data["unparsed"][:5]:
            print(f"  unparsed: {problem['where']}: {problem['error']}")
        print("  servers by client: " + ", ".join(f"{c} {n}" for c, n in by_client.items()))

        machine = Machine(home=home, cwd=work, env=MappingProxyType({"HOME": str(home)}),
                          platform="linux", root=base)
        scans = []
        for _ in range(max(args.runs, 1) + 1):
            start = time.perf_counter()
            found = servers(machine=machine)
            scans.append(time.perf_counter() - start)
        assert found.files == data["files_scanned"] and len(found.servers) == len(data["servers"])

        median, worst = statistics.median(walls), max(walls)
        print(f"responder servers --json (fresh process)  median {median * 1000:7.1f} ms  "
              f"max {worst * 1000:7.1f} ms  (n={len(walls)})")
        print(f"in-process scan (inventory.servers)        first  {scans[0] * 1000:7.1f} ms  "
              f"median of the rest {statistics.median(scans[1:]) * 1000:7.1f} ms")
        holds = worst < BAR_SECONDS
        print(f"bar: under {BAR_SECONDS:.0f} s -> {'HOLDS' if holds else 'MISSED'} "
              f"(max {worst:.3f} s)")

        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            servers(machine=machine)
            profiler.disable()
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(30)
            print(text.getvalue())
        return 0 if holds else 1
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
