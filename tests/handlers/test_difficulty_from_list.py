"""/difficulties opens each item as a card with the notification's actions, re-checked on every press."""

from __future__ import annotations

from bot.devtools.harness import Chatter
from handlers.keyboards import DiffItemCb
from storage.models import AuditEntry
from tests.handlers.test_difficulty_flow import TEXT, only_item, raise_difficulty, raised_with_principal


def drop_notification(chatter: Chatter) -> None:
    """The person deleted the notification (or it scrolled far away): its buttons are out of reach."""
    chatter.messages()[0].deleted = True


async def test_secretary_answers_difficulty_1_from_the_list_once_the_notification_is_gone(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    await raise_difficulty(hoa)
    await world.drain_outbox()
    drop_notification(lan)

    await lan.send("/difficulties")
    assert "Số 1" in lan.buttons()
    await lan.click("Số 1", exact=True)
    assert TEXT in lan.last_text() and lan.buttons() == ["Trả lời", "Chuyển Hiệu trưởng"]
    await lan.click("Trả lời", exact=True)
    await lan.send("Mẫu báo cáo đã đăng trên trang nội bộ, mục Thi đua.")

    assert "Đã gửi câu trả lời khó khăn, vướng mắc số 1" in lan.last_text()
    await world.drain_outbox()
    assert "Mẫu báo cáo đã đăng trên trang nội bộ" in hoa.last_text()
    item = await only_item(world)
    assert item.state == "answered" and item.answered_by == lan.person_id
    [card] = [m for m in lan.messages() if (m.text or "").startswith("<b>Khó khăn, vướng mắc số 1")]
    assert "Mẫu báo cáo đã đăng" in (card.text or "") and card.markup is None  # the card shows the outcome
    assert len(await world.rows(AuditEntry, AuditEntry.action == "difficulty.answered")) == 1


async def test_secretary_forwards_from_the_card(world):
    _hoa, lan, hieu = await raised_with_principal(world)
    drop_notification(lan)
    await lan.send("/difficulties")
    await lan.click("Số 1", exact=True)

    await lan.click("Chuyển Hiệu trưởng")

    assert (await only_item(world)).state == "forwarded"
    assert lan.buttons() == ["Trả lời"]
    await world.drain_outbox()
    assert hieu.buttons() == ["Phản hồi"]


async def test_principal_gives_an_opinion_from_their_list(world):
    _hoa, lan, hieu = await raised_with_principal(world)
    await lan.click("Chuyển Hiệu trưởng")
    await world.drain_outbox()
    drop_notification(hieu)

    await hieu.send("/difficulties")
    text = hieu.last_text()
    assert "xin ý kiến Hiệu trưởng" in text and "Chờ ý kiến Hiệu trưởng" in text
    assert hieu.buttons() == ["• Xin ý kiến Hiệu trưởng", "Tôi đã gửi", "Số 1"]
    await hieu.click("Số 1", exact=True)
    assert TEXT in hieu.last_text() and hieu.buttons() == ["Phản hồi"]
    await hieu.click("Phản hồi")
    await hieu.send("Đồng ý, đề nghị Phòng TC-HC gửi lại mẫu cho các đơn vị.")

    assert (await only_item(world)).principal_reply.startswith("Đồng ý")
    await hieu.send("/difficulties")
    assert "Hiệu trưởng đã cho ý kiến" in hieu.last_text()
    await hieu.click("Số 1", exact=True)
    assert "Đồng ý, đề nghị" in hieu.last_text() and hieu.last().markup is None  # no button left on it


async def test_principal_lists_what_they_raised_themself(world):
    hieu = (await raised_with_principal(world))[2]
    await raise_difficulty(hieu, "Khó khăn Hiệu trưởng tự nêu về lịch họp Hội đồng.")
    await hieu.send("/difficulties")
    assert "Chưa có khó khăn" in hieu.last_text()  # nothing forwarded yet

    await hieu.click("Tôi đã gửi")

    assert "Khó khăn Hiệu trưởng tự nêu" in hieu.last_text()
    assert hieu.buttons() == ["Xin ý kiến Hiệu trưởng", "• Tôi đã gửi"]


async def test_a_press_on_a_card_answered_meanwhile_gets_an_alert_and_the_card_shows_the_answer(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan, binh = await world.secretary("Lê Thị Lan"), await world.secretary("Phạm Văn Bình")
    await raise_difficulty(hoa)
    await world.drain_outbox()
    await lan.send("/difficulties")
    await lan.click("Số 1", exact=True)
    await binh.click("Trả lời", exact=True)
    await binh.send("Bình đã trả lời trước.")

    await lan.click("Trả lời", exact=True)

    assert "đã được trả lời" in lan.alerts()[-1]
    assert "Bình đã trả lời trước." in lan.last_text() and lan.last().markup is None
    assert await lan.state() is None
    assert (await only_item(world)).answer == "Bình đã trả lời trước."


async def test_the_card_brings_the_attached_file_again(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    await hoa.send("/difficulty")
    await hoa.send(TEXT)
    sent = await hoa.send_document("bao-cao.pdf", "application/pdf", 1000)
    await hoa.click("Gửi")
    await world.drain_outbox()
    drop_notification(lan)
    lan.messages()[0].deleted = True  # and the file that came with it

    await lan.send("/difficulties")
    await lan.click("Số 1", exact=True)

    card, file = lan.messages()[-2:]
    assert TEXT in (card.text or "") and card.markup is not None
    assert (file.kind, file.file_id) == ("document", sent.message.document.file_id)


async def test_forged_or_foreign_card_presses_are_refused_with_an_alert(world):
    hoa, lan, hieu = await raised_with_principal(world)
    before = len(lan.messages()), len(hoa.messages()), len(hieu.messages())

    await hoa.press(DiffItemCb(op="card", id=1).pack())  # staff
    await lan.press(DiffItemCb(op="card", id=999).pack())  # no such item
    await hieu.press(DiffItemCb(op="card", id=1).pack())  # not forwarded to the principal

    alerts = world.api.calls_of("answerCallbackQuery")[-3:]
    assert [a.params.get("show_alert") for a in alerts] == [True, True, True]
    assert "Chỉ Thường trực Hội đồng" in alerts[0].params["text"]
    assert "Không tìm thấy" in alerts[1].params["text"]
    assert "chưa được chuyển xin ý kiến Hiệu trưởng" in alerts[2].params["text"]
    assert (len(lan.messages()), len(hoa.messages()), len(hieu.messages())) == before


async def test_a_staff_members_own_list_has_no_card_buttons(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await raise_difficulty(hoa)
    await hoa.send("/difficulties")
    assert hoa.buttons() == []
    assert "Bấm vào số" not in hoa.last_text()
