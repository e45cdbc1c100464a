"""The client's address: the socket's peer, or, when that peer is one of TRUSTED_PROXIES, what the
proxies recorded in `Forwarded` (RFC 7239) or `X-Forwarded-For`.

Each proxy appends the address it received the request from, so the list is read from the right:
trusted proxies are skipped and the first address that is not one of them is the client. Anything
left of it was written by the client itself and is never believed. Rate limits key on this address.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address

from aiohttp import hdrs, web

from api.typedefs import SETTINGS

Network = IPv4Network | IPv6Network


def client_address(request: web.Request) -> str:
    """The address rate limits and logs should name for this request."""
    peer = request.remote or "unknown"
    proxies = request.app[SETTINGS].trusted_proxies
    if not proxies or not _is_trusted(peer, proxies):
        return peer
    return rightmost_untrusted(_forwarded_chain(request), proxies) or peer


def rightmost_untrusted(chain: Sequence[str], proxies: Sequence[Network]) -> str | None:
    """The client in a chain of hops (client first): the last hop that is not a trusted proxy; the
    first hop when every hop is trusted; None when the hop found is not an IP address."""
    for hop in reversed(chain):
        if not _is_trusted(hop, proxies):
            return hop if _parse(hop) is not None else None
    return chain[0] if chain else None


def _forwarded_chain(request: web.Request) -> list[str]:
    """The hops recorded by the proxies, client first: `Forwarded` when present, else X-Forwarded-For."""
    if hdrs.FORWARDED in request.headers:
        return [_strip_port(element.get("for") or "") for element in request.forwarded]
    values = ",".join(request.headers.getall(hdrs.X_FORWARDED_FOR, ()))
    return [_strip_port(hop.strip()) for hop in values.split(",") if hop.strip()]


def _strip_port(node: str) -> str:
    """`[2001:db8::1]:4711` -> `2001:db8::1`, `192.0.2.1:80` -> `192.0.2.1`; others unchanged."""
    if node.startswith("["):
        return node[1:].partition("]")[0]
    if node.count(":") == 1:
        return node.partition(":")[0]
    return node


def _parse(address: str) -> object | None:
    try:
        return ip_address(address)
    except ValueError:
        return None


def _is_trusted(address: str, proxies: Sequence[Network]) -> bool:
    parsed = _parse(address)
    return parsed is not None and any(parsed in network for network in proxies)
