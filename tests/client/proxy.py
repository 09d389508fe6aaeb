"""A tiny forwarding HTTP proxy for tests: forwards to the emulator, optionally lying about Host,
speaking TLS to the client, or refusing long query strings the way IIS does.

The emulator builds its ``nextPageUrl`` and zone URL from the request's Host header (CONTRACTS
§5), so forwarding with another Host makes the real emulator answer with links to another origin:
exactly what a hostile or confused server would do. With ``tls`` the proxy is an https front for
the emulator, with whatever certificate the test chose. With ``max_query_string`` it answers a
URL whose query string is longer with IIS's own refusal (HTTP 404, substatus 404.15), as an IIS
front with ``requestFiltering/requestLimits maxQueryString`` does. Nothing here imitates our own
classes.
"""

from __future__ import annotations

import http.client
import ssl
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# What IIS 10 answers when a query string passes maxQueryString (its detailed error page,
# shortened; the status line is a plain 404, the substatus is in the page).
IIS_QUERY_TOO_LONG = (
    b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
    b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\r\n'
    b'<html xmlns="http://www.w3.org/1999/xhtml"><head>\r\n'
    b"<title>IIS 10.0 Detailed Error - 404.15 - Not Found</title></head><body>\r\n"
    b'<div id="content"><div class="content-container">\r\n'
    b"<h3>HTTP Error 404.15 - Not Found</h3>\r\n"
    b"<h4>The request filtering module is configured to deny a request where the query string "
    b"is too long.</h4></div></div></body></html>\r\n"
)


@contextmanager
def forwarding_proxy(
    target_host: str,
    target_port: int,
    host_header: str | None = None,
    tls: ssl.SSLContext | None = None,
    max_query_string: int | None = None,
    refused: list[str] | None = None,
) -> Iterator[str]:
    """Serve on 127.0.0.1:<free port>; yield its root URL ``http(s)://127.0.0.1:PORT/``.

    Args:
        target_host: where to forward (the emulator's host).
        target_port: the emulator's port.
        host_header: the Host to tell the emulator (default: the client's own Host).
        tls: a server-side TLS context: serve https with its certificate.
        max_query_string: refuse a longer query string with IIS's 404.15 page, unforwarded.
        refused: the paths so refused are appended here.
    """

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            query = urllib.parse.urlsplit(self.path).query
            if max_query_string is not None and len(query) > max_query_string:
                if refused is not None:
                    refused.append(self.path)
                self.send_response(404)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(IIS_QUERY_TOO_LONG)))
                self.end_headers()
                self.wfile.write(IIS_QUERY_TOO_LONG)
                return
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
