"""/announce: exemplars by name search with a title and a line of achievement, a photo, the targets, the
preview, sending through the outbox with the live progress message and the report."""

from __future__ import annotations

from datetime import datetime

from bot.clock import VN_TZ
from bot.devtools.harness import Chatter, Room, World
from storage.models import OutboxMessage
from storage.models.channels import Broadcast

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


async def to_targets(sender: Chatter) -> None:
    await sender.send("/announce")
    await sender.click("Điển hình được khen thưởng")
    await pick_exemplar(sender, "nguyen thi hoa", "Nguyễn Thị Hoa", "Lao động tiên tiến", "Dạy giỏi <cấp> trường & tỉnh")
    await sender.click("Xong")
    await sender.send("45/QĐ-CĐKT 20/05/2024")


async def test_exemplars_are_drafted_from_the_template_escaped_and_grouped(world):
    thu, team = await setup(world)
    await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await to_targets(thu)
    draft = thu.texts()[-2]
    assert "<b>BIỂU DƯƠNG ĐIỂN HÌNH TIÊN TIẾN</b>" in draft
    assert "Theo Quyết định số 45/QĐ-CĐKT ngày 20/05/2024:" in draft
    assert "<b>Lao động tiên tiến</b>\n• Nguyễn Thị Hoa (Phòng KCNTT): Dạy giỏi &lt;cấp&gt; trường &amp; tỉnh" in draft


async def test_sent_now_to_the_group_and_staff_with_a_progress_report(world):
    thu, team = await setup(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.staff("Đặng Văn Lân")
    await to_targets(thu)
    await thu.click("Chọn nơi nhận")
    await thu.click("Công đoàn trường")
    await thu.click("Toàn thể CBVC")
    await thu.click("Xem trước")
    assert "Tổng cộng 4 nơi nhận" in thu.last_text()  # the group, Hoa, Lân and Thu herself
    await thu.click("Gửi ngay")
    await world.drain_outbox()
    for chat in (team, hoa, lan):
        assert [m.text for m in chat.messages() if "BIỂU DƯƠNG" in (m.text or "")] != []
    assert "Đã gửi xong thông báo." in thu.texts()[-1] or any("Đã gửi xong" in x for x in thu.texts())
    b = (await world.rows(Broadcast))[0]
    assert b.state == "done"

