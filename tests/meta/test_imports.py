"""Import boundaries, checked by a static scan (ARCHITECTURE "Rules", CONTRACTS §7).

- ``autotask/emulator/`` (every subfolder included) imports only the standard library and
  itself, never the client.
- The emulator's modules import each other without a circle, and only its flag modules
  (argparse) know the command line: the rest reads the values of ``settings.py``.
- Only ``autotask/wire/transport.py`` imports urllib3, and it does not import the entity registry
  (requests name their entity where they are built; the transport knows requests, not entities).
- Nothing outside ``autotask/cli/`` imports the emulator.
- The batch engine (``batch/engine.py`` and its journal) is generic: it imports only the standard
  library and the errors, never entity, transport or CLI code (ARCHITECTURE "The batch engine
  is generic").
"""

from __future__ import annotations

import ast
import json
import select
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "autotask"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against the file's package
                base = path.relative_to(ROOT).with_suffix("").parts[: -node.level]
                names.add(".".join((*base, node.module or "")).rstrip("."))
            elif node.module:
                names.add(node.module)
    return names


def _modules(under: Path) -> list[Path]:
    return sorted(p for p in under.rglob("*.py") if "__pycache__" not in p.parts)


def test_emulator_imports_only_stdlib_and_itself() -> None:
    stdlib = set(sys.stdlib_module_names)
    bad = []
    for path in _modules(PACKAGE / "emulator"):
        for name in _imports(path):
            top = name.split(".")[0]
            if name.startswith("autotask.emulator") or name == "autotask.emulator":
                continue
            if top in stdlib or top == "__future__":
                continue
            bad.append(f"{path.relative_to(ROOT)}: {name}")
    assert not bad, "emulator imports outside the standard library:\n" + "\n".join(bad)


EMULATOR = PACKAGE / "emulator"
# The modules that declare command-line flags; everything else reads settings.py.
FLAG_MODULES = {
    "autotask.emulator.cli",
    "autotask.emulator.options",
    "autotask.emulator.limits.flags",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _emulator_graph() -> dict[str, set[str]]:
    """Emulator module -> the emulator modules it imports (``from pkg import mod`` included)."""
    paths = _modules(EMULATOR)
    known = {_module_name(p) for p in paths}
    graph: dict[str, set[str]] = {}
    for path in paths:
        edges: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                base = node.module
                if node.level:
                    pkg = _module_name(path).split(".")
                    pkg = pkg[: len(pkg) - node.level + (path.name == "__init__.py")]
                    base = ".".join((*pkg, node.module))
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    edges.add(full if full in known else base)
            elif isinstance(node, ast.Import):
                edges.update(alias.name for alias in node.names)
        graph[_module_name(path)] = {e for e in edges if e in known} - {_module_name(path)}
    return graph


def test_emulator_subfolders_are_scanned() -> None:
    graph = _emulator_graph()
    for room in ("api", "model", "rules", "limits", "demo"):
        assert any(name.startswith(f"autotask.emulator.{room}.") for name in graph), room
    # A folder over a dozen files gets subfolders (house style).
    for folder in [EMULATOR, *[p for p in EMULATOR.iterdir() if p.is_dir()]]:
        assert len(list(folder.glob("*.py"))) <= 12, folder


def test_emulator_has_no_import_circle() -> None:
    graph = _emulator_graph()
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    circles: list[list[str]] = []

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for nxt in sorted(graph[name]):
            if state.get(nxt) == 1:
                circles.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert circles == [], "import circles:\n" + "\n".join(" -> ".join(c) for c in circles)


def test_only_the_flag_modules_know_the_command_line() -> None:
    graph = _emulator_graph()
    entry_points = {*FLAG_MODULES, "autotask.emulator.__main__"}
    offenders = [
        name
        for path in _modules(EMULATOR)
        if (name := _module_name(path)) not in entry_points
        if "argparse" in _imports(path) or FLAG_MODULES & graph[name]
    ]
    assert offenders == [], f"flags (argparse) imported outside the flag modules: {offenders}"


def test_only_transport_imports_urllib3() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in _modules(PACKAGE)
        if path.name != "transport.py" or path.parent != PACKAGE / "wire"
        if any(n.split(".")[0] == "urllib3" for n in _imports(path))
    ]
    assert not offenders, f"urllib3 imported outside autotask/wire/transport.py: {offenders}"


def test_transport_does_not_import_the_registry() -> None:
    names = _imports(PACKAGE / "wire" / "transport.py")
    assert not {"autotask.core.registry", "autotask.core._registry_data"} & names, sorted(names)


def test_only_cli_imports_the_emulator() -> None:
    offenders = []
    for path in _modules(PACKAGE):
        rel = path.relative_to(PACKAGE).parts
        if rel[0] in ("emulator", "cli"):
            continue
        if any(n.startswith("autotask.emulator") for n in _imports(path)):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"only autotask/cli may import the emulator: {offenders}"


def test_emulator_serves_without_urllib3() -> None:
    """The emulator starts and answers with urllib3 made unimportable (CONTRACTS §7)."""
    code = (
        "import sys; sys.modules['urllib3'] = None\n"
        "from autotask.emulator.cli import main\n"
        "raise SystemExit(main(['--port', '0', '--data', 'empty']))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        line = proc.stdout.readline() if ready else ""
        assert line.startswith("listening on http://127.0.0.1:"), line
        url = line.split()[-1] + "versioninformation"
        with urllib.request.urlopen(url, timeout=10) as response:
            assert json.loads(response.read())["apiVersions"]
    finally:
        proc.terminate()
        proc.communicate(timeout=10)  # also closes the pipes (no ResourceWarning)


def test_batch_engine_imports_no_entity_transport_or_cli_code() -> None:
    stdlib = set(sys.stdlib_module_names)
    allowed = {"autotask.errors", "autotask.batch.journal", "autotask._log", "autotask._files"}
    bad = []
    for name in ("engine.py", "journal.py"):
        path = PACKAGE / "batch" / name
        for imported in _imports(path):
            if imported.split(".")[0] in stdlib or imported == "__future__":
                continue
            if imported not in allowed:
                bad.append(f"{path.relative_to(ROOT)}: {imported}")
    assert not bad, "the batch engine imports more than stdlib and errors:\n" + "\n".join(bad)


def test_attachment_codecs_are_pure() -> None:
    """The upload encoder, the download decoder and the file-name rules need no client, no
    transport and no sockets (they are unit-tested without them)."""
    stdlib = set(sys.stdlib_module_names)
    allowed = {"autotask.wire._request", "autotask.errors"}
    bad = []
    for name in ("upload.py", "download.py", "files.py", "source.py"):
        path = PACKAGE / "attachments" / name
        for imported in _imports(path):
            if imported.split(".")[0] in stdlib or imported == "__future__":
                continue
            if imported not in allowed:
                bad.append(f"{path.relative_to(ROOT)}: {imported}")
    assert not bad, "attachment codecs import more than stdlib:\n" + "\n".join(bad)


def _eager_imports(path: Path) -> set[str]:
    """Imports run when the module loads: top-level ones, outside ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_imports_export_only_lazily() -> None:
    """Export uses Core and Wire (ARCHITECTURE "Parts"); Core reaches it only inside methods."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in _modules(PACKAGE)
        if path.relative_to(PACKAGE).parts[0] not in ("export", "cli")
        if any(n.startswith("autotask.export") for n in _eager_imports(path))
    ]
    assert not offenders, f"modules importing autotask.export at load time: {offenders}"


def test_no_folder_of_the_package_holds_more_than_a_dozen_modules() -> None:
    # House style: a folder over a dozen files gets subfolders that say what is inside.
    crowded = {
        str(folder.relative_to(ROOT)): count
        for folder in [PACKAGE, *(p for p in PACKAGE.rglob("*") if p.is_dir())]
        if "__pycache__" not in folder.parts
        if (count := len(list(folder.glob("*.py")))) > 12
    }
    assert crowded == {}, crowded
