"""Joining with an invite: /start <token> → consent → who you are → confirm → language → welcome."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from bot.context import Ctx
from bot.roles import Role
from bot.services.invites import InviteService, hash_token
from handlers.keyboards import JoinPickCb
from storage.models import AuditEntry, FsmRecord, Invite, JoinClaim, Person, PersonRole, Unit
from storage.repositories.roster import RosterRepo
from storage.uow import UnitOfWork


async def make_invite(
    world,
    role: str = "staff",
    unit: str = "TCHC",
    *,
    person: int | None = None,
    uses: int = 1,
    ttl: timedelta = timedelta(days=7),
) -> str:
    await world.unit(unit)
    uow = UnitOfWork(world.sessionmaker)
    async with uow:
        ctx = Ctx(uow, world.clock, world.dp["identity"], world.settings)
        u = await RosterRepo(ctx.session).unit_by_code(unit)
        created = await InviteService(ctx).create(role, u.id, person_id=person, max_uses=uses, ttl=ttl)
    return created.token


async def invite_row(world, token: str) -> Invite:
    [row] = await world.rows(Invite, Invite.token_hash == hash_token(token))
    return row


async def set_birth_date(world, name: str, born: date) -> None:
    async with world.session() as s:
        await s.execute(update(Person).where(Person.full_name == name).values(birth_date=born))
        await s.commit()


async def linked(world) -> list[Person]:
    return await world.rows(Person, Person.telegram_id.is_not(None))


async def new_joiner_to_language(chatter, token: str, name: str, *, roster_shown: bool = False) -> None:
    await chatter.send(f"/start {token}")
    await chatter.click("Đồng ý")
    if roster_shown:
        await chatter.click("Tôi không có trong danh sách")
    await chatter.send(name)
    await chatter.click("Xác nhận")


# -- joining ------------------------------------------------------------------------------------------------
async def test_personal_invite_links_the_roster_person_as_staff_of_their_unit(world):
    hoa = await world.person("Nguyễn Thị Hoa", linked=False)
    token = await make_invite(world, person=hoa.person_id)
    await hoa.send(f"/start {token}")
    assert "họ tên" in hoa.last_text() and "Telegram" in hoa.last_text()
    await hoa.click("Đồng ý")
    assert "Nguyễn Thị Hoa" in hoa.last_text()
    await hoa.click("Đúng, là tôi")
    assert "Phòng TCHC" in hoa.last_text() and "CBVC-NLĐ" in hoa.last_text()
    await hoa.click("Xác nhận")
    await hoa.click("Tiếng Việt")
    assert "Chào mừng Nguyễn Thị Hoa" in hoa.last_text() and "/help" in hoa.last_text()
    [person] = await world.rows(Person)
    assert person.telegram_id == hoa.id and person.joined_at is not None and person.language == "vi"
    [unit] = await world.rows(Unit)
    assert {(r.role, r.unit_id) for r in person.roles} == {("staff", unit.id)}
    assert (await invite_row(world, token)).uses == 1
    assert await hoa.state() is None
    assert [e.action for e in await world.rows(AuditEntry, AuditEntry.object_type.in_(["person", "invite"]))][
        -2:
    ] == ["invite.used", "person.joined"]


async def test_the_welcome_lists_what_the_roles_may_do(world):
    minh = world.outsider("Trần Văn Minh")
    token = await make_invite(world, role="unit_head")
    await new_joiner_to_language(minh, token, "Trần Văn Minh")
    await minh.click("Tiếng Việt")
    assert "Trưởng đơn vị" in minh.last_text() and "/invite" in minh.last_text()


async def test_joining_sets_the_persons_menu(world, monkeypatch):
    from bot import menus

    calls = []

    async def fake_set_menu(bot, member):
        calls.append(member)

    monkeypatch.setattr(menus, "set_menu", fake_set_menu)
    lan = world.outsider("Hồ Thị Lan")
    await new_joiner_to_language(lan, await make_invite(world, role="council"), "Hồ Thị Lan")
    await lan.click("English")
    [member] = calls
    assert member.telegram_id == lan.id and member.language == "en"
    assert member.roles == {Role.STAFF, Role.COUNCIL}


async def test_unit_invite_lets_the_joiner_find_themself_among_those_not_yet_joined(world):
    await world.staff("Lê Thị Hoa")  # joined already: not offered
    await world.person("Nguyễn Thị Hoa", linked=False)
    await world.person("Võ Thị Mai", linked=False)
    await world.person("Bùi Thị Hoa", linked=False, unit="KCK")  # another unit: not offered
    await set_birth_date(world, "Nguyễn Thị Hoa", date(1985, 9, 5))
    hoa = world.outsider("Nguyễn Thị Hoa", language_code="en")
    await hoa.send(f"/start {await make_invite(world, uses=30)}")
    await hoa.click("I agree")
    assert hoa.buttons() == ["I'm not on the list"]  # nobody's name is shown before a search
    await hoa.send("hoa")
    assert hoa.buttons() == ["Nguyễn Thị Hoa", "I'm not on the list"]
    await hoa.click("Nguyễn Thị Hoa")
    await hoa.send("05/09/1985")
    await hoa.click("Confirm")
    await hoa.click("English")
    assert "Welcome, Nguyễn Thị Hoa" in hoa.last_text()
    [person] = await world.rows(Person, Person.telegram_id == hoa.id)
    assert person.full_name == "Nguyễn Thị Hoa" and person.language == "en" and person.source == "roster"
    assert len(await world.rows(Person)) == 4


async def test_a_search_shows_at_most_eight_names(world):
    for i in range(10):
        await world.person(f"Người Thứ {chr(ord('A') + i)}an", linked=False)
    x = world.outsider("Người Thứ Jan")
    await x.send(f"/start {await make_invite(world)}")
    await x.click("Đồng ý")
    await x.send("nguoi thu")
    assert len(x.buttons()) == 8 + 1 and "Người Thứ Jan" not in x.buttons()
    await x.send("Thứ Jan")
    assert x.buttons() == ["Người Thứ Jan", "Tôi không có trong danh sách"]


@pytest.mark.restarts("JoinSG")
async def test_someone_not_on_the_roster_waits_for_the_head_under_the_name_typed(world):
    """The name typed is cleaned; the account waits, linked to nobody (more in test_join_waiting.py)."""
    minh = await world.unit_head("Trần Văn Minh")
    await world.person("Võ Thị Mai", linked=False)
    tuan = world.outsider("Đặng Minh Tuấn")
    await new_joiner_to_language(tuan, await make_invite(world), "  đặng   minh tuấn ", roster_shown=True)
    assert "Trưởng đơn vị sẽ xác nhận" in tuan.texts()[-2]  # the summary says so before it is sent
    await tuan.click("Tiếng Việt")
    assert "đang chờ trưởng đơn vị xác nhận" in tuan.last_text()
    assert await world.rows(Person, Person.telegram_id == tuan.id) == []
    [claim] = await world.rows(JoinClaim, JoinClaim.telegram_id == tuan.id)
    assert (claim.full_name, claim.person_id, claim.state) == ("đặng minh tuấn", None, "pending")
    await world.drain_outbox()
    assert "đặng minh tuấn" in minh.last_text()
    await minh.click("Xác nhận là người của đơn vị")
    [person] = await world.rows(Person, Person.telegram_id == tuan.id)
    assert person.full_name == "đặng minh tuấn" and person.source == "invite" and person.confirmed is True


async def test_a_name_is_stored_nfc_normalised(world):
    x = world.outsider("Hoa")
    decomposed = "Nguye\u0302\u0303n Thi\u0323 Hoa"
    await new_joiner_to_language(x, await make_invite(world, role="council"), decomposed)
    await x.click("Tiếng Việt")
    [person] = await linked(world)
    assert person.full_name == "Nguyễn Thị Hoa" and person.name_search == "nguyen thi hoa"


async def test_apostrophes_and_hyphens_are_fine_in_names(world):
    x = world.outsider("Kpă")
    await x.send(f"/start {await make_invite(world)}")
    await x.click("Đồng ý")
    await x.send("Y-Moan Ksor H'Hen")
    await x.click("Giữ nguyên")  # a name without diacritics is questioned once
    assert "Y-Moan Ksor H'Hen" in x.last_text()
    assert x.buttons() == ["✅ Xác nhận", "Hủy"]


# -- names that are refused ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("A", "quá ngắn"),
        ("Nguyễn " + "Văn" * 40, "quá dài"),
        ("Nguyễn Văn 3", "chữ số"),
        ("😀😀😀", "chỉ gồm chữ cái"),
        ("Hoa 🌸", "chỉ gồm chữ cái"),
    ],
)
async def test_a_bad_name_is_refused_with_the_reason_and_nothing_changes(world, name, says):
    x = world.outsider("X")
    token = await make_invite(world)
    await x.send(f"/start {token}")
    await x.click("Đồng ý")
    await x.send(name)
    assert says in x.last_text()
    assert await x.state() == "JoinSG:name"
    assert await world.rows(Person) == []
    assert (await invite_row(world, token)).uses == 0
    await x.send("Nguyễn Văn Ba")  # the person simply tries again
    assert await x.state() == "JoinSG:confirm"


# -- tokens that do not work --------------------------------------------------------------------------------
async def _nothing_changed(world, x) -> None:
    assert await x.state() is None
    assert await world.rows(Person) == []
    assert await world.rows(FsmRecord) == []


@pytest.mark.parametrize("payload", ["x" * 43, "short", "has.dots.and.more.characters.1234"])
async def test_an_unknown_or_malformed_token_is_refused(world, payload):
    x = world.outsider()
    await x.send(f"/start {payload}")
    assert "không hợp lệ" in x.last_text()
    await _nothing_changed(world, x)


async def test_an_expired_token_is_refused(world):
    token = await make_invite(world, ttl=timedelta(days=7))
    world.clock.advance(days=7, seconds=1)
    x = world.outsider()
    await x.send(f"/start {token}")
    assert "hết hạn" in x.last_text()
    await _nothing_changed(world, x)
    assert (await invite_row(world, token)).uses == 0


async def test_a_used_token_is_refused(world):
    token = await make_invite(world, role="council")
    first = world.outsider("Người Một")
    await new_joiner_to_language(first, token, "Người Một")
    await first.click("Tiếng Việt")
    second = world.outsider("Người Hai")
    await second.send(f"/start {token}")
    assert "đã hết lượt sử dụng" in second.last_text()
    assert await second.state() is None
    assert [p.full_name for p in await world.rows(Person)] == ["Người Một"]
    assert (await invite_row(world, token)).uses == 1


async def test_a_revoked_token_is_refused(world):
    token = await make_invite(world)
    async with world.session() as s:
        await s.execute(update(Invite).values(revoked=True))
        await s.commit()
    x = world.outsider()
    await x.send(f"/start {token}")
    assert "thu hồi" in x.last_text()
    await _nothing_changed(world, x)


async def test_a_personal_invite_of_someone_who_has_joined_is_refused(world):
    hoa = await world.person("Nguyễn Thị Hoa", linked=False)
    token = await make_invite(world, person=hoa.person_id)
    async with world.session() as s:
        await s.execute(update(Person).values(telegram_id=hoa.id))
        await s.commit()
    x = world.outsider()
    await x.send(f"/start {token}")
    assert "đã hết lượt sử dụng" in x.last_text()
    assert await x.state() is None


async def test_a_token_that_expires_during_the_conversation_is_refused_at_the_end(world):
    token = await make_invite(world, ttl=timedelta(hours=1))
    x = world.outsider()
    await new_joiner_to_language(x, token, "Nguyễn Văn Ba")
    world.clock.advance(hours=2)
    await x.click("Tiếng Việt")
    assert "hết hạn" in x.last_text()
    await _nothing_changed(world, x)
    assert (await invite_row(world, token)).uses == 0


async def test_a_member_opening_another_link_is_told_they_have_joined(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    token = await make_invite(world, role="council")
    await hoa.send(f"/start {token}")
    assert "đã tham gia bot rồi" in hoa.last_text()
    assert await hoa.state() is None
    assert (await invite_row(world, token)).uses == 0
    [person] = await world.rows(Person)
    assert {r.role for r in person.roles} == {"staff"}


# -- the race for the last use -----------------------------------------------------------------------------
async def test_two_people_racing_for_a_single_use_link_give_one_member_and_one_refusal(world):
    token = await make_invite(world, role="council")
    a, b = world.outsider("Người Một"), world.outsider("Người Hai")
    await new_joiner_to_language(a, token, "Người Một")
    await new_joiner_to_language(b, token, "Người Hai")
    await asyncio.gather(a.click("Tiếng Việt"), b.click("Tiếng Việt"))
    people = await linked(world)
    assert len(people) == 1
    winner, loser = (a, b) if people[0].telegram_id == a.id else (b, a)
    assert "Chào mừng Người" in winner.last_text()
    assert "đã hết lượt sử dụng" in loser.last_text()
    assert await loser.state() is None
    assert (await invite_row(world, token)).uses == 1
    assert len(await world.rows(AuditEntry, AuditEntry.action == "person.joined")) == 1


async def test_two_people_claiming_the_same_roster_person_give_one_link_and_no_lost_use(world):
    await world.person("Nguyễn Thị Hoa", linked=False)
    await set_birth_date(world, "Nguyễn Thị Hoa", date(1985, 9, 5))
    token = await make_invite(world, uses=5)
    a, b = world.outsider("A"), world.outsider("B")
    for x in (a, b):
        await x.send(f"/start {token}")
        await x.click("Đồng ý")
        await x.send("Nguyễn Thị Hoa")
        await x.click("Nguyễn Thị Hoa")
        await x.send("05/09/1985")
        await x.click("Xác nhận")
    await a.click("Tiếng Việt")
    await b.click("Tiếng Việt")
    assert "đã tham gia bot bằng một tài khoản Telegram khác" in b.last_text()
    [person] = await linked(world)
    assert person.telegram_id == a.id
    assert (await invite_row(world, token)).uses == 1


# -- leaving on the way ------------------------------------------------------------------------------------
async def test_refusing_consent_ends_the_flow_and_stores_nothing(world):
    token = await make_invite(world)
    x = world.outsider()
    await x.send(f"/start {token}")
    await x.click("Không đồng ý")
    assert "không lưu thông tin nào" in x.last_text()
    await _nothing_changed(world, x)
    assert (await invite_row(world, token)).uses == 0


async def test_not_me_on_a_personal_invite_stores_nothing(world):
    hoa = await world.person("Nguyễn Thị Hoa", linked=False)
    token = await make_invite(world, person=hoa.person_id)
    x = world.outsider("Người Khác")
    await x.send(f"/start {token}")
    await x.click("Đồng ý")
    await x.click("Không phải tôi")
    assert "dành cho người khác" in x.last_text()
    assert await x.state() is None and await linked(world) == []


async def _to_consent(world, x, token):
    await x.send(f"/start {token}")


async def _to_identity(world, x, token):
    await _to_consent(world, x, token)
    await x.click("Đồng ý")


async def _to_name(world, x, token):
    await _to_identity(world, x, token)
    await x.click("Tôi không có trong danh sách")


async def _to_confirm(world, x, token):
    await _to_name(world, x, token)
    await x.send("Nguyễn Văn Ba")


async def _to_language(world, x, token):
    await _to_confirm(world, x, token)
    await x.click("Xác nhận")


@pytest.mark.parametrize(
    ("step", "state"),
    [
        (_to_consent, "JoinSG:consent"),
        (_to_identity, "JoinSG:pick"),
        (_to_name, "JoinSG:name"),
        (_to_confirm, "JoinSG:confirm"),
        (_to_language, "JoinSG:language"),
    ],
)
async def test_cancel_at_any_step_consumes_nothing_and_stores_nothing(world, step, state):
    await world.person("Võ Thị Mai", linked=False)
    token = await make_invite(world)
    x = world.outsider()
    await step(world, x, token)
    assert await x.state() == state
    await x.send("/cancel")
    assert "Đã hủy việc tham gia" in x.last_text()
    assert await x.state() is None
    assert await linked(world) == []
    assert len(await world.rows(Person)) == 1
    assert (await invite_row(world, token)).uses == 0
    assert await world.rows(FsmRecord) == []


async def test_cancel_on_the_identity_step_of_a_personal_invite(world):
    hoa = await world.person("Nguyễn Thị Hoa", linked=False)
    token = await make_invite(world, person=hoa.person_id)
    x = world.outsider()
    await x.send(f"/start {token}")
    await x.click("Đồng ý")
    assert await x.state() == "JoinSG:identity"
    await x.send("/cancel")
    assert "Đã hủy" in x.last_text() and await x.state() is None and await linked(world) == []


async def test_the_cancel_button_on_the_summary_stores_nothing(world):
    token = await make_invite(world)
    x = world.outsider()
    await x.send(f"/start {token}")
    await x.click("Đồng ý")
    await x.send("Nguyễn Văn Ba")
    await x.click("Hủy")
    assert "Đã hủy việc tham gia" in x.last_text()
    await _nothing_changed(world, x)


async def test_typing_instead_of_pressing_a_button_gets_a_reminder(world):
    x = world.outsider()
    await x.send(f"/start {await make_invite(world)}")
    await x.send("xin chào")
    assert "chọn một nút" in x.last_text()
    assert await x.state() == "JoinSG:consent"


# -- forged and repeated presses --------------------------------------------------------------------------
async def test_a_forged_pick_of_someone_of_another_unit_is_refused(world):
    nam = await world.person("Bùi Văn Nam", linked=False, unit="KCK")
    await world.person("Võ Thị Mai", linked=False)
    x = world.outsider()
    await x.send(f"/start {await make_invite(world)}")
    await x.click("Đồng ý")
    await x.press(JoinPickCb(id=nam.person_id).pack())
    assert "không có trong danh sách" in x.alerts()[-1]
    assert await x.state() == "JoinSG:pick"
    assert (await x.data()).get("person") is None


async def test_an_outsider_pressing_a_join_button_without_a_link_changes_nothing(world):
    mai = await world.person("Võ Thị Mai", linked=False)
    x = world.outsider()
    await x.press(JoinPickCb(id=mai.person_id).pack())
    assert "không còn hiệu lực" in x.alerts()[-1]
    await x.press("jnl:vi")
    assert await x.state() is None and await linked(world) == []


async def test_the_final_press_delivered_twice_joins_once(world):
    token = await make_invite(world, role="council", uses=5)
    x = world.outsider()
    await new_joiner_to_language(x, token, "Nguyễn Văn Ba")
    sent = x._last_with_buttons()
    update_ = x.callback_update("jnl:vi", sent)
    await world.feed(update_)
    await world.feed(update_)  # the same update again
    await world.feed(x.callback_update("jnl:vi", sent))  # and a second press of the same button
    assert sum("Chào mừng Nguyễn Văn Ba" in text for text in x.texts()) == 1
    assert "không còn hiệu lực" in x.alerts()[-1]
    assert len(await linked(world)) == 1
    assert (await invite_row(world, token)).uses == 1
    async with world.session() as s:
        joined = await s.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "person.joined")
        )
    assert joined == 1


async def test_the_head_role_is_granted_for_the_unit_of_the_invite(world):
    x = world.outsider()
    await new_joiner_to_language(x, await make_invite(world, role="unit_head", unit="KCK"), "Bùi Văn Nam")
    await x.click("Tiếng Việt")
    [person] = await linked(world)
    roles = await world.rows(PersonRole, PersonRole.person_id == person.id)
    assert {(r.role, r.unit_id) for r in roles} == {("staff", person.unit_id), ("unit_head", person.unit_id)}


async def test_the_welcome_is_in_the_chosen_language(world):
    x = world.outsider()
    await new_joiner_to_language(x, await make_invite(world, role="council"), "Nguyễn Văn Ba")
    await x.click("English")
    assert "Welcome, Nguyễn Văn Ba" in x.last_text() and "You can use" in x.last_text()


async def test_after_joining_the_person_is_a_member_at_once(world):
    x = world.outsider()
    await new_joiner_to_language(x, await make_invite(world, role="council"), "Nguyễn Văn Ba")
    await x.click("Tiếng Việt")
    await x.send("/help")
    assert "Anh/Chị có thể dùng các lệnh sau" in x.last_text() and "/lang" in x.last_text()


async def test_two_accounts_linking_the_same_person_at_the_same_moment_give_one_link(world, monkeypatch):
    """Both claims pass every read before either writes: only the guarded UPDATE (`telegram_id IS NULL`)
    can decide. The barrier holds each join at its first write until the other has read everything."""
    from storage.repositories.invites import InvitesRepo

    hoa = await world.person("Nguyễn Thị Hoa", linked=False)
    # two personal invites of the same person (sent twice, say): a use for each, so no invite decides
    tokens = [await make_invite(world, person=hoa.person_id) for _ in range(2)]
    a, b = world.outsider("A"), world.outsider("B")
    for x, token in zip((a, b), tokens, strict=True):
        await x.send(f"/start {token}")
        await x.click("Đồng ý")
        await x.click("Đúng, là tôi")
        await x.click("Xác nhận")
    both_have_read = asyncio.Barrier(2)
    consume = InvitesRepo.consume

    async def consume_after_both_read(self, invite_id, now):
        await asyncio.wait_for(both_have_read.wait(), 5)
        return await consume(self, invite_id, now)

    monkeypatch.setattr(InvitesRepo, "consume", consume_after_both_read)
    await asyncio.gather(a.click("Tiếng Việt"), b.click("Tiếng Việt"))

    [person] = await linked(world)
    winner, loser = (a, b) if person.telegram_id == a.id else (b, a)
    assert person.telegram_id == winner.id and person.id == hoa.person_id
    assert "Chào mừng Nguyễn Thị Hoa" in winner.last_text()
    assert "đã tham gia bot bằng một tài khoản Telegram khác" in loser.last_text()
    assert not any("Chào mừng Nguyễn Thị Hoa" in text for text in loser.texts())
    uses = {x: (await invite_row(world, token)).uses for x, token in zip((a, b), tokens, strict=True)}
    assert uses == {winner: 1, loser: 0}  # the loser's use was given back
    assert len(await world.rows(AuditEntry, AuditEntry.action == "person.joined")) == 1
