"""/results (issue 19, phase 2): the secretary follows an open vote (who has voted on how many, never how),
enters an absent member's paper vote, closes early once everyone has voted, reads the result table, records
the chair's choice on a tie with a reason, and opens a re-ballot; the chair reads the result too."""

from __future__ import annotations

import pytest

from storage.models import AuditEntry
from storage.models.voting import Ballot, VotingResult, VotingRound
from tests.voting.chat import CLOSED, CSTD, LDTT, chat_college, dossier_of, nominate, open_vote, plain, vote


async def test_early_close_waits_for_every_member_then_the_result_goes_to_the_secretary_and_the_chair(world):
    c = await chat_college(world)
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await nominate(world, LDTT, person=hoa)
    await open_vote(world)
    lan = c.lan
    for m in c.members[:2]:
        await vote(m, "Nguyễn Thị Hoa", "Đồng ý")
    await lan.send("/results")
    text = plain(lan)
    assert "Số phiếu đã bỏ: 2/3" in text and "Thành Viên B: 0/1" in text and "Đồng ý" not in text
    await lan.click("Kết thúc sớm")
    assert lan.alerts()[-1].startswith("Chưa kết thúc sớm được: mới có 2/3 phiếu")
    [voting] = await world.rows(VotingRound)
    assert voting.state == "open"
    await vote(c.members[2], "Nguyễn Thị Hoa", "Đồng ý")
    await lan.send("/results")
    await lan.click("Kết thúc sớm")
    assert "Đã kết thúc bỏ phiếu" in plain(lan)
    await world.drain_outbox()
    result = plain(lan)
    assert "Nguyễn Thị Hoa (Phòng KCNTT) — " in result and "Đồng ý 3/3" in result
    assert "cho thấy cách bỏ phiếu" in result  # a unanimous count reveals every vote: the secretary is told
    assert any("Đồng ý 3/3" in t for t in c.hieu.texts())  # the chair
    await lan.click("Kết thúc sớm")  # the old button: closing twice
    assert lan.alerts()[-1] == "Đợt bỏ phiếu này đã kết thúc rồi."
    assert [e.action for e in await world.rows(AuditEntry, AuditEntry.action == "voting.closed")] == [
        "voting.closed"
    ]
    await c.hieu.send("/results")
    assert "Đồng ý 3/3" in plain(c.hieu) and c.hieu.last().markup is None  # the chair reads, acts not


async def test_the_secretary_enters_a_paper_vote_for_an_absent_member_only(world):
    from handlers.voting.common import WrittenCb

    c = await chat_college(world)
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    nid = await nominate(world, LDTT, person=hoa)
    vid = await open_vote(world)
    did = await dossier_of(world, nid)
    a, b = c.members[1:]
    await vote(a, "Nguyễn Thị Hoa", "Đồng ý")
    lan = c.lan
    await lan.send("/results")
    await lan.click("Ghi phiếu giấy")
    assert "Thành Viên A" not in lan.buttons()[0] and any("Thành Viên B" in x for x in lan.buttons())
    await lan.click("Thành Viên B")
    await lan.click("Nguyễn Thị Hoa")
    await lan.click("Không đồng ý", exact=True)
    assert lan.alerts()[-1] == "Đã ghi phiếu giấy của Thành Viên B."
    written = [x for x in await world.rows(Ballot) if x.member_id == b.person_id]
    assert [(x.written, x.entered_by) for x in written] == [(True, lan.person_id)]
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "ballot.written")
    assert entry.after == {"vote": vid, "dossier": did, "member": b.person_id}  # never the choice
    before = len(await world.rows(AuditEntry))
    await lan.press(WrittenCb(v=vid, m=a.person_id, d=did, c="y").pack())  # a member who voted
    assert lan.alerts()[-1].startswith("Thành viên này đã bỏ phiếu cho hồ sơ này")
    await lan.press(WrittenCb(v=vid, m=hoa.person_id, d=did, c="y").pack())  # not a member
    assert lan.alerts()[-1] == "Anh/Chị không phải thành viên Hội đồng của đợt bỏ phiếu này."
    await a.press(WrittenCb(v=vid, m=c.hieu.person_id, d=did, c="y").pack())  # a member is not the secretary
    assert a.alerts()[-1] == "Việc này thuộc quyền của Thường trực Hội đồng Thi đua – Khen thưởng."
    assert len(await world.rows(AuditEntry)) == before and len(await world.rows(Ballot)) == 2


async def tied(world):
    """One LĐTT passes, so CSTĐ cơ sở has one place (15 %, at least one); two CSTĐ are equal: tied."""
    c = await chat_college(world)
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    binh = await world.staff("Trần Văn Bình", unit="KCNTT")
    cuong = await world.staff("Lê Văn Cường", unit="KCNTT")
    await nominate(world, LDTT, person=hoa)
    await nominate(world, CSTD, person=binh)
    await nominate(world, CSTD, person=cuong)
    await open_vote(world)
    for m in c.members:
        for name in ("Nguyễn Thị Hoa", "Trần Văn Bình", "Lê Văn Cường"):
            await vote(m, name, "Đồng ý")
    world.clock.set(CLOSED)
    await world.run_due()
    world.clock.set(CLOSED.replace(hour=9))
    await world.drain_outbox()
    return c


@pytest.mark.restarts("TieSG")
async def test_a_tie_is_settled_by_the_chairs_choice_with_a_reason(world):
    c = await tied(world)
    lan = c.lan
    assert "Bằng phiếu" in plain(lan) or "bằng phiếu" in plain(lan).casefold()
    await lan.send("/results")
    await lan.click("Quyết định hồ sơ bằng phiếu: Chiến sĩ thi đua cơ sở")
    assert "2 hồ sơ bằng phiếu cho 1 chỉ tiêu" in plain(lan)
    await lan.click("Tiếp tục")  # nobody chosen yet
    assert lan.alerts()[-1] == "Anh/Chị chọn đúng 1 hồ sơ trong số các hồ sơ bằng phiếu."
    await lan.click("Lê Văn Cường")
    assert "☑ Lê Văn Cường" in lan.buttons()
    await lan.click("Tiếp tục")
    await lan.send("ok")
    assert "ít nhất 5 ký tự" in lan.last_text()
    await lan.send("Thành tích nổi bật hơn theo ý kiến Chủ tịch")
    results = {r.dossier_id: r for r in await world.rows(VotingResult)}
    assert sorted(r.settled_outcome or "" for r in results.values()) == ["", "over_quota", "passed"]
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "voting.tie_settled")
    assert entry.after["reason"] == "Thành tích nổi bật hơn theo ý kiến Chủ tịch"
    assert "Đã ghi quyết định của Chủ tịch Hội đồng" in "\n".join(lan.texts()[-3:])
    await lan.click("Lê Văn Cường")  # the old tie's button: no tie any more
    await lan.press("vt:1:1:0:0")  # a forged press for a tie that does not exist
    assert lan.alerts()[-1] in ("Danh hiệu này không có hồ sơ nào bằng phiếu ở giới hạn.",)
    assert len(await world.rows(AuditEntry, AuditEntry.action == "voting.tie_settled")) == 1


@pytest.mark.restarts("ReballotSG")
async def test_a_reballot_of_one_dossier_is_opened_with_its_own_close(world):
    c = await tied(world)
    lan = c.lan
    await lan.send("/results")
    await lan.click("Bỏ phiếu lại một hồ sơ")
    await lan.click("Trần Văn Bình")
    await lan.send("ngày mai")
    assert "thời điểm kết thúc" in lan.last_text()
    await lan.send("17:00 22/06/2027")
    assert "Đã mở bỏ phiếu lại, kết thúc 17:00 ngày 22/06/2027" in lan.last_text()
    rows = await world.rows(VotingRound)
    assert [v.state for v in rows] == ["tallied", "open"]
    await world.drain_outbox()
    a = c.members[1]
    assert "Bỏ phiếu" in a.buttons()
    await a.click("Bỏ phiếu")
    assert "Bỏ phiếu lại một hồ sơ" in plain(a) and "Trần Văn Bình" in plain(a)


async def test_the_result_heads_the_minutes_with_the_review_meeting_the_chair_and_the_secretary(world):
    from datetime import datetime

    from sqlalchemy import update

    from bot.clock import VN_TZ
    from storage.models.plan import PlanRound

    c = await chat_college(world)
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await nominate(world, LDTT, person=hoa)
    async with world.session() as s:  # as /reminders sets it
        meeting = datetime(2027, 6, 15, 8, 0, tzinfo=VN_TZ)
        await s.execute(
            update(PlanRound).values(review_meeting_at=meeting, review_meeting_place="Phòng họp A")
        )
        await s.commit()
    await open_vote(world)
    for m in c.members:
        await vote(m, "Nguyễn Thị Hoa", "Đồng ý")
    world.clock.set(CLOSED)
    await world.run_due()
    world.clock.set(datetime(2027, 6, 19, 9, 0, tzinfo=VN_TZ))  # after the quiet hours
    await world.drain_outbox()
    result = plain(c.lan)
    assert "Họp Hội đồng bình xét: 08:00 ngày 15/06/2027, tại Phòng họp A" in result
    assert "Chủ tịch Hội đồng: Trần Văn Hiệu · Thường trực Hội đồng: Lê Thị Thu" in result
    assert "Thành viên Hội đồng: 3 · Đã bỏ phiếu: 3" in result
