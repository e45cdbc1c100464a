"""Headers every answer carries, and CORS for the browser origins in CORS_ORIGINS.

- `Server` names the product, not its versions (aiohttp announces its own and Python's otherwise).
- `Cache-Control: no-store` unless a handler chose otherwise: answers carry tokens and personal data,
  which no shared or browser cache should keep.
- `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer` everywhere, and a strict
  Content-Security-Policy on HTML pages that do not bring their own (pages load only their own
  scripts and styles: 'self'; a page that needs more sets its own header, which is kept).
"""

from __future__ import annotations

import aiohttp_cors
from aiohttp import web

from api.typedefs import SETTINGS

SERVER = "SmartHabit"
# Telegram's web client shows the Mini App (/app) in a frame: it is the one other page that may frame ours.
HTML_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self' https://web.telegram.org")
_ALWAYS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
# What a browser page of an allowed origin may send and read.
CORS_REQUEST_HEADERS = ("Authorization", "Content-Type", "X-Request-ID")
CORS_EXPOSED_HEADERS = ("X-Request-ID", "Retry-After", "WWW-Authenticate")


async def secure_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: runs for every answer of the app, errors included."""
    headers = response.headers
    headers["Server"] = SERVER
    for name, value in _ALWAYS.items():
        headers.setdefault(name, value)
    if response.content_type == "text/html":
        headers.setdefault("Content-Security-Policy", HTML_CSP)


def enable_cors(app: web.Application) -> None:
    """Allow the CORS_ORIGINS origins (exact matches; none by default) to call every route from a
    browser with a bearer token (no cookies: credentials are not allowed)."""
    origins = app[SETTINGS].cors_origins
    if not origins:
        return
    options = aiohttp_cors.ResourceOptions(allow_credentials=False, allow_headers=CORS_REQUEST_HEADERS,
                                           expose_headers=CORS_EXPOSED_HEADERS, allow_methods="*", max_age=600)
    cors = aiohttp_cors.setup(app, defaults=dict.fromkeys(origins, options))
    for route in list(app.router.routes()):
        cors.add(route)
