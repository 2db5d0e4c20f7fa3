"""From a good deed to a locked nomination, across roles, as the school year goes.

A colleague reports a good deed with an album of 3 photos; the unit head verifies it; the head nominates
the person for a title in the open round and attaches that good deed; the nominee writes the achievement
report; the head accepts it; the deadline passes and the nomination is locked.
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import VN_TZ
from storage.models import AuditEntry
from storage.models.good_deed import GoodDeed
from storage.models.nomination import Nomination, NominationGoodDeed

PLAN = "plans/2021-2025.yaml"
DEED = "Anh đã ở lại sau giờ để giúp sinh viên sửa máy thực hành trước kỳ thi."
SUMMARY = (
    "Hoàn thành xuất sắc nhiệm vụ giảng dạy và hướng dẫn thực hành; tận tình giúp đỡ sinh viên, "
    "được đồng nghiệp ghi nhận là người tốt, việc tốt."
)
REPORT = "Báo cáo thành tích năm học 2024-2025: giảng dạy 420 tiết, hướng dẫn 3 đề tài sinh viên."


async def test_a_good_deed_becomes_a_nomination_with_its_report_and_is_locked_at_the_deadline(world):
    world.clock.set(datetime(2024, 10, 15, 9, 0, tzinfo=VN_TZ))
    await world.load_plan(PLAN)
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.staff("Đặng Văn Lân")
    minh = await world.unit_head("Trần Văn Minh")

    # October: Hoa reports what Lân did, with an album of 3 photos
    await hoa.send("/gooddeed")
    await hoa.send("dang van lan")
    await hoa.click("Đặng Văn Lân")
    await hoa.send(DEED)
    await hoa.send("hôm qua")
    await hoa.send_album(3)
    world.clock.advance(seconds=3)
    await world.drain_outbox()
    assert any("Đã nhận 3 ảnh" in x for x in hoa.texts())
    await hoa.click("Tiếp tục")  # the button rides on a text after the album
    await hoa.click("Để tên tôi")
    await hoa.click("Gửi")
    await world.drain_outbox()

    # the head verifies it
    await minh.click("Xác minh")
    [deed] = await world.rows(GoodDeed)
    assert deed.state == "verified"
    await world.drain_outbox()

    # November: the head nominates Lân for Lao động tiên tiến and attaches the good deed
    world.clock.set(datetime(2024, 11, 20, 9, 0, tzinfo=VN_TZ))
    await minh.send("/nominate")
    await minh.click("Một người của")
    await minh.send("Lân")
    await minh.click("Đặng Văn Lân")
    await minh.click("Lao động tiên tiến")
    await minh.send(SUMMARY)
    await minh.click("giúp sinh viên")  # the verified good deed
    await minh.click("Xong")
    await minh.click("Bỏ qua")
    assert "Việc tốt đính kèm: 1" in minh.last_text()
    await minh.click("Gửi đề nghị")
    [row] = await world.rows(Nomination)
    assert [link.good_deed_id for link in await world.rows(NominationGoodDeed)] == [deed.id]

    # Lân is asked for the report, writes it; the head accepts it
    await world.drain_outbox()
    assert "Lao động tiên tiến" in lan.last_text()
    await lan.click("Viết báo cáo thành tích")
    await lan.send(REPORT)
    assert "chưa gửi" in lan.last_text()  # previewed first
    await lan.click("Gửi báo cáo")
    await world.drain_outbox()
    assert "420 tiết" in minh.last_text()
    await minh.click("Duyệt báo cáo")
    await world.drain_outbox()
    assert "đã được duyệt" in lan.last_text()
    await lan.send("/status")
    assert "được đề nghị “Lao động tiên tiến”" in lan.last_text() and "đã duyệt" in lan.last_text()

    # June: the deadline (30/05/2025) has passed; the nomination is locked and waits for the council
    world.clock.set(datetime(2025, 5, 31, 8, 0, tzinfo=VN_TZ))
    await world.tick(minutes=1)  # the due work locks it
    await minh.send("/nominations")
    assert "đã khóa, chờ Hội đồng xét" in minh.last_text()
    [row] = await world.rows(Nomination)
    assert (row.state, row.report_state) == ("locked", "accepted")
    await minh.click("Số 1")
    assert "đã khóa" in minh.last_text() and minh.buttons() == ["Xem báo cáo"]  # no edit, no withdraw
    actions = [
        e.action for e in await world.rows(AuditEntry) if e.action.startswith(("good_deed", "nomination"))
    ]
    assert actions == [
        "good_deed.submitted",
        "good_deed.verified",
        "nomination.submitted",
        "nomination.report_submitted",
        "nomination.report_accepted",
        "nomination.locked",
    ]
