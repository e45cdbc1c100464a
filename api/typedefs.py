"""Typed application state, one AppKey per shared resource."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from telegram.ext import Application

    from api.passwords import PasswordHasher
    from api.ratelimit import RateLimiter
    from api.routing import Route
    from smarthabit.config import Settings
    from smarthabit.outages import Dependencies

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
# Redis when REDIS_URL is set (rate limits, the broker's health); None otherwise.
REDIS: web.AppKey[Redis | None] = web.AppKey("redis")
PASSWORDS: web.AppKey[PasswordHasher] = web.AppKey("passwords")
LIMITER: web.AppKey[RateLimiter] = web.AppKey("limiter")
# The routes this app serves: the OpenAPI document is written from them.
ROUTES: web.AppKey[tuple[Route, ...]] = web.AppKey("routes")
# The bot fed by the webhook (production mode), passed in by the composition root.
TELEGRAM_APP: web.AppKey[Application[Any, Any, Any, Any, Any, Any]] = web.AppKey("telegram_app")
# PostgreSQL's and Redis' outages as this process sees them (503 answers, one log line per outage).
DEPENDENCIES: web.AppKey[Dependencies] = web.AppKey("dependencies")
