"""A bot process for the kill -9 test: runs the due work and the outbox sender on the given database, and
writes the chat id of every request that reaches (fake) Telegram to a file, one per line, before it is
answered. The test kills it with SIGKILL mid-run.

    python -m tests.handlers.reminder_child URL ISO LOG
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import datetime

from bot.clock import FakeClock
from bot.devtools.harness import World
from storage.db import make_engine
from tests.conftest import make_settings


async def main(url: str, when: str, log_path: str) -> None:
    world = World(
        make_settings(url, outbox_rate_global=150.0),
        make_engine(url),
        FakeClock(datetime.fromisoformat(when)),
    )
    await world.start()
    world.sender.batch = 100  # a claim larger than the bound: what bounds duplicates is not the claim
    api = world.api
    original = api.make_request
    log = open(log_path, "a", buffering=1)  # noqa: ASYNC230 - open until the process is killed

    async def recording(bot, method, timeout=None):  # type: ignore[no-untyped-def]  # noqa: ASYNC109
        if method.__api_method__ == "sendMessage":
            log.write(f"{method.chat_id}\n")
            log.flush()
            os.fsync(log.fileno())
        return await original(bot, method, timeout)

    api.make_request = recording  # type: ignore[method-assign]
    await world.run_due()
    print("queued", flush=True)
    await world.sender.drain(wait=False)
    print("done", flush=True)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
