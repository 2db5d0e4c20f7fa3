"""/status and the reminders on registrations (issue 18): a returned registration is "cần sửa", not registered
(D17); an extension shows and /status agrees with /register after the close (D20)."""

from __future__ import annotations

from datetime import datetime

from bot.clock import VN_TZ
from bot.devtools.harness import World
from storage.models import OutboxMessage
from tests.handlers.test_reminders import SEVEN_DAYS, at, reminders_of
from tests.handlers.test_reminders import open_year as open_for_reminders
from tests.handlers.test_status import NUDGE, done, nudges, open_year, registration


# -- D17: returned is "cần sửa" ---------------------------------------------------------------------
async def test_a_returned_registration_counts_as_to_fix_not_as_registered(world: World) -> None:
    await open_year(world)
    minh = await world.unit_head("Trần Văn Minh", unit="KHTC")
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KHTC")
    await done(world, minh)
    await registration(world, hoa, "returned", reason="Thiếu nội dung cam kết")

    await minh.send("/status")

    text = minh.last_text()
    assert "Đã đăng ký thi đua năm học 2024-2025: 1/2 (50%)" in text
    assert "Cần sửa (bị trả lại): 1" in text
    assert "• Nguyễn Thị Hoa — chưa quán triệt kế hoạch, đăng ký bị trả lại, cần sửa và gửi lại" in text
    assert NUDGE in minh.buttons()


async def test_the_college_counts_returned_ones_apart(world: World) -> None:
    await open_year(world)
    lan = await world.secretary("Lê Thị Lan")
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KHTC")
    await done(world, lan)
    await registration(world, hoa, "returned", reason="Thiếu nội dung cam kết")

    await lan.send("/status")

    text = lan.last_text()
    assert "Đã đăng ký thi đua năm học 2024-2025: 1/2 (50%)" in text
    assert "Cần sửa (bị trả lại): 1" in text


async def test_the_nudge_asks_a_returned_one_to_fix_it_and_send_it_again(world: World) -> None:
    await open_year(world)
    minh = await world.unit_head("Trần Văn Minh")
    hoa = await world.staff("Nguyễn Thị Hoa")
    await done(world, minh)
    await registration(world, hoa, "returned", reason="Thiếu nội dung cam kết")
    await minh.send("/status")

    await minh.click(NUDGE)

    [row] = await nudges(world)
    assert row.person_id == hoa.person_id
    assert "sửa và gửi lại đăng ký thi đua năm học 2024-2025" in row.text
    assert "Trưởng đơn vị (Trần Văn Minh)" in row.text


async def test_the_registration_reminder_goes_to_a_returned_ones_owner(world: World) -> None:
    await open_for_reminders(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.staff("Lê Thị Lan")
    await registration(world, hoa, "returned", reason="Thiếu nội dung cam kết")
    await registration(world, lan, "submitted")

    await at(world, SEVEN_DAYS)

    assert len(reminders_of(hoa)) == 1
    assert reminders_of(lan) == []
    rows = await world.rows(OutboxMessage, OutboxMessage.kind == "reminder")
    assert {r.person_id for r in rows} >= {hoa.person_id}


async def test_ones_own_returned_registration_says_to_fix_it(world: World) -> None:
    await open_year(world, datetime(2024, 9, 20, 9, 0, tzinfo=VN_TZ))
    hoa = await world.staff("Nguyễn Thị Hoa")
    await registration(world, hoa, "returned", reason="Thiếu nội dung cam kết")

    await hoa.send("/status")

    assert "đã bị trả lại, anh/chị vui lòng sửa và gửi lại" in hoa.last_text()


# -- E: one name per role, no "Khoa X (Khoa X)" ------------------------------------------------------
async def test_a_unit_whose_name_holds_its_code_is_not_named_twice(world: World) -> None:
    await open_year(world)
    minh = await world.unit_head("Trần Văn Minh", unit="KHTC")

    await minh.send("/status")

    assert "<b>Phòng KHTC</b>\n" in minh.last_text() and "(KHTC)" not in minh.last_text()


async def test_a_heads_own_registration_says_it_went_to_the_council_secretary(world: World) -> None:
    from tests.handlers.test_registration_flow import COMMITMENTS

    await open_year(world)
    minh = await world.unit_head("Trần Văn Minh")
    await world.secretary("Lê Thị Lan", unit="KCNTT")
    await minh.send("/register")
    await minh.click("Cá nhân tôi")
    await minh.click("Lao động tiên tiến")
    await minh.click("Đổi mới, sáng tạo")
    await minh.click("Xong")
    await minh.send(COMMITMENTS)
    await minh.click("Gửi đăng ký")

    assert "Đã gửi đăng ký để Thường trực Hội đồng xác nhận." in minh.last_text()
