"""Library logging: per-module loggers, a NullHandler, and secret masking on every record.

The library never prints. Each module logs through ``get_logger(__name__)``; the filter on
those loggers masks ``Secret`` and ``ApiIntegrationCode`` values in every record, debug wire
logs included, both by header name and by the registered secret values themselves.
"""

from __future__ import annotations

import json
import logging
import re
import threading

__all__ = ["MASK", "SecretFilter", "get_logger", "mask", "register_secret"]

MASK = "***"
_SECRETS: set[str] = set()
# Every registered value as it may be written, longest first; one tuple swapped whole, so
# mask() never sees it half-built.
_FORMS: list[tuple[str, ...]] = [()]
_SECRETS_LOCK = threading.Lock()
# "Secret: x", "'Secret': 'x'", '"ApiIntegrationCode": "x"', "secret=x" (header names are
# case-insensitive, fact sheet §2). A quoted value runs to its closing quote, escapes included
# (a secret may hold any delimiter or quote); a bare one to the next delimiter; an unclosed
# quote to the end of the line.
_BY_NAME = re.compile(
    r"""(?P<key>\b(?:secret|apiintegrationcode)\b["']?\s*[:=]\s*)"""
    r"""(?:(?P<q>["'])(?:\\.|(?!(?P=q))[^\\])*(?P=q)|(?P<open>["'])[^\r\n]*|[^"',;&\s}\]]+)""",
    re.IGNORECASE,
)

logging.getLogger("autotask").addHandler(logging.NullHandler())


def _written_forms(value: str) -> set[str]:
    # The value itself, and as repr() and JSON write it inside quotes (a header dict is logged
    # with repr, which escapes quotes and backslashes; JSON may escape non-ASCII too).
    return {
        value,
        repr(value)[1:-1],
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
    }


def register_secret(value: str) -> None:
    """Mask ``value`` wherever it appears in a library log record from now on.

    Very short values (under 6 characters) are not registered: masking every "s" would garble
    all logs. They are still masked wherever they appear as a header value.
    """
    if len(value) >= 6:
        with _SECRETS_LOCK:
            if value not in _SECRETS:
                _SECRETS.add(value)
                forms = {form for secret in _SECRETS for form in _written_forms(secret)}
                _FORMS[0] = tuple(sorted(forms, key=len, reverse=True))


def _mask_value(match: re.Match[str]) -> str:
    quote = match.group("q") or ""
    if match.group("open"):
        return match.group("key") + match.group("open") + MASK
    return match.group("key") + quote + MASK + quote


def mask(text: str) -> str:
    """``text`` with registered secrets and secret header values replaced by ``***``.

    The registered values go first: the header pattern must never cut a secret in two and leave
    the rest where the value pass can no longer find it whole (issue 7, item 1).
    """
    for form in _FORMS[0]:
        if form in text:
            text = text.replace(form, MASK)
    return _BY_NAME.sub(_mask_value, text)


class SecretFilter(logging.Filter):
    """Rewrite each record's message with :func:`mask` (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask ``record``'s message in place; always keep the record."""
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: mask what is there
            message = f"{record.msg} {record.args}"
        masked = mask(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        return True


_FILTER = SecretFilter()


def get_logger(name: str) -> logging.Logger:
    """``logging.getLogger(name)`` with the secret filter attached (once)."""
    logger = logging.getLogger(name)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    return logger
