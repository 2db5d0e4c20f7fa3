"""Webhook benchmark (issue 22): updates/s through the webhook with one instance, as a ratio to polling in the
same run. Prints figures, not pass/fail.

    .venv/bin/python -m bench.webhook [--n 1000] [--people 40] [--connections 40]

Both paths run the full stack (create_dispatcher) on one SQLite database, over the fake Bot API:
- polling: aiogram's `start_polling` against a fake `getUpdates` that hands out the prepared updates in
  batches of 100 (as Telegram does), each handled as its own task;
- webhook: a real aiohttp server on 127.0.0.1 (bot/webhook.py, the secret checked), posted to by a client
  with `--connections` requests at a time (Telegram's default `max_connections` is 40).
The updates are /help from `--people` known people (their chats run side by side), and the writing step
(an audit row and the FSM state) of bench/dispatch.py. Each figure is the best of three runs.

    .venv/bin/python -m bench.webhook --instances [--n 1000] [--people 40] [--connections 40]

Two instances against one (issue 22; the goal: two ≥ 1.6 × one): PostgreSQL and Redis (127.0.0.1), a fresh
database and Redis prefix; each instance is a process of its own (`--serve`: the full stack, its webhook on
127.0.0.1, its own fake Bot API for the direct answers), the FSM, the chat's lock and the dedup in Redis. The
client posts every update to the one instance, then spreads them over both as a proxy would (one each in
turn), `--connections` at a time in all. The ratio is the second rate ÷ the first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aiogram.methods import GetUpdates
from aiogram.types import Update
from aiohttp import ClientSession, TCPConnector, web
from pydantic import SecretStr

from bench.dispatch import step_router
from bot.clock import FakeClock
from bot.devtools.harness import Chatter, World
from bot.webhook import SECRET_HEADER, webhook_app
from storage.db import make_engine
from storage.migrate import upgrade
from tests.conftest import make_settings

ROUNDS = 3
SECRET = "bench-webhook-secret"
URL = "https://bench.invalid/hook"


def feed_polling(world: World, queue: list[Update]) -> None:
    """getUpdates hands out `queue` from the offset asked, 100 at a time; empty: a short long-poll."""
    api = world.api
    real = api.make_request

    async def make_request(bot: Any, method: Any, **kw: Any) -> Any:
        if isinstance(method, GetUpdates):
            offset = method.offset or 0
            batch = [u for u in queue if u.update_id >= offset][: method.limit or 100]
            if not batch:
                await asyncio.sleep(0.01)
            # parsed from JSON as a real getUpdates answer is, so that both paths pay for it
            body = json.dumps({"ok": True, "result": [as_json(u) for u in batch]})
            return api.check_response(bot, method, 200, body).result
        return await real(bot, method, **kw)

    api.make_request = make_request  # type: ignore[method-assign]


def as_json(u: Update) -> dict[str, Any]:
    return u.model_dump(mode="json", by_alias=True, exclude_none=True)


def updates(world: World, people: list[Chatter], n: int, text: str) -> list[Update]:
    out = []
    for i in range(n):
        u = people[i % len(people)].message_update(text)
        world.api.remember(u.message)  # type: ignore[arg-type]
        out.append(u)
    return out


def answered(world: World) -> int:
    return len(world.api.calls_of("sendMessage"))


async def polling(world: World, batch: list[Update]) -> float:
    queue: list[Update] = []
    feed_polling(world, queue)
    done = answered(world) + len(batch)
    task = asyncio.create_task(
        world.dp.start_polling(world.bot, handle_signals=False, close_bot_session=False)
    )
    await asyncio.sleep(0.05)
    start = time.perf_counter()
    queue.extend(batch)
    while answered(world) < done:  # noqa: ASYNC110  (the fake's calls are counted: nothing to wait on)
        await asyncio.sleep(0.002)
    elapsed = time.perf_counter() - start
    await world.dp.stop_polling()
    await task
    return len(batch) / elapsed


async def webhook(batch: list[Update], base: str, connections: int) -> float:
    """Posted by a client in its own process (as Telegram is another machine), which reports its time."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump([as_json(u) for u in batch], f)
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.webhook",
            "--post",
            base,
            f.name,
            "--connections",
            str(connections),
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await proc.communicate()
    finally:
        Path(f.name).unlink()  # noqa: ASYNC240  (a bench's temporary file)
    assert proc.returncode == 0, out
    return len(batch) / float(out.decode().strip())


async def post_all(base: str, bodies: list[dict[str, Any]], connections: int) -> float:
    gate = asyncio.Semaphore(connections)
    async with ClientSession(connector=TCPConnector(limit=connections)) as client:

        async def post(body: dict[str, Any]) -> None:
            async with gate, client.post(f"{base}/hook", json=body, headers={SECRET_HEADER: SECRET}) as r:
                assert r.status == 200, r.status

        start = time.perf_counter()
        await asyncio.gather(*(post(b) for b in bodies))
        return time.perf_counter() - start


async def main(n: int, people_n: int, connections: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await upgrade(url)
        engine = make_engine(url)
        settings = make_settings(url, webhook_url=URL, webhook_secret=SecretStr(SECRET))
        world = await World(settings, engine, FakeClock(), extra_routers=(step_router(),)).start()
        people = [await world.staff(f"Người {i:03d}") for i in range(people_n)]
        runner = web.AppRunner(webhook_app(world.dp, world.bot, settings), handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        base = f"http://127.0.0.1:{port}"
        for p in people:  # warm: identities cached, connections made
            await p.send("/help")
        await webhook(updates(world, people, 50, "/help"), base, connections)
        for text in ("/help", "/step"):
            size = n if text == "/help" else n // 4
            polled = max([await polling(world, updates(world, people, size, text)) for _ in range(ROUNDS)])
            posted = max(
                [await webhook(updates(world, people, size, text), base, connections) for _ in range(ROUNDS)]
            )
            print(
                f"{text:6s} polling {polled:8.0f} updates/s   webhook {posted:8.0f} updates/s   "
                f"ratio {posted / polled:.2f}"
            )
        await runner.cleanup()
        await world.close()
        await engine.dispose()


async def serve(url: str, prefix: str, people_n: int) -> None:
    """One instance (`--serve`): prints its port, then serves until its stdin closes."""
    from bot.devtools.fake_api import ChatInfo
    from tests.dbs import REDIS_URL

    settings = make_settings(
        url, webhook_url=URL, webhook_secret=SecretStr(SECRET), redis_url=REDIS_URL, redis_prefix=prefix
    )
    engine = make_engine(url)
    world = await World(settings, engine, FakeClock(), extra_routers=(step_router(),)).start()
    for i in range(people_n):  # the chats the parent's people write from (World's first user id)
        world.api.register_chat(ChatInfo(100_001 + i, "private", first_name=f"{i:03d}"))
    runner = web.AppRunner(webhook_app(world.dp, world.bot, settings), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(site._server.sockets[0].getsockname()[1], flush=True)  # type: ignore[union-attr]
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await runner.cleanup()
    await world.close()
    await world.dp["redis"].aclose()
    await engine.dispose()


async def post_spread(bases: list[str], bodies: list[dict[str, Any]], connections: int) -> float:
    gate = asyncio.Semaphore(connections)
    async with ClientSession(connector=TCPConnector(limit=connections)) as client:

        async def post(i: int, body: dict[str, Any]) -> None:
            base = bases[i % len(bases)]
            async with gate, client.post(f"{base}/hook", json=body, headers={SECRET_HEADER: SECRET}) as r:
                assert r.status == 200, r.status

        start = time.perf_counter()
        await asyncio.gather(*(post(i, b) for i, b in enumerate(bodies)))
        return time.perf_counter() - start


async def spread(batch: list[Update], bases: list[str], connections: int) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump([as_json(u) for u in batch], f)
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.webhook", "--spread", ",".join(bases), f.name,
            "--connections", str(connections), stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, _ = await proc.communicate()
    finally:
        Path(f.name).unlink()  # noqa: ASYNC240  (a bench's temporary file)
    assert proc.returncode == 0, out
    return len(batch) / float(out.decode().strip())


async def instances_main(n: int, people_n: int, connections: int) -> None:
    import uuid

    from bench.dispatch import drop_pg, pg_url

    url, name = await pg_url()
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    procs = []
    try:
        await upgrade(url)
        engine = make_engine(url)
        settings = make_settings(url)
        world = await World(settings, engine, FakeClock(), first_update_id=1_000_000).start()
        people = [await world.staff(f"Người {i:03d}") for i in range(people_n)]
        bases = []
        for _ in range(2):
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.webhook", "--serve", url, prefix, "--people", str(people_n),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            procs.append(proc)
            port = int((await proc.stdout.readline()).decode())  # type: ignore[union-attr]
            bases.append(f"http://127.0.0.1:{port}")
        await spread(updates(world, people, 100, "/help"), bases, connections)  # warm both
        for text in ("/help", "/step"):
            size = n if text == "/help" else n // 4
            one = max(
                [
                    await spread(updates(world, people, size, text), bases[:1], connections)
                    for _ in range(ROUNDS)
                ]
            )
            two = max(
                [await spread(updates(world, people, size, text), bases, connections) for _ in range(ROUNDS)]
            )
            print(
                f"{text:6s} one instance {one:8.0f} updates/s   two instances {two:8.0f} updates/s   "
                f"ratio {two / one:.2f}"
            )
        await world.close()
        await engine.dispose()
    finally:
        for proc in procs:
            proc.stdin.close()  # type: ignore[union-attr]
            await proc.wait()
        await drop_pg(name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--connections", type=int, default=40)
    parser.add_argument("--post", nargs=2, metavar=("BASE", "FILE"), help=argparse.SUPPRESS)  # the client
    parser.add_argument(
        "--instances", action="store_true", help="two instances against one (PostgreSQL, Redis)"
    )
    parser.add_argument("--serve", nargs=2, metavar=("URL", "PREFIX"), help=argparse.SUPPRESS)  # one instance
    parser.add_argument("--spread", nargs=2, metavar=("BASES", "FILE"), help=argparse.SUPPRESS)  # the client
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve[0], args.serve[1], args.people))
    elif args.spread:
        bodies = json.loads(Path(args.spread[1]).read_text(encoding="utf-8"))
        print(asyncio.run(post_spread(args.spread[0].split(","), bodies, args.connections)))
    elif args.instances:
        asyncio.run(instances_main(args.n, args.people, args.connections))
    elif args.post:
        base, path = args.post
        bodies = json.loads(Path(path).read_text(encoding="utf-8"))
        print(asyncio.run(post_all(base, bodies, args.connections)))
    else:
        asyncio.run(main(args.n, args.people, args.connections))
