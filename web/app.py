"""Serve the web app's files: one aiohttp sub-application the composition root mounts at /app.

Files are read once at start, gzip-compressed once and served with an ETag, so a revisit costs a 304.
Any path that is not a file is a view of the single-page app (`/app/habit/3`) and gets index.html.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

STATIC_DIR = Path(__file__).parent / "static"
INDEX = "index.html"
PREFIX = "/app"
# The page runs only our own scripts; Telegram shows it in an iframe on web.telegram.org.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml",
         ".json": "application/json", ".png": "image/png", ".ico": "image/x-icon"}


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    gzipped: bytes | None  # None when compressing does not pay (images)
    content_type: str
    etag: str


def _load(path: Path) -> Asset:
    body = path.read_bytes()
    content_type = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    compressible = content_type.startswith("text/") or content_type.endswith(("json", "xml"))
    gzipped = gzip.compress(body, compresslevel=9, mtime=0) if compressible else None
    return Asset(body, gzipped, content_type, f'"{hashlib.sha256(body).hexdigest()[:20]}"')


def load_assets(root: Path = STATIC_DIR) -> dict[str, Asset]:
    """Every file under `root` by its relative path (forward slashes)."""
    return {path.relative_to(root).as_posix(): _load(path) for path in sorted(root.rglob("*")) if path.is_file()}


def _respond(request: web.Request, asset: Asset) -> web.Response:
    headers = {**SECURITY_HEADERS, "ETag": asset.etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    if request.headers.get("If-None-Match") == asset.etag:
        return web.Response(status=304, headers=headers)
    body = asset.body
    if asset.gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
        body, headers["Content-Encoding"] = asset.gzipped, "gzip"
    charset = "utf-8" if asset.content_type.startswith("text/") else None
    return web.Response(body=body, headers=headers, content_type=asset.content_type, charset=charset)


def create_app(root: Path = STATIC_DIR) -> web.Application:
    """The web app as a sub-application; mount it with `api_app.add_subapp(PREFIX, create_app())`."""
    assets = load_assets(root)
    index = assets[INDEX]

    async def serve(request: web.Request) -> web.Response:
        path = request.match_info["path"]
        asset = assets.get(path) if path and path != INDEX else index
        if asset is None:
            if path.startswith("static/") or "." in path.rsplit("/", 1)[-1]:
                raise web.HTTPNotFound(text="not found")
            asset = index  # a view of the single-page app
        return _respond(request, asset)

    app = web.Application()
    app.router.add_get("/{path:.*}", serve, name="web_app")
    return app
