"""Which addresses an outgoing webhook may reach: public unicast only (no SSRF).

Loopback, private (RFC 1918, unique local), link-local (which holds the cloud metadata service at
169.254.169.254 and fd00:ec2::254), carrier-grade NAT, multicast, reserved and unspecified addresses
are refused, also when an IPv6 address wraps an IPv4 one. The check runs when a webhook is created
and again at every send, on the very addresses the connection then uses (see `tasks.webhooks`), so a
DNS answer that changes after creation cannot point a hook inside.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from smarthabit.errors import ValidationFailed
from smarthabit.i18n import N_

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
ALLOWED_SCHEMES = ("http", "https")


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return is_public(mapped)
    return address.is_global and not address.is_multicast


def refused(message: str, details: object = None) -> ValidationFailed:
    return ValidationFailed(message, details, code="url_not_allowed")


def check_url_shape(url: str) -> tuple[str, int]:
    """(host, port) of an http(s) URL without credentials, or ValidationFailed."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise refused(N_("Not a valid URL")) from None
    if parts.scheme not in ALLOWED_SCHEMES or not parts.hostname:
        raise refused(N_("Only http:// and https:// URLs with a host are allowed"))
    if parts.username or parts.password:
        raise refused(N_("URLs with credentials are not allowed"))
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


async def resolve(host: str, port: int) -> list[IPAddress]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise refused(N_("The URL's host does not resolve"), {"host": host}) from None
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


async def check_destination(url: str, *, allow_private: bool) -> None:
    """Refuse a URL whose host is, or resolves to, any non-public address (unless allowed)."""
    host, port = check_url_shape(url)
    if allow_private:
        return
    literal = literal_address(host)
    addresses = [literal] if literal is not None else await resolve(host, port)
    bad = [str(address) for address in addresses if not is_public(address)]
    if bad or not addresses:
        raise refused(N_("The URL points to a private, loopback, link-local or metadata address"),
                      {"host": host, "addresses": bad})
