"""`ETag` / `If-None-Match` on GETs: a client that already holds the answer gets 304 and no body.

The tag is a hash of the JSON body the handler produced, so it changes exactly when the answer
does (computing the answer is not saved, the transfer is: what polling sync clients care about).
"""

from __future__ import annotations

import hashlib

from aiohttp import web
from aiohttp.typedefs import Handler


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(header: str, etag: str) -> bool:
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in candidates or etag in candidates


@web.middleware
async def etag_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    if request.method not in ("GET", "HEAD") or response.status != 200 or not isinstance(response, web.Response):
        return response
    body = response.body
    if not isinstance(body, bytes | bytearray):
        return response
    etag = etag_of(bytes(body))
    response.headers["ETag"] = etag
    if _matches(request.headers.get("If-None-Match", ""), etag):
        return web.Response(status=304, headers={"ETag": etag, "Cache-Control": "private, no-cache"})
    response.headers.setdefault("Cache-Control", "private, no-cache")
    return response
