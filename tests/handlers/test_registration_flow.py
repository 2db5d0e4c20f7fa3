"""Registration: staff register, the head endorses or returns; heads' own and units' go to the secretary."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.clock import VN_TZ
from bot.devtools.harness import Chatter, World
from storage.models import AuditEntry
from storage.models.registration import Registration

PLAN = "plans/2021-2025.yaml"
COMMITMENTS = "Hoàn thành xuất sắc nhiệm vụ giảng dạy, tham gia đầy đủ các phong trào của trường."
IN_WINDOW = datetime(2024, 9, 20, 9, 0, tzinfo=VN_TZ)


async def open_year(world: World, when: datetime = IN_WINDOW) -> None:
    world.clock.set(when)
    await world.load_plan(PLAN)


async def register(person: Chatter, text: str = COMMITMENTS, *, title: str = "Lao động tiên tiến") -> None:
    await person.send("/register")
    await person.click(title)
    await person.click("Đổi mới, sáng tạo")
    await person.click("Xong")
    await person.send(text)
    await person.click("Gửi đăng ký")


async def only(world: World) -> Registration:
    [row] = await world.rows(Registration)
    return row


async def test_staff_registers_and_the_head_gets_an_endorsement_request(world):
    await open_year(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    await register(hoa)
    assert "Đã gửi đăng ký" in hoa.last_text()
    assert await hoa.state() is None
    row = await only(world)
    assert (row.state, row.subject, row.version, row.commitments) == (
        "submitted",
        "individual",
        1,
        COMMITMENTS,
    )
    assert len(row.movement_ids) == 1
    await world.drain_outbox()
    assert "Nguyễn Thị Hoa" in minh.last_text() and "Lao động tiên tiến" in minh.last_text()
    assert minh.buttons() == ["Xác nhận", "Trả lại"]
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "registration.submitted")
    assert entry.after["state"] == "submitted"


@pytest.mark.restarts("RegisterSG", "RegReturnSG")
async def test_head_returns_with_a_reason_the_owner_edits_and_the_head_endorses(world):
    await open_year(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    await register(hoa)
    await world.drain_outbox()
    await minh.click("Trả lại")
    await minh.send("Thiếu nội dung cam kết về nghiên cứu khoa học")
    assert "Đã trả lại" in minh.last_text()
    row = await only(world)
    assert (row.state, row.return_reason) == ("returned", "Thiếu nội dung cam kết về nghiên cứu khoa học")
    await world.drain_outbox()
    assert "Thiếu nội dung cam kết về nghiên cứu khoa học" in hoa.last_text()
    assert "Trần Văn Minh" in hoa.last_text()
    # the request message shows the outcome, without buttons
    request = next(m for m in minh.messages() if "Đề nghị xác nhận" in (m.text or ""))
    assert "bị trả lại" in request.text and request.buttons() == []
    await hoa.click("Sửa đăng ký")
    await hoa.click("Sửa cam kết")
    await hoa.send(COMMITMENTS + " Viết một bài báo khoa học.")
    await hoa.click("Gửi đăng ký")
    row = await only(world)
    assert (row.state, row.version, row.return_reason) == ("submitted", 2, None)
    await world.drain_outbox()
    await minh.click("Xác nhận")
    row = await only(world)
    assert (row.state, row.decided_by) == ("endorsed", minh.person_id)
    assert "Đã xác nhận: Trần Văn Minh" in minh.last_text() and minh.buttons() == ["Trả lại"]  # D16
    actions = [e.action for e in await world.rows(AuditEntry) if e.action.startswith("registration.")]
    assert actions == [
        "registration.submitted",
        "registration.returned",
        "registration.resubmitted",
        "registration.endorsed",
    ]


async def test_an_edit_makes_the_old_request_buttons_stale(world):
    await open_year(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    await register(hoa)
    await world.drain_outbox()
    old = minh.find_button("Xác nhận")[1]
    await hoa.send("/register")
    await hoa.click("Sửa đăng ký")
    await hoa.click("Sửa cam kết")
    await hoa.send(COMMITMENTS + " Thêm một cam kết.")
    await hoa.click("Gửi đăng ký")
    await minh.press(old)
    assert "đã được sửa" in minh.alerts()[-1]
    row = await only(world)
    assert (row.state, row.version) == ("submitted", 2)
    await world.drain_outbox()
    await minh.click("Xác nhận")
    assert (await only(world)).state == "endorsed"


async def test_a_heads_own_registration_goes_to_the_secretary(world):
    await open_year(world)
    minh, lan = await world.unit_head("Trần Văn Minh", unit="KCNTT"), await world.secretary("Lê Thị Lan")
    await minh.send("/register")
    await minh.click("Cá nhân tôi")
    await minh.click("Lao động tiên tiến")
    await minh.click("Đổi mới, sáng tạo")
    await minh.click("Xong")
    await minh.send(COMMITMENTS)
    await minh.click("Gửi đăng ký")
    await world.drain_outbox()
    assert "Trần Văn Minh" in lan.last_text() and lan.buttons() == ["Xác nhận", "Trả lại"]
    await lan.click("Xác nhận")
    assert (await only(world)).state == "endorsed"


async def test_a_head_registers_the_unit_collectively_and_the_secretary_endorses(world):
    await open_year(world)
    minh, lan = await world.unit_head("Trần Văn Minh", unit="KCNTT"), await world.secretary("Lê Thị Lan")
    await minh.send("/register")
    await minh.click("Tập thể")
    assert "Tập thể lao động tiên tiến" in " ".join(minh.buttons())
    await minh.click("Tập thể lao động tiên tiến")
    await minh.click("Đổi mới, sáng tạo")
    await minh.click("Xong")
    await minh.send(COMMITMENTS)
    await minh.click("Gửi đăng ký")
    row = await only(world)
    assert (row.subject, row.person_id, row.owner) == ("collective", None, f"u{row.unit_id}")
    await world.drain_outbox()
    await lan.click("Xác nhận")
    assert (await only(world)).state == "endorsed"


async def test_staff_in_a_unit_with_no_linked_head_goes_to_the_secretary(world):
    await open_year(world)
    hoa, lan = await world.staff("Nguyễn Thị Hoa", unit="KCNTT"), await world.secretary("Lê Thị Lan")
    await world.unit_head("Trần Văn Minh", unit="KCNTT", linked=False)
    await register(hoa)
    await world.drain_outbox()
    assert "Nguyễn Thị Hoa" in lan.last_text() and lan.buttons() == ["Xác nhận", "Trả lại"]


async def test_the_acting_deputy_and_the_head_both_get_it_and_the_first_to_act_wins(world):
    await open_year(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    tuan = await world.deputy("Lê Văn Tuấn")
    await register(hoa)
    await world.drain_outbox()
    await tuan.click("Xác nhận")
    await minh.click("Trả lại")
    assert "đã được xác nhận trước đó" in minh.alerts()[-1] and "Lê Văn Tuấn" in minh.alerts()[-1]
    assert await minh.state() is None
    row = await only(world)
    assert (row.state, row.decided_by) == ("endorsed", tuan.person_id)
    await world.drain_outbox()
    request = next(m for m in minh.messages() if "Đề nghị xác nhận" in (m.text or ""))
    assert "Đã xác nhận: Lê Văn Tuấn" in request.text
    assert [label for label, _data in request.buttons()] == ["Trả lại"]  # an endorsed one can be returned


async def test_withdraw_and_reopen(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await world.unit_head("Trần Văn Minh")
    await register(hoa)
    await hoa.click("Rút đăng ký")
    assert (await only(world)).state == "withdrawn"
    await hoa.send("/register")
    assert "đã rút" in hoa.messages()[-2].text
    await hoa.click("Lao động tiên tiến")
    await hoa.click("Xong")  # the movements chosen before are kept
    await hoa.send(COMMITMENTS)
    await hoa.click("Gửi đăng ký")
    row = await only(world)
    assert (row.state, row.version) == ("submitted", 3)
    assert [e.action for e in await world.rows(AuditEntry) if e.action.startswith("registration.")][-1] == (
        "registration.reopened"
    )


async def test_pending_lists_what_waits_and_each_item_can_be_endorsed_from_the_list(world):
    await open_year(world)
    hoa, an = await world.staff("Nguyễn Thị Hoa"), await world.staff("Phạm Văn An")
    minh = await world.unit_head("Trần Văn Minh")
    await register(hoa)
    await register(an)
    await minh.send("/pending")
    assert "(2)" in minh.last_text()
    await minh.click("Phạm Văn An")
    assert "Phạm Văn An" in minh.last_text() and minh.buttons() == ["Xác nhận", "Trả lại"]
    await minh.click("Xác nhận")
    await minh.send("/pending")
    assert "(1)" in minh.last_text() and "Nguyễn Thị Hoa" in minh.last_text()


async def test_secretary_lists_filters_and_counts_per_title(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    an = await world.staff("Phạm Văn An", unit="KCNTT")
    lan = await world.secretary("Lê Thị Lan")
    await register(hoa)
    await register(an, title="Chiến sĩ thi đua cơ sở")
    await lan.send("/registrations")
    text = lan.last_text()
    assert "Lao động tiên tiến: 1" in text and "Chiến sĩ thi đua cơ sở: 1" in text
    await lan.click("Theo đơn vị")
    await lan.click("Phòng KCNTT")
    assert "Phạm Văn An" in lan.last_text() and "Nguyễn Thị Hoa" not in lan.last_text()
    await lan.click("Phạm Văn An")
    assert "Phạm Văn An" in lan.last_text()


@pytest.mark.restarts("RegExtendSG")
async def test_secretary_extends_the_window_for_one_unit(world):
    await open_year(world, datetime(2024, 11, 2, 9, 0, tzinfo=VN_TZ))
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    an = await world.staff("Phạm Văn An")
    lan = await world.secretary("Lê Thị Lan")
    await hoa.send("/register")
    assert "đã hết hạn (hết ngày 31/10/2024)" in hoa.last_text()
    await lan.send("/regwindow")
    await lan.click("Phòng KCNTT")
    await lan.send("10/11/2024")
    await lan.click("Xác nhận")
    assert "hết ngày 10/11/2024" in lan.last_text()
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "registration.window_extended")
    assert entry.after["unit_id"] is not None
    await register(hoa)
    assert (await only(world)).state == "submitted"
    await an.send("/register")
    assert "đã hết hạn" in an.last_text()
    # a reload of the plan keeps the extension
    await world.load_plan(PLAN)
    await hoa.send("/register")
    assert "đã có đăng ký" in hoa.last_text()
