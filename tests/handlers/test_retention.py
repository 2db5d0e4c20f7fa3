"""Retention (issue 22, M20): RETENTION_DAYS after they were written, the texts of outbox rows no longer
waiting, the bytes of their files and idle conversations are blanked by due work; the rows and their
idempotency keys stay, so nothing goes twice; a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import update

from bot.config import Settings
from bot.due import due_context, unit_of_work
from bot.services.outbox import Outbox
from bot.services.retention import Blanked, blank_old
from storage.models import AuditEntry, FsmRecord, OutboxMessage
from storage.models.core import OutboxFile
from tests.handlers.test_my_data import my_file


async def an_unfinished_rename(world):
    admin = await world.admin("Lê Văn Quản")
    await world.staff("Nguyen Van Ba")
    await admin.send("/people Nguyen Van Ba")
    await admin.click("Nguyen Van Ba")
    await admin.click("Sửa họ tên")
    assert await admin.state() == "PersonFieldSG:value"
    return admin


async def test_nothing_is_blanked_before_the_retention_and_everything_after_it(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await my_file(world, hoa)  # a text and a file through the outbox
    admin = await an_unfinished_rename(world)
    [row] = await world.rows(OutboxMessage, OutboxMessage.kind == "my-data")
    assert row.status == "sent" and row.text and row.outbox_file_id
    results = await world.tick(days=179)
    assert not results["retention"]
    assert (await world.rows(OutboxMessage, OutboxMessage.id == row.id))[0].text == row.text
    assert await admin.state() == "PersonFieldSG:value"

    results = await world.tick(days=2)
    assert (results["retention"].texts, results["retention"].files) == (1, 1)
    [kept] = await world.rows(OutboxMessage, OutboxMessage.id == row.id)
    assert kept.text is None and kept.reply_markup is None and kept.status == "sent"
    assert kept.idempotency_key == row.idempotency_key and kept.chat_id == hoa.id  # the row stays
    [f] = await world.rows(OutboxFile, OutboxFile.id == row.outbox_file_id)
    assert f.data is None and f.sha256 and f.size > 0
    assert await world.rows(FsmRecord) == [] and await admin.state() is None  # forgotten in memory too
    await admin.send("Nguyễn Văn Bá")  # the old step is gone: the text is not taken as a name
    assert (await world.rows(AuditEntry, AuditEntry.action == "person.name")) == []


async def test_a_second_run_changes_nothing_and_the_work_is_audited_by_counts_once(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await my_file(world, hoa)
    assert (await world.tick(days=181))["retention"]
    again = await blank_old(due_context(world.dp), world.clock.now())  # run, not skipped as within the hour
    assert again is not None and not again
    [entry] = await world.rows(AuditEntry, AuditEntry.action == "retention.blanked")
    assert entry.after["texts"] == 1 and entry.after["files"] == 1 and entry.actor_id is None
    assert "Nguyễn Thị Hoa" not in str(entry.after)


async def test_a_row_still_waiting_keeps_its_text_and_its_file(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    await hoa.send("/mydata")  # queued, not delivered
    async with world.session() as s:
        await s.execute(update(OutboxMessage).values(not_before=world.clock.now() + timedelta(days=400)))
        await s.commit()
    await world.tick(days=200, drain=False)
    [row] = await world.rows(OutboxMessage, OutboxMessage.kind == "my-data")
    assert row.status == "pending" and row.text
    [f] = await world.rows(OutboxFile)
    assert f.data is not None


async def test_the_same_content_queued_after_its_bytes_were_blanked_stores_them_again(world):
    due = due_context(world.dp)
    async with unit_of_work(due) as ctx:
        first = await Outbox(ctx).file(name="a.json", data=b"{}")
    await world.tick(days=181)
    [f] = await world.rows(OutboxFile)
    assert f.data is None
    async with unit_of_work(due) as ctx:
        again = await Outbox(ctx).file(name="a.json", data=b"{}")
        assert again.id == first.id
    [f] = await world.rows(OutboxFile)
    assert f.data == b"{}"


async def test_the_retention_runs_on_the_first_tick_then_once_an_hour_of_the_clock(world):
    """Every minute it found nothing new (its cut-off is days): it runs on the first tick, then once an hour
    has passed since it last ran; a file that grew old in between waits for that hour."""
    due = due_context(world.dp)
    async with unit_of_work(due) as ctx:
        first = await Outbox(ctx).file(name="a.json", data=b"{}")
    world.clock.advance(minutes=30)
    async with unit_of_work(due) as ctx:
        second = await Outbox(ctx).file(name="b.json", data=b"[]")

    async def blanked() -> set[int]:
        return {f.id for f in await world.rows(OutboxFile) if f.data is None}

    assert (await world.tick(days=180, minutes=-20))["retention"] == Blanked(
        files=1
    )  # 180 days after the 1st
    assert await blanked() == {first.id}
    assert (await world.tick(minutes=59))[
        "retention"
    ] is None  # the second is old enough, the hour is not over
    assert await blanked() == {first.id}
    assert (await world.tick(minutes=1))["retention"] == Blanked(files=1)
    assert await blanked() == {first.id, second.id}
    assert not (await world.tick(hours=1))["retention"]  # run, nothing left


@pytest.mark.parametrize("days", [0, 29])
def test_a_retention_under_thirty_days_is_refused(days):
    with pytest.raises(ValidationError, match="retention_days"):
        Settings(_env_file=None, bot_token="1:x", retention_days=days)  # type: ignore[call-arg]
    assert Settings(_env_file=None, bot_token="1:x").retention_days == 180  # type: ignore[call-arg]
