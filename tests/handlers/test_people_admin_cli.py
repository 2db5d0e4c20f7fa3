"""`thidua admin add`: the first admin, created or linked, granted once, audited."""

from __future__ import annotations

import asyncio

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import main
from storage.db import make_engine, make_sessionmaker
from storage.models import AuditEntry, Person, PersonRole, Unit


@pytest.fixture
def db(sqlite_templates, monkeypatch):
    url = sqlite_templates.fresh()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    return url


def query(url: str, model, *where):
    async def go():
        engine = make_engine(url)
        try:
            async with make_sessionmaker(engine)() as s:
                return list((await s.scalars(select(model).where(*where))).all())
        finally:
            await engine.dispose()

    return asyncio.run(go())


def run(*args: str):
    return CliRunner().invoke(main, ["admin", "add", *args], catch_exceptions=False)


def add_roster_person(url: str, name: str, search: str) -> None:
    async def go():
        from datetime import UTC, datetime

        engine = make_engine(url)
        async with make_sessionmaker(engine)() as s:
            unit = Unit(code="TCHC", name="Phòng Tổ chức – Hành chính", kind="phong")
            s.add(unit)
            await s.flush()
            s.add(Person(full_name=name, name_search=search, unit_id=unit.id, created_at=datetime.now(UTC)))
            await s.commit()
        await engine.dispose()

    asyncio.run(go())


def test_admin_add_creates_the_first_admin_and_audits(db):
    result = run("123456789", "--name", "Nguyễn Văn An")
    assert result.exit_code == 0, result.output
    assert "Đã tạo người mới: Nguyễn Văn An." in result.output
    assert "Đã cấp quyền quản trị cho Nguyễn Văn An (Telegram 123456789)." in result.output
    [person] = query(db, Person)
    assert person.telegram_id == 123456789 and person.name_search == "nguyen van an" and person.joined_at
    assert [r.role for r in query(db, PersonRole)] == ["admin"]
    [entry] = query(db, AuditEntry)
    assert entry.action == "person.admin_added" and entry.actor_id is None and entry.before is None


def test_admin_add_twice_changes_nothing_the_second_time(db):
    run("123456789", "--name", "Nguyễn Văn An")
    result = run("123456789")
    assert "đã có vai trò Quản trị hệ thống; không có gì thay đổi" in result.output
    assert len(query(db, Person)) == 1 and len(query(db, PersonRole)) == 1 and len(query(db, AuditEntry)) == 1


def test_admin_add_links_a_roster_person_with_that_name(db):
    add_roster_person(db, "Trần Thị Lan", "tran thi lan")
    result = run("42", "--name", "tran thi lan", "--unit", "TCHC")
    assert result.exit_code == 0, result.output
    assert "Đã liên kết Telegram 42 với Trần Thị Lan" in result.output
    [person] = query(db, Person)
    assert person.telegram_id == 42 and person.full_name == "Trần Thị Lan" and person.joined_at is not None
    assert {r.role for r in query(db, PersonRole)} == {"admin"}


def test_admin_add_with_an_unknown_unit_changes_nothing(db):
    result = CliRunner().invoke(main, ["admin", "add", "42", "--name", "Lê Văn Cường", "--unit", "NOPE"])
    assert result.exit_code != 0
    assert "Không có đơn vị mã NOPE." in result.output
    assert query(db, Person) == [] and query(db, AuditEntry) == []


def test_admin_add_with_a_bad_telegram_id_changes_nothing(db):
    result = CliRunner().invoke(main, ["admin", "add", "0", "--name", "Lê Văn Cường"])
    assert result.exit_code != 0
    assert "TELEGRAM_ID phải là một số nguyên dương." in result.output
    assert query(db, Person) == []


@pytest.mark.parametrize(
    ("name", "says"),
    [("Admin 1", "không được chứa chữ số"), ("<b>Sếp</b>", "chỉ gồm chữ cái"), ("A", "quá ngắn")],
)
def test_admin_add_with_a_name_that_is_not_a_full_name_changes_nothing(db, name, says):
    result = CliRunner().invoke(main, ["admin", "add", "42", "--name", name])
    assert result.exit_code != 0
    assert says in result.output
    assert query(db, Person) == [] and query(db, AuditEntry) == []
