"""The admin hands a person's open work to another, then deactivates them (issue 22, M20): the roles in
force move (a unit head's queue follows the unit head's role), the votes they chair, the successor is told
what waits; audited with ids only; every press checked again."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.roles import Role
from handlers.people_handover import HandoverCb
from storage.models import AuditEntry, Person, PersonRole
from storage.models.plan import PlanRound
from storage.models.voting import VotingRound
from tests.handlers.test_good_deed_flow import finish, setup, to_evidence

GO = "Xác nhận bàn giao"


async def a_deed_waiting_on_minh(world):
    hoa, _, minh = await setup(world)
    await to_evidence(hoa)
    await hoa.click("Bỏ qua")
    await finish(hoa)
    await world.drain_outbox()
    an = await world.admin("Nguyễn Văn An")
    tam = await world.staff("Phạm Văn Tâm")
    return an, minh, tam


async def to_preview(an, name: str = "Trần Văn Minh", successor: str = "Phạm Văn Tâm") -> None:
    await an.send(f"/people {name}")
    await an.click(name)
    await an.click("Ngừng hoạt động")
    await an.click("Bàn giao việc")
    await an.send("pham van")
    await an.click(successor)


async def row(world, chatter) -> Person:
    [p] = await world.rows(Person, Person.id == chatter.person_id)
    return p


async def roles(world, chatter) -> list[tuple[str, int | None, object]]:
    rows = await world.rows(PersonRole, PersonRole.person_id == chatter.person_id)
    return sorted((r.role, r.unit_id, r.valid_to) for r in rows)


async def test_the_heads_role_and_queue_go_to_the_successor_who_is_told_and_the_head_is_deactivated(world):
    an, minh, tam = await a_deed_waiting_on_minh(world)
    await to_preview(an)
    text = an.last_text()
    assert "Trưởng đơn vị – Phòng TCHC" in text and "1 việc tốt chờ xác minh" in text
    assert (await row(world, minh)).active  # nothing yet
    await an.click(GO)
    assert "Đã bàn giao các việc của Trần Văn Minh cho Phạm Văn Tâm" in an.last_text()
    assert not (await row(world, minh)).active
    unit = (await world.unit()).id
    yesterday = world.clock.today() - timedelta(days=1)
    assert (Role.UNIT_HEAD.value, unit, yesterday) in await roles(world, minh)
    assert (Role.UNIT_HEAD.value, unit, None) in await roles(world, tam)
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "person.handed_over")
    assert entry.actor_id == an.person_id and entry.object_id == str(minh.person_id)
    assert entry.after["to"] == tam.person_id and entry.after["waiting"] == {"good_deeds": 1}
    assert "Trần Văn Minh" not in json.dumps([entry.before, entry.after], ensure_ascii=False)
    await world.drain_outbox()
    assert "được giao tiếp các việc của Trần Văn Minh" in tam.last_text()
    assert "1 việc tốt chờ xác minh" in tam.last_text()
    menus = {c.params["scope"]["chat_id"] for c in world.api.calls_of("setMyCommands") if "scope" in c.params}
    assert tam.id in menus
    await tam.send("/pending")
    assert "Đặng Văn Lân" in tam.last_text()  # the deed waits for Tâm now


async def test_a_vote_the_leaver_chairs_moves_with_the_council_role(world):
    an = await world.admin("Nguyễn Văn An")
    chu = await world.council_member("Lý Văn Chủ")
    tam = await world.staff("Phạm Văn Tâm")
    await world.load_plan("plans/2021-2025.yaml")
    [round_, *_] = await world.rows(PlanRound)
    async with world.session() as s:
        now = world.clock.now()
        s.add(
            VotingRound(
                round_id=round_.id, scope="round", state="open", chair_id=chu.person_id, created_at=now
            )
        )
        await s.commit()
    await to_preview(an, "Lý Văn Chủ")
    assert "chủ trì 1 cuộc bỏ phiếu" in an.last_text()
    await an.click(GO)
    [vote] = await world.rows(VotingRound)
    assert vote.chair_id == tam.person_id


async def test_someone_without_a_role_to_hand_over_is_told_to_deactivate_directly(world):
    an = await world.admin("Nguyễn Văn An")
    await world.staff("Nguyễn Thị Hoa")
    await an.send("/people Nguyễn Thị Hoa")
    await an.click("Nguyễn Thị Hoa")
    await an.click("Ngừng hoạt động")
    await an.click("Bàn giao việc")
    assert "không giữ vai trò nào cần bàn giao" in an.alerts()[-1]
    assert await an.state() is None


async def test_a_forged_press_by_someone_not_an_admin_changes_nothing(world):
    _, minh, tam = await a_deed_waiting_on_minh(world)
    await tam.press(HandoverCb(op="go", p=minh.person_id, to=tam.person_id).pack())
    assert tam.alerts() and (await row(world, minh)).active
    assert (Role.UNIT_HEAD.value, (await world.unit()).id, None) not in await roles(world, tam)
    assert await world.rows(AuditEntry, AuditEntry.action == "person.handed_over") == []


async def test_a_forged_successor_the_leaver_themself_or_someone_inactive_is_refused(world):
    an, minh, tam = await a_deed_waiting_on_minh(world)
    await an.press(HandoverCb(op="go", p=minh.person_id, to=minh.person_id).pack())
    async with world.session() as s:
        await s.execute(update(Person).where(Person.id == tam.person_id).values(active=False))
        await s.commit()
    await an.press(HandoverCb(op="go", p=minh.person_id, to=tam.person_id).pack())
    assert (
        an.alerts()[-2:]
        == ["Người nhận bàn giao phải đang hoạt động, đã tham gia bot và khác người được bàn giao."] * 2
    )
    assert (await row(world, minh)).active
    assert await world.rows(AuditEntry, AuditEntry.action == "person.handed_over") == []


@pytest.mark.restarts("HandoverSG")
async def test_confirming_twice_hands_over_once(world):
    an, _, _ = await a_deed_waiting_on_minh(world)
    await to_preview(an)
    sent, data = an.find_button(GO)
    await world.feed(an.callback_update(data, sent))
    await world.feed(an.callback_update(data, sent))
    assert "Không có gì thay đổi" in an.alerts()[-1]
    assert len(await world.rows(AuditEntry, AuditEntry.action == "person.handed_over")) == 1
