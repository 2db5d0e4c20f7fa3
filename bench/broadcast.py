"""Broadcast benchmark: one batch to N private chats at Telegram's true rate. Prints ratios, not pass/fail.

    .venv/bin/python -m bench.broadcast [--n 600] [--flood 0.05] [--blocked 0.02] [--retry-after 1]

A fake Bot API enforces Telegram's flood limits on the real clock (bot/devtools/ratelimit.py): sliding
windows of 30 messages a second overall and 1 a second per chat, with a 429 and a whole-second retry_after
beyond. It injects 429s into a fraction of the requests (that request only: it takes no place in the window,
and its chat is retried after retry_after while the others go on) and makes a fraction of the recipients
blocked (403). The time scale is not compressed: retry_after is a whole number of seconds, so a faster clock
would distort every sender. N = 600 takes about 20 s (the ideal is N / 30 s).

Measured, under the same fake and the same injections (the same seed):
- our OutboxSender (bot/sender.py) draining one batch queued with Outbox(ctx), on SQLite;
- python-telegram-bot's AIORateLimiter (max_retries set, so it retries 429s), sending the batch with
  asyncio.gather, when it is installed (`pip install -e ".[bench]"`); else the line says why.
Throughput is the ratio of the ideal time to the time taken (goal ≥ 0.95); lost counts the reachable
recipients who got nothing, duplicated the messages beyond one (goal 0 for both). The last line:
`ratio R lost L duplicated D (ptb R2)`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.context import Ctx
from bot.devtools.harness import World
from bot.devtools.ratelimit import FloodControl, exceeded
from bot.identity import IdentityCache
from bot.services.outbox import Outbox
from storage.db import make_engine
from storage.migrate import upgrade
from storage.uow import UnitOfWork
from tests.conftest import make_settings

FIRST_CHAT = 700_001
TEXT = "Trường Cao đẳng biểu dương các cá nhân điển hình tiên tiến năm học 2026–2027."


@dataclass
class Result:
    seconds: float
    delivered: Counter[int]
    limits: FloodControl

    def ratio(self, n: int) -> float:
        return (n / 30) / self.seconds

    def lost(self, chats: list[int]) -> int:
        return sum(1 for c in chats if c not in self.limits.blocked and self.delivered[c] == 0)

    def duplicated(self) -> int:
        return sum(k - 1 for k in self.delivered.values() if k > 1)


@dataclass
class Setup:
    n: int
    flood: float
    blocked: float
    retry_after: int
    seed: int = 14

    @property
    def chats(self) -> list[int]:
        return list(range(FIRST_CHAT, FIRST_CHAT + self.n))

    def limits(self) -> FloodControl:
        blocked = set(random.Random(self.seed).sample(self.chats, round(self.n * self.blocked)))
        return FloodControl(
            time.monotonic, flood=self.flood, retry_after=self.retry_after, blocked=blocked, seed=self.seed
        )


# -- ours ------------------------------------------------------------------------------------------------
async def ours(setup: Setup, tmp: Path) -> Result:
    url = f"sqlite+aiosqlite:///{tmp / 'broadcast.db'}"
    await upgrade(url)
    settings = make_settings(url, outbox_rate_global=30, outbox_rate_private=1, outbox_group_per_minute=20)
    engine = make_engine(url)
    world = await World(settings, engine, Clock()).start()  # type: ignore[arg-type]
    async with UnitOfWork(world.sessionmaker) as uow:
        ob = Outbox(Ctx(uow, world.clock, IdentityCache(), settings))
        batch = ob.new_batch("bench")
        for chat_id in setup.chats:
            ob.enqueue(chat_id, TEXT, batch=batch)
    limits = world.api.limits = setup.limits()
    start = time.monotonic()
    await world.sender.drain()
    seconds = time.monotonic() - start
    delivered = Counter({c: len(world.api.sent_to(c)) for c in setup.chats})
    await world.close()
    await engine.dispose()
    return Result(seconds, delivered, limits)


# -- python-telegram-bot -----------------------------------------------------------------------------
def ptb_request_class() -> Any:
    from telegram.request import BaseRequest

    class FakeRequest(BaseRequest):
        """PTB's network layer answered by the same flood control, in-process."""

        def __init__(self, limits: FloodControl) -> None:
            self.limits = limits
            self.delivered: Counter[int] = Counter()
            self._ids = 0

        @property
        def read_timeout(self) -> float | None:
            return 5.0

        async def initialize(self) -> None:
            return None

        async def shutdown(self) -> None:
            return None

        async def do_request(
            self, url: str, method: str, request_data: Any = None, **_: Any
        ) -> tuple[int, bytes]:
            name = url.rsplit("/", 1)[-1]
            params = request_data.parameters if request_data is not None else {}
            if name == "getMe":
                me = {"id": 7_000_000_001, "is_bot": True, "first_name": "Thi đua", "username": "thidua_bot"}
                return 200, json.dumps({"ok": True, "result": me}).encode()
            chat_id = int(params["chat_id"])
            refusal = self.limits.check(name, chat_id)
            if refusal is not None:
                body: dict[str, Any] = {
                    "ok": False,
                    "error_code": refusal.status,
                    "description": refusal.description,
                }
                if refusal.retry_after is not None:
                    body["parameters"] = {"retry_after": refusal.retry_after}
                return refusal.status, json.dumps(body).encode()
            self.delivered[chat_id] += 1
            self._ids += 1
            chat = {"id": chat_id, "type": "private", "first_name": str(chat_id)}
            msg = {
                "message_id": self._ids,
                "date": int(time.time()),
                "chat": chat,
                "text": params.get("text"),
            }
            return 200, json.dumps({"ok": True, "result": msg}).encode()

    return FakeRequest


async def ptb(setup: Setup) -> Result | str:
    try:
        from telegram.error import Forbidden
        from telegram.ext import AIORateLimiter, ExtBot
    except ImportError:
        return 'not installed: pip install -e ".[bench]" to compare with python-telegram-bot'
    limits = setup.limits()
    request = ptb_request_class()(limits)
    limiter = AIORateLimiter(max_retries=10)  # retries a 429 after its retry_after (0 would give up)
    bot = ExtBot("123:ABC", request=request, get_updates_request=request, rate_limiter=limiter)
    await bot.initialize()

    async def send(chat_id: int) -> None:
        try:
            await bot.send_message(chat_id, TEXT)
        except Forbidden:
            pass  # blocked: not retried

    start = time.monotonic()
    await asyncio.gather(*(send(c) for c in setup.chats))
    seconds = time.monotonic() - start
    await bot.shutdown()
    return Result(seconds, Counter({c: request.delivered[c] for c in setup.chats}), limits)


def report(label: str, setup: Setup, r: Result) -> None:
    refused = r.limits.refused
    over = exceeded(r.limits.accepted) or ["none"]
    print(
        f"{label:8s} {r.seconds:6.1f} s (ideal {setup.n / 30:.1f} s)  ratio {r.ratio(setup.n):.3f}  "
        f"lost {r.lost(setup.chats)}  duplicated {r.duplicated()}  429 beyond the limits {refused['limit']}  "
        f"injected 429 {refused['flood']}  blocked {refused['blocked']}  windows exceeded: {'; '.join(over)}"
    )


async def main(setup: Setup) -> None:
    logging.basicConfig(level=logging.ERROR)
    print(
        f"{setup.n} private chats, one message each; limits 30/s overall, 1/s per chat; injected 429 "
        f"{setup.flood:.0%} (retry_after {setup.retry_after} s), blocked {setup.blocked:.0%}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        mine = await ours(setup, Path(tmp))
    report("ours", setup, mine)
    theirs = await ptb(setup)
    if isinstance(theirs, str):
        print(f"ptb      {theirs}")
        tail = "ptb not installed"
    else:
        report("ptb", setup, theirs)
        tail = f"ptb {theirs.ratio(setup.n):.2f}"
    lost, dup = mine.lost(setup.chats), mine.duplicated()
    print(f"ratio {mine.ratio(setup.n):.2f} lost {lost} duplicated {dup} ({tail})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=600)
    parser.add_argument("--flood", type=float, default=0.05, help="fraction of requests answered 429")
    parser.add_argument(
        "--blocked", type=float, default=0.02, help="fraction of recipients who blocked the bot"
    )
    parser.add_argument("--retry-after", type=int, default=1, help="retry_after of an injected 429, seconds")
    a = parser.parse_args()
    asyncio.run(main(Setup(a.n, a.flood, a.blocked, a.retry_after)))
