"""The data the criteria checks read (issue 19), imported per school year by the secretary from .xlsx.

- `StaffGrade`: a person's evaluation (xếp loại) of the school year; `UnitGrade`: a unit's (collective).
  One per (school year, person | unit); ratings are `bot.plan.schema.TASK_RATINGS`.
- `Discipline`: a disciplinary measure (kỷ luật) of the year (`bot.plan.schema.DISCIPLINE_MEASURES`).
- `Initiative`: a recognised initiative (sáng kiến) or an accepted research project (đề tài), at a scope.
- `CriteriaImport`: that a kind of data was imported for a year, so a missing row can mean "none" (no
  discipline, no initiative) rather than "chưa có dữ liệu" (nothing imported yet).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import Base, BigId

IMPORT_KINDS = ("grades", "unit_grades", "discipline", "initiatives")


class StaffGrade(Base):
    __tablename__ = "staff_grade"
    __table_args__ = (UniqueConstraint("school_year_id", "person_id", name="uq_staff_grade_school_year_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("plan_school_year.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    rating: Mapped[str] = mapped_column(String(24))
    imported_at: Mapped[datetime]


class UnitGrade(Base):
    __tablename__ = "unit_grade"
    __table_args__ = (UniqueConstraint("school_year_id", "unit_id", name="uq_unit_grade_school_year_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("plan_school_year.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    rating: Mapped[str] = mapped_column(String(24))
    imported_at: Mapped[datetime]


class Discipline(Base):
    __tablename__ = "discipline"
    __table_args__ = (
        UniqueConstraint("school_year_id", "person_id", "measure", name="uq_discipline_school_year_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("plan_school_year.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    measure: Mapped[str] = mapped_column(String(20))
    decided_on: Mapped[date | None] = mapped_column(Date)
    imported_at: Mapped[datetime]


class Initiative(Base):
    __tablename__ = "initiative"
    __table_args__ = (
        UniqueConstraint(
            "school_year_id", "person_id", "kind", "title_key", name="uq_initiative_school_year_id"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("plan_school_year.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # sang_kien | de_tai
    scope: Mapped[str] = mapped_column(String(10))  # co_so | tinh | toan_quoc
    title: Mapped[str] = mapped_column(Text)
    title_key: Mapped[str] = mapped_column(String(200))  # the title as searched: a re-import finds it
    recognised_by: Mapped[str | None] = mapped_column(String(200))  # the decision that recognised it
    imported_at: Mapped[datetime]


class CriteriaImport(Base):
    __tablename__ = "criteria_import"
    __table_args__ = (UniqueConstraint("school_year_id", "kind", name="uq_criteria_import_school_year_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("plan_school_year.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # grades | unit_grades | discipline | initiatives
    rows: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str | None] = mapped_column(String(255))
    imported_at: Mapped[datetime]
