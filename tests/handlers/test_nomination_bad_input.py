"""Nominations: every bad input gets a clear message and changes nothing."""

from __future__ import annotations

from datetime import datetime

from bot.clock import VN_TZ
from storage.models import AuditEntry, Person
from storage.models.nomination import Nomination
from storage.models.plan import PlanCommendation
from tests.handlers.test_nomination_flow import SUMMARY, nominate, only, open_round

AFTER_DEADLINE = datetime(2025, 5, 31, 9, 0, tzinfo=VN_TZ)  # yearly-2024-2025 closed on 30/05/2025


async def nothing_stored(world) -> None:
    assert await world.rows(Nomination) == []
    assert [e for e in await world.rows(AuditEntry) if e.action.startswith("nomination.")] == []


async def start_to_title(head, name: str = "Hoa") -> None:
    await head.send("/nominate")
    await head.click("Một người của")
    await head.send(name)
    await head.click(name)


async def head_at_title(world):
    """The round open, Hoa on the roster, and her head at the choice of the title for her."""
    await open_round(world)
    await world.staff("Nguyễn Thị Hoa")
    minh = await world.unit_head("Trần Văn Minh")
    await start_to_title(minh)
    return minh


async def test_staff_member_cannot_nominate(world):
    await open_round(world)
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/nominate")
    assert "Đã gửi" not in hoa.last_text() and hoa.buttons() == []
    assert await hoa.state() is None
    await nothing_stored(world)


async def test_nominating_when_no_round_takes_nominations(world):
    await open_round(world, AFTER_DEADLINE)
    minh = await world.unit_head("Trần Văn Minh")
    await minh.send("/nominate")
    assert "không có đợt xét nào đang nhận đề nghị" in minh.last_text()
    assert await minh.state() is None
    await nothing_stored(world)


async def test_search_finds_nobody_outside_the_unit_and_a_forged_pick_is_refused(world):
    await open_round(world)
    await world.staff("Lê Văn Bình", unit="KCNTT")
    minh = await world.unit_head("Trần Văn Minh")
    await minh.send("/nominate")
    await minh.click("Một người của")
    await minh.send("Bình")
    assert "Không tìm thấy ai trong đơn vị" in minh.last_text()
    [binh] = await world.rows(Person, Person.full_name == "Lê Văn Bình")
    await minh.press(f"nmp:{binh.id}")
    assert "thuộc đơn vị mình phụ trách" in minh.alerts()[-1]
    assert await minh.state() == "NominateSG:name"
    await nothing_stored(world)


async def test_search_needs_three_letters(world):
    await open_round(world)
    minh = await world.unit_head("Trần Văn Minh")
    await minh.send("/nominate")
    await minh.click("Một người của")
    await minh.send("Ho")
    assert "ít nhất 3 chữ cái" in minh.last_text()
    assert await minh.state() == "NominateSG:name"


async def test_search_ignores_diacritics(world):
    await open_round(world)
    await world.staff("Nguyễn Thị Hoa")
    minh = await world.unit_head("Trần Văn Minh")
    await minh.send("/nominate")
    await minh.click("Một người của")
    await minh.send("nguyen thi hoa")
    assert minh.buttons() == ["Nguyễn Thị Hoa"]


async def test_the_same_nominee_for_the_same_title_twice_is_refused(world):
    await open_round(world)
    await world.staff("Nguyễn Thị Hoa")
    minh = await world.unit_head("Trần Văn Minh")
    await nominate(minh)
    await start_to_title(minh)
    await minh.click("Lao động tiên tiến")
    assert "đã được đề nghị danh hiệu/hình thức này" in minh.alerts()[-1]
    assert await minh.state() == "NominateSG:title"
    assert len(await world.rows(Nomination)) == 1


async def test_a_title_the_round_does_not_allow_is_not_listed_and_a_forged_one_refused(world):
    minh = await head_at_title(world)
    assert "Lao động tiên tiến" in minh.buttons()
    assert not any("Thủ tướng" in b for b in minh.buttons())  # not in the yearly round
    assert not any("Tập thể" in b for b in minh.buttons())  # collective titles: not for a person
    [pm] = await world.rows(PlanCommendation, PlanCommendation.code == "bang_khen_thu_tuong")
    await minh.press(f"nmt:{pm.id}")
    assert "không xét danh hiệu/hình thức khen thưởng đó" in minh.alerts()[-1]
    assert await minh.state() == "NominateSG:title"
    await nothing_stored(world)


async def test_summary_too_short_and_too_long(world):
    minh = await head_at_title(world)
    await minh.click("Lao động tiên tiến")
    await minh.send("Tốt.")
    assert "ít nhất 50 ký tự" in minh.last_text()
    await minh.send("x" * 3001)
    assert "tối đa 3000" in minh.last_text()
    assert await minh.state() == "NominateSG:summary"
    await nothing_stored(world)


async def test_dossier_too_large_or_of_the_wrong_type(world):
    minh = await head_at_title(world)
    await minh.click("Lao động tiên tiến")
    await minh.send(SUMMARY)
    await minh.send_document("hoso.pdf", "application/pdf", size=25 * 1024 * 1024)
    assert "tối đa 20 MB" in minh.last_text()
    await minh.send_document("hoso.exe", "application/x-msdownload", size=1000)
    assert "PDF, DOC, DOCX hoặc XLSX" in minh.last_text()
    assert await minh.state() == "NominateSG:file"
    await minh.send_document(
        "hoso.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    await minh.click("Gửi đề nghị")
    assert (await only(world)).file_name == "hoso.docx"


async def test_another_units_head_pressing_a_forged_button_changes_nothing(world):
    await open_round(world)
    await world.staff("Nguyễn Thị Hoa")
    minh = await world.unit_head("Trần Văn Minh")
    lan = await world.unit_head("Phạm Thị Lan", unit="KCNTT")
    await nominate(minh)
    row = await only(world)
    await lan.press(f"nmi:{row.id}:{row.version}:wd")
    assert "thuộc đơn vị mình phụ trách" in lan.alerts()[-1]
    await lan.press(f"nmi:{row.id}:0:card")
    assert "thuộc đơn vị mình phụ trách" in lan.alerts()[-1]
    assert (await only(world)).state == "submitted"


async def test_a_stale_withdraw_button_is_refused(world):
    await open_round(world)
    await world.staff("Nguyễn Thị Hoa")
    minh = await world.unit_head("Trần Văn Minh")
    await nominate(minh)
    row = await only(world)
    await minh.click("Rút đề nghị")
    assert (await only(world)).state == "withdrawn"
    await minh.press(f"nmi:{row.id}:{row.version}:wd")  # the button of the version before
    assert "Nút này đã cũ" in minh.alerts()[-1]
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "nomination.withdrawn")
    assert entry.before["state"] == "submitted"


async def test_the_same_send_update_twice_stores_one_nomination(world):
    minh = await head_at_title(world)
    await minh.click("Lao động tiên tiến")
    await minh.send(SUMMARY)
    await minh.click("Bỏ qua")
    sent, data = minh.find_button("Gửi đề nghị")
    update = minh.callback_update(data, sent)
    await world.feed(update)
    await world.feed(update)
    assert len(await world.rows(Nomination)) == 1
    assert len(await world.rows(AuditEntry, AuditEntry.action == "nomination.submitted")) == 1


async def test_after_the_deadline_the_nomination_is_locked_and_cannot_be_edited(world):
    await open_round(world)
    await world.staff("Nguyễn Thị Hoa")
    minh = await world.unit_head("Trần Văn Minh")
    await nominate(minh)
    row = await only(world)
    world.clock.set(AFTER_DEADLINE)
    await minh.press(f"nmi:{row.id}:{row.version}:edit")
    assert "hết hạn nhận đề nghị" in minh.alerts()[-1]
    await world.run_due()  # the due work locks it (a read or a press writes nothing)
    assert (await only(world)).state == "locked"
    assert await minh.state() is None
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "nomination.locked")
    assert entry.after == {"state": "locked"}
