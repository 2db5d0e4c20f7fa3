"""The criteria data of a school year: grades, discipline, initiatives, and which kinds were imported.
Reads and adds; never commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person
from storage.models.criteria import CriteriaImport, Discipline, Initiative, StaffGrade, UnitGrade


class CriteriaRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _insert(self, table: Any) -> Any:
        dialect = self.session.get_bind().dialect.name
        return (postgresql if dialect == "postgresql" else sqlite).insert(table)

    async def imported(self, school_year_id: int) -> set[str]:
        rows = await self.session.scalars(
            select(CriteriaImport.kind).where(CriteriaImport.school_year_id == school_year_id)
        )
        return set(rows.all())

    async def grades(self, school_year_id: int, person_ids: Iterable[int]) -> dict[int, str]:
        rows = await self.session.execute(
            select(StaffGrade.person_id, StaffGrade.rating).where(
                StaffGrade.school_year_id == school_year_id, StaffGrade.person_id.in_(list(person_ids))
            )
        )
        return {p: r for p, r in rows.all()}

    async def unit_grades(self, school_year_id: int, unit_ids: Iterable[int]) -> dict[int, str]:
        rows = await self.session.execute(
            select(UnitGrade.unit_id, UnitGrade.rating).where(
                UnitGrade.school_year_id == school_year_id, UnitGrade.unit_id.in_(list(unit_ids))
            )
        )
        return {u: r for u, r in rows.all()}

    async def discipline(self, school_year_id: int, person_ids: Iterable[int]) -> dict[int, list[str]]:
        rows = await self.session.execute(
            select(Discipline.person_id, Discipline.measure).where(
                Discipline.school_year_id == school_year_id, Discipline.person_id.in_(list(person_ids))
            )
        )
        out: dict[int, list[str]] = {}
        for person_id, measure in rows.all():
            out.setdefault(person_id, []).append(measure)
        return out

    async def initiatives(
        self, school_year_id: int, person_ids: Iterable[int]
    ) -> dict[int, list[tuple[str, str]]]:
        rows = await self.session.execute(
            select(Initiative.person_id, Initiative.kind, Initiative.scope).where(
                Initiative.school_year_id == school_year_id, Initiative.person_id.in_(list(person_ids))
            )
        )
        out: dict[int, list[tuple[str, str]]] = {}
        for person_id, kind, scope in rows.all():
            out.setdefault(person_id, []).append((kind, scope))
        return out

    async def staff_of(self, unit_ids: Iterable[int]) -> dict[int, list[int]]:
        """The active people of each unit (a collective's members)."""
        rows = await self.session.execute(
            select(Person.unit_id, Person.id)
            .where(Person.unit_id.in_(list(unit_ids)), Person.active.is_(True))
            .order_by(Person.id)
        )
        out: dict[int, list[int]] = {}
        for unit_id, person_id in rows.all():
            out.setdefault(unit_id, []).append(person_id)
        return out

    # -- importing ----------------------------------------------------------------------------------
    async def upsert(self, model: Any, keys: tuple[str, ...], values: dict[str, Any]) -> bool:
        """Insert a row, or update the one with the same `keys`; True when something changed."""
        where = [getattr(model, k) == values[k] for k in keys]
        row = await self.session.scalar(select(model).where(*where))
        if row is None:
            self.session.add(model(**values))
            return True
        changed = {k: v for k, v in values.items() if k != "imported_at" and getattr(row, k) != v}
        for k, v in {**changed, "imported_at": values["imported_at"]}.items():
            setattr(row, k, v)
        return bool(changed)

    async def mark(self, school_year_id: int, kind: str, rows: int, file_name: str, now: datetime) -> None:
        await self.upsert(
            CriteriaImport,
            ("school_year_id", "kind"),
            {
                "school_year_id": school_year_id,
                "kind": kind,
                "rows": rows,
                "file_name": file_name,
                "imported_at": now,
            },
        )


MODELS = {"grades": StaffGrade, "unit_grades": UnitGrade, "discipline": Discipline, "initiatives": Initiative}
