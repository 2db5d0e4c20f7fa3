"""The year's lists leave the bot as files (issue 21).

At the end of a school year the secretary exports the registrations of the whole college, then the
commendations with their money; the head of KCNTT exports the unit's nominations and gets only the unit's
rows; the head's forged press for TCHC is refused. A limit set too low refuses the secretary's next file with
a hint, and narrowing to one unit still does not fit, which the bot says again. A week later the files are
gone from the server, and the audit shows who took which list with which filter.
"""

from __future__ import annotations

import os

from bot.exports import worker
from handlers.exports import ExportCb
from storage.models import AuditEntry
from storage.models.exports import ExportJob
from tests.exports.helpers import documents, workbook_of
from tests.exports.helpers import table as cells
from tests.exports.seed import college_year


def on_disk(path: str) -> bool:
    return os.path.isfile(path)


async def delivered(world) -> None:
    await worker.settle()
    await world.drain_outbox()


async def test_the_years_lists_leave_the_bot_as_files(world):
    year = await college_year(world)
    lan, minh = year.lan, year.minh

    # the secretary: every unit's registrations, then the commendations with their money
    await lan.send("/export")
    await lan.click("Đăng ký thi đua")
    await lan.click("Tất cả các năm học")
    await lan.click("Tất cả đơn vị")
    assert "Đang chuẩn bị tệp…" in lan.last_text()
    await delivered(world)
    registrations = workbook_of(lan).worksheets[0]
    assert {r[4] for r in cells(registrations)[1:]} == {"KCNTT", "TCHC"}
    await lan.send("/export")
    await lan.click("Khen thưởng đã quyết định")
    await lan.click(year.year.code)
    await lan.click("Tất cả đơn vị")
    await delivered(world)
    money = workbook_of(lan).worksheets[0]
    amounts = [c for c in money[1] if c.value == "Tiền thưởng (đồng)"]
    assert amounts and money.cell(row=2, column=amounts[0].column).number_format == "#,##0"

    # the head of KCNTT: the unit's nominations only, never asked for a unit
    await minh.send("/export")
    await minh.click("Đề nghị khen thưởng")
    await minh.click(year.round.name_vi)
    await delivered(world)
    nominations = workbook_of(minh).worksheets[0]
    assert {r[4] for r in cells(nominations)[1:]} == {"KCNTT"}
    assert "Phạm Văn Bình" not in str(cells(nominations))

    # a forged press for TCHC's nominations: refused, nothing queued
    jobs = len(await world.rows(ExportJob))
    await minh.press(ExportCb(s="r", k="nominations", r=year.round.id, u=year.tchc.id).pack())
    assert "không có quyền" in minh.alerts()[-1]
    assert len(await world.rows(ExportJob)) == jobs

    # a limit too low: the file is refused with a hint, and again for one unit
    world.settings.export_max_bytes = 2048
    await lan.send("/export")
    await lan.click("Đăng ký thi đua")
    await lan.click("Tất cả các năm học")
    await lan.click("Tất cả đơn vị")
    await delivered(world)
    assert "thu hẹp bộ lọc" in lan.last_text()
    await lan.send("/export")
    await lan.click("Đăng ký thi đua")
    await lan.click(year.year.code)
    await lan.click(year.tchc.name, exact=True)
    await delivered(world)
    assert "thu hẹp bộ lọc" in lan.last_text()
    assert len(documents(lan)) == 2

    # a week later the built files are gone
    sent = [j for j in await world.rows(ExportJob) if j.state == "sent"]
    assert len(sent) == 3 and all(on_disk(j.path) for j in sent)
    await world.tick(days=8)
    assert not any(on_disk(j.path) for j in sent)

    # who took which list with which filter
    taken = [(e.actor_id, e.after["kind"], e.after["unit"]) for e in await world.rows(
        AuditEntry, AuditEntry.action == "export.requested")]  # fmt: skip
    assert taken == [
        (lan.person_id, "registrations", None),
        (lan.person_id, "commendations", None),
        (minh.person_id, "nominations", None),
        (lan.person_id, "registrations", None),
        (lan.person_id, "registrations", "TCHC"),
    ]
