"""Canary discipline across every source at once: a distinct fake value in each place a config can
hide one, and none of them in any sentence, description, repr or exception; registering
`Discovery.secrets` scrubs all of them (encoded forms included) from the config's own text."""

from __future__ import annotations

import base64
import json

from credhelpers import make_entry, make_machine, said

from responder.core.secrets import SecretRegistry
from responder.credentials.find import discover


def canary(n: int) -> str:
    return "ghp_" + f"CANARY{n:02d}".ljust(36, "Q")


def test_no_value_from_any_source_is_ever_shown(tmp_path):
    values = {n: canary(n) for n in range(1, 17)}
    project = tmp_path / "project"
    (project / ".vscode").mkdir(parents=True)
    (project / ".git").mkdir()
    machine = make_machine(tmp_path, cwd=project, env={
        "FROM_ENV": values[1], "CODEX_VAR": values[2], "BEARER_VAR": values[3],
        "EMPTY_ONE": ""})
    (project / ".env").write_text(f"FROM_ENV_FILE={values[4]}\nGEMINI_VAR={values[5]}\n")
    token_json = tmp_path / "token.json"
    token_json.write_text(json.dumps({"access_token": "ya29." + values[6][4:],
                                      "refresh_token": "1//0" + values[7][4:]}))
    pem = tmp_path / "key.pem"
    pem.write_text(f"-----BEGIN RSA PRIVATE KEY-----\n{values[8]}\n-----END RSA PRIVATE KEY-----\n")
    (machine.home / ".aws").mkdir()
    (machine.home / ".aws" / "credentials").write_text(
        f"[p]\naws_access_key_id = AKIA{'Z' * 16}\naws_secret_access_key = {'c/a+' * 10}\n")
    basic = base64.b64encode(f"dana@example.test:{values[9]}".encode()).decode()
    definition = {
        "command": "npx",
        "args": ["--token", values[10], f"--api-key={values[11]}", "--header",
                 f"Authorization: Bearer {values[12]}"],
        "env": {
            "GITHUB_PERSONAL_ACCESS_TOKEN": "${FROM_ENV}",
            "HEADERS_JSON": json.dumps({"Authorization": f"token {values[13]}"}),
            "GDRIVE_CREDENTIALS_PATH": str(token_json),
            "GITHUB_APP_PRIVATE_KEY_PATH": str(pem),
            "AWS_PROFILE": "p",
            "EMPTY_TOKEN": "${EMPTY_ONE}",
            "UNSET_TOKEN": "${NOT_SET_ANYWHERE}",
            "FROM_INPUT_TOKEN": "${input:secret_id}",
            "GEMINI_TOKEN": "$GEMINI_VAR",
        },
        "headers": {"Authorization": f"Basic {basic}", "X-Api-Key": values[14]},
        "url": f"https://user:{values[15]}@mcp.example.test/sse?token={values[16]}",
        "envFile": "${workspaceFolder}/.env",
        "env_vars": ["CODEX_VAR"],
        "bearer_token_env_var": "BEARER_VAR",
        "env_keys": ["KEYRING_TOKEN"],
        "headersHelper": "/opt/bin/headers",
    }
    for client in ("vscode", "gemini-cli", "codex", "goose", "claude-code", "continue"):
        entry = make_entry(definition, client=client, path=project / ".vscode" / "mcp.json",
                           scope="workspace")
        found = discover(entry, machine)
        text = said(found)
        every = [*values.values(), basic, "c/a+" * 10, "ya29." + values[6][4:]]
        for value in every:
            assert value not in text, (client, value[:10])
            assert value[4:-4] not in text, (client, value[:10])
        registry = SecretRegistry()
        for secret in found.secrets:
            registry.add(secret)
        config_text = json.dumps(definition)
        scrubbed = registry.scrub(config_text)
        for n in (9, 10, 11, 12, 13, 14, 15, 16):
            assert values[n] not in scrubbed, (client, n)
        assert basic not in scrubbed, client
    # The fullest client (vscode: envFile, ${input:}, generic references) found them all.
    vscode = discover(make_entry(definition, client="vscode",
                                 path=project / ".vscode" / "mcp.json", scope="workspace"),
                      machine)
    shown = {c.secret.reveal() for c in vscode.credentials}
    for n in (1, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16):
        assert any(values[n] in s for s in shown), n
    assert any("is empty" in s for s in vscode.unresolved)
    assert any("${NOT_SET_ANYWHERE}" in s for s in vscode.unresolved)
    assert any("VS Code secret storage" in s for s in vscode.outside)
    assert any("headersHelper" in s for s in vscode.outside)


def test_nothing_raises_on_odd_shapes(tmp_path):
    machine = make_machine(tmp_path)
    odd = [
        {"env": "not a mapping", "args": "nor a list", "headers": None},
        {"env_vars": "X", "env_keys": {"a": 1}, "env_http_headers": ["x"], "envFile": 3,
         "oauth": "x", "apiKey": None, "headersHelper": ["a"]},
        {"url": "http://[::1", "args": ["https://[bad"]},
        {"env": {"A_TOKEN": "${unclosed", "B_TOKEN": "${{ secrets. }}", "C_TOKEN": "%%"}},
        {"env": {"GOOGLE_APPLICATION_CREDENTIALS": "relative/path.json",
                 "X_TOKEN": "{\"deep\": " * 50 + "1" + "}" * 50}},
        {"envFile": "/dev/null"},
    ]
    for client in ("kiro", "gemini-cli", "codex", "goose", "continue", "vscode"):
        for definition in odd:
            discover(make_entry(definition, client=client), machine)
            discover(make_entry(definition, client=client), {})
