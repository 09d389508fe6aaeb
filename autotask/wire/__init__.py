"""Wire: everything between a request value and the network (ARCHITECTURE "Parts").

``transport.py`` is the one chokepoint (headers, credentials, limits, retries, logging, error
wrapping) and the only module of the package that imports urllib3; around it: request values
(``_request``), reading answers (``_answers``), TLS (``_tls``), origins, zones and the client-side
limits (thread gate, hourly budget, attachment window).
"""
