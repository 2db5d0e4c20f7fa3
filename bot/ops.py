"""The operator's endpoints at METRICS_LISTEN (issue 22), apart from the public webhook.

- `GET /healthz`: 200 when the database answers `SELECT 1` and Redis (when there is one) a PING, each within
  a few seconds; 503 otherwise. The body names each check: `{"database": "ok", "redis": "not used"}`.
- `GET /metrics`: Prometheus's text format (bot/metrics.py); the outbox's and the reminders' gauges are read
  from the database at each scrape.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Dispatcher
from aiohttp import web
from sqlalchemy import text

from bot.metrics import CONTENT_TYPE, exposition, refresh_gauges

log = logging.getLogger(__name__)
CHECK_TIMEOUT = 3.0


async def _check(probe: Any) -> str:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            await probe()
    except Exception as e:  # unreachable, refused, timed out: the name of the error only, never its text
        return f"failed: {type(e).__name__}"
    return "ok"


async def health(dp: Dispatcher) -> dict[str, str]:
    async def database() -> None:
        async with dp["engine"].connect() as conn:
            await conn.execute(text("SELECT 1"))

    redis = dp.workflow_data.get("redis")
    checks = {"database": await _check(database)}
    checks["redis"] = await _check(redis.ping) if redis is not None else "not used"
    return checks


def ops_app(dp: Dispatcher) -> web.Application:
    async def healthz(request: web.Request) -> web.Response:
        checks = await health(dp)
        ok = all(v in ("ok", "not used") for v in checks.values())
        return web.json_response(checks, status=200 if ok else 503)

    async def metrics(request: web.Request) -> web.Response:
        try:
            await refresh_gauges(dp["sessionmaker"], dp["clock"].now())
        except Exception as e:  # the counters still go out; the gauges keep their last values
            log.warning("metrics: the outbox could not be read: %s", type(e).__name__)
        return web.Response(body=exposition(), headers={"Content-Type": CONTENT_TYPE})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app
