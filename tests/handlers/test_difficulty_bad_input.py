"""Difficulties: every bad input gets a clear message and changes nothing."""

from __future__ import annotations

from bot.roles import Role
from bot.tghtml import utf16_len, visible
from storage.models import AuditEntry, OutboxMessage
from storage.models.difficulty import Difficulty
from tests.handlers.test_difficulty_flow import TEXT, only_item, raise_difficulty, raised_with_principal

MB = 1024 * 1024


async def _at_file_step(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/difficulty")
    await hoa.send(TEXT)
    return hoa


async def test_text_too_short_is_refused_and_the_text_is_asked_again(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/difficulty")
    await hoa.send("Khó quá")
    assert "Nội dung quá ngắn (7 ký tự)" in hoa.last_text()
    assert await hoa.state() == "DifficultySG:text"
    assert (await hoa.data())["draft"]["text"] == ""
    assert await world.rows(Difficulty) == []


async def test_text_too_long_is_refused_and_the_text_is_asked_again(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/difficulty")
    await hoa.send("a" * 2001)
    assert "Nội dung quá dài (2001 ký tự)" in hoa.last_text()
    assert await hoa.state() == "DifficultySG:text"
    assert await world.rows(Difficulty) == []


async def test_text_of_exactly_the_limits_is_accepted(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/difficulty")
    await hoa.send("a" * 2000)
    assert await hoa.state() == "DifficultySG:file"


async def test_a_photo_instead_of_the_text_asks_for_text(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/difficulty")
    await hoa.send_photo()
    assert "bằng chữ" in hoa.last_text()
    assert await hoa.state() == "DifficultySG:text"


async def test_executable_file_is_refused_and_nothing_is_kept(world):
    hoa = await _at_file_step(world)
    await hoa.send_document("setup.exe", "application/x-msdownload", 50_000)
    assert "Tệp “setup.exe” không đúng định dạng" in hoa.last_text()
    assert await hoa.state() == "DifficultySG:file"
    assert (await hoa.data())["draft"]["file_id"] is None


async def test_file_with_a_good_name_but_a_wrong_type_is_refused(world):
    hoa = await _at_file_step(world)
    await hoa.send_document("bao-cao.pdf", "application/x-msdownload", 50_000)
    assert "không đúng định dạng" in hoa.last_text()
    assert (await hoa.data())["draft"]["file_id"] is None


async def test_file_over_ten_megabytes_is_refused(world):
    hoa = await _at_file_step(world)
    await hoa.send_document("ho-so.pdf", "application/pdf", 10 * MB + 1)
    assert "Tệp quá lớn (10,0 MB). Dung lượng tối đa là 10 MB" in hoa.last_text()
    assert await hoa.state() == "DifficultySG:file"
    assert (await hoa.data())["draft"]["file_id"] is None


async def test_photo_over_ten_megabytes_is_refused(world):
    hoa = await _at_file_step(world)
    await hoa.send_photo(12 * MB)
    assert "Tệp quá lớn" in hoa.last_text()
    assert (await hoa.data())["draft"]["file_id"] is None


async def test_after_a_refused_file_the_item_is_sent_without_it(world):
    hoa = await _at_file_step(world)
    await hoa.send_document("setup.exe", "application/x-msdownload", 50_000)
    await hoa.click("Bỏ qua")
    await hoa.click("Gửi")
    item = await only_item(world)
    assert item.file_id is None and item.file_kind is None


async def test_text_at_the_file_step_asks_for_a_file_or_skip(world):
    hoa = await _at_file_step(world)
    await hoa.send("đây không phải tệp")
    assert "Vui lòng gửi một tệp hoặc một ảnh" in hoa.last_text()
    assert await hoa.state() == "DifficultySG:file"


async def test_the_same_send_update_twice_creates_one_item_and_one_set_of_messages(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await world.secretary("Lê Thị Lan")
    await world.secretary("Phạm Văn Bình")
    await hoa.send("/difficulty")
    await hoa.send(TEXT)
    await hoa.send_document("bao-cao.pdf", "application/pdf", 1000)
    press = hoa.callback_update(next(d for label, d in hoa.last().buttons() if label == "Gửi"), hoa.last())
    await world.feed(press)
    await world.feed(press)
    assert len(await world.rows(Difficulty)) == 1
    assert len(await world.rows(OutboxMessage)) == 4  # a card and a document for each secretary
    assert len(await world.rows(AuditEntry, AuditEntry.action == "difficulty.raised")) == 1


async def test_a_second_press_of_send_is_told_the_draft_is_gone(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await world.secretary("Lê Thị Lan")
    await hoa.send("/difficulty")
    await hoa.send(TEXT)
    await hoa.click("Bỏ qua")
    preview = hoa.last()
    data = next(d for label, d in preview.buttons() if label == "Gửi")
    await hoa.click("Gửi")
    await world.feed(hoa.callback_update(data, preview))  # a double tap: a new update, same button
    assert "không còn hiệu lực" in hoa.alerts()[-1]
    assert len(await world.rows(Difficulty)) == 1
    assert len(await world.rows(OutboxMessage)) == 1


async def test_staff_cannot_speak_for_a_unit_they_do_not_head(world):
    minh = await world.unit_head("Trần Văn Minh", unit="KCNTT")
    other = await world.unit("KKT", "Khoa Kinh tế")
    await minh.send("/difficulty")
    await minh.press(f"dfb:{other.id}")
    assert "không phải trưởng đơn vị này" in minh.alerts()[-1]
    assert await minh.state() == "DifficultySG:behalf"


async def test_outsider_cannot_raise_a_difficulty(world):
    stranger = world.outsider("Lê Văn Lạ")
    await stranger.send("/difficulty")
    assert "chưa tham gia" in stranger.last_text()
    assert await stranger.state() is None


# -- answering ---------------------------------------------------------------------------------------------
async def test_second_secretary_racing_sees_the_first_answer_and_changes_nothing(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan, binh = await world.secretary("Lê Thị Lan"), await world.secretary("Phạm Văn Bình")
    await raise_difficulty(hoa)
    await world.drain_outbox()
    await lan.click("Trả lời")
    await binh.click("Trả lời")
    await lan.send("Câu trả lời của chị Lan.")
    await binh.send("Câu trả lời của anh Bình.")
    assert "đã được Lê Thị Lan trả lời" in binh.last_text()
    assert "Câu trả lời của chị Lan." in binh.last_text()
    assert await binh.state() is None
    item = await only_item(world)
    assert item.answer == "Câu trả lời của chị Lan." and item.answered_by == lan.person_id
    assert len(await world.rows(AuditEntry, AuditEntry.action == "difficulty.answered")) == 1
    await world.drain_outbox()
    assert len([m for m in hoa.messages() if "đã trả lời khó khăn" in (m.text or "")]) == 1
    assert binh.messages()[0].markup is None  # Bình's card now shows Lan's answer


async def test_pressing_answer_on_an_answered_item_shows_the_answer(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan, binh = await world.secretary("Lê Thị Lan"), await world.secretary("Phạm Văn Bình")
    await raise_difficulty(hoa)
    await world.drain_outbox()
    await lan.click("Trả lời")
    await lan.send("Đã xử lý xong.")
    await binh.click("Trả lời")
    assert "đã được trả lời" in binh.alerts()[-1]
    card = binh.messages()[0]
    assert "Đã xử lý xong." in (card.text or "") and card.markup is None
    assert await binh.state() is None


async def test_answer_too_short_is_refused_and_asked_again(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    await raise_difficulty(hoa)
    await world.drain_outbox()
    await lan.click("Trả lời")
    await lan.send("k")
    assert "Nội dung quá ngắn" in lan.last_text()
    assert await lan.state() == "DifficultyAnswerSG:text"
    assert (await only_item(world)).state == "open"


async def test_answer_too_long_is_refused_and_asked_again(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    await raise_difficulty(hoa)
    await world.drain_outbox()
    await lan.click("Trả lời")
    await lan.send("x" * 2001)
    assert "Nội dung quá dài (2001 ký tự)" in lan.last_text()
    assert (await only_item(world)).state == "open"


async def test_non_secretary_pressing_answer_gets_an_alert_and_nothing_changes(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    tuan = await world.staff("Đỗ Minh Tuấn")
    await world.secretary("Lê Thị Lan")
    await raise_difficulty(hoa)
    item = await only_item(world)
    await tuan.press(f"dfi:ans:{item.id}")  # a forwarded copy of the secretary's message, or forged data
    assert "Chỉ Thường trực Hội đồng" in tuan.alerts()[-1]
    assert await tuan.state() is None
    assert (await only_item(world)).state == "open"


async def test_non_secretary_pressing_forward_gets_an_alert_and_nothing_changes(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await world.person("Võ Văn Hiệu", Role.PRINCIPAL)
    await raise_difficulty(hoa)
    item = await only_item(world)
    await hoa.press(f"dfi:fwd:{item.id}")
    assert "Chỉ Thường trực Hội đồng" in hoa.alerts()[-1]
    assert (await only_item(world)).state == "open"
    assert await world.rows(OutboxMessage) == []


async def test_forged_press_with_an_unknown_id_gets_an_alert(world):
    lan = await world.secretary("Lê Thị Lan")
    await lan.press("dfi:ans:999")
    assert "Không tìm thấy khó khăn" in lan.alerts()[-1]
    assert await lan.state() is None
    await lan.press("dfi:fwd:999")
    assert "Không tìm thấy khó khăn" in lan.alerts()[-1]
    assert await world.rows(AuditEntry, AuditEntry.action.like("difficulty.%")) == []


async def test_someone_else_pressing_the_principals_reply_button_gets_an_alert(world):
    _hoa, lan, _ = await raised_with_principal(world)
    await lan.click("Chuyển Hiệu trưởng")
    item = await only_item(world)
    await lan.press(f"dfi:rep:{item.id}")
    assert "Chỉ Hiệu trưởng" in lan.alerts()[-1]
    assert await lan.state() is None
    assert (await only_item(world)).principal_reply is None


async def test_principal_cannot_reply_to_an_item_not_forwarded(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    hieu = await world.person("Võ Văn Hiệu", Role.PRINCIPAL)
    await raise_difficulty(hoa)
    item = await only_item(world)
    await hieu.press(f"dfi:rep:{item.id}")
    assert "chưa được chuyển" in hieu.alerts()[-1]
    assert await hieu.state() is None


async def test_principal_second_reply_shows_the_first_and_changes_nothing(world):
    _hoa, lan, hieu = await raised_with_principal(world)
    await lan.click("Chuyển Hiệu trưởng")
    await world.drain_outbox()
    await hieu.click("Phản hồi")
    await hieu.send("Ý kiến thứ nhất.")
    item = await only_item(world)
    await hieu.press(f"dfi:rep:{item.id}")
    assert hieu.alerts() == [f"Đã có ý kiến về khó khăn, vướng mắc số {item.id}."]  # Lan's alert is hers
    assert await hieu.state() is None
    assert (await only_item(world)).principal_reply == "Ý kiến thứ nhất."


async def test_forwarding_twice_is_refused(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan, binh = await world.secretary("Lê Thị Lan"), await world.secretary("Phạm Văn Bình")
    await world.person("Võ Văn Hiệu", Role.PRINCIPAL)
    await raise_difficulty(hoa)
    await world.drain_outbox()
    await lan.click("Chuyển Hiệu trưởng")
    await binh.click("Chuyển Hiệu trưởng")
    [refusal] = binh.alerts()  # only his: Lan's "forwarded" is not among them
    assert "đã được chuyển Hiệu trưởng" in refusal
    assert lan.alerts() == ["Đã chuyển khó khăn, vướng mắc số 1 xin ý kiến Hiệu trưởng."]
    assert binh.buttons() == ["Trả lời"]
    assert len(await world.rows(AuditEntry, AuditEntry.action == "difficulty.forwarded")) == 1


async def test_forged_topic_choice_is_refused_and_the_draft_keeps_no_topic(world, monkeypatch):
    from bot.services import difficulty as svc

    async def topics(session):
        return [svc.Topic("movement", "doi-moi", {"vi": "Đổi mới, sáng tạo", "en": "Innovation"})]

    monkeypatch.setattr(svc, "load_plan_topics", topics)
    hoa = await _at_file_step(world)
    await hoa.click("Bỏ qua")
    await hoa.press("dft:5")  # only choice 0 was offered
    assert "không còn hiệu lực" in hoa.alerts()[-1]
    assert await hoa.state() == "DifficultySG:topic"
    assert (await hoa.data())["draft"]["topic_code"] is None


async def test_forward_pressed_on_an_answered_item_shows_the_answer_and_sends_nothing(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan, binh = await world.secretary("Lê Thị Lan"), await world.secretary("Phạm Văn Bình")
    await world.person("Võ Văn Hiệu", Role.PRINCIPAL)
    await raise_difficulty(hoa)
    await world.drain_outbox()
    await lan.click("Trả lời")
    await lan.send("Đã xử lý xong.")
    await binh.click("Chuyển Hiệu trưởng")
    assert "đã được trả lời" in binh.alerts()[-1]
    card = binh.messages()[0]
    assert "Đã xử lý xong." in (card.text or "") and card.markup is None
    item = await only_item(world)
    assert item.state == "answered" and item.forwarded_at is None
    assert await world.rows(AuditEntry, AuditEntry.action == "difficulty.forwarded") == []


async def test_the_same_answer_update_twice_answers_once(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    await raise_difficulty(hoa)
    await world.drain_outbox()
    await lan.click("Trả lời")
    update = lan.message_update("Mẫu báo cáo đã đăng trên trang nội bộ.")
    await world.feed(update)
    await world.feed(update)
    assert len(await world.rows(AuditEntry, AuditEntry.action == "difficulty.answered")) == 1
    await world.drain_outbox()
    assert len([m for m in hoa.messages() if "đã trả lời khó khăn" in (m.text or "")]) == 1


async def test_racing_secretary_sees_the_topic_by_name_on_the_card(world, monkeypatch):
    from bot.services import difficulty as svc

    async def topics(session):
        return [svc.Topic("movement", "doi-moi", {"vi": "Đổi mới, sáng tạo", "en": "Innovation"})]

    monkeypatch.setattr(svc, "load_plan_topics", topics)
    hoa = await _at_file_step(world)
    lan, binh = await world.secretary("Lê Thị Lan"), await world.secretary("Phạm Văn Bình")
    await hoa.click("Bỏ qua")
    await hoa.click("Phong trào")
    await hoa.click("Gửi")
    await world.drain_outbox()
    await lan.click("Trả lời")
    await binh.click("Trả lời")
    await lan.send("Câu trả lời của chị Lan.")
    await binh.send("Câu trả lời của anh Bình.")
    card = binh.messages()[0].text or ""
    assert "Câu trả lời của chị Lan." in card
    assert "Liên quan phong trào: Đổi mới, sáng tạo" in card and "doi-moi" not in card


async def test_preview_of_the_longest_texts_fits_one_message(world, monkeypatch):
    from bot.services import difficulty as svc

    async def topics(session):
        return [svc.Topic("movement", "m", {"vi": "a" * 4 + "&" * 60, "en": "a" * 4 + "&" * 60})]

    monkeypatch.setattr(svc, "load_plan_topics", topics)
    minh = await world.unit_head("Trần Văn Minh", unit="KCNTT")
    await minh.send("/difficulty")
    await minh.click("Thay mặt")
    await minh.send("abc" + "<" * 1997)  # escaped, "<" is four characters long
    await minh.send_document("abc" + "<" * 100 + ".pdf", "application/pdf", 1000)
    await minh.click("Phong trào")
    assert await minh.state() == "DifficultySG:confirm"
    assert minh.buttons() == ["Gửi", "Hủy"] and "Gửi thay mặt Phòng KCNTT." in minh.last_text()
    assert utf16_len(visible(minh.last_text())) <= 4096  # as Telegram counts: the text shown, in UTF-16
