"""The API operations: one method per routed action (see routes.py).

Envelopes (fixtures README facts 3, 11): GET by id ``{"item": {...}}`` (missing: ``{"item":
null}``, §11.2); queries and child lists ``{"items": [...], "pageDetails": {"count",
"requestCount", "prevPageUrl", "nextPageUrl"}}``; ``{"queryCount": n}``; writes ``{"itemId": n}``;
errors ``{"errors": [...]}`` with 500.

Attachments (§11.3): created only through ``{Parent}/{id}/Attachments`` with base64 ``data``;
both the child and the root GET by id answer ``{"items": [one record with data],
"pageDetails"}``; queries and child lists never carry ``data``; a missing attachment is 500
``Attachment could not be found.``.

Paging (§3.4): keyset on id. The next link of a POST query carries only ``paging`` and must be
POSTed again with the same body; the next link of a GET query (and of a child list) also
carries ``search`` and must be fetched with GET. The other verb is 405 (ASP.NET picks the
action by its parameters), and a POST without a body is 500 ``Value cannot be null.
Parameter name: filters`` (§11.4).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from autotask.emulator import metadata, schema, wire
from autotask.emulator.app import (
    Context,
    Response,
    errors,
    json_response,
    message,
    method_not_allowed,
)
from autotask.emulator.clock import Clock
from autotask.emulator.options import Settings
from autotask.emulator.query_eval import (
    FILTERS_NULL,
    MAX_PAGE_SIZE,
    Paging,
    Query,
    QueryError,
    compile_query,
    lower_keys,
    parse_paging,
    parse_search,
)
from autotask.emulator.schema import EntityDef
from autotask.emulator.store import Doc, Store, json_path
from autotask.emulator.validate import (
    NOT_FOUND_DELETE,
    NOT_FOUND_UPDATE,
    Prepared,
    ValidationError,
    WriteContext,
    prepare_create,
    prepare_update,
)

ATTACHMENT_NOT_FOUND = "Attachment could not be found."  # fact sheet §11.3 (PK)
_JSON_TYPES = ("application/json", "text/json")

AttachmentCheck = Callable[[Context, int], "Response | None"]


class BadRequest(Exception):
    """A request that gets ``response`` instead of being served."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def json_body(ctx: Context) -> Any:
    """The decoded JSON body, None when empty.

    Raises:
        BadRequest: 415 for a non-JSON content type, 500 for malformed JSON.
    """
    if not ctx.body.strip():
        return None
    content_type = (ctx.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type and content_type not in _JSON_TYPES and not content_type.endswith("+json"):
        raise BadRequest(
            message(
                415,
                f"The request entity's media type '{content_type}' is not supported for "
                "this resource.",
            )
        )
    try:
        return json.loads(ctx.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(errors(500, f"The request body is not valid JSON: {exc}.")) from None


class Handlers:
    """Serves routed requests from the store."""

    def __init__(self, settings: Settings, store: Store, clock: Clock) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.resource_id: int | None = None
        # Issue 3 replaces this with the per-file size and 5-minute byte window check.
        self.check_attachment: AttachmentCheck = lambda ctx, size: None
        # The server wires this to the request counter (issue 3: to the hourly budget).
        self.threshold_info: Callable[[], dict[str, int]] = lambda: {
            "externalRequestThreshold": 10_000,
            "requestThresholdTimeframe": 60,
            "currentTimeframeRequestCount": 0,
        }
        self.find_api_resource()

    def find_api_resource(self) -> None:
        """Find the Resource writes are attributed to: the API user's, else the first one."""
        resources = schema.entity("Resources")
        self.resource_id = None
        if resources is None:
            return
        user = self.settings.username.lower()
        for field in ("userName", "email"):
            if resources.field(field) is None:
                continue
            where = f"lower(json_extract(doc, '{json_path(field)}')) = ?"
            found = self.store.page(resources, where, (user,), -1, 1)
            if found:
                self.resource_id = int(found[0]["id"])
                return
        # No resource is the API user: attribute writes to the first resource (an assumption).
        first = self.store.page(resources, "1", (), -1, 1)
        self.resource_id = int(first[0]["id"]) if first else None

    def dispatch(self, ctx: Context) -> Response:
        """Serve ``ctx.route``."""
        assert ctx.route is not None
        method: Callable[[Context], Response] = getattr(self, "do_" + ctx.route.action)
        try:
            return method(ctx)
        except BadRequest as exc:
            return exc.response
        except QueryError as exc:
            return errors(500, *exc.errors)
        except ValidationError as exc:
            return errors(500, *exc.errors)

    # --- endpoints without an entity ---

    def do_version(self, ctx: Context) -> Response:
        """GET versioninformation (no auth): the pinned V1.0 (fact sheet §1)."""
        return json_response(200, {"apiVersions": ["V1.0"]})

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
        return json_response(
            200,
            {"entityDescriptions": [metadata.entity_information(e) for e in schema.entities()]},
        )

    # --- metadata ---

    def do_info(self, ctx: Context) -> Response:
        """GET {E}/entityInformation."""
        return json_response(200, metadata.entity_information(_entity(ctx)))

    def do_fields(self, ctx: Context) -> Response:
        """GET {E}/entityInformation/fields."""
        return json_response(200, metadata.fields_body(_entity(ctx)))

    def do_udfs(self, ctx: Context) -> Response:
        """GET {E}/entityInformation/userDefinedFields."""
        return json_response(200, metadata.udfs_body(_entity(ctx)))

    # --- reads ---

    def do_get(self, ctx: Context) -> Response:
        """GET {E}/{id}: ``{item}``; attachments ``{items}`` with data."""
        entity = _entity(ctx)
        assert ctx.route is not None and ctx.route.record_id is not None
        doc = self.store.get(entity, ctx.route.record_id)
        return self._item(entity, ctx.route.record_id, doc, child=False)

    def do_child_get(self, ctx: Context) -> Response:
        """GET {Parent}/{pid}/{Child}/{id}: as ``do_get`` when the record is the parent's."""
        entity = _entity(ctx)
        assert ctx.route is not None and ctx.route.record_id is not None
        return self._item(entity, ctx.route.record_id, self._child_doc(ctx), child=True)

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
            return _page_response(encoder.encode_many([doc]), 1, MAX_PAGE_SIZE, None, None)
        if doc is None:
            if self.settings.quirks.missing_item_404:
                return message(404, "No matching records found.")
            return Response(200, b'{"item":null}')
        return Response(200, b'{"item":' + encoder.encode(doc).encode("utf-8") + b"}")

    def do_query(self, ctx: Context) -> Response:
        """POST {E}/query (JSON body) or GET {E}/query?search=: the first page."""
        entity = _entity(ctx)
        if ctx.method == "POST":
            query = compile_query(entity, json_body(ctx), self.settings.quirks)
            return self._page(ctx, entity, query, start_id=-1, previous=(), search=None)
        search = ctx.query.get("search")
        query = compile_query(entity, parse_search(search), self.settings.quirks)
        return self._page(ctx, entity, query, start_id=-1, previous=(), search=search)

    def do_count(self, ctx: Context) -> Response:
        """POST|GET {E}/query/count: ``{queryCount}``."""
        entity = _entity(ctx)
        body = json_body(ctx) if ctx.method == "POST" else parse_search(ctx.query.get("search"))
        query = compile_query(entity, body, self.settings.quirks)
        return json_response(
            200, {"queryCount": self.store.count(entity, query.where, query.params)}
        )

    def do_next(self, ctx: Context) -> Response:
        """POST|GET {E}/query/next?paging=: a further page."""
        entity = _entity(ctx)
        search = ctx.query.get("search")
        # A POST query's link has no search (the body is the search); a GET query's has one.
        if (ctx.method == "GET") != (search is not None):
            return method_not_allowed(ctx.method)
        paging = parse_paging(ctx.query.get("paging"))
        body = json_body(ctx) if ctx.method == "POST" else parse_search(search)
        if body is None:
            raise QueryError(FILTERS_NULL)
        query = compile_query(entity, body, self.settings.quirks)
        if lower_keys(body).get("maxrecords") is None:
            query = Query(query.where, query.params, paging.page_size, query.fields, query.udfs)
        return self._page(
            ctx, entity, query, start_id=paging.next_id, previous=paging.previous_ids, search=search
        )

    def do_child_list(self, ctx: Context) -> Response:
        """GET {Parent}/{pid}/{Child}: the parent's children, paged like a query."""
        entity = _entity(ctx)
        route = ctx.route
        assert route is not None and route.child is not None and route.parent is not None
        assert route.parent_id is not None
        if not self.store.exists(route.parent, route.parent_id):
            return Response(200, _empty_page())
        field = entity.field(route.child.parent_field)
        name = field.name if field is not None else route.child.parent_field
        search = json.dumps(
            {"filter": [{"op": "eq", "field": name, "value": route.parent_id}]},
            separators=(",", ":"),
        )
        query = compile_query(entity, json.loads(search), self.settings.quirks)
        return self._page(ctx, entity, query, start_id=-1, previous=(), search=search)

    def _page(
        self,
        ctx: Context,
        entity: EntityDef,
        query: Query,
        *,
        start_id: int,
        previous: tuple[int, ...],
        search: str | None,
    ) -> Response:
        size = query.page_size
        docs = self.store.page(entity, query.where, query.params, start_id, size + 1)
        next_url = prev_url = None
        base = f"{ctx.base_url}V1.0/{entity.name}/query/next?paging="
        tail = "" if search is None else "&search=" + quote(search, safe="")
        if len(docs) > size:
            paging = Paging(size, (*previous, start_id), int(docs[size]["id"]))
            next_url = base + quote(paging.to_json(), safe="") + tail
            docs = docs[:size]
        if previous:
            paging = Paging(size, previous[:-1], previous[-1])
            prev_url = base + quote(paging.to_json(), safe="") + tail
        encoder = wire.encoder_for(entity)
        projection = None
        if query.fields is not None:
            projection = encoder.projection(query.fields, query.udfs or ())
        # Attachment data never comes back from a query (§11.3): stored docs hold no "data".
        items = encoder.encode_many(docs, projection)
        return _page_response(items, len(docs), size, prev_url, next_url)

    # --- writes ---

    def _write_context(self, ctx: Context) -> WriteContext:
        route = ctx.route
        assert route is not None
        impersonated = (ctx.headers.get("ImpersonationResourceId") or "").strip()
        return WriteContext(
            now=wire.canonical_datetime(self.clock.now()),
            quirks=self.settings.quirks,
            exists=self.store.exists,
            resource_id=self.resource_id,
            impersonated_id=int(impersonated) if impersonated.isdigit() else None,
            parent_field=route.child.parent_field if route.child is not None else None,
            parent_id=route.parent_id,
        )

    def do_create(self, ctx: Context) -> Response:
        """POST {E}: create, ``{itemId}``."""
        entity = _entity(ctx)
        return self._insert(
            ctx, entity, prepare_create(entity, json_body(ctx), self._write_context(ctx))
        )

    def do_child_create(self, ctx: Context) -> Response:
        """POST {Parent}/{pid}/{Child}: create under the parent."""
        entity = _entity(ctx)
        missing = self._missing_parent(ctx)
        if missing is not None:
            return missing
        return self._insert(
            ctx, entity, prepare_create(entity, json_body(ctx), self._write_context(ctx))
        )

    def _insert(self, ctx: Context, entity: EntityDef, prepared: Prepared) -> Response:
        if prepared.data is not None:
            ctx.attachment_bytes = len(prepared.data)
            refused = self.check_attachment(ctx, len(prepared.data))
            if refused is not None:
                return refused
        new_id = self.store.insert(entity, prepared.doc, prepared.data)
        return json_response(200, {"itemId": new_id})

    def do_update(self, ctx: Context) -> Response:
        """PATCH {E}: merge the body into the record named by its id."""
        return self._update(ctx, replace=False)

    def do_replace(self, ctx: Context) -> Response:
        """PUT {E}: replace the record's writable fields."""
        return self._update(ctx, replace=True)

    def do_child_update(self, ctx: Context) -> Response:
        """PATCH {Parent}/{pid}/{Child}."""
        return self._update(ctx, replace=False)

    def do_child_replace(self, ctx: Context) -> Response:
        """PUT {Parent}/{pid}/{Child}."""
        return self._update(ctx, replace=True)

    def _update(self, ctx: Context, *, replace: bool) -> Response:
        entity = _entity(ctx)
        body = json_body(ctx)
        if not isinstance(body, dict):
            raise ValidationError(["The request body must be a JSON object."])
        raw_id = lower_keys(body).get("id")
        record_id = raw_id if isinstance(raw_id, int) and not isinstance(raw_id, bool) else None
        if record_id is None and isinstance(raw_id, str) and raw_id.strip().isdigit():
            record_id = int(raw_id)
        if record_id is None:
            return errors(500, "Missing Required Field: id")
        existing = self.store.get(entity, record_id)
        if existing is None or not self._belongs(ctx, existing):
            return errors(500, NOT_FOUND_UPDATE)
        prepared = prepare_update(entity, existing, body, self._write_context(ctx), replace=replace)
        self.store.replace(entity, record_id, prepared.doc)
        return json_response(200, {"itemId": record_id})

    def do_delete(self, ctx: Context) -> Response:
        """DELETE {E}/{id}."""
        entity = _entity(ctx)
        assert ctx.route is not None and ctx.route.record_id is not None
        if not self.store.delete(entity, ctx.route.record_id):
            return errors(500, NOT_FOUND_DELETE)
        return json_response(200, {"itemId": ctx.route.record_id})

    def do_child_delete(self, ctx: Context) -> Response:
        """DELETE {Parent}/{pid}/{Child}/{id}."""
        entity = _entity(ctx)
        assert ctx.route is not None and ctx.route.record_id is not None
        if self._child_doc(ctx) is None or not self.store.delete(entity, ctx.route.record_id):
            return errors(500, NOT_FOUND_DELETE)
        return json_response(200, {"itemId": ctx.route.record_id})

    # --- child helpers ---

    def _belongs(self, ctx: Context, doc: Doc) -> bool:
        route = ctx.route
        if route is None or route.child is None:
            return True
        entity = _entity(ctx)
        field = entity.field(route.child.parent_field)
        return field is None or doc.get(field.name) == route.parent_id

    def _child_doc(self, ctx: Context) -> Doc | None:
        assert ctx.route is not None and ctx.route.record_id is not None
        doc = self.store.get(_entity(ctx), ctx.route.record_id)
        return doc if doc is not None and self._belongs(ctx, doc) else None

    def _missing_parent(self, ctx: Context) -> Response | None:
        route = ctx.route
        assert route is not None and route.parent is not None and route.child is not None
        if route.parent_id is not None and self.store.exists(route.parent, route.parent_id):
            return None
        return errors(
            500,
            f"Reference value on field: {route.child.parent_field} of type: "
            f"{route.parent.singular} does not exist or is invalid.",
        )


def _entity(ctx: Context) -> EntityDef:
    assert ctx.route is not None and ctx.route.entity is not None
    return ctx.route.entity


def _page_details(count: int, size: int, prev_url: str | None, next_url: str | None) -> str:
    return wire.dumps(
        {"count": count, "requestCount": size, "prevPageUrl": prev_url, "nextPageUrl": next_url}
    ).decode("utf-8")


def _page_response(
    items: str, count: int, size: int, prev_url: str | None, next_url: str | None
) -> Response:
    body = wire.envelope(
        {
            "items": wire.raw(items),
            "pageDetails": wire.raw(_page_details(count, size, prev_url, next_url)),
        }
    )
    return Response(200, body)


def _empty_page() -> bytes:
    return wire.envelope(
        {
            "items": wire.raw("[]"),
            "pageDetails": wire.raw(_page_details(0, MAX_PAGE_SIZE, None, None)),
        }
    )
