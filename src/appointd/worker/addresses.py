"""Where the dispatcher may send: http(s) URLs whose host is not loopback, private or
link-local, checked at creation and again, after DNS, before every delivery.

Checking resolved addresses before connecting leaves a window (the name may resolve elsewhere
a moment later); it stops the common mistakes and the plain attacks, and
``APPOINTD_WEBHOOKS_ALLOW_PRIVATE=true`` turns it off for local set-ups and tests.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class RefusedAddress(ValueError):
    """The URL may not be called; the message says why."""


def check_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL with a host; :class:`RefusedAddress` otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise RefusedAddress("must be an http:// or https:// URL")
    if not parts.hostname:
        raise RefusedAddress("must name a host")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError as exc:
        raise RefusedAddress("has a malformed port") from exc
    return url


def _private(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def refuse_private(url: str, *, resolve: bool = True) -> None:
    """:class:`RefusedAddress` if ``url``'s host is, or resolves to, a non-public address.

    A name that does not resolve passes when ``resolve`` is false (creation: it may resolve
    later); at delivery an unresolvable name fails the attempt anyway.
    """
    host = urlsplit(url).hostname or ""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        if _private(literal):
            raise RefusedAddress(f"{host} is a loopback, private or link-local address")
        return
    if host == "localhost" or host.endswith(".localhost"):
        raise RefusedAddress(f"{host} is a loopback address")
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError):
        if resolve:
            raise RefusedAddress(f"{host} does not resolve") from None
        return
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if _private(ip):
            raise RefusedAddress(
                f"{host} resolves to {ip}, a loopback, private or link-local address"
            )
