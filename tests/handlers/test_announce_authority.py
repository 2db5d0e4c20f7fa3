"""Someone else's broadcast (issue 18, B10): only its sender has its buttons, so a press on it by anyone
else, the secretary or another member of the union included, is forged and refused: stopping it, cancelling
or sending it (scheduled, overdue), re-sending it, downloading who did not get it."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.clock import VN_TZ
from bot.devtools.harness import Chatter, World
from storage.models import OutboxMessage
from storage.models.channels import Broadcast
from tests.handlers.announce_steps import drafted, schedule, to_preview

REFUSED = "Anh/Chị không có quyền thực hiện thao tác này."


async def running(world: World, thu: Chatter) -> None:
    await to_preview(thu, "Công đoàn trường", "Toàn thể CBVC")
    await thu.click("Gửi ngay")  # queued, not delivered


async def done_with_failures(world: World, thu: Chatter) -> None:
    world.api.block((await world.staff("Đặng Văn Lân")).id)
    await to_preview(thu, "Toàn thể CBVC")
    await thu.click("Gửi ngay")
    await world.drain_outbox()


async def scheduled(world: World, thu: Chatter) -> None:
    await schedule(thu, "08:00 20/10/2024", "Công đoàn trường")


async def overdue(world: World, thu: Chatter) -> None:
    await scheduled(world, thu)
    world.clock.set(datetime(2024, 10, 22, 8, 0, tzinfo=VN_TZ))  # the bot was down for two days
    await world.run_due()


CASES = [  # (setup, the button's op, what the sender's own press would do)
    (running, "x"),
    (scheduled, "x"),
    (overdue, "x"),
    (overdue, "s"),
    (done_with_failures, "r"),
    (done_with_failures, "f"),
]


@pytest.mark.parametrize(("made", "op"), CASES, ids=[f"{m.__name__}-{op}" for m, op in CASES])
async def test_a_forged_press_on_someone_elses_broadcast_is_refused(world, made, op):
    thu, _team = await drafted(world)
    await made(world, thu)
    sec = await world.secretary("Phạm Thị Thư")
    [before] = await world.rows(Broadcast)
    rows = len(await world.rows(OutboxMessage))
    await sec.press(f"bcf:{op}:{before.id}")
    assert sec.alerts() == [REFUSED]
    [after] = await world.rows(Broadcast)
    assert (after.state, after.round, after.batch) == (before.state, before.round, before.batch)
    assert len(await world.rows(OutboxMessage)) == rows  # nothing queued, nothing cancelled
    assert all(r.status != "cancelled" for r in await world.rows(OutboxMessage))
    assert [m for m in sec.messages() if m.kind == "document"] == []


async def test_another_union_member_may_not_stop_it_and_nobody_sees_anothers_scheduled_posts(world):
    thu, _team = await drafted(world)
    await scheduled(world, thu)
    lan = await world.union("Đặng Thị Lan")
    [b] = await world.rows(Broadcast)
    await lan.send("/announce")
    assert not any("đã hẹn gửi" in x for x in lan.texts())
    await lan.press(f"bcf:x:{b.id}")
    assert lan.alerts() == [REFUSED]
    assert (await world.rows(Broadcast))[0].state == "scheduled"
