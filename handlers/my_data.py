"""/mydata: the person gets, as a file through the outbox, everything the bot stores about them (issue 22)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.clock import fmt_when
from bot.commands import register_command
from bot.context import Ctx
from bot.exports.my_data import my_data_file
from bot.filters import Allowed, personal_router
from bot.i18n import t
from bot.roles import Member
from bot.services.my_data import MY_DATA, MyDataService

register_command("mydata", MY_DATA, "mydata-cmd", order=92)  # rarely needed: last


def router() -> Router:
    r = personal_router("my_data")
    r.message.register(ask, Command("mydata"), Allowed(MY_DATA))
    return r


async def ask(message: Message, me: Member, ctx: Ctx) -> None:
    service = MyDataService(ctx)
    data = await service.collect(me.person_id)
    name, content = my_data_file(data)
    caption = t("mydata-caption", locale=data.language, when=fmt_when(data.made_at, data.language))
    queued = await service.send(data, name, content, caption)
    await message.answer(t("mydata-queued") if queued else t("mydata-unreachable"))
