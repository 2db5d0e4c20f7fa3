"""A deputy's delegation that starts on a later day reaches their menu on that day (the daily job)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import VN_TZ
from bot.menus import refresh_dated_menus
from bot.roles import Role
from storage.models import PersonRole, ProcessedUpdate, Unit


def commands_of(world, chat_id):
    calls = [
        c for c in world.api.calls_of("setMyCommands") if c.params.get("scope", {}).get("chat_id") == chat_id
    ]
    return [cmd["command"] for cmd in calls[-1].params["commands"]] if calls else None


async def delegate(world, person, start) -> None:  # type: ignore[no-untyped-def]
    """`person` acts as the unit's deputy head for a week from `start`."""
    [unit] = await world.rows(Unit)
    async with world.session() as s:
        s.add(
            PersonRole(
                person_id=person.person_id,
                role=Role.DEPUTY_HEAD.value,
                unit_id=unit.id,
                valid_from=start,
                valid_to=start + timedelta(days=7),
            )
        )
        await s.commit()


async def test_delegation_starting_tomorrow_updates_the_menu_tomorrow(world):
    em = await world.staff("Hoàng Văn Em")
    await delegate(world, em, world.clock.today() + timedelta(days=1))

    assert await refresh_dated_menus(world.bot, world.sessionmaker, world.clock.today()) == 0
    assert commands_of(world, em.id) is None

    world.clock.advance(days=1)
    n = await refresh_dated_menus(world.bot, world.sessionmaker, world.clock.today(), world.dp["identity"])
    assert n == 1 and "invite" in commands_of(world, em.id)

    world.clock.advance(days=8)
    await refresh_dated_menus(world.bot, world.sessionmaker, world.clock.today(), world.dp["identity"])
    assert "invite" not in commands_of(world, em.id)


async def test_the_daily_job_runs_after_midnight_and_sets_the_menu_of_a_delegation_starting_today(world):
    from bot.scheduler import create_scheduler

    em = await world.staff("Hoàng Văn Em")
    await delegate(world, em, world.clock.today())
    job = create_scheduler(world.dp, world.bot).get_job("dated-menus")

    after = datetime(2026, 11, 25, 15, 0, tzinfo=VN_TZ)
    assert job.trigger.get_next_fire_time(None, after) == datetime(2026, 11, 26, 0, 1, tzinfo=VN_TZ)
    await job.func()

    assert "invite" in commands_of(world, em.id)


async def test_the_dedup_flush_job_stores_the_ids_of_read_only_updates_every_five_seconds(world):
    from bot.scheduler import create_scheduler

    hoa = await world.staff("Nguyễn Thị Hoa")
    update = await hoa.send("/help")  # read-only: its id waits in memory for the flush
    assert await world.rows(ProcessedUpdate) == []
    job = create_scheduler(world.dp, world.bot).get_job("dedup-flush")

    assert job.trigger.interval == timedelta(seconds=5)
    await job.func()

    assert [r.update_id for r in await world.rows(ProcessedUpdate)] == [update.update_id]


async def test_a_day_of_downtime_is_caught_up_by_the_next_run(world):
    from bot.menus import catch_up_dated_menus

    em = await world.staff("Hoàng Văn Em")
    await delegate(world, em, world.clock.today() + timedelta(days=1))
    assert await catch_up_dated_menus(world.bot, world.sessionmaker, world.clock, world.dp["identity"]) == 0
    world.clock.advance(days=2)  # the bot was down the day the delegation started
    assert await catch_up_dated_menus(world.bot, world.sessionmaker, world.clock, world.dp["identity"]) == 1
    assert "invite" in commands_of(world, em.id)
    assert await catch_up_dated_menus(world.bot, world.sessionmaker, world.clock) == 0  # done for today


async def test_the_due_work_runs_every_minute_and_at_start_up(world):
    from bot.scheduler import create_scheduler

    scheduler = create_scheduler(world.dp, world.bot)
    ids = {job.id for job in scheduler.get_jobs()}
    assert {"due", "due-start", "dated-menus", "dated-menus-start", "dedup-flush"} <= ids
    job = scheduler.get_job("due")
    assert job.trigger.interval.total_seconds() == 60 and job.max_instances == 1 and job.coalesce
    await job.func()  # runs run_due with the world's clock: nothing to do, no error
