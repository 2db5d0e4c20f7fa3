"""Registration: every bad input gets one clear message and changes nothing."""

from __future__ import annotations

from datetime import datetime

from bot.clock import VN_TZ
from bot.devtools.harness import World
from storage.models import AuditEntry, Person
from storage.models.registration import Registration
from tests.handlers.test_registration_flow import COMMITMENTS, only, open_year, register


async def to_commitments(person) -> None:
    await person.send("/register")
    await person.click("Lao động tiên tiến")
    await person.click("Đổi mới, sáng tạo")
    await person.click("Xong")


async def nothing_stored(world: World) -> None:
    assert await world.rows(Registration) == []
    assert [e for e in await world.rows(AuditEntry) if e.action.startswith("registration.")] == []


async def test_registering_twice_for_the_same_year_shows_the_first(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await register(hoa)
    await hoa.send("/register")
    assert "đã có đăng ký" in hoa.last_text() and hoa.buttons() == ["Sửa đăng ký", "Rút đăng ký"]
    assert len(await world.rows(Registration)) == 1


async def test_outside_the_window_says_when_it_opens(world):
    await open_year(world, datetime(2024, 9, 2, 9, 0, tzinfo=VN_TZ))
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/register")
    assert "chưa bắt đầu" in hoa.last_text() and "ngày 05/09/2024" in hoa.last_text()
    assert await hoa.state() is None
    await nothing_stored(world)


async def test_no_school_year_today_names_the_last_one(world):
    await open_year(world, datetime(2026, 12, 1, 9, 0, tzinfo=VN_TZ))
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/register")
    text = hoa.last_text()
    assert "Hiện không có năm học" in text and "2024-2025" in text and "31/08/2025" in text
    assert "Chưa có kế hoạch cho năm học tiếp theo" in text


async def test_commitments_empty_only_emoji_or_too_long_are_refused(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await to_commitments(hoa)
    await hoa.send("   ")
    assert "Vui lòng nhập nội dung" in hoa.last_text()
    await hoa.send("👍👍👍🎉🎉🎉🎉🎉🎉🎉🎉")
    assert "không chỉ biểu tượng" in hoa.last_text()
    await hoa.send("x" * 1501)
    assert "1501 ký tự" in hoa.last_text() and "1500" in hoa.last_text()
    await hoa.send("ngắn")
    assert "quá ngắn" in hoa.last_text()
    assert await hoa.state() == "RegisterSG:commitments"
    await nothing_stored(world)


async def test_at_least_one_movement(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/register")
    await hoa.click("Lao động tiên tiến")
    await hoa.click("Xong")
    assert "ít nhất một phong trào" in hoa.alerts()[-1]
    assert await hoa.state() == "RegisterSG:movements"


async def test_the_movement_keyboard_edits_itself_in_place(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/register")
    await hoa.click("Lao động tiên tiến")
    n = len(hoa.messages())
    await hoa.click("Đổi mới, sáng tạo")
    assert len(hoa.messages()) == n
    assert hoa.buttons()[0].startswith("☑️")
    await hoa.click("Đổi mới, sáng tạo")
    assert hoa.buttons()[0].startswith("▫️")


async def test_a_head_of_another_unit_cannot_endorse(world):
    await open_year(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    other = await world.unit_head("Đỗ Văn Khoa", unit="KCNTT")
    await register(hoa)
    await world.drain_outbox()
    data = minh.find_button("Xác nhận")[1]
    await other.press(data)
    assert "không có quyền" in other.alerts()[-1]
    assert (await only(world)).state == "submitted"


async def test_an_endorsed_or_withdrawn_one_cannot_be_endorsed_again(world):
    await open_year(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    await register(hoa)
    await world.drain_outbox()
    data = minh.find_button("Xác nhận")[1]
    await minh.press(data)
    await minh.press(data)
    assert "đã được xác nhận trước đó" in minh.alerts()[-1]
    assert len([e for e in await world.rows(AuditEntry) if e.action == "registration.endorsed"]) == 1


async def test_a_withdrawn_one_cannot_be_endorsed(world):
    await open_year(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    await register(hoa)
    await world.drain_outbox()
    data = minh.find_button("Xác nhận")[1]
    await hoa.click("Rút đăng ký")
    await minh.press(data)
    assert "đã được rút" in minh.alerts()[-1]
    assert (await only(world)).state == "withdrawn"


async def test_a_forged_callback_with_another_registrations_id(world):
    await open_year(world)
    hoa, an = await world.staff("Nguyễn Thị Hoa"), await world.staff("Phạm Văn An")
    await world.unit_head("Trần Văn Minh")
    await register(hoa)
    row = await only(world)
    await an.press(f"rgo:{row.id}:wd")
    await an.press(f"rgx:{row.id}:{row.version}:ok")
    assert "Không tìm thấy" in an.alerts()[0] and "không có quyền" in an.alerts()[1]
    assert (await only(world)).state == "submitted"


async def test_a_stale_draft_button_after_the_send(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await register(hoa)
    await hoa.press("rgd:send")  # a double tap on the confirmation
    assert "đã xong hoặc đã hết hạn" in hoa.alerts()[-1]
    assert len(await world.rows(Registration)) == 1


async def test_the_same_update_twice_stores_one_registration(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await to_commitments(hoa)
    await hoa.send(COMMITMENTS)
    update = hoa.callback_update(hoa.find_button("Gửi đăng ký")[1])
    await world.feed(update)
    await world.feed(update)
    assert len(await world.rows(Registration)) == 1


async def test_a_deactivated_or_unlinked_person(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    async with world.session() as s:
        person = await s.get(Person, hoa.person_id)
        person.active = False
        await s.commit()
    world.dp["identity"].invalidate(hoa.id)
    await hoa.send("/register")
    stranger = world.outsider()
    await stranger.send("/register")
    assert "Đăng ký thi đua" not in hoa.last_text()
    assert stranger.last_text()
    await nothing_stored(world)


async def test_cancel_and_another_command_in_the_middle(world):
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await to_commitments(hoa)
    await hoa.send("/cancel")
    assert await hoa.state() is None
    await to_commitments(hoa)
    await hoa.send("/difficulty")
    assert "Đã hủy thao tác đang dở: đăng ký thi đua" in " ".join(m.text or "" for m in hoa.messages()[-3:])
    await nothing_stored(world)


async def test_a_restart_in_the_middle_keeps_the_draft(world):
    """The FSM lives in the database: a second World on the same engine takes the conversation on."""
    await open_year(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await world.unit_head("Trần Văn Minh")
    await to_commitments(hoa)
    again = World(world.settings, world.engine, world.clock)
    again._update_ids = world._update_ids  # Telegram's update ids go on after a restart
    await again.start()
    try:
        hoa.world = again
        again.people[hoa.id] = hoa
        assert await hoa.state() == "RegisterSG:commitments"
        await hoa.send(COMMITMENTS)
        assert "Bản nháp đăng ký" in hoa.last_text()
        await hoa.click("Gửi đăng ký")
        row = await only(world)
        assert (row.state, row.commitments, len(row.movement_ids)) == ("submitted", COMMITMENTS, 1)
    finally:
        await again.close()
