"""Dispatch benchmark: bare aiogram vs the full stack. Prints ratios, not pass/fail.

    .venv/bin/python -m bench.dispatch [--n 2000]

Measures, on SQLite and on PostgreSQL when reachable:
- bare aiogram with an echo handler (the baseline, over the same fake Bot API session), answering the same
  text as the command it is compared with: the fake's own work on an answer (its length check parses the
  HTML, aiogram validates the answer) is paid alike by both; and fed the same person's same command, so
  that aiogram parses the same update for both;
- the full stack answering /help for a known person;
- one conversation step that writes (the FSM state and an audit row);
and ends with one line: `help R1 step R2 p99 X ms` (the first backend's figures). Rates are the best of
three runs each, the baseline measured in each round right before the run it is compared with; p99 is
over every writing step of the three runs. Before each timed run the garbage is
collected and what is alive frozen (`gc.freeze()`), for the baseline as for the stack: a full collection
over the ~300 000 objects of the loaded program took 0.35–0.45 s, a third of a run, and fell in one run and
not in another. `--cpu` counts the process's CPU time instead of the wall clock (on a shared machine).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
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
clock = time.perf_counter  # --cpu: time.process_time


def settle() -> None:
    """Collect the garbage and freeze what is alive, so that no full collection falls inside a timed run."""
    gc.collect()
    gc.freeze()


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
    chat = Chat(id=user.id, type="private", first_name=user.first_name)
    msg = Message(message_id=uid, date=datetime.now(UTC), chat=chat, from_user=user, text=text)
    return Update(update_id=uid, message=msg)


async def bare(n: int, answer: str | None = None, user: User | None = None, text: str = "hi") -> float:
    """Echo (or answer `answer`, the text of the command the stack is compared with), to updates from `user`
    saying `text`: given the stack's person and command, aiogram parses the same update for both."""
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(answer or message.text or "")

    bot = create_bot(make_settings("sqlite://"), session=FakeTelegram(), token=TEST_TOKEN)
    user = user or User(id=42, is_bot=False, first_name="A")
    updates = [message_update(i + 1, user, text) for i in range(n)]
    for u in updates[:50]:
        await dp.feed_update(bot, u)
    settle()
    start = clock()
    for u in updates[50:]:
        await dp.feed_update(bot, u)
    return (n - 50) / (clock() - start)


async def answers() -> tuple[str, str]:
    """What the stack answers to /help and to a step, for the baseline to answer the same."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'answers.db'}"
        await upgrade(url)
        engine = make_engine(url)
        world = await World(make_settings(url), engine, FakeClock(), extra_routers=(step_router(),)).start()
        hoa = await world.staff("Nguyễn Thị Hoa")
        await hoa.send("/help")
        help_text = hoa.last_text()
        await hoa.send("/step")
        step_text = hoa.last_text()
        await world.close()
        await engine.dispose()
    return help_text, step_text


@dataclass
class Figures:
    help_rate: float
    step_rate: float
    base_help: float  # bare aiogram answering /help's text, measured in the same rounds
    base_step: float
    p99: float


async def full(url: str, n: int, help_text: str, step_text: str) -> Figures:
    """The stack's rates, each round measured right after the baseline it is compared with (the machine's
    speed drifts over a minute: a baseline taken before every run of the stack compared unlike moments)."""
    await upgrade(url)
    engine = make_engine(url)
    world = await World(make_settings(url), engine, FakeClock(), extra_routers=(step_router(),)).start()
    hoa = await world.staff("Nguyễn Thị Hoa")
    for _ in range(20):
        await hoa.send("/help")
        await hoa.send("/step")
    help_rates, step_rates, base_help, base_step, latencies = [], [], [], [], []
    for _ in range(ROUNDS):
        base_help.append(await bare(n, help_text, hoa.user, "/help"))
        helps = [hoa.message_update("/help") for _ in range(n)]
        settle()
        start = clock()
        for u in helps:
            await world.feed(u)
        help_rates.append(n / (clock() - start))

        base_step.append(await bare(n, step_text, hoa.user, "/step"))
        steps = [hoa.message_update("/step") for _ in range(n // 4)]
        settle()
        start = clock()
        for u in steps:
            t0 = time.perf_counter()
            await world.feed(u)
            latencies.append(time.perf_counter() - t0)
        step_rates.append(len(steps) / (clock() - start))
    p99 = statistics.quantiles(latencies, n=100)[98] * 1000
    await world.close()
    await engine.dispose()
    return Figures(max(help_rates), max(step_rates), max(base_help), max(base_step), p99)


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
    help_text, step_text = await answers()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        backends = [("sqlite", f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", None)]
        if PG_UP:
            url, name = await pg_url()
            backends.append(("postgres", url, name))
        for label, url, name in backends:
            try:
                f = await full(url, n, help_text, step_text)
            finally:
                if name:
                    await drop_pg(name)
            results.append((label, f.help_rate / f.base_help, f.step_rate / f.base_step, f.p99))
            print(
                f"{label:8s} bare {f.base_help:6.0f} and {f.base_step:6.0f} updates/s (answering /help's "
                f"text, the step's)   /help: {f.help_rate:6.0f} ({f.help_rate / f.base_help:.2f}x)   "
                f"writing step: {f.step_rate:5.0f} ({f.step_rate / f.base_step:.3f}x)   "
                f"p99 step {f.p99:.1f} ms"
            )
    label, r1, r2, p99 = results[0]
    print(f"help {r1:.2f} step {r2:.3f} p99 {p99:.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--cpu", action="store_true", help="CPU time of the process, not the wall clock")
    args = parser.parse_args()
    if args.cpu:
        clock = time.process_time
    asyncio.run(main(args.n))
