"""Core: what the API serves and how it is read (ARCHITECTURE "Parts").

The entity registry (``registry``, its derived data ``_registry_data``), the routes of an entity
and its child collections (``routing``), the :class:`~autotask.core.entities.Entity` handles the
client gives out, field metadata, the query builder (``query``: ``F``, conditions, groups),
paging, and record values (``records``: UDFs, datetimes). Core sends through the Wire and never
imports urllib3.
"""
