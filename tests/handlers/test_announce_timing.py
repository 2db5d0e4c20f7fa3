"""When an announcement goes (issue 18, D25, D26): a post sent or scheduled in the quiet hours is confirmed
first, or moved to their end; one far overdue (the bot was down) asks its sender instead of going late."""

from __future__ import annotations

from datetime import datetime

from bot.clock import VN_TZ
from storage.models import OutboxMessage
from storage.models.channels import Broadcast
from tests.handlers.announce_steps import drafted, posts, schedule, to_preview

QUIET_AT = (
    "Thời điểm 22:30 ngày 20/10/2024 nằm trong giờ yên lặng (21:00–07:00): người nhận sẽ nhận thông báo lúc"
    " đêm khuya hoặc sáng sớm. Anh/Chị vẫn hẹn giờ này, hay hẹn lúc 07:00 ngày 21/10/2024? Anh/Chị cũng có"
    " thể gõ một thời điểm khác."
)
QUIET_NOW = (
    "Bây giờ đang là giờ yên lặng (21:00–07:00): người nhận sẽ nhận thông báo lúc đêm khuya hoặc sáng sớm."
    " Anh/Chị vẫn gửi ngay, hay hẹn gửi lúc 07:00 ngày 16/10/2024?"
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 10, day, hour, minute, tzinfo=VN_TZ)


async def test_a_time_typed_in_the_quiet_hours_asks_first_and_can_move_to_their_end(world):
    thu, _team = await drafted(world)
    await schedule(thu, "22:30 20/10/2024", "Công đoàn trường")
    assert thu.last_text() == QUIET_AT
    assert thu.buttons() == ["Vẫn hẹn giờ này", "Hẹn lúc 07:00 ngày 21/10/2024"]
    assert await world.rows(Broadcast) == []  # nothing scheduled before the sender answers
    await thu.click("Hẹn lúc 07:00")
    [b] = await world.rows(Broadcast)
    assert (b.state, b.scheduled_at) == ("scheduled", at(21, 7))
    assert "Đã hẹn gửi thông báo lúc 07:00 ngày 21/10/2024" in thu.last_text()
    assert await thu.state() is None


async def test_a_time_in_the_quiet_hours_kept_once_confirmed_and_another_time_can_be_typed(world):
    thu, _team = await drafted(world)
    await schedule(thu, "22:30 20/10/2024", "Công đoàn trường")
    await thu.send("05:00 21/10/2024")  # another time, in the quiet hours too: asked again
    assert "Thời điểm 05:00 ngày 21/10/2024 nằm trong giờ yên lặng" in thu.last_text()
    await thu.click("Vẫn hẹn giờ này")
    [b] = await world.rows(Broadcast)
    assert (b.state, b.scheduled_at) == ("scheduled", at(21, 5))


async def test_sending_now_in_the_quiet_hours_asks_first(world):
    thu, team = await drafted(world)
    await to_preview(thu, "Công đoàn trường")
    world.clock.set(at(15, 22))
    await thu.click("Gửi ngay")
    assert thu.last_text() == QUIET_NOW
    assert await world.rows(Broadcast) == []
    await thu.click("Vẫn gửi ngay")
    await world.drain_outbox()
    assert len(posts(team)) == 1
    assert (await world.rows(Broadcast))[0].state == "done"


async def test_a_post_far_overdue_asks_its_sender_and_one_a_little_late_still_goes(world):
    thu, team = await drafted(world)
    await schedule(thu, "08:00 20/10/2024", "Công đoàn trường")
    world.clock.set(at(22, 8))  # the bot was down for two days
    assert (await world.run_due())["broadcasts"] == 0
    await world.drain_outbox()
    assert posts(team) == []
    [b] = await world.rows(Broadcast)
    assert b.state == "overdue"
    asked = "Thông báo anh/chị hẹn gửi lúc 08:00 ngày 20/10/2024 chưa được gửi đúng giờ"
    assert thu.last_text().startswith(asked)
    assert thu.buttons() == ["Gửi ngay", "Hủy thông báo"]
    assert (await world.run_due())["broadcasts"] == 0  # asked once
    await world.drain_outbox()
    assert len([x for x in thu.texts() if "chưa được gửi đúng giờ" in x]) == 1
    await thu.click("Gửi ngay")
    await world.drain_outbox()
    assert len(posts(team)) == 1
    assert (await world.rows(Broadcast))[0].state == "done"


async def test_an_overdue_post_is_listed_in_announce_and_can_be_cancelled(world):
    thu, team = await drafted(world)
    await schedule(thu, "08:00 20/10/2024", "Công đoàn trường")
    world.clock.set(at(20, 9, 1))  # an hour and a minute late
    await world.run_due()
    await thu.send("/announce")
    assert "Thông báo hẹn gửi lúc 08:00 ngày 20/10/2024 đã quá giờ mà chưa được gửi." in thu.last_text()
    await thu.click("Hủy thông báo")
    [b] = await world.rows(Broadcast)
    assert b.state == "cancelled"
    assert "Không có tin nào được gửi" in thu.last_text()
    await world.drain_outbox()
    assert posts(team) == []
    assert await world.rows(OutboxMessage, OutboxMessage.batch.is_not(None)) == []


async def test_a_post_less_than_an_hour_late_goes_without_asking(world):
    thu, team = await drafted(world)
    await schedule(thu, "08:00 20/10/2024", "Công đoàn trường")
    world.clock.set(at(20, 8, 59))
    assert (await world.run_due())["broadcasts"] == 1
    await world.drain_outbox()
    assert len(posts(team)) == 1


async def test_the_overdue_question_at_night_waits_for_the_morning(world):
    thu, _team = await drafted(world)
    await schedule(thu, "08:00 20/10/2024", "Công đoàn trường")
    world.clock.set(at(21, 23))
    await world.run_due()
    [row] = await world.rows(OutboxMessage, OutboxMessage.text.contains("chưa được gửi đúng giờ"))
    assert row.not_before == at(22, 7)
