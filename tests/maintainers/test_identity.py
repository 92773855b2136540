"""Launch command → package identity (shared/reference/maintainers.md §1), and remote URL keys."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from responder.maintainers.identity import (
    PackageIdentity,
    image_reference,
    launcher_flags,
    package_of,
    program_name,
    url_key,
)

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "launcher_flags.json"


def ident(command, args=(), **fields):
    result = package_of(command, list(args))
    assert result is not None, (command, args)
    for name, value in fields.items():
        assert getattr(result, name) == value, (name, getattr(result, name), value)
    return result


# --- §1.4 worked examples -----------------------------------------------------------------------

def test_npx_scoped_with_version_and_server_args():
    ident("npx", ["-y", "@acme/mcp-weather@2.1.0", "--port", "3000"], ecosystem="npm",
          name="@acme/mcp-weather", version="2.1.0", launcher="npx")


def test_windows_npx_cmd_with_custom_registry():
    ident("npx.cmd", ["--registry", "https://npm.internal.example", "-y", "acme-mcp"],
          ecosystem="npm", name="acme-mcp", registry="https://npm.internal.example",
          launcher="npx")


def test_npx_package_flag_names_the_package_and_the_positional_the_binary():
    ident("npx", ["--package=@acme/tools", "--", "acme-mcp", "--verbose"], ecosystem="npm",
          name="@acme/tools", binary="acme-mcp")


def test_bunx():
    ident("bunx", ["--bun", "@acme/mcp-weather"], ecosystem="npm", name="@acme/mcp-weather",
          launcher="bunx")


def test_pnpm_package_before_dlx():
    ident("pnpm", ["--package=@acme/tools", "dlx", "acme-mcp"], ecosystem="npm",
          name="@acme/tools", launcher="pnpm dlx", binary="acme-mcp")


def test_uvx_at_version():
    ident("uvx", ["acme-mcp@1.4.2"], ecosystem="pypi", name="acme-mcp", version="1.4.2",
          launcher="uvx")


def test_uvx_from_requirement_with_extra_and_range():
    ident("uvx", ["--from", "acme-mcp[redis]>=1.4", "acme-server"], ecosystem="pypi",
          name="acme-mcp", version=">=1.4", extras=("redis",), binary="acme-server")


def test_uvx_from_git_is_a_vcs_source():
    ident("uvx", ["--from", "git+https://github.com/acme/mcp", "acme-server"],
          ecosystem="vcs", name="github.com/acme/mcp", version=None)


def test_uv_run_with_python_module():
    ident("uv", ["run", "--with", "acme-mcp", "python", "-m", "acme_mcp"], ecosystem="pypi",
          name="acme-mcp", launcher="uv run", binary="acme_mcp")


def test_venv_python_module_without_the_venv_on_disk_is_the_module():
    ident("/home/u/.venvs/mcp/bin/python", ["-m", "acme_mcp.server"],
          ecosystem="python-module", name="acme_mcp", binary="acme_mcp.server")


def test_venv_python_module_resolved_in_that_venv(tmp_path):
    venv = tmp_path / "venv"
    info = venv / "lib" / "python3.12" / "site-packages" / "acme_mcp-1.0.dist-info"
    info.mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / "bin").mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: Acme.MCP\nVersion: 1.0\n\n")
    (info / "RECORD").write_text("acme_mcp/__init__.py,,\nacme_mcp/server.py,,\n")
    result = ident(str(venv / "bin" / "python"), ["-m", "acme_mcp.server"], ecosystem="pypi",
                   name="Acme.MCP", launcher="python -m")
    assert result.key == "pypi:acme-mcp"


def test_node_local_file_is_local_code():
    ident("node", ["/home/u/src/acme-mcp/dist/index.js"], ecosystem="path",
          name="/home/u/src/acme-mcp/dist/index.js", launcher="node")


def test_docker_env_flag_takes_a_value():
    ident("docker", ["run", "-i", "--rm", "-e", "TOKEN", "ghcr.io/acme/mcp:1.2"],
          ecosystem="oci", name="ghcr.io/acme/mcp", version="1.2", launcher="docker")


def test_docker_hub_short_name_gets_the_default_registry():
    result = ident("docker", ["run", "-it", "--rm", "acme/mcp"], ecosystem="oci",
                   name="docker.io/acme/mcp", version=None)
    assert result.key == "oci:docker.io/acme/mcp"


def test_docker_digest_pin():
    digest = "sha256:" + "a" * 64
    ident("docker", ["run", "--rm", f"mcp/fetch@{digest}"], name="docker.io/mcp/fetch",
          version=digest)


def test_deno_npm_specifier_with_range_and_subpath():
    ident("deno", ["run", "-A", "npm:@acme/mcp-weather@^2/cli"], ecosystem="npm",
          name="@acme/mcp-weather", version="^2")


def test_go_run_module_root():
    ident("go", ["run", "github.com/acme/mcp/cmd/server@v1.3.0"], ecosystem="go",
          name="github.com/acme/mcp", version="v1.3.0", binary="github.com/acme/mcp/cmd/server")


def test_remote_url_key():
    assert url_key("https://mcp.acme.example/sse") == "https://mcp.acme.example/sse"


# --- general parsing rules (§1.1) ---------------------------------------------------------------

@pytest.mark.parametrize("command", [
    "/usr/local/bin/npx", "/home/u/.nvm/versions/node/v22.1.0/bin/npx", "npx.cmd", "NPX.CMD",
    "C:\\Program Files\\nodejs\\npx.cmd", "npx.exe",
])
def test_launcher_compared_by_basename(command):
    ident(command, ["-y", "@modelcontextprotocol/server-github"], ecosystem="npm",
          name="@modelcontextprotocol/server-github", launcher="npx")


def test_program_name():
    assert program_name("C:\\tools\\uvx.EXE") == "uvx"
    assert program_name("/opt/bin/run.ps1") == "run"
    assert program_name("node") == "node"


def test_command_with_spaces_and_no_args_is_split():
    ident("npx -y @modelcontextprotocol/server-github", [], name="@modelcontextprotocol/"
          "server-github")
    ident("uvx 'mcp-server-fetch==1.0'", [], ecosystem="pypi", version="1.0")


def test_cmd_c_wrapper_is_unwrapped():
    ident("cmd", ["/c", "npx", "-y", "@acme/x@1.0.0"], name="@acme/x", version="1.0.0",
          launcher="npx")
    ident("cmd.exe", ["/s", "/C", "npx -y acme-mcp"], name="acme-mcp")


def test_env_and_shell_wrappers_are_unwrapped():
    ident("env", ["-i", "FOO=1", "npx", "-y", "foo"], name="foo", launcher="npx")
    ident("/usr/bin/env", ["-S", "uvx mcp-server-fetch"], ecosystem="pypi",
          name="mcp-server-fetch")
    ident("sh", ["-c", "exec npx -y @acme/x"], name="@acme/x")
    ident("bash", ["-lc", "npx -y @acme/x"], name="@acme/x")


def test_npx_short_package_flag_attached_and_separate():
    ident("npx", ["-p", "@acme/tools", "acme-mcp"], name="@acme/tools", binary="acme-mcp")
    ident("npx", ["-p@acme/tools", "acme-mcp"], name="@acme/tools")


def test_npx_value_flags_do_not_become_the_package():
    ident("npx", ["--cache", "/tmp/npm-cache", "--loglevel", "silent", "-y", "acme-mcp"],
          name="acme-mcp")


def test_npx_call_without_package_is_unknown():
    assert package_of("npx", ["-c", "acme-mcp --stdio"]) is None


def test_npm_exec_and_its_p_flag_is_not_package():
    ident("npm", ["exec", "--yes", "--", "@acme/x@2"], name="@acme/x", version="2",
          launcher="npm exec")
    ident("npm", ["x", "-p", "acme-mcp"], name="acme-mcp")  # -p = --parseable under npm
    assert package_of("npm", ["install", "@acme/x"]) is None


def test_npm_spec_splitting():
    ident("npx", ["@acme/x@latest"], name="@acme/x", version="latest")
    ident("npx", ["@acme/x"], name="@acme/x", version=None)
    ident("npx", ["acme@^1.2"], name="acme", version="^1.2")
    ident("npx", ["alias@npm:@acme/real@1.0"], name="@acme/real", version="1.0")
    ident("npx", ["github:acme/mcp#v1"], ecosystem="vcs", name="github.com/acme/mcp",
          version="v1")
    ident("npx", ["acme/mcp"], ecosystem="vcs", name="github.com/acme/mcp")
    ident("npx", ["git+ssh://git@github.com/acme/mcp.git"], ecosystem="vcs",
          name="github.com/acme/mcp")
    ident("npx", ["https://example.com/acme-1.0.tgz"], ecosystem="url")
    ident("npx", ["./local-server"], ecosystem="path", name="./local-server")
    assert package_of("npx", ["@acme"]) is None


def test_npm_key_is_lower_case_and_versionless():
    a = ident("npx", ["-y", "@Acme/MCP@1.0"])
    b = ident("bunx", ["@acme/mcp"])
    assert a.key == b.key == "npm:@acme/mcp"


def test_yarn_dlx_and_pnpx_and_bun_x():
    ident("yarn", ["dlx", "-p", "@acme/tools", "acme-mcp"], name="@acme/tools",
          launcher="yarn dlx")
    ident("yarn", ["dlx", "acme-mcp"], name="acme-mcp")
    ident("pnpx", ["acme-mcp@3"], name="acme-mcp", version="3", launcher="pnpx")
    ident("bun", ["x", "acme-mcp"], name="acme-mcp", launcher="bun x")
    assert package_of("bun", ["install"]) is None


def test_uvx_flags_with_values_and_index():
    result = ident("uvx", ["--python", "3.12", "--with", "redis", "--index-url",
                           "https://pypi.internal.example/simple", "mcp-server-fetch==2025.1"],
                   ecosystem="pypi", name="mcp-server-fetch", version="2025.1",
                   registry="https://pypi.internal.example/simple", additions=("redis",))
    assert result.binary is None


def test_uvx_from_same_name_has_no_separate_binary():
    ident("uvx", ["--from", "mcp-server-fetch", "mcp-server-fetch"], binary=None)


def test_uv_tool_run_and_pipx_run():
    result = ident("uv", ["tool", "run", "Mcp_Server.Fetch"], ecosystem="pypi",
                   launcher="uv tool run")
    assert result.key == "pypi:mcp-server-fetch"
    ident("pipx", ["run", "--spec", "mcp-server-x==2.0", "mcp-x"], name="mcp-server-x",
          version="2.0", binary="mcp-x", launcher="pipx run")
    ident("pipx", ["run", "mcp-server-x"], name="mcp-server-x")


def test_pypi_key_is_pep_503_normalised():
    assert PackageIdentity("pypi", "Mcp_Server..Fetch").key == "pypi:mcp-server-fetch"


def test_python_m_with_options_and_c():
    ident("python3", ["-u", "-X", "utf8", "-m", "acme_mcp"], name="acme_mcp")
    ident("python3.12", ["-Bm", "acme_mcp"], name="acme_mcp")
    assert package_of("python", ["-c", "import acme_mcp"]) is None


def test_node_script_inside_node_modules_is_that_package():
    ident("node", ["--enable-source-maps", "/home/u/.npm/_npx/1f2e/node_modules/@acme/x/dist/"
                   "index.js"], ecosystem="npm", name="@acme/x")
    ident("node", ["-r", "ts-node/register", "/srv/node_modules/acme-mcp/build/index.js"],
          name="acme-mcp")
    assert package_of("node", ["-e", "require('x')"]) is None


def test_node_modules_bin_link_counts_only_when_it_resolves_into_a_package(tmp_path):
    modules = tmp_path / "node_modules"
    target = modules / "@acme" / "x" / "dist" / "cli.js"
    target.parent.mkdir(parents=True)
    target.write_text("")
    (modules / ".bin").mkdir()
    (modules / ".bin" / "acme-x").symlink_to(target)
    (modules / ".bin" / "loose").write_text("")
    ident("node", [str(modules / ".bin" / "acme-x")], ecosystem="npm", name="@acme/x")
    ident("node", [str(modules / ".bin" / "loose")], ecosystem="path")


def test_venv_console_script_is_its_distribution(tmp_path):
    venv = tmp_path / "venv"
    info = venv / "lib" / "python3.11" / "site-packages" / "mcp_server_fetch-1.0.dist-info"
    info.mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("")
    (venv / "bin").mkdir()
    (info / "METADATA").write_text("Name: mcp-server-fetch\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[console_scripts]\nmcp-server-fetch = m:main\n")
    script = str(venv / "bin" / "mcp-server-fetch")
    ident(script, [], ecosystem="pypi", name="mcp-server-fetch")
    ident(str(venv / "bin" / "python"), [script], ecosystem="pypi", name="mcp-server-fetch")


def test_docker_flag_forms():
    ident("docker", ["run", "--rm", "-i", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN",
                     "ghcr.io/github/github-mcp-server"], name="ghcr.io/github/github-mcp-server")
    ident("docker", ["run", "-eGITHUB_TOKEN=x", "--env=A=b", "--name", "mcp", "-v",
                     "/data:/data", "acme/mcp:2"], name="docker.io/acme/mcp", version="2")
    ident("docker", ["run", "-it", "-p", "8080:80", "alpine"], name="docker.io/library/alpine")
    ident("/usr/bin/docker", ["--context", "remote", "container", "run", "--rm",
                              "index.docker.io/acme/mcp"], name="docker.io/acme/mcp")
    assert package_of("docker", ["pull", "acme/mcp"]) is None
    assert package_of("docker", ["run", "-i", "--rm"]) is None


def test_podman_does_not_assume_docker_hub():
    ident("podman", ["run", "-i", "acme/mcp"], ecosystem="oci", name="acme/mcp",
          launcher="podman")
    ident("podman", ["run", "quay.io/acme/mcp:1"], name="quay.io/acme/mcp")


def test_image_reference_rules():
    assert image_reference("localhost:5000/mcp:1") == ("localhost:5000/mcp", "1")
    assert image_reference("Registry.Example/acme/mcp") == ("registry.example/acme/mcp", None)
    assert image_reference("acme/mcp:1.2@sha256:ff") == ("docker.io/acme/mcp", "sha256:ff")
    assert image_reference("--rm") is None
    assert image_reference("Acme") is None  # upper case is not a valid repository path


def test_deno_jsr_and_go_local():
    ident("deno", ["run", "--allow-net=api.example", "jsr:@acme/mcp@1.0/server"],
          ecosystem="jsr", name="@acme/mcp", version="1.0")
    ident("go", ["run", "-tags", "netgo", "./cmd/server"], ecosystem="path")


@pytest.mark.parametrize("command,args", [
    (None, []), ("", []), ("mcp-server-fetch", []), ("ruby", ["server.rb"]),
    ("uvx", []), ("npx", ["-y"]), ("docker", []), ("yarn", ["add", "x"]),
    ("pipx", ["install", "x"]),
])
def test_unknown_is_none(command, args):
    assert package_of(command, args) is None


# --- launcher_flags.json ------------------------------------------------------------------------

def test_flag_data_is_vendored_with_its_sources():
    shipped = json.loads(resources.files("responder.maintainers")
                         .joinpath("launcher_flags.json").read_text())
    assert "_sources" in shipped
    assert shipped == launcher_flags()
    if REFERENCE.is_file():
        assert shipped == json.loads(REFERENCE.read_text())


# --- url_key ------------------------------------------------------------------------------------

@pytest.mark.parametrize("url,key", [
    ("HTTPS://MCP.Acme.Example/SSE/", "https://mcp.acme.example/SSE"),
    ("https://user:secret@mcp.acme.example:443/sse?token=x#frag", "https://mcp.acme.example/sse"),
    ("http://mcp.acme.example:80/", "http://mcp.acme.example"),
    ("http://127.0.0.1:8080/mcp", "http://127.0.0.1:8080/mcp"),
    ("https://mcp.acme.example:8443", "https://mcp.acme.example:8443"),
    ("https://[::1]:443/mcp", "https://[::1]/mcp"),
    ("https://mcp.acme.example./mcp", "https://mcp.acme.example/mcp"),
])
def test_url_key(url, key):
    assert url_key(url) == key


@pytest.mark.parametrize("url", [None, "", "ftp://x.example/", "stdio", "https://", "mailto:a@b",
                                 "https://x.example:notaport/"])
def test_url_key_none(url):
    assert url_key(url) is None


# --- code run through a runner package or CLI: the runner is not the server -----------------------

def test_npx_script_runner_runs_local_code():
    ident("npx", ["-y", "tsx", "/srv/mcp/src/index.ts"], ecosystem="path",
          name="/srv/mcp/src/index.ts", launcher="tsx")
    ident("bunx", ["ts-node@10", "--transpile-only", "/srv/mcp/server.ts"], ecosystem="path",
          name="/srv/mcp/server.ts")
    ident("npx", ["tsx"], ecosystem="npm", name="tsx")  # no script: tsx is all that runs
    ident("npx", ["--package=tsx", "--", "tsx", "/srv/x.ts"], ecosystem="npm", name="tsx")


@pytest.mark.parametrize("command,args,path,launcher", [
    ("uv", ["run", "--with", "mcp[cli]", "mcp", "run", "/abs/server.py"], "/abs/server.py",
     "mcp run"),
    ("uv", ["run", "--with", "faker", "fastmcp", "run", "/abs/main.py"], "/abs/main.py",
     "fastmcp run"),
    ("fastmcp", ["run", "--transport", "sse", "server.py:app", "--port", "8000"], "server.py",
     "fastmcp run"),
    ("fastmcp", ["run", "C:\\srv\\server.py:mcp"], "C:\\srv\\server.py", "fastmcp run"),
    ("mcp", ["dev", "/abs/server.py"], "/abs/server.py", "mcp dev"),
    ("python", ["-m", "fastmcp", "run", "src/server.py"], "src/server.py", "fastmcp run"),
    ("python3", ["-u", "-mmcp", "run", "src/server.py"], "src/server.py", "mcp run"),
])
def test_mcp_and_fastmcp_clis_run_a_local_file(command, args, path, launcher):
    ident(command, args, ecosystem="path", name=path, launcher=launcher)


def test_mcp_cli_run_inside_a_uv_project_is_the_project():
    ident("uv", ["run", "--directory", "/abs/proj", "fastmcp", "run", "src/x/server.py:mcp"],
          ecosystem="path", name="/abs/proj", launcher="uv run")


@pytest.mark.parametrize("command,args", [
    ("fastmcp", ["run", "https://mcp.example.com/mcp"]), ("fastmcp", ["version"]),
    ("mcp", ["run"]), ("mcp", []),
])
def test_mcp_cli_without_a_file_is_unknown(command, args):
    assert package_of(command, args) is None


def test_python_m_of_the_cli_without_run_is_the_module():
    ident("python", ["-m", "fastmcp", "version"], ecosystem="python-module", name="fastmcp")


def test_uv_run_of_a_script_is_local_code():
    ident("uv", ["run", "server.py"], ecosystem="path", name="server.py", launcher="uv run")


def test_pip_egg_fragment_is_not_a_ref():
    ident("uvx", ["--from", "git+https://github.com/acme/mcp.git#egg=acme-mcp", "acme-mcp"],
          ecosystem="vcs", name="github.com/acme/mcp", version=None)
    ident("uvx", ["--from", "git+https://github.com/acme/mcp.git@v1#subdirectory=pkg", "x"],
          version="v1")
    ident("npx", ["git+https://github.com/acme/mcp.git#semver:^1.2"], version="semver:^1.2")


def test_binary_equal_to_the_package_under_pep_503_is_dropped():
    ident("uv", ["tool", "run", "--from", "acme.mcp-server@latest", "acme.mcp-server.exe"],
          name="acme.mcp-server", binary=None)
    ident("uvx", ["--from", "Acme_MCP", "acme-mcp"], binary=None)
