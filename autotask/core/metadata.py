"""Entity metadata: the per-client cache, and picklists read from field definitions.

``entityInformation``, ``/fields`` and ``/userDefinedFields`` change only when an administrator
changes the tenant, so each client asks once per entity (CONTRACTS §1) and keeps the answer
until :meth:`MetadataCache.clear`. Picklist values are the API's strings even for integer
fields (fact sheet §4.4); labels are matched case-insensitively.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from autotask.errors import InvalidRequest
from autotask.retry import Operation

__all__ = ["MetadataCache", "find_picklist", "picklist_labels", "picklist_value"]


class MetadataCache:
    """Per-client cache of entity metadata; thread-safe, and each key loads once.

    Example::

        cache = MetadataCache()
        fields = cache.get(("Tickets", "fields"), lambda: fetch_fields("Tickets"))
    """

    def __init__(self) -> None:
        self._values: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._loading: dict[tuple[str, str], threading.Lock] = {}

    def get(self, key: tuple[str, str], load: Callable[[], Any]) -> Any:
        """The cached value for ``key``, loading it with ``load()`` on first use.

        Threads asking for the same key while it loads wait for that one load.
        """
        if key in self._values:
            return self._values[key]
        with self._lock:
            lock = self._loading.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                self._values[key] = load()
        return self._values[key]

    def clear(self) -> None:
        """Forget everything (the next call asks the API again)."""
        with self._lock:
            self._values.clear()


def _error(entity: str, message: str) -> InvalidRequest:
    return InvalidRequest(message, operation=Operation.METADATA.value, entity=entity)


def find_picklist(
    entity: str, field: str, sources: Iterable[Callable[[], list[dict[str, Any]]]]
) -> list[dict[str, Any]]:
    """The ``picklistValues`` of field or UDF ``field`` (case-insensitive name).

    Args:
        entity: the entity's name, for errors.
        field: the field's or UDF's name.
        sources: callables returning field definitions, asked in order until one has the field
            (fields first, then UDFs: the UDFs are fetched only when needed).

    Raises:
        InvalidRequest: no such field, or it is not a picklist.
    """
    wanted = field.lower()
    for source in sources:
        for item in source():
            if str(item.get("name", "")).lower() == wanted:
                if not item.get("isPickList"):
                    raise _error(entity, f"{entity}.{item.get('name')} is not a picklist")
                return list(item.get("picklistValues") or [])
    raise _error(entity, f"{entity} has no field or UDF named {field!r}")


def picklist_labels(values: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """``{value: label}`` of picklist values, values as the API's strings."""
    return {str(v.get("value")): str(v.get("label")) for v in values}


def picklist_value(values: list[dict[str, Any]], label: str, *, entity: str, field: str) -> str:
    """The value whose label is ``label`` (case-insensitive, surrounding spaces ignored).

    When several values share the label and exactly one of them is active, that one wins.

    Raises:
        InvalidRequest: the label is unknown or ambiguous (the message lists the labels).
    """
    wanted = label.strip().casefold()
    matches = [v for v in values if str(v.get("label")).strip().casefold() == wanted]
    if len(matches) > 1:
        active = [v for v in matches if v.get("isActive", True)]
        matches = active if len(active) == 1 else matches
    if len(matches) == 1:
        return str(matches[0].get("value"))
    labels = sorted({str(v.get("label")) for v in values})
    problem = "is ambiguous" if matches else "is not a label"
    more = ", ..." if len(labels) > 20 else ""
    raise _error(
        entity, f"{label!r} {problem} of {entity}.{field} (labels: {', '.join(labels[:20])}{more})"
    )
