"""Status texts the service queues: the reminder a head (or the secretary) sends to someone missing.

The service queues it through the outbox; it is handed `TEXTS`, so the wording stays here and the
service holds only the rules (who is missing, what they still have to do).
"""

from __future__ import annotations

from bot.clock import fmt_when
from bot.i18n import t
from bot.services.status import NudgeTodo
from bot.text import esc


def nudge(name: str, head: str, todo: NudgeTodo, locale: str | None) -> str:
    """The reminder: who sends it, then one line per thing still to do."""
    items = []
    if todo.acknowledge:
        items.append(t("status-nudge-ack", locale=locale))
    if todo.register_key is not None and todo.register_when is not None:
        items.append(
            t(
                todo.register_key,
                locale=locale,
                year=esc(todo.school_year),
                when=fmt_when(todo.register_when, locale),
            )
        )
    text = t("status-nudge", locale=locale, name=esc(name), head=esc(head))
    return text + "\n" + "\n".join(f"• {item}" for item in items)


class StatusTexts:
    """What the service words through (bot.services.status.StatusTexts)."""

    nudge = staticmethod(nudge)


TEXTS = StatusTexts()
