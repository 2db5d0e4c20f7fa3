"""A made file queued to the person who asked for it, through the outbox, and audited (the kind and the
filter, never the content: the files hold personal data)."""

from __future__ import annotations

from typing import Any

from bot.context import Ctx
from bot.services.audit import Audit
from bot.services.documents.common import KIND
from bot.services.outbox import Outbox
from storage.models import Person


async def send_file(
    ctx: Ctx, what: str, name: str, content: bytes, caption: str, *, photo: bool = False, **filters: Any
) -> bool:
    """Queue `content` to the actor (False when they cannot be reached), audited as documents.<what>."""
    assert ctx.actor is not None
    person = await ctx.session.get(Person, ctx.actor.person_id)
    assert person is not None
    outbox = Outbox(ctx)
    kind = "photo" if photo else "document"
    stored = await outbox.file(name=name, data=content, kind=kind)
    row = outbox.to_person(person, caption, kind=KIND, method=kind, file=stored)
    Audit(ctx).record(f"documents.{what}", "person", person.id, after={"file": name, **filters})
    return row is not None
