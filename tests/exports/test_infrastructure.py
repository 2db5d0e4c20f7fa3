"""How files are made and sent (issue 21): the workbook helper, the registry, the committed job, the worker,
the upload limit, the retention and the audit."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import os
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.errors import NotAllowed
from bot.exports import registry, worker
from bot.exports.registry import ExportFilter, export_kind
from bot.exports.workbook import Column, Sheet, table, xlsx
from bot.roles import RULES, Role, Scope
from bot.services.exports import ExportService, UnknownKind
from storage.models import AuditEntry, OutboxMessage, Person, Unit
from storage.models.core import OutboxFile
from storage.models.exports import ExportJob
from tests.exports.helpers import acting, documents, workbook_of
from tests.exports.helpers import table as cells

COLUMNS = (
    Column("export-info-unit", width=12),
    Column("export-info-kind", width=30),
    Column("export-info-made", "date"),
    Column("export-info-rows", "money"),
)


def build_toy(rows, f, locale):
    return table("export-info-kind", COLUMNS, rows, f, locale)


async def toy_query(ctx, f):
    units = (
        await ctx.session.execute(
            select(Unit.code, Unit.name).where(*f.in_scope(Unit.id)).order_by(Unit.code)
        )
    ).all()
    return [(code, name, date(2026, 12, 7), 1_234_000) for code, name in units]


@pytest.fixture
def toy():
    export_kind(
        "toy",
        title="export-info-kind",
        roles={Role.SECRETARY: Scope.ALL, Role.UNIT_HEAD: Scope.OWN_UNIT},
        filters=("unit",),
        build=build_toy,
    )(toy_query)
    yield registry.kind("toy")
    registry.unregister("toy")


def on_disk(path: str) -> bool:
    return os.path.isfile(path)


def open_xlsx(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


# -- the workbook ---------------------------------------------------------------------------------------
def test_a_text_that_looks_like_a_formula_stays_a_string():
    rows = [('=HYPERLINK("http://x")', "+84 tên", date(2026, 1, 2), 5), ("-1", "@SUM(A1)", None, None)]
    wb = open_xlsx(xlsx([Sheet("export-info-kind", COLUMNS, rows)]))
    ws = wb.worksheets[0]
    for ref, text in (("A2", '=HYPERLINK("http://x")'), ("B2", "+84 tên"), ("A3", "-1"), ("B3", "@SUM(A1)")):
        assert ws[ref].value == text and ws[ref].data_type == "s", ref


def test_headers_are_vietnamese_bold_frozen_with_filters_and_widths():
    wb = open_xlsx(xlsx([Sheet("export-info-kind", COLUMNS, [("A", "B", date(2026, 1, 2), 1)])], locale="vi"))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == ["Đơn vị", "Danh sách", "Lập lúc", "Số dòng"]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:D2"
    assert round(ws.column_dimensions["A"].width) == 13 and round(ws.column_dimensions["B"].width) == 31
    assert ws.title == "Danh sách"


def test_dates_are_date_cells_and_money_integers_with_thousands():
    when = datetime(2026, 12, 7, 17, 30, tzinfo=UTC)  # 00:30 on 08/12 in Hà Nội
    cols = (*COLUMNS, Column("export-info-made", "when"))
    wb = open_xlsx(xlsx([Sheet("export-info-kind", cols, [("A", "B", date(2026, 1, 2), 1_234_000, when)])]))
    ws = wb.worksheets[0]
    assert ws["C2"].is_date and ws["C2"].value.date() == date(2026, 1, 2)
    assert ws["C2"].number_format == "DD/MM/YYYY"
    assert ws["D2"].value == 1_234_000 and isinstance(ws["D2"].value, int)
    assert ws["D2"].number_format == "#,##0"
    assert ws["E2"].value == datetime(2026, 12, 8, 0, 30) and ws["E2"].number_format == "DD/MM/YYYY HH:MM"


def test_an_empty_sheet_has_its_headers_and_a_note():
    ws = open_xlsx(xlsx([Sheet("export-info-kind", COLUMNS, [])])).worksheets[0]
    assert cells(ws) == [
        ["Đơn vị", "Danh sách", "Lập lúc", "Số dòng"],
        ["Không có dòng nào theo bộ lọc đã chọn.", None, None, None],
    ]


def test_the_information_sheet_names_the_filter_and_the_privacy_note():
    f = ExportFilter(
        year_code="2025-2026", units=frozenset({3}), made_at=datetime(2026, 12, 7, 1, tzinfo=UTC)
    )
    wb = open_xlsx(build_toy([], f, "vi"))
    info = dict((r[0], r[1]) for r in cells(wb["Thông tin"]))
    assert info["Năm học"] == "2025-2026" and info["Đợt"] == "Tất cả"
    assert info["Đơn vị"] == "Đơn vị của người xuất"
    assert info["Lập lúc"] == datetime(2026, 12, 7, 8, 0)
    assert "Không có ngày sinh" in info["Ghi chú"]


def test_control_characters_are_dropped_not_refused():
    ws = open_xlsx(xlsx([Sheet("export-info-kind", COLUMNS[:1], [("a\x01b\x1fc",)])])).worksheets[0]
    assert ws["A2"].value == "abc"


# -- the registry ---------------------------------------------------------------------------------------
def test_a_kind_declares_its_action_with_its_roles(toy):
    assert toy.action == "export.toy" and toy.extension == "xlsx"
    assert RULES["export.toy"] == {Role.SECRETARY: Scope.ALL, Role.UNIT_HEAD: Scope.OWN_UNIT}
    assert toy in registry.kinds()


def test_a_kind_with_an_unknown_filter_is_refused():
    with pytest.raises(ValueError, match="unknown filters"):
        export_kind("bad", title="x", roles={}, build=build_toy, filters=("month",))  # type: ignore[arg-type]


# -- the job, the worker ---------------------------------------------------------------------------------
async def test_the_file_is_built_after_the_commit_and_sent_through_the_outbox(world, toy):
    lan = await world.secretary("Lê Thị Lan")
    await world.unit("KCNTT", "Khoa Công nghệ thông tin", kind="khoa")
    async with acting(world, lan) as ctx:
        job = await ExportService(ctx).request("toy")
        assert job.state == "queued"
        await ctx.session.flush()
        assert worker._tasks == set()  # nothing runs inside the unit of work
    await worker.settle()
    await world.drain_outbox()
    [sent] = documents(lan)
    assert sent.file_name.startswith("toy-") and sent.file_name.endswith(".xlsx")
    assert "Danh sách: 2 dòng" in sent.text
    ws = workbook_of(lan).worksheets[0]
    assert [r[0] for r in cells(ws)[1:]] == ["KCNTT", "TCHC"]
    [row] = await world.rows(ExportJob)
    assert row.state == "sent" and row.rows == 2 and on_disk(row.path)
    [out] = await world.rows(OutboxMessage, OutboxMessage.kind == "export")
    assert out.outbox_file_id == row.outbox_file_id and out.status == "sent"


async def test_every_export_is_audited_with_who_which_kind_and_filter(world, toy):
    lan = await world.secretary("Lê Thị Lan")
    unit = await world.unit("KCNTT", "Khoa Công nghệ thông tin", kind="khoa")
    async with acting(world, lan) as ctx:
        await ExportService(ctx).request("toy", unit_id=unit.id)
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "export.requested")
    assert entry.actor_id == lan.person_id
    assert entry.after == {"kind": "toy", "round": None, "year": None, "unit": "KCNTT", "scope": None}


async def test_a_head_gets_the_own_units_rows_only(world, toy):
    await world.unit("KCNTT", "Khoa Công nghệ thông tin", kind="khoa")
    minh = await world.unit_head("Trần Văn Minh", unit="KCNTT")
    async with acting(world, minh) as ctx:
        await ExportService(ctx).request("toy")
    await worker.settle()
    await world.drain_outbox()
    ws = workbook_of(minh).worksheets[0]
    assert [r[0] for r in cells(ws)[1:]] == ["KCNTT"]


async def test_a_head_asking_for_another_unit_is_refused_and_nothing_is_written(world, toy):
    other = await world.unit("KCNTT", "Khoa Công nghệ thông tin", kind="khoa")
    minh = await world.unit_head("Trần Văn Minh", unit="TCHC")
    with pytest.raises(NotAllowed):
        async with acting(world, minh) as ctx:
            await ExportService(ctx).request("toy", unit_id=other.id)
    assert await world.rows(ExportJob) == []
    assert await world.rows(AuditEntry, AuditEntry.action == "export.requested") == []


async def test_staff_may_not_export_and_an_unknown_kind_is_named(world, toy):
    hoa = await world.staff("Nguyễn Thị Hoa")
    with pytest.raises(NotAllowed):
        async with acting(world, hoa) as ctx:
            await ExportService(ctx).request("toy")
    lan = await world.secretary("Lê Thị Lan")
    with pytest.raises(UnknownKind) as e:
        async with acting(world, lan) as ctx:
            await ExportService(ctx).request("nope")
    assert "“nope”" in e.value.text("vi") and "toy" in e.value.text("vi")
    assert await world.rows(ExportJob) == []


async def test_a_file_over_the_limit_is_refused_with_a_hint_to_narrow_the_filter(world, toy):
    world.settings.export_max_bytes = 1024
    lan = await world.secretary("Lê Thị Lan")
    async with acting(world, lan) as ctx:
        await ExportService(ctx).request("toy")
    await worker.settle()
    await world.drain_outbox()
    assert documents(lan) == []
    assert "quá giới hạn 0,0 MB" in lan.last_text()
    assert "thu hẹp bộ lọc" in lan.last_text()
    [job] = await world.rows(ExportJob)
    assert job.state == "too_big" and job.path is None and job.size > 1024


async def test_a_failing_build_tells_the_person_and_marks_the_job(world, toy, monkeypatch):
    def broken(rows, f, locale):
        raise RuntimeError("boom")

    monkeypatch.setitem(registry._KINDS, "toy", dataclasses.replace(toy, build=broken))
    lan = await world.secretary("Lê Thị Lan")
    async with acting(world, lan) as ctx:
        await ExportService(ctx).request("toy")
    await worker.settle()
    await world.drain_outbox()
    assert "Chưa lập được tệp" in lan.last_text()
    [job] = await world.rows(ExportJob)
    assert job.state == "failed" and "boom" in job.error


async def test_a_job_left_queued_is_built_by_the_due_work(world, toy):
    lan = await world.secretary("Lê Thị Lan")
    async with acting(world, lan) as ctx:
        await ExportService(ctx).request("toy")
        ctx.uow._after_commit.clear()  # the process stops before it starts the worker
    await world.run_due()
    await world.drain_outbox()
    assert len(documents(lan)) == 1
    await world.run_due()  # twice: built once
    await world.drain_outbox()
    assert len(documents(lan)) == 1


# -- retention -------------------------------------------------------------------------------------------
async def test_files_are_removed_with_their_outbox_copy_after_the_retention(world, toy):
    lan = await world.secretary("Lê Thị Lan")
    async with acting(world, lan) as ctx:
        await ExportService(ctx).request("toy")
    await worker.settle()
    await world.drain_outbox()
    [job] = await world.rows(ExportJob)
    world.clock.advance(days=6, hours=23)
    await world.run_due()
    assert on_disk(job.path)
    world.clock.advance(hours=2)
    await world.run_due()
    assert not on_disk(job.path)
    [stored] = await world.rows(OutboxFile, OutboxFile.id == job.outbox_file_id)
    assert stored.path is None and stored.data is None and stored.file_id is None
    [job] = await world.rows(ExportJob)
    assert job.removed_at is not None


async def test_a_file_a_waiting_outbox_row_uses_is_kept(world, toy):
    lan = await world.secretary("Lê Thị Lan")
    async with acting(world, lan) as ctx:
        await ExportService(ctx).request("toy")
    await worker.settle()
    [job] = await world.rows(ExportJob)  # queued to the outbox, not sent yet
    world.clock.advance(days=8)
    await world.run_due()
    assert on_disk(job.path)
    [job] = await world.rows(ExportJob)
    assert job.removed_at is None
    await world.drain_outbox()
    assert len(documents(lan)) == 1
    assert (await world.run_due())["exports"] == {"built": 0, "removed": None}  # looked for a moment ago
    assert on_disk(job.path)
    world.clock.advance(hours=1)  # the files past their retention are looked for once an hour
    assert (await world.run_due())["exports"] == {"built": 0, "removed": 1}
    assert not on_disk(job.path)


# -- settings -------------------------------------------------------------------------------------------
def test_more_than_50_mb_needs_a_local_bot_api_server():
    from pydantic import ValidationError

    from bot.config import Settings

    assert Settings(_env_file=None).export_max_bytes == 50 * 1024 * 1024  # type: ignore[call-arg]
    assert Settings(_env_file=None).export_retention_days == 7  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="TELEGRAM_API_URL"):
        Settings(_env_file=None, export_max_bytes=60 * 1024 * 1024)  # type: ignore[call-arg]
    local = Settings(
        _env_file=None, export_max_bytes=60 * 1024 * 1024, telegram_api_url="http://127.0.0.1:8081"
    )  # type: ignore[call-arg]
    assert local.export_max_bytes == 60 * 1024 * 1024


async def test_two_workers_on_one_job_build_it_once(world, toy):
    lan = await world.secretary("Lê Thị Lan")
    async with acting(world, lan) as ctx:
        job = await ExportService(ctx).request("toy")
        job_id = job.id
        ctx.uow._after_commit.clear()  # no worker from the commit: the two below race
    from bot.due import due_context

    due = due_context(world.dp)
    built = await asyncio.gather(worker.build_one(due, job_id), worker.build_one(due, job_id))
    assert sorted(built) == [0, 1]
    await world.drain_outbox()
    assert len(documents(lan)) == 1
    [row] = await world.rows(ExportJob)
    assert row.state == "sent" and row.attempts == 1


async def test_a_person_who_blocked_the_bot_meanwhile_gets_nothing_and_the_job_says_so(world, toy):
    lan = await world.secretary("Lê Thị Lan")
    async with acting(world, lan) as ctx:
        await ExportService(ctx).request("toy")
        person = await ctx.session.get(Person, lan.person_id)
        person.unreachable = True  # blocked before the worker ran
    await worker.settle()
    await world.drain_outbox()
    assert documents(lan) == []
    [job] = await world.rows(ExportJob)
    assert job.state == "unsent" and on_disk(job.path)
    assert await world.rows(OutboxMessage, OutboxMessage.kind == "export") == []


# -- the documents' needs (decision 42) -----------------------------------------------------------------
@pytest.fixture
def chart():
    def build_png(rows, f, locale):
        return b"\x89PNG\r\n\x1a\n" + f"{len(rows)} {f.locale}".encode()

    async def query(ctx, f):
        return [1, 2]

    export_kind("toy_chart", title="export-info-kind", roles={Role.SECRETARY: Scope.ALL}, build=build_png,
                mime=registry.PNG, listed=False, caption="documents-chart-caption")(query)  # fmt: skip
    yield registry.kind("toy_chart")
    registry.unregister("toy_chart")


async def test_a_png_kind_goes_as_a_photo_with_its_own_caption(world, chart):
    lan = await world.secretary("Lê Thị Lan")
    async with acting(world, lan) as ctx:
        await ExportService(ctx).request("toy_chart")
    await worker.settle()
    await world.drain_outbox()
    sent = lan.last()
    assert sent.kind == "photo" and sent.text == "Biểu đồ: Danh sách."
    assert world.api.uploads[sent.file_id] == b"\x89PNG\r\n\x1a\n2 vi"
    [job] = await world.rows(ExportJob)
    assert job.state == "sent" and job.file_name.endswith(".png")


async def test_a_kind_kept_out_of_the_menu_is_not_offered_nor_taken_from_it(world, chart, toy):
    lan = await world.secretary("Lê Thị Lan")
    async with acting(world, lan) as ctx:
        service = ExportService(ctx)
        assert toy in service.available() and chart not in service.available()
        with pytest.raises(UnknownKind):
            service.kind("toy_chart", menu=True)
        assert service.kind("toy_chart") is chart  # its own command asks for it


async def test_a_domain_error_while_building_is_told_in_its_words_and_the_worker_goes_on(
    world, toy, monkeypatch
):
    from bot.exports.word import TemplateProblem

    def broken(rows, f, locale):
        raise TemplateProblem("documents-template-unknown-name", template="to_trinh.docx", name="tong_so")

    monkeypatch.setitem(registry._KINDS, "toy", dataclasses.replace(toy, build=broken))
    lan = await world.secretary("Lê Thị Lan")
    async with acting(world, lan) as ctx:
        await ExportService(ctx).request("toy")
    await worker.settle()
    monkeypatch.setitem(registry._KINDS, "toy", toy)
    async with acting(world, lan) as ctx:
        await ExportService(ctx).request("toy", unit_id=(await world.unit("TCHC")).id)
    await worker.settle()
    await world.drain_outbox()
    told = [x for x in lan.texts() if "tong_so" in x]
    assert told == ["Mẫu “to_trinh.docx” dùng trường “tong_so” mà hệ thống không có. Anh/Chị sửa lại tên "
                    "trường trong mẫu rồi thử lại."]  # fmt: skip
    first, second = await world.rows(ExportJob)
    assert first.state == "failed" and first.error.startswith("documents-template-unknown-name")
    assert second.state == "sent" and len(documents(lan)) == 1


async def test_an_unknown_decision_is_named_and_a_decision_is_audited_by_its_number(world):
    import bot.exports.kinds  # noqa: F401  (the documents' kinds)
    from bot.services.exports import UnknownFilter

    lan = await world.secretary("Lê Thị Lan")
    with pytest.raises(UnknownFilter) as e:
        async with acting(world, lan) as ctx:
            await ExportService(ctx).request("giay_khen", decision_id=424242)
    assert e.value.text("vi") == "Không tìm thấy quyết định “424242”."
    assert await world.rows(ExportJob) == []
    f = ExportFilter(decision_id=7, decision_code="123/QĐ-CĐKTCN", blank="giay-khen")
    assert ExportFilter.from_json(f.as_json()) == f
    assert f.as_audit()["decision"] == "123/QĐ-CĐKTCN" and f.as_audit()["blank"] == "giay-khen"
    assert f.stem_suffix() == "-123-QD-CDKTCN"


async def test_a_file_is_not_built_for_someone_who_lost_the_right_before_the_worker_ran(world, toy):
    from storage.models import PersonRole

    lan = await world.secretary("Lê Thị Lan")
    async with acting(world, lan) as ctx:
        await ExportService(ctx).request("toy")
        ctx.uow._after_commit.clear()  # the worker runs later (the due work, after a restart)
    async with world.session() as s:  # handed over: no longer the secretary
        held = PersonRole.__table__.delete().where(PersonRole.person_id == lan.person_id)
        await s.execute(held.where(PersonRole.role == Role.SECRETARY.value))
        await s.commit()
    await world.run_due()
    await worker.settle()
    await world.drain_outbox()
    assert documents(lan) == []
    [job] = await world.rows(ExportJob)
    assert job.state == "failed" and job.path is None and job.error.startswith("error-not-allowed")
    assert "không có quyền" in lan.last_text()


async def test_a_head_moved_to_another_unit_is_not_sent_the_old_units_file(world, toy):
    from sqlalchemy import update as sql_update

    from storage.models import PersonRole

    khoa = await world.unit_head("Phạm Văn Khoa", unit="KCNTT")
    async with acting(world, khoa) as ctx:
        await ExportService(ctx).request("toy")
        ctx.uow._after_commit.clear()
    other = await world.unit("TCHC")
    async with world.session() as s:
        await s.execute(sql_update(PersonRole).where(PersonRole.person_id == khoa.person_id,
                                                     PersonRole.role == Role.UNIT_HEAD.value)
                        .values(unit_id=other.id))  # fmt: skip
        await s.commit()
    await world.run_due()
    await worker.settle()
    await world.drain_outbox()
    assert documents(khoa) == []
    [job] = await world.rows(ExportJob)
    assert job.state == "failed"


async def test_a_file_built_long_after_it_was_asked_waits_for_the_end_of_the_quiet_hours(world, toy):
    lan = await world.secretary("Lê Thị Lan")
    async with acting(world, lan) as ctx:  # 08:00
        await ExportService(ctx).request("toy")
        ctx.uow._after_commit.clear()  # the process stopped before building it
    world.clock.advance(hours=15)  # 23:00: built on the restart's catch-up
    await world.run_due()
    await world.drain_outbox(wait=False)
    assert documents(lan) == []  # she did not just ask: not in the night
    [row] = await world.rows(OutboxMessage, OutboxMessage.kind == "export")
    assert row.not_before.replace(tzinfo=UTC).astimezone(world.clock.tz).hour == 7
    await world.drain_outbox(advance=True)
    assert len(documents(lan)) == 1
