"""An invite for a unit head where the unit has one (issue 18, item 15): the secretary is warned, naming the
head, and may replace the head (whose role ends the day the new one joins; the secretary, not they, vets a
successor who must be confirmed) or invite a deputy; the head asked to confirm a joiner is told the role, and
a one-use link is never called shared."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update

from handlers.invite import InviteHeadCb
from handlers.keyboards import JoinClaimCb
from storage.models import Invite, JoinClaim, Person, PersonRole
from tests.handlers.test_invite import token_in
from tests.handlers.test_join import make_invite

REPLACE, DEPUTY = "Mời Trưởng đơn vị mới thay Bùi Văn Nam", "Mời Phó trưởng đơn vị"


async def kck_with_a_head(world):
    await world.unit("KCK", "Khoa Cơ khí", kind="khoa")
    nam = await world.unit_head("Bùi Văn Nam", unit="KCK")
    lan = await world.secretary("Phạm Thị Lan")
    return nam, lan


async def join_as(x, token: str, name: str) -> None:
    await x.send(f"/start {token}")
    await x.click("Đồng ý")
    await x.send(name)
    await x.click("Xác nhận")
    await x.click("Tiếng Việt")


async def head_roles(world, person_id: int) -> list[PersonRole]:
    return await world.rows(PersonRole, PersonRole.person_id == person_id, PersonRole.role == "unit_head")


async def test_inviting_a_head_where_the_unit_has_one_warns_and_names_the_head(world):
    _, lan = await kck_with_a_head(world)
    await lan.send("/invite unit_head KCK")
    assert "Khoa Cơ khí" in lan.last_text() and "Bùi Văn Nam" in lan.last_text()
    assert lan.buttons() == [REPLACE, DEPUTY]
    assert await world.rows(Invite) == []  # nothing made before the secretary chooses


async def test_the_same_warning_comes_through_the_buttons(world):
    _, lan = await kck_with_a_head(world)
    await lan.send("/invite")
    await lan.click("Trưởng đơn vị")
    await lan.click("Khoa Cơ khí")
    assert "Bùi Văn Nam" in lan.last_text() and lan.buttons() == [REPLACE, DEPUTY]
    assert await world.rows(Invite) == []


async def test_replacing_ends_the_old_heads_role_the_day_the_new_one_joins(world):
    nam, lan = await kck_with_a_head(world)
    await lan.send("/invite unit_head KCK")
    await lan.click(REPLACE)
    [invite] = await world.rows(Invite)
    assert invite.role == "unit_head" and invite.max_uses == 1 and invite.replaces_id == nam.person_id
    assert "Bùi Văn Nam" in lan.last_text()
    [role] = await head_roles(world, nam.person_id)
    assert role.valid_to is None  # nothing ends before the new head joins

    world.clock.advance(days=2)
    binh = world.outsider("Lê Văn Bình")
    await join_as(binh, token_in(lan.last_text()), "Lê Văn Bình")

    assert "Chào mừng Lê Văn Bình" in binh.last_text()
    [role] = await head_roles(world, nam.person_id)
    assert role.valid_to == world.clock.today()
    [p] = await world.rows(Person, Person.telegram_id == binh.id)
    assert [r.valid_to for r in await head_roles(world, p.id)] == [None]
    await world.drain_outbox()
    assert "Lê Văn Bình" in nam.last_text() and "Trưởng đơn vị" in nam.last_text()
    world.clock.advance(days=1)
    await nam.send("/invite")
    assert "không có quyền" in nam.last_text() or "không thuộc quyền" in nam.last_text()


async def test_inviting_a_deputy_gives_a_staff_link_and_ends_nothing(world):
    nam, lan = await kck_with_a_head(world)
    await lan.send("/invite unit_head KCK")
    await lan.click(DEPUTY)
    [invite] = await world.rows(Invite)
    assert invite.role == "staff" and invite.replaces_id is None
    assert "Phó trưởng đơn vị" in lan.last_text() and "ủy quyền" in lan.last_text()
    token_in(lan.last_text())
    [role] = await head_roles(world, nam.person_id)
    assert role.valid_to is None


async def test_a_unit_whose_head_role_has_ended_is_invited_without_a_warning(world):
    nam, lan = await kck_with_a_head(world)
    async with world.session() as s:
        await s.execute(
            update(PersonRole)
            .where(PersonRole.person_id == nam.person_id, PersonRole.role == "unit_head")
            .values(valid_to=world.clock.today() - timedelta(days=1))
        )
        await s.commit()
    await lan.send("/invite unit_head KCK")
    token_in(lan.last_text())


async def test_a_forged_replace_press_by_a_head_is_refused(world):
    nam, _ = await kck_with_a_head(world)
    kck = await world.unit("KCK")
    await nam.press(InviteHeadCb(op="rep", unit=kck.id, head=nam.person_id, n=1).pack())
    assert "không thể mời" in nam.alerts()[-1]
    assert await world.rows(Invite) == []
    assert (await head_roles(world, nam.person_id))[0].valid_to is None


async def test_a_stale_replace_press_after_the_head_changed_warns_again(world):
    nam, lan = await kck_with_a_head(world)
    await lan.send("/invite unit_head KCK")
    await world.unit_head("Ngô Văn Hùng", unit="KCK")
    async with world.session() as s:  # meanwhile the admin made Hùng the head in Nam's place
        await s.execute(
            update(PersonRole)
            .where(PersonRole.person_id == nam.person_id, PersonRole.role == "unit_head")
            .values(valid_to=world.clock.today() - timedelta(days=1))
        )
        await s.commit()
    await lan.click(REPLACE)
    assert "Ngô Văn Hùng" in lan.last_text() and await world.rows(Invite) == []


# -- what the head asked to confirm is told -----------------------------------------------------------------
async def test_a_one_use_link_is_not_called_shared_and_the_head_is_told_the_role(world):
    minh = await world.unit_head("Trần Văn Minh")
    await world.person("Nguyễn Thị Hoa", linked=False)
    async with world.session() as s:
        await s.execute(
            update(Person).where(Person.full_name == "Nguyễn Thị Hoa").values(birth_date=date(1985, 9, 5))
        )
        await s.commit()
    x = world.outsider("Hoa")
    await x.send(f"/start {await make_invite(world, role='council', uses=1)}")
    await x.click("Đồng ý")
    await x.send("hoa")
    await x.click("Nguyễn Thị Hoa")
    for d in ("01/01/1990", "02/01/1990", "03/01/1990"):
        await x.send(d)
    await x.click("Xác nhận")
    await x.click("Tiếng Việt")
    await world.drain_outbox()
    ask = minh.last_text()
    assert "chung" not in ask and "dùng một lần" in ask
    assert "Thành viên Hội đồng Thi đua – Khen thưởng" in ask


async def test_the_head_being_replaced_is_not_the_one_asked_to_confirm_the_new_head(world):
    """The new head, on the roster, could not prove it by the date of birth: the secretary decides."""
    nam, lan = await kck_with_a_head(world)
    await world.person("Lê Văn Bình", unit="KCK", linked=False)  # no date of birth on file
    await lan.send("/invite unit_head KCK")
    await lan.click(REPLACE)
    binh = world.outsider("Bình")
    await binh.send(f"/start {token_in(lan.last_text())}")
    await binh.click("Đồng ý")
    await binh.send("bình")
    await binh.click("Lê Văn Bình")
    await binh.click("Xác nhận")
    await binh.click("Tiếng Việt")
    nam_before = len(nam.messages())
    await world.drain_outbox()
    assert len(nam.messages()) == nam_before
    assert "Lê Văn Bình" in lan.last_text() and "Trưởng đơn vị" in lan.last_text()
    assert lan.buttons() == ["✅ Đúng là người này", "Không phải người này"]
    await nam.send("/pending")
    assert "Lê Văn Bình" not in nam.last_text()
    [claim] = await world.rows(JoinClaim)
    await nam.press(JoinClaimCb(op="no", id=claim.id).pack())  # forged: not his to settle
    assert "không có quyền" in nam.alerts()[-1]
    assert (await world.rows(JoinClaim))[0].state == "pending"
