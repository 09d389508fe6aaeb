"""The API operations: one method per routed action (see routes.py); writes are in writes.py.

Envelopes (fixtures README facts 3, 11): GET by id ``{"item": {...}}`` (missing: ``{"item":
null}``, §11.2); queries and child lists ``{"items": [...], "pageDetails": {"count",
"requestCount", "prevPageUrl", "nextPageUrl"}}``; ``{"queryCount": n}``; writes ``{"itemId": n}``;
errors ``{"errors": [...]}`` with 500.

Attachments (§11.3): created only through ``{Parent}/{id}/Attachments`` with base64 ``data``;
both the child and the root GET by id answer ``{"items": [one record with data],
"pageDetails"}``; queries and child lists never carry ``data``; a missing attachment is 500
``Attachment could not be found.``. Queries on them must name the parent id field
(attachments.py).

Paging (§3.4): keyset on id, links as paging.py builds them: after a POST query POST the link
again with the same body, after a GET query (or a child list) GET it; the other verb is 405
(ASP.NET picks the action by the verb), and a POST without a body is 500 ``Value cannot be
null. Parameter name: filters`` (§11.4).

Permissions (``--deny``, limits/permissions.py) are checked before anything else is read.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from autotask.emulator.api import attachments, metadata, paging
from autotask.emulator.api.writes import Writes, child_doc, route_entity
from autotask.emulator.exchange import (
    BadRequest,
    Context,
    Response,
    errors,
    json_body,
    json_response,
    lower_keys,
    message,
    method_not_allowed,
)
from autotask.emulator.limits.permissions import ACTION_OPERATION, PermissionState, denied_text
from autotask.emulator.model import schema, wire
from autotask.emulator.model.schema import EntityDef
from autotask.emulator.model.store import Doc, Store
from autotask.emulator.rules.query import (
    FILTERS_NULL,
    MAX_PAGE_SIZE,
    Query,
    QueryError,
    compile_query,
    parse_search,
)
from autotask.emulator.rules.validate import ValidationError
from autotask.emulator.settings import Settings

ThresholdInfo = Callable[[], dict[str, int]]

ATTACHMENT_NOT_FOUND = "Attachment could not be found."  # fact sheet §11.3 (PK)


class Handlers:
    """Serves routed requests from the store."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        writes: Writes,
        permissions: PermissionState,
        threshold_info: ThresholdInfo,
    ) -> None:
        """Create the handlers.

        Args:
            settings: the emulator's settings (quirk switches, credentials).
            store: the records.
            writes: serves the create, update, replace and delete actions.
            permissions: the API user's current permissions (``--deny``, control API).
            threshold_info: the ThresholdInformation body (the hourly budget's figures).
        """
        self.settings = settings
        self.store = store
        self.writes = writes
        self.permissions = permissions
        self.threshold_info = threshold_info
        self.links = paging.LinkMemory()

    def reset(self) -> None:
        """Forget the page links and find the API user's resource in the restored data."""
        self.links.clear()
        self.writes.find_api_resource()

    def dispatch(self, ctx: Context) -> Response:
        """Serve ``ctx.route``."""
        assert ctx.route is not None
        action = ctx.route.action
        operation = ACTION_OPERATION.get(action)
        target: Any = self.writes if operation in ("C", "U", "D") else self
        method: Callable[[Context], Response] = getattr(target, "do_" + action)
        try:
            if operation is not None and not self.permissions.current.allows(
                route_entity(ctx).name, operation
            ):
                return self._denied(ctx, operation)
            return method(ctx)
        except BadRequest as exc:
            return exc.response
        except (QueryError, ValidationError) as exc:
            return errors(500, *exc.errors)

    def _denied(self, ctx: Context, operation: str) -> Response:
        assert ctx.route is not None
        entity = route_entity(ctx)
        if operation == "G":  # not visible to this user (fact sheet §11.2, §11.3)
            assert ctx.route.record_id is not None
            return self._item(entity, ctx.route.record_id, None, child=False)
        if operation == "Q" and entity.attachment:
            # A user who cannot see attachments gets 200 with no rows (§11.3, PK).
            if ctx.route.action == "count":
                return json_response(200, {"queryCount": 0})
            return Response(200, paging.page_body("[]", 0, MAX_PAGE_SIZE))
        return errors(500, denied_text(operation))

    # --- endpoints without an entity ---

    def do_version(self, ctx: Context) -> Response:
        """GET versioninformation (no auth): V1.0, and V2.0 as live since ~2026-09 (§1)."""
        versions = ["V1.0", "V2.0"] if self.settings.quirks.advertise_v2 else ["V1.0"]
        return json_response(200, {"apiVersions": versions})

    def do_zone(self, ctx: Context) -> Response:
        """GET V1.0/zoneInformation?user= (no auth): this emulator's own base URL."""
        user = (ctx.query.get("user") or "").strip()
        if not user or user.lower() != self.settings.username.lower():
            return errors(500, "Zone information could not be determined")
        root = ctx.base_url[: -len("ATServicesRest/")]
        return json_response(
            200, {"zoneName": "Emulator", "url": ctx.base_url, "webUrl": root, "ci": 1}
        )

    def do_threshold(self, ctx: Context) -> Response:
        """GET V1.0/ThresholdInformation."""
        # Bare object, camelCase keys (fact sheet §11.8); the count includes this call.
        return json_response(200, self.threshold_info())

    def do_all_info(self, ctx: Context) -> Response:
        """GET V1.0/EntityInformation: every entity's info (fact sheet §4.4)."""
        permissions = self.permissions.current
        infos = [metadata.entity_information(e, permissions) for e in schema.entities()]
        return json_response(200, {"entityDescriptions": infos})

    # --- metadata ---

    def do_info(self, ctx: Context) -> Response:
        """GET {E}/entityInformation."""
        info = metadata.entity_information(route_entity(ctx), self.permissions.current)
        return json_response(200, info)

    def do_fields(self, ctx: Context) -> Response:
        """GET {E}/entityInformation/fields."""
        return json_response(200, metadata.fields_body(route_entity(ctx)))

    def do_udfs(self, ctx: Context) -> Response:
        """GET {E}/entityInformation/userDefinedFields."""
        return json_response(200, metadata.udfs_body(route_entity(ctx)))

    # --- reads ---

    def do_get(self, ctx: Context) -> Response:
        """GET {E}/{id}: ``{item}``; attachments ``{items}`` with data."""
        entity = route_entity(ctx)
        assert ctx.route is not None and ctx.route.record_id is not None
        doc = self.store.get(entity, ctx.route.record_id)
        return self._item(entity, ctx.route.record_id, doc, child=False)

    def do_child_get(self, ctx: Context) -> Response:
        """GET {Parent}/{pid}/{Child}/{id}: as ``do_get`` when the record is the parent's."""
        entity = route_entity(ctx)
        assert ctx.route is not None and ctx.route.record_id is not None
        return self._item(entity, ctx.route.record_id, child_doc(self.store, ctx), child=True)

    def _item(self, entity: EntityDef, record_id: int, doc: Doc | None, *, child: bool) -> Response:
        encoder = wire.encoder_for(entity)
        if entity.attachment:
            if doc is None:
                return errors(500, ATTACHMENT_NOT_FOUND)
            quirks = self.settings.quirks
            data = None
            if child or not quirks.attachment_data_child_only:  # §11.3 option: child form only
                data = self.store.get_data(entity, record_id)
            doc["data"] = base64.b64encode(data).decode("ascii") if data is not None else None
            if quirks.attachment_item_wrapper:  # §11.3 option: {"item": {...}}
                return Response(200, b'{"item":' + encoder.encode(doc).encode("utf-8") + b"}")
            return Response(200, paging.page_body(encoder.encode_many([doc]), 1, MAX_PAGE_SIZE))
        if doc is None:
            if self.settings.quirks.missing_item_404:
                return message(404, "No matching records found.")
            return Response(200, b'{"item":null}')
        return Response(200, b'{"item":' + encoder.encode(doc).encode("utf-8") + b"}")

    def _compile(self, entity: EntityDef, body: Any, *, get: bool = False) -> Query:
        query = compile_query(entity, body, self.settings.quirks, get=get)
        if entity.attachment and self.settings.quirks.attachment_queries_need_parent:
            attachments.require_parent_condition(entity, body)
        return query

    def do_query(self, ctx: Context) -> Response:
        """POST {E}/query (JSON body) or GET {E}/query?search=: the first page."""
        entity = route_entity(ctx)
        if ctx.method == "POST":
            body = json_body(ctx)
            query = self._compile(entity, body)
            # The link's search is the body, as the live links carry it (fact sheet §3.4).
            search = _link_search(body)
        else:
            search = ctx.query.get("search") or ""
            query = self._compile(entity, parse_search(ctx.query.get("search")), get=True)
        return self._page(ctx, entity, query, start_id=-1, previous=(), search=search)

    def do_count(self, ctx: Context) -> Response:
        """POST|GET {E}/query/count: ``{queryCount}``."""
        entity = route_entity(ctx)
        get = ctx.method != "POST"
        body = parse_search(ctx.query.get("search")) if get else json_body(ctx)
        query = self._compile(entity, body, get=get)
        return json_response(
            200, {"queryCount": self.store.count(entity, query.where, query.params)}
        )

    def do_next(self, ctx: Context) -> Response:
        """POST|GET {E}/query/next?paging=&search=: a further page."""
        entity = route_entity(ctx)
        search = ctx.query.get("search")
        position = paging.parse_paging(ctx.query.get("paging"))
        # POST links are POSTed again, GET links fetched with GET (fact sheet §3.4, §11.4).
        if not self.links.allows(entity.name, position, search, ctx.method):
            return method_not_allowed(ctx.method)
        body = json_body(ctx) if ctx.method == "POST" else parse_search(search)
        if body is None:
            raise QueryError(FILTERS_NULL)
        query = self._compile(entity, body, get=ctx.method != "POST")
        if lower_keys(body).get("maxrecords") is None:
            query = Query(query.where, query.params, position.page_size, query.fields, query.udfs)
        return self._page(
            ctx,
            entity,
            query,
            start_id=position.next_id,
            previous=position.previous_ids,
            search=search if search is not None else _link_search(body),
        )

    def do_child_list(self, ctx: Context) -> Response:
        """GET {Parent}/{pid}/{Child}: the parent's children, paged like a query."""
        entity = route_entity(ctx)
        route = ctx.route
        assert route is not None and route.child is not None and route.parent is not None
        assert route.parent_id is not None
        if not self.store.exists(route.parent, route.parent_id):
            return Response(200, paging.page_body("[]", 0, MAX_PAGE_SIZE))
        field = entity.field(route.child.parent_field)
        name = field.name if field is not None else route.child.parent_field
        body = {"filter": [{"op": "eq", "field": name, "value": route.parent_id}]}
        search = json.dumps(body, separators=(",", ":"))
        query = compile_query(entity, body, self.settings.quirks)
        return self._page(ctx, entity, query, start_id=-1, previous=(), search=search)

    def _page(
        self,
        ctx: Context,
        entity: EntityDef,
        query: Query,
        *,
        start_id: int,
        previous: tuple[int, ...],
        search: str,
    ) -> Response:
        size = query.page_size
        docs = self.store.page(entity, query.where, query.params, start_id, size + 1)
        links: list[str | None] = [None, None]  # previous, next
        positions = (
            paging.Paging(size, previous[:-1], previous[-1]) if previous else None,
            paging.Paging(size, (*previous, start_id), int(docs[size]["id"]))
            if len(docs) > size
            else None,
        )
        for index, position in enumerate(positions):
            if position is not None:
                self.links.remember(entity.name, position, search, ctx.method)
                links[index] = paging.link(ctx.base_url, entity.name, position, search)
        docs = docs[:size]
        encoder = wire.encoder_for(entity)
        projection = None
        if query.fields is not None:
            projection = encoder.projection(query.fields, query.udfs or ())
        # Attachment data never comes back from a query (§11.3): stored docs hold no "data".
        items = encoder.encode_many(docs, projection)
        return Response(200, paging.page_body(items, len(docs), size, links[0], links[1]))


def _link_search(body: Any) -> str:
    """The ``search`` a POST query's links carry: its body, however long (api/paging.py)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
