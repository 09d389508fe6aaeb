"""The public names of ``autotask`` resolve lazily and ``import autotask`` stays light."""

from __future__ import annotations

import subprocess
import sys

import autotask


def test_all_lists_exactly_the_lazy_exports() -> None:
    assert set(autotask.__all__) == {"__version__", *autotask._EXPORTS}


def test_every_public_name_resolves() -> None:
    for name in autotask._EXPORTS:
        assert getattr(autotask, name) is not None, name


def test_import_autotask_does_not_import_urllib3() -> None:
    code = "import sys, autotask; print('urllib3' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
