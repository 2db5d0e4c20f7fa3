"""Exports of nominations and of the council's results (issue 21).

- `nominations`: each nomination of the round (or the school year), whom, the unit, the title, the summary,
  its state and its report's state. Filters: round, year, unit.
- `council_results`: the council's tallied results, counts only (members, ballots, agree, disagree, the
  share, the outcome, the rank) and the vote's warnings, "the count shows how each member voted" first
  (bot/services/voting/tally.py: `reveals_every_vote`). No ballot is read: after the tally none links a
  member to a choice. The secretary's only (per-unit results included). Filters: round, year.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from sqlalchemy import select

from bot.exports import common as c
from bot.exports.registry import ExportFilter, export_kind
from bot.exports.workbook import Column, table
from bot.i18n import t
from storage.models import Nomination, Person, Unit, VotingDossier, VotingResult, VotingRound
from storage.models.plan import PlanCommendation, PlanRound

NOMINATIONS = (
    c.NO,
    c.ROUND,
    c.SUBJECT,
    c.NAME,
    c.UNIT_CODE,
    c.TITLE,
    Column("export-col-summary", width=60),
    c.STATE,
    Column("export-col-report", width=18),
    Column("export-col-nominated-on", "when", 18),
)
VOTE_WARNINGS = ("reveals_every_vote", "quota_base_tied", "quota_base_absent")


def build_nominations(rows: Sequence[Any], f: ExportFilter, locale: str) -> bytes:
    out = [
        (
            c.pick(round_vi, round_en, locale),
            c.subject(person_id, locale),
            person or unit_name,
            unit_code,
            c.pick(title_vi, title_en, locale),
            summary,
            c.label("nomination-state", state, locale),
            c.label("nomination-report", report, locale),
            created,
        )
        for (
            round_vi,
            round_en,
            person_id,
            person,
            unit_code,
            unit_name,
            title_vi,
            title_en,
            summary,
            state,
            report,
            created,
        ) in rows
    ]
    return table("export-kind-nominations", NOMINATIONS, c.numbered(out), f, locale)


def _round_filter(query: Any, f: ExportFilter, column: Any) -> Any:
    if f.round_id is not None:
        query = query.where(column == f.round_id)
    if f.school_year_id is not None:
        query = query.where(PlanRound.school_year_id == f.school_year_id)
    return query


@export_kind(
    "nominations",
    title="export-kind-nominations",
    roles=c.SECRETARY_AND_HEADS,
    filters=("round", "year", "unit"),
    file_name="de-nghi-khen-thuong",
    build=build_nominations,
    order=40,
)
async def nominations(ctx: Any, f: ExportFilter) -> list[tuple[Any, ...]]:
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
            Nomination.summary,
            Nomination.state,
            Nomination.report_state,
            Nomination.created_at,
        )
        .join(PlanRound, PlanRound.id == Nomination.round_id)
        .join(Unit, Unit.id == Nomination.unit_id)
        .join(PlanCommendation, PlanCommendation.id == Nomination.commendation_id)
        .outerjoin(Person, Person.id == Nomination.person_id)
        .where(*f.in_scope(Nomination.unit_id))
        .order_by(PlanRound.voting_close_at, PlanCommendation.position, Unit.code, Nomination.id)
    )
    return [tuple(r) for r in await ctx.session.execute(_round_filter(query, f, Nomination.round_id))]


RESULTS = (
    c.NO,
    c.ROUND,
    c.TITLE,
    c.SUBJECT,
    c.NAME,
    c.UNIT_CODE,
    Column("export-col-members", "int", 10),
    Column("export-col-voters", "int", 10),
    Column("export-col-agree", "int", 10),
    Column("export-col-disagree", "int", 12),
    Column("export-col-share", "share", 10),
    Column("export-col-outcome", width=16),
    Column("export-col-rank", "int", 8),
    Column("export-col-warnings", width=60),
)


def _warnings(found: list[dict[str, Any]] | None, locale: str) -> str:
    kinds = [w.get("kind") for w in found or () if isinstance(w, dict)]
    ordered = [k for k in VOTE_WARNINGS if k in kinds]
    return " ".join(t(f"voting-warning-{k}", locale=locale) for k in ordered)


def build_results(rows: Sequence[Any], f: ExportFilter, locale: str) -> bytes:
    out = []
    for (
        round_vi,
        round_en,
        title_vi,
        title_en,
        person_id,
        person,
        unit_code,
        unit_name,
        members,
        voters,
        agree,
        disagree,
        num,
        den,
        outcome,
        settled,
        rank,
        warnings,
    ) in rows:
        out.append(
            (
                c.pick(round_vi, round_en, locale),
                c.pick(title_vi, title_en, locale),
                c.subject(person_id, locale),
                person or unit_name,
                unit_code,
                members,
                voters,
                agree,
                disagree,
                Fraction(num, den) if den else None,
                c.label("voting-outcome", settled or outcome, locale),
                rank,
                _warnings(warnings, locale),
            )
        )
    return table("export-kind-council_results", RESULTS, c.numbered(out), f, locale)


@export_kind(
    "council_results",
    title="export-kind-council_results",
    roles=c.SECRETARY_ONLY,
    filters=("round", "year"),
    file_name="ket-qua-binh-xet",
    build=build_results,
    order=50,
)
async def council_results(ctx: Any, f: ExportFilter) -> list[tuple[Any, ...]]:
    query = (
        select(
            PlanRound.name_vi,
            PlanRound.name_en,
            PlanCommendation.name_vi,
            PlanCommendation.name_en,
            VotingDossier.person_id,
            Person.full_name,
            Unit.code,
            Unit.name,
            VotingResult.members,
            VotingResult.voters,
            VotingResult.agree,
            VotingResult.disagree,
            VotingResult.share_num,
            VotingResult.share_den,
            VotingResult.outcome,
            VotingResult.settled_outcome,
            VotingResult.rank,
            VotingResult.warnings,
        )
        .join(VotingDossier, VotingDossier.id == VotingResult.dossier_id)
        .join(VotingRound, VotingRound.id == VotingResult.voting_id)
        .join(PlanRound, PlanRound.id == VotingRound.round_id)
        .join(Nomination, Nomination.id == VotingDossier.nomination_id)
        .join(PlanCommendation, PlanCommendation.id == Nomination.commendation_id)
        .join(Unit, Unit.id == VotingDossier.unit_id)
        .outerjoin(Person, Person.id == VotingDossier.person_id)
        .where(*f.in_scope(VotingDossier.unit_id))
        .order_by(PlanRound.voting_close_at, PlanCommendation.position, VotingResult.rank, VotingResult.id)
    )
    return [tuple(r) for r in await ctx.session.execute(_round_filter(query, f, VotingRound.round_id))]
