"""Keyset paging: the ``paging`` parameter, the page envelope and the next/previous links.

Links look like the live ones (fact sheet §3.4): ``.../V1.0/{Entity}/query/next?paging={...}&
search={...}``, with ``paging`` = ``{"pageSize":500,"previousIds":[-1],"nextIds":[725]}`` and
``search`` = the query (the GET query's ``search`` text, or the POST query's body).

Which verb follows a link is pinned by CONTRACTS §5 and §11.4: after a POST query POST again
with the same body, after a GET query GET; the other verb is 405; a POST without a body is 500
``Value cannot be null. Parameter name: filters`` (the body, not ``search``, is the query of a
POST). As both kinds of link now carry ``search``, the link does not tell which verb made it, so
``LinkMemory`` remembers it per (entity, paging, search). The same query sent with both verbs
gives the same links, which then take both. A link it does not know (made before a restart or a
reset, or evicted after 10,000 newer ones) is served with either verb. A POST link that carried
no ``search`` (as the core builder first made them) would have kept the 405 rule stateless; the
live links carry it, so clients that read or log them see the real shape.

Every link carries ``search``, however long: the only recorded live link does (§3.4), so a
POST query with a 500-value ``in`` list gets a link of several KB, as it would from Autotask.
An IIS front refuses query strings over its limit (2,048 characters by default) with a 404.15
page: ``--max-query-string`` makes the emulator do the same (limits/stages.py), so a client
can be tested on what it does when following such a link fails.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import quote

from autotask.emulator.exchange import lower_keys
from autotask.emulator.model import wire
from autotask.emulator.rules.query import MAX_PAGE_SIZE, MAX_RECORDS_TEXT, QueryError

LINK_MEMORY_SIZE = 10_000


@dataclass(frozen=True)
class Paging:
    """The ``paging`` parameter of ``query/next``: keyset positions, as Autotask writes them.

    ``nextIds[0]`` is the first id of the page to serve; ``previousIds`` are the first ids of the
    pages before it (``-1`` for the first page), so a previous-page link can be built.
    """

    page_size: int
    previous_ids: tuple[int, ...]
    next_id: int

    def to_json(self) -> str:
        """The parameter text: ``{"pageSize":N,"previousIds":[...],"nextIds":[...]}``."""
        return json.dumps(
            {
                "pageSize": self.page_size,
                "previousIds": list(self.previous_ids),
                "nextIds": [self.next_id],
            },
            separators=(",", ":"),
        )


def parse_paging(text: str | None) -> Paging:
    """Decode a ``paging`` parameter.

    Raises:
        QueryError: missing or malformed.
    """
    try:
        raw = lower_keys(json.loads(text or ""))
        size = int(raw["pagesize"])
        previous = tuple(int(i) for i in raw.get("previousids") or ())
        next_ids = raw["nextids"]
        next_id = int(next_ids[0])
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        raise QueryError("The paging parameter is missing or not valid.") from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise QueryError(MAX_RECORDS_TEXT)
    return Paging(size, previous, next_id)


def _search_key(search: str) -> str:
    # The same query however a client re-encodes it (spacing, key order).
    try:
        return json.dumps(json.loads(search), sort_keys=True, separators=(",", ":"))
    except ValueError:
        return search


class LinkMemory:
    """Which verb made each next/previous link (see the module docstring); thread-safe."""

    def __init__(self, size: int = LINK_MEMORY_SIZE) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._verbs: OrderedDict[tuple[str, str, str], frozenset[str]] = OrderedDict()

    def remember(self, entity: str, paging: Paging, search: str, verb: str) -> None:
        """Record that ``verb`` made a link to ``paging`` of ``search`` on ``entity``."""
        key = (entity, paging.to_json(), _search_key(search))
        with self._lock:
            self._verbs[key] = self._verbs.get(key, frozenset()) | {verb}
            self._verbs.move_to_end(key)
            while len(self._verbs) > self._size:
                self._verbs.popitem(last=False)

    def allows(self, entity: str, paging: Paging, search: str | None, verb: str) -> bool:
        """Whether ``verb`` may follow the link; True for a link this memory does not know."""
        key = (entity, paging.to_json(), _search_key(search or ""))
        with self._lock:
            verbs = self._verbs.get(key)
        return verbs is None or verb in verbs

    def clear(self) -> None:
        """Forget every link (``POST /_emulator/reset``)."""
        with self._lock:
            self._verbs.clear()


def link(base_url: str, entity: str, paging: Paging, search: str) -> str:
    """The absolute ``query/next`` URL of ``paging`` (``base_url`` ends in ATServicesRest/)
    with its ``search``."""
    url = f"{base_url}V1.0/{entity}/query/next?paging={quote(paging.to_json(), safe='')}"
    return url + f"&search={quote(search, safe='')}"


def page_body(
    items: str, count: int, size: int, prev_url: str | None = None, next_url: str | None = None
) -> bytes:
    """``{"items": [...], "pageDetails": {...}}`` around the encoded ``items`` array text."""
    details = wire.dumps(
        {"count": count, "requestCount": size, "prevPageUrl": prev_url, "nextPageUrl": next_url}
    ).decode("utf-8")
    return wire.envelope({"items": wire.raw(items), "pageDetails": wire.raw(details)})
