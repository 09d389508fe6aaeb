"""Fixtures borrowed for the security and hostile-input tests: the command line's (``run_cli``,
``cli``) and the client's (``client``: a fresh client of the reset session emulator)."""

from __future__ import annotations

from tests.cli.conftest import base_env, cli, run_cli
from tests.client.conftest import client

__all__ = ["base_env", "cli", "client", "run_cli"]
