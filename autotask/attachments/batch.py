"""``client.attachments.batch_upload``: many files to one parent through the batch engine.

The engine (:mod:`autotask.batch`, CONTRACTS §8) runs one upload per file on its worker threads;
the transport's thread gate keeps at most ``RequestConfig.concurrency`` uploads in flight on
the attachment entity and its byte window paces them (fact sheet §6, §7), so the engine adds no
limiter. A file that cannot be read, or is over the size limit, is a ``failed`` result with
``attempts == 0``; an upload whose answer was lost is ``unknown`` and never sent again (an
attachment has no field to look it up by safely: another file of the same name may be there).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from autotask.batch import ItemResult, Job
from autotask.batch.ops import BatchOptions, check_options, run_with_options
from autotask.errors import ConfigError, InvalidRequest

__all__ = ["upload_all"]


def upload_all(
    target: str,
    files: Iterable[Any],
    *,
    upload: Callable[[str | os.PathLike[str]], int],
    check: Callable[[str | os.PathLike[str]], None],
    tries: Callable[[], int],
    concurrency: int,
    batch_size: int,
    options: BatchOptions,
) -> list[ItemResult]:
    """Upload every file of ``files``; one ``uploaded`` result (``item_id`` = the attachment
    id) or a failure per file, in input order.

    Args:
        target: the parent route (``Tickets/5/Attachments``), for the journal and errors.
        files: file paths (any iterable; at most ``batch_size`` held at a time).
        upload: uploads one file and returns the attachment id.
        check: the dry-run check of one file (raises ``InvalidRequest``).
        tries: the transport's count of the calling thread's requests.
        concurrency: the default number of worker threads.
        batch_size: files held at a time.
        options: ``concurrency``, ``progress``, ``journal``, ``dry_run``, ``fail_fast``,
            ``settle``, ``on_result`` (:class:`~autotask.batch.ops.BatchOptions`; no
            ``dedupe_field``).

    Raises:
        TypeError: an option that does not exist.
        ConfigError: ``dedupe_field``, a bad option value, or a bad journal.
    """
    if "dedupe_field" in options:
        raise ConfigError("dedupe_field does not apply to batch_upload (attachments have none)")
    check_options("batch_upload", options)

    def send(item: Any) -> int:
        return upload(_path(item, target))

    def dry_run(item: Any) -> None:
        check(_path(item, target))

    job: Job[Any] = Job(
        operation="upload", target=target, status="uploaded", send=send, check=dry_run, tries=tries
    )
    return run_with_options(job, files, batch_size, options, concurrency)


def _path(item: Any, target: str) -> str | os.PathLike[str]:
    """The item as a file path, or the per-item error for one that is not."""
    if isinstance(item, str) or (
        isinstance(item, os.PathLike) and isinstance(item.__fspath__(), str)
    ):
        return item
    raise InvalidRequest(
        f"an item must be a file path, not a {type(item).__name__}",
        operation="UPLOAD",
        entity=target,
    )
