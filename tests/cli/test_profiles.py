"""Profiles (CONTRACTS §10): ``autotask config``, the file's mode, and where each credential
comes from (flag, then environment, then profile)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autotask.cli.credentials import resolve
from autotask.cli.parser import build_parser
from autotask.profiles import ProfileStore, config_path
from tests.cli.conftest import Cli, credentials_env
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME, Emulator


def _store(base_env: dict[str, str]) -> ProfileStore:
    return ProfileStore(config_path(base_env))


def _set_profile(run_cli: Cli, emulator: Emulator, profile: str = "default") -> None:
    flag = ["--profile", profile]
    assert run_cli(*flag, "config", "set", "username", USERNAME).code == 0
    assert run_cli(*flag, "config", "set", "api_url", emulator.base_url).code == 0
    assert run_cli(*flag, "config", "set", "secret", stdin=SECRET + "\n").code == 0
    assert run_cli(*flag, "config", "set", "integration_code", stdin=INTEGRATION_CODE).code == 0


def test_config_path_follows_xdg(run_cli: Cli, base_env: dict[str, str]) -> None:
    run = run_cli("config", "path")
    assert run.out == f"{base_env['XDG_CONFIG_HOME']}/autotask/config.ini\n"
    assert config_path({"HOME": "/home/x"}) == Path("/home/x/.config/autotask/config.ini")
    assert config_path({"HOME": "/home/x", "XDG_CONFIG_HOME": "relative"}) == Path(
        "/home/x/.config/autotask/config.ini"
    )  # a relative XDG_CONFIG_HOME is ignored, as the spec says


def test_a_profile_written_0600_and_used(
    run_cli: Cli, emulator: Emulator, base_env: dict[str, str]
) -> None:
    _set_profile(run_cli, emulator)
    path = config_path(base_env)
    assert (path.stat().st_mode & 0o777) == 0o600
    assert (path.parent.stat().st_mode & 0o777) == 0o700
    text = path.read_text()
    assert "[default]" in text and SECRET in text
    run = run_cli("count", "Tickets")  # no AUTOTASK_* variables: the default profile
    assert run.code == 0 and int(run.out) > 0
    doctor = run_cli("doctor", "-o", "table")
    assert doctor.code == 0 and "profile 'default'" in doctor.out and "(mode 0600" in doctor.out


def test_named_profiles(run_cli: Cli, emulator: Emulator, base_env: dict[str, str]) -> None:
    _set_profile(run_cli, emulator, "prod")
    assert run_cli("--profile", "prod", "usage").code == 0
    assert run_cli("usage", "--profile", "prod").code == 0  # after the command too
    assert run_cli("usage", env={"AUTOTASK_PROFILE": "prod"}).code == 0
    missing = run_cli("--profile", "test", "usage")
    assert missing.code == 3
    assert missing.err_lines == [
        f"autotask: error: no profile 'test' in {config_path(base_env)} (profiles: prod)"
    ]
    listed = run_cli("config", "list").jsonl()
    assert {(r["profile"], r["key"], r["value"]) for r in listed} == {
        ("prod", "username", USERNAME),
        ("prod", "api_url", emulator.base_url),
        ("prod", "secret", "***"),
        ("prod", "integration_code", "***"),
    }
    assert run_cli("--profile", "prod", "config", "get", "secret").out == "***\n"
    assert run_cli("--profile", "prod", "config", "get", "username").out == f"{USERNAME}\n"
    assert run_cli("--profile", "prod", "config", "delete", "api_url").code == 0
    assert run_cli("--profile", "prod", "config", "get", "api_url").code == 3
    assert run_cli("--profile", "prod", "config", "delete").code == 0
    assert _store(base_env).names() == []


def test_a_file_open_to_others_is_refused(
    run_cli: Cli, emulator: Emulator, base_env: dict[str, str]
) -> None:
    _set_profile(run_cli, emulator)
    path = config_path(base_env)
    for mode in (0o644, 0o640, 0o604, 0o620):
        os.chmod(path, mode)
        run = run_cli("count", "Tickets")
        assert run.code == 3
        assert run.err_lines == [
            f"autotask: error: {path} is open to other users (mode {mode:04o}); it holds "
            f"secrets, so it is not read: run chmod 600 {path}"
        ]
        assert run_cli("config", "set", "username", "x").code == 3  # not rewritten either
    os.chmod(path, 0o600)
    assert run_cli("count", "Tickets").code == 0


def test_a_secret_argument_is_refused(run_cli: Cli, base_env: dict[str, str]) -> None:
    for argv in (
        ("config", "set", "secret", "s3cr3t-value"),
        ("config", "set", "integration_code", "s3cr3t-value"),
    ):
        run = run_cli(*argv)
        assert run.code == 2
        (line,) = run.err_lines
        assert "not accepted on the command line" in line and "s3cr3t-value" not in line
        assert "standard input" in line
    assert not config_path(base_env).exists()


def test_secrets_from_a_prompt_on_a_terminal(run_cli: Cli, base_env: dict[str, str]) -> None:
    run = run_cli("config", "set", "secret", tty=True, secret_prompt="typed-secret")
    assert run.code == 0
    assert _store(base_env).profile("default")["secret"] == "typed-secret"
    empty = run_cli("config", "set", "secret", stdin="\n")
    assert empty.code == 2 and "no secret given" in empty.err


def test_bad_keys_and_values(run_cli: Cli) -> None:
    bogus = run_cli("config", "set", "bogus", "1")
    assert bogus.code == 2 and "unknown profile key 'bogus'" in bogus.err
    assert run_cli("config", "set", "username").code == 2
    assert run_cli("config").code == 2


def test_precedence_flag_then_environment_then_profile(
    run_cli: Cli, emulator: Emulator, base_env: dict[str, str]
) -> None:
    _set_profile(run_cli, emulator)
    environ = dict(base_env, AUTOTASK_USERNAME="from-env@example.com")
    parser = build_parser()
    settings = resolve(parser.parse_args(["usage"]), environ)
    assert settings.values["username"] == "from-env@example.com"
    assert settings.sources["username"] == "environment AUTOTASK_USERNAME"
    assert settings.sources["secret"] == "profile default"
    flagged = resolve(parser.parse_args(["usage", "--username", "flag@example.com"]), environ)
    assert flagged.values["username"] == "flag@example.com"
    assert flagged.sources["username"] == "flag --username"


def test_a_named_profile_is_not_mixed_with_the_environment(
    run_cli: Cli, emulator: Emulator, base_env: dict[str, str]
) -> None:
    _set_profile(run_cli, emulator, "prod")
    other_tenant = {
        "AUTOTASK_USERNAME": "other@example.com",
        "AUTOTASK_SECRET": "other-tenant-secret",
        "AUTOTASK_INTEGRATION_CODE": "OTHERCODE",
        "AUTOTASK_API_URL": "https://webservices99.autotask.net/ATServicesRest/",
    }
    parser = build_parser()
    for argv, environ in (
        (["--profile", "prod", "usage"], dict(base_env, **other_tenant)),
        (["usage"], dict(base_env, AUTOTASK_PROFILE="prod", **other_tenant)),
    ):
        settings = resolve(parser.parse_args(argv), environ)
        assert settings.values["username"] == USERNAME
        assert settings.values["api_url"] == emulator.base_url
        assert set(settings.sources.values()) == {"profile prod"}
    run = run_cli("--profile", "prod", "count", "Tickets", env=other_tenant)
    assert run.code == 0, run.err
    partial = run_cli("--profile", "prod", "--username", "flag@example.com", "usage")
    assert partial.code == 3  # a flag still wins: the emulator refuses that user


def test_settings_from_profile_reach_the_client(
    run_cli: Cli, emulator: Emulator, base_env: dict[str, str]
) -> None:
    _set_profile(run_cli, emulator)
    assert run_cli("config", "set", "retries", "zero").code == 0
    run = run_cli("usage")
    assert run.code == 3 and "retries 'zero' (from profile default) is not a number" in run.err


@pytest.mark.parametrize("variable", ["AUTOTASK_SECRET", "AUTOTASK_INTEGRATION_CODE"])
def test_missing_credential_named(run_cli: Cli, emulator: Emulator, variable: str) -> None:
    env = credentials_env(emulator)
    del env[variable]
    run = run_cli("usage", env=env)
    assert run.code == 3 and variable in run.err
