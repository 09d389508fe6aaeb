"""Commands that describe the tenant: entities, info (fields, picklists, UDFs), usage."""
