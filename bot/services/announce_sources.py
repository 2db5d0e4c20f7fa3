"""Where the exemplars of an announcement come from: one small interface, one class per source.

A source turns what the sender picked (plain JSON kept in the conversation) into `Exemplar`s:

    class ExemplarSource(Protocol):
        key: str
        async def exemplars(self, ctx: Ctx, picks: list[dict], locale: str | None) -> list[Exemplar]

- `PickedExemplars` ("exemplars"): people or units found by name, each with a title or award form of the
  plan's catalogue and a one-line achievement typed by the sender;
- `VerifiedGoodDeeds` ("good_deeds"): verified good deeds. The reporter is never part of an exemplar, so
  a reporter who chose to stay anonymous is never named.
The decisions issue adds "a recorded decision" as one more source: `register_source(RecordedDecision())`.
No aiogram here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select

from bot.context import Ctx
from bot.i18n import t
from storage.models import Person, Unit
from storage.models.good_deed import GoodDeed, GoodDeedState
from storage.models.plan import PlanCommendation
from storage.repositories.people import PeopleRepo


@dataclass(frozen=True)
class Exemplar:
    subject: str  # person | unit
    name: str
    unit: str | None  # a person's unit
    title: str  # the title or award form they are commended with
    achievement: str  # one line, as typed (plain text: the draft escapes it)


class ExemplarSource(Protocol):
    key: str

    async def exemplars(
        self, ctx: Ctx, picks: list[dict[str, Any]], locale: str | None
    ) -> list[Exemplar]: ...


SOURCES: dict[str, ExemplarSource] = {}


def register_source(source: ExemplarSource) -> ExemplarSource:
    SOURCES[source.key] = source
    return source


def _name(row: PlanCommendation, locale: str | None) -> str:
    return (row.name_en if locale == "en" else None) or row.name_vi


class PickedExemplars:
    """picks: [{"k": "p"|"u", "id": person or unit id, "c": commendation id, "a": achievement}]."""

    key = "exemplars"

    async def exemplars(self, ctx: Ctx, picks: list[dict[str, Any]], locale: str | None) -> list[Exemplar]:
        people = PeopleRepo(ctx.session)
        persons = await people.people_by_id(p["id"] for p in picks if p["k"] == "p")
        units = await people.units_by_id(
            [p["id"] for p in picks if p["k"] == "u"] + [x.unit_id for x in persons.values()]
        )
        ids = {p["c"] for p in picks}
        titles = {
            c.id: c
            for c in (await ctx.session.scalars(select(PlanCommendation).where(PlanCommendation.id.in_(ids))))
        }
        out = []
        for p in picks:
            title = titles.get(p["c"])
            if title is None:
                continue
            if p["k"] == "p" and (person := persons.get(p["id"])) is not None:
                unit = units.get(person.unit_id) if person.unit_id else None
                out.append(
                    Exemplar(
                        "person", person.full_name, unit.name if unit else None, _name(title, locale), p["a"]
                    )
                )
            elif p["k"] == "u" and (u := units.get(p["id"])) is not None:
                out.append(Exemplar("unit", u.name, None, _name(title, locale), p["a"]))
        return out


class VerifiedGoodDeeds:
    """picks: [{"id": good deed id}]; only verified deeds count."""

    key = "good_deeds"

    async def exemplars(self, ctx: Ctx, picks: list[dict[str, Any]], locale: str | None) -> list[Exemplar]:
        ids = [p["id"] for p in picks]
        deeds = list(
            (
                await ctx.session.scalars(
                    select(GoodDeed)
                    .where(GoodDeed.id.in_(ids), GoodDeed.state == GoodDeedState.VERIFIED.value)
                    .order_by(GoodDeed.happened_on, GoodDeed.id)
                )
            ).all()
        )
        people = PeopleRepo(ctx.session)
        persons = await people.people_by_id(d.person_id for d in deeds)
        units = await people.units_by_id(d.unit_id for d in deeds)
        title = t("announce-gooddeed-title", locale=locale)
        out = []
        for d in deeds:
            unit = units.get(d.unit_id)
            line = " ".join(d.text.split())[:300]
            person = persons.get(d.person_id) if d.person_id else None
            if person is not None:
                out.append(Exemplar("person", person.full_name, unit.name if unit else None, title, line))
            elif unit is not None:
                out.append(Exemplar("unit", unit.name, None, title, line))
        return out


register_source(PickedExemplars())
register_source(VerifiedGoodDeeds())


async def verified_deeds(ctx: Ctx, limit: int = 10) -> list[tuple[GoodDeed, str]]:
    """The latest verified deeds, with whom each is about (what the sender picks from)."""
    deeds = list(
        (
            await ctx.session.scalars(
                select(GoodDeed)
                .where(GoodDeed.state == GoodDeedState.VERIFIED.value)
                .order_by(GoodDeed.decided_at.desc(), GoodDeed.id.desc())
                .limit(limit)
            )
        ).all()
    )
    people = PeopleRepo(ctx.session)
    persons = await people.people_by_id(d.person_id for d in deeds)
    units = await people.units_by_id(d.unit_id for d in deeds)
    out = []
    for d in deeds:
        who: Person | Unit | None = persons.get(d.person_id) if d.person_id else units.get(d.unit_id)
        out.append((d, getattr(who, "full_name", None) or getattr(who, "name", "")))
    return out
