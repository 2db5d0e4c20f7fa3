"""Decisions in chat (issue 20): /object and the published list's deep link (objecting.py), the secretary's
/objections and the publishing of the list (manage.py), /decide (recording.py), /summary and /history
(reading.py), /decisions with the corrections, revocations and proposals upward (later.py). `link` is the
deep link's router, placed before join's /start (handlers/__init__.py)."""

from __future__ import annotations

from aiogram import Router

import handlers.render.decisions  # noqa: F401  (registers the notices' wording with the service)
from bot.filters import personal_router

from . import later, manage, objecting, reading, recording


def router() -> Router:
    r = personal_router("decisions")
    objecting.register(r)
    manage.register(r)
    recording.register(r)
    reading.register(r)
    later.register(r)
    return r


__all__ = ["router"]
