"""TLS: always verified; where the CA certificates come from (issue 4, build-tooling.md §5);
legacy renegotiation for Autotask's IIS servers (issue 7 item 3).

Pure ``ssl``: the transport builds its urllib3 pools with :func:`tls_context`.

**Legacy renegotiation.** OpenSSL 3 refuses servers that do not support secure renegotiation
(RFC 5746) with ``UNSAFE_LEGACY_RENEGOTIATION_DISABLED``; a peer client had to allow it against
Autotask's IIS servers in 2023 (fact sheet §2). ``RequestConfig.tls_legacy_renegotiation``:

- ``"auto"`` (default): after that exact failure, and only for an Autotask host
  (``*.autotask.net``), reconnect once with ``OP_LEGACY_SERVER_CONNECT`` (see
  :func:`legacy_renegotiation_retry`); the transport logs it at WARNING once per host;
- ``"always"``: allow it from the start, for every host;
- ``"never"``: never allow it.

Certificates and host names are verified in every mode.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterator, Mapping, Sequence

from autotask.errors import ConfigError
from autotask.wire.origins import is_autotask_host

__all__ = [
    "CA_FILES",
    "LEGACY_REASON",
    "LEGACY_RENEGOTIATION_MODES",
    "OP_LEGACY_SERVER_CONNECT",
    "ca_bundle",
    "failed_before_sending",
    "legacy_renegotiation_retry",
    "tls_context",
]

#: The values of ``RequestConfig.tls_legacy_renegotiation``.
LEGACY_RENEGOTIATION_MODES = ("auto", "always", "never")
#: OpenSSL's SSL_OP_LEGACY_SERVER_CONNECT (``ssl`` names it only from Python 3.12).
OP_LEGACY_SERVER_CONNECT: int = getattr(ssl, "OP_LEGACY_SERVER_CONNECT", 0x4)
#: The reason OpenSSL 3 gives when a server lacks secure renegotiation.
LEGACY_REASON = "UNSAFE_LEGACY_RENEGOTIATION_DISABLED"

#: CA bundles probed, in order, when neither ``ca_file`` nor SSL_CERT_FILE/SSL_CERT_DIR is set
#: (Debian, RHEL, SUSE, ... layouts: build-tooling.md §5). The single binary carries Debian's
#: OpenSSL, whose default paths do not exist on RHEL-style systems.
CA_FILES = (
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
)


def ca_bundle(
    ca_file: str | None = None,
    environ: Mapping[str, str] | None = None,
    candidates: Sequence[str] = CA_FILES,
) -> tuple[str | None, str | None]:
    """Where TLS certificates come from: ``(cafile, capath)``; ``(None, None)`` = OpenSSL defaults.

    Order: ``ca_file`` (``RequestConfig(ca_file=...)``); else ``SSL_CERT_FILE`` /
    ``SSL_CERT_DIR`` (empty values count as unset); else the first existing file of
    ``candidates`` (:data:`CA_FILES`); else OpenSSL's defaults.

    Args:
        ca_file: an explicit CA bundle.
        environ: the environment to read (default ``os.environ``).
        candidates: the files probed, in order.
    """
    if ca_file:
        return ca_file, None
    env = os.environ if environ is None else environ
    cert_file, cert_dir = env.get("SSL_CERT_FILE") or None, env.get("SSL_CERT_DIR") or None
    if cert_file or cert_dir:
        return cert_file, cert_dir
    for candidate in candidates:
        if os.path.isfile(candidate):
            return candidate, None
    return None, None


def tls_context(
    ca_file: str | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    legacy_renegotiation: bool = False,
) -> ssl.SSLContext:
    """A verifying TLS context (hostname checked, certificates required) per :func:`ca_bundle`.

    Args:
        ca_file: an explicit CA bundle.
        environ: the environment to read (default ``os.environ``).
        legacy_renegotiation: also connect to servers without secure renegotiation
            (``OP_LEGACY_SERVER_CONNECT``); verification stays on.

    Raises:
        ConfigError: the chosen CA file or directory cannot be loaded (the message names it).
    """
    cafile, capath = ca_bundle(ca_file, environ)
    try:
        if cafile is None and capath is None:
            context = ssl.create_default_context()
        else:
            context = ssl.create_default_context(cafile=cafile, capath=capath)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"cannot load CA certificates from {cafile or capath}: {exc}") from exc
    if legacy_renegotiation:
        context.options |= OP_LEGACY_SERVER_CONNECT
    return context


def legacy_renegotiation_retry(mode: str, host: str, error_text: str) -> bool:
    """Whether a failed handshake with ``host`` is retried with legacy renegotiation allowed.

    Only in mode ``"auto"``, only for an Autotask host (``*.autotask.net``), and only when the
    failure is OpenSSL's refusal of a server without secure renegotiation. (In ``"always"``
    the context allows it from the start; in ``"never"`` nothing changes.)

    Args:
        mode: ``RequestConfig.tls_legacy_renegotiation``.
        host: the host the handshake was with.
        error_text: the TLS error's text.
    """
    return mode == "auto" and is_autotask_host(host) and LEGACY_REASON in error_text


# Where urllib3 sets a connection up (TCP connect, TLS handshake): an exception raised below
# these frames ended the try before a byte of the request was written.
_CONNECT_FRAMES = frozenset({"_validate_conn", "_new_conn", "do_handshake"})
# OpenSSL reasons that only a handshake gives (in case frames are unavailable).
_HANDSHAKE_REASONS = frozenset(
    {
        "WRONG_VERSION_NUMBER",
        "UNSUPPORTED_PROTOCOL",
        "NO_PROTOCOLS_AVAILABLE",
        "TLSV1_ALERT_PROTOCOL_VERSION",
        "SSLV3_ALERT_HANDSHAKE_FAILURE",
        "NO_SHARED_CIPHER",
        "NO_CIPHERS_AVAILABLE",
        "VERSION_TOO_LOW",
        "TLSV1_ALERT_INSUFFICIENT_SECURITY",
        LEGACY_REASON,
    }
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception it wraps (cause, context, urllib3's wrapped ``args``)."""
    todo: list[BaseException | None] = [exc]
    seen: set[int] = set()
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [current.__cause__, current.__context__]
        todo += [a for a in current.args if isinstance(a, BaseException)]


def failed_before_sending(exc: BaseException) -> bool:
    """True when ``exc`` arose while the connection was being set up, before the request.

    A failed TLS handshake (a protocol or cipher mismatch, https spoken to a plain-http port, a
    reset during it) sent no byte of the request, so even a write is safe to resend (issue 7
    item 2). Known by where it was raised (urllib3's connection setup, ssl's handshake) or by
    an OpenSSL reason that only a handshake gives.
    """
    for error in _chain(exc):
        if isinstance(error, ssl.SSLError) and error.reason in _HANDSHAKE_REASONS:
            return True
        frames = error.__traceback__
        while frames is not None:
            if frames.tb_frame.f_code.co_name in _CONNECT_FRAMES:
                return True
            frames = frames.tb_next
    return False
