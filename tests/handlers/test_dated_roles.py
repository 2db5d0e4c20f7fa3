"""Dated roles: a delegation or a term counts only between its dates, on the clock's today (25/11/2026)."""

from __future__ import annotations

from datetime import date

from bot.devtools.harness import Chatter, World
from bot.roles import Role
from storage.models import AuditEntry, PersonRole, Unit
from storage.models.difficulty import Difficulty
from storage.repositories.people import PeopleRepo
from storage.repositories.roster import RosterRepo
from tests.handlers.test_difficulty_flow import TEXT, raise_difficulty

TODAY = date(2026, 11, 25)


async def hold(
    world: World, who: Chatter, role: Role, start: date | None, end: date | None, unit: str | None = None
) -> None:
    """A stored role of `who`, in force from `start` to `end` (None: open-ended)."""
    unit_id = (await world.unit(unit)).id if unit else None
    async with world.session() as s:
        s.add(PersonRole(person_id=who.person_id, role=role, unit_id=unit_id, valid_from=start, valid_to=end))
        await s.commit()


async def names_with(world: World, role: Role, today: date = TODAY) -> list[str]:
    async with world.session() as s:
        return [p.full_name for p in await PeopleRepo(s).with_role(role, today)]


async def test_with_role_leaves_out_delegations_and_terms_outside_their_dates(world):
    assert world.clock.today() == TODAY
    expired = await world.staff("Đinh Văn Hết")  # acted for the head until yesterday
    future = await world.staff("Phan Thị Sắp")  # will act for the head from tomorrow
    acting = await world.staff("Lý Văn Đang")  # acts for the head today
    await hold(world, expired, Role.DEPUTY_HEAD, date(2026, 11, 1), date(2026, 11, 24), "TCHC")
    await hold(world, future, Role.DEPUTY_HEAD, date(2026, 11, 26), date(2026, 12, 5), "TCHC")
    await hold(world, acting, Role.DEPUTY_HEAD, date(2026, 11, 25), date(2026, 11, 25), "TCHC")
    ended = await world.staff("Mai Văn Cũ")  # council term 2021–2025
    sitting = await world.staff("Hà Thị Mới")  # council term from 2026, open-ended
    await hold(world, ended, Role.COUNCIL, date(2021, 1, 1), date(2025, 12, 31))
    await hold(world, sitting, Role.COUNCIL, date(2026, 1, 1), None)

    assert await names_with(world, Role.DEPUTY_HEAD) == ["Lý Văn Đang"]
    assert await names_with(world, Role.COUNCIL) == ["Hà Thị Mới"]
    # the same rows on other days: the dates decide, nothing else
    assert await names_with(world, Role.DEPUTY_HEAD, date(2026, 11, 24)) == ["Đinh Văn Hết"]
    assert await names_with(world, Role.DEPUTY_HEAD, date(2026, 11, 26)) == ["Phan Thị Sắp"]
    assert await names_with(world, Role.COUNCIL, date(2025, 6, 1)) == ["Mai Văn Cũ"]


async def test_heads_of_a_unit_are_those_in_office_today(world):
    head = await world.unit_head("Trần Văn Minh")
    expired, future = await world.staff("Đinh Văn Hết"), await world.staff("Phan Thị Sắp")
    await hold(world, expired, Role.DEPUTY_HEAD, date(2026, 11, 1), date(2026, 11, 24), "TCHC")
    await hold(world, future, Role.DEPUTY_HEAD, date(2026, 11, 26), date(2026, 12, 5), "TCHC")
    unit: Unit = await world.unit("TCHC")

    async with world.session() as s:
        assert [p.id for p in await RosterRepo(s).heads_of(unit.id, TODAY)] == [head.person_id]


async def test_a_new_difficulty_reaches_only_the_secretaries_in_office_today(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")  # no dates: in office
    binh = await world.staff("Phạm Văn Bình")  # was secretary until yesterday
    cuong = await world.staff("Ngô Văn Cường")  # becomes secretary tomorrow
    await hold(world, binh, Role.SECRETARY, date(2025, 1, 1), date(2026, 11, 24))
    await hold(world, cuong, Role.SECRETARY, date(2026, 11, 26), None)

    await raise_difficulty(hoa)
    await world.drain_outbox()

    assert TEXT in lan.last_text() and lan.buttons() == ["Trả lời", "Chuyển Hiệu trưởng"]
    assert binh.messages() == [] and cuong.messages() == []


async def test_a_principal_whose_term_ended_or_has_not_begun_is_not_forwarded_to(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Lê Thị Lan")
    former = await world.staff("Võ Văn Trước")
    incoming = await world.staff("Đỗ Thị Sau")
    await hold(world, former, Role.PRINCIPAL, date(2021, 1, 1), date(2026, 11, 24))
    await hold(world, incoming, Role.PRINCIPAL, date(2026, 12, 1), None)
    await raise_difficulty(hoa)
    await world.drain_outbox()

    await lan.click("Chuyển Hiệu trưởng")
    await world.drain_outbox()

    assert "Chưa có Hiệu trưởng" in lan.alerts()[-1]
    [item] = await world.rows(Difficulty)
    assert item.state == "open"
    assert await world.rows(AuditEntry, AuditEntry.action == "difficulty.forwarded") == []
    assert former.messages() == [] and incoming.messages() == []
