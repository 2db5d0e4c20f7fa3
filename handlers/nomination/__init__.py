"""/nominate, /nominations, /nomwindow: nominating for commendation, the achievement report, the window.

The parts, along their seams: common.py (callback data, keyboards, the service, helpers), nominate.py
(/nominate's conversation, /nomwindow), cards.py (a card's presses, /nominations), report.py (the
achievement report, its part of /pending and of /status, the due work).
"""

from __future__ import annotations

from aiogram import Router

from bot.filters import personal_router

from . import cards, nominate, report
from .cards import NomReturnSG
from .common import NominationButtons, card_keyboard, service
from .nominate import NomExtendSG, NominateSG, start
from .report import NomReportSG, status_buttons, with_status_buttons


def router() -> Router:
    r = personal_router("nomination")
    nominate.register(r)
    cards.register(r)
    report.register(r)
    cards.register_last(r)
    return r


__all__ = [
    "NomExtendSG",
    "NomReportSG",
    "NomReturnSG",
    "NominateSG",
    "NominationButtons",
    "card_keyboard",
    "router",
    "service",
    "start",
    "status_buttons",
    "with_status_buttons",
]
