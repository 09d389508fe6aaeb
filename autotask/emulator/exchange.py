"""The HTTP vocabulary every part of the emulator speaks: one request, one answer, error shapes.

``Context`` is an API request as it passes through the pipeline (pipeline.py) and its stages;
``Response`` is what goes back on the wire. The error shapes are Autotask's (fact sheet §5):
``{"errors": [...]}`` for the API's own refusals, ``{"Message": ...}`` for ASP.NET Web API's
framework answers (404, 405, 415). ``json_body`` and ``lower_keys`` read request bodies the way
the API does: JSON only, keys case-insensitive (§3.2).
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from autotask.emulator.api.routes import UNMATCHED, Route
from autotask.emulator.model import wire


@dataclass
class Context:
    """One API request as it passes through the pipeline."""

    method: str
    path: str  # after /ATServicesRest/, without the query string
    query: Mapping[str, str]  # query parameters, names lower-cased (ASP.NET binds them so)
    query_length: int  # characters of the raw (percent-encoded) query string, as IIS counts
    headers: Mapping[str, str]  # case-insensitive (email.message.Message)
    body: bytes
    base_url: str  # http://HOST:PORT/ATServicesRest/ from the Host header (CONTRACTS §5)
    client: str = ""
    route: Route | None = None
    template: str = UNMATCHED  # "Tickets/{id}/Notes"
    bucket: str | None = None  # entity acted on: the thread-limit key
    integration_code: str | None = None  # set once authenticated
    attachment_bytes: int = 0  # decoded attachment size of a create (for the byte window)
    slow: bool = False  # a `slow` fault: the limit stage adds --slow-ms to the latency
    fault: str | None = None  # an after-apply fault (reset-after, truncate) to inflict
    latency: float = 0.0  # seconds of latency the stages added (in the request log)
    service_started: float | None = None  # when --latency-ms began to count (slot held)
    started: float = field(default_factory=time.monotonic)

    @property
    def body_size(self) -> int:
        """Bytes in the request body."""
        return len(self.body)

    @property
    def route_key(self) -> str:
        """``"METHOD template"``, the key of ``/_emulator/stats`` ``requests``."""
        return f"{self.method} {self.template}"


@dataclass
class Response:
    """What goes back on the wire."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    close: bool = False  # drop the connection after writing (or instead: see truncate_at)
    truncate_at: int | None = None  # write only this many bytes of the body, then close
    drop: bool = False  # write nothing at all and close (a reset)
    content_type: str = "application/json; charset=utf-8"


def json_response(status: int, obj: Any) -> Response:
    """A JSON body without decimal fields."""
    return Response(status, wire.dumps(obj))


def errors(status: int, *texts: str) -> Response:
    """Autotask's error shape: ``{"errors": ["..."]}`` (fact sheet §5)."""
    return json_response(status, {"errors": list(texts)})


def message(status: int, text: str) -> Response:
    """ASP.NET Web API's framework error shape: ``{"Message": "..."}`` (fact sheet §5)."""
    return json_response(status, {"Message": text})


# Autotask's own unexpected failure, in the usual errors[] envelope (issue 8 item 3; two spaces
# after the first sentence, as quoted). The Error ID here counts up per emulator process.
UNEXPECTED_ERROR_TEXT = (
    "An unexpected error has occurred.  If the problem persists, please contact Autotask "
    "Support and reference Error ID: {}"
)
_error_ids = itertools.count(1)  # next() on a count is atomic: request threads share it


def unexpected_error(asp_net: bool = False) -> Response:
    """500 for a server-side failure: Autotask's errors[] text with a fresh Error ID, or with
    ``asp_net`` (``--server-error-body message``) ASP.NET Web API's bare
    ``{"Message": "An error has occurred."}`` for an unhandled exception (fact sheet §5)."""
    if asp_net:
        return message(500, "An error has occurred.")
    return errors(500, UNEXPECTED_ERROR_TEXT.format(next(_error_ids)))


def method_not_allowed(method: str) -> Response:
    """405 in ASP.NET's words (fact sheet §5, Anteris #12)."""
    return message(405, f"The requested resource does not support http method '{method}'.")


def not_found(url: str) -> Response:
    """404 in ASP.NET's words."""
    return message(404, f"No HTTP resource was found that matches the request URI '{url}'.")


class BadRequest(Exception):
    """A request that gets ``response`` instead of being served."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


_JSON_TYPES = ("application/json", "text/json")


def json_body(ctx: Context) -> Any:
    """The decoded JSON body, None when empty.

    Raises:
        BadRequest: 415 for a non-JSON content type, 500 for malformed JSON.
    """
    if not ctx.body.strip():
        return None
    content_type = (ctx.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type and content_type not in _JSON_TYPES and not content_type.endswith("+json"):
        raise BadRequest(
            message(
                415,
                f"The request entity's media type '{content_type}' is not supported for "
                "this resource.",
            )
        )
    try:
        return json.loads(ctx.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(errors(500, f"The request body is not valid JSON: {exc}.")) from None


def lower_keys(obj: Mapping[str, Any]) -> dict[str, Any]:
    """``obj`` with lower-cased keys: the API reads body keys case-insensitively (§3.2)."""
    return {str(k).lower(): v for k, v in obj.items()}
