"""The end of registration, as the college lives it (issue 18, D16, D17, D20, D22, D23).

A lecturer registers and her head endorses it; she asks to change it, and the head returns the endorsed
registration with a reason; /status counts it "cần sửa", and the reminder goes to her. The window closes:
/status and /register say the same. The secretary extends it for the unit (a day in the past is refused as
typed); she is told, /plan and /status show the new date; she fixes it, the reason in sight, and the head
endorses it: she counts as registered again.
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import VN_TZ
from bot.devtools.harness import World
from storage.models import AuditEntry
from storage.models.registration import Registration
from tests.scenario.test_school_year_registration import COMMITMENTS, register

REASON = "Cần bổ sung cam kết về nghiên cứu khoa học"


async def test_an_endorsed_registration_is_returned_fixed_after_an_extension_and_endorsed(
    world: World,
) -> None:
    world.clock.set(datetime(2024, 10, 20, 9, 0, tzinfo=VN_TZ))
    lan = await world.secretary("Trần Thị Lan")
    minh = await world.unit_head("Trần Văn Minh", unit="KCNTT")
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await world.load_plan("plans/2021-2025.yaml")
    await world.drain_outbox()

    # -- she registers; the head endorses it -----------------------------------------------------------------
    await register(hoa)
    [row] = await world.rows(Registration)
    await world.drain_outbox()
    assert f"đăng ký thi đua số {row.id}," in minh.last_text()
    await minh.click("Xác nhận")
    await world.drain_outbox()
    assert "đã được Trần Văn Minh xác nhận" in hoa.last_text()

    # -- she wants to change it: the head returns the endorsed registration with a reason ----------------
    await hoa.send("/register")
    assert "đề nghị Trưởng đơn vị hoặc Thường trực Hội đồng trả lại" in hoa.messages()[-1].text
    await minh.click("Trả lại")
    await minh.send(REASON)
    await world.drain_outbox()
    assert f"“{REASON}”" in hoa.last_text()
    await minh.send("/status")
    assert "Đã đăng ký thi đua năm học 2024-2025: 0/2 (0%)\nCần sửa (bị trả lại): 1" in minh.last_text()

    # -- the reminder a week before the close goes to her ---------------------------------------------------
    world.clock.set(datetime(2024, 10, 25, 7, 0, tzinfo=VN_TZ))
    await world.run_due()
    await world.drain_outbox(wait=False)
    assert any("chưa đăng ký thi đua năm học" in x for x in hoa.texts())

    # -- the window closes: /status and /register agree ------------------------------------------------------
    world.clock.set(datetime(2024, 11, 2, 9, 0, tzinfo=VN_TZ))
    await hoa.send("/register")
    assert (
        "đã hết hạn (hết ngày 31/10/2024); nếu cần, anh/chị liên hệ Thường trực Hội đồng" in hoa.last_text()
    )

    # -- the secretary extends it for the unit; a day in the past is refused as typed -----------------------
    await lan.send("/regwindow")
    await lan.click("Phòng KCNTT")
    await lan.send("01/11/2024")
    assert "không được trước hôm nay" in lan.last_text()
    await lan.send("08/11/2024")
    await lan.click("Xác nhận")
    await world.drain_outbox()
    assert "gia hạn đăng ký thi đua năm học 2024-2025 đến hết ngày 08/11/2024" in hoa.last_text()
    await hoa.send("/plan")
    assert any("đến hết ngày 08/11/2024 (đã gia hạn" in x for x in hoa.texts()[-3:])
    await minh.send("/status")
    assert "Hạn đăng ký: hết ngày 08/11/2024 (đã gia hạn)" in minh.last_text()

    # -- she fixes it, the reason in sight; the head endorses it -------------------------------------------
    await hoa.send("/register")
    await hoa.click("Sửa đăng ký")
    assert f"Lý do trả lại: “{REASON}”" in hoa.last_text() and "bản nháp, chưa gửi" in hoa.last_text()
    await hoa.click("Sửa cam kết")
    await hoa.send(COMMITMENTS + " Viết một bài báo khoa học.")
    await hoa.click("Gửi đăng ký")
    await world.drain_outbox()
    await minh.click("Xác nhận")
    await minh.send("/status")
    assert (
        "Đã đăng ký thi đua năm học 2024-2025: 1/2 (50%)\nHạn đăng ký" in minh.last_text()
    )  # the head: not yet
    [row] = await world.rows(Registration)
    assert (row.state, row.return_reason) == ("endorsed", None)
    actions = [e.action for e in await world.rows(AuditEntry) if e.action.startswith("registration.")]
    assert actions == [
        "registration.submitted",
        "registration.endorsed",
        "registration.returned",
        "registration.window_extended",
        "registration.resubmitted",
        "registration.endorsed",
    ]
