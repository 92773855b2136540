"""Files a server definition takes values from: envFile, `.env` files, Goose's `secrets.yaml`,
`~/.aws/credentials`, and files that *_PATH / *_FILE variables point at.

Read only, at most 1 MiB each. A problem is a `SourceError` whose message names the file and the
reason, never a line of its content (parser messages often quote the offending line, which may be
a token, so they are not passed on).
"""

from __future__ import annotations

import configparser
import io
import stat
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

MAX_BYTES = 1024 * 1024


class SourceError(Exception):
    """A referenced file that could not be used; the message is safe to show."""


def read_text(path: Path) -> str:
    """The file's text. Raises SourceError (missing, not a file, too large, unreadable)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise SourceError(f"{path} does not exist here") from None
    except OSError as error:
        raise SourceError(f"{path} cannot be read ({error.strerror or 'error'})") from None
    if not stat.S_ISREG(info.st_mode):
        raise SourceError(f"{path} is not a regular file")
    if info.st_size > MAX_BYTES:
        raise SourceError(f"{path} is larger than 1 MiB; responder did not read it")
    return _read(str(path), info.st_mtime_ns, info.st_size)


@lru_cache(maxsize=256)
def _read(path: str, mtime_ns: int, size: int) -> str:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise SourceError(f"{path} cannot be read ({error.strerror or 'error'})") from None
    if len(data) > MAX_BYTES:
        raise SourceError(f"{path} is larger than 1 MiB; responder did not read it")
    return data.decode("utf-8", errors="replace")


def exists(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


# -- .env files ---------------------------------------------------------------------------------

def dotenv(path: Path) -> dict[str, str]:
    """NAME -> value of a .env file (python-dotenv, no interpolation). Raises SourceError."""
    text = read_text(path)
    return dict(_dotenv(text))


@lru_cache(maxsize=128)
def _dotenv(text: str) -> tuple[tuple[str, str], ...]:
    import logging

    from dotenv import dotenv_values

    # python-dotenv warns about lines it cannot parse; the warning names only the line number,
    # but keep it out of responder's output all the same.
    logger = logging.getLogger("dotenv.main")
    previous = logger.disabled
    logger.disabled = True
    try:
        values = dotenv_values(stream=io.StringIO(text), interpolate=False)
    finally:
        logger.disabled = previous
    return tuple((str(k), v) for k, v in values.items() if isinstance(v, str))


def first_defining(paths: Iterable[Path], name: str) -> tuple[str, Path] | None:
    """The value of `name` in the first of these .env files that defines it."""
    for path in paths:
        if not exists(path):
            continue
        try:
            values = dotenv(path)
        except SourceError:
            continue
        if name in values:
            return values[name], path
    return None


def gemini_dotenv(start: Path, home: Path | None) -> Path | None:
    """The .env file Gemini CLI loads: from `start` upward (in each directory `.gemini/.env`,
    then `.env`) until a directory holding `.git` or the home, then `~/.gemini/.env`, `~/.env`
    (mcp-clients.md §2)."""
    directory = start
    while True:
        for candidate in (directory / ".gemini" / ".env", directory / ".env"):
            if exists(candidate):
                return candidate
        if (directory / ".git").exists() or directory == home or directory.parent == directory:
            break
        directory = directory.parent
    if home is not None:
        for candidate in (home / ".gemini" / ".env", home / ".env"):
            if exists(candidate):
                return candidate
    return None


def continue_dotenvs(continue_home: Path | None, roots: Iterable[Path]) -> list[Path]:
    """Where Continue looks up `${{ secrets.NAME }}`: `~/.continue/.env`, then per workspace
    `<root>/.continue/.env` and `<root>/.env` (mcp-clients.md §2)."""
    paths = [continue_home / ".env"] if continue_home is not None else []
    for root in roots:
        paths += [root / ".continue" / ".env", root / ".env"]
    return list(dict.fromkeys(paths))


# -- Goose --------------------------------------------------------------------------------------

def goose_secrets(path: Path) -> dict[str, str]:
    """Goose's file fallback for the keyring: a YAML mapping of name -> value."""
    text = read_text(path)
    return dict(_goose(text, str(path)))


@lru_cache(maxsize=32)
def _goose(text: str, path: str) -> tuple[tuple[str, str], ...]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="safe", pure=True).load(text)
    except YAMLError:
        raise SourceError(f"{path} is not valid YAML") from None
    if data is None:
        return ()
    if not isinstance(data, Mapping):
        raise SourceError(f"{path} is not a mapping of names to values")
    return tuple((str(k), str(v)) for k, v in data.items()
                 if isinstance(v, str | int) and not isinstance(v, bool))


# -- AWS ----------------------------------------------------------------------------------------

def aws_profile(path: Path, profile: str) -> dict[str, str] | None:
    """The keys of one profile in an AWS shared credentials file; None if it has no such
    profile. Raises SourceError."""
    text = read_text(path)
    parser = configparser.RawConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error:
        # The parser's message quotes the offending line.
        raise SourceError(f"{path} does not parse as an AWS credentials file") from None
    for section in (profile, f"profile {profile}"):
        if parser.has_section(section):
            return {k: v.strip() for k, v in parser.items(section) if v and v.strip()}
    return None


def expand_home(value: str, home: Path | None) -> str:
    if home is not None and (value == "~" or value.startswith(("~/", "~\\"))):
        return str(home) + value[1:]
    return value


def is_path_like(value: str) -> bool:
    """An absolute, home-relative or explicitly relative path (never judged by a "/" alone:
    base64 tokens hold slashes)."""
    return value.startswith(("/", "~", "./", "../", "\\\\")) or (
        len(value) > 2 and value[1] == ":" and value[2] in "\\/")
