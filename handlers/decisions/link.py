"""The published list's deep link (/start obj<round>), before join's /start takes every payload."""

from __future__ import annotations

from aiogram import Router

from handlers.decisions.objecting import link_router


def router() -> Router:
    return link_router()
