"""A batch of a few hundred rows drained through a fake Bot API that enforces Telegram's flood limits.

The fake answers 429 beyond a sliding window (30/s overall, 1/s per private chat, 20/min per group), and
injects 429s (with retry_after), 500s and blocked chats (403). On the FakeClock: no real sleeping."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramRetryAfter
from sqlalchemy import select

from bot.clock import FakeClock
from bot.context import Ctx
from bot.devtools.harness import World
from bot.devtools.ratelimit import exceeded
from bot.identity import IdentityCache
from bot.sender import in_outbox
from bot.services.outbox import Outbox
from bot.text import split_message
from storage.db import make_engine
from storage.models import OutboxMessage
from storage.uow import UnitOfWork
from tests.conftest import make_settings

POST = "\n".join(
    f"<b>{i}.</b> Chúc mừng Anh/Chị đạt danh hiệu “Lao động tiên tiến” &amp; …" for i in range(60)
)
PRIVATE = list(range(500_001, 500_201))  # 200 people
GROUPS = [-100_900_001, -100_900_002]
BLOCKED = {PRIVATE[7], PRIVATE[70], PRIVATE[170]}


async def queue_batch(world: World, parts: list[str]) -> str:
    async with UnitOfWork(world.sessionmaker) as uow:
        ob = Outbox(Ctx(uow, world.clock, IdentityCache(), world.settings))
        batch = ob.new_batch("announce")
        for chat_id in PRIVATE + GROUPS:
            for part in parts:
                ob.enqueue(chat_id, part, batch=batch)
    return batch


async def test_a_batch_through_the_limits_reaches_everyone_once_and_never_overruns_a_window(db_url):
    clock = FakeClock()
    real_rates = {"outbox_rate_global": 30, "outbox_rate_private": 1, "outbox_group_per_minute": 20}
    world = await World(make_settings(db_url, **real_rates), make_engine(db_url), clock).start()
    limits = world.api.enforce_limits(flood=0.05, errors=0.03, blocked=set(BLOCKED), retry_after=2)
    parts = split_message(POST, limit=2000)
    assert len(parts) == 2
    await queue_batch(world, parts)
    start = clock.now().timestamp()

    await world.drain_outbox()

    for chat_id in PRIVATE + GROUPS:
        texts = [m.text for m in world.api.sent_to(chat_id)]
        assert texts == ([] if chat_id in BLOCKED else parts), chat_id  # each part once, in order
    assert exceeded(limits.accepted) == []
    assert limits.refused["limit"] == 0  # the sender kept to the windows: Telegram never had to refuse
    assert limits.refused["flood"] > 10 and limits.refused["error"] > 5  # the injections happened
    async with world.sessionmaker() as s:
        statuses = {(r.chat_id, r.status) for r in (await s.scalars(select(OutboxMessage))).all()}
    assert statuses == {(c, "blocked" if c in BLOCKED else "sent") for c in PRIVATE + GROUPS}
    sends = len(PRIVATE + GROUPS) * 2 - len(BLOCKED)  # a blocked chat refuses its first part only
    elapsed = clock.now().timestamp() - start
    # Never faster than Telegram allows. The fake clock overstates the time (it jumps to the first of many
    # waiters' deadlines, not the earliest) and retries add a tail: bench/broadcast.py measures the speed.
    assert sends / 30 <= elapsed < sends / 30 * 3, elapsed
    await world.close()


async def test_limits_are_off_unless_a_test_turns_them_on(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    for _ in range(5):
        await world.bot.send_message(hoa.id, "Chào Anh/Chị")  # 5 in the same instant, to one chat
    assert len(hoa.messages()) == 5
    assert world.api.limits is None


async def test_beyond_a_window_the_fake_answers_429_with_a_whole_second_retry_after(world):
    limits = world.api.enforce_limits()
    hoa = await world.staff("Nguyễn Thị Hoa")
    token = in_outbox.set(True)  # as the sender sends: a direct answer's middleware would wait and retry
    try:
        await world.bot.send_message(hoa.id, "Một")
        world.clock.advance(seconds=0.3)
        with pytest.raises(TelegramRetryAfter) as refused:
            await world.bot.send_message(hoa.id, "Hai")
        assert refused.value.retry_after == 1  # 0.7 s to wait, rounded up to a whole second
        world.clock.advance(seconds=0.7)
        await world.bot.send_message(hoa.id, "Hai")
    finally:
        in_outbox.reset(token)
    assert [m.text for m in hoa.messages()] == ["Một", "Hai"]
    assert limits.refused["limit"] == 1 and len(limits.accepted) == 2


async def test_an_injected_429_takes_no_place_in_the_window(world):
    limits = world.api.enforce_limits(flood=1.0, retry_after=3)
    hoa = await world.staff("Nguyễn Thị Hoa")
    token = in_outbox.set(True)
    try:
        with pytest.raises(TelegramRetryAfter) as refused:
            await world.bot.send_message(hoa.id, "Một")
        assert refused.value.retry_after == 3
        limits.flood = 0.0
        await world.bot.send_message(hoa.id, "Một")  # at once: the refused one took no place
    finally:
        in_outbox.reset(token)
    assert limits.refused == {"limit": 0, "flood": 1, "error": 0, "blocked": 0}


async def test_a_document_broadcast_keeps_the_windows_while_the_first_upload_goes_up(db_url):
    # Every row of the batch reads the file's id (and waits for the one upload) before its request: the slot
    # is taken after that, just before the request, or the requests reach Telegram later than paced.
    clock = FakeClock()
    real_rates = {"outbox_rate_global": 30, "outbox_rate_private": 1, "outbox_group_per_minute": 20}
    world = await World(make_settings(db_url, **real_rates), make_engine(db_url), clock).start()
    limits = world.api.enforce_limits()
    async with UnitOfWork(world.sessionmaker) as uow:
        ob = Outbox(Ctx(uow, world.clock, IdentityCache(), world.settings))
        doc = await ob.file(data=b"%PDF-1.4 quyet dinh khen thuong", name="QuyetDinh.pdf")
        for chat_id in PRIVATE[:120]:
            for caption in ("Quyết định khen thưởng", "Danh sách kèm theo"):
                ob.enqueue(chat_id, caption, method="document", file=doc)

    await world.drain_outbox()

    assert all(len(world.api.sent_to(c)) == 2 for c in PRIVATE[:120])
    assert exceeded(limits.accepted) == [] and limits.refused["limit"] == 0
    await world.close()
