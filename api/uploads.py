"""Reading an uploaded file with our own size cap (imports are larger than JSON requests).

aiohttp's `client_max_size` caps `request.read()`; uploads are streamed here instead, counting
bytes, so an import can be bigger than an ordinary request and still has a hard limit (413).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from api.errors import ApiError

CHUNK = 64 * 1024


def too_large(limit: int) -> ApiError:
    return ApiError(413, "payload_too_large", f"The file is larger than the limit of {limit} bytes",
                    {"max_bytes": limit})


async def _read_capped(read_chunk: Callable[[int], Awaitable[bytes | bytearray]], limit: int) -> bytes:
    data = bytearray()
    while chunk := await read_chunk(CHUNK):
        data += chunk
        if len(data) > limit:
            raise too_large(limit)
    return bytes(data)


async def read_body(request: web.Request, limit: int) -> bytes:
    """The raw request body, at most `limit` bytes (413 beyond)."""
    if request.content_length is not None and request.content_length > limit:
        raise too_large(limit)
    return await _read_capped(request.content.read, limit)


async def read_upload(request: web.Request, limit: int, field: str = "file") -> bytes:
    """The multipart field `field` (or, for a non-multipart request, the body), at most `limit` bytes."""
    if not request.content_type.startswith("multipart/"):
        return await read_body(request, limit)
    if request.content_length is not None and request.content_length > limit + CHUNK:
        raise too_large(limit)
    try:
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if isinstance(part, BodyPartReader) and part.name == field:
                return await _read_capped(part.read_chunk, limit)
    except (ValueError, HttpProcessingError, UnicodeError):
        raise ApiError(400, "malformed_multipart", "The multipart body cannot be read") from None
    raise ApiError(422, "validation_error", f"Send the file in the multipart field `{field}`",
                   [{"loc": ["body", field], "msg": "Field required", "type": "missing"}])
