"""Each person's own data (issue 22, M20): everything stored about them, as rows for a file, and no more.

`MyDataService(ctx).collect(person_id)` reads, for the person asking:
- the profile (the roster's fields and the Telegram link) and the roles, with their units and dates;
- plan acknowledgements; registrations for a title that are theirs (individual);
- good deeds they reported (all of theirs, anonymous or not) and good deeds about them: the reporter is
  named only when they did not ask to stay anonymous;
- nominations of them: the title, the round, the state and their report; the nomination's summary only
  where the plan lets the nominee read it (`nominee_can_read_summary`), never who nominated them;
- audit entries about their person record: what changed and when, and whether they did it themselves
  (nobody else is named: an entry's actor may be someone they must not learn of). An entry holds ids and
  which personal fields changed, never their values (bot/services/audit.py); `now` gives, looked up when
  the file is made, the current value of each field it names and the unit it names by id.
Ballots are not there: no table links a ballot to a member after the tally, and during a vote the seal
tells nothing without the key (decision 25). `send(...)` queues the file to the person through the outbox
and audits that it was asked for (the counts only, never the content).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from bot.context import Ctx
from bot.roles import Role, Scope, register_rules, role_name
from bot.services.audit import PERSONAL, Audit
from bot.services.outbox import Outbox
from storage.models import (
    AuditEntry,
    GoodDeed,
    Nomination,
    Person,
    PersonRole,
    PlanAcknowledgement,
    PlanPeriod,
    Registration,
    Unit,
)
from storage.models.plan import PlanCommendation, PlanRound, PlanSchoolYear

MY_DATA = "my_data"
KIND = "my-data"  # the outbox rows of this feature
register_rules({MY_DATA: {r: Scope.ALL for r in Role}})
Row = dict[str, Any]


@dataclass
class MyData:
    person_id: int
    language: str
    made_at: datetime
    profile: Row
    sections: dict[str, list[Row]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.sections.items()}


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _when(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


class MyDataService:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx
        self.s = ctx.session
        self._names: dict[tuple[type, int], str] = {}

    async def _name(self, model: type, row_id: int | None, locale: str) -> str | None:
        """A unit's, title's, round's or period's name in the person's language (a person's: full name)."""
        if row_id is None:
            return None
        key = (model, row_id)
        if key not in self._names:
            row = await self.s.get(model, row_id)
            if row is None:
                return None
            name = getattr(row, f"name_{locale}", None) or getattr(row, f"title_{locale}", None)
            self._names[key] = name or getattr(row, "name", None) or getattr(row, "full_name", "") or row.code
        return self._names[key]

    async def _of(self, model: Any, *where: Any) -> list[Any]:
        """The rows of `model` matching `where`, in the order they were written."""
        return list((await self.s.scalars(select(model).where(*where).order_by(model.id))).all())

    async def collect(self, person_id: int) -> MyData:
        person = await self.s.get(Person, person_id)
        assert person is not None
        lang = person.language
        data = MyData(person_id, lang, self.ctx.clock.now(), await self._profile(person))
        data.sections = {
            "roles": await self._roles(person),
            "acknowledgements": await self._acknowledgements(person),
            "registrations": await self._registrations(person),
            "good_deeds_reported": await self._deeds_reported(person),
            "good_deeds_about_me": await self._deeds_about(person),
            "nominations": await self._nominations(person),
            "changes_to_my_record": await self._audit(person),
        }
        return data

    async def _profile(self, p: Person) -> Row:
        return {
            "full_name": p.full_name,
            "unit": await self._name(Unit, p.unit_id, p.language),
            "position": p.position,
            "hr_id": p.hr_id,
            "birth_date": _day(p.birth_date),
            "email": p.email,
            "phone": p.phone,
            "telegram_id": p.telegram_id,
            "language": p.language,
            "active": p.active,
            "joined_at": _when(p.joined_at),
            "on_roster_since": _when(p.created_at),
        }

    async def _roles(self, p: Person) -> list[Row]:
        rows = await self.s.scalars(
            select(PersonRole).where(PersonRole.person_id == p.id).order_by(PersonRole.id)
        )
        return [
            {
                "role": role_name(r.role, p.language),
                "unit": await self._name(Unit, r.unit_id, p.language),
                "from": _day(r.valid_from),
                "to": _day(r.valid_to),
            }
            for r in rows
        ]

    async def _acknowledgements(self, p: Person) -> list[Row]:
        rows = await self.s.scalars(
            select(PlanAcknowledgement)
            .where(PlanAcknowledgement.person_id == p.id)
            .order_by(PlanAcknowledgement.id)
        )
        return [
            {"plan": await self._name(PlanPeriod, a.period_id, p.language), "at": _when(a.acknowledged_at)}
            for a in rows
        ]

    async def _registrations(self, p: Person) -> list[Row]:
        rows = await self._of(Registration, Registration.person_id == p.id)
        out = []
        for r in rows:
            year = await self.s.get(PlanSchoolYear, r.school_year_id)
            out.append(
                {
                    "school_year": year.code if year else None,
                    "title": await self._name(PlanCommendation, r.title_id, p.language),
                    "commitments": r.commitments,
                    "state": r.state,
                    "return_reason": r.return_reason,
                    "submitted_at": _when(r.submitted_at),
                    "decided_at": _when(r.decided_at),
                }
            )
        return out

    async def _deed(self, d: GoodDeed, lang: str, *, reporter: bool) -> Row:
        row: Row = {
            "happened_on": _day(d.happened_on),
            "text": d.text,
            "state": d.state,
            "reason": d.reason,
            "reported_at": _when(d.created_at),
        }
        if reporter:
            row["reporter"] = None if d.anonymous else await self._name(Person, d.reporter_id, lang)
        else:
            row["about"] = await self._name(Person, d.person_id, lang) if d.person_id else None
            row["about_unit"] = await self._name(Unit, d.unit_id, lang)
            row["anonymous"] = d.anonymous
        return row

    async def _deeds_reported(self, p: Person) -> list[Row]:
        rows = await self.s.scalars(
            select(GoodDeed).where(GoodDeed.reporter_id == p.id).order_by(GoodDeed.id)
        )
        return [await self._deed(d, p.language, reporter=False) for d in rows]

    async def _deeds_about(self, p: Person) -> list[Row]:
        rows = await self._of(GoodDeed, GoodDeed.person_id == p.id, GoodDeed.reporter_id != p.id)
        return [await self._deed(d, p.language, reporter=True) for d in rows]

    async def _nominations(self, p: Person) -> list[Row]:
        rows = await self.s.scalars(
            select(Nomination).where(Nomination.person_id == p.id).order_by(Nomination.id)
        )
        out = []
        for n in rows:
            round_ = await self.s.get(PlanRound, n.round_id)
            period = await self.s.get(PlanPeriod, round_.period_id) if round_ else None
            readable = bool(period and period.nominee_can_read_summary)
            out.append(
                {
                    "title": await self._name(PlanCommendation, n.commendation_id, p.language),
                    "round": await self._name(PlanRound, n.round_id, p.language),
                    "state": n.state,
                    "summary": n.summary if readable else None,
                    "report_state": n.report_state,
                    "report_text": n.report_text,
                    "nominated_at": _when(n.created_at),
                }
            )
        return out

    async def _audit(self, p: Person) -> list[Row]:
        rows = await self._of(
            AuditEntry, AuditEntry.object_type == "person", AuditEntry.object_id == str(p.id)
        )
        out = []
        for a in rows:
            row: Row = {
                "at": _when(a.at),
                "action": a.action,
                "by_me": a.actor_id == p.id,
                "before": a.before,
                "after": a.after,
            }
            now = await self._now(p, a)
            if now:
                row["now"] = now
            out.append(row)
        return out

    async def _now(self, p: Person, a: AuditEntry) -> Row:
        """What an entry names by id or leaves out (a personal field: KEPT_OUT), as it is now: the entry keeps
        ids only (issue 22, M20), so a name is looked up when the file is made."""
        named = {**(a.before or {}), **(a.after or {})}
        now: Row = {}
        for key in sorted(named):
            if key in PERSONAL and key not in ("name_search", "telegram_id"):
                value = getattr(p, key, None)
                now[key] = _day(value) if isinstance(value, date) else value
            elif key == "unit_id" and isinstance(named[key], int):
                now["unit"] = await self._name(Unit, named[key], p.language)
        return now

    async def send(self, data: MyData, file_name: str, content: bytes, caption: str) -> bool:
        """Queue the file to the person (False when they cannot be reached), and audit the request."""
        person = await self.s.get(Person, data.person_id)
        assert person is not None
        outbox = Outbox(self.ctx)
        stored = await outbox.file(name=file_name, data=content)
        row = outbox.to_person(person, caption, kind=KIND, method="document", file=stored)
        Audit(self.ctx).record(f"{MY_DATA}.sent", "person", person.id, after=data.counts())
        return row is not None
