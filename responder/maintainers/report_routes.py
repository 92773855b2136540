"""The registry's own route for reporting a malicious package: a manual step, beside the
maintainer's channel, because a registry can pull a release the maintainers cannot (their account
may be the compromised one).

Sources: maintainers.md §2.1 (npm "Report malware"), §2.2 (PyPI "Report project as malware",
security@pypi.org), §6.6. UNCONFIRMED: Docker Hub's and JSR's report routes; GitHub's abuse form
for GHCR packages is GitHub's general one.
"""

from __future__ import annotations

from responder.maintainers.model import PackageFacts


def registry_report(facts: PackageFacts) -> str | None:
    identity = facts.identity
    if identity is None:
        return None
    what = identity.name + (f" ({', '.join(facts.suspect)})" if facts.suspect else "")
    ecosystem = identity.ecosystem
    if identity.registry:
        return (f"If the release is malicious, tell the operator of {identity.registry} (the "
                f"custom registry it came from) to block {what}")
    if ecosystem == "npm":
        return (f"If the release is malicious, report {what} to npm: "
                f"https://www.npmjs.com/support → \"Report malware\" (npm can unpublish it for "
                f"everyone)")
    if ecosystem == "pypi":
        return (f"If the release is malicious, report {what} to PyPI: sign in at "
                f"https://pypi.org/project/{identity.name}/ and use \"Report project as "
                f"malware\", or write to security@pypi.org")
    if ecosystem == "oci":
        host, _, path = identity.name.partition("/")
        if host == "ghcr.io":
            return (f"If the image is malicious, report {what} to GitHub: "
                    f"https://github.com/contact/report-abuse")
        if host == "docker.io":
            return (f"If the image is malicious, report {what} to Docker Hub from "
                    f"https://hub.docker.com/r/{path.removeprefix('library/')} (or "
                    f"https://www.docker.com/support/)")
        return f"If the image is malicious, tell the operator of {host} to remove {what}"
    if ecosystem == "jsr":
        return (f"If the release is malicious, report {what} to JSR from "
                f"https://jsr.io/{identity.name}")
    if ecosystem in ("go", "vcs"):
        return (f"If the code is malicious, report the repository of {what} to its host "
                f"(GitHub: https://github.com/contact/report-abuse); the Go module proxy keeps "
                f"serving a tagged version until the maintainers retract it")
    return None
