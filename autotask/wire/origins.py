"""Origin rules, as pure functions: where credentials may go (CONTRACTS §4).

- A discovered zone URL must be https on a host ending in ``.autotask.net``; or, only when the
  lookup URL itself is loopback (the emulator), a URL on that same loopback host.
- An explicit ``base_url`` or lookup URL may use plain http only on a loopback host.
- Every request, next-page links included, stays on the zone's origin (``origin_of``).

Zone discovery and the zone cache, which use these rules, are in :mod:`autotask.wire.zones`.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse

from autotask.errors import ConfigError

__all__ = [
    "ZONE_HOST_SUFFIX",
    "Origin",
    "api_root",
    "check_base_url",
    "check_lookup_url",
    "check_zone_url",
    "is_autotask_host",
    "is_loopback",
    "origin_of",
]

ZONE_HOST_SUFFIX = ".autotask.net"

Origin = tuple[str, str, int]

# What the host part of a URL we send to may hold: a name or an IPv4 address, or a bracketed
# IPv6 address, and a port. Anything else (userinfo "@", a backslash, whitespace, escapes) is
# read differently by different URL parsers: urllib.parse puts "http://a\\@b/" on host b,
# while urllib3, which opens the connection, puts it on a. Every origin check here would then
# judge one host and the request go to another, with the credentials.
_AUTHORITY = re.compile(r"(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
_SCHEME_AND_AUTHORITY = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)")


def origin_of(url: str) -> Origin:
    """``(scheme, host, port)`` of ``url``, lower-cased, with the default port filled in.

    Raises:
        ConfigError: the host part holds anything but a host and a port (see above), so
            parsers could disagree on where the URL goes; or the URL does not parse.
    """
    match = _SCHEME_AND_AUTHORITY.match(url)
    if ("://" in url and match is None) or (match and not _AUTHORITY.fullmatch(match[2])):
        raise _ambiguous(url)
    try:
        parts = urllib.parse.urlsplit(url)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower()
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:  # a bad port, or brackets that are no IPv6 address
        raise ConfigError(f"refusing URL {url!r}: {exc}") from None
    if match is not None and parts.netloc != match[2]:  # urlsplit dropped characters
        raise _ambiguous(url)
    return scheme, host, port


def _ambiguous(url: str) -> ConfigError:
    return ConfigError(
        f"refusing URL {url!r}: its host part may hold only a host name or address and a "
        "port (no user name, backslash, space or escape)"
    )


def is_autotask_host(host: str) -> bool:
    """True for a host below ``.autotask.net`` (where every Autotask zone lives, fact sheet §1)."""
    return host.lower().endswith(ZONE_HOST_SUFFIX)


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def api_root(url: str) -> str:
    """``.../ATServicesRest/`` from a URL with or without the ``V1.0/`` segment."""
    url = _with_slash(url.strip())
    if url.lower().endswith("/v1.0/"):
        url = url[: -len("v1.0/")]
    return url


def _check_scheme_host(url: str, what: str) -> Origin:
    scheme, host, port = origin_of(url)
    if scheme not in ("http", "https") or not host:
        raise ConfigError(f"{what} must be an http(s) URL, not {url!r}", operation="ZONE")
    return scheme, host, port


def check_base_url(url: str) -> str:
    """Validate an explicit zone URL; returns it normalised to ``.../ATServicesRest/``.

    Raises:
        ConfigError: not http(s), or plain http on a host that is not loopback.
    """
    root = api_root(url)
    scheme, host, _ = _check_scheme_host(root, "base_url")
    if scheme == "http" and not is_loopback(host):
        raise ConfigError(
            f"refusing plain http to {host}: credentials would travel unencrypted "
            "(http is allowed only for loopback hosts, e.g. the emulator)"
        )
    return root


def check_lookup_url(url: str) -> str:
    """Validate a zone lookup URL; returns it normalised to ``.../ATServicesRest/V1.0/``."""
    root = api_root(url)
    scheme, host, _ = _check_scheme_host(root, "zone lookup URL")
    if scheme == "http" and not is_loopback(host):
        raise ConfigError(f"zone lookup must use https unless it is loopback, not {url!r}")
    return root + "V1.0/"


def check_zone_url(zone_url: str, lookup_url: str) -> str:
    """Validate a discovered zone URL against the allow-list (CONTRACTS §4).

    Returns:
        The zone URL normalised to ``.../ATServicesRest/``.

    Raises:
        ConfigError: the zone URL is not an https ``*.autotask.net`` host, nor (for a loopback
            lookup URL) on the lookup's own loopback host.
    """
    root = api_root(zone_url)
    scheme, host, _ = _check_scheme_host(root, "zone URL")
    _, lookup_host, _ = origin_of(lookup_url)
    if scheme == "https" and is_autotask_host(host):
        return root
    if is_loopback(lookup_host) and host == lookup_host:
        return root
    raise ConfigError(
        f"zone lookup answered {zone_url!r}, which is not an https *{ZONE_HOST_SUFFIX} host; "
        "refusing to send credentials there",
        operation="ZONE",
    )
