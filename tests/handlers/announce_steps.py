"""Steps shared by the announcement tests: binding a chat, composing a post up to its targets."""

from __future__ import annotations

from datetime import datetime

from bot.clock import VN_TZ
from bot.devtools.harness import Chatter, Room, World

PLAN = "plans/2021-2025.yaml"
NOW = datetime(2024, 10, 15, 9, 0, tzinfo=VN_TZ)


async def bind(world: World, by: Chatter, room: Room, purpose: str = "Nhóm Công đoàn") -> None:
    if room.type == "channel":
        await room.add_bot(by=by, admin=True, can_post_messages=True)
    else:
        await room.add_bot(by=by)
    await world.drain_outbox()
    await by.click(purpose)


async def setup(world: World) -> tuple[Chatter, Room]:
    world.clock.set(NOW)
    await world.load_plan(PLAN)
    thu = await world.union("Lê Thị Thu")
    team = world.group("Công đoàn trường", bot="left")
    await bind(world, thu, team)
    return thu, team


async def pick_exemplar(sender: Chatter, query: str, name: str, title: str, line: str) -> None:
    await sender.send(query)
    await sender.click(name)
    await sender.click(title)
    await sender.send(line)


async def to_draft(sender: Chatter, line: str = "Dạy giỏi <cấp> trường & tỉnh") -> None:
    await sender.send("/announce")
    await sender.click("Điển hình được khen thưởng")
    await pick_exemplar(sender, "nguyen thi hoa", "Nguyễn Thị Hoa", "Lao động tiên tiến", line)
    await sender.click("Xong")
    await sender.send("45/QĐ-CĐKT 20/05/2024")


async def to_preview(sender: Chatter, *targets: str) -> None:
    await sender.click("Chọn nơi nhận")
    for target in targets:
        await sender.click(target)
    await sender.click("Xem trước")


def posts(chat: Chatter | Room, marker: str = "BIỂU DƯƠNG") -> list[str]:
    return [m.text or "" for m in chat.messages() if marker in (m.text or "")]


async def drafted(world: World) -> tuple[Chatter, Room]:
    """The union's group bound, Hoa on the roster, and a draft commending her."""
    thu, team = await setup(world)
    await world.staff("Nguyễn Thị Hoa")
    await to_draft(thu)
    return thu, team


async def schedule(sender: Chatter, when: str, *targets: str) -> None:
    await to_preview(sender, *targets)
    await sender.click("Hẹn giờ gửi")
    await sender.send(when)
