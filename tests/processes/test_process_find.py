"""Finding a server's running processes: real subprocesses for the argv rules, a fake process
table for the package rules and for processes that vanish mid-scan.

(Named test_process_find.py because tests/credentials/test_find.py takes the plain basename.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psutil
import pytest

from responder.processes import find as find_module
from responder.processes.find import ARGV_REASON, Launch, find, responder_lineage

SLEEPER = "import time; print('ready', flush=True); time.sleep(60)"


@pytest.fixture
def spawn():
    """Start sleeping Python processes with a chosen argv; every one is killed afterwards."""
    started: list[subprocess.Popen] = []

    def start(*argv: str) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, *argv], stdout=subprocess.PIPE, text=True)
        started.append(proc)
        assert proc.stdout.readline().strip() == "ready"  # running, argv in place
        return proc

    try:
        yield start
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)
            proc.stdout.close()


def marker() -> str:
    return f"--fake-mcp-marker-{uuid.uuid4().hex}"


def sleeper_launch(mark: str, package: str | None = None) -> Launch:
    return Launch(sys.executable, ("-c", SLEEPER, mark), package)


def pids(found) -> set[int]:
    return {p.pid for p in found}


# --- argv rule, real processes ------------------------------------------------------------------

def test_process_whose_argv_contains_the_launch_is_found(spawn):
    mine, other = marker(), marker()
    proc = spawn("-c", SLEEPER, mine)
    stranger = spawn("-c", SLEEPER, other)
    found = find([sleeper_launch(mine)])
    assert pids(found) == {proc.pid}
    assert stranger.pid not in pids(found)
    hit = found[0]
    assert hit.matched == ARGV_REASON
    assert hit.cmdline[-1] == mine
    assert hit.create_time == pytest.approx(psutil.Process(proc.pid).create_time())


def test_command_compared_by_basename_and_args_as_a_contiguous_run(spawn, tmp_path):
    mine = marker()
    script = tmp_path / "npx"  # stands in for `node /usr/local/bin/npx -y pkg`
    script.write_text(SLEEPER)
    proc = spawn(str(script), "-y", f"@acme/fake{mine}")
    assert pids(find([Launch("npx.cmd", ("-y", f"@acme/fake{mine}"), None)])) == {proc.pid}
    assert pids(find([Launch("C:\\nodejs\\npx", ("-y", f"@acme/fake{mine}"), None)])) == \
        {proc.pid}
    # Same arguments, not contiguous or in another order: no match.
    assert not find([Launch("npx", (f"@acme/fake{mine}",), None)])
    assert not find([Launch("npx", (f"@acme/fake{mine}", "-y"), None)])
    assert not find([Launch("uvx", ("-y", f"@acme/fake{mine}"), None)])


def test_command_with_spaces_and_no_args_is_split(spawn, tmp_path):
    mine = marker()
    script = tmp_path / "server.py"
    script.write_text(SLEEPER)
    proc = spawn(str(script), "--stdio", mine)
    python = Path(sys.executable).name  # python3 under pytest, python elsewhere
    assert pids(find([Launch(f"{python} {script} --stdio {mine}", (), None)])) == {proc.pid}


def test_env_reference_in_an_arg_matches_any_value(spawn):
    mine = marker()
    proc = spawn("-c", SLEEPER, mine, "--token-file=/run/secret-abc")
    launch = Launch(sys.executable, ("-c", SLEEPER, mine, "--token-file=${TOKEN_FILE}"), None)
    assert pids(find([launch])) == {proc.pid}


def test_excluded_pids_are_not_found(spawn):
    mine = marker()
    proc = spawn("-c", SLEEPER, mine)
    assert not find([sleeper_launch(mine)], exclude={proc.pid})


def test_responder_and_its_ancestors_are_never_found():
    own = psutil.Process().cmdline()
    lineage = responder_lineage()
    assert os.getpid() in lineage and os.getppid() in lineage
    found = find([Launch(own[0], tuple(own[1:]), None)])
    assert not pids(found) & lineage


def test_no_launches_find_nothing():
    assert find([]) == []


def test_interpreter_alone_matches_nothing(spawn):
    spawn("-c", SLEEPER, marker())
    assert not find([Launch(sys.executable, (), None), Launch("node", (), None)])


def test_package_rule_with_a_real_node_modules_layout(spawn, tmp_path):
    name = f"fake-{uuid.uuid4().hex[:12]}"
    package_dir = tmp_path / "_npx" / "ab12" / "node_modules" / "@acme" / name
    package_dir.mkdir(parents=True)
    cli = package_dir / "cli.py"
    cli.write_text(SLEEPER)
    bin_dir = package_dir.parent.parent / ".bin"
    bin_dir.mkdir()
    (bin_dir / name).symlink_to(cli)
    elsewhere = tmp_path / "other" / "cli.py"
    elsewhere.parent.mkdir()
    elsewhere.write_text(SLEEPER)
    (bin_dir / f"{name}-other").symlink_to(elsewhere)

    direct = spawn(str(cli))
    via_bin = spawn(str(bin_dir / name))
    not_ours = spawn(str(bin_dir / f"{name}-other"))
    launch = Launch("npx", ("-y", f"@acme/{name}@1.0.0"), f"npm:@acme/{name}")
    found = find([launch])
    assert pids(found) == {direct.pid, via_bin.pid}
    assert not_ours.pid not in pids(found)
    assert {p.matched for p in found} == {f"runs npm package @acme/{name}"}


def test_package_rule_with_a_venv_console_script(spawn, tmp_path):
    name = f"fake-mcp-{uuid.uuid4().hex[:12]}"
    venv = tmp_path / "venv"
    info = venv / "lib" / "python3.11" / "site-packages" / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("")
    (info / "METADATA").write_text(f"Name: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[console_scripts]\n{name} = x:main\n")
    (venv / "bin").mkdir()
    script = venv / "bin" / name
    script.write_text(SLEEPER)
    proc = spawn(str(script))
    found = find([Launch("uvx", (name,), f"pypi:{name}")])
    assert pids(found) == {proc.pid}
    assert found[0].matched == f"runs PyPI package {name}"


# --- package rule and robustness, fake process table -------------------------------------------

class FakeProc:
    def __init__(self, pid: int, cmdline, *, error: Exception | None = None):
        self._info = {"pid": pid, "name": "fake", "cmdline": cmdline, "create_time": 100.0 + pid,
                      "username": "dev"}
        self._error = error

    @property
    def info(self):
        if self._error is not None:
            raise self._error
        return self._info


@pytest.fixture
def table(monkeypatch):
    procs: list[FakeProc] = []

    def fake_iter(attrs):
        assert set(attrs) == {"pid", "name", "cmdline", "create_time", "username"}
        return iter(procs)

    monkeypatch.setattr(find_module.psutil, "process_iter", fake_iter)
    return procs


def test_package_rule_on_typical_server_processes(table):
    table.extend([
        FakeProc(9001, ["node", "/usr/local/bin/npx", "-y", "@acme/mcp@1.2.0"]),
        FakeProc(9002, ["node", "/home/u/.npm/_npx/1f2e/node_modules/@acme/mcp/dist/index.js"]),
        FakeProc(9003, ["node", "/usr/lib/node_modules/npm/bin/npm-cli.js", "exec", "@acme/mcp"]),
        FakeProc(9004, ["/usr/bin/docker", "run", "-i", "--rm", "-e", "GITHUB_TOKEN",
                        "ghcr.io/acme/mcp:1.2"]),
        FakeProc(9005, ["/home/u/.local/bin/uv", "tool", "run", "Acme_MCP"]),
        # Not running the package: an editor, an install, another package, another image.
        FakeProc(9101, ["vim", "/home/u/.npm/_npx/1f2e/node_modules/@acme/mcp/dist/index.js"]),
        FakeProc(9102, ["node", "/usr/lib/node_modules/npm/bin/npm-cli.js", "install",
                        "@acme/mcp"]),
        FakeProc(9103, ["node", "/srv/node_modules/@acme/mcp-other/index.js"]),
        FakeProc(9104, ["docker", "pull", "ghcr.io/acme/mcp:1.2"]),
        FakeProc(9105, ["docker", "run", "ghcr.io/acme/other"]),
    ])
    launches = [Launch("npx", ("-y", "@acme/mcp"), "npm:@acme/mcp"),
                Launch("docker", ("run", "ghcr.io/acme/mcp"), "oci:ghcr.io/acme/mcp"),
                Launch("uvx", ("acme-mcp",), "pypi:acme-mcp")]
    found = {p.pid: p.matched for p in find(launches)}
    assert set(found) == {9001, 9002, 9003, 9004, 9005}
    assert found[9002] == "runs npm package @acme/mcp"
    assert found[9004] == "runs image ghcr.io/acme/mcp"
    assert found[9005] == "runs PyPI package Acme_MCP"


def test_without_a_package_only_the_argv_rule_applies(table):
    table.append(FakeProc(9002, ["node", "/x/node_modules/@acme/mcp/dist/index.js"]))
    assert find([Launch("npx", ("-y", "@acme/mcp"), None)]) == []


def test_local_code_launches_are_matched_by_argv_only(table):
    table.append(FakeProc(9010, ["node", "dist/index.js"]))
    assert find([Launch("node", ("build/index.js",), "path:dist/index.js")]) == []


def test_vanishing_denied_and_zombie_processes_are_skipped(table):
    table.extend([
        FakeProc(9201, None),  # access denied: process_iter stores None
        FakeProc(9202, []),  # zombie or kernel thread: empty argv
        FakeProc(9203, ["npx", "-y", "@acme/mcp"], error=psutil.NoSuchProcess(9203)),
        FakeProc(9204, ["npx", "-y", "@acme/mcp"], error=psutil.AccessDenied(9204)),
        FakeProc(9205, ["npx", "-y", "@acme/mcp"], error=psutil.ZombieProcess(9205)),
        FakeProc(9206, ["npx", "-y", "@acme/mcp"]),
    ])
    found = find([Launch("npx", ("-y", "@acme/mcp"), "npm:@acme/mcp")])
    assert [(p.pid, p.username, p.create_time) for p in found] == [(9206, "dev", 9306.0)]


def test_own_pid_is_excluded_even_in_a_fake_table(table):
    table.append(FakeProc(os.getpid(), ["npx", "-y", "@acme/mcp"]))
    assert find([Launch("npx", ("-y", "@acme/mcp"), None)]) == []


def test_found_process_fields(table):
    table.append(FakeProc(9300, ["/usr/bin/python3", "-m", "acme_mcp", "--stdio"]))
    [hit] = find([Launch("python3", ("-m", "acme_mcp"), None)])
    assert hit.pid == 9300 and hit.name == "fake" and hit.username == "dev"
    assert hit.cmdline == ("/usr/bin/python3", "-m", "acme_mcp", "--stdio")
    assert isinstance(hit.cmdline, tuple)

