"""Limits, faults and permissions: the pure logic, their pipeline stages and their flags.

``gates`` (thread gate, hourly budget, attachment window), ``faults`` (the fault rule grammar and
seeded decisions) and ``permissions`` (``--deny``) are socket-free; ``stages`` plugs them into the
request pipeline; ``flags`` declares their command-line flags.
"""
