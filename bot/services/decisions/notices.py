"""What a recorded decision tells, through the outbox, after the quiet hours: each nominee (a unit's
heads for a collective) the outcome, and each unit head their unit's. The commended are told the title or
award form, the school year, the decision's number and date, and the money recorded; those not commended
are told so kindly, without any count. A corrected decision tells the commended again (its version in the
key)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Protocol

from bot.clock import fmt_date
from bot.context import Ctx
from bot.i18n import t
from bot.plan.views import money
from bot.services.decisions.common import KIND, Candidate, after_quiet_hours, round_list
from bot.services.outbox import Outbox
from bot.text import esc
from storage.models import Person
from storage.models.decisions import Commendation, Decision
from storage.repositories.decisions import DecisionRepo
from storage.repositories.people import PeopleRepo
from storage.repositories.roster import RosterRepo


@dataclass(frozen=True)
class UnitLine:
    """One of a unit's nominees in the head's notice: commended (with the money's words) or not."""

    name: str
    title: str
    commended: bool
    amount: int | None = None  # đồng; None: no money from the school
    paid: bool = True


class DecisionTexts(Protocol):
    def unit_notice(self, number: str, day: str, lines: list[UnitLine], locale: str) -> str: ...


_TEXTS: dict[str, Any] = {}


def use_texts(texts: DecisionTexts) -> None:
    """The wording of the unit head's notice (handlers/render/decisions.py registers it)."""
    _TEXTS["texts"] = texts


def texts() -> DecisionTexts:
    if "texts" not in _TEXTS:
        raise LookupError("no wording for the decisions' notices: import handlers.render.decisions")
    return _TEXTS["texts"]


def money_text(c: Commendation, locale: str | None) -> str:
    if c.amount is None:
        return t("decisions-money-none", locale=locale)
    if not c.paid:
        return t("decisions-money-not-paid", locale=locale)
    return money(c.amount, locale)


def commended_text(c: Commendation, d: Decision, locale: str | None, *, again: bool = False) -> str:
    return t(
        "decisions-notice-corrected" if again else "decisions-notice-commended",
        locale=locale,
        title=esc(c.name_en if locale == "en" else c.name_vi),
        school_year=c.school_year,
        number=esc(d.number),
        date=fmt_date(d.decided_on),
        money=money_text(c, locale),
    )


class Notices:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.repo = DecisionRepo(ctx.session)
        self.outbox = Outbox(ctx)

    async def _heads(self, unit_id: int) -> list[Person]:
        return await RosterRepo(self.ctx.session).heads_of(unit_id, self.ctx.clock.today())

    async def _to(self, key: str, person: Person, text: str) -> None:
        await self.outbox.to_person_once(
            key, person, text, kind=KIND, not_before=after_quiet_hours(self.ctx, person.id)
        )

    async def decided(self, decision: Decision, *, again: bool = False) -> None:
        """Tell everyone concerned by `decision` (again: a correction, the commended only)."""
        people = PeopleRepo(self.ctx.session)
        made = [c for c in await self.repo.commendations(decision.id) if c.state == "active"]
        listing = await round_list(self.ctx, decision.round_id)
        by_nom = {c.nomination_id: c for c in listing.candidates}
        v = decision.version
        per_unit: dict[int, list[UnitLine]] = defaultdict(list)
        for c in made:
            cand = by_nom.get(c.nomination_id or 0)
            unit_id = cand.unit_id if cand else c.unit_id
            if c.person_id is not None and (p := await people.get(c.person_id)) is not None:
                await self._to(
                    f"dec-told:{c.id}:{v}", p, commended_text(c, decision, p.language, again=again)
                )
            if unit_id is not None:
                per_unit[unit_id].append(
                    UnitLine(cand.name if cand else "", c.name_vi, True, c.amount, c.paid)
                )
        if not again:
            await self._not_commended(listing.candidates, {c.nomination_id for c in made}, per_unit)
        for unit_id, lines in per_unit.items():
            for head in await self._heads(unit_id):
                day = fmt_date(decision.decided_on)
                text = texts().unit_notice(decision.number, day, lines, head.language)
                await self._to(f"dec-unit:{decision.id}:{v}:{unit_id}:{head.id}", head, text)

    async def revoked(self, c: Commendation) -> None:
        """A revocation told to the one it concerns (a unit's heads for a collective), with its reason and,
        when the money was paid, that it is to be repaid; after the quiet hours, once."""
        if c.person_id is not None:
            p = await PeopleRepo(self.ctx.session).get(c.person_id)
            people = [p] if p is not None else []
        elif c.unit_id is not None:
            people = await self._heads(c.unit_id)
        else:
            people = []
        repay = c.recovery == "to_recover" and bool(c.amount)
        for p in people:
            text = t(
                "decisions-notice-revoked-repay" if repay else "decisions-notice-revoked",
                locale=p.language,
                title=esc(c.name_en if p.language == "en" else c.name_vi),
                school_year=c.school_year,
                number=esc(c.decision_number),
                date=fmt_date(c.decision_date),
                reason=esc(c.revoked_reason or ""),
                money=money(c.amount or 0, p.language),
                finance=t("role-finance", locale=p.language),
            )
            await self._to(f"dec-revoked:{c.id}:{p.id}", p, text)

    async def _not_commended(
        self,
        candidates: tuple[Candidate, ...],
        commended: set[int | None],
        per_unit: dict[int, list[UnitLine]],
    ) -> None:
        """Those of the round the vote did not pass, or the decision left out: told once, kindly."""
        decided = await self.repo.decided(c.nomination_id for c in candidates)
        people = PeopleRepo(self.ctx.session)
        for cand in candidates:
            if cand.nomination_id in commended or (cand.decided_by == "upward" and cand.passed):
                continue
            if cand.passed and cand.nomination_id not in decided:
                continue  # not decided yet (another decision may list it)
            per_unit[cand.unit_id].append(UnitLine(cand.name, cand.title_vi, False))
            if cand.person_id and (p := await people.get(cand.person_id)) is not None:
                text = t(
                    "decisions-notice-not-commended", locale=p.language, title=esc(cand.title(p.language))
                )
                await self._to(f"dec-not:{cand.nomination_id}", p, text)
