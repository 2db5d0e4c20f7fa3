"""/announce: every bad input gets one clear message and changes nothing."""

from __future__ import annotations

from storage.models import OutboxMessage
from storage.models.channels import Broadcast
from tests.handlers.announce_steps import drafted, pick_exemplar, posts, schedule, setup, to_draft, to_preview


async def test_staff_may_not_announce(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/announce")
    assert "/announce" in hoa.last_text() and "thông báo nội dung gì" not in hoa.last_text()
    assert await hoa.state() is None


async def test_staff_pressing_a_broadcast_button_changes_nothing(world):
    thu, _team = await setup(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await to_draft(thu)
    await schedule(thu, "08:00 20/10/2024", "Công đoàn trường")
    b = (await world.rows(Broadcast))[0]
    await hoa.press(f"bcf:x:{b.id}")
    assert (await world.rows(Broadcast))[0].state == "scheduled"


async def test_a_schedule_in_the_past_is_refused_and_the_step_stays(world):
    thu, _team = await drafted(world)
    await schedule(thu, "08:00 14/10/2024", "Công đoàn trường")
    assert (
        thu.last_text() == "Thời điểm 08:00 ngày 14/10/2024 đã qua. Vui lòng chọn một thời điểm sau bây giờ."
    )
    await thu.send("mai nhé")
    assert thu.last_text().startswith("Chưa đọc được giờ và ngày.")
    assert await world.rows(Broadcast) == []
    assert await thu.state() == "AnnounceSG:when"


async def test_a_photo_of_the_wrong_type_is_refused(world):
    thu, _team = await drafted(world)
    await thu.click("Thêm ảnh")
    await thu.send_document("anh.pdf", "application/pdf", data=b"%PDF-1.4")
    assert thu.last_text().startswith("Bot chỉ nhận ảnh gửi dạng ảnh (JPG, PNG)")
    await thu.send("ảnh đây")
    assert thu.last_text().startswith("Bot chỉ nhận ảnh gửi dạng ảnh (JPG, PNG)")
    assert (await thu.data())["draft"]["photo"] is None
    assert await thu.state() == "AnnounceSG:photo"


async def test_a_target_unbound_in_between_is_refused_at_sending(world):
    thu, team = await drafted(world)
    await to_preview(thu, "Công đoàn trường")
    await thu.send("/channels")  # ends the conversation: so the binding is undone from another chat
    sec = await world.secretary("Phạm Thị Thư")
    await sec.send("/channels")
    await sec.click("Hủy liên kết")
    await thu.click("Gửi ngay")  # the preview's button, pressed after the conversation ended
    assert await world.rows(Broadcast) == []
    assert posts(team) == []


async def test_a_target_unbound_while_previewing_gets_a_clear_message(world):
    thu, _team = await drafted(world)
    sec = await world.secretary("Phạm Thị Thư")
    await to_preview(thu, "Công đoàn trường")
    await sec.send("/channels")
    await sec.click("Hủy liên kết")
    await thu.click("Gửi ngay")
    assert thu.alerts()[-1] == (
        "Nhóm hoặc kênh “Công đoàn trường” không còn liên kết với bot. Vui lòng chọn lại nơi nhận."
    )
    assert await world.rows(Broadcast) == []
    assert await thu.state() == "AnnounceSG:preview"


async def test_no_target_is_refused_at_the_preview(world):
    thu, _team = await drafted(world)
    await to_preview(thu)
    assert thu.alerts()[-1] == "Vui lòng chọn ít nhất một nơi nhận."
    assert await thu.state() == "AnnounceSG:targets"


async def test_forged_buttons_change_nothing(world):
    thu, _team = await drafted(world)
    await thu.click("Chọn nơi nhận")
    await thu.press("anc:999")  # a binding that does not exist
    await thu.press("anu:999")  # a unit that does not exist
    await thu.press("bcf:r:999")  # a broadcast that does not exist
    await thu.press("ant:1")  # a step of another state
    stale, gone = (
        "Nút này không còn hiệu lực.",
        "Thông báo này đã thay đổi hoặc không còn. Vui lòng gõ /announce để xem lại.",
    )
    assert thu.alerts() == [stale, stale, gone, stale]
    data = (await thu.data())["draft"]
    assert data["chats"] == [] and data["unit"] is None
    assert await world.rows(Broadcast) == []


async def test_the_same_send_twice_sends_once(world):
    thu, team = await drafted(world)
    await to_preview(thu, "Công đoàn trường")
    sent, data = thu.find_button("Gửi ngay")
    update = thu.callback_update(data, sent)
    await world.feed(update)
    await world.feed(update)  # the same update again
    await thu.press(data)  # a double tap
    await world.drain_outbox()
    assert len(await world.rows(Broadcast)) == 1
    assert len(posts(team)) == 1
    assert len(await world.rows(OutboxMessage, OutboxMessage.kind == "broadcast")) == 1


async def test_a_too_long_achievement_is_refused(world):
    thu, _team = await setup(world)
    await world.staff("Nguyễn Thị Hoa")
    await thu.send("/announce")
    await thu.click("Điển hình được khen thưởng")
    await pick_exemplar(thu, "nguyen thi hoa", "Nguyễn Thị Hoa", "Lao động tiên tiến", "x" * 301)
    assert thu.last_text().startswith("Thành tích chỉ nên gói trong một dòng (tối đa 300 ký tự, hiện có 301)")
    assert (await thu.data())["draft"]["picks"] == []


async def test_a_decision_that_cannot_be_read_is_refused(world):
    thu, _team = await setup(world)
    await world.staff("Nguyễn Thị Hoa")
    await thu.send("/announce")
    await thu.click("Điển hình được khen thưởng")
    await pick_exemplar(thu, "nguyen thi hoa", "Nguyễn Thị Hoa", "Lao động tiên tiến", "Dạy giỏi")
    await thu.click("Xong")
    assert "ví dụ: 45/QĐ-CĐKT 15/10/2024." in thu.last_text()  # the example is today, never a day ahead
    await thu.send("quyết định hôm qua")
    assert thu.last_text().startswith("Chưa đọc được số và ngày quyết định.")
    assert await thu.state() == "AnnounceSG:decision"
    await thu.send("45/QĐ-CĐKT 16/10/2024")  # issue 18, D27: a decision dated tomorrow
    assert thu.last_text() == (
        "Ngày quyết định 16/10/2024 chưa tới (hôm nay là 15/10/2024)."
        " Vui lòng kiểm tra lại ngày ký quyết định."
    )
    assert await thu.state() == "AnnounceSG:decision"
    assert (await thu.data())["draft"]["decision"] is None
