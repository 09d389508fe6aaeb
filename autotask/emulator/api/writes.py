"""The write operations: create, update (PATCH), replace (PUT) and delete, root and child forms.

Writes answer ``{"itemId": n}`` with 200 (fact sheet §4.1); validation failures are 500 with one
``errors`` text per violation (rules/validate.py, §11.6). A child-URL write takes the parent id from
the URL (§4.2), also into fields the metadata marks read-only (Contacts.companyID); a missing
parent is 500 ``Reference value on field: ticketID of type: Ticket does not exist or is
invalid.``. Attachments are stored with their AttachmentInfo row and count against the
attachment limits (attachments.py, limits/stages.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autotask.emulator.api import attachments
from autotask.emulator.clock import Clock
from autotask.emulator.exchange import (
    Context,
    Response,
    errors,
    json_body,
    json_response,
    lower_keys,
)
from autotask.emulator.model import schema, wire
from autotask.emulator.model.schema import EntityDef
from autotask.emulator.model.store import Doc, Store, json_path
from autotask.emulator.rules.validate import (
    NOT_FOUND_DELETE,
    NOT_FOUND_UPDATE,
    Prepared,
    ValidationError,
    WriteContext,
    prepare_create,
    prepare_update,
)
from autotask.emulator.settings import Settings

AttachmentCheck = Callable[[Context, int], "Response | None"]
"""The attachment limits' verdict on a create of so many decoded bytes (None: go ahead)."""


def route_entity(ctx: Context) -> EntityDef:
    """The entity a routed request acts on (the child for child routes)."""
    assert ctx.route is not None and ctx.route.entity is not None
    return ctx.route.entity


def belongs(ctx: Context, doc: Doc) -> bool:
    """Whether ``doc`` is a child of the parent the URL names (always, for root routes)."""
    route = ctx.route
    if route is None or route.child is None:
        return True
    field = route_entity(ctx).field(route.child.parent_field)
    return field is None or doc.get(field.name) == route.parent_id


def child_doc(store: Store, ctx: Context) -> Doc | None:
    """The record ``{Parent}/{pid}/{Child}/{id}`` names, None when missing or another's child."""
    assert ctx.route is not None and ctx.route.record_id is not None
    doc = store.get(route_entity(ctx), ctx.route.record_id)
    return doc if doc is not None and belongs(ctx, doc) else None


class Writes:
    """Serves the write actions of routes.py from the store."""

    def __init__(
        self, settings: Settings, store: Store, clock: Clock, check_attachment: AttachmentCheck
    ) -> None:
        """Create the write handlers.

        Args:
            settings: the emulator's settings (quirk switches, the API username).
            store: the records.
            clock: the time stamped into server-set dates.
            check_attachment: the attachment limits (per file, 5-minute byte window).
        """
        self.settings = settings
        self.store = store
        self.clock = clock
        self.check_attachment = check_attachment
        self.resource_id: int | None = None
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

    def _write_context(self, ctx: Context) -> WriteContext:
        route = ctx.route
        assert route is not None
        impersonated = (ctx.headers.get("ImpersonationResourceId") or "").strip()
        parent_values: dict[str, Any] = {}
        if route.child is not None and route.parent is not None and route.parent_id is not None:
            entity = route_entity(ctx)
            parent = None
            if attachments.inherits_from_parent(entity):
                parent = self.store.get(route.parent, route.parent_id)
            parent_values = attachments.parent_values(entity, route.child, route.parent_id, parent)
        return WriteContext(
            now=wire.canonical_datetime(self.clock.now()),
            quirks=self.settings.quirks,
            exists=self.store.exists,
            resource_id=self.resource_id,
            impersonated_id=int(impersonated) if impersonated.isdigit() else None,
            parent_values=parent_values,
            store=self.store,
        )

    def do_create(self, ctx: Context) -> Response:
        """POST {E}: create, ``{itemId}``."""
        entity = route_entity(ctx)
        return self._insert(
            ctx, entity, prepare_create(entity, json_body(ctx), self._write_context(ctx))
        )

    def do_child_create(self, ctx: Context) -> Response:
        """POST {Parent}/{pid}/{Child}: create under the parent."""
        entity = route_entity(ctx)
        missing = self._missing_parent(ctx)
        if missing is not None:
            return missing
        return self._insert(
            ctx, entity, prepare_create(entity, json_body(ctx), self._write_context(ctx))
        )

    def _insert(self, ctx: Context, entity: EntityDef, prepared: Prepared) -> Response:
        if entity.attachment:
            size = len(prepared.data or b"")
            ctx.attachment_bytes = size
            refused = self.check_attachment(ctx, size)
            if refused is not None:
                return refused
            new_id = attachments.insert(self.store, entity, prepared.doc, prepared.data)
        else:
            new_id = self.store.insert(entity, prepared.doc, prepared.data)
        return json_response(200, {"itemId": new_id})

    def do_update(self, ctx: Context) -> Response:
        """PATCH {E}: merge the body into the record named by its id."""
        return self._update(ctx, replace=False)

    def do_replace(self, ctx: Context) -> Response:
        """PUT {E}: replace the record's writable fields."""
        return self._update(ctx, replace=True)

    # PATCH and PUT on {Parent}/{pid}/{Child}: the same, checked against the URL's parent.
    do_child_update = do_update
    do_child_replace = do_replace

    def _update(self, ctx: Context, *, replace: bool) -> Response:
        entity = route_entity(ctx)
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
        if existing is None or not belongs(ctx, existing):
            return errors(500, NOT_FOUND_UPDATE)
        prepared = prepare_update(entity, existing, body, self._write_context(ctx), replace=replace)
        self.store.replace(entity, record_id, prepared.doc)
        return json_response(200, {"itemId": record_id})

    def do_delete(self, ctx: Context) -> Response:
        """DELETE {E}/{id}."""
        return self._delete(ctx, child=False)

    def do_child_delete(self, ctx: Context) -> Response:
        """DELETE {Parent}/{pid}/{Child}/{id}: only a child of that parent."""
        return self._delete(ctx, child=True)

    def _delete(self, ctx: Context, *, child: bool) -> Response:
        entity = route_entity(ctx)
        assert ctx.route is not None and ctx.route.record_id is not None
        record_id = ctx.route.record_id
        if child and child_doc(self.store, ctx) is None:
            return errors(500, NOT_FOUND_DELETE)
        if entity.attachment:
            removed = attachments.delete(self.store, entity, record_id)
        else:
            removed = self.store.delete(entity, record_id)
        if not removed:
            return errors(500, NOT_FOUND_DELETE)
        return json_response(200, {"itemId": record_id})

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
