"""Library logging: per-module loggers, a NullHandler, and secret masking on every record.

The library never prints. Each module logs through ``get_logger(__name__)``; the filter on
those loggers masks ``Secret`` and ``ApiIntegrationCode`` values in every record, debug wire
logs included, both by header name and by the registered secret values themselves.
"""

from __future__ import annotations

import logging
import re
import threading

__all__ = ["MASK", "SecretFilter", "get_logger", "mask", "register_secret"]

MASK = "***"
_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()
# "Secret: x", "'Secret': 'x'", '"ApiIntegrationCode": "x"', "secret=x" (header names are
# case-insensitive, fact sheet §2).
_BY_NAME = re.compile(
    r"""(?P<key>\b(?:secret|apiintegrationcode)\b["']?\s*[:=]\s*["']?)(?P<value>[^"',;&\s}\]]+)""",
    re.IGNORECASE,
)

logging.getLogger("autotask").addHandler(logging.NullHandler())


def register_secret(value: str) -> None:
    """Mask ``value`` wherever it appears in a library log record from now on.

    Very short values (under 6 characters) are not registered: masking every "s" would garble
    all logs. They are still masked wherever they appear as a header value.
    """
    if len(value) >= 6:
        with _SECRETS_LOCK:
            _SECRETS.add(value)


def mask(text: str) -> str:
    """``text`` with secret header values and registered secrets replaced by ``***``."""
    text = _BY_NAME.sub(lambda m: m.group("key") + MASK, text)
    for secret in tuple(_SECRETS):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


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
