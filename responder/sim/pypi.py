"""A PyPI JSON API simulator: `/pypi/{project}/json` and `/pypi/{project}/{version}/json`.

Shapes follow pypi/warehouse `docs/user/api/json.md` and `warehouse/legacy/api/json.py`
(maintainers.md §2.2):

- Projects are found by their PEP 503 normalised name; a request spelled any other way answers
  301 to the same route under the normalised name (warehouse `json_project` / `json_release`
  compare `project.normalized_name` with the name in the URL). A trailing slash is accepted.
- Latest release, as warehouse's `latest_release_factory` orders: not yanked first, then final
  releases before pre-releases, then the highest version by PEP 440 order.
- A version URL matches the canonical version too ("2025.1" finds "2025.1.0").
- `releases` only on the project URL; `urls` are the files of the release shown; `ownership`
  (`roles`, Owners first, and `organization`) on both.
- Unknown project or version: 404 `{"message": "Not Found"}`.

Seed: `projects: {name: {...}}` with info fields (`summary`, `description`, `author`,
`author_email`, `maintainer`, `maintainer_email`, `home_page`, `license`, `project_urls`, ...),
`ownership`, `last_serial` and `versions: [{version, published, yanked, yanked_reason, files,
<info overrides>}]`. Each version gets an sdist and a wheel unless `files` lists filenames; their
digests are of placeholder bytes. UNCONFIRMED: the 404 body text (taken from the brief).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from responder.sim.server import Fault, Request, Response, SimServer, phrase, resolve_time

# Info fields a version may override; every other seed key describes the project or release.
INFO_FIELDS = ("summary", "description", "description_content_type", "keywords", "license",
               "license_expression", "license_files", "classifiers", "author", "author_email",
               "maintainer", "maintainer_email", "requires_python", "platform", "project_urls",
               "requires_dist", "provides_extra", "docs_url", "home_page", "download_url",
               "dynamic")
_LIST_FIELDS = frozenset({"classifiers"})


def normalize(name: str) -> str:
    """PEP 503."""
    return re.sub(r"[-_.]+", "-", name).lower()


_PEP440 = re.compile(
    r"""^\s*v?(?:(?P<epoch>\d+)!)?(?P<release>\d+(?:\.\d+)*)
    (?:[-_.]?(?P<pre_l>alpha|beta|preview|pre|rc|a|b|c)[-_.]?(?P<pre_n>\d+)?)?
    (?:-(?P<post_n1>\d+)|[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>\d+)?)?
    (?:[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>\d+)?)?
    (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_PRE_RANK = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}


def version_key(text: str) -> tuple[Any, ...]:
    """PEP 440 ordering, the way `packaging.version.Version` compares (local labels ignored)."""
    match = _PEP440.match(text)
    if match is None:
        return (-1, text)  # unparseable versions sort below every valid one
    release = [int(part) for part in match["release"].split(".")]
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    pre_l, dev_l = match["pre_l"], match["dev_l"]
    post = match["post_n1"] or match["post_l"]
    if pre_l:
        pre: tuple[int, ...] = (1, _PRE_RANK[pre_l.lower()], int(match["pre_n"] or 0))
    elif dev_l and not post:
        pre = (0,)  # 1.0.dev0 comes before 1.0a0
    else:
        pre = (2,)
    post_key = (1, int(match["post_n1"] or match["post_n2"] or 0)) if post else (0,)
    dev_key = (1, int(match["dev_n"] or 0)) if dev_l else (2,)
    return (0, int(match["epoch"] or 0), tuple(release), pre, post_key, dev_key)


def is_prerelease(text: str) -> bool:
    match = _PEP440.match(text)
    return bool(match and (match["pre_l"] or match["dev_l"]))


@dataclass
class PyPIFile:
    filename: str
    packagetype: str
    python_version: str
    size: int
    md5: str
    sha256: str
    blake2b_256: str


@dataclass
class PyPIRelease:
    version: str
    published: datetime
    info: dict[str, Any]
    yanked: bool = False
    yanked_reason: str | None = None
    files: list[PyPIFile] = field(default_factory=list)


@dataclass
class PyPIProject:
    name: str  # display name
    releases: list[PyPIRelease]
    ownership: dict[str, Any]
    last_serial: int

    @property
    def normalized(self) -> str:
        return normalize(self.name)

    def latest(self) -> PyPIRelease | None:
        if not self.releases:
            return None
        return max(self.releases, key=lambda r: (not r.yanked, not is_prerelease(r.version),
                                                 version_key(r.version)))

    def release(self, version: str) -> PyPIRelease | None:
        exact = next((r for r in self.releases if r.version == version), None)
        if exact is not None:
            return exact
        wanted = version_key(version)
        if wanted[0] == -1:
            return None
        return next((r for r in self.releases if version_key(r.version) == wanted), None)


def project_from_seed(key: str, seed: dict[str, Any], now: datetime) -> PyPIProject:
    name = str(seed.get("name") or key)
    defaults = {k: seed[k] for k in INFO_FIELDS if k in seed}
    releases = []
    for entry in seed.get("versions") or []:
        entry = {"version": entry} if isinstance(entry, str) else dict(entry)
        number = str(entry["version"])
        release = PyPIRelease(
            version=number,
            published=resolve_time(entry.get("published", now), now),
            info={**defaults, **{k: entry[k] for k in INFO_FIELDS if k in entry}},
            yanked=bool(entry.get("yanked", False)),
            yanked_reason=entry.get("yanked_reason") or None,
        )
        filenames = entry.get("files")
        if filenames is None:
            stem = re.sub(r"[-_.]+", "_", name)
            filenames = [f"{stem.lower()}-{number}.tar.gz", f"{stem}-{number}-py3-none-any.whl"]
        release.files = [_file(str(filename)) for filename in filenames]
        releases.append(release)
    ownership = dict(seed.get("ownership") or {})
    roles = [dict(role) for role in ownership.get("roles") or []]
    roles.sort(key=lambda role: role.get("role") != "Owner")  # Owners first, else seed order
    serial = seed.get("last_serial") or 20_000_000 + len(releases)
    return PyPIProject(name, releases, {"roles": roles,
                                        "organization": ownership.get("organization")},
                       int(serial))


def _file(filename: str) -> PyPIFile:
    wheel = filename.endswith(".whl")
    content = f"placeholder bytes of {filename}\n".encode()
    return PyPIFile(
        filename=filename,
        packagetype="bdist_wheel" if wheel else "sdist",
        python_version="py3" if wheel else "source",
        size=len(content),
        md5=hashlib.md5(content).hexdigest(),
        sha256=hashlib.sha256(content).hexdigest(),
        blake2b_256=hashlib.blake2b(content, digest_size=32).hexdigest(),
    )


class PyPISimulator(SimServer):
    server_header = "pypi-sim"
    api_path = ""

    def __init__(self, projects: list[PyPIProject] | None = None) -> None:
        super().__init__()
        self.projects: dict[str, PyPIProject] = {p.normalized: p for p in projects or []}
        for suffix in ("", "/"):
            self.route("GET", "/pypi/{project}/json" + suffix, self._project)
            self.route("GET", "/pypi/{project}/{version}/json" + suffix, self._release)

    @classmethod
    def from_seed(cls, seed: dict[str, Any], now: datetime | None = None) -> PyPISimulator:
        moment = resolve_time(now or datetime.now(UTC), datetime.now(UTC))
        return cls([project_from_seed(str(key), dict(entry or {}), moment)
                    for key, entry in (seed.get("projects") or {}).items()])

    def error_response(self, status: int, message: str | None = None,
                       fault: Fault | None = None) -> Response:
        default = {404: "Not Found", 429: "Too Many Requests"}.get(status, phrase(status))
        return Response(status, {"message": message or default})

    # -- handlers -----------------------------------------------------------------------------

    def _project(self, request: Request) -> Response:
        project = self.projects.get(normalize(request.params["project"]))
        release = project.latest() if project else None
        if project is None or release is None:
            return self.error_response(404)
        return self._answer(request, project, release, all_releases=True)

    def _release(self, request: Request) -> Response:
        project = self.projects.get(normalize(request.params["project"]))
        release = project.release(request.params["version"]) if project else None
        if project is None or release is None:
            return self.error_response(404)
        return self._answer(request, project, release, all_releases=False)

    def _answer(self, request: Request, project: PyPIProject, release: PyPIRelease,
                all_releases: bool) -> Response:
        if request.params["project"] != project.normalized:
            # Only the name segment changes; the version and any trailing slash stay as sent.
            prefix = f"/pypi/{request.path.split('/')[2]}/"
            target = f"/pypi/{project.normalized}/" + request.path[len(prefix):]
            return Response(301, {"message": "Moved Permanently"},
                            headers={"location": self.base_url + target})
        body = self.document(project, release, all_releases)
        return Response(200, body, headers={"x-pypi-last-serial": str(project.last_serial),
                                            "access-control-allow-origin": "*"})

    # -- documents ----------------------------------------------------------------------------

    def document(self, project: PyPIProject, release: PyPIRelease,
                 all_releases: bool) -> dict[str, Any]:
        ordered = sorted(project.releases, key=lambda r: version_key(r.version), reverse=True)
        files = {r.version: [self._file_entry(r, f) for f in r.files] for r in ordered}
        data: dict[str, Any] = {
            "info": self._info(project, release),
            "last_serial": project.last_serial,
            "urls": files[release.version],
            "vulnerabilities": [],
            "ownership": {"roles": [dict(r) for r in project.ownership["roles"]],
                          "organization": project.ownership["organization"]},
        }
        if all_releases:
            data["releases"] = files
        return data

    def _info(self, project: PyPIProject, release: PyPIRelease) -> dict[str, Any]:
        info: dict[str, Any] = {key: ([] if key in _LIST_FIELDS else None)
                                for key in INFO_FIELDS}
        info.update(release.info)
        info["project_urls"] = info["project_urls"] or None
        page = f"{self.base_url}/project/{project.name}/"
        info.update({
            "name": project.name,
            "version": release.version,
            "package_url": page,
            "project_url": page,
            "release_url": f"{page}{release.version}/",
            "bugtrack_url": None,
            "downloads": {"last_day": -1, "last_week": -1, "last_month": -1},
            "yanked": release.yanked,
            "yanked_reason": release.yanked_reason,
        })
        return info

    def _file_entry(self, release: PyPIRelease, file: PyPIFile) -> dict[str, Any]:
        uploaded = release.published.astimezone(UTC).replace(tzinfo=None)
        blake = file.blake2b_256
        return {
            "filename": file.filename,
            "packagetype": file.packagetype,
            "python_version": file.python_version,
            "has_sig": False,
            "comment_text": "",
            "md5_digest": file.md5,
            "digests": {"md5": file.md5, "sha256": file.sha256, "blake2b_256": blake},
            "size": file.size,
            "downloads": -1,
            "upload_time": uploaded.strftime("%Y-%m-%dT%H:%M:%S"),
            "upload_time_iso_8601": uploaded.strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z",
            "url": f"{self.base_url}/packages/{blake[:2]}/{blake[2:4]}/{blake[4:]}/"
                   f"{file.filename}",
            "requires_python": release.info.get("requires_python") or None,
            "yanked": release.yanked,
            "yanked_reason": release.yanked_reason,
        }
