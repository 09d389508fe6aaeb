"""Named profiles in ``$XDG_CONFIG_HOME/autotask/config.ini`` (CONTRACTS §10).

One INI section per profile::

    [default]
    username = api-user@example.com
    integration_code = ABCDEFGHIJKLMNOP
    secret = ...
    api_url = https://webservices5.autotask.net/ATServicesRest/

The file holds secrets, so it is written with mode 0600 (its folder 0700), and a file that
grants any permission to group or others is refused when read: another user could have read
the secret, or changed ``api_url`` to catch it. Writes go to a temporary file that replaces the
old one, so a crash never leaves half a file.

Example::

    store = ProfileStore(config_path())
    store.set("prod", "username", "api@example.com")
    store.profile("prod")          # {'username': 'api@example.com'}
"""

from __future__ import annotations

import configparser
import io
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from autotask._files import replace_atomically
from autotask.errors import ConfigError

__all__ = [
    "DEFAULT_PROFILE",
    "ENV_PROFILE",
    "PROFILE_KEYS",
    "SECRET_KEYS",
    "ProfileStore",
    "config_path",
]

#: The profile used when neither ``--profile`` nor ``AUTOTASK_PROFILE`` names one.
DEFAULT_PROFILE = "default"
#: The environment variable naming the profile.
ENV_PROFILE = "AUTOTASK_PROFILE"

#: The keys a profile may hold, and what each means.
PROFILE_KEYS: dict[str, str] = {
    "username": "the API-only user's username",
    "integration_code": "the API tracking identifier (ApiIntegrationCode)",
    "secret": "the API user's secret",
    "api_url": "the zone URL (.../ATServicesRest/); skips zone discovery",
    "zone_lookup_url": "where zone discovery asks",
    "ca_file": "a CA bundle to verify TLS with",
    "timeout": "seconds to wait for an answer",
    "retries": "resends per request where resending is safe",
    "impersonation_resource_id": "a resource id sent as ImpersonationResourceId on writes",
}
#: Keys whose values are never shown, logged or accepted as a command-line argument.
SECRET_KEYS = frozenset({"secret", "integration_code"})


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/autotask/config.ini``, else ``~/.config/autotask/config.ini``."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or ""
    root = Path(base) if os.path.isabs(base) else Path(env.get("HOME") or Path.home()) / ".config"
    return root / "autotask" / "config.ini"


def _parser() -> configparser.ConfigParser:
    # No interpolation: a secret may contain "%".
    return configparser.ConfigParser(interpolation=None, default_section="\x00none")


class ProfileStore:
    """Read and change the profiles file at ``path``.

    Args:
        path: the file (see :func:`config_path`).
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def exists(self) -> bool:
        """Whether the file exists."""
        return self.path.is_file()

    def mode(self) -> int | None:
        """The file's permission bits, or None when it does not exist."""
        try:
            return stat.S_IMODE(self.path.stat().st_mode)
        except FileNotFoundError:
            return None

    def check_mode(self) -> None:
        """Raise unless the file is private to its owner (or absent).

        Raises:
            ConfigError: group or others have any permission on it (the message says the fix).
        """
        mode = self.mode()
        if mode is not None and mode & 0o077:
            raise ConfigError(
                f"{self.path} is open to other users (mode {mode:04o}); it holds secrets, so it "
                f"is not read: run chmod 600 {self.path}"
            )

    def _load(self) -> configparser.ConfigParser:
        parser = _parser()
        if not self.exists():
            return parser
        self.check_mode()
        try:
            with self.path.open(encoding="utf-8") as fh:
                parser.read_file(fh)
        except (configparser.Error, UnicodeDecodeError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ConfigError(f"{self.path}: not a valid profiles file: {first}") from None
        except OSError as exc:
            raise ConfigError(f"cannot read {self.path}: {exc.strerror or exc}") from None
        return parser

    def names(self) -> list[str]:
        """The profile names, in file order."""
        return self._load().sections()

    def profile(self, name: str) -> dict[str, str]:
        """The keys of profile ``name``.

        Raises:
            ConfigError: the file is unsafe or unreadable, or has no such profile.
        """
        parser = self._load()
        if not parser.has_section(name):
            known = ", ".join(parser.sections()) or "none"
            raise ConfigError(f"no profile {name!r} in {self.path} (profiles: {known})")
        return dict(parser.items(name))

    def has_profile(self, name: str) -> bool:
        """Whether profile ``name`` exists (reading the file, so it checks its mode too)."""
        return self._load().has_section(name)

    def set(self, name: str, key: str, value: str) -> None:
        """Set ``key`` in profile ``name`` (created as needed) and write the file (0600).

        Raises:
            ConfigError: an unknown key, a value with a line break, or the file is unsafe.
        """
        check_key(key)
        if "\n" in value or "\r" in value:
            raise ConfigError(f"the value of {key} contains a line break")
        parser = self._load()
        if not parser.has_section(name):
            parser.add_section(name)
        parser.set(name, key, value)
        self._write(parser)

    def delete(self, name: str, key: str | None = None) -> None:
        """Remove ``key`` from profile ``name``, or the whole profile when ``key`` is None.

        Raises:
            ConfigError: no such profile or key.
        """
        parser = self._load()
        if not parser.has_section(name):
            raise ConfigError(f"no profile {name!r} in {self.path}")
        if key is None:
            parser.remove_section(name)
        elif not parser.remove_option(name, key):
            raise ConfigError(f"profile {name!r} has no {key!r}")
        self._write(parser)

    def _write(self, parser: configparser.ConfigParser) -> None:
        buffer = io.StringIO()
        parser.write(buffer)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        replace_atomically(self.path, buffer.getvalue())  # 0600: it holds secrets


def check_key(key: str) -> None:
    """Raise :class:`ConfigError` unless ``key`` is one of :data:`PROFILE_KEYS`."""
    if key not in PROFILE_KEYS:
        raise ConfigError(f"unknown profile key {key!r} (keys: {', '.join(PROFILE_KEYS)})")
