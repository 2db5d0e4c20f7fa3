"""The reminders' registry of audiences: who has not acted for a deadline, one query per rule.

The reminders service owns the registry; each feature supplies its audiences in its own service module
(`@audience("registration_close", "pending")`), and the unit heads' summary items (`@unit_items(...)`).
A provider gets the session and the deadline's occurrence and runs one query. A (deadline, audience) that no
feature supplies yet (voting, today) is listed in /reminders as waiting for its feature: never a crash, never
a silent skip.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.roles import Role
from storage.models import Person, PersonRole
from storage.repositories.people import role_in_force


@dataclass(frozen=True)
class Occurrence:
    """One deadline on the clock: a kind, its school year, its round or unit, and its instant (UTC)."""

    kind: str
    period_id: int
    school_year_id: int
    school_year: str  # its code, "2026-2027"
    deadline: datetime
    opens_at: datetime  # no reminder of it goes before this (the window's or the round's opening)
    round_id: int | None = None
    round_name_vi: str = ""
    round_name_en: str = ""
    unit_id: int | None = None  # an extension for one unit: this occurrence is that unit's only
    unit_name: str = ""  # that unit's name (what /reminders shows of it)
    other_units: frozenset[int] = field(default_factory=frozenset)  # units with their own occurrence
    place: str | None = None  # a ceremony's place, as the secretary set it
    today: date | None = None  # the local day the reminder goes (roles in force on it)

    @property
    def scope(self) -> str:
        """The round or unit part of the idempotency key."""
        if self.unit_id is not None:
            return f"u{self.unit_id}"
        if self.round_id is not None:
            return f"r{self.round_id}"
        return "all"

    def round_name(self, locale: str | None) -> str:
        return (self.round_name_en if locale == "en" else "") or self.round_name_vi

    def in_units(self, column: Any) -> Any:
        """The condition on a unit column: this unit only, or every unit but those with their own."""
        if self.unit_id is not None:
            return column == self.unit_id
        if self.other_units:
            return or_(column.is_(None), column.not_in(sorted(self.other_units)))
        return and_(True)


@dataclass(frozen=True)
class Recipient:
    person_id: int
    telegram_id: int
    full_name: str
    language: str
    unit_id: int | None
    principal: bool = False  # addressed by the title: "Kính gửi Hiệu trưởng …" (issue 18, E33)


@dataclass(frozen=True)
class Named:
    """One of the people a summary's item names (issue 18, item 30); `joined`: linked to the bot, else the
    head is told apart that the bot cannot reach them."""

    name: str
    joined: bool = True


Item = int | list[Named]  # a unit's item in the heads' summary: a flag or count, or the people it names
Items = dict[str, Item]
Provider = Callable[[AsyncSession, Occurrence], Awaitable[list[Recipient]]]
UnitItems = Callable[[AsyncSession, Occurrence], Awaitable[dict[int, Items]]]


def item_count(value: Item) -> int:
    return len(value) if isinstance(value, list) else value


def named_per_unit(rows: Any, item: str) -> dict[int, Items]:
    """(unit id, full name, joined) rows, in the order to show, as {unit: {item: [Named, ...]}}."""
    out: dict[int, Items] = {}
    for unit_id, name, joined in rows:
        names = out.setdefault(unit_id, {}).setdefault(item, [])
        assert isinstance(names, list)
        names.append(Named(name, bool(joined)))
    return out


_AUDIENCES: dict[tuple[str, str], Provider] = {}
_UNIT_ITEMS: dict[str, list[UnitItems]] = {}
# Audiences a later feature supplies: (deadline, audience) -> the feature ("voting").
WAITING: dict[tuple[str, str], str] = {
    ("voting_open", "council_members"): "voting",
    ("voting_close", "council_members"): "voting",
    ("voting_open", "pending"): "voting",
    ("voting_close", "pending"): "voting",
}
SUMMARY = "unit_heads"  # this audience is told in the unit heads' daily summary, not message by message


def audience(deadline: str, name: str) -> Callable[[Provider], Provider]:
    """Register the provider of `name` for `deadline` (registering again replaces it)."""

    def register(fn: Provider) -> Provider:
        _AUDIENCES[(deadline, name)] = fn
        WAITING.pop((deadline, name), None)
        return fn

    return register


def unit_items(deadline: str) -> Callable[[UnitItems], UnitItems]:
    """Register what a unit still has pending for `deadline`: unit id -> {item: a count or the people it
    names} (the summary)."""

    def register(fn: UnitItems) -> UnitItems:
        items = _UNIT_ITEMS.setdefault(deadline, [])
        if fn not in items:
            items.append(fn)
        return fn

    return register


def provider(deadline: str, name: str) -> Provider | None:
    return _AUDIENCES.get((deadline, name))


def items_of(deadline: str) -> list[UnitItems]:
    return list(_UNIT_ITEMS.get(deadline, []))


def waiting_for(deadline: str, name: str) -> str | None:
    """The feature that will supply this audience, or "" when none is planned and none supplies it."""
    if name == SUMMARY:
        return None if items_of(deadline) else WAITING.get((deadline, name), "")
    if (deadline, name) in _AUDIENCES:
        return None
    return WAITING.get((deadline, name), "")


def recipients_query(stmt: Select[Any]) -> Select[Any]:
    """The columns a provider selects (one query), over linked, active, reachable people."""
    return stmt.where(
        Person.active.is_(True), Person.telegram_id.is_not(None), Person.unreachable.is_(False)
    ).order_by(Person.id)


RECIPIENT_COLUMNS = (Person.id, Person.telegram_id, Person.full_name, Person.language, Person.unit_id)


async def run_query(session: AsyncSession, stmt: Select[Any]) -> list[Recipient]:
    return [Recipient(*row) for row in (await session.execute(recipients_query(stmt))).all()]


async def people_where(session: AsyncSession, *conditions: Any) -> list[Recipient]:
    """The linked, active, reachable people meeting `conditions`, in one query."""
    return await run_query(session, select(*RECIPIENT_COLUMNS).where(*conditions))


async def with_principals(session: AsyncSession, people: list[Recipient], today: date) -> list[Recipient]:
    """`people`, the principal (on `today`) among them marked so, to be addressed by the title (one query)."""
    if not people:
        return people
    stmt = select(PersonRole.person_id).where(
        PersonRole.role == Role.PRINCIPAL.value,
        role_in_force(today),
        PersonRole.person_id.in_(sorted({p.person_id for p in people})),
    )
    principals = set((await session.scalars(stmt)).all())
    return [replace(p, principal=True) if p.person_id in principals else p for p in people]
