"""Someone not on the roster who opens a unit's link waits, with no access, until the unit head confirms
(issue 18, items 14 and 32): the head's two buttons, /pending and /status, the account's commands, a
refusal that gives the invite use back, accounts that joined unconfirmed before, and forged presses."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update

from handlers.join_heads import RefuseJoinerCb
from handlers.keyboards import ConfirmJoinerCb, JoinClaimCb
from storage.models import AuditEntry, JoinClaim, OutboxMessage, Person, PersonRole
from tests.handlers.test_join import invite_row, make_invite

WAITING = "Yêu cầu của anh/chị đang chờ trưởng đơn vị xác nhận"
CONFIRM, REFUSE = "✅ Xác nhận là người của đơn vị", "Không phải người của đơn vị"


async def asks_to_join(x, token: str, name: str = "Đặng Minh Tuấn", lang: str = "Tiếng Việt") -> None:
    """A stranger opens the unit's link and types a name (nobody of the unit is left to pick)."""
    await x.send(f"/start {token}")
    await x.click("Đồng ý")
    await x.send(name)
    await x.click("Xác nhận")
    await x.click(lang)


async def the_claim(world, x) -> JoinClaim:
    [claim] = await world.rows(JoinClaim, JoinClaim.telegram_id == x.id)
    return claim


async def waiting_on_minh(world, *, uses: int = 10):
    minh = await world.unit_head("Trần Văn Minh")
    token = await make_invite(world, uses=uses)
    tuan = world.outsider("Tuấn Đặng")
    await asks_to_join(tuan, token)
    await world.drain_outbox()
    return minh, tuan, token


# -- waiting ----------------------------------------------------------------------------------------------
async def test_someone_not_on_the_roster_waits_with_no_access_until_the_head_confirms(world):
    minh, tuan, token = await waiting_on_minh(world)
    assert WAITING in tuan.texts()[-2] or WAITING in tuan.last_text()
    assert await world.rows(Person, Person.full_name == "Đặng Minh Tuấn") == []  # in no audience: nobody yet
    assert (await invite_row(world, token)).uses == 1
    for command in ("/status", "/difficulty", "/plan", "/xyz", "/start"):
        await tuan.send(command)
        assert tuan.last_text().startswith(WAITING), command
    await tuan.send("/help")
    assert WAITING in tuan.last_text() and "/lang" in tuan.last_text() and "/status" not in tuan.last_text()
    ask = minh.last_text()
    assert "Đặng Minh Tuấn" in ask and tuan.user.full_name in ask and "CBVC-NLĐ" in ask
    assert "liên kết mời chung của đơn vị" in ask
    assert minh.buttons() == [CONFIRM, REFUSE]

    await minh.click(CONFIRM)

    assert "Đã xác nhận" in minh.last_text() and minh.last().markup is None
    [p] = await world.rows(Person, Person.telegram_id == tuan.id)
    assert p.full_name == "Đặng Minh Tuấn" and p.source == "invite" and p.confirmed is True
    assert {r.role for r in p.roles} == {"staff"}
    assert (await the_claim(world, tuan)).state == "linked"
    await world.drain_outbox()
    assert "Chào mừng Đặng Minh Tuấn" in tuan.last_text()
    await tuan.send("/status")
    assert not tuan.last_text().startswith(WAITING)
    actions = [e.action for e in await world.rows(AuditEntry)]
    assert {"join.claim_sent", "join.claim_confirmed", "person.created", "person.joined"} <= set(actions)


async def test_not_of_the_unit_gives_the_use_back_and_the_account_is_a_stranger_again(world):
    minh, tuan, token = await waiting_on_minh(world)

    await minh.click(REFUSE)

    assert "Đã từ chối" in minh.last_text() and minh.last().markup is None
    assert (await invite_row(world, token)).uses == 0
    assert (await the_claim(world, tuan)).state == "refused"
    assert await world.rows(Person, Person.full_name == "Đặng Minh Tuấn") == []
    await world.drain_outbox()
    assert "không phải người của đơn vị" in tuan.last_text()
    await tuan.send("/status")
    assert "chưa tham gia bot" in tuan.last_text()
    await tuan.send(f"/start {token}")  # the same account asks again: refused at once, the head not asked
    assert "không phải người của đơn vị" in tuan.last_text() and await tuan.state() is None
    assert len(await world.rows(JoinClaim)) == 1 and (await invite_row(world, token)).uses == 0


async def test_a_waiting_account_may_change_its_language_and_is_welcomed_in_it(world):
    minh, tuan, _ = await waiting_on_minh(world)
    await tuan.send("/lang")
    await tuan.click("English")
    assert "English" in tuan.last_text()
    assert (await the_claim(world, tuan)).language == "en"
    await minh.click(CONFIRM)
    await world.drain_outbox()
    assert "Welcome, Đặng Minh Tuấn" in tuan.last_text()


async def test_a_waiting_account_cannot_open_the_shared_link_again(world):
    _, tuan, token = await waiting_on_minh(world)
    await tuan.send(f"/start {token}")
    assert tuan.last_text().startswith(WAITING)
    assert await tuan.state() is None and (await invite_row(world, token)).uses == 1


async def test_pending_and_status_show_the_heads_waiting_joins(world):
    minh, _, _ = await waiting_on_minh(world)
    await minh.send("/pending")
    assert "Đặng Minh Tuấn" in minh.last_text()
    await minh.click("Đặng Minh Tuấn")
    assert minh.buttons() == [CONFIRM, REFUSE] and "CBVC-NLĐ" in minh.last_text()
    await minh.send("/status")
    assert any("1 người chờ anh/chị xác nhận" in text for text in minh.texts()[-3:])
    await minh.click(CONFIRM)
    await minh.send("/pending")
    assert "Đặng Minh Tuấn" not in minh.last_text()


async def test_a_head_who_joins_by_a_heads_link_joins_at_once(world):
    lan = await world.secretary("Phạm Thị Lan", unit="KCK")
    nam = world.outsider("Bùi Văn Nam")
    await asks_to_join(nam, await make_invite(world, role="unit_head"), name="Bùi Văn Nam")
    assert "Chào mừng Bùi Văn Nam" in nam.last_text() and "xác nhận sau" not in nam.last_text()
    [p] = await world.rows(Person, Person.telegram_id == nam.id)
    assert {r.role for r in p.roles} == {"staff", "unit_head"}
    await world.drain_outbox()
    assert lan.messages() == []


async def test_a_deactivated_account_is_told_so_and_whom_to_contact(world):
    await world.unit_head("Trần Văn Minh")
    hoa = await world.staff("Nguyễn Thị Hoa")
    async with world.session() as s:
        await s.execute(update(Person).where(Person.id == hoa.person_id).values(active=False))
        await s.commit()
    for command in ("/help", "/status", "/start"):
        await hoa.send(command)
        assert "ngừng hoạt động" in hoa.last_text() and "Trần Văn Minh" in hoa.last_text(), command
        assert "chưa tham gia" not in hoa.last_text()


# -- accounts that joined unconfirmed before ----------------------------------------------------------------
async def joined_unconfirmed(world, token: str):
    """An account that joined by a unit's link, not on the roster, before issue 18: linked, with its roles."""
    tuan = await world.staff("Đặng Minh Tuấn")
    [invite] = [await invite_row(world, token)]
    async with world.session() as s:
        await s.execute(
            update(Person).where(Person.id == tuan.person_id).values(source="invite", confirmed=False)
        )
        await s.execute(update(type(invite)).where(type(invite).id == invite.id).values(uses=1))
        s.add(
            AuditEntry(
                at=world.clock.now(),
                actor_id=tuan.person_id,
                action="person.joined",
                object_type="person",
                object_id=str(tuan.person_id),
                after={"telegram_id": tuan.id, "invite_id": invite.id, "roles": ["staff"]},
            )
        )
        s.add(
            OutboxMessage(
                chat_id=tuan.id,
                person_id=tuan.person_id,
                kind="reminder",
                text="Nhắc hạn",
                not_before=world.clock.now() + timedelta(hours=1),
                created_at=world.clock.now(),
            )
        )
        await s.commit()
    return tuan


async def test_an_account_that_joined_unconfirmed_keeps_access_until_the_head_says_it_is_not_of_the_unit(
    world,
):
    minh = await world.unit_head("Trần Văn Minh")
    token = await make_invite(world, uses=10)
    tuan = await joined_unconfirmed(world, token)
    await tuan.send("/status")
    assert not tuan.last_text().startswith(WAITING)  # kept its access
    await minh.send("/pending")
    await minh.click("Đặng Minh Tuấn")
    assert minh.buttons() == [CONFIRM, REFUSE]

    await minh.click(REFUSE)

    assert "Đã từ chối" in minh.last_text()
    [p] = await world.rows(Person, Person.id == tuan.person_id)
    assert p.telegram_id is None and p.active is False
    roles = await world.rows(PersonRole, PersonRole.person_id == p.id)
    assert roles and all(r.valid_to is not None and r.valid_to < world.clock.today() for r in roles)
    [queued] = await world.rows(OutboxMessage, OutboxMessage.kind == "reminder")
    assert queued.status == "cancelled"
    assert (await invite_row(world, token)).uses == 0
    await world.drain_outbox(advance=True)
    assert "không phải người của đơn vị" in tuan.last_text() and "Nhắc hạn" not in tuan.texts()
    await tuan.send("/status")
    assert "chưa tham gia bot" in tuan.last_text()
    assert len(await world.rows(AuditEntry, AuditEntry.action == "person.refused")) == 1


async def test_an_account_that_joined_unconfirmed_is_confirmed_from_pending(world):
    minh = await world.unit_head("Trần Văn Minh")
    tuan = await joined_unconfirmed(world, await make_invite(world, uses=10))
    await minh.send("/pending")
    await minh.click("Đặng Minh Tuấn")
    await minh.click(CONFIRM)
    [p] = await world.rows(Person, Person.id == tuan.person_id)
    assert p.confirmed is True and p.telegram_id == tuan.id
    await minh.press(RefuseJoinerCb(id=p.id).pack())  # a stale press of the other button
    assert "đã được xác nhận" in minh.alerts()[-1]
    assert (await world.rows(Person, Person.id == tuan.person_id))[0].telegram_id == tuan.id


# -- forged and racing presses ------------------------------------------------------------------------------
async def test_another_units_head_cannot_settle_a_waiting_join(world):
    _, tuan, token = await waiting_on_minh(world)
    nam = await world.unit_head("Bùi Văn Nam", unit="KCK")
    claim = await the_claim(world, tuan)
    for op in ("ok", "no"):
        await nam.press(JoinClaimCb(op=op, id=claim.id).pack())
        assert "không có quyền" in nam.alerts()[-1]
    assert (await the_claim(world, tuan)).state == "pending"
    assert (await invite_row(world, token)).uses == 1


async def test_another_units_head_cannot_settle_an_unconfirmed_account(world):
    await world.unit_head("Trần Văn Minh")
    tuan = await joined_unconfirmed(world, await make_invite(world, uses=10))
    nam = await world.unit_head("Bùi Văn Nam", unit="KCK")
    await nam.press(RefuseJoinerCb(id=tuan.person_id).pack())
    await nam.press(ConfirmJoinerCb(id=tuan.person_id).pack())
    assert all("không có quyền" in a for a in nam.alerts()[-2:])
    [p] = await world.rows(Person, Person.id == tuan.person_id)
    assert p.telegram_id == tuan.id and p.confirmed is False


async def test_a_stale_press_and_a_double_tap_change_nothing_more(world):
    minh, tuan, token = await waiting_on_minh(world)
    claim = await the_claim(world, tuan)
    await minh.click(REFUSE)
    await minh.press(JoinClaimCb(op="ok", id=claim.id).pack())  # the other button, after
    await minh.press(JoinClaimCb(op="no", id=claim.id).pack())  # the same one, again
    assert all("đã được xử lý" in a for a in minh.alerts()[-2:])
    assert await world.rows(Person, Person.full_name == "Đặng Minh Tuấn") == []
    assert (await invite_row(world, token)).uses == 0  # given back once
    assert len(await world.rows(AuditEntry, AuditEntry.action == "join.claim_refused")) == 1


async def test_two_heads_confirming_at_the_same_moment_make_one_person(world, monkeypatch):
    """Both presses read the waiting claim before either writes: only the guarded change of state decides."""
    from bot.services.join_heads import JoinHeadsService

    minh, tuan, token = await waiting_on_minh(world)
    deputy = await world.deputy("Võ Thị Mai")
    claim = await the_claim(world, tuan)
    both_have_read = asyncio.Barrier(2)
    read = JoinHeadsService._claim_to_settle

    async def read_then_wait(self, claim_id):
        found = await read(self, claim_id)
        await asyncio.wait_for(both_have_read.wait(), 5)
        return found

    monkeypatch.setattr(JoinHeadsService, "_claim_to_settle", read_then_wait)
    data = JoinClaimCb(op="ok", id=claim.id).pack()
    await asyncio.gather(minh.press(data), deputy.press(data))

    [p] = await world.rows(Person, Person.full_name == "Đặng Minh Tuấn")
    assert p.telegram_id == tuan.id
    assert len(await world.rows(AuditEntry, AuditEntry.action == "person.joined")) == 1
    assert len(await world.rows(AuditEntry, AuditEntry.action == "join.claim_confirmed")) == 1
    assert sum("đã được xử lý" in a for a in minh.alerts() + deputy.alerts()) == 1
    assert (await invite_row(world, token)).uses == 1


async def test_a_confirmation_and_a_refusal_at_the_same_moment_leave_one_outcome(world, monkeypatch):
    from bot.services.join_heads import JoinHeadsService

    minh, tuan, token = await waiting_on_minh(world)
    deputy = await world.deputy("Võ Thị Mai")
    claim = await the_claim(world, tuan)
    both_have_read = asyncio.Barrier(2)
    read = JoinHeadsService._claim_to_settle

    async def read_then_wait(self, claim_id):
        found = await read(self, claim_id)
        await asyncio.wait_for(both_have_read.wait(), 5)
        return found

    monkeypatch.setattr(JoinHeadsService, "_claim_to_settle", read_then_wait)
    await asyncio.gather(
        minh.press(JoinClaimCb(op="ok", id=claim.id).pack()),
        deputy.press(JoinClaimCb(op="no", id=claim.id).pack()),
    )
    state = (await the_claim(world, tuan)).state
    people = await world.rows(Person, Person.full_name == "Đặng Minh Tuấn")
    uses = (await invite_row(world, token)).uses
    assert (state, len(people), uses) in {("linked", 1, 1), ("refused", 0, 0)}


async def test_a_waiting_claim_of_a_unit_without_a_head_goes_to_the_secretary(world):
    lan = await world.secretary("Phạm Thị Lan", unit="KCK")
    tuan = world.outsider("Tuấn")
    await asks_to_join(tuan, await make_invite(world, uses=5))
    await world.drain_outbox()
    assert lan.buttons() == [CONFIRM, REFUSE]
    await lan.send("/pending")
    assert "Đặng Minh Tuấn" in lan.last_text()  # the secretary confirms for a unit with no head
