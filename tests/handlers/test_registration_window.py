"""The registration window's extension: refused at input when it is not later (issue 18, D27), shown in /plan
and /status, and told to those who have not registered (D20); the window checked again at send (C12)."""

from __future__ import annotations

from datetime import datetime

from bot.clock import VN_TZ
from bot.devtools.harness import World
from storage.models import AuditEntry
from storage.models.nomination import NominationExtension
from storage.models.registration import Registration, RegistrationExtension
from tests.handlers.test_nomination_flow import open_round
from tests.handlers.test_plan import at as plan_at
from tests.handlers.test_plan import audit_actions, start_extension
from tests.handlers.test_registration_flow import open_year, register

AFTER_CLOSE = datetime(2024, 11, 2, 9, 0, tzinfo=VN_TZ)  # 2024-2025's registration closed on 31/10/2024


async def start_regwindow(world: World, when: datetime = AFTER_CLOSE):  # type: ignore[no-untyped-def]
    await open_year(world, when)
    lan = await world.secretary("Lê Thị Lan")
    await lan.send("/regwindow")
    await lan.click("Toàn trường")
    return lan


# -- D27: a date that does not extend is refused when typed, and the step stays --------------------------
async def test_a_registration_extension_in_the_past_is_refused_when_typed(world):
    lan = await start_regwindow(world)
    await lan.send("01/11/2024")
    assert "không được trước hôm nay (02/11/2024)" in lan.last_text()
    assert lan.last().buttons() == []  # no "Xác nhận" to press
    assert await lan.state() == "RegExtendSG:until"
    await lan.send("10/11/2024")
    assert "Gia hạn đăng ký đến hết ngày 10/11/2024?" in lan.last_text()
    assert await lan.state() == "RegExtendSG:confirm"


async def test_a_registration_extension_not_later_than_the_close_is_refused_when_typed(world):
    lan = await start_regwindow(world, datetime(2024, 9, 20, 9, 0, tzinfo=VN_TZ))
    await lan.send("30/10/2024")
    assert "phải sau thời hạn hiện tại (hết ngày 31/10/2024)" in lan.last_text()
    assert await lan.state() == "RegExtendSG:until"
    assert await world.rows(RegistrationExtension) == []


async def test_a_registration_extension_after_the_school_year_is_refused_when_typed(world):
    lan = await start_regwindow(world)
    await lan.send("01/09/2025")
    assert "phải trong năm học" in lan.last_text()
    assert await lan.state() == "RegExtendSG:until"


async def test_a_registration_extension_confirmed_too_late_is_checked_again(world):
    lan = await start_regwindow(world)
    await lan.send("05/11/2024")
    world.clock.set(datetime(2024, 11, 6, 9, 0, tzinfo=VN_TZ))
    await lan.click("Xác nhận")
    assert "không được trước hôm nay (06/11/2024)" in lan.alerts()[-1]
    assert await world.rows(RegistrationExtension) == []


async def test_a_nomination_extension_in_the_past_is_refused_when_typed_and_the_step_stays(world):
    await open_round(world, datetime(2025, 5, 30, 9, 0, tzinfo=VN_TZ))
    lan = await world.secretary("Đỗ Thị Lan")
    await lan.send("/nomwindow")
    await lan.click("2024-2025")
    await lan.send("29/05/2025")
    assert "Ngày gia hạn đã qua" in lan.last_text()
    assert await lan.state() == "NomExtendSG:until"
    assert await world.rows(NominationExtension) == []


async def test_a_voting_extension_in_the_past_is_refused_when_typed_and_the_step_stays(world):
    thu = await start_extension(world, plan_at(2027, 6, 12, 9, 0))
    await thu.send("09/06/2027")
    assert "Ngày này đã qua" in thu.last_text()
    assert await thu.state() == "RoundsSG:until"
    assert "plan.voting_extended" not in await audit_actions(world)
    assert not [e for e in await world.rows(AuditEntry) if e.action == "plan.voting_extended"]


# -- D20: an extension is visible and told ------------------------------------------------------------------
async def extend(lan, until: str, unit: str = "Toàn trường") -> None:  # type: ignore[no-untyped-def]
    await lan.send("/regwindow")
    await lan.click(unit)
    await lan.send(until)
    await lan.click("Xác nhận")


def told(person) -> list[str]:  # type: ignore[no-untyped-def]
    return [text for text in person.texts() if "gia hạn" in text and "/register" in text]


async def test_plan_and_status_show_the_extended_date(world):
    await open_year(world, AFTER_CLOSE)
    lan = await world.secretary("Lê Thị Lan")
    minh = await world.unit_head("Trần Văn Minh")
    await extend(lan, "10/11/2024")

    await minh.send("/plan")
    plan = "\n".join(minh.texts()[-3:])
    assert "đến hết ngày 10/11/2024 (đã gia hạn; theo kế hoạch đến hết ngày 31/10/2024)" in plan
    await minh.send("/status")
    mine, unit = minh.texts()[-2:]
    assert "chưa đăng ký (gõ /register để đăng ký; hạn: hết ngày 10/11/2024, đã gia hạn)" in mine
    assert "Hạn đăng ký: hết ngày 10/11/2024 (đã gia hạn)" in unit


async def test_those_not_registered_are_told_of_the_extension_once(world):
    await open_year(world, datetime(2024, 10, 30, 9, 0, tzinfo=VN_TZ))
    lan = await world.secretary("Lê Thị Lan")
    hoa, an = await world.staff("Nguyễn Thị Hoa"), await world.staff("Phạm Văn An", unit="KCNTT")
    binh = await world.staff("Lê Văn Bình")
    await world.unit_head("Trần Văn Minh")
    await register(binh)
    await extend(lan, "10/11/2024")
    await world.drain_outbox()

    assert len(told(hoa)) == 1 and len(told(an)) == 1 and told(binh) == []
    assert "hết ngày 10/11/2024" in told(hoa)[0] and "2024-2025" in told(hoa)[0]
    assert told(lan) == []  # the secretary, who registered nothing, is told by her own answer
    await extend(lan, "15/11/2024")  # a second extension: told again, with the new date
    await world.drain_outbox()
    assert len(told(hoa)) == 2 and "hết ngày 15/11/2024" in told(hoa)[1]


async def test_a_units_extension_is_told_to_that_unit_only(world):
    await open_year(world)
    lan = await world.secretary("Lê Thị Lan")
    hoa, an = await world.staff("Nguyễn Thị Hoa"), await world.staff("Phạm Văn An", unit="KCNTT")
    await extend(lan, "10/11/2024", unit="Phòng KCNTT")
    await world.drain_outbox()
    assert told(hoa) == [] and len(told(an)) == 1


async def test_the_extension_is_told_after_the_quiet_hours(world):
    await open_year(world, datetime(2024, 11, 1, 21, 30, tzinfo=VN_TZ))
    lan = await world.secretary("Lê Thị Lan")
    hoa = await world.staff("Nguyễn Thị Hoa")
    await extend(lan, "10/11/2024")
    await world.drain_outbox(wait=False)
    assert told(hoa) == []
    world.clock.set(datetime(2024, 11, 2, 7, 0, tzinfo=VN_TZ))
    await world.drain_outbox(wait=False)
    assert len(told(hoa)) == 1


async def test_after_the_close_status_agrees_with_register(world):
    await open_year(world, AFTER_CLOSE)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/register")
    register_says = hoa.last_text()
    await hoa.send("/status")
    assert "đã hết hạn (hết ngày 31/10/2024); nếu cần, anh/chị liên hệ Thường trực Hội đồng" in register_says
    assert (
        "đã hết hạn (hết ngày 31/10/2024); nếu cần, anh/chị liên hệ Thường trực Hội đồng" in hoa.last_text()
    )


# -- C12: the window is checked again when the registration is sent -----------------------------------------
async def test_the_window_is_checked_again_when_the_registration_is_sent(world):
    await open_year(world, datetime(2024, 10, 31, 23, 50, tzinfo=VN_TZ))
    hoa = await world.staff("Nguyễn Thị Hoa")
    await world.unit_head("Trần Văn Minh")
    await hoa.send("/register")
    await hoa.click("Lao động tiên tiến")
    await hoa.click("Đổi mới, sáng tạo")
    await hoa.click("Xong")
    await hoa.send("Hoàn thành xuất sắc nhiệm vụ giảng dạy, tham gia đầy đủ các phong trào của trường.")
    world.clock.set(datetime(2024, 11, 1, 0, 10, tzinfo=VN_TZ))  # the window shut while she reviewed it

    await hoa.click("Gửi đăng ký")

    assert "đã hết hạn (hết ngày 31/10/2024)" in hoa.alerts()[-1]
    assert await world.rows(Registration) == []
    assert await hoa.state() is None


async def test_an_extension_made_while_the_draft_was_reviewed_lets_it_be_sent(world):
    await open_year(world, datetime(2024, 10, 31, 23, 50, tzinfo=VN_TZ))
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan", unit="KCNTT")
    await world.unit_head("Trần Văn Minh")
    await hoa.send("/register")
    await hoa.click("Lao động tiên tiến")
    await hoa.click("Đổi mới, sáng tạo")
    await hoa.click("Xong")
    await hoa.send("Hoàn thành xuất sắc nhiệm vụ giảng dạy, tham gia đầy đủ các phong trào của trường.")
    world.clock.set(datetime(2024, 11, 1, 8, 0, tzinfo=VN_TZ))
    await extend(lan, "05/11/2024")

    await hoa.click("Gửi đăng ký")

    assert [r.state for r in await world.rows(Registration)] == ["submitted"]
