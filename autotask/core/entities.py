"""Entity access: ``client.tickets``, ``client.entity("X")``, children, metadata.

Every method checks what it can before sending, asks :class:`~autotask.core.routing.Routing` where
the request goes, builds a :class:`~autotask.wire._request.Request` and hands it to the transport;
records come back as plain dicts (CONTRACTS §1). The per-item callables the batch engine runs
are :meth:`Entity.create`, :meth:`Entity.update`, :meth:`Entity.replace` and
:meth:`Entity.delete`: each returns an id or raises an error whose ``applied`` is exact
(``OutcomeUnknown`` alone has ``applied=None``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from autotask.batch import ItemResult
from autotask.batch.ops import BatchOptions, batch
from autotask.config import RequestConfig
from autotask.core.metadata import MetadataCache, find_picklist, picklist_labels, picklist_value
from autotask.core.paging import Keyset, iter_pages, iter_records, merge_by_id
from autotask.core.query import (
    Condition,
    FilterLike,
    Group,
    compile_filter,
    filter_json,
    split_in_lists,
)
from autotask.core.records import encode_record
from autotask.core.registry import ChildRoute, EntitySpec, child_route, entity_spec
from autotask.core.routing import Routing, find_key
from autotask.errors import InvalidRequest, NotFound, TooManyRecords
from autotask.retry import Operation
from autotask.wire._answers import (
    parse_count,
    parse_fields,
    parse_info,
    parse_item,
    parse_item_id,
)
from autotask.wire._request import Request, json_bytes
from autotask.wire.transport import Transport

if TYPE_CHECKING:
    import os

    from typing_extensions import Unpack

    from autotask.export.run import ExportProgress, ExportStats

__all__ = ["Entity"]

Record = dict[str, Any]


class Entity:
    """One entity (or one parent's child collection) of the API.

    Get it from the client: ``client.tickets``, ``client.entity("Tickets")``,
    ``client.tickets.child(ticket_id, "Notes")``. Safe to share between threads.

    Attributes:
        name: the entity's canonical name (``"TicketNotes"``), or the name given when the
            registry does not know it.
        spec: what the registry knows about it (:class:`~autotask.core.registry.EntitySpec`).
        routing: where its requests go (:class:`~autotask.core.routing.Routing`).

    Example::

        ticket = client.tickets.get(5)                      # dict, or None when missing
        for t in client.tickets.query(F("status") == 1, fields=["id", "title"]):
            ...
        new_id = client.tickets.create({"companyID": 1, "title": "Printer", ...})
        client.tickets.update({"id": new_id, "priority": 2})
        notes = client.tickets.child(new_id, "Notes")
        notes.create({"title": "Called", "description": "...", "noteType": 1, "publish": 1})
    """

    def __init__(
        self,
        name: str,
        transport: Transport,
        config: RequestConfig,
        metadata: MetadataCache,
        *,
        route: ChildRoute | None = None,
        parent_id: int | str | None = None,
    ) -> None:
        self.spec: EntitySpec = entity_spec(name)
        self.name = self.spec.name
        self.routing = Routing(self.spec, route, None if parent_id is None else int(parent_id))
        self._transport = transport
        self._config = config
        self._metadata = metadata

    def __repr__(self) -> str:
        if self.routing.route is not None:
            return f"<Entity {self.name} via {self.routing.base_path}>"
        return f"<Entity {self.name}>"

    # -- reads -----------------------------------------------------------------------------

    def get(self, id: int) -> Record | None:
        """The record with ``id``, or None when there is none.

        A missing record is 200 ``{"item": null}`` (fact sheet §11.2) or, on some servers, a
        404 (§3.4): on a GET-by-id route the registry knows, both give None.

        Args:
            id: the record's id.

        Raises:
            AutotaskError: per CONTRACTS §3 (e.g. ``NotFound`` for an unknown route).
        """
        path = f"{self.routing.base_path}/{int(id)}"
        try:
            answer = self._send(Operation.GET, "GET", path)
        except NotFound:
            if self.routing.gets_by_id:
                return None
            raise
        return parse_item(answer, Operation.GET, self.name)

    def query(
        self,
        filter: FilterLike | None = None,
        fields: Sequence[str] | None = None,
        limit: int | None = None,
        *,
        page_size: int | None = None,
    ) -> Iterator[Record]:
        """Iterate over every matching record, page by page, as the caller consumes them.

        The filter is checked before anything is sent (``InvalidRequest``). Without a filter
        every record is listed (``id gte 0``). Records come in id order. A top-level ``in``
        list over ``MAX_OR_CONDITIONS`` values is split into several queries, merged in id
        order without duplicates (CONTRACTS §2).

        Args:
            filter: an :class:`~autotask.F` condition, a group, a raw filter dict, or a list.
            fields: only these fields (``IncludeFields``); ``id`` is always added.
            limit: stop after this many records in total (None: all).
            page_size: records per request, 1-500 (default ``RequestConfig.page_size``).
        """
        with self._checking(Operation.QUERY):
            self.routing.check_list_options(fields is not None, page_size is not None)
            terms = self._terms(filter)
            size = self._page_size(page_size, limit)
            chunks = split_in_lists(terms)
        if chunks == []:  # an empty in list matches nothing: ask nobody
            return iter(())
        if chunks is None:
            return iter_records(self._pages(terms, fields, size), limit)
        streams = [iter_records(self._pages(chunk, fields, size)) for chunk in chunks]
        merged = merge_by_id(streams)
        return merged if limit is None else _take(merged, limit)

    def query_all(
        self,
        filter: FilterLike | None = None,
        fields: Sequence[str] | None = None,
        limit: int | None = None,
        *,
        page_size: int | None = None,
    ) -> list[Record]:
        """Like :meth:`query`, as a list.

        Args:
            filter: as for :meth:`query`.
            fields: as for :meth:`query`.
            limit: at most this many records; a ``limit`` at or below ``max_records`` never
                raises.
            page_size: as for :meth:`query`.

        Raises:
            TooManyRecords: more than ``RequestConfig.max_records`` records match (and
                ``limit`` does not cap them below it). Never a silent cut.
        """
        cap = self._config.max_records
        wanted = cap + 1 if limit is None or limit > cap else limit
        records = list(self.query(filter, fields, wanted, page_size=page_size))
        if len(records) > cap:
            raise TooManyRecords(
                f"more than max_records={cap} records match; narrow the filter, pass limit=, "
                "raise RequestConfig.max_records, or iterate with query()",
                count=len(records),
                limit=cap,
                operation=Operation.QUERY.value,
                entity=self.name,
            )
        return records

    def count(self, filter: FilterLike | None = None) -> int:
        """How many records match ``filter`` (``query/count``).

        Raises:
            InvalidRequest: the filter is invalid, or has an ``in`` list over
                ``MAX_OR_CONDITIONS`` (a count cannot be split: CONTRACTS §2).
        """
        with self._checking(Operation.COUNT):
            path = self.routing.count_path
            terms = self._terms(filter)
            chunks = split_in_lists(terms)
        if chunks == []:
            return 0
        if chunks is not None:
            raise InvalidRequest(
                "count() cannot split an in list over MAX_OR_CONDITIONS values; use "
                "query() or several counts",
                operation=Operation.COUNT.value,
                entity=self.name,
            )
        answer = self._send(
            Operation.COUNT,
            "POST",
            path,
            body={"filter": filter_json(terms)},
        )
        return parse_count(answer, Operation.COUNT, self.name)

    # -- writes ----------------------------------------------------------------------------

    def create(self, data: Mapping[str, Any], *, impersonate: int | None = None) -> int:
        """Create a record; returns its new id.

        A child-only entity (``TicketNotes``) is created through its parent's route, found from
        the parent id field in ``data`` (``ticketID``); a child entity from :meth:`child` fills
        that field in itself.

        Args:
            data: the fields (camelCase as the API names them; datetimes must be aware).
            impersonate: a resource id to attribute the write to (``ImpersonationResourceId``);
                default ``RequestConfig.impersonation_resource_id``.

        Returns:
            The new record's id.

        Raises:
            InvalidRequest: refused before sending (a naive datetime, no parent route) or by
                the API (validation text in ``errors``); ``applied`` is False.
            OutcomeUnknown: the request may have been applied but no usable answer came back;
                it was not resent.
        """
        with self._checking(Operation.CREATE):
            path, body = self.routing.write(encode_record(data), "C")
        answer = self._send(Operation.CREATE, "POST", path, body=body, impersonate=impersonate)
        return parse_item_id(answer, Operation.CREATE, self.name)

    def update(self, data: Mapping[str, Any], *, impersonate: int | None = None) -> int:
        """Change the fields in ``data`` (PATCH; only those fields change).

        Args:
            data: ``id`` and the fields to change (a child-only entity also needs its parent
                id field, as for :meth:`create`).
            impersonate: as for :meth:`create`.

        Returns:
            The record's id.

        Raises:
            InvalidRequest, OutcomeUnknown: as for :meth:`create`.
        """
        return self._change(Operation.UPDATE, "PATCH", "U", data, impersonate)

    def replace(self, data: Mapping[str, Any], *, impersonate: int | None = None) -> int:
        """Replace the record (PUT): writable fields left out of ``data`` become null.

        Args:
            data: ``id`` and every field to keep.
            impersonate: as for :meth:`create`.

        Returns:
            The record's id.

        Raises:
            InvalidRequest, OutcomeUnknown: as for :meth:`create`.
        """
        return self._change(Operation.REPLACE, "PUT", "R", data, impersonate)

    def delete(self, id: int, *, impersonate: int | None = None) -> int:
        """Delete the record with ``id``.

        A child-only entity is deleted through its parent: use :meth:`child` (the root name
        has no parent id to route by, so it raises before sending).

        Args:
            id: the record's id.
            impersonate: as for :meth:`create`.

        Returns:
            The id the API reports.

        Raises:
            InvalidRequest, OutcomeUnknown: as for :meth:`create`.
        """
        with self._checking(Operation.DELETE):
            path = self.routing.delete_path(id)
        answer = self._send(Operation.DELETE, "DELETE", path, impersonate=impersonate)
        return parse_item_id(answer, Operation.DELETE, self.name)

    # -- batches: the engine of autotask/batch/engine.py, bound in autotask/batch/ops.py ----------

    def batch_create(
        self,
        items: Iterable[Mapping[str, Any]],
        batch_size: int = 200,
        **options: Unpack[BatchOptions],
    ) -> list[ItemResult]:
        """Create every record of ``items`` (any iterable; at most ``batch_size`` held).

        Args:
            items: the records, as for :meth:`create`.
            batch_size: items held at a time (no API limit: REST has no batch endpoint).
            options: ``concurrency``, ``progress``, ``journal``, ``dedupe_field``,
                ``dry_run``, ``fail_fast``, ``settle``
                (:class:`~autotask.batch.ops.BatchOptions`).

        Returns:
            One :class:`~autotask.batch.ItemResult` per item, in input order; ``created``
            with the new id, else ``failed`` / ``unknown`` with the error.
        """
        return batch(self, "create", items, batch_size, options)

    def batch_update(
        self,
        items: Iterable[Mapping[str, Any]],
        batch_size: int = 200,
        **options: Unpack[BatchOptions],
    ) -> list[ItemResult]:
        """Update (PATCH) every record of ``items``; as :meth:`batch_create`, ``updated``."""
        return batch(self, "update", items, batch_size, options)

    def batch_replace(
        self,
        items: Iterable[Mapping[str, Any]],
        batch_size: int = 200,
        **options: Unpack[BatchOptions],
    ) -> list[ItemResult]:
        """Replace (PUT) every record of ``items``; as :meth:`batch_create`, ``replaced``."""
        return batch(self, "replace", items, batch_size, options)

    def batch_delete(
        self, ids: Iterable[Any], batch_size: int = 200, **options: Unpack[BatchOptions]
    ) -> list[ItemResult]:
        """Delete the records ``ids`` (ids, or records with an ``id``); as
        :meth:`batch_create`, ``deleted``. ``sum(results)`` counts the deletions."""
        return batch(self, "delete", ids, batch_size, options)

    # -- children and metadata -------------------------------------------------------------

    def child(self, parent_id: int, segment: str) -> Entity:
        """The ``segment`` children of record ``parent_id``: ``tickets.child(5, "Notes")``.

        Reads by id, creates, updates and deletes go to ``Tickets/5/Notes``; queries and counts
        to ``TicketNotes/query`` with ``ticketID eq 5`` added (nested paths only list: fact
        sheet §3.1). Unknown segments work too (routed as ``{Entity}/{id}/{segment}``; listed
        with GET, not filtered).

        Args:
            parent_id: the parent record's id.
            segment: the child segment as in the URL (``"Notes"``, ``"Attachments"``).

        Returns:
            An :class:`Entity` for that parent's children.
        """
        route = child_route(self.name, segment)
        if route is None:
            route = ChildRoute(self.name, segment, f"{self.name}/{segment}", "", "")
        return Entity(
            route.entity,
            self._transport,
            self._config,
            self._metadata,
            route=route,
            parent_id=int(parent_id),
        )

    def info(self) -> dict[str, Any]:
        """``entityInformation``: canCreate, canQuery, hasUserDefinedFields, ... (cached)."""
        return dict(self._meta("info", "entityInformation", parse_info))

    def fields(self) -> list[dict[str, Any]]:
        """``entityInformation/fields``: every field with type, flags and picklist (cached)."""
        return list(self._meta("fields", "entityInformation/fields", parse_fields))

    def udfs(self) -> list[dict[str, Any]]:
        """``entityInformation/userDefinedFields``: the tenant's UDF definitions (cached)."""
        return list(self._meta("udfs", "entityInformation/userDefinedFields", parse_fields))

    def picklist(self, field: str) -> dict[str, str]:
        """``{value: label}`` of a picklist field or picklist UDF (values as API strings).

        Raises:
            InvalidRequest: no such field, or it is not a picklist.
        """
        return picklist_labels(self._picklist_values(field))

    def picklist_value(self, field: str, label: str) -> str:
        """The value whose label is ``label`` (case-insensitive), e.g. ``"Critical"`` -> ``"4"``.

        When several values share the label and exactly one is active, that one wins.

        Args:
            field: a picklist field or picklist UDF.
            label: the label to look up.

        Raises:
            InvalidRequest: the label is unknown or ambiguous.
        """
        values = self._picklist_values(field)
        return picklist_value(values, label, entity=self.name, field=field)

    # -- export (the logic lives in autotask/export/) --------------------------------------

    def query_parallel(
        self,
        filter: FilterLike | None = None,
        partitions: int = 3,
        fields: Sequence[str] | None = None,
        page_size: int | None = None,
    ) -> Iterator[Record]:
        """Every matching record exactly once, from ``partitions`` id ranges paged at once.

        Unordered. The ranges come from the first page and a ``count`` (re-split when one has
        much more left than the others); the client's thread gate still bounds the requests
        in flight. Pages pass through a bounded queue, so memory stays flat. Closing the
        iterator early stops the workers; a worker's error is raised to the caller.

        Args:
            filter: as for :meth:`query`.
            partitions: id ranges paged concurrently (default 3, Autotask's thread limit).
            fields: as for :meth:`query`.
            page_size: as for :meth:`query`.

        Raises:
            InvalidRequest: a bad filter, a list-only child route, or an ``in`` list over
                ``MAX_OR_CONDITIONS`` (use :meth:`query`).
        """
        from autotask.export.parallel import query_parallel

        return query_parallel(self, filter, partitions, fields, page_size)

    def export(
        self,
        target: str | os.PathLike[str],
        filter: FilterLike | None = None,
        *,
        fields: Sequence[str] | None = None,
        since: str | os.PathLike[str] | None = None,
        labels: bool = False,
        partitions: int = 3,
        progress: Callable[[ExportProgress], None] | None = None,
        modified_field: str | Sequence[str] | None = None,
        overlap: float = 300.0,
        page_size: int | None = None,
        resume: bool = True,
    ) -> ExportStats:
        """Write every matching record to a JSON Lines, CSV or SQLite target, in parallel.

        The target is committed at once; a killed run resumes when called again the same way.
        README "Export and sync" and ``autotask/export/`` have the details.

        Example::

            stats = client.tickets.export("tickets.jsonl", filter=F("status") != 5)
            stats = client.tickets.export("sqlite:///reports.db", since="state.json")

        Args:
            target: ``*.jsonl``, ``*.csv`` or ``sqlite:///PATH`` (a table per entity).
            filter: as for :meth:`query`.
            fields: only these (``udf:Name`` for a UDF); default all fields and UDFs.
            since: a state file: later runs export only what changed (and deleted tickets).
            labels: picklist labels instead of values.
            partitions: as for :meth:`query_parallel`.
            progress: called with an ``ExportProgress`` after each page.
            modified_field: the watermark's field(s); default from the metadata.
            overlap: seconds each incremental run reaches back (clock skew, late commits).
            page_size: as for :meth:`query`.
            resume: continue an interrupted run of the same export (default True).

        Returns:
            ``ExportStats``: records, pages, requests, seconds, watermark, deleted, ...

        Raises:
            InvalidRequest: a bad target, filter, field or state file (nothing is written).
            AutotaskError: the API failed; calling again resumes.
        """
        from autotask.export.run import export

        return export(
            self,
            target,
            filter,
            fields=fields,
            since=since,
            labels=labels,
            partitions=partitions,
            progress=progress,
            modified_field=modified_field,
            overlap=overlap,
            page_size=page_size,
            resume=resume,
        )

    # -- helpers ---------------------------------------------------------------------------

    def _send(
        self,
        operation: Operation,
        method: str,
        path: str,
        *,
        body: Any = None,
        impersonate: int | None = None,
    ) -> Any:
        return self._transport.send(
            Request(operation, method, path, self.name, body=body, impersonate=impersonate)
        )

    def _terms(self, filter: FilterLike | None) -> tuple[Condition | Group, ...]:
        return self.routing.query_terms(compile_filter(filter))

    def _page_size(self, page_size: int | None, limit: int | None) -> int:
        size = self._config.page_size if page_size is None else page_size
        if not 1 <= size <= 500:
            raise InvalidRequest(f"page_size must be 1..500 (the API maximum), not {size}")
        return min(size, limit) if limit is not None and limit > 0 else size

    def _query_request(
        self, terms: Sequence[Any], fields: Sequence[str] | None, size: int
    ) -> Request:
        if self.routing.list_only:  # nested paths list with GET, unfiltered
            return Request(Operation.QUERY, "GET", self.routing.base_path, self.name)
        body: dict[str, Any] = {"filter": filter_json(terms), "maxRecords": size}
        if fields is not None:
            names = [str(f) for f in fields]
            if not any(n.lower() == "id" for n in names):
                # Paging past 500 needs the id (fact sheet §3.3), and so does merging split
                # queries; Autotask does not add it by itself (fact sheet §11.5).
                names.insert(0, "id")
            body["includeFields"] = names
        # Encoded once: every page re-POSTs exactly the same bytes (fact sheet §3.4).
        encoded = json_bytes(body)
        return Request(Operation.QUERY, "POST", f"{self.name}/query", self.name, body=encoded)

    def _pages(
        self, terms: Sequence[Any], fields: Sequence[str] | None, size: int
    ) -> Iterator[list[Record]]:
        """The pages of one query (lazily): next-page links followed, and a link too long to
        follow continued by id (paging.py). Every query of an entity pages through here."""
        first = self._query_request(terms, fields, size)
        return iter_pages(self._transport, first, self._keyset(terms, fields, size))

    def _keyset(
        self, terms: Sequence[Any], fields: Sequence[str] | None, size: int
    ) -> Keyset | None:
        """The query again, AND ``id`` above the last id seen (paging.py: when a next-page link
        is too long to follow); None for a list-only route, which takes no filter."""
        if self.routing.list_only:
            return None

        def after(last_id: Any) -> Request:
            return self._query_request((*terms, Condition("id", "gt", last_id)), fields, size)

        return after

    def _change(
        self,
        operation: Operation,
        method: str,
        letter: str,
        data: Mapping[str, Any],
        impersonate: int | None,
    ) -> int:
        with self._checking(operation):
            body = encode_record(data)
            if find_key(body, "id") is None:
                raise InvalidRequest(f"{method} needs the record's id in the data")
            path, body = self.routing.write(body, letter)
        answer = self._send(operation, method, path, body=body, impersonate=impersonate)
        return parse_item_id(answer, operation, self.name)

    def _meta(self, key: str, suffix: str, parse: Callable[..., Any]) -> Any:
        path = f"{self.routing.query_root}/{suffix}"

        def load() -> Any:
            answer = self._send(Operation.METADATA, "GET", path)
            return parse(answer, Operation.METADATA, self.name)

        return self._metadata.get((self.name, key), load)

    def _picklist_values(self, field: str) -> list[dict[str, Any]]:
        return find_picklist(self.name, field, (self.fields, self.udfs))

    @contextlib.contextmanager
    def _checking(self, operation: Operation) -> Iterator[None]:
        """Name the operation and entity in errors of the checks made before sending."""
        try:
            yield
        except InvalidRequest as exc:
            exc.operation = exc.operation or operation.value
            exc.entity = exc.entity or self.name
            raise


def _take(records: Iterator[Record], limit: int) -> Iterator[Record]:
    for count, record in enumerate(records, 1):
        yield record
        if count >= limit:
            return
