"""Sliding windows: at most `rate` events in any `period` seconds, the way Telegram counts its flood limits.

Telegram allows about 30 messages a second overall, one a second per private chat and 20 a minute per group
or channel, over any window of that length. A leaky bucket (aiolimiter) lets a full burst through and then
drips, so it sends more than `rate` within some window and meets 429s; a sliding window never does.
`Pace` is the sender's side (on its clock, so a FakeClock moves over the waits); the fake Bot API enforces
the same windows (bot/devtools/ratelimit.py).
"""

from __future__ import annotations

import asyncio
from collections import deque

from bot.clock import Clock


class Window:
    """The events of the last `period` seconds; room for one more when fewer than `rate`."""

    def __init__(self, rate: int, period: float) -> None:
        self.rate, self.period = rate, period
        self.times: deque[float] = deque()

    def wait(self, now: float, k: int = 1) -> float:
        """Seconds until `k` more events fit (0: they fit now); a whole period when k is over the rate."""
        while self.times and self.times[0] <= now - self.period:
            self.times.popleft()
        need = len(self.times) + k - self.rate  # how many of the events in the window must leave it
        if need <= 0:
            return 0.0
        if k > self.rate:
            return self.period
        return self.times[need - 1] + self.period - now

    def take(self, now: float) -> None:
        self.times.append(now)

    def give_back(self, at: float) -> None:
        """The event at `at` did not count after all (Telegram refused it with a 429)."""
        try:
            self.times.remove(at)
        except ValueError:
            pass  # already out of the window


class Pace:
    """The sender's windows: overall, per private chat, per group or channel (a negative chat id).

    `margin` widens every window a little, so that requests that reach Telegram a few milliseconds apart
    from when they were paced still fit its windows."""

    def __init__(
        self,
        clock: Clock,
        overall: float = 30,
        private: float = 1,
        group_per_minute: float = 20,
        margin: float = 0.01,
    ) -> None:
        self.clock, self.margin = clock, margin
        self.overall = Window(max(int(overall), 1), 1.0 + margin)
        self._private = (1, 1 / private + margin)  # one at a time: 1/s means one message per second
        self._group = (max(int(group_per_minute), 1), 60.0 + margin)
        self.chats: dict[int, Window] = {}
        self._lock = asyncio.Lock()  # one waiter on the overall window at a time: first come, first served
        self.queued = 0  # between room() and their slot
        self._admit = asyncio.Semaphore(self.overall.rate)

    def chat(self, chat_id: int) -> Window:
        window = self.chats.get(chat_id)
        if window is None:
            window = self.chats[chat_id] = Window(*(self._group if chat_id < 0 else self._private))
        return window

    def _now(self) -> float:
        return self.clock.monotonic()  # a system clock set back must not stall every chat

    async def _sleep(self, seconds: float) -> None:
        # at least 2 µs: a FakeClock keeps microseconds, and a shorter wait could round to no wait at all
        await self.clock.pause(max(seconds, 2e-6))

    async def room(self, chat_id: int, ahead: float = 0.25) -> None:
        """Wait until a message to `chat_id` would have its slot within `ahead` seconds, counting those
        already waiting for theirs; then join them (`slot` takes it, `leave` gives up the place).

        The sender reads the row again meanwhile, so that it is ready when its slot comes: waiting for the
        slot itself before that read would leave the window idle for the read's time on every turn; waiting
        less would let a row cancelled meanwhile go out. At most `rate` rows wait between room and slot."""
        chat = self.chat(chat_id)
        while (wait := chat.wait(self._now())) > ahead:  # its own chat first, holding no place
            await self._sleep(wait - ahead)
        await self._admit.acquire()
        try:
            while True:
                now = self._now()
                wait = max(self.overall.wait(now, self.queued + 1), chat.wait(now))
                if wait <= ahead:
                    break
                await self._sleep(wait - ahead)
        except BaseException:
            self._admit.release()
            raise
        self.queued += 1

    def leave(self) -> None:
        """A row that joined with `room` goes, with its slot or without it (cancelled, handed back)."""
        self.queued -= 1
        self._admit.release()

    async def slot(self, chat_id: int) -> float:
        """Wait until a message to `chat_id` fits every window, and take its place in them.

        Call it just before the request, with nothing awaited in between: the time taken is the time sent."""
        chat = self.chat(chat_id)
        while (wait := chat.wait(self._now())) > 0:
            await self._sleep(wait)
        async with self._lock:
            while (wait := max(self.overall.wait(self._now()), chat.wait(self._now()))) > 0:
                await self._sleep(wait)
            now = self._now()
            self.overall.take(now)
            chat.take(now)
            self.leave()  # no longer waiting
            return now

    def give_back(self, chat_id: int, at: float) -> None:
        """A request refused with a 429 takes no place in Telegram's windows: it takes none in ours."""
        self.overall.give_back(at)
        self.chat(chat_id).give_back(at)
