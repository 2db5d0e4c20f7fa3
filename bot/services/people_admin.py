"""People administration: search, person cards, unit counts, moving people, roles, delegation, deactivation.

Every change re-checks the actor's authority here (the filter in front is not enough: callback data can be
forged), is audited with before/after, and drops the person from the identity cache after the commit.
Error parameters are HTML (names escaped with esc); a button's alert shows them through bot.text.plain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select

from bot.clock import fmt_date, parse_day
from bot.context import Ctx
from bot.errors import DomainError, NotAllowed, NotFound
from bot.i18n import t
from bot.roles import HEAD_ROLES, UNIT_ROLES, Action, Member, Role, can
from bot.services.audit import Audit
from bot.services.name_search import name_matches, search_words
from bot.services.outbox import Outbox
from bot.services.roster import clean_full_name
from bot.text import esc, nfc, search_key
from storage.models import Person, PersonRole, Unit
from storage.repositories.people import PeopleRepo

PAGE_SIZE = 8
QUERY_LIMIT = 100
POSITION_MAX = 120  # the column's size
# Roles an admin switches on and off on a card; the deputy head is given by a dated delegation instead.
TOGGLE_ROLES = tuple(r for r in Role if r is not Role.DEPUTY_HEAD)


class QueryEmpty(DomainError):
    key = "people-admin-query-empty"


class QueryTooLong(DomainError):
    key = "people-admin-query-too-long"


class BadDate(DomainError):
    key = "people-admin-date-bad"


class DateInPast(DomainError):
    key = "people-admin-date-past"


class DateOrder(DomainError):
    key = "people-admin-date-order"


class DelegationOverlap(DomainError):
    key = "people-admin-delegation-overlap"


class NoUnit(DomainError):
    key = "people-admin-no-unit"


class SameUnit(DomainError):
    key = "people-admin-same-unit"


class SelfChange(DomainError):
    key = "people-admin-self-admin"


class PersonInactive(DomainError):
    key = "people-admin-person-inactive"


class Unchanged(DomainError):
    key = "people-admin-unchanged"


class PositionTooLong(DomainError):
    key = "people-admin-position-too-long"


class BadUnitCode(DomainError):
    key = "people-admin-cli-bad-unit"


class AmbiguousName(DomainError):
    key = "people-admin-cli-ambiguous"


def set_name(person: Person, full_name: str) -> None:
    """The one way to change a name: the search column follows it."""
    person.full_name = nfc(full_name).strip()
    person.name_search = search_key(person.full_name)


def parse_date(text: str, today: date | None = None) -> date:
    """The day typed (bot.clock.parse_day: dd/mm/yyyy, yyyy-mm-dd; with `today`, also d/m, "hôm nay",
    "hôm qua"), else BadDate."""
    found = parse_day(text, today)
    if found is None:
        raise BadDate(value=esc((text or "").strip()[:40]), example="01/12/2026")
    return found


def query_key(query: str) -> str:
    """The normalised search words, safe to carry in callback data (no ':'), at most 40 bytes."""
    key = " ".join(search_key(query.replace(":", " ")).split())
    return key.encode()[:40].decode(errors="ignore").strip()


def grant_view(r: PersonRole) -> dict[str, object]:
    return {"role": r.role, "unit_id": r.unit_id, "valid_from": r.valid_from, "valid_to": r.valid_to}


def roles_view(person: Person) -> list[dict[str, object]]:
    return sorted(
        (grant_view(r) for r in person.roles),
        key=lambda g: (str(g["role"]), g["unit_id"] or 0, str(g["valid_from"] or "")),
    )


@dataclass
class Page:
    query: str
    people: list[Person]
    units: dict[int, Unit]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


@dataclass
class UnitCount:
    unit: Unit | None  # None: people without a unit
    joined: int
    total: int


@dataclass
class Card:
    person: Person
    unit: Unit | None
    units: dict[int, Unit]
    delegations: list[PersonRole] = field(default_factory=list)  # dated deputy grants, not ended before today


@dataclass
class Moved:
    person: Person
    old: Unit | None
    new: Unit
    heads_removed: list[str]


@dataclass
class AdminAdded:
    person: Person
    created: bool
    linked: bool
    granted: bool


class PeopleAdminService:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.session = ctx.session

    # -- authority ----------------------------------------------------------------------------------
    def _require(self, action: Action) -> Member:
        actor = self.ctx.actor
        if actor is None or not can(actor, action):
            raise NotAllowed()
        return actor

    async def _person(self, person_id: int) -> Person:
        person = await self.session.get(Person, person_id)
        if person is None:
            raise NotFound()
        return person

    async def _unit(self, unit_id: int | None) -> Unit | None:
        return None if unit_id is None else await self.session.get(Unit, unit_id)

    async def _units(self, ids: set[int | None]) -> dict[int, Unit]:
        return await PeopleRepo(self.session).units_by_id(ids)

    def _changed(self, person: Person) -> None:
        self.ctx.forget_person(person.telegram_id)

    # -- reading ------------------------------------------------------------------------------------
    async def search(self, query: str, page: int = 0) -> Page:
        """People whose name contains every word of `query`, ignoring case and diacritics (đ = d)."""
        self._require(Action.PEOPLE_VIEW)
        if len(query.strip()) > QUERY_LIMIT:
            raise QueryTooLong(limit=QUERY_LIMIT)
        key = query_key(query)
        words = key.split()
        if not words:
            raise QueryEmpty()
        cond = name_matches(search_words(key))  # the rule of every name search: 3 letters at least
        total = await self.session.scalar(select(func.count()).select_from(Person).where(cond)) or 0
        page = max(0, min(page, max(0, (total - 1) // PAGE_SIZE)))
        stmt = (
            select(Person)
            .where(cond)
            .order_by(Person.active.desc(), Person.name_search, Person.id)
            .offset(page * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
        people = list((await self.session.scalars(stmt)).all())
        return Page(key, people, await self._units({p.unit_id for p in people}), total, page)

    async def card(self, person_id: int) -> Card:
        self._require(Action.PEOPLE_VIEW)
        return await self._card(await self._person(person_id))

    async def _card(self, person: Person) -> Card:
        today = self.ctx.clock.today()
        delegations = sorted(
            (
                r
                for r in person.roles
                if r.role == Role.DEPUTY_HEAD and (r.valid_to is None or r.valid_to >= today)
            ),
            key=lambda r: (r.valid_from or date.min, r.id or 0),
        )
        units = await self._units({person.unit_id, *(r.unit_id for r in person.roles)})
        return Card(person, units.get(person.unit_id) if person.unit_id else None, units, delegations)

    async def units(self) -> list[UnitCount]:
        """Every active unit with joined / roster counts (people exist before they join)."""
        self._require(Action.PEOPLE_VIEW)
        joined = func.sum(case((Person.telegram_id.is_not(None), 1), else_=0))
        stmt = (
            select(Person.unit_id, func.count(Person.id), joined)
            .where(Person.active.is_(True))
            .group_by(Person.unit_id)
        )
        counts = {uid: (int(j or 0), int(n)) for uid, n, j in (await self.session.execute(stmt)).all()}
        units = (
            await self.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.code))
        ).all()
        out = [UnitCount(u, *counts.get(u.id, (0, 0))) for u in units]
        if None in counts:
            out.append(UnitCount(None, *counts[None]))
        return out

    async def all_units(self) -> list[Unit]:
        self._require(Action.PEOPLE_VIEW)
        return list(
            (await self.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.code))).all()
        )

    # -- changes ------------------------------------------------------------------------------------
    async def move(self, person_id: int, unit_id: int) -> Moved:
        """Move a person to another unit. The person row stays (their history stays theirs); their staff
        role follows them, and a head or deputy role for the unit they leave is removed."""
        self._require(Action.PEOPLE_EDIT)
        person = await self._person(person_id)
        new = await self._unit(unit_id)
        if new is None or not new.active:
            raise NotFound()
        old = await self._unit(person.unit_id)
        if person.unit_id == new.id:
            raise SameUnit(name=esc(person.full_name), unit=esc(new.name))
        before = {"unit_id": person.unit_id, "unit": old.code if old else None, "roles": roles_view(person)}
        removed: list[str] = []
        for r in list(person.roles):
            if r.role in HEAD_ROLES and r.unit_id in (None, person.unit_id):
                person.roles.remove(r)  # the head of the unit they leave no longer
                removed.append(r.role)
            elif r.role == Role.STAFF and r.unit_id is not None and r.unit_id == person.unit_id:
                r.unit_id = new.id
        person.unit_id = new.id
        Audit(self.ctx).record(
            "person.unit",
            "person",
            person.id,
            before=before,
            after={"unit_id": new.id, "unit": new.code, "roles": roles_view(person)},
        )
        self._changed(person)
        return Moved(person, old, new, removed)

    async def toggle_role(self, person_id: int, role: str) -> tuple[Person, bool]:
        """Give `role` to the person, or take it away when they hold it. Returns (person, added)."""
        actor = self._require(Action.PEOPLE_EDIT)
        try:
            wanted = Role(role)
        except ValueError:
            raise NotFound() from None
        if wanted not in TOGGLE_ROLES:
            raise NotFound()
        person = await self._person(person_id)
        before = roles_view(person)
        held = [r for r in person.roles if r.role == wanted and r.valid_from is None and r.valid_to is None]
        if held:
            if wanted is Role.ADMIN and person.id == actor.person_id:
                raise SelfChange()
            for r in held:
                person.roles.remove(r)
            added = False
        else:
            unit_id = person.unit_id if wanted in UNIT_ROLES else None
            if wanted in UNIT_ROLES and unit_id is None:
                raise NoUnit(name=esc(person.full_name))
            person.roles.append(PersonRole(role=wanted.value, unit_id=unit_id))
            added = True
        Audit(self.ctx).record(
            "person.roles", "person", person.id, before={"roles": before}, after={"roles": roles_view(person)}
        )
        self._changed(person)
        return person, added

    def check_start(self, start: date) -> None:
        today = self.ctx.clock.today()
        if start < today:
            raise DateInPast(date=fmt_date(start), today=fmt_date(today))

    def check_period(self, start: date, end: date) -> None:
        self.check_start(start)
        if end < start:
            raise DateOrder(start=fmt_date(start), end=fmt_date(end))

    async def delegation_target(self, person_id: int) -> tuple[Person, Unit]:
        """Who is to act as head, and of which unit (their own): checked before the dates are asked."""
        self._require(Action.PEOPLE_EDIT)
        person = await self._person(person_id)
        if not person.active:
            raise PersonInactive(name=esc(person.full_name))
        unit = await self._unit(person.unit_id)
        if unit is None:
            raise NoUnit(name=esc(person.full_name))
        return person, unit

    async def delegate(self, person_id: int, start: date, end: date) -> tuple[Person, Unit, PersonRole]:
        """Let the person act as head of their unit from `start` to `end` (both days included)."""
        person, unit = await self.delegation_target(person_id)
        self.check_period(start, end)
        for r in person.roles:
            if r.role == Role.DEPUTY_HEAD and r.unit_id == unit.id:
                r_from, r_to = r.valid_from or date.min, r.valid_to or date.max
                if r_from <= end and start <= r_to:
                    raise DelegationOverlap(
                        name=esc(person.full_name),
                        start=fmt_date(r.valid_from) if r.valid_from else "…",
                        end=fmt_date(r.valid_to) if r.valid_to else "…",
                    )
        grant = PersonRole(role=Role.DEPUTY_HEAD.value, unit_id=unit.id, valid_from=start, valid_to=end)
        person.roles.append(grant)
        await self.session.flush()
        Audit(self.ctx).record(
            "person.delegation",
            "person",
            person.id,
            after={
                "role": Role.DEPUTY_HEAD,
                "unit_id": unit.id,
                "unit": unit.code,
                "valid_from": start,
                "valid_to": end,
            },
        )
        Outbox(self.ctx).to_person(
            person,
            t(
                "people-admin-notify-delegated",
                locale=person.language,
                unit=esc(unit.name),
                start=fmt_date(start),
                end=fmt_date(end),
            ),
            kind="people.delegation",
        )
        self._changed(person)
        return person, unit, grant

    async def end_delegation(self, person_id: int, grant_id: int) -> tuple[Person, Unit | None]:
        """End a delegation now: one that has not begun is removed, one in force ends yesterday."""
        self._require(Action.PEOPLE_EDIT)
        person = await self._person(person_id)
        today = self.ctx.clock.today()
        grant = next(
            (r for r in person.roles if r.id == grant_id and r.role == Role.DEPUTY_HEAD),
            None,
        )
        if grant is None or (grant.valid_to is not None and grant.valid_to < today):
            raise NotFound()
        before = grant_view(grant)
        if grant.valid_from is not None and grant.valid_from >= today:
            person.roles.remove(grant)
            after = None
        else:
            grant.valid_to = today - timedelta(days=1)
            after = grant_view(grant)
        Audit(self.ctx).record("person.delegation_ended", "person", person.id, before=before, after=after)
        self._changed(person)
        return person, await self._unit(grant.unit_id)

    async def rename(self, person_id: int, full_name: str) -> tuple[Person, str]:
        """Correct a person's full name (the rule of every full name applies). Returns (person, old name)."""
        self._require(Action.PEOPLE_EDIT)
        person = await self._person(person_id)
        name = clean_full_name(full_name)  # raises NameInvalid with the reason
        old = person.full_name
        if name == old:
            raise Unchanged()
        set_name(person, name)
        Audit(self.ctx).record(
            "person.name", "person", person.id, before={"full_name": old}, after={"full_name": name}
        )
        self._changed(person)
        return person, old

    async def set_position(self, person_id: int, text: str) -> Person:
        """Correct a person's position; "-" clears it."""
        self._require(Action.PEOPLE_EDIT)
        person = await self._person(person_id)
        value: str | None = nfc(" ".join((text or "").split()))
        if value in ("", "-", "—"):
            value = None
        if value is not None and len(value) > POSITION_MAX:
            raise PositionTooLong(max=POSITION_MAX, length=len(value))
        if value == person.position:
            raise Unchanged()
        Audit(self.ctx).record(
            "person.position",
            "person",
            person.id,
            before={"position": person.position},
            after={"position": value},
        )
        person.position = value
        self._changed(person)
        return person

    async def set_active(self, person_id: int, active: bool) -> Person:
        actor = self._require(Action.PEOPLE_EDIT)
        person = await self._person(person_id)
        if person.active == active:
            raise Unchanged()
        if not active and person.id == actor.person_id:
            raise SelfChange("people-admin-self-deactivate")
        Audit(self.ctx).record(
            "person.active", "person", person.id, before={"active": person.active}, after={"active": active}
        )
        person.active = active
        self._changed(person)
        return person

    # -- the command line ---------------------------------------------------------------------------
    async def add_admin(
        self, telegram_id: int, name: str | None = None, unit_code: str | None = None
    ) -> AdminAdded:
        """`thidua admin add`: link `telegram_id` to a person (found, matched on the roster, or created)
        and grant admin. Run by the operator on the server, so there is no actor to check."""
        if telegram_id <= 0:
            raise DomainError("people-admin-cli-bad-tid")
        if name is not None:
            name = clean_full_name(name)  # the rule of every full name; raises NameInvalid with the reason
        unit = await self._unit_by_code(unit_code) if unit_code else None
        now = self.ctx.clock.now()
        created = linked = False
        person, name = await self._admin_to_be(telegram_id, name, unit)
        before: dict[str, object] | None = None
        if person is None:
            person = self._new_admin(telegram_id, name, unit, now)
            created = True
        else:
            before = _admin_view(person)
            linked = _relink(person, telegram_id, name, unit, now)
        granted = not any(r.role == Role.ADMIN for r in person.roles)
        if granted:
            person.roles.append(PersonRole(role=Role.ADMIN.value, unit_id=None))
        await self.session.flush()
        after = _admin_view(person)
        if before != after:
            Audit(self.ctx).record("person.admin_added", "person", person.id, before=before, after=after)
        self._changed(person)
        return AdminAdded(person, created, linked, granted)

    async def _unit_by_code(self, unit_code: str) -> Unit:
        unit = await self.session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise BadUnitCode(code=unit_code)
        return unit

    async def _admin_to_be(
        self, telegram_id: int, name: str | None, unit: Unit | None
    ) -> tuple[Person | None, str | None]:
        """The person already linked to `telegram_id`, else the one roster person of that name (in `unit`,
        if given) not yet linked, else None; with the name still to set (None when the roster spells it)."""
        person = await self.session.scalar(select(Person).where(Person.telegram_id == telegram_id))
        if person is not None or not name:
            return person, name
        stmt = select(Person).where(Person.telegram_id.is_(None), Person.name_search == search_key(name))
        if unit is not None:
            stmt = stmt.where(Person.unit_id == unit.id)
        matches = list((await self.session.scalars(stmt)).all())
        if len(matches) > 1:
            raise AmbiguousName(count=len(matches), name=name)
        if matches:
            return matches[0], None  # the roster spells the name; it is not replaced by what was typed
        return None, name

    def _new_admin(self, telegram_id: int, name: str | None, unit: Unit | None, now: datetime) -> Person:
        person = Person(
            full_name="",
            name_search="",
            unit_id=unit.id if unit else None,
            telegram_id=telegram_id,
            language=self.ctx.settings.default_locale or "vi",
            source="cli",
            joined_at=now,
            created_at=now,
        )
        set_name(person, name or t("people-admin-default-admin-name", locale=person.language))
        if unit is not None:
            person.roles.append(PersonRole(role=Role.STAFF.value, unit_id=unit.id))
        self.session.add(person)
        return person


def _admin_view(person: Person) -> dict[str, object]:
    """What `thidua admin add` may change, as the audit records it."""
    return {
        "full_name": person.full_name,
        "unit_id": person.unit_id,
        "telegram_id": person.telegram_id,
        "active": person.active,
        "roles": roles_view(person),
    }


def _relink(person: Person, telegram_id: int, name: str | None, unit: Unit | None, now: datetime) -> bool:
    """An existing person made the admin's: linked (True if they were not), renamed, moved, active."""
    linked = person.telegram_id is None
    if linked:
        person.telegram_id = telegram_id
        person.joined_at = person.joined_at or now
    if name:
        set_name(person, name)
    if unit is not None:
        person.unit_id = unit.id
    person.active = True
    return linked


__all__ = [
    "PAGE_SIZE",
    "TOGGLE_ROLES",
    "AdminAdded",
    "Card",
    "Moved",
    "Page",
    "PeopleAdminService",
    "UnitCount",
    "parse_date",
    "query_key",
    "set_name",
]
