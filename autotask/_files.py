"""Files written so that a crash never leaves half of one: the one way the package does it.

Standard library only (the batch journal, the profiles file, the zone cache and the export's
state file all use it, and the batch engine may import nothing more).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["replace_atomically", "sync_directory"]


def replace_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8): a temporary file in the same folder, mode 0600,
    synced, renamed over it, then the folder synced. Readers see the old file or the new one,
    never a part; the temporary file is removed when anything fails."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)  # mkstemp makes 0600 already; say it where secrets are written
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    sync_directory(path.parent)


def sync_directory(directory: Path) -> None:
    """fsync a directory, so a file created or renamed in it survives a crash (a no-op where
    the system does not support it)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
