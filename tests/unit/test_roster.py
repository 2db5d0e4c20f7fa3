"""The roster importer and the full-name rule."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.clock import FakeClock
from bot.context import Ctx
from bot.identity import IdentityCache
from bot.services.roster import (
    NameInvalid,
    RosterFileInvalid,
    RosterHasBadRows,
    RosterService,
    clean_full_name,
    read_roster_file,
    rows_from_table,
)
from storage.db import make_engine, make_sessionmaker
from storage.models import AuditEntry, Person, PersonRole, Unit
from storage.uow import UnitOfWork
from tests.conftest import make_settings

SAMPLE = Path(__file__).resolve().parents[2] / "plans" / "roster.sample.csv"
HEADER = ["Mã nhân sự", "Họ và tên", "Mã đơn vị", "Chức vụ", "Ngày sinh", "Email", "Điện thoại"]


# -- the name rule ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nguyễn Thị Hoa", "Nguyễn Thị Hoa"),
        ("  trần   văn  minh ", "trần văn minh"),
        ("Nguye\u0302\u0303n Thi\u0323 Hoa", "Nguyễn Thị Hoa"),
        ("Y-Moan Ksor H'Hen", "Y-Moan Ksor H'Hen"),
        ("Lê", "Lê"),
    ],
)
def test_good_names_are_normalised(text, expected):
    assert clean_full_name(text) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("A", "join-name-too-short"),
        ("", "join-name-letters"),
        ("a" * 101, "join-name-too-long"),
        ("Nguyễn Văn 2", "join-name-digits"),
        ("Nguyễn Văn ２", "join-name-digits"),
        ("🙂🙂", "join-name-letters"),
        ("Hoa 🌸", "join-name-letters"),
        ("Hoa <b>", "join-name-letters"),
        ("- '", "join-name-letters"),
    ],
)
def test_bad_names_say_why(text, key):
    with pytest.raises(NameInvalid) as e:
        clean_full_name(text)
    assert e.value.key == key


@given(st.text(max_size=120))
def test_a_cleaned_name_is_always_nfc_letters_of_the_right_length(text):
    import unicodedata

    try:
        name = clean_full_name(text)
    except NameInvalid:
        return
    assert 2 <= len(name) <= 100 and unicodedata.is_normalized("NFC", name)
    assert not any(c.isdigit() for c in name) and name == " ".join(name.split())


# -- reading files --------------------------------------------------------------------------------------
def test_headers_in_vietnamese_or_english_are_understood():
    rows = rows_from_table(
        [
            ["STT", "Full name", "UNIT", "date of birth", "HR id"],
            [1, "Nguyễn Thị Hoa", "TCHC", "05/11/1988", 7.0],
        ]
    )
    assert rows == [
        {
            "row": 2,
            "full_name": "Nguyễn Thị Hoa",
            "unit": "TCHC",
            "position": None,
            "birth_date": "05/11/1988",
            "email": None,
            "phone": None,
            "hr_id": "7",
        }
    ]


def test_a_file_without_the_name_or_unit_column_is_refused():
    with pytest.raises(RosterFileInvalid) as e:
        rows_from_table([["Họ và tên", "Chức vụ"], ["Nguyễn Thị Hoa", "Chuyên viên"]])
    assert e.value.key == "people-import-missing-columns" and e.value.params["columns"] == "unit"


def test_the_sample_roster_reads(tmp_path):
    rows = read_roster_file(SAMPLE)
    assert len(rows) >= 10 and rows[0]["row"] == 2 and rows[0]["hr_id"] == "NS001"


def test_semicolon_csv_and_blank_lines(tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("Họ và tên;Mã đơn vị\nNguyễn Thị Hoa;TCHC\n;\nVõ Thị Mai;KHTC\n", encoding="utf-8")
    assert [(r["row"], r["full_name"]) for r in read_roster_file(f)] == [
        (2, "Nguyễn Thị Hoa"),
        (4, "Võ Thị Mai"),
    ]


def test_xlsx_with_date_cells(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(HEADER)
    wb.active.append(["NS1", "Nguyễn Thị Hoa", "TCHC", "Chuyên viên", datetime(1988, 11, 5), None, 905000002])
    f = tmp_path / "r.xlsx"
    wb.save(f)
    [row] = read_roster_file(f)
    assert (
        row["birth_date"] == datetime(1988, 11, 5) and row["phone"] == "905000002" and row["hr_id"] == "NS1"
    )


def test_other_file_types_are_refused(tmp_path):
    f = tmp_path / "r.txt"
    f.write_text("x")
    with pytest.raises(RosterFileInvalid):
        read_roster_file(f)


# -- importing --------------------------------------------------------------------------------------------
@asynccontextmanager
async def roster(url: str):
    engine = make_engine(url)
    try:
        uow = UnitOfWork(make_sessionmaker(engine))
        async with uow:
            yield RosterService(Ctx(uow, FakeClock(), IdentityCache(), make_settings(url)))
    finally:
        await engine.dispose()


async def query(url: str, model, *where):
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as s:
        rows = list((await s.scalars(select(model).where(*where).order_by(model.id))).all())
    await engine.dispose()
    return rows


async def seed_units(url: str, *codes: str) -> None:
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as s:
        s.add_all(Unit(code=c, name=f"Phòng {c}", kind="phong") for c in codes)
        await s.commit()
    await engine.dispose()


def table(*rows: list) -> list[dict]:
    return rows_from_table([HEADER, *rows])


async def test_import_creates_people_who_have_not_joined(db_url):
    await seed_units(db_url, "TCHC", "KHTC")
    async with roster(db_url) as r:
        result = await r.import_rows(
            table(
                ["NS1", "Nguyễn Thị Hoa", "TCHC", "Chuyên viên", "05/11/1988", "hoa@example.edu.vn", "0905"],
                ["", "Võ Thị Mai", "KHTC", "", "", "", ""],
            )
        )
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    hoa, mai = await query(db_url, Person)
    assert (
        hoa.telegram_id is None
        and hoa.birth_date == date(1988, 11, 5)
        and hoa.name_search == "nguyen thi hoa"
    )
    assert hoa.source == "roster" and hoa.confirmed and hoa.hr_id == "NS1" and mai.hr_id is None
    assert len(await query(db_url, AuditEntry, AuditEntry.action == "person.imported")) == 2
    assert len(await query(db_url, AuditEntry, AuditEntry.action == "roster.imported")) == 1


async def test_importing_again_updates_and_never_duplicates(db_url):
    await seed_units(db_url, "TCHC", "KHTC")
    first = table(
        ["NS1", "Nguyễn Thị Hoa", "TCHC", "Chuyên viên", "05/11/1988", "", ""],
        ["", "Võ Thị Mai", "KHTC", "Kế toán", "14/09/1990", "", ""],
    )
    second = table(
        ["NS1", "Nguyễn Thị Hoa", "KHTC", "Phó phòng", "05/11/1988", "", ""],
        ["", "VÕ THỊ MAI", "KHTC", "Kế toán trưởng", "14/09/1990", "", ""],
    )
    async with roster(db_url) as r:
        await r.import_rows(first)
    async with roster(db_url) as r:
        again = await r.import_rows(first)
    async with roster(db_url) as r:
        changed = await r.import_rows(second)
    assert (again.created, again.unchanged) == (0, 2)
    assert (changed.created, changed.updated) == (0, 2)
    hoa, mai = await query(db_url, Person)
    [khtc] = await query(db_url, Unit, Unit.code == "KHTC")
    assert hoa.unit_id == khtc.id and hoa.position == "Phó phòng"
    assert mai.full_name == "VÕ THỊ MAI" and mai.position == "Kế toán trưởng"
    [entry, _] = await query(db_url, AuditEntry, AuditEntry.action == "person.updated")
    assert entry.before["position"] == "*" and entry.after["position"] == "*"  # which field, not its value


async def test_moving_a_joined_person_moves_their_staff_role(db_url):
    await seed_units(db_url, "TCHC", "KHTC")
    async with roster(db_url) as r:
        await r.import_rows(table(["NS1", "Nguyễn Thị Hoa", "TCHC", "", "", "", ""]))
    [tchc, khtc] = await query(db_url, Unit)
    engine = make_engine(db_url)
    async with make_sessionmaker(engine)() as s:
        p = (await s.scalars(select(Person))).one()
        p.telegram_id = 555
        p.roles.append(PersonRole(role="staff", unit_id=tchc.id))
        await s.commit()
    await engine.dispose()
    async with roster(db_url) as r:
        await r.import_rows(table(["NS1", "Nguyễn Thị Hoa", "KHTC", "", "", "", ""]))
    [role] = await query(db_url, PersonRole)
    assert role.unit_id == khtc.id


async def test_a_person_added_by_invite_is_matched_and_confirmed_by_the_hr_list(db_url):
    await seed_units(db_url, "TCHC")
    [tchc] = await query(db_url, Unit)
    engine = make_engine(db_url)
    async with make_sessionmaker(engine)() as s:
        s.add(
            Person(
                full_name="Đặng Minh Tuấn",
                name_search="dang minh tuan",
                unit_id=tchc.id,
                telegram_id=9,
                source="invite",
                confirmed=False,
                created_at=FakeClock().now(),
            )
        )
        await s.commit()
    await engine.dispose()
    async with roster(db_url) as r:
        result = await r.import_rows(table(["NS9", "Đặng Minh Tuấn", "TCHC", "", "30/04/1980", "", ""]))
    assert (result.created, result.updated) == (0, 1)
    [p] = await query(db_url, Person)
    assert p.confirmed and p.hr_id == "NS9" and p.birth_date == date(1980, 4, 30) and p.telegram_id == 9


BAD_ROWS = [
    (["", "Nguyễn Thị Hoa", "XYZ", "", "", "", ""], "people-row-unknown-unit"),
    (["", "", "TCHC", "Chuyên viên", "", "", ""], "people-row-empty-name"),
    (["", "Nguyễn Văn 3", "TCHC", "", "", "", ""], "people-row-bad-name"),
    (["", "Lê Văn Tám", "TCHC", "", "31/02/1990", "", ""], "people-row-bad-date"),
    (["", "Lê Văn Tám", "TCHC", "", "1990-02-30", "", ""], "people-row-bad-date"),  # ISO, but no such day
    (["", "Lê Văn Tám", "TCHC", "", "01/01/2999", "", ""], "people-row-bad-date"),
    (["", "Lê Văn Tám", "TCHC", "", "", "not-an-email", ""], "people-row-bad-email"),
]


@pytest.mark.parametrize(("bad", "key"), BAD_ROWS)
async def test_a_bad_row_is_reported_by_number_and_nothing_is_imported(db_url, bad, key):
    await seed_units(db_url, "TCHC")
    async with roster(db_url) as r:
        with pytest.raises(RosterHasBadRows) as e:
            await r.import_rows(table(["", "Võ Thị Mai", "TCHC", "", "", "", ""], bad))
    assert [(p.row, p.key) for p in e.value.problems] == [(3, key)]
    assert await query(db_url, Person) == []
    assert await query(db_url, AuditEntry) == []


async def test_a_duplicate_key_within_the_file_is_a_bad_row(db_url):
    await seed_units(db_url, "TCHC")
    async with roster(db_url) as r:
        with pytest.raises(RosterHasBadRows) as e:
            await r.import_rows(
                table(
                    ["NS1", "Nguyễn Thị Hoa", "TCHC", "", "", "", ""],
                    ["", "Võ Thị Mai", "TCHC", "", "14/09/1990", "", ""],
                    ["NS1", "Nguyễn Thị Hòa", "TCHC", "", "", "", ""],
                    ["", "Vo Thi Mai", "TCHC", "", "14/09/1990", "", ""],
                )
            )
    assert [(p.row, p.key, p.params) for p in e.value.problems] == [
        (4, "people-row-duplicate", {"first": 2}),
        (5, "people-row-duplicate", {"first": 3}),
    ]
    assert await query(db_url, Person) == []


async def test_skip_bad_imports_the_good_rows_and_reports_the_bad(db_url):
    await seed_units(db_url, "TCHC")
    async with roster(db_url) as r:
        result = await r.import_rows(
            table(["", "Võ Thị Mai", "TCHC", "", "", "", ""], ["", "Nguyễn Thị Hoa", "XYZ", "", "", "", ""]),
            skip_bad=True,
        )
    assert result.created == 1 and [(p.row, p.key) for p in result.skipped] == [
        (3, "people-row-unknown-unit")
    ]
    assert [p.full_name for p in await query(db_url, Person)] == ["Võ Thị Mai"]
