"""A deputy's delegation that starts on a later day reaches their menu on that day (the daily job)."""

from __future__ import annotations

from datetime import timedelta

from bot.menus import refresh_dated_menus
from bot.roles import Role
from storage.models import PersonRole, Unit


def commands_of(world, chat_id):
    calls = [
        c for c in world.api.calls_of("setMyCommands") if c.params.get("scope", {}).get("chat_id") == chat_id
    ]
    return [cmd["command"] for cmd in calls[-1].params["commands"]] if calls else None


async def test_delegation_starting_tomorrow_updates_the_menu_tomorrow(world):
    em = await world.staff("Hoàng Văn Em")
    [unit] = await world.rows(Unit)
    tomorrow = world.clock.today() + timedelta(days=1)
    async with world.session() as s:
        s.add(
            PersonRole(
                person_id=em.person_id,
                role=Role.DEPUTY_HEAD.value,
                unit_id=unit.id,
                valid_from=tomorrow,
                valid_to=tomorrow + timedelta(days=7),
            )
        )
        await s.commit()

    assert await refresh_dated_menus(world.bot, world.sessionmaker, world.clock.today()) == 0
    assert commands_of(world, em.id) is None

    world.clock.advance(days=1)
    n = await refresh_dated_menus(world.bot, world.sessionmaker, world.clock.today(), world.dp["identity"])
    assert n == 1 and "invite" in commands_of(world, em.id)

    world.clock.advance(days=8)
    await refresh_dated_menus(world.bot, world.sessionmaker, world.clock.today(), world.dp["identity"])
    assert "invite" not in commands_of(world, em.id)


async def test_the_scheduler_carries_the_timed_jobs(world):
    from bot.scheduler import create_scheduler

    scheduler = create_scheduler(world.dp, world.bot)
    assert {job.id for job in scheduler.get_jobs()} == {"dedup-flush", "dated-menus"}
