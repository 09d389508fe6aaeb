"""``autotask config set|get|list|path|delete``: the profiles file (CONTRACTS §10)."""

from __future__ import annotations

import argparse
from typing import Any

from autotask.cli.args import Parser, add_command
from autotask.cli.context import Context
from autotask.cli.credentials import selected_profile
from autotask.cli.exitcodes import ExitCode, UsageError
from autotask.config import ENV
from autotask.errors import ConfigError
from autotask.profiles import (
    DEFAULT_PROFILE,
    PROFILE_KEYS,
    SECRET_KEYS,
    ProfileStore,
    check_key,
    config_path,
)

EXAMPLES = (
    ("store the username of the default profile", "autotask config set username api@example.com"),
    ("store a secret (typed at a prompt, never echoed)", "autotask config set secret"),
    (
        "store a secret from a variable, in a setup script",
        'printf %s "$SECRET" | autotask --profile prod config set secret',
    ),
    ("list the profiles (secrets masked)", "autotask config list"),
    ("use a profile", "autotask --profile prod query Tickets status=New"),
)
_KEYS_HELP = ", ".join(PROFILE_KEYS)


def register(subparsers: Any) -> None:
    """Add ``config`` and its actions."""
    parser = add_command(
        subparsers,
        "config",
        help="manage profiles in the config file (credentials, zone URL, settings)",
        description=(
            "Profiles live in $XDG_CONFIG_HOME/autotask/config.ini (default "
            "~/.config/autotask/config.ini), one section per profile, written with mode 0600; "
            "a file other users may read is refused. The profile acted on is --profile, else "
            f"$AUTOTASK_PROFILE, else 'default'. Keys: {_KEYS_HELP}. The secret and the "
            "integration code are read from standard input (a prompt on a terminal), never "
            "from the command line."
        ),
        examples=EXAMPLES,
        run=_missing_action,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    set_parser = add_command(
        actions,
        "set",
        help="set a key of the profile (secrets are read from standard input)",
        description="Set KEY in the profile, creating the file (0600) and profile as needed.",
        examples=(),
        run=run_set,
    )
    set_parser.add_argument("key", metavar="KEY", help=f"one of {_KEYS_HELP}")
    set_parser.add_argument(
        "value", metavar="VALUE", nargs="?", help="the value (not for secret keys)"
    )
    get_parser = add_command(
        actions,
        "get",
        help="print a key of the profile (secrets masked)",
        description="Print KEY of the profile; a secret key prints *** when it is set.",
        examples=(),
        run=run_get,
    )
    get_parser.add_argument("key", metavar="KEY", help=f"one of {_KEYS_HELP}")
    add_command(
        actions,
        "list",
        help="list the profiles and their keys (secrets masked)",
        description="One row per key of every profile (or of --profile's only).",
        examples=(),
        run=run_list,
    )
    add_command(
        actions,
        "path",
        help="print the config file's path",
        description="Print where the config file is (whether or not it exists).",
        examples=(),
        run=run_path,
    )
    delete_parser = add_command(
        actions,
        "delete",
        help="delete a key of the profile, or the whole profile",
        description="Delete KEY from the profile, or the profile itself when no KEY is given.",
        examples=(),
        run=run_delete,
    )
    delete_parser.add_argument("key", metavar="KEY", nargs="?", help="the key (default: all)")


def _missing_action(args: argparse.Namespace, ctx: Context) -> int:
    raise UsageError("config needs an action: set, get, list, path or delete")


def _store(ctx: Context) -> ProfileStore:
    return ProfileStore(config_path(ctx.env.environ))


def _profile(args: argparse.Namespace, ctx: Context) -> str:
    return selected_profile(args, ctx.env.environ) or DEFAULT_PROFILE


def _key(text: str) -> str:
    key = text.strip().lower()
    try:
        check_key(key)
    except ConfigError as exc:
        raise UsageError(exc.message) from None
    return key


def run_set(args: argparse.Namespace, ctx: Context) -> int:
    """Set a key; secrets come from standard input."""
    key = _key(args.key)
    profile = _profile(args, ctx)
    value = args.value
    if key in SECRET_KEYS:
        if value not in (None, "-"):
            raise UsageError(
                f"the {key} is not accepted on the command line (process lists and shell "
                f"history would show it): run 'autotask config set {key}' and type it at the "
                f"prompt, pipe it in on standard input, or set {ENV[key]}"
            )
        value = _read_secret(ctx, key)
    elif value is None or value == "-":
        if value is None:
            raise UsageError(f"config set {key} needs a VALUE")
        value = ctx.env.stdin.readline().rstrip("\r\n")
    store = _store(ctx)
    store.set(profile, key, value)
    ctx.note(f"set {key} in profile {profile!r} ({store.path})")
    return ExitCode.OK


def _read_secret(ctx: Context, key: str) -> str:
    if ctx.env.stdin_isatty:
        value = ctx.env.read_secret(f"{key} for this profile: ")
    else:
        value = ctx.env.stdin.readline().rstrip("\r\n")
    if not value.strip():
        raise UsageError(f"no {key} given on standard input")
    return value


def run_get(args: argparse.Namespace, ctx: Context) -> int:
    """Print one key's value (secrets as ***)."""
    key = _key(args.key)
    profile = _profile(args, ctx)
    values = _store(ctx).profile(profile)
    if key not in values:
        raise ConfigError(f"profile {profile!r} has no {key}")
    ctx.env.stdout.write(("***" if key in SECRET_KEYS else values[key]) + "\n")
    return ExitCode.OK


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    """One row per key of each profile."""
    store = _store(ctx)
    named = selected_profile(args, ctx.env.environ)
    names = [named] if named else store.names()
    writer = ctx.writer(columns=("profile", "key", "value"), noun="keys")
    try:
        for name in names:
            for key, value in store.profile(name).items():
                shown = "***" if key in SECRET_KEYS else value
                writer.write({"profile": name, "key": key, "value": shown})
    finally:
        ctx.finish(writer)
    return ExitCode.OK


def run_path(args: argparse.Namespace, ctx: Context) -> int:
    """Print the path."""
    ctx.env.stdout.write(f"{config_path(ctx.env.environ)}\n")
    return ExitCode.OK


def run_delete(args: argparse.Namespace, ctx: Context) -> int:
    """Delete a key or a profile."""
    profile = _profile(args, ctx)
    key = args.key.strip().lower() if args.key else None
    store = _store(ctx)
    store.delete(profile, key)
    ctx.note(f"deleted {key or 'the profile'} from profile {profile!r} ({store.path})")
    return ExitCode.OK
