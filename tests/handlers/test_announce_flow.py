"""/announce: exemplars by name search with a title and a line of achievement, a photo, the targets, the
preview, sending through the outbox with the live progress message and the report."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import delete

from bot.clock import VN_TZ
from bot.tghtml import visible_length
from storage.models import OutboxMessage, PersonRole, PlanPeriod
from storage.models.channels import Broadcast, ChatBinding
from storage.models.good_deed import GoodDeed
from tests.handlers.announce_steps import (
    NOW,
    drafted,
    posts,
    schedule,
    setup,
    to_draft,
    to_preview,
)


async def test_exemplars_are_drafted_from_the_template_escaped_and_grouped(world):
    thu, _team = await setup(world)
    await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await to_draft(thu)
    draft = thu.texts()[-2]
    assert "<b>BIỂU DƯƠNG ĐIỂN HÌNH TIÊN TIẾN</b>" in draft
    assert "Theo Quyết định số 45/QĐ-CĐKT ngày 20/05/2024:" in draft
    assert (
        "<b>Lao động tiên tiến</b>\n• Nguyễn Thị Hoa (Phòng KCNTT): Dạy giỏi &lt;cấp&gt; trường &amp; tỉnh"
        in draft
    )


async def test_sent_now_to_the_group_and_staff_with_a_progress_report(world):
    thu, team = await setup(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.staff("Đặng Văn Lân")
    await to_draft(thu)
    await to_preview(thu, "Công đoàn trường", "Toàn thể CBVC")
    assert "Tổng cộng 4 nơi nhận" in thu.last_text()  # the group, Hoa, Lân and Thu herself
    await thu.click("Gửi ngay")
    await world.drain_outbox()
    for chat in (team, hoa, lan):
        assert len(posts(chat)) == 1
    mine = await world.rows(OutboxMessage, OutboxMessage.kind == "broadcast", OutboxMessage.chat_id == thu.id)
    assert [r.status for r in mine] == ["sent"]  # the sender is staff too: one post, beside the preview
    assert "<b>Đã gửi xong thông báo.</b>\nĐã gửi 4/4 · không gửi được 0 · 0 người đã chặn bot" in thu.texts()
    b = (await world.rows(Broadcast))[0]
    assert b.state == "done"


async def test_free_text_keeps_the_senders_own_formatting_and_escapes_the_rest(world):
    from aiogram.types import MessageEntity

    thu, team = await setup(world)
    await thu.send("/announce")
    await thu.click("Nội dung tự soạn")
    text = "Chúc mừng Khoa CNTT <đạt> giải A & B"
    update = thu.message_update(text, entities=[MessageEntity(type="bold", offset=0, length=9)])
    await world.feed(update)
    assert thu.texts()[-2] == "<b>Chúc mừng</b> Khoa CNTT &lt;đạt&gt; giải A &amp; B"
    await thu.click("Sửa nội dung")
    edited = thu.message_update(
        "Chúc mừng Khoa CNTT", entities=[MessageEntity(type="italic", offset=10, length=9)]
    )
    await world.feed(edited)
    assert thu.texts()[-2] == "Chúc mừng <i>Khoa CNTT</i>"
    await to_preview(thu, "Công đoàn trường")
    await thu.click("Gửi ngay")
    await world.drain_outbox()
    assert team.texts()[-1] == "Chúc mừng <i>Khoa CNTT</i>"


async def test_good_deeds_never_name_an_anonymous_reporter(world):
    thu, _team = await setup(world)
    lan = await world.staff("Đặng Văn Lân")
    hoa = await world.staff("Nguyễn Thị Hoa")
    period = (await world.rows(PlanPeriod))[0]
    async with world.session() as s:
        s.add(
            GoodDeed(
                period_id=period.id,
                subject="person",
                person_id=lan.person_id,
                unit_id=(await world.unit()).id,
                reporter_id=hoa.person_id,
                anonymous=True,
                text="Nhặt được ví và trả lại cho sinh viên",
                happened_on=NOW.date(),
                state="verified",
                decided_at=world.clock.now(),
                created_at=world.clock.now(),
            )
        )
        await s.commit()
    await thu.send("/announce")
    await thu.click("Người tốt, việc tốt")
    await thu.click("Đặng Văn Lân")
    await thu.click("Xong")
    draft = thu.texts()[-2]
    assert "<b>BIỂU DƯƠNG NGƯỜI TỐT, VIỆC TỐT</b>" in draft
    assert "• Đặng Văn Lân (Phòng TCHC): Nhặt được ví và trả lại cho sinh viên" in draft
    assert "Hoa" not in draft


async def test_a_long_text_with_a_photo_goes_as_the_photo_then_the_text_split(world):
    thu, team = await setup(world)
    await thu.send("/announce")
    await thu.click("Nội dung tự soạn")
    line = "Thầy cô và các em sinh viên đã có một năm học thật đáng nhớ & nhiều thành tích."
    await thu.send("\n".join([line] * 60))  # about 4,900 characters
    await thu.click("Thêm ảnh")
    await thu.send_photo()
    await to_preview(thu, "Công đoàn trường")
    assert thu.last_text().endswith("\nMỗi nơi nhận sẽ nhận thông báo này thành 3 tin nhắn.")  # told first
    await thu.click("Gửi ngay")
    await world.drain_outbox()
    got = team.messages()
    assert [m.kind for m in got] == ["photo", "text", "text"]
    assert got[0].text is None
    assert all(visible_length(m.text or "") <= 4096 for m in got[1:])  # as Telegram counts
    assert "\n".join(m.text or "" for m in got[1:]).count("&amp;") == 60


async def test_a_short_text_with_a_photo_is_its_caption(world):
    thu, team = await drafted(world)
    await thu.click("Thêm ảnh")
    await thu.send_photo()
    await to_preview(thu, "Công đoàn trường")
    assert thu.last_text() == "Thông báo sẽ được gửi đến: nhóm “Công đoàn trường”. Tổng cộng 1 nơi nhận."
    await thu.click("Gửi ngay")
    await world.drain_outbox()
    got = team.messages()
    assert [m.kind for m in got] == ["photo"] and "Nguyễn Thị Hoa" in (got[0].text or "")


async def test_a_scheduled_post_chooses_its_recipients_when_it_is_sent(world):
    thu, _team = await drafted(world)
    await schedule(thu, "08:00 20/10/2024", "Toàn thể CBVC")
    assert "Đã hẹn gửi thông báo lúc 08:00 ngày 20/10/2024" in thu.last_text()
    late = await world.staff("Trần Văn Muộn")  # joins after the post was scheduled
    await world.run_due()
    assert await world.rows(OutboxMessage, OutboxMessage.kind == "broadcast") == []
    world.clock.set(datetime(2024, 10, 20, 8, 0, tzinfo=VN_TZ))
    assert (await world.run_due())["broadcasts"] == 1
    assert (await world.run_due())["broadcasts"] == 0  # started once
    await world.drain_outbox()
    assert len(posts(late)) == 1
    assert (await world.rows(Broadcast))[0].state == "done"


async def test_a_scheduled_post_whose_sender_lost_the_right_to_announce_is_not_sent(world):
    thu, team = await drafted(world)
    await schedule(thu, "08:00 20/10/2024", "Công đoàn trường")
    async with world.session() as s:  # Thu leaves the union's executive committee meanwhile
        await s.execute(delete(PersonRole).where(PersonRole.role == "union"))
        await s.commit()
    world.clock.set(datetime(2024, 10, 20, 8, 0, tzinfo=VN_TZ))
    assert (await world.run_due())["broadcasts"] == 0
    await world.drain_outbox()
    assert posts(team) == []
    [b] = await world.rows(Broadcast)
    assert b.state == "cancelled"
    assert "Thông báo anh/chị hẹn gửi lúc 08:00 ngày 20/10/2024 đã không được gửi" in thu.last_text()
    assert "không còn quyền thông báo biểu dương" in thu.last_text()


@pytest.mark.restarts("AnnounceSG")
async def test_a_scheduled_post_can_be_cancelled_before_it_starts(world):
    thu, team = await drafted(world)
    await schedule(thu, "08:00 20/10/2024", "Công đoàn trường")
    await thu.send("/announce")  # the list command shows it, with its button
    assert "Thông báo đã hẹn gửi lúc 08:00 ngày 20/10/2024." in thu.texts()
    await thu.click("Hủy hẹn giờ")
    assert "Đã hủy thông báo hẹn giờ." in thu.last_text()
    world.clock.set(datetime(2024, 10, 21, 8, 0, tzinfo=VN_TZ))
    assert (await world.run_due())["broadcasts"] == 0
    await world.drain_outbox()
    assert posts(team) == []


async def test_a_running_broadcast_can_be_stopped_and_says_what_was_not_sent(world):
    thu, _team = await setup(world)
    await world.staff("Nguyễn Thị Hoa")
    for i in range(4):
        await world.staff(f"Nguyễn Văn Số {i}")
    await to_draft(thu)
    await to_preview(thu, "Toàn thể CBVC")
    await thu.click("Gửi ngay")
    world.sender.batch = 3  # the progress message and two posts
    await world.sender.drain_once()
    await thu.click("Dừng gửi")
    assert "Đã dừng gửi." in thu.last_text()
    await world.drain_outbox()
    report = [x for x in thu.texts() if "Đã dừng gửi thông báo." in x]
    assert report == [
        "<b>Đã dừng gửi thông báo.</b>\nĐã gửi 2/6 · không gửi được 0 · 0 người đã chặn bot · 4 nơi chưa gửi"
    ]
    rows = await world.rows(OutboxMessage, OutboxMessage.kind == "broadcast")
    assert sorted(r.status for r in rows) == ["cancelled"] * 4 + ["sent"] * 2


async def test_the_failures_download_as_a_file(world):
    thu, _team = await setup(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.api.block(hoa.id)
    await to_draft(thu)
    await to_preview(thu, "Toàn thể CBVC")
    await thu.click("Gửi ngay")
    await world.drain_outbox()
    assert "Đã gửi 1/2 · không gửi được 0 · 1 người đã chặn bot" in thu.texts()[-2]
    await thu.click("Tải danh sách không gửi được")
    doc = thu.last()
    assert doc.kind == "document" and doc.file_name == "khong-gui-duoc.csv"
    content = world.api.file_bytes(doc.file_id).decode("utf-8-sig")
    assert content.splitlines() == ["Người hoặc nhóm nhận,Tình trạng", "Nguyễn Thị Hoa,đã chặn bot"]


REFUSALS = [
    (403, "Forbidden: bot was kicked from the supergroup chat", "forbidden", "bot bị từ chối khi đăng bài"),
    (400, "Bad Request: chat not found", "chat_not_found", "không tìm thấy nhóm"),
    (
        400,
        "Bad Request: not enough rights to send photos to the chat",
        "not_enough_rights",
        "bot không đủ quyền đăng bài",
    ),
]


@pytest.mark.parametrize(("status", "description", "error", "said"), REFUSALS, ids=[r[2] for r in REFUSALS])
async def test_a_group_that_refuses_a_post_loses_its_binding_and_the_secretary_is_told(
    world, status, description, error, said
):
    thu, team = await drafted(world)
    sec = await world.secretary("Phạm Thị Thư")
    await to_preview(thu, "Công đoàn trường")
    world.api.fail("*", status, description, chat_id=team.id)
    await thu.click("Gửi ngay")
    await world.drain_outbox()
    assert f"Bot không còn đăng bài được vào “Công đoàn trường” ({said})" in sec.last_text()
    binding = (await world.rows(ChatBinding))[0]
    assert not binding.active and binding.retired_reason == error
    assert "Đã gửi 0/1 · không gửi được 1 · 0 người đã chặn bot" in thu.texts()[-1]
    await to_draft(thu)  # a later post cannot pick it any more
    await thu.click("Chọn nơi nhận")
    assert "nhóm “Công đoàn trường”" not in thu.buttons()


async def test_a_group_upgraded_before_a_post_gets_it_at_its_new_id_and_keeps_its_binding(world):
    thu, _team = await setup(world)  # a supergroup: make a basic group for this one
    basic = world.group("Tổ Công đoàn Khoa", bot="left", supergroup=False)
    await world.staff("Nguyễn Thị Hoa")
    await basic.add_bot(by=thu)
    await world.drain_outbox()
    await thu.click("Nhóm Công đoàn")
    await to_draft(thu)
    await to_preview(thu, "Tổ Công đoàn Khoa")
    new_id = -1_000_000_999_999
    new = world.api.migrate(basic.id, new_id)  # upgraded, and the bot was not told
    await thu.click("Gửi ngay")
    await world.drain_outbox()
    assert len([m for m in world.api.sent_to(new_id) if "BIỂU DƯƠNG" in (m.text or "")]) == 1
    [binding] = await world.rows(ChatBinding, ChatBinding.chat_id == new.id)
    assert binding.active and binding.chat_type == "supergroup"


async def test_a_chat_unbound_while_its_post_waits_in_the_queue_never_receives_it(world):
    thu, team = await drafted(world)
    await to_preview(thu, "Công đoàn trường", "Toàn thể CBVC")
    await thu.click("Gửi ngay")  # queued, not delivered yet
    await thu.send("/channels")
    await thu.click("Hủy liên kết “Công đoàn trường”")
    await thu.click("Ở lại")
    await world.drain_outbox()
    assert posts(team) == []
    rows = await world.rows(
        OutboxMessage, OutboxMessage.kind == "broadcast", OutboxMessage.chat_id == team.id
    )
    assert [r.status for r in rows] == ["cancelled"]
