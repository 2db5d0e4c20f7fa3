"""The loops a school year in the console found open, closed (issue 18, items 14–24), across roles.

The secretary asks for a head's link for a unit that has a head: she is warned and invites nobody by mistake.
A stranger opens the unit's shared link and waits with no access until the head confirms him. The head
nominates him: the draft says it is not sent yet, the list's number is the card's; a report of "ok" is
refused, the real one previewed, sent and accepted; the secretary reads it from the card and sees who
nominated and when. In June she sets the council's review meeting inside the voting window: the council is
invited on the day before at 08:00 (a calendar day, not 24 hours), the staff are not; the ceremony is another
invitation. (Registration's loops, items 16, 17, 20, 23 and 27, have their own scenario:
test_registration_returned_and_extended.py.)
"""

from __future__ import annotations

from datetime import datetime

from bot.clock import VN_TZ
from bot.devtools.harness import World
from storage.models import AuditEntry, Invite, Person
from storage.models.nomination import Nomination
from tests.handlers.test_join import make_invite
from tests.handlers.test_join_waiting import CONFIRM, WAITING, asks_to_join
from tests.handlers.test_nomination_flow import REPORT, SUMMARY

PLAN = "plans/2021-2025.yaml"
MEETING = "Đặt lịch họp Hội đồng bình xét: Bình xét thi đua"


async def at(world: World, when: datetime) -> None:
    world.clock.set(when)
    await world.run_due()
    await world.drain_outbox(wait=False)


async def test_a_year_whose_loops_close_from_joining_to_the_review_meeting(world: World) -> None:
    world.clock.set(datetime(2024, 10, 15, 9, 0, tzinfo=VN_TZ))
    await world.load_plan(PLAN)
    await world.unit("KCK", "Khoa Cơ khí", kind="khoa")
    nam = await world.unit_head("Bùi Văn Nam", unit="KCK")
    lan = await world.secretary("Phạm Thị Lan")
    hung = await world.council_member("Võ Văn Hùng")
    await world.drain_outbox()

    # -- 15: a head's link where the unit has a head warns, naming him; nothing is made yet --------------
    await lan.send("/invite unit_head KCK")
    assert "Bùi Văn Nam" in lan.last_text()
    assert lan.buttons() == ["Mời Trưởng đơn vị mới thay Bùi Văn Nam", "Mời Phó trưởng đơn vị"]
    assert await world.rows(Invite) == []

    # -- 14: a stranger through the unit's shared link waits, with no access, for the head --------------
    token = await make_invite(world, unit="KCK", uses=10)
    binh = world.outsider("Lê Văn Bình")
    await asks_to_join(binh, token, "Lê Văn Bình")
    await binh.send("/register")
    assert binh.last_text().startswith(WAITING)
    assert await world.rows(Person, Person.full_name == "Lê Văn Bình") == []  # in no audience
    await world.drain_outbox()
    assert "Lê Văn Bình" in nam.last_text() and "CBVC-NLĐ" in nam.last_text()
    await nam.click(CONFIRM)
    await world.drain_outbox()
    assert "Chào mừng Lê Văn Bình" in binh.last_text()

    # -- 23 and 22: the draft is not sent yet; the list's number opens the same card -------------------
    await nam.send("/nominate")
    await nam.click("Một người của")
    await nam.send("Bình")
    await nam.click("Lê Văn Bình")
    await nam.click("Lao động tiên tiến")
    await nam.send(SUMMARY)
    await nam.click("Bỏ qua")
    assert "Trạng thái: bản nháp, chưa gửi" in nam.last_text() and "đã gửi" not in nam.last_text()
    await nam.click("Gửi đề nghị")
    assert len(await world.rows(Nomination)) == 1
    await nam.send("/nominations")
    assert "1. Lê Văn Bình" in nam.last_text()
    await nam.click("Số 1")
    assert "Đề nghị khen thưởng số 1" in nam.last_text()

    # -- 19: "ok" is no report; the real one is previewed before it goes, and the head accepts it -------
    await world.drain_outbox()
    await binh.click("Viết báo cáo thành tích")
    await binh.send("ok")
    assert "ít nhất 50 ký tự" in binh.last_text() and await binh.state() == "NomReportSG:text"
    await binh.send(REPORT)
    assert "chưa gửi" in binh.last_text()
    await binh.click("Gửi báo cáo")
    await world.drain_outbox()
    await nam.click("Duyệt báo cáo")

    # -- 18: the secretary reads the accepted report from the card, and who nominated and when ---------
    await lan.send("/nominations")
    await lan.click("Lê Văn Bình")
    card = lan.last_text()
    assert (
        "Người đề nghị: Bùi Văn Nam, 09:00 ngày 15/10/2024" in card and "Báo cáo thành tích: đã duyệt" in card
    )
    await lan.click("Xem báo cáo")
    assert REPORT.strip() in lan.last_text()

    # -- 21: the review meeting is set inside the voting window (02/06 to 13/06/2025) ------------------
    world.clock.set(datetime(2025, 5, 25, 9, 0, tzinfo=VN_TZ))
    await lan.send("/reminders")
    await lan.click(MEETING)
    await lan.send("14:00 20/06/2025")  # after the voting closes: refused as typed
    assert "trong thời gian bỏ phiếu" in lan.last_text()
    await lan.send("14:00 10/06/2025")
    await lan.send("Phòng họp số 1")
    assert "14:00 ngày 10/06/2025" in lan.last_text()

    # -- 24: "a day before" is the calendar day before, at 08:00; the council is invited, staff are not --
    await at(world, datetime(2025, 6, 9, 7, 59, tzinfo=VN_TZ))
    assert not any("Họp Hội đồng bình xét" in t for t in hung.texts())
    await at(world, datetime(2025, 6, 9, 8, 0, tzinfo=VN_TZ))
    [invitation] = [t for t in hung.texts() if "Họp Hội đồng bình xét" in t]
    assert "14:00 ngày 10/06/2025" in invitation and "Phòng họp số 1" in invitation
    assert not any("Họp Hội đồng bình xét" in t for t in binh.texts())

    actions = {e.action for e in await world.rows(AuditEntry)}
    assert {"join.claim_confirmed", "nomination.submitted", "nomination.report_accepted"} <= actions
