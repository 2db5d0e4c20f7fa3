"""Who may read and act on a nomination, each by a forged press (issue 18, items 8 and 10).

A unit head never nominates himself, and the nomination about him (the secretary makes it) is hers: he does
not read its summary nor edit or withdraw it. Another unit's head reads nothing of a nomination. Nobody
reviews their own achievement report."""

from __future__ import annotations

from storage.models import AuditEntry, Person
from storage.models.nomination import Nomination
from tests.handlers.test_nomination_flow import SUMMARY, nominate, only, open_round, write_report


async def refused(who, data: str, words: str) -> None:
    """A forged press: `who` presses `data` and is told why not (an alert of its own, saying `words`)."""
    before = len(who.alerts())
    await who.press(data)
    assert len(who.alerts()) == before + 1 and words in who.alerts()[-1]


async def secretary_nominates(lan, name: str, unit: str = "Phòng TCHC") -> None:
    await lan.send("/nominate")
    await lan.click(f"Một người của “{unit}”")
    await lan.send(name)
    await lan.click(name)
    await lan.click("Lao động tiên tiến")
    await lan.send(SUMMARY)
    await lan.click("Bỏ qua")
    await lan.click("Gửi đề nghị")


async def test_a_unit_head_cannot_nominate_himself(world):
    await open_round(world)
    minh = await world.unit_head("Trần Văn Minh")
    await minh.send("/nominate")
    await minh.click("Một người của")
    await minh.send("Minh")
    assert "Trần Văn Minh" not in minh.buttons()  # not offered ...
    [me] = await world.rows(Person, Person.full_name == "Trần Văn Minh")
    await refused(minh, f"nmp:{me.id}", "tự đề nghị")  # ... and a forged pick is refused
    assert await minh.state() == "NominateSG:name"


async def test_the_head_nominated_by_the_secretary_cannot_read_edit_or_withdraw_it(world):
    await open_round(world)
    minh = await world.unit_head("Trần Văn Minh")
    await world.staff("Nguyễn Thị Hoa")
    lan = await world.secretary("Đỗ Thị Lan", unit="KHTC")
    await secretary_nominates(lan, "Minh")
    await nominate(minh)  # Hoa, whom he may nominate
    mine = next(r for r in await world.rows(Nomination) if r.person_id == minh.person_id)
    await minh.send("/nominations")
    assert "Đề nghị khen thưởng</b>: 1" in minh.last_text() and "Trần Văn Minh" not in minh.last_text()
    for op in ("card", "full"):
        await refused(minh, f"nmi:{mine.id}:0:{op}", "về chính anh/chị")
    assert not any("được đề nghị: Trần Văn Minh" in x for x in minh.texts())  # nor its summary
    await refused(minh, f"nmi:{mine.id}:{mine.version}:edit", "về chính anh/chị")
    assert await minh.state() is None
    await refused(minh, f"nmi:{mine.id}:{mine.version}:wd", "về chính anh/chị")
    assert [r.state for r in await world.rows(Nomination)] == ["submitted", "submitted"]
    assert await world.rows(AuditEntry, AuditEntry.action == "nomination.withdrawn") == []
    await lan.send("/nominations")  # the secretary reads it
    await lan.click("Trần Văn Minh")
    assert "chuyển đổi số" in lan.last_text() and "Rút đề nghị" in lan.buttons()


async def test_another_units_head_reads_neither_the_card_the_full_texts_nor_the_report(world):
    await open_round(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    minh = await world.unit_head("Trần Văn Minh")
    binh = await world.unit_head("Phạm Văn Bình", unit="KCNTT")
    await nominate(minh)
    await world.drain_outbox()
    await write_report(hoa)
    row = await only(world)
    for op in ("card", "full", "rpt"):
        await refused(binh, f"nmi:{row.id}:0:{op}", "thuộc đơn vị mình phụ trách")
    assert binh.texts() == []


async def test_a_head_nominee_cannot_review_his_own_report(world):
    await open_round(world)
    minh = await world.unit_head("Trần Văn Minh")
    hang = await world.deputy("Vũ Thị Hằng")  # acting for him: still not hers to review
    lan = await world.secretary("Đỗ Thị Lan", unit="KHTC")
    await secretary_nominates(lan, "Minh")
    await world.drain_outbox()
    await write_report(minh)
    row = await only(world)
    for head in (minh, hang):
        await refused(head, f"nmi:{row.id}:{row.version}:ok", "duyệt báo cáo")
    assert (await only(world)).report_state == "submitted"
    await world.drain_outbox()
    assert "Duyệt báo cáo" in lan.buttons()  # the secretary reviews it
    await lan.click("Duyệt báo cáo")
    assert (await only(world)).report_state == "accepted"


async def test_a_secretary_nominee_cannot_review_her_own_report(world):
    await open_round(world)
    lan = await world.secretary("Đỗ Thị Lan")  # TCHC, whose head reviews her report
    tuan = await world.secretary("Vũ Văn Tuấn", unit="KHTC")
    await world.unit_head("Trần Văn Minh")
    await secretary_nominates(tuan, "Lan")
    await world.drain_outbox()
    await write_report(lan)
    row = await only(world)
    await refused(lan, f"nmi:{row.id}:{row.version}:ok", "duyệt báo cáo")
    assert (await only(world)).report_state == "submitted"
