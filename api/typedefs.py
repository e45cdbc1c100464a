"""Typed application state, one AppKey per shared resource."""

from __future__ import annotations

from aiohttp import web

from smarthabit.config import Settings

SETTINGS = web.AppKey("settings", Settings)
