"""The outbox sender's uploads: a content goes up once per bot; every later row reuses its `file_id`.

A mixin of `bot.sender.OutboxSender`: `_send_upload` uploads on the first send (one upload per content at a
time) and keeps the `file_id` in `outbox_file` and in memory; `_send_media` sends a document or a photo.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.types import BufferedInputFile, FSInputFile, InlineKeyboardMarkup, InputFile, Message
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.sender_outcomes import _Refused
from storage.models import OutboxMessage
from storage.models.core import OutboxFile

_Slot = Callable[[], Awaitable[None]]  # takes the row's place in the windows, right before its request


class SenderUploads:
    """Sending files; `OutboxSender` sets these attributes."""

    bot: Bot
    sessionmaker: async_sessionmaker[AsyncSession]
    _file_ids: dict[int, str]  # outbox_file id -> file_id (this bot's)
    _file_locks: dict[int, asyncio.Lock]  # one upload per content at a time

    async def _send_media(
        self, row: OutboxMessage, file: str | InputFile, markup: InlineKeyboardMarkup | None, take_slot: _Slot
    ) -> Message:
        await take_slot()
        if row.method == "document":
            return await self.bot.send_document(row.chat_id, file, caption=row.text, reply_markup=markup)
        return await self.bot.send_photo(row.chat_id, file, caption=row.text, reply_markup=markup)

    async def _send_upload(
        self, row: OutboxMessage, file_ref: int, markup: InlineKeyboardMarkup | None, take_slot: _Slot
    ) -> int:
        """Upload the content on its first send; every later row (any chat) reuses its file_id."""
        file_id = await self._known_file_id(file_ref)
        if file_id is None:
            async with self._file_locks.setdefault(file_ref, asyncio.Lock()):
                file_id = await self._known_file_id(file_ref)  # the chat before us may have uploaded it
                if file_id is None:
                    msg = await self._send_media(row, await self._input_file(file_ref), markup, take_slot)
                    await self._keep_file_id(file_ref, msg)
                    return msg.message_id
        return (await self._send_media(row, file_id, markup, take_slot)).message_id

    async def _known_file_id(self, file_ref: int) -> str | None:
        if file_ref in self._file_ids:
            return self._file_ids[file_ref]
        async with self.sessionmaker() as s:
            found = (
                await s.execute(
                    select(OutboxFile.file_id, OutboxFile.bot_id).where(OutboxFile.id == file_ref)
                )
            ).first()
        if found is None:
            raise _Refused("file_missing", f"outbox_file {file_ref} is gone")
        if found.file_id and found.bot_id == self.bot.id:
            self._file_ids[file_ref] = found.file_id
            return found.file_id
        return None

    async def _input_file(self, file_ref: int) -> InputFile:
        async with self.sessionmaker() as s:
            f = (
                await s.execute(
                    select(OutboxFile.name, OutboxFile.data, OutboxFile.path).where(OutboxFile.id == file_ref)
                )
            ).one()
        if f.data is not None:
            return BufferedInputFile(f.data, filename=f.name)
        if f.path and await asyncio.to_thread(os.path.isfile, f.path):
            return FSInputFile(f.path, filename=f.name)
        raise _Refused("file_missing", f"the file to upload is not there: {f.path}")

    async def _keep_file_id(self, file_ref: int, msg: Message) -> None:
        file_id = msg.document.file_id if msg.document else msg.photo[-1].file_id if msg.photo else None
        if file_id is None:
            return
        self._file_ids[file_ref] = file_id
        async with self.sessionmaker() as s, s.begin():
            await s.execute(
                update(OutboxFile)
                .where(OutboxFile.id == file_ref)
                .values(file_id=file_id, bot_id=self.bot.id)
            )
