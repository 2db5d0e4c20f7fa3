"""/council: the secretary's council of a round. By default who holds the `council` role when voting opens;
before it opens she removes or adds a member (a name typed, the rule of every name search) and names the
chair (else the principal who sits on it). Each change is audited by the service; a press of anyone else,
or after the opening, is refused and changes nothing."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.commands import register_command
from bot.context import Ctx
from bot.conversation import conversation
from bot.errors import DomainError
from bot.filters import TYPED, Allowed
from bot.i18n import t
from bot.services.voting import MANAGE, VOTE, CouncilView
from bot.text import esc
from handlers.keyboards import button
from handlers.render import voting_cards as render

from .common import CouncilCb, alert, edit, error_text, kb, lang, msg, pick, service

register_command("council", MANAGE, "voting-cmd-council", order=54)


class CouncilSG(StatesGroup):
    name = State()


ADD_PRESS = (CouncilCb.filter(F.op == "new"), Allowed(MANAGE))
conversation(
    CouncilSG, "voting-flow-council", started_by=[ADD_PRESS], asks={CouncilSG.name: "voting-ask-name"}
)


def register(r: Router) -> None:
    a = Allowed(MANAGE)
    r.message.register(council, Command("council"), a)
    r.callback_query.register(press_new, *ADD_PRESS)
    r.message.register(got_name, StateFilter(CouncilSG.name), TYPED, a)
    r.callback_query.register(press, CouncilCb.filter(), a)


def register_last(r: Router) -> None:
    """A council's press by someone who is not the secretary: refused, nothing changed."""
    r.callback_query.register(not_secretary, CouncilCb.filter(), Allowed(VOTE))


async def _view(ctx: Ctx, view: CouncilView) -> tuple[str, InlineKeyboardMarkup | None]:
    round_ = await service(ctx).plan_round(view.round_id)
    text = render.council(view, pick(round_.name_vi, round_.name_en), lang())
    if view.state != "preparing":
        return text, None
    r = view.round_id
    rows = [
        [button(t("voting-btn-remove", name=m.full_name), CouncilCb(r=r, op="rm", p=m.person_id))]
        for m in view.active
    ]
    rows += [
        [button(t("voting-btn-readd", name=m.full_name), CouncilCb(r=r, op="add", p=m.person_id))]
        for m in view.members
        if m.removed
    ]
    rows.append(
        [
            button(t("voting-btn-add"), CouncilCb(r=r, op="new")),
            button(t("voting-btn-chairs"), CouncilCb(r=r, op="chairs")),
        ]
    )
    return text, kb(rows)


async def council(message: Message, ctx: Ctx) -> None:
    svc = service(ctx)
    try:
        rounds = await svc.council_rounds()
        if len(rounds) == 1:
            text, markup = await _view(ctx, await svc.council(rounds[0].id))
        elif not rounds:
            text, markup = t("voting-council-none"), None
        else:
            rows = [[button(pick(r.name_vi, r.name_en), CouncilCb(r=r.id, op="show"))] for r in rounds]
            text, markup = t("voting-council-pick"), kb(rows)
    except DomainError as e:
        await message.answer(error_text(e))
        return
    await message.answer(text, reply_markup=markup)


async def press(query: CallbackQuery, callback_data: CouncilCb, ctx: Ctx) -> None:
    svc, cb = service(ctx), callback_data
    try:
        if cb.op == "chairs":
            view = await svc.council(cb.r)
            if view.state != "preparing":
                from bot.services.voting.errors import VotingAlreadyOpen

                raise VotingAlreadyOpen()
            rows = [[button(m.full_name, CouncilCb(r=cb.r, op="chair", p=m.person_id))] for m in view.active]
            rows.append([button(t("voting-btn-back"), CouncilCb(r=cb.r, op="show"))])
            await query.answer()
            await edit(query, t("voting-council-pick-chair"), kb(rows))
            return
        if cb.op == "rm":
            view = await svc.remove_member(cb.r, cb.p)
        elif cb.op == "add":
            view = await svc.add_member(cb.r, cb.p)
        elif cb.op == "chair":
            view = await svc.name_chair(cb.r, cb.p)
        else:
            view = await svc.council(cb.r)
        text, markup = await _view(ctx, view)
    except DomainError as e:
        await alert(query, e)
        return
    done = {
        "rm": "voting-council-removed-done",
        "add": "voting-council-added-done",
        "chair": "voting-council-chair-done",
    }
    await query.answer(t(done[cb.op]) if cb.op in done else None)
    await edit(query, text, markup)


async def press_new(query: CallbackQuery, callback_data: CouncilCb, ctx: Ctx, state: FSMContext) -> None:
    try:
        view = await service(ctx).council(callback_data.r)
        if view.state != "preparing":
            from bot.services.voting.errors import VotingAlreadyOpen

            raise VotingAlreadyOpen()
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer()
    await state.set_state(CouncilSG.name)
    await state.set_data({"r": callback_data.r})
    await msg(query).answer(t("voting-ask-name"))


async def got_name(message: Message, ctx: Ctx, state: FSMContext) -> None:
    round_id = int((await state.get_data()).get("r", 0))
    try:
        found = await service(ctx).search(message.text or "")
    except DomainError as e:
        await message.answer(error_text(e))  # the step stays: the secretary types again
        return
    if not found:
        await message.answer(t("voting-name-none", query=esc(message.text or "")))
        return
    await state.clear()
    rows = [
        [button(t("voting-btn-person", name=name, unit=unit), CouncilCb(r=round_id, op="add", p=pid))]
        for pid, name, unit in found
    ]
    await message.answer(t("voting-name-pick"), reply_markup=kb(rows))


async def not_secretary(query: CallbackQuery) -> None:
    await query.answer(t("voting-not-secretary"), show_alert=True)
