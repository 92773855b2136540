"""Where clients keep their files on each OS, with the environment overrides they honour.

Every function takes the `Machine`, never the running OS, so Windows and macOS layouts are
computed (and tested) the same way on any host.
"""

from __future__ import annotations

from pathlib import Path

from responder.core.machine import Machine


def appdata(machine: Machine) -> Path:
    """%APPDATA% (Windows roaming application data)."""
    return _env_path(machine, "APPDATA") or machine.home / "AppData" / "Roaming"


def localappdata(machine: Machine) -> Path:
    return _env_path(machine, "LOCALAPPDATA") or machine.home / "AppData" / "Local"


def xdg_config(machine: Machine) -> Path:
    return _env_path(machine, "XDG_CONFIG_HOME") or machine.home / ".config"


def app_support(machine: Machine) -> Path:
    """macOS ~/Library/Application Support."""
    return machine.home / "Library" / "Application Support"


def user_config_dir(machine: Machine, app: str) -> Path:
    """An Electron app's per-user directory: ~/Library/Application Support/<app>,
    %APPDATA%\\<app>, or ~/.config/<app>."""
    if machine.platform == "darwin":
        return app_support(machine) / app
    if machine.platform == "win32":
        return appdata(machine) / app
    return xdg_config(machine) / app


# VS Code and its forks that read MCP servers from <user data>/User/.
VSCODE_APPS = ("Code", "Code - Insiders", "VSCodium", "Cursor", "Windsurf", "Kiro")


def vscode_user_dirs(machine: Machine, apps: tuple[str, ...] = VSCODE_APPS) -> list[Path]:
    """`<user data>/User` of each VS Code-family app; VSCODE_PORTABLE relocates all of them."""
    portable = _env_path(machine, "VSCODE_PORTABLE")
    dirs = [portable / "user-data" / "User"] if portable else []
    return dirs + [user_config_dir(machine, app) / "User" for app in apps]


def program_data(machine: Machine) -> Path:
    return _env_path(machine, "ProgramData") or machine.system("ProgramData")


def program_files(machine: Machine) -> Path:
    return _env_path(machine, "ProgramFiles") or machine.system("Program Files")


def env_dir(machine: Machine, name: str) -> Path | None:
    """A directory named by an environment variable (CODEX_HOME, COPILOT_HOME, ...), if set."""
    return _env_path(machine, name)


def _env_path(machine: Machine, name: str) -> Path | None:
    value = machine.env.get(name)
    if value is None and machine.platform == "win32":
        # Windows variable names are case-insensitive (Python upper-cases os.environ there).
        value = next((v for k, v in machine.env.items() if k.upper() == name.upper()), None)
    if not value:
        return None
    path = Path(value)
    # "~" means the examined machine's home, not the home of whoever runs responder.
    return machine.home / path.relative_to("~") if value.startswith("~") and \
        path.parts[0] == "~" else path
