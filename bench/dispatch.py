"""Dispatch benchmark: bare aiogram vs the full stack. Prints ratios, not pass/fail.

    .venv/bin/python -m bench.dispatch [--n 2000]

Measures, on SQLite and on PostgreSQL when reachable:
- bare aiogram with an echo handler (the baseline, over the same fake Bot API session);
- the full stack answering /help for a known person;
- one conversation step that writes (the FSM state and an audit row);
and ends with one line: `help R1 step R2 p99 X ms` (the first backend's figures). Rates are the best of
three runs each; p99 is over every writing step of the three runs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from aiogram import Dispatcher, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Chat, Message, Update, User

from bot.clock import FakeClock
from bot.context import Ctx
from bot.devtools.fake_api import FakeTelegram
from bot.devtools.harness import TEST_TOKEN, World
from bot.services.audit import Audit
from bot.telegram import create_bot
from storage.db import make_engine
from storage.migrate import upgrade
from tests.conftest import make_settings
from tests.dbs import PG_UP

ROUNDS = 3


class BenchSG(StatesGroup):
    a = State()
    b = State()


def step_router() -> Router:
    r = Router(name="bench-step")

    @r.message(Command("step"))
    async def step(message: Message, state: FSMContext, ctx: Ctx) -> None:
        current = await state.get_state()
        Audit(ctx).record("bench.step", "bench", message.message_id)
        await state.set_state(BenchSG.b if current == BenchSG.a.state else BenchSG.a)
        await message.answer("ok")

    return r


def message_update(uid: int, user: User, text: str) -> Update:
    chat = Chat(id=user.id, type="private")
    msg = Message(message_id=uid, date=datetime.now(UTC), chat=chat, from_user=user, text=text)
    return Update(update_id=uid, message=msg)


async def bare(n: int) -> float:
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    bot = create_bot(make_settings("sqlite://"), session=FakeTelegram(), token=TEST_TOKEN)
    user = User(id=42, is_bot=False, first_name="A")
    updates = [message_update(i + 1, user, "hi") for i in range(n)]
    for u in updates[:50]:
        await dp.feed_update(bot, u)
    start = time.perf_counter()
    for u in updates[50:]:
        await dp.feed_update(bot, u)
    return (n - 50) / (time.perf_counter() - start)


async def full(url: str, n: int) -> tuple[float, float, float]:
    await upgrade(url)
    engine = make_engine(url)
    world = await World(make_settings(url), engine, FakeClock(), extra_routers=(step_router(),)).start()
    hoa = await world.staff("Nguyễn Thị Hoa")
    for _ in range(20):
        await hoa.send("/help")
        await hoa.send("/step")
    help_rates, step_rates, latencies = [], [], []
    for _ in range(ROUNDS):
        helps = [hoa.message_update("/help") for _ in range(n)]
        start = time.perf_counter()
        for u in helps:
            await world.feed(u)
        help_rates.append(n / (time.perf_counter() - start))

        steps = [hoa.message_update("/step") for _ in range(n // 4)]
        start = time.perf_counter()
        for u in steps:
            t0 = time.perf_counter()
            await world.feed(u)
            latencies.append(time.perf_counter() - t0)
        step_rates.append(len(steps) / (time.perf_counter() - start))
    help_rate, step_rate = max(help_rates), max(step_rates)
    p99 = statistics.quantiles(latencies, n=100)[98] * 1000
    await world.close()
    await engine.dispose()
    return help_rate, step_rate, p99


async def pg_url() -> tuple[str, str]:
    import asyncpg

    name = f"thidua_bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}", name


async def drop_pg(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.close()


async def main(n: int) -> None:
    # Every rate is the best of ROUNDS runs: this machine's speed wanders by ±20 % between runs.
    base = max([await bare(n) for _ in range(ROUNDS)])
    print(f"bare aiogram echo: {base:8.0f} updates/s (baseline, best of {ROUNDS})")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        backends = [("sqlite", f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", None)]
        if PG_UP:
            url, name = await pg_url()
            backends.append(("postgres", url, name))
        for label, url, name in backends:
            try:
                help_rate, step_rate, p99 = await full(url, n)
            finally:
                if name:
                    await drop_pg(name)
            results.append((label, help_rate / base, step_rate / base, p99))
            print(
                f"{label:8s} /help: {help_rate:8.0f} updates/s ({help_rate / base:.2f}x)   "
                f"writing step: {step_rate:7.0f} updates/s ({step_rate / base:.3f}x)   p99 step {p99:.1f} ms"
            )
    label, r1, r2, p99 = results[0]
    print(f"help {r1:.2f} step {r2:.3f} p99 {p99:.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    asyncio.run(main(parser.parse_args().n))
