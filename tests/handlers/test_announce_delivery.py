"""Delivering a broadcast: 429s, 500s and 403s on the way, the live progress edits, and a kill -9."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from itertools import pairwise

from bot.devtools.harness import Chatter, World
from bot.sender import OutboxSender
from storage.models import OutboxMessage
from storage.models.channels import Broadcast
from tests.handlers.announce_steps import setup, to_draft, to_preview


async def many(world: World, n: int) -> list[Chatter]:
    return [await world.staff(f"Nguyễn Văn Số {i:02d}") for i in range(n)]


async def start_to_staff(world: World, thu: Chatter, *targets: str) -> None:
    await to_draft(thu)
    await thu.click("Thêm ảnh")
    await thu.send_photo()
    await to_preview(thu, *targets)
    await thu.click("Gửi ngay")  # not delivered yet: each test drives the sender its own way


def received(world: World, chat_id: int) -> Counter[str]:
    """The posts a chat got, by kind (a post is its photo with the caption)."""
    return Counter(m.kind for m in world.api.sent_to(chat_id) if m.kind == "photo")


async def test_429_500_and_403_on_the_way_every_recipient_gets_the_post_once(world):
    thu, team = await setup(world)
    await world.staff("Nguyễn Thị Hoa")
    staff = await many(world, 12)
    world.api.flood(staff[0].id, retry_after=3)
    world.api.flood(staff[1].id, retry_after=1, times=2)
    world.api.server_error(staff[2].id, times=2)
    world.api.flood(team.id, retry_after=2)
    world.api.block(staff[3].id)
    await start_to_staff(world, thu, "Công đoàn trường", "Toàn thể CBVC")
    await world.drain_outbox()
    assert received(world, team.id) == Counter(photo=1)
    for c in staff:
        assert received(world, c.id) == (Counter() if c is staff[3] else Counter(photo=1)), c
    report = [x for x in thu.texts() if "Đã gửi xong" in x]
    assert report == ["<b>Đã gửi xong thông báo.</b>\nĐã gửi 14/15 · không gửi được 0 · 1 người đã chặn bot"]


async def test_the_progress_message_is_edited_at_most_every_3_seconds_through_the_outbox(world):
    thu, _team = await setup(world)
    await world.staff("Nguyễn Thị Hoa")
    await many(world, 40)
    await start_to_staff(world, thu, "Toàn thể CBVC")
    world.sender.batch = 5
    for _ in range(40):
        if not await world.sender.drain_once():
            break
        world.clock.advance(seconds=1)
    progress = (await world.rows(Broadcast))[0].progress_row_id
    edits = sorted(await world.rows(OutboxMessage, OutboxMessage.edit_of_id == progress), key=lambda e: e.id)
    assert len(edits) >= 3  # (rows come unordered from PostgreSQL)
    times = [e.created_at for e in edits]
    assert all(b - a >= timedelta(seconds=3) for a, b in pairwise(times[:-1]))
    assert all(e.status == "sent" for e in edits)  # sent by the sender, at its limits
    shown = world.api.sent_to(thu.id)
    live = [m for m in shown if (m.text or "").startswith(("Đã gửi ", "<b>Đã gửi xong"))]
    assert len(live) == 1  # one message, edited in place
    assert (
        live[0].text == "<b>Đã gửi xong thông báo.</b>\nĐã gửi 42/42 · không gửi được 0 · 0 người đã chặn bot"
    )
    edited = [c for c in world.api.calls_of("editMessageText") if c.params.get("chat_id") == thu.id]
    assert any("Đã gửi " in c.params["text"] and "/42 ·" in c.params["text"] for c in edited[:-1])


async def test_after_kill_9_a_new_sender_carries_on_where_it_stopped(world):
    thu, team = await setup(world)
    await world.staff("Nguyễn Thị Hoa")
    staff = await many(world, 40)
    await start_to_staff(world, thu, "Công đoàn trường", "Toàn thể CBVC")
    world.sender.batch = 10
    await world.sender.drain_once()  # 10 rows delivered
    claimed = await world.sender.claim()  # 10 more claimed, then the process dies (kill -9)
    assert len(claimed) == 10
    world.clock.advance(seconds=world.settings.outbox_lease_seconds + 1)
    restarted = OutboxSender(world.bot, world.sessionmaker, world.clock, world.settings, world.dp["identity"])
    await restarted.drain()
    for chat in [team.id, *(c.id for c in staff)]:
        assert received(world, chat) == Counter(photo=1), chat
    b = (await world.rows(Broadcast))[0]
    assert b.state == "done"
    report = [x for x in thu.texts() if "Đã gửi xong" in x]
    assert report == ["<b>Đã gửi xong thông báo.</b>\nĐã gửi 43/43 · không gửi được 0 · 0 người đã chặn bot"]


async def test_a_kill_9_after_the_last_round_but_before_its_follow_up_still_ends_with_the_report(
    world, monkeypatch
):
    thu, _team = await setup(world)
    await world.staff("Nguyễn Thị Hoa")
    await many(world, 3)
    await start_to_staff(world, thu, "Công đoàn trường", "Toàn thể CBVC")

    async def killed(*_args: object) -> None:  # the process dies before the watchers are told
        return None

    monkeypatch.setattr("bot.sender.run_after_delivery", killed)
    await world.sender.drain()
    monkeypatch.undo()
    assert (await world.rows(Broadcast))[0].state == "running"
    restarted = OutboxSender(world.bot, world.sessionmaker, world.clock, world.settings, world.dp["identity"])
    await world.run_due()  # the scheduler runs the due work at start-up
    await restarted.drain()
    assert (await world.rows(Broadcast))[0].state == "done"
    report = [x for x in thu.texts() if "Đã gửi xong" in x]
    assert report == ["<b>Đã gửi xong thông báo.</b>\nĐã gửi 6/6 · không gửi được 0 · 0 người đã chặn bot"]
