"""Telegram's flood control for the fake Bot API: opt-in limits and injected failures.

`FloodControl` answers, before a request is carried out, whether Telegram would refuse it:
- a chat in `blocked` answers 403 (the person blocked the bot); it still takes its place in the windows;
- a fraction `flood` of the requests answers 429 with `retry_after` (that request only: it takes no place);
- a fraction `errors` answers 500 Internal Server Error (no place either);
- beyond a sliding window (30 messages a second overall, 1 a second per private chat, 20 a minute per group or
  channel) it answers 429 with a whole-second retry_after, the time until the window has room, rounded up.
Its time is `now()` in seconds: the fake's clock by default (a FakeClock in tests), the real one in bench/.
Every request let through is kept in `accepted` (time, chat id), so a test can check the windows on its own.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot.ratelimit import Window

SENDS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "copyMessage", "forwardMessage"}
)
# What Telegram counts against the limits: everything that posts or edits a message in a chat.
COUNTED = SENDS | frozenset({"editMessageText", "editMessageCaption", "editMessageReplyMarkup"})


REFUSALS = ("limit", "flood", "error", "blocked")


@dataclass
class Refusal:
    status: int
    description: str
    retry_after: int | None = None


@dataclass
class FloodControl:
    now: Callable[[], float]
    overall: int = 30
    private_per_second: int = 1
    group_per_minute: int = 20
    flood: float = 0.0  # injected 429s, a fraction of the requests
    errors: float = 0.0  # injected 500s
    retry_after: int = 1  # of an injected 429
    blocked: set[int] = field(default_factory=set)
    seed: int | None = 14
    accepted: list[tuple[float, int]] = field(default_factory=list)
    refused: dict[str, int] = field(
        default_factory=lambda: {"limit": 0, "flood": 0, "error": 0, "blocked": 0}
    )

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._overall = Window(self.overall, 1.0)
        self._chats: dict[int, Window] = {}

    def _window(self, chat_id: int) -> Window:
        w = self._chats.get(chat_id)
        if w is None:
            w = Window(self.group_per_minute, 60.0) if chat_id < 0 else Window(self.private_per_second, 1.0)
            self._chats[chat_id] = w
        return w

    def check(self, method: str, chat_id: int | None) -> Refusal | None:
        """None: Telegram carries the request out (and it is counted); else how it refuses it."""
        if method not in COUNTED or chat_id is None:
            return None
        roll = self._random.random()
        if roll < self.flood:
            self.refused["flood"] += 1
            return Refusal(429, f"Too Many Requests: retry after {self.retry_after}", self.retry_after)
        if roll < self.flood + self.errors:
            self.refused["error"] += 1
            return Refusal(500, "Internal Server Error")
        now = self.now()
        chat = self._window(chat_id)
        wait = max(self._overall.wait(now), chat.wait(now))
        if wait > 0:
            self.refused["limit"] += 1
            after = max(1, math.ceil(wait))
            return Refusal(429, f"Too Many Requests: retry after {after}", after)
        self._overall.take(now)
        chat.take(now)
        self.accepted.append((now, chat_id))
        if chat_id in self.blocked:
            self.refused["blocked"] += 1
            return Refusal(403, "Forbidden: bot was blocked by the user")
        return None


def most_in_window(times: Iterable[float], period: float) -> int:
    """The most events in any window of `period` seconds (counted afresh, not with Window)."""
    ts = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(ts):
        while ts[lo] <= t - period:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def exceeded(
    accepted: list[tuple[float, int]], overall: int = 30, private: int = 1, group: int = 20
) -> list[str]:
    """The windows the accepted requests went over (empty: none)."""
    out = []
    if (n := most_in_window([t for t, _ in accepted], 1.0)) > overall:
        out.append(f"overall: {n} in one second")
    chats: dict[int, list[float]] = {}
    for t, chat in accepted:
        chats.setdefault(chat, []).append(t)
    for chat, times in chats.items():
        limit, period = (group, 60.0) if chat < 0 else (private, 1.0)
        if (n := most_in_window(times, period)) > limit:
            out.append(f"chat {chat}: {n} in {period:g} s")
    return out
