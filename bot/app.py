"""The app factory. `thidua run`, the tests and the console all build the bot here."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.conversation import install as install_conversations
from bot.dedup import DbDedup, DedupStore, RedisDedup
from bot.i18n import DEFAULT_LOCALE
from bot.i18n_aiogram import CatalogI18n
from bot.identity import IdentityCache
from bot.menus import start_menu_refresh
from bot.middlewares import DedupMiddleware, IdentityMiddleware, LocaleMiddleware, UnitOfWorkMiddleware
from bot.observe import install as install_observe
from bot.routers import feature_router
from handlers import FEATURES
from storage.db import make_engine, make_sessionmaker
from storage.fsm import DbStorage, StagedStorage

log = logging.getLogger(__name__)


def feature_routers() -> list[Router]:
    """A dispatcher's own copies of the feature routers, built once per process (bot/routers.py)."""
    return [feature_router(name) for name in FEATURES]


def _stores(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, redis: Any
) -> tuple[BaseStorage, BaseEventIsolation, DedupStore]:
    """FSM storage, per-chat isolation and dedup: in Redis when there is one, else the database and memory."""
    if redis is None:
        dedup = DbDedup(sessionmaker, clock, settings.dedup_ttl_hours)
        return DbStorage(sessionmaker, clock), SimpleEventIsolation(), dedup
    from aiogram.fsm.storage.redis import DefaultKeyBuilder, RedisEventIsolation, RedisStorage

    keys = DefaultKeyBuilder(prefix=f"{settings.redis_prefix}:fsm", with_destiny=True)
    kept = timedelta(days=settings.retention_days)  # a conversation's keys expire (issue 22, M20)
    return (
        # written after the commit
        StagedStorage(RedisStorage(redis, key_builder=keys, state_ttl=kept, data_ttl=kept)),
        RedisEventIsolation(redis, key_builder=keys),
        RedisDedup(redis, settings.redis_prefix, settings.dedup_ttl_hours),
    )


def create_dispatcher(
    settings: Settings,
    *,
    engine: AsyncEngine | None = None,
    clock: Clock | None = None,
    redis: Any = None,
    extra_routers: Iterable[Router] = (),
) -> Dispatcher:
    """Build the dispatcher with every router, middleware and singleton.

    Singletons reach handlers as keyword arguments: `settings`, `clock`, `identity`, `sessionmaker`,
    `engine`, `i18n`, `dedup`, `outbox_wake`; per update the middlewares add `uow`, `ctx` and `me`.
    """
    engine = engine or make_engine(settings.database_url)
    sessionmaker = make_sessionmaker(engine)
    clock = clock or Clock(settings.tz)
    identity = IdentityCache()
    outbox_wake = asyncio.Event()
    i18n = CatalogI18n(default_locale=settings.default_locale or DEFAULT_LOCALE)

    if redis is None and settings.redis_url:
        from redis.asyncio import Redis

        redis = Redis.from_url(settings.redis_url)
    storage, isolation, dedup = _stores(settings, sessionmaker, clock, redis)
    if redis is not None:  # a change of a person reaches every instance's cache; a queued row, the leader
        from bot.identity_bus import IdentityBus, SharedWake

        identity.bus = IdentityBus(redis, settings.redis_prefix)
        outbox_wake = SharedWake(redis, settings.redis_prefix)

    dp = Dispatcher(
        storage=storage,
        events_isolation=isolation,
        settings=settings,
        clock=clock,
        identity=identity,
        engine=engine,
        sessionmaker=sessionmaker,
        i18n=i18n,
        dedup=dedup,
        outbox_wake=outbox_wake,
        redis=redis,
        disable_fsm=True,  # registered below, after the dedup: a duplicate never waits for the chat's lock
    )
    install_observe(dp)  # first: counts and times every update, duplicates too
    dp.update.outer_middleware(DedupMiddleware(dedup))
    dp.update.outer_middleware(dp.fsm)  # FSM context and per-chat event isolation
    dp.update.outer_middleware(
        UnitOfWorkMiddleware(sessionmaker, dedup, clock, identity, settings, outbox_wake)
    )
    dp.update.outer_middleware(IdentityMiddleware(identity, clock))
    dp.update.outer_middleware(LocaleMiddleware(i18n))
    install_conversations(dp)  # a new command ends the conversation in progress

    routers = feature_routers()
    dp.include_routers(*routers[:-1], *extra_routers, routers[-1])  # the fallback stays last
    dp.startup.register(_on_startup)
    return dp


async def _on_startup(dispatcher: Dispatcher, bot: Bot) -> None:
    await warm_up(dispatcher)
    start_menu_refresh(dispatcher, bot)  # the menus a release changed, set again beside the polling


async def warm_up(dp: Dispatcher) -> None:
    """Load the seen update ids and the stored conversations into memory."""
    dedup = dp["dedup"]
    if isinstance(dedup, DbDedup):
        n = await dedup.load()
        log.info("dedup: %s update ids from the last %s", n, dedup.ttl)
    storage = dp.fsm.storage
    if isinstance(storage, DbStorage):
        log.info("fsm: %s conversations warmed", await storage.warm())
