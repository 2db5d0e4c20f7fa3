"""The council's vote in chat (issue 19). Phase 1: the due work and the wording it sends with; the /council,
/review and /results commands, the cards and their buttons come in phase 2 (see docs/architecture.md).

The due work (bot/due.py) is registered here, where the router is built, with the texts it words through.
"""

from __future__ import annotations

from datetime import datetime

from aiogram import Router

from bot.due import DueContext, due_work
from bot.filters import personal_router
from bot.services.voting import use_texts, voting_due
from handlers.render.voting import TEXTS

use_texts(TEXTS)  # phase 2 passes its markup here too: the "Bỏ phiếu" button opening /review


@due_work("voting")
async def run_votes(ctx: DueContext, now: datetime) -> int:
    """Open the votes whose window has come, close and tally those whose close has passed."""
    return await voting_due(ctx, now)


def router() -> Router:
    return personal_router("voting")
