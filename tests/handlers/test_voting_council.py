"""/council (issue 19, phase 2): the secretary's council of a round before voting opens, by default who
holds the `council` role; removing, adding (a name typed) and naming the chair, audited; read-only after the
opening; a forged press of anyone else refused with nothing changed."""

from __future__ import annotations

import pytest

from storage.models import AuditEntry
from storage.models.plan import PlanRound
from storage.models.voting import VotingMember, VotingRound
from tests.voting.chat import LDTT, chat_college, nominate, open_vote, plain


async def audited(world, prefix: str) -> list[tuple[str, dict | None]]:
    return [(e.action, e.after) for e in await world.rows(AuditEntry, AuditEntry.action.like(f"{prefix}%"))]


@pytest.mark.restarts("CouncilSG")
async def test_the_secretary_removes_adds_and_names_the_chair_before_the_opening(world):
    c = await chat_college(world)
    a, b = c.members[1:]
    guest = await world.staff("Phạm Khách Mời", unit="KCNTT")
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await nominate(world, LDTT, person=hoa)
    lan = c.lan
    await lan.send("/council")
    text = plain(lan)
    assert "Thành viên (3)" in text and "Trần Văn Hiệu — Chủ tịch Hội đồng" in text
    await lan.click("Bớt: Thành Viên B")
    assert "Thành viên (2)" in plain(lan) and "Không tham gia đợt này" in plain(lan)
    await lan.click("Thêm thành viên")
    await lan.send("Khách")
    await lan.click("Phạm Khách Mời")
    assert "Phạm Khách Mời (Thường trực bổ sung)" in plain(lan)
    await lan.send("/council")
    await lan.click("Chỉ định Chủ tịch")
    await lan.click("Thành Viên A")
    assert "Thành Viên A — Chủ tịch Hội đồng" in plain(lan)
    assert [x for x, _ in await audited(world, "voting.")] == [
        "voting.member_removed",
        "voting.member_added",
        "voting.chair_named",
    ]
    vid = await open_vote(world)
    members = {
        m.person_id for m in await world.rows(VotingMember, VotingMember.voting_id == vid) if not m.removed
    }
    assert members == {c.hieu.person_id, a.person_id, guest.person_id}
    [voting] = await world.rows(VotingRound)
    assert voting.chair_id == a.person_id
    assert "Bỏ phiếu" in guest.buttons()  # the added member is told, the removed one is not
    assert not any("Bỏ phiếu" in t for t in b.texts())


async def test_after_the_opening_the_council_is_read_only_and_an_old_button_is_refused(world):
    c = await chat_college(world)
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await nominate(world, LDTT, person=hoa)
    lan = c.lan
    await lan.send("/council")  # the buttons of before the opening
    await open_vote(world)
    await lan.click("Bớt: Thành Viên B")
    assert lan.alerts()[-1] == "Bỏ phiếu đã mở: không thay đổi thành viên Hội đồng được nữa."
    assert await audited(world, "voting.member") == []
    await lan.send("/council")
    assert "chốt khi mở bỏ phiếu" in plain(lan) and lan.last().markup is None


async def test_a_forged_council_press_of_a_member_is_refused_and_changes_nothing(world):
    from handlers.voting.common import CouncilCb

    c = await chat_college(world)
    [plan_round] = await world.rows(PlanRound, PlanRound.code == "yearly-2026-2027")
    a, b = c.members[1:]
    await a.press(CouncilCb(r=plan_round.id, op="rm", p=b.person_id).pack())
    assert a.alerts()[-1] == "Việc này thuộc quyền của Thường trực Hội đồng Thi đua – Khen thưởng."
    await a.press(CouncilCb(r=plan_round.id, op="chair", p=a.person_id).pack())
    assert await audited(world, "voting.") == []
    assert await world.rows(VotingMember) == []
    await a.send("/council")
    assert "Thành viên (" not in a.last_text()
