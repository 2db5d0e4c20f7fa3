"""The council's vote in chat (issue 19): /council (the secretary's council of a round), /review (a member's
cards and ballots), /results (the secretary's desk: standing, written votes, early close, the result, a
tie, a re-ballot), the "Bỏ phiếu" button of the opening message and the reminders, and the due work.

The parts, along their seams: common.py (callback data, the buttons, helpers), review.py (/review),
council.py (/council), desk.py (/results), criteria.py (/criteria: the criteria data from .xlsx). The due
work (bot/due.py) is registered here, where the router is
built, with the texts and the buttons it words through.
"""

from __future__ import annotations

from datetime import datetime

from aiogram import Router

from bot.due import DueContext, due_work
from bot.filters import personal_router
from bot.services.voting import use_texts, voting_due
from handlers.render.voting import TEXTS

from . import council, criteria, desk, review
from .common import VotingButtons

use_texts(TEXTS, VotingButtons())  # every opening's message carries "Bỏ phiếu", opening /review


@due_work("voting")
async def run_votes(ctx: DueContext, now: datetime) -> int:
    """Open the votes whose window has come, close and tally those whose close has passed."""
    return await voting_due(ctx, now)


def router() -> Router:
    r = personal_router("voting")
    council.register(r)
    desk.register(r)
    review.register(r)
    criteria.register(r)
    council.register_last(r)
    return r


__all__ = ["VotingButtons", "router", "run_votes"]
