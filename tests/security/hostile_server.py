"""A loopback HTTP server that answers whatever a test tells it to: a hostile or broken Autotask.

Not an imitation of our own classes: a plain ``http.server`` that records every request it gets
(method, path, headers) and answers each with the current :class:`Answer`, or with what a
function of the request returns. It can send a body shorter than its Content-Length and close
(a cut-off answer), or no Content-Length at all (the body ends at the close).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    """One canned answer.

    Attributes:
        status: the HTTP status.
        body: the body bytes.
        content_type: the Content-Type header, or None for none.
        headers: more headers.
        cut: send only this many bytes of the body (the Content-Length says all), then close.
        no_length: send no Content-Length; close after the body.
    """

    status: int = 200
    body: bytes = b"{}"
    content_type: str | None = "application/json; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    cut: int | None = None
    no_length: bool = False


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class HostileServer:
    """The running server: its URLs, what it saw, and what it answers next."""

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self._server = server
        host, port = server.server_address[:2]
        self.root = f"http://{host}:{port}/"
        self.base_url = self.root + "ATServicesRest/"
        self.answer = Answer()
        self.respond: Callable[[Seen], Answer] | None = None
        self.seen: list[Seen] = []
        self.lock = threading.Lock()

    def answer_for(self, request: Seen) -> Answer:
        with self.lock:
            self.seen.append(request)
        return self.respond(request) if self.respond is not None else self.answer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ThreadingHTTPServer
    owner: HostileServer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except ConnectionError:  # the client closed a cut-off answer's connection
            self.close_connection = True

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        seen = Seen(self.command, self.path, dict(self.headers.items()), body)
        answer = self.owner.answer_for(seen)
        self.send_response(answer.status)
        if answer.content_type is not None:
            self.send_header("Content-Type", answer.content_type)
        for name, value in answer.headers:
            self.send_header(name, value)
        if answer.no_length or answer.cut is not None:
            self.close_connection = True
            self.send_header("Connection", "close")
        if not answer.no_length:
            self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        data = answer.body if answer.cut is None else answer.body[: answer.cut]
        try:
            self.wfile.write(data)
        except OSError:
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any


@contextmanager
def hostile_server() -> Iterator[HostileServer]:
    """Serve on 127.0.0.1:<free port> until the ``with`` block ends."""
    handler = type("Handler", (_Handler,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    owner = HostileServer(server)
    handler.owner = owner  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield owner
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
