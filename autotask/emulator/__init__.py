"""A faithful local emulator of the Autotask PSA REST API (ATServicesRest V1.0).

Standard library only; it imports nothing from the client (CONTRACTS §6-7). Start it with
``autotask emulator`` or ``python -m autotask.emulator``; the first stdout line is
``listening on http://HOST:PORT/ATServicesRest/``.
"""
