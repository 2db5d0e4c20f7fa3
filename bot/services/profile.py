"""A member's own settings, and who they are in the bot."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.context import Ctx
from bot.i18n import LANGUAGES
from bot.roles import Member, Role
from bot.services.audit import Audit
from storage.models import Unit
from storage.repositories.people import PeopleRepo


@dataclass(frozen=True)
class Whoami:
    """A member's unit and roles, each role with the unit it is held for (None: the whole college)."""

    unit_name: str | None
    roles: list[tuple[Role, str | None]]


class UnknownLanguage(ValueError):
    pass


class ProfileService:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx

    async def whoami(self, me: Member) -> Whoami:
        ids = {me.unit_id, *(g.unit_id for g in me.grants)} - {None}
        rows = (await self.ctx.session.execute(select(Unit).where(Unit.id.in_(ids)))).scalars() if ids else []
        names = {u.id: u.name for u in rows}
        order = list(Role)
        grants = sorted(me.grants, key=lambda g: (order.index(g.role), g.unit_id or 0))
        roles = [
            (g.role, names.get(g.unit_id) if g.unit_id not in (None, me.unit_id) else None) for g in grants
        ]
        return Whoami(names.get(me.unit_id) if me.unit_id is not None else None, roles)

    async def set_language(self, person_id: int, language: str) -> bool:
        """Returns True when the language changed."""
        if language not in LANGUAGES:
            raise UnknownLanguage(language)
        person = await PeopleRepo(self.ctx.session).get(person_id)
        if person is None or person.language == language:
            return False
        Audit(self.ctx).record(
            "person.language",
            "person",
            person.id,
            before={"language": person.language},
            after={"language": language},
        )
        person.language = language
        self.ctx.forget_person(person.telegram_id)
        return True
