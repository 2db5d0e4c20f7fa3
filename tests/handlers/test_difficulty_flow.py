"""Difficulties: raised by staff or a unit head, answered by the secretary, forwarded to the principal."""

from __future__ import annotations

from bot.harness import Chatter, World
from bot.roles import Role
from storage.models import AuditEntry, OutboxMessage
from storage.models.difficulty import Difficulty

TEXT = "Phòng chưa nhận được mẫu báo cáo thành tích năm học 2025–2026."


async def raise_difficulty(person: Chatter, text: str = TEXT, *, unit: bool | None = None) -> None:
    """Goes through /difficulty up to the preview (no file, no topic) and presses Gửi."""
    await person.send("/difficulty")
    if unit is not None:
        await person.click("Thay mặt" if unit else "Cá nhân tôi")
    await person.send(text)
    await person.click("Bỏ qua")
    await person.click("Gửi")


async def only_item(world: World) -> Difficulty:
    [item] = await world.rows(Difficulty)
    return item


async def test_staff_raises_difficulty_and_every_secretary_gets_it_with_buttons(world):
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    lan, binh = await world.secretary("Lê Thị Lan"), await world.secretary("Phạm Văn Bình")
    await raise_difficulty(hoa)
    assert "Đã gửi khó khăn, vướng mắc số" in hoa.last_text()
    assert await hoa.state() is None
    await world.drain_outbox()
    for sec in (lan, binh):
        assert TEXT in sec.last_text() and "Nguyễn Thị Hoa" in sec.last_text()
        assert sec.buttons() == ["Trả lời", "Chuyển Hiệu trưởng"]
    item = await only_item(world)
    assert (item.state, item.on_behalf_of_unit, item.text) == ("open", False, TEXT)
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "difficulty.raised")
    assert entry.before is None and entry.after["state"] == "open"


async def test_secretary_answer_reaches_the_sender_and_closes_the_item(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    await raise_difficulty(hoa)
    await world.drain_outbox()
    await lan.click("Trả lời")
    assert "Vui lòng nhập câu trả lời" in lan.last_text()
    await lan.send("Mẫu báo cáo đã đăng trên trang nội bộ, mục Thi đua.")
    assert "Đã gửi câu trả lời" in lan.last_text()
    await world.drain_outbox()
    assert "Mẫu báo cáo đã đăng trên trang nội bộ" in hoa.last_text()
    item = await only_item(world)
    assert item.state == "answered" and item.answered_by == lan.person_id
    card = lan.messages()[0]
    assert "Mẫu báo cáo đã đăng" in (card.text or "") and card.markup is None
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "difficulty.answered")
    assert entry.before["state"] == "open" and entry.after["state"] == "answered"
