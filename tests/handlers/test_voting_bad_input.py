"""Bad input on the vote's buttons (issue 19, phase 2): each gets a clear message and changes nothing — a
non-member's press or a member's forged one, a vote before the opening or after the close, a dossier of
another vote or a withdrawn one, a replayed button of a closed vote, a dossier card nobody may read."""

from __future__ import annotations

from sqlalchemy import update

from handlers.voting.common import VoteCardCb, VoteCb, VoteListCb
from storage.models import AuditEntry
from storage.models.nomination import Nomination
from storage.models.voting import Ballot, VotingDossier, VotingRound
from tests.voting.chat import CLOSED, LDTT, chat_college, dossier_of, nominate, open_vote


async def nothing_written(world, before: int) -> None:
    assert await world.rows(Ballot) == []
    assert len(await world.rows(AuditEntry)) == before


async def test_a_non_member_pressing_a_members_button_is_refused(world):
    c = await chat_college(world)
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    nid = await nominate(world, LDTT, person=hoa)
    vid = await open_vote(world)
    did = await dossier_of(world, nid)
    before = len(await world.rows(AuditEntry))
    for data in (
        VoteCb(v=vid, d=did, c="y").pack(),
        VoteCardCb(v=vid, d=did).pack(),
        VoteListCb(v=vid).pack(),
    ):
        await hoa.press(data)
        assert hoa.alerts()[-1] == "Anh/Chị không phải thành viên Hội đồng của đợt bỏ phiếu này."
    await hoa.send("/review")
    assert "không có đợt bỏ phiếu nào đang mở" in hoa.last_text()
    await nothing_written(world, before)
    assert c.members  # the council is there; Hoa is not on it


async def test_a_vote_before_the_opening_is_refused(world):
    c = await chat_college(world)
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await nominate(world, LDTT, person=hoa)
    a = c.members[1]
    await c.lan.send("/council")  # the vote exists, preparing
    [voting] = await world.rows(VotingRound)
    before = len(await world.rows(AuditEntry))
    await a.press(VoteCb(v=voting.id, d=1, c="y").pack())
    assert a.alerts()[-1] == "Đợt bỏ phiếu này chưa mở."
    await a.send("/review")
    assert "không có đợt bỏ phiếu nào đang mở" in a.last_text()
    await nothing_written(world, before)


async def test_a_replayed_button_after_the_close_is_refused(world):
    c = await chat_college(world)
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await nominate(world, LDTT, person=hoa)
    await open_vote(world)
    a = c.members[1]
    await a.send("/review")
    await a.click("Nguyễn Thị Hoa")
    world.clock.set(CLOSED)
    await world.run_due()
    before = len(await world.rows(AuditEntry))
    await a.click("Đồng ý", exact=True)  # the card's button, pressed after the close
    assert a.alerts()[-1] == "Đợt bỏ phiếu này đã kết thúc; không bỏ phiếu hay đổi phiếu được nữa."
    await nothing_written(world, before)


async def test_a_dossier_of_another_vote_or_a_withdrawn_one_is_refused(world):
    c = await chat_college(world)
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    binh = await world.staff("Trần Văn Bình", unit="KCNTT")
    n1 = await nominate(world, LDTT, person=hoa)
    n2 = await nominate(world, LDTT, person=binh)
    vid = await open_vote(world)
    d1, d2 = await dossier_of(world, n1), await dossier_of(world, n2)
    a = c.members[1]
    before = len(await world.rows(AuditEntry))
    await a.press(VoteCb(v=vid + 1000, d=d1, c="y").pack())  # a vote that is not there
    assert a.alerts()[-1] == "Không tìm thấy đợt bỏ phiếu này."
    async with world.session() as s:  # a dossier of another vote (as a forged button would name it)
        other = VotingRound(round_id=(await s.get(VotingRound, vid)).round_id, scope="rb0:0", state="open")
        other.created_at = world.clock.now()
        s.add(other)
        await s.flush()
        await s.execute(update(VotingDossier).where(VotingDossier.id == d2).values(voting_id=other.id))
        await s.commit()
    await a.press(VoteCb(v=vid, d=d2, c="y").pack())
    assert a.alerts()[-1] == "Hồ sơ này không thuộc đợt bỏ phiếu này."
    await a.press(VoteCardCb(v=vid, d=d2).pack())
    assert a.alerts()[-1] == "Hồ sơ này không thuộc đợt bỏ phiếu này."
    async with world.session() as s:
        await s.execute(update(Nomination).where(Nomination.id == n1).values(state="withdrawn"))
        await s.commit()
    await a.press(VoteCb(v=vid, d=d1, c="y").pack())
    assert a.alerts()[-1] == "Đề nghị khen thưởng này đã được rút; không bỏ phiếu được."
    await a.send("/review")
    assert "Nguyễn Thị Hoa — đã rút" in a.last_text()
    await nothing_written(world, before)


async def test_a_recused_members_forged_vote_and_full_view_are_refused(world):
    c = await chat_college(world)
    a = c.members[1]
    nid = await nominate(world, LDTT, person=a)
    vid = await open_vote(world)
    did = await dossier_of(world, nid)
    before = len(await world.rows(AuditEntry))
    await a.press(VoteCb(v=vid, d=did, c="y").pack())
    assert a.alerts()[-1] == "Anh/Chị không bỏ phiếu cho hồ sơ này vì có liên quan đến mình."
    await a.press(VoteCardCb(v=vid, d=did, op="full").pack())
    assert a.alerts()[-1] == "Anh/Chị không bỏ phiếu cho hồ sơ này vì có liên quan đến mình."
    await nothing_written(world, before)


async def test_the_desks_buttons_are_the_secretarys_even_to_read(world):
    from handlers.voting.common import DeskCb, ReballotCb, TieCb, WrittenCb

    c = await chat_college(world)
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    nid = await nominate(world, LDTT, person=hoa)
    vid = await open_vote(world)
    did = await dossier_of(world, nid)
    a = c.members[1]
    before = len(await world.rows(AuditEntry))
    refused = "Việc này thuộc quyền của Thường trực Hội đồng Thi đua – Khen thưởng."
    for data in (
        DeskCb(v=vid, op="show").pack(),  # the standing: who has voted
        DeskCb(v=vid, op="wr").pack(),
        DeskCb(v=vid, op="close").pack(),
        WrittenCb(v=vid, m=a.person_id).pack(),
    ):
        await a.press(data)
        assert a.alerts()[-1] == refused, data
    await a.send("/results")
    assert a.last_text() == refused
    world.clock.set(CLOSED)
    await world.run_due()
    for who in (a, c.hieu):  # the chair reads the result, but settles and re-ballots nothing
        await who.press(TieCb(v=vid, i=0).pack())
        assert who.alerts()[-1] == refused
        await who.press(ReballotCb(v=vid, d=did).pack())
        assert who.alerts()[-1] == refused
        assert await who.state() is None
    await a.press(DeskCb(v=vid, op="show").pack())
    assert a.alerts()[-1] == refused
    assert len(await world.rows(AuditEntry)) == before + 2  # the close and the tally only
