"""First to act wins (issue 19, phase 2): two secretaries pressing the same council button, or "Kết thúc sớm",
at once change it once, audit it once, and both are answered (SQLite; PostgreSQL with THIDUA_TEST_DB)."""

from __future__ import annotations

import asyncio

from storage.models import AuditEntry
from storage.models.voting import VotingMember, VotingRound
from tests.voting.chat import LDTT, chat_college, nominate, open_vote, vote


async def both_click(world, one, two, label: str) -> None:
    updates = []
    for who in (one, two):
        sent, data = who.find_button(label)
        updates.append(who.callback_update(data, sent))
    await asyncio.gather(*(world.feed(u) for u in updates))


async def test_two_secretaries_removing_one_member_at_once_remove_and_audit_once(world):
    c = await chat_college(world)
    thu = await world.secretary("Đỗ Văn Thứ", unit="KHTC")
    for s in (c.lan, thu):
        await s.send("/council")
    await both_click(world, c.lan, thu, "Bớt: Thành Viên B")
    rows = await world.rows(VotingMember, VotingMember.person_id == c.members[2].person_id)
    assert [r.removed for r in rows] == [True]
    assert len(await world.rows(AuditEntry, AuditEntry.action == "voting.member_removed")) == 1
    assert c.lan.alerts() and thu.alerts()  # both told
    assert "Thành viên (2)" in c.lan.last_text() and "Thành viên (2)" in thu.last_text()


async def test_two_secretaries_closing_early_at_once_close_once(world):
    c = await chat_college(world)
    thu = await world.secretary("Đỗ Văn Thứ", unit="KHTC")
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await nominate(world, LDTT, person=hoa)
    await open_vote(world)
    for m in c.members:
        await vote(m, "Nguyễn Thị Hoa", "Đồng ý")
    for s in (c.lan, thu):
        await s.send("/results")
    await both_click(world, c.lan, thu, "Kết thúc sớm")
    [voting] = await world.rows(VotingRound)
    assert voting.state == "tallied"
    assert len(await world.rows(AuditEntry, AuditEntry.action == "voting.closed")) == 1
    assert len(await world.rows(AuditEntry, AuditEntry.action == "voting.tallied")) == 1
    answers = c.lan.alerts() + thu.alerts()
    assert sorted(answers) == ["Đã kết thúc bỏ phiếu.", "Đợt bỏ phiếu này đã kết thúc rồi."]
