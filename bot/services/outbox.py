"""Adding messages to the outbox. The sender (bot/sender.py) delivers them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.context import Ctx
from storage.models import OutboxMessage, Person


class Outbox:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx

    def enqueue(
        self,
        chat_id: int,
        text: str | None,
        *,
        kind: str = "notice",
        person_id: int | None = None,
        reply_markup: dict[str, Any] | None = None,
        method: str = "message",
        file_id: str | None = None,
        not_before: datetime | None = None,
    ) -> OutboxMessage:
        now = self.ctx.clock.now()
        row = OutboxMessage(
            chat_id=chat_id,
            person_id=person_id,
            kind=kind,
            method=method,
            text=text,
            file_id=file_id,
            reply_markup=reply_markup,
            status="pending",
            attempts=0,
            not_before=not_before or now,
            created_at=now,
        )
        self.ctx.session.add(row)
        wake = self.ctx.outbox_wake
        if wake is not None:
            self.ctx.uow.on_commit(wake.set)
        return row

    def to_person(self, person: Person, text: str, **kwargs: Any) -> OutboxMessage | None:
        """Queue `text` for a linked, reachable person; returns None when they cannot be reached."""
        if person.telegram_id is None or person.unreachable or not person.active:
            return None
        return self.enqueue(person.telegram_id, text, person_id=person.id, **kwargs)
