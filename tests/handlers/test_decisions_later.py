"""/decisions in chat: a recorded decision's number corrected and those told told again; a commendation
revoked with its money marked to recover, then the recovery recorded; a proposal upward sent and approved
later, the unit told. Bad input and replayed or forged presses change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.devtools.harness import World
from handlers.decisions.common import DecCb
from storage.models import AuditEntry
from storage.models.decisions import Commendation, Decision, Proposal
from tests.handlers.decisions_steps import Cast, tallied_world
from tests.handlers.test_decisions_flow import decide

REASON = "Hồ sơ kê khai thành tích không trung thực"


def cb(op: str, id_: int = 0, x: int = 0) -> str:
    return DecCb(op=op, id=id_, x=x).pack()


async def recorded(world: World, tmp_path: Path, **kw: bool) -> Cast:
    c = await tallied_world(world, tmp_path, **kw)
    await decide(c)
    await c.secretary.click("Xác nhận số tiền")
    await c.secretary.click("Ghi nhận")
    await world.drain_outbox()
    return c


@pytest.mark.restarts("CorrectSG")
async def test_a_mistyped_number_is_corrected_with_a_reason_and_those_told_told_again(
    world: World, tmp_path: Path
):
    c = await recorded(world, tmp_path)
    await c.secretary.send("/decisions")
    card = c.secretary.last_text()
    assert "Quyết định số 123/QĐ-CĐKTCN ngày 19/06/2027" in card and "Nguyễn Thị Hoa" in card
    assert "Người ký: Hiệu trưởng Trần Văn Hiệu" in card
    await c.secretary.click("Sửa số, ngày, người ký")
    await c.secretary.send("không rõ")  # not a number and a date
    assert "45/QĐ-CĐKT 19/06/2027" in c.secretary.last_text()
    await c.secretary.send("124/QĐ-CĐKTCN ngày 20/06/2027")  # after today
    assert "20/06/2027" in c.secretary.last_text()
    await c.secretary.send("124/QĐ-CĐKTCN ngày 19/06/2027")
    await c.secretary.click("Hiệu trưởng — Trần Văn Hiệu")
    await c.secretary.send("sai")
    assert "quá ngắn" in c.secretary.last_text()
    [d] = await world.rows(Decision)
    assert (d.number, d.version) == ("123/QĐ-CĐKTCN", 1)
    await c.secretary.send("Gõ nhầm số quyết định")
    assert "Đã sửa: Quyết định số 124/QĐ-CĐKTCN ngày 19/06/2027" in c.secretary.last_text()
    [d] = await world.rows(Decision)
    assert (d.number, d.version) == ("124/QĐ-CĐKTCN", 2)
    assert {x.decision_number for x in await world.rows(Commendation)} == {"124/QĐ-CĐKTCN"}
    assert len(await world.rows(AuditEntry, AuditEntry.action == "decision.corrected")) == 1
    await world.drain_outbox()
    assert "124/QĐ-CĐKTCN" in c.hoa.last_text() and "124/QĐ-CĐKTCN" in c.head.last_text()

    await c.secretary.send("/decisions")  # the same line again: nothing to correct
    await c.secretary.click("Sửa số, ngày, người ký")
    await c.secretary.send("124/QĐ-CĐKTCN ngày 19/06/2027")
    await c.secretary.click("Hiệu trưởng — Trần Văn Hiệu")
    await c.secretary.send("Gõ nhầm số quyết định")
    assert "không thay đổi" in c.secretary.last_text()
    assert [x.version for x in await world.rows(Decision)] == [2]


@pytest.mark.restarts("RevokeSG")
async def test_a_commendation_is_revoked_once_its_money_marked_to_recover_and_the_recovery_recorded(
    world: World, tmp_path: Path
):
    c = await recorded(world, tmp_path)
    await c.secretary.send("/decisions")
    await c.secretary.click("Thu hồi một khen thưởng")
    await c.secretary.click("Nguyễn Thị Hoa")
    await c.secretary.send("sai")
    assert "quá ngắn" in c.secretary.last_text()
    assert {x.state for x in await world.rows(Commendation)} == {"active"}
    await c.secretary.send(REASON)
    assert "710.000 đ được ghi là phải nộp lại" in c.secretary.last_text()
    hoa = next(x for x in await world.rows(Commendation) if x.person_id == c.hoa.person_id)
    assert (hoa.state, hoa.recovery, hoa.revoked_reason) == ("revoked", "to_recover", REASON)
    await c.secretary.press(cb("cw", hoa.id))  # revoking twice
    assert "đã bị thu hồi" in c.secretary.alerts()[-1]
    await world.drain_outbox()  # the notice goes through the outbox
    told = [x for x in c.hoa.texts() if "thu hồi khen thưởng" in x]
    assert len(told) == 1, told  # told once, though revoking was tried twice
    assert REASON in told[0] and "710.000 đ" in told[0] and "Phòng Kế hoạch – Tài chính" in told[0]

    await c.secretary.send("/decisions")
    assert "đã thu hồi, tiền thưởng chờ nộp lại" in c.secretary.texts()[-1]
    await c.secretary.click("Đã nộp lại tiền: Nguyễn Thị Hoa")
    assert "Đã ghi nhận nộp lại tiền thưởng 710.000 đ" in c.secretary.last_text()
    await c.secretary.press(cb("cr", hoa.id))  # replayed
    assert "không có khoản tiền cần thu hồi" in c.secretary.alerts()[-1]
    hoa = next(x for x in await world.rows(Commendation) if x.person_id == c.hoa.person_id)
    assert hoa.recovery == "recovered"
    actions = [a.action for a in await world.rows(AuditEntry) if a.action.startswith("commendation.")]
    assert actions.count("commendation.revoked") == 1 and actions.count("commendation.recovered") == 1
    await c.hoa.send("/history")
    assert "đã thu hồi" in c.hoa.last_text()


@pytest.mark.restarts("ApproveSG")
async def test_a_proposal_upward_is_sent_then_approved_and_the_unit_head_told(world: World, tmp_path: Path):
    c = await recorded(world, tmp_path, upward=True)
    [p] = await world.rows(Proposal)
    await c.secretary.press(cb("qa", p.id))  # approved before it was sent
    assert "đã được chuyển sang bước khác" in c.secretary.alerts()[-1]
    await c.secretary.send("/decisions")
    assert (
        "Đề nghị cấp trên khen thưởng: <b>Phòng KCNTT</b> — Tập thể lao động xuất sắc"
        in c.secretary.last_text()
    )
    assert "đang chuẩn bị hồ sơ" in c.secretary.last_text()
    await c.secretary.click("Đã gửi cấp trên")
    await c.secretary.press(cb("qs", p.id))  # replayed
    assert "đã được chuyển sang bước khác" in c.secretary.alerts()[-1]
    world.clock.set(world.clock.now().replace(month=7, day=20))
    await c.secretary.send("/decisions")
    await c.secretary.click("Cấp trên đã khen thưởng")
    await c.secretary.send("1234/QĐ-UBND ngày 21/07/2027")  # after today
    assert "21/07/2027" in c.secretary.last_text()
    assert [x.state for x in await world.rows(Proposal)] == ["sent"]
    await c.secretary.send("1234/QĐ-UBND ngày 15/07/2027")
    assert "Quyết định số 1234/QĐ-UBND ngày 15/07/2027" in c.secretary.last_text()
    [p] = await world.rows(Proposal)
    assert p.state == "approved" and p.commendation_id is not None
    await world.drain_outbox()
    assert "được cấp trên khen thưởng" in c.head.last_text() and "1234/QĐ-UBND" in c.head.last_text()
    await c.secretary.press(cb("qr", p.id))  # not approved after it was
    assert "đã được chuyển sang bước khác" in c.secretary.alerts()[-1]
    assert [x.state for x in await world.rows(Proposal)] == ["approved"]


async def test_staff_pressing_the_desk_s_buttons_change_nothing(world: World, tmp_path: Path):
    c = await recorded(world, tmp_path, upward=True)
    [d] = await world.rows(Decision)
    [p] = await world.rows(Proposal)
    before = (await world.rows(Decision), await world.rows(Commendation), await world.rows(Proposal))
    hoa = next(x for x in before[1] if x.person_id == c.hoa.person_id)
    for data in (
        cb("cf", d.id),
        cb("cv", d.id),
        cb("cw", hoa.id),
        cb("cr", hoa.id),
        cb("qs", p.id),
        cb("qa", p.id),
        cb("qr", p.id),
    ):
        await c.hoa.press(data)
        assert c.hoa.alerts()[-1]
    await c.hoa.send("/decisions")
    assert "không thuộc quyền hạn" in c.hoa.last_text()
    await c.secretary.press(cb("cf", d.id + 5))  # a decision that does not exist
    assert "Không tìm thấy quyết định" in c.secretary.alerts()[-1]
    await c.secretary.press(cb("cw", hoa.id + 50))
    assert "Không tìm thấy khen thưởng" in c.secretary.alerts()[-1]
    await c.secretary.press(cb("cs", c.principal.person_id))  # a signer with no correction under way
    after = (await world.rows(Decision), await world.rows(Commendation), await world.rows(Proposal))
    assert [[r.__dict__.get(k) for k in ("number", "state", "version")] for rows in after for r in rows] == [
        [r.__dict__.get(k) for k in ("number", "state", "version")] for rows in before for r in rows
    ]


@pytest.mark.restarts("DelegateSG")
async def test_the_principal_s_signing_delegation_is_recorded_and_the_deputy_then_signs(
    world: World, tmp_path: Path
):
    from storage.models.decisions import SigningDelegation

    c = await tallied_world(world, tmp_path)
    deputy = await world.staff("Đinh Văn Phó", unit="BGH")
    await c.hoa.press(cb("dg"))  # not the secretary's
    assert c.hoa.alerts()[-1]
    await c.secretary.send("/decisions")
    await c.secretary.click("Ủy quyền ký (KT. HIỆU TRƯỞNG)")
    await c.secretary.send("Đinh Văn")
    await c.secretary.click("Đinh Văn Phó")
    await c.secretary.send("không rõ")
    assert "gõ hai ngày" in c.secretary.last_text()
    await c.secretary.send("từ 19/06/2027 đến 10/06/2027")
    assert "phải sau ngày bắt đầu" in c.secretary.last_text()
    assert await world.rows(SigningDelegation) == []
    await c.secretary.send("từ 10/06/2027 đến 30/06/2027")
    assert "Đinh Văn Phó được ký “KT. HIỆU TRƯỞNG” từ 10/06/2027 đến 30/06/2027" in c.secretary.last_text()
    [row] = await world.rows(SigningDelegation)
    assert row.deputy_id == deputy.person_id
    assert len(await world.rows(AuditEntry, AuditEntry.action == "decision.delegation")) == 1

    await c.secretary.send("/decide")
    await c.secretary.click("Bình xét thi đua, khen thưởng năm học 2026-2027")
    await c.secretary.send("123/QĐ-CĐKTCN ngày 19/06/2027")
    await c.secretary.click("KT. HIỆU TRƯỞNG — Đinh Văn Phó")
    await c.secretary.click("Xác nhận số tiền")
    await c.secretary.click("Ghi nhận")
    [d] = await world.rows(Decision)
    assert (d.signer_id, d.signed_as) == (deputy.person_id, "deputy")

    await c.secretary.send("/decisions")  # the principal cannot be their own deputy (a forged pick)
    await c.secretary.click("Ủy quyền ký (KT. HIỆU TRƯỞNG)")
    await c.secretary.press(cb("dp", c.principal.person_id))
    await c.secretary.send("từ 01/07/2027 đến 05/07/2027")
    assert "Không thể ủy quyền ký cho người này" in c.secretary.last_text()
    assert len(await world.rows(SigningDelegation)) == 1
