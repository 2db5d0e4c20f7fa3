"""Sliding windows: the sender's Pace keeps Telegram's windows; the fake's flood control enforces them."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.devtools.ratelimit import FloodControl, exceeded, most_in_window
from bot.ratelimit import Pace, Window


def test_a_window_has_room_again_when_its_oldest_event_leaves_it():
    w = Window(2, 1.0)
    w.take(0.0)
    w.take(0.4)
    assert w.wait(0.5) == 1.0 - 0.5
    assert w.wait(1.0) == 0.0  # the event at 0.0 has left (0, 1]


def test_a_burst_then_a_drip_goes_over_a_sliding_window():
    # What a leaky bucket of 30/s lets through: 30 at once, then one every 1/30 s.
    times = [0.0] * 30 + [i / 30 for i in range(1, 31)]
    assert most_in_window(times, 1.0) > 30


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([1, 2, 3, -100, -200]), min_size=1, max_size=120))
def test_pace_keeps_every_window_on_a_fake_clock(chats):
    clock = FakeClock()
    pace = Pace(clock, overall=30, private=1, group_per_minute=20)
    taken: list[tuple[float, int]] = []

    async def send(chat: int) -> None:
        taken.append((await pace.slot(chat), chat))

    async def run() -> None:
        by_chat: dict[int, list[int]] = {}
        for c in chats:
            by_chat.setdefault(c, []).append(c)

        async def one_chat(items: list[int]) -> None:
            for c in items:
                await send(c)

        await asyncio.gather(*(one_chat(items) for items in by_chat.values()))

    asyncio.run(run())
    assert exceeded(taken) == []
    per_group = [t for t, c in taken if c == -100]
    if len(per_group) > 20:  # the 21st waits a minute, not the sum of every waiter's sleep
        assert per_group[20] - per_group[0] < 61


def test_a_slot_given_back_is_free_again():
    clock = FakeClock()
    pace = Pace(clock, overall=30, private=1)

    async def run() -> float:
        at = await pace.slot(5)
        pace.give_back(5, at)  # refused with a 429: Telegram did not count it
        return await pace.slot(5)

    start = clock.now().timestamp()
    assert asyncio.run(run()) == start  # no wait


def test_flood_control_refuses_the_second_message_to_a_chat_within_a_second():
    now = [100.0]
    fc = FloodControl(lambda: now[0])
    assert fc.check("sendMessage", 1) is None
    refusal = fc.check("sendMessage", 1)
    assert refusal is not None and refusal.status == 429 and refusal.retry_after == 1
    assert fc.check("sendMessage", 2) is None  # another chat goes on
    assert fc.check("answerCallbackQuery", 1) is None  # not a message: not counted
    now[0] = 101.0
    assert fc.check("sendMessage", 1) is None
    assert exceeded(fc.accepted) == []


def test_flood_control_counts_a_minute_per_group_and_blocks_the_blocked():
    now = [0.0]
    fc = FloodControl(lambda: now[0], blocked={7})
    for i in range(20):
        now[0] = i * 0.5
        assert fc.check("sendMessage", -100) is None
    refusal = fc.check("sendMessage", -100)
    assert refusal is not None and refusal.retry_after == 51  # the first leaves the minute at 60 s
    blocked = fc.check("sendMessage", 7)
    assert blocked is not None and blocked.status == 403
    assert fc.refused == {"limit": 1, "flood": 0, "error": 0, "blocked": 1}
