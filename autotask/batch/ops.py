"""An entity bound to the batch engine: ``client.tickets.batch_create(items)`` and friends.

:mod:`autotask.batch` is generic; this module hands it one entity's callables (CONTRACTS §8):

- ``send``: :meth:`Entity.create` / ``update`` / ``replace`` / ``delete``, after the per-item
  checks (an item that is not a record, a delete without an id, a missing dedupe value), so a
  bad item is a ``failed`` result with ``attempts == 0``, never an exception. Child-only
  entities route through their parent exactly as ``Entity.create`` does.
- ``lookup`` (``dedupe_field``, creates only): an ``eq`` query on the item's value of that
  field, a user-defined field when the item carries it in ``userDefinedFields``
  (``F.udf(name)``); the lowest matching id is taken.
- ``check`` (``dry_run``): the item against the entity's field metadata, fetched once
  (:mod:`autotask.batch.check`), plus the checks ``send`` makes before sending.
- ``tries``: the transport's count of the calling thread's requests, so ``attempts`` is exact.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict

from autotask._log import get_logger
from autotask.batch.check import KEPT_ON_UPDATE, capability_problem, record_problems
from autotask.batch.engine import ItemResult, Job, Progress, run
from autotask.core.query import F
from autotask.core.records import encode_record, udf
from autotask.core.routing import find_key
from autotask.errors import AutotaskError, ConfigError, InvalidRequest

if TYPE_CHECKING:
    from autotask.core.entities import Entity

__all__ = ["DEFAULT_SETTLE", "BatchOptions", "batch", "check_options", "run_with_options"]

_log = get_logger(__name__)

#: Seconds to wait before looking up an item whose write may have been applied (the server
#: may still be applying it when the answer is lost).
DEFAULT_SETTLE = 2.0

_KINDS = {
    "create": ("C", "created"),
    "update": ("U", "updated"),
    "replace": ("R", "replaced"),
    "delete": ("D", "deleted"),
}
_ABSENT = object()


class BatchOptions(TypedDict, total=False):
    """The options of every ``batch_*`` method (CONTRACTS §8); all optional.

    Attributes:
        concurrency: worker threads (default ``RequestConfig.concurrency``; the client's
            thread gate keeps requests per entity at that limit in any case).
        progress: called from the calling thread after each item with a
            :class:`~autotask.batch.Progress` (done, total or None, ok, failed, unknown,
            elapsed seconds).
        journal: a file to journal to, and to resume from when it exists.
        dedupe_field: creates only: a field (or user-defined field) whose value is unique per
            item; an item whose create may have been applied is looked up by it and taken
            when found. With ``journal`` this makes every item created exactly once.
        dry_run: check each item against the field metadata; no write.
        fail_fast: stop taking items at the first failure and return what finished.
        settle: seconds to wait before a dedupe lookup (default :data:`DEFAULT_SETTLE`).
        on_result: called from the calling thread with each ``ItemResult`` in input order as
            soon as it is final; the results are then not kept and the method returns an
            empty list (a batch of any size in flat memory).
    """

    concurrency: int | None
    progress: Callable[[Progress], object] | None
    journal: str | os.PathLike[str] | None
    dedupe_field: str | None
    dry_run: bool
    fail_fast: bool
    settle: float
    on_result: Callable[[ItemResult], object] | None


def batch(
    entity: Entity, kind: str, items: Iterable[Any], batch_size: int, options: BatchOptions
) -> list[ItemResult]:
    """Run ``kind`` (create, update, replace, delete) over ``items`` on ``entity``.

    Raises:
        TypeError: an option that does not exist.
        ConfigError: a bad option value, or a bad journal (see :func:`autotask.batch.run`).
    """
    check_options(f"batch_{kind}", options)
    dedupe = options.get("dedupe_field")
    if dedupe is not None:
        if kind != "create":
            raise ConfigError(f"dedupe_field applies to batch_create, not batch_{kind}")
        if not isinstance(dedupe, str) or not dedupe.strip():
            raise ConfigError(f"dedupe_field must be a field name, not {dedupe!r}")
    status = _KINDS[kind][1]
    job: Job[Any] = Job(
        operation=kind,
        target=entity.routing.base_path,
        status=status,
        send=functools.partial(_send, entity, kind, dedupe),
        lookup=None if dedupe is None else functools.partial(_lookup, entity, dedupe),
        check=functools.partial(_check, entity, kind, dedupe),
        tries=entity._transport.tries_here,
    )
    return run_with_options(job, items, batch_size, options, entity._config.concurrency)


def check_options(method: str, options: Mapping[str, Any]) -> None:
    """Refuse option names that :class:`BatchOptions` does not have.

    Raises:
        TypeError: naming ``method`` and the unknown options.
    """
    unknown = sorted(set(options) - set(BatchOptions.__annotations__))
    if unknown:
        raise TypeError(f"{method}() got unexpected option(s): {', '.join(unknown)}")


def run_with_options(
    job: Job[Any],
    items: Iterable[Any],
    batch_size: int,
    options: BatchOptions,
    default_concurrency: int,
) -> list[ItemResult]:
    """:func:`autotask.batch.run` with the ``batch_*`` options, for every binding (entities,
    attachments). ``dedupe_field`` is the binding's to turn into ``job.lookup``.

    Args:
        job: the per-item callables.
        items: the input.
        batch_size: the window.
        options: as the caller got them (checked with :func:`check_options`).
        default_concurrency: ``RequestConfig.concurrency`` of the client.
    """
    concurrency = options.get("concurrency")
    return run(
        items,
        job,
        batch_size=batch_size,
        concurrency=default_concurrency if concurrency is None else concurrency,
        progress=options.get("progress"),
        journal=options.get("journal"),
        dry_run=bool(options.get("dry_run", False)),
        fail_fast=bool(options.get("fail_fast", False)),
        settle=options.get("settle", DEFAULT_SETTLE),
        on_result=options.get("on_result"),
    )


# -- the callables ---------------------------------------------------------------------------


def _send(entity: Entity, kind: str, dedupe: str | None, item: Any) -> int:
    if kind == "delete":
        return entity.delete(_record_id(entity, item))
    record = _record(entity, kind, item)
    if dedupe is not None:
        _dedupe_condition(entity, record, dedupe)  # refuse an item we could not look up
    method: Callable[[Mapping[str, Any]], int] = getattr(entity, kind)
    return method(record)


def _lookup(entity: Entity, field: str, item: Any) -> int | None:
    condition = _dedupe_condition(entity, _record(entity, "create", item), field)
    ids = [record["id"] for record in entity.query(condition, fields=["id"], limit=2)]
    if len(ids) > 1:
        _log.warning(
            "dedupe_field %r matches several %s (ids %s, ...): taking the lowest; the field is "
            "not unique",
            field,
            entity.name,
            ids,
        )
    return int(ids[0]) if ids else None


def _check(entity: Entity, kind: str, dedupe: str | None, item: Any) -> int | None:
    letter = _KINDS[kind][0]
    reasons: list[str] = []
    problem = capability_problem(entity.info(), letter, entity.name)
    if problem:
        reasons.append(problem)
    item_id: int | None = None
    try:
        if kind == "delete":
            item_id = _record_id(entity, item)
            entity.routing.delete_path(item_id)
        else:
            record = _record(entity, kind, item)
            if dedupe is not None:
                _dedupe_condition(entity, record, dedupe)
            _, body = entity.routing.write(encode_record(record), letter)  # parent id filled in
            allowed = [r.parent_field for r in entity.spec.parents if r.parent_field]
            udfs = entity.udfs() if entity.info().get("hasUserDefinedFields") else []
            kept = KEPT_ON_UPDATE.get(entity.name, ())
            reasons += record_problems(
                body, letter, entity.fields(), udfs, allowed=allowed, kept=kept
            )
            found = find_key(body, "id")
            item_id = _as_id(body[found]) if found is not None and kind != "create" else None
    except InvalidRequest as exc:
        reasons.insert(0, exc.message)
    if reasons:
        raise InvalidRequest(
            f"not valid for {kind}", errors=reasons, operation=kind.upper(), entity=entity.name
        )
    return item_id


# -- per-item checks (before anything is sent) -----------------------------------------------


def _refused(entity: Entity, kind: str, message: str) -> InvalidRequest:
    return InvalidRequest(message, operation=kind.upper(), entity=entity.name)


def _record(entity: Entity, kind: str, item: Any) -> Mapping[str, Any]:
    if not isinstance(item, Mapping):
        raise _refused(entity, kind, f"an item must be a record (a dict), not a {_type(item)}")
    return item


def _record_id(entity: Entity, item: Any) -> int:
    """A delete's item: an id, or a record with one (e.g. from a query)."""
    value = item
    if isinstance(item, Mapping):
        key = find_key(item, "id")
        value = None if key is None else item[key]
    found = _as_id(value)
    if found is None:
        raise _refused(entity, "delete", f"an item must be a record id, not {_shown(value)}")
    return found


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _dedupe_condition(entity: Entity, record: Mapping[str, Any], field: str) -> Any:
    """``F(field) == value`` from the record, or ``F.udf(name) == value`` for a UDF."""
    key = find_key(record, field)
    if key is not None:
        value, condition = record[key], F(key)
    else:
        value = udf(record, field, _ABSENT)
        names = [u.get("name") for u in record.get("userDefinedFields") or () if u]
        name = next((n for n in names if isinstance(n, str) and n.lower() == field.lower()), field)
        condition = F.udf(name)
    if value is _ABSENT or value is None or value == "":
        raise _refused(
            entity,
            "create",
            f"no value for dedupe_field {field!r}: an item needs one to be created exactly once",
        )
    try:
        return condition == value
    except AutotaskError as exc:
        raise _refused(entity, "create", f"dedupe_field {field!r}: {exc.message}") from None


def _type(value: Any) -> str:
    return type(value).__name__


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"a {_type(value)}"
