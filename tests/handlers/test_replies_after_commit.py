"""Replies go out after the commit; an update that wrote commits its id with its rows (issue 9.1-2)."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from sqlalchemy import event, func, select

from bot.context import Ctx
from bot.devtools.harness import World
from bot.i18n import t
from bot.replies import after_sent
from bot.services.audit import Audit
from storage.db import make_engine
from storage.models import AuditEntry, Person, ProcessedUpdate
from tests.conftest import WORLD_DB, make_settings

SAVED = "Đã lưu."


def probe_router(seen: list[object]) -> Router:
    r = Router(name="probe")

    @r.message(Command("save"))
    async def save(message: Message, ctx: Ctx) -> None:
        """A write that a flush has already sent (the session has nothing pending), then the confirmation."""
        Audit(ctx).record("probe.saved", "probe", message.message_id)
        await ctx.session.flush()
        await message.answer(SAVED)

    @r.message(Command("flushonly"))
    async def flush_only(message: Message, ctx: Ctx) -> None:
        Audit(ctx).record("probe.flushed", "probe", message.message_id)
        await ctx.session.flush()

    @r.message(Command("card"))
    async def card(message: Message, ctx: Ctx) -> None:
        """A card whose message_id is kept to edit it later."""
        Audit(ctx).record("probe.card", "probe", message.message_id)
        sent = await message.answer("Thẻ")
        with pytest.raises(AttributeError):
            sent.message_id  # noqa: B018 - held until the commit: there is no id yet, and reading one fails loudly

        async def keep(real: Message) -> None:
            seen.append(real.message_id)
            Audit(ctx).record("probe.card-kept", "probe", real.message_id)

        assert after_sent(sent, keep) is None

    return r


async def probe_world(url: str, clock, seen: list[object] | None = None, engine=None) -> World:
    engine = engine or make_engine(url)
    routers = (probe_router(seen if seen is not None else []),)
    return await World(make_settings(url), engine, clock, extra_routers=routers).start()


@pytest.fixture
async def probe(world_url, clock):
    seen: list[object] = []
    w = await probe_world(world_url, clock, seen)
    w.seen = seen  # type: ignore[attr-defined]
    yield w
    await w.close()
    await w.engine.dispose()


async def _audits(world: World, action: str) -> int:
    async with world.session() as s:
        return await s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


@pytest.mark.skipif(WORLD_DB != "sqlite", reason="the writer lock is SQLite's")
async def test_a_429_on_one_answer_does_not_hold_up_another_persons_write(probe):
    """The secretary's confirmation meets a 3 s 429; a colleague changing language is not kept waiting."""
    lan, hoa = await probe.secretary("Lê Thị Lan"), await probe.staff("Nguyễn Thị Hoa")
    await hoa.send("/lang")
    release = asyncio.Event()
    fake_sleep = probe.clock.sleep

    async def held_sleep(seconds: float) -> None:  # the 429's wait lasts until the test lets it end
        if seconds >= 3:
            await release.wait()
        await fake_sleep(seconds)

    probe.clock.sleep = held_sleep  # type: ignore[method-assign]
    probe.api.flood(chat_id=lan.id, retry_after=3)
    flood = probe.api.failures[-1]
    slow = asyncio.create_task(lan.send("/save"))
    for _ in range(400):  # until Lan's confirmation has met its 429 and is waiting
        if flood.times == 0:
            break
        await asyncio.sleep(0.01)
    assert flood.times == 0
    # Lan's answer waits for its 429 on the fake clock, held there until Hoa is done: Hoa's write must not
    # need Lan's wait to end (no transaction is open during it). Without that, Hoa's click would hang.
    await asyncio.wait_for(hoa.click("English"), timeout=60)
    assert hoa.last_text() == "Switched to English."
    assert not slow.done() and SAVED not in lan.texts()  # Lan is still waiting out her 429
    release.set()
    await slow
    assert lan.last_text() == SAVED  # sent once the 429 had passed


async def test_a_commit_that_fails_sends_the_apology_and_not_the_confirmation(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/lang")
    fails = {"left": 1}

    def fail_once(_conn) -> None:
        if fails["left"]:
            fails["left"] -= 1
            raise RuntimeError("disk full (injected)")

    event.listen(world.engine.sync_engine, "commit", fail_once)
    try:
        await hoa.click("English")
    finally:
        event.remove(world.engine.sync_engine, "commit", fail_once)
    assert fails["left"] == 0
    assert not any("Switched to English" in text for text in hoa.texts())
    assert not any("Đã chuyển" in text for text in hoa.texts())
    assert hoa.last_text() == t("error-generic", locale="vi")
    (person,) = await world.rows(Person, Person.id == hoa.person_id)
    assert person.language == "vi"


async def test_the_id_of_an_update_whose_write_was_flushed_is_committed_with_its_rows(probe):
    hoa = await probe.staff("Nguyễn Thị Hoa")
    update = await hoa.send("/flushonly")
    assert await _audits(probe, "probe.flushed") == 1
    assert await probe.rows(ProcessedUpdate, ProcessedUpdate.update_id == update.update_id)


async def test_after_a_restart_an_update_committed_before_is_refused(world_url, clock):
    first = await probe_world(world_url, clock)
    hoa = await first.staff("Nguyễn Thị Hoa")
    update = await hoa.send("/save")
    await first.close()
    # A new process: empty memory, the same database.
    again = await probe_world(world_url, clock, engine=first.engine)
    try:
        await again.feed(update)  # Telegram delivers it once more after the crash
        assert await _audits(again, "probe.saved") == 1
        assert not again.api.calls_of("sendMessage")
    finally:
        await again.close()
        await first.engine.dispose()


async def test_a_card_sent_after_a_write_gets_its_message_id_after_the_commit(probe):
    hoa = await probe.staff("Nguyễn Thị Hoa")
    await hoa.send("/card")
    card = hoa.last()
    assert card.text == "Thẻ"
    assert probe.seen == [card.message_id]
    # The follow-up committed in a unit of work of its own.
    assert await _audits(probe, "probe.card-kept") == 1
