"""Bound chats and broadcasts: queries. Never commits (the unit of work does)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, Person, Unit
from storage.models.channels import Broadcast, ChatBinding

REFUSALS = ("forbidden", "chat_not_found", "not_enough_rights")  # a group's errors that retire its binding


class ChannelRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_chat(self, chat_id: int) -> ChatBinding | None:
        return await self.session.scalar(select(ChatBinding).where(ChatBinding.chat_id == chat_id))

    async def get(self, binding_id: int) -> ChatBinding | None:
        return await self.session.get(ChatBinding, binding_id)

    def add(self, row: ChatBinding) -> ChatBinding:
        self.session.add(row)
        return row

    async def listed(self) -> list[ChatBinding]:
        """Every chat ever bound (active first), by title; chats offered but never bound are left out."""
        stmt = (
            select(ChatBinding)
            .where(ChatBinding.purpose.is_not(None))
            .order_by(ChatBinding.active.desc(), ChatBinding.title, ChatBinding.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def active(self, ids: Iterable[int] | None = None) -> list[ChatBinding]:
        stmt = select(ChatBinding).where(ChatBinding.active.is_(True))
        if ids is not None:
            stmt = stmt.where(ChatBinding.id.in_(list(ids)))
        return list((await self.session.scalars(stmt.order_by(ChatBinding.title, ChatBinding.id))).all())

    async def reason_since(self, reason: str, before: datetime) -> list[ChatBinding]:
        """The inactive rows with this reason, unchanged since `before`."""
        stmt = select(ChatBinding).where(
            ChatBinding.active.is_(False),
            ChatBinding.retired_reason == reason,
            ChatBinding.updated_at <= before,
        )
        return list((await self.session.scalars(stmt.order_by(ChatBinding.id))).all())

    async def move_reason(self, binding_id: int, before: str, after: str, now: datetime) -> bool:
        """A conditional UPDATE of an inactive row's reason: True when this call moved it."""
        result = await self.session.execute(
            update(ChatBinding)
            .where(
                ChatBinding.id == binding_id,
                ChatBinding.active.is_(False),
                ChatBinding.retired_reason == before,
            )
            .values(retired_reason=after, updated_at=now, version=ChatBinding.version + 1)
            .execution_options(synchronize_session="fetch")
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def units(self) -> list[Unit]:
        return list(
            (
                await self.session.scalars(
                    select(Unit).where(Unit.active.is_(True)).order_by(Unit.name, Unit.id)
                )
            ).all()
        )

    async def unit(self, unit_id: int | None) -> Unit | None:
        return await self.session.get(Unit, unit_id) if unit_id is not None else None

    async def cancel_queued(self, chat_id: int, kind: str) -> int:
        """Cancel the rows of this kind still waiting to go to a chat (the sender checks before sending)."""
        result = await self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.chat_id == chat_id,
                OutboxMessage.kind == kind,
                OutboxMessage.status.in_(("pending", "sending")),
            )
            .values(status="cancelled", error="cancelled")
            .execution_options(synchronize_session="fetch")
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def refused_chats(self, row_ids: list[int]) -> dict[int, str]:
        """{chat id: error} of these outbox rows that a group or channel refused."""
        stmt = select(OutboxMessage.chat_id, OutboxMessage.error).where(
            OutboxMessage.id.in_(row_ids),
            OutboxMessage.chat_id < 0,
            OutboxMessage.status == "failed",
            OutboxMessage.error.in_(REFUSALS),
        )
        return {chat: error for chat, error in (await self.session.execute(stmt)).all()}

    async def moved_chats(self, delivered: dict[int, int]) -> dict[int, int]:
        """{old chat id: new chat id} of the rows (id → chat id claimed) now queued to another chat."""
        if not delivered:
            return {}
        stmt = select(OutboxMessage.id, OutboxMessage.chat_id).where(OutboxMessage.id.in_(list(delivered)))
        return {
            delivered[row_id]: chat
            for row_id, chat in (await self.session.execute(stmt)).all()
            if chat != delivered[row_id]
        }


class BroadcastRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: Broadcast) -> Broadcast:
        self.session.add(row)
        return row

    async def get(self, broadcast_id: int) -> Broadcast | None:
        return await self.session.get(Broadcast, broadcast_id)

    async def by_batches(self, batches: Iterable[str]) -> list[Broadcast]:
        stmt = select(Broadcast).where(Broadcast.batch.in_(list(batches)), Broadcast.state == "running")
        return list((await self.session.scalars(stmt)).all())

    async def running(self) -> list[Broadcast]:
        stmt = select(Broadcast).where(Broadcast.state == "running").order_by(Broadcast.id)
        return list((await self.session.scalars(stmt)).all())

    async def due(self, now: datetime) -> list[tuple[int, datetime]]:
        """(id, scheduled_at) of the scheduled broadcasts whose time has come, the earliest first."""
        stmt = select(Broadcast.id, Broadcast.scheduled_at).where(
            Broadcast.state == "scheduled", Broadcast.scheduled_at <= now
        )
        rows = await self.session.execute(stmt.order_by(Broadcast.scheduled_at, Broadcast.id))
        return [(i, at) for i, at in rows.all()]

    async def recent(self, limit: int = 10) -> list[Broadcast]:
        stmt = select(Broadcast).order_by(Broadcast.created_at.desc(), Broadcast.id.desc()).limit(limit)
        return list((await self.session.scalars(stmt)).all())

    async def move_state(
        self, broadcast_id: int, before: tuple[str, ...], after: str, **values: object
    ) -> bool:
        """A conditional UPDATE: True when this call moved the broadcast (a second one finds it moved)."""
        result = await self.session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.state.in_(before))
            .values(state=after, **values)
            .execution_options(synchronize_session="fetch")
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def take_progress_turn(self, broadcast_id: int, now: datetime, every: timedelta) -> bool:
        """A conditional UPDATE of `progress_at`: True for the one caller whose turn it is to edit the
        progress message (none within `every` of the last), however many check at once."""
        result = await self.session.execute(
            update(Broadcast)
            .where(
                Broadcast.id == broadcast_id,
                or_(Broadcast.progress_at.is_(None), Broadcast.progress_at <= now - every),
            )
            .values(progress_at=now)
            .execution_options(synchronize_session="fetch")
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def statuses(self, batch: str) -> list[tuple[int, str]]:
        """(chat id, status) of every row of a batch."""
        stmt = select(OutboxMessage.chat_id, OutboxMessage.status).where(OutboxMessage.batch == batch)
        return [(c, s) for c, s in (await self.session.execute(stmt)).all()]

    async def rows_of(self, broadcast_id: int) -> list[OutboxMessage]:
        """Every post row of a broadcast, over all its rounds, oldest first."""
        stmt = (
            select(OutboxMessage)
            .where(OutboxMessage.batch.like(f"bc:{broadcast_id}:%"))
            .order_by(OutboxMessage.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def joined_people(self, unit_id: int | None = None) -> list[Person]:
        """Active people who have joined (a Telegram id), of one unit or of the college."""
        stmt = select(Person).where(Person.telegram_id.is_not(None), Person.active.is_(True))
        if unit_id is not None:
            stmt = stmt.where(Person.unit_id == unit_id)
        return list((await self.session.scalars(stmt.order_by(Person.id))).all())

    async def people_by_chat(self, chat_ids: Iterable[int]) -> dict[int, Person]:
        ids = [c for c in chat_ids if c > 0]
        if not ids:
            return {}
        stmt = select(Person).where(Person.telegram_id.in_(ids))
        return {p.telegram_id: p for p in (await self.session.scalars(stmt)).all()}  # type: ignore[misc]

    async def pending_edit(self, progress_row_id: int) -> OutboxMessage | None:
        """The progress message's edit still waiting to go out, if any (a newer count replaces its text)."""
        stmt = select(OutboxMessage).where(
            OutboxMessage.edit_of_id == progress_row_id, OutboxMessage.status == "pending"
        )
        return await self.session.scalar(stmt.order_by(OutboxMessage.id.desc()).limit(1))
