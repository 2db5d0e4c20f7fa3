"""Event isolation, the unit of work's rollback, the error handler, identity caching, FSM persistence."""

from __future__ import annotations

import asyncio
import io
import logging

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message
from sqlalchemy import event

from bot.context import Ctx
from bot.devtools.harness import TEST_TOKEN, World
from bot.services.audit import Audit
from bot.telegram import install_redaction
from storage.db import make_engine
from storage.models import AuditEntry
from tests.conftest import make_settings


class ProbeSG(StatesGroup):
    waiting = State()


def probe_router(log: list[str]) -> Router:
    r = Router(name="probe")

    @r.message(Command("slow"))
    async def slow(message: Message) -> None:
        log.append(f"start {message.chat.id} {message.message_id}")
        await asyncio.sleep(0.05)
        log.append(f"end {message.chat.id} {message.message_id}")

    @r.message(Command("boom"))
    async def boom(message: Message, ctx: Ctx, state: FSMContext) -> None:
        Audit(ctx).record("probe.written", "probe", 1, after={"x": 1})
        await state.set_state(ProbeSG.waiting)
        await ctx.session.flush()
        raise RuntimeError(f"kaboom with {TEST_TOKEN}")

    @r.message(Command("step"))
    async def step(message: Message, ctx: Ctx, state: FSMContext) -> None:
        Audit(ctx).record("probe.step", "probe", 1)
        await state.set_state(ProbeSG.waiting)
        await message.answer("ok")

    return r


async def probe_world(url: str, clock, log: list[str]) -> World:
    engine = make_engine(url)
    return await World(make_settings(url), engine, clock, extra_routers=(probe_router(log),)).start()


async def test_two_updates_of_one_chat_run_one_after_the_other(world_url, clock):
    log: list[str] = []
    w = await probe_world(world_url, clock, log)
    hoa = await w.staff("Nguyễn Thị Hoa")
    a, b = hoa.message_update("/slow"), hoa.message_update("/slow")
    await asyncio.gather(w.feed(a), w.feed(b))
    assert [entry.split()[0] for entry in log] == ["start", "end", "start", "end"]
    await w.close()


async def test_a_duplicate_is_dropped_without_waiting_for_the_chats_lock(world_url, clock):
    """Dedup runs before the FSM middleware: a repeated update never queues behind the chat's slow one."""
    log: list[str] = []
    w = await probe_world(world_url, clock, log)
    hoa = await w.staff("Nguyễn Thị Hoa")
    slow = hoa.message_update("/slow")
    first = asyncio.create_task(w.feed(slow))
    while not log:  # noqa: ASYNC110 - the probe handler only appends to a list
        await asyncio.sleep(0.001)
    await w.feed(slow)  # the same update again, while the first one holds the chat's lock
    assert log == [log[0]]  # dropped at once: the first one has not finished yet
    await first
    assert [entry.split()[0] for entry in log] == ["start", "end"]
    await w.close()


async def test_updates_of_different_chats_run_side_by_side(world_url, clock):
    log: list[str] = []
    w = await probe_world(world_url, clock, log)
    hoa, minh = await w.staff("Nguyễn Thị Hoa"), await w.staff("Trần Văn Minh")
    await asyncio.gather(w.feed(hoa.message_update("/slow")), w.feed(minh.message_update("/slow")))
    assert [entry.split()[0] for entry in log] == ["start", "start", "end", "end"]
    await w.close()


async def test_a_failing_handler_writes_nothing_and_the_person_is_told(world_url, clock):
    w = await probe_world(world_url, clock, [])
    hoa = await w.staff("Nguyễn Thị Hoa")
    await hoa.send("/boom")
    assert "đã có lỗi xảy ra" in hoa.last_text()
    assert await w.rows(AuditEntry) == []
    assert await hoa.state() is None
    await w.close()


async def test_the_apology_comes_in_the_persons_language(world_url, clock):
    w = await probe_world(world_url, clock, [])
    john = await w.staff("John Smith", language="en")
    await john.send("/boom")
    assert "something went wrong" in john.last_text()
    await w.close()


async def test_the_token_never_reaches_the_logs(world_url, clock):
    w = await probe_world(world_url, clock, [])
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    root = logging.getLogger()
    root.addHandler(handler)
    old = root.level
    root.setLevel(logging.DEBUG)
    install_redaction(w.settings)
    try:
        hoa = await w.staff("Nguyễn Thị Hoa")
        await hoa.send("/boom")
        logging.getLogger("thidua.test").info("token is %s", TEST_TOKEN)
    finally:
        root.removeHandler(handler)
        root.setLevel(old)
    text = buf.getvalue()
    assert "kaboom" in text and "update" in text  # the error was logged, with its update id
    assert TEST_TOKEN not in text
    assert TEST_TOKEN.split(":")[1] not in text
    await w.close()


async def test_a_writing_step_commits_state_and_row_together(world_url, clock):
    w = await probe_world(world_url, clock, [])
    hoa = await w.staff("Nguyễn Thị Hoa")
    await hoa.send("/step")
    assert await hoa.state() == ProbeSG.waiting.state
    assert len(await w.rows(AuditEntry, AuditEntry.action == "probe.step")) == 1
    await w.close()


async def test_a_conversation_survives_a_restart(world_url, clock):
    w = await probe_world(world_url, clock, [])
    hoa = await w.staff("Nguyễn Thị Hoa")
    await hoa.send("/step")
    await w.close()
    w2 = await probe_world(world_url, clock, [])
    hoa.world = w2
    assert await hoa.state() == ProbeSG.waiting.state
    await w2.close()


async def test_a_known_person_asking_for_help_costs_no_database_round_trip(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/help")  # first contact: identity is loaded once
    statements: list[str] = []

    def count(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(world.engine.sync_engine, "before_cursor_execute", count)
    try:
        await hoa.send("/help")
        await hoa.send("/help")
    finally:
        event.remove(world.engine.sync_engine, "before_cursor_execute", count)
    assert statements == []
    assert len(hoa.messages()) == 3


async def test_a_role_change_is_seen_at_the_next_update_once_its_unit_of_work_commits(world):
    """The cached identity is dropped by the commit of the change (`ctx.forget_person`), and not before."""
    from bot.context import Ctx
    from bot.roles import Role
    from storage.models import PersonRole
    from storage.uow import UnitOfWork

    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/help")  # cached now: a staff member
    assert "/people" not in hoa.last_text()

    async with UnitOfWork(world.sessionmaker) as uow:
        ctx = Ctx(uow, world.clock, world.dp["identity"], world.settings)
        ctx.session.add(PersonRole(person_id=hoa.person_id, role=Role.SECRETARY.value))
        ctx.forget_person(hoa.id)
        assert world.dp["identity"].get(hoa.id) is not None  # still cached until the commit
    await hoa.send("/help")

    assert "/people" in hoa.last_text() and "/rounds" in hoa.last_text()


async def test_a_role_change_committed_without_forgetting_the_person_is_not_seen_from_the_cache(world):
    """The counterpart: the cache really serves `me` (so forgetting is what makes a change show)."""
    from bot.roles import Role
    from storage.models import PersonRole

    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/help")
    async with world.session() as s:
        s.add(PersonRole(person_id=hoa.person_id, role=Role.SECRETARY.value))
        await s.commit()
    await hoa.send("/help")

    assert "/people" not in hoa.last_text()


async def test_a_direct_answer_that_meets_a_429_waits_and_goes_out_once(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.api.flood(hoa.id, retry_after=1, times=1)
    started = world.clock.now()
    await hoa.send("/help")
    assert (world.clock.now() - started).total_seconds() >= 1  # it waited retry_after, on the fake clock
    assert len(world.api.calls_of("sendMessage")) == 2  # refused once, then sent
    assert len(hoa.messages()) == 1 and "/lang" in hoa.last_text()
