"""Where a vulnerability report goes: private vulnerability reporting (PVR) and repository files.

- `GET /repos/{owner}/{repo}/private-vulnerability-reporting` → 200 `{"enabled": bool}` to anyone
  who can see the repository (no token needed for a public one); 404 otherwise. `PUT` enables and
  `DELETE` disables it: admins only (403 "Must have admin rights to Repository." otherwise), 204;
  a private repository cannot enable it (422).
- `POST /repos/{owner}/{repo}/security-advisories/reports` (a token is required): PVR disabled →
  422; a body that breaks the schema `private-vulnerability-report-create` → 422 "Invalid
  request." naming each problem; `severity` together with `cvss_vector_string`, a malformed
  CVSS vector or CWE id → 422 "Validation Failed" with `errors`; a description that does not
  answer the repository's report template → 422 in the shape of
  `repository-advisory-description-validation-error` (codes `missing_section`, `empty_section`,
  `unchecked_required_option`, `sections_out_of_order`). Otherwise 201 with a
  `repository-advisory` in state "triage", and the report is kept in `state.reports`.
- `GET /repos/{owner}/{repo}/contents/{path}` (the path may contain slashes): a seeded file → a
  content-file object (base64 with a newline every 60 characters, `sha` the git blob sha-1); a
  directory holding seeded files → its listing; anything else → 404. `Accept:
  application/vnd.github.raw` returns the bytes. `ref` must name the default branch, a seeded
  branch or commit (every ref shows the same files).

Report templates (seed `report_template.sections`): each section must appear as a Markdown
heading (`#` to `######`, title compared case-insensitively, headings inside code fences do not
count), in the template's order; a section runs until the next heading naming another template
section. A required section must be present and hold something besides whitespace and HTML
comments. A required option must be ticked inside its section as `- [x] <label>` (`*`/`+`
bullets and `[X]` too; the label compared case-insensitively, whitespace collapsed); a missing
section whose options are required reports each of them as `unchecked_required_option`.

The advisory's `severity` is the one sent, else derived from a CVSS 3.x vector's base score
(computed as FIRST's specification says); a CVSS 4.0 vector gets no score. `severity: null` is
taken as absent: the schema says nullable (a strict OpenAPI 3.0 validator still refuses null
beside an enum, so clients should omit it).

UNCONFIRMED (not checked against api.github.com): PVR status readable without a token; the 422
wording when PVR is disabled or the repository is private; the "Invalid request." problem
wording (GitHub's JSON-schema messages as commonly seen); that a null severity is accepted and
that the severity is derived from the vector; which problems give "Validation Failed"; the
order of checks (PVR, then schema, then template); every template rule above beyond the codes
and the message, which come from github/rest-api-description; case-sensitive content paths; the
raw media type's Content-Type; CWE names beyond a few common ones (others are named by their id).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from responder.sim import github_objects as obj
from responder.sim.server import Request, Response, iso

if TYPE_CHECKING:
    from responder.sim.github import Caller, GitHubSimulator
    from responder.sim.github_state import Repo

_PVR_DOC = (
    f"{obj.DOCS}/repos/repos#check-if-private-vulnerability-reporting-is-enabled-for-a-repository"
)
_REPORT_DOC = (
    f"{obj.DOCS}/security-advisories/repository-advisories#privately-report-a-security-vulnerability"
)
_CONTENTS_DOC = f"{obj.DOCS}/repos/contents#get-repository-content"
TEMPLATE_DOC = (
    "https://docs.github.com/code-security/security-advisories/guidance-on-reporting-and-writing-"
    "information-about-vulnerabilities/privately-reporting-a-security-vulnerability"
)
TEMPLATE_MESSAGE = "Advisory description does not satisfy this repository's report template."
PVR_DISABLED = "Private vulnerability reporting is not enabled for this repository."
_PRIVATE_REPO = "Private vulnerability reporting can only be enabled on public repositories."
_NOT_ADMIN = "Must have admin rights to Repository."

SEVERITIES = ("critical", "high", "medium", "low")
ECOSYSTEMS = ("rubygems", "npm", "pip", "maven", "nuget", "composer", "go", "rust", "erlang",
              "actions", "pub", "other", "swift")
_MAX_LENGTH = {"summary": 1024, "description": 65535}
_BODY_KEYS = ("summary", "description", "vulnerabilities", "cwe_ids", "severity",
              "cvss_vector_string", "start_private_fork")
_VULNERABILITY_KEYS = ("package", "vulnerable_version_range", "patched_versions",
                       "vulnerable_functions")
_CVSS = re.compile(r"^CVSS:(3\.[01]|4\.0)(/[A-Za-z]+:[A-Za-z]+)+$")
_CWE = re.compile(r"^CWE-\d+$")
CWE_NAMES = {
    "CWE-200": "Exposure of Sensitive Information to an Unauthorized Actor",
    "CWE-506": "Embedded Malicious Code",
    "CWE-522": "Insufficiently Protected Credentials",
    "CWE-829": "Inclusion of Functionality from Untrusted Control Sphere",
    "CWE-912": "Hidden Functionality",
}
_GHSA_ALPHABET = "23456789cfghjmpqrvwx"  # the characters GHSA ids use
_RAW_TYPES = ("application/vnd.github.raw", "application/vnd.github.v3.raw",
              "application/vnd.github.raw+json")

_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(?P<title>.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(?P<marker>`{3,}|~{3,})")
_CHECKBOX = re.compile(r"^\s*[-*+][ \t]+\[(?P<mark>[ xX])\][ \t]+(?P<label>.*?)\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def register(sim: GitHubSimulator) -> None:
    path = "/repos/{owner}/{repo}/private-vulnerability-reporting"
    sim.route("GET", path, lambda r: _pvr_status(sim, r))
    sim.route("PUT", path, lambda r: _pvr_set(sim, r, True), auth="required")
    sim.route("DELETE", path, lambda r: _pvr_set(sim, r, False), auth="required")
    sim.route("POST", "/repos/{owner}/{repo}/security-advisories/reports",
              lambda r: _report(sim, r), auth="required")
    sim.route("GET", "/repos/{owner}/{repo}/contents/{path}", lambda r: _contents(sim, r),
              greedy=True)


# private vulnerability reporting


def _pvr_status(sim: GitHubSimulator, request: Request) -> Response:
    repo, _ = sim.visible_repo(request)
    if repo is None:
        return obj.error(404, "Not Found", _PVR_DOC)
    return Response(200, {"enabled": repo.private_vulnerability_reporting})


def _pvr_set(sim: GitHubSimulator, request: Request, enabled: bool) -> Response:
    repo, role = sim.visible_repo(request)
    if repo is None:
        return obj.error(404, "Not Found", _PVR_DOC)
    if role != "admin":
        return obj.error(403, _NOT_ADMIN, _PVR_DOC)
    if enabled and repo.private:
        return obj.error(422, _PRIVATE_REPO, _PVR_DOC)
    repo.private_vulnerability_reporting = enabled
    return Response(204)


def _report(sim: GitHubSimulator, request: Request) -> Response:
    repo, _ = sim.visible_repo(request)
    if repo is None:
        return obj.error(404, "Not Found", _REPORT_DOC)
    if not repo.private_vulnerability_reporting or repo.private:
        return obj.error(422, PVR_DISABLED, _REPORT_DOC)
    if request.body and request.json is None:
        return obj.error(400, "Problems parsing JSON", _REPORT_DOC)
    body = request.json if request.body else {}
    problems = body_problems(body)
    if problems:
        return obj.error(422, "Invalid request.\n\n" + "\n".join(problems), _REPORT_DOC)
    invalid = _field_errors(body)
    if invalid:
        return obj.error(422, "Validation Failed", _REPORT_DOC, errors=invalid)
    if repo.report_template is not None:
        errors = template_errors(repo.report_template, body["description"])
        if errors:
            return obj.error(422, TEMPLATE_MESSAGE, TEMPLATE_DOC, errors=errors)
    caller: Caller = request.context["caller"]
    advisory = _advisory(sim, repo, caller, body)
    sim.state.reports.append({
        "repo": repo.full_name,
        "login": caller.login,
        "body": body,
        "ghsa_id": advisory["ghsa_id"],
        "created_at": sim.state.now,
    })
    return Response(201, advisory)


def body_problems(body: Any) -> list[str]:
    """Where a report body breaks `private-vulnerability-report-create`, one line each."""
    if not isinstance(body, dict):
        return [f"{_inspect(body)} is not an object."]
    problems = [f'"{key}" is not a permitted key.' for key in body if key not in _BODY_KEYS]
    problems += [f'"{key}" wasn\'t supplied.' for key in ("summary", "description")
                 if key not in body]
    for key in ("summary", "description"):
        if key in body:
            problems += _string(body[key], f"properties/{key}", nullable=False,
                                max_length=_MAX_LENGTH[key])
    if "severity" in body:
        value = body["severity"]
        if value is not None and value not in SEVERITIES:
            problems.append(f"For 'properties/severity', {_inspect(value)} is not one of "
                            f"{json.dumps(list(SEVERITIES))}.")
    if "cvss_vector_string" in body:
        problems += _string(body["cvss_vector_string"], "properties/cvss_vector_string")
    if "start_private_fork" in body and not isinstance(body["start_private_fork"], bool):
        problems.append(f"For 'properties/start_private_fork', "
                        f"{_inspect(body['start_private_fork'])} is not a boolean.")
    if "cwe_ids" in body:
        problems += _string_list(body["cwe_ids"], "properties/cwe_ids")
    vulnerabilities = body.get("vulnerabilities")
    if vulnerabilities is not None and not isinstance(vulnerabilities, list):
        problems.append(f"For 'properties/vulnerabilities', {_inspect(vulnerabilities)} is not "
                        "an array.")
    for item in vulnerabilities if isinstance(vulnerabilities, list) else []:
        problems += _vulnerability_problems(item)
    return problems


def _vulnerability_problems(item: Any) -> list[str]:
    where = "properties/vulnerabilities/items"
    if not isinstance(item, dict):
        return [f"For '{where}', {_inspect(item)} is not an object."]
    problems = [f'"{key}" is not a permitted key.' for key in item
                if key not in _VULNERABILITY_KEYS]
    package = item.get("package")
    if "package" not in item:
        problems.append('"package" wasn\'t supplied.')
    elif not isinstance(package, dict):
        problems.append(f"For '{where}/properties/package', {_inspect(package)} is not an "
                        "object.")
    else:
        if "ecosystem" not in package:
            problems.append('"ecosystem" wasn\'t supplied.')
        elif package["ecosystem"] not in ECOSYSTEMS:
            problems.append(f"For '{where}/properties/package/properties/ecosystem', "
                            f"{_inspect(package['ecosystem'])} is not one of "
                            f"{json.dumps(list(ECOSYSTEMS))}.")
        if "name" in package:
            problems += _string(package["name"], f"{where}/properties/package/properties/name")
    for key in ("vulnerable_version_range", "patched_versions"):
        if key in item:
            problems += _string(item[key], f"{where}/properties/{key}")
    if "vulnerable_functions" in item:
        problems += _string_list(item["vulnerable_functions"],
                                 f"{where}/properties/vulnerable_functions")
    return problems


def _string(value: Any, where: str, nullable: bool = True,
            max_length: int | None = None) -> list[str]:
    if value is None and nullable:
        return []
    if not isinstance(value, str):
        return [f"For '{where}', {_inspect(value)} is not a string."]
    if max_length is not None and len(value) > max_length:
        return [f"For '{where}', the value is longer than {max_length} characters "
                f"({len(value)})."]
    return []


def _string_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        return [f"For '{where}', {_inspect(value)} is not an array."]
    return [f"For '{where}/items', {_inspect(item)} is not a string."
            for item in value if not isinstance(item, str)]


def _inspect(value: Any) -> str:
    """A value as GitHub's (Ruby) messages print it."""
    if value is None:
        return "nil"
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _field_errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    errors = []
    vector = body.get("cvss_vector_string")
    if body.get("severity") is not None and vector is not None:
        errors.append(_invalid("severity", "Only one of severity or cvss_vector_string may be "
                                           "set."))
    if vector is not None and not _CVSS.match(vector):
        errors.append(_invalid("cvss_vector_string", f"{vector} is not a valid CVSS vector."))
    for cwe in body.get("cwe_ids") or []:
        if not _CWE.match(cwe):
            errors.append(_invalid("cwe_ids", f"{cwe} is not a valid CWE identifier."))
    return errors


def _invalid(field: str, message: str) -> dict[str, Any]:
    return {"resource": "RepositoryAdvisory", "field": field, "code": "invalid",
            "message": message}


# report templates


def template_errors(template: dict[str, Any], description: str) -> list[dict[str, Any]]:
    """What a description lacks against a report template, in the template's order."""
    sections = template["sections"]
    index_of = {section["title"].casefold(): i for i, section in enumerate(sections)}
    bodies: dict[int, list[str]] = {}
    seen: list[int] = []
    current: int | None = None
    fence: str | None = None
    for line in description.splitlines():
        if fence is None:
            opened = _FENCE.match(line)
            heading = _HEADING.match(line) if opened is None else None
            if opened is not None:
                fence = opened["marker"]
            elif heading is not None:
                title = " ".join((heading["title"] or "").split()).casefold()
                if title in index_of and index_of[title] not in bodies:
                    current = index_of[title]
                    bodies[current] = []
                    seen.append(current)
                    continue
        elif line.strip().startswith(fence[0] * len(fence)):
            fence = None
        if current is not None:
            bodies[current].append(line)
    errors = []
    for index, section in enumerate(sections):
        title = section["title"]
        required = [o["label"] for o in section["options"] if o["required"]]
        lines = bodies.get(index)
        if lines is None:
            if section["required"]:
                errors.append(_template_error("missing_section", title))
            else:
                errors += [_template_error("unchecked_required_option", title, label)
                           for label in required]
            continue
        if section["required"] and not _COMMENT.sub("", "\n".join(lines)).strip():
            errors.append(_template_error("empty_section", title))
            continue
        ticked = {_label(m["label"]) for m in map(_CHECKBOX.match, lines)
                  if m is not None and m["mark"] in "xX"}
        errors += [_template_error("unchecked_required_option", title, label)
                   for label in required if _label(label) not in ticked]
    latest = -1
    for index in seen:
        if index < latest:
            errors.append(_template_error("sections_out_of_order", sections[index]["title"]))
        latest = max(latest, index)
    return errors


def _label(text: str) -> str:
    return " ".join(text.split()).casefold()


def _template_error(code: str, section: str, option: str | None = None) -> dict[str, Any]:
    error = {"resource": "RepositoryAdvisory", "field": "description", "code": code,
             "section": section}
    if option is not None:
        error["option"] = option
    return error


# the advisory a report becomes


def _advisory(sim: GitHubSimulator, repo: Repo, caller: Caller, body: dict[str, Any]
              ) -> dict[str, Any]:
    state, base = sim.state, sim.base_url
    ghsa = _ghsa_id(repo.full_name, caller.login, len(state.reports), body["summary"])
    login = caller.login or "ghost"
    number, kind = state.identity(login)
    vector = body.get("cvss_vector_string")
    score = cvss3_score(vector) if vector else None
    cvss = {"vector_string": vector, "score": score} if vector else None
    severity = body.get("severity") or (severity_of(score) if score is not None else None)
    now = iso(state.now)
    return {
        "ghsa_id": ghsa,
        "cve_id": None,
        "url": f"{base}/repos/{repo.full_name}/security-advisories/{ghsa}",
        "html_url": f"{obj.WEB}/{repo.full_name}/security/advisories/{ghsa}",
        "summary": body["summary"],
        "description": body["description"],
        "severity": severity,
        "author": obj.simple_user(base, state.display_login(login), number, kind),
        "publisher": None,
        "identifiers": [{"type": "GHSA", "value": ghsa}],
        "state": "triage",
        "created_at": now,
        "updated_at": now,
        "published_at": None,
        "closed_at": None,
        "withdrawn_at": None,
        "submission": {"accepted": False},
        "vulnerabilities": [_vulnerability(v) for v in body.get("vulnerabilities") or []],
        "cvss": cvss,
        "cvss_severities": {
            "cvss_v3": cvss if vector and vector.startswith("CVSS:3") else None,
            "cvss_v4": cvss if vector and vector.startswith("CVSS:4") else None,
        },
        "cwes": [{"cwe_id": cwe, "name": CWE_NAMES.get(cwe, cwe)}
                 for cwe in body.get("cwe_ids") or []],
        "cwe_ids": list(body.get("cwe_ids") or []),
        "credits": [],
        "credits_detailed": [],
        "collaborating_users": None,
        "collaborating_teams": None,
        "private_fork": None,
    }


# CVSS v3.x base score (https://www.first.org/cvss/v3.1/specification-document §7.1, §7.4)
_CVSS3_WEIGHTS = {
    "AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
    "AC": {"L": 0.77, "H": 0.44},
    "UI": {"N": 0.85, "R": 0.62},
    "C": {"H": 0.56, "L": 0.22, "N": 0.0},
    "I": {"H": 0.56, "L": 0.22, "N": 0.0},
    "A": {"H": 0.56, "L": 0.22, "N": 0.0},
}
_CVSS3_PRIVILEGES = {"U": {"N": 0.85, "L": 0.62, "H": 0.27},
                     "C": {"N": 0.85, "L": 0.68, "H": 0.5}}


def cvss3_score(vector: str) -> float | None:
    """The base score of a CVSS 3.x vector; None for other versions or incomplete vectors."""
    if not vector.startswith("CVSS:3."):
        return None
    metrics = dict(part.split(":", 1) for part in vector.split("/")[1:])
    try:
        weights = {key: table[metrics[key]] for key, table in _CVSS3_WEIGHTS.items()}
        changed = metrics["S"] == "C"
        privileges = _CVSS3_PRIVILEGES[metrics["S"]][metrics["PR"]]
    except KeyError:
        return None
    iss = 1 - (1 - weights["C"]) * (1 - weights["I"]) * (1 - weights["A"])
    impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15 if changed else 6.42 * iss
    if impact <= 0:
        return 0.0
    exploitability = 8.22 * weights["AV"] * weights["AC"] * privileges * weights["UI"]
    total = (1.08 if changed else 1.0) * (impact + exploitability)
    return _round_up(min(total, 10.0))


def _round_up(value: float) -> float:
    # CVSS 3.1 Appendix A: round up to one decimal without floating-point surprises.
    scaled = round(value * 100_000)
    return scaled / 100_000 if scaled % 10_000 == 0 else (scaled // 10_000 + 1) / 10.0


def severity_of(score: float) -> str | None:
    if score >= 9.0:
        return "critical"
    if score >= 7.0:
        return "high"
    if score >= 4.0:
        return "medium"
    return "low" if score > 0 else None


def _vulnerability(item: dict[str, Any]) -> dict[str, Any]:
    package = item["package"]
    return {
        "package": {"ecosystem": package["ecosystem"], "name": package.get("name")},
        "vulnerable_version_range": item.get("vulnerable_version_range"),
        "patched_versions": item.get("patched_versions"),
        "vulnerable_functions": list(item.get("vulnerable_functions") or []),
    }


def _ghsa_id(*parts: object) -> str:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    letters = [_GHSA_ALPHABET[byte % len(_GHSA_ALPHABET)] for byte in digest[:12]]
    return "GHSA-" + "-".join("".join(letters[i:i + 4]) for i in (0, 4, 8))


# repository files


def _contents(sim: GitHubSimulator, request: Request) -> Response:
    repo, _ = sim.visible_repo(request)
    if repo is None:
        return obj.error(404, "Not Found", _CONTENTS_DOC)
    branch = repo.data.get("default_branch", "main")
    ref = request.arg("ref")
    if ref and ref != branch and repo.resolve(ref) is None:
        return obj.error(404, f"No commit found for the ref {ref}", _CONTENTS_DOC)
    path = request.params["path"].strip("/")
    text = repo.files.get(path)
    if text is not None:
        accept = request.headers.get("accept", "")
        if any(kind in accept for kind in _RAW_TYPES):
            return Response(200, raw=text.encode(),
                            headers={"content-type": "text/plain; charset=utf-8"})
        return Response(200, content_file(sim.base_url, repo, path, text, ref or branch))
    listing = _directory(sim.base_url, repo, path, ref or branch)
    if listing:
        return Response(200, listing)
    return obj.error(404, "Not Found", _CONTENTS_DOC)


def blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _entry_urls(base: str, repo: Repo, path: str, ref: str, git: str, kind: str
                ) -> dict[str, Any]:
    api = f"{base}/repos/{repo.full_name}/contents/{quote(path)}?ref={quote(ref)}"
    html = f"{obj.WEB}/{repo.full_name}/{kind}/{quote(ref)}/{quote(path)}"
    return {"url": api, "git_url": git, "html_url": html,
            "_links": {"self": api, "git": git, "html": html}}


def content_file(base: str, repo: Repo, path: str, text: str, ref: str) -> dict[str, Any]:
    data = text.encode()
    sha = blob_sha(data)
    encoded = base64.b64encode(data).decode()
    return {
        "type": "file",
        "encoding": "base64",
        "size": len(data),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        # GitHub wraps the base64 at 60 characters and ends every line with a newline.
        "content": "".join(encoded[i:i + 60] + "\n" for i in range(0, len(encoded), 60)),
        "sha": sha,
        **_entry_urls(base, repo, path, ref, f"{base}/repos/{repo.full_name}/git/blobs/{sha}",
                      "blob"),
        "download_url": f"https://raw.githubusercontent.com/{repo.full_name}/{quote(ref)}/"
                        f"{quote(path)}",
    }


def _directory(base: str, repo: Repo, path: str, ref: str) -> list[dict[str, Any]]:
    prefix = f"{path}/" if path else ""
    children: dict[str, str | None] = {}  # name -> file text, None for a sub-directory
    for name, text in repo.files.items():
        if name.startswith(prefix):
            head, _, rest = name[len(prefix):].partition("/")
            children[head] = None if rest else text
    entries = []
    for name in sorted(children):
        text, child = children[name], f"{prefix}{name}"
        if text is None:
            sha = obj.fake_sha(repo.full_name, "tree", child)
            git = f"{base}/repos/{repo.full_name}/git/trees/{sha}"
            entry = {"type": "dir", "size": 0, "name": name, "path": child, "sha": sha,
                     **_entry_urls(base, repo, child, ref, git, "tree"), "download_url": None}
        else:
            entry = content_file(base, repo, child, text, ref)
            for key in ("content", "encoding"):  # listings leave the content out
                entry.pop(key)
        entries.append(entry)
    return entries
