"""/invite: who may invite whom, the link it replies with, and refusals that change nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.roles import Role
from bot.services.invites import hash_token
from handlers.keyboards import InviteRoleCb, InviteUnitCb
from storage.models import Invite, Person, PersonRole, Unit

LINK = re.compile(r"https://t\.me/thidua_test_bot\?start=([A-Za-z0-9_-]+)")


def token_in(text: str) -> str:
    m = LINK.search(text)
    assert m, text
    return m.group(1)


async def unit_id(world, code: str) -> int:
    return (await world.unit(code)).id


async def test_admin_picks_role_and_unit_and_gets_a_link(world):
    await world.unit("KCK", "Khoa Cơ khí", kind="khoa")
    admin = await world.admin("Quản Trị Viên")
    await admin.send("/invite")
    assert "Quản trị hệ thống" in admin.buttons()
    assert "Thường trực Hội đồng Thi đua – Khen thưởng" in admin.buttons()
    await admin.click("Trưởng đơn vị")
    await admin.click("Khoa Cơ khí")
    token = token_in(admin.last_text())
    assert 43 <= len(token) <= 64
    [invite] = await world.rows(Invite)
    assert invite.token_hash == hash_token(token) and token not in invite.token_hash
    assert invite.role == "unit_head" and invite.unit_id == await unit_id(world, "KCK")
    assert invite.created_by == admin.person_id and invite.max_uses == 1 and invite.uses == 0
    assert invite.expires_at - world.clock.now() == timedelta(days=7)
    assert "Khoa Cơ khí" in admin.last_text() and admin.last().markup is None


async def test_a_link_from_the_chat_lets_the_person_join(world):
    admin = await world.admin("Quản Trị Viên")
    await admin.send("/invite council TCHC")
    lan = world.outsider("Hồ Thị Lan")
    await lan.send(f"/start {token_in(admin.last_text())}")
    await lan.click("Đồng ý")
    await lan.send("Hồ Thị Lan")
    await lan.click("Xác nhận")
    await lan.click("Tiếng Việt")
    [person] = await world.rows(Person, Person.telegram_id == lan.id)
    assert {r.role for r in person.roles} == {"staff", "council"}


async def test_invite_with_role_unit_and_uses_in_the_command(world):
    secretary = await world.secretary("Lê Thị Thu Hà")
    await world.unit("KDL", "Khoa Du lịch", kind="khoa")
    await secretary.send("/invite staff kdl 20")
    token_in(secretary.last_text())
    [invite] = await world.rows(Invite)
    assert invite.max_uses == 20 and invite.role == "staff" and invite.unit_id == await unit_id(world, "KDL")


async def test_secretary_is_offered_only_the_roles_they_may_invite(world):
    secretary = await world.secretary("Lê Thị Thu Hà")
    await secretary.send("/invite")
    assert secretary.buttons() == [
        "CBVC-NLĐ",
        "Trưởng đơn vị",
        "Thành viên Hội đồng Thi đua – Khen thưởng",
        "Ban Chấp hành Công đoàn",
        "Phòng Kế hoạch – Tài chính",
    ]


async def test_secretary_inviting_an_admin_is_refused_and_nothing_is_stored(world):
    secretary = await world.secretary("Lê Thị Thu Hà")
    await secretary.send("/invite admin TCHC")
    assert "không thể mời người với vai trò Quản trị hệ thống" in secretary.last_text()
    await secretary.press(InviteRoleCb(role="admin").pack())
    await secretary.press(InviteUnitCb(role="secretary", unit=await unit_id(world, "TCHC")).pack())
    assert "Quản trị hệ thống" in secretary.alerts()[0] and "Thường trực" in secretary.alerts()[1]
    assert await world.rows(Invite) == []


async def test_unit_head_gets_a_staff_link_for_their_unit_at_once(world):
    minh = await world.unit_head("Trần Văn Minh")
    await world.unit("KCK")
    await minh.send("/invite 6")  # the unit has 1 person: at most 1 + 5 uses
    token_in(minh.last_text())
    [invite] = await world.rows(Invite)
    assert (invite.role, invite.unit_id, invite.max_uses) == ("staff", await unit_id(world, "TCHC"), 6)


async def test_unit_head_inviting_for_another_unit_is_refused(world):
    minh = await world.unit_head("Trần Văn Minh")
    kck = await unit_id(world, "KCK")
    await minh.send("/invite staff KCK")
    assert "đơn vị do mình phụ trách" in minh.last_text()
    await minh.press(InviteUnitCb(role="staff", unit=kck).pack())
    assert "đơn vị do mình phụ trách" in minh.alerts()[-1]
    assert await world.rows(Invite) == []


async def test_unit_head_inviting_another_role_is_refused(world):
    minh = await world.unit_head("Trần Văn Minh")
    await minh.send("/invite unit_head")
    assert "không thể mời người với vai trò Trưởng đơn vị" in minh.last_text()
    await minh.press(InviteRoleCb(role="council").pack())
    await minh.press(InviteUnitCb(role="council", unit=await unit_id(world, "TCHC")).pack())
    await minh.press(InviteRoleCb(role="nonsense").pack())
    assert len(minh.alerts()) == 3 and all("không thể mời" in a for a in minh.alerts())
    assert await world.rows(Invite) == []


async def test_an_acting_deputy_may_invite_staff_of_the_unit(world):
    dung = await world.staff("Phạm Quốc Dũng")
    tchc = await unit_id(world, "TCHC")
    async with world.session() as s:
        s.add(
            PersonRole(
                person_id=dung.person_id,
                role=Role.DEPUTY_HEAD.value,
                unit_id=tchc,
                valid_from=date(2026, 11, 1),
                valid_to=date(2026, 12, 31),
            )
        )
        await s.commit()
    await dung.send("/invite")
    token_in(dung.last_text())
    assert len(await world.rows(Invite)) == 1


async def test_staff_cannot_invite(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/invite staff TCHC")
    assert "Lệnh /invite không thuộc quyền hạn của anh/chị" in hoa.last_text()
    await hoa.press(InviteUnitCb(role="staff", unit=await unit_id(world, "TCHC")).pack())
    assert LINK.search(hoa.last_text()) is None
    assert await world.rows(Invite) == []


async def test_an_outsider_trying_commands_and_buttons_is_told_to_ask_for_an_invite(world):
    await world.unit("TCHC")
    x = world.outsider("Người Lạ")
    for command in ("/invite", "/invite admin TCHC", "/people", "/lang", "/cancel", "/start"):
        await x.send(command)
        assert "liên kết mời" in x.last_text(), command
    await x.press(InviteUnitCb(role="admin", unit=1).pack())
    await x.press("cjn:1")
    assert len(x.alerts()) == 2 and all("liên kết mời" in a for a in x.alerts())
    assert await world.rows(Invite) == [] and await world.rows(Person) == []
    assert await x.state() is None


async def test_a_bad_command_argument_gets_the_usage(world):
    admin = await world.admin("Quản Trị Viên")
    await admin.send("/invite everyone NOWHERE")
    assert "Cách dùng" in admin.last_text()
    assert "staff" not in admin.last_text() and "số lượt" in admin.last_text()  # role names, not codes
    await admin.send("/invite staff TCHC 5000")
    assert "từ 1 đến 1000" in admin.last_text()
    assert await world.rows(Invite) == []


async def test_invite_is_listed_in_help_for_heads_only(world):
    minh = await world.unit_head("Trần Văn Minh")
    hoa = await world.staff("Nguyễn Thị Hoa")
    await minh.send("/help")
    await hoa.send("/help")
    assert "/invite" in minh.last_text() and "/invite" not in hoa.last_text()


async def test_units_of_the_keyboard_are_the_active_ones(world):
    admin = await world.admin("Quản Trị Viên")
    await world.unit("KCK", "Khoa Cơ khí")
    async with world.session() as s:
        from sqlalchemy import update

        await s.execute(update(Unit).where(Unit.code == "KCK").values(active=False))
        await s.commit()
    await admin.send("/invite staff")
    token_in(admin.last_text())  # one active unit left: the link at once
    [invite] = await world.rows(Invite)
    assert invite.unit_id == await unit_id(world, "TCHC")


async def test_the_sheet_of_personal_links_prints_no_date_of_birth(world, tmp_path):
    """The date of birth is the proof of a claim through a shared link: it never sits beside the links."""
    from openpyxl import load_workbook

    from bot.context import Ctx
    from bot.exports.invites import write_invites_xlsx
    from bot.services.invites import InviteService, invite_rows
    from storage.uow import UnitOfWork

    hoa = await world.person("Nguyễn Thị Hoa", linked=False)
    async with world.session() as s:
        from sqlalchemy import update

        await s.execute(update(Person).where(Person.id == hoa.person_id).values(birth_date=date(1985, 9, 5)))
        await s.commit()
    async with UnitOfWork(world.sessionmaker) as uow:
        ctx = Ctx(uow, world.clock, world.dp["identity"], world.settings)
        rows = invite_rows(await InviteService(ctx).export_unit(await unit_id(world, "TCHC")), "thidua_bot")
    out = write_invites_xlsx(tmp_path / "links.xlsx", rows)
    sheet = list(load_workbook(out).active.iter_rows(values_only=True))
    cells = [str(c) for line in sheet for c in line if c is not None]
    assert "Nguyễn Thị Hoa" in cells and any("start=" in c for c in cells)
    assert not any("1985" in c or "Ngày sinh" in c for c in cells)
