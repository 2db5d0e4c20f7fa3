"""A member's own settings."""

from __future__ import annotations

from bot.context import Ctx
from bot.i18n import LANGUAGES
from bot.services.audit import Audit
from storage.repositories.people import PeopleRepo


class UnknownLanguage(ValueError):
    pass


class ProfileService:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx

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
