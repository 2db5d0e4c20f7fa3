"""What is read of the decisions: the rounds a decision concerns, the principal's /summary, a person's or a
unit's /history over the years, and the announce room's "decision" source of exemplars."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from bot.clock import fmt_date
from bot.context import Ctx
from bot.i18n import t
from bot.roles import can
from bot.services.announce_sources import Exemplar, register_source
from bot.services.decisions.common import DECIDE, SUMMARY, err, round_list
from storage.models.decisions import Commendation, Decision
from storage.models.good_deed import GoodDeed, GoodDeedState
from storage.models.nomination import Nomination
from storage.models.plan import PlanRound
from storage.models.voting import MAIN_SCOPE, VotingRound, VotingState
from storage.repositories.decisions import DecisionRepo
from storage.repositories.people import PeopleRepo


@dataclass(frozen=True)
class RoundSummary:
    round_id: int
    name_vi: str
    name_en: str
    passed: dict[str, int]  # title's name (vi) -> passed
    waiting: bool  # tallied, no decision recorded yet: a decision waits for a signature
    decisions: int


@dataclass(frozen=True)
class Summary:
    rounds: tuple[RoundSummary, ...]
    proposals: dict[str, int]  # prepared | sent -> count


@dataclass(frozen=True)
class HistoryLine:
    day: date
    kind: str  # commendation | upward | failed | deed | revoked
    who: str
    title: str
    number: str | None


async def tallied_rounds(ctx: Ctx) -> list[PlanRound]:
    """The rounds whose council's vote is tallied, latest first."""
    stmt = (
        select(PlanRound)
        .join(VotingRound, VotingRound.round_id == PlanRound.id)
        .where(VotingRound.scope == MAIN_SCOPE, VotingRound.state == VotingState.TALLIED.value)
        .order_by(PlanRound.voting_close_at.desc(), PlanRound.id.desc())
    )
    return list((await ctx.session.scalars(stmt)).unique())


async def summary(ctx: Ctx) -> Summary:
    if not can(ctx.actor, SUMMARY):
        raise err("decisions-not-principal")
    repo = DecisionRepo(ctx.session)
    out = []
    for r in await tallied_rounds(ctx):
        listing = await round_list(ctx, r.id)
        passed = Counter(c.title_vi for c in listing.passed)
        decided = await repo.decisions(r.id)
        out.append(RoundSummary(r.id, r.name_vi, r.name_en, dict(passed), not decided, len(decided)))
    proposals = Counter(p.state for p in await repo.proposals(("prepared", "sent")))
    return Summary(tuple(out), dict(proposals))


async def history(ctx: Ctx, person_id: int | None = None, unit_id: int | None = None) -> list[HistoryLine]:
    """A record over the years. People see their own; a unit head their unit's people and the unit; the
    secretary everyone. Failed nominations only to the person, the head and the secretary."""
    actor = ctx.actor
    if actor is None:
        raise err("decisions-not-linked")
    people = PeopleRepo(ctx.session)
    if person_id is None and unit_id is None:
        person_id = actor.person_id
    if person_id is not None:
        person = await people.get(person_id)
        if person is None or not (
            person_id == actor.person_id or can(actor, DECIDE) or actor.heads(person.unit_id)
        ):
            raise err("decisions-history-not-yours")
        persons, units, name = [person_id], [], {person_id: person.full_name}
    else:
        if not (can(actor, DECIDE) or actor.heads(unit_id)):
            raise err("decisions-history-not-yours")
        unit = (await people.units_by_id([unit_id])).get(unit_id)  # type: ignore[list-item]
        persons, units, name = [], [unit_id], {}
        if unit is None:
            raise err("decisions-history-not-yours")
    lines: list[HistoryLine] = []
    for c in await DecisionRepo(ctx.session).commendations_of(persons, units):  # type: ignore[arg-type]
        kind = "revoked" if c.state == "revoked" else ("upward" if c.level == "upward" else "commendation")
        lines.append(
            HistoryLine(c.decision_date, kind, name.get(c.person_id or 0, ""), c.name_vi, c.decision_number)
        )
    lines += await _failed(ctx, persons, units)
    deeds = select(GoodDeed).where(GoodDeed.state == GoodDeedState.VERIFIED.value)
    deeds = deeds.where(GoodDeed.person_id.in_(persons) if persons else GoodDeed.unit_id.in_(units))
    for d in await ctx.session.scalars(deeds):
        text = " ".join(d.text.split())
        lines.append(
            HistoryLine(d.happened_on, "deed", "", text[:120] + ("…" if len(text) > 120 else ""), None)
        )
    return sorted(lines, key=lambda line: (line.day, line.kind))


async def history_search(ctx: Ctx, query: str) -> list[tuple[str, int, str]]:
    """Whose record the actor may read, by what was typed: ("p", person id, name) and ("u", unit id, name);
    the secretary anyone, a unit head the unit's people and the unit, anyone else nobody."""
    from bot.roles import HEAD_ROLES
    from bot.services.name_search import find_people, search_words
    from bot.text import search_key
    from storage.models import Person, Unit

    actor = ctx.actor
    if actor is None:
        raise err("decisions-not-linked")
    everyone = can(actor, DECIDE)
    headed = {g.unit_id for g in actor.grants if g.role in HEAD_ROLES and g.unit_id is not None}
    if not everyone and not headed:
        raise err("decisions-history-not-yours")
    words = search_words(query)
    where = [] if everyone else [Person.unit_id.in_(headed)]
    out = [("p", p.id, p.full_name) for p in await find_people(ctx.session, query, *where)]
    units = select(Unit).where(Unit.active.is_(True))
    if not everyone:
        units = units.where(Unit.id.in_(headed))
    for u in await ctx.session.scalars(units.order_by(Unit.name)):
        if all(w in search_key(u.name) for w in words):
            out.append(("u", u.id, u.name))
    return out[:10]


async def subject_name(ctx: Ctx, person_id: int | None, unit_id: int | None) -> str:
    people = PeopleRepo(ctx.session)
    if person_id is not None:
        person = await people.get(person_id)
        return person.full_name if person else ""
    unit = (await people.units_by_id([unit_id])).get(unit_id) if unit_id else None  # type: ignore[list-item]
    return unit.name if unit else ""


async def _failed(ctx: Ctx, persons: list[int], units: list[int]) -> list[HistoryLine]:
    """The nominations of tallied rounds that were not commended (the person, the head, the secretary)."""
    stmt = select(Nomination).where(
        Nomination.person_id.in_(persons) if persons else Nomination.owner.in_([f"u{u}" for u in units])
    )
    out = []
    commended = set(
        (
            await ctx.session.scalars(
                select(Commendation.nomination_id).where(Commendation.nomination_id.is_not(None))
            )
        ).all()
    )
    rounds: dict[int, Any] = {}
    for n in await ctx.session.scalars(stmt):
        if n.id in commended:
            continue
        if n.round_id not in rounds:
            rounds[n.round_id] = await round_list(ctx, n.round_id)
        c = rounds[n.round_id].find(n.id)
        decided = await DecisionRepo(ctx.session).decided([n.id])
        if c is not None and (not c.passed or n.id in decided):
            day = rounds[n.round_id].round.voting_close_at.date()
            out.append(HistoryLine(day, "failed", "", c.title_vi, None))
    return out


class RecordedDecision:
    """picks: [{"d": decision id}]: the decision's commended (active commendations), with their titles and
    the decision's number and date; those not commended never appear."""

    key = "decision"

    async def exemplars(self, ctx: Ctx, picks: list[dict[str, Any]], locale: str | None) -> list[Exemplar]:
        out = []
        people = PeopleRepo(ctx.session)
        for pick in picks:
            d = await ctx.session.get(Decision, pick.get("d"))
            if d is None:
                continue
            rows = [c for c in await DecisionRepo(ctx.session).commendations(d.id) if c.state == "active"]
            persons = await people.people_by_id(c.person_id for c in rows)
            units = await people.units_by_id(
                [c.unit_id for c in rows] + [p.unit_id for p in persons.values()]
            )
            line = t("decisions-exemplar-line", locale=locale, number=d.number, date=fmt_date(d.decided_on))
            for c in rows:
                title = c.name_en if locale == "en" and c.name_en else c.name_vi
                if c.person_id and (p := persons.get(c.person_id)) is not None:
                    unit = units.get(p.unit_id) if p.unit_id else None
                    out.append(Exemplar("person", p.full_name, unit.name if unit else None, title, line))
                elif c.unit_id and (u := units.get(c.unit_id)) is not None:
                    out.append(Exemplar("unit", u.name, None, title, line))
        return out


register_source(RecordedDecision())


async def recorded(ctx: Ctx, limit: int = 10) -> list[Decision]:
    """The latest decisions (what the announce room offers)."""
    stmt = select(Decision).order_by(Decision.decided_on.desc(), Decision.id.desc()).limit(limit)
    return list((await ctx.session.scalars(stmt)).all())
