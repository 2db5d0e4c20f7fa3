"""Exports of what was decided (issue 21): decisions and their lists, commendations, proposals upward,
objections.

- `decisions`: a sheet of the decisions (number, date, signer, how signed, the round) and a sheet of their
  lists: each nomination listed or left out with the reason. A head's file lists the own unit's lines.
  Filters: round, year, unit.
- `commendations`: each commendation recorded (school, upward, imported): whom, the title, the school year,
  the decision's number and date, the money (đồng, #,##0; "tạm tính" marked), paid or not (a lower title of
  the same round), the state and a recovery. Filters: year, unit.
- `proposals`: the nominations proposed upward and where they stand, with the upper level's number and
  date. Filters: round, year, unit.
- `objections`: the objections to the list published for comment, with the objector's name: the
  secretary's only. Filters: round, year.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from bot.exports import common as c
from bot.exports.registry import ExportFilter, export_kind
from bot.exports.workbook import Column, Sheet, info_lines, table, xlsx
from bot.i18n import t
from storage.models import Commendation, Decision, DecisionItem, Nomination, Objection, Person, Proposal, Unit
from storage.models.plan import PlanCommendation, PlanRound, PlanSchoolYear

DECISION = Column("export-col-decision-no", width=18)
DECISION_DATE = Column("export-col-decision-date", "date", 12)
DECISIONS = (
    c.NO,
    DECISION,
    DECISION_DATE,
    c.ROUND,
    Column("export-col-signer", width=28),
    Column("export-col-signed-as", width=18),
    Column("export-col-listed", "int", 10),
)
DECISION_LISTS = (
    c.NO,
    DECISION,
    c.SUBJECT,
    c.NAME,
    c.UNIT_CODE,
    c.TITLE,
    Column("export-col-left-out", width=40),
)


def _rounds(query: Any, f: ExportFilter, column: Any) -> Any:
    if f.round_id is not None:
        query = query.where(column == f.round_id)
    if f.school_year_id is not None:
        query = query.where(PlanRound.school_year_id == f.school_year_id)
    return query


def build_decisions(rows: Sequence[Any], f: ExportFilter, locale: str) -> bytes:
    heads = [r[1:] for r in rows if r[0] == "decision"]
    items = [r[1:] for r in rows if r[0] == "item"]
    decisions = [
        (number, day, c.pick(rvi, ren, locale), signer, c.label("export-signed", how, locale), listed)
        for number, day, rvi, ren, signer, how, listed in heads
    ]
    lines = [
        (
            number,
            c.subject(person_id, locale),
            person or unit_name,
            unit_code,
            c.pick(tvi, ten, locale),
            t("export-left-out", locale=locale, reason=reason or "") if left_out else "",
        )
        for number, person_id, person, unit_code, unit_name, tvi, ten, left_out, reason in items
    ]
    sheets = [
        Sheet("export-kind-decisions", DECISIONS, c.numbered(decisions)),
        Sheet("export-sheet-decision-lists", DECISION_LISTS, c.numbered(lines)),
    ]
    return xlsx(sheets, locale=locale, info=info_lines("export-kind-decisions", f, len(lines), locale))


@export_kind(
    "decisions",
    title="export-kind-decisions",
    roles=c.SECRETARY_AND_HEADS,
    filters=("round", "year", "unit"),
    file_name="quyet-dinh-khen-thuong",
    build=build_decisions,
    order=60,
)
async def decisions(ctx: Any, f: ExportFilter) -> list[tuple[Any, ...]]:
    listed = (
        select(func.count())
        .where(DecisionItem.decision_id == Decision.id, DecisionItem.left_out.is_(False))
        .scalar_subquery()
    )
    heads = (
        select(
            Decision.number,
            Decision.decided_on,
            PlanRound.name_vi,
            PlanRound.name_en,
            Person.full_name,
            Decision.signed_as,
            listed,
        )
        .join(PlanRound, PlanRound.id == Decision.round_id)
        .join(Person, Person.id == Decision.signer_id)
        .order_by(Decision.decided_on, Decision.id)
    )
    nominee = aliased(Person)
    items = (
        select(
            Decision.number,
            Nomination.person_id,
            nominee.full_name,
            Unit.code,
            Unit.name,
            PlanCommendation.name_vi,
            PlanCommendation.name_en,
            DecisionItem.left_out,
            DecisionItem.reason,
        )
        .join(Decision, Decision.id == DecisionItem.decision_id)
        .join(PlanRound, PlanRound.id == Decision.round_id)
        .join(Nomination, Nomination.id == DecisionItem.nomination_id)
        .join(Unit, Unit.id == Nomination.unit_id)
        .join(PlanCommendation, PlanCommendation.id == Nomination.commendation_id)
        .outerjoin(nominee, nominee.id == Nomination.person_id)
        .where(*f.in_scope(Nomination.unit_id))
        .order_by(
            Decision.decided_on, Decision.id, DecisionItem.left_out, PlanCommendation.position, Unit.code
        )
    )
    s = ctx.session
    rows: list[tuple[Any, ...]] = [
        ("decision", *r) for r in await s.execute(_rounds(heads, f, Decision.round_id))
    ]
    rows += [("item", *r) for r in await s.execute(_rounds(items, f, Decision.round_id))]
    return rows


COMMENDATIONS = (
    c.NO,
    c.YEAR,
    c.SUBJECT,
    c.NAME,
    c.UNIT_CODE,
    c.TITLE,
    Column("export-col-level", width=12),
    DECISION,
    DECISION_DATE,
    Column("export-col-amount", "money", 14),
    Column("export-col-provisional", width=10),
    Column("export-col-paid", width=10),
    c.STATE,
    Column("export-col-recovery", width=14),
)


def build_commendations(rows: Sequence[Any], f: ExportFilter, locale: str) -> bytes:
    yes = t("export-yes", locale=locale)
    out = [
        (
            year,
            c.subject(person_id, locale),
            person or unit_name,
            unit_code,
            c.pick(tvi, ten, locale),
            c.label("export-level", level, locale),
            number,
            day,
            amount,
            yes if provisional else "",
            (yes if paid else t("export-no", locale=locale)) if amount is not None else "",
            c.label("export-commendation", state, locale),
            c.label("export-recovery", recovery, locale),
        )
        for (
            year,
            person_id,
            person,
            unit_code,
            unit_name,
            tvi,
            ten,
            level,
            number,
            day,
            amount,
            provisional,
            paid,
            state,
            recovery,
        ) in rows
    ]
    return table("export-kind-commendations", COMMENDATIONS, c.numbered(out), f, locale)


@export_kind(
    "commendations",
    title="export-kind-commendations",
    roles=c.SECRETARY_AND_HEADS,
    filters=("year", "unit"),
    file_name="khen-thuong",
    build=build_commendations,
    order=70,
)
async def commendations(ctx: Any, f: ExportFilter) -> list[tuple[Any, ...]]:
    owner_unit = func.coalesce(Commendation.unit_id, Nomination.unit_id, Person.unit_id)
    query = (
        select(
            Commendation.school_year,
            Commendation.person_id,
            Person.full_name,
            Unit.code,
            Unit.name,
            Commendation.name_vi,
            Commendation.name_en,
            Commendation.level,
            Commendation.decision_number,
            Commendation.decision_date,
            Commendation.amount,
            Commendation.amount_provisional,
            Commendation.paid,
            Commendation.state,
            Commendation.recovery,
        )
        .outerjoin(Person, Person.id == Commendation.person_id)
        .outerjoin(Nomination, Nomination.id == Commendation.nomination_id)
        .outerjoin(Unit, Unit.id == owner_unit)
        .where(*f.in_scope(owner_unit))
        .order_by(Commendation.decision_date, Commendation.decision_number, Commendation.id)
    )
    if f.school_year_id is not None:
        year = await ctx.session.scalar(
            select(PlanSchoolYear.code).where(PlanSchoolYear.id == f.school_year_id)
        )
        query = query.where(Commendation.school_year == year)
    return [tuple(r) for r in await ctx.session.execute(query)]


PROPOSALS = (
    c.NO,
    c.ROUND,
    c.SUBJECT,
    c.NAME,
    c.UNIT_CODE,
    c.TITLE,
    c.STATE,
    Column("export-col-upper-no", width=18),
    Column("export-col-upper-date", "date", 12),
    Column("export-col-updated-on", "when", 18),
)


def build_proposals(rows: Sequence[Any], f: ExportFilter, locale: str) -> bytes:
    out = [
        (
            c.pick(rvi, ren, locale),
            c.subject(person_id, locale),
            person or unit_name,
            unit_code,
            c.pick(tvi, ten, locale),
            c.label("export-proposal", state, locale),
            number,
            day,
            updated,
        )
        for rvi, ren, person_id, person, unit_code, unit_name, tvi, ten, state, number, day, updated in rows
    ]
    return table("export-kind-proposals", PROPOSALS, c.numbered(out), f, locale)


@export_kind(
    "proposals",
    title="export-kind-proposals",
    roles=c.SECRETARY_AND_HEADS,
    filters=("round", "year", "unit"),
    file_name="de-nghi-cap-tren",
    build=build_proposals,
    order=80,
)
async def proposals(ctx: Any, f: ExportFilter) -> list[tuple[Any, ...]]:
    query = (
        select(
            PlanRound.name_vi,
            PlanRound.name_en,
            Nomination.person_id,
            Person.full_name,
            Unit.code,
            Unit.name,
            PlanCommendation.name_vi,
            PlanCommendation.name_en,
            Proposal.state,
            Proposal.upper_number,
            Proposal.upper_date,
            Proposal.updated_at,
        )
        .join(Nomination, Nomination.id == Proposal.nomination_id)
        .join(PlanRound, PlanRound.id == Proposal.round_id)
        .join(Unit, Unit.id == Nomination.unit_id)
        .join(PlanCommendation, PlanCommendation.id == Nomination.commendation_id)
        .outerjoin(Person, Person.id == Nomination.person_id)
        .where(*f.in_scope(Nomination.unit_id))
        .order_by(PlanRound.voting_close_at, PlanCommendation.position, Unit.code, Proposal.id)
    )
    return [tuple(r) for r in await ctx.session.execute(_rounds(query, f, Proposal.round_id))]


OBJECTIONS = (
    c.NO,
    Column("export-col-raised-on", "when", 18),
    c.ROUND,
    c.NAME,
    c.UNIT_CODE,
    c.TITLE,
    Column("export-col-objector", width=28),
    Column("export-col-reason", width=60),
    c.STATE,
    Column("export-col-answer", width=50),
    Column("export-col-supplied", width=50),
)


def build_objections(rows: Sequence[Any], f: ExportFilter, locale: str) -> bytes:
    out = [
        (
            created,
            c.pick(rvi, ren, locale),
            person or unit_name,
            unit_code,
            c.pick(tvi, ten, locale),
            objector,
            reason,
            c.label("decisions-state", state, locale),
            answer,
            supplied,
        )
        for (
            created,
            rvi,
            ren,
            person,
            unit_code,
            unit_name,
            tvi,
            ten,
            objector,
            reason,
            state,
            answer,
            supplied,
        ) in rows
    ]
    return table("export-kind-objections", OBJECTIONS, c.numbered(out), f, locale)


@export_kind(
    "objections",
    title="export-kind-objections",
    roles=c.SECRETARY_ONLY,
    filters=("round", "year"),
    file_name="y-kien-cong-khai",
    build=build_objections,
    order=95,
)
async def objections(ctx: Any, f: ExportFilter) -> list[tuple[Any, ...]]:
    nominee, objector = aliased(Person), aliased(Person)
    query = (
        select(
            Objection.created_at,
            PlanRound.name_vi,
            PlanRound.name_en,
            nominee.full_name,
            Unit.code,
            Unit.name,
            PlanCommendation.name_vi,
            PlanCommendation.name_en,
            objector.full_name,
            Objection.reason,
            Objection.state,
            Objection.answer,
            Objection.supplied,
        )
        .join(Nomination, Nomination.id == Objection.nomination_id)
        .join(PlanRound, PlanRound.id == Objection.round_id)
        .join(Unit, Unit.id == Nomination.unit_id)
        .join(PlanCommendation, PlanCommendation.id == Nomination.commendation_id)
        .join(objector, objector.id == Objection.objector_id)
        .outerjoin(nominee, nominee.id == Nomination.person_id)
        .where(*f.in_scope(Nomination.unit_id))
        .order_by(Objection.created_at, Objection.id)
    )
    return [tuple(r) for r in await ctx.session.execute(_rounds(query, f, Objection.round_id))]
