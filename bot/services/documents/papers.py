"""The round's papers as data: the council's list with its figures (counts only) and money, the decision
and its signer, and the pages of the certificates. The wording is the templates' (bot/exports/papers.py).

`check(ctx, round_id, kind)` is what /papers answers at once, in the update (the right, the round voted,
a decision recorded, something to print); `compute` and `pages_of` read the rows again in the export
worker (bot/exports/paper_kinds.py), without the person's check: the kind's roles checked it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from sqlalchemy import select

from bot.context import Ctx
from bot.services.decisions.common import load_round, round_list
from bot.services.documents.budget import compute as budget_of
from bot.services.documents.common import PAPERS, DocumentsError, ensure, names
from storage.models import Person
from storage.models.decisions import Decision
from storage.models.plan import PlanSchoolYear
from storage.models.voting import VotingDossier, VotingResult
from storage.repositories.decisions import DecisionRepo


@dataclass(frozen=True)
class Figures:
    members: int
    voters: int
    agree: int
    disagree: int
    share: Fraction  # agree over the threshold's base
    outcome: str  # passed | failed | over_quota | tied (as settled)
    reveals: bool = False  # the vote's warning: the counts show how each member voted


@dataclass(frozen=True)
class PaperLine:
    name: str
    unit: str
    title: str
    summary: str
    passed: bool
    figures: Figures | None
    amount: int | None  # đồng: the budget's (None: not on the list, or no school money)


@dataclass(frozen=True)
class DecisionRef:
    """What the papers need of a decision: plain values, no ORM object (they cross into a thread)."""

    id: int
    number: str
    decided_on: date


@dataclass(frozen=True)
class RoundPapers:
    round_id: int
    round_vi: str
    school_year: str
    meeting_day: date | None  # the vote's close
    lines: tuple[PaperLine, ...]
    total: int
    decision: DecisionRef | None
    signer: str  # the decision's signer's name ("" before it)
    signed_as: str  # principal | deputy
    by_title: tuple[tuple[str, int, int, int, int], ...]  # (title, proposed, passed, decided, đồng)

    @property
    def passed(self) -> list[PaperLine]:
        return [x for x in self.lines if x.passed]


async def _figures(ctx: Ctx, vote_id: int) -> dict[int, Figures]:
    stmt = (
        select(VotingDossier.nomination_id, VotingResult)
        .join(VotingResult, VotingResult.dossier_id == VotingDossier.id)
        .where(VotingDossier.voting_id == vote_id)
    )
    out = {}
    for nid, r in await ctx.session.execute(stmt):
        share = Fraction(r.share_num, r.share_den) if r.share_den else Fraction(0)
        reveals = any("reveals_every_vote" in str(w) for w in r.warnings or ())
        out[nid] = Figures(
            r.members, r.voters, r.agree, r.disagree, share, r.settled_outcome or r.outcome, reveals
        )
    return out


async def round_papers(ctx: Ctx, round_id: int) -> RoundPapers:
    ensure(ctx, PAPERS)
    return await compute(ctx, round_id)


NEEDS_DECISION = ("quyet_dinh", "giay_khen")


@dataclass(frozen=True)
class Ready:
    """What /papers needs to ask for a kind: the round's school year, its latest decision (None before)."""

    school_year_id: int
    decision: DecisionRef | None


async def check(ctx: Ctx, round_id: int, kind: str) -> Ready:
    """What the worker will need if `kind` can be made now, else the reason: the person's right, an
    unknown round, a round the council has not voted, no decision for the decision and the
    certificates, nobody commended to print."""
    ensure(ctx, PAPERS)
    round_ = await load_round(ctx, round_id)
    if (await round_list(ctx, round_id)).vote is None:
        raise DocumentsError("documents-round-not-voted", round=round_.name_vi)
    decisions = await DecisionRepo(ctx.session).decisions(round_id)
    decision = _ref(decisions[-1]) if decisions else None
    if kind in NEEDS_DECISION and decision is None:
        raise DocumentsError("documents-no-decision")
    if kind == "giay_khen" and decision is not None and not await _active(ctx, decision.id):
        raise DocumentsError("documents-nothing-to-print", number=decision.number)
    return Ready(round_.school_year_id, decision)


def _ref(d: Decision) -> DecisionRef:
    return DecisionRef(d.id, d.number, d.decided_on)


async def compute(ctx: Ctx, round_id: int) -> RoundPapers:
    """The round's papers without the person's check."""
    round_ = await load_round(ctx, round_id)
    listing = await round_list(ctx, round_id)
    if listing.vote is None:
        raise DocumentsError("documents-round-not-voted", round=round_.name_vi)
    figures = await _figures(ctx, listing.vote.id)
    money = await budget_of(ctx, round_id)
    amounts = {(x.name, x.title): x.amount for x in money.lines}
    lines = tuple(
        PaperLine(c.name, c.unit, c.title_vi, c.summary, c.passed, figures.get(c.nomination_id),
                  amounts.get((c.name, c.title_vi)) if c.passed else None)
        for c in listing.candidates
    )  # fmt: skip
    decisions = await DecisionRepo(ctx.session).decisions(round_id)
    decision = decisions[-1] if decisions else None
    signer = await ctx.session.get(Person, decision.signer_id) if decision else None
    year = await ctx.session.get(PlanSchoolYear, round_.school_year_id)
    by_title: dict[str, list[int]] = {}
    for x in lines:
        cell = by_title.setdefault(x.title, [0, 0, 0, 0])
        cell[0] += 1
        cell[1] += x.passed
    for x in money.lines if money.decided else ():
        cell = by_title.setdefault(x.title, [0, 0, 0, 0])
        cell[2] += 1
        cell[3] += x.amount
    met = listing.vote.closed_at or round_.voting_close_at
    return RoundPapers(
        round_id, round_.name_vi, year.code if year else "", met.astimezone(ctx.settings.tz).date(), lines,
        money.total, _ref(decision) if decision else None, signer.full_name if signer else "",
        decision.signed_as if decision else "principal",
        tuple((t, *v) for t, v in by_title.items()),
    )  # fmt: skip


@dataclass(frozen=True)
class CertificatePage:
    name: str
    unit: str
    title: str
    school_year: str
    number: str
    day: date


async def certificate_pages(ctx: Ctx, decision_id: int) -> list[CertificatePage]:
    """One page per active commendation of the decision, in its order."""
    ensure(ctx, PAPERS)
    return await pages_of(ctx, decision_id)


async def _active(ctx: Ctx, decision_id: int) -> list:
    return [c for c in await DecisionRepo(ctx.session).commendations(decision_id) if c.state == "active"]


async def pages_of(ctx: Ctx, decision_id: int) -> list[CertificatePage]:
    """The certificates' pages without the person's check."""
    decision = await ctx.session.get(Decision, decision_id)
    if decision is None:
        raise DocumentsError("documents-decision-unknown")
    rows = await _active(ctx, decision_id)
    persons, units = await names(ctx, (c.person_id for c in rows), (c.unit_id for c in rows))
    out = []
    for c in rows:
        if c.person_id and c.person_id in persons:
            name, unit_id = persons[c.person_id]
            unit = units.get(unit_id or 0, "")
        else:
            name, unit = units.get(c.unit_id or 0, ""), ""
        out.append(
            CertificatePage(name, unit, c.name_vi, c.school_year, decision.number, decision.decided_on)
        )
    return out
