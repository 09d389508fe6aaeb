"""Synthetic records: the deterministic ``--data demo`` set and fast bulk generation for seeding.

``records`` builds the demo set (``demo_dataset``) from ``base`` (shared names, dates and the
collector) and ``activity`` (tickets, time, calendar, attachments); ``seeding`` generates valid
records in bulk for ``POST /_emulator/seed``.
"""
