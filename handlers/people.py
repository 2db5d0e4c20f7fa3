"""Admin in chat: /people (search, person cards, unit, roles, delegation, deactivation) and /units."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.clock import fmt_date
from bot.commands import register_command
from bot.context import Ctx
from bot.conversation import conversation
from bot.errors import DomainError
from bot.filters import TYPED, Allowed, Is, personal_router
from bot.i18n import t, tn
from bot.menus import refresh_menu
from bot.roles import Action, Member, Role, can, role_name
from bot.services.people_admin import (
    TOGGLE_ROLES,
    BadDate,
    Card,
    DateOrder,
    Page,
    PeopleAdminService,
    parse_date,
)
from bot.services.roster import NameInvalid
from bot.text import esc, plain, split_message
from handlers import people_handover
from handlers.keyboards import PeoplePageCb, PersonCb, PersonEditCb
from handlers.keyboards import button as _btn
from storage.models import Person, Unit

register_command("people", Action.PEOPLE_VIEW, "people-admin-cmd-people", order=60)
register_command("units", Action.PEOPLE_VIEW, "people-admin-cmd-units", order=61)

UNITS_PER_PAGE = 20


class PeopleSearchSG(StatesGroup):
    query = State()


class DelegateSG(StatesGroup):
    start = State()
    end = State()


class PersonFieldSG(StatesGroup):
    value = State()  # the corrected full name or position (data: pid, field)


conversation(PeopleSearchSG, "people-admin-flow-search")
conversation(
    DelegateSG,
    "people-admin-flow-delegate",
    started_by=[(PersonEditCb.filter(F.op == "deleg"), Allowed(Action.PEOPLE_EDIT))],
)
FIELD_PRESS = (PersonEditCb.filter(F.op.in_({"name", "pos"})), Allowed(Action.PEOPLE_EDIT))
conversation(PersonFieldSG, "people-admin-flow-field", started_by=[FIELD_PRESS])


def router() -> Router:
    r = personal_router("people")
    view, edit = Allowed(Action.PEOPLE_VIEW), Allowed(Action.PEOPLE_EDIT)
    r.message.register(people, Command("people"), view)
    r.message.register(units, Command("units"), view)
    not_command = TYPED
    r.message.register(search_text, StateFilter(PeopleSearchSG.query), not_command, view)
    r.message.register(delegate_start, StateFilter(DelegateSG.start), not_command, edit)
    r.message.register(delegate_end, StateFilter(DelegateSG.end), not_command, edit)
    r.callback_query.register(page, PeoplePageCb.filter(), view)
    r.callback_query.register(show_card, PersonCb.filter(), view)
    r.message.register(field_value, StateFilter(PersonFieldSG.value), not_command, edit)
    r.callback_query.register(ask_field, *FIELD_PRESS)
    for op, handler in edit_ops().items():
        r.callback_query.register(handler, PersonEditCb.filter(F.op == op), edit)
    people_handover.include(r)  # the hand-over before deactivating (issue 22)
    r.callback_query.register(refused, Is(F.data.startswith("pa_")))  # forged or no longer allowed
    return r


# -- rendering ------------------------------------------------------------------------------------------


def _unit_name(unit: Unit | None) -> str:
    return f"{esc(unit.name)} ({esc(unit.code)})" if unit else "—"


def results_view(result: Page) -> tuple[str, InlineKeyboardMarkup | None]:
    if not result.people:
        return t("people-admin-no-results", query=esc(result.query)), None
    text = tn(
        "people-admin-results",
        result.total,
        query=esc(result.query),
        page=result.page + 1,
        pages=result.pages,
    )
    rows = []
    for p in result.people:
        unit = result.units.get(p.unit_id) if p.unit_id else None
        label = p.full_name + (f" — {unit.code}" if unit else "")
        if not p.active:
            label += " " + t("people-admin-inactive-mark")
        rows.append([_btn(label, PersonCb(id=p.id))])
    nav = []
    if result.page > 0:
        nav.append(_btn(t("people-admin-prev"), PeoplePageCb(q=result.query, p=result.page - 1)))
    if result.page + 1 < result.pages:
        nav.append(_btn(t("people-admin-next"), PeoplePageCb(q=result.query, p=result.page + 1)))
    if nav:
        rows.append(nav)
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def _roles_text(card: Card) -> str:
    person = card.person
    labels = []
    for r in sorted(person.roles, key=lambda r: list(Role).index(Role(r.role))):
        if r.valid_from is not None or r.valid_to is not None:
            continue  # dated: shown as a delegation
        label = role_name(r.role)
        if r.unit_id is not None and r.unit_id != person.unit_id and r.unit_id in card.units:
            label += f" ({esc(card.units[r.unit_id].code)})"
        if label not in labels:
            labels.append(label)
    return (
        t("people-admin-card-roles", roles="; ".join(labels)) if labels else t("people-admin-card-no-roles")
    )


def _period(r: object) -> tuple[str, str]:
    start = getattr(r, "valid_from", None)
    end = getattr(r, "valid_to", None)
    return (fmt_date(start) if start else "…", fmt_date(end) if end else t("people-admin-card-open-end"))


def card_text(card: Card) -> str:
    p = card.person
    lines = [f"<b>{esc(p.full_name)}</b>"]
    lines.append(
        t("people-admin-card-unit", unit=_unit_name(card.unit))
        if card.unit
        else t("people-admin-card-no-unit")
    )
    if p.position:
        lines.append(t("people-admin-card-position", position=esc(p.position)))
    lines.append(_roles_text(card))
    for r in card.delegations:
        start, end = _period(r)
        unit = card.units.get(r.unit_id) if r.unit_id else None
        lines.append(
            t("people-admin-card-delegation", unit=esc(unit.code if unit else "—"), start=start, end=end)
        )
    if p.joined_at is not None:
        lines.append(t("people-admin-card-joined", date=fmt_date(p.joined_at)))
    elif p.telegram_id is not None:
        lines.append(t("people-admin-card-linked"))
    else:
        lines.append(t("people-admin-card-not-joined"))
    lines.append(t("people-admin-card-active") if p.active else t("people-admin-card-inactive"))
    return "\n".join(lines)


def card_keyboard(card: Card, me: Member) -> InlineKeyboardMarkup | None:
    if not can(me, Action.PEOPLE_EDIT):
        return None
    pid = card.person.id
    rows = [
        [
            _btn(t("people-admin-btn-unit"), PersonEditCb(op="units", id=pid, arg="0")),
            _btn(t("people-admin-btn-roles"), PersonEditCb(op="roles", id=pid)),
        ]
    ]
    if card.person.active:
        rows.append([_btn(t("people-admin-btn-delegate"), PersonEditCb(op="deleg", id=pid))])
    for r in card.delegations:
        start, end = _period(r)
        unit = card.units.get(r.unit_id) if r.unit_id else None
        label = t("people-admin-btn-end-delegation", unit=unit.code if unit else "—", start=start, end=end)
        rows.append([_btn(label, PersonEditCb(op="undeleg", id=pid, arg=str(r.id)))])
    rows.append(
        [
            _btn(t("people-admin-btn-name"), PersonEditCb(op="name", id=pid)),
            _btn(t("people-admin-btn-position"), PersonEditCb(op="pos", id=pid)),
        ]
    )
    if card.person.active:
        rows.append([_btn(t("people-admin-btn-deactivate"), PersonEditCb(op="off", id=pid))])
    else:
        rows.append([_btn(t("people-admin-btn-reactivate"), PersonEditCb(op="on", id=pid))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def roles_keyboard(person: Person) -> InlineKeyboardMarkup:
    held = {r.role for r in person.roles if r.valid_from is None and r.valid_to is None}
    rows = []
    for role in TOGGLE_ROLES:
        mark = "✅" if role.value in held else "▫️"
        rows.append(
            [_btn(f"{mark} {role_name(role)}", PersonEditCb(op="role", id=person.id, arg=role.value))]
        )
    rows.append([_btn(t("people-admin-back"), PersonEditCb(op="card", id=person.id))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def units_keyboard(person: Person, all_units: list[Unit], page_no: int) -> InlineKeyboardMarkup:
    pages = max(1, -(-len(all_units) // UNITS_PER_PAGE))
    page_no = max(0, min(page_no, pages - 1))
    chunk = all_units[page_no * UNITS_PER_PAGE : (page_no + 1) * UNITS_PER_PAGE]
    rows = []
    for i in range(0, len(chunk), 2):
        rows.append(
            [
                _btn(
                    ("• " if u.id == person.unit_id else "") + f"{u.code} — {u.name}",
                    PersonEditCb(op="unit", id=person.id, arg=str(u.id)),
                )
                for u in chunk[i : i + 2]
            ]
        )
    nav = []
    if page_no > 0:
        nav.append(_btn(t("people-admin-prev"), PersonEditCb(op="units", id=person.id, arg=str(page_no - 1))))
    if page_no + 1 < pages:
        nav.append(_btn(t("people-admin-next"), PersonEditCb(op="units", id=person.id, arg=str(page_no + 1))))
    if nav:
        rows.append(nav)
    rows.append([_btn(t("people-admin-back"), PersonEditCb(op="card", id=person.id))])
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def _edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Show the outcome in the message that was pressed (a new message if it can no longer be edited)."""
    if not isinstance(query.message, Message):
        return
    try:
        await query.message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as e:
        if "message is not modified" in e.message:
            return
        await query.message.answer(text, reply_markup=markup)


# -- /people and search ---------------------------------------------------------------------------------
async def people(message: Message, command: CommandObject, state: FSMContext, ctx: Ctx) -> None:
    if not (command.args or "").strip():
        await state.set_state(PeopleSearchSG.query)
        await message.answer(t("people-admin-ask-query"))
        return
    await state.clear()
    await _search(message, command.args or "", ctx)


async def search_text(message: Message, state: FSMContext, ctx: Ctx) -> None:
    if await _search(message, message.text or "", ctx):
        await state.clear()


async def _search(message: Message, query: str, ctx: Ctx) -> bool:
    try:
        result = await PeopleAdminService(ctx).search(query)
    except DomainError as e:
        await message.answer(e.text())
        return False
    text, markup = results_view(result)
    await message.answer(text, reply_markup=markup)
    return True


async def page(query: CallbackQuery, callback_data: PeoplePageCb, ctx: Ctx) -> None:
    try:
        result = await PeopleAdminService(ctx).search(callback_data.q, callback_data.p)
    except DomainError as e:
        await query.answer(plain(e.text()), show_alert=True)
        return
    await query.answer()
    await _edit(query, *results_view(result))


async def show_card(query: CallbackQuery, callback_data: PersonCb, me: Member, ctx: Ctx) -> None:
    try:
        card = await PeopleAdminService(ctx).card(callback_data.id)
    except DomainError as e:
        await query.answer(plain(e.text()), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(card_text(card), reply_markup=card_keyboard(card, me))  # a card of its own


async def units(message: Message, ctx: Ctx) -> None:
    counts = await PeopleAdminService(ctx).units()
    if not counts:
        await message.answer(t("people-admin-units-empty"))
        return
    lines = [t("people-admin-units-title"), ""]
    joined = total = 0
    for c in counts:
        joined, total = joined + c.joined, total + c.total
        if c.unit is None:
            lines.append(t("people-admin-units-no-unit", joined=c.joined, total=c.total))
            continue
        line = tn(
            "people-admin-units-line",
            c.total,
            code=esc(c.unit.code),
            name=esc(c.unit.name),
            joined=c.joined,
            total=c.total,
        )
        if c.unit.is_example:
            line += " " + t("people-admin-units-example")
        lines.append(line)
    lines += ["", t("people-admin-units-total", joined=joined, total=total)]
    for part in split_message("\n".join(lines)):
        await message.answer(part)


# -- changes from a person card: one handler per operation -------------------------------------------------
def edit_ops() -> dict[str, Callable[..., Awaitable[None]]]:
    """PersonEditCb.op -> its handler ("name" and "pos" start a conversation: ask_field)."""
    return {
        "card": edit_card,
        "units": edit_units,
        "roles": edit_roles,
        "off": edit_confirm_deactivate,
        "deleg": edit_delegate,
        "unit": edit_move,
        "role": edit_toggle_role,
        "undeleg": edit_end_delegation,
        "off!": edit_active,
        "on": edit_active,
    }


async def _refuse(query: CallbackQuery, e: DomainError) -> None:
    await query.answer(plain(e.text()), show_alert=True)


async def _changed(
    query: CallbackQuery, me: Member, ctx: Ctx, bot: Bot, person: Person, note: str, *, roles: bool = False
) -> None:
    """After a change: the person's menu follows, and the card shows it with a line on what was done."""
    await refresh_menu(bot, person, ctx.clock.today())
    card = await PeopleAdminService(ctx).card(person.id)
    await query.answer(plain(note)[:200])
    markup = roles_keyboard(person) if roles else card_keyboard(card, me)
    await _edit(query, card_text(card) + "\n\n" + note, markup)


async def edit_card(query: CallbackQuery, callback_data: PersonEditCb, me: Member, ctx: Ctx) -> None:
    try:
        card = await PeopleAdminService(ctx).card(callback_data.id)
        await query.answer()
        await _edit(query, card_text(card), card_keyboard(card, me))
    except DomainError as e:
        await _refuse(query, e)


async def edit_units(query: CallbackQuery, callback_data: PersonEditCb, ctx: Ctx) -> None:
    service = PeopleAdminService(ctx)
    try:
        card = await service.card(callback_data.id)
        all_units = await service.all_units()
        await query.answer()
        text = card_text(card) + "\n\n" + t("people-admin-pick-unit", name=esc(card.person.full_name))
        await _edit(query, text, units_keyboard(card.person, all_units, _int(callback_data.arg)))
    except DomainError as e:
        await _refuse(query, e)


async def edit_roles(query: CallbackQuery, callback_data: PersonEditCb, ctx: Ctx) -> None:
    try:
        card = await PeopleAdminService(ctx).card(callback_data.id)
        await query.answer()
        text = card_text(card) + "\n\n" + t("people-admin-pick-roles", name=esc(card.person.full_name))
        await _edit(query, text, roles_keyboard(card.person))
    except DomainError as e:
        await _refuse(query, e)


async def edit_confirm_deactivate(query: CallbackQuery, callback_data: PersonEditCb, ctx: Ctx) -> None:
    pid = callback_data.id
    try:
        card = await PeopleAdminService(ctx).card(pid)
        if not card.person.active:
            raise DomainError("people-admin-unchanged")
        await query.answer()
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [_btn(t("people-admin-btn-confirm-deactivate"), PersonEditCb(op="off!", id=pid))],
                people_handover.button(pid),
                [_btn(t("people-admin-back"), PersonEditCb(op="card", id=pid))],
            ]
        )
        text = (
            card_text(card) + "\n\n" + t("people-admin-confirm-deactivate", name=esc(card.person.full_name))
        )
        await _edit(query, text, markup)
    except DomainError as e:
        await _refuse(query, e)


async def edit_delegate(
    query: CallbackQuery, callback_data: PersonEditCb, ctx: Ctx, state: FSMContext
) -> None:
    try:
        person, unit = await PeopleAdminService(ctx).delegation_target(callback_data.id)
        await state.set_state(DelegateSG.start)
        await state.set_data({"pid": person.id})
        await query.answer()
        example = fmt_date(ctx.clock.today())
        if isinstance(query.message, Message):
            await query.message.answer(
                t(
                    "people-admin-ask-start",
                    unit=esc(unit.name),
                    name=esc(person.full_name),
                    example=example,
                )
            )
    except DomainError as e:
        await _refuse(query, e)


async def edit_move(
    query: CallbackQuery, callback_data: PersonEditCb, me: Member, ctx: Ctx, bot: Bot
) -> None:
    try:
        moved = await PeopleAdminService(ctx).move(callback_data.id, _int(callback_data.arg))
    except DomainError as e:
        await _refuse(query, e)
        return
    old = esc(moved.old.name) if moved.old else "—"
    note = t("people-admin-moved", name=esc(moved.person.full_name), old=old, unit=esc(moved.new.name))
    if moved.heads_removed:
        note += " " + t("people-admin-moved-heads-removed", old=old)
    await _changed(query, me, ctx, bot, moved.person, note)


async def edit_toggle_role(
    query: CallbackQuery, callback_data: PersonEditCb, me: Member, ctx: Ctx, bot: Bot
) -> None:
    arg = callback_data.arg
    try:
        person, added = await PeopleAdminService(ctx).toggle_role(callback_data.id, arg)
    except DomainError as e:
        await _refuse(query, e)
        return
    key = "people-admin-role-added" if added else "people-admin-role-removed"
    note = t(key, role=role_name(arg), name=esc(person.full_name))
    await _changed(query, me, ctx, bot, person, note, roles=True)


async def edit_end_delegation(
    query: CallbackQuery, callback_data: PersonEditCb, me: Member, ctx: Ctx, bot: Bot
) -> None:
    try:
        person, unit = await PeopleAdminService(ctx).end_delegation(callback_data.id, _int(callback_data.arg))
    except DomainError as e:
        await _refuse(query, e)
        return
    note = t(
        "people-admin-delegation-ended", name=esc(person.full_name), unit=esc(unit.name if unit else "—")
    )
    await _changed(query, me, ctx, bot, person, note)


async def edit_active(
    query: CallbackQuery, callback_data: PersonEditCb, me: Member, ctx: Ctx, bot: Bot
) -> None:
    """Deactivate ("off!", once confirmed) or reactivate ("on")."""
    try:
        person = await PeopleAdminService(ctx).set_active(callback_data.id, active=callback_data.op == "on")
    except DomainError as e:
        await _refuse(query, e)
        return
    key = "people-admin-reactivated" if person.active else "people-admin-deactivated"
    await _changed(query, me, ctx, bot, person, t(key, name=esc(person.full_name)))


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return -1


async def refused(query: CallbackQuery, me: Member | None) -> None:
    await query.answer(t("need-invite") if me is None else t("error-not-allowed"), show_alert=True)


# -- delegation dates ---------------------------------------------------------------------------------------
async def delegate_start(message: Message, state: FSMContext, ctx: Ctx) -> None:
    service = PeopleAdminService(ctx)
    try:
        start = parse_date(message.text or "", ctx.clock.today())
        service.check_start(start)
    except DomainError as e:
        await message.answer(e.text())
        return  # still waiting for the first day
    await state.update_data(start=start.isoformat())
    await state.set_state(DelegateSG.end)
    await message.answer(t("people-admin-ask-end", start=fmt_date(start)))


async def delegate_end(message: Message, state: FSMContext, ctx: Ctx, me: Member, bot: Bot) -> None:
    data = await state.get_data()
    service = PeopleAdminService(ctx)
    try:
        start = date.fromisoformat(data["start"])
        end = parse_date(message.text or "", ctx.clock.today())
        person, unit, _grant = await service.delegate(int(data["pid"]), start, end)
    except DomainError as e:
        await message.answer(e.text())
        if not isinstance(e, BadDate | DateOrder):
            await state.clear()  # asking again for the last day cannot help
        return
    await state.clear()
    await refresh_menu(bot, person, ctx.clock.today())
    note = t(
        "people-admin-delegated",
        unit=esc(unit.name),
        name=esc(person.full_name),
        start=fmt_date(start),
        end=fmt_date(end),
    )
    card = await service.card(person.id)
    await message.answer(card_text(card) + "\n\n" + note, reply_markup=card_keyboard(card, me))


# -- correcting a name or a position ------------------------------------------------------------------------
async def ask_field(query: CallbackQuery, callback_data: PersonEditCb, state: FSMContext, ctx: Ctx) -> None:
    try:
        card = await PeopleAdminService(ctx).card(callback_data.id)
    except DomainError as e:
        await query.answer(plain(e.text()), show_alert=True)
        return
    field = "name" if callback_data.op == "name" else "position"
    await state.set_state(PersonFieldSG.value)
    await state.set_data({"pid": card.person.id, "field": field})
    await query.answer()
    if isinstance(query.message, Message):
        key = "people-admin-ask-name" if field == "name" else "people-admin-ask-position"
        await query.message.answer(t(key, name=esc(card.person.full_name)))


async def field_value(message: Message, state: FSMContext, ctx: Ctx, me: Member, bot: Bot) -> None:
    data = await state.get_data()
    service = PeopleAdminService(ctx)
    try:
        if data.get("field") == "name":
            person, old = await service.rename(int(data["pid"]), message.text or "")
            note = t("people-admin-renamed", old=esc(old), name=esc(person.full_name))
        else:
            person = await service.set_position(int(data["pid"]), message.text or "")
            note = (
                t("people-admin-position-set", name=esc(person.full_name), position=esc(person.position))
                if person.position
                else t("people-admin-position-cleared", name=esc(person.full_name))
            )
    except NameInvalid as e:
        await message.answer(e.text())
        return  # still waiting for a correct name
    except DomainError as e:
        await state.clear()
        await message.answer(e.text())
        return
    await state.clear()
    await refresh_menu(bot, person, ctx.clock.today())
    card = await service.card(person.id)
    await message.answer(card_text(card) + "\n\n" + note, reply_markup=card_keyboard(card, me))
