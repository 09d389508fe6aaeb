"""Storage: one sqlite3 table per entity, in memory by default or in a file (``--db``).

Each table is ``(id INTEGER PRIMARY KEY, doc TEXT, data BLOB)``: ``doc`` is the record as a
JSON object keyed by canonical field names (datetimes in the fixed-width stored form of
wire.py, UDFs as ``{"userDefinedFields": {name: value}}``), ``data`` holds an attachment's
bytes. Queries are compiled to SQL over ``json_extract(doc, ...)`` (rules/query.py), so paging
through 100,000 rows never decodes rows it does not return, and ``id`` conditions use the
primary key. Child routes get an expression index on their parent-id field.

An entity may also read rows of other tables (``rollups``): a ticket's attachment query returns
the attachments of the ticket's time entries too (api/attachments.py). Reads of such an entity go
through ``(SELECT ... UNION ALL SELECT ... WHERE <field> IS NOT NULL)``; writes stay on its own
table.

One connection guarded by one lock serves every request thread. With ``--db`` the file runs in
WAL mode and every write is committed before the answer goes out, so an acknowledged write
survives a restart (CONTRACTS §5). ``snapshot``/``restore`` copy the whole database with the
sqlite backup API: that is how ``POST /_emulator/reset`` returns to the start set in
milliseconds.
"""

from __future__ import annotations

import base64
import binascii
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from autotask.emulator.model import schema, wire
from autotask.emulator.model.schema import EntityDef

Doc = dict[str, Any]
SqlFunction = tuple[str, int, Callable[..., Any]]

_LOADS = json.JSONDecoder().decode
_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def table_name(entity: EntityDef) -> str:
    """The sqlite table of ``entity`` (URL names are plain identifiers)."""
    return "e_" + entity.name.lower()


def json_path(field: str) -> str:
    """The ``json_extract`` path of a stored field (canonical names are identifiers)."""
    return "$." + field


def udf_path(name: str) -> str:
    """The ``json_extract`` path of a stored UDF (names may hold spaces; quoted)."""
    return '$.userDefinedFields."' + name.replace('"', '""') + '"'


def stored_from_wire(entity: EntityDef, record: Mapping[str, Any]) -> tuple[Doc, bytes | None]:
    """Convert a record in wire shape (demo data, seed output) to its stored doc and data.

    Datetimes become the stored form, ``userDefinedFields`` a ``{name: value}`` object, and an
    attachment's base64 ``data`` is returned as bytes (not kept in the doc).
    """
    doc: Doc = {}
    data: bytes | None = None
    for f in entity.fields:
        value = record.get(f.name)
        if f.name == "data" and entity.attachment:
            if isinstance(value, str) and value:
                try:
                    data = base64.b64decode(value, validate=True)
                except (binascii.Error, ValueError):
                    data = None
            continue
        if f.data_type == "datetime" and isinstance(value, str):
            value = wire.parse_datetime(value) or value
        doc[f.name] = value
    if entity.has_udfs:
        udfs: dict[str, Any] = {}
        for item in record.get(wire.UDF_KEY) or ():
            udf = entity.udf(str(item.get("name", "")))
            if udf is not None:
                value = item.get("value")
                udfs[udf.name] = None if value is None else str(value)
        doc[wire.UDF_KEY] = udfs
    return doc, data


class Store:
    """The emulator's records: typed by the schema, queried by compiled SQL, one lock."""

    def __init__(
        self,
        path: str | None,
        functions: Iterable[SqlFunction] = (),
        rollups: Mapping[str, Sequence[tuple[EntityDef, str]]] | None = None,
    ) -> None:
        """Open (or create) the database.

        Args:
            path: sqlite file for ``--db``; None keeps everything in memory.
            functions: ``(name, arity, callable)`` SQL functions the compiled queries call.
            rollups: entity name -> ``(other entity, field)`` pairs whose rows with a non-null
                ``field`` the entity's reads include (see the module docstring).
        """
        self.lock = threading.RLock()
        self.path = path
        self._sources: dict[str, str] = {}
        for name, others in (rollups or {}).items():
            owner = schema.entity(name)
            if owner is None:
                continue
            parts = [f'SELECT id, doc, data FROM "{table_name(owner)}"'] + [
                f'SELECT id, doc, data FROM "{table_name(other)}" '
                f"WHERE json_extract(doc, '{json_path(field)}') IS NOT NULL"
                for other, field in others
            ]
            self._sources[owner.name] = "(" + " UNION ALL ".join(parts) + ")"
        self._conn = sqlite3.connect(
            path or ":memory:", check_same_thread=False, isolation_level=None
        )
        for name, arity, func in functions:
            self._conn.create_function(name, arity, func, deterministic=True)
        if path:
            # WAL + NORMAL: a committed write survives the process dying (the restart case).
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS emulator_meta (key TEXT PRIMARY KEY, value TEXT)"
        )
        row = self._conn.execute("SELECT value FROM emulator_meta WHERE key = 'loaded'").fetchone()
        self.fresh = row is None
        for entity in schema.entities():
            self._ensure_table(entity)
        self._pristine: sqlite3.Connection | None = None

    def _ensure_table(self, entity: EntityDef) -> None:
        table = table_name(entity)
        self._conn.execute(
            f'CREATE TABLE IF NOT EXISTS "{table}" '
            "(id INTEGER PRIMARY KEY, doc TEXT NOT NULL, data BLOB)"
        )
        parent_fields = {route.parent_field for route in _routes_to(entity)}
        for field in sorted(parent_fields):
            if entity.field(field) is not None:
                self._conn.execute(
                    f'CREATE INDEX IF NOT EXISTS "ix_{table}_{field.lower()}" '
                    f"ON \"{table}\" (json_extract(doc, '{json_path(field)}'))"
                )

    # --- transactions and lifecycle ---

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes; committed (durably with --db) when the block ends without error.

        A transaction inside another one joins it (commits or rolls back with the outer one).
        """
        with self.lock:
            if self._conn.in_transaction:
                yield
                return
            self._conn.execute("BEGIN")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def mark_loaded(self) -> None:
        """Record that the start data set is in, so a reopened file keeps its data."""
        with self.lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO emulator_meta (key, value) VALUES ('loaded', '1')"
            )
            self.fresh = False

    def snapshot(self) -> None:
        """Remember the current contents as the start set for ``restore``."""
        with self.lock:
            if self._pristine is None:
                self._pristine = sqlite3.connect(":memory:", check_same_thread=False)
            self._conn.backup(self._pristine)

    def restore(self) -> None:
        """Put the contents back to the last ``snapshot``."""
        with self.lock:
            if self._pristine is not None:
                self._pristine.backup(self._conn)

    def close(self) -> None:
        """Close the database (every write is already committed)."""
        with self.lock:
            if self._pristine is not None:
                self._pristine.close()
            self._conn.close()

    # --- reads ---

    def _source(self, entity: EntityDef) -> str:
        """What reads of ``entity`` select from: its table, or the union of its rollups."""
        return self._sources.get(entity.name) or f'"{table_name(entity)}"'

    def get(self, entity: EntityDef, record_id: int) -> Doc | None:
        """The stored doc with ``record_id``, or None."""
        with self.lock:
            row = self._conn.execute(
                f"SELECT doc FROM {self._source(entity)} WHERE id = ?", (record_id,)
            ).fetchone()
        return None if row is None else _as_doc(row[0])

    def get_data(self, entity: EntityDef, record_id: int) -> bytes | None:
        """An attachment's bytes, or None."""
        with self.lock:
            row = self._conn.execute(
                f"SELECT data FROM {self._source(entity)} WHERE id = ?", (record_id,)
            ).fetchone()
        return None if row is None or row[0] is None else bytes(row[0])

    def exists(self, entity: EntityDef, record_id: int) -> bool:
        """Whether a row with ``record_id`` exists."""
        with self.lock:
            row = self._conn.execute(
                f'SELECT 1 FROM "{table_name(entity)}" WHERE id = ?', (record_id,)
            ).fetchone()
        return row is not None

    def page(
        self,
        entity: EntityDef,
        where: str,
        params: Sequence[Any],
        start_id: int,
        limit: int,
    ) -> list[Doc]:
        """Up to ``limit`` docs matching ``where`` with ``id >= start_id``, in id order."""
        sql = (
            f"SELECT doc FROM {self._source(entity)} WHERE id >= ? AND ({where}) "
            "ORDER BY id LIMIT ?"
        )
        with self.lock:
            rows = self._conn.execute(sql, (start_id, *params, limit)).fetchall()
        return [_as_doc(r[0]) for r in rows]

    def count(self, entity: EntityDef, where: str, params: Sequence[Any]) -> int:
        """How many rows match ``where``."""
        with self.lock:
            row = self._conn.execute(
                f"SELECT count(*) FROM {self._source(entity)} WHERE {where}", tuple(params)
            ).fetchone()
        return int(row[0])

    def counts(self) -> dict[str, int]:
        """Rows per entity, for ``/_emulator/stats``."""
        with self.lock:
            return {
                e.name: int(
                    self._conn.execute(f'SELECT count(*) FROM "{table_name(e)}"').fetchone()[0]
                )
                for e in schema.entities()
            }

    def ids(self, entity: EntityDef) -> list[int]:
        """Every id of ``entity``, ascending (for seeding references)."""
        with self.lock:
            rows = self._conn.execute(f'SELECT id FROM "{table_name(entity)}" ORDER BY id')
            return [int(r[0]) for r in rows]

    def max_id(self, entity: EntityDef) -> int:
        """The largest id in use, 0 when empty."""
        with self.lock:
            row = self._conn.execute(f'SELECT max(id) FROM "{table_name(entity)}"').fetchone()
        return int(row[0] or 0)

    # --- writes (callers validate first; see rules/validate.py) ---

    def insert(
        self,
        entity: EntityDef,
        doc: Doc,
        data: bytes | None = None,
        *,
        record_id: int | None = None,
    ) -> int:
        """Store a new record with ``record_id`` (default: max + 1); sets ``doc["id"]``."""
        with self.lock:
            new_id = self.max_id(entity) + 1 if record_id is None else record_id
            doc["id"] = new_id
            self._conn.execute(
                f'INSERT INTO "{table_name(entity)}" (id, doc, data) VALUES (?, ?, ?)',
                (new_id, _DUMPS(doc), data),
            )
        return new_id

    def insert_many(self, entity: EntityDef, rows: Iterable[tuple[Doc, bytes | None]]) -> int:
        """Store records that carry their own ids (start data, seeding); returns the count."""
        prepared = [(int(doc["id"]), _DUMPS(doc), data) for doc, data in rows]
        with self.transaction():
            self._conn.executemany(
                f'INSERT OR REPLACE INTO "{table_name(entity)}" (id, doc, data) VALUES (?, ?, ?)',
                prepared,
            )
        return len(prepared)

    def replace(self, entity: EntityDef, record_id: int, doc: Doc) -> bool:
        """Overwrite the doc of ``record_id``; False when there is no such row."""
        doc["id"] = record_id
        with self.lock:
            cursor = self._conn.execute(
                f'UPDATE "{table_name(entity)}" SET doc = ? WHERE id = ?', (_DUMPS(doc), record_id)
            )
        return cursor.rowcount > 0

    def delete(self, entity: EntityDef, record_id: int) -> bool:
        """Remove ``record_id``; False when there was no such row."""
        with self.lock:
            cursor = self._conn.execute(
                f'DELETE FROM "{table_name(entity)}" WHERE id = ?', (record_id,)
            )
        return cursor.rowcount > 0


def _as_doc(text: str) -> Doc:
    doc: Doc = _LOADS(text)
    return doc


def _routes_to(entity: EntityDef) -> list[schema.ChildRoute]:
    lower = entity.name.lower()
    return [r for e in schema.entities() for r in e.children if r.entity.lower() == lower]
