"""Joining that cannot be hijacked: a claim through a unit's shared link needs a proof, the unit head is told
and can undo a join, the name search never shows the whole list, invites are capped, names are questioned."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update

from bot.context import Ctx
from bot.errors import DomainError
from bot.roles import Member, Role
from bot.services.invites import InviteService
from handlers.keyboards import JoinClaimCb, JoinUnlinkCb
from storage.models import AuditEntry, Invite, JoinClaim, OutboxMessage, Person, PersonRole
from storage.repositories.roster import RosterRepo
from storage.uow import UnitOfWork
from tests.handlers.test_join import invite_row, make_invite

BORN = date(1985, 9, 5)


async def born(world, name: str, when: date | None = BORN) -> None:
    async with world.session() as s:
        await s.execute(update(Person).where(Person.full_name == name).values(birth_date=when))
        await s.commit()


async def person(world, name: str) -> Person:
    [p] = await world.rows(Person, Person.full_name == name)
    return p


async def claim_of(world, chatter) -> JoinClaim | None:
    rows = await world.rows(JoinClaim, JoinClaim.telegram_id == chatter.id)
    return rows[0] if rows else None


async def to_birth_step(x, token: str, name: str = "Nguyễn Thị Hoa", search: str = "hoa") -> None:
    await x.send(f"/start {token}")
    await x.click("Đồng ý")
    await x.send(search)
    await x.click(name)


async def finish(x, lang: str = "Tiếng Việt") -> None:
    await x.click("Xác nhận")
    await x.click(lang)


async def hoa_on_roster(world, *, with_head: bool = True):
    head = await world.unit_head("Trần Văn Minh") if with_head else None
    await world.person("Nguyễn Thị Hoa", linked=False)
    await born(world, "Nguyễn Thị Hoa")
    return head, await make_invite(world, uses=10)


async def joined_by_birth_date(world, x, token: str) -> None:
    await to_birth_step(x, token)
    await x.send("05/09/1985")
    await finish(x)


# -- the name search --------------------------------------------------------------------------------------
async def test_a_shared_link_never_shows_the_units_list_before_a_search(world):
    for name in ("Nguyễn Thị Hoa", "Võ Thị Mai", "Bùi Văn Nam"):
        await world.person(name, linked=False)
    x = world.outsider()
    await x.send(f"/start {await make_invite(world, uses=5)}")
    await x.click("Đồng ý")
    assert "gõ họ tên" in x.last_text()
    assert x.buttons() == ["Tôi không có trong danh sách"]
    assert not any(n in text for text in x.texts() for n in ("Hoa", "Mai", "Nam"))


@pytest.mark.parametrize("typed", ["ho", "a b", "  đ  ", "12"])
async def test_a_search_of_fewer_than_three_letters_asks_for_more(world, typed):
    await world.person("Nguyễn Thị Hoa", linked=False)
    x = world.outsider()
    await x.send(f"/start {await make_invite(world, uses=5)}")
    await x.click("Đồng ý")
    await x.send(typed)
    assert "ít nhất 3 chữ cái" in x.last_text()
    assert x.buttons() == ["Tôi không có trong danh sách"]
    assert await x.state() == "JoinSG:pick"


async def test_a_search_ignores_case_and_diacritics_and_shows_only_matches(world):
    await world.person("Nguyễn Thị Hoa", linked=False)
    await world.person("Đặng Thị Hoà", linked=False)
    await world.person("Võ Thị Mai", linked=False)
    x = world.outsider()
    await x.send(f"/start {await make_invite(world, uses=5)}")
    await x.click("Đồng ý")
    await x.send("THI HOA")
    assert x.buttons() == ["Đặng Thị Hoà", "Nguyễn Thị Hoa", "Tôi không có trong danh sách"]
    await x.send("dang")
    assert x.buttons() == ["Đặng Thị Hoà", "Tôi không có trong danh sách"]
    await x.send("Trần")
    assert "Không tìm thấy" in x.last_text() and x.buttons() == ["Tôi không có trong danh sách"]


# -- the date of birth -----------------------------------------------------------------------------------
async def test_the_right_date_of_birth_links_and_the_head_is_told_who_joined_as_whom(world):
    minh, token = await hoa_on_roster(world)
    x = world.outsider("Hoa Nguyễn")
    await to_birth_step(x, token)
    assert "ngày sinh" in x.last_text() and await x.state() == "JoinSG:birth"
    await x.send("5/9/1985")
    assert "khớp với hồ sơ" in x.last_text()
    await finish(x)
    assert "Chào mừng Nguyễn Thị Hoa" in x.last_text()
    assert (await person(world, "Nguyễn Thị Hoa")).telegram_id == x.id
    await world.drain_outbox()
    assert x.user.full_name in minh.last_text() and "Nguyễn Thị Hoa" in minh.last_text()
    assert "ngày sinh" in minh.last_text()
    assert minh.buttons() == ["Không phải người này"]


async def test_a_badly_written_date_is_explained_and_not_counted(world):
    _, token = await hoa_on_roster(world)
    x = world.outsider()
    await to_birth_step(x, token)
    for typed in ("5 tháng 9", "31/02/1985", "1985-09"):  # 1985-09-05 (ISO) is a date: bot.clock.parse_day
        await x.send(typed)
        assert "chưa đúng dạng ngày/tháng/năm" in x.last_text() and "không tính" in x.last_text()
    assert await x.state() == "JoinSG:birth"
    claim = await claim_of(world, x)
    assert claim is None or claim.tries == 0
    assert (await person(world, "Nguyễn Thị Hoa")).telegram_id is None


async def test_a_date_of_birth_in_the_future_is_a_typo_and_not_counted(world):
    _, token = await hoa_on_roster(world)
    x = world.outsider()
    await to_birth_step(x, token)
    await x.send("05/09/2085")
    assert "tương lai" in x.last_text() and "không tính" in x.last_text()
    assert await x.state() == "JoinSG:birth"
    claim = await claim_of(world, x)
    assert claim is None or claim.tries == 0
    await x.send("05/09/1985")
    assert "khớp với hồ sơ" in x.last_text()


async def test_three_wrong_dates_send_the_claim_to_the_head_and_link_nothing(world):
    minh, token = await hoa_on_roster(world)
    x = world.outsider("Kẻ Mạo Danh")
    await to_birth_step(x, token)
    await x.send("01/01/1990")
    assert "không khớp" in x.last_text() and "còn 2 lần thử" in x.last_text()
    await x.send("02/01/1990")
    assert "còn 1 lần thử" in x.last_text()
    await x.send("03/01/1990")
    assert "sau 3 lần thử" in x.last_text() and "trưởng đơn vị sẽ xác nhận" in x.last_text().lower()
    await finish(x)
    assert "Đã gửi yêu cầu" in x.last_text()
    assert (await person(world, "Nguyễn Thị Hoa")).telegram_id is None
    assert (await claim_of(world, x)).state == "pending"
    assert await x.state() is None
    await world.drain_outbox()
    assert x.user.full_name in minh.last_text() and "chưa xác minh được" in minh.last_text()
    assert minh.buttons() == ["✅ Đúng là người này", "Không phải người này"]
    await x.send("/help")
    assert "đang chờ trưởng đơn vị xác nhận" in x.last_text() and "/plan" not in x.last_text()  # not a member


async def test_cancel_does_not_give_the_tries_back(world):
    _, token = await hoa_on_roster(world)
    x = world.outsider()
    await to_birth_step(x, token)
    await x.send("01/01/1990")
    await x.send("02/01/1990")
    await x.send("/cancel")
    assert await x.state() is None
    await to_birth_step(x, token)
    assert "ngày sinh" in x.last_text()
    await x.send("03/01/1990")
    assert "sau 3 lần thử" in x.last_text()
    await x.send("/cancel")
    await to_birth_step(x, token)  # no more tries: straight to the head's confirmation
    assert await x.state() == "JoinSG:confirm" and "Trưởng đơn vị sẽ xác nhận" in x.last_text()
    assert (await claim_of(world, x)).tries == 3


async def test_the_head_confirms_a_claim_and_the_account_is_linked_and_told(world):
    minh, token = await hoa_on_roster(world)
    x = world.outsider()
    await to_birth_step(x, token)
    for d in ("01/01/1990", "02/01/1990", "03/01/1990"):
        await x.send(d)
    await finish(x, "English")
    await world.drain_outbox()
    await minh.click("Đúng là người này")
    assert "Đã xác nhận" in minh.last_text() and minh.last().markup is None
    hoa = await person(world, "Nguyễn Thị Hoa")
    assert hoa.telegram_id == x.id and hoa.language == "en"
    assert {r.role for r in hoa.roles} == {"staff"}
    await world.drain_outbox()
    assert "Welcome, Nguyễn Thị Hoa" in x.last_text()
    await x.send("/help")
    assert "/lang" in x.last_text()
    assert (await invite_row(world, token)).uses == 1
    actions = [e.action for e in await world.rows(AuditEntry)]
    assert "join.claim_confirmed" in actions and "person.joined" in actions


async def test_a_double_tap_on_the_heads_confirmation_links_once(world):
    minh, token = await hoa_on_roster(world)
    x = world.outsider()
    await to_birth_step(x, token)
    for d in ("01/01/1990", "02/01/1990", "03/01/1990"):
        await x.send(d)
    await finish(x)
    await world.drain_outbox()
    claim = await claim_of(world, x)
    await minh.click("Đúng là người này")
    await minh.press(JoinClaimCb(op="ok", id=claim.id).pack())
    await minh.press(JoinClaimCb(op="no", id=claim.id).pack())
    assert "đã được xử lý" in minh.alerts()[-1] and "đã được xử lý" in minh.alerts()[-2]
    assert (await person(world, "Nguyễn Thị Hoa")).telegram_id == x.id
    assert len(await world.rows(AuditEntry, AuditEntry.action == "person.joined")) == 1


async def test_without_a_date_of_birth_the_head_decides_and_a_refusal_sticks(world):
    minh, token = await hoa_on_roster(world)
    await born(world, "Nguyễn Thị Hoa", None)
    x = world.outsider()
    await to_birth_step(x, token)
    assert await x.state() == "JoinSG:confirm" and "Trưởng đơn vị sẽ xác nhận" in x.last_text()
    await finish(x)
    assert (await person(world, "Nguyễn Thị Hoa")).telegram_id is None
    await world.drain_outbox()
    await minh.click("Không phải người này")
    assert "Đã từ chối" in minh.last_text()
    await world.drain_outbox()
    assert "không phải là Nguyễn Thị Hoa" in x.last_text()
    assert (await claim_of(world, x)).state == "refused"
    await x.send(f"/start {token}")
    await x.click("Đồng ý")
    await x.send("hoa")
    await x.click("Nguyễn Thị Hoa")
    assert "đã xác nhận tài khoản này không phải là" in x.alerts()[-1]
    assert await x.state() == "JoinSG:pick"
    assert (await person(world, "Nguyễn Thị Hoa")).telegram_id is None


async def test_a_refused_claim_gives_its_invite_use_back(world):
    minh, token = await hoa_on_roster(world)
    await born(world, "Nguyễn Thị Hoa", None)
    x = world.outsider()
    await to_birth_step(x, token)
    await finish(x)
    assert (await invite_row(world, token)).uses == 1
    await world.drain_outbox()
    await minh.click("Không phải người này")
    assert (await invite_row(world, token)).uses == 0
    assert [
        e.after["uses"] for e in await world.rows(AuditEntry, AuditEntry.action == "invite.given_back")
    ] == [0]


async def test_the_secretary_is_asked_when_the_unit_has_no_head(world):
    lan = await world.secretary("Phạm Thị Lan", unit="KCK")
    _, token = await hoa_on_roster(world, with_head=False)
    await born(world, "Nguyễn Thị Hoa", None)
    x = world.outsider()
    await to_birth_step(x, token)
    await finish(x)
    await world.drain_outbox()
    assert lan.buttons() == ["✅ Đúng là người này", "Không phải người này"]


# -- "not this person" ---------------------------------------------------------------------------------------
async def test_not_this_person_unlinks_the_account_and_takes_back_what_the_join_gave(world):
    minh, _ = await hoa_on_roster(world)
    token = await make_invite(world, role="council", uses=10)  # the join gives the council role
    x = world.outsider()
    await joined_by_birth_date(world, x, token)
    assert {r.role for r in (await person(world, "Nguyễn Thị Hoa")).roles} == {"staff", "council"}
    await x.send("/difficulty")
    assert await x.state() is not None  # in the middle of a conversation as Nguyễn Thị Hoa
    await world.drain_outbox()
    world.api.reset_calls()
    await minh.click("Không phải người này")
    assert "Đã gỡ tài khoản" in minh.last_text() and minh.last().markup is None
    hoa = await person(world, "Nguyễn Thị Hoa")
    assert hoa.telegram_id is None and hoa.joined_at is None
    assert [r.role for r in await world.rows(PersonRole, PersonRole.person_id == hoa.id)] == ["staff"]
    assert await x.state() is None
    assert [c.params["scope"]["chat_id"] for c in world.api.calls_of("deleteMyCommands")] == [x.id]
    await world.drain_outbox()
    assert "không phải của Nguyễn Thị Hoa" in x.last_text()
    await x.send("/help")
    assert "/lang" not in x.last_text()  # the cached identity is gone
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "person.unlinked")
    assert entry.before["telegram_id"] == "*" and entry.after["telegram_id"] is None  # linked, not the id
    assert entry.actor_id == minh.person_id


async def test_roles_the_person_held_before_the_join_stay_after_an_unlink(world):
    minh, token = await hoa_on_roster(world)
    hoa = await person(world, "Nguyễn Thị Hoa")  # the roster gave her the staff role before she joined
    assert {r.role for r in hoa.roles} == {"staff"}
    x = world.outsider()
    await joined_by_birth_date(world, x, token)
    await world.drain_outbox()
    await minh.click("Không phải người này")
    hoa = await person(world, "Nguyễn Thị Hoa")
    assert hoa.telegram_id is None and {r.role for r in hoa.roles} == {"staff"}


@pytest.mark.parametrize("who", ["other_head", "staff", "outsider"])
async def test_someone_else_pressing_not_this_person_changes_nothing(world, who):
    _, token = await hoa_on_roster(world)
    x = world.outsider()
    await joined_by_birth_date(world, x, token)
    claim = await claim_of(world, x)
    if who == "other_head":
        other = await world.unit_head("Bùi Văn Nam", unit="KCK")
    elif who == "staff":
        other = await world.staff("Võ Thị Mai")
    else:
        other = world.outsider("Người Lạ")
    await other.press(JoinUnlinkCb(id=claim.id).pack())
    says = "chưa tham gia" if who == "outsider" else "không có quyền"
    assert says in other.alerts()[-1].lower()
    assert (await person(world, "Nguyễn Thị Hoa")).telegram_id == x.id
    assert await world.rows(AuditEntry, AuditEntry.action == "person.unlinked") == []


async def test_a_double_tap_on_not_this_person_unlinks_once(world):
    minh, token = await hoa_on_roster(world)
    x = world.outsider()
    await joined_by_birth_date(world, x, token)
    await world.drain_outbox()
    sent = minh._last_with_buttons()
    [(_, data)] = sent.buttons()
    update_ = minh.callback_update(data, sent)
    await world.feed(update_)
    await world.feed(update_)  # delivered twice
    await world.feed(minh.callback_update(data, sent))  # and pressed twice
    assert "đã được xử lý" in minh.alerts()[-1]
    assert len(await world.rows(AuditEntry, AuditEntry.action == "person.unlinked")) == 1
    assert len(await world.rows(OutboxMessage, OutboxMessage.kind == "join.unlinked")) == 1


async def test_a_stale_not_this_person_after_the_real_person_joined_changes_nothing(world):
    minh, token = await hoa_on_roster(world)
    x = world.outsider()
    await joined_by_birth_date(world, x, token)
    await world.drain_outbox()
    old_claim = await claim_of(world, x)
    await minh.click("Không phải người này")
    real = world.outsider("Nguyễn Thị Hoa")  # the real Hoa joins with a personal link
    personal = await make_invite(world, person=(await person(world, "Nguyễn Thị Hoa")).id)
    await real.send(f"/start {personal}")
    await real.click("Đồng ý")
    await real.click("Đúng, là tôi")
    await finish(real)
    await minh.press(JoinUnlinkCb(id=old_claim.id).pack())  # the first message's button, pressed again
    assert "đã được xử lý" in minh.alerts()[-1]
    assert (await person(world, "Nguyễn Thị Hoa")).telegram_id == real.id


async def test_a_personal_link_join_is_told_to_the_head_too(world):
    minh = await world.unit_head("Trần Văn Minh")
    hoa = await world.person("Nguyễn Thị Hoa", linked=False)
    x = world.outsider("Hoa")
    await x.send(f"/start {await make_invite(world, person=hoa.person_id)}")
    await x.click("Đồng ý")
    await x.click("Đúng, là tôi")
    await finish(x)
    await world.drain_outbox()
    assert "liên kết mời cá nhân" in minh.last_text() and minh.buttons() == ["Không phải người này"]


async def test_a_personal_link_opened_by_a_deactivated_person_says_whom_to_contact(world):
    await world.unit_head("Trần Văn Minh")
    hoa = await world.staff("Nguyễn Thị Hoa")
    async with world.session() as s:
        await s.execute(update(Person).where(Person.id == hoa.person_id).values(active=False))
        await s.commit()
    token = await make_invite(world, uses=5)
    await hoa.send(f"/start {token}")
    assert "ngừng hoạt động" in hoa.last_text() and "Trần Văn Minh" in hoa.last_text()
    assert "đã tham gia" not in hoa.last_text()
    assert await hoa.state() is None and (await invite_row(world, token)).uses == 0


# -- invite caps -------------------------------------------------------------------------------------------
async def test_a_unit_heads_invite_has_at_most_the_headcount_plus_five_uses(world):
    minh = await world.unit_head("Trần Văn Minh")
    await world.person("Võ Thị Mai", linked=False)
    await minh.send("/invite 8")
    assert "tối đa 7 lượt" in minh.last_text()
    assert await world.rows(Invite) == []
    await minh.send("/invite 7")
    [invite] = await world.rows(Invite)
    assert invite.max_uses == 7


async def _create(world, actor_name: str, role: Role, *, uses: int = 1, ttl: timedelta) -> None:
    [p] = await world.rows(Person, Person.full_name == actor_name)
    uow = UnitOfWork(world.sessionmaker)
    async with uow:
        ctx = Ctx(uow, world.clock, world.dp["identity"], world.settings)
        unit = await RosterRepo(ctx.session).unit_by_code("TCHC")
        ctx.actor = await _member(ctx, p.telegram_id)
        await InviteService(ctx).create(role.value, unit.id, max_uses=uses, ttl=ttl)


async def _member(ctx, telegram_id: int) -> Member:
    from storage.repositories.people import PeopleRepo

    member = await PeopleRepo(ctx.session).member(telegram_id, ctx.clock.today())
    assert member is not None
    return member


async def test_a_unit_heads_invite_lasts_at_most_30_days(world):
    await world.unit_head("Trần Văn Minh")
    await _create(world, "Trần Văn Minh", Role.STAFF, ttl=timedelta(days=30))
    with pytest.raises(DomainError) as e:
        await _create(world, "Trần Văn Minh", Role.STAFF, ttl=timedelta(days=31))
    assert e.value.key == "invite-head-cap-days" and "30 ngày" in e.value.text("vi")
    assert len(await world.rows(Invite)) == 1


async def test_the_secretarys_and_the_admins_caps_are_settings(world):
    await world.secretary("Phạm Thị Lan")
    await world.admin("Lê Văn Quản")
    world.settings.invite_secretary_max_uses = 40
    world.settings.invite_secretary_max_days = 10
    await _create(world, "Phạm Thị Lan", Role.STAFF, uses=40, ttl=timedelta(days=10))
    for uses, days in ((41, 10), (40, 11)):
        with pytest.raises(DomainError):
            await _create(world, "Phạm Thị Lan", Role.STAFF, uses=uses, ttl=timedelta(days=days))
    await _create(world, "Lê Văn Quản", Role.STAFF, uses=41, ttl=timedelta(days=11))
    world.settings.invite_admin_max_uses = 41
    with pytest.raises(DomainError) as e:
        await _create(world, "Lê Văn Quản", Role.STAFF, uses=42, ttl=timedelta(days=1))
    assert "41" in e.value.text("vi")
    assert len(await world.rows(Invite)) == 2


# -- names that deserve a second look -----------------------------------------------------------------------
async def _typed_name(world, x, name: str) -> None:
    await x.send(f"/start {await make_invite(world)}")
    await x.click("Đồng ý")
    await x.send(name)


async def test_a_name_without_diacritics_is_questioned_once(world):
    x = world.outsider()
    await _typed_name(world, x, "Nguyen Van Ba")
    assert "Họ tên chưa có dấu. Anh/Chị xác nhận giữ nguyên hay nhập lại?" in x.last_text()
    assert x.buttons() == ["Giữ nguyên", "Nhập lại"]
    await x.click("Nhập lại")
    assert await x.state() == "JoinSG:name"
    await x.send("Nguyen Van Ba")  # typed the same again: asked no more
    assert await x.state() == "JoinSG:confirm" and "Nguyen Van Ba" in x.last_text()
    assert await world.rows(Person) == []


async def test_a_name_in_capitals_is_questioned_and_may_be_kept(world):
    x = world.outsider()
    await _typed_name(world, x, "NGUYỄN VĂN BA")
    assert "toàn chữ in hoa" in x.last_text()
    await x.click("Giữ nguyên")
    await finish(x)
    [claim] = await world.rows(JoinClaim)
    assert claim.full_name == "NGUYỄN VĂN BA" and claim.state == "pending"


async def test_a_name_with_diacritics_is_not_questioned(world):
    x = world.outsider()
    await _typed_name(world, x, "Nguyễn Văn Ba")
    assert await x.state() == "JoinSG:confirm"


# -- the admin corrects a name and a position ---------------------------------------------------------------
async def _card(world, admin, name: str) -> None:
    await admin.send(f"/people {name}")
    await admin.click(name)


@pytest.mark.restarts("PersonFieldSG")
async def test_an_admin_corrects_a_name_in_people_and_it_is_audited(world):
    admin = await world.admin("Lê Văn Quản")
    await world.person("Nguyen Van Ba", linked=False)
    await _card(world, admin, "Nguyen Van Ba")
    await admin.click("Sửa họ tên")
    await admin.send("Nguyễn 3")
    assert "chữ số" in admin.last_text() and await admin.state() == "PersonFieldSG:value"
    await admin.send("Nguyễn Văn Bá")
    assert "Nguyễn Văn Bá" in admin.last_text() and await admin.state() is None
    p = await person(world, "Nguyễn Văn Bá")
    assert p.name_search == "nguyen van ba"
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "person.name")
    assert entry.before == {"full_name": "*"} and entry.after == {"full_name": "*"}  # ids, not names


async def test_an_admin_corrects_and_clears_a_position(world):
    admin = await world.admin("Lê Văn Quản")
    await world.person("Võ Thị Mai", linked=False)
    await _card(world, admin, "Võ Thị Mai")
    await admin.click("Sửa chức vụ")
    await admin.send("Phó Trưởng phòng")
    assert "Phó Trưởng phòng" in admin.last_text()
    assert (await person(world, "Võ Thị Mai")).position == "Phó Trưởng phòng"
    await admin.click("Sửa chức vụ")
    await admin.send("-")
    assert (await person(world, "Võ Thị Mai")).position is None
    actions = [e.after for e in await world.rows(AuditEntry, AuditEntry.action == "person.position")]
    assert actions == [{"position": "*"}, {"position": None}]  # set, then cleared: never the value


async def test_a_secretary_cannot_correct_a_name(world):
    lan = await world.secretary("Phạm Thị Lan")
    mai = await world.person("Võ Thị Mai", linked=False)
    from handlers.keyboards import PersonEditCb

    await lan.press(PersonEditCb(op="name", id=mai.person_id).pack())
    assert await lan.state() is None
    assert (await person(world, "Võ Thị Mai")).full_name == "Võ Thị Mai"


async def test_the_admins_search_follows_the_same_rule_of_three_letters(world):
    admin = await world.admin("Lê Văn Quản")
    await world.person("Võ Thị Mai", linked=False)
    await admin.send("/people ma")
    assert "ít nhất 3 chữ cái" in admin.last_text()
    await admin.send("/people mai")
    assert "Võ Thị Mai" in admin.buttons()[0]
