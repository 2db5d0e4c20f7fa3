"""The vote's reminder audiences (issue 19, phase 2): `pending` and `council_members` of `voting_open` and
`voting_close`, supplied through the reminders' registry, each reminder with "Bỏ phiếu"; a member who has
voted on every dossier is not reminded, and a reminder queued for them is dropped when they finish."""

from __future__ import annotations

from datetime import datetime

from bot.clock import VN_TZ
from bot.services.reminder_audiences import waiting_for
from storage.models import OutboxMessage
from tests.voting.chat import LDTT, chat_college, nominate, open_vote, plain, vote

TWO_DAYS_BEFORE = datetime(2027, 6, 17, 9, 0, tzinfo=VN_TZ)  # the 2d offset of 18/06 23:59:59 has gone


def voting_reminders(chatter) -> list[str]:
    return [t for t in chatter.texts() if "Việc bỏ phiếu đợt" in t]


def test_the_four_voting_audiences_are_supplied():
    import handlers.voting  # noqa: F401  (registers them)

    for deadline in ("voting_open", "voting_close"):
        for name in ("council_members", "pending"):
            assert waiting_for(deadline, name) is None


async def test_who_has_not_voted_on_everything_is_reminded_with_the_vote_button(world):
    c = await chat_college(world)
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    binh = await world.staff("Trần Văn Bình", unit="KCNTT")
    await nominate(world, LDTT, person=hoa)
    await nominate(world, LDTT, person=binh)
    await open_vote(world)
    p, a, b = c.members
    for name in ("Nguyễn Thị Hoa", "Trần Văn Bình"):
        await vote(a, name, "Đồng ý")
    await vote(b, "Nguyễn Thị Hoa", "Đồng ý")  # one of two
    await c.lan.send("/reminders")
    assert "chờ chức năng bỏ phiếu" not in c.lan.last_text()
    world.clock.set(TWO_DAYS_BEFORE)
    await world.tick()
    assert voting_reminders(a) == []
    assert len(voting_reminders(b)) == 1 and len(voting_reminders(p)) == 1
    assert "Bỏ phiếu" in b.buttons()
    await b.click("Bỏ phiếu")
    assert "Đã bỏ phiếu 1/2" in plain(b)
    assert voting_reminders(hoa) == []


async def test_a_queued_reminder_is_dropped_when_the_member_finishes(world):
    c = await chat_college(world)
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await nominate(world, LDTT, person=hoa)
    await open_vote(world)
    b = c.members[2]
    world.api.flood(b.id, retry_after=12 * 3600)  # Telegram holds B's chat: the reminder waits queued
    world.clock.set(TWO_DAYS_BEFORE)
    await world.tick()
    [queued] = [
        m
        for m in await world.rows(OutboxMessage, OutboxMessage.kind == "reminder")
        if m.person_id == b.person_id
    ]
    assert queued.status == "pending"
    await b.send("/review")
    await b.click("Nguyễn Thị Hoa")
    await b.click("Đồng ý", exact=True)
    [row] = await world.rows(OutboxMessage, OutboxMessage.id == queued.id)
    assert row.status == "cancelled"
    await world.drain_outbox(advance=True)
    assert voting_reminders(b) == []


async def test_the_reminders_vote_button_opens_review_and_is_refused_to_a_non_member(world):
    """ "rm:vote" shares the reminders' prefix ("rm:"): the reminders' own act buttons (reg, nom, pend) must
    not swallow it, and someone not on the council is told so (the voting service says who is a member)."""
    c = await chat_college(world)
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    await nominate(world, LDTT, person=hoa)
    await open_vote(world)
    b = c.members[2]
    world.clock.set(TWO_DAYS_BEFORE)
    await world.tick()
    [reminder] = voting_reminders(b)
    before = len(b.messages())
    await b.click("Bỏ phiếu")
    assert len(b.messages()) == before + 1  # /review's index, as a new message; the reminder stays
    assert "Đã bỏ phiếu 0/1" in plain(b) and "Nguyễn Thị Hoa" in b.buttons()[0]
    assert reminder in b.texts()
    await hoa.press("rm:vote")  # forged: Hoa is no council member, /review tells her so and shows nothing
    assert hoa.last_text() == "Hiện không có đợt bỏ phiếu nào đang mở mà anh/chị là thành viên Hội đồng."
    assert hoa.buttons() == []
