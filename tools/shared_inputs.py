"""Inputs of the derive scripts: the in-repo fixtures and the Swagger beside the clone."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "real"


def swagger_path() -> Path:
    """The 2020 Swagger: ``$AUTOTASK_SWAGGER``, else ``../shared/autotask-swagger-v1.json``."""
    env = os.environ.get("AUTOTASK_SWAGGER")
    if env:
        return Path(env)
    for candidate in (ROOT.parent / "shared", Path("/work/shared")):
        path = candidate / "autotask-swagger-v1.json"
        if path.is_file():
            return path
    return ROOT.parent / "shared" / "autotask-swagger-v1.json"
