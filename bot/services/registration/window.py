"""The secretary's extension of the registration window, for the college or one unit."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.clock import fmt_date, fmt_when
from bot.errors import NotFound
from bot.plan.calendar import closes_at
from bot.services.audit import Audit
from bot.services.outbox import Outbox
from bot.services.reminder_audiences import recipients
from storage.models import Unit
from storage.models.plan import PlanSchoolYear
from storage.models.registration import (
    RegistrationExtension,
    extension_scope,
)

from .audiences import not_registered_in
from .core import RegistrationCore
from .rules import (
    KIND,
    BadDate,
    NotSecretary,
    Window,
)


class Windows(RegistrationCore):
    # -- the window's extension ----------------------------------------------------------------------------
    async def extension_target(self, unit_id: int | None) -> tuple[Window, Unit | None]:
        if not self.is_secretary():
            raise NotSecretary()
        unit = await self.roster.unit(unit_id) if unit_id else None
        if unit_id and unit is None:
            raise NotFound()
        return await self.window(unit_id=unit_id), unit

    async def closes_for(self, person_id: int | None, years: list[PlanSchoolYear]) -> dict[int, datetime]:
        """school year id -> when its registration closes for this person (the plan's close, or the
        college's extension or their unit's when later); the plan's for nobody in particular."""
        person = await self.people.get(person_id) if person_id is not None else None
        unit_id = person.unit_id if person is not None else None
        out = {}
        for year in years:
            window = await self.window(unit_id=unit_id, school_year=year)
            out[year.id] = window.closes_at
        return out

    async def check_extension(self, unit_id: int | None, until: date) -> Window:
        """The window as it stands, when registration may run to the end of the local day `until` for the
        college (None) or one unit; nothing is written (the secretary confirms first, and `extend` checks
        again). Raises BadDate: a day in the past, not later than the close now, after the school year."""
        window, _unit = await self.extension_target(unit_id)
        today = self.ctx.clock.today()
        year = window.school_year
        if until < today:
            raise BadDate("registration-ext-past", today=fmt_date(today))
        if closes_at(until).astimezone(UTC) <= window.closes_at:
            raise BadDate("registration-ext-not-later", closes=fmt_when(window.closes_at))
        if until > year.end:
            raise BadDate("registration-ext-after-year", end=fmt_date(year.end))
        return window

    async def extend(self, unit_id: int | None, until: date) -> Window:
        """Let registration run to the end of the local day `until`, for the college (None) or one unit."""
        me = self.actor
        window = await self.check_extension(unit_id, until)
        year = window.school_year
        new_close = closes_at(until).astimezone(UTC)
        existing = await self.repo.extension(year.id, unit_id)
        before = {"closes_at": existing.closes_at.isoformat() if existing else None, "unit_id": unit_id}
        now = self.ctx.clock.now()
        if existing is None:
            row = self.repo.add_extension(
                RegistrationExtension(
                    school_year_id=year.id,
                    scope=extension_scope(unit_id),
                    unit_id=unit_id,
                    closes_at=new_close,
                    set_by=me.person_id,
                    set_at=now,
                )
            )
            await self.ctx.session.flush()
        else:
            existing.closes_at, existing.set_by, existing.set_at = new_close, me.person_id, now
            row = existing
            await self.ctx.session.flush()
        Audit(self.ctx).record(
            "registration.window_extended",
            "registration_extension",
            row.id,
            before=before,
            after={"closes_at": new_close.isoformat(), "unit_id": unit_id, "school_year": year.code},
        )
        await self._tell_extension(row, year)
        return await self.window(unit_id=unit_id, school_year=year)

    async def _tell_extension(self, row: RegistrationExtension, year: PlanSchoolYear) -> None:
        """Those of its scope with no registration that counts are told the new close through the outbox,
        after the quiet hours, once per extension, close and person (a later extension tells again); not
        those whose own unit's extension runs later (nothing changed for them), nor the secretary."""
        outbox, windows = Outbox(self.ctx), {}
        not_before = self.after_quiet_hours()
        ids = await not_registered_in(self.ctx.session, year.id, row.unit_id)
        for person in await recipients(self.ctx.session, ids, self.ctx.clock.today()):
            if person.person_id == self.actor.person_id:
                continue
            if person.unit_id not in windows:
                windows[person.unit_id] = await self.window(unit_id=person.unit_id, school_year=year)
            if windows[person.unit_id].closes_at != row.closes_at:
                continue  # their unit's own extension runs later
            text = self.texts.extension_told(
                person.full_name, year.code, row.closes_at, person.language, principal=person.principal
            )
            key = f"reg-ext:{row.id}:{row.closes_at:%Y%m%d}:p{person.person_id}"
            await outbox.enqueue_once(
                key, person.telegram_id, text, person_id=person.person_id, kind=KIND, not_before=not_before
            )
