"""More people than a page (bot/services/reminder_audiences.py PAGE): the recipients are chosen in one query,
as ids, then read and queued a page at a time; each is reminded once, the principal by the title, and a run
again queues nobody twice (issue 22, a ministry's staff)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from bot.services.reminder_audiences import PAGE
from storage.models import OutboxMessage, Person, PersonRole
from storage.models.reminder import DueMark
from tests.handlers.test_reminders import SEVEN_DAYS, open_year
from tests.scenario.test_school_year_registration import register

MANY = PAGE + PAGE // 2 + 7  # two pages and a half-full third with the chatters below


async def _roster(world, n: int) -> None:
    unit = await world.unit("KCNTT", "Khoa Công nghệ thông tin", kind="khoa")
    now = world.clock.now()
    async with world.session() as s:
        people = [
            {
                "full_name": f"Viên chức {i:04d}",
                "name_search": f"vien chuc {i:04d}",
                "unit_id": unit.id,
                "telegram_id": 70_000_000 + i,
                "language": "vi",
                "joined_at": now,
                "created_at": now,
            }
            for i in range(n)
        ]
        await s.execute(insert(Person), people)
        ids = (await s.scalars(select(Person.id).where(Person.unit_id == unit.id))).all()
        roles = [{"person_id": i, "role": "staff", "unit_id": unit.id} for i in ids]
        await s.execute(insert(PersonRole), roles)
        await s.commit()


async def test_more_staff_than_a_page_are_each_reminded_once_and_the_principal_by_the_title(world):
    await open_year(world)
    hieu = await world.principal("Trần Văn Hiệu")
    lan = await world.staff("Lê Thị Lan")
    await register(lan)
    await _roster(world, MANY)
    await world.drain_outbox()

    world.clock.set(SEVEN_DAYS)
    await world.run_due()
    rows = await world.rows(OutboxMessage, OutboxMessage.kind == "reminder")
    assert len(rows) == MANY + 1  # the roster and the principal; Lan has registered
    assert len({r.person_id for r in rows}) == len(rows)
    assert lan.person_id not in {r.person_id for r in rows}
    [his] = [r for r in rows if r.person_id == hieu.person_id]
    assert his.text.startswith("Kính gửi Hiệu trưởng Trần Văn Hiệu,\n")
    others = [r for r in rows if r.person_id != hieu.person_id]
    assert all(r.text.startswith("Kính gửi anh/chị Viên chức ") for r in others)

    async with world.session() as s:  # as if the run had stopped before marking the offset gone
        await s.execute(delete(DueMark))
        await s.commit()
    await world.run_due()  # every page's keys are found queued: nobody twice
    assert len(await world.rows(OutboxMessage, OutboxMessage.kind == "reminder")) == MANY + 1
