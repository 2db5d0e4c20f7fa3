"""The reminders that finally gave up (issue 18, item A1): counted per deadline in /reminders, with a file.

The sender retries a row until it expires (a reminder: at its deadline) and then marks it given up (status
"failed" with the error "gave_up", or "gave_up"). Those are listed per deadline (kind, school year, round or
unit), one line per person, in the rows of a broadcast's failures file (bot/exports/announce.py), so the
secretary can reach them another way. A person with two given-up reminders of one deadline is one line.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from bot.context import Ctx
from bot.errors import NotAllowed
from bot.roles import can
from bot.services.announce import Failure
from bot.services.reminder_due import KIND
from bot.services.reminder_listing import MANAGE
from storage.models import OutboxMessage, Person, Unit
from storage.models.plan import PlanRound

GAVE_UP = or_(
    OutboxMessage.status == "gave_up",
    and_(OutboxMessage.status == "failed", OutboxMessage.error == "gave_up"),
)


@dataclass(frozen=True)
class GaveUp:
    """The reminders of one deadline that reached nobody, by person."""

    kind: str
    school_year: str
    scope: str  # all | r<round> | u<unit>
    name_vi: str  # the round's or the unit's name; "" for the college
    name_en: str
    failures: list[Failure]

    def name(self, locale: str | None) -> str:
        return (self.name_en if locale == "en" else "") or self.name_vi


def deadline_of(key: str | None) -> tuple[str, str, str] | None:
    """(kind, school year, scope) of a reminder's key ("rem:…" or the secretary's "rem-nudge:…")."""
    parts = (key or "").split(":")
    if (parts[0] == "rem" and len(parts) == 7) or (parts[0] == "rem-nudge" and len(parts) == 6):
        return parts[1], parts[2], parts[3]
    return None


class ReminderFailures:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx

    def _manager(self) -> None:
        if self.ctx.actor is None or not can(self.ctx.actor, MANAGE):
            raise NotAllowed()

    async def listed(self) -> list[GaveUp]:
        """Every deadline with reminders that gave up, in the order they were queued (one query, and one
        for the names of the rounds and units)."""
        self._manager()
        stmt = (
            select(
                OutboxMessage.idempotency_key, OutboxMessage.chat_id, Person.full_name, OutboxMessage.error
            )
            .outerjoin(Person, Person.id == OutboxMessage.person_id)
            .where(OutboxMessage.kind == KIND, GAVE_UP)
            .order_by(OutboxMessage.id)
        )
        found: dict[tuple[str, str, str], dict[int, Failure]] = {}
        for key, chat_id, name, error in (await self.ctx.session.execute(stmt)).all():
            deadline = deadline_of(key)
            if deadline is not None:
                found.setdefault(deadline, {})[chat_id] = Failure(name or str(chat_id), "failed", error)
        names = await self._names({scope for _, _, scope in found})
        return [
            GaveUp(kind, year, scope, *names.get(scope, ("", "")), list(people.values()))
            for (kind, year, scope), people in found.items()
        ]

    async def of(self, kind: str, school_year: str, scope: str) -> list[Failure]:
        """Who one deadline's reminders did not reach (the file's rows); [] when none gave up."""
        for item in await self.listed():
            if (item.kind, item.school_year, item.scope) == (kind, school_year, scope):
                return item.failures
        return []

    async def _names(self, scopes: set[str]) -> dict[str, tuple[str, str]]:
        rounds = [int(s[1:]) for s in scopes if s[:1] == "r" and s[1:].isdigit()]
        units = [int(s[1:]) for s in scopes if s[:1] == "u" and s[1:].isdigit()]
        out: dict[str, tuple[str, str]] = {}
        if rounds:
            stmt = select(PlanRound.id, PlanRound.name_vi, PlanRound.name_en).where(PlanRound.id.in_(rounds))
            out |= {f"r{i}": (vi, en) for i, vi, en in (await self.ctx.session.execute(stmt)).all()}
        if units:
            stmt_u = select(Unit.id, Unit.name).where(Unit.id.in_(units))
            out |= {f"u{i}": (name, name) for i, name in (await self.ctx.session.execute(stmt_u)).all()}
        return out
