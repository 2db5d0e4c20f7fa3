"""The achievement report (issue 18): a minimum length and a preview (item 19); a nominee who joins later is
asked then and finds it in /status; a stale button points nobody outside their roles; /pending holds the
secretary's reports (heads' own, units with no head) and refuses staff; every copy of a review request is
edited once someone acts (item 29)."""

from __future__ import annotations

from sqlalchemy import update

from storage.models import OutboxMessage, Person
from storage.models.nomination import Nomination
from tests.handlers.test_nomination_authority import secretary_nominates
from tests.handlers.test_nomination_flow import REPORT, nominate, only, open_round, write_report


async def test_a_short_report_is_refused_and_the_report_is_previewed_before_it_is_sent(world):
    await open_round(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    await nominate(minh)
    await world.drain_outbox()
    await hoa.click("Viết báo cáo thành tích")
    await hoa.send("ok")
    assert "ít nhất 50 ký tự" in hoa.last_text() and await hoa.state() == "NomReportSG:text"
    await hoa.send(REPORT)
    assert "chưa gửi" in hoa.last_text() and REPORT.strip() in hoa.last_text()
    assert hoa.buttons() == ["Gửi báo cáo", "Viết lại", "Hủy"]
    assert (await only(world)).report_state == "missing"
    await hoa.click("Gửi báo cáo")
    assert "Đã nộp báo cáo thành tích" in hoa.last_text()
    assert (await only(world)).report_state == "submitted"


async def test_a_nominee_who_joins_later_is_asked_then_and_finds_the_report_in_status(world):
    await open_round(world)
    mai = await world.person("Ngô Thị Mai", unit="TCHC", linked=False)
    minh = await world.unit_head("Trần Văn Minh")
    await nominate(minh, "Mai")
    await world.drain_outbox()
    assert "Viết báo cáo thành tích" in minh.buttons()  # until Mai joins, her head writes it
    async with world.session() as s:  # Mai joins (as a personal invite links her)
        await s.execute(
            update(Person)
            .where(Person.id == mai.person_id)
            .values(telegram_id=mai.id, joined_at=world.clock.now())
        )
        await s.commit()
    await world.tick(minutes=1)
    assert "báo cáo thành tích" in mai.last_text() and mai.buttons() == ["Viết báo cáo thành tích"]
    [request] = [m for m in minh.messages() if "đề nghị khen thưởng số 1" in (m.text or "")]
    assert "tự viết báo cáo" in request.text and request.markup is None  # his request says Mai writes it
    await mai.send("/status")
    assert "Viết báo cáo thành tích" in mai.buttons()
    await write_report(mai)
    assert (await only(world)).report_state == "submitted"
    await world.tick(minutes=1)  # asked once
    asked = await world.rows(OutboxMessage, OutboxMessage.idempotency_key.like("nom-report:%"))
    assert [r.person_id for r in asked].count(mai.person_id) == 1


async def test_a_stale_report_button_never_points_the_nominee_to_a_command_outside_her_roles(world):
    await open_round(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    await nominate(minh)
    await world.drain_outbox()
    await write_report(hoa)
    await world.drain_outbox()
    await minh.click("Duyệt báo cáo")
    await hoa.press(f"nmi:{(await only(world)).id}:0:rep")
    assert "/nominations" not in hoa.alerts()[-1] and "/status" in hoa.alerts()[-1]


async def test_the_secretarys_pending_holds_heads_own_reports_and_those_of_units_with_no_head(world):
    await open_round(world)
    minh = await world.unit_head("Trần Văn Minh")
    binh = await world.staff("Lê Văn Bình", unit="KCNTT")  # KCNTT has no head
    hoa = await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Đỗ Thị Lan", unit="KHTC")
    await secretary_nominates(lan, "Minh")
    await secretary_nominates(lan, "Bình", unit="Phòng KCNTT")
    await nominate(minh)  # Hoa: her head reviews it
    await world.drain_outbox()
    for writer in (minh, binh, hoa):
        await write_report(writer)
    await lan.send("/pending")
    text = lan.last_text()
    assert "Báo cáo thành tích chờ duyệt</b>: 2" in text
    assert "Trần Văn Minh" in text and "Lê Văn Bình" in text and "Nguyễn Thị Hoa" not in text
    rows = {r.person_id: r.id for r in await world.rows(Nomination)}
    assert f"Báo cáo số {rows[minh.person_id]}: Trần Văn Minh" in lan.buttons()
    await hoa.send("/pending")
    assert "không thuộc quyền hạn" in hoa.last_text()


async def test_when_the_deputy_accepts_a_report_the_heads_copy_of_the_request_shows_it(world):
    await open_round(world)
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.unit_head("Trần Văn Minh")
    hang = await world.deputy("Vũ Thị Hằng")
    await nominate(minh)
    await world.drain_outbox()
    await write_report(hoa)
    await world.drain_outbox()
    assert "Duyệt báo cáo" in minh.buttons() and "Duyệt báo cáo" in hang.buttons()
    await hang.click("Duyệt báo cáo")
    await world.drain_outbox()
    [request] = [m for m in minh.messages() if "đã nộp báo cáo thành tích" in (m.text or "")]
    assert "đã duyệt" in request.text and "Vũ Thị Hằng" in request.text
    assert "Duyệt báo cáo" not in [b for b, _ in request.buttons()]


async def test_the_principal_nominated_is_addressed_by_the_title(world):
    await open_round(world)
    cuong = await world.principal("Lê Văn Cường")
    lan = await world.secretary("Đỗ Thị Lan", unit="KHTC")
    await secretary_nominates(lan, "Cường", unit="Phòng BGH")
    await world.drain_outbox()
    asked = cuong.last_text()
    assert asked.startswith("Kính gửi Hiệu trưởng Lê Văn Cường,") and "anh/chị" not in asked.lower()
    await write_report(cuong)
    await world.drain_outbox()
    await lan.click("Trả lại báo cáo")  # BGH has no head: the secretary reviews it
    await lan.send("Bổ sung số liệu đề tài")
    await world.drain_outbox()
    returned = cuong.last_text()
    assert returned.startswith("Kính gửi Hiệu trưởng Lê Văn Cường,") and "“Bổ sung số liệu" in returned
    assert "anh/chị" not in returned.lower() and cuong.buttons() == ["Viết báo cáo thành tích"]
