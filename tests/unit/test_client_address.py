"""The client address behind trusted proxies: read from the right, never believing the client's own hops."""

from __future__ import annotations

from ipaddress import ip_network
from unittest.mock import Mock

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from api.client_address import client_address, rightmost_untrusted
from api.typedefs import SETTINGS
from smarthabit.config import Settings

PROXIES = [ip_network("10.0.0.0/8"), ip_network("fd00::/8")]


@pytest.mark.parametrize(("chain", "client"), [
    (["198.51.100.1"], "198.51.100.1"),
    (["6.6.6.6", "198.51.100.1", "10.0.0.2"], "198.51.100.1"),  # the spoofed leftmost hop is ignored
    (["10.1.1.1", "10.0.0.2"], "10.1.1.1"),  # all trusted: the first
    (["garbage", "10.0.0.2"], None),  # not an address: the peer is used
    (["2001:db8::5", "fd00::1"], "2001:db8::5"),
    ([], None),
])
def test_rightmost_untrusted(chain: list[str], client: str | None) -> None:
    assert rightmost_untrusted(chain, PROXIES) == client


def _request(peer: str, headers: dict[str, str], proxies: str = "") -> web.Request:
    app = web.Application()
    app[SETTINGS] = Settings(trusted_proxies=proxies, _env_file=None)  # type: ignore[call-arg]
    transport = Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: (peer, 4711) if name == "peername" else default
    return make_mocked_request("GET", "/", headers=headers, app=app, transport=transport)


def test_forwarded_headers_count_only_from_trusted_peers() -> None:
    spoofed = {"X-Forwarded-For": "198.51.100.1"}
    assert client_address(_request("203.0.113.9", spoofed)) == "203.0.113.9"  # no TRUSTED_PROXIES
    assert client_address(_request("203.0.113.9", spoofed, "10.0.0.0/8")) == "203.0.113.9"  # untrusted peer
    assert client_address(_request("10.0.0.3", spoofed, "10.0.0.0/8")) == "198.51.100.1"
    forwarded = {"Forwarded": 'for=6.6.6.6, for="[2001:db8::7]:4711";proto=https'}
    assert client_address(_request("10.0.0.3", forwarded, "10.0.0.0/8")) == "2001:db8::7"
    assert client_address(_request("10.0.0.3", {}, "10.0.0.0/8")) == "10.0.0.3"
