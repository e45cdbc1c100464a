"""Prometheus metrics shared by every role; each process exposes its own registry.

Every role serves them at /metrics on METRICS_PORT when set (the API summed over its processes
under API_PROCESSES), never on the API's public port.
"""

from __future__ import annotations

import os

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, multiprocess

HTTP_REQUESTS = Counter(
    "smarthabit_http_requests_total", "HTTP requests by route, method and status", ["route", "method", "status"]
)
HTTP_LATENCY = Histogram(
    "smarthabit_http_request_duration_seconds", "HTTP request latency by route and method", ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
CHECKINS = Counter("smarthabit_checkins_total", "Check-ins created, by source", ["source"])
CHECKIN_BATCH = Histogram(
    "smarthabit_checkin_batch_size", "Today's check-ins sent to PostgreSQL in one statement",
    buckets=(1, 2, 4, 8, 16, 32, 64),
)
TASKS = Counter("smarthabit_tasks_total", "Background tasks run, by task and outcome", ["task", "outcome"])
MESSAGES = Counter(
    "smarthabit_messages_total", "Telegram messages by kind and outcome (sent, failed, rate_limited, blocked)",
    ["kind", "outcome"],
)
REMINDER_LAG = Histogram(
    "smarthabit_reminder_lag_seconds", "Delay between a reminder's planned instant and its sending",
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600),
)

DELIVERY_QUEUE = Gauge(
    "smarthabit_delivery_queue_depth", "Messages planned and not yet sent, as the latest minute scan counted them",
    multiprocess_mode="mostrecent",
)
DELIVERY_DRAIN = Gauge(
    "smarthabit_delivery_drain_seconds", "Expected time to send the queued messages at the bot's message budget",
    multiprocess_mode="mostrecent",
)
MISSED_DEADLINE = Counter(
    "smarthabit_messages_missed_deadline_total", "Messages not sent because their deadline passed",
)


def metrics_registry() -> CollectorRegistry:
    """What /metrics shows: this process's registry or, when several API processes share a port
    (prometheus_client's multiprocess mode, PROMETHEUS_MULTIPROC_DIR set), the sum of all of them."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry
OUTCOME_UNKNOWN = Counter(
    "smarthabit_telegram_outcome_unknown_total",
    "Sends whose connection broke after the request was written (maybe delivered; never resent)",
)
