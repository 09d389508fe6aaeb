"""A tiny forwarding HTTP proxy for tests: forwards to the emulator, optionally lying about Host,
speaking TLS to the client, or refusing long query strings the way IIS does. Also an https
server without secure renegotiation (:func:`legacy_tls_server`).

The emulator builds its ``nextPageUrl`` and zone URL from the request's Host header (CONTRACTS
§5), so forwarding with another Host makes the real emulator answer with links to another origin:
exactly what a hostile or confused server would do. With ``tls`` the proxy is an https front for
the emulator, with whatever certificate the test chose. With ``max_query_string`` it answers a
URL whose query string is longer with IIS's own refusal (HTTP 404, substatus 404.15), as an IIS
front with ``requestFiltering/requestLimits maxQueryString`` does. Nothing here imitates our own
classes.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import struct
import threading
import urllib.parse
from collections.abc import Callable, Iterator
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


def _without_secure_renegotiation(record: bytes) -> bytes:
    """The server's first TLS record with the renegotiation_info extension (RFC 5746) taken
    out of its ServerHello: what a server without secure renegotiation sends."""
    fragment = record[5:]
    assert record[0] == 22 and fragment[0] == 2, "expected a handshake record with ServerHello"
    length = int.from_bytes(fragment[1:4], "big")
    hello, rest = fragment[4 : 4 + length], fragment[4 + length :]
    at = 2 + 32  # version, random
    at += 1 + hello[at]  # session id
    at += 2 + 1  # cipher suite, compression
    end = at + 2 + struct.unpack(">H", hello[at : at + 2])[0]
    kept, i = b"", at + 2
    while i < end:
        kind, size = struct.unpack(">HH", hello[i : i + 4])
        if kind != 0xFF01:
            kept += hello[i : i + 4 + size]
        i += 4 + size
    hello = hello[:at] + struct.pack(">H", len(kept)) + kept
    fragment = b"\x02" + len(hello).to_bytes(3, "big") + hello + rest
    return record[:3] + struct.pack(">H", len(fragment)) + fragment


@contextmanager
def legacy_tls_server(certificate: tuple[str, str]) -> Iterator[str]:
    """An https server that, to the client, lacks secure renegotiation (as Autotask's IIS
    servers did: fact sheet §2); yields its root URL ``https://127.0.0.1:PORT/``.

    A TLS 1.2 server (Python's ssl always supports RFC 5746) behind a relay that strips
    renegotiation_info from its ServerHello. OpenSSL 3 refuses that with
    UNSAFE_LEGACY_RENEGOTIATION_DISABLED; with OP_LEGACY_SERVER_CONNECT it goes on, and the
    handshake then fails later (the relay changed the transcript). No request ever arrives.

    Args:
        certificate: the server's certificate and key files.
    """
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    context.maximum_version = ssl.TLSVersion.TLSv1_2  # renegotiation_info is TLS <= 1.2
    server, relay = socket.create_server(("127.0.0.1", 0)), socket.create_server(("127.0.0.1", 0))
    threads: list[threading.Thread] = []

    def start(target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        threads.append(thread)
        thread.start()

    def handshake(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            context.wrap_socket(conn, server_side=True).recv(1)

    def pump(source: socket.socket, sink: socket.socket, rewrite: bool) -> None:
        with contextlib.suppress(OSError):
            data = b""
            while rewrite and (len(data) < 5 or len(data) < 5 + int.from_bytes(data[3:5], "big")):
                chunk = source.recv(65536)
                if not chunk:
                    return
                data += chunk
            if rewrite:
                first = 5 + int.from_bytes(data[3:5], "big")
                sink.sendall(_without_secure_renegotiation(data[:first]) + data[first:])
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def connect(client: socket.socket) -> None:
        with client, socket.create_connection(server.getsockname(), timeout=10) as upstream:
            up = threading.Thread(target=pump, args=(client, upstream, False), daemon=True)
            up.start()
            pump(upstream, client, True)
            up.join(10)

    def accept(listener: socket.socket, handle: Callable[[socket.socket], None]) -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:  # closed: the test is over
                return
            conn.settimeout(10)
            start(handle, conn)

    with server, relay:
        start(accept, server, handshake)
        start(accept, relay, connect)
        try:
            yield f"https://127.0.0.1:{relay.getsockname()[1]}/"
        finally:
            for listener in (server, relay):
                with contextlib.suppress(OSError):
                    listener.shutdown(socket.SHUT_RDWR)
                listener.close()
    for thread in threads:
        thread.join(10)
