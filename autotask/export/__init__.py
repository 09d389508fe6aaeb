"""Export and sync: parallel id-range queries, JSON Lines / CSV / SQLite targets, watermarks.

``Entity.query_parallel`` and ``Entity.export`` are the entry points; this package holds their
logic (issue 13): ``parallel.py`` splits and pages a query, ``writers.py`` writes the targets,
``state.py`` keeps watermarks and checkpoints, ``run.py`` ties them together.
"""

from autotask.export.run import ExportProgress, ExportStats, export

__all__ = ["ExportProgress", "ExportStats", "export"]
