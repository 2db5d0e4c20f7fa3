"""The registration window's extension: refused at input when it is not later (issue 18, D27), shown in /plan
and /status, and told to those who have not registered (D20); the window checked again at send (C12)."""

from __future__ import annotations

from datetime import datetime

from bot.clock import VN_TZ
from bot.devtools.harness import World
from storage.models import AuditEntry
from storage.models.nomination import NominationExtension
from storage.models.registration import RegistrationExtension
from tests.handlers.test_nomination_flow import open_round
from tests.handlers.test_plan import at as plan_at
from tests.handlers.test_plan import audit_actions, start_extension
from tests.handlers.test_registration_flow import open_year

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
