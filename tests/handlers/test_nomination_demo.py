"""The demo data holds nominations in several states, once however often it is loaded."""

from __future__ import annotations

from datetime import datetime

from bot.clock import VN_TZ
from bot.devtools.demo import load_demo
from storage.models.nomination import Nomination


async def test_the_demo_has_nominations_in_several_states_and_loads_them_once(world):
    world.clock.set(datetime(2024, 10, 15, 9, 0, tzinfo=VN_TZ))
    await load_demo(world, world.clock)
    await load_demo(world, world.clock)
    rows = await world.rows(Nomination)
    assert len(rows) == 5
    assert {r.state for r in rows} == {"submitted", "withdrawn"}
    assert {r.report_state for r in rows} == {"missing", "submitted", "accepted"}
    assert {r.subject for r in rows} == {"individual", "collective"}


async def test_the_demo_has_good_deeds_in_every_state_and_loads_them_once(world):
    from storage.models.good_deed import GoodDeed

    world.clock.set(datetime(2024, 10, 15, 9, 0, tzinfo=VN_TZ))
    await load_demo(world, world.clock)
    await load_demo(world, world.clock)
    rows = await world.rows(GoodDeed)
    assert len(rows) == 5
    assert {r.state for r in rows} == {"submitted", "verified", "rejected"}
    assert {r.subject for r in rows} == {"person", "unit"}
    assert any(r.anonymous for r in rows)
    assert all(r.reason for r in rows if r.state == "rejected")
