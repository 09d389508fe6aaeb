"""Import boundaries of the command line's modules (ARCHITECTURE "Parts"), by static scan and
by a real import: --help must not load urllib3 or the client."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "autotask"


def _top_level_imports(path: Path) -> set[str]:
    """Imports executed when the module loads (not those inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _stdlib(name: str) -> bool:
    return name.split(".", maxsplit=1)[0] in sys.stdlib_module_names or name == "__future__"


def test_progress_imports_only_the_standard_library_and_the_progress_value() -> None:
    # The bar draws the batch engine's own Progress value (one type, not two alike).
    names = _top_level_imports(PACKAGE / "cli" / "output" / "progress.py")
    assert {n for n in names if not _stdlib(n)} == {"autotask.batch"}


def test_profiles_import_only_the_standard_library_and_errors() -> None:
    names = _top_level_imports(PACKAGE / "profiles.py")
    assert {n for n in names if not _stdlib(n)} == {"autotask.errors", "autotask._files"}


def test_cli_loads_the_client_and_emulator_only_when_a_command_runs() -> None:
    offenders = []
    for path in sorted((PACKAGE / "cli").rglob("*.py")):
        for name in _top_level_imports(path):
            if name.startswith(("autotask.emulator", "autotask.client", "autotask.wire.transport")):
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
            if name.split(".")[0] == "urllib3":
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert not offenders


def test_help_does_not_import_urllib3_or_the_client() -> None:
    code = (
        "import sys\n"
        "from autotask.cli.parser import build_parser\n"
        "build_parser().format_help()\n"
        "import autotask.cli.main\n"
        "print(sorted(m for m in ('urllib3', 'autotask.client', 'autotask.wire.transport') "
        "if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert out.stdout.strip() == "[]", out.stderr
