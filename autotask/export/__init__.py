"""Export and sync: parallel id-range queries, JSON Lines / CSV / SQLite targets, watermarks.

``Entity.query_parallel`` and ``Entity.export`` are the entry points; this package holds their
logic (issue 13): ``parallel.py`` splits and pages a query, ``writers.py`` writes the targets,
``state.py`` keeps watermarks and checkpoints, ``columns.py`` flattens records, ``run.py`` ties
them together.

For the command line (``autotask export`` / ``autotask sync``): per entity, call
``client.entity(NAME).export(target, filter, fields=..., since=..., labels=..., partitions=...,
progress=callback)``. Each ``ExportProgress`` has ``records``, ``total`` (the opening count;
None when resuming), ``pages`` and ``seconds``: enough for a bar with rate and ETA. Print the
returned ``ExportStats`` as the summary. ``InvalidRequest`` means bad input and nothing was
written; any other ``AutotaskError`` leaves a resumable run that the same command continues.
``sync`` runs its entities one after another into one ``sqlite:///`` target with one state
file; an entity without a last-modified field refuses ``since=`` (the message says so) and can
be exported in full instead.
"""

from autotask.export.run import ExportProgress, ExportStats, export

__all__ = ["ExportProgress", "ExportStats", "export"]
