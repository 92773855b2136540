"""Find the credentials a server definition hands its server, wherever the config hides them.

Places (shared/reference/providers.md §1): env values; headers (the scheme word stripped, Basic
decoded); args (`--flag=value`, `--flag value`, `--header "Name: value"`, `NAME=value`, URLs);
JSON inside a value (Notion's OPENAPI_MCP_HEADERS); base64 `user:token`; the URL's userinfo and
query; files the definition points at (envFile, *_PATH / *_FILE credential files, Goose's
secrets.yaml, the AWS profile's credentials file); and names resolved indirectly, per client
(mcp-clients.md §2): `${VAR}`, `${env:VAR}`, `${VAR:-default}`; Gemini CLI `$VAR`, `%VAR%` and its
`.env` files; Continue `${{ secrets.NAME }}`; Windsurf `${file:/path}`; Codex `env_vars`,
`bearer_token_env_var`, `env_http_headers` (Codex itself interpolates nothing); Goose `env_keys`.

Values are resolved but never printed: each becomes a `Credential` holding a `Secret`. What cannot
be resolved (an unset variable, a keyring entry, VS Code's secret storage, a headersHelper command)
is a sentence with a manual step, never a crash and never a value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from responder.clients.base import ServerEntry
from responder.core.machine import Machine
from responder.core.secrets import Secret
from responder.credentials import classify, decode, sources
from responder.credentials.model import Credential, Origin

# `${{ secrets.NAME }}` (Continue), `${input:id}` (VS Code), `${file:/path}` (Windsurf),
# `${VAR}` (Kiro, Claude Code, Gemini, Goose headers), `${env:VAR}` (VS Code, Cursor, Cline, Roo,
# Amazon Q) and `${VAR:-default}` (Claude Code, Gemini): shared/reference/mcp-clients.md §2.
_REFERENCE = re.compile(
    r"\$\{\{\s*secrets\.(?P<secret>[A-Za-z0-9_.-]+)\s*\}\}"
    r"|\$\{input:(?P<input>[^}]*)\}"
    r"|\$\{file:(?P<file>[^}]*)\}"
    r"|\$\{(?:env:)?(?P<var>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}")
# Gemini CLI also expands `$VAR` and `%VAR%`.
_GEMINI_REFERENCE = re.compile(
    _REFERENCE.pattern + r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)|%(?P<pct>[A-Za-z_][A-Za-z0-9_]*)%")
_NO_EXPANSION = frozenset({"codex"})
_GEMINI = frozenset({"gemini-cli"})

_SECRET_FLAG = re.compile(r"^--?(?:[A-Za-z0-9_-]*(?:token|key|secret|password|passwd|auth|"
                          r"credential|bearer)[A-Za-z0-9_-]*|(?:[A-Za-z0-9_-]*[-_])?pat"
                          r"(?:[-_][A-Za-z0-9_-]*)?)$", re.IGNORECASE)
# Flags whose value says how to authenticate or where, not with what.
_SETTING_FLAG = re.compile(r"(?:^|[-_])(?:type|mode|method|url|uri|host|id|name|env|var|timeout|"
                           r"provider|server|scopes?|endpoint)$|^authentication$|^auth$",
                           re.IGNORECASE)
_FILE_FLAG = re.compile(r"[-_](?:file|path)$", re.IGNORECASE)
_HEADER_FLAG = frozenset({"header", "headers", "h", "http-header"})
_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.DOTALL)
# Variables that name a file, and the ones among them worth opening.
_PATH_NAME = re.compile(r"(?:_PATH|_FILE|_FILENAME|_DIR|_DIRECTORY|_FOLDER)$", re.IGNORECASE)
_CREDENTIAL_FILE = re.compile(r"KEY|CRED|OAUTH|AUTH|TOKEN|SECRET|PEM|CERT|SERVICE_ACCOUNT",
                              re.IGNORECASE)
_ALWAYS_FILE = frozenset({"GOOGLE_APPLICATION_CREDENTIALS"})
# URL query keys that carry a token even though the key does not look secret.
_QUERY_SECRETS = frozenset({"key", "token", "apikey", "api_key", "access_token", "auth",
                            "sig", "signature", "code", "password", "secret"})
_AZURE_ORG_VAR = re.compile(r"^(?:ADO|AZURE_DEVOPS|AZDO)_ORG(?:ANI[SZ]ATION)?(?:_NAME|_URL)?$")
# Definition keys that only some clients use; most entries have none of them.
_SPECIAL_KEYS = frozenset({"envFile", "env_vars", "bearer_token_env_var", "env_http_headers",
                           "env_keys", "headersHelper", "apiKey", "oauth"})
_EMPTY = ("is empty: this definition gives the server no token; if it runs with one from "
          "elsewhere, revoke that by hand")


@dataclass
class Discovery:
    credentials: list[Credential] = field(default_factory=list)
    # Human sentences, no values: every case that needs a person (an unset variable, an empty
    # one, a file that could not be read, a token held outside the file).
    unresolved: list[str] = field(default_factory=list)
    literal_findings: list[str] = field(default_factory=list)
    # The subset of `unresolved` about tokens held outside the file: a keyring entry, editor
    # secret storage, a command's output.
    outside: list[str] = field(default_factory=list)

    @property
    def secrets(self) -> list[Secret]:
        """Every value to scrub from output: each credential and each encoded form of it."""
        return [s for c in self.credentials for s in (c.secret, *c.encodings)]


def discover(entry: ServerEntry, machine: Machine | Mapping[str, str]) -> Discovery:
    """The credentials `entry` passes to its server. `machine` gives the environment variables
    are resolved from and the home and workspaces files are looked up in; a plain mapping is
    the environment alone (files are then looked up from its HOME, without a current directory).
    """
    scan = _Scan(entry, machine)
    scan.run()
    return scan.found


# -- internals ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Value:
    text: str
    literal: bool  # written into the config itself
    variable: str | None = None
    context: tuple[tuple[str, str], ...] = ()  # where it came from (source_file)


@dataclass
class _Hit:
    value: str
    provider: str | None
    kind: str
    origin: Origin
    name: str  # the name the value was given under (env var, header, flag, key)
    context: list[tuple[str, str]]
    encodings: list[str]
    well_formed: bool = True
    candidates: tuple[str, ...] = ()
    group: str = ""  # which AWS key pair it may belong to ("" = the definition itself)


def _rank(hit: _Hit) -> int:
    if hit.candidates or not hit.well_formed:
        return 1
    if hit.provider is None:
        return 0
    return 2 if hit.kind != classify.UNRECOGNISED_FORMAT else 1


class _Scan:
    def __init__(self, entry: ServerEntry, where: Machine | Mapping[str, str]) -> None:
        self.entry = entry
        self.view = entry.view
        definition = entry.definition
        self.definition: Mapping[str, Any] = definition if isinstance(definition, Mapping) else {}
        self.client = entry.config.client
        self.machine = where if isinstance(where, Machine) else None
        if self.machine is not None:
            self.env: Mapping[str, str] = self.machine.env
        else:
            self.env = where if isinstance(where, Mapping) else {}
        self.config = str(entry.config.path)
        self.found = Discovery()
        self.hits: list[_Hit] = []
        self.settings: dict[str, str] = {}  # the definition's env, resolved: context comes from it
        self._weak: tuple[str, ...] | None = None
        self._gemini_env: tuple[dict[str, str], Path] | None | bool = False
        self._root: Path | None | bool = False

    @cached_property
    def home(self) -> Path | None:
        if self.machine is not None:
            return self.machine.home
        home = self.env.get("HOME") or self.env.get("USERPROFILE")
        return Path(home) if home else None

    @property
    def prefix(self) -> str:
        return f"{self.entry.name} in {self.config}: "

    # -- sentences ------------------------------------------------------------------------------

    def unresolved(self, sentence: str) -> None:
        self.found.unresolved.append(self.prefix + sentence)

    def outside(self, sentence: str) -> None:
        text = self.prefix + sentence
        self.found.outside.append(text)
        self.found.unresolved.append(text)

    # -- the walk -------------------------------------------------------------------------------

    def run(self) -> None:
        view = self.view
        for name, raw in view.env.items():
            self.env_entry(f"env.{name}", name, raw)
        special = not _SPECIAL_KEYS.isdisjoint(self.definition)
        if special:
            self.env_file()
            self.codex()
            self.goose()
        for name, raw in view.headers.items():
            self.value(f"headers.{name}", name, raw, classify.looks_secret(name))
        if special:
            self.headers_helper()
        if view.args:
            self.arguments()
        if view.url is not None:
            self.url(view.url, "url")
        if special:
            self.extras()
        if "AWS_PROFILE" in self.settings:
            self.aws_profile()
        if self.hits:
            self.finish()

    def env_entry(self, field_name: str, name: str, raw: str,
                  from_file: Path | None = None) -> None:
        secret = classify.looks_secret(name)
        if _PATH_NAME.search(name) or name in _ALWAYS_FILE:
            value = self.resolve(field_name, name, raw, False, from_file)
            if value is None or not value.text:
                return
            self.settings.setdefault(name, value.text)
            if _names_a_file(value.text):
                if name in _ALWAYS_FILE or _CREDENTIAL_FILE.search(name):
                    self.file(field_name, name, value)
                return
            # Not a path after all (a token under a *_FILE name): judged as a value.
            self.consider(field_name, name, value, secret)
            return
        value = self.resolve(field_name, name, raw, secret, from_file)
        if value is None:
            return
        self.settings.setdefault(name, value.text)
        self.consider(field_name, name, value, secret)

    def value(self, field_name: str, name: str, raw: str, secret: bool) -> _Value | None:
        value = self.resolve(field_name, name, raw, secret)
        if value is not None:
            self.consider(field_name, name, value, secret)
        return value

    # -- resolving references -------------------------------------------------------------------

    def resolve(self, field_name: str, name: str, raw: str, secret: bool,
                from_file: Path | None = None) -> _Value | None:
        if from_file is not None:  # an envFile entry: taken as written, from that file
            return _Value(raw, False, None, (("source_file", str(from_file)),))
        if self.client in _NO_EXPANSION or ("$" not in raw and "%" not in raw):
            return _Value(raw, True)
        pattern = _GEMINI_REFERENCE if self.client in _GEMINI else _REFERENCE
        pieces: list[str] = []
        literal, variable, context, last = True, None, [], 0
        for match in pattern.finditer(raw):
            pieces.append(raw[last:match.start()])
            last = match.end()
            resolved = self.reference(match, field_name, secret)
            if resolved is None:
                return None
            text, is_reference, named, extra = resolved
            literal = literal and not is_reference
            variable = variable or named
            context += extra
            pieces.append(text)
        pieces.append(raw[last:])
        return _Value("".join(pieces), literal, variable, tuple(context))

    def reference(self, match: re.Match[str], field_name: str, secret: bool
                  ) -> tuple[str, bool, str | None, list[tuple[str, str]]] | None:
        """(text, is a reference, variable named, context) for one reference; None when it
        cannot be resolved (the sentence is already said)."""
        groups = match.groupdict()
        if groups["secret"] is not None:
            return self.continue_secret(groups["secret"], field_name)
        if groups["input"] is not None:
            input_id = groups["input"]
            if secret or classify.looks_secret(input_id):
                self.outside(f"{field_name} uses ${{input:{input_id}}}: token held outside the "
                             f"file: VS Code secret storage (input {input_id}); responder cannot "
                             f"read it, so revoke that token by hand")
            return None
        if groups["file"] is not None:
            path = self.path(groups["file"].strip())
            if path is None:
                return None
            try:
                text = sources.read_text(path).strip()
            except sources.SourceError as error:
                self.unresolved(f"{field_name} reads ${{file:...}}, and {error}; if the server "
                                f"gets a token from it, revoke that by hand")
                return None
            return text, True, None, [("source_file", str(path))]
        var = groups["var"] or groups.get("bare") or groups.get("pct") or ""
        shown = f"${{{var}}}" if groups["var"] else match.group(0)
        if var in self.env:
            return self.env[var], True, var, []
        predefined = self.predefined(var)
        if predefined is not None:
            return predefined, False, None, []
        if groups["var"] and groups["default"] is not None:
            return groups["default"], True, var, []
        if self.client in _GEMINI:
            loaded = self.gemini_env()
            if loaded is not None and var in loaded[0]:
                return loaded[0][var], True, var, [("source_file", str(loaded[1]))]
        if secret or classify.looks_secret(var):
            where = ""
            if self.client in _GEMINI:
                loaded = self.gemini_env()
                where = f" (nor in {loaded[1]})" if loaded is not None else " (nor in a .env file)"
            self.unresolved(f"{field_name} refers to {shown}, which is not set in this "
                            f"environment{where}; revoke that token by hand if it exists where "
                            f"the client runs")
        return None

    def predefined(self, var: str) -> str | None:
        """Editor variables (VS Code, Cursor, Roo, Claude Code plugins) that are not secrets."""
        if var == "userHome":
            return str(self.home) if self.home is not None else ""
        if var in ("workspaceFolder", "CLAUDE_PROJECT_DIR"):
            root = self.root()
            return str(root) if root is not None else ""
        if var == "workspaceFolderBasename":
            root = self.root()
            return root.name if root is not None else ""
        if var == "pathSeparator":
            return "/"
        return None

    def continue_secret(self, name: str, field_name: str
                        ) -> tuple[str, bool, str | None, list[tuple[str, str]]] | None:
        home = self.env.get("CONTINUE_GLOBAL_DIR")
        continue_home = Path(home) if home else (self.home / ".continue" if self.home else None)
        found = sources.first_defining(sources.continue_dotenvs(continue_home, self.roots()),
                                       name)
        if found is not None:
            return found[0], True, name, [("source_file", str(found[1]))]
        self.outside(f"{field_name} uses ${{{{ secrets.{name} }}}}, which no Continue .env file "
                     f"here defines: token held outside the file (Continue Hub secret or "
                     f"another machine's .env); revoke that token by hand")
        return None

    def gemini_env(self) -> tuple[dict[str, str], Path] | None:
        if self._gemini_env is False:
            self._gemini_env = None
            start = self.root() or self.home  # the project, else the current directory
            path = sources.gemini_dotenv(start, self.home) if start is not None else None
            if path is not None:
                try:
                    self._gemini_env = (sources.dotenv(path), path)
                except sources.SourceError as error:
                    self.unresolved(f"Gemini CLI's .env file cannot be used: {error}")
        return self._gemini_env  # type: ignore[return-value]

    # -- where things are -----------------------------------------------------------------------

    def root(self) -> Path | None:
        """The workspace folder: the project the config file belongs to, else the current
        directory."""
        if self._root is False:
            self._root = _project_root(self.entry.config.path, self.entry.scope)
            if self._root is None and self.machine is not None:
                self._root = self.machine.cwd
        return self._root  # type: ignore[return-value]

    def roots(self) -> list[Path]:
        roots = [r for r in (self.root(),) if r is not None]
        if self.machine is not None:
            roots += [r for r in self.machine.workspace_roots() if r not in roots]
        return roots

    def path(self, text: str) -> Path | None:
        text = sources.expand_home(text.strip(), self.home)
        if not text:
            return None
        path = Path(text)
        if path.is_absolute():
            return path
        cwd = self.definition.get("cwd")
        base = Path(cwd) if isinstance(cwd, str) and Path(cwd).is_absolute() else self.root()
        return base / path if base is not None else None

    def weak(self) -> tuple[str, ...]:
        if self._weak is None:
            view = self.view
            self._weak = classify.weak_hints(" ".join(
                [self.entry.name, view.command or "", *view.args, view.url or ""]))
        return self._weak

    # -- judging one value ----------------------------------------------------------------------

    def consider(self, field_name: str, name: str, value: _Value, secret: bool, *,
                 context: tuple[tuple[str, str], ...] = (), group: str = "") -> None:
        """One value given under `name`: resolved already, judged here."""
        scheme, text = decode.split_scheme(value.text)
        if not text:
            if secret:
                shown = f" (${{{value.variable}}})" if value.variable else ""
                self.unresolved(f"{field_name}{shown} {_EMPTY}")
            return
        if not secret and text[0] not in "{[" and "PRIVATE KEY-----" not in text \
                and classify.recognise(text) is None and not classify.find_in_text(text):
            return  # the common case: an ordinary argument or setting
        if self.client in _NO_EXPANSION and "${" in text:
            return  # Codex passes this placeholder on as written: no token in it
        hints = classify.provider_hints(name) or classify.provider_hints(value.variable or "")
        scheme_hint = classify.scheme_hint(scheme) if scheme else None
        if scheme_hint and scheme_hint not in hints:
            hints = (scheme_hint, *hints)
        origin = Origin(self.config, self.entry.name, field_name, value.literal,
                        value.variable)
        self.analyse(text, origin, name, hints, secret, scheme, [*value.context, *context], [],
                     group, 0)

    def analyse(self, text: str, origin: Origin, name: str, hints: tuple[str, ...],
                secret: bool, scheme: str, context: list[tuple[str, str]],
                encodings: list[str], group: str, depth: int) -> None:
        def hit(value: str, provider: str | None, kind: str, well_formed: bool = True,
                candidates: tuple[str, ...] = ()) -> None:
            self.hits.append(_Hit(value, provider, kind, origin, name, list(context),
                                  list(encodings), well_formed, candidates, group))

        if scheme.lower() == "basic":
            decoded = decode.base64_text(text, minimum=4)
            if decoded is not None:
                self.decoded(decoded, text, origin, name, hints, context, encodings, group, depth)
                return
        if depth < 4 and text[0] in "{[":
            data = decode.json_value(text)
            if data is not None:
                self.structure(data, origin, name, hints, context, encodings, group, depth + 1)
                return
        pem = decode.private_key(text)
        if pem is not None:
            if pem not in text:  # written with "\n" escapes: scrub that form as well
                encodings = [*encodings, pem.replace("\n", "\\n")]
            provider = "github" if "github" in hints else (hints[0] if len(hints) == 1 else None)
            hit(pem, provider, "GitHub App private key" if provider == "github" else "private key")
            return
        kind = classify.recognise(text)
        if kind is not None:
            hit(text.strip(), kind.provider, kind.kind)
            return
        if secret:
            fits = classify.keyword_fit(text, hints or self.weak())
            if len(fits) == 1:
                hit(text, fits[0].provider, fits[0].kind)
                return
            if fits:
                hit(text, None, classify.AMBIGUOUS,
                    candidates=tuple(sorted({k.provider for k in fits})))
                return
        embedded = classify.find_in_text(text)
        if embedded:
            for found, token in embedded:
                hit(token, found.provider, found.kind)
            return
        if not secret or len(text) < 8:
            return
        if depth < 2 and len(text) >= decode.LONG_BASE64:
            decoded = decode.base64_text(text)
            if decoded is not None and (decode.user_and_secret(decoded) is not None
                                        or classify.recognise(decoded) is not None):
                self.decoded(decoded, text, origin, name, hints, context, encodings, group, depth)
                return
        bad = classify.malformed(text)
        if bad is not None:
            hit(text, bad[0], f"malformed {bad[1]}", well_formed=False)
            return
        verdict = classify.unknown(hints)
        hit(text, verdict.provider, verdict.kind, candidates=verdict.candidates)

    def decoded(self, decoded: str, encoded: str, origin: Origin, name: str,
                hints: tuple[str, ...], context: list[tuple[str, str]], encodings: list[str],
                group: str, depth: int) -> None:
        """base64 of `user:token` (Basic, Azure DevOps) or of a token: the token is the
        credential, the encoded form is kept to be scrubbed too, the user is context."""
        pair = decode.user_and_secret(decoded)
        encodings = [*encodings, encoded]
        if pair is not None and classify.recognise(pair.user) is not None \
                and classify.recognise(pair.secret) is None:
            pair = decode.Pair("", pair.user)  # GitHub-style `<token>:x-oauth-basic`
        if pair is None:
            self.analyse(decoded, origin, name, hints, True, "", context, encodings, group,
                         depth + 1)
            return
        extra = [("basic_user", pair.user)] if pair.user else []
        self.analyse(pair.secret, origin, name, hints, True, "", [*context, *extra], encodings,
                     group, depth + 1)

    def structure(self, data: Any, origin: Origin, name: str, hints: tuple[str, ...],
                  context: list[tuple[str, str]], encodings: list[str], group: str,
                  depth: int) -> None:
        """JSON inside a value (or a file): Google credential documents, else every string,
        with its key as the name."""
        google = decode.google_secrets(data)
        if google is not None:
            for item in google:
                inner = Origin(origin.config, origin.server, f"{origin.field}.{item.key}",
                               origin.literal, origin.variable)
                escaped = json.dumps(item.value)[1:-1]  # as written inside the JSON text
                forms = [*encodings, escaped] if escaped != item.value else list(encodings)
                self.hits.append(_Hit(item.value, "google", item.kind, inner, item.key,
                                      [*context, *item.context], forms, group=group))
            return
        items = data.items() if isinstance(data, Mapping) else enumerate(data)
        for key, item in items:
            inner_name = str(key) if isinstance(data, Mapping) else name
            inner_field = f"{origin.field}.{key}" if isinstance(data, Mapping) \
                else f"{origin.field}[{key}]"
            inner = Origin(origin.config, origin.server, inner_field, origin.literal,
                           origin.variable)
            if isinstance(item, Mapping | list) and depth < 4:
                self.structure(item, inner, inner_name, hints, context, encodings, group,
                               depth + 1)
            elif isinstance(item, str) and item.strip():
                scheme, text = decode.split_scheme(item)
                if not text:
                    continue
                inner_hints = classify.provider_hints(inner_name) or hints
                scheme_hint = classify.scheme_hint(scheme) if scheme else None
                if scheme_hint and scheme_hint not in inner_hints:
                    inner_hints = (scheme_hint, *inner_hints)
                secret = classify.looks_secret(inner_name) if isinstance(data, Mapping) \
                    else classify.looks_secret(name)
                self.analyse(text, inner, inner_name, inner_hints, secret, scheme, context,
                             encodings, group, depth + 1)

    # -- files ----------------------------------------------------------------------------------

    def file(self, field_name: str, name: str, value: _Value) -> None:
        """A *_PATH / *_FILE variable (or flag) naming a credential file: open it and look."""
        path = self.path(value.text)
        if path is None:
            return
        try:
            text = sources.read_text(path)
        except sources.SourceError as error:
            self.unresolved(f"{field_name} points to a file responder could not use: {error}; "
                            f"if the server reads a token from it, revoke that by hand")
            return
        origin = Origin(self.config, self.entry.name, field_name, False,
                        value.variable)
        hints = classify.provider_hints(name)
        context = [*value.context, ("source_file", str(path))]
        data = decode.json_value(text)
        if data is not None:
            self.structure(data, origin, name, hints, context, [], "", 1)
            return
        if decode.private_key(text) is not None:
            self.analyse(text, origin, name, hints, True, "", context, [], "", 1)
            return
        token = text.strip()
        if token and "\n" not in token and len(token) <= 4096:
            self.analyse(token, origin, name, hints, True, "", context, [], "", 1)

    def env_file(self) -> None:
        raw = self.definition.get("envFile")
        if not isinstance(raw, str) or not raw.strip():
            return
        value = self.resolve("envFile", "envFile", raw, False)
        if value is None:
            return
        path = self.path(value.text)
        if path is None:
            self.unresolved("envFile is a relative path and the workspace folder is not known; "
                            "check that file by hand")
            return
        try:
            entries = sources.dotenv(path)
        except sources.SourceError as error:
            self.unresolved(f"envFile cannot be used: {error}; if the server reads a token from "
                            f"it, revoke that by hand")
            return
        for name, text in entries.items():
            self.env_entry(f"envFile {name}", name, text, from_file=path)

    # -- client-specific indirections ------------------------------------------------------------

    def codex(self) -> None:
        definition = self.definition
        names = definition.get("env_vars")
        if isinstance(names, list):
            for item in names:
                name = item if isinstance(item, str) else (
                    item.get("name") if isinstance(item, Mapping) else None)
                if isinstance(name, str) and name and name not in self.view.env:
                    self.inherited(f"env_vars.{name}", name, name, classify.looks_secret(name))
        bearer = definition.get("bearer_token_env_var")
        if isinstance(bearer, str) and bearer:
            self.inherited("bearer_token_env_var", bearer, bearer, True)
        headers = definition.get("env_http_headers")
        if isinstance(headers, Mapping):
            for header, var in headers.items():
                if isinstance(var, str) and var:
                    self.inherited(f"env_http_headers.{header}", str(header), var,
                                   classify.looks_secret(str(header))
                                   or classify.looks_secret(var))

    def inherited(self, field_name: str, name: str, var: str, secret: bool) -> None:
        """A value the server takes from the client's environment by name (Codex)."""
        if var not in self.env:
            if secret or classify.looks_secret(var):
                self.unresolved(f"{field_name} names the environment variable {var}, which is "
                                f"not set in this environment; revoke that token by hand if it "
                                f"exists where the client runs")
            return
        value = _Value(self.env[var], False, var)
        if name == var:
            self.settings.setdefault(var, value.text)
        self.consider(field_name, name, value, secret)

    def goose(self) -> None:
        keys = self.definition.get("env_keys")
        if not isinstance(keys, list):
            return
        store = Path(self.entry.config.path).parent / "secrets.yaml"
        stored: dict[str, str] | None = None
        problem = ""
        if sources.exists(store):
            try:
                stored = sources.goose_secrets(store)
            except sources.SourceError as error:
                problem = f" ({error})"
        for name in keys:
            if not isinstance(name, str) or not name or name in self.view.env:
                continue
            field_name = f"env_keys.{name}"
            if name in self.env:
                self.settings.setdefault(name, self.env[name])
                self.consider(field_name, name, _Value(self.env[name], False, name), True)
            elif stored is not None and name in stored:
                self.settings.setdefault(name, stored[name])
                self.consider(field_name, name, _Value(stored[name], False, None,
                                                       (("source_file", str(store)),)), True)
            else:
                self.outside(f"token held outside the file: Goose keyring entry {name} "
                             f"(env_keys){problem}; responder cannot read the keyring, so "
                             f"revoke that token by hand")

    def headers_helper(self) -> None:
        helper = self.definition.get("headersHelper")
        if not isinstance(helper, str) or not helper.strip():
            return
        self.outside("token held outside the file: headersHelper runs a command whose output "
                     "is the request headers; responder does not run it, so revoke the token it "
                     "prints by hand")
        origin = Origin(self.config, self.entry.name, "headersHelper", True)
        for kind, token in classify.find_in_text(helper):
            self.hits.append(_Hit(token, kind.provider, kind.kind, origin, "headersHelper", [],
                                  []))

    def extras(self) -> None:
        """Continue's `apiKey`; OAuth client secrets (Zed, Claude Code) in the entry."""
        api_key = self.definition.get("apiKey")
        if isinstance(api_key, str):
            self.value("apiKey", "apiKey", api_key, True)
        oauth = self.definition.get("oauth")
        if isinstance(oauth, Mapping):
            for key, raw in oauth.items():
                if isinstance(raw, str) and classify.looks_secret(str(key)):
                    self.value(f"oauth.{key}", str(key), raw, True)

    # -- args and URLs --------------------------------------------------------------------------

    def arguments(self) -> None:
        args = list(self.view.args)
        index = 0
        while index < len(args):
            arg = args[index]
            if _inert(arg):
                index += 1
                continue
            if arg.startswith("-"):
                flag, eq, inline = arg.partition("=")
                role = _flag_role(flag)
                if eq and role:
                    self.flag(role, f"args[{index}] {flag}=", flag, inline)
                elif role and not eq and index + 1 < len(args) \
                        and not args[index + 1].startswith("--"):
                    index += 1  # the flag's value is this argument; it is not looked at twice
                    self.flag(role, f"args[{index}] {arg}", arg, args[index])
                else:
                    self.value(f"args[{index}]", "", arg, False)
            else:
                assignment = _ASSIGNMENT.match(arg)
                if assignment and classify.looks_secret(assignment.group(1)):
                    self.value(f"args[{index}] {assignment.group(1)}=", assignment.group(1),
                               assignment.group(2), True)
                else:
                    value = self.value(f"args[{index}]", "", arg, False)
                    if value is not None and value.text.startswith(("https://", "http://")):
                        self.url(arg, f"args[{index}]")
            index += 1

    def flag(self, role: str, field_name: str, flag: str, raw: str) -> None:
        if role == "secret":
            self.value(field_name, flag, raw, True)
        elif role == "file":
            value = self.resolve(field_name, flag, raw, False)
            if value is not None and value.text:
                self.file(field_name, flag, value)
        elif role == "header":
            name, colon, rest = raw.partition(":")
            if colon and name.strip():
                self.value(f"{field_name} {name.strip()}", name.strip(), rest,
                           classify.looks_secret(name.strip()))
            else:
                self.value(field_name, "", raw, False)

    def url(self, raw: str, base: str) -> None:
        try:
            parts = urlsplit(raw)
            password, username = parts.password, parts.username
        except ValueError:
            return
        known = {h.value for h in self.hits
                 if h.origin.field == base or h.origin.field.startswith(base + " ")}
        label = base

        def look(field_name: str, name: str, text: str, secret: bool) -> None:
            value = self.resolve(field_name, name, text, secret)
            if value is None or decode.split_scheme(value.text)[1] in known:
                return
            self.consider(field_name, name, value, secret)

        if password:
            look(f"{label} userinfo", "password", password, True)
        if username and classify.recognise(username) is not None:
            look(f"{label} userinfo", "username", username, False)
        for key, text in parse_qsl(parts.query):
            secret = classify.looks_secret(key) or key.lower() in _QUERY_SECRETS
            look(f"{label} ?{key}=", key, text, secret)
        if base == "url":  # a token written into the path; args were searched whole already
            known = {h.value for h in self.hits
                     if h.origin.field == base or h.origin.field.startswith(base + " ")}
            origin = Origin(self.config, self.entry.name, "url", True)
            for kind, token in classify.find_in_text(raw):
                if token not in known:
                    self.hits.append(_Hit(token, kind.provider, kind.kind, origin, "url", [], []))

    # -- AWS --------------------------------------------------------------------------------------

    def aws_profile(self) -> None:
        profile = self.settings.get("AWS_PROFILE")
        if not profile:
            return
        configured = self.settings.get("AWS_SHARED_CREDENTIALS_FILE") or self.env.get(
            "AWS_SHARED_CREDENTIALS_FILE")
        path = self.path(configured) if configured else (
            self.home / ".aws" / "credentials" if self.home is not None else None)
        if path is None:
            return
        field_name = f"env.AWS_PROFILE -> {path} [{profile}]"
        if not sources.exists(path):
            self.outside(f"AWS_PROFILE names the profile {profile}, and {path} does not exist "
                         f"here: token held outside the file (SSO, a credential_process or "
                         f"another machine); check that profile's keys by hand")
            return
        try:
            keys = sources.aws_profile(path, profile)
        except sources.SourceError as error:
            self.unresolved(f"AWS_PROFILE names the profile {profile}, but {error}; check that "
                            f"profile's keys by hand")
            return
        if keys is None:
            self.outside(f"AWS_PROFILE names the profile {profile}, which {path} does not "
                         f"define: token held outside the file (SSO, a credential_process or "
                         f"~/.aws/config); check that profile's keys by hand")
            return
        context = (("source_file", str(path)), ("aws_profile", profile))
        for key in ("aws_access_key_id", "aws_secret_access_key", "aws_session_token"):
            if keys.get(key):
                self.consider(f"{field_name} {key}", key.upper(), _Value(keys[key], False),
                              True, context=context, group=f"profile {path} {profile}")

    def pair_aws(self) -> None:
        """One credential per key pair: the secret access key, with its key id as context. A key
        id alone (its secret held elsewhere) is a credential of its own."""
        groups = dict.fromkeys(h.group for h in self.hits if h.provider == "aws")
        for group in groups:
            members = [h for h in self.hits if h.provider == "aws" and h.group == group]
            ids = [h for h in members if h.kind == "access key id"]
            secrets = [h for h in members if h.kind == "secret access key" or (
                h.kind == classify.UNRECOGNISED_FORMAT and "SECRET" in h.name.upper())]
            sessions = [h for h in members if h.kind == "session token" or (
                h.kind == classify.UNRECOGNISED_FORMAT and "SESSION" in h.name.upper())]
            key_id = ids[0].value if ids else None
            if key_id is None and group == "":
                key_id = self.settings.get("AWS_ACCESS_KEY_ID", "").strip() or None
            if secrets:
                for secret in secrets:
                    if key_id:
                        secret.context.append(("aws_access_key_id", key_id))
                    # A session token belongs to the pair: scrubbed with it, not listed apart.
                    secret.encodings += [s.value for s in sessions]
                drop = {id(h) for h in [*ids, *sessions] if h in sessions or h.value == key_id}
                self.hits = [h for h in self.hits if id(h) not in drop]
                continue
            for hit in ids:
                hit.context.append(("aws_access_key_id", hit.value))
            for hit in sessions:
                if key_id:
                    hit.context.append(("aws_access_key_id", key_id))

    # -- context and the result -------------------------------------------------------------------

    def provider_context(self, hit: _Hit) -> list[tuple[str, str]]:
        settings = self.settings
        providers = {hit.provider, *hit.candidates} - {None}
        found: list[tuple[str, str]] = []

        def take(key: str, *names: str) -> None:
            for name in names:
                value = settings.get(name, "").strip()
                if value:
                    found.append((key, value))
                    return

        if "github" in providers:
            take("github_host", "GITHUB_HOST")
        if "gitlab" in providers:
            take("gitlab_api_url", "GITLAB_API_URL")
        if "cloudflare" in providers:
            take("cloudflare_account_id", "CLOUDFLARE_ACCOUNT_ID")
        if "atlassian" in providers:
            order = ("CONFLUENCE", "JIRA") if "CONFLUENCE" in hit.name.upper() \
                else ("JIRA", "CONFLUENCE")
            take("atlassian_url", *(f"{p}_URL" for p in order))
            take("atlassian_user", *(f"{p}_{s}" for p in order for s in ("USERNAME", "EMAIL")))
        if "aws" in providers:
            take("aws_region", "AWS_REGION", "AWS_DEFAULT_REGION")
        if "sentry" in providers:
            take("sentry_host", "SENTRY_HOST")
            if not any(k == "sentry_host" for k, _ in found):
                host = _flag_value(self.view.args, "--host")
                if host:
                    found.append(("sentry_host", host))
        if "azure-devops" in providers:
            org = self.azure_org()
            if org:
                found.append(("azure_org", org))
        return found

    def azure_org(self) -> str | None:
        args = self.view.args
        for index, arg in enumerate(args):
            if "@azure-devops/mcp" in arg:
                for following in args[index + 1:]:
                    if not following.startswith("-"):
                        return following
                    break
        for name, value in self.settings.items():
            if _AZURE_ORG_VAR.match(name.upper()) and value.strip():
                value = value.strip()
                if "://" in value:
                    try:
                        parts = urlsplit(value)
                    except ValueError:
                        continue
                    host = parts.hostname or ""
                    if host.endswith(".visualstudio.com"):
                        return host.split(".")[0]
                    segment = parts.path.strip("/").split("/")[0]
                    if segment:
                        return segment
                    continue
                return value
        return None

    def finish(self) -> None:
        self.pair_aws()
        merged: dict[str, _Hit] = {}
        origins: dict[str, list[Origin]] = {}
        for hit in self.hits:
            if not hit.value:
                continue
            hit.context += self.provider_context(hit)
            first = merged.get(hit.value)
            if first is None:
                merged[hit.value] = hit
                origins[hit.value] = [hit.origin]
                continue
            origins[hit.value].append(hit.origin)
            if _rank(hit) > _rank(first):
                hit.context = [*first.context, *hit.context]
                hit.encodings = [*first.encodings, *hit.encodings]
                merged[hit.value] = hit
            else:
                first.context += hit.context
                first.encodings += hit.encodings
        for value, hit in merged.items():
            encodings = tuple(Secret(e) for e in dict.fromkeys(hit.encodings) if e and e != value)
            credential = Credential(
                Secret(value), hit.provider, hit.kind, tuple(dict.fromkeys(origins[value])),
                context=tuple(dict.fromkeys(hit.context)), encodings=encodings,
                candidates=hit.candidates, well_formed=hit.well_formed)
            self.found.credentials.append(credential)
            for origin in credential.origins:
                if origin.literal:
                    self.found.literal_findings.append(
                        f"{origin.server} in {origin.config}: a "
                        f"{credential.provider or 'secret'} {credential.kind} "
                        f"({credential.secret.redacted}) is written literally in {origin.field}; "
                        f"reference an environment variable instead (Kiro: never hardcode "
                        f"tokens)")


_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def _names_a_file(text: str) -> bool:
    """A *_PATH / *_FILE value that is a path, not a token written under such a name."""
    text = text.strip()
    if classify.recognise(text) is not None or classify.find_in_text(text):
        return False
    # Not "contains a slash": base64 secrets do, and a path is printed in sentences.
    return sources.is_path_like(text) or bool(_EXTENSION.search(text))


@lru_cache(maxsize=8192)
def _inert(arg: str) -> bool:
    """True for the common argument with nothing to look at: no reference, no secret flag or
    assignment, no URL, no JSON or key, no known token inside (cached: a scan sees the same
    arguments in thousands of entries)."""
    if "$" in arg or "%" in arg or arg.startswith(("http://", "https://")) or not arg:
        return False
    if arg.startswith("-"):
        if _flag_role(arg.partition("=")[0]):
            return False
    else:
        assignment = _ASSIGNMENT.match(arg)
        if assignment and classify.looks_secret(assignment.group(1)):
            return False
    if arg[0] in "{[" or "PRIVATE KEY-----" in arg:
        return False
    return classify.recognise(arg) is None and not classify.find_in_text(arg)


@lru_cache(maxsize=1024)
def _project_root(path: Path, scope: str) -> Path | None:
    """The project a project-level config file belongs to: the parent of its `.vscode`,
    `.cursor`, `.continue`, ... folder. None for user-level files."""
    if scope in ("user", "system", "managed", "profile"):
        return None
    path = Path(path)
    for parent in path.parents:
        if parent.name.startswith(".") and parent.name != ".config":
            return parent.parent
    return path.parent


@lru_cache(maxsize=1024)
def _flag_role(flag: str) -> str | None:
    """What a flag's value is: "secret", "file" (a credential file's path), "header"
    ("Name: value"), or None (nothing to look at specially)."""
    bare = flag.lstrip("-")
    if bare.lower() in _HEADER_FLAG:
        return "header"
    if not _SECRET_FLAG.match(flag):
        return None
    if _FILE_FLAG.search(bare):
        return "file"
    if _SETTING_FLAG.search(bare):
        return None
    return "secret"


def _flag_value(args: tuple[str, ...], flag: str) -> str | None:
    for index, arg in enumerate(args):
        if arg.startswith(flag + "="):
            return arg.partition("=")[2] or None
        if arg == flag and index + 1 < len(args):
            return args[index + 1]
    return None
