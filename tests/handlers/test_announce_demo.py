"""The demo data: bound chats (one stopped) and a scheduled post of the union's, loaded once."""

from __future__ import annotations

from datetime import datetime

from bot.clock import VN_TZ
from bot.devtools.demo import load_demo
from storage.models import Person
from storage.models.channels import Broadcast, ChatBinding


async def test_the_demo_has_bound_chats_and_a_scheduled_post_the_union_sees(world):
    world.clock.set(datetime(2024, 10, 15, 9, 0, tzinfo=VN_TZ))
    await load_demo(world, world.clock)
    await load_demo(world, world.clock)
    rows = await world.rows(ChatBinding)
    assert sorted((r.purpose, r.active) for r in rows) == [
        ("college", True),
        ("union", True),
        ("unit", False),
    ]
    assert [b.state for b in await world.rows(Broadcast)] == ["scheduled"]
    [person] = await world.rows(Person, Person.hr_id == "DEMO-08")
    huong = world.chatter(person.full_name, telegram_id=person.telegram_id)
    await huong.send("/channels")
    assert "đã ngừng (bot đã bị xóa khỏi nhóm)" in huong.last_text()
    await huong.send("/announce")
    assert huong.last_text() == "Thông báo đã hẹn gửi lúc 09:00 ngày 22/10/2024."
