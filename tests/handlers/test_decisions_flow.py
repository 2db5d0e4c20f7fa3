"""The decisions in chat: the secretary records a decision in one conversation (a preview not recorded
yet, the amounts "tạm tính" confirmed), the commended and the others are told; the list published for
comment, an objection by the deep link, answered; /summary and /history."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.devtools.harness import World
from storage.models.decisions import Commendation, Decision, Objection
from tests.handlers.decisions_steps import Cast, tallied_world

REASON = "Đồng chí này bị nhắc nhở vì đi muộn nhiều lần trong học kỳ II."


async def decide(c: Cast, line: str = "123/QĐ-CĐKTCN ngày 19/06/2027") -> None:
    s = c.secretary
    await s.send("/decide")
    await s.click("Bình xét thi đua, khen thưởng năm học 2026-2027")
    await s.send(line)
    await s.click("Hiệu trưởng — Trần Văn Hiệu")


async def test_the_secretary_records_a_decision_after_a_preview_and_everyone_concerned_is_told(
    world: World, tmp_path: Path
):
    c = await tallied_world(world, tmp_path)
    await decide(c)
    preview = c.secretary.last_text()
    assert "chưa ghi nhận" in preview and "123/QĐ-CĐKTCN ngày 19/06/2027" in preview
    assert "Nguyễn Thị Hoa — Lao động tiên tiến: tiền thưởng 710.000 đ (tạm tính)" in preview
    assert "Trần Văn Bình" not in preview
    assert "Ghi nhận" not in c.secretary.buttons()  # the provisional amounts are confirmed first
    await c.secretary.click("Xác nhận số tiền")
    assert await world.rows(Decision) == []
    await c.secretary.click("Ghi nhận")
    assert "Đã ghi nhận Quyết định số 123/QĐ-CĐKTCN ngày 19/06/2027" in c.secretary.last_text()
    assert len(await world.rows(Commendation)) == 2

    await world.drain_outbox()
    assert "Lao động tiên tiến" in c.hoa.last_text() and "710.000 đ" in c.hoa.last_text()
    assert "chưa được khen thưởng" in c.binh.last_text()
    assert "Trần Văn Bình" in c.head.last_text() and "1.880.000 đ" in c.head.last_text()


@pytest.mark.restarts("DecideSG")
async def test_an_amount_is_edited_and_one_left_out_with_a_reason(world: World, tmp_path: Path):
    c = await tallied_world(world, tmp_path)
    await decide(c)
    await c.secretary.click("Sửa số tiền")
    await c.secretary.click("Nguyễn Thị Hoa")
    await c.secretary.send("7 trăm")
    assert "Số tiền chưa đúng" in c.secretary.last_text()
    await c.secretary.send("700.000")
    assert "tiền thưởng 700.000 đ" in c.secretary.last_text()
    await c.secretary.click("Bỏ ra khỏi danh sách")
    await c.secretary.click("Phòng KCNTT")
    await c.secretary.send("Đơn vị chưa nộp báo cáo tổng kết")
    assert "không đưa vào quyết định (Đơn vị chưa nộp báo cáo tổng kết)" in c.secretary.last_text()
    await c.secretary.click("Xác nhận số tiền")
    await c.secretary.click("Ghi nhận")
    [made] = await world.rows(Commendation)
    assert (made.person_id, made.amount) == (c.hoa.person_id, 700_000)


async def test_a_date_in_the_future_or_a_number_used_that_year_is_refused(world: World, tmp_path: Path):
    c = await tallied_world(world, tmp_path)
    await c.secretary.send("/decide")
    await c.secretary.click("Bình xét thi đua, khen thưởng năm học 2026-2027")
    await c.secretary.send("123/QĐ-CĐKTCN ngày 20/06/2027")
    assert "20/06/2027" in c.secretary.last_text() and "Hiệu trưởng" not in " ".join(c.secretary.buttons())
    await c.secretary.send("không rõ")
    assert "45/QĐ-CĐKT 19/06/2027" in c.secretary.last_text()  # the form to type, today's date


async def test_the_list_is_published_objected_to_by_the_deep_link_and_answered(world: World, tmp_path: Path):
    c = await tallied_world(world, tmp_path, comment=True)
    await c.secretary.send("/decide")
    await c.secretary.click("Bình xét thi đua, khen thưởng năm học 2026-2027")
    assert "công khai lấy ý kiến 5 ngày" in c.secretary.last_text()
    await c.secretary.click("Công khai lấy ý kiến")
    assert "chưa gửi" in c.secretary.last_text()
    await c.secretary.click("Gửi công khai")
    assert "đến hết ngày 24/06/2027" in c.secretary.last_text()
    await world.drain_outbox()
    post = c.binh.last_text()
    assert "Nguyễn Thị Hoa" in post and f"?start=obj{c.round_id}" in post and "Trần Văn Bình" not in post

    await c.binh.send(f"/start obj{c.round_id}")
    await c.binh.click("Nguyễn Thị Hoa")
    await c.binh.send("Không đồng ý")
    assert "quá ngắn" in c.binh.last_text()
    await c.binh.send(REASON)
    assert "chưa gửi" in c.binh.last_text()
    await c.binh.click("Gửi")
    assert "Đã gửi ý kiến" in c.binh.last_text()
    await world.drain_outbox()
    assert REASON in c.secretary.last_text()

    await c.secretary.send("/objections")
    assert "Trần Văn Bình" in c.secretary.last_text()  # the secretary sees who
    await c.secretary.click("Giữ nguyên danh sách")
    await c.secretary.send("Đã xác minh với đơn vị, không đúng sự thật")
    await world.drain_outbox()
    assert "giữ nguyên danh sách" in c.binh.last_text()
    assert [o.state for o in await world.rows(Objection)] == ["dismissed"]
    assert all("Trần Văn Bình" not in m for m in c.hoa.texts())  # never shown to the person concerned


async def test_the_principal_s_summary_and_one_s_own_history(world: World, tmp_path: Path):
    c = await tallied_world(world, tmp_path)
    await c.principal.send("/summary")
    text = c.principal.last_text()
    assert "Kính gửi Hiệu trưởng" in text and "Lao động tiên tiến: 1" in text and "chờ trình ký" in text
    await c.hoa.send("/summary")
    assert "không thuộc quyền hạn" in c.hoa.last_text()
    await decide(c)
    await c.secretary.click("Xác nhận số tiền")
    await c.secretary.click("Ghi nhận")
    await c.hoa.send("/history")
    assert "19/06/2027: Lao động tiên tiến (Quyết định số 123/QĐ-CĐKTCN)" in c.hoa.last_text()
    await c.binh.send("/history")
    assert "chưa được khen thưởng" in c.binh.last_text()


async def test_the_list_is_published_to_the_bound_chats_the_secretary_ticks(world: World, tmp_path: Path):
    from handlers.decisions.common import DecCb
    from storage.models.channels import Broadcast
    from storage.models.decisions import CommentPeriod
    from tests.handlers.announce_steps import bind

    c = await tallied_world(world, tmp_path, comment=True)
    group = world.group("Cán bộ toàn trường", bot="left")
    await bind(world, c.secretary, group, "Thông báo chung")
    await c.secretary.send("/decide")
    await c.secretary.click("Bình xét thi đua, khen thưởng năm học 2026-2027")
    await c.secretary.click("Công khai lấy ý kiến")
    assert c.secretary.buttons()[:2] == ["nhóm “Cán bộ toàn trường”", "✓ Toàn thể CBVC-NLĐ"]
    await c.secretary.click("Toàn thể CBVC-NLĐ")  # unticked: nowhere to go
    await c.secretary.click("Gửi công khai")
    assert "ít nhất một nơi nhận" in c.secretary.last_text()
    assert await world.rows(CommentPeriod) == [] and await world.rows(Broadcast) == []
    await c.secretary.press(DecCb(op="pc", id=c.round_id, x=999).pack())  # a chat never bound
    assert "không còn hiệu lực" in c.secretary.alerts()[-1]
    await c.secretary.send("/decide")
    await c.secretary.click("Bình xét thi đua, khen thưởng năm học 2026-2027")
    await c.secretary.click("Công khai lấy ý kiến")
    await c.secretary.click("Toàn thể CBVC-NLĐ")
    await c.secretary.click("Cán bộ toàn trường")
    assert c.secretary.buttons()[:2] == ["✓ nhóm “Cán bộ toàn trường”", "Toàn thể CBVC-NLĐ"]
    await c.secretary.click("Gửi công khai")
    assert "đến hết ngày 24/06/2027" in c.secretary.last_text()
    await world.drain_outbox()
    assert any(f"?start=obj{c.round_id}" in m and "Nguyễn Thị Hoa" in m for m in group.texts())
    assert all(f"start=obj{c.round_id}" not in m for m in c.binh.texts())  # the staff were not ticked
    [b] = await world.rows(Broadcast)
    assert b.targets["staff"] is False and len(b.targets["chats"]) == 1


async def test_the_recorded_decision_is_announced_from_its_thong_bao_button_and_from_announce(
    world: World, tmp_path: Path
):
    from handlers.decisions.common import DecCb
    from storage.models.channels import Broadcast

    c = await tallied_world(world, tmp_path)
    await decide(c)
    await c.secretary.click("Xác nhận số tiền")
    await c.secretary.click("Ghi nhận")
    [d] = await world.rows(Decision)
    await c.secretary.click("Thông báo")
    draft = "\n".join(c.secretary.texts()[-2:])
    assert "Nguyễn Thị Hoa" in draft and "Lao động tiên tiến" in draft and "123/QĐ-CĐKTCN" in draft
    assert "Trần Văn Bình" not in draft  # those not commended never appear
    await c.secretary.click("Chọn nơi nhận")
    await c.secretary.click("Toàn thể CBVC-NLĐ")
    await c.secretary.click("Xem trước")
    await c.secretary.click("Gửi ngay")
    await world.drain_outbox()
    assert "Nguyễn Thị Hoa" in c.binh.last_text() and "123/QĐ-CĐKTCN" in c.binh.last_text()
    [b] = await world.rows(Broadcast)
    assert b.source == "decision"

    await c.secretary.send("/announce")  # the same draft from the announce room's list of decisions
    await c.secretary.click("Theo quyết định khen thưởng đã ghi nhận")
    await c.secretary.click("Quyết định số 123/QĐ-CĐKTCN ngày 19/06/2027")
    assert "Nguyễn Thị Hoa" in "\n".join(c.secretary.texts()[-2:])

    await c.secretary.press(DecCb(op="an", id=d.id + 7).pack())  # a decision that does not exist
    assert "Không tìm thấy" in c.secretary.alerts()[-1]
    await c.hoa.press(DecCb(op="an", id=d.id).pack())  # not the union's nor the secretary's
    assert c.hoa.alerts()[-1] and len(await world.rows(Broadcast)) == 1


async def test_announce_says_when_no_decision_is_recorded(world: World, tmp_path: Path):
    c = await tallied_world(world, tmp_path)
    await c.secretary.send("/announce")
    await c.secretary.click("Theo quyết định khen thưởng đã ghi nhận")
    assert "Chưa có quyết định khen thưởng nào" in c.secretary.last_text()


async def test_history_by_name_for_the_unit_head_and_the_secretary_never_for_a_colleague(
    world: World, tmp_path: Path
):
    from handlers.decisions.common import DecCb

    c = await tallied_world(world, tmp_path)
    await decide(c)
    await c.secretary.click("Xác nhận số tiền")
    await c.secretary.click("Ghi nhận")
    await c.head.send("/history Bình")
    await c.head.click("Trần Văn Bình")
    assert "Trần Văn Bình" in c.head.last_text() and "chưa được khen thưởng" in c.head.last_text()
    await c.head.send("/history KCNTT")
    await c.head.click("Phòng KCNTT")
    assert "Tập thể lao động tiên tiến (Quyết định số 123/QĐ-CĐKTCN)" in c.head.last_text()
    await c.secretary.send("/history hoa")
    await c.secretary.click("Nguyễn Thị Hoa")
    assert "Lao động tiên tiến (Quyết định số 123/QĐ-CĐKTCN)" in c.secretary.last_text()
    await c.secretary.send("/history ab")
    assert "ít nhất 3" in c.secretary.last_text()
    await c.head.send("/history Lê Thị Thu")  # not of the head's unit
    assert "Không tìm thấy" in c.head.last_text()

    await c.hoa.send("/history Bình")  # a colleague's record
    assert "chỉ xem được quá trình khen thưởng của mình" in c.hoa.last_text()
    seen = len(c.hoa.texts())
    await c.hoa.press(DecCb(op="hp", id=c.binh.person_id).pack())  # forged
    assert "chỉ xem được" in c.hoa.alerts()[-1] and len(c.hoa.texts()) == seen


@pytest.mark.restarts("PublishSG", "ObjectSG", "AnswerSG", "SupplySG")
async def test_an_objection_asks_the_unit_for_documents_and_the_head_supplies_them_from_pending(
    world: World, tmp_path: Path
):
    c = await tallied_world(world, tmp_path, comment=True)
    await c.secretary.send("/decide")
    await c.secretary.click("Bình xét thi đua, khen thưởng năm học 2026-2027")
    await c.secretary.click("Công khai lấy ý kiến")
    await c.secretary.click("Gửi công khai")
    await world.drain_outbox()
    await c.binh.send(f"/start obj{c.round_id}")
    await c.binh.click("Nguyễn Thị Hoa")
    await c.binh.send(REASON)
    await c.binh.click("Gửi")
    await world.drain_outbox()

    await c.secretary.send("/objections")
    await c.secretary.click("Yêu cầu bổ sung hồ sơ")
    await c.secretary.send("Đề nghị đơn vị gửi bảng chấm công")  # not a deadline: asked again
    assert "Chưa đọc được giờ và ngày" in c.secretary.last_text()
    await c.secretary.send("08:00 26/06/2027")
    assert "Đã yêu cầu Trưởng đơn vị bổ sung hồ sơ" in c.secretary.last_text()
    await world.drain_outbox()
    assert "Hạn bổ sung: 08:00 ngày 26/06/2027" in c.head.last_text()
    await c.head.send("/pending")
    await c.head.click("Đã bổ sung: Nguyễn Thị Hoa")
    assert "hồ sơ đã bổ sung" in c.head.last_text()
    await c.head.send("Đã gửi bảng chấm công qua văn thư ngày 22/06")
    assert "Đã báo Thường trực Hội đồng" in c.head.last_text()
    await world.drain_outbox()
    assert "văn thư ngày 22/06" in c.secretary.last_text()
    await c.head.send("/pending")  # supplied: nothing left for the head
    assert "Đã bổ sung: Nguyễn Thị Hoa" not in c.head.buttons()
    assert all("Trần Văn Bình" not in m for m in c.head.texts())  # the objector is never named to the unit
