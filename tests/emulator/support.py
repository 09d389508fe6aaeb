"""A plain urllib3 client for black-box tests of the emulator (deliberately not our client)."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import urllib3

from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME, Emulator

AUTH = {"UserName": USERNAME, "Secret": SECRET, "ApiIntegrationCode": INTEGRATION_CODE}
AUTH_LINES = b"".join(f"{k}: {v}\r\n".encode() for k, v in AUTH.items())  # for raw requests
ALL = [{"op": "exist", "field": "id"}]
# The demo "Helpdesk Queue": a ticket needs a queue or a resource with a role (issue 8 item 1).
QUEUE = 29683325


def raw_exchange(emulator: Emulator, request: bytes, *, until_close: bool = False) -> bytes:
    """Send ``request`` bytes as they are and read one answer.

    Reading stops once the body has its Content-Length, or, with ``until_close``, only when
    the server closes the connection (which proves that it does).
    """
    with socket.create_connection((emulator.host, emulator.port), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
            if not until_close and _complete(data):
                break
    return data


def raw_status(data: bytes) -> int:
    """The status code of a raw HTTP answer."""
    return int(data.split(b" ", 2)[1])


def _complete(data: bytes) -> bool:
    head, separator, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n") if separator else ():
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":", 1)[1])
    return False


@dataclass
class Reply:
    """One HTTP answer: status, raw text and decoded JSON (None when not JSON)."""

    status: int
    text: str
    headers: dict[str, str]

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            return None

    @property
    def errors(self) -> list[str]:
        body = self.json
        return list(body.get("errors", [])) if isinstance(body, dict) else []


class Api:
    """Requests against one emulator, with the default credentials unless told otherwise."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(30))

    @property
    def base(self) -> str:
        """``http://HOST:PORT/ATServicesRest/V1.0/``."""
        return self.emulator.api_url

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        auth: bool = True,
        raw: bytes | None = None,
        absolute: bool = False,
    ) -> Reply:
        """Send ``method`` to ``path`` (relative to V1.0/ unless ``absolute``)."""
        url = path if absolute else self.base + path
        sent = {"Content-Type": "application/json"}
        if auth:
            sent.update(AUTH)
        sent.update(headers or {})
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        response = self.pool.request(method, url, body=data, headers=sent, redirect=False)
        return Reply(response.status, response.data.decode("utf-8"), dict(response.headers))

    def get(self, path: str, **kw: Any) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.request("POST", path, body, **kw)

    def query(self, entity: str, filter: Any = None, **extra: Any) -> Reply:
        """POST ``{entity}/query`` with ``filter`` (default: every row) and extra body keys."""
        body = {"filter": ALL if filter is None else filter, **extra}
        return self.post(f"{entity}/query", body)

    def get_query(self, entity: str, search: Any) -> Reply:
        """GET ``{entity}/query?search=...``."""
        return self.get(f"{entity}/query?search=" + quote(json.dumps(search), safe=""))

    def ids(self, entity: str, filter: Any = None, **extra: Any) -> list[int]:
        """The ids of the first page of a query (asserting it succeeded)."""
        reply = self.query(entity, filter, **extra)
        assert reply.status == 200, reply.text
        return [item["id"] for item in reply.json["items"]]

    def item(self, entity: str, record_id: int) -> dict[str, Any]:
        """GET ``{entity}/{id}``'s item (asserting it exists)."""
        reply = self.get(f"{entity}/{record_id}")
        assert reply.status == 200, reply.text
        item: dict[str, Any] = reply.json["item"]
        assert item is not None, f"{entity}/{record_id} missing"
        return item

    def create(self, path: str, body: dict[str, Any]) -> int:
        """POST a create (asserting it succeeded) and return the new id."""
        reply = self.post(path, body)
        assert reply.status == 200, reply.text
        new_id: int = reply.json["itemId"]
        return new_id
