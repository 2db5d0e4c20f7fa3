"""What /metrics shows (issue 22): counters kept by the process, gauges read from the database at a scrape.

No aiogram here: the dispatcher's and the session's middlewares (bot/observe.py) count into these, and
the sender or anything else may too. The registry is the module's own (not prometheus-client's global one),
so only these series are exposed, and tests that build many dispatchers count into one place.

- `thidua_updates_total{type}`: updates taken (message, callback_query, my_chat_member, ...), duplicates too;
- `thidua_handler_seconds{handler}`: an update's time through the middlewares and its handler (the commit
  and the direct replies after it included); `handler` is the feature's function, "none" when none took it;
- `thidua_sends_total{source,result}`: Bot API requests by who made them (outbox: the sender; direct: a
  reply) and how they ended (ok, retry_after, forbidden, bad_request, not_found, server_error, network);
- `thidua_outbox_messages{state}`: the outbox's rows by state (pending, sending, sent, failed, blocked,
  cancelled), read at the scrape;
- `thidua_reminders_due`: reminder rows (and the heads' summaries) due now and not sent yet.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import OutboxMessage

REGISTRY = CollectorRegistry(auto_describe=True)
CONTENT_TYPE = CONTENT_TYPE_LATEST
OUTBOX_STATES = ("pending", "sending", "sent", "failed", "blocked", "cancelled")
REMINDER_KINDS = ("reminder", "reminder-summary")  # bot/services/reminders.py: KIND, SUMMARY_KIND

UPDATES = Counter("thidua_updates", "Updates taken, by type.", ["type"], registry=REGISTRY)
HANDLER_SECONDS = Histogram(
    "thidua_handler_seconds",
    "Time of an update through the middlewares and its handler, by handler.",
    ["handler"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
SENDS = Counter(
    "thidua_sends",
    "Bot API requests, by who made them and how they ended.",
    ["source", "result"],
    registry=REGISTRY,
)
OUTBOX = Gauge("thidua_outbox_messages", "Outbox rows by state.", ["state"], registry=REGISTRY)
REMINDERS_DUE = Gauge("thidua_reminders_due", "Reminders due now and not sent yet.", registry=REGISTRY)


# Each series' child by its labels, kept: `labels()` takes a lock and checks the names on every call, three
# times per update (issue 18, G39). The label values are few (update types, handlers, send outcomes).
_CHILDREN: dict[tuple[object, ...], Any] = {}


def _child(metric: Any, *values: str) -> Any:
    key = (id(metric), *values)
    child = _CHILDREN.get(key)
    if child is None:
        child = _CHILDREN[key] = metric.labels(*values)
    return child


def count_update(kind: str, handler: str, seconds: float) -> None:
    """One update taken, of type `kind`, by `handler` ("none" when none took it), in `seconds`."""
    _child(UPDATES, kind).inc()
    _child(HANDLER_SECONDS, handler).observe(seconds)


def count_send(source: str, result: str) -> None:
    """One Bot API request ended: `source` outbox or direct, `result` ok or the kind of its error."""
    _child(SENDS, source, result).inc()


async def refresh_gauges(sessionmaker: async_sessionmaker[AsyncSession], now: datetime) -> None:
    """The outbox's depth by state and the reminders due, read in one short transaction."""
    async with sessionmaker() as s:
        rows = await s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
        counts: dict[str, int] = {state: n for state, n in rows.all()}
        due = await s.scalar(
            select(func.count()).where(
                OutboxMessage.kind.in_(REMINDER_KINDS),
                OutboxMessage.status.in_(("pending", "sending")),
                OutboxMessage.not_before <= now,
            )
        )
    for state in OUTBOX_STATES:
        OUTBOX.labels(state=state).set(counts.get(state, 0))
    REMINDERS_DUE.set(due or 0)


def exposition() -> bytes:
    """The text format Prometheus scrapes."""
    return generate_latest(REGISTRY)
