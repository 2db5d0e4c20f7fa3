"""No filter on the dispatch path runs in a worker thread (aiogram does that for synchronous filters)."""

from __future__ import annotations

from bot.app import create_dispatcher
from tests.conftest import make_settings


def test_every_filter_of_every_router_is_async():
    dp = create_dispatcher(make_settings("sqlite+aiosqlite:///:memory:"))
    sync = []
    for router in dp.chain_tail:
        for name, observer in router.observers.items():
            for f in observer._handler.filters or []:
                if not f.awaitable:
                    sync.append(f"{router.name}.{name} (router filter): {f.callback!r}")
            for handler in observer.handlers:
                for f in handler.filters or []:
                    if not f.awaitable:
                        sync.append(f"{router.name}.{name} {handler.callback.__name__}: {f.callback!r}")
    assert sync == []
