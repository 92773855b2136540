"""`responder run --dry-run` on a realistic machine, proven with recording simulators.

The machine: the ops-hub server (the many-providers drill) configured in Claude Code (project),
Cursor and Codex, plus a Kiro user entry whose process is running; 20 credentials across GitHub,
GitLab, Slack, Google, npm, Vercel, Cloudflare, OpenAI and Anthropic (all simulated on
127.0.0.1) and providers without an API; the package's repository takes private vulnerability
reports. Every request a simulator received is classified as a read or not; every file outside
the run's state directory is hashed with its mode and mtime before and after. A real run
afterwards proves the dry run showed exactly the edits and the writing requests it then makes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
import pytest
from typer.testing import CliRunner

from responder.cli.app import app
from responder.core.fs import ensure_private_dir
from responder.core.secrets import Secret
from responder.engine import drill
from responder.sim.fleet import Fleet
from responder.sim.server import RecordedRequest

pytestmark = pytest.mark.usefixtures("host_processes")  # the stop step looks at this host

SERVER = "ops-hub"
SLEEPER = "import time; print('ready', flush=True); time.sleep(60)"
RESPONDER_TOKEN = "ghp_RESPONDERdryRUNbot0RESPONDERdryRUNbot"
KIRO_CANARY = "ghp_KIROneighbourCANARY5KIROneighbourCANA"
# In the Claude Code transcript the review reads (a value the server posted somewhere).
LOG_CANARY = "xoxp-1111111111-2222222222-3333333333-LOGCANARYlogcanaryLOGCANARY42"
REPORTS = "/repos/acme/ops-hub/security-advisories/reports"

# Requests a provider documents as POST that only read: each with the reason it is safe.
READ_ONLY_POSTS = {
    # Slack's Web API takes every method as POST; auth.test only describes the calling token.
    ("slack", "/api/auth.test"),
    # team.accessLogs lists sign-ins of the workspace (a read method; POST is Slack's form).
    ("slack", "/api/team.accessLogs"),
    # Google's tokeninfo describes a token; POST keeps the token out of the URL and logs.
    ("google", "/oauth2/v3/tokeninfo"),
}
# The endpoints that revoke or file something: none may be hit by a dry run.
WRITE_ENDPOINTS = (
    ("github", "POST", r"/credentials/revoke"),
    ("github", "DELETE", r"/installation/token|/applications/[^/]+/tokens?"),
    ("github", "POST", r"/repos/[^/]+/[^/]+/security-advisories/reports"),
    ("gitlab", "DELETE", r"/api/v4/personal_access_tokens/.*"),
    ("slack", "POST", r"/api/auth\.revoke"),
    ("google", "POST", r"/revoke"),
    ("npm", "DELETE", r"/-/npm/v1/tokens/token/.*"),
    ("vercel", "DELETE", r"/v\d+/user/tokens/.*"),
    ("cloudflare", "DELETE", r"/client/v4/(user|accounts/[^/]+)/tokens/.*"),
    ("openai", "DELETE", r"/v1/organization/.*"),
    ("anthropic", "POST", r"/v1/organizations/api_keys/.*"),
)


def is_read(provider: str, request: RecordedRequest) -> bool:
    if request.method in ("GET", "HEAD"):
        return True
    if (provider, request.path) in READ_ONLY_POSTS and request.method == "POST":
        return True
    # GitHub's GraphQL endpoint: a query reads, a mutation writes.
    query = (request.json or {}).get("query", "") if isinstance(request.json, dict) else ""
    return (provider == "github" and request.path == "/graphql"
            and not query.lstrip().startswith("mutation"))


@dataclass
class Machine:
    root: Path
    home: Path
    workspace: Path
    state: Path
    fleet: Fleet
    scenario: drill.Scenario
    process: subprocess.Popen
    kiro_file: Path
    secrets: list[str]

    def run(self, *args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(app, ["run", "compromised-server", "--server", SERVER,
                                          *args], standalone_mode=False)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return int(result.return_value or 0), result.stdout, result.stderr

    def run_dir(self) -> Path:
        """The latest run's (run ids of the same second sort by their random part)."""
        return max((self.state / "runs").iterdir(),
                   key=lambda d: (d / "journal.jsonl").stat().st_mtime_ns)

    def journal(self) -> list[dict[str, Any]]:
        text = (self.run_dir() / "journal.jsonl").read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines()]

    def requests(self) -> list[tuple[str, RecordedRequest]]:
        return self.fleet.requests()

    def clear_requests(self) -> None:
        for name in self.fleet:
            self.fleet[name].requests.clear()

    def live(self, value: str) -> bool:
        for name in self.fleet:
            sim = self.fleet[name]
            if name == "github" and value in sim.state.tokens:
                return sim.state.token_is_live(value)
            tokens = getattr(sim, "tokens", None)
            if tokens is not None and name != "github" and tokens.get(value) is not None:
                return tokens.is_active(value)
        raise AssertionError(f"{value[:8]}… is not seeded in any simulator")


def _seeds(scenario: drill.Scenario) -> dict[str, dict[str, Any]]:
    seeds = drill.provider_seeds(scenario)
    github = seeds["github"]
    # Revocation lands at once: the real run's verify needs no back-off.
    github["revoke_lag"] = 0
    seeds["gitlab"]["revoke_lag"] = 0
    github.setdefault("users", []).append({
        "login": "responder-bot", "id": 700001,
        "tokens": [{"value": RESPONDER_TOKEN, "scopes": ["repo", "read:org"]}]})
    github.setdefault("repos", []).append({
        "full_name": "acme/ops-hub", "private": False, "pushed_at": "-2d", "created_at": "-400d",
        "admins": ["acme-maintainer"], "private_vulnerability_reporting": True})
    seeds["npm"]["packages"] = {"@acme/ops-hub-mcp": {
        "description": "Operations hub MCP server",
        "maintainers": [{"name": "acme-maintainer", "email": "security@acme.example"}],
        "repository": {"type": "git", "url": "git+https://github.com/acme/ops-hub.git"},
        "versions": [
            {"version": "2.4.0", "published": "-60d"},
            {"version": "2.4.1", "published": "-3h"},
        ]}}
    return seeds


def _kiro_config(argv: list[str]) -> str:
    # The neighbour's Authorization header sits right below the edited lines, in the diff's
    # context; the env reference must be shown as it is, not masked as if it were a secret.
    entry = json.dumps({"command": argv[0], "args": argv[1:],
                        "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}"},
                        "disabled": False,
                        "autoApprove": ["list_issues", "create_issue"]}, indent=2)
    entry = entry.replace("\n", "\n    ")
    return ("{\n"
            "  // Kiro user servers\n"
            "  \"mcpServers\": {\n"
            f"    \"ops-hub\": {entry},\n"
            "    \"docs\": {\n"
            f"      \"headers\": {{\"Authorization\": \"Bearer {KIRO_CANARY}\"}},\n"
            "      \"url\": \"https://docs.example.com/mcp\"\n"
            "    }\n"
            "  }\n"
            "}\n")


@pytest.fixture
def machine(sandbox: Path, monkeypatch: pytest.MonkeyPatch):
    scenario = drill.load_scenario("compromised-server", "many-providers")
    home, workspace = drill.build_sandbox(scenario, sandbox / "box")
    argv = [sys.executable, "-c", SLEEPER, f"--ops-hub-marker-{uuid.uuid4().hex}"]
    kiro_file = home / ".kiro/settings/mcp.json"
    kiro_file.parent.mkdir(parents=True)
    kiro_file.write_text(_kiro_config(argv), encoding="utf-8")
    os.chmod(kiro_file, 0o644)  # a mode the real run must keep and the dry run must not touch
    state = ensure_private_dir(sandbox / "state")  # its parent's mtime is then fixed
    # Anything written through tempfile lands inside the hashed tree.
    scratch = ensure_private_dir(sandbox / "tmp")
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setenv("TMPDIR", str(scratch))
    fleet = Fleet(_seeds(scenario)).start()
    env = {**fleet.env(), **{k: str(v) for k, v in scenario.data["env"].items()}}
    env["RESPONDER_HOST_MAP"] = " ".join(filter(None, (env.get("RESPONDER_HOST_MAP"),
                                                       f"*={fleet['web'].base_url}")))
    env["RESPONDER_GITHUB_TOKEN"] = RESPONDER_TOKEN
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(workspace)
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "ready"
        yield Machine(sandbox, home, workspace, state, fleet, scenario, process, kiro_file,
                      _secret_values(scenario) + [RESPONDER_TOKEN, KIRO_CANARY, LOG_CANARY])
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        process.stdout.close()
        fleet.stop()


# Credentials of providers without an API: no simulator holds them.
UNSIMULATED = (
    "DRILLawsSecret14/Key+DRILLawsSecret14/Ke", "sk_live_DRILLstripe15DRILLstripe15DRILLstripe15D",
    "ntn_12345678901DRILLnotion16DRILLnotion16DRILLnoti",
    "lin_api_DRILLlinear17DRILLlinear17DRILLlinear17D",
    "sntryu_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "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", "int-DRILLinternalSecret20DRILLintern",
)


def _secret_values(scenario: drill.Scenario) -> list[str]:
    """Every token seeded in the scenario's simulators and environment, and the rest."""
    values = {str(v) for v in scenario.data["env"].values()} | set(UNSIMULATED)
    for seed in (scenario.data.get("providers") or {}).values():
        for user in seed.get("users") or []:
            values |= {str(t["value"]) for t in user.get("tokens") or []}
        values |= {str(t["value"]) for t in seed.get("tokens") or []}
    return sorted(values)


def tree(root: Path, skip: Path) -> dict[str, tuple]:
    """Every file and directory under root except `skip`: content hash, mode, mtime."""
    found: dict[str, tuple] = {}
    for directory, dirs, files in os.walk(root):
        here = Path(directory)
        dirs[:] = [d for d in dirs if here / d != skip]
        info = here.lstat()
        found[str(here.relative_to(root))] = ("dir", stat.S_IMODE(info.st_mode), info.st_mtime_ns)
        for name in files:
            path = here / name
            info = path.lstat()
            body = (os.readlink(path).encode() if stat.S_ISLNK(info.st_mode)
                    else path.read_bytes())
            found[str(path.relative_to(root))] = (
                "file", stat.S_IMODE(info.st_mode), info.st_mtime_ns,
                hashlib.sha256(body).hexdigest())
    return found


def assert_no_secret(machine: Machine, *texts: str) -> None:
    written = {str(p): p.read_bytes().decode("utf-8", "replace")
               for p in machine.state.rglob("*") if p.is_file()}
    for value in machine.secrets:
        for index, text in enumerate(texts):
            assert value not in text, (f"output {index}", value[:10])
        for path, text in written.items():
            assert value not in text, (path, value[:10])


def planned(journal: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["step"]: e for e in journal if e["event"] == "step_planned"}


def shown(text: str) -> str:
    """How Output prints a block under a step (detail/diff): four spaces per line."""
    return "\n".join(f"    {row}" for row in text.splitlines())


# -- no write of any kind ------------------------------------------------------------------------

def test_dry_run_sends_only_reads_and_changes_nothing_outside_its_state(machine):
    before = tree(machine.root, machine.state)
    code, out, err = machine.run("--dry-run", "--submit")
    assert code == 0, out + err
    assert "DRY RUN" in out and "nothing was changed" in out

    # Byte for byte, mode and mtime: configs, transcripts, the workspace, HOME, tempfiles; no
    # file created or deleted anywhere but the state directory.
    assert tree(machine.root, machine.state) == before
    assert (machine.run_dir() / "journal.jsonl").is_file()
    assert not (machine.run_dir() / "backups").exists()

    requests = machine.requests()
    writes = [(n, r.method, r.path) for n, r in requests if not is_read(n, r)]
    assert writes == []
    for name, method, pattern in WRITE_ENDPOINTS:
        hits = [r.path for n, r in requests
                if n == name and r.method == method and re.fullmatch(pattern, r.path)]
        assert hits == [], (name, method, hits)
    assert machine.fleet["github"].state.reports == []
    for value in machine.scenario.data["providers"]["github"]["users"][0]["tokens"]:
        assert machine.live(value["value"])
    for key in ("gitlab", "slack", "google", "npm", "vercel", "cloudflare", "openai",
                "anthropic"):
        for token in machine.scenario.data["providers"][key]["tokens"]:
            assert machine.live(token["value"]), (key, token["value"][:8])
    assert machine.process.poll() is None and psutil.pid_exists(machine.process.pid)

    # Read steps ran for real: every provider answered an identity read with the suspect
    # credential, and the answers are evidence in the run directory.
    called = {(n, r.method, r.path) for n, r in requests}
    for identity_read in (("github", "GET", "/user"),
                          ("github", "GET", "/installation/repositories"),
                          ("gitlab", "GET", "/api/v4/personal_access_tokens/self"),
                          ("slack", "POST", "/api/auth.test"),
                          ("google", "POST", "/oauth2/v3/tokeninfo"),
                          ("npm", "GET", "/-/whoami"), ("vercel", "GET", "/v5/user/tokens/current"),
                          ("cloudflare", "GET", "/client/v4/user/tokens/verify"),
                          ("openai", "GET", "/v1/organization/projects/proj_drill/api_keys"),
                          ("anthropic", "GET", "/v1/organizations/api_keys")):
        assert identity_read in called, identity_read
    assert ("npm", "GET", "/@acme%2Fops-hub-mcp") in called  # the maintainer lookup
    evidence = machine.run_dir() / "evidence"
    assert (evidence / "MANIFEST.sha256").is_file() and len(list(evidence.iterdir())) > 10
    assert_no_secret(machine, out, err)


def test_dry_run_offline_reaches_no_simulator_and_still_shows_the_edits(machine):
    before = tree(machine.root, machine.state)
    code, envelope_text, err = machine.run("--dry-run", "--offline", "--submit", "--json")
    assert code == 0, err
    assert machine.requests() == []
    assert tree(machine.root, machine.state) == before
    envelope = json.loads(envelope_text)
    steps = {s["id"]: s for s in envelope["steps"]}
    assert envelope["dry_run"] is True
    assert steps["snapshot"]["status"] == "skipped" and "--offline" in steps["snapshot"]["error"]
    assert steps["inventory"]["status"] == "ok" and steps["stop"]["status"] == "planned"
    assert steps["contain"]["status"] == "planned"
    assert len(steps["contain"]["outputs"]["planned_files"]) == 5
    # Nothing would leave the machine: no request is planned, the submit has no channel.
    assert steps["revoke"]["outputs"].get("planned_requests", []) == []
    assert steps["submit"]["outputs"].get("planned_requests", []) == []
    journal = machine.journal()
    assert journal[0]["event"] == "run_started"
    assert journal[0]["dry_run"] is True and journal[0]["offline"] is True
    assert "revoke" not in planned(journal) or planned(journal)["revoke"]["requests"] == []
    assert_no_secret(machine, envelope_text, err)


# -- what is shown, journaled and returned is the same plan ------------------------------------

def test_stdout_journal_and_envelope_show_the_same_exact_plan(machine):
    code, out, err = machine.run("--dry-run", "--submit")
    assert code == 0, out + err
    journal = machine.journal()
    assert journal[0]["event"] == "run_started" and journal[0]["dry_run"] is True
    plans = planned(journal)
    assert set(plans) == {"contain", "stop", "revoke", "submit"}

    # contain: every config that would change, its exact diff, under the step's plan
    files = plans["contain"]["files"]
    paths = {f["path"] for f in files}
    assert paths == {str(machine.workspace / ".mcp.json"),
                     str(machine.workspace / ".claude/settings.local.json"),
                     str(machine.home / ".cursor/mcp.json"),
                     str(machine.home / ".codex/config.toml"),
                     str(machine.kiro_file)}
    for change in files:
        assert change["diff"].startswith(f"--- {change['path']}")
        assert shown(change["diff"]) in out, change["path"]
    kiro = next(f["diff"] for f in files if f["path"] == str(machine.kiro_file))
    assert '"GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}"' in kiro  # a reference, shown
    assert '"Authorization": "Bearer ghp_…CANA"' in kiro  # the neighbour's token, masked

    # stop: the running process, by pid, with its command line
    (operation,) = plans["stop"]["operations"]
    assert operation.startswith(f"stop pid {machine.process.pid} (")
    assert " with SIGTERM, then SIGKILL if still running after 3s: " in operation
    assert "--ops-hub-marker-" in operation
    assert shown(operation) in out

    # revoke: one line per request, method and URL, bodies redacted
    requests = plans["revoke"]["requests"]
    github = machine.fleet["github"].api_url
    assert ("POST", f"{github}/credentials/revoke", False,
            '{"credentials": ["ghp_…DRIL", "github_pat_…Bfin"]}') in [
        (r["method"], r["url"], r["authenticated"], r["body"]) for r in requests]
    assert Counter(urlsplit(r["url"]).netloc for r in requests) == Counter({
        urlsplit(machine.fleet[n].base_url).netloc: count for n, count in (
            ("github", 2), ("gitlab", 2), ("slack", 2), ("npm", 1), ("vercel", 1),
            ("cloudflare", 1), ("openai", 1), ("anthropic", 1), ("google", 1))})
    for request in requests:
        line = f"{request['method']} {request['url']} ("
        assert f"    request {line}" in out
        if request["body"]:
            assert f"    body: {request['body']}" in out
    (report,) = plans["submit"]["requests"]
    assert report["method"] == "POST" and report["url"] == github + REPORTS
    assert report["authenticated"] is True
    body = json.loads(report["body"])
    assert body["vulnerabilities"][0]["package"] == {"ecosystem": "npm",
                                                      "name": "@acme/ops-hub-mcp"}
    assert f"    request POST {github}{REPORTS} (with Authorization)" in out
    disclosure = (machine.run_dir() / "maintainer-report.md").read_text(encoding="utf-8")
    assert shown("description, exactly as it will be sent:\n" + disclosure) in out

    # the envelope says the same
    code, envelope_text, err = machine.run("--dry-run", "--submit", "--json")
    assert code == 0, err
    envelope = json.loads(envelope_text)
    assert envelope["dry_run"] is True
    steps = {s["id"]: s for s in envelope["steps"]}
    for step in ("contain", "stop", "revoke", "submit"):
        assert steps[step]["status"] == "planned", step
    again = planned(machine.journal())
    assert steps["contain"]["outputs"]["planned_files"] == [f["path"] for f in again["contain"]
                                                             ["files"]]
    assert len(steps["revoke"]["outputs"]["planned_requests"]) == len(requests)
    assert steps["submit"]["outputs"]["planned_requests"][0].startswith(
        f"POST {github}{REPORTS} (with Authorization)")
    assert_no_secret(machine, out, err, envelope_text)


# -- the plan is what a real run then does -------------------------------------------------------

def _redact(text: str, values: list[str]) -> str:
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, Secret(value).redacted)
    return text


def _patch(original: str, diff: str) -> str:
    """Apply a unified diff strictly: every context and removed line must match."""
    source = original.splitlines(keepends=True)
    result: list[str] = []
    at = 0
    lines = diff.splitlines(keepends=True)
    index = 2  # past the ---/+++ header
    while index < len(lines):
        header = re.match(r"@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@", lines[index])
        assert header, lines[index]
        start = int(header.group(1)) - (0 if header.group(2) == "0" else 1)
        result += source[at:start]
        at = start
        index += 1
        while index < len(lines) and not lines[index].startswith("@@"):
            row = lines[index]
            if row.startswith("\\"):  # "\ No newline at end of file"
                result[-1] = result[-1].rstrip("\n")
            elif row[0] in " -":
                assert source[at].rstrip("\n") == row[1:].rstrip("\n"), (source[at], row)
                if row[0] == " ":
                    result.append(source[at])
                at += 1
            else:
                result.append(row[1:])
            index += 1
    return "".join(result + source[at:])


def _body(request: RecordedRequest, values: list[str]) -> Any:
    if not request.body:
        return None
    text = _redact(request.body.decode("utf-8"), values)
    try:
        return json.loads(text)
    except ValueError:
        return text


def test_a_real_run_does_exactly_what_the_dry_run_showed(machine):
    originals = {p: p.read_text(encoding="utf-8") for p in (
        machine.workspace / ".mcp.json", machine.home / ".cursor/mcp.json",
        machine.home / ".codex/config.toml", machine.kiro_file)}
    code, _, err = machine.run("--dry-run", "--submit", "--json")
    assert code == 0, err
    plans = planned(machine.journal())
    machine.clear_requests()

    code, envelope_text, err = machine.run("--yes", "--submit", "--json")
    envelope = json.loads(envelope_text)
    steps = {s["id"]: s for s in envelope["steps"]}
    assert code == 0, {k: (s["status"], s["error"]) for k, s in steps.items()}

    # Files: the diff shown, applied to the file as it was, gives the file the run wrote.
    edited = {e["path"] for e in steps["contain"]["outputs"]["edited"]}
    assert edited == {f["path"] for f in plans["contain"]["files"]}
    for change in plans["contain"]["files"]:
        path = Path(change["path"])
        original = originals.get(path, "")
        after = path.read_text(encoding="utf-8")
        assert _patch(_redact(original, machine.secrets), change["diff"]) == \
            _redact(after, machine.secrets), path
    assert stat.S_IMODE(machine.kiro_file.stat().st_mode) == 0o644

    # Processes: the pid shown is the one stopped.
    assert steps["stop"]["outputs"]["stopped"] == [machine.process.pid]

    # Requests: every writing request sent is one shown, with the body shown (redacted).
    sent = [(n, r) for n, r in machine.requests() if not is_read(n, r)]
    shown_requests = plans["revoke"]["requests"] + plans["submit"]["requests"]
    assert Counter((r.method, machine.fleet[n].base_url + r.path) for n, r in sent) == \
        Counter((p["method"], p["url"]) for p in shown_requests)
    for name, request in sent:
        url = machine.fleet[name].base_url + request.path
        candidates = [p for p in shown_requests if (p["method"], p["url"]) == (request.method, url)]
        body = _body(request, machine.secrets)
        if url.endswith(REPORTS):
            # The description is shown below the request, as text: the rest is the JSON sent.
            plan = json.loads(candidates[0]["body"])
            assert {**body, "description": None} == {**plan, "description": None}
            continue
        plan_bodies = [json.loads(p["body"]) if p["body"] and p["body"][0] in "{[" else p["body"]
                       for p in candidates]
        if isinstance(body, dict) and "credentials" in body:
            body["credentials"].sort()
            for plan in plan_bodies:
                plan["credentials"].sort()
        if isinstance(body, str):  # a form body, shown with its content type after it
            assert any(str(p).startswith(body + " (") for p in plan_bodies), (url, body)
        else:
            assert body in plan_bodies, (url, body, plan_bodies)
    assert len(machine.fleet["github"].state.reports) == 1
    assert steps["verify"]["outputs"]["unconfirmed"] == []


def test_no_piece_of_a_secret_is_shown(machine):
    code, out, err = machine.run("--dry-run")
    assert code == 0, out + err
    written = "".join(p.read_text(encoding="utf-8", errors="replace")
                      for p in machine.state.rglob("*") if p.is_file())
    # A redacted form keeps at most a 15-character prefix (sk-ant-admin01-) and 4 at the end.
    for value in machine.secrets:
        for start in range(len(value) - 24 + 1):
            piece = value[start:start + 24]
            assert piece not in out + err + written, (value[:8], piece)
