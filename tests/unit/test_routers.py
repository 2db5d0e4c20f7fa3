"""bot/routers.py: each dispatcher gets its own copies of the feature routers, built once per process."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from aiogram import Dispatcher, Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.types import Message

from bot.app import create_dispatcher
from bot.filters import Room
from bot.routers import copy_router
from handlers import FEATURES
from tests.conftest import make_settings
from tests.unit.test_room import feed


def dispatcher() -> Dispatcher:
    return create_dispatcher(make_settings("sqlite+aiosqlite:///:memory:"))


def routers(dp: Dispatcher) -> list[Router]:
    return [r for r in dp.chain_tail if r is not dp]


def shape(router: Router) -> list[Any]:
    """What routes: each router's class and name, its filters and handlers, by event, down its sub-routers."""

    def filters(objects: list[FilterObject] | None) -> list[str]:
        return [
            type(f.callback).__name__ if not callable(f.callback) else repr(f.callback) for f in objects or []
        ]

    out: list[Any] = []
    for r in router.chain_tail:
        out.append((type(r).__name__, r.name, r.parent_router.name if r is not router else None))
        for name, observer in r.observers.items():
            if observer.handlers or observer._handler.filters:
                out.append((name, [len(observer._handler.filters or [])]))
                out += [(h.callback, len(h.filters or [])) for h in observer.handlers]
    return out


def test_the_copies_route_like_a_fresh_build() -> None:
    """Each feature's tree in a dispatcher is its `router()`: the same classes, names, handlers in order, and
    filters (counted; the filter objects of a fresh build are new ones) at each level."""
    copies = [r for r in dispatcher().sub_routers]
    fresh = [importlib.import_module(f"handlers.{name}").router() for name in FEATURES]
    assert [shape(c) for c in copies] == [shape(f) for f in fresh]
    assert all(type(c) is Room for c in copies)


def test_two_dispatchers_share_no_router_observer_or_list() -> None:
    """What a dispatcher may change (its routers, their observers, handler lists, filters and middlewares) is
    its own; the handler objects aiogram inspected are shared."""
    a, b = dispatcher(), dispatcher()
    ra, rb = routers(a), routers(b)
    assert len(ra) == len(rb) > len(FEATURES)  # join and channels have sub-routers
    mutable = lambda rs: [  # noqa: E731
        x
        for r in rs
        for o in r.observers.values()
        for x in (
            r,
            r.sub_routers,
            o,
            o.handlers,
            o.middleware,
            o.outer_middleware,
            o._handler,
            o._handler.filters,
        )
    ]
    assert not {id(x) for x in mutable(ra)} & {id(x) for x in mutable(rb)}
    for x, y in zip(ra, rb, strict=True):
        assert x.message.handlers == y.message.handlers  # the same HandlerObjects
        for name, observer in x.observers.items():
            assert observer.router is x and getattr(x, name if name != "error" else "errors") is observer
        assert list(x.chain_head)[-1] is a and list(y.chain_head)[-1] is b  # its middlewares are its own


async def test_a_handler_registered_on_one_dispatchers_router_reaches_no_other() -> None:
    a, b = dispatcher(), dispatcher()
    fallback_a, fallback_b = a.sub_routers[-1], b.sub_routers[-1]

    async def mine(message: Message) -> str:
        return "mine"

    fallback_a.message.handlers.clear()
    fallback_a.message.register(mine)
    assert fallback_a.message.handlers[0].callback is mine
    assert len(fallback_b.message.handlers) > 0 and all(
        h.callback is not mine for h in fallback_b.message.handlers
    )
    assert dispatcher().sub_routers[-1].message.handlers == fallback_b.message.handlers


async def test_a_copy_routes_and_is_attached_to_nothing() -> None:
    r = Room(name="r")
    inner = Router(name="inner")

    @inner.message()
    async def b(message: Message, event_router: Router) -> str:
        return f"b in {event_router.name}"

    async def private(message: Message) -> bool:
        return message.chat.type == "private"

    r.message.filter(private)
    r.include_router(inner)
    one, two = Dispatcher(), Dispatcher()
    one.include_router(copy_router(r))
    two.include_router(copy_router(r))  # a second copy is attached to nothing either
    assert await feed(one, "z") == "b in inner" == await feed(two, "z")
    assert await feed(one, "z", chat_type="group") is UNHANDLED  # the router-level filter is copied
    assert r.parent_router is None and inner.parent_router is r


def test_a_router_with_middlewares_of_its_own_is_not_copied() -> None:
    """A middleware may keep state: it is registered on each dispatcher, never shared through a copy."""
    r = Room(name="counted")

    async def middleware(handler: Any, event: Any, data: dict[str, Any]) -> Any:
        return await handler(event, data)

    r.callback_query.middleware(middleware)
    with pytest.raises(ValueError, match="middlewares of its own"):
        copy_router(r)
