"""The HTTP server: stdlib ``ThreadingHTTPServer``, HTTP/1.1 keep-alive, quiet by default.

``run(settings)`` builds the emulator (app.py: the store, loading the start data into a fresh
database, and everything that serves it), prints
exactly one stdout line, ``listening on http://HOST:PORT/ATServicesRest/`` (flushed), and serves
until SIGTERM or SIGINT, then closes the store and returns 0.

Transport rules (fact sheet §11.7, CONTRACTS §5): every answer has a Content-Length; chunked
request bodies get 411 and bodies over 10 MiB get 413, both without reading the body and with
the connection closed (quirk switches: ``--chunked-bodies accept``, ``--oversize-body-status
500``, ``--max-body-bytes``); an injected reset closes the socket with an RST; nothing a
client sends can stop the server (the pipeline turns any error into a 500). Paths under
``/ATServicesRest/`` (any case) go to the API pipeline (pipeline.py), ``/_emulator/`` to the control
API (loopback clients only), anything else is 404.
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import logging
import signal
import socket
import struct
import sys
import threading
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from urllib.parse import parse_qsl, unquote, urlsplit

from autotask.emulator.app import Emulator
from autotask.emulator.exchange import Context, Response, errors, not_found
from autotask.emulator.settings import Settings

API_PREFIX = "/atservicesrest/"
CONTROL_PREFIX = "/_emulator/"


def _is_loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", maxsplit=1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


class RequestHandler(BaseHTTPRequestHandler):
    """Reads one request, hands it to the API or control, writes one response."""

    protocol_version = "HTTP/1.1"
    server_version = "autotask-emulator"
    sys_version = ""
    # An idle keep-alive connection (or a body that never arrives) is closed after 120 s, IIS's
    # default connection timeout, so stalled clients cannot pile up threads.
    timeout = 120
    server: EmulatorHTTPServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in one write; no Nagle delay on keep-alive connections.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle_one_request(self) -> None:
        """One request; a client that goes away mid-request is a disconnect, not an error.

        A killed client's kernel resets the connections it leaves with unread data, so the
        next read here raises ``ConnectionResetError``; ``socketserver`` would print that as a
        traceback on stderr, which must carry only warnings (README "The emulator").
        """
        try:
            super().handle_one_request()
        except ConnectionError:  # reset, broken pipe, aborted
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: no per-request output (the request log is in ``/_emulator/requests``)."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol-level errors (bad request line, header overflow) as JSON, then close."""
        self.close_connection = True
        self._write(errors(code, message or _phrase(code)), close=True)

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _serve(self) -> None:
        emulator = self.server.emulator
        quirks = emulator.settings.quirks
        limit = quirks.max_body_bytes
        too_large = errors(
            quirks.oversize_body_status, f"The request body is larger than {limit} bytes."
        )
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            if not quirks.accept_chunked:
                self._write(
                    errors(411, "Chunked request bodies are not supported; send Content-Length."),
                    close=True,
                )
                return
            try:
                chunked = _read_chunked(self.rfile, limit)
            except ValueError:
                self._write(errors(400, "The chunked request body is malformed."), close=True)
                return
            if chunked is None:
                self._write(too_large, close=True)
                return
            body = chunked
        else:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0:
                self._write(errors(400, "Content-Length is not a valid number."), close=True)
                return
            if length > limit:
                self._write(too_large, close=True)
                return
            body = self.rfile.read(length) if length else b""
            if len(body) < length:
                # The client went away before sending its whole body: nothing is applied and
                # nothing answered, as a server does with a request it never fully received.
                self.close_connection = True
                return
        url = urlsplit(self.path)
        path = unquote(url.path)
        lower = path.lower()
        if lower.startswith(CONTROL_PREFIX):
            if not _is_loopback(self.client_address[0]):
                self._write(errors(403, "The control API answers loopback clients only."))
                return
            response = emulator.control.handle(self.command, path[len(CONTROL_PREFIX) :], body)
        elif lower.startswith(API_PREFIX):
            host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
            ctx = Context(
                method=self.command,
                path=path[len(API_PREFIX) :],
                query={k.lower(): v for k, v in parse_qsl(url.query, keep_blank_values=True)},
                query_length=len(url.query),
                headers=self.headers,  # type: ignore[arg-type]  # a Message: get() and items()
                body=body,
                base_url=f"http://{host}/ATServicesRest/",
                client=self.client_address[0],
            )
            response = emulator.api.handle(ctx)
        else:
            response = not_found(path)
        self._write(response)

    def _write(self, response: Response, *, close: bool = False) -> None:
        if response.drop:
            # A reset: no answer at all, and an RST instead of an orderly close (SO_LINGER 0).
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            return
        close = close or response.close or self.close_connection
        body = b"" if getattr(self, "command", None) == "HEAD" else response.body
        if response.truncate_at is not None:
            # Headers with the full Content-Length, then only part of the body, then close.
            body, close = body[: response.truncate_at], True
        head = [
            f"HTTP/1.1 {response.status} {_phrase(response.status)}",
            f"Content-Type: {response.content_type}",
            f"Content-Length: {len(response.body)}",
            f"Date: {formatdate(usegmt=True)}",
            *(f"{name}: {value}" for name, value in response.headers),
        ]
        if close:
            head.append("Connection: close")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        try:
            self.wfile.write(data)
        except OSError:
            close = True
        self.close_connection = close


def _read_chunked(rfile: io.BufferedIOBase, limit: int) -> bytes | None:
    """Read a chunked request body (``--chunked-bodies accept``); None past ``limit`` bytes.

    Raises:
        ValueError: on a malformed chunk size line.
    """
    parts: list[bytes] = []
    total = 0
    while True:
        size_line = rfile.readline(1024)
        size = int(size_line.split(b";", 1)[0].strip() or b"x", 16)
        if size == 0:
            while rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                pass  # trailers: ignored
            return b"".join(parts)
        total += size
        if total > limit:
            return None
        parts.append(rfile.read(size))
        rfile.readline(1024)  # the CRLF after each chunk


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class EmulatorHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its emulator; handler threads are daemons."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.emulator = emulator
        super().__init__(address, RequestHandler)


def run(settings: Settings) -> int:
    """Serve the emulator until SIGTERM/SIGINT; returns the exit code (0).

    Args:
        settings: resolved flags (settings.Settings).
    """
    logging.basicConfig(
        stream=sys.stderr, level=logging.WARNING, format="%(levelname)s %(message)s"
    )
    emulator = Emulator(settings)
    try:
        server = EmulatorHTTPServer((settings.host, settings.port), emulator)
    except OSError as exc:
        emulator.close()
        print(f"cannot listen on {settings.host}:{settings.port}: {exc}", file=sys.stderr)
        return 1
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    port = server.server_address[1]

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    print(f"listening on http://{host}:{port}/ATServicesRest/", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.server_close()
        emulator.close()
    return 0
