"""``AttachmentData``: what upload, list and get_info return (CONTRACTS §9)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from autotask.core.routing import find_key

__all__ = ["AttachmentData", "field_value", "int_or_none"]


def field_value(record: Mapping[str, Any], name: str) -> Any:
    """``record[name]`` matched case-insensitively (fact sheet §3.2), or None."""
    key = find_key(record, name)
    return None if key is None else record[key]


def int_or_none(value: Any) -> int | None:
    """``value`` as an int when it is a number (never a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value)


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class AttachmentData:
    """One attachment's description (never its bytes: see ``download_file``).

    Attributes:
        id: the attachment id (one id space for every parent, fact sheet §7).
        parent_type: the parent entity (``"Tickets"``, ``"Projects"``), or None when it
            cannot be told (an AttachmentInfo ``parentType`` code nobody knows).
        parent_id: the parent record's id.
        title: the attachment's title.
        file_name: its file name (the API's ``fullPath``).
        content_type: its MIME type (the API's ``contentType``; after an upload, the type
            guessed from the file name).
        size: its size in bytes (the API's ``fileSize``; after an upload, the bytes sent).
        record: the API's fields as a dict (after an upload: the fields sent, with ``id``, as
            the create answer carries only the id). Not compared, not shown in ``repr``.
    """

    id: int
    parent_type: str | None
    parent_id: int | None
    title: str | None
    file_name: str | None
    content_type: str | None
    size: int | None
    record: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_record(
        cls, record: Mapping[str, Any], parent_type: str | None, parent_id: int | None
    ) -> AttachmentData:
        """Read an attachment or AttachmentInfo record (without ``data``).

        Args:
            record: the API's record.
            parent_type: the parent entity, as the caller worked it out.
            parent_id: the parent's id, as the caller worked it out.

        Raises:
            ValueError: the record has no integer ``id``.
        """
        record_id = int_or_none(field_value(record, "id"))
        if record_id is None:
            raise ValueError("an attachment record without an id")
        fields = {
            k: v for k, v in record.items() if not (isinstance(k, str) and k.lower() == "data")
        }
        return cls(
            id=record_id,
            parent_type=parent_type,
            parent_id=parent_id,
            title=_str_or_none(field_value(record, "title")),
            file_name=_str_or_none(field_value(record, "fullPath")),
            content_type=_str_or_none(field_value(record, "contentType")),
            size=int_or_none(field_value(record, "fileSize")),
            record=fields,
        )
