"""`thidua org load`: units from YAML, idempotent, corrected in place, audited; bad files load nothing."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import FakeClock
from bot.context import Ctx
from bot.identity import IdentityCache
from bot.services.org import OrgFileInvalid, OrgService, read_org_file
from storage.db import make_engine, make_sessionmaker
from storage.models import AuditEntry, Unit
from storage.uow import UnitOfWork
from tests.conftest import make_settings

ORG_FILE = Path(__file__).resolve().parents[2] / "plans" / "org.yaml"


@asynccontextmanager
async def service(url: str):
    engine = make_engine(url)
    try:
        uow = UnitOfWork(make_sessionmaker(engine))
        async with uow:
            yield OrgService(Ctx(uow, FakeClock(), IdentityCache(), make_settings(url)))
    finally:
        await engine.dispose()


async def units(url: str) -> dict[str, Unit]:
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as s:
        rows = {u.code: u for u in (await s.scalars(select(Unit))).all()}
    await engine.dispose()
    return rows


async def audit(url: str, action: str) -> list[AuditEntry]:
    engine = make_engine(url)
    async with make_sessionmaker(engine)() as s:
        rows = list((await s.scalars(select(AuditEntry).where(AuditEntry.action == action))).all())
    await engine.dispose()
    return rows


def org(*entries: dict) -> dict:
    return {"units": list(entries)}


def unit(
    code: str, name: str = "", kind: str = "phong", parent: str | None = None, example: bool = False
) -> dict:
    return {"code": code, "name": name or f"Phòng {code}", "kind": kind, "parent": parent, "example": example}


async def test_the_shipped_org_file_loads_the_offices_the_plan_names(db_url):
    async with service(db_url) as s:
        result = await s.load(read_org_file(ORG_FILE))
    loaded = await units(db_url)
    assert len(result.created) == len(loaded) >= 10
    named = {code for code, u in loaded.items() if not u.is_example}
    assert {"TCHC", "KHTC", "DT"} <= named
    assert loaded["TCHC"].name == "Phòng Tổ chức – Hành chính" and loaded["TCHC"].kind == "phong"
    assert {u.kind for u in loaded.values()} == {"phong", "khoa", "trung_tam", "doan_the"}
    assert loaded["CDKCK"].parent_id == loaded["CD"].id


async def test_loading_twice_changes_nothing(db_url):
    async with service(db_url) as s:
        await s.load(read_org_file(ORG_FILE))
    async with service(db_url) as s:
        result = await s.load(read_org_file(ORG_FILE))
    assert result.created == [] and result.updated == [] and len(result.unchanged) == len(await units(db_url))
    assert len(await audit(db_url, "unit.created")) == len(result.unchanged)
    assert await audit(db_url, "unit.updated") == []


async def test_a_corrected_file_updates_in_place_and_is_audited(db_url):
    async with service(db_url) as s:
        await s.load(org(unit("TCHC", "Phong TCHC"), unit("KCK", "Khoa Co khi", kind="phong")))
    before = await units(db_url)
    async with service(db_url) as s:
        result = await s.load(
            org(unit("TCHC", "Phòng Tổ chức – Hành chính"), unit("KCK", "Khoa Cơ khí", "khoa"))
        )
    after = await units(db_url)
    assert result.updated == ["TCHC", "KCK"]
    assert (
        after["KCK"].id == before["KCK"].id
        and after["KCK"].kind == "khoa"
        and after["KCK"].name == "Khoa Cơ khí"
    )
    [entry, _] = await audit(db_url, "unit.updated")
    assert entry.before["name"] == "Phong TCHC" and entry.after["name"] == "Phòng Tổ chức – Hành chính"


async def test_a_parent_may_come_later_in_the_file(db_url):
    async with service(db_url) as s:
        await s.load(org(unit("CDKCK", kind="doan_the", parent="CD"), unit("CD", kind="doan_the")))
    loaded = await units(db_url)
    assert loaded["CDKCK"].parent_id == loaded["CD"].id


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({}, "people-org-no-units"),
        (org("TCHC"), "people-org-not-a-unit"),
        (org(unit("T CHC")), "people-org-bad-code"),
        (org(unit("TCHC"), unit("TCHC")), "people-org-duplicate-code"),
        (org(unit("TCHC", kind="ban")), "people-org-bad-kind"),
        (org({"code": "TCHC", "kind": "phong"}), "people-org-bad-name"),
        (org(unit("TCHC", parent="NOPE")), "people-org-unknown-parent"),
        (org(unit("A", parent="B"), unit("B", parent="A")), "people-org-cycle"),
        (org({**unit("TCHC"), "example": "yes"}), "people-org-bad-example"),
    ],
)
async def test_a_bad_file_is_refused_with_the_problem_and_loads_nothing(db_url, data, key):
    async with service(db_url) as s:
        with pytest.raises(OrgFileInvalid) as e:
            await s.load({"units": [unit("OK"), *data["units"]]} if data.get("units") else data)
    assert key in [k for _, k, _ in e.value.problems]
    assert await units(db_url) == {}
