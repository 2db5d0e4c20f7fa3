"""The outbox for the features: batches and their report, idempotency keys, cancelling, uploads, edits,
supergroup upgrades, groups that removed the bot, and 429s that cost no attempt; through the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from aiogram.types import InputFile

from bot.context import Ctx
from bot.devtools.harness import World
from bot.identity import IdentityCache
from bot.sender import OutboxSender
from bot.services.audit import Audit
from bot.services.outbox import BatchReport, Outbox
from storage.db import make_engine
from storage.models import AuditEntry, OutboxMessage, Person
from storage.models.core import OutboxFile
from storage.uow import UnitOfWork
from tests.conftest import make_settings

GROUP, SUPERGROUP, CHANNEL = -4001, -1004001, -1009001


@asynccontextmanager
async def outbox(world: World) -> AsyncIterator[Outbox]:
    """One unit of work, as a handler's update would have it; committed at the end."""
    async with UnitOfWork(world.sessionmaker) as uow:
        yield Outbox(Ctx(uow, world.clock, IdentityCache(), world.settings))


async def outbox_world(db_url: str, clock, **settings: object) -> World:  # type: ignore[no-untyped-def]
    return await World(make_settings(db_url, **settings), make_engine(db_url), clock).start()


async def row_of(world: World, row_id: int) -> OutboxMessage:
    [row] = await world.rows(OutboxMessage, OutboxMessage.id == row_id)
    return row


def uploads(world: World, method: str = "sendDocument", field: str = "document") -> int:
    return sum(isinstance(getattr(c.obj, field), InputFile) for c in world.api.calls_of(method))


# -- batches ------------------------------------------------------------------------------------------------
async def test_a_batch_report_counts_sent_failed_blocked_pending_and_cancelled(world):
    ok1, ok2, gone, unknown, later = [await world.staff(f"Người {i}") for i in range(5)]
    world.api.block(gone.id)
    world.api.fail("*", 400, "Bad Request: chat not found", chat_id=unknown.id, times=10)
    async with outbox(world) as ob:
        batch = ob.new_batch("announce")
        for p in (ok1, ok2, gone, unknown):
            ob.enqueue(p.id, "Thông báo", batch=batch)
        ob.enqueue(later.id, "Thông báo", batch=batch, not_before=world.clock.now() + timedelta(days=1))
        ob.enqueue(ok1.id, "Không thuộc đợt này")
    await world.sender.drain_once()  # what is due now; the row due tomorrow stays queued
    async with outbox(world) as ob:
        assert await ob.batch_report(batch) == BatchReport(sent=2, failed=1, blocked=1, pending=1)
        assert await ob.cancel(batch=batch) == 1  # only the row not yet sent
    async with outbox(world) as ob:
        report = await ob.batch_report(batch)
    assert report == BatchReport(sent=2, failed=1, blocked=1, cancelled=1)
    assert report.total == 5 and report.done
    [failed] = await world.rows(OutboxMessage, OutboxMessage.chat_id == unknown.id)
    assert failed.error == "chat_not_found"


# -- idempotency keys ---------------------------------------------------------------------------------------
async def test_a_key_enqueued_again_returns_the_first_row_and_keeps_the_update(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    [person] = await world.rows(Person, Person.telegram_id == hoa.id)
    async with outbox(world) as ob:
        first = await ob.to_person_once("remind:r1:hoa", person, "Nhắc lần 1")
        again = await ob.enqueue_once("remind:r1:hoa", hoa.id, "Nhắc lần 1 (lặp)")  # the same update
        assert again.id == first.id
    async with outbox(world) as ob:  # a later update: its other writes still commit
        third = await ob.to_person_once("remind:r1:hoa", person, "Nhắc lần 1 (lặp)")
        ob.enqueue(hoa.id, "Thông báo khác")
        Audit(ob.ctx).record("test.kept", "thing", 1)
    assert third.id == first.id
    await world.drain_outbox()
    assert [m.text for m in hoa.messages()] == ["Nhắc lần 1", "Thông báo khác"]
    assert len(await world.rows(AuditEntry, AuditEntry.action == "test.kept")) == 1


async def test_two_updates_enqueueing_one_key_at_once_both_commit_with_one_row(db_url, clock):
    world = await outbox_world(db_url, clock)
    checked = asyncio.Event()

    class Racing(Outbox):
        async def _by_key(self, key):  # type: ignore[no-untyped-def]
            found = await super()._by_key(key)
            checked.set()  # this update saw no row: from here on only the insert can settle the race
            return found

    async def first() -> int:
        async with UnitOfWork(world.sessionmaker) as uow:
            ctx = Ctx(uow, world.clock, IdentityCache(), world.settings)
            row = await Outbox(ctx).enqueue_once("plan-sent:2026:7", 7, "Kế hoạch")
            await checked.wait()  # the second update has looked and found nothing
            await asyncio.sleep(0.3)  # and is now waiting on our insert
            Outbox(ctx).enqueue(8, "Việc của lượt thứ nhất")
            return row.id

    async def second() -> int:
        await asyncio.sleep(0.1)  # after the first has inserted
        async with UnitOfWork(world.sessionmaker) as uow:
            ctx = Ctx(uow, world.clock, IdentityCache(), world.settings)
            row = await Racing(ctx).enqueue_once("plan-sent:2026:7", 7, "Kế hoạch (lượt hai)")
            Outbox(ctx).enqueue(9, "Việc của lượt thứ hai")
            return row.id

    a, b = await asyncio.gather(first(), second())
    assert a == b
    rows = await world.rows(OutboxMessage)
    assert sorted(r.chat_id for r in rows) == [7, 8, 9]  # neither update was rolled back
    assert [r.text for r in rows if r.chat_id == 7] == ["Kế hoạch"]
    await world.close()


# -- cancelling ---------------------------------------------------------------------------------------------
async def test_cancel_by_kind_and_person_stops_only_their_rows_not_yet_sent(world):
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.staff("Trần Văn Minh")
    async with outbox(world) as ob:
        ob.enqueue(hoa.id, "Nhắc đã gửi", kind="reminder", person_id=hoa.person_id)
    await world.drain_outbox()
    async with outbox(world) as ob:
        for text in ("Nhắc 1", "Nhắc 2"):
            ob.enqueue(hoa.id, text, kind="reminder", person_id=hoa.person_id)
        ob.enqueue(hoa.id, "Thông báo", kind="notice", person_id=hoa.person_id)
        ob.enqueue(minh.id, "Nhắc Minh", kind="reminder", person_id=minh.person_id)
    async with outbox(world) as ob:
        assert await ob.cancel(kind="reminder", person_id=hoa.person_id) == 2
    await world.drain_outbox()
    assert [m.text for m in hoa.messages()] == ["Nhắc đã gửi", "Thông báo"]
    assert [m.text for m in minh.messages()] == ["Nhắc Minh"]
    statuses = sorted(r.status for r in await world.rows(OutboxMessage, OutboxMessage.chat_id == hoa.id))
    assert statuses == ["cancelled", "cancelled", "sent", "sent"]


async def test_a_row_cancelled_after_the_sender_claimed_it_is_never_sent(db_url, clock):
    world = await outbox_world(db_url, clock)
    hoa = await world.staff("Nguyễn Thị Hoa")
    async with outbox(world) as ob:
        batch = ob.new_batch("announce")
        ob.enqueue(hoa.id, "Thông báo bị huỷ", batch=batch)

    class CancelledMeanwhile(OutboxSender):
        async def claim(self):  # type: ignore[no-untyped-def]
            rows = await super().claim()
            if rows:  # the secretary cancels while the rows sit in this sender's hands
                async with outbox(world) as ob:
                    assert await ob.cancel(batch=batch) == 1
            return rows

    sender = CancelledMeanwhile(world.bot, world.sessionmaker, clock, world.settings)
    assert await sender.drain_once() == 1
    await sender.drain()
    assert world.api.calls_of("sendMessage") == [] and hoa.messages() == []
    [row] = await world.rows(OutboxMessage)
    assert row.status == "cancelled"
    await world.close()


# -- uploads ------------------------------------------------------------------------------------------------
async def test_bytes_are_uploaded_once_and_the_file_id_is_reused(db_url, clock):
    world = await outbox_world(db_url, clock)
    people = [await world.staff(f"Người {i}") for i in range(4)]
    pdf = b"%PDF-1.4 ke hoach thi dua"
    async with outbox(world) as ob:
        doc = await ob.file(data=pdf, name="KeHoach.pdf")
        assert (await ob.file(data=pdf, name="KeHoach.pdf")).id == doc.id  # the same content: one row
        for p in people[:3]:  # claimed together and sent to three chats at once
            ob.enqueue(p.id, "Kế hoạch năm học", method="document", file=doc)
    await world.drain_outbox()
    assert uploads(world) == 1
    [stored] = await world.rows(OutboxFile)
    assert stored.file_id and stored.bot_id == world.bot.id
    for p in people[:3]:
        [m] = p.messages()
        assert m.kind == "document" and m.file_id == stored.file_id and m.text == "Kế hoạch năm học"

    restarted = OutboxSender(world.bot, world.sessionmaker, clock, world.settings)  # the file_id is kept
    async with outbox(world) as ob:
        doc = await ob.file(data=pdf, name="KeHoach.pdf")
        ob.enqueue(people[3].id, "Kế hoạch", method="document", file=doc)
    await restarted.drain()
    assert uploads(world) == 1 and people[3].messages()[0].file_id == stored.file_id
    assert len(await world.rows(OutboxFile)) == 1
    await world.close()


async def test_a_photo_from_a_path_is_uploaded_once_and_a_missing_path_fails(world, tmp_path):
    hoa, minh = await world.staff("Nguyễn Thị Hoa"), await world.staff("Trần Văn Minh")
    photo, gone = tmp_path / "viec-tot.jpg", tmp_path / "da-xoa.pdf"
    photo.write_bytes(b"\xff\xd8 a good deed")
    gone.write_bytes(b"soon deleted")
    async with outbox(world) as ob:
        pic = await ob.file(path=photo, name="viec-tot.jpg", kind="photo")
        lost = await ob.file(path=gone, name="da-xoa.pdf")
        for p in (hoa, minh):
            ob.enqueue(p.id, "Việc tốt", method="photo", file=pic)
        lost_row = ob.enqueue(hoa.id, "Tệp", method="document", file=lost)
    gone.unlink()
    await world.drain_outbox()
    assert uploads(world, "sendPhoto", "photo") == 1
    assert hoa.messages()[0].file_id == minh.messages()[0].file_id and hoa.messages()[0].kind == "photo"
    row = await row_of(world, lost_row.id)
    assert (row.status, row.error) == ("failed", "file_missing") and len(hoa.messages()) == 1


# -- edits --------------------------------------------------------------------------------------------------
async def test_an_edit_queued_with_its_message_changes_it_once_sent(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    async with outbox(world) as ob:
        card = ob.enqueue(hoa.id, "Đã gửi 0/3")
        progress = ob.enqueue(hoa.id, "Đã gửi 3/3", method="edit", edit_of=card)
    await world.drain_outbox()
    [m] = hoa.messages()
    assert m.text == "Đã gửi 3/3" and len(world.api.calls_of("editMessageText")) == 1
    assert (await row_of(world, progress.id)).message_id == m.message_id

    async with outbox(world) as ob:  # the same text again: "message is not modified" counts as done
        [card] = await world.rows(OutboxMessage, OutboxMessage.id == card.id)
        same = ob.enqueue(hoa.id, "Đã gửi 3/3", method="edit", edit_of=card)
    await world.drain_outbox()
    assert (await row_of(world, same.id)).status == "sent"


async def test_an_edit_waits_for_the_message_it_edits_without_using_attempts(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    async with outbox(world) as ob:
        card = ob.enqueue(hoa.id, "Thẻ", not_before=world.clock.now() + timedelta(minutes=5))
        await ob.ctx.session.flush()
        edit = await ob.enqueue_once("card-edit:1", hoa.id, "Thẻ (đã duyệt)", method="edit", edit_of=card)
    await world.sender.drain_once()
    row = await row_of(world, edit.id)
    assert (row.status, row.attempts) == ("pending", 0) and hoa.messages() == []
    world.clock.advance(minutes=6)
    await world.drain_outbox()
    assert [m.text for m in hoa.messages()] == ["Thẻ (đã duyệt)"]
    assert (await row_of(world, edit.id)).status == "sent"


async def test_edits_of_a_message_sent_directly_and_of_a_document_caption(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    direct = await world.bot.send_message(hoa.id, "Hồ sơ: chờ duyệt")  # a card a handler answered with
    async with outbox(world) as ob:
        ob.enqueue(hoa.id, "Hồ sơ: đã duyệt", method="edit", edit_message_id=direct.message_id)
        doc = await ob.file(data=b"bien ban", name="BienBan.pdf")
        sent_doc = ob.enqueue(hoa.id, "Biên bản (bản nháp)", method="document", file=doc)
        ob.enqueue(hoa.id, "Biên bản (bản chính thức)", method="edit", edit_of=sent_doc)
    await world.drain_outbox()
    assert [m.text for m in hoa.messages()] == ["Hồ sơ: đã duyệt", "Biên bản (bản chính thức)"]
    assert len(world.api.calls_of("editMessageCaption")) == 1


# -- groups and channels ------------------------------------------------------------------------------------
async def test_a_group_upgraded_to_a_supergroup_gets_its_messages_at_the_new_id(db_url, clock):
    world = await outbox_world(db_url, clock)
    world.api.fail(
        "*", 400, "Bad Request: group chat was upgraded to a supergroup chat", chat_id=GROUP,
        migrate_to_chat_id=SUPERGROUP, times=10,
    )  # fmt: skip
    async with outbox(world) as ob:
        for text in ("Thông báo 1", "Thông báo 2"):
            ob.enqueue(GROUP, text, kind="group")
    await world.drain_outbox()
    assert [m.text for m in world.api.sent_to(SUPERGROUP)] == ["Thông báo 1", "Thông báo 2"]
    rows = await world.rows(OutboxMessage)
    assert {(r.chat_id, r.status, r.attempts) for r in rows} == {(SUPERGROUP, "sent", 1)}
    assert len([c for c in world.api.calls_of("sendMessage") if c.params["chat_id"] == GROUP]) == 1
    await world.close()


async def test_a_group_that_removed_the_bot_fails_its_rows_as_forbidden(world):
    world.api.fail("*", 403, "Forbidden: bot was kicked from the supergroup chat", chat_id=GROUP, times=10)
    world.api.fail("*", 400, "Bad Request: chat not found", chat_id=CHANNEL, times=10)
    async with outbox(world) as ob:
        for n in range(3):
            ob.enqueue(GROUP, f"Nhóm {n}", kind="group")
            ob.enqueue(CHANNEL, f"Kênh {n}", kind="channel")
    await world.drain_outbox()
    rows = await world.rows(OutboxMessage)
    assert {(r.chat_id, r.status, r.error) for r in rows} == {
        (GROUP, "failed", "forbidden"),
        (CHANNEL, "failed", "chat_not_found"),
    }
    for chat in (GROUP, CHANNEL):  # the first refusal settles the chat's other rows
        assert len([c for c in world.api.calls_of("sendMessage") if c.params["chat_id"] == chat]) == 1
    assert await world.rows(AuditEntry, AuditEntry.action == "person.unreachable") == []


async def test_a_403_in_private_still_marks_the_person_unreachable(world):
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.api.block(hoa.id)
    async with outbox(world) as ob:
        ob.enqueue(hoa.id, "Thông báo")
    await world.drain_outbox()
    [row] = await world.rows(OutboxMessage)
    assert (row.status, row.error) == ("blocked", "forbidden")
    [person] = await world.rows(Person, Person.telegram_id == hoa.id)
    assert person.unreachable
    assert len(await world.rows(AuditEntry, AuditEntry.action == "person.unreachable")) == 1


# -- retries ------------------------------------------------------------------------------------------------
async def test_a_429_does_not_use_up_an_attempt(db_url, clock):
    world = await outbox_world(db_url, clock, outbox_max_attempts=2)
    hoa = await world.staff("Nguyễn Thị Hoa")
    world.api.flood(hoa.id, retry_after=2, times=3)
    world.api.server_error(hoa.id, times=1)  # after the 429s: the one attempt that counts, then one more
    async with outbox(world) as ob:
        ob.enqueue(hoa.id, "Thông báo")
    await world.drain_outbox()
    [row] = await world.rows(OutboxMessage)
    assert (row.status, row.attempts) == ("sent", 2)
    assert [m.text for m in hoa.messages()] == ["Thông báo"]
    await world.close()
