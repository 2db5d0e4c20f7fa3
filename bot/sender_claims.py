"""The outbox sender's claims: which rows one sender takes, and which process holds them (issue 18, item 3).

- `claim_rows` takes the due rows (edits first, then in order) atomically: FOR UPDATE SKIP LOCKED on
  PostgreSQL, one claimer per process on SQLite. A claim is a lease; one never finished is taken again
  after it.
- Each sender has a random `process_id`, written in `outbox.claimed_by`, and beats `process_heartbeat`
  every HEARTBEAT_EVERY. A sender starting releases (back to pending, due now) the rows claimed by ids whose
  heartbeat stopped more than HEARTBEAT_STALE ago, so a restart does not wait out the lease; never a live
  one's.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.outbox import EDITS
from storage.models import OutboxMessage, ProcessHeartbeat

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = timedelta(seconds=15)
HEARTBEAT_STALE = timedelta(seconds=60)  # four beats missed: that process is gone
FORGET_AFTER = timedelta(days=7)  # heartbeats of processes gone this long are deleted

Sessions = async_sessionmaker[AsyncSession]


def new_process_id() -> str:
    return uuid.uuid4().hex


async def claim_rows(
    sessions: Sessions,
    *,
    now: datetime,
    lease: timedelta,
    batch: int,
    paused: list[int],
    process_id: str,
    for_update: bool,
) -> list[OutboxMessage]:
    """Claim up to `batch` due rows (pending and due, or claimed longer than `lease` ago) for `process_id`."""
    due = or_(
        and_(OutboxMessage.status == "pending", OutboxMessage.not_before <= now),
        and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - lease),
    )
    if paused:
        due = and_(due, OutboxMessage.chat_id.not_in(paused))
    # Edits first (a live progress message must not wait behind the broadcast it reports), then in order.
    edits_first = case((OutboxMessage.method.in_(EDITS), 0), else_=1)
    ids = select(OutboxMessage.id).where(due).order_by(edits_first, OutboxMessage.id).limit(batch)
    if for_update:
        ids = ids.with_for_update(skip_locked=True)
    stmt = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids.scalar_subquery()))
        .values(status="sending", claimed_at=now, claimed_by=process_id, attempts=OutboxMessage.attempts + 1)
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False)
    )
    async with sessions() as s, s.begin():
        rows = list((await s.scalars(stmt)).all())
    rows.sort(key=lambda r: r.id)
    return rows


async def beat(sessions: Sessions, process_id: str, now: datetime, *, is_sqlite: bool) -> None:
    """Say that `process_id` is alive at `now` (its row is made on the first beat)."""
    insert = (sqlite if is_sqlite else postgresql).insert(ProcessHeartbeat)
    stmt = insert.values(id=process_id, started_at=now, seen_at=now).on_conflict_do_update(
        index_elements=["id"], set_={"seen_at": now}
    )
    async with sessions() as s, s.begin():
        await s.execute(stmt)


async def release_dead(sessions: Sessions, process_id: str, now: datetime) -> int:
    """Give back the rows claimed by processes whose heartbeat stopped; how many. Never a live one's (nor
    ours), nor a claim without an id (made before claims had one: it waits for its lease)."""
    alive = select(ProcessHeartbeat.id).where(ProcessHeartbeat.seen_at >= now - HEARTBEAT_STALE)
    stmt = (
        update(OutboxMessage)
        .where(
            OutboxMessage.status == "sending",
            OutboxMessage.claimed_by.is_not(None),
            OutboxMessage.claimed_by != process_id,
            OutboxMessage.claimed_by.not_in(alive),
        )
        .values(status="pending", not_before=now, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    async with sessions() as s, s.begin():
        released = int((await s.execute(stmt)).rowcount or 0)  # type: ignore[attr-defined]
        await s.execute(delete(ProcessHeartbeat).where(ProcessHeartbeat.seen_at < now - FORGET_AFTER))
    if released:
        log.info("outbox: %s rows claimed by stopped processes released", released)
    return released


async def beat_forever(beat_now: Callable[[], Awaitable[None]]) -> None:
    """Beat every HEARTBEAT_EVERY of real time (a fake clock's sleep would move it); a failure is logged."""
    while True:
        await asyncio.sleep(HEARTBEAT_EVERY.total_seconds())
        try:
            await beat_now()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("outbox heartbeat failed; trying again", exc_info=True)
