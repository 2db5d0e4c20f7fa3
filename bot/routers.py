"""The feature routers, built once per process and copied for each dispatcher.

Building them costs about 0.1 s a dispatcher: aiogram inspects the signature of every handler, every filter
and every router's 28 observers (some 1,800 `inspect.signature` calls), and the tests build a dispatcher per
test (the console one per world). A router can belong to one dispatcher only, and it must belong to its own:
an observer takes the inner middlewares of the routers above it (its `chain_head`) at each event, and the
dispatcher's are bound to that dispatcher (bot.observe's NameHandler). So each dispatcher gets copies:

- new Router objects of the same class (`Room`), with new observers, lists and middleware managers, attached
  to nothing, so that including them, or registering on them, touches no other dispatcher's;
- the same HandlerObject and FilterObject instances (what aiogram inspected), the same callbacks and filters.

That is safe because what a feature router holds does not change after it is built, and holds nothing of a
dispatcher: its filters keep no state (`Allowed(action)`, `StateFilter`, a CallbackData's filter read what the
update and the middlewares bring), and no feature router has middlewares of its own (`copy_router` refuses one
that has: a middleware could keep state, and it would be shared). `feature_router_trees()` builds each
feature's tree on first use; `router()` in handlers/ still builds a fresh one when called.
"""

from __future__ import annotations

import importlib
from typing import Any, TypeVar

from aiogram import Router
from aiogram.dispatcher.event.event import EventObserver
from aiogram.dispatcher.event.telegram import TelegramEventObserver
from aiogram.dispatcher.middlewares.manager import MiddlewareManager

T = TypeVar("T")

_BUILT: dict[str, Router] = {}  # by feature (handlers.FEATURES): the tree that is copied, never attached


def feature_router(name: str) -> Router:
    """A copy of the router tree of feature `name` (handlers.<name>.router()), built once per process."""
    built = _BUILT.get(name)
    if built is None:
        built = importlib.import_module(f"handlers.{name}").router()
        copy_router(built)  # refused now, before it is kept, if it cannot be copied
        _BUILT[name] = built
    return copy_router(built)


def copy_router(router: Router) -> Router:
    """A router like `router` and its sub-routers, sharing their handlers and filters, attached to nothing."""
    clone = _shallow(router)  # the same class and name; each attribute below is replaced by a copy
    clone._parent_router = None
    clone.sub_routers = []
    observers: dict[int, TelegramEventObserver] = {}
    for attr, value in vars(router).items():
        if isinstance(value, TelegramEventObserver):  # `errors` and `error` are one observer
            if id(value) not in observers:
                observers[id(value)] = _copy_observer(value, clone)
            setattr(clone, attr, observers[id(value)])
        elif isinstance(value, EventObserver):  # startup, shutdown
            events = _shallow(value)
            events.handlers = list(value.handlers)
            setattr(clone, attr, events)
    clone.observers = {name: observers[id(o)] for name, o in router.observers.items()}
    for sub in router.sub_routers:
        clone.include_router(copy_router(sub))
    return clone


def _shallow(obj: T) -> T:
    """copy.copy for these plain objects, without its dispatch (some 600 a dispatcher)."""
    new: Any = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    return new


def _copy_observer(observer: TelegramEventObserver, router: Router) -> TelegramEventObserver:
    if len(observer.middleware) or len(observer.outer_middleware):
        raise ValueError(
            f"{router!r}: a feature router with middlewares of its own ({observer.event_name}) is not copied;"
            " register them on the dispatcher in create_dispatcher"
        )
    clone = _shallow(observer)
    clone.router = router
    clone.handlers = list(observer.handlers)
    clone.middleware = MiddlewareManager()
    clone.outer_middleware = MiddlewareManager()
    clone._handler = _shallow(observer._handler)  # the router-level filters (`r.message.filter(...)`)
    clone._handler.filters = list(observer._handler.filters or [])
    return clone
