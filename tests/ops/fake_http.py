"""A fake Telegram served over HTTP, for bot processes pointed at it with TELEGRAM_API_URL (issue 22).

`POST /bot<token>/<method>`: getUpdates hands each queued update to whichever process asks first (no
offsets: an update is handed out once); sendMessage is recorded with the time it arrived and the token
that sent it, once answered, after `send_delay` (so that requests are in flight); anything else is `true`.
Each instance is given its own token (the same bot id), so the fake knows which one asked.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web


@dataclass
class SentMessage:
    at: float
    token: str
    chat_id: int
    text: str


@dataclass
class HttpTelegram:
    send_delay: float = 0.02
    updates: deque[dict[str, Any]] = field(default_factory=deque)
    handed: dict[int, str] = field(default_factory=dict)  # update id -> the token it went to
    sent: list[SentMessage] = field(default_factory=list)
    in_flight: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    url: str = ""

    async def start(self) -> HttpTelegram:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self.handle)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def handle(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        form = dict(await request.post()) if request.can_read_body else {}
        result = await self.answer(token, method.lower(), {k: str(v) for k, v in form.items()})
        return web.json_response({"ok": True, "result": result})

    async def answer(self, token: str, method: str, form: dict[str, str]) -> Any:
        if method == "getme":
            return {"id": 1, "is_bot": True, "first_name": "Thi đua", "username": "thidua_test_bot"}
        if method == "getupdates":
            limit = int(form.get("limit") or 100)
            deadline = time.monotonic() + min(float(form.get("timeout") or 0), 0.5)
            while not self.updates and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.02)
            out = []
            while self.updates and len(out) < limit:
                update = self.updates.popleft()
                self.handed[update["update_id"]] = token
                out.append(update)
            return out
        if method == "sendmessage":
            self.in_flight += 1
            arrived = time.monotonic()  # when the request came: what Telegram paces
            try:
                await asyncio.sleep(self.send_delay)
                chat_id = int(form["chat_id"])
                self.sent.append(SentMessage(arrived, token, chat_id, form.get("text", "")))
                return {
                    "message_id": next(self._ids),
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private", "first_name": "X"},
                    "text": form.get("text", ""),
                }
            finally:
                self.in_flight -= 1
        return True


def bot_process(log: Path, **env: str) -> subprocess.Popen[bytes]:
    """`thidua run --polling` with `env` (DATABASE_URL, BOT_TOKEN, TELEGRAM_API_URL, …) over the tests'
    settings (no metrics, no webhook, no quiet hours), its output appended to `log`."""
    quiet = {"METRICS_LISTEN": "", "WEBHOOK_URL": "", "REMINDER_QUIET_HOURS": "", "LOG_LEVEL": "INFO"}
    script = Path(sys.executable).parent / "thidua"
    return subprocess.Popen(
        [str(script), "run", "--polling"],
        env={**os.environ, **quiet, **env},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def message_update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": f"U{user_id}", "language_code": "vi"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": user["first_name"]},
            "from": user,
            "text": text,
        },
    }


def dumps(x: Any) -> str:
    return json.dumps(x)
