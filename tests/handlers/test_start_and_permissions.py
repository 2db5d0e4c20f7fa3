"""/start tells a member who they are and what they can do; a command their roles don't allow is said to be
outside their permissions (issue 10.4)."""

from __future__ import annotations

from storage.models import AuditEntry


async def test_start_says_who_the_member_is_with_roles_unit_and_what_they_can_do(world):
    minh = await world.unit_head("Trần Văn Minh", unit="KCNTT")

    await minh.send("/start")

    text = minh.last_text()
    assert "Xin chào Trần Văn Minh!" in text
    assert "tại <b>Phòng KCNTT</b>, với vai trò: CBVC-NLĐ, Trưởng đơn vị." in text
    assert "Những việc anh/chị có thể làm ngay:" in text
    assert "/invite — Tạo liên kết mời tham gia bot" in text and "/difficulty —" in text
    assert "/rounds" not in text and "/people" not in text  # not among a unit head's commands


async def test_start_in_english_names_the_roles_in_english(world):
    john = await world.secretary("John Smith", language="en")

    await john.send("/start")

    assert "as: Staff member, Council secretary." in john.last_text()
    assert "What you can do now:" in john.last_text()


async def test_a_command_the_roles_do_not_allow_is_said_to_be_outside_the_permissions(world):
    hoa = await world.staff("Nguyễn Thị Hoa")

    await hoa.send("/rounds")

    assert hoa.last_text() == (
        "Lệnh /rounds không thuộc quyền hạn của anh/chị. Gõ /help để xem những việc anh/chị có thể làm."
    )
    assert await world.rows(AuditEntry) == []


async def test_an_unregistered_command_is_not_called_a_permission_matter(world):
    hoa = await world.staff("Nguyễn Thị Hoa")

    await hoa.send("/khongco")

    assert "không thuộc quyền hạn" not in hoa.last_text()


async def test_one_name_per_role_in_the_invite_and_on_the_person_card(world):
    admin = await world.admin("Nguyễn Văn An")
    await world.staff("Nguyễn Thị Hoa")

    await admin.send("/invite")
    assert "Phó trưởng đơn vị (được ủy quyền)" not in admin.buttons()  # a dated delegation, not an invite
    assert "Quản trị hệ thống" in admin.buttons()
    await admin.send("/cancel")
    await admin.send("/people thi hoa")
    await admin.click("Nguyễn Thị Hoa")

    assert "Vai trò: CBVC-NLĐ" in admin.last_text()
