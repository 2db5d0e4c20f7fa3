"""A member's /review (issue 19, phase 2): the opening's "Bỏ phiếu", the index by title, one card per
dossier that fits, the ballot's buttons marking the member's own choice, changing it, "Xem đầy đủ", paging,
and a recused member's card."""

from __future__ import annotations

from storage.models import AuditEntry
from storage.models.voting import Ballot
from tests.voting.chat import LDTT, TTLDTT, chat_college, nominate, open_vote, plain, vote


async def test_the_opening_message_opens_the_review_and_a_vote_marks_the_members_own_choice(world):
    c = await chat_college(world)
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await nominate(world, LDTT, person=hoa)
    await open_vote(world)
    a = c.members[1]
    opening = a.last_text()
    assert "Bỏ phiếu" in a.buttons()
    assert "Số hồ sơ: 1" in opening or "1" in opening
    await a.click("Bỏ phiếu")
    index = plain(a)
    assert "Lao động tiên tiến" in index and "Nguyễn Thị Hoa — chưa bỏ phiếu" in index
    assert "Đã bỏ phiếu 0/1" in index
    await a.click("Nguyễn Thị Hoa")
    card = plain(a)
    assert "Người được đề nghị: Nguyễn Thị Hoa" in card and "Tóm tắt thành tích" in card
    assert "Báo cáo thành tích: chưa có" in card and "Việc tốt đã xác minh: 0" in card
    assert a.buttons()[:3] == ["Đồng ý", "Không đồng ý", "✓ Chưa quyết"]  # not voted yet
    await a.click("Không đồng ý", exact=True)
    assert "Phiếu của anh/chị: Không đồng ý" in plain(a)
    assert "✓ Không đồng ý" in a.buttons() and "Đã bỏ phiếu 1/1" in plain(a)
    assert a.alerts()[-1].startswith("Đã ghi nhận phiếu") and "đồng ý" not in a.alerts()[-1].casefold()
    await a.click("Đồng ý", exact=True)  # changed
    assert "✓ Đồng ý" in a.buttons() and "Phiếu của anh/chị: Đồng ý" in plain(a)
    [ballot] = await world.rows(Ballot)
    assert ballot.member_id == a.person_id
    actions = [e.action for e in await world.rows(AuditEntry, AuditEntry.action.like("ballot.%"))]
    assert actions == ["ballot.cast", "ballot.recast"]


async def test_a_double_tap_writes_one_vote_and_chua_quyet_takes_it_back(world):
    c = await chat_college(world)
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await nominate(world, LDTT, person=hoa)
    await open_vote(world)
    a = c.members[1]
    await vote(a, "Nguyễn Thị Hoa", "Đồng ý")
    await a.click("Đồng ý", exact=False)  # the same choice again: "✓ Đồng ý"
    assert a.alerts()[-1] == "Phiếu của anh/chị không thay đổi."
    actions = [e.action for e in await world.rows(AuditEntry, AuditEntry.action.like("ballot.%"))]
    assert actions == ["ballot.cast"]
    await a.click("Chưa quyết")
    assert await world.rows(Ballot) == []
    assert "anh/chị chưa bỏ phiếu hồ sơ này" in plain(a).casefold()


async def test_the_same_update_twice_is_one_vote(world):
    c = await chat_college(world)
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await nominate(world, LDTT, person=hoa)
    await open_vote(world)
    a = c.members[1]
    await a.send("/review")
    await a.click("Nguyễn Thị Hoa")
    update = await a.click("Đồng ý", exact=True)
    await world.feed(update)  # Telegram delivers it again
    assert len(await world.rows(Ballot)) == 1
    actions = [e.action for e in await world.rows(AuditEntry, AuditEntry.action.like("ballot.%"))]
    assert actions == ["ballot.cast"]


async def test_a_recused_member_sees_the_own_dossiers_title_and_state_only(world):
    c = await chat_college(world)
    a = c.members[1]
    await nominate(world, LDTT, person=a, summary="Bí mật thành tích của thành viên A, không ai khác đọc.")
    await open_vote(world)
    await a.send("/review")
    assert "không bỏ phiếu (có liên quan)" in plain(a)
    await a.click("Thành Viên A")
    card = plain(a)
    assert "Lao động tiên tiến" in card and "có liên quan đến mình" in card
    assert "Bí mật thành tích" not in card and "Đồng ý" not in a.buttons()
    assert "Xem đầy đủ" not in a.buttons()
    b = c.members[2]
    await b.send("/review")
    await b.click("Thành Viên A")
    assert "Bí mật thành tích" in plain(b)


async def test_a_long_summary_is_shortened_and_xem_day_du_gives_it_whole(world):
    c = await chat_college(world)
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    long = ("Hoàn thành xuất sắc nhiệm vụ 🏅 " * 200)[:5000]
    await nominate(world, LDTT, person=hoa, summary=long)
    await open_vote(world)
    a = c.members[1]
    await a.send("/review")
    await a.click("Nguyễn Thị Hoa")
    card = plain(a)
    assert "…" in card and len(card.encode("utf-16-le")) // 2 <= 4096
    before = len(a.messages())
    await a.click("Xem đầy đủ")
    parts = [m.text or "" for m in a.messages()[before:]]
    assert len(parts) >= 2 and "".join(parts).count("🏅") == long.count("🏅")


async def test_a_long_list_is_paged_and_the_card_moves_to_the_next(world):
    c = await chat_college(world)
    for i in range(12):
        who = await world.staff(f"Người Số {i:02d}", unit="KCNTT")
        await nominate(world, LDTT, person=who)
    await nominate(world, TTLDTT, unit="KCNTT")
    await open_vote(world)
    a = c.members[1]
    await a.send("/review")
    assert "Trang 1/2" in plain(a) and "Người Số 09" in plain(a)
    assert "Người Số 10" not in plain(a)
    await a.click("Trang sau ›")
    assert "Trang 2/2" in plain(a) and "Tập thể lao động tiên tiến" in plain(a)
    await a.click("Người Số 10")
    assert "Hồ sơ 11/13" in plain(a)
    await a.click("Sau ›")
    assert "Hồ sơ 12/13" in plain(a)
    await a.click("‹ Trước")
    assert "Hồ sơ 11/13" in plain(a)
    assert len([m for m in a.messages() if "Hồ sơ" in (m.text or "")]) == 1  # one message, edited
