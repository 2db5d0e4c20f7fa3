"""Reminders before every deadline, only to those who have not acted: persisted, never lost, never doubled.

- The plan's rules (`plan_reminder_rule`: a deadline kind, offsets, audiences) say when: `deadline - offset`
  (days count calendar days, at REMINDER_DAY_AT), moved out of the quiet hours
  (bot/services/reminder_times.py). Nothing is queued in advance: on every tick the due work asks what is
  due by now, for the deadlines as they stand (bot/services/reminder_deadlines.py), so an extension or a
  moved ceremony is followed, and a reminder whose time passed while the bot was down still goes when it
  comes back, if its deadline has not passed. Of a rule's offsets only the latest one due
  goes: after a week of downtime a person gets one reminder, not three.
- Recipients are chosen when it goes, by the audience's provider (one query each,
  bot/services/reminder_audiences.py).
  Each reminder is one outbox row under the key (kind, school year, round or unit, deadline instant, offset,
  person): a restart, two overlapping runs or two processes on one database never queue it twice. Once a
  rule's offset has gone, a due mark (`due_mark`) says so and later ticks skip it without a query per person.
- Unit heads are not sent a stream of reminders: the rules' `unit_heads` audience puts the deadline in their
  daily summary (REMINDER_SUMMARY_AT), one message per head and day, of what their unit still has pending.
- The secretary can pause a round or a school year (`reminder_pause`); a person can mute the invitations to
  the council's review meeting and to the award ceremony (`reminder_mute`, kinds "review_meeting" and
  "ceremony"), never a reminder of their own missing duty. Their times and places are set in chat
  (bot/services/reminder_events.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from bot.errors import NotAllowed
from bot.roles import EVERYONE, Role, register_rules
from bot.services.audit import Audit
from bot.services.reminder_audiences import Occurrence, audience, people_where
from bot.services.reminder_due import (  # noqa: F401  (the names the rest of the bot imports from here)
    KIND,
    MUTABLE,
    PENDING,
    Due,
    ReminderTexts,
    duty_first,
    pause_scopes,
    reminder_key,
)
from bot.services.reminder_listing import (  # noqa: F401
    HORIZON,
    MANAGE,
    NUDGE_KEY,
    NoSuchReminder,
    NudgeQuiet,
    ReminderListing,
    Upcoming,
)
from bot.services.reminder_summary import SUMMARY_KIND  # noqa: F401
from storage.models import Person, PersonRole
from storage.models.reminder import ReminderMute
from storage.repositories.people import role_in_force

SETTINGS = "reminders_settings"  # /settings: muting the review days
register_rules({SETTINGS: EVERYONE})


class ReminderService(ReminderListing):
    """The reminders' one service: what is due and queuing it (reminder_due.py), the unit heads' summary
    (reminder_summary.py), the secretary's /reminders (reminder_listing.py), and a person's muting here."""

    # -- a person: muting in /settings --------------------------------------------------------------------
    async def my_mutes(self) -> set[str]:
        actor = self._me()
        stmt = select(ReminderMute.kind).where(ReminderMute.person_id == actor)
        return set((await self.ctx.session.scalars(stmt)).all())

    async def set_mute(self, kind: str, muted: bool) -> bool:
        """Mute or unmute an announcement-type reminder (again: no change); True when now muted. Duties
        cannot be muted."""
        person_id = self._me()
        if kind not in MUTABLE:
            raise NotAllowed()
        where = (ReminderMute.person_id == person_id, ReminderMute.kind == kind)
        row = await self.ctx.session.scalar(select(ReminderMute).where(*where))
        if muted == (row is not None):
            return muted  # already so (a double tap, an old message's button): nothing to change or audit
        if muted:
            self.ctx.session.add(ReminderMute(person_id=person_id, kind=kind, set_at=self.ctx.clock.now()))
        else:
            await self.ctx.session.delete(row)
        await self.ctx.session.flush()
        action = "reminders.muted" if muted else "reminders.unmuted"
        Audit(self.ctx).record(action, "person", person_id, after={"kind": kind})
        return muted

    def _me(self) -> int:
        if self.ctx.actor is None:
            raise NotAllowed()
        return self.ctx.actor.person_id


# -- the audiences every deadline can use (owned here) ----------------------------------------------------
def _with_role(role: Role, occ: Occurrence) -> Any:
    today = occ.today
    assert today is not None
    return (
        select(PersonRole.id)
        .where(PersonRole.person_id == Person.id, PersonRole.role == role.value, role_in_force(today))
        .exists()
    )


def _role_audience(role: Role, deadlines: Iterable[str], name: str) -> None:
    async def fn(session: Any, occ: Occurrence) -> list[int]:
        return await people_where(session, _with_role(role, occ))

    for deadline in deadlines:
        audience(deadline, name)(fn)


ALL_KINDS = (
    "registration_close",
    "acknowledgement",
    "nominations_close",
    "voting_open",
    "voting_close",
    "review_meeting",
    "ceremony",
    "province_report",
)
for _role, _name in ((Role.SECRETARY, "secretary"), (Role.PRINCIPAL, "principal"), (Role.UNION, "union")):
    _role_audience(_role, ALL_KINDS, _name)


@audience("ceremony", "all_staff")
async def everyone(session: Any, occ: Occurrence) -> list[int]:
    """Every linked member: the award ceremony is announced to all."""
    return await people_where(session)


_role_audience(Role.COUNCIL, ("review_meeting",), "council_members")  # the council's review meeting
