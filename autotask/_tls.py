"""TLS: always verified; where the CA certificates come from (issue 4, build-tooling.md §5).

Pure ``ssl``: the transport builds its urllib3 pools with :func:`tls_context`.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping, Sequence

from autotask.errors import ConfigError

__all__ = ["CA_FILES", "ca_bundle", "tls_context"]

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
    ca_file: str | None = None, environ: Mapping[str, str] | None = None
) -> ssl.SSLContext:
    """A verifying TLS context (hostname checked, certificates required) per :func:`ca_bundle`.

    Raises:
        ConfigError: the chosen CA file or directory cannot be loaded (the message names it).
    """
    cafile, capath = ca_bundle(ca_file, environ)
    try:
        if cafile is None and capath is None:
            return ssl.create_default_context()
        return ssl.create_default_context(cafile=cafile, capath=capath)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"cannot load CA certificates from {cafile or capath}: {exc}") from exc
