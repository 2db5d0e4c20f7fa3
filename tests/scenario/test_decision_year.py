"""Issue 20 through the year, across roles, in chat: the nominations as the window leaves them, the council's
secret vote card by card, the tally; the list published for comment to a bound group and every CBVC-NLĐ;
a colleague's objection by the post's deep link; nothing decided while the period runs; documents asked of
the unit head, supplied from /pending, the objection answered and the objector told; the decision recorded
(number and date on one line, the signer, the money "tạm tính" confirmed); the commended, those not
commended and the unit head told; the decision announced from its "Thông báo"; the proposal upward sent and
approved later; /history for the person, the colleague who failed, and the unit head."""

from __future__ import annotations

import re
from datetime import datetime

from bot.clock import VN_TZ
from bot.devtools.harness import World
from bot.roles import Role
from storage.models import AuditEntry
from storage.models.decisions import Commendation, Decision, Objection, Proposal
from tests.decisions.college import COMMENT
from tests.handlers.announce_steps import bind
from tests.voting.chat import CLOSED, LDTT, REVIEWING, TTLDTT, TTLDXS, nominate, open_vote, vote
from tests.voting.college import example_with

ROUND = "Bình xét thi đua, khen thưởng năm học 2026-2027"
REASON = "Đồng chí này bị nhắc nhở vì đi muộn nhiều lần trong học kỳ II."


def at(day: int, month: int = 6, hour: int = 9) -> datetime:
    return datetime(2027, month, day, hour, 0, tzinfo=VN_TZ)


async def test_a_year_from_the_vote_to_the_history(world: World, tmp_path):
    world.clock.set(REVIEWING)
    plan = tmp_path / "plan.yaml"
    plan.write_text(example_with(*COMMENT), encoding="utf-8")
    await world.load_plan(plan)
    thu = await world.secretary("Lê Thị Thu")
    hieu = await world.person("Trần Văn Hiệu", Role.STAFF, Role.PRINCIPAL, Role.COUNCIL, unit="BGH")
    members = [hieu, await world.council_member("Thành Viên A"), await world.council_member("Thành Viên B")]
    khoa = await world.unit_head("Phạm Văn Khoa", unit="KCNTT")
    hoa = await world.staff("Nguyễn Thị Hoa", unit="KCNTT")
    binh = await world.staff("Trần Văn Bình", unit="KCNTT")
    group = world.group("Cán bộ toàn trường", bot="left")
    await bind(world, thu, group, "Thông báo chung")
    await nominate(world, LDTT, person=hoa)
    await nominate(world, LDTT, person=binh)
    await nominate(world, TTLDTT, unit="KCNTT")
    await nominate(world, TTLDXS, unit="KCNTT")  # decided upward

    # -- the council's secret vote, card by card ---------------------------------------------------
    await open_vote(world)
    for m in members:  # Hoa agreed, Bình not, the unit's two dossiers agreed
        for card, choice in (
            ("1. ", "Đồng ý"),
            ("2. ", "Không đồng ý"),
            ("3. ", "Đồng ý"),
            ("4. ", "Đồng ý"),
        ):
            await vote(m, card, choice)
    world.clock.set(CLOSED)
    await world.run_due()
    world.clock.set(at(19))
    await world.drain_outbox()
    assert any("Nguyễn Thị Hoa" in t and "Đồng ý 3/3" in t for t in thu.texts())  # the result

    # -- the list published for comment ------------------------------------------------------------
    await thu.send("/decide")
    await thu.click(ROUND)
    assert "công khai lấy ý kiến 5 ngày" in thu.last_text()
    await thu.click("Công khai lấy ý kiến")
    await thu.click("Cán bộ toàn trường")
    await thu.click("Gửi công khai")
    assert "đến hết ngày 24/06/2027" in thu.last_text()
    await world.drain_outbox()
    post = next(m for m in group.texts() if "?start=obj" in m)
    assert "Nguyễn Thị Hoa" in post and "Trần Văn Bình" not in post
    assert any("?start=obj" in m for m in binh.texts())  # and every CBVC-NLĐ

    # -- an objection by the deep link; nothing decided meanwhile ------------------------------------
    world.clock.set(at(20))
    link = re.search(r"\?start=(obj\d+)", post)
    assert link is not None
    payload = link.group(1)
    await binh.send(f"/start {payload}")
    await binh.click("Nguyễn Thị Hoa")
    await binh.send(REASON)
    await binh.click("Gửi")
    assert "Đã gửi ý kiến" in binh.last_text()
    await world.drain_outbox()
    await thu.send("/decide")
    await thu.click(ROUND)
    assert "chưa thể ghi nhận quyết định" in thu.last_text() and "24/06/2027" in thu.last_text()

    # -- documents asked of the unit head, supplied, the objection answered ----------------------------
    await thu.send("/objections")
    assert "Trần Văn Bình" in thu.last_text()  # the secretary sees who objected
    await thu.click("Yêu cầu bổ sung hồ sơ")
    await thu.send("17:00 23/06/2027")
    await world.drain_outbox()
    assert "Nguyễn Thị Hoa" in khoa.last_text() and "Trần Văn Bình" not in khoa.last_text()
    assert "bổ sung hồ sơ" in binh.last_text()
    await khoa.send("/pending")
    await khoa.click("Đã bổ sung: Nguyễn Thị Hoa")
    await khoa.send("Đã gửi bảng chấm công học kỳ II về Phòng TC-HC")
    await world.drain_outbox()
    world.clock.set(at(25))
    await thu.send("/decide")
    await thu.click(ROUND)
    assert "1 ý kiến chưa được trả lời" in thu.last_text()
    await thu.send("/objections")
    await thu.click("Giữ nguyên danh sách")
    await thu.send("Bảng chấm công cho thấy đồng chí đi làm đầy đủ")
    await world.drain_outbox()
    assert "giữ nguyên danh sách" in binh.last_text()
    assert [o.state for o in await world.rows(Objection)] == ["dismissed"]
    assert all("Trần Văn Bình" not in m for m in hoa.texts())  # the objector is never named to her

    # -- the decision recorded, everyone concerned told ---------------------------------------------
    await thu.send("/decide")
    await thu.click(ROUND)
    await thu.send("123/QĐ-CĐKTCN ngày 25/06/2027")
    await thu.click("Hiệu trưởng — Trần Văn Hiệu")
    preview = thu.last_text()
    assert "chưa ghi nhận" in preview and "710.000 đ (tạm tính)" in preview
    assert "Trình cấp trên (đề nghị khen thưởng): Phòng KCNTT" in preview
    await thu.click("Xác nhận số tiền")
    await thu.click("Ghi nhận")
    assert "Đã ghi nhận Quyết định số 123/QĐ-CĐKTCN ngày 25/06/2027" in thu.last_text()
    await world.drain_outbox()
    assert "Lao động tiên tiến" in hoa.last_text() and "710.000 đ" in hoa.last_text()
    assert "chưa được khen thưởng" in binh.last_text()
    assert "Trần Văn Bình" in khoa.last_text() and "Nguyễn Thị Hoa" in khoa.last_text()

    # -- the decision announced from its "Thông báo" -------------------------------------------------
    await thu.click("Thông báo")
    await thu.click("Chọn nơi nhận")
    await thu.click("Cán bộ toàn trường")
    await thu.click("Xem trước")
    await thu.click("Gửi ngay")
    await world.drain_outbox()
    announced = group.texts()[-1]
    assert "Nguyễn Thị Hoa" in announced and "123/QĐ-CĐKTCN" in announced and "Trần Văn Bình" not in announced

    # -- the proposal upward, approved later ---------------------------------------------------------
    await thu.send("/decisions")
    await thu.click("Đã gửi cấp trên")
    world.clock.set(at(20, 7))
    await thu.send("/decisions")
    await thu.click("Cấp trên đã khen thưởng")
    await thu.send("1234/QĐ-UBND ngày 15/07/2027")
    await world.drain_outbox()
    assert "được cấp trên khen thưởng" in khoa.last_text() and "1234/QĐ-UBND" in khoa.last_text()
    [p] = await world.rows(Proposal)
    assert p.state == "approved"

    # -- /history, for each their own ---------------------------------------------------------------
    await hoa.send("/history")
    assert "25/06/2027: Lao động tiên tiến (Quyết định số 123/QĐ-CĐKTCN)" in hoa.last_text()
    await binh.send("/history")
    assert "chưa được khen thưởng" in binh.last_text()
    await khoa.send("/history KCNTT")
    await khoa.click("Phòng KCNTT")
    unit = khoa.last_text()
    assert "Tập thể lao động tiên tiến (Quyết định số 123/QĐ-CĐKTCN)" in unit
    assert "15/07/2027: Tập thể lao động xuất sắc — cấp trên khen thưởng (Quyết định số 1234/QĐ-UBND)" in unit

    assert len(await world.rows(Decision)) == 1 and len(await world.rows(Commendation)) == 3
    actions = {a.action for a in await world.rows(AuditEntry)}
    assert {"comment.published", "objection.made", "objection.dismissed", "decision.recorded"} <= actions
    assert {"proposal.prepared", "proposal.sent", "proposal.approved"} <= actions
