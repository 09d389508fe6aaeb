"""The data model: the entity table (``schema``), the sqlite3 store and the wire JSON format."""
