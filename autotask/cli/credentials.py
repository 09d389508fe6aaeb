"""Where the command's credentials and connection settings come from (CONTRACTS §10).

Each value is taken from the first source that has it:

1. a command-line flag (``--username``, ``--api-url``, ``--ca-file``, ``--timeout``,
   ``--retries``);
2. a profile named explicitly (``--profile NAME``, else ``AUTOTASK_PROFILE``): then the
   ``AUTOTASK_*`` credential variables are not read at all, so a shell that happens to hold
   another tenant's variables can never mix them into the profile asked for;
3. otherwise the environment (``AUTOTASK_USERNAME``, ...), then the ``default`` profile when
   the file has one.

Secrets (the secret and the integration code) are never accepted as flags: the flags exist only
to refuse them with a message saying where they go.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autotask.config import ENV
from autotask.errors import ConfigError
from autotask.profiles import DEFAULT_PROFILE, ENV_PROFILE, ProfileStore, config_path

__all__ = ["FLAGS", "Settings", "refuse_secret_flag", "resolve"]

#: Settings that have a command-line flag (its namespace attribute has the same name).
FLAGS = frozenset({"username", "api_url", "ca_file", "timeout", "retries"})
_REQUIRED = ("username", "integration_code", "secret")


@dataclass(frozen=True)
class Settings:
    """The resolved settings of one run, and where each came from.

    Attributes:
        values: setting name -> value (strings, as flags, variables and files give them).
        sources: setting name -> ``"flag --username"``, ``"environment AUTOTASK_SECRET"``
            or ``"profile prod"``; never the value itself.
        profile: the profile read, or None.
        path: the profiles file.
    """

    values: dict[str, str]
    sources: dict[str, str]
    profile: str | None
    path: Path
    missing: tuple[str, ...] = field(default=())

    def require_credentials(self) -> None:
        """Raise :class:`ConfigError` naming what is missing and where to put it."""
        if not self.missing:
            return
        names = ", ".join(ENV[name] for name in self.missing)
        raise ConfigError(
            f"no credentials: missing {', '.join(self.missing)}; set {names}, or store them in a "
            f"profile with 'autotask config set KEY' ({self.path})"
        )


def selected_profile(args: argparse.Namespace, environ: Mapping[str, str]) -> str | None:
    """The profile named by ``--profile`` or ``AUTOTASK_PROFILE``, or None."""
    return getattr(args, "profile", None) or environ.get(ENV_PROFILE) or None


def resolve(args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
    """Resolve flags, environment and profile into :class:`Settings`.

    Raises:
        ConfigError: the profiles file is unsafe (group/world permissions), unreadable, or has
            no profile of the name asked for.
    """
    store = ProfileStore(config_path(environ))
    named = selected_profile(args, environ)
    profile: dict[str, str] = {}
    used: str | None = None
    if named is not None:
        profile, used = store.profile(named), named
    elif store.exists() and store.has_profile(DEFAULT_PROFILE):
        profile, used = store.profile(DEFAULT_PROFILE), DEFAULT_PROFILE
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    for name in (*_REQUIRED, "api_url", "zone_lookup_url", "ca_file", "timeout", "retries"):
        flag: Any = getattr(args, name, None) if name in FLAGS else None
        variable = None if named is not None else ENV.get(name)
        if flag not in (None, ""):
            values[name], sources[name] = str(flag), f"flag --{name.replace('_', '-')}"
        elif variable and environ.get(variable, "").strip():
            values[name], sources[name] = environ[variable], f"environment {variable}"
        elif profile.get(name, "").strip():
            values[name], sources[name] = profile[name], f"profile {used}"
    for name in ("impersonation_resource_id",):
        if profile.get(name, "").strip():
            values[name], sources[name] = profile[name], f"profile {used}"
    missing = tuple(name for name in _REQUIRED if not values.get(name, "").strip())
    return Settings(values, sources, used, store.path, missing)


class refuse_secret_flag(argparse.Action):  # named like the flags it serves
    """The action of ``--secret`` and ``--integration-code``: always refuse, never echo."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        from autotask.cli.exitcodes import UsageError

        key = self.dest
        raise UsageError(
            f"{option_string} is not accepted on the command line (process lists and shell "
            f"history would show it): set {ENV[key]}, or store it with "
            f"'autotask config set {key}' (which reads it from standard input)"
        )
