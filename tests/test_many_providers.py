"""The issue-4 bar: one incident with 20 credentials across many providers. Every credential an
API can revoke is revoked and proven dead against the simulators, every other one gets a manual
step with a URL, and no value appears in any output or file responder writes.

The scenario is the shipped drill fixtures/drills/compromised-server/many-providers (values are
fake and made for it); this test drives it through the CLI like a user rehearsing."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from responder.cli.app import main
from responder.engine import drill


def _fill(tag: str, length: int) -> str:
    return (tag * (length // len(tag) + 1))[:length]


VALUES = {
    "github_pat": "ghp_DRILLopsHUBpat01DRILLopsHUBpat01DRIL",
    "github_fine": "github_pat_" + _fill("DRILLopsHUBfine02", 82),
    "github_install": "ghs_DRILLopsHUBinst03DRILLopsHUBinst03DR",
    "gitlab_1": "glpat-DRILLopsGitLab4DRILL",
    "gitlab_2": "glpat-DRILLprojectTok5DRIL",
    "slack_bot": "xoxb-1234567890-1234567890123-DRILLslackBot6DRILLslack",
    "slack_user": "xoxp-1234567890-1234567890-1234567890-DRILLslackUser7DRILLslackUser7DR",
    "google": "ya29.DRILLgoogleAccess8DRILLgoogleAccess8DRILLgoogleAccess8DRILLg",
    "npm": "npm_drillnpmtoken9drillnpmtoken9drillnpm",
    "vercel": "DRILLvercel10xDRILLverce",
    "cloudflare": "drill_cloudflare_11_drill_cloudflare_11_",
    "openai": ("sk-proj-" + _fill("DRILLopenaiProject12", 74)
                  + "T3BlbkFJ" + _fill("DRILLopenaiTail12x", 74)),
    "anthropic": "sk-ant-api03-" + _fill("DRILLanthropicKey13", 93) + "AA",
    "aws_secret": "DRILLawsSecret14/Key+DRILLawsSecret14/Ke",
    "stripe": "sk_live_DRILLstripe15DRILLstripe15DRILLstripe15D",
    "notion": "ntn_12345678901DRILLnotion16DRILLnotion16DRILLnoti",
    "linear": "lin_api_DRILLlinear17DRILLlinear17DRILLlinear17D",
    "sentry": "sntryu_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "huggingface": "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",
    "unknown": "int-DRILLinternalSecret20DRILLintern",
    "aws_key_id": "AKIADRILLAWSKEY23456",
    "openai_admin": ("sk-admin-" + _fill("DRILLopenaiAdminKey", 74)
                  + "T3BlbkFJ" + _fill("DRILLopenaiAdminTl", 74)),
    "anthropic_admin": "sk-ant-admin01-" + _fill("DRILLanthropicAdmin", 93) + "AA",
    "canary": "ghp_CANARYunusedTOKEN4CANARYunusedTOKEN4",
}
API = ("github_pat", "github_fine", "github_install", "gitlab_1", "gitlab_2", "slack_bot",
       "slack_user", "google", "npm", "vercel", "cloudflare", "openai", "anthropic")
MANUAL = {"aws_secret": "aws iam update-access-key", "stripe": "dashboard.stripe.com/apikeys",
          "notion": "notion.so/my-integrations", "linear": "linear.app/settings",
          "sentry": "sentry.io/settings/account/api/auth-tokens",
          "huggingface": "huggingface.co/settings/tokens", "unknown": "wherever it was issued"}
SECRETS = [v for k, v in VALUES.items() if k != "aws_key_id"]


@pytest.fixture
def rehearsal(capsys, monkeypatch):
    runs = []
    original = drill.run_drill

    def keep(*args, **kwargs):
        runs.append(original(*args, **kwargs))
        return runs[-1]

    monkeypatch.setattr(drill, "run_drill", keep)
    code = main(["drill", "compromised-server", "--scenario", "many-providers", "--json"])
    out = capsys.readouterr()
    return code, json.loads(out.out), out.out + out.err, runs[0]


def _live(fleet, value: str) -> bool:
    for name in fleet:
        sim = fleet[name]
        if name == "github":
            if value in sim.state.tokens:
                return sim.state.token_is_live(value)
        elif sim.tokens.get(value) is not None:
            return sim.tokens.is_active(value)
    raise AssertionError(f"{value[:8]}… is not seeded in any simulator")


def test_every_api_credential_is_revoked_and_proven_dead(rehearsal):
    code, envelope, _, run = rehearsal
    steps = {s["id"]: s for s in envelope["steps"]}
    assert code == 0, {k: (s["status"], s["error"]) for k, s in steps.items()}
    credentials = steps["inventory"]["outputs"]["credentials"]
    assert len(credentials) == 20
    by_redacted = {c["redacted"]: c for c in credentials}
    assert len({c["provider"] for c in credentials if c["provider"]}) >= 8
    dead = set(steps["verify"]["outputs"]["dead"])
    for key in API:
        assert not _live(run.fleet, VALUES[key]), f"{key} still works at its simulator"
    api_ids = {c["id"] for c in credentials
               if c["provider"] in ("github", "gitlab", "slack", "google", "npm", "vercel",
                                    "cloudflare", "openai", "anthropic")}
    assert len(api_ids) == len(API) and api_ids <= dead
    assert steps["verify"]["outputs"]["unconfirmed"] == []
    assert run.fleet.errors() == []
    assert by_redacted  # every credential described by its redacted form only


def test_every_other_credential_has_a_manual_step_with_a_url(rehearsal):
    code, envelope, _, run = rehearsal
    steps = {s["id"]: s for s in envelope["steps"]}
    manual = "\n".join(steps["revoke"]["manual"])
    for key, place in MANUAL.items():
        assert place in manual, key
    assert VALUES["aws_key_id"] in manual  # the exact CLI commands name the key id
    assert len(steps["revoke"]["outputs"]["manual"]) == len(MANUAL)
    left = "\n".join(item["text"] for item in envelope["manual_steps"])
    assert "aws cloudtrail lookup-events" in left
    checklist = (Path(envelope["run_dir"]) / "checklist.md").read_text()
    assert "- [ ] Revoke the Stripe" in checklist and "aws iam update-access-key" in checklist


# A token the server posted somewhere, found only in Claude Code's log of its tool calls: no
# config holds it, so only the evidence store's own search can keep it out of every output.
LOG_CANARY = "xoxp-1111111111-2222222222-3333333333-LOGCANARYlogcanaryLOGCANARY42"


def test_no_value_reaches_any_output_or_file(rehearsal):
    code, envelope, printed, run = rehearsal
    run_dir = Path(envelope["run_dir"])
    written = [p for p in run_dir.rglob("*") if p.is_file() and "backups" not in p.parts]
    assert written
    review = next(s for s in envelope["steps"] if s["id"] == "review")
    assert any("http_post" in f["summary"] for f in review["outputs"]["flagged"])
    for value in [*SECRETS, LOG_CANARY]:
        assert value not in printed
        for path in written:
            assert value not in path.read_text(errors="replace"), (path.name, value[:8])
    for path in run_dir.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
