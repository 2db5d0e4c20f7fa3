"""Quiet hours hold for every outbox row to a person who did not just act (issue 18, item 25): the outbox
defers such a row to the end of the quiet hours when it is queued; the actor's own answers go at once, and a
feature that already decided (a broadcast confirmed for the quiet hours) says `quiet_ok=True`."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.clock import VN_TZ
from bot.context import Ctx
from bot.identity import IdentityCache
from bot.services.outbox import Outbox
from storage.models import OutboxMessage, Person
from storage.repositories.people import to_member
from storage.uow import UnitOfWork
from tests.handlers.test_good_deed_flow import finish, setup, to_evidence

NIGHT = datetime(2024, 10, 15, 23, 0, tzinfo=VN_TZ)
MORNING = datetime(2024, 10, 16, 7, 0, tzinfo=VN_TZ)  # REMINDER_QUIET_HOURS 21:00-07:00 end


async def test_a_good_deed_reported_at_night_reaches_the_head_at_the_end_of_the_quiet_hours(world):
    hoa, _lan, minh = await setup(world)
    world.clock.set(NIGHT)
    await to_evidence(hoa)
    await hoa.send_album(2)
    world.clock.advance(seconds=3)
    await world.drain_outbox()
    assert "Đã nhận 2 ảnh" in hoa.last_text()  # her own answer, through the outbox, at once
    await hoa.click("Tiếp tục")
    await finish(hoa)
    await world.drain_outbox()

    assert not any("Đề nghị xác minh" in text for text in minh.texts())  # not at 23:00
    [row] = await world.rows(OutboxMessage, OutboxMessage.chat_id == minh.id)
    assert row.status == "pending" and row.not_before == MORNING

    world.clock.set(MORNING - timedelta(minutes=1))
    await world.drain_outbox()
    assert not any("Đề nghị xác minh" in text for text in minh.texts())
    world.clock.set(MORNING)
    await world.drain_outbox()
    assert "Đề nghị xác minh" in minh.last_text()


async def _queue(world, actor_tid: int | None, at: datetime, **rows: dict) -> dict[str, OutboxMessage]:
    world.clock.set(at)
    async with UnitOfWork(world.sessionmaker) as uow:
        actor = None
        if actor_tid is not None:
            person = await uow.session.scalar(select(Person).where(Person.telegram_id == actor_tid))
            actor = to_member(person, world.clock.today())
        ob = Outbox(Ctx(uow, world.clock, IdentityCache(), world.settings, actor))
        out = {name: ob.enqueue(**kw) for name, kw in rows.items()}
    return out


async def test_who_waits_for_the_morning_and_who_does_not(world):
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    rows = await _queue(
        world,
        hoa.id,
        NIGHT,
        own={"chat_id": hoa.id, "text": "Đã lưu"},
        other={"chat_id": minh.id, "text": "Đề nghị xác minh"},
        confirmed={"chat_id": minh.id, "text": "Thông báo", "quiet_ok": True},
        group={"chat_id": -100123, "text": "Thông báo nhóm"},
        later={"chat_id": minh.id, "text": "Hẹn", "not_before": NIGHT - timedelta(hours=3)},
    )
    at = {name: row.not_before for name, row in rows.items()}
    assert at == {
        "own": NIGHT,
        "other": MORNING,
        "confirmed": NIGHT,
        "group": NIGHT,
        "later": NIGHT - timedelta(hours=3),  # 20:00: not quiet
    }
    system = await _queue(world, None, NIGHT, due={"chat_id": hoa.id, "text": "Nhắc"})
    assert system["due"].not_before == MORNING  # due work: nobody just acted
    day = await _queue(world, hoa.id, MORNING + timedelta(hours=2), day={"chat_id": minh.id, "text": "Ngày"})
    assert day["day"].not_before == MORNING + timedelta(hours=2)
    planned = {"chat_id": minh.id, "text": "x", "not_before": NIGHT + timedelta(days=1)}
    scheduled = await _queue(world, hoa.id, MORNING, planned=planned)
    assert scheduled["planned"].not_before == MORNING + timedelta(days=1)  # a time set for 23:00 waits too
