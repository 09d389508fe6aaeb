"""Commands that read and write single records: get, query, count, create/update/replace, delete."""
