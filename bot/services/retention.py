"""Retention of personal data (issue 22, M20; Nghị định 13/2023/NĐ-CP on personal data protection).

The messages the bot sent keep their rows for ever: their idempotency keys are what stops a reminder, a
notice or a broadcast going out twice. What they said is personal data no decision needs once it is
delivered, so `RETENTION_DAYS` (default 180, at least 30) after a message was queued, due work blanks:
- the text and buttons of each outbox row no longer waiting to be sent (sent, failed, blocked, cancelled);
- the bytes of each outbox file (a /mydata file, an export) no row waiting to be sent carries; the same
  content queued again later stores its bytes again (`Outbox.file`);
- each conversation (FSM) not touched since: the database's rows go, and the running process forgets them;
  with Redis the keys expire on their own (`state_ttl`, `data_ttl`, bot/app.py).
It runs at most once an hour (`hourly`: on the first tick, then once an hour of the clock has passed), is
safe to run twice (each statement changes only what is not blank yet) and audits
what it blanked by counts only.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, null, select, update

from bot.due import DueContext, due_work, hourly, unit_of_work
from bot.services.audit import Audit
from bot.services.outbox import NOT_SENT
from storage.models import FsmRecord, OutboxMessage
from storage.models.core import OutboxFile

log = logging.getLogger(__name__)


@dataclass
class Blanked:
    texts: int = 0
    files: int = 0
    conversations: int = 0

    def __bool__(self) -> bool:
        return bool(self.texts or self.files or self.conversations)


def cutoff(now: datetime, days: int) -> datetime:
    """What was written before this is blanked."""
    return now - timedelta(days=days)


@due_work("retention")
async def retention_due(due: DueContext, now: datetime) -> Blanked | None:
    """What was blanked; None when the retention ran less than an hour before."""
    return await hourly(due, "retention", now, lambda: blank_old(due, now))


async def blank_old(due: DueContext, now: datetime) -> Blanked:
    before = cutoff(now, due.settings.retention_days)
    done = Blanked()
    async with unit_of_work(due) as ctx:
        s = ctx.session
        texts = await s.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.created_at < before,
                OutboxMessage.status.not_in(NOT_SENT),
                (OutboxMessage.text.is_not(None)) | (OutboxMessage.reply_markup.is_not(None)),
            )
            .values(text=None, reply_markup=null())  # SQL NULL, not JSON null
            .execution_options(synchronize_session=False)
        )
        waiting = exists().where(
            OutboxMessage.outbox_file_id == OutboxFile.id, OutboxMessage.status.in_(NOT_SENT)
        )
        files = await s.execute(
            update(OutboxFile)
            .where(OutboxFile.created_at < before, OutboxFile.data.is_not(None), ~waiting)
            .values(data=None)
            .execution_options(synchronize_session=False)
        )
        keys = list((await s.scalars(select(FsmRecord.key).where(FsmRecord.updated_at < before))).all())
        if keys:
            await s.execute(
                delete(FsmRecord)
                .where(FsmRecord.key.in_(keys), FsmRecord.updated_at < before)
                .execution_options(synchronize_session=False)
            )
        done = Blanked(texts.rowcount or 0, files.rowcount or 0, len(keys))  # type: ignore[attr-defined]
        if done:
            after = {**asdict(done), "before": before}
            Audit(ctx).record("retention.blanked", "retention", None, after=after)
    if keys and hasattr(due.fsm, "forget"):
        due.fsm.forget(keys)
    if done:
        log.info("retention: blanked %s", asdict(done))
    return done
