"""An endorsed registration can be returned with a reason while registration is open (issue 18, D16): by the
unit head or the acting deputy, and by the council's secretary; the owner is told through the outbox, it is
audited, and a forged press (another unit's head, staff, a closed window, a stale state) changes nothing."""

from __future__ import annotations

from datetime import datetime

from bot.clock import VN_TZ
from handlers.registration_ui import RegDecCb
from storage.models import AuditEntry
from tests.handlers.test_registration_flow import only, open_year, register

REASON = "Danh hiệu chưa đúng với tiêu chuẩn của đơn vị"


async def endorsed(world):  # type: ignore[no-untyped-def]
    await open_year(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    await register(hoa)
    await world.drain_outbox()
    await minh.click("Xác nhận")
    await world.drain_outbox()
    assert (await only(world)).state == "endorsed"
    return hoa, minh


def return_press(row) -> str:  # type: ignore[no-untyped-def]
    return RegDecCb(id=row.id, v=row.version, op="reo").pack()


async def returned_actions(world) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    return await world.rows(AuditEntry, AuditEntry.action == "registration.returned")


async def test_the_head_returns_an_endorsed_registration_with_a_reason_and_the_owner_is_told(world):
    hoa, minh = await endorsed(world)
    assert "Đã xác nhận: Trần Văn Minh" in minh.last_text() and minh.buttons() == ["Trả lại"]
    await minh.click("Trả lại")
    assert "lý do trả lại đăng ký đã xác nhận của Nguyễn Thị Hoa" in minh.last_text()
    await minh.send("ngắn")  # the same minimum as every reason: the step stays
    assert "ít nhất 5 ký tự" in minh.last_text()
    assert (await only(world)).state == "endorsed"
    await minh.send(REASON)
    assert "Đã trả lại đăng ký của Nguyễn Thị Hoa" in minh.last_text()
    row = await only(world)
    assert (row.state, row.return_reason, row.decided_by) == ("returned", REASON, minh.person_id)
    [entry] = await returned_actions(world)
    assert (entry.before["state"], entry.after["state"]) == ("endorsed", "returned")
    await world.drain_outbox()
    assert f"“{REASON}”" in hoa.last_text() and "trả lại" in hoa.last_text()
    assert "Sửa đăng ký" in hoa.buttons()


async def test_the_acting_deputy_returns_an_endorsed_registration(world):
    await open_year(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    tuan = await world.deputy("Lê Văn Tuấn")
    await register(hoa)
    await world.drain_outbox()
    await minh.click("Xác nhận")
    await tuan.press(return_press(await only(world)))
    await tuan.send(REASON)
    row = await only(world)
    assert (row.state, row.decided_by) == ("returned", tuan.person_id)


async def test_the_secretary_returns_an_endorsed_registration_from_the_list(world):
    hoa, _minh = await endorsed(world)
    lan = await world.secretary("Lê Thị Lan", unit="KCNTT")
    await lan.send("/registrations")
    await lan.click("Nguyễn Thị Hoa")
    assert lan.buttons() == ["Trả lại"]
    await lan.click("Trả lại")
    await lan.send(REASON)
    row = await only(world)
    assert (row.state, row.decided_by) == ("returned", lan.person_id)
    await world.drain_outbox()
    assert REASON in hoa.last_text() and "Lê Thị Lan" in hoa.last_text()


async def test_another_units_head_cannot_return_it(world):
    _hoa, _minh = await endorsed(world)
    other = await world.unit_head("Phạm Văn Nam", unit="KCNTT")
    await other.press(return_press(await only(world)))
    assert "không có quyền trả lại" in other.alerts()[-1]
    assert await other.state() is None
    assert (await only(world)).state == "endorsed" and await returned_actions(world) == []


async def test_staff_cannot_return_it(world):
    _hoa, _minh = await endorsed(world)
    an = await world.staff("Phạm Văn An")
    await an.press(return_press(await only(world)))
    assert "không có quyền trả lại" in an.alerts()[-1]
    assert await an.state() is None
    assert (await only(world)).state == "endorsed"


async def test_the_owner_cannot_return_their_own(world):
    hoa, _minh = await endorsed(world)
    await hoa.press(return_press(await only(world)))
    assert "không có quyền trả lại" in hoa.alerts()[-1]
    assert (await only(world)).state == "endorsed"


async def test_after_the_window_it_cannot_be_returned(world):
    _hoa, minh = await endorsed(world)
    world.clock.set(datetime(2024, 11, 2, 9, 0, tzinfo=VN_TZ))
    await minh.click("Trả lại")
    assert "đã hết hạn" in minh.alerts()[-1]
    assert await minh.state() is None
    assert (await only(world)).state == "endorsed"


async def test_the_window_closing_while_the_reason_is_typed_refuses_it(world):
    _hoa, minh = await endorsed(world)
    await minh.click("Trả lại")
    world.clock.set(datetime(2024, 11, 2, 9, 0, tzinfo=VN_TZ))
    await minh.send(REASON)
    assert "đã hết hạn" in minh.last_text()
    assert (await only(world)).state == "endorsed"


async def test_a_stale_press_after_it_was_returned_changes_nothing(world):
    _hoa, minh = await endorsed(world)
    press = return_press(await only(world))
    await minh.press(press)
    await minh.send(REASON)
    await minh.press(press)
    assert "đã được trả lại trước đó" in minh.alerts()[-1]
    assert await minh.state() is None
    assert len(await returned_actions(world)) == 1


async def test_returning_a_submitted_one_with_the_endorsed_button_is_refused(world):
    await open_year(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    await register(hoa)
    await minh.press(return_press(await only(world)))
    assert "đang chờ xác nhận" in minh.alerts()[-1]
    assert await minh.state() is None


async def test_a_return_at_night_reaches_the_owner_after_the_quiet_hours(world):
    hoa, minh = await endorsed(world)
    world.clock.set(datetime(2024, 9, 20, 22, 0, tzinfo=VN_TZ))
    await minh.click("Trả lại")
    await minh.send(REASON)
    assert "Đã trả lại đăng ký của Nguyễn Thị Hoa" in minh.last_text()  # the actor's own answer: at once
    await world.drain_outbox(wait=False)
    assert not any(REASON in x for x in hoa.texts())
    world.clock.set(datetime(2024, 9, 21, 7, 0, tzinfo=VN_TZ))
    await world.drain_outbox(wait=False)
    assert REASON in hoa.last_text()


async def test_a_registration_sent_at_night_reaches_the_head_after_the_quiet_hours(world):
    await open_year(world)
    world.clock.set(datetime(2024, 9, 20, 23, 0, tzinfo=VN_TZ))
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    await register(hoa)
    assert "Đã gửi đăng ký" in hoa.last_text()
    await world.drain_outbox(wait=False)
    assert minh.texts() == []
    world.clock.set(datetime(2024, 9, 21, 7, 0, tzinfo=VN_TZ))
    await world.drain_outbox(wait=False)
    assert "Nguyễn Thị Hoa" in minh.last_text() and minh.buttons() == ["Xác nhận", "Trả lại"]
