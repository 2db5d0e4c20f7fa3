"""Demo data for the offline console: the example org, a roster, and people in every role, already joined.

Idempotent: units are matched by code (an existing unit is left as it is), people by their HR id (DEMO-xx);
running it again adds nothing. The Telegram ids are fake (9000000xx): these people exist only in the console.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.roles import Role
from bot.text import search_key
from storage.models import AuditEntry, Person, PersonRole, Unit

ORG_FILE = Path(__file__).resolve().parents[2] / "plans" / "org.yaml"
FALLBACK_UNITS: list[dict[str, Any]] = [
    {"code": "TCHC", "name": "Phòng Tổ chức – Hành chính", "kind": "phong"},
    {"code": "KHTC", "name": "Phòng Kế hoạch – Tài chính", "kind": "phong"},
    {"code": "DT", "name": "Phòng Đào tạo", "kind": "phong"},
    {"code": "CD", "name": "Công đoàn trường", "kind": "doan_the"},
    {"code": "BGH", "name": "Ban Giám hiệu", "kind": "phong", "example": True},
    {"code": "KCNTT", "name": "Khoa Công nghệ thông tin", "kind": "khoa", "example": True},
]
FAKE_TID = 900_000_000
PLAN_FILES = [ORG_FILE.parent / "2021-2025.yaml", ORG_FILE.parent / "2026-2030.example.yaml"]


@dataclass(frozen=True)
class DemoPerson:
    n: int
    name: str
    unit: str
    roles: tuple[Role, ...]
    joined: bool = True
    position: str | None = None


PEOPLE = (
    DemoPerson(1, "Nguyễn Văn An", "TCHC", (Role.STAFF, Role.ADMIN), position="Chuyên viên CNTT"),
    DemoPerson(2, "Trần Thị Lan", "TCHC", (Role.STAFF, Role.SECRETARY), position="Trưởng phòng TC-HC"),
    DemoPerson(3, "Lê Văn Cường", "BGH", (Role.STAFF, Role.PRINCIPAL, Role.COUNCIL), position="Hiệu trưởng"),
    DemoPerson(4, "Phạm Thị Dung", "KCNTT", (Role.STAFF, Role.UNIT_HEAD), position="Trưởng khoa"),
    DemoPerson(5, "Hoàng Văn Em", "KCNTT", (Role.STAFF, Role.DEPUTY_HEAD), position="Phó trưởng khoa"),
    DemoPerson(6, "Nguyễn Thị Hoa", "KCNTT", (Role.STAFF,), position="Giảng viên"),
    DemoPerson(7, "Vũ Văn Hải", "DT", (Role.STAFF, Role.COUNCIL), position="Trưởng phòng Đào tạo"),
    DemoPerson(8, "Bùi Thị Hương", "CD", (Role.STAFF, Role.UNION), position="Chủ tịch Công đoàn"),
    DemoPerson(9, "Đặng Văn Khoa", "KHTC", (Role.STAFF, Role.FINANCE), position="Kế toán trưởng"),
    DemoPerson(10, "Ngô Thị Mai", "KCNTT", (Role.STAFF,), joined=False, position="Giảng viên"),
    DemoPerson(11, "Lý Văn Nam", "KCNTT", (Role.STAFF,), joined=False, position="Giảng viên"),
    DemoPerson(12, "Đỗ Thị Quyên", "TCHC", (Role.STAFF,), joined=False, position="Văn thư"),
)


def org_units(path: Path = ORG_FILE) -> list[dict[str, Any]]:
    """The units of plans/org.yaml; a few built-in ones when the file is missing or unreadable."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        units = [u for u in data["units"] if isinstance(u, dict) and u.get("code") and u.get("name")]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return FALLBACK_UNITS
    return units or FALLBACK_UNITS


async def _load(s: AsyncSession, clock: Clock) -> tuple[int, int]:
    units = {u.code: u for u in (await s.scalars(select(Unit))).all()}
    specs = org_units()
    new_units = 0
    for spec in specs:
        code = str(spec["code"])
        if code not in units:
            units[code] = Unit(
                code=code,
                name=str(spec["name"]),
                kind=str(spec.get("kind") or "phong"),
                is_example=bool(spec.get("example", False)),
            )
            s.add(units[code])
            new_units += 1
    await s.flush()
    for spec in specs:
        parent = spec.get("parent")
        unit = units[str(spec["code"])]
        if parent and parent in units and unit.parent_id is None:
            unit.parent_id = units[parent].id
    fallback = units.get("TCHC") or next(iter(units.values()))
    now, today = clock.now(), clock.today()
    known = set((await s.scalars(select(Person.hr_id).where(Person.hr_id.like("DEMO-%")))).all())
    new_people = 0
    for dp in PEOPLE:
        hr_id = f"DEMO-{dp.n:02d}"
        if hr_id in known:
            continue
        unit = units.get(dp.unit, fallback)
        tid = FAKE_TID + dp.n if dp.joined else None
        if tid is not None and await s.scalar(select(Person.id).where(Person.telegram_id == tid)):
            tid = None  # that fake id is taken already: leave this one unlinked
        person = Person(
            full_name=dp.name,
            name_search=search_key(dp.name),
            unit_id=unit.id,
            position=dp.position,
            hr_id=hr_id,
            telegram_id=tid,
            language="vi",
            source="roster",
            joined_at=now if tid else None,
            created_at=now,
        )
        for role in dp.roles:
            if role is Role.DEPUTY_HEAD:
                person.roles.append(
                    PersonRole(
                        role=role.value,
                        unit_id=unit.id,
                        valid_from=today,
                        valid_to=today + timedelta(days=30),
                    )
                )
            else:
                scoped = role in (Role.STAFF, Role.UNIT_HEAD)
                person.roles.append(PersonRole(role=role.value, unit_id=unit.id if scoped else None))
        s.add(person)
        new_people += 1
    if new_units or new_people:
        s.add(
            AuditEntry(
                at=now,
                actor_id=None,
                action="demo.load",
                object_type="demo",
                object_id=None,
                before=None,
                after={"units": new_units, "people": new_people},
            )
        )
    return new_units, new_people


async def load_demo(world_or_sessionmaker: Any, clock: Clock) -> tuple[int, int]:
    """Load the demo into the world's (or a sessionmaker's) database; returns (units, people) added."""
    sessionmaker: async_sessionmaker[AsyncSession] = getattr(
        world_or_sessionmaker, "sessionmaker", world_or_sessionmaker
    )
    async with sessionmaker() as s:
        added = await _load(s, clock)
        await s.commit()
    await _load_plans(sessionmaker, clock)
    return added


async def _load_plans(sessionmaker: async_sessionmaker[AsyncSession], clock: Clock) -> None:
    """The shipped plans (2021–2025 and the 2026–2030 example); reloading them changes nothing."""
    from bot.config import Settings
    from bot.context import Ctx
    from bot.identity import IdentityCache
    from bot.plan.loader import parse_plan
    from bot.services.plan import PlanService
    from storage.uow import UnitOfWork

    for path in PLAN_FILES:
        text = path.read_text(encoding="utf-8")
        async with UnitOfWork(sessionmaker) as uow:
            ctx = Ctx(uow, clock, IdentityCache(), Settings())
            await PlanService(ctx).load(parse_plan(text, str(path)), text, path, announce=False)
