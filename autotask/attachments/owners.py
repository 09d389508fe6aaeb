"""Whose attachment is it? The parent of an attachment known only by its id.

Download and delete go through the parent's URL (``Tickets/5/Attachments/7``, fact sheet §7,
§11.3), so an attachment id alone is first looked up in AttachmentInfo, the query-only
aggregate of every attachment, whose ``parentType`` code and ``parentID`` name the parent. The
codes are matched by the tenant's own ``parentType`` picklist labels when its metadata has a
picklist there (asked once per client), else by the registry's assumed table
(:mod:`.parents`). A caller who knows the parent passes it and skips the lookup.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from autotask._log import get_logger
from autotask.attachments.data import field_value, int_or_none
from autotask.attachments.parents import Parent, find_parent, parent_for_code, parent_for_label
from autotask.core.entities import Entity
from autotask.errors import AutotaskError, InvalidRequest
from autotask.retry import Operation

__all__ = ["INFO", "Owners", "parent_id_of"]

INFO = "AttachmentInfo"
_log = get_logger(__name__)


def parent_id_of(record: dict[str, Any]) -> int | None:
    """The record's ``parentID``, or None."""
    return int_or_none(field_value(record, "parentID"))


class Owners:
    """Finds attachments' parents for one client. Safe to share between threads.

    Args:
        entity: the client's ``entity(name)``.
    """

    def __init__(self, entity: Callable[[str], Entity]) -> None:
        self._entity = entity
        self._labels: dict[str, Parent] | None = None  # parentType picklist value -> parent
        self._lock = threading.Lock()

    def info(self, attachment_id: int) -> dict[str, Any] | None:
        """The AttachmentInfo record of ``attachment_id``, or None when there is none."""
        return self._entity(INFO).get(attachment_id)

    def locate(
        self, attachment_id: int, parent_type: str | None, parent_id: int | None
    ) -> tuple[Parent, int, dict[str, Any] | None]:
        """The parent, the parent id and the AttachmentInfo record (None when the caller named
        the parent) of an attachment.

        Raises:
            InvalidRequest: only one of ``parent_type`` and ``parent_id`` given; no such
                attachment; or a ``parentType`` nobody knows (pass the parent then).
        """
        if (parent_type is None) != (parent_id is None):
            raise InvalidRequest("give both parent_type and parent_id, or neither")
        if parent_type is not None and parent_id is not None:
            return find_parent(parent_type), int(parent_id), None
        record = self.info(attachment_id)
        if record is None:
            raise InvalidRequest(
                f"attachment {attachment_id} not found (AttachmentInfo has no such id)",
                operation=Operation.GET.value,
                entity=INFO,
            )
        parent, owner = self.parent_of(record), parent_id_of(record)
        if parent is None or owner is None:
            raise InvalidRequest(
                f"attachment {attachment_id}: its parentType "
                f"{field_value(record, 'parentType')!r} is not one this client knows; pass "
                "parent_type= and parent_id=",
                operation=Operation.GET.value,
                entity=INFO,
            )
        return parent, owner, record

    def parent_of(
        self, record: dict[str, Any], labels: dict[str, Parent] | None = None
    ) -> Parent | None:
        """The parent an attachment record's ``parentType`` code names, or None.

        Args:
            record: an attachment or AttachmentInfo record.
            labels: :meth:`labels`, when the caller resolves many records (asked once).
        """
        code = field_value(record, "parentType")
        if code is None or isinstance(code, bool):
            return None
        key = str(int(code)) if isinstance(code, (int, float)) else str(code)
        found = (self.labels() if labels is None else labels).get(key)
        return found or parent_for_code(code)

    def labels(self) -> dict[str, Parent]:
        """The tenant's ``parentType`` picklist values -> parents; asked once per client, and
        again after a failure (then empty: the assumed codes serve)."""
        labels = self._labels
        if labels is not None:
            return labels
        with self._lock:
            if self._labels is None:
                try:
                    picklist = self._entity(INFO).picklist("parentType")
                except InvalidRequest:  # not a picklist here: the assumed codes serve
                    picklist = {}
                except AutotaskError as exc:  # ask again next time
                    _log.info("AttachmentInfo.parentType picklist unavailable: %s", exc)
                    return {}
                found = {value: parent_for_label(label) for value, label in picklist.items()}
                self._labels = {value: p for value, p in found.items() if p is not None}
            return self._labels
