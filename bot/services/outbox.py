"""Adding messages to the outbox. The sender (bot/sender.py) delivers them.

- `enqueue` / `to_person` queue a message, a document or photo (an existing `file_id`, or an upload made
  with `file(...)`), or an edit (`method="edit"` with `edit_of=row` or `edit_message_id=`).
- `enqueue_once` / `to_person_once` do the same under an idempotency key: a key already queued is a no-op
  that returns the existing row, without an error that would roll back the update.
- `batch=` groups rows sent together; `batch_report(batch)` counts them; `cancel(...)` stops rows not
  yet sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.context import Ctx
from bot.services.reminder_times import QuietHours
from storage.models import OutboxMessage, Person
from storage.models.core import OutboxFile

NOT_SENT = ("pending", "sending")  # what `cancel` stops
EDITS = ("edit", "edit_caption")


def _read(path: Path) -> tuple[bytes, str]:
    return path.read_bytes(), str(path.resolve())


@dataclass(frozen=True)
class BatchReport:
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    pending: int = 0  # queued, or being sent right now
    cancelled: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.blocked + self.pending + self.cancelled

    @property
    def done(self) -> bool:
        return self.pending == 0


class Outbox:
    def __init__(self, ctx: Ctx) -> None:
        self.ctx = ctx

    @staticmethod
    def new_batch(label: str) -> str:
        """A fresh batch id, e.g. `plan-sent:3f2a…`; any string up to 64 characters will also do."""
        return f"{label[:40]}:{uuid.uuid4().hex[:16]}"

    def _values(
        self,
        chat_id: int,
        text: str | None,
        *,
        kind: str = "notice",
        person_id: int | None = None,
        reply_markup: dict[str, Any] | None = None,
        method: str = "message",
        file_id: str | None = None,
        file: OutboxFile | None = None,
        batch: str | None = None,
        edit_of: OutboxMessage | None = None,
        edit_message_id: int | None = None,
        not_before: datetime | None = None,
        expires_at: datetime | None = None,
        quiet_ok: bool = False,
    ) -> dict[str, Any]:
        if method in EDITS:
            if (edit_of is None) == (edit_message_id is None):
                raise ValueError("an edit needs exactly one of edit_of= and edit_message_id=")
        elif edit_of is not None or edit_message_id is not None:
            raise ValueError(f"edit_of= and edit_message_id= are for method='edit', not {method!r}")
        if file is not None:
            if method not in ("document", "photo") or file_id is not None:
                raise ValueError("file= goes with method='document' or 'photo', instead of file_id=")
            if file.id is None:
                raise ValueError("file= must come from Outbox.file(...)")
        now = self.ctx.clock.now()
        return {
            "chat_id": chat_id,
            "person_id": person_id,
            "kind": kind,
            "method": method,
            "text": text,
            "file_id": file_id,
            "outbox_file_id": file.id if file is not None else None,
            "reply_markup": reply_markup,
            "batch": batch,
            "edit_of": edit_of,
            "edit_message_id": edit_message_id,
            "status": "pending",
            "attempts": 0,
            "not_before": self._after_quiet(chat_id, method, not_before or now, quiet_ok),
            "expires_at": expires_at,
            "created_at": now,
        }

    def _after_quiet(self, chat_id: int, method: str, when: datetime, quiet_ok: bool) -> datetime:
        """`when`, or the end of the quiet hours holding it for a person who did not just act: a private
        chat other than the actor's (or any, from due work), unless the feature already decided (`quiet_ok`).
        An edit changes a message already there: it notifies nobody, and goes at once."""
        actor = self.ctx.actor
        if quiet_ok or method in EDITS or chat_id < 0 or (actor is not None and actor.telegram_id == chat_id):
            return when
        quiet = QuietHours.parse(self.ctx.settings.reminder_quiet_hours, self.ctx.settings.tz)
        window = quiet.window_of(when)
        return window[1].astimezone(UTC) if window is not None else when

    def _wake(self) -> None:
        wake = self.ctx.outbox_wake
        if wake is not None:
            self.ctx.uow.on_commit(wake.set)

    def enqueue(self, chat_id: int, text: str | None, **kwargs: Any) -> OutboxMessage:
        """Queue one row (see `_values` for the keyword arguments); sent after the update commits."""
        values = self._values(chat_id, text, **kwargs)
        edit_of = values.pop("edit_of")
        row = OutboxMessage(**values)
        if edit_of is not None:
            row.edit_of = edit_of  # its id may not be known yet: the flush fills edit_of_id
        self.ctx.session.add(row)
        self._wake()
        return row

    async def enqueue_once(self, key: str, chat_id: int, text: str | None, **kwargs: Any) -> OutboxMessage:
        """Queue a row under an idempotency key, or return the row already queued under it.

        Safe when two updates enqueue the same key at once: the insert is INSERT … ON CONFLICT DO NOTHING,
        so the loser neither fails nor rolls back its update; it gets the winner's row.
        """
        existing = await self._by_key(key)
        if existing is not None:
            return existing
        values = self._values(chat_id, text, **kwargs) | {"idempotency_key": key}
        edit_of = values.pop("edit_of")
        if edit_of is not None:
            if edit_of.id is None:
                await self.ctx.session.flush()
            values["edit_of_id"] = edit_of.id
        stmt = (
            self._insert(OutboxMessage)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(OutboxMessage.id)
        )
        new_id = await self.ctx.session.scalar(stmt)
        if new_id is None:  # someone else's commit won the race
            row = await self._by_key(key)
            assert row is not None
            return row
        self._wake()
        row = await self.ctx.session.get(OutboxMessage, new_id)
        assert row is not None
        return row

    def to_person(self, person: Person, text: str | None, **kwargs: Any) -> OutboxMessage | None:
        """Queue `text` for a linked, reachable person; returns None when they cannot be reached."""
        if not self.reachable(person):
            return None
        return self.enqueue(person.telegram_id, text, person_id=person.id, **kwargs)  # type: ignore[arg-type]

    async def to_person_once(
        self, key: str, person: Person, text: str | None, **kwargs: Any
    ) -> OutboxMessage | None:
        if not self.reachable(person):
            return await self._by_key(key)
        return await self.enqueue_once(key, person.telegram_id, text, person_id=person.id, **kwargs)  # type: ignore[arg-type]

    @staticmethod
    def reachable(person: Person) -> bool:
        return person.telegram_id is not None and not person.unreachable and person.active

    async def _by_key(self, key: str) -> OutboxMessage | None:
        return await self.ctx.session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == key)
        )

    def _insert(self, table: Any) -> Any:
        return (sqlite if self.ctx.settings.is_sqlite else postgresql).insert(table)

    # -- uploads -----------------------------------------------------------------------------------------
    async def file(
        self,
        *,
        name: str,
        data: bytes | None = None,
        path: str | Path | None = None,
        kind: str = "document",
    ) -> OutboxFile:
        """The stored content to send with `method=kind, file=...`; the same content is stored once.

        The sender uploads it on the first send and reuses the `file_id` afterwards. Give `data` (kept in
        the database) or `path` (read when uploading; it must still be there then).
        """
        if (data is None) == (path is None):
            raise ValueError("give exactly one of data= and path=")
        if kind not in ("document", "photo"):
            raise ValueError(f"kind must be 'document' or 'photo', not {kind!r}")
        stored_path = None
        if data is not None:
            content = data
        else:
            content, stored_path = await asyncio.to_thread(_read, Path(path))  # type: ignore[arg-type]
        digest = hashlib.sha256(content).hexdigest()
        where = (OutboxFile.sha256 == digest, OutboxFile.kind == kind, OutboxFile.name == name)
        found = await self.ctx.session.scalar(select(OutboxFile).where(*where))
        if found is not None:
            if found.data is None and found.path is None and data is not None:
                found.data = data  # blanked by the retention (bot/services/retention.py): stored again
                found.created_at = self.ctx.clock.now()
            return found
        stmt = (
            self._insert(OutboxFile)
            .values(
                sha256=digest,
                kind=kind,
                name=name,
                size=len(content),
                data=data,
                path=stored_path,
                created_at=self.ctx.clock.now(),
            )
            .on_conflict_do_nothing(index_elements=["sha256", "kind", "name"])
        )
        await self.ctx.session.execute(stmt)
        found = await self.ctx.session.scalar(select(OutboxFile).where(*where))
        assert found is not None
        return found

    # -- batches and cancelling --------------------------------------------------------------------------
    async def batch_report(self, batch: str) -> BatchReport:
        rows = await self.ctx.session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.batch == batch)
            .group_by(OutboxMessage.status)
        )
        counts = {"sent": 0, "failed": 0, "blocked": 0, "pending": 0, "cancelled": 0}
        for status, n in rows.all():
            counts["pending" if status in NOT_SENT else status] += n
        return BatchReport(**counts)

    async def cancel(
        self,
        *,
        batch: str | None = None,
        kind: str | None = None,
        person_id: int | None = None,
        key: str | None = None,
    ) -> int:
        """Cancel the rows not yet sent: of a batch, or of a kind for a person (or under a key).

        A row already claimed by the sender is cancelled too; the sender checks just before sending.
        Returns how many rows were cancelled.
        """
        conds: list[Any] = [OutboxMessage.status.in_(NOT_SENT)]
        if batch is not None:
            conds.append(OutboxMessage.batch == batch)
        elif key is not None:
            conds.append(OutboxMessage.idempotency_key == key)
        elif kind is not None and person_id is not None:
            conds += [OutboxMessage.kind == kind, OutboxMessage.person_id == person_id]
        else:
            raise ValueError("cancel needs batch=, key=, or kind= and person_id=")
        if batch is not None and kind is not None:
            conds.append(OutboxMessage.kind == kind)
        result = await self.ctx.session.execute(
            update(OutboxMessage)
            .where(*conds)
            .values(status="cancelled", error="cancelled")
            .execution_options(synchronize_session="fetch")
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
