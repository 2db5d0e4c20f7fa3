"""/review: a member's dossiers of the open vote, by title, one card per dossier, and the ballot's buttons.

"Đồng ý", "Không đồng ý", "Chưa quyết" record, change or take back the member's vote until the close and
edit the card in place; the card marks the member's own choice, in the member's own chat only. "‹ Trước",
"Sau ›" and "Danh sách" edit the same message; "Xem đầy đủ" sends the dossier whole and its files. A
member recused from a dossier (its nominee, the head of its unit) sees its title and state only.
Every press is checked again (VotingService): a non-member, a forged or replayed button, a closed vote, a
dossier of another vote or withdrawn are refused with a message and nothing changes.
"""

from __future__ import annotations

from typing import Literal

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.commands import register_command
from bot.context import Ctx
from bot.errors import DomainError
from bot.filters import Allowed
from bot.i18n import t
from bot.roles import Role, Scope, register_rules
from bot.services.voting import VOTE, DossierView, Sheet
from handlers.keyboards import button
from handlers.render import reminders as reminder_texts
from handlers.render import voting_cards as render

from .common import (
    CHOICE,
    VoteCardCb,
    VoteCb,
    VoteListCb,
    VoteOpenCb,
    alert,
    edit,
    error_text,
    kb,
    lang,
    msg,
    send_parts,
    service,
)

# /review is in the menu of who holds the `council` role; a member the secretary added without it may
# still use it (the service says who is a member of which vote).
REVIEW_MENU = "voting_review_menu"
register_rules({REVIEW_MENU: {Role.COUNCIL: Scope.ALL}})
register_command("review", REVIEW_MENU, "voting-cmd-review", order=53)


class RemVoteCb(CallbackData, prefix="rm"):
    """The voting reminders' "Bỏ phiếu" (the reminders' own act buttons are handlers.reminders.RemActCb)."""

    act: Literal["vote"]


# The voting reminders carry "Bỏ phiếu" (the reminders' texts name a button by its act: "rm:vote").
for _kind in ("voting_open", "voting_close"):
    reminder_texts.PERSONAL[_kind] = (reminder_texts.PERSONAL[_kind][0], "vote")


def register(r: Router) -> None:
    a = Allowed(VOTE)
    r.message.register(review, Command("review"), a)
    r.callback_query.register(press_open, VoteOpenCb.filter(), a)
    r.callback_query.register(press_reminder, RemVoteCb.filter(), a)
    r.callback_query.register(press_list, VoteListCb.filter(), a)
    r.callback_query.register(press_card, VoteCardCb.filter(F.op == "card"), a)
    r.callback_query.register(press_full, VoteCardCb.filter(F.op == "full"), a)
    r.callback_query.register(press_vote, VoteCb.filter(), a)


# -- the index ------------------------------------------------------------------------------------------
def index_view(sheet: Sheet, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    text, shown, pages = render.index(sheet, page, lang())
    page = min(max(page, 0), pages - 1)
    ordered = [d for _, group in sheet.titles() for d in group]
    rows = [
        [
            button(
                t("voting-btn-dossier", n=ordered.index(d) + 1, name=d.nominee, mark=_tick(d)),
                VoteCardCb(v=sheet.voting_id, d=d.dossier_id),
            )
        ]
        for d in shown
    ]
    nav = []
    if page > 0:
        nav.append(button(t("voting-btn-prev"), VoteListCb(v=sheet.voting_id, p=page - 1)))
    if page + 1 < pages:
        nav.append(button(t("voting-btn-next"), VoteListCb(v=sheet.voting_id, p=page + 1)))
    return text, kb([*rows, nav])


def _tick(d: DossierView) -> str:
    return " ✓" if d.voted and not d.recused else ""


async def _votes_text(ctx: Ctx) -> tuple[str, InlineKeyboardMarkup | None]:
    svc = service(ctx)
    votes = await svc.my_votes()
    if not votes:
        return t("voting-review-none"), None
    if len(votes) == 1:
        return index_view(await svc.sheet(votes[0]), 0)
    rows = []
    for vid in votes:
        sheet = await svc.sheet(vid)
        label = t("voting-btn-pick-vote", round=render.round_name(sheet, lang()))
        if sheet.reballot:
            label = t("voting-btn-pick-reballot", round=render.round_name(sheet, lang()))
        rows.append([button(label, VoteOpenCb(v=vid))])
    return t("voting-review-pick"), kb(rows)


async def review(message: Message, ctx: Ctx) -> None:
    try:
        text, markup = await _votes_text(ctx)
    except DomainError as e:
        await message.answer(error_text(e))
        return
    await message.answer(text, reply_markup=markup)


async def press_reminder(query: CallbackQuery, ctx: Ctx) -> None:
    await query.answer()
    await review(msg(query), ctx)


async def press_open(query: CallbackQuery, callback_data: VoteOpenCb, ctx: Ctx) -> None:
    """ "Bỏ phiếu" on the opening message: the index, as a new message (the notice stays as it is)."""
    try:
        text, markup = index_view(await service(ctx).sheet(callback_data.v), 0)
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer()
    await msg(query).answer(text, reply_markup=markup)


async def press_list(query: CallbackQuery, callback_data: VoteListCb, ctx: Ctx) -> None:
    try:
        text, markup = index_view(await service(ctx).sheet(callback_data.v), callback_data.p)
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer()
    await edit(query, text, markup)


# -- a card -----------------------------------------------------------------------------------------------
def card_view(sheet: Sheet, dossier_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    ordered = [d for _, group in sheet.titles() for d in group]
    d = next(x for x in ordered if x.dossier_id == dossier_id)
    fitted = render.card(d, sheet, lang())
    rows: list[list[InlineKeyboardButton]] = []
    votable = not d.recused and not d.withdrawn and sheet.state == "open" and sheet.progress is not None
    if votable:
        current = {"agree": "y", "disagree": "n"}.get(d.choice or "", "u" if not d.voted else "")
        rows.append(
            [
                button(
                    ("✓ " if current == c else "") + t(f"voting-btn-{c}"),
                    VoteCb(v=sheet.voting_id, d=d.dossier_id, c=c),  # type: ignore[arg-type]
                )
                for c in ("y", "n", "u")
            ]
        )
    i = ordered.index(d)
    nav = []
    if i > 0:
        nav.append(button(t("voting-btn-before"), VoteCardCb(v=sheet.voting_id, d=ordered[i - 1].dossier_id)))
    nav.append(button(t("voting-btn-index"), VoteListCb(v=sheet.voting_id, p=i // render.PAGE)))
    if i + 1 < len(ordered):
        nav.append(button(t("voting-btn-after"), VoteCardCb(v=sheet.voting_id, d=ordered[i + 1].dossier_id)))
    rows.append(nav)
    if not d.recused and not d.withdrawn:
        rows.append([button(t("voting-btn-full"), VoteCardCb(v=sheet.voting_id, d=d.dossier_id, op="full"))])
    return fitted.text, kb(rows)


async def _sheet_with(ctx: Ctx, voting_id: int, dossier_id: int) -> Sheet:
    sheet = await service(ctx).sheet(voting_id)
    if all(d.dossier_id != dossier_id for d in sheet.dossiers):
        from bot.services.voting.errors import DossierNotInVote

        raise DossierNotInVote()
    return sheet


async def press_card(query: CallbackQuery, callback_data: VoteCardCb, ctx: Ctx) -> None:
    try:
        sheet = await _sheet_with(ctx, callback_data.v, callback_data.d)
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer()
    await edit(query, *card_view(sheet, callback_data.d))


async def press_full(query: CallbackQuery, callback_data: VoteCardCb, ctx: Ctx) -> None:
    """ "Xem đầy đủ": the dossier uncut, its achievement report, and the files, as new messages."""
    svc = service(ctx)
    try:
        whole = await svc.full(callback_data.v, callback_data.d)
        sheet = await svc.sheet(callback_data.v)
    except DomainError as e:
        await alert(query, e)
        return
    await query.answer()
    await send_parts(msg(query), render.full_parts(whole, sheet, lang()))
    if whole.file_id:
        await msg(query).answer_document(whole.file_id, caption=t("voting-full-file"))
    if whole.report_file_id:
        await msg(query).answer_document(whole.report_file_id, caption=t("voting-full-report-file"))


async def press_vote(query: CallbackQuery, callback_data: VoteCb, ctx: Ctx) -> None:
    """Record, change or take back the member's vote; the answer says it was recorded, never how."""
    svc = service(ctx)
    try:
        receipt = await svc.cast(callback_data.v, callback_data.d, CHOICE[callback_data.c])
        sheet = await svc.sheet(callback_data.v)
    except DomainError as e:
        await alert(query, e)
        return
    p = receipt.progress
    if not receipt.changed:
        answer = t("voting-vote-same")
    elif p.finished and receipt.voted:
        answer = t("voting-vote-finished", done=p.done, total=p.total)
    elif receipt.voted:
        answer = t("voting-vote-recorded", done=p.done, total=p.total)
    else:
        answer = t("voting-vote-taken-back", done=p.done, total=p.total)
    await query.answer(answer)
    await edit(query, *card_view(sheet, callback_data.d))
