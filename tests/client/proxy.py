"""A tiny forwarding HTTP proxy for tests: forwards to the emulator, optionally lying about Host
or speaking TLS to the client.

The emulator builds its ``nextPageUrl`` and zone URL from the request's Host header (CONTRACTS
§5), so forwarding with another Host makes the real emulator answer with links to another origin:
exactly what a hostile or confused server would do. With ``tls`` the proxy is an https front for
the emulator, with whatever certificate the test chose. Nothing here imitates our own classes.
"""

from __future__ import annotations

import http.client
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def forwarding_proxy(
    target_host: str,
    target_port: int,
    host_header: str | None = None,
    tls: ssl.SSLContext | None = None,
) -> Iterator[str]:
    """Serve on 127.0.0.1:<free port>; yield its root URL ``http(s)://127.0.0.1:PORT/``.

    Args:
        target_host: where to forward (the emulator's host).
        target_port: the emulator's port.
        host_header: the Host to tell the emulator (default: the client's own Host).
        tls: a server-side TLS context: serve https with its certificate.
    """

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            headers["Host"] = host_header or self.headers.get("Host", "")
            upstream = http.client.HTTPConnection(target_host, target_port, timeout=30)
            try:
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
            finally:
                upstream.close()
            self.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _forward

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a client that refuses our certificate is what some tests want

    server = Server(("127.0.0.1", 0), Handler)
    if tls is not None:
        # The handshake happens in the handler thread, not in the accept loop.
        server.socket = tls.wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False
        )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        scheme = "https" if tls is not None else "http"
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
