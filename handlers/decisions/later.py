"""/decisions: what follows a recorded decision, the secretary's. Each decision with its commendations:
its number, date or signer fixed (the line typed again, the signer chosen, a reason; those told are told
again), a commendation revoked with a reason (its money marked to recover) and the recovery recorded when
repaid; each proposal upward moved on: sent to the province, then approved (the upper decision's number
and date typed) or not. Every press checks again through the service; nothing is deleted."""

from __future__ import annotations

import re
from datetime import date

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.clock import fmt_date
from bot.commands import register_command
from bot.context import Ctx
from bot.errors import DomainError
from bot.filters import TYPED, Allowed
from bot.i18n import t
from bot.services.announce_draft import decision_example, parse_decision
from bot.services.decisions import DECIDE, DecisionService
from bot.text import esc
from handlers.decisions.common import (
    ApproveSG,
    CorrectSG,
    DecCb,
    DelegateSG,
    RevokeSG,
    button,
    keyboard,
    say,
)
from handlers.render import decisions as render

register_command("decisions", DECIDE, "decisions-cmd-decisions", order=78)


def register(r: Router) -> None:
    a = Allowed(DECIDE)
    r.message.register(desk, Command("decisions"), a)
    r.callback_query.register(correct_start, DecCb.filter(F.op == "cf"), a)
    r.message.register(correct_number, StateFilter(CorrectSG.number), TYPED, a)
    r.callback_query.register(correct_signer, StateFilter(CorrectSG.signer), DecCb.filter(F.op == "cs"), a)
    r.message.register(correct_reason, StateFilter(CorrectSG.reason), TYPED, a)
    r.callback_query.register(revoke_pick, DecCb.filter(F.op == "cv"), a)
    r.callback_query.register(revoke_start, DecCb.filter(F.op == "cw"), a)
    r.message.register(revoke_reason, StateFilter(RevokeSG.reason), TYPED, a)
    r.callback_query.register(recovered, DecCb.filter(F.op == "cr"), a)
    r.callback_query.register(move, DecCb.filter(F.op.in_({"qs", "qr"})), a)
    r.callback_query.register(approve_start, DecCb.filter(F.op == "qa"), a)
    r.message.register(approve_number, StateFilter(ApproveSG.number), TYPED, a)
    r.callback_query.register(delegate_start, DecCb.filter(F.op == "dg"), a)
    r.message.register(delegate_who, StateFilter(DelegateSG.who), TYPED, a)
    r.callback_query.register(delegate_pick, StateFilter(DelegateSG.who), DecCb.filter(F.op == "dp"), a)
    r.message.register(delegate_dates, StateFilter(DelegateSG.dates), TYPED, a)


async def desk(message: Message, ctx: Ctx) -> None:
    decisions, proposals = await DecisionService(ctx).desk()
    delegate = keyboard([button(t("decisions-btn-delegate"), "dg")])
    if not decisions and not proposals:
        await message.answer(t("decisions-desk-none"), reply_markup=delegate)
        return
    await message.answer(t("decisions-desk-delegate"), reply_markup=delegate)  # first: the cards end the list
    for view in decisions:
        rows = [[button(t("decisions-btn-correct"), "cf", view.decision.id)]]
        if any(c.state == "active" for c in view.commended):
            rows.append([button(t("decisions-btn-revoke"), "cv", view.decision.id)])
        rows += [
            [button(t("decisions-btn-recovered", name=c.name), "cr", c.id)]
            for c in view.commended
            if c.recovery == "to_recover"
        ]
        await message.answer(render.decision_card(view), reply_markup=keyboard(*rows))
    for p in proposals:
        rows = []
        if p.state == "prepared":
            rows = [[button(t("decisions-btn-proposal-sent"), "qs", p.id)]]
        elif p.state == "sent":
            rows = [
                [button(t("decisions-btn-proposal-approved"), "qa", p.id)],
                [button(t("decisions-btn-proposal-rejected"), "qr", p.id)],
            ]
        await message.answer(render.proposal_line(p), reply_markup=keyboard(*rows) if rows else None)


# -- a decision corrected ---------------------------------------------------------------------------------
async def _decision(ctx: Ctx, decision_id: int):  # type: ignore[no-untyped-def]
    decisions, _ = await DecisionService(ctx).desk()
    return next((v for v in decisions if v.decision.id == decision_id), None)


async def correct_start(query: CallbackQuery, callback_data: DecCb, state: FSMContext, ctx: Ctx) -> None:
    view = await _decision(ctx, callback_data.id)
    if view is None:  # forged
        await query.answer(t("decisions-unknown"), show_alert=True)
        return
    await state.set_state(CorrectSG.number)
    await state.set_data({"d": view.decision.id})
    d = view.decision
    await say(
        query,
        t(
            "decisions-ask-correct-number",
            number=esc(d.number),
            date=fmt_date(d.decided_on),
            example=decision_example(ctx.clock.today()),
        ),
    )


async def correct_number(message: Message, state: FSMContext, ctx: Ctx) -> None:
    text = message.text or ""
    try:
        _number, day = parse_decision(text, ctx.clock.today())
    except DomainError as e:
        await message.answer(e.text())
        return
    signers = await DecisionService(ctx).signers(day)
    if not signers:
        await message.answer(t("decisions-no-signer", date=fmt_date(day)))
        return
    await state.update_data(line=text)
    await state.set_state(CorrectSG.signer)
    rows = [
        [
            button(
                t("decisions-btn-deputy" if s.deputy else "decisions-btn-principal", name=s.name),
                "cs",
                s.person_id,
            )
        ]
        for s in signers
    ]
    await message.answer(t("decisions-ask-signer"), reply_markup=keyboard(*rows))


async def correct_signer(query: CallbackQuery, callback_data: DecCb, state: FSMContext) -> None:
    await state.update_data(signer=callback_data.id)  # checked by the service with the reason
    await state.set_state(CorrectSG.reason)
    await say(query, t("decisions-ask-correct-reason"))


async def correct_reason(message: Message, state: FSMContext, ctx: Ctx) -> None:
    data = await state.get_data()
    try:
        d = await DecisionService(ctx).correct(data["d"], data["line"], data["signer"], message.text or "")
    except DomainError as e:
        await message.answer(e.text())
        if e.key != "decisions-reason-short" and e.key != "decisions-reason-long":
            await state.clear()  # the line or the signer is wrong: /decisions again
        return
    await state.clear()
    await message.answer(t("decisions-corrected", number=esc(d.number), date=fmt_date(d.decided_on)))


# -- a commendation revoked, its money recovered ----------------------------------------------------------
async def revoke_pick(query: CallbackQuery, callback_data: DecCb, ctx: Ctx) -> None:
    view = await _decision(ctx, callback_data.id)
    active = [c for c in view.commended if c.state == "active"] if view else []
    if not active:
        await query.answer(t("decisions-commendation-unknown"), show_alert=True)
        return
    rows = [[button(f"{c.name} — {c.title}", "cw", c.id)] for c in active]
    await say(query, t("decisions-revoke-pick"), keyboard(*rows))


async def revoke_start(query: CallbackQuery, callback_data: DecCb, state: FSMContext, ctx: Ctx) -> None:
    decisions, _ = await DecisionService(ctx).desk()
    found = next((c for v in decisions for c in v.commended if c.id == callback_data.id), None)
    if found is None or found.state != "active":
        key = "decisions-revoked-already" if found else "decisions-commendation-unknown"
        await query.answer(t(key), show_alert=True)
        return
    await state.set_state(RevokeSG.reason)
    await state.set_data({"c": found.id, "name": found.name})
    await say(query, t("decisions-ask-revoke-reason", name=esc(found.name), title=esc(found.title)))


async def revoke_reason(message: Message, state: FSMContext, ctx: Ctx) -> None:
    data = await state.get_data()
    try:
        c = await DecisionService(ctx).revoke(data["c"], message.text or "")
    except DomainError as e:
        await message.answer(e.text())
        if e.key == "decisions-revoked-already":
            await state.clear()
        return
    await state.clear()
    key = "decisions-revoked-recover" if c.recovery == "to_recover" else "decisions-revoked"
    amount = render.amount_text(c.amount, True, None)
    await message.answer(t(key, name=esc(data["name"]), amount=amount))


async def recovered(query: CallbackQuery, callback_data: DecCb, ctx: Ctx) -> None:
    try:
        c = await DecisionService(ctx).recovered(callback_data.id)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await say(query, t("decisions-recovered", amount=render.amount_text(c.amount, True, None)))


# -- proposals upward -----------------------------------------------------------------------------------
async def move(query: CallbackQuery, callback_data: DecCb, ctx: Ctx) -> None:
    op = "send" if callback_data.op == "qs" else "reject"
    try:
        await DecisionService(ctx).move_proposal(callback_data.id, op)
    except DomainError as e:
        await query.answer(e.text(), show_alert=True)
        return
    await say(query, t(f"decisions-proposal-{op}-done"))


async def approve_start(query: CallbackQuery, callback_data: DecCb, state: FSMContext, ctx: Ctx) -> None:
    _, proposals = await DecisionService(ctx).desk()
    p = next((p for p in proposals if p.id == callback_data.id), None)
    if p is None or p.state != "sent":
        key = "decisions-proposal-moved" if p else "decisions-proposal-unknown"
        await query.answer(t(key), show_alert=True)
        return
    await state.set_state(ApproveSG.number)
    await state.set_data({"p": p.id})
    await say(
        query,
        t("decisions-ask-upper-number", name=esc(p.name), example=decision_example(ctx.clock.today())),
    )


async def approve_number(message: Message, state: FSMContext, ctx: Ctx) -> None:
    data = await state.get_data()
    try:
        p = await DecisionService(ctx).move_proposal(data["p"], "approve", message.text or "")
    except DomainError as e:
        await message.answer(e.text())
        if e.key.startswith("decisions-proposal"):
            await state.clear()
        return
    await state.clear()
    await message.answer(
        t("decisions-proposal-approve-done", number=esc(p.upper_number or ""), date=fmt_date(p.upper_date))
    )


# -- a deputy signing for the principal ("KT. HIỆU TRƯỞNG") ----------------------------------------------
_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


async def delegate_start(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(DelegateSG.who)
    await state.set_data({})
    await say(query, t("decisions-ask-deputy"))


async def delegate_who(message: Message, ctx: Ctx) -> None:
    from bot.services.name_search import find_people
    from storage.models import Person

    try:
        found = await find_people(ctx.session, message.text or "", Person.active.is_(True))
    except DomainError as e:
        await message.answer(e.text())
        return
    if not found:
        await message.answer(t("decisions-deputy-none"))
        return
    rows = [[button(p.full_name, "dp", p.id)] for p in found]
    await message.answer(t("decisions-pick-deputy"), reply_markup=keyboard(*rows))


async def delegate_pick(query: CallbackQuery, callback_data: DecCb, state: FSMContext, ctx: Ctx) -> None:
    name = await DecisionService(ctx).subject_name(callback_data.id, None)
    if not name:  # forged
        await query.answer(t("decisions-delegation-bad"), show_alert=True)
        return
    await state.update_data(deputy=callback_data.id, name=name)
    await state.set_state(DelegateSG.dates)
    await say(query, t("decisions-ask-delegation-dates", name=esc(name)))


async def delegate_dates(message: Message, state: FSMContext, ctx: Ctx) -> None:
    days = []
    for d, m, y in _DAY.findall(message.text or ""):
        try:
            days.append(date(int(y), int(m), int(d)))
        except ValueError:
            pass
    if len(days) != 2:
        await message.answer(t("decisions-delegation-dates-unclear"))
        return
    data = await state.get_data()
    try:
        row = await DecisionService(ctx).delegate(data["deputy"], days[0], days[1])
    except DomainError as e:
        await message.answer(e.text())
        if e.key == "decisions-delegation-bad":
            await state.clear()
        return
    await state.clear()
    await message.answer(
        t(
            "decisions-delegated",
            name=esc(data["name"]),
            start=fmt_date(row.valid_from),
            end=fmt_date(row.valid_to),
        )
    )
