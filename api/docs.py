"""The API reference page's assets: Swagger UI as the swagger-ui-py package installs it.

Served from the package's own folder, so /docs renders offline (no CDN). The package is found
without importing it (its import pulls in its per-framework integrations, which we do not use).
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from aiohttp import web

DOCS_ASSETS_PATH = "/docs/assets"


def swagger_ui_dir() -> Path:
    spec = find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed: reinstall SmartHabit (pip install -e .)")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def add_docs_assets(app: web.Application) -> None:
    app.router.add_static(DOCS_ASSETS_PATH, swagger_ui_dir(), name="docs-assets")
