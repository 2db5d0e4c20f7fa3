"""/announce, a second pass: what the sender sees on the phone matches what goes out, however long."""

from __future__ import annotations

from bot.tghtml import visible_length
from tests.handlers.announce_steps import pick_exemplar, posts, setup, to_preview


async def test_a_draft_longer_than_one_message_is_shown_whole_in_parts(world):
    thu, team = await setup(world)
    await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await thu.send("/announce")
    await thu.click("Điển hình được khen thưởng")
    line = "Giảng dạy xuất sắc, hướng dẫn sinh viên nghiên cứu khoa học đạt giải & " * 4
    for i in range(16):  # sixteen lines of achievement of about 290 characters: over 4,096 in all
        await pick_exemplar(thu, "nguyen thi hoa", "Nguyễn Thị Hoa", "Lao động tiên tiến", f"{i:02d} {line}")
        await thu.click("Thêm điển hình" if i < 15 else "Xong")
    await thu.click("Bỏ qua")
    shown = [
        m.text or "" for m in thu.messages() if "BIỂU DƯƠNG" in (m.text or "") or "15 Giảng" in (m.text or "")
    ]
    assert len(shown) == 2, "the draft comes in two messages"
    assert all(visible_length(x) <= 4096 for x in shown)
    assert "00 Giảng dạy" in shown[0] and "15 Giảng dạy" in shown[1]
    assert thu.last_text().startswith("Trên đây là bản nháp")
    await to_preview(thu, "Công đoàn trường")
    await thu.click("Gửi ngay")
    await world.drain_outbox()
    assert len(team.messages()) == 2 and posts(team)[0] == shown[0]
