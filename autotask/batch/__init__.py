"""Batch: the generic engine (``engine``, ``journal``) and its bindings to entities (``ops``,
``check``), CONTRACTS §8.

The engine imports neither Core nor Wire (a meta test checks it); ``ops`` binds it to an
:class:`~autotask.core.entities.Entity`, and ``check`` is the dry run's pure metadata check.
The engine's public names are importable from here: ``from autotask.batch import run, Job``.
"""

from autotask.batch.engine import STATUSES, ItemResult, Job, Progress, run, stops_the_run

__all__ = ["STATUSES", "ItemResult", "Job", "Progress", "run", "stops_the_run"]
