"""/results: the secretary's desk of the votes (and the chair's result).

- An open vote: who has voted on how many dossiers (never how), "Ghi phiếu giấy" (an absent member's
  written vote, refused for a non-member or a member who voted), "Kết thúc sớm" (once everyone has voted).
- A tallied vote: the result table ("Đồng ý 3/3", passed, failed, over quota, tied) with its warnings, as
  the secretary and the chair got it; "Giải quyết phiếu hòa" (the chair's choice, recorded by the secretary
  with a reason) and "Bỏ phiếu lại một hồ sơ" (a re-ballot with its own close).
Every press is checked again by the service; closing twice, a tie that does not exist, a forged press are
refused with a message and change nothing.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.clock import example_when, fmt_when, parse_when
from bot.commands import register_command
from bot.context import Ctx
from bot.conversation import conversation
from bot.errors import DomainError
from bot.filters import TYPED, Allowed
from bot.i18n import t
from bot.roles import Role, Scope, register_rules
from bot.services.voting import VOTE, ResultsView, VoteItem
from bot.services.voting.errors import NoSuchTie, ReballotCloseBad
from bot.text import esc
from handlers.keyboards import button
from handlers.render import voting_cards as render
from handlers.render.voting import TEXTS

from .common import (
    DeskCb,
    ReballotCb,
    TieCb,
    WrittenCb,
    alert,
    edit,
    error_text,
    kb,
    lang,
    msg,
    pick,
    send_parts,
    service,
)

RESULTS_MENU = "voting_results_menu"  # in the menus of the secretary and the principal (the chair by default)
register_rules({RESULTS_MENU: {Role.SECRETARY: Scope.ALL, Role.PRINCIPAL: Scope.ALL}})
register_command("results", RESULTS_MENU, "voting-cmd-results", order=55)


class TieSG(StatesGroup):
    pick = State()
    reason = State()


class ReballotSG(StatesGroup):
    until = State()


TIE_PRESS = (TieCb.filter(F.d == 0), Allowed(VOTE))
REBALLOT_PRESS = (ReballotCb.filter(), Allowed(VOTE))
conversation(TieSG, "voting-flow-tie", started_by=[TIE_PRESS], asks={TieSG.reason: "voting-ask-reason"})
conversation(ReballotSG, "voting-flow-reballot", started_by=[REBALLOT_PRESS])


def register(r: Router) -> None:
    a = Allowed(VOTE)
    r.message.register(results, Command("results"), a)
    r.callback_query.register(press_desk, DeskCb.filter(), a)
    r.callback_query.register(press_written, WrittenCb.filter(), a)
    r.callback_query.register(press_tie_pick, StateFilter(TieSG.pick), TieCb.filter(F.d != 0), a)
    r.callback_query.register(press_tie, *TIE_PRESS)
    r.callback_query.register(press_tie_stale, TieCb.filter(), a)
    r.message.register(got_reason, StateFilter(TieSG.reason), TYPED, a)
    r.callback_query.register(press_reballot, *REBALLOT_PRESS)
    r.message.register(got_until, StateFilter(ReballotSG.until), TYPED, a)


# -- the list and one vote --------------------------------------------------------------------------------
def _label(item: VoteItem) -> str:
    name = pick(item.round_name_vi, item.round_name_en)
    if item.reballot:
        return t("voting-btn-desk-reballot", round=name, nominee=item.nominee)
    return t("voting-btn-desk", round=name, state=t(f"voting-state-{item.state}"))


async def results(message: Message, ctx: Ctx) -> None:
    try:
        votes = await service(ctx).votes()
        if len(votes) == 1:
            await _show(message, ctx, votes[0].voting_id)
            return
    except DomainError as e:
        await message.answer(error_text(e))
        return
    if not votes:
        await message.answer(t("voting-desk-none"))
        return
    rows = [[button(_label(v), DeskCb(v=v.voting_id, op="show"))] for v in votes]
    await message.answer(t("voting-desk-pick"), reply_markup=kb(rows))


def _result_buttons(view: ResultsView, secretary: bool) -> InlineKeyboardMarkup | None:
    if not secretary:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    for i, title in enumerate(view.titles):
        if title.open_places and any(line.outcome == "tied" and not line.settled for line in title.lines):
            name = pick(title.name_vi, title.name_en)
            rows.append([button(t("voting-btn-tie", title=name), TieCb(v=view.voting_id, i=i))])
    if not view.reballot:
        rows.append([button(t("voting-btn-reballot"), DeskCb(v=view.voting_id, op="rb"))])
    return kb(rows)


async def _show(message: Message, ctx: Ctx, voting_id: int) -> None:
    svc = service(ctx)
    item = await svc.item(voting_id)
    if item.state == "open":
        standing = await svc.standing(voting_id)
        rows = [
            [
                button(t("voting-btn-written"), DeskCb(v=voting_id, op="wr")),
                button(t("voting-btn-close"), DeskCb(v=voting_id, op="close")),
            ]
        ]
        await message.answer(render.standing(standing, lang()), reply_markup=kb(rows))
        return
    if item.state != "tallied":
        await svc.standing(voting_id)  # the secretary's only
        await message.answer(
            t("voting-desk-untallied", round=esc(pick(item.round_name_vi, item.round_name_en)))
        )
        return
    view = await svc.results(voting_id)
    secretary = await _is_secretary(ctx)
    await send_parts(message, TEXTS.results(view, lang()), _result_buttons(view, secretary))


async def _is_secretary(ctx: Ctx) -> bool:
    from bot.services.voting.common import is_secretary

    return is_secretary(ctx.actor)


async def press_desk(query: CallbackQuery, callback_data: DeskCb, ctx: Ctx) -> None:
    svc, v = service(ctx), callback_data.v
    try:
        if callback_data.op == "show":
            await _show(msg(query), ctx, v)  # raises before it sends (a vote not found, not the person's)
            await query.answer()  # after: an alert cannot follow an answer
            return
        if callback_data.op == "close":
            await svc.close_early(v)
            await query.answer(t("voting-closed-done"))
            await edit(query, t("voting-closed-text", when=fmt_when(ctx.clock.now(), lang())))
            return
        if callback_data.op == "wr":
            text, markup = await _written_members(ctx, v)
        else:
            text, markup = await _reballot_list(ctx, v)
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer()
    await msg(query).answer(text, reply_markup=markup)


# -- written votes -------------------------------------------------------------------------------------
async def _written_members(ctx: Ctx, voting_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    standing = await service(ctx).standing(voting_id)
    left = [m for m in standing.members if not m.finished]
    if not left:
        return t("voting-written-nobody"), None
    rows = [
        [
            button(
                t("voting-btn-member", name=m.full_name, done=m.done, total=m.total),
                WrittenCb(v=voting_id, m=m.person_id),
            )
        ]
        for m in left
    ]
    return t("voting-written-pick-member"), kb(rows)


async def press_written(query: CallbackQuery, callback_data: WrittenCb, ctx: Ctx) -> None:
    svc, cb = service(ctx), callback_data
    try:
        name = await svc.member_name(cb.m)
        if cb.d and cb.c:
            await svc.enter_written(cb.v, cb.d, cb.m, {"y": "agree", "n": "disagree"}[cb.c])
            left = await _missing_or_none(ctx, cb.v, cb.m)
            await query.answer(t("voting-written-done", name=name))
            if left is None:
                await edit(query, t("voting-written-all-done", name=esc(name)))
            else:
                await edit(query, *left)
            return
        if cb.d:
            [dossier] = [d for d in await svc.missing(cb.v, cb.m) if d.dossier_id == cb.d] or [None]
            if dossier is None:
                from bot.services.voting.errors import AlreadyVoted

                raise AlreadyVoted()
            rows = [
                [
                    button(t("voting-btn-y"), WrittenCb(v=cb.v, m=cb.m, d=cb.d, c="y")),
                    button(t("voting-btn-n"), WrittenCb(v=cb.v, m=cb.m, d=cb.d, c="n")),
                ]
            ]
            text = t(
                "voting-written-ask-choice",
                name=esc(name),
                nominee=esc(dossier.nominee),
                title=esc(pick(dossier.title_vi, dossier.title_en)),
            )
            await query.answer()
            await edit(query, text, kb(rows))
            return
        text, markup = await _missing(ctx, cb.v, cb.m, name)
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer()
    await edit(query, text, markup)


async def _missing(
    ctx: Ctx, voting_id: int, member_id: int, name: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    dossiers = await service(ctx).missing(voting_id, member_id)
    rows = [
        [
            button(
                t("voting-btn-written-dossier", nominee=d.nominee, title=pick(d.title_vi, d.title_en)),
                WrittenCb(v=voting_id, m=member_id, d=d.dossier_id),
            )
        ]
        for d in dossiers
    ]
    return t("voting-written-pick-dossier", name=esc(name), n=len(dossiers)), kb(rows)


async def _missing_or_none(
    ctx: Ctx, voting_id: int, member_id: int
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    from bot.services.voting.errors import AlreadyVoted

    try:
        return await _missing(ctx, voting_id, member_id, await service(ctx).member_name(member_id))
    except AlreadyVoted:
        return None


# -- a tie -----------------------------------------------------------------------------------------------
async def _tie(ctx: Ctx, voting_id: int, i: int) -> tuple[ResultsView, int]:
    view = await service(ctx).results(voting_id)
    if not 0 <= i < len(view.titles) or not view.titles[i].open_places:
        raise NoSuchTie()
    if not any(line.outcome == "tied" and not line.settled for line in view.titles[i].lines):
        raise NoSuchTie()
    return view, i


def _tie_page(view: ResultsView, i: int, chosen: list[int]) -> tuple[str, InlineKeyboardMarkup | None]:
    title = view.titles[i]
    tied = [line for line in title.lines if line.outcome == "tied"]
    rows = [
        [
            button(
                ("☑ " if line.dossier_id in chosen else "☐ ") + line.nominee,
                TieCb(v=view.voting_id, i=i, d=line.dossier_id, on=line.dossier_id not in chosen),
            )
        ]
        for line in tied
    ]
    rows.append([button(t("voting-btn-tie-go"), TieCb(v=view.voting_id, i=i, d=0))])
    text = t(
        "voting-tie-pick",
        title=esc(pick(title.name_vi, title.name_en)),
        places=title.open_places,
        n=len(tied),
        chosen=len(chosen),
    )
    return text, kb(rows)


async def press_tie(query: CallbackQuery, callback_data: TieCb, ctx: Ctx, state: FSMContext) -> None:
    """The tie's button: choose the chair's dossiers; pressed again ("Tiếp tục"), ask the reason."""
    from bot.services.voting.common import ensure_secretary

    cb = callback_data
    data = await state.get_data()
    try:
        ensure_secretary(ctx)  # the chair's choice is recorded by the secretary
        view, i = await _tie(ctx, cb.v, cb.i)
        if await state.get_state() == TieSG.pick.state and data.get("v") == cb.v and data.get("i") == cb.i:
            chosen = [int(x) for x in data.get("chosen", [])]
            if len(chosen) != view.titles[i].open_places:
                from bot.services.voting.errors import BadSettlement

                raise BadSettlement(places=view.titles[i].open_places)
            await state.set_state(TieSG.reason)
            await query.answer()
            await msg(query).answer(t("voting-ask-reason"))
            return
    except DomainError as e:
        await alert(query, e)
        return
    await state.set_state(TieSG.pick)
    await state.set_data({"v": cb.v, "i": cb.i, "code": view.titles[i].code, "chosen": []})
    await query.answer()
    text, markup = _tie_page(view, i, [])
    await msg(query).answer(text, reply_markup=markup)


async def press_tie_pick(query: CallbackQuery, callback_data: TieCb, ctx: Ctx, state: FSMContext) -> None:
    cb, data = callback_data, await state.get_data()
    if data.get("v") != cb.v or data.get("i") != cb.i:
        await press_tie_stale(query)
        return
    try:
        view, i = await _tie(ctx, cb.v, cb.i)
    except DomainError as e:
        await alert(query, e)
        return
    chosen = [int(x) for x in data.get("chosen", []) if int(x) != cb.d]
    tied = {line.dossier_id for line in view.titles[i].lines if line.outcome == "tied"}
    if cb.on and cb.d in tied:
        chosen.append(cb.d)
    await state.update_data(chosen=chosen)
    await query.answer()
    await edit(query, *_tie_page(view, i, chosen))


async def press_tie_stale(query: CallbackQuery) -> None:
    await query.answer(t("voting-tie-stale"), show_alert=True)


async def got_reason(message: Message, ctx: Ctx, state: FSMContext) -> None:
    data = await state.get_data()
    try:
        view = await service(ctx).settle_tie(
            int(data["v"]), str(data["code"]), [int(x) for x in data["chosen"]], message.text or ""
        )
    except DomainError as e:
        if e.key != "voting-reason-needed":
            await state.clear()
        await message.answer(error_text(e))
        return
    await state.clear()
    await message.answer(t("voting-tie-done"))
    await send_parts(message, TEXTS.results(view, lang()), _result_buttons(view, True))


# -- a re-ballot -------------------------------------------------------------------------------------------
async def _reballot_list(ctx: Ctx, voting_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    view = await service(ctx).results(voting_id)
    from bot.services.voting.common import ensure_secretary

    ensure_secretary(ctx)
    rows = [
        [
            button(
                t(
                    "voting-btn-reballot-dossier",
                    nominee=line.nominee,
                    title=pick(title.name_vi, title.name_en),
                ),
                ReballotCb(v=voting_id, d=line.dossier_id),
            )
        ]
        for title in view.titles
        for line in title.lines
    ]
    return t("voting-reballot-pick"), kb(rows)


async def press_reballot(
    query: CallbackQuery, callback_data: ReballotCb, ctx: Ctx, state: FSMContext
) -> None:
    try:
        view = await service(ctx).results(callback_data.v)
        from bot.services.voting.common import ensure_secretary

        ensure_secretary(ctx)
        if view.reballot or all(line.dossier_id != callback_data.d for x in view.titles for line in x.lines):
            from bot.services.voting.errors import ReballotNotAllowed

            raise ReballotNotAllowed()
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer()
    await state.set_state(ReballotSG.until)
    await state.set_data({"v": callback_data.v, "d": callback_data.d})
    await msg(query).answer(t("voting-ask-until", example=example_when(ctx.clock.now())))


async def got_until(message: Message, ctx: Ctx, state: FSMContext) -> None:
    data = await state.get_data()
    until = parse_when(message.text, today=ctx.clock.today())
    try:
        if until is None:
            raise ReballotCloseBad()
        await service(ctx).reballot(int(data["v"]), int(data["d"]), until)
    except DomainError as e:
        if e.key != ReballotCloseBad.key:
            await state.clear()
        await message.answer(
            error_text(e)
            + (
                "\n" + t("voting-ask-until", example=example_when(ctx.clock.now()))
                if e.key == ReballotCloseBad.key
                else ""
            )
        )
        return
    await state.clear()
    await message.answer(t("voting-reballot-done", when=fmt_when(until, lang())))
