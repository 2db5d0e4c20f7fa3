"""The reminders' registry of audiences: who has not acted for a deadline, one query per rule.

The reminders service owns the registry; each feature supplies its audiences in its own service module
(`@audience("registration_close", "pending")`), and the unit heads' summary items (`@unit_items(...)`).
A provider gets the session and the deadline's occurrence and runs one query that chooses the people's ids
(`people_where`); their names, chats and languages are read afterwards, a page at a time (`recipients`), so a
ministry's million staff are chosen without building a million rows in Python. A (deadline, audience) that no
feature supplies yet (voting, today) is listed in /reminders as waiting for its feature: never a crash, never
a silent skip.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
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
Provider = Callable[[AsyncSession, Occurrence], Awaitable[list[int]]]  # the people's ids, ascending
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


REACHABLE = (Person.active.is_(True), Person.telegram_id.is_not(None), Person.unreachable.is_(False))
RECIPIENT_COLUMNS = (Person.id, Person.telegram_id, Person.full_name, Person.language, Person.unit_id)
# People are read (and queued) a page at a time: bounded memory, and binds far below the drivers' limits
# (asyncpg takes 32,767; SQLite 32,766).
PAGE = 1000


async def people_where(session: AsyncSession, *conditions: Any) -> list[int]:
    """The ids of the linked, active, reachable people meeting `conditions`, ascending, in one query.

    The ids come back as one value (PostgreSQL's array_agg, SQLite's group_concat), sorted here (an ORDER BY
    in the aggregate costs PostgreSQL a sort the plan does not need): building half a million result rows
    one by one in Python cost more than the query itself (issue 22's million staff)."""
    where = (*conditions, *REACHABLE)
    if session.get_bind().dialect.name == "postgresql":
        return sorted(await session.scalar(select(func.array_agg(Person.id)).where(*where)) or [])
    joined = await session.scalar(select(func.group_concat(Person.id)).where(*where))
    return sorted(map(int, joined.split(","))) if joined else []


def pages(ids: Sequence[int], size: int = PAGE) -> Iterator[Sequence[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


async def recipients(session: AsyncSession, ids: Sequence[int], today: date) -> list[Recipient]:
    """The people of `ids` (linked, active, reachable ones), by id, the principal on `today` marked so, to be
    addressed by the title: one query a page."""
    principal = (
        select(PersonRole.id)
        .where(
            PersonRole.person_id == Person.id, PersonRole.role == Role.PRINCIPAL.value, role_in_force(today)
        )
        .exists()
    )
    out: list[Recipient] = []
    for page in pages(sorted(ids)):
        stmt = (
            select(*RECIPIENT_COLUMNS, principal).where(Person.id.in_(page), *REACHABLE).order_by(Person.id)
        )
        out += [Recipient(*row) for row in (await session.execute(stmt)).all()]
    return out
