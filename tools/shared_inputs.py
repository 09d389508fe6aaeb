"""Inputs of the derive and generate scripts: the in-repo fixtures, the Swagger beside the
clone, and the fixed terminal width the generated help text is wrapped at."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
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


@contextlib.contextmanager
def fixed_columns(width: int = 80) -> Iterator[None]:
    """Set ``COLUMNS`` to ``width`` for the block, then restore it (or unset it again).

    argparse wraps help text by the terminal width, so the generated man pages and completions
    are reproducible only at one fixed width.
    """
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        yield
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
