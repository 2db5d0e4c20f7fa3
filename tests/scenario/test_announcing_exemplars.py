"""The union announces the year's commended exemplars (biểu dương, tôn vinh, nhân rộng).

The union binds its group, and a stranger's group is left. The secretary binds the college's channel. A post
of three exemplars with a photo goes to the group, the channel and the staff; two of them have blocked the
bot, and the report says so. One of them unblocks it and writes to the bot; the re-send reaches only that one.
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import VN_TZ
from bot.devtools.harness import Chatter, World
from storage.models import OutboxMessage, Person
from storage.models.channels import Broadcast

PLAN = "plans/2021-2025.yaml"
NOW = datetime(2025, 5, 26, 9, 0, tzinfo=VN_TZ)


def photos(world: World, chat_id: int) -> list[str]:
    return [m.text or "" for m in world.api.sent_to(chat_id) if m.kind == "photo"]


async def pick(sender: Chatter, query: str, name: str, title: str, line: str) -> None:
    await sender.send(query)
    await sender.click(name)
    await sender.click(title, exact=True)
    await sender.send(line)


async def test_the_union_announces_three_exemplars_to_its_group_the_channel_and_the_staff(world):
    world.clock.set(NOW)
    await world.load_plan(PLAN)
    await world.unit("KCNTT", "Khoa Công nghệ thông tin", kind="khoa")
    thu = await world.union("Lê Thị Thu")
    sec = await world.secretary("Phạm Thị Thư")
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    lan = await world.staff("Đặng Văn Lân")
    staff = [hoa, lan] + [await world.staff(f"Trần Văn Người {i:02d}") for i in range(38)]
    blocked = staff[10:12]

    # September: the union binds its group; somebody adds the bot to their own group, which it leaves.
    union_group = world.group("Công đoàn trường", bot="left", admins=[thu])
    await union_group.add_bot(by=thu)
    await world.drain_outbox()
    await thu.click("Nhóm Công đoàn")
    stranger_group = world.group("Hội bạn thân", bot="left")
    await stranger_group.add_bot(by=world.outsider("Người Lạ"))
    world.clock.advance(minutes=3)  # a supergroup waits a little for a migration that would bind it
    await world.run_due()
    assert world.api.left == [stranger_group.id]
    news = world.channel("Tin thi đua CĐKT", bot="left")
    await news.add_bot(by=sec, admin=True, can_post_messages=True)
    await world.drain_outbox()
    await sec.click("Thông báo chung của trường")

    # Two colleagues have blocked the bot over the year.
    for person in blocked:
        await person.block_bot()

    # May: the decision is signed; the union announces three exemplars with a photo.
    await thu.send("/announce")
    await thu.click("Điển hình được khen thưởng")
    await pick(thu, "nguyen thi hoa", "Nguyễn Thị Hoa", "Chiến sĩ thi đua cơ sở", "Đề tài NCKH cấp tỉnh")
    await thu.click("Thêm điển hình")
    await pick(thu, "dang van lan", "Đặng Văn Lân", "Lao động tiên tiến", "Hoàn thành xuất sắc nhiệm vụ")
    await thu.click("Thêm điển hình")
    await pick(
        thu, "cong nghe thong tin", "Khoa Công nghệ thông tin", "Tập thể lao động tiên tiến", "100% đạt"
    )
    await thu.click("Xong")
    await thu.send("125/QĐ-CĐKT 20/05/2025")
    await thu.click("Thêm ảnh")
    await thu.send_photo(data=b"anh-tuyen-duong")
    await thu.click("Chọn nơi nhận")
    await thu.click("Công đoàn trường")
    await thu.click("Tin thi đua CĐKT")
    await thu.click("Toàn thể CBVC")
    await thu.click("Xem trước")
    assert "Tổng cộng 44 nơi nhận" in thu.last_text()  # the group, the channel, 40 staff, Thu and Thư
    await thu.click("Gửi ngay")
    await world.drain_outbox()

    [post] = photos(world, union_group.id)
    assert "Theo Quyết định số 125/QĐ-CĐKT ngày 20/05/2025:" in post
    assert (
        "<b>Chiến sĩ thi đua cơ sở</b>\n• Nguyễn Thị Hoa (Khoa Công nghệ thông tin): Đề tài NCKH cấp tỉnh"
        in post
    )
    assert "• Khoa Công nghệ thông tin: 100% đạt" in post
    assert photos(world, news.id) == [post]
    for person in staff:
        assert photos(world, person.id) == ([] if person in blocked else [post]), person
    report = "<b>Đã gửi xong thông báo.</b>\nĐã gửi 42/44 · không gửi được 0 · 2 người đã chặn bot"
    assert report in thu.texts()

    # One of them unblocks the bot and writes to it; the re-send reaches only that one.
    back = blocked[0]
    await back.unblock_bot()
    await back.send("/help")
    await thu.click("Gửi lại cho nơi chưa nhận")
    await world.drain_outbox()
    assert photos(world, back.id) == [post]
    assert photos(world, blocked[1].id) == []
    assert photos(world, union_group.id) == [post] and photos(world, hoa.id) == [post]
    assert "<b>Đã gửi xong thông báo.</b>\nĐã gửi 1/1 · không gửi được 0 · 0 người đã chặn bot" in thu.texts()
    rows = await world.rows(OutboxMessage, OutboxMessage.kind == "broadcast", OutboxMessage.status == "sent")
    assert len(rows) == 43  # every recipient got the post exactly once
    assert (await world.rows(Broadcast))[0].round == 1
    still = (await world.rows(Person, Person.id == blocked[1].person_id))[0]
    assert still.unreachable
    await thu.click("Tải danh sách không gửi được")  # over every round: only the one still blocking
    content = world.api.file_bytes(thu.last().file_id).decode("utf-8-sig")
    assert content.splitlines()[1:] == [f"{blocked[1].name},đã chặn bot"]
