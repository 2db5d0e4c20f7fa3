"""After the outbox sender delivered a round of rows: features that watch their rows are told here.

    @after_delivery("broadcasts")
    async def progress(ctx: DueContext, rows: list[Delivered]) -> None: ...

The sender (bot/sender.py) calls `run_after_delivery` after each round it claimed, with what it claimed;
a watcher reads the rows' outcomes from the database (a live progress message, a binding to retire after a
403). A watcher opens its own unit of work (`unit_of_work(ctx)`), never calls the Bot API, and enqueues
into the outbox. One that fails is logged and does not stop the others, nor the sender. No aiogram here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.due import DueContext, unit_of_work

__all__ = ["Delivered", "after_delivery", "run_after_delivery", "unit_of_work"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivered:
    """One row the sender has just handled (its outcome is in the database)."""

    id: int
    chat_id: int
    batch: str | None
    kind: str


Watcher = Callable[[DueContext, list[Delivered]], Awaitable[None]]
_WATCHERS: dict[str, Watcher] = {}


def after_delivery(name: str) -> Callable[[Watcher], Watcher]:
    """Register a watcher under `name` (registering the same name again replaces it)."""

    def register(fn: Watcher) -> Watcher:
        _WATCHERS[name] = fn
        return fn

    return register


async def run_after_delivery(ctx: DueContext, rows: list[Delivered]) -> None:
    for name in sorted(_WATCHERS):
        try:
            await _WATCHERS[name](ctx, rows)
        except Exception as e:  # the sender goes on; no row data in the log
            log.error("after-delivery %s failed: %s", name, type(e).__name__)
