"""maintainer.submit: send the disclosure, only when asked (`--submit`) and after approval.

To a repository with GitHub private vulnerability reporting enabled it files the report through
the API, with RESPONDER_GITHUB_TOKEN; the plan shows the exact request first, and dry-run stops
there. When the repository's report template rejects it (422), the description is rebuilt with the
sections GitHub named and the user is asked again. Any other channel (an address, a form) cannot
be sent from here: the step prints it with the draft to paste.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from responder.actions.base import Action, ActionInputs, Plan, RequestPlan, StepResult
from responder.maintainers import pvr
from responder.reports.maintainer import package_label

MAX_TEMPLATE_ROUNDS = 3


class SubmitReport(Action):
    name = "maintainer.submit"
    effect = "irreversible"
    summary = ("File the maintainer disclosure as a GitHub private vulnerability report when "
               "the best channel is one (shows the exact request and asks first; fits the "
               "repository's report template when GitHub asks); otherwise print the address "
               "or form with the draft to send by hand.")

    class Inputs(ActionInputs):
        disclosure: str  # path of maintainer-report.md
        contact: dict[str, Any] | None = None
        packages: list[dict[str, Any]] = []
        severity: Literal["critical", "high", "medium", "low"] = "high"

    def plan(self, ctx, inputs: Inputs) -> Plan:
        contact = inputs.contact or {}
        if contact.get("submit") != "github-pvr":
            return Plan(summary=(_manual_text(inputs),))
        slug = _slug(contact)
        unsent = _why_unsent(ctx)
        if unsent:
            # Nothing would leave the machine: no request to show, nothing to approve.
            return Plan(summary=(f"not file the report on {slug}: {unsent}",),
                        payload={"slug": slug, "unsent": unsent})
        report = self._body(inputs)
        url = f"{_api(ctx)}/repos/{slug}/security-advisories/reports"
        # The JSON as sent, except that the description is shown as text below it: a person
        # reads a report, not an escaped string.
        shown = dict(report, description=f"<the {len(report['description'])} characters "
                                         f"below, from {Path(inputs.disclosure).name}>")
        return Plan(
            summary=(f"file a private vulnerability report on {slug} (GitHub notifies its "
                     f"admins; it cannot be unsent)",),
            requests=(RequestPlan("POST", url, ctx.secrets.scrub(
                json.dumps(shown, indent=2, ensure_ascii=False)), authenticated=True,
                note="the maintainer disclosure as the description"),),
            operations=("description, exactly as it will be sent:\n"
                        + ctx.secrets.scrub(report["description"]),),
            payload={"slug": slug, "body": report, "url": url})

    def apply(self, ctx, inputs: Inputs, plan: Plan) -> StepResult:
        if plan.payload is None:
            return StepResult(status="manual", manual=[_manual_text(inputs)])
        slug = plan.payload["slug"]
        if "unsent" in plan.payload:
            again = ("run with --submit again without --offline" if ctx.offline else
                     "set RESPONDER_GITHUB_TOKEN and run with --submit again")
            return StepResult(
                status="manual", error=f"{plan.payload['unsent']}: nothing was sent",
                manual=[f"File the report at https://github.com/{slug}/security/advisories/new "
                        f"and paste {inputs.disclosure}, or {again}"])
        return self._file(ctx, inputs, plan.payload, ctx.responder_tokens["github"].reveal())

    def _body(self, inputs: Inputs) -> dict[str, Any]:
        text = Path(inputs.disclosure).read_text(encoding="utf-8")
        packages = _reported(inputs)
        names = ", ".join(p["name"] for p in packages if p.get("name")) or "an MCP server"
        return pvr.body(f"Suspected compromise of {names}: malicious behaviour and token "
                        f"theft observed", text, packages, inputs.severity)

    def _file(self, ctx, inputs: Inputs, payload: dict[str, Any], token: str) -> StepResult:
        from responder.providers.registry import github as run_github

        provider = run_github(ctx)
        gh = provider.client(token, writes=True)
        body, url, slug = dict(payload["body"]), payload["url"], payload["slug"]
        seen: list[pvr.TemplateError] = []
        ticked: set[str] = set()
        original = body["description"]
        result = StepResult()
        for _ in range(MAX_TEMPLATE_ROUNDS):
            status, data = _post(gh, url, body)
            ctx.journal.record("pvr_submitted", url=url, status=status)
            if status == 201 and isinstance(data, dict):
                ctx.evidence.save(f"pvr-report-{slug}", f"POST {url}", data, status)
                result.outputs = {"submitted": True, "ghsa_id": data.get("ghsa_id"),
                                  "html_url": data.get("html_url"), "repository": slug}
                result.changes.append(f"filed private vulnerability report {data.get('ghsa_id')}"
                                      f" on {slug}: {data.get('html_url')}")
                return result
            errors = pvr.template_errors(data) if status == 422 else []
            if not errors:
                return _failed(status, data, slug, inputs)
            seen += [e for e in errors if e not in seen]
            for error in errors:
                if error.option and error.option not in ticked and ctx.approvals.person_confirms(
                        f"The report template of {slug} requires ticking "
                        f"{error.option!r} (section {error.section!r}). Is it true?"):
                    ticked.add(error.option)
            unticked = [e for e in seen if e.option and e.option not in ticked]
            if unticked:
                return StepResult(
                    status="failed", outputs={"submitted": False},
                    error="the repository's report template needs "
                          + "; ".join(e.text() for e in unticked) + ", which only a person "
                          "can confirm: nothing was filed",
                    hint="run again from a terminal to be asked, or file it by hand",
                    manual=[f"File the report at https://github.com/{slug}/security/advisories/"
                            f"new (its template asks for: "
                            f"{'; '.join(e.text() for e in seen)}) and paste {inputs.disclosure}"])
            body["description"] = pvr.fit_template(original, seen, ticked)
            ctx.output.line(f"  {slug}'s report template asks for: "
                            + "; ".join(e.text() for e in errors))
            ctx.output.detail(body["description"])
            decision = ctx.approvals.decide("Send the report again, rebuilt for the template?")
            ctx.journal.record("approval", step="submit-template", granted=decision.granted,
                               how=decision.how)
            if not decision.granted:
                return StepResult(status="refused", outputs={"submitted": False},
                                  error=f"not approved ({decision.how}); nothing was filed",
                                  manual=[_manual_text(inputs)])
        return StepResult(status="failed", outputs={"submitted": False},
                          error=f"{slug}'s report template still rejects the report after "
                                f"{MAX_TEMPLATE_ROUNDS} rounds: nothing was filed",
                          manual=[_manual_text(inputs)])


def _why_unsent(ctx) -> str | None:
    if ctx.offline:
        return "--offline"
    if ctx.responder_tokens.get("github") is None:
        return "RESPONDER_GITHUB_TOKEN is not set"
    return None


def _post(gh: Any, url: str, body: dict[str, Any]) -> tuple[int, Any]:
    from github import GithubException
    from requests.exceptions import RequestException

    try:
        _, data = gh.requester.requestJsonAndCheck("POST", url, input=body)
        return 201, data
    except GithubException as exc:
        return exc.status, exc.data
    except RequestException as exc:
        return 0, {"message": f"{type(exc).__name__}: the report may or may not have arrived"}


def _failed(status: int, data: Any, slug: str, inputs) -> StepResult:
    message = data.get("message") if isinstance(data, dict) else None
    hints = {401: "RESPONDER_GITHUB_TOKEN is not valid",
             403: "the token may lack permission to report, or reporting is restricted",
             404: "the repository is gone or not visible to the token",
             422: "GitHub rejected the report (is private vulnerability reporting still on?)",
             0: "check on GitHub whether it arrived before sending again"}
    return StepResult(
        status="failed", outputs={"submitted": False},
        error=f"GitHub answered {status or 'nothing'} to the report"
              + (f" ({message})" if message else ""),
        hint=hints.get(status, "file it by hand"),
        manual=[f"File the report at https://github.com/{slug}/security/advisories/new and "
                f"paste {inputs.disclosure}"])


def _reported(inputs) -> list[dict[str, Any]]:
    """The packages the chosen channel speaks for (not another server defined alongside)."""
    package = (inputs.contact or {}).get("package")
    chosen = [p for p in inputs.packages
              if package and package_label(p) == package]
    return chosen or list(inputs.packages)


def _manual_text(inputs) -> str:
    contact = inputs.contact
    if not contact:
        return (f"No private channel was found: look for a security policy on the project's "
                f"repository or website and send {inputs.disclosure}; never a public issue")
    address = contact["address"]
    if address.startswith("mailto:"):
        names = ", ".join(p["name"] for p in _reported(inputs) if p.get("name")) or "MCP server"
        subject = quote(f"[security] Suspected compromise of {names}")
        return (f"Send {inputs.disclosure} by email: {address}?subject={subject} (paste the "
                f"draft as the message; encrypt it if the contact publishes a key)")
    if contact.get("submit") == "github-pvr":
        return (f"File the report at {address} and paste {inputs.disclosure} (or run with "
                f"--submit to file it from here)")
    return f"Send {inputs.disclosure} through {address} ({contact['kind']})"


def _slug(contact: dict[str, Any]) -> str:
    parts = contact["address"].split("github.com/", 1)[1].split("/")
    return f"{parts[0]}/{parts[1]}"


def _api(ctx) -> str:
    from responder.providers.registry import github as run_github

    return run_github(ctx).api_url.rstrip("/")
