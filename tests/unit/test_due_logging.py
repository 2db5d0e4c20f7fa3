"""Due work that fails is logged with its traceback, and the other works still run (issue 18, item 7)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bot import due
from bot.due import DueContext, run_due


def _boom_here() -> None:
    raise RuntimeError("the plan row is gone (injected)")


async def test_a_failing_due_work_is_logged_with_its_traceback(caplog, monkeypatch):
    ran: list[str] = []

    async def broken(ctx: DueContext, now: datetime) -> None:
        _boom_here()

    async def fine(ctx: DueContext, now: datetime) -> str:
        ran.append("fine")
        return "ok"

    monkeypatch.setattr(due, "_REGISTRY", {"a-broken": broken, "b-fine": fine})
    with caplog.at_level(logging.ERROR, logger="bot.due"):
        results = await run_due(None, datetime(2026, 12, 7, tzinfo=UTC))  # type: ignore[arg-type]

    assert ran == ["fine"] and results["b-fine"] == "ok"
    assert isinstance(results["a-broken"], RuntimeError)
    [record] = [r for r in caplog.records if r.name == "bot.due"]
    assert "a-broken" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    assert "_boom_here" in caplog.text and "the plan row is gone" in caplog.text
